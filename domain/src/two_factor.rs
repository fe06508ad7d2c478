//! Two-step login rules: authenticator keys and codes (RFC 6238: SHA-1,
//! 6 digits, 30 seconds, as every authenticator app reads them), the
//! recovery code, and how long a device is remembered. Pure, no IO.

use crate::totp::Totp;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// Seconds per code.
pub const PERIOD: i64 = 30;
/// Codes one step either side of the server's clock are taken (a phone's clock drifts).
pub const DRIFT_STEPS: i64 = 1;
/// "Remember me": the browser or app skips the code for this long.
pub const REMEMBER_SECS: i64 = 30 * 24 * 3600;
/// The issuer an authenticator app shows beside the account.
pub const ISSUER: &str = "Provider Portal";

const BASE32: data_encoding::Encoding = data_encoding::BASE32_NOPAD;

/// A new authenticator key: 160 random bits (RFC 4226's recommended size), base32.
pub fn new_authenticator_key() -> String {
    let mut key = [0u8; 20];
    OsRng.fill_bytes(&mut key);
    BASE32.encode(&key)
}

fn uri_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `otpauth://` link an authenticator app reads from the QR code.
pub fn otpauth_uri(account: &str, key: &str) -> String {
    format!("otpauth://totp/{}:{}?secret={key}&issuer={}&algorithm=SHA1&digits=6&period={PERIOD}", uri_escape(ISSUER), uri_escape(account), uri_escape(ISSUER))
}

/// The code as typed: spaces and dashes dropped; six digits, or None.
pub fn clean_code(code: &str) -> Option<String> {
    let c: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    (c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())).then_some(c)
}

/// The 30-second step a code belongs to, if it is right for `now` (give or
/// take [`DRIFT_STEPS`]) and newer than `spent` (each code works once).
pub fn check_code(key: &str, code: &str, now: i64, spent: i64) -> Option<i64> {
    let code = clean_code(code)?;
    let totp = Totp::parse(key).ok()?;
    let step = now.div_euclid(PERIOD);
    (step - DRIFT_STEPS..=step + DRIFT_STEPS).filter(|s| *s > spent && *s >= 0).find(|s| {
        let expected = totp.code_at((*s * PERIOD) as u64);
        // Compared whole, not stopping at the first difference.
        expected.bytes().zip(code.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    })
}

/// How long an emailed code works.
pub const EMAIL_CODE_SECS: i64 = 10 * 60;
/// A new emailed code is not sent while the last one is younger than this
/// (a person pressing "Send" twice gets one mail).
pub const EMAIL_RESEND_SECS: i64 = 60;
/// Emailed codes an account may be sent per hour.
pub const EMAIL_CODES_PER_HOUR: i64 = 10;

/// The second step an account uses. One at a time; the recovery code works
/// for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Method {
    /// An authenticator app (RFC 6238): Bitwarden's provider type 0.
    Authenticator,
    /// A code mailed to the account's address at each log-in: type 1.
    Email,
    /// A security key or passkey (FIDO2 WebAuthn): type 7.
    SecurityKey,
}

impl Method {
    /// As stored.
    pub fn code(self) -> &'static str {
        match self {
            Method::Authenticator => "authenticator",
            Method::Email => "email",
            Method::SecurityKey => "webauthn",
        }
    }

    pub fn from_code(code: &str) -> Option<Method> {
        match code {
            "authenticator" => Some(Method::Authenticator),
            "email" => Some(Method::Email),
            "webauthn" => Some(Method::SecurityKey),
            _ => None,
        }
    }

    /// Bitwarden's `TwoFactorProviderType` number, as its apps send and read it.
    pub fn bitwarden_type(self) -> u8 {
        match self {
            Method::Authenticator => 0,
            Method::Email => 1,
            Method::SecurityKey => 7,
        }
    }

    /// As the settings page names it.
    pub fn label(self) -> &'static str {
        match self {
            Method::Authenticator => "Authenticator app",
            Method::Email => "Email",
            Method::SecurityKey => "Security key",
        }
    }
}

/// Security keys an account may register (as Bitwarden allows).
pub const MAX_SECURITY_KEYS: usize = 5;
/// How long a security-key registration or log-in challenge stays open.
pub const SECURITY_KEY_CHALLENGE_SECS: i64 = 5 * 60;

/// A security key's name as typed: trimmed, 1 to 50 characters.
pub fn clean_key_name(name: &str) -> Result<String, &'static str> {
    let n = name.trim();
    match n.chars().count() {
        0 => Err("Name the security key (for example \"YubiKey on my keyring\")."),
        1..=50 => Ok(n.to_string()),
        _ => Err("A security key's name has at most 50 characters."),
    }
}

/// The relying party a security key is bound to, from the portal's public
/// address (`PUBLIC_URL`): its host (the RP ID) and origin. None when the
/// host is an IP address, which WebAuthn does not take as an RP ID.
pub fn relying_party(public_url: &str) -> Option<(String, String)> {
    let (scheme, rest) = public_url.trim().split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if !h.contains(']') && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    };
    let host = host.to_ascii_lowercase();
    let is_ip = host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok();
    if host.is_empty() || is_ip {
        return None;
    }
    Some((host, format!("{scheme}://{}", authority.to_ascii_lowercase())))
}

