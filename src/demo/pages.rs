//! The HTML pages: small, self-contained (inline CSS, no JavaScript), every value escaped.

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::clients::{CLIENTS, Client, registered_redirect_uris};
use super::http::{Request, Response};
use super::paths::LOGIN_SCRIPT_PATH;
use super::scopes::scope_description;
use super::state::{Ctx, State};
use super::{DEMO_PASSWORD, DEMO_USERNAME};

const STYLE: &str = r#"
:root { color-scheme: light dark; --accent: #4f46e5; --muted: #6b7280; --line: #d1d5db; --bad: #b91c1c; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; padding: 2rem 1rem;
       background: Canvas; color: CanvasText; }
main { max-width: 30rem; margin: 0 auto; border: 1px solid var(--line); border-radius: 12px; padding: 1.5rem 1.75rem; }
main.wide { max-width: 46rem; }
.brand { font-size: .8rem; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); margin: 0 0 .25rem; }
h1 { font-size: 1.35rem; margin: 0 0 1rem; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
input[type=text], input[type=password] { width: 100%; padding: .5rem .6rem; border: 1px solid var(--line);
       border-radius: 6px; font: inherit; background: Field; color: FieldText; }
.actions { display: flex; gap: .75rem; margin-top: 1.25rem; }
button { font: inherit; font-weight: 600; padding: .5rem 1.2rem; border-radius: 6px; border: 1px solid var(--accent);
       background: var(--accent); color: white; cursor: pointer; }
button.secondary { background: transparent; color: var(--accent); }
.hint { color: var(--muted); font-size: .9rem; }
.error { color: var(--bad); border: 1px solid var(--bad); border-radius: 6px; padding: .5rem .75rem; }
code { font-family: ui-monospace, "SF Mono", Menlo, monospace; font-size: .9em; overflow-wrap: anywhere; }
ul.scopes { padding-left: 1.2rem; } ul.scopes li { margin: .25rem 0; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
td, th { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
"#;

fn layout(title: &str, wide: bool, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · oauthviz demo provider</title><style>{STYLE}</style></head>\n\
         <body><main{class}><p class=\"brand\">oauthviz demo provider</p>\n{body}\n</main></body></html>\n",
        title = text(title),
        class = if wide { " class=\"wide\"" } else { "" },
    )
}

/// An error shown to the user instead of being redirected to the client.
pub(crate) fn error_page(title: &str, message: &str, hint: &str) -> String {
    layout(
        title,
        false,
        &format!(
            "<h1>{}</h1>\n<p class=\"error\" role=\"alert\">{}</p>\n<p class=\"hint\">{}</p>",
            text(title),
            text(message),
            text(hint)
        ),
    )
}

fn scope_list(scopes: &[String]) -> String {
    let items: String = scopes
        .iter()
        .map(|s| {
            format!(
                "<li><code>{}</code> — {}</li>",
                text(s),
                text(scope_description(s))
            )
        })
        .collect();
    format!("<ul class=\"scopes\">{items}</ul>")
}

/// The login form: POST to `login` (relative, so `/login`) with `id`, `username`, `password`.
pub(crate) fn login(id: &str, client: &Client, error: Option<&str>, username: &str) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>\n", text(e)))
        .unwrap_or_default();
    layout(
        "Sign in",
        false,
        &format!(
            "<h1>Sign in</h1>\n<p><strong>{name}</strong> (<code>{client_id}</code>) wants you to sign in.</p>\n\
             {error}<form method=\"post\" action=\"login\">\n\
             <input type=\"hidden\" name=\"id\" value=\"{id}\">\n\
             <label for=\"username\">Username</label>\n\
             <input type=\"text\" id=\"username\" name=\"username\" value=\"{username}\" autocomplete=\"username\" required autofocus>\n\
             <label for=\"password\">Password</label>\n\
             <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\n\
             <div class=\"actions\"><button type=\"submit\">Sign in</button></div>\n</form>\n\
             <p class=\"hint\">Demo account: username <code>{user}</code>, password <code>{pass}</code>.</p>",
            name = text(client.name),
            client_id = text(client.id),
            id = attr(id),
            username = attr(username),
            user = text(DEMO_USERNAME),
            pass = text(DEMO_PASSWORD),
        ),
    )
}

/// The JavaScript login (`DemoOptions::js_login`): an empty page whose script builds the form a
/// moment after load and signs in through JSON before it moves on, as single-page logins do. Its
/// policy lets it run its own script and talk to its own origin, nothing else.
pub(crate) fn js_login(id: &str, client: &Client) -> Response {
    let page = layout(
        "Sign in",
        false,
        &format!(
            "<div id=\"app\" data-id=\"{id}\" data-client=\"{name}\" data-client-id=\"{client_id}\">\
             <noscript><p class=\"error\">This sign-in page needs JavaScript.</p></noscript></div>\n\
             <script src=\"{LOGIN_SCRIPT_PATH}\"></script>",
            id = attr(id),
            name = attr(client.name),
            client_id = attr(client.id),
        ),
    );
    Response::html(200, page).replace_header(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    )
}

/// `GET /login.js`: the JavaScript login page's script.
pub(crate) fn login_script(_ctx: &Ctx, _st: &mut State, _req: &Request) -> Response {
    Response {
        body: LOGIN_SCRIPT.as_bytes().to_vec(),
        ..Response::new(200)
    }
    .header("Content-Type", "text/javascript; charset=utf-8")
    .header("Cache-Control", "no-store")
}

const LOGIN_SCRIPT: &str = r#"'use strict';
// Built after load, as a single-page login would once its configuration has arrived.
setTimeout(() => {
  const app = document.getElementById('app');
  const el = (tag, props, ...children) => {
    const e = Object.assign(document.createElement(tag), props);
    e.append(...children);
    return e;
  };
  const user = el('input', { type: 'text', id: 'user-field', autocomplete: 'username' });
  const pass = el('input', { type: 'password', id: 'pass-field', autocomplete: 'current-password' });
  const error = el('p', { className: 'error', role: 'alert' });
  const button = el('button', { type: 'button' }, 'Sign in');
  app.append(
    el('h1', {}, 'Sign in'),
    el('p', {}, el('strong', {}, app.dataset.client), ' wants you to sign in.'),
    error,
    el('label', { htmlFor: 'user-field' }, 'Email or username'), user,
    el('label', { htmlFor: 'pass-field' }, 'Password'), pass,
    el('div', { className: 'actions' }, button),
    el('p', { className: 'hint' }, 'This page is built by JavaScript and signs in through a JSON API.'));
  button.addEventListener('click', async () => {
    const answer = await fetch('login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: app.dataset.id, username: user.value, password: pass.value }),
    });
    const body = await answer.json();
    if (body.next) { location.assign(body.next); } else { error.textContent = body.error; }
  });
}, 300);
"#;

