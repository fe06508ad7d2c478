#![no_main]
//! `Email::parse` never panics; what it accepts is normalised and stable.
use domain::Email;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(e) = Email::parse(s) {
        let t = e.as_str();
        assert_eq!(Email::parse(t).as_ref(), Ok(&e), "parsing is idempotent");
        assert_eq!(t, t.to_lowercase(), "lower-case");
        assert_eq!(t, t.trim(), "trimmed");
        assert!(t.chars().count() <= 254);
        assert_eq!(t.matches('@').count(), 1, "exactly one @");
        assert!(!t.chars().any(|c| c.is_whitespace() || c.is_control()));
        assert!(!t.contains(',') && !t.contains(';'), "never splits an invite list");
    }
});
