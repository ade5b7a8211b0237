//! The scripted user agent: plays the resource owner's browser for headless runs and tests. It
//! follows redirects one hop at a time (recording each), fills the login form with the given
//! credentials, answers the consent form, and finally requests the redirect URI so the loopback
//! listener receives step C exactly as it would from a real browser.

use reqwest::cookie::{CookieStore as _, Jar};
use reqwest::header::HeaderValue;
use url::Url;

use super::forms::{APPROVE_WORDS, DENY_WORDS, Form, page_digest, parse_forms, unreadable};
use super::http::{HttpClient, SendError};
use crate::protocol::http::{HttpRequest, HttpResponse, parse_url};
use crate::protocol::params::Params;
use crate::trace::Exchange;

/// Redirects and pages together; a real login rarely needs more than a dozen.
const MAX_HOPS: usize = 40;
/// A login form shown again after this many submissions means the credentials were refused.
const MAX_LOGIN_SUBMITS: usize = 2;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
    /// Press "deny" instead of "allow" on the consent page.
    pub deny_consent: bool,
    /// Values for named fields of any form submitted, over what the page or the login put there.
    pub form_fields: Vec<(String, String)>,
}

pub struct ScriptedAgent {
    client: HttpClient,
    credentials: Credentials,
    /// This browsing session's cookies. They are sent as a visible `Cookie` header, so the
    /// recorded pages show exactly what a browser would have sent.
    cookies: Jar,
}

impl ScriptedAgent {
    pub fn new(client: HttpClient, credentials: Credentials) -> Self {
        Self {
            client,
            credentials,
            cookies: Jar::default(),
        }
    }

