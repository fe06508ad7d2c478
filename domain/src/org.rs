//! Client organisations: the policies their admins turn on, the seat rules
//! and collection permissions. Pure rules; the service enforces them.

use serde::{Deserialize, Serialize};

/// The policies an organisation can turn on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PolicyKind {
    MasterPassword,
    PasswordGenerator,
    SingleOrg,
    RemoveIndividualVault,
    /// Members must have two-step login on to open the organisation.
    TwoStepLogin,
    /// Account recovery administration: enrolment at join, no withdrawal.
    AccountRecovery,
    /// The longest a member's vault stays unlocked without activity.
    VaultTimeout,
    /// Members cannot export their individual vault.
    RemovePersonalVaultExport,
}

impl PolicyKind {
    pub const ALL: [PolicyKind; 8] = [
        PolicyKind::MasterPassword,
        PolicyKind::PasswordGenerator,
        PolicyKind::SingleOrg,
        PolicyKind::RemoveIndividualVault,
        PolicyKind::TwoStepLogin,
        PolicyKind::AccountRecovery,
        PolicyKind::VaultTimeout,
        PolicyKind::RemovePersonalVaultExport,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PolicyKind::MasterPassword => "master_password",
            PolicyKind::PasswordGenerator => "password_generator",
            PolicyKind::SingleOrg => "single_org",
            PolicyKind::RemoveIndividualVault => "remove_individual_vault",
            PolicyKind::TwoStepLogin => "two_step_login",
            PolicyKind::AccountRecovery => "account_recovery",
            PolicyKind::VaultTimeout => "vault_timeout",
            PolicyKind::RemovePersonalVaultExport => "remove_personal_vault_export",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            PolicyKind::MasterPassword => "Master password requirements",
            PolicyKind::PasswordGenerator => "Password generator",
            PolicyKind::SingleOrg => "Single organisation",
            PolicyKind::RemoveIndividualVault => "Remove individual vault",
            PolicyKind::TwoStepLogin => "Require two-step login",
            PolicyKind::AccountRecovery => "Account recovery administration",
            PolicyKind::VaultTimeout => "Vault timeout",
            PolicyKind::RemovePersonalVaultExport => "Remove individual vault export",
        }
    }
    pub fn description(self) -> &'static str {
        match self {
            PolicyKind::MasterPassword => "Set requirements for master password strength. Checked when members sign up, join and change their master password.",
            PolicyKind::PasswordGenerator => "Set requirements for the password generator.",
            PolicyKind::SingleOrg => "Restrict members from joining other organisations.",
            PolicyKind::RemoveIndividualVault => "Require members to save items to the organisation instead of an individual vault.",
            PolicyKind::TwoStepLogin => {
                "Require members to turn on two-step login: until they do, the organisation, its items and its Admin Console stay closed to them (here and in Bitwarden's apps)."
            }
            PolicyKind::AccountRecovery => {
                "Administrators can reset the master password of members enrolled in account recovery. With automatic enrolment, new members are enrolled when they accept their invitation and cannot withdraw."
            }
            PolicyKind::VaultTimeout => {
                "Set the longest time members' vaults stay unlocked without activity, in this portal and in Bitwarden's apps, and whether the vault locks or logs out."
            }
            PolicyKind::RemovePersonalVaultExport => {
                "Members cannot export their individual vault (here and in Bitwarden's apps). Organisation exports are not affected."
            }
        }
    }
}

/// One policy where a client organisation differs from its provider's baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyDrift {
    pub kind: PolicyKind,
    /// The organisation's policy in words ("Off", "On: …").
    pub current: String,
    /// The baseline's.
    pub baseline: String,
}

/// Where an organisation's policies (`current`; a kind missing is off)
/// differ from the baseline (only the kinds it holds are compared), in the
/// order of `PolicyKind::ALL`.
pub fn policy_drift(baseline: &[Policy], current: &[Policy]) -> Vec<PolicyDrift> {
    PolicyKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let want = baseline.iter().find(|p| p.kind == kind)?;
            let have = current.iter().find(|p| p.kind == kind).cloned().unwrap_or_else(|| Policy::off(kind));
            (!have.same_effect(want)).then(|| PolicyDrift { kind, current: have.describe(), baseline: want.describe() })
        })
        .collect()
}

/// Master password requirements. Score is zxcvbn's 0–4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MasterPasswordRules {
    pub min_length: u32,
    pub min_score: u8,
}

