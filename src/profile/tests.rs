#![allow(clippy::unwrap_used)]

use std::path::Path;

use super::*;

fn parse_str(text: &str) -> Result<Profile, ProfileError> {
    parse(Path::new("/profiles/p.toml"), text)
}

fn no_env(_: &str) -> Result<String, std::env::VarError> {
    Err(std::env::VarError::NotPresent)
}

fn usable() -> Profile {
    Profile {
        name: "p".into(),
        authorization_endpoint: Some("https://as.example/authorize".into()),
        token_endpoint: Some("https://as.example/token".into()),
        resource_url: Some("https://rs.example/api".into()),
        client_id: "c".into(),
        ..Default::default()
    }
}

#[test]
fn malformed_profile_error_names_file_line_and_field() {
    let err = parse_str("client_id = \"x\"\nclient_auth = 3\n").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("/profiles/p.toml"), "{text}");
    assert!(text.contains("line 2"), "{text}");
    assert!(text.contains("`client_auth`"), "{text}");
    assert!(matches!(err, ProfileError::Malformed { line: Some(2), .. }));
}

#[test]
fn misspelt_field_is_named() {
    let err = parse_str("client_id = \"x\"\n\nclent_secret = \"s\"\n").unwrap_err();
    let ProfileError::Malformed { line, field, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!((*line, field.as_deref()), (Some(3), Some("clent_secret")));
    assert!(err.to_string().contains("unknown field"), "{err}");
}

#[test]
fn syntax_error_inside_a_table_names_table_and_key() {
    let err = parse_str("client_id = \"x\"\n[extra_auth_params]\nprompt = \n").unwrap_err();
    let ProfileError::Malformed { line, field, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*line, Some(3), "{err}");
    assert_eq!(field.as_deref(), Some("extra_auth_params.prompt"), "{err}");
}

#[test]
fn byte_order_mark_and_non_ascii_do_not_break_parsing_or_positions() {
    assert_eq!(
        parse_str("\u{feff}client_id = \"é\"\n").unwrap().client_id,
        "é"
    );
    let err = parse_str("notes = \"ünïcödé\"\npkce = [\n").unwrap_err();
    assert!(
        matches!(err, ProfileError::Malformed { line: Some(2), .. }),
        "{err:?}"
    );
}

#[test]
fn extra_params_keep_order_and_scalar_types() {
    let p = parse_str(
        "client_id = \"x\"\nextra_auth_params = { prompt = \"consent\", max_age = 0, x = true }\n",
    )
    .unwrap();
    let cfg = Profile {
        name: "p".into(),
        ..p
    }
    .into_config_with_env(no_env)
    .unwrap();
    assert_eq!(
        cfg.extra_auth_params.encode(),
        "prompt=consent&max_age=0&x=true"
    );
    assert_eq!(cfg.name, "p");

    let p = parse_str("extra_auth_params = { claims = [1] }\n").unwrap();
    let err = p.into_config_with_env(no_env).unwrap_err();
    assert!(err.contains("extra_auth_params.claims"), "{err}");
}

#[test]
fn load_names_profile_after_file_stem() {
    let dir = std::env::temp_dir().join(format!("oauthviz-profile-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mine.toml");
    std::fs::write(&path, "client_id = \"x\"\n").unwrap();
    assert_eq!(load(&path).unwrap().name, "mine");
    std::fs::write(&path, "name = \"Label\"\n").unwrap();
    assert_eq!(load(&path).unwrap().name, "Label");
    let err = load(&dir.join("absent.toml")).unwrap_err();
    assert!(err.to_string().contains("absent.toml"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_client_auth_and_pkce_list_the_allowed_values() {
    let p = Profile {
        client_auth: Some("magic".into()),
        pkce: Some("S512".into()),
        ..usable()
    };
    let err = p.into_config_with_env(no_env).unwrap_err();
    assert!(err.contains("profile 'p'"), "{err}");
    assert!(
        err.contains("'magic'") && err.contains("basic, post, none, private_key_jwt"),
        "{err}"
    );
    assert!(
        err.contains("'S512'") && err.contains("S256, plain, off"),
        "{err}"
    );
}

#[test]
fn rfc_names_for_client_auth_are_accepted() {
    let p = Profile {
        client_auth: Some("client_secret_post".into()),
        client_secret: Some(Secret::new("s")),
        pkce: Some("plain".into()),
        ..usable()
    };
    let cfg = p.into_config_with_env(no_env).unwrap();
    assert_eq!(
        (cfg.client_auth, cfg.pkce),
        (ClientAuth::Post, PkceMethod::Plain)
    );
}

#[test]
fn secret_comes_from_the_named_environment_variable() {
    let p = Profile {
        client_secret_env: Some("OAUTHVIZ_SECRET".into()),
        ..usable()
    };
    let cfg = p
        .clone()
        .into_config_with_env(|v| {
            assert_eq!(v, "OAUTHVIZ_SECRET");
            Ok("from-env".into())
        })
        .unwrap();
    assert_eq!(cfg.client_secret.as_ref().unwrap().expose(), "from-env");
    assert!(cfg.validate().is_ok());

    let err = p.clone().into_config_with_env(no_env).unwrap_err();
    assert!(
        err.contains("OAUTHVIZ_SECRET") && err.contains("not set"),
        "{err}"
    );
    let err = p
        .clone()
        .into_config_with_env(|_| Ok(String::new()))
        .unwrap_err();
    assert!(err.contains("OAUTHVIZ_SECRET"), "{err}");

    // A stored secret wins; a public client never needs the variable.
    let stored = Profile {
        client_secret: Some(Secret::new("stored")),
        ..p.clone()
    };
    assert_eq!(
        stored
            .into_config_with_env(no_env)
            .unwrap()
            .client_secret
            .unwrap()
            .expose(),
        "stored"
    );
    let public = Profile {
        client_auth: Some("none".into()),
        ..p
    };
    assert!(
        public
            .into_config_with_env(no_env)
            .unwrap()
            .client_secret
            .is_none()
    );
}

#[test]
fn real_environment_is_read_by_into_config() {
    // PATH is set under cargo test; the crate forbids the unsafe `set_var`.
    let Ok(path) = std::env::var("PATH") else {
        return;
    };
    let p = Profile {
        client_secret_env: Some("PATH".into()),
        ..usable()
    };
    assert_eq!(
        p.into_config().unwrap().client_secret.unwrap().expose(),
        path
    );
    let p = Profile {
        client_secret_env: Some("OAUTHVIZ_TEST_VARIABLE_THAT_IS_NEVER_SET_7f3a".into()),
        ..usable()
    };
    assert!(p.into_config().unwrap_err().contains("is not set"));
}

#[test]
fn bad_environment_variable_name_is_caught() {
    let p = Profile {
        client_secret_env: Some("$MY SECRET".into()),
        ..usable()
    };
    assert_eq!(p.check()[0].0.to_string(), "client_secret_env");
}

#[test]
fn no_secret_anywhere_leaves_it_for_the_caller_to_ask() {
    let cfg = usable().into_config_with_env(no_env).unwrap();
    assert!(cfg.client_secret.is_none());
    let errors = cfg.validate().unwrap_err();
    assert_eq!(errors[0].0.to_string(), "client_secret");
}

#[test]
fn private_key_jwt_is_checked_and_carried_to_the_engine() {
    let p = Profile {
        client_auth: Some("private_key_jwt".into()),
        private_key_alg: Some("HS256".into()),
        ..usable()
    };
    let fields: Vec<String> = p.check().into_iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(fields, ["private_key_alg", "private_key_path"]);
    let p = Profile {
        private_key_alg: Some("ES256".into()),
        private_key_path: Some("/keys/client.pem".into()),
        private_key_kid: Some("k1".into()),
        ..p
    };
    assert!(p.check().is_empty());
    assert_eq!(p.auth_method(), Ok(ClientAuth::PrivateKeyJwt));
    let cfg = p.into_config_with_env(no_env).unwrap();
    assert_eq!(cfg.client_auth, ClientAuth::PrivateKeyJwt);
    assert_eq!(cfg.private_key_path.as_deref(), Some("/keys/client.pem"));
    assert_eq!(cfg.private_key_kid.as_deref(), Some("k1"));
}

#[test]
fn unfilled_placeholders_and_unknown_quirks_stop_a_run() {
    let p = Profile {
        authorization_endpoint: Some("https://login.example/{tenant}/authorize".into()),
        quirks: vec!["no_such_quirk".into()],
        ..usable()
    };
    let err = p.into_config_with_env(no_env).unwrap_err();
    assert!(
        err.contains("authorization_endpoint") && err.contains("{tenant}"),
        "{err}"
    );
    assert!(
        err.contains("no_such_quirk") && err.contains("github_form_token_response"),
        "{err}"
    );
}

#[test]
fn resource_url_falls_back_to_userinfo() {
    let p = Profile {
        resource_url: None,
        userinfo_endpoint: Some("https://as.example/userinfo".into()),
        ..usable()
    };
    let cfg = p.into_config_with_env(no_env).unwrap();
    assert_eq!(cfg.resource_url, "https://as.example/userinfo");
    assert_eq!(cfg.redirect_uri, DEFAULT_REDIRECT_URI);
    assert_eq!(cfg.scope, DEFAULT_SCOPE);
}

#[test]
fn quirks_give_token_request_headers() {
    let p = Profile {
        quirks: vec![
            "github_not_oidc".into(),
            "github_form_token_response".into(),
        ],
        ..usable()
    };
    assert_eq!(
        p.token_request_headers(),
        [("Accept".to_owned(), "application/json".to_owned())]
    );
    assert_eq!(p.known_quirks().len(), 2);
}

#[test]
fn config_converts_to_profile_and_back() {
    let cfg = ProviderConfig {
        name: "x".into(),
        issuer: Some("https://as.example".into()),
        authorization_endpoint: "https://as.example/a".into(),
        token_endpoint: "https://as.example/t".into(),
        resource_url: "https://as.example/r".into(),
        client_id: "c".into(),
        client_secret: Some(Secret::new("s")),
        client_auth: ClientAuth::Post,
        redirect_uri: "http://127.0.0.1:0/cb".into(),
        scope: "openid email".into(),
        pkce: PkceMethod::Off,
        extra_auth_params: Params::parse("prompt=login&max_age=5"),
        revocation_endpoint: Some("https://as.example/rev".into()),
        jwks_uri: Some("https://as.example/jwks".into()),
        quirks: vec!["github_form_token_response".into()],
        token_request_headers: vec![("Accept".into(), "application/json".into())],
        ..Default::default()
    };
    let back = Profile::from_config(&cfg)
        .into_config_with_env(no_env)
        .unwrap();
    assert_eq!(back, cfg);
}

#[test]
fn metadata_fills_only_what_is_empty() {
    let mut p = Profile {
        token_endpoint: Some("https://mine/token".into()),
        ..Default::default()
    };
    p.apply_metadata(&Metadata {
        issuer: "https://as".into(),
        authorization_endpoint: Some("https://as/authorize".into()),
        token_endpoint: Some("https://as/token".into()),
        jwks_uri: Some("https://as/jwks".into()),
        ..Default::default()
    });
    assert_eq!(p.issuer.as_deref(), Some("https://as"));
    assert_eq!(
        p.authorization_endpoint.as_deref(),
        Some("https://as/authorize")
    );
    assert_eq!(p.token_endpoint.as_deref(), Some("https://mine/token"));
    assert_eq!(p.jwks_uri.as_deref(), Some("https://as/jwks"));
}

#[test]
fn metadata_chooses_pkce_and_client_auth_only_when_the_profile_leaves_them_unset() {
    let meta = Metadata {
        issuer: "https://as".into(),
        code_challenge_methods_supported: vec!["plain".into(), "S256".into()],
        token_endpoint_auth_methods_supported: vec![
            "private_key_jwt".into(),
            "client_secret_post".into(),
        ],
        ..Default::default()
    };
    let mut p = Profile::default();
    p.apply_metadata(&meta);
    assert_eq!(p.pkce.as_deref(), Some("S256"), "S256 whenever offered");
    assert_eq!(p.client_auth.as_deref(), Some("post"));

    let mut chosen = Profile {
        pkce: Some("off".into()),
        client_auth: Some("none".into()),
        ..Default::default()
    };
    chosen.apply_metadata(&meta);
    assert_eq!(chosen.pkce.as_deref(), Some("off"));
    assert_eq!(chosen.client_auth.as_deref(), Some("none"));

    let mut silent = Profile::default();
    silent.apply_metadata(&Metadata {
        issuer: "https://as".into(),
        code_challenge_methods_supported: vec!["plain".into()],
        ..Default::default()
    });
    assert_eq!(
        silent.pkce.as_deref(),
        Some("plain"),
        "all the provider offers"
    );
    assert_eq!(silent.client_auth, None, "not listed: basic, the default");
}

#[test]
fn debug_output_never_shows_the_secret() {
    let p = Profile {
        client_secret: Some(Secret::new("hunter2")),
        ..usable()
    };
    assert!(!format!("{p:?}").contains("hunter2"));
}

#[test]
fn the_rfc_9207_promise_is_kept_in_the_file_and_reaches_the_run() {
    let mut p = Profile {
        client_auth: Some("none".into()),
        ..usable()
    };
    p.apply_metadata(&Metadata {
        issuer: "https://as.example".into(),
        authorization_response_iss_parameter_supported: true,
        ..Default::default()
    });
    assert!(p.authorization_response_iss_parameter_supported);
    let text = super::store::to_toml(&p, SecretChoice::DoNotStore).unwrap();
    assert!(
        text.contains("authorization_response_iss_parameter_supported = true"),
        "{text}"
    );
    let back = parse_str(&text).unwrap();
    let cfg = back.into_config().unwrap();
    assert!(cfg.authorization_response_iss_parameter_supported);
    // Not written at all when false, so existing files stay as they are.
    let plain = super::store::to_toml(&usable(), SecretChoice::DoNotStore).unwrap();
    assert!(!plain.contains("iss_parameter"), "{plain}");
}

#[test]
fn a_run_is_completed_from_metadata_by_the_profile_rule() {
    let cfg = ProviderConfig {
        issuer: Some("https://as.example".into()),
        client_id: "app".into(),
        client_secret: Some(Secret::new("s")),
        client_auth: ClientAuth::Post,
        token_endpoint: "https://mine/token".into(),
        redirect_uri: DEFAULT_REDIRECT_URI.into(),
        scope: "openid".into(),
        pkce: PkceMethod::Plain,
        ..Default::default()
    };
    let meta = Metadata {
        issuer: "https://as.example".into(),
        authorization_endpoint: Some("https://as.example/authorize".into()),
        token_endpoint: Some("https://as.example/token".into()),
        userinfo_endpoint: Some("https://as.example/userinfo".into()),
        jwks_uri: Some("https://as.example/jwks".into()),
        code_challenge_methods_supported: vec!["S256".into()],
        token_endpoint_auth_methods_supported: vec!["client_secret_basic".into()],
        authorization_response_iss_parameter_supported: true,
        ..Default::default()
    };
    let done = Profile::complete(&cfg, &meta).unwrap();
    assert_eq!(done.authorization_endpoint, "https://as.example/authorize");
    assert_eq!(
        done.token_endpoint, "https://mine/token",
        "what was set stays"
    );
    assert_eq!(done.resource_url, "https://as.example/userinfo");
    assert_eq!(done.jwks_uri.as_deref(), Some("https://as.example/jwks"));
    assert!(done.authorization_response_iss_parameter_supported);
    assert_eq!(
        done.name, "https://as.example",
        "an unnamed run takes the issuer"
    );
    // What the configuration chose is kept, whatever the provider lists.
    assert_eq!(done.client_auth, ClientAuth::Post);
    assert_eq!(done.pkce, PkceMethod::Plain);
    assert_eq!(done.client_secret.as_ref().map(Secret::expose), Some("s"));
}