    async fn send(&self, request: &mut HttpRequest, url: &Url) -> Result<HttpResponse, SendError> {
        if let Some(cookies) = self
            .cookies
            .cookies(url)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
        {
            request.headers.set("Cookie", cookies);
        }
        let response = self.client.send_keeping_partial(request).await?;
        let set: Vec<HeaderValue> = response
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|h| HeaderValue::from_str(&h.value).ok())
            .collect();
        self.cookies.set_cookies(&mut set.iter(), url);
        Ok(response)
    }

    /// Browses from the authorization URL until the redirect URI has been requested; returns the
    /// URL it delivered there. Every request and response goes into `log`, also when it fails.
    // Long on purpose: one loop over the pages, each hop decided where the page is read.
    pub async fn browse(
        &self,
        start: &str,
        redirect_uri: &str,
        log: &mut Vec<Exchange>,
    ) -> Result<String, String> {
        let target = parse_url(redirect_uri)?;
        let mut next = HttpRequest::get(start);
        let mut login_submits = 0;
        let mut username_only_submits = 0;
        for _ in 0..MAX_HOPS {
            let here = parse_url(&next.url)?;
            let arrived = is_redirect_target(&here, &target);
            let sent = self.send(&mut next, &here).await;
            let response = match sent {
                Ok(r) => r,
                Err(SendError {
                    message: e,
                    partial,
                }) => {
                    log.push(Exchange {
                        request: next,
                        response: partial,
                        error: Some(e.clone()),
                        screenshot: None,
                    });
                    return Err(if arrived {
                        format!(
                            "the redirect to {redirect_uri} could not be delivered to the listener: {e}"
                        )
                    } else {
                        e
                    });
                }
            };
            log.push(Exchange {
                request: next.clone(),
                response: Some(response.clone()),
                error: None,
                screenshot: None,
            });
            if arrived {
                return Ok(next.url);
            }
            if (300..400).contains(&response.status) {
                let location = response.headers.get("location").ok_or_else(|| {
                    format!(
                        "{} answered {} without a Location header",
                        here, response.status
                    )
                })?;
                let to = here.join(location).map_err(|e| {
                    format!("{here} redirected to '{location}', which is not a URL: {e}")
                })?;
                next = HttpRequest::get(to.as_str());
                continue;
            }
            if response.status != 200 {
                return Err(format!(
                    "the authorization server answered {} at {here}: {}",
                    response.status_line(),
                    page_digest(&response.body)
                ));
            }
            if let Some(why) = unreadable(&response.body) {
                return Err(format!(
                    "the scripted browser did not read the page at {here}: {why}"
                ));
            }
            let forms = parse_forms(&response.body);
            let stuck = || {
                format!(
                    "the scripted browser found no login or consent form it could use at {here}; the page says {}",
                    page_digest(&response.body)
                )
            };
            let (form, fields) = if let Some(form) =
                forms.iter().find(|f| f.password_field().is_some())
            {
                login_submits += 1;
                if login_submits > MAX_LOGIN_SUBMITS {
                    return Err(format!(
                        "the login was refused for user '{}': the login form came back at {here}; the page says {}",
                        self.credentials.username,
                        page_digest(&response.body)
                    ));
                }
                (form, self.fill_login(form))
            } else if let Some(form) = forms.iter().find(|f| {
                // A lone field of any name is the identifier only on the first form page: the
                // provider's login step, before anything was signed in.
                let first_login = login_submits + username_only_submits == 0;
                is_single_field(f)
                    && (f.username_field().is_some() || (first_login && is_lone_identifier(f)))
            }) {
                // Identifier-first logins ask for the user name alone, then the password on a later
                // page; a mock provider's login may be one field of any name (`sub`, `login_hint`).
                username_only_submits += 1;
                if username_only_submits > MAX_LOGIN_SUBMITS {
                    return Err(stuck());
                }
                (form, self.fill_login(form))
            } else {
                let (words, avoid) = if self.credentials.deny_consent {
                    (DENY_WORDS, APPROVE_WORDS)
                } else {
                    (APPROVE_WORDS, DENY_WORDS)
                };
                let chosen = forms.iter().find_map(|f| {
                    if f.buttons.is_empty() && f.method == "POST" {
                        // An auto-submitting form (no button): submit it as it is.
                        return Some((f, f.default_fields()));
                    }
                    let button = f.button_matching(words, avoid)?;
                    let mut fields = f.default_fields();
                    if let Some(name) = &button.name {
                        fields.push((name.clone(), button.value.clone()));
                    }
                    Some((f, fields))
                });
                chosen.ok_or_else(stuck)?
            };
            let fields = self.with_form_fields(form, fields);
            next = submit(&here, form, fields)?;
        }
        Err(format!(
            "gave up after {MAX_HOPS} pages and redirects without reaching {redirect_uri}"
        ))
    }

    /// `fields` with the `--form-field` values set wherever the form has a field of that name.
    fn with_form_fields(
        &self,
        form: &Form,
        mut fields: Vec<(String, String)>,
    ) -> Vec<(String, String)> {
        for (name, value) in &self.credentials.form_fields {
            match fields.iter_mut().find(|(n, _)| n == name) {
                Some((_, v)) => v.clone_from(value),
                None if form.inputs.iter().any(|i| &i.name == name) => {
                    fields.push((name.clone(), value.clone()));
                }
                None => {}
            }
        }
        fields
    }

    fn fill_login(&self, form: &Form) -> Vec<(String, String)> {
        let user = form
            .username_field()
            .or_else(|| form.lone_text_field())
            .map(|i| i.name.clone());
        let pass = form.password_field().map(|i| i.name.clone());
        let mut fields = form.default_fields();
        for (name, value) in &mut fields {
            if Some(&*name) == user.as_ref() {
                *value = self.credentials.username.clone();
            } else if Some(&*name) == pass.as_ref() {
                *value = self.credentials.password.clone();
            }
        }
        if let Some(b) = form.button_matching(
            &["sign in", "log in", "login", "continue", "next", "submit"],
            DENY_WORDS,
        ) && let Some(name) = &b.name
        {
            fields.push((name.clone(), b.value.clone()));
        }
        fields
    }
}

/// A POST form whose one field is a text field of any name: on a login step, the identifier
/// (a search box is a GET form).
fn is_lone_identifier(form: &Form) -> bool {
    form.method == "POST" && form.lone_text_field().is_some()
}

fn is_single_field(form: &Form) -> bool {
    form.inputs
        .iter()
        .filter(|i| !matches!(i.kind.as_str(), "hidden" | "checkbox" | "radio"))
        .count()
        == 1
}

/// Builds the request a browser makes when the form is submitted.
fn submit(page: &Url, form: &Form, fields: Vec<(String, String)>) -> Result<HttpRequest, String> {
    let action = page.join(&form.action).map_err(|e| {
        format!(
            "the form on {page} posts to '{}', which is not a URL: {e}",
            form.action
        )
    })?;
    let mut params = Params::new();
    for (name, value) in fields {
        params.push(name, value);
    }
    let mut req = if form.method == "POST" {
        HttpRequest::post_form(action.as_str(), &params)
    } else {
        let mut r = HttpRequest::get(action.as_str());
        r.set_query(&params)?;
        r
    };
    req.headers.push("Referer", page.as_str());
    if let Some(origin) = Some(page.origin().ascii_serialization()).filter(|o| o != "null") {
        req.headers.push("Origin", origin);
    }
    Ok(req)
}

