//! Edits to a recorded request, as a user makes them before sending it again. Parameters live in
//! the query of a GET and in the form body of a form POST; an edit goes wherever the request
//! keeps them, so "set code_verifier" means the same thing in the GUI, the CLI and experiments.

use super::http::{FORM_CONTENT_TYPE, HttpRequest};
use super::params::Params;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Sets a parameter (replacing the first of that name), or adds it.
    SetParam(String, String),
    /// Adds a parameter after the others, even when one of that name is there: a repeated one.
    AddParam(String, String),
    RemoveParam(String),
    SetHeader(String, String),
    RemoveHeader(String),
    SetMethod(String),
    SetUrl(String),
    SetBody(String),
    /// Moves a `Bearer` token from the Authorization header to the `access_token` query
    /// parameter (RFC 6750 §2.3), the way careless clients send it.
    BearerToQuery,
    /// Moves the form body's parameters into the URL query and sends no body: a token request
    /// as a GET would carry them.
    FormToQuery,
}

impl Edit {
    /// Parses the command-line form: `name=value`, `-name`, `header:Name=value`, `-header:Name`,
    /// `@method=POST`, `@url=…`, `@body=…`, `@bearer-to-query`, `@form-to-query`, `+name=value`.
    pub fn parse(spec: &str) -> Result<Edit, String> {
        match spec {
            "@bearer-to-query" => return Ok(Edit::BearerToQuery),
            "@form-to-query" => return Ok(Edit::FormToQuery),
            _ => {}
        }
        if let Some((name, value)) = spec.strip_prefix('+').and_then(|s| s.split_once('='))
            && !name.is_empty()
        {
            return Ok(Edit::AddParam(name.to_owned(), value.to_owned()));
        }
        let bad = || {
            format!(
                "'{spec}' is not an edit: use name=value, +name=value, -name, header:Name=value, -header:Name, @method=M, @url=U, @body=B, @bearer-to-query or @form-to-query"
            )
        };
        if let Some(name) = spec.strip_prefix("-header:") {
            return Ok(Edit::RemoveHeader(name.to_owned()));
        }
        if let Some(name) = spec.strip_prefix('-') {
            return if name.is_empty() {
                Err(bad())
            } else {
                Ok(Edit::RemoveParam(name.to_owned()))
            };
        }
        let (name, value) = spec.split_once('=').ok_or_else(bad)?;
        Ok(match name {
            "@method" => Edit::SetMethod(value.to_owned()),
            "@url" => Edit::SetUrl(value.to_owned()),
            "@body" => Edit::SetBody(value.to_owned()),
            _ => match name.strip_prefix("header:") {
                Some(h) => Edit::SetHeader(h.to_owned(), value.to_owned()),
                None if name.is_empty() => return Err(bad()),
                None => Edit::SetParam(name.to_owned(), value.to_owned()),
            },
        })
    }
}

/// The parameters the request carries (form body, else query) and whether they are in the body.
pub fn params_of(req: &HttpRequest) -> (Params, bool) {
    match req.form() {
        Some(form) => (form, true),
        None if req.method.eq_ignore_ascii_case("POST") && req.body.is_empty() => {
            (Params::new(), true)
        }
        None => (req.query(), false),
    }
}

/// Writes parameters back where `params_of` found them.
pub fn set_params(req: &mut HttpRequest, params: &Params, in_body: bool) -> Result<(), String> {
    if in_body {
        req.body = params.encode();
        if req.headers.get("content-type").is_none() {
            req.headers.push("Content-Type", FORM_CONTENT_TYPE);
        }
        Ok(())
    } else {
        req.set_query(params)
    }
}

