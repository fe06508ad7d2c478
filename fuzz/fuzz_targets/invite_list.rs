#![no_main]
//! The comma-separated invite list: at most 20 entries, every entry explained,
//! valid addresses distinct, repeats only of addresses seen before.
use domain::email::MAX_INVITES;
use domain::{Email, InviteList, InviteListError, InviteOutcome};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

fuzz_target!(|s: &str| {
    let pieces = s.split([',', ';', '\n']).filter(|p| !p.trim().is_empty()).count();
    match InviteList::parse(s) {
        Ok(list) => {
            assert_eq!(list.entries.len(), pieces, "one outcome per non-empty piece");
            assert!((1..=MAX_INVITES).contains(&list.entries.len()));
            let mut seen = HashSet::new();
            for entry in &list.entries {
                match entry {
                    InviteOutcome::Valid(e) => assert!(seen.insert(e.clone()), "valid addresses are distinct"),
                    InviteOutcome::Repeated(e) => assert!(seen.contains(e), "a repeat follows its first"),
                    InviteOutcome::Invalid { input, reason } => {
                        assert_eq!(Email::parse(input).as_ref().err(), Some(reason));
                        assert!(!input.is_empty());
                    }
                }
            }
            assert_eq!(list.valid().count(), seen.len());
        }
        Err(InviteListError::Empty) => assert_eq!(pieces, 0),
        Err(InviteListError::TooMany(n)) => {
            assert_eq!(n, pieces);
            assert!(n > MAX_INVITES);
        }
    }
});
