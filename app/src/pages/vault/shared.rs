//! Organisation items in the person's own vault: the collections shared with
//! them (directly or through a group), opened with the organisation key their
//! membership carries (sealed to their key pair), and shown with what they may
//! do: Can view is read only, "except passwords" hides the secrets.

use crate::session::Session;
use domain::api::{Me, SharedCollection};
use domain::bitwarden::cipher::{CipherView, FieldType};
use domain::crypto::SymmetricKey;
use leptos::prelude::*;

/// An organisation the person is a confirmed member of, with its key opened.
#[derive(Clone)]
pub struct OrgRef {
    pub id: String,
    pub name: String,
    pub key: SymmetricKey,
}

/// Where an item lives when it is not the person's own.
#[derive(Clone, PartialEq)]
pub struct Shared {
    pub org_id: String,
    pub org_name: String,
    pub collection_ids: Vec<String>,
    pub edit: bool,
    pub view_password: bool,
}

/// The person's organisations whose keys open here (a membership not yet
/// confirmed has no key).
pub fn org_refs(me: &Me, s: &Session) -> Vec<OrgRef> {
    me.organizations
        .iter()
        .filter_map(|o| Some(OrgRef { id: o.id.clone(), name: o.name.clone(), key: s.provider_key(o.wrapped_key.as_deref()?).ok()? }))
        .collect()
}

/// "Can view, except passwords": the password, the authenticator key and
/// hidden fields are not shown (Bitwarden's apps hide the same).
pub fn hide_secrets(c: &mut CipherView) {
    if let Some(l) = c.login.as_mut() {
        l.password = None;
        l.totp = None;
    }
    for f in c.fields.iter_mut().filter(|f| f.kind == FieldType::Hidden) {
        f.value = None;
    }
    c.password_history.clear();
}

/// A collection the person may save new items into, its name opened.
#[derive(Clone, PartialEq)]
pub struct Destination {
    pub org_id: String,
    pub collection_id: String,
    pub label: String,
}

pub fn destinations(orgs: &[OrgRef], collections: &[SharedCollection]) -> Vec<Destination> {
    let mut out: Vec<Destination> = collections
        .iter()
        .filter(|c| c.edit)
        .filter_map(|c| {
            let org = orgs.iter().find(|o| o.id == c.org_id)?;
            let name = String::from_utf8(org.key.decrypt(&c.name).ok()?).ok()?;
            Some(Destination { org_id: c.org_id.clone(), collection_id: c.id.clone(), label: format!("{} — {name}", org.name) })
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

/// Which vault the list shows: every vault, the person's own, or one organisation's.
#[component]
pub fn VaultFilter(vault: RwSignal<String>, orgs: Vec<(String, String)>) -> impl IntoView {
    view! {
        <select class="filter" aria-label="Vault" bind:value=vault>
            <option value="">"All vaults"</option>
            <option value="mine">"My vault"</option>
            {orgs.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
        </select>
    }
}
