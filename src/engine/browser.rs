//! The scripted login in a real browser: a headless Chromium from the system, driven over the
//! DevTools protocol (chromiumoxide), with a fresh, throw-away profile for each run. It opens the
//! authorization URL, fills the login as a person would — the username and password fields found
//! by type, autocomplete hint and label, also in two steps and on pages a script builds after
//! load — presses the consent button asked for, and stops when the browser reaches the redirect
//! URI. Every page it went through is recorded like the HTTP agent's (URL, status, what the page
//! said) with a screenshot; where it cannot find its way it stops with both.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::page::{Page, ScreenshotParams};
use futures::StreamExt as _;

use super::scripted::Credentials;
use crate::protocol::http::{Headers, HttpRequest, HttpResponse};
use crate::trace::Exchange;

/// Pages a login may take before the agent gives up (the HTTP agent's limit too).
const MAX_PAGES: usize = 20;
/// How long one page may take to load, and a script-built form to appear on it.
const PAGE_TIMEOUT: Duration = Duration::from_secs(15);
const FORM_WAIT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(150);
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of a page's text is kept as its digest.
const DIGEST_CHARS: usize = 600;
/// The names a system Chromium goes by.
const EXECUTABLES: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// What the page script found to do on a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Move {
    Login,
    Identifier,
    Approve,
    Deny,
    Nothing,
}

/// Browses from `start` until the browser is at `redirect_uri`, for at most `wait`; returns that
/// URL and whether a password was typed (a provider that approves at once shows no login page).
/// Every page goes into `log`, also when it fails.
pub async fn browse(
    start: &str,
    redirect_uri: &str,
    credentials: &Credentials,
    wait: Duration,
    log: &mut Vec<Exchange>,
) -> Result<(String, bool), String> {
    let executable = find_chromium()?;
    let profile = Profile::new()?;
    let mut config = BrowserConfig::builder()
        .chrome_executable(&executable)
        .user_data_dir(&profile.0)
        .window_size(1024, 768)
        .launch_timeout(PAGE_TIMEOUT)
        .request_timeout(PAGE_TIMEOUT);
    // Chromium's sandbox refuses to start as root (containers, CI); elsewhere it stays on.
    if running_as_root() {
        config = config.no_sandbox();
    }
    let config = config.build()?;
    let (mut browser, mut handler) = Browser::launch(config)
        .await
        .map_err(|e| format!("{} did not start: {e}", executable.display()))?;
    let events = tokio::spawn(async move { while handler.next().await.is_some() {} });
    let result = tokio::time::timeout(wait, drive(&browser, start, redirect_uri, credentials, log))
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "the browser did not reach {redirect_uri} within {} s",
                wait.as_secs()
            ))
        });
    // A browser that does not close when asked is killed: the run never waits on it.
    let closed = tokio::time::timeout(CLOSE_TIMEOUT, async {
        let _ = browser.close().await;
        browser.wait().await
    })
    .await;
    if closed.is_err() {
        let _ = browser.kill().await;
    }
    events.abort();
    result
}

async fn drive(
    browser: &Browser,
    start: &str,
    redirect_uri: &str,
    credentials: &Credentials,
    log: &mut Vec<Exchange>,
) -> Result<(String, bool), String> {
    let target = url::Url::parse(redirect_uri).map_err(|e| format!("redirect URI: {e}"))?;
    let page = browser
        .new_page("about:blank")
        .await
        .map_err(|e| format!("Chromium opened no page: {e}"))?;
    let mut status = navigate(&page, start).await?;
    let mut typed_password = false;
    let (look, act) = (
        page_script(credentials, false),
        page_script(credentials, true),
    );
    for _ in 0..MAX_PAGES {
        let here = page.url().await.ok().flatten().unwrap_or_default();
        if at(&here, &target) {
            log.push(record(&page, &here, status, None).await);
            return Ok((here, typed_password));
        }
        // What the page shows, before the agent touches it.
        let found = find_move(&page, &look).await;
        let shown = digest(&page).await;
        let shot = screenshot(&page).await;
        log.push(record_with(&here, status, &shown, shot));
        match found {
            Move::Nothing => {
                return Err(format!(
                    "the browser found no login form and no consent button on {here} (a screenshot of it is kept in B); the page said: {shown}"
                ));
            }
            Move::Login => typed_password = true,
            Move::Identifier | Move::Approve | Move::Deny => {}
        }
        if run_script(&page, &act).await != found {
            return Err(format!(
                "the page at {here} changed before the browser could act on it"
            ));
        }
        if !moved_on(&page).await {
            return Err(format!(
                "nothing happened within {} s after the browser acted on {here}",
                PAGE_TIMEOUT.as_secs()
            ));
        }
        status = document_status(&page).await;
    }
    Err(format!(
        "the browser went through {MAX_PAGES} pages without reaching {redirect_uri}"
    ))
}

