//! Unguessable values: state, nonce, PKCE verifiers, codes and tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng as _;

/// `bytes` bytes from the operating system's CSPRNG, base64url without padding
/// (43 characters for 32 bytes: the RFC 7636 §4.1 recommendation for a verifier).
pub fn token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A fresh `state` value (RFC 6749 §10.12: binds the callback to this browser session).
pub fn state() -> String {
    token(24)
}

/// A fresh OpenID Connect `nonce` (binds the id_token to this request).
pub fn nonce() -> String {
    token(24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_url_safe_and_distinct() {
        let a = token(32);
        let b = token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