/// Password generator requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GeneratorRules {
    pub min_length: u32,
    pub uppercase: bool,
    pub digits: bool,
    pub symbols: bool,
}

impl GeneratorRules {
    /// The generator's options, raised to what the policy requires.
    pub fn apply(self, o: crate::vault::GeneratorOptions) -> crate::vault::GeneratorOptions {
        crate::vault::GeneratorOptions {
            length: o.length.max(self.min_length as usize),
            uppercase: o.uppercase || self.uppercase,
            lowercase: o.lowercase,
            digits: o.digits || self.digits,
            symbols: o.symbols || self.symbols,
        }
    }
}

/// Account recovery administration settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RecoveryRules {
    /// Members are enrolled when they accept their invitation, and cannot withdraw.
    pub auto_enrol: bool,
}

/// Vault timeout settings: the longest idle time, and what then happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultTimeoutRules {
    pub minutes: u32,
    /// Log out instead of locking.
    pub log_out: bool,
}

impl Default for VaultTimeoutRules {
    fn default() -> Self {
        VaultTimeoutRules { minutes: 15, log_out: false }
    }
}

impl VaultTimeoutRules {
    /// The longest a timeout may be set to (a week).
    pub const MAX_MINUTES: u32 = 7 * 24 * 60;

    /// The strictest of two: the shorter time, and log out if either says so.
    pub fn stricter(self, other: VaultTimeoutRules) -> VaultTimeoutRules {
        VaultTimeoutRules { minutes: self.minutes.min(other.minutes), log_out: self.log_out || other.log_out }
    }

    /// "15 minutes", "1 hour 30 minutes".
    pub fn describe(self) -> String {
        let (h, m) = (self.minutes / 60, self.minutes % 60);
        let unit = |n: u32, one: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {one}s") };
        match (h, m) {
            (0, m) => unit(m, "minute"),
            (h, 0) => unit(h, "hour"),
            (h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
        }
    }
}

/// One policy with its settings; `data` is kind-specific JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub kind: PolicyKind,
    pub enabled: bool,
    pub master_password: MasterPasswordRules,
    pub generator: GeneratorRules,
    #[serde(default)]
    pub recovery: RecoveryRules,
    #[serde(default)]
    pub vault_timeout: VaultTimeoutRules,
}

impl Policy {
    pub fn off(kind: PolicyKind) -> Self {
        Policy {
            kind,
            enabled: false,
            master_password: MasterPasswordRules::default(),
            generator: GeneratorRules::default(),
            recovery: RecoveryRules::default(),
            vault_timeout: VaultTimeoutRules::default(),
        }
    }

    /// The settings of an enabled policy in words ("at least 14 characters,
    /// strength Strong (3 of 4)"); None for a policy without settings.
    pub fn settings(&self) -> Option<String> {
        match self.kind {
            PolicyKind::MasterPassword => Some(format!(
                "at least {} characters, strength {} ({} of 4)",
                self.master_password.min_length,
                score_label(self.master_password.min_score),
                self.master_password.min_score
            )),
            PolicyKind::PasswordGenerator => {
                let g = self.generator;
                let mut s = format!("at least {} characters", g.min_length);
                for (on, what) in [(g.uppercase, "uppercase"), (g.digits, "numbers"), (g.symbols, "special characters")] {
                    if on {
                        s.push_str(&format!(", {what}"));
                    }
                }
                Some(s)
            }
            PolicyKind::AccountRecovery if self.recovery.auto_enrol => Some("automatic enrolment".into()),
            PolicyKind::VaultTimeout => {
                Some(format!("{}, then {}", self.vault_timeout.describe(), if self.vault_timeout.log_out { "log out" } else { "lock" }))
            }
            _ => None,
        }
    }

    /// "Off", "On", or "On: " and the settings.
    pub fn describe(&self) -> String {
        match (self.enabled, self.settings()) {
            (false, _) => "Off".into(),
            (true, None) => "On".into(),
            (true, Some(s)) => format!("On: {s}"),
        }
    }

    /// Whether two policies of one kind do the same: both off, or both on
    /// with the same settings of that kind (settings of other kinds, which
    /// the form carries along, do not count).
    pub fn same_effect(&self, other: &Policy) -> bool {
        self.kind == other.kind
            && self.enabled == other.enabled
            && (!self.enabled
                || match self.kind {
                    PolicyKind::MasterPassword => self.master_password == other.master_password,
                    PolicyKind::PasswordGenerator => self.generator == other.generator,
                    PolicyKind::AccountRecovery => self.recovery == other.recovery,
                    PolicyKind::VaultTimeout => self.vault_timeout == other.vault_timeout,
                    _ => true,
                })
    }