/// Opens `url`; the HTTP status of its document, when the browser says.
async fn navigate(page: &Page, url: &str) -> Result<Option<i64>, String> {
    match tokio::time::timeout(PAGE_TIMEOUT, page.goto(url)).await {
        Ok(Ok(_)) => Ok(document_status(page).await),
        Ok(Err(e)) => Err(format!("the browser could not open {url}: {e}")),
        Err(_) => Err(format!(
            "{url} did not load within {} s",
            PAGE_TIMEOUT.as_secs()
        )),
    }
}

/// Waits until the page the agent acted on has given way to another, fully loaded one. The
/// page script marks the window it acts in; a new document has no mark. (Waiting for a
/// navigation event instead would miss one that finished before the wait began.)
async fn moved_on(page: &Page) -> bool {
    let deadline = tokio::time::Instant::now() + PAGE_TIMEOUT;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(POLL).await;
        let loaded = tokio::time::timeout(PAGE_TIMEOUT, page.evaluate(NEW_DOCUMENT))
            .await
            .ok()
            .and_then(Result::ok)
            .and_then(|r| r.into_value::<bool>().ok());
        // While the old document goes away the evaluation fails: not there yet.
        if loaded == Some(true) {
            return true;
        }
    }
    false
}

/// The HTTP status the current document came with (the Navigation Timing API's).
async fn document_status(page: &Page) -> Option<i64> {
    tokio::time::timeout(PAGE_TIMEOUT, page.evaluate(DOCUMENT_STATUS))
        .await
        .ok()?
        .ok()?
        .into_value::<i64>()
        .ok()
        .filter(|s| *s > 0)
}

const NEW_DOCUMENT: &str =
    "typeof window.__oauthvizActed === 'undefined' && document.readyState === 'complete'";
const DOCUMENT_STATUS: &str =
    "(performance.getEntriesByType('navigation')[0] || {}).responseStatus || 0";

/// Asks the page what there is to do, waiting a little for a form a script builds after load.
async fn find_move(page: &Page, script: &str) -> Move {
    let deadline = tokio::time::Instant::now() + FORM_WAIT;
    loop {
        let found = run_script(page, script).await;
        if found != Move::Nothing || tokio::time::Instant::now() >= deadline {
            return found;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The page script with the credentials, looking only (`act` false) or doing what it found.
fn page_script(credentials: &Credentials, act: bool) -> String {
    let args = serde_json::json!({
        "username": credentials.username,
        "password": credentials.password,
        "deny": credentials.deny_consent,
        "act": act,
    });
    PAGE_SCRIPT.replace("__ARGS__", &args.to_string())
}

async fn run_script(page: &Page, script: &str) -> Move {
    tokio::time::timeout(PAGE_TIMEOUT, page.evaluate(script))
        .await
        .ok()
        .and_then(Result::ok)
        .and_then(|r| r.into_value::<Move>().ok())
        .unwrap_or(Move::Nothing)
}

/// The page's title and the start of its visible text, on one line.
async fn digest(page: &Page) -> String {
    let script = "(document.title + ' — ' + (document.body ? document.body.innerText : '')).replace(/\\s+/g, ' ').trim()";
    let text = tokio::time::timeout(PAGE_TIMEOUT, page.evaluate(script))
        .await
        .ok()
        .and_then(Result::ok)
        .and_then(|r| r.into_value::<String>().ok())
        .unwrap_or_default();
    text.chars().take(DIGEST_CHARS).collect()
}

/// The page as the browser shows it: a PNG (which the inspector decodes with the `png` crate
/// already in the tree), base64.
async fn screenshot(page: &Page) -> Option<String> {
    let params = ScreenshotParams::builder()
        .format(CaptureScreenshotFormat::Png)
        .build();
    let bytes = tokio::time::timeout(PAGE_TIMEOUT, page.screenshot(params))
        .await
        .ok()?
        .ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(bytes))
}

async fn record(page: &Page, url: &str, status: Option<i64>, shot: Option<String>) -> Exchange {
    record_with(url, status, &digest(page).await, shot)
}

/// A page as B keeps it: the URL the browser was at, the status of its document, what it said.
fn record_with(
    url: &str,
    status: Option<i64>,
    digest: &str,
    screenshot: Option<String>,
) -> Exchange {
    Exchange {
        request: HttpRequest::get(url),
        response: Some(HttpResponse {
            status: status.and_then(|s| u16::try_from(s).ok()).unwrap_or(200),
            headers: Headers::default(),
            body: digest.to_owned(),
        }),
        error: None,
        screenshot,
    }
}

/// Whether the browser is at the redirect URI (scheme, host, port and path; the query is the
/// answer).
fn at(here: &str, target: &url::Url) -> bool {
    url::Url::parse(here).is_ok_and(|u| {
        u.scheme() == target.scheme()
            && u.host_str() == target.host_str()
            && u.port_or_known_default() == target.port_or_known_default()
            && u.path() == target.path()
    })
}

/// The system's Chromium, or what to install.
fn find_chromium() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("CHROMIUM").map(PathBuf::from) {
        return Ok(path);
    }
    let paths = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&paths)
        .flat_map(|dir| EXECUTABLES.iter().map(move |name| dir.join(name)))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            "the browser user agent needs Chromium and none was found: install it (Debian, Ubuntu: `apt install chromium`; Fedora: `dnf install chromium`), or set CHROMIUM to its path".into()
        })
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            == Some("0")
    })
}