/// Any request to the listener's origin is the redirect arriving: the listener takes
/// callbacks on any path, so a provider that redirects to an edited path is seen too.
fn is_redirect_target(url: &Url, target: &Url) -> bool {
    url.scheme() == target.scheme()
        && url.host_str() == target.host_str()
        && url.port_or_known_default() == target.port_or_known_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn get_forms_put_fields_in_the_query_and_keep_relative_actions() {
        let page = Url::parse("http://127.0.0.1:9/a/b/login?x=1").unwrap();
        let form = &parse_forms("<form action='next'><input name=q value=1></form>")[0];
        let req = submit(&page, form, form.default_fields()).unwrap();
        assert_eq!(req.method, "GET");
        assert_eq!(req.url, "http://127.0.0.1:9/a/b/next?q=1");
        let post = &parse_forms("<form method=POST action='/p'><input name=q value=1></form>")[0];
        let req = submit(&page, post, post.default_fields()).unwrap();
        assert_eq!((req.method.as_str(), req.body.as_str()), ("POST", "q=1"));
        assert_eq!(req.headers.get("origin"), Some("http://127.0.0.1:9"));
    }

    /// A loopback site answering with `page(method, path, body)`; what it was sent is recorded
    /// as `METHOD path body`.
    struct Site {
        url: String,
        seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
        _server: crate::serve::Server,
    }

    type Page = fn(&str, &str, &str) -> (u16, Vec<(&'static str, String)>, String);

    impl Site {
        fn start(page: Page) -> Site {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let log = seen.clone();
            let server = crate::serve::Server::start(
                listener,
                "scripted-test-site",
                1,
                crate::serve::Limits::default(),
                move |req| {
                    let body = String::from_utf8_lossy(&req.body).into_owned();
                    let target = match &req.query {
                        Some(q) => format!("{}?{q}", req.path),
                        None => req.path.clone(),
                    };
                    log.lock()
                        .unwrap()
                        .push(format!("{} {target} {body}", req.method));
                    let (status, headers, html) = page(&req.method, &target, &body);
                    let mut headers: Vec<(String, String)> = headers
                        .into_iter()
                        .map(|(n, v)| (n.to_owned(), v))
                        .collect();
                    headers.push(("Content-Type".into(), "text/html".into()));
                    crate::serve::Response {
                        status,
                        headers,
                        body: html.into_bytes(),
                    }
                },
            )
            .unwrap();
            Site {
                url,
                seen,
                _server: server,
            }
        }

        fn seen(&self) -> Vec<String> {
            self.seen.lock().unwrap().clone()
        }
    }

    /// An identifier-first login (user name on one page, password on the next), whose first page
    /// also has a search form before the login form. The redirect goes to `REDIRECT`'s port,
    /// passed in the page's query.
    fn identifier_first(
        method: &str,
        path: &str,
        body: &str,
    ) -> (u16, Vec<(&'static str, String)>, String) {
        let html = |s: &str| (200, Vec::new(), s.to_owned());
        match (method, path.split('?').next().unwrap_or("")) {
            ("GET", "/authorize") => {
                let back = path.split_once("back=").map(|(_, b)| b).unwrap_or("");
                html(&format!(
                    r#"<html><head><title>Sign in</title></head><body>
                    <form action="/search" method="get"><input name="q" placeholder="Search help"><button>Search</button></form>
                    <form action="/identify?back={back}" method="post">
                      <input type="hidden" name="flow" value="f-1">
                      <input type="text" name="loginfmt" autocomplete="username">
                      <button type="submit">Next</button>
                    </form></body></html>"#
                ))
            }
            ("POST", "/identify") => {
                let back = path.split_once("back=").map(|(_, b)| b).unwrap_or("");
                html(&format!(
                    r#"<html><body><p>Enter the password for {body}</p>
                    <form action="/password?back={back}" method="post">
                      <input type="hidden" name="flow" value="f-2">
                      <input type="password" name="passwd">
                      <input type="submit" value="Sign in">
                    </form></body></html>"#
                ))
            }
            ("POST", "/password") if body.contains("passwd=pw") => {
                let back = path.split_once("back=").map(|(_, b)| b).unwrap_or("");
                (
                    302,
                    vec![(
                        "Location",
                        format!("http://127.0.0.1:{back}/callback?code=c-1"),
                    )],
                    String::new(),
                )
            }
            _ => (404, Vec::new(), "<title>Not found</title>".into()),
        }
    }

    #[test]
    fn identifier_first_login_past_a_search_form_reaches_the_redirect_uri() {
        let site = Site::start(identifier_first);
        let client = Site::start(|_, _, _| (200, Vec::new(), "done".into()));
        let port = client.url.rsplit(':').next().unwrap().to_owned();
        let agent = ScriptedAgent::new(
            HttpClient::new(std::time::Duration::from_secs(5), 1 << 20).unwrap(),
            Credentials {
                username: "alice".into(),
                password: "pw".into(),
                deny_consent: false,
                form_fields: Vec::new(),
            },
        );
        let mut log = Vec::new();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let result = rt.block_on(agent.browse(
            &format!("{}/authorize?back={port}", site.url),
            &format!("{}/callback", client.url),
            &mut log,
        ));
        assert_eq!(
            result,
            Ok(format!("{}/callback?code=c-1", client.url)),
            "{:#?}",
            site.seen()
        );
        // The login form was chosen, not the search form; then the password page.
        assert_eq!(
            site.seen(),
            [
                format!("GET /authorize?back={port} "),
                format!("POST /identify?back={port} flow=f-1&loginfmt=alice"),
                format!("POST /password?back={port} flow=f-2&passwd=pw"),
            ]
        );
        assert_eq!(client.seen(), ["GET /callback?code=c-1 "]);
        assert_eq!(log.len(), 4, "every page and the redirect are recorded");
    }

    /// A mock provider: the login is one field called `sub`; the consent page asks for a tenant.
    fn mock_login(
        method: &str,
        path: &str,
        body: &str,
    ) -> (u16, Vec<(&'static str, String)>, String) {
        let back = path
            .split_once("back=")
            .map(|(_, b)| b)
            .unwrap_or("")
            .to_owned();
        let html = |s: String| (200, Vec::new(), s);
        match (method, path.split('?').next().unwrap_or("")) {
            ("GET", "/authorize") => html(format!(
                r#"<form method="post" action="/login?back={back}"><input name="sub"><button>Go</button></form>"#
            )),
            ("POST", "/login") if body == "sub=alice" => html(format!(
                r#"<form method="post" action="/consent?back={back}"><input type="hidden" name="id" value="7">
                   <input name="tenant"><button name="decision" value="approve">Allow</button></form>"#
            )),
            ("POST", "/consent") if body == "id=7&tenant=acme&decision=approve" => (
                302,
                vec![(
                    "Location",
                    format!("http://127.0.0.1:{back}/callback?code=c-2"),
                )],
                String::new(),
            ),
            _ => (
                400,
                Vec::new(),
                format!("<title>unexpected {method} {path} {body}</title>"),
            ),
        }
    }

    #[test]
    fn a_lone_login_field_of_any_name_gets_the_user_and_form_fields_fill_named_fields() {
        let site = Site::start(mock_login);
        let client = Site::start(|_, _, _| (200, Vec::new(), "done".into()));
        let port = client.url.rsplit(':').next().unwrap().to_owned();
        let agent = ScriptedAgent::new(
            HttpClient::new(std::time::Duration::from_secs(5), 1 << 20).unwrap(),
            Credentials {
                username: "alice".into(),
                password: String::new(),
                deny_consent: false,
                form_fields: vec![("tenant".into(), "acme".into())],
            },
        );
        let mut log = Vec::new();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let result = rt.block_on(agent.browse(
            &format!("{}/authorize?back={port}", site.url),
            &format!("{}/callback", client.url),
            &mut log,
        ));
        assert_eq!(
            result,
            Ok(format!("{}/callback?code=c-2", client.url)),
            "{:#?}",
            site.seen()
        );
        assert_eq!(
            site.seen()[1..],
            [
                format!("POST /login?back={port} sub=alice"),
                format!("POST /consent?back={port} id=7&tenant=acme&decision=approve"),
            ]
        );
        assert_eq!(client.seen(), ["GET /callback?code=c-2 "]);
    }

    #[test]
    fn redirect_target_is_the_listeners_origin() {
        let t = Url::parse("http://127.0.0.1:5000/callback").unwrap();
        assert!(is_redirect_target(
            &Url::parse("http://127.0.0.1:5000/callback?code=1").unwrap(),
            &t
        ));
        assert!(!is_redirect_target(
            &Url::parse("http://127.0.0.1:5001/callback").unwrap(),
            &t
        ));
    }
}
