//! The vault timeout in this browser: with any choice but "On browser
//! refresh", the user key outlives the page so a reload or a new tab opens
//! unlocked. It is kept sealed: AES-256-GCM under a random WebCrypto key
//! made non-extractable (scripts can use it, never read it), both in this
//! origin's IndexedDB, bound to the account; never in the clear, never sent.
//! Timed choices expire after that long without activity in any tab; "On
//! browser restart" only opens in the browser session (a session cookie
//! holding a random tag, no key material) it was kept in. Locking in one tab
//! locks every tab. The rules are `domain::vault_timeout`'s.

use domain::api::Me;
#[cfg(feature = "hydrate")]
use domain::crypto::UnlockedKeys;
use domain::vault_timeout::{TimeoutAction, VaultTimeout};

const TIMEOUT: &str = "pp_vault_timeout";
const ACTION: &str = "pp_vault_timeout_action";
/// When timed kept keys expire (ms since the epoch), moved on by activity.
const DEADLINE: &str = "pp_vault_deadline";
/// Written when a tab locks: other tabs see the storage event and lock too.
pub const LOCKED: &str = "pp_vault_locked";

/// The person's choice in this browser (not yet bounded by policies).
pub fn chosen() -> (VaultTimeout, TimeoutAction) {
    let timeout = get(TIMEOUT).and_then(|s| VaultTimeout::parse(&s)).unwrap_or_default();
    let action = get(ACTION).and_then(|s| TimeoutAction::parse(&s)).unwrap_or_default();
    (timeout, action)
}

/// The choice in force for this person: theirs, within their organisations' policy.
pub fn in_force(me: &Me) -> (VaultTimeout, TimeoutAction) {
    let (t, a) = chosen();
    let policy = me.policies.vault_timeout;
    (t.effective(policy), a.effective(policy))
}

pub fn choose(timeout: VaultTimeout, action: TimeoutAction) {
    set(TIMEOUT, &timeout.as_str());
    set(ACTION, action.as_str());
}

/// Moves the deadline of timed kept keys on (activity, a kept or restored unlock).
pub fn touch(me: &Me) {
    if let Some(m) = in_force(me).0.idle_minutes() {
        let deadline = now() + f64::from(m) * 60_000.0;
        // Writes at most every 10 s however busy the page is.
        if deadline - deadline_ms().unwrap_or(0.0) > 10_000.0 {
            set(DEADLINE, &format!("{deadline:.0}"));
        }
    }
}

pub fn deadline_ms() -> Option<f64> {
    get(DEADLINE).and_then(|s| s.parse().ok())
}

/// True when timed kept keys are past their deadline.
pub fn expired(me: &Me) -> bool {
    in_force(me).0.idle_minutes().is_some() && deadline_ms().is_none_or(|d| now() >= d)
}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Rendering on the server: no browser storage (the defaults show).
#[cfg(not(feature = "hydrate"))]
fn storage() -> Option<web_sys::Storage> {
    None
}

fn now() -> f64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now();
    #[cfg(not(feature = "hydrate"))]
    0.0
}

fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/js/vault_keep.js")]
    extern "C" {
        pub fn browser_tag() -> String;
        pub fn keep(user: &str, bytes: &[u8], tag: &str) -> js_sys::Promise;
        pub fn kept(user: &str) -> js_sys::Promise;
        pub fn forget() -> js_sys::Promise;
    }
}

/// Keeps the unlocked user key sealed in this browser when the choice in
/// force outlives the page; otherwise makes sure nothing is kept.
#[cfg(feature = "hydrate")]
pub async fn keep(me: &Me, keys: &UnlockedKeys) {
    use wasm_bindgen_futures::JsFuture;
    if !in_force(me).0.keeps_keys() {
        forget().await;
        return;
    }
    let bytes = keys.user_key.to_bytes();
    let promise = browser::keep(&me.user_id, &bytes, &browser::browser_tag());
    drop(bytes);
    if JsFuture::from(promise).await.is_ok() {
        touch(me);
    }
}

/// The keys kept by an earlier page, when the choice in force still allows
/// them (anything stale is forgotten).
#[cfg(feature = "hydrate")]
pub async fn restore(me: &Me) -> Option<UnlockedKeys> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let (timeout, _) = in_force(me);
    if !timeout.keeps_keys() {
        return None;
    }
    let found = JsFuture::from(browser::kept(&me.user_id)).await.ok().filter(|v| !v.is_null())?;
    let pair: js_sys::Array = found.dyn_into().ok()?;
    let tag = pair.get(0).as_string().unwrap_or_default();
    let bytes = zeroize::Zeroizing::new(js_sys::Uint8Array::new(&pair.get(1)).to_vec());
    let usable = domain::vault_timeout::kept_keys_usable(timeout, deadline_ms(), now(), &tag, Some(&browser::browser_tag()));
    let keys = usable.then(|| domain::crypto::unlock_with_user_key(&bytes, &me.protected_private_key).ok()).flatten();
    match keys {
        Some(k) => {
            touch(me);
            Some(k)
        }
        None => {
            forget().await;
            None
        }
    }
}

/// Deletes the kept keys (lock, log out, a choice that keeps none).
#[cfg(feature = "hydrate")]
pub async fn forget() {
    let _ = wasm_bindgen_futures::JsFuture::from(browser::forget()).await;
    if let Some(s) = storage() {
        let _ = s.remove_item(DEADLINE);
    }
}

/// Tells the other tabs this one locked, and why ("lock", "timeout", "logout").
pub fn announce_lock(why: &str) {
    set(LOCKED, &format!("{:.0} {why}", now()));
}

/// Why another tab locked, from the value it wrote.
pub fn lock_reason(value: &str) -> &str {
    value.split_once(' ').map_or("lock", |(_, why)| why)
}
