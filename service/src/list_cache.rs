//! Member lists kept between requests, keyed by the tenant's version.
//!
//! Every transaction that changes a tenant's members bumps `providers.version`
//! (`lock_tenant` for batches, the accept step on its own), and `authorize`
//! reads that row before the list is read. A list read after seeing version
//! `v` therefore holds at least everything up to `v`, and a cached list is
//! served only while the tenant is still at the version it was read under.
//! Another instance's change bumps the same row, so every instance sees it on
//! its next request: nothing is pushed between instances.
//!
//! What is kept are the stored rows; what depends on the reader (`is_me`) or
//! on the clock (the Expired badge) is worked out per request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How many member rows are kept in all (about 300 bytes each: ~30 MB); the
/// least recently used tenants' lists go first. Even a small list is worth
/// keeping: its query is a third of the database round trips of a request.
pub const DEFAULT_CAPACITY: usize = 100_000;

pub struct ListCache {
    /// In rows.
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    tick: u64,
    rows: usize,
    entries: HashMap<String, Entry>,
}

struct Entry {
    version: i64,
    rows: Arc<Vec<db::MemberView>>,
    used: u64,
}

impl ListCache {
    /// A cache of up to `capacity` member rows; 0 turns it off.
    pub fn new(capacity: usize) -> Self {
        ListCache { capacity, inner: Mutex::new(Inner::default()) }
    }

    /// The capacity from `LIST_CACHE` (a number of member rows; `0` or `off`
    /// turns the cache off), else the default.
    pub fn from_env() -> Self {
        let capacity = match std::env::var("LIST_CACHE").ok().as_deref().map(str::trim) {
            Some("off") | Some("0") => 0,
            Some(v) => v.parse().unwrap_or(DEFAULT_CAPACITY),
            None => DEFAULT_CAPACITY,
        };
        Self::new(capacity)
    }

    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    /// The tenant's list if it was read at exactly `version`.
    pub fn get(&self, tenant_id: &str, version: i64) -> Option<Arc<Vec<db::MemberView>>> {
        if !self.enabled() {
            return None;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.tick += 1;
        let tick = inner.tick;
        match inner.entries.get_mut(tenant_id) {
            Some(e) if e.version == version => {
                e.used = tick;
                Some(e.rows.clone())
            }
            _ => None,
        }
    }

    /// Keeps a list read after the tenant was seen at `version`. An entry of a
    /// newer version is never replaced by an older one; a list larger than
    /// the whole capacity is not kept.
    pub fn put(&self, tenant_id: &str, version: i64, rows: Arc<Vec<db::MemberView>>) {
        if !self.enabled() || rows.len() > self.capacity {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.tick += 1;
        let tick = inner.tick;
        if inner.entries.get(tenant_id).is_some_and(|old| old.version > version) {
            return;
        }
        if let Some(old) = inner.entries.remove(tenant_id) {
            inner.rows -= old.rows.len();
        }
        while inner.rows + rows.len() > self.capacity {
            let Some(oldest) = inner.entries.iter().min_by_key(|(_, e)| e.used).map(|(k, _)| k.clone()) else { break };
            if let Some(e) = inner.entries.remove(&oldest) {
                inner.rows -= e.rows.len();
            }
        }
        inner.rows += rows.len();
        inner.entries.insert(tenant_id.to_string(), Entry { version, rows, used: tick });
    }

    /// How many tenants' lists are held.
    pub fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).entries.len()
    }

    /// How many member rows are held in all.
    pub fn rows(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).rows
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize, tag: &str) -> Arc<Vec<db::MemberView>> {
        Arc::new(
            (0..n)
                .map(|i| db::MemberView {
                    member: db::MemberRow {
                        id: format!("{tag}-{i}"),
                        provider_id: "p".into(),
                        user_id: None,
                        email: format!("{i}@x.com"),
                        user_type: "service_user".into(),
                        status: "invited".into(),
                        suspended: false,
                        wrapped_key: None,
                        invited_at: 0,
                        expires_at: None,
                        accepted_at: None,
                        confirmed_at: None,
                        permissions: String::new(),
                    },
                    name: None,
                    public_key: None,
                })
                .collect(),
        )
    }

    #[test]
    fn serves_only_the_version_it_was_read_at() {
        let c = ListCache::new(100);
        c.put("t", 3, rows(10, "a"));
        assert_eq!(c.get("t", 3).unwrap()[0].member.id, "a-0");
        assert!(c.get("t", 4).is_none(), "a newer version must be read again");
        assert!(c.get("t", 2).is_none());
        assert!(c.get("u", 3).is_none(), "another tenant's list is never served");
    }

    #[test]
    fn an_older_read_never_replaces_a_newer_one() {
        let c = ListCache::new(100);
        c.put("t", 5, rows(10, "new"));
        c.put("t", 4, rows(20, "old"));
        assert_eq!(c.get("t", 5).unwrap()[0].member.id, "new-0");
        assert_eq!(c.rows(), 10);
        c.put("t", 6, rows(30, "newer"));
        assert_eq!(c.get("t", 6).unwrap()[0].member.id, "newer-0");
        assert_eq!((c.len(), c.rows()), (1, 30), "a replaced list no longer counts");
    }

    #[test]
    fn an_oversized_list_and_a_disabled_cache_keep_nothing() {
        let c = ListCache::new(10);
        c.put("t", 1, rows(11, "a"));
        assert!(c.is_empty());
        let off = ListCache::new(0);
        off.put("t", 1, rows(1, "a"));
        assert!(off.get("t", 1).is_none());
        assert!(off.is_empty());
    }

    #[test]
    fn the_least_recently_used_tenants_go_first_until_the_rows_fit() {
        let c = ListCache::new(10);
        c.put("a", 1, rows(4, "a"));
        c.put("b", 1, rows(4, "b"));
        c.put("c", 1, rows(1, "c"));
        assert!(c.get("a", 1).is_some()); // b is now the least recently used
        c.put("d", 1, rows(3, "d"));
        assert!(c.get("b", 1).is_none());
        assert!(c.get("a", 1).is_some() && c.get("c", 1).is_some() && c.get("d", 1).is_some());
        assert_eq!(c.rows(), 8);
        c.put("e", 1, rows(9, "e"));
        assert_eq!((c.len(), c.rows()), (1, 9), "everything older made room");
    }
}
