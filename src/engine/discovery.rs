//! Fetches an issuer's metadata from its well-known locations, keeping every request and
//! answer so the user sees what discovery did like any other request.

use std::time::Duration;

use super::http::HttpClient;
use crate::protocol::discovery::{Metadata, metadata_urls, parse_metadata};
use crate::protocol::http::HttpRequest;
use crate::trace::Exchange;

/// A form's discovery waits this long for each answer (a run uses its own timeout).
pub const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(15);
/// A metadata document is small; anything near this is not one.
pub const METADATA_BODY_LIMIT: usize = 1024 * 1024;

/// What a discovery found, and the requests it took to find it (or not).
#[derive(Clone, Debug, PartialEq)]
pub struct Discovered {
    pub issuer: String,
    pub metadata: Result<Metadata, String>,
    pub exchanges: Vec<Exchange>,
}

/// Tries each well-known location in turn; the error lists what every location answered.
pub async fn discover(client: &HttpClient, issuer: &str) -> Discovered {
    let mut exchanges = Vec::new();
    let metadata = fetch(client, issuer, &mut exchanges).await;
    Discovered {
        issuer: issuer.to_owned(),
        metadata,
        exchanges,
    }
}

async fn fetch(
    client: &HttpClient,
    issuer: &str,
    exchanges: &mut Vec<Exchange>,
) -> Result<Metadata, String> {
    let mut tried = Vec::new();
    for url in metadata_urls(issuer)? {
        let mut req = HttpRequest::get(&url);
        req.headers.push("Accept", "application/json");
        let sent = client.send(&req).await;
        exchanges.push(Exchange {
            request: req,
            response: sent.as_ref().ok().cloned(),
            error: sent.as_ref().err().cloned(),
            screenshot: None,
        });
        let failure = match sent {
            Ok(resp) if resp.status == 404 => "404 Not Found".to_owned(),
            Ok(resp) => match parse_metadata(issuer, &resp) {
                Ok(meta) => return Ok(meta),
                // A document that exists but is wrong is the answer; do not hide it behind a fallback.
                Err(e) if resp.status == 200 => return Err(format!("{url}: {e}")),
                Err(e) => e,
            },
            Err(e) => e,
        };
        tried.push(format!("{url}: {failure}"));
    }
    Err(format!(
        "no metadata found for issuer {issuer}: {}",
        tried.join("; ")
    ))
}
