#![no_main]
//! Bearer tokens from links and cookies: only canonical 43-character forms.
use domain::token::{TOKEN_LEN, Token};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(t) = Token::parse(s) {
        assert_eq!(s.len(), TOKEN_LEN);
        assert_eq!(t.encode(), s, "one text form per token");
        assert_eq!(t.storage_hash().len(), 64);
        assert!(s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }
});