pub fn apply(req: &mut HttpRequest, edits: &[Edit]) -> Result<(), String> {
    for edit in edits {
        match edit {
            Edit::SetParam(n, v) => {
                let (mut p, body) = params_of(req);
                p.set(n, v.clone());
                set_params(req, &p, body)?;
            }
            Edit::AddParam(n, v) => {
                let (mut p, body) = params_of(req);
                p.push(n, v.clone());
                set_params(req, &p, body)?;
            }
            Edit::RemoveParam(n) => {
                let (mut p, body) = params_of(req);
                p.remove(n);
                set_params(req, &p, body)?;
            }
            Edit::SetHeader(n, v) => req.headers.set(n, v.clone()),
            Edit::RemoveHeader(n) => req.headers.remove(n),
            Edit::SetMethod(m) => req.method = m.clone(),
            Edit::SetUrl(u) => req.url = u.clone(),
            Edit::SetBody(b) => req.body = b.clone(),
            Edit::BearerToQuery => {
                let token = req
                    .headers
                    .get("authorization")
                    .and_then(|h| h.strip_prefix("Bearer "))
                    .ok_or("the request has no `Authorization: Bearer` header to move")?
                    .to_owned();
                req.headers.remove("authorization");
                let mut q = req.query();
                q.set("access_token", token);
                req.set_query(&q)?;
            }
            Edit::FormToQuery => {
                let form = req
                    .form()
                    .ok_or("the request has no form body to move into the URL")?;
                let mut q = req.query();
                for p in form.iter() {
                    q.push(&p.name, &p.value);
                }
                req.set_query(&q)?;
                req.body.clear();
                req.headers.remove("content-type");
            }
        }
    }
    Ok(())
}

/// The edits that turn `original` into `edited`, parameter by parameter and header by header,
/// so that the user's changes can be carried onto a newer request: a token request edited by
/// hand is re-sent with a fresh code, keeping every change but the ones the user did not make.
/// A changed URL or method is set whole.
pub fn between(original: &HttpRequest, edited: &HttpRequest) -> Vec<Edit> {
    let mut out = Vec::new();
    if original.method != edited.method {
        out.push(Edit::SetMethod(edited.method.clone()));
    }
    let (before, body_before) = params_of(original);
    let (after, body_after) = params_of(edited);
    let url_changed = if body_after {
        original.url != edited.url
    } else {
        without_query(&original.url) != without_query(&edited.url)
    };
    if url_changed || body_before != body_after {
        out.push(Edit::SetUrl(edited.url.clone()));
    }
    for p in before.iter() {
        if after.get(&p.name).is_none() {
            out.push(Edit::RemoveParam(p.name.clone()));
        }
    }
    for p in after.iter() {
        if before.get(&p.name) != Some(p.value.as_str()) {
            out.push(Edit::SetParam(p.name.clone(), p.value.clone()));
        }
    }
    if !body_after && original.body != edited.body {
        out.push(Edit::SetBody(edited.body.clone()));
    }
    for h in original.headers.iter() {
        if edited.headers.get(&h.name).is_none() {
            out.push(Edit::RemoveHeader(h.name.clone()));
        }
    }
    for h in edited.headers.iter() {
        if original.headers.get(&h.name) != Some(h.value.as_str()) {
            out.push(Edit::SetHeader(h.name.clone(), h.value.clone()));
        }
    }
    out
}

fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(
            Edit::parse("code=x=y").unwrap(),
            Edit::SetParam("code".into(), "x=y".into())
        );
        assert_eq!(
            Edit::parse("-code_verifier").unwrap(),
            Edit::RemoveParam("code_verifier".into())
        );
        assert_eq!(
            Edit::parse("header:Authorization=Bearer x").unwrap(),
            Edit::SetHeader("Authorization".into(), "Bearer x".into())
        );
        assert_eq!(
            Edit::parse("-header:Accept").unwrap(),
            Edit::RemoveHeader("Accept".into())
        );
        assert_eq!(
            Edit::parse("@method=PUT").unwrap(),
            Edit::SetMethod("PUT".into())
        );
        assert_eq!(
            Edit::parse("@bearer-to-query").unwrap(),
            Edit::BearerToQuery
        );
        assert_eq!(
            Edit::parse("+grant_type=x").unwrap(),
            Edit::AddParam("grant_type".into(), "x".into())
        );
        assert_eq!(Edit::parse("@form-to-query").unwrap(), Edit::FormToQuery);
        assert!(Edit::parse("nothing").is_err());
        assert!(Edit::parse("-").is_err());
    }

    #[test]
    fn bearer_moves_to_the_query() {
        let mut r = HttpRequest::get("http://rs/api?x=1");
        r.headers.push("Authorization", "Bearer t0k");
        apply(&mut r, &[Edit::BearerToQuery]).unwrap();
        assert_eq!(r.url, "http://rs/api?x=1&access_token=t0k");
        assert_eq!(r.headers.get("authorization"), None);
        assert!(apply(&mut r, &[Edit::BearerToQuery]).is_err());
    }

    #[test]
    fn params_go_to_the_body_of_a_form_post_and_the_query_of_a_get() {
        let mut post =
            HttpRequest::post_form("http://as/token?x=1", &Params::from([("code", "a")]));
        apply(
            &mut post,
            &[
                Edit::SetParam("code".into(), "b".into()),
                Edit::RemoveParam("x".into()),
            ],
        )
        .unwrap();
        assert_eq!(post.body, "code=b");
        assert_eq!(post.url, "http://as/token?x=1");

        let mut get = HttpRequest::get("http://as/authorize?state=s&scope=a");
        apply(
            &mut get,
            &[
                Edit::SetParam("state".into(), "t".into()),
                Edit::RemoveParam("scope".into()),
            ],
        )
        .unwrap();
        assert_eq!(get.url, "http://as/authorize?state=t");
    }

    #[test]
    fn edits_between_two_requests_carry_the_changes_onto_a_third() {
        let form = |code: &str, verifier: &str| {
            Params::from([
                ("grant_type", "authorization_code"),
                ("code", code),
                ("code_verifier", verifier),
            ])
        };
        let original = HttpRequest::post_form("http://as/token", &form("c1", "v1"));
        let mut edited = original.clone();
        apply(
            &mut edited,
            &[
                Edit::RemoveParam("code_verifier".into()),
                Edit::SetParam("scope".into(), "admin".into()),
                Edit::SetHeader("Accept".into(), "application/json".into()),
            ],
        )
        .unwrap();
        let edits = between(&original, &edited);
        assert_eq!(
            edits,
            vec![
                Edit::RemoveParam("code_verifier".into()),
                Edit::SetParam("scope".into(), "admin".into()),
                Edit::SetHeader("Accept".into(), "application/json".into()),
            ]
        );
        // A newer request with a fresh code keeps its code and gets the user's changes.
        let mut fresh = HttpRequest::post_form("http://as/token", &form("c2", "v2"));
        apply(&mut fresh, &edits).unwrap();
        assert_eq!(
            fresh.body,
            "grant_type=authorization_code&code=c2&scope=admin"
        );
        assert_eq!(fresh.headers.get("accept"), Some("application/json"));
        assert!(between(&original, &original).is_empty());
    }

    #[test]
    fn edits_between_get_requests_ignore_the_query_in_the_url() {
        let original = HttpRequest::get("http://as/authorize?state=s&scope=a");
        let mut edited = original.clone();
        apply(&mut edited, &[Edit::SetParam("scope".into(), "b".into())]).unwrap();
        assert_eq!(
            between(&original, &edited),
            vec![Edit::SetParam("scope".into(), "b".into())]
        );
        edited.method = "POST".into();
        edited.url = "http://other/authorize?state=s&scope=b".into();
        assert_eq!(
            between(&original, &edited)[..2],
            [
                Edit::SetMethod("POST".into()),
                Edit::SetUrl("http://other/authorize?state=s&scope=b".into())
            ]
        );
    }
}
