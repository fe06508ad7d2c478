//! Small validated text values: names, hints, provider names.

use crate::FieldError;

fn bounded(field: &str, label: &str, input: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let s = input.trim();
    let n = s.chars().count();
    if n < min {
        return Err(FieldError::new(field, format!("{label} is required.")));
    }
    if n > max {
        return Err(FieldError::new(field, format!("{label} can be at most {max} characters.")));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(field, format!("{label} cannot contain control characters.")));
    }
    Ok(s.to_string())
}

pub fn person_name(input: &str) -> Result<String, FieldError> {
    bounded("name", "Name", input, 1, 100)
}

pub fn provider_name(input: &str) -> Result<String, FieldError> {
    bounded("name", "Provider name", input, 1, 100)
}

pub fn organisation_name(input: &str) -> Result<String, FieldError> {
    bounded("name", "Organisation name", input, 1, 100)
}

/// The optional master password hint; it must not contain the password, which
/// the browser checks (the server never sees the password).
pub fn hint(input: &str) -> Result<Option<String>, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    bounded("hint", "Hint", s, 1, 50).map(Some)
}

/// Minimum length of a master password.
pub const MIN_MASTER_PASSWORD: usize = 12;

/// The browser-side checks of a new master password (length, confirmation,
/// hint). Strength is scored with zxcvbn in the browser as well.
pub fn new_master_password(password: &str, confirm: &str, hint: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if password.chars().count() < MIN_MASTER_PASSWORD {
        errs.push(FieldError::new("password", format!("Master password must be at least {MIN_MASTER_PASSWORD} characters long.")));
    }
    if password != confirm {
        errs.push(FieldError::new("confirm", "Master password confirmation does not match."));
    }
    if !hint.trim().is_empty() && !password.is_empty() && hint.contains(password) {
        errs.push(FieldError::new("hint", "Your hint cannot contain your master password."));
    }
    errs
}

/// Where to go after logging in (`?next=`, already percent-decoded): only a
/// path of this site. Browsers drop tabs and newlines from a URL and read `\`
/// as `/`, so `/\t/evil.example` or `/\\evil.example` would lead to another
/// site: any control or whitespace character, any backslash and a leading
/// `//` are refused, and the start page is used instead.
pub fn safe_next(next: Option<&str>) -> &str {
    const HOME: &str = "/vault";
    let Some(n) = next else { return HOME };
    let same_site = n.starts_with('/') && !n.starts_with("//") && n.len() <= 2048 && !n.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    // The log-in and sign-up pages are never where a log-in leads (a log-out
    // seen from the log-in page itself would otherwise send the next log-in back there).
    let page = n.split(['?', '#']).next().unwrap_or(n);
    let entry = matches!(page.trim_end_matches('/'), "/login" | "/register");
    if same_site && !entry { n } else { HOME }
}

/// A duration in words, rounded down to whole hours ("5 days", "1 day",
/// "36 hours", "12 hours"); under an hour, in minutes.
pub fn duration_words(secs: u64) -> String {
    let plural = |n: u64, one: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {one}s") };
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => plural(s / 86_400, "day"),
        s if s >= 3_600 => plural(s / 3_600, "hour"),
        s => plural((s / 60).max(1), "minute"),
    }
}

/// A count with thousands separators: 1234567 → "1,234,567".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-45_000), "-45,000");
        use crate::api::event_range;
        assert_eq!(event_range(10_001, 100, 100), "101–200 of 10,000+");
        assert_eq!(event_range(10_000, 0, 100), "1–100 of 10,000");
        assert_eq!(event_range(150, 100, 100), "101–150 of 150");
        assert_eq!(event_range(0, 0, 100), "0–0 of 0");
    }

    #[test]
    fn names() {
        assert_eq!(person_name("  Ann  ").unwrap(), "Ann");
        assert!(person_name("  ").is_err());
        assert!(person_name(&"x".repeat(101)).is_err());
        assert!(provider_name("Acme\u{7}").is_err());
        assert_eq!(hint(" ").unwrap(), None);
        assert!(hint(&"h".repeat(51)).is_err());
    }

    #[test]
    fn master_password_rules() {
        assert!(new_master_password("correct horse battery", "correct horse battery", "").is_empty());
        let e = new_master_password("short", "other", "my short pw");
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["password", "confirm", "hint"]);
    }

    #[test]
    fn next_is_a_path_of_this_site_only() {
        for ok in ["/providers", "/providers/abc/members?tab=invited", "/accept-invite?token=x", "/a/b#c"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        // As `?next=` arrives percent-decoded: %09 (tab), %0A / %0D (newline), %5C (backslash), //, and the like.
        for bad in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\\/evil.example",
            "//evil.example",
            "///evil.example",
            "/ /evil.example",
            "/\u{a0}/evil.example",
            "/\u{3000}/evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/vault", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/vault");
        for entry in ["/login", "/login?next=/login", "/register", "/login/"] {
            assert_eq!(safe_next(Some(entry)), "/vault", "{entry}");
        }
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(3000)))), "/vault");
    }

    #[test]
    fn durations_in_words() {
        assert_eq!(duration_words(5 * 86_400), "5 days");
        assert_eq!(duration_words(86_400), "1 day");
        assert_eq!(duration_words(36 * 3_600), "36 hours");
        assert_eq!(duration_words(12 * 3_600), "12 hours");
        assert_eq!(duration_words(3_600), "1 hour");
        assert_eq!(duration_words(90), "1 minute");
        assert_eq!(duration_words(0), "1 minute");
    }
}
