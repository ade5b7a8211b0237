//! Fetches an issuer's metadata from its well-known locations.

use super::http::HttpClient;
use crate::protocol::discovery::{Metadata, metadata_urls, parse_metadata};
use crate::protocol::http::HttpRequest;

/// Tries each well-known location in turn; the error lists what every location answered.
pub async fn discover(client: &HttpClient, issuer: &str) -> Result<Metadata, String> {
    let mut tried = Vec::new();
    for url in metadata_urls(issuer)? {
        let mut req = HttpRequest::get(&url);
        req.headers.push("Accept", "application/json");
        let failure = match client.send(&req).await {
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