/// A new emailed code: six digits, uniformly drawn.
pub fn new_email_code() -> String {
    // The largest multiple of 1,000,000 below 2^32: draws above it are
    // redrawn, so no code is likelier than another.
    const LIMIT: u32 = 4_294_000_000;
    loop {
        let n = OsRng.next_u32();
        if n < LIMIT {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// An address as a log-in page may show it before the person is in:
/// `a***@example.com` (the first character, then stars).
pub fn masked_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// A new recovery code: 160 random bits as 32 base32 characters in groups
/// of four, shown once.
pub fn new_recovery_code() -> String {
    let mut raw = [0u8; 20];
    OsRng.fill_bytes(&mut raw);
    let s = BASE32.encode(&raw);
    s.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

/// How a recovery code is stored: SHA-256 (hex) of its characters, upper-cased,
/// without spaces or dashes (160 random bits need no slow hash).
pub fn recovery_hash(code: &str) -> String {
    let clean: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    Sha256::digest(clean.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B's SHA-1 seed, "12345678901234567890", in base32.
    const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn the_rfc_vectors_pass_once_and_drift_is_bounded() {
        // At 59 s the 8-digit code is 94287082; six digits: 287082 (step 1).
        assert_eq!(check_code(RFC_KEY, "287082", 59, 0), Some(1));
        assert_eq!(check_code(RFC_KEY, "287 082", 59, 0), Some(1), "spaces are dropped");
        assert_eq!(check_code(RFC_KEY, "287082", 59, 1), None, "a spent step is refused");
        // 1111111109 s → 07081804 → 081804 (step 37037036).
        assert_eq!(check_code(RFC_KEY, "081804", 1_111_111_109, 0), Some(37_037_036));
        assert_eq!(check_code(RFC_KEY, "081804", 1_111_111_109 + 30, 0), Some(37_037_036), "one step late is taken");
        assert_eq!(check_code(RFC_KEY, "081804", 1_111_111_109 + 60, 0), None, "two steps late is not");
        assert_eq!(check_code(RFC_KEY, "081805", 1_111_111_109, 0), None);
        assert_eq!(check_code(RFC_KEY, "08180", 1_111_111_109, 0), None);
        assert_eq!(check_code(RFC_KEY, "", 1_111_111_109, 0), None);
    }

    #[test]
    fn new_keys_make_codes_the_checker_takes() {
        let key = new_authenticator_key();
        assert_eq!(key.len(), 32);
        assert_ne!(key, new_authenticator_key());
        let now = 1_800_000_000;
        let code = Totp::parse(&key).unwrap().code_at(now as u64);
        assert_eq!(check_code(&key, &code, now, 0), Some(now / PERIOD));
        let uri = otpauth_uri("ann+it@example.com", &key);
        assert!(uri.starts_with("otpauth://totp/Provider%20Portal:ann%2Bit%40example.com?secret="), "{uri}");
        assert_eq!(Totp::parse(&uri).unwrap().code_at(now as u64), code, "the link gives the same codes");
    }

    #[test]
    fn emailed_codes_are_six_digits_and_addresses_are_masked() {
        let codes: Vec<String> = (0..200).map(|_| new_email_code()).collect();
        assert!(codes.iter().all(|c| c.len() == 6 && clean_code(c).as_deref() == Some(c.as_str())), "{codes:?}");
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert!(distinct.len() > 190, "codes repeat far too often: {} distinct of 200", distinct.len());
        assert_eq!(masked_email("ann.smith@example.com"), "a***@example.com");
        assert_eq!(masked_email("é@x.io"), "é***@x.io");
        assert_eq!(masked_email("nobody"), "***");
        for m in [Method::Authenticator, Method::Email] {
            assert_eq!(Method::from_code(m.code()), Some(m));
        }
        assert_eq!(Method::from_code("sms"), None);
        assert_eq!((Method::Authenticator.bitwarden_type(), Method::Email.bitwarden_type()), (0, 1));
        assert_eq!(Method::from_code(Method::SecurityKey.code()), Some(Method::SecurityKey));
        assert_eq!(Method::SecurityKey.bitwarden_type(), 7);
    }

    #[test]
    fn security_keys_need_a_domain_name_and_a_short_name() {
        assert_eq!(relying_party("https://vault.acme.com"), Some(("vault.acme.com".into(), "https://vault.acme.com".into())));
        assert_eq!(relying_party("http://localhost:3100/"), Some(("localhost".into(), "http://localhost:3100".into())));
        assert_eq!(relying_party("https://Vault.Acme.com:8443/portal"), Some(("vault.acme.com".into(), "https://vault.acme.com:8443".into())));
        assert_eq!(relying_party("http://127.0.0.1:3000"), None, "an IP address is no RP ID");
        assert_eq!(relying_party("http://[::1]:3000"), None);
        assert_eq!(relying_party("ftp://acme.com"), None);
        assert_eq!(relying_party("acme.com"), None);
        assert_eq!(clean_key_name("  YubiKey 5 "), Ok("YubiKey 5".into()));
        assert!(clean_key_name("   ").is_err());
        assert!(clean_key_name(&"k".repeat(51)).is_err());
        assert_eq!(clean_key_name(&"é".repeat(50)).map(|n| n.chars().count()), Ok(50));
    }

    #[test]
    fn recovery_codes_hash_the_same_however_typed() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 32 + 7);
        assert_eq!(recovery_hash(&code), recovery_hash(&code.to_lowercase().replace('-', " ")));
        assert_ne!(recovery_hash(&code), recovery_hash(&new_recovery_code()));
    }
}
