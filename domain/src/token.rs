//! Bearer tokens: the invitation link's `token` and the session cookie.
//! 256 random bits written as 43 characters of unpadded base64url; the server
//! keeps only the SHA-256 of that text, so a database dump holds no usable token.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Length of a token's text form.
pub const TOKEN_LEN: usize = 43;

#[derive(Clone, PartialEq, Eq)]
pub struct Token([u8; 32]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("The link is incomplete: a token has 43 characters.")]
    Length,
    #[error("The link is damaged: the token holds characters a token never has.")]
    Alphabet,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    pub fn generate() -> Self {
        use rand_core::RngCore;
        let mut b = [0u8; 32];
        rand_core::OsRng.fill_bytes(&mut b);
        Token(b)
    }

    pub fn from_bytes(b: [u8; 32]) -> Self {
        Token(b)
    }

    /// Reads the text form as it arrives in a link or a cookie. Only the
    /// canonical encoding of 32 bytes is accepted, so every token has exactly
    /// one text form (and one stored hash).
    pub fn parse(s: &str) -> Result<Self, TokenError> {
        if s.len() != TOKEN_LEN {
            return Err(TokenError::Length);
        }
        let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| TokenError::Alphabet)?;
        let b: [u8; 32] = raw.try_into().map_err(|_| TokenError::Length)?;
        let t = Token(b);
        // The last character carries 4 unused bits; they must be zero.
        if t.encode() != s {
            return Err(TokenError::Alphabet);
        }
        Ok(t)
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// What the database stores: SHA-256 of the text form, in lower-case hex.
    pub fn storage_hash(&self) -> String {
        Sha256::digest(self.encode().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_tokens_round_trip_and_differ() {
        let a = Token::generate();
        let b = Token::generate();
        assert_ne!(a, b);
        let text = a.encode();
        assert_eq!(text.len(), TOKEN_LEN);
        assert_eq!(Token::parse(&text).unwrap(), a);
        assert_eq!(a.storage_hash().len(), 64);
        assert_ne!(a.storage_hash(), b.storage_hash());
    }

    #[test]
    fn malformed_tokens_are_refused_with_reasons() {
        let good = Token::from_bytes([7; 32]).encode();
        assert_eq!(Token::parse(""), Err(TokenError::Length));
        assert_eq!(Token::parse(&good[..42]), Err(TokenError::Length));
        assert_eq!(Token::parse(&format!("{good}A")), Err(TokenError::Length));
        assert_eq!(Token::parse(&format!("{}+", &good[..42])), Err(TokenError::Alphabet));
        assert_eq!(Token::parse(&format!("{}=", &good[..42])), Err(TokenError::Alphabet));
        // A non-canonical last character (unused low bits set) is a different text for the same bytes.
        let mut chars: Vec<char> = good.chars().collect();
        let last = chars[42];
        let idx = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".find(last).unwrap();
        chars[42] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".chars().nth(idx | 1).unwrap();
        let odd: String = chars.into_iter().collect();
        assert_ne!(odd, good);
        assert!(Token::parse(&odd).is_err());
    }

    #[test]
    fn storage_hash_is_sha256_of_the_text() {
        // SHA-256("AAAA…A" (43 × 'A')) — all-zero bytes encode to 43 'A's.
        let t = Token::from_bytes([0; 32]);
        assert_eq!(t.encode(), "A".repeat(43));
        let expected: String = Sha256::digest("A".repeat(43).as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(t.storage_hash(), expected);
    }

    proptest! {
        #[test]
        fn parse_accepts_exactly_the_encodings(bytes in proptest::array::uniform32(any::<u8>()), s in "\\PC{0,50}") {
            let t = Token::from_bytes(bytes);
            prop_assert_eq!(Token::parse(&t.encode()).unwrap(), t);
            if let Ok(p) = Token::parse(&s) {
                prop_assert_eq!(p.encode(), s);
            }
        }
    }
}
