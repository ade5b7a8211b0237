//! curl: the exact requests as commands an engineer can paste into a shell — one ("Copy as
//! curl") or every request of a run, in order, as a script.

use crate::protocol::http::HttpRequest;
use crate::workbench::RunRecord;

/// Every request of the run as a commented, runnable curl command, in the order they were sent.
/// The script stops at nothing: codes are single-use and tokens expire, so replaying it shows
/// how the provider answers now.
pub fn render(record: &RunRecord, scope: super::Scope) -> String {
    let what = match scope {
        super::Scope::Run => "every request of a run".to_owned(),
        super::Scope::Step(step, _) => format!("step {} of a run", step.letter()),
    };
    let mut out = format!(
        "#!/bin/sh\n# oauthviz: {what} against {}, in the order it was sent.\n",
        one_line(&record.provider.name)
    );
    for s in super::exchanges_in(record, scope) {
        let status = match (s.response, s.error) {
            (Some(r), _) => format!("answered {}", r.status_line()),
            (None, Some(e)) => format!("no answer: {}", one_line(e)),
            (None, None) => "answered in the browser".into(),
        };
        out.push_str(&format!(
            "\n# {} ({}, attempt {}): {}\n{}\n",
            s.label(),
            super::take_words(s.take),
            s.attempt + 1,
            status,
            to_curl(s.request)
        ));
    }
    out
}

/// Text for a `#` comment: one line.
fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// A `curl` command that sends `req` byte for byte: same method, URL, headers and body, every
/// argument single-quoted so the shell expands nothing. `-i` prints the response headers, which
/// is what one is usually after when reproducing a misbehaving provider.
pub fn to_curl(req: &HttpRequest) -> String {
    let implied = if req.body.is_empty() { "GET" } else { "POST" };
    let method = if req.method == implied {
        String::new()
    } else {
        format!(" -X {}", quote(&req.method))
    };
    let mut lines = vec![format!("curl -i{method} {}", quote(&req.url))];
    for h in req.headers.iter() {
        lines.push(format!("-H {}", quote(&format!("{}: {}", h.name, h.value))));
    }
    if !req.body.is_empty() {
        // --data-raw: a body starting with '@' is sent as is, not read from a file.
        lines.push(format!("--data-raw {}", quote(&req.body)));
    }
    lines.join(" \\\n  ")
}

/// POSIX shell single quoting: inside '…' nothing is special except the quote itself, which is
/// closed, escaped and reopened.
fn quote(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::protocol::params::Params;

    #[test]
    fn get_needs_no_method_flag() {
        let req = HttpRequest::get("https://as.example/authorize?response_type=code&state=a%20b");
        assert_eq!(
            to_curl(&req),
            "curl -i 'https://as.example/authorize?response_type=code&state=a%20b'"
        );
    }

    #[test]
    fn form_post_keeps_headers_and_body() {
        let mut req = HttpRequest::post_form(
            "http://127.0.0.1:9000/token",
            &Params::from([("grant_type", "authorization_code"), ("code", "c0de")]),
        );
        req.headers.push("Authorization", "Basic YXBwOnB3");
        let cmd = to_curl(&req);
        assert_eq!(
            cmd,
            [
                "curl -i 'http://127.0.0.1:9000/token'",
                "-H 'Content-Type: application/x-www-form-urlencoded'",
                "-H 'Authorization: Basic YXBwOnB3'",
                "--data-raw 'grant_type=authorization_code&code=c0de'",
            ]
            .join(" \\\n  ")
        );
    }

    #[test]
    fn unusual_methods_are_explicit() {
        let mut req = HttpRequest::get("https://rs.example/item");
        req.method = "DELETE".into();
        assert!(to_curl(&req).starts_with("curl -i -X 'DELETE' 'https://rs.example/item'"));
        req.method = "POST".into();
        assert!(
            to_curl(&req).contains("-X 'POST'"),
            "POST without a body must say so"
        );
    }

    #[test]
    fn quotes_survive_the_shell() {
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$HOME `x` \"y\" \\"), "'$HOME `x` \"y\" \\'");
        let mut req = HttpRequest::get("https://x/");
        req.body = "@/etc/passwd".into();
        req.method = "POST".into();
        assert!(to_curl(&req).ends_with("--data-raw '@/etc/passwd'"));
    }

    /// The real proof: a POSIX shell splits the command back into exactly the request's parts.
    #[test]
    fn shell_parses_the_command_back_into_the_request() {
        let mut req = HttpRequest::post_form(
            "http://127.0.0.1:1/token?x='y'",
            &Params::from([("code", "a'b c$(whoami)"), ("v", "line\nbreak")]),
        );
        req.headers.push("X-Quote", "it's \"fine\"");
        let script = format!(
            "curl() {{ for a in \"$@\"; do printf '%s\\0' \"$a\"; done; }}\n{}",
            to_curl(&req)
        );
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .output()
            .unwrap();
        let args: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .split_terminator('\0')
            .map(str::to_owned)
            .collect();
        assert_eq!(
            args,
            [
                "-i",
                "http://127.0.0.1:1/token?x='y'",
                "-H",
                "Content-Type: application/x-www-form-urlencoded",
                "-H",
                "X-Quote: it's \"fine\"",
                "--data-raw",
                &req.body,
            ]
        );
    }
}
