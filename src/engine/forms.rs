//! Reads the HTML forms of a login or consent page, the way a person would see them: which
//! fields are there, which are hidden, which buttons submit what.

use scraper::{ElementRef, Html, Selector};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub name: String,
    /// `text`, `password`, `hidden`, `email`, `checkbox`, … (lower case; `text` when absent).
    pub kind: String,
    pub value: String,
    pub checked: bool,
    /// The `id` attribute, empty when absent.
    pub id: String,
    /// The `autocomplete` attribute (`username`, `email`, `off`, …), empty when absent.
    pub autocomplete: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Button {
    pub name: Option<String>,
    pub value: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    /// As written in the page; empty means "this page's URL".
    pub action: String,
    pub method: String,
    pub inputs: Vec<Input>,
    pub buttons: Vec<Button>,
}

impl Form {
    pub fn password_field(&self) -> Option<&Input> {
        self.inputs.iter().find(|i| i.kind == "password")
    }

    /// The field a person would type their user name into: one that says so (its name or id,
    /// `autocomplete="username"`/`"email"`, `type="email"`), or, next to a password field, the
    /// first text field. A lone text field that says nothing (a search box: `q`) is not one.
    pub fn username_field(&self) -> Option<&Input> {
        let typed = |i: &&Input| matches!(i.kind.as_str(), "text" | "email" | "tel");
        let says_so = |i: &&Input| {
            let autocomplete = i.autocomplete.to_ascii_lowercase();
            let words = format!("{} {}", i.name, i.id).to_ascii_lowercase();
            i.kind == "email"
                || autocomplete
                    .split_whitespace()
                    .any(|t| t == "username" || t == "email")
                || ["user", "login", "email", "identifier", "name", "account"]
                    .iter()
                    .any(|k| words.contains(k))
        };
        self.inputs.iter().filter(typed).find(says_so).or_else(|| {
            self.password_field()
                .and_then(|_| self.inputs.iter().find(typed))
        })
    }

    /// The form's one text field, when it has exactly one (whatever its name).
    pub fn lone_text_field(&self) -> Option<&Input> {
        let mut text = self
            .inputs
            .iter()
            .filter(|i| matches!(i.kind.as_str(), "text" | "email" | "tel"));
        match (text.next(), text.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    /// What the form submits with no button pressed: every successful control (HTML §4.10.21.4).
    pub fn default_fields(&self) -> Vec<(String, String)> {
        self.inputs
            .iter()
            .filter(|i| !i.name.is_empty())
            .filter(|i| !matches!(i.kind.as_str(), "checkbox" | "radio") || i.checked)
            .filter(|i| {
                !matches!(
                    i.kind.as_str(),
                    "submit" | "button" | "image" | "reset" | "file"
                )
            })
            .map(|i| (i.name.clone(), i.value.clone()))
            .collect()
    }

    /// The button that grants consent, if the form has one that says so (or is the only one).
    pub fn button_matching(&self, words: &[&str], avoid: &[&str]) -> Option<&Button> {
        let says = |b: &Button, list: &[&str]| {
            let hay = format!("{} {} {}", b.name.as_deref().unwrap_or(""), b.value, b.text)
                .to_ascii_lowercase();
            list.iter().any(|w| hay.contains(w))
        };
        self.buttons
            .iter()
            .find(|b| says(b, words) && !says(b, avoid))
            .or_else(|| {
                let neutral: Vec<_> = self.buttons.iter().filter(|b| !says(b, avoid)).collect();
                (neutral.len() == 1).then(|| neutral[0])
            })
    }
}

pub const APPROVE_WORDS: &[&str] = &[
    "approve",
    "allow",
    "accept",
    "authorize",
    "authorise",
    "consent",
    "grant",
    "yes",
    "continue",
    "confirm",
    "agree",
];
pub const DENY_WORDS: &[&str] = &[
    "deny",
    "reject",
    "cancel",
    "decline",
    "abort",
    "no thanks",
    "refuse",
];

fn selector(s: &str) -> Selector {
    // The selectors are constants of this module; a typo is caught by the unit tests.
    Selector::parse(s).unwrap_or_else(|e| panic!("bad selector {s}: {e}"))
}

/// Pages larger than this are not login pages; parsing them is work nobody asked for.
const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// Real login and consent pages nest a few dozen elements deep. The HTML parser's work grows
/// with the depth at every tag (40,000 nested elements took 12 s, beyond any timeout), so
/// deeper pages are refused before they are parsed.
const MAX_DEPTH: usize = 1000;

/// Elements that never hold others (void), or whose open one the parser closes when the next
/// begins (optional end tags): neither makes a page deeper.
const FLAT_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "option", "tr", "td", "th", "dt", "dd",
];

/// Why a page is not parsed at all: too large, or nested too deep (estimated by one pass over
/// its tags, without building the tree).
pub fn unreadable(html: &str) -> Option<String> {
    if html.len() > MAX_PAGE_BYTES {
        return Some(format!(
            "the page is {} bytes, more than a login page oauthviz reads ({MAX_PAGE_BYTES})",
            html.len()
        ));
    }
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let closing = rest.starts_with('/');
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() || FLAT_ELEMENTS.contains(&name.as_str()) {
            continue;
        }
        let end = rest.find('>').unwrap_or(rest.len());
        if closing {
            depth = depth.saturating_sub(1);
        } else if !rest[..end].ends_with('/') {
            depth += 1;
            deepest = deepest.max(depth);
            // Their text is not markup: skip to the end tag.
            if name == "script" || name == "style" {
                let close = format!("</{name}");
                rest = rest.find(&close).map_or("", |i| &rest[i..]);
            }
        }
    }
    (deepest > MAX_DEPTH).then(|| {
        format!(
            "the page nests its elements {deepest} deep, more than oauthviz reads ({MAX_DEPTH})"
        )
    })
}

