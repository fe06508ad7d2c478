//! The fingerprint phrase, computed exactly as Bitwarden does, so people who
//! know Bitwarden see what they expect:
//! PRK = SHA-256(public key SPKI DER); OKM = HKDF-Expand-SHA256(PRK, info =
//! user id as a lower-case hyphenated UUID, 32 bytes); read OKM as a big-endian
//! integer and take 5 words of the EFF long word list, least-significant
//! base-7776 digit first, joined with `-`.
//!
//! Word list: EFF's long word list for dice-generated passphrases,
//! © Electronic Frontier Foundation, CC BY 3.0 US (data/eff_large_wordlist.txt).

use hkdf::Hkdf;
use sha2::{Digest, Sha256};
#[cfg(not(target_arch = "wasm32"))]
use std::sync::OnceLock;
pub use uuid::Uuid;

/// SHA-256 of `data/eff_large_wordlist.txt`. The browser does not carry the
/// list in its bundle: it fetches the file when a phrase is first needed and
/// accepts it only if it hashes to this (see [`parse_list`]).
pub const WORDLIST_SHA256: &str = "6d557f0693958fb5e650b68b5bee585eb82cf4da32965505c789e924743bc522";
/// Where the server serves the list (`scripts/build-modules.sh` puts it there).
pub const WORDLIST_URL: &str = "/pkg/fingerprint/eff_large_wordlist.txt";
const WORDS_IN_LIST: usize = 7776;
const WORDS_IN_PHRASE: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WordListError {
    #[error("The fingerprint word list is damaged (it is not the EFF long word list). Reload the page and try again.")]
    Damaged,
}

/// The words of a fetched word list, if it is exactly the EFF long list.
pub fn parse_list(text: &str) -> Result<Vec<&str>, WordListError> {
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    if hex != WORDLIST_SHA256 {
        return Err(WordListError::Damaged);
    }
    let words: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if words.len() != WORDS_IN_LIST {
        return Err(WordListError::Damaged);
    }
    Ok(words)
}

/// The list compiled in (native builds: the server, the CLI, tests).
#[cfg(not(target_arch = "wasm32"))]
pub fn words() -> &'static [&'static str] {
    const WORDLIST: &str = include_str!("../data/eff_large_wordlist.txt");
    static W: OnceLock<Vec<&'static str>> = OnceLock::new();
    W.get_or_init(|| parse_list(WORDLIST).expect("the compiled-in list is the EFF list"))
}

/// The phrase with the compiled-in list (native builds).
#[cfg(not(target_arch = "wasm32"))]
pub fn phrase(user_id: Uuid, public_key_spki: &[u8]) -> String {
    phrase_with(words(), user_id, public_key_spki)
}

/// Divides a big-endian unsigned integer in place by `d`, returns the remainder.
fn div_rem(num: &mut [u8], d: u32) -> u32 {
    let mut rem: u32 = 0;
    for byte in num.iter_mut() {
        let cur = (rem << 8) | u32::from(*byte);
        *byte = (cur / d) as u8;
        rem = cur % d;
    }
    rem
}

/// The phrase of `user_id` and its public key, with `list` (from [`words`]
/// or [`parse_list`]).
pub fn phrase_with(list: &[&str], user_id: Uuid, public_key_spki: &[u8]) -> String {
    let prk = Sha256::digest(public_key_spki);
    let hk = Hkdf::<Sha256>::from_prk(&prk).expect("SHA-256 output is a valid PRK");
    let mut okm = [0u8; 32];
    let info = user_id.hyphenated().to_string().to_lowercase();
    hk.expand(info.as_bytes(), &mut okm).expect("32 bytes is a valid HKDF length");
    let n = list.len() as u32;
    let mut out = Vec::with_capacity(WORDS_IN_PHRASE);
    for _ in 0..WORDS_IN_PHRASE {
        out.push(list[div_rem(&mut okm, n) as usize]);
    }
    out.join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn word_list_is_the_eff_long_list() {
        assert_eq!(words().len(), 7776);
        assert_eq!(words()[0], "abacus");
        assert_eq!(words()[7775], "zoom");
    }

    #[test]
    fn only_the_eff_list_is_accepted() {
        let text = include_str!("../data/eff_large_wordlist.txt");
        assert_eq!(parse_list(text).unwrap().len(), 7776);
        // One word changed, one word dropped, a swap: all refused.
        assert_eq!(parse_list(&text.replacen("abacus", "abacas", 1)), Err(WordListError::Damaged));
        assert_eq!(parse_list(text.split_once('\n').unwrap().1), Err(WordListError::Damaged));
        assert_eq!(parse_list(""), Err(WordListError::Damaged));
        let id = Uuid::from_u128(42);
        let spki = [9u8; 32].to_vec();
        assert_eq!(phrase_with(&parse_list(text).unwrap(), id, &spki), phrase(id, &spki));
    }

    #[test]
    fn division_matches_u128_arithmetic() {
        let x: u128 = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210;
        let mut bytes = x.to_be_bytes();
        let r = div_rem(&mut bytes, 7776);
        assert_eq!(u128::from(r), x % 7776);
        assert_eq!(u128::from_be_bytes(bytes), x / 7776);
    }

    #[test]
    fn phrase_is_independent_reimplementation() {
        // Recompute with a different big-integer method: the five digits of a
        // 256-bit number in base 7776 via repeated u128 limbs.
        let id = Uuid::parse_str("a1b2c3d4-0000-4000-8000-00000000abcd").unwrap();
        let spki = [7u8; 32].to_vec();
        let prk = Sha256::digest(&spki);
        let hk = Hkdf::<Sha256>::from_prk(&prk).unwrap();
        let mut okm = [0u8; 32];
        hk.expand(b"a1b2c3d4-0000-4000-8000-00000000abcd", &mut okm).unwrap();
        let (mut hi, mut lo) = (u128::from_be_bytes(okm[..16].try_into().unwrap()), u128::from_be_bytes(okm[16..].try_into().unwrap()));
        let mut expect = vec![];
        for _ in 0..5 {
            // (hi·2^128 + lo) / 7776 using 64-bit halves
            let d = 7776u128;
            let q_hi = hi / d;
            let r_hi = hi % d;
            let lo_hi = (r_hi << 64) | (lo >> 64);
            let q_lh = lo_hi / d;
            let r_lh = lo_hi % d;
            let lo_lo = (r_lh << 64) | (lo & u128::from(u64::MAX));
            let q_ll = lo_lo / d;
            let r = lo_lo % d;
            hi = q_hi;
            lo = (q_lh << 64) | q_ll;
            expect.push(words()[r as usize]);
        }
        assert_eq!(phrase(id, &spki), expect.join("-"));
    }

    proptest! {
        #[test]
        fn five_words_and_deterministic(bytes in proptest::array::uniform32(any::<u8>()), id in any::<u128>()) {
            let uid = Uuid::from_u128(id);
            let spki = bytes.to_vec();
            let p = phrase(uid, &spki);
            // Five words; a few EFF words carry a hyphen themselves ("yo-yo").
            let parts = p.split('-').count();
            prop_assert!((5..=10).contains(&parts), "{}", p);
            prop_assert!(p.split('-').all(|w| !w.is_empty()));
            prop_assert_eq!(p.clone(), phrase(uid, &spki));
            prop_assert_ne!(p, phrase(Uuid::from_u128(id.wrapping_add(1)), &spki));
        }
    }
}
