//! Live sync for Bitwarden's apps: each change to items, folders, memberships
//! or an account's log-in is told to the apps that hold what changed, through
//! their notifications hub (`server::bitwarden::hub`). Other instances hear
//! of it through the store's notifications (PostgreSQL LISTEN/NOTIFY), as the
//! Members tables hear of membership changes.
//!
//! A notice names ids only (an item, a folder, an organisation), never
//! content: an app fetches what changed with its own token, under the same
//! rules as every other request, and throws away what it may not read.

use crate::{Actor, Result, Services};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Who hears a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// Every app logged in to this account.
    User(String),
    /// Every app of a member of this organisation or provider (staff of a
    /// provider hear its client organisations' notices too).
    Tenant(String),
    /// One logged-in app (its `devices` row).
    Device(String),
}

/// What happened to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemChange {
    Created,
    /// Edited, moved to or out of the Trash, filed, shared.
    Updated,
    /// Deleted for good.
    Deleted,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Item {
        id: String,
        org_id: Option<String>,
        collection_ids: Vec<String>,
        change: ItemChange,
    },
    Folder {
        id: String,
        change: ItemChange,
    },
    /// Many items at once: the apps fetch every item again.
    Items,
    /// Collections, groups or access changed: the apps sync in full.
    Vault,
    /// The person's organisations or providers (or their keys) changed: the
    /// apps sync in full and reconnect.
    Memberships,
    /// The account's sessions ended (a new master password, a reset, this
    /// app logged out): the apps log out.
    LogOut,
}

/// A change, who hears it, and which app made it (that app already knows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppNotice {
    pub to: Audience,
    pub change: Change,
    /// The device identifier of the app that made the change, if one did.
    pub context: Option<String>,
    /// Unix seconds.
    pub at: i64,
}

/// The marker of app notices among the store's notifications (a provider id
/// is a UUID, so it cannot be this).
pub(crate) const CHANNEL: &str = "apps";

impl Services {
    /// Tells the apps of `to` about `change`, made by `by` (this instance's hub
    /// at once, other instances' through the store).
    pub fn tell_apps(&self, to: Audience, change: Change, by: Option<&Actor>) {
        let notice = AppNotice { to, change, context: by.and_then(|a| a.app_context.clone()), at: self.now() };
        let payload = match serde_json::to_string(&notice) {
            Ok(json) => format!("{}|{CHANNEL}|{json}", self.instance_id),
            Err(e) => {
                tracing::warn!(error = %e, "could not encode an app notice");
                return;
            }
        };
        let _ = self.app_notices.send(notice);
        let store = self.store.clone();
        tokio::spawn(async move {
            if let Err(e) = store.notify(&payload).await {
                tracing::warn!(error = %e, "could not tell other instances of an app notice");
            }
        });
    }

    /// An item of the person's own vault changed.
    pub(crate) fn tell_own_item(&self, actor: &Actor, id: &str, change: ItemChange) {
        let change = Change::Item { id: id.into(), org_id: None, collection_ids: vec![], change };
        self.tell_apps(Audience::User(actor.user_id().into()), change, Some(actor));
    }

    /// Many items of the person's own vault, or of an organisation, changed.
    pub(crate) fn tell_items(&self, actor: &Actor, to: Audience) {
        self.tell_apps(to, Change::Items, Some(actor));
    }

    /// The organisations and providers whose notices an app of this person
    /// hears: every active membership, and the client organisations of the
    /// providers among them. Only ids travel in notices, so a wider set than
    /// the sync's would tell no secret; the apps fetch under their own rights.
    pub async fn app_hub_tenants(&self, actor: &Actor) -> Result<BTreeSet<String>> {
        let mut tenants = BTreeSet::new();
        for (tenant, m) in self.store.memberships_of_user(actor.user_id()).await? {
            if !crate::accounts::member_facts(&m).is_active() {
                continue;
            }
            if !tenant.is_organization() {
                for client in self.store.list_clients(&tenant.id).await? {
                    tenants.insert(client.org.id);
                }
            }
            tenants.insert(tenant.id);
        }
        Ok(tenants)
    }