/// The forms of a page the caller found [`unreadable`] is not.
pub fn parse_forms(html: &str) -> Vec<Form> {
    let doc = Html::parse_document(html);
    let form_sel = selector("form");
    let field_sel = selector("input, select, textarea, button");
    let option_sel = selector("option");
    doc.select(&form_sel)
        .map(|form| {
            let mut inputs = Vec::new();
            let mut buttons = Vec::new();
            for el in form.select(&field_sel) {
                let attr = |n: &str| el.value().attr(n).map(str::to_owned);
                let name = attr("name").unwrap_or_default();
                match el.value().name() {
                    "button" => {
                        let kind = attr("type")
                            .unwrap_or_else(|| "submit".into())
                            .to_ascii_lowercase();
                        if kind == "submit" {
                            buttons.push(Button {
                                name: attr("name"),
                                value: attr("value").unwrap_or_default(),
                                text: text_of(&el),
                            });
                        }
                    }
                    "select" => {
                        let options: Vec<_> = el.select(&option_sel).collect();
                        let chosen = options
                            .iter()
                            .find(|o| o.value().attr("selected").is_some())
                            .or(options.first());
                        inputs.push(Input {
                            id: attr("id").unwrap_or_default(),
                            autocomplete: attr("autocomplete").unwrap_or_default(),
                            name,
                            kind: "select".into(),
                            value: chosen
                                .map(|o| {
                                    o.value()
                                        .attr("value")
                                        .map(str::to_owned)
                                        .unwrap_or_else(|| text_of(o))
                                })
                                .unwrap_or_default(),
                            checked: false,
                        });
                    }
                    "textarea" => inputs.push(Input {
                        id: attr("id").unwrap_or_default(),
                        autocomplete: attr("autocomplete").unwrap_or_default(),
                        name,
                        kind: "textarea".into(),
                        value: text_of(&el),
                        checked: false,
                    }),
                    _ => {
                        let kind = attr("type")
                            .unwrap_or_else(|| "text".into())
                            .to_ascii_lowercase();
                        if kind == "submit" || kind == "image" {
                            buttons.push(Button {
                                name: attr("name"),
                                value: attr("value").unwrap_or_default(),
                                text: attr("value").unwrap_or_default(),
                            });
                            continue;
                        }
                        inputs.push(Input {
                            id: attr("id").unwrap_or_default(),
                            autocomplete: attr("autocomplete").unwrap_or_default(),
                            name,
                            value: attr("value").unwrap_or_else(|| {
                                if kind == "checkbox" {
                                    "on".into()
                                } else {
                                    String::new()
                                }
                            }),
                            checked: el.value().attr("checked").is_some(),
                            kind,
                        });
                    }
                }
            }
            Form {
                action: form.value().attr("action").unwrap_or_default().to_owned(),
                method: form
                    .value()
                    .attr("method")
                    .unwrap_or("get")
                    .to_ascii_uppercase(),
                inputs,
                buttons,
            }
        })
        .collect()
}