/// The consent form: POST to `consent` with `id` and a `decision` button (`approve` / `deny`).
pub(crate) fn consent(
    id: &str,
    client: &Client,
    user: &str,
    scopes: &[String],
    redirect_uri: &str,
) -> String {
    layout(
        "Allow access?",
        false,
        &format!(
            "<h1>Allow access?</h1>\n<p>Signed in as <strong>{user}</strong>.</p>\n\
             <p><strong>{name}</strong> (<code>{client_id}</code>) asks for:</p>\n{scopes}\n\
             <p class=\"hint\">If you allow, you will be sent back to <code>{redirect}</code>.</p>\n\
             <form method=\"post\" action=\"consent\">\n\
             <input type=\"hidden\" name=\"id\" value=\"{id}\">\n\
             <div class=\"actions\">\
             <button type=\"submit\" name=\"decision\" value=\"approve\">Allow</button>\
             <button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny</button>\
             </div>\n</form>",
            user = text(user),
            name = text(client.name),
            client_id = text(client.id),
            scopes = scope_list(scopes),
            redirect = text(redirect_uri),
            id = attr(id),
        ),
    )
}

/// The home page: what this provider is and how to use it.
pub(crate) fn home(issuer: &str, misbehaviours: &[&str], auto_approve: bool) -> String {
    let clients: String = CLIENTS
        .iter()
        .map(|c| {
            format!(
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>\n",
                text(c.id),
                text(c.secret.unwrap_or("—")),
                text(c.auth.method_name()),
                text(&c.grants.join(", ")),
            )
        })
        .collect();
    let redirects = registered_redirect_uris()
        .iter()
        .map(|r| format!("<code>{}</code>", text(r)))
        .collect::<Vec<_>>()
        .join(" and ");
    let endpoints: String = [
        ("Discovery", "/.well-known/openid-configuration"),
        ("Authorization", "/authorize"),
        ("Token", "/token"),
        ("UserInfo", "/userinfo"),
        ("Protected API", "/api/profile"),
        ("JWKS", "/jwks"),
        ("Revocation", "/revoke"),
        ("Introspection", "/introspect"),
    ]
    .iter()
    .map(|(name, path)| {
        format!(
            "<tr><td>{name}</td><td><code>{}{path}</code></td></tr>\n",
            text(issuer)
        )
    })
    .collect();
    let behaviour = if misbehaviours.is_empty() {
        "Strict: every rule is enforced.".to_owned()
    } else {
        format!(
            "Misbehaving on purpose: {}.",
            text(&misbehaviours.join(", "))
        )
    };
    layout(
        "Home",
        true,
        &format!(
            "<h1>Demo authorization server</h1>\n\
             <p>Issuer <code>{issuer}</code>. {behaviour}{auto}</p>\n\
             <p>Demo user: <code>{user}</code> / <code>{pass}</code>. \
             Redirect URIs (any port): {redirects}.</p>\n\
             <h2>Clients</h2>\n<table><tr><th>client_id</th><th>secret</th><th>authentication</th><th>grants</th></tr>\n{clients}</table>\n\
             <h2>Endpoints</h2>\n<table>{endpoints}</table>",
            issuer = text(issuer),
            auto = if auto_approve {
                " Login and consent are skipped (auto-approve)."
            } else {
                ""
            },
            user = text(DEMO_USERNAME),
            pass = text(DEMO_PASSWORD),
        ),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::demo::clients::find;

    #[test]
    fn everything_is_escaped() {
        let client = find(crate::demo::BASIC_CLIENT_ID).unwrap();
        let evil = r#""><script>alert(1)</script>"#;
        for page in [
            login(evil, client, Some(evil), evil),
            consent(evil, client, evil, &[evil.to_owned()], evil),
            error_page(evil, evil, evil),
            home(evil, &[evil], true),
        ] {
            assert!(!page.contains("<script>"), "{page}");
            assert!(!page.contains(r#"value="">"#), "{page}");
        }
    }
}
