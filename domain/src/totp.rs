//! One-time codes from an item's authenticator key (RFC 6238 TOTP), as
//! Bitwarden's apps show them: a bare base32 key (30 s, 6 digits, SHA-1), an
//! `otpauth://totp/…` link with its algorithm, digits and period, or a
//! `steam://` key (five characters of Steam's alphabet).

use hmac::{Hmac, Mac};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Sha1,
    Sha256,
    Sha512,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totp {
    secret: Vec<u8>,
    pub algorithm: Algorithm,
    pub digits: u32,
    pub period: u64,
    pub steam: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("the key is not base32")]
    Base32,
    #[error("the link's {0} cannot be used")]
    Parameter(&'static str),
    #[error("the key is empty")]
    Empty,
}

fn base32(s: &str) -> Result<Vec<u8>, TotpError> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace() && *c != '-' && *c != '=').map(|c| c.to_ascii_uppercase()).collect();
    if clean.is_empty() {
        return Err(TotpError::Empty);
    }
    // Unpadded base32 of any length (authenticator keys often are not a multiple of 8).
    let mut spec = data_encoding::Specification::new();
    spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    spec.check_trailing_bits = false;
    let enc = spec.encoding().map_err(|_| TotpError::Base32)?;
    enc.decode(clean.as_bytes()).map_err(|_| TotpError::Base32)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Totp {
    pub fn parse(key: &str) -> Result<Totp, TotpError> {
        let key = key.trim();
        let mut t = Totp { secret: vec![], algorithm: Algorithm::Sha1, digits: 6, period: 30, steam: false };
        if let Some(rest) = key.strip_prefix("steam://") {
            t.secret = base32(rest)?;
            t.steam = true;
            t.digits = 5;
            return Ok(t);
        }
        if key.get(..10).is_some_and(|p| p.eq_ignore_ascii_case("otpauth://")) {
            let query = key.split_once('?').map(|(_, q)| q).unwrap_or("");
            let mut secret = None;
            for pair in query.split('&') {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let v = percent_decode(v);
                match k.to_ascii_lowercase().as_str() {
                    "secret" => secret = Some(base32(&v)?),
                    "digits" => t.digits = v.parse().ok().filter(|d| (1..=10).contains(d)).ok_or(TotpError::Parameter("digits"))?,
                    "period" => t.period = v.parse().ok().filter(|p| (1..=86_400).contains(p)).ok_or(TotpError::Parameter("period"))?,
                    "algorithm" => {
                        t.algorithm = match v.to_ascii_uppercase().as_str() {
                            "SHA1" => Algorithm::Sha1,
                            "SHA256" => Algorithm::Sha256,
                            "SHA512" => Algorithm::Sha512,
                            _ => return Err(TotpError::Parameter("algorithm")),
                        }
                    }
                    _ => {}
                }
            }
            t.secret = secret.ok_or(TotpError::Empty)?;
            return Ok(t);
        }
        t.secret = base32(key)?;
        Ok(t)
    }

    fn hmac(&self, counter: u64) -> Vec<u8> {
        let msg = counter.to_be_bytes();
        macro_rules! run {
            ($h:ty) => {{
                let mut m = <Hmac<$h>>::new_from_slice(&self.secret).expect("HMAC takes any key length");
                m.update(&msg);
                m.finalize().into_bytes().to_vec()
            }};
        }
        match self.algorithm {
            Algorithm::Sha1 => run!(sha1::Sha1),
            Algorithm::Sha256 => run!(sha2::Sha256),
            Algorithm::Sha512 => run!(sha2::Sha512),
        }
    }

    /// The code for a moment (unix seconds).
    pub fn code_at(&self, unix_secs: u64) -> String {
        let h = self.hmac(unix_secs / self.period);
        let off = usize::from(h[h.len() - 1] & 0x0f);
        let bin = u32::from_be_bytes([h[off] & 0x7f, h[off + 1], h[off + 2], h[off + 3]]);
        if self.steam {
            const STEAM: &[u8] = b"23456789BCDFGHJKMNPQRTVWXY";
            let mut n = bin as usize;
            return (0..5)
                .map(|_| {
                    let c = STEAM[n % STEAM.len()] as char;
                    n /= STEAM.len();
                    c
                })
                .collect();
        }
        let code = u64::from(bin) % 10u64.pow(self.digits);
        format!("{code:0width$}", width = self.digits as usize)
    }

    /// Seconds until the code changes.
    pub fn remaining(&self, unix_secs: u64) -> u64 {
        self.period - unix_secs % self.period
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B: the ASCII seeds "12345678901234567890" (SHA-1),
    // 32 bytes (SHA-256) and 64 bytes (SHA-512), 8 digits, 30 s.
    fn rfc(alg: &str, seed: &str) -> Totp {
        let b32 = data_encoding::BASE32_NOPAD.encode(seed.as_bytes());
        Totp::parse(&format!("otpauth://totp/RFC:test?secret={b32}&algorithm={alg}&digits=8&period=30")).unwrap()
    }

    #[test]
    fn rfc_6238_vectors() {
        let s1 = rfc("SHA1", "12345678901234567890");
        let s256 = rfc("SHA256", "12345678901234567890123456789012");
        let s512 = rfc("SHA512", "1234567890123456789012345678901234567890123456789012345678901234");
        for (t, a, b, c) in [
            (59, "94287082", "46119246", "90693936"),
            (1111111109, "07081804", "68084774", "25091201"),
            (1111111111, "14050471", "67062674", "99943326"),
            (1234567890, "89005924", "91819424", "93441116"),
            (2000000000, "69279037", "90698825", "38618901"),
            (20000000000, "65353130", "77737706", "47863826"),
        ] {
            assert_eq!((s1.code_at(t).as_str(), s256.code_at(t).as_str(), s512.code_at(t).as_str()), (a, b, c), "t={t}");
        }
    }

    #[test]
    fn bare_keys_and_links() {
        let t = Totp::parse("jbsw y3dp ehpk 3pxp").unwrap();
        assert_eq!((t.digits, t.period, t.algorithm), (6, 30, Algorithm::Sha1));
        assert_eq!(t.code_at(59).len(), 6);
        assert_eq!(t.remaining(59), 1);
        assert_eq!(Totp::parse("JBSWY3DPEHPK3PXP").unwrap().code_at(1000), t.code_at(1000));
        assert!(Totp::parse("not base32!").is_err());
        assert!(Totp::parse("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=99").is_err());
        assert!(Totp::parse("otpauth://totp/x?issuer=a").is_err());
        // Found by the fuzzer: a multi-byte character across byte 10.
        assert!(Totp::parse("enery,P:P\u{51e}lg0").is_err());
        let steam = Totp::parse("steam://JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(steam.code_at(1000).len(), 5);
        assert!(steam.code_at(1000).chars().all(|c| "23456789BCDFGHJKMNPQRTVWXY".contains(c)));
    }
}