    /// Checks an admin's settings; the message names the field.
    pub fn validate(&self) -> Result<(), crate::FieldError> {
        let mp = self.master_password;
        if self.kind == PolicyKind::MasterPassword && self.enabled {
            if !(12..=128).contains(&mp.min_length) {
                return Err(crate::FieldError::new("min_length", "Minimum length must be between 12 and 128."));
            }
            if mp.min_score > 4 {
                return Err(crate::FieldError::new("min_score", "Minimum strength must be between 0 and 4."));
            }
        }
        if self.kind == PolicyKind::PasswordGenerator && self.enabled && !(5..=128).contains(&self.generator.min_length) {
            return Err(crate::FieldError::new("generator_min_length", "Minimum length must be between 5 and 128."));
        }
        if self.kind == PolicyKind::VaultTimeout && self.enabled && !(1..=VaultTimeoutRules::MAX_MINUTES).contains(&self.vault_timeout.minutes) {
            return Err(crate::FieldError::new("timeout_minutes", "The vault timeout must be between 1 minute and 7 days (10080 minutes)."));
        }
        Ok(())
    }
}

/// What the browser reports about a master password it is about to use. The
/// server never sees the password itself, so it checks these facts (computed
/// by the browser with zxcvbn) against every policy that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PasswordFacts {
    pub length: u32,
    pub score: u8,
}

pub fn score_label(score: u8) -> &'static str {
    match score {
        0 => "Very weak",
        1 => "Weak",
        2 => "Fair",
        3 => "Good",
        _ => "Strong",
    }
}

/// The strictest of several master-password rules (a member of several
/// organisations meets all of them).
pub fn strictest(rules: impl IntoIterator<Item = MasterPasswordRules>) -> Option<MasterPasswordRules> {
    rules.into_iter().reduce(|a, b| MasterPasswordRules { min_length: a.min_length.max(b.min_length), min_score: a.min_score.max(b.min_score) })
}

impl PasswordFacts {
    /// What the browser tells the server about a master password: its length
    /// and strength only when a master-password policy applies, otherwise nothing.
    pub fn shared_with(self, rules: Option<MasterPasswordRules>) -> PasswordFacts {
        if rules.is_some() { self } else { PasswordFacts::default() }
    }
}

/// Whether a master password meets the rules; the message says what is missing.
pub fn check_master_password(rules: Option<MasterPasswordRules>, facts: PasswordFacts) -> Result<(), String> {
    let Some(r) = rules else { return Ok(()) };
    let mut missing = vec![];
    if facts.length < r.min_length {
        missing.push(format!("at least {} characters", r.min_length));
    }
    if facts.score < r.min_score {
        missing.push(format!("a strength of at least {} ({} of 4)", score_label(r.min_score), r.min_score));
    }
    if missing.is_empty() { Ok(()) } else { Err(format!("Your organisation's policy requires a master password with {}.", missing.join(" and "))) }
}

/// Access a member or group has to a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CollectionPermission {
    CanView,
    CanViewExceptPasswords,
    CanEdit,
    CanManage,
}