    /// A place on the notifications hub for one of the person's apps, held
    /// while its connection is open; refused beyond
    /// [`MAX_HUB_CONNECTIONS`] at once on this instance, so that one account's
    /// token cannot hold open connections without end.
    pub fn hub_place(&self, actor: &Actor) -> Result<HubPlace> {
        let mut open = self.hub_connections.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(actor.user_id().to_string()).or_default();
        if *n >= MAX_HUB_CONNECTIONS {
            return Err(crate::ServiceError::RateLimited(format!(
                "This account has {MAX_HUB_CONNECTIONS} apps listening for changes already: close one, or log an app out under My account → Apps."
            )));
        }
        *n += 1;
        Ok(HubPlace { open: self.hub_connections.clone(), user_id: actor.user_id().to_string() })
    }

    /// Listens to every app notice of this instance and of the others.
    pub fn subscribe_app_notices(&self) -> tokio::sync::broadcast::Receiver<AppNotice> {
        self.app_notices.subscribe()
    }

    /// A notice another instance sent (the part of its payload after the marker).
    pub(crate) fn relay_app_notice(&self, json: &str) {
        match serde_json::from_str::<AppNotice>(json) {
            Ok(n) => {
                let _ = self.app_notices.send(n);
            }
            Err(e) => tracing::warn!(error = %e, "an app notice from another instance could not be read"),
        }
    }
}

/// The most notifications hub connections one account holds open at once on
/// an instance (a person's extensions, desktop and phone apps, with room to spare).
pub const MAX_HUB_CONNECTIONS: usize = 20;

/// An open hub connection's place ([`Services::hub_place`]), given back when dropped.
pub struct HubPlace {
    open: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
    user_id: String,
}

impl Drop for HubPlace {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.user_id) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.user_id);
            }
        }
    }
}

impl AppNotice {
    /// Whether the app of `user_id` (its device row `device`, hearing `tenants`) hears it.
    pub fn reaches(&self, user_id: &str, device: &str, tenants: &BTreeSet<String>) -> bool {
        match &self.to {
            Audience::User(u) => u == user_id,
            Audience::Tenant(t) => tenants.contains(t),
            Audience::Device(d) => d == device,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(to: Audience) -> AppNotice {
        AppNotice { to, change: Change::Items, context: None, at: 1 }
    }

    #[test]
    fn a_notice_reaches_its_audience_only() {
        let tenants: BTreeSet<String> = ["org-a".to_string()].into();
        assert!(notice(Audience::User("u1".into())).reaches("u1", "d1", &tenants));
        assert!(!notice(Audience::User("u2".into())).reaches("u1", "d1", &tenants));
        assert!(notice(Audience::Tenant("org-a".into())).reaches("u1", "d1", &tenants));
        assert!(!notice(Audience::Tenant("org-b".into())).reaches("u1", "d1", &tenants));
        assert!(notice(Audience::Device("d1".into())).reaches("u1", "d1", &tenants));
        assert!(!notice(Audience::Device("d2".into())).reaches("u1", "d1", &tenants));
    }

    #[tokio::test]
    async fn an_account_holds_a_bounded_number_of_hub_places() {
        let db = db::testing::sqlite().await;
        let s = Services::new(db.store.clone(), crate::ServiceSettings::default(), std::sync::Arc::new(crate::SystemClock));
        let actor = |u: &str| Actor { user_id: u.into(), email: format!("{u}@x.com"), session_hash: "device:d".into(), app_context: None };
        let mut held: Vec<HubPlace> = (0..MAX_HUB_CONNECTIONS).map(|_| s.hub_place(&actor("a")).unwrap()).collect();
        assert!(matches!(s.hub_place(&actor("a")), Err(crate::ServiceError::RateLimited(_))));
        assert!(s.hub_place(&actor("b")).is_ok(), "another account is not held back");
        held.pop();
        assert!(s.hub_place(&actor("a")).is_ok(), "a closed connection gives its place back");
    }

    #[test]
    fn a_notice_survives_the_trip_between_instances() {
        let n = AppNotice {
            to: Audience::Tenant("org".into()),
            change: Change::Item { id: "i|1".into(), org_id: Some("org".into()), collection_ids: vec!["c".into()], change: ItemChange::Created },
            context: Some("app-1".into()),
            at: 42,
        };
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(serde_json::from_str::<AppNotice>(&json).unwrap(), n);
    }
}
