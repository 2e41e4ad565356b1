//! Session and link secrets: 256 random bits, stored only as SHA-256.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits from the OS, URL-safe base64.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored for a token: its SHA-256, hex.
pub fn token_key(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_only_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        // 32 bytes → 43 base64url characters: 256 bits.
        assert_eq!(a.len(), 43);
        assert_eq!(token_key(&a).len(), 64);
        assert_ne!(token_key(&a), a);
    }
}