impl CollectionPermission {
    pub const ALL: [CollectionPermission; 4] =
        [CollectionPermission::CanView, CollectionPermission::CanViewExceptPasswords, CollectionPermission::CanEdit, CollectionPermission::CanManage];
    pub fn code(self) -> &'static str {
        match self {
            CollectionPermission::CanView => "view",
            CollectionPermission::CanViewExceptPasswords => "view_except_passwords",
            CollectionPermission::CanEdit => "edit",
            CollectionPermission::CanManage => "manage",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            CollectionPermission::CanView => "Can view",
            CollectionPermission::CanViewExceptPasswords => "Can view, except passwords",
            CollectionPermission::CanEdit => "Can edit",
            CollectionPermission::CanManage => "Can manage",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SeatError {
    #[error("Seats must be between 1 and 100000.")]
    OutOfRange,
    #[error("Only {remaining} of the provider's seats are unassigned; this needs {needed} more.")]
    OverProviderTotal { remaining: i64, needed: i64 },
    #[error("{used} seats are in use; remove or revoke members before going below that.")]
    BelowUsed { used: i64 },
    #[error("The total cannot be less than the {assigned} seats already assigned to clients.")]
    BelowAssigned { assigned: i64 },
}

/// A client's seats may change to `seats` when the provider's `total` covers
/// what the other clients hold, and the client's members still fit.
pub fn check_client_seats(total: i64, assigned_to_others: i64, used: i64, seats: i64) -> Result<(), SeatError> {
    if !(1..=100_000).contains(&seats) {
        return Err(SeatError::OutOfRange);
    }
    let remaining = total - assigned_to_others;
    if seats > remaining {
        return Err(SeatError::OverProviderTotal { remaining: remaining.max(0), needed: seats - remaining.max(0) });
    }
    if seats < used {
        return Err(SeatError::BelowUsed { used });
    }
    Ok(())
}

/// One event of a client's log that moves its seats: a member invited
/// (`member_invited`), removed (`member_removed`; detail `was suspended` when
/// the member held no seat), suspended or restored, or its seats changed
/// (`seats_changed`, detail `old → new seats`).
#[derive(Debug, Clone, PartialEq)]
pub struct SeatEvent {
    pub at: i64,
    pub kind: String,
    pub detail: String,
}

/// The kinds `SeatEvent` reads.
pub const SEAT_EVENT_KINDS: [&str; 5] = ["member_invited", "member_removed", "member_suspended", "member_restored", "seats_changed"];

/// A client's seats over one month: at its end (or now, for the month under
/// way), the most used at any moment in it, and members added and removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MonthUsage {
    pub seats: i64,
    pub used: i64,
    pub peak: i64,
    pub added: i64,
    pub removed: i64,
}

impl SeatEvent {
    /// How the event changed the seats in use.
    fn used_delta(&self) -> i64 {
        match self.kind.as_str() {
            "member_invited" | "member_restored" => 1,
            "member_removed" if self.detail == "was suspended" => 0,
            "member_removed" | "member_suspended" => -1,
            _ => 0,
        }
    }
    /// The seats assigned before a `seats_changed` event.
    fn seats_before(&self) -> Option<i64> {
        (self.kind == "seats_changed").then(|| self.detail.split(" → ").next()?.trim().parse().ok()).flatten()
    }
}

/// Works a client's month out backwards from its figures now (`seats_now`,
/// `used_now`) and its seat events since the month began (any order):
/// undoing each event from the newest gives the figures before it.
/// `created_at` bounds the walk (before it the client did not exist).
pub fn month_usage(seats_now: i64, used_now: i64, created_at: i64, month: (i64, i64), events: &[SeatEvent]) -> MonthUsage {
    let (start, end) = month;
    let mut events: Vec<&SeatEvent> = events.iter().filter(|e| e.at >= start).collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    let (mut seats, mut used) = (seats_now, used_now);
    let mut out = MonthUsage::default();
    let mut at_end = false;
    for e in &events {
        if e.at < end && !at_end {
            (out.seats, out.used, out.peak, at_end) = (seats, used, used, true);
        }
        used -= e.used_delta();
        if let Some(before) = e.seats_before() {
            seats = before;
        }
        if e.at < end {
            out.added += i64::from(e.kind == "member_invited");
            out.removed += i64::from(e.kind == "member_removed");
            if e.at > created_at {
                out.peak = out.peak.max(used);
            }
        }
    }
    if !at_end {
        (out.seats, out.used, out.peak) = (seats, used, used);
    }
    out
}

/// The provider's total may change when it still covers every client's seats.
pub fn check_provider_total(total: i64, assigned: i64) -> Result<(), SeatError> {
    if !(0..=10_000_000).contains(&total) {
        return Err(SeatError::OutOfRange);
    }
    if total < assigned {
        return Err(SeatError::BelowAssigned { assigned });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(kind: PolicyKind) -> Policy {
        let mut p = Policy::off(kind);
        p.enabled = true;
        p
    }

    #[test]
    fn month_usage_walks_back_from_now() {
        let ev = |at: i64, kind: &str, detail: &str| SeatEvent { at, kind: kind.into(), detail: detail.into() };
        let month = (1000, 2000);
        // Created at 1000 with its Owner; two invited, one removed, seats 5 → 8;
        // after the month: one more invited, and a suspended member removed.
        let events = vec![
            ev(1000, "member_invited", "Owner"),
            ev(1100, "member_invited", "User"),
            ev(1200, "member_invited", "User"),
            ev(1300, "seats_changed", "5 → 8 seats"),
            ev(1400, "member_removed", ""),
            ev(1500, "member_suspended", ""),
            ev(2100, "member_invited", "User"),
            ev(2200, "member_removed", "was suspended"),
            ev(2300, "seats_changed", "8 → 10 seats"),
            ev(900, "member_invited", "before the month: ignored"),
        ];
        // Now: 10 seats, 2 in use. At the month's end: 8 seats, 1 in use (the
        // invitation at 2100 came later). Going back: 2 before 1500, 3 before
        // 1400 (the peak), 2 before 1200, 1 before 1100; 1000 is the creation.
        let u = month_usage(10, 2, 1000, month, &events);
        assert_eq!(u, MonthUsage { seats: 8, used: 1, peak: 3, added: 3, removed: 1 });
        // The month under way: its figures are today's.
        let now = month_usage(10, 2, 1000, (1000, 3000), &events);
        assert_eq!(now, MonthUsage { seats: 10, used: 2, peak: 3, added: 4, removed: 2 });
        // No events at all: today's figures throughout.
        assert_eq!(month_usage(4, 2, 0, month, &[]), MonthUsage { seats: 4, used: 2, peak: 2, added: 0, removed: 0 });
    }

    #[test]
    fn drift_compares_only_the_baseline_kinds_and_their_own_settings() {
        let mut mp = on(PolicyKind::MasterPassword);
        mp.master_password = MasterPasswordRules { min_length: 14, min_score: 3 };
        let baseline = vec![mp.clone(), on(PolicyKind::TwoStepLogin), Policy::off(PolicyKind::SingleOrg)];
        // Nothing set: the two "on" kinds differ, "off" matches a missing policy.
        let d = policy_drift(&baseline, &[]);
        assert_eq!(d.iter().map(|d| d.kind).collect::<Vec<_>>(), [PolicyKind::MasterPassword, PolicyKind::TwoStepLogin]);
        assert_eq!((d[0].current.as_str(), d[0].baseline.as_str()), ("Off", "On: at least 14 characters, strength Good (3 of 4)"));
        assert_eq!(d[1].baseline, "On");
        // The same, with a stray setting of another kind and an extra policy the baseline leaves out: no drift.
        let mut same = mp.clone();
        same.vault_timeout.minutes = 99;
        assert!(policy_drift(&baseline, &[same, on(PolicyKind::TwoStepLogin), on(PolicyKind::RemoveIndividualVault)]).is_empty());
        // A weaker setting, and a policy that should be off but is on.
        let mut weaker = mp;
        weaker.master_password.min_score = 2;
        let d = policy_drift(&baseline, &[weaker, on(PolicyKind::TwoStepLogin), on(PolicyKind::SingleOrg)]);
        assert_eq!(
            d.iter().map(|d| (d.kind, d.current.as_str())).collect::<Vec<_>>(),
            [(PolicyKind::MasterPassword, "On: at least 14 characters, strength Fair (2 of 4)"), (PolicyKind::SingleOrg, "On")]
        );
        // Off policies are equal whatever their stored settings.
        let mut off = Policy::off(PolicyKind::VaultTimeout);
        off.vault_timeout.minutes = 5;
        assert!(off.same_effect(&Policy::off(PolicyKind::VaultTimeout)));
    }

    #[test]
    fn password_facts_leave_the_browser_only_under_a_policy() {
        let facts = PasswordFacts { length: 31, score: 4 };
        assert_eq!(facts.shared_with(None), PasswordFacts::default());
        let r = MasterPasswordRules { min_length: 14, min_score: 3 };
        assert_eq!(facts.shared_with(Some(r)), facts);
    }

    #[test]
    fn master_password_rules() {
        let r = MasterPasswordRules { min_length: 14, min_score: 3 };
        assert!(check_master_password(None, PasswordFacts { length: 1, score: 0 }).is_ok());
        assert!(check_master_password(Some(r), PasswordFacts { length: 14, score: 3 }).is_ok());
        let e = check_master_password(Some(r), PasswordFacts { length: 12, score: 4 }).unwrap_err();
        assert!(e.contains("at least 14 characters") && !e.contains("strength"), "{e}");
        let e = check_master_password(Some(r), PasswordFacts { length: 20, score: 2 }).unwrap_err();
        assert!(e.contains("Good (3 of 4)"), "{e}");
        let both = strictest([r, MasterPasswordRules { min_length: 20, min_score: 1 }]).unwrap();
        assert_eq!(both, MasterPasswordRules { min_length: 20, min_score: 3 });
        assert_eq!(strictest([]), None);
    }

    #[test]
    fn policy_validation() {
        let mut p = Policy::off(PolicyKind::MasterPassword);
        p.enabled = true;
        p.master_password = MasterPasswordRules { min_length: 8, min_score: 2 };
        assert_eq!(p.validate().unwrap_err().field, "min_length");
        p.master_password.min_length = 12;
        assert!(p.validate().is_ok());
        p.master_password.min_score = 5;
        assert_eq!(p.validate().unwrap_err().field, "min_score");
        for k in PolicyKind::ALL {
            assert_eq!(PolicyKind::from_code(k.code()), Some(k));
        }
        for k in CollectionPermission::ALL {
            assert_eq!(CollectionPermission::from_code(k.code()), Some(k));
        }
    }

    #[test]
    fn vault_timeout_rules() {
        let mut p = Policy::off(PolicyKind::VaultTimeout);
        assert!(p.validate().is_ok(), "off needs no settings");
        p.enabled = true;
        p.vault_timeout.minutes = 0;
        assert_eq!(p.validate().unwrap_err().field, "timeout_minutes");
        p.vault_timeout.minutes = VaultTimeoutRules::MAX_MINUTES + 1;
        assert_eq!(p.validate().unwrap_err().field, "timeout_minutes");
        p.vault_timeout.minutes = 90;
        assert!(p.validate().is_ok());
        let a = VaultTimeoutRules { minutes: 30, log_out: false };
        let b = VaultTimeoutRules { minutes: 60, log_out: true };
        assert_eq!(a.stricter(b), VaultTimeoutRules { minutes: 30, log_out: true });
        assert_eq!(VaultTimeoutRules { minutes: 1, log_out: false }.describe(), "1 minute");
        assert_eq!(VaultTimeoutRules { minutes: 120, log_out: false }.describe(), "2 hours");
        assert_eq!(VaultTimeoutRules { minutes: 90, log_out: false }.describe(), "1 hour 30 minutes");
    }

    #[test]
    fn policies_saved_before_new_settings_still_read() {
        let old = r#"{"kind":"SingleOrg","enabled":true,"master_password":{"min_length":0,"min_score":0},"generator":{"min_length":0,"uppercase":false,"digits":false,"symbols":false}}"#;
        let p: Policy = serde_json::from_str(old).unwrap();
        assert_eq!((p.kind, p.enabled, p.recovery.auto_enrol, p.vault_timeout.minutes), (PolicyKind::SingleOrg, true, false, 15));
    }

    #[test]
    fn generator_rules_raise_the_options() {
        let base = crate::vault::GeneratorOptions { length: 12, uppercase: false, lowercase: true, digits: false, symbols: false };
        let r = GeneratorRules { min_length: 24, uppercase: true, digits: true, symbols: false };
        let o = r.apply(base);
        assert_eq!((o.length, o.uppercase, o.lowercase, o.digits, o.symbols), (24, true, true, true, false));
        let pw = crate::vault::generate_password(o).unwrap();
        assert_eq!(pw.chars().count(), 24);
        assert!(pw.chars().any(|c| c.is_ascii_uppercase()) && pw.chars().any(|c| c.is_ascii_digit()));
    }

    #[test]
    fn seats() {
        // 10 in total, 4 held by other clients: up to 6 here.
        assert_eq!(check_client_seats(10, 4, 0, 6), Ok(()));
        assert_eq!(check_client_seats(10, 4, 0, 7), Err(SeatError::OverProviderTotal { remaining: 6, needed: 1 }));
        assert_eq!(check_client_seats(10, 4, 3, 2), Err(SeatError::BelowUsed { used: 3 }));
        assert_eq!(check_client_seats(10, 0, 0, 0), Err(SeatError::OutOfRange));
        assert_eq!(check_provider_total(5, 6), Err(SeatError::BelowAssigned { assigned: 6 }));
        assert_eq!(check_provider_total(6, 6), Ok(()));
        assert!(SeatError::OverProviderTotal { remaining: 2, needed: 3 }.to_string().contains("Only 2"));
    }
}
