#![no_main]
//! Import files and authenticator keys, as a person hands them to the page:
//! never a panic; whatever imports checks out and survives a JSON round trip.
use domain::totp::Totp;
use domain::transfer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    for name in ["export.csv", "export.json"] {
        if let Ok(p) = transfer::parse_file(name, s, Some("pw")) {
            assert!(!p.items.is_empty());
            assert!(p.items.iter().all(|i| i.item.validate().is_empty()));
            let again = transfer::parse_json(&transfer::to_json(&p.items), None).expect("an export reads back");
            assert_eq!(again.items, p.items);
        }
    }
    if let Ok(t) = Totp::parse(s) {
        let code = t.code_at(1_700_000_000);
        assert_eq!(code.len(), t.digits as usize);
        assert!(t.remaining(1_700_000_000) <= t.period);
    }
});
