//! The password generator and the size limit of a stored item. Items
//! themselves are Bitwarden ciphers (`bitwarden::cipher`).

use crate::FieldError;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};

/// Days an item stays in the Trash before it is deleted for good (Bitwarden's 30).
pub const TRASH_DAYS: i64 = 30;

/// Largest encrypted item the server stores (bytes of its JSON).
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
