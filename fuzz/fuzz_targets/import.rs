#![no_main]
//! Import files and authenticator keys, as a person hands them to the page:
//! never a panic; whatever imports checks out and survives a JSON round trip,
//! in the organisation format and in the individual one (folders).
use domain::totp::Totp;
use domain::transfer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    for name in ["export.csv", "export.json"] {
        if let Ok(p) = transfer::parse_file(name, s, Some("pw")) {
            assert!(!p.items.is_empty());
            assert!(p.items.iter().all(|i| i.item.validate().is_empty()));
            let again = transfer::parse_json(&transfer::to_json(&p.items, transfer::Grouping::Collections), None).expect("an export reads back");
            assert_eq!(again.items, p.items);
            // The individual format keeps one folder per item: the first name.
            let first: Vec<transfer::ImportedItem> = p
                .items
                .iter()
                .cloned()
                .map(|mut i| {
                    i.collections.truncate(1);
                    i
                })
                .collect();
            let personal = transfer::parse_json(&transfer::to_json(&p.items, transfer::Grouping::Folders), None).expect("an individual export reads back");
            assert_eq!(personal.items, first);
        }
    }
    if let Ok(t) = Totp::parse(s) {
        let code = t.code_at(1_700_000_000);
        assert_eq!(code.len(), t.digits as usize);
        assert!(t.remaining(1_700_000_000) <= t.period);
    }
});