fn text_of(el: &ElementRef) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A short, readable account of a page for "stuck here" messages: title and the first words.
pub fn page_digest(html: &str) -> String {
    if let Some(why) = unreadable(html) {
        return why;
    }
    let doc = Html::parse_document(html);
    let title = doc
        .select(&selector("title"))
        .next()
        .map(|t| text_of(&t))
        .unwrap_or_default();
    let body = doc
        .select(&selector("body"))
        .next()
        .map(|b| text_of(&b))
        .unwrap_or_else(|| html.chars().take(300).collect());
    let snippet: String = body.chars().take(240).collect();
    if title.is_empty() {
        snippet
    } else {
        format!("\"{title}\": {snippet}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const LOGIN: &str = r#"<html><head><title>Sign in</title></head><body>
      <form action="/search" method="get"><input name="q"></form>
      <form method="post" action="login?x=1">
        <input type="hidden" name="csrf" value="t0k">
        <label>Email <input type="email" name="identifier"></label>
        <input type="password" name="pw">
        <input type="checkbox" name="remember">
        <input type="checkbox" name="terms" checked value="yes">
        <select name="lang"><option value="en">English</option><option value="de" selected>Deutsch</option></select>
        <button>Sign in</button>
      </form></body></html>"#;

    #[test]
    fn finds_fields_hidden_values_and_buttons() {
        let forms = parse_forms(LOGIN);
        assert_eq!(forms.len(), 2);
        let f = &forms[1];
        assert_eq!(f.action, "login?x=1");
        assert_eq!(f.method, "POST");
        assert_eq!(f.password_field().unwrap().name, "pw");
        assert_eq!(f.username_field().unwrap().name, "identifier");
        assert_eq!(
            f.default_fields(),
            vec![
                ("csrf".to_owned(), "t0k".to_owned()),
                ("identifier".to_owned(), String::new()),
                ("pw".to_owned(), String::new()),
                ("terms".to_owned(), "yes".to_owned()),
                ("lang".to_owned(), "de".to_owned()),
            ]
        );
        assert_eq!(f.buttons[0].text, "Sign in");
        assert_eq!(forms[0].method, "GET");
    }

    #[test]
    fn a_search_box_is_not_a_user_name_field() {
        let forms = parse_forms(LOGIN);
        // The page's search form: one text field called q, no password next to it.
        assert_eq!(forms[0].username_field(), None);
        assert_eq!(forms[1].username_field().unwrap().name, "identifier");
    }

    #[test]
    fn user_name_fields_are_known_by_name_id_autocomplete_or_a_password_next_to_them() {
        let field = |html: &str| {
            parse_forms(html)[0]
                .username_field()
                .map(|i| i.name.clone())
        };
        // Identifier-first pages: no password field, the field must say what it is.
        assert_eq!(
            field(r#"<form method=post><input name="q"><input name="loginfmt"></form>"#).as_deref(),
            Some("loginfmt")
        );
        assert_eq!(
            field(r#"<form method=post><input name="f1" autocomplete="username"></form>"#)
                .as_deref(),
            Some("f1")
        );
        assert_eq!(
            field(r#"<form method=post><input name="f2" id="user-id"></form>"#).as_deref(),
            Some("f2")
        );
        assert_eq!(
            field(r#"<form method=post><input type="email" name="f3"></form>"#).as_deref(),
            Some("f3")
        );
        assert_eq!(field(r#"<form><input name="query"></form>"#), None);
        // Next to a password field, the text field is the user name whatever it is called.
        assert_eq!(
            field(r#"<form method=post><input name="uid"><input type=password name=pw></form>"#)
                .as_deref(),
            Some("uid")
        );
    }

    #[test]
    fn picks_the_approve_button() {
        let forms = parse_forms(
            r#"<form method=post><input type=hidden name=id value=7>
            <button name="decision" value="deny">Deny</button>
            <button name="decision" value="approve">Allow access</button></form>"#,
        );
        let b = forms[0].button_matching(APPROVE_WORDS, DENY_WORDS).unwrap();
        assert_eq!(b.value, "approve");
        let d = forms[0].button_matching(DENY_WORDS, APPROVE_WORDS).unwrap();
        assert_eq!(d.value, "deny");
        let single = parse_forms(r#"<form method=post><input type=submit value="Go on"></form>"#);
        assert_eq!(
            single[0]
                .button_matching(APPROVE_WORDS, DENY_WORDS)
                .unwrap()
                .value,
            "Go on"
        );
    }

    #[test]
    fn a_page_nested_too_deep_is_refused_before_it_is_parsed() {
        let deep = format!(
            "{}<form><input name=q></form>{}",
            "<div>".repeat(40_000),
            "</div>".repeat(40_000)
        );
        assert_eq!(
            unreadable(&deep).as_deref(),
            Some("the page nests its elements 40001 deep, more than oauthviz reads (1000)")
        );
        assert_eq!(
            page_digest(&deep),
            "the page nests its elements 40001 deep, more than oauthviz reads (1000)"
        );
        // Many unclosed paragraphs and list items, comments and scripts are not depth.
        let flat = format!(
            "<html><body>{}<!-- <div><div> --><script>if (a<b) {{}}</script><form><input name=q></form></body></html>",
            "<p>x<li>y".repeat(5_000)
        );
        assert_eq!(unreadable(&flat), None);
        assert_eq!(parse_forms(&flat).len(), 1);
    }

    #[test]
    fn digest_names_the_page() {
        assert!(page_digest(LOGIN).starts_with("\"Sign in\""));
    }
}
