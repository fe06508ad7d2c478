//! The vault timeout a person chooses for this browser (Bitwarden's web vault
//! choices), and what it comes to under an organisation's Vault timeout
//! policy. Pure: the browser keeps the choice in its own storage and applies
//! it (`app::vault_keep`).

use crate::org::VaultTimeoutRules;
use serde::{Deserialize, Serialize};

/// How long the vault stays unlocked in this browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum VaultTimeout {
    /// Every reload or new tab locks (the keys live only in one page's memory).
    #[default]
    OnRefresh,
    /// Unlocked across reloads and tabs until this many minutes pass without
    /// a key press, click or scroll in any tab.
    Minutes(u32),
    /// Unlocked across reloads and tabs until the browser is closed.
    OnRestart,
}

/// What happens when the timeout passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TimeoutAction {
    #[default]
    Lock,
    LogOut,
}

/// The choices offered, in the order shown.
pub const CHOICES: [VaultTimeout; 5] =
    [VaultTimeout::OnRefresh, VaultTimeout::Minutes(15), VaultTimeout::Minutes(60), VaultTimeout::Minutes(240), VaultTimeout::OnRestart];

impl VaultTimeout {
    /// The value kept in the browser ("refresh", "15", "restart").
    pub fn as_str(self) -> String {
        match self {
            VaultTimeout::OnRefresh => "refresh".into(),
            VaultTimeout::Minutes(m) => m.to_string(),
            VaultTimeout::OnRestart => "restart".into(),
        }
    }

    /// Only the offered choices parse; anything else is None.
    pub fn parse(s: &str) -> Option<Self> {
        CHOICES.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> String {
        match self {
            VaultTimeout::OnRefresh => "On browser refresh".into(),
            VaultTimeout::Minutes(m) => VaultTimeoutRules { minutes: m, log_out: false }.describe(),
            VaultTimeout::OnRestart => "On browser restart".into(),
        }
    }

    /// Whether the keys outlive the page (sealed in the browser, see SECURITY.md).
    pub fn keeps_keys(self) -> bool {
        self != VaultTimeout::OnRefresh
    }

    /// Whether an organisation's policy allows this choice: no longer than its
    /// time, and never "until the browser closes" (which has no time limit).
    pub fn allowed(self, policy: Option<VaultTimeoutRules>) -> bool {
        match (self, policy) {
            (_, None) | (VaultTimeout::OnRefresh, _) => true,
            (VaultTimeout::Minutes(m), Some(p)) => m <= p.minutes,
            (VaultTimeout::OnRestart, Some(_)) => false,
        }
    }

    /// The choice in force: the person's, or, where a policy forbids it, the
    /// longest choice the policy allows.
    pub fn effective(self, policy: Option<VaultTimeoutRules>) -> Self {
        if self.allowed(policy) {
            return self;
        }
        CHOICES.into_iter().rfind(|c| c.allowed(policy)).unwrap_or_default()
    }

    /// Minutes of inactivity after which the kept keys expire (None: no time limit).
    pub fn idle_minutes(self) -> Option<u32> {
        match self {
            VaultTimeout::Minutes(m) => Some(m),
            _ => None,
        }
    }
}

impl TimeoutAction {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeoutAction::Lock => "lock",
            TimeoutAction::LogOut => "logout",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [TimeoutAction::Lock, TimeoutAction::LogOut].into_iter().find(|a| a.as_str() == s)
    }

    /// A policy that logs out overrides a choice to lock.
    pub fn effective(self, policy: Option<VaultTimeoutRules>) -> Self {
        if policy.is_some_and(|p| p.log_out) { TimeoutAction::LogOut } else { self }
    }
}

/// Whether kept keys may still be used: before their deadline (timed
/// choices), and in the same browser session as they were kept in ("On
/// browser restart": the browser-session tag a closed browser forgets).
pub fn kept_keys_usable(choice: VaultTimeout, deadline_ms: Option<f64>, now_ms: f64, kept_tag: &str, current_tag: Option<&str>) -> bool {
    match choice {
        VaultTimeout::OnRefresh => false,
        VaultTimeout::Minutes(_) => deadline_ms.is_some_and(|d| now_ms < d),
        VaultTimeout::OnRestart => current_tag.is_some_and(|t| !t.is_empty() && t == kept_tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(minutes: u32, log_out: bool) -> Option<VaultTimeoutRules> {
        Some(VaultTimeoutRules { minutes, log_out })
    }

    #[test]
    fn choices_round_trip_and_read_as_bitwarden_words() {
        for c in CHOICES {
            assert_eq!(VaultTimeout::parse(&c.as_str()), Some(c));
        }
        let labels: Vec<String> = CHOICES.iter().map(|c| c.label()).collect();
        assert_eq!(labels, ["On browser refresh", "15 minutes", "1 hour", "4 hours", "On browser restart"]);
        assert_eq!(VaultTimeout::parse("30"), None, "only offered choices");
        assert_eq!(VaultTimeout::parse(""), None);
        assert_eq!(TimeoutAction::parse("logout"), Some(TimeoutAction::LogOut));
        assert_eq!(TimeoutAction::parse("never"), None);
    }

    #[test]
    fn a_policy_caps_the_choice_and_forbids_browser_restart() {
        let p = policy(60, false);
        assert!(VaultTimeout::Minutes(60).allowed(p));
        assert!(!VaultTimeout::Minutes(240).allowed(p));
        assert!(!VaultTimeout::OnRestart.allowed(p));
        assert!(VaultTimeout::OnRestart.allowed(None));
        assert_eq!(VaultTimeout::Minutes(240).effective(p), VaultTimeout::Minutes(60));
        assert_eq!(VaultTimeout::OnRestart.effective(p), VaultTimeout::Minutes(60));
        assert_eq!(VaultTimeout::OnRestart.effective(policy(10, false)), VaultTimeout::OnRefresh, "nothing timed fits in 10 minutes");
        assert_eq!(VaultTimeout::Minutes(15).effective(policy(10, false)), VaultTimeout::OnRefresh);
        assert_eq!(VaultTimeout::Minutes(240).effective(None), VaultTimeout::Minutes(240));
        assert_eq!(TimeoutAction::Lock.effective(policy(60, true)), TimeoutAction::LogOut);
        assert_eq!(TimeoutAction::Lock.effective(policy(60, false)), TimeoutAction::Lock);
        assert_eq!(TimeoutAction::LogOut.effective(None), TimeoutAction::LogOut);
    }

    #[test]
    fn kept_keys_expire_with_the_deadline_or_the_browser_session() {
        let m = VaultTimeout::Minutes(15);
        assert!(kept_keys_usable(m, Some(1_000.0), 999.0, "", None));
        assert!(!kept_keys_usable(m, Some(1_000.0), 1_000.0, "", None));
        assert!(!kept_keys_usable(m, None, 0.0, "", None), "a timed choice without a deadline is expired");
        let r = VaultTimeout::OnRestart;
        assert!(kept_keys_usable(r, None, 5.0, "tag-a", Some("tag-a")));
        assert!(!kept_keys_usable(r, None, 5.0, "tag-a", Some("tag-b")), "a new browser session");
        assert!(!kept_keys_usable(r, None, 5.0, "tag-a", None));
        assert!(!kept_keys_usable(r, None, 5.0, "", Some("")));
        assert!(!kept_keys_usable(VaultTimeout::OnRefresh, Some(1e15), 0.0, "t", Some("t")));
    }
}
