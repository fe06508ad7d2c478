#![no_main]
//! Short codes read from requests and rows: event-log dates (`yyyy-mm-dd`),
//! permission codes, role and status codes.
use domain::authz::Permissions;
use domain::member::{MemberStatus, Role};
use domain::time;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Some(t) = time::day_start(s) {
        assert_eq!(t.rem_euclid(86_400), 0, "midnight");
        let shown = time::fmt_rfc3339(t);
        assert_eq!(time::day_start(&shown[..10]), Some(t), "{s:?} → {shown}");
    }
    let p = Permissions::from_code(s);
    assert_eq!(p.code().len(), Permissions::COUNT);
    assert_eq!(Permissions::from_code(&p.code()), p);
    if let Some(r) = Role::from_code(s) {
        assert_eq!(r.code(), s);
    }
    if let Some(st) = MemberStatus::from_code(s) {
        assert_eq!(st.code(), s);
    }
});
