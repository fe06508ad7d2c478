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

/// A passphrase: words of the EFF large list (7,776 words, ~12.9 bits each)
/// joined by a separator, as Bitwarden's generator makes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassphraseOptions {
    /// 3 to 20 words.
    pub words: usize,
    pub separator: String,
    /// Each word starts with a capital letter.
    pub capitalize: bool,
    /// One word, chosen at random, ends with a digit.
    pub include_number: bool,
}

impl Default for PassphraseOptions {
    fn default() -> Self {
        // Six words: ~77 bits, beyond what an offline attack on the portal's
        // Argon2id-protected hashes could try.
        PassphraseOptions { words: 6, separator: "-".into(), capitalize: false, include_number: false }
    }
}

pub fn generate_passphrase_with(rng: &mut impl RngCore, list: &[&str], opts: &PassphraseOptions) -> Result<String, FieldError> {
    if !(3..=20).contains(&opts.words) {
        return Err(FieldError::new("generator", "A passphrase has between 3 and 20 words."));
    }
    if list.len() < 1_000 || opts.separator.chars().count() > 1 {
        return Err(FieldError::new("generator", "The word list or the separator is not usable."));
    }
    let numbered = if opts.include_number { Some(below(rng, opts.words)) } else { None };
    let words: Vec<String> = (0..opts.words)
        .map(|i| {
            let w = list[below(rng, list.len())];
            let mut w = if opts.capitalize {
                let mut c = w.chars();
                c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
            } else {
                w.to_string()
            };
            if numbered == Some(i) {
                w.push(char::from(b'0' + below(rng, 10) as u8));
            }
            w
        })
        .collect();
    Ok(words.join(&opts.separator))
}

pub fn generate_passphrase(list: &[&str], opts: &PassphraseOptions) -> Result<String, FieldError> {
    generate_passphrase_with(&mut OsRng, list, opts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn passphrases_are_words_of_the_list() {
        let list = crate::fingerprint::words();
        let p = generate_passphrase(list, &PassphraseOptions::default()).unwrap();
        let parts: Vec<&str> = p.split('-').collect();
        // Some EFF words hold a hyphen themselves ("t-shirt"), so count with a separator that none holds.
        let spaced = generate_passphrase(list, &PassphraseOptions { separator: " ".into(), ..Default::default() }).unwrap();
        assert_eq!(spaced.split(' ').count(), 6);
        assert!(spaced.split(' ').all(|w| list.contains(&w)), "{spaced}");
        assert!(parts.len() >= 6, "{p}");
        let fancy = generate_passphrase(list, &PassphraseOptions { words: 3, separator: ".".into(), capitalize: true, include_number: true }).unwrap();
        let words: Vec<&str> = fancy.split('.').collect();
        assert_eq!(words.len(), 3);
        assert!(words.iter().all(|w| w.starts_with(|c: char| c.is_uppercase())), "{fancy}");
        assert_eq!(words.iter().filter(|w| w.ends_with(|c: char| c.is_ascii_digit())).count(), 1, "{fancy}");
        assert_ne!(generate_passphrase(list, &PassphraseOptions::default()).unwrap(), p, "random each time");
        for words in [2, 21] {
            assert!(generate_passphrase(list, &PassphraseOptions { words, ..Default::default() }).is_err());
        }
        assert!(generate_passphrase(&list[..10], &PassphraseOptions::default()).is_err(), "not from a short list");
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
