//! Vault items as the browser sees them before encryption, and the password
//! generator. The server only ever stores the encrypted form.

use crate::FieldError;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ItemKind {
    #[default]
    Login,
    SecureNote,
}

impl ItemKind {
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Login => "Login",
            ItemKind::SecureNote => "Secure note",
        }
    }
}

/// The plaintext of one item; serialised to JSON and encrypted with the user key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct ItemData {
    pub kind: ItemKind,
    pub name: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub uris: Vec<String>,
    #[serde(default)]
    pub notes: String,
}

impl ItemData {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errs = vec![];
        if self.name.trim().is_empty() {
            errs.push(FieldError::new("name", "Name is required."));
        }
        if self.name.chars().count() > 200 {
            errs.push(FieldError::new("name", "Name can be at most 200 characters."));
        }
        if self.notes.chars().count() > 10_000 {
            errs.push(FieldError::new("notes", "Notes can be at most 10,000 characters."));
        }
        errs
    }

    /// Case-insensitive match on name, username and URIs (for the search box).
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        q.is_empty()
            || self.name.to_lowercase().contains(&q)
            || self.username.to_lowercase().contains(&q)
            || self.uris.iter().any(|u| u.to_lowercase().contains(&q))
    }
}

/// Largest encrypted item the server stores (bytes of ciphertext text).
pub const MAX_ITEM_CIPHERTEXT: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratorOptions {
    pub length: usize,
    pub uppercase: bool,
    pub lowercase: bool,
    pub digits: bool,
    pub symbols: bool,
}

impl Default for GeneratorOptions {
    fn default() -> Self {
        GeneratorOptions { length: 20, uppercase: true, lowercase: true, digits: true, symbols: true }
    }
}

const UPPER: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &str = "abcdefghijkmnopqrstuvwxyz";
const DIGITS: &str = "23456789";
const SYMBOLS: &str = "!@#$%^&*-_=+?";

/// Unbiased index below `n` from a random source.
fn below(rng: &mut impl RngCore, n: usize) -> usize {
    let n = n as u32;
    let zone = u32::MAX - (u32::MAX % n);
    loop {
        let v = rng.next_u32();
        if v < zone {
            return (v % n) as usize;
        }
    }
}

/// A random password with at least one character of every chosen class.
pub fn generate_password_with(rng: &mut impl RngCore, opts: GeneratorOptions) -> Result<String, FieldError> {
    let sets: Vec<&[u8]> = [(opts.uppercase, UPPER), (opts.lowercase, LOWER), (opts.digits, DIGITS), (opts.symbols, SYMBOLS)]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, s)| s.as_bytes())
        .collect();
    if sets.is_empty() {
        return Err(FieldError::new("generator", "Choose at least one kind of character."));
    }
    if opts.length < 5.max(sets.len()) || opts.length > 128 {
        return Err(FieldError::new("generator", "Length must be between 5 and 128."));
    }
    let all: Vec<u8> = sets.concat();
    let mut out: Vec<u8> = sets.iter().map(|s| s[below(rng, s.len())]).collect();
    while out.len() < opts.length {
        out.push(all[below(rng, all.len())]);
    }
    // Fisher–Yates so the guaranteed characters are not at the front.
    for i in (1..out.len()).rev() {
        out.swap(i, below(rng, i + 1));
    }
    Ok(String::from_utf8(out).expect("ASCII alphabet"))
}

pub fn generate_password(opts: GeneratorOptions) -> Result<String, FieldError> {
    generate_password_with(&mut OsRng, opts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn validation_and_search() {
        let mut item = ItemData { name: "GitHub".into(), username: "ann".into(), uris: vec!["https://github.com".into()], ..Default::default() };
        assert!(item.validate().is_empty());
        assert!(item.matches("git") && item.matches("ANN") && item.matches("") && !item.matches("gitlab"));
        item.name = " ".into();
        assert_eq!(item.validate()[0].field, "name");
    }

    #[test]
    fn generator_rejects_impossible_options() {
        assert!(generate_password(GeneratorOptions { uppercase: false, lowercase: false, digits: false, symbols: false, length: 10 }).is_err());
        assert!(generate_password(GeneratorOptions { length: 4, ..Default::default() }).is_err());
        assert!(generate_password(GeneratorOptions { length: 129, ..Default::default() }).is_err());
    }

    proptest! {
        #[test]
        fn generator_honours_options(len in 5usize..64, u: bool, l: bool, d: bool, s: bool) {
            prop_assume!(u || l || d || s);
            let opts = GeneratorOptions { length: len, uppercase: u, lowercase: l, digits: d, symbols: s };
            let p = generate_password(opts).unwrap();
            prop_assert_eq!(p.len(), len);
            prop_assert_eq!(p.chars().any(|c| UPPER.contains(c)), u);
            prop_assert_eq!(p.chars().any(|c| LOWER.contains(c)), l);
            prop_assert_eq!(p.chars().any(|c| DIGITS.contains(c)), d);
            prop_assert_eq!(p.chars().any(|c| SYMBOLS.contains(c)), s);
        }
    }
}
