//! E-mail addresses and the comma-separated invite list.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Most addresses one invitation may carry (the help pages: "up to 20").
pub const MAX_INVITES: usize = 20;

/// A normalised (trimmed, lower-case) e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address.")]
    Empty,
    #[error("An email address can be at most 254 characters long.")]
    TooLong,
    #[error("An email address needs exactly one @.")]
    At,
    #[error("The part before the @ is missing or longer than 64 characters.")]
    Local,
    #[error("The part after the @ is not a valid domain.")]
    Domain,
    #[error("An email address cannot contain spaces or control characters.")]
    Whitespace,
}

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        // Lower-case first, then check what will be stored: lower-casing can
        // change an address (found by the `email` fuzz target: "İ" becomes
        // "i" + a combining dot, which is not a valid domain character).
        let lowered = input.trim().to_lowercase();
        let s = lowered.as_str();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::Whitespace);
        }
        let mut parts = s.split('@');
        let (local, domain) = match (parts.next(), parts.next(), parts.next()) {
            (Some(l), Some(d), None) => (l, d),
            _ => return Err(EmailError::At),
        };
        if local.is_empty() || local.len() > 64 || local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(EmailError::Local);
        }
        if local.chars().any(|c| matches!(c, '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '[' | '\\' | ']')) {
            return Err(EmailError::Local);
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels
                .iter()
                .any(|l| l.is_empty() || l.len() > 63 || l.starts_with('-') || l.ends_with('-') || !l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        {
            return Err(EmailError::Domain);
        }
        Ok(Email(lowered))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

/// What became of one address of an invite list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InviteOutcome {
    /// A valid address, to be invited.
    Valid(Email),
    /// The same address stood earlier in the list.
    Repeated(Email),
    /// Not an address, with the reason.
    Invalid { input: String, reason: EmailError },
}

/// A parsed invite list: every entry keeps its outcome, in input order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteList {
    pub entries: Vec<InviteOutcome>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum InviteListError {
    #[error("Enter at least one email address.")]
    Empty,
    #[error("You can invite up to {MAX_INVITES} members at a time; this list has {0}.")]
    TooMany(usize),
}

impl InviteList {
    /// Splits on commas (semicolons and new lines too), trims, lower-cases.
    /// More than 20 addresses is refused as a whole; otherwise every entry
    /// gets its own outcome, so the caller can report all errors at once.
    pub fn parse(input: &str) -> Result<Self, InviteListError> {
        let raw: Vec<&str> = input.split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()).collect();
        if raw.is_empty() {
            return Err(InviteListError::Empty);
        }
        if raw.len() > MAX_INVITES {
            return Err(InviteListError::TooMany(raw.len()));
        }
        let mut seen = std::collections::HashSet::new();
        let entries = raw
            .into_iter()
            .map(|s| match Email::parse(s) {
                Ok(e) if !seen.insert(e.clone()) => InviteOutcome::Repeated(e),
                Ok(e) => InviteOutcome::Valid(e),
                Err(reason) => InviteOutcome::Invalid { input: s.to_string(), reason },
            })
            .collect();
        Ok(InviteList { entries })
    }

    pub fn valid(&self) -> impl Iterator<Item = &Email> {
        self.entries.iter().filter_map(|e| match e {
            InviteOutcome::Valid(e) => Some(e),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_case_and_whitespace() {
        assert_eq!(Email::parse("  Alice@Example.COM ").unwrap().as_str(), "alice@example.com");
    }

    #[test]
    fn what_is_stored_parses_again() {
        // Found by fuzzing: accepted before, stored as a string that no longer parsed.
        assert_eq!(Email::parse("ann@exam\u{130}ple.com"), Err(EmailError::Domain));
        let e = Email::parse("ANN@ÉXAMPLE.COM").unwrap();
        assert_eq!(e.as_str(), "ann@éxample.com");
        assert_eq!(Email::parse(e.as_str()), Ok(e));
    }

    #[test]
    fn rejects_bad_addresses_with_reasons() {
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
        assert_eq!(Email::parse("no-at-sign"), Err(EmailError::At));
        assert_eq!(Email::parse("a@b@c.com"), Err(EmailError::At));
        assert_eq!(Email::parse("@example.com"), Err(EmailError::Local));
        assert_eq!(Email::parse("a@localhost"), Err(EmailError::Domain));
        assert_eq!(Email::parse("a@-x.com"), Err(EmailError::Domain));
        assert_eq!(Email::parse("a b@x.com"), Err(EmailError::Whitespace));
        assert_eq!(Email::parse(&format!("{}@x.com", "a".repeat(65))), Err(EmailError::Local));
    }

    #[test]
    fn invite_list_reports_every_entry() {
        let l = InviteList::parse("a@x.com, B@X.com ,bad, a@x.com,,").unwrap();
        assert_eq!(l.entries.len(), 4);
        assert_eq!(l.valid().count(), 2);
        assert!(matches!(l.entries[2], InviteOutcome::Invalid { ref input, reason: EmailError::At } if input == "bad"));
        assert!(matches!(l.entries[3], InviteOutcome::Repeated(_)));
    }

    #[test]
    fn invite_list_limits() {
        assert_eq!(InviteList::parse(" , "), Err(InviteListError::Empty));
        let twenty: Vec<String> = (0..20).map(|i| format!("u{i}@x.com")).collect();
        assert_eq!(InviteList::parse(&twenty.join(",")).unwrap().valid().count(), 20);
        let many: Vec<String> = (0..21).map(|i| format!("u{i}@x.com")).collect();
        assert_eq!(InviteList::parse(&many.join(",")), Err(InviteListError::TooMany(21)));
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_is_idempotent(s in "\\PC{0,80}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e.clone());
                prop_assert_eq!(e.as_str().to_lowercase(), e.as_str());
            }
        }

        #[test]
        fn generated_addresses_parse(local in "[a-z0-9]{1,20}", dom in "[a-z]{1,10}", tld in "[a-z]{2,6}") {
            let s = format!("{local}@{dom}.{tld}");
            let parsed = Email::parse(&s.to_uppercase()).unwrap();
            prop_assert_eq!(parsed.as_str(), s.as_str());
        }

        #[test]
        fn invite_list_keeps_every_entry(list in proptest::collection::vec("[a-z@., ]{0,12}", 0..30)) {
            let input = list.join(",");
            match InviteList::parse(&input) {
                Ok(l) => {
                    prop_assert!(l.entries.len() <= MAX_INVITES);
                    prop_assert!(!l.entries.is_empty());
                }
                Err(InviteListError::TooMany(n)) => prop_assert!(n > MAX_INVITES),
                Err(InviteListError::Empty) => prop_assert!(input.split([',', ';', '\n']).all(|s| s.trim().is_empty())),
            }
        }
    }
}