/// A throw-away browser profile, removed when the run is done: each run logs in afresh.
struct Profile(PathBuf);

impl Profile {
    fn new() -> Result<Profile, String> {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "oauthviz-chromium-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("could not make a browser profile in {}: {e}", dir.display()))?;
        Ok(Profile(dir))
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Run in the page: finds the login (password field, or a username field alone on the first of
/// two steps) or the consent button asked for, fills and presses it as a person would, and says
/// what it did. Fields are found by type, autocomplete hint, label, placeholder and name; values
/// are set through the input's own setter with input and change events, so script-built forms
/// (React and the like) see them.
const PAGE_SCRIPT: &str = r#"(() => {
  const args = __ARGS__;
  // Looking only: say what would be done, touch nothing.
  const acted = (move) => { if (move !== 'nothing') window.__oauthvizActed = true; return move; };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const fields = [...document.querySelectorAll('input')].filter(
    (i) => visible(i) && !i.disabled && !i.readOnly);
  const words = (i) => [
    ...(i.labels ? [...i.labels].map((l) => l.innerText) : []),
    i.getAttribute('aria-label') || '', i.placeholder || '', i.name || '', i.id || '',
  ].join(' ');
  const password = fields.find((i) => i.type === 'password');
  const user = fields.find((i) => ['text', 'email', 'tel', ''].includes(i.type) && (
    /username|email/.test(i.autocomplete || '') || i.type === 'email' ||
    /user|login|e-?mail|account|identifier/i.test(words(i))));
  const set = (el, value) => {
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value').set;
    setter.call(el, value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  };
  // What submits the field's form: its submit button, or the form itself.
  const submitter = (el) => {
    const form = el.form || el.closest('form');
    const scope = form || document;
    const button = [...scope.querySelectorAll('button, input[type=submit]')].find(
      (b) => visible(b) && !b.disabled && (b.type === 'submit' || b.tagName === 'BUTTON'));
    return button || form || null;
  };
  const submit = (el) => {
    const by = submitter(el);
    if (!by) return false;
    if (by.tagName === 'FORM') { by.requestSubmit ? by.requestSubmit() : by.submit(); }
    else { by.click(); }
    return true;
  };
  if (password) {
    if (!args.act) return submitter(password) ? 'login' : 'nothing';
    if (user && !user.value) set(user, args.username);
    set(password, args.password);
    return acted(submit(password) ? 'login' : 'nothing');
  }
  if (user) {
    if (!args.act) return submitter(user) ? 'identifier' : 'nothing';
    set(user, args.username);
    return acted(submit(user) ? 'identifier' : 'nothing');
  }
  const label = (b) => [b.innerText || '', b.value || '', b.name || '',
    b.getAttribute('aria-label') || ''].join(' ').trim();
  const wanted = args.deny
    ? /\b(deny|decline|reject|cancel|don.t allow|no thanks)\b/i
    : /\b(allow|approve|accept|authori[sz]e|consent|agree|grant|continue|yes)\b/i;
  const buttons = [...document.querySelectorAll(
    'button, input[type=submit], input[type=button], [role=button]')].filter(
    (b) => visible(b) && !b.disabled);
  const button = buttons.find((b) => wanted.test(label(b)));
  if (button) {
    if (args.act) { window.__oauthvizActed = true; button.click(); }
    return args.deny ? 'deny' : 'approve';
  }
  return 'nothing';
})()"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redirect_uri_is_recognised_by_its_origin_and_path() {
        let target =
            url::Url::parse("http://127.0.0.1:4567/callback").unwrap_or_else(|e| panic!("{e}"));
        assert!(at("http://127.0.0.1:4567/callback?code=x&state=y", &target));
        assert!(!at("http://127.0.0.1:4568/callback?code=x", &target));
        assert!(!at("http://127.0.0.1:4567/login", &target));
        assert!(!at("about:blank", &target));
    }
}
