//! Edits to a recorded request, as a user makes them before sending it again. Parameters live in
//! the query of a GET and in the form body of a form POST; an edit goes wherever the request
//! keeps them, so "set code_verifier" means the same thing in the GUI, the CLI and experiments.

use super::http::{FORM_CONTENT_TYPE, HttpRequest};
use super::params::Params;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Sets a parameter (replacing the first of that name), or adds it.
    SetParam(String, String),
    RemoveParam(String),
    SetHeader(String, String),
    RemoveHeader(String),
    SetMethod(String),
    SetUrl(String),
    SetBody(String),
    /// Moves a `Bearer` token from the Authorization header to the `access_token` query
    /// parameter (RFC 6750 §2.3), the way careless clients send it.
    BearerToQuery,
}

impl Edit {
    /// Parses the command-line form: `name=value`, `-name`, `header:Name=value`, `-header:Name`,
    /// `@method=POST`, `@url=…`, `@body=…`, `@bearer-to-query`.
    pub fn parse(spec: &str) -> Result<Edit, String> {
        if spec == "@bearer-to-query" {
            return Ok(Edit::BearerToQuery);
        }
        let bad = || {
            format!(
                "'{spec}' is not an edit: use name=value, -name, header:Name=value, -header:Name, @method=M, @url=U or @body=B"
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
        }
    }
    Ok(())
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
}
