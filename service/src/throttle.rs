//! Log-in throttling per account and per IP: a sliding window of failures.

use std::collections::HashMap;
use std::sync::Mutex;

pub const WINDOW_SECS: i64 = 15 * 60;
pub const MAX_PER_ACCOUNT: usize = 10;
pub const MAX_PER_IP: usize = 50;

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

impl Throttle {
    fn key_blocked(map: &mut HashMap<String, Vec<i64>>, key: &str, now: i64, max: usize) -> Option<i64> {
        let v = map.get_mut(key)?;
        v.retain(|t| *t > now - WINDOW_SECS);
        (v.len() >= max).then(|| v[0] + WINDOW_SECS - now)
    }

    /// Seconds to wait, if either the account or the IP is blocked.
    pub fn blocked(&self, account: &str, ip: Option<&str>, now: i64) -> Option<i64> {
        let mut m = self.failures.lock().expect("throttle lock");
        let a = Self::key_blocked(&mut m, &format!("acct:{account}"), now, MAX_PER_ACCOUNT);
        let i = ip.and_then(|ip| Self::key_blocked(&mut m, &format!("ip:{ip}"), now, MAX_PER_IP));
        a.max(i)
    }

    pub fn fail(&self, account: &str, ip: Option<&str>, now: i64) {
        let mut m = self.failures.lock().expect("throttle lock");
        m.entry(format!("acct:{account}")).or_default().push(now);
        if let Some(ip) = ip {
            m.entry(format!("ip:{ip}")).or_default().push(now);
        }
        if m.len() > 100_000 {
            m.retain(|_, v| v.last().is_some_and(|t| *t > now - WINDOW_SECS));
        }
    }

    /// A general rate limit: records a hit under `key` unless `max` hits in
    /// the last `window` seconds were already made; then returns the wait.
    pub fn hit(&self, key: &str, max: usize, window: i64, now: i64) -> Result<(), i64> {
        let mut m = self.failures.lock().expect("throttle lock");
        let v = m.entry(format!("hit:{key}")).or_default();
        v.retain(|t| *t > now - window);
        if v.len() >= max {
            return Err(v[0] + window - now);
        }
        v.push(now);
        Ok(())
    }

    pub fn succeed(&self, account: &str) {
        self.failures.lock().expect("throttle lock").remove(&format!("acct:{account}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_limit() {
        let t = Throttle::default();
        assert!(t.hit("k", 2, 60, 0).is_ok());
        assert!(t.hit("k", 2, 60, 1).is_ok());
        assert_eq!(t.hit("k", 2, 60, 2), Err(58));
        assert!(t.hit("other", 2, 60, 2).is_ok());
        assert!(t.hit("k", 2, 60, 61).is_ok());
    }

    #[test]
    fn blocks_after_limit_and_recovers() {
        let t = Throttle::default();
        for i in 0..MAX_PER_ACCOUNT as i64 {
            assert!(t.blocked("a", Some("1.1.1.1"), 100 + i).is_none());
            t.fail("a", Some("1.1.1.1"), 100 + i);
        }
        assert!(t.blocked("a", None, 200).is_some());
        assert!(t.blocked("b", Some("1.1.1.1"), 200).is_none(), "the IP has room left");
        assert!(t.blocked("a", None, 100 + WINDOW_SECS + 10).is_none(), "the window slides");
        t.succeed("a");
        assert!(t.blocked("a", None, 200).is_none());
    }
}
