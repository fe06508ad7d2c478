//! Rate limits and log-in throttling. The counters live in the store (the
//! `rate_counters` table), so every server instance on one database counts
//! together, and each row is deleted once its window has ended
//! (`Services::purge_expired`): nothing grows in a process's memory.
//!
//! Failed log-ins are counted per (account, client address) with growing
//! delays, so nobody can lock a chosen account out from elsewhere, and per
//! client address across accounts (a guesser spraying many accounts).

/// How long failed log-ins are remembered after the last one.
pub const LOGIN_WINDOW_SECS: i64 = 15 * 60;
/// Failed log-ins from one client address, any account, in a window, before it must wait.
pub const MAX_FAILURES_PER_IP: i64 = 50;
/// Failures of one (account, address) pair that cost nothing; each further one doubles the wait.
pub const FREE_FAILURES: i64 = 4;
/// The longest wait between two attempts of one pair.
pub const MAX_DELAY_SECS: i64 = 15 * 60;
/// Pre-log-in requests for unknown or malformed emails from one address, a minute.
pub const MAX_PRELOGIN_FAILURES: i64 = 120;

/// Seconds one (account, address) pair must still wait after `failures`
/// failed attempts, the last at `last_at`: none for the first few, then
/// 2, 4, 8 … seconds, at most `MAX_DELAY_SECS`.
pub fn login_delay(failures: i64, last_at: i64, now: i64) -> Option<i64> {
    if failures < FREE_FAILURES {
        return None;
    }
    let shift = u32::try_from(failures - FREE_FAILURES + 1).unwrap_or(u32::MAX);
    let delay = 1i64.checked_shl(shift).filter(|d| *d > 0).unwrap_or(i64::MAX).min(MAX_DELAY_SECS);
    let wait = last_at.saturating_add(delay) - now;
    (wait > 0).then_some(wait)
}

/// "Try again in …" for a wait in seconds.
pub fn wait_text(secs: i64) -> String {
    if secs < 60 { format!("Try again in {} second(s).", secs.max(1)) } else { format!("Try again in {} minute(s).", (secs + 59) / 60) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_free_failures_and_stop_growing() {
        for f in 0..FREE_FAILURES {
            assert_eq!(login_delay(f, 100, 100), None);
        }
        assert_eq!(login_delay(FREE_FAILURES, 100, 100), Some(2));
        assert_eq!(login_delay(FREE_FAILURES + 1, 100, 100), Some(4));
        assert_eq!(login_delay(FREE_FAILURES + 5, 100, 100), Some(64));
        assert_eq!(login_delay(FREE_FAILURES + 30, 100, 100), Some(MAX_DELAY_SECS));
        assert_eq!(login_delay(i64::MAX, 100, 100), Some(MAX_DELAY_SECS));
        assert_eq!(login_delay(FREE_FAILURES + 1, 100, 103), Some(1), "the wait counts from the last failure");
        assert_eq!(login_delay(FREE_FAILURES + 1, 100, 104), None, "then the pair may try again");
    }

    #[test]
    fn wait_texts() {
        assert_eq!(wait_text(0), "Try again in 1 second(s).");
        assert_eq!(wait_text(59), "Try again in 59 second(s).");
        assert_eq!(wait_text(61), "Try again in 2 minute(s).");
    }
}
