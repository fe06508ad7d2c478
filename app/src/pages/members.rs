//! Provider Portal → Manage → Members: the members table with search, tabs,
//! multi-select, bulk and row menus, and the invite / confirm / remove dialogs.

use crate::api::*;
use crate::client_view::{ClientView, IntoClientView};
use crate::components::{ErrorView, Field, MenuButton, Modal};
use crate::error::ApiError;
use crate::pages::AdminBody;
use crate::pages::clients::ProviderShell;
use crate::pages::fmt_time;
use crate::pages::providers::badge_class;
use crate::session::use_session;
use domain::api::*;
use domain::authz::Permissions;
use domain::crypto::SymmetricKey;
use domain::member::{Role, StatusBadge, TenantKind};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use std::collections::HashSet;

const ROWS_PER_PAGE: usize = 100;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    All,
    Invited,
    NeedsConfirmation,
}

impl Tab {
    fn from_query(s: Option<String>) -> Tab {
        match s.as_deref() {
            Some("invited") => Tab::Invited,
            Some("needs-confirmation") => Tab::NeedsConfirmation,
            _ => Tab::All,
        }
    }
    fn code(self) -> &'static str {
        match self {
            Tab::All => "all",
            Tab::Invited => "invited",
            Tab::NeedsConfirmation => "needs-confirmation",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Tab::All => "All",
            Tab::Invited => "Invited",
            Tab::NeedsConfirmation => "Needs confirmation",
        }
    }
    fn admits(self, m: &MemberListItem) -> bool {
        match self {
            Tab::All => true,
            Tab::Invited => matches!(m.badge, StatusBadge::Invited | StatusBadge::Expired),
            Tab::NeedsConfirmation => m.badge == StatusBadge::NeedsConfirmation,
        }
    }
}

fn matches_search(m: &MemberListItem, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    q.is_empty() || m.email.contains(&q) || m.name.as_deref().is_some_and(|n| n.to_lowercase().contains(&q))
}

/// Whose members a table shows: the provider's, or a client organisation's.
#[derive(Clone, PartialEq)]
pub struct Scope {
    pub id: String,
    pub name: String,
    pub kind: TenantKind,
    pub key: TenantKey,
    /// Where "Event logs" of a member leads.
    pub events_base: String,
    /// The viewer may recover members' accounts (organisations only): the
    /// table asks who is enrolled only then.
    pub can_recover: bool,
}

/// How this browser opens the key it hands to members at confirmation.
#[derive(Clone, PartialEq)]
pub enum TenantKey {
    /// Sealed to the signed-in user (the provider key, or an organisation key
    /// given to one of the organisation's own members).
    Sealed(Option<String>),
    /// An organisation key encrypted with the provider key, which is sealed to the user.
    ViaProvider { provider_wrapped: Option<String>, org_key: Option<String> },
}

impl TenantKey {
    pub fn open(&self, s: &crate::session::Session) -> Result<SymmetricKey, String> {
        let locked = |_| "Unlock your vault first.".to_string();
        match self {
            TenantKey::Sealed(Some(w)) => s.provider_key(w).map_err(locked),
            TenantKey::ViaProvider { provider_wrapped: Some(pw), org_key: Some(ok) } => {
                let pk = s.provider_key(pw).map_err(locked)?;
                let raw = pk.decrypt(ok).map_err(|_| "The organisation key could not be opened.".to_string())?;
                SymmetricKey::from_bytes(&raw).map_err(|_| "The organisation key is malformed.".to_string())
            }
            _ => Err("You do not hold the key yet: wait until you are confirmed.".into()),
        }
    }
}

impl Scope {
    pub fn of_provider(p: &ProviderSummary) -> Scope {
        Scope {
            id: p.id.clone(),
            name: p.name.clone(),
            kind: TenantKind::Provider,
            key: TenantKey::Sealed(p.wrapped_key.clone()),
            events_base: format!("/providers/{}/events", p.id),
            can_recover: false,
        }
    }
    fn is_org(&self) -> bool {
        self.kind == TenantKind::Organization
    }
}

/// What a bulk or row action is about to do.
#[derive(Clone, PartialEq)]
enum Pending {
    Remove(Vec<MemberListItem>),
    Suspend(Vec<MemberListItem>, bool),
}

#[component]
pub fn MembersPage() -> impl IntoView {
    view! { <ProviderShell title="Members" admin_only=true body=AdminBody::Members /> }
}

pub(crate) fn members_body(p: ProviderSummary) -> ClientView {
    view! { <MembersTable scope=Scope::of_provider(&p) /> }.into_client()
}

#[component]
pub fn MembersTable(scope: Scope) -> impl IntoView {
    let provider_name = scope.name.clone();
    let is_org = scope.is_org();
    let kind = scope.kind;
    let query = use_query_map();
    let navigate = use_navigate();
    let pid = scope.id.clone();
    let events_base = StoredValue::new(scope.events_base.clone());
    let version = RwSignal::new(0u32);
    let members = {
        let pid = pid.clone();
        Resource::new(move || version.get(), move |_| list_members(pid.clone()))
    };
    live_updates(pid.clone(), version);
    let undelivered = {
        let pid = pid.clone();
        Resource::new(move || version.get(), move |_| failed_mails(pid.clone()))
    };

    let search = RwSignal::new(query.with_untracked(|q| q.get("q")).unwrap_or_default());
    let tab = Signal::derive(move || Tab::from_query(query.with(|q| q.get("tab"))));
    let set_query = {
        let navigate = navigate.clone();
        move |q: String, t: Tab| {
            let mut url = format!("?tab={}", t.code());
            if !q.is_empty() {
                url.push_str(&format!("&q={}", crate::components::urlencode(&q)));
            }
            navigate(&url, leptos_router::NavigateOptions { replace: true, scroll: false, ..Default::default() });
        }
    };
    let selected = RwSignal::new(HashSet::<String>::new());
    let anchor = RwSignal::new(None::<usize>);
    let shown_rows = RwSignal::new(ROWS_PER_PAGE);
    let invite_open = RwSignal::new(false);
    let confirm_ids = RwSignal::new(None::<Vec<String>>);
    let pending = RwSignal::new(None::<Pending>);
    let results = RwSignal::new(None::<(String, Vec<MemberResult>)>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let all = Memo::new(move |_| members.get().and_then(Result::ok).unwrap_or_default());
    let filtered = Memo::new(move |_| {
        let q = search.get();
        let t = tab.get();
        all.with(|a| a.iter().filter(|m| t.admits(m) && matches_search(m, &q)).cloned().collect::<Vec<_>>())
    });
    let count = move |t: Tab| all.with(|a| a.iter().filter(|m| t.admits(m)).count());
    // Someone is waiting for confirmation: fetch the fingerprint word list
    // now, so the Confirm dialog opens without waiting for it.
    Effect::new(move |fetched: Option<bool>| {
        if fetched == Some(true) {
            return true;
        }
        let need = count(Tab::NeedsConfirmation) > 0;
        if need {
            crate::fingerprint::preload();
        }
        need
    });
    // The selection holds only members in view: one confirmed, removed or
    // filtered out leaves it, so the count and the bulk actions mean what is shown.
    Effect::new(move |_| {
        filtered.with(|rows| {
            let shown: HashSet<&str> = rows.iter().map(|m| m.id.as_str()).collect();
            selected.maybe_update(|s| {
                let before = s.len();
                s.retain(|id| shown.contains(id.as_str()));
                s.len() != before
            });
        })
    });
    let selection = Memo::new(move |_| {
        let sel = selected.get();
        all.with(|a| a.iter().filter(|m| sel.contains(&m.id)).cloned().collect::<Vec<_>>())
    });
    let single_admin =
        Memo::new(move |_| !is_org && all.with(|a| a.iter().filter(|m| m.user_type == Role::ProviderAdmin && m.badge == StatusBadge::Confirmed).count() == 1));
    let no_owner =
        Memo::new(move |_| is_org && all.with(|a| !a.is_empty() && !a.iter().any(|m| m.user_type == Role::Owner && m.badge == StatusBadge::Confirmed)));
    // The members whose role (user type) is being changed: one from a row's ⋮, or the selection.
    let role_for = RwSignal::new(None::<Vec<MemberListItem>>);
    // Account recovery (organisations): who is enrolled, for those who may
    // recover members (nobody else asks: the server would refuse them).
    let enrolled = RwSignal::new(HashSet::<String>::new());
    let recover_for = RwSignal::new(None::<MemberListItem>);
    // The member whose details are open (their name in the table).
    let details_for = RwSignal::new(None::<MemberListItem>);
    let details_scope = StoredValue::new(scope.clone());
    let recover_ctx = (pid.clone(), scope.key.clone());
    if is_org && scope.can_recover {
        let pid = pid.clone();
        Effect::new(move |_| {
            version.track();
            let pid = pid.clone();
            leptos::task::spawn_local(async move {
                if let Ok(ids) = crate::api::recovery_enrolled(pid).await {
                    enrolled.set(ids.into_iter().collect());
                }
            });
        });
    }
    // Organisations revoke access (freeing the seat); providers suspend.
    let suspend_word = if is_org { "Revoke" } else { "Suspend" };

    // Bulk actions, each enabled only when it applies to the selection.
    let any_sel = move |f: fn(&MemberListItem) -> bool| selection.with(|v| v.iter().any(f));
    let can_resend = move || any_sel(|m| matches!(m.badge, StatusBadge::Invited | StatusBadge::Expired));
    let can_confirm = move || any_sel(|m| m.badge == StatusBadge::NeedsConfirmation);
    let can_suspend = move || any_sel(|m| m.badge != StatusBadge::Suspended && !m.is_me);
    let can_restore = move || any_sel(|m| m.badge == StatusBadge::Suspended);
    let can_remove = move || any_sel(|m| !m.is_me);

    let after = move |title: &str, r: Result<Vec<MemberResult>, ApiError>| {
        match r {
            Ok(list) => {
                results.set(Some((title.to_string(), list)));
                selected.set(HashSet::new());
            }
            Err(e) => notice.set(Some(e.to_string())),
        }
        version.update(|v| *v += 1);
        busy.set(false);
    };

    let resend = {
        let pid = pid.clone();
        Callback::new(move |ids: Vec<String>| {
            let pid = pid.clone();
            busy.set(true);
            spawn_local(async move { after("Resend invitations", resend_invitations(pid, ids).await) });
        })
    };
    let run_pending = {
        let pid = pid.clone();
        move |_| {
            let Some(p) = pending.get_untracked() else { return };
            pending.set(None);
            busy.set(true);
            let pid = pid.clone();
            spawn_local(async move {
                match p {
                    Pending::Remove(list) => after("Remove", remove_members(pid, list.into_iter().map(|m| m.id).collect()).await),
                    Pending::Suspend(list, on) => {
                        after(if on { suspend_word } else { "Restore" }, suspend_members(pid, list.into_iter().map(|m| m.id).collect(), on).await)
                    }
                }
            });
        }
    };
    let change_type = {
        let pid = pid.clone();
        Callback::new(move |(ids, t, perms): (Vec<String>, Role, Permissions)| {
            let pid = pid.clone();
            spawn_local(async move {
                if let [id] = ids.as_slice() {
                    match change_user_type(pid, id.clone(), t, perms).await {
                        Ok(()) => notice.set(Some(format!("{} changed to {}.", if is_org { "Role" } else { "User type" }, t.label()))),
                        Err(e) => notice.set(Some(e.to_string())),
                    }
                    version.update(|v| *v += 1);
                } else {
                    busy.set(true);
                    after(if is_org { "Change role" } else { "Change user type" }, change_user_types(pid, ids, t, perms).await);
                }
            });
        })
    };
    let can_change_type = move || selection.with(|v| v.iter().any(|m| !(is_org && m.is_me)));

    let toggle_all = move |_| {
        let ids: Vec<String> = filtered.with(|f| f.iter().map(|m| m.id.clone()).collect());
        let all_on = selected.with(|s| !ids.is_empty() && ids.iter().all(|i| s.contains(i)));
        selected.update(|s| {
            if all_on {
                for i in &ids {
                    s.remove(i);
                }
            } else {
                s.extend(ids);
            }
        });
    };
    let header_checked = move || {
        let sel = selected.get();
        filtered.with(|f| !f.is_empty() && f.iter().all(|m| sel.contains(&m.id)))
    };
    let on_row_check = Callback::new(move |(idx, shift, on): (usize, bool, bool)| {
        let rows = filtered.get_untracked();
        let Some(id) = rows.get(idx).map(|m| m.id.clone()) else { return };
        match (shift, anchor.get_untracked()) {
            (true, Some(a)) => {
                let (lo, hi) = (a.min(idx), a.max(idx));
                selected.update(|s| {
                    for m in &rows[lo..=hi.min(rows.len() - 1)] {
                        if on {
                            s.insert(m.id.clone());
                        } else {
                            s.remove(&m.id);
                        }
                    }
                });
            }
            _ => selected.update(|s| {
                if on {
                    s.insert(id);
                } else {
                    s.remove(&id);
                }
            }),
        }
        anchor.set(Some(idx));
    });
    let visible_rows = move || filtered.get().into_iter().take(shown_rows.get()).enumerate().collect::<Vec<_>>();
    let has_more = move || filtered.with(|f| f.len()) > shown_rows.get();

    view! {
        <div class="page-head">
            <div>
                <h1>"Members"</h1>
                <p class="muted">
                    {if is_org {
                        "Invite the organisation's people, confirm them after checking their fingerprint phrase, and manage their roles."
                    } else {
                        "Invite provider staff, confirm them after checking their fingerprint phrase, and manage their user types."
                    }}
                </p>
            </div>
            <button class="btn primary" on:click=move |_| invite_open.set(true)>
                "+ Invite member"
            </button>
        </div>
        <Show when=move || single_admin.get()>
            <p class="notice warn">"This provider has a single Provider admin. Add a second Provider admin for failover."</p>
        </Show>
        <Show when=move || no_owner.get()>
            <p class="notice">"No Owner has been confirmed yet. The Owner joins from the invitation mail; confirm them once they accept."</p>
        </Show>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = undelivered.await.unwrap_or_default();
                (!list.is_empty())
                    .then(|| {
                        view! {
                            <div class="notice warn" role="alert">
                                <strong>{format!("{} mail(s) could not be delivered yet; they are retried automatically.", list.len())}</strong>
                                <ul class="plain-list small">
                                    {list.into_iter().map(|(to, subject, err)| view! { <li>{format!("{subject} → {to}: {err}")}</li> }).collect_view()}
                                </ul>
                            </div>
                        }
                    })
            })}
        </Transition>
        <p class="notice" role="status">
            {move || notice.get()}
        </p>
        <div class="toolbar">
            <div class="tabs" role="tablist" aria-label="Filter members">
                {[Tab::All, Tab::Invited, Tab::NeedsConfirmation]
                    .into_iter()
                    .map(|t| {
                        let set_query = set_query.clone();
                        view! {
                            <button
                                role="tab"
                                class="tab"
                                aria-selected=move || (tab.get() == t).to_string()
                                on:click=move |_| {
                                    shown_rows.set(ROWS_PER_PAGE);
                                    set_query(search.get_untracked(), t)
                                }
                            >
                                {t.label()}
                                <span class="count">{move || count(t)}</span>
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <input
                class="search"
                type="search"
                placeholder="Search members"
                aria-label="Search members"
                bind:value=search
                on:input={
                    let set_query = set_query.clone();
                    move |_| set_query(search.get_untracked(), tab.get_untracked())
                }
            />
            <span class="muted selcount" aria-live="polite">
                {move || {
                    let n = selected.with(|s| s.len());
                    if n == 0 { String::new() } else { format!("{n} selected") }
                }}
            </span>
            <MenuButton label="Bulk actions" button_class="btn" disabled=Signal::derive(move || selected.with(|s| s.is_empty()))>
                <button
                    role="menuitem"
                    disabled=move || !can_resend()
                    on:click=move |_| {
                        resend
                            .run(
                                selection
                                    .get_untracked()
                                    .into_iter()
                                    .filter(|m| matches!(m.badge, StatusBadge::Invited | StatusBadge::Expired))
                                    .map(|m| m.id)
                                    .collect(),
                            )
                    }
                >
                    "Resend invitations"
                </button>
                <button
                    role="menuitem"
                    disabled=move || !can_confirm()
                    on:click=move |_| {
                        confirm_ids
                            .set(Some(selection.get_untracked().into_iter().filter(|m| m.badge == StatusBadge::NeedsConfirmation).map(|m| m.id).collect()))
                    }
                >
                    "Confirm selected"
                </button>
                <button
                    role="menuitem"
                    disabled=move || !can_suspend()
                    on:click=move |_| {
                        pending
                            .set(
                                Some(
                                    Pending::Suspend(
                                        selection.get_untracked().into_iter().filter(|m| m.badge != StatusBadge::Suspended && !m.is_me).collect(),
                                        true,
                                    ),
                                ),
                            )
                    }
                >
                    {suspend_word}
                </button>
                <button
                    role="menuitem"
                    disabled=move || !can_restore()
                    on:click=move |_| {
                        pending
                            .set(Some(Pending::Suspend(selection.get_untracked().into_iter().filter(|m| m.badge == StatusBadge::Suspended).collect(), false)))
                    }
                >
                    "Restore"
                </button>
                <button
                    role="menuitem"
                    disabled=move || !can_change_type()
                    on:click=move |_| { role_for.set(Some(selection.get_untracked().into_iter().filter(|m| !(is_org && m.is_me)).collect())) }
                >
                    {if is_org { "Change role" } else { "Change user type" }}
                </button>
                <button
                    role="menuitem"
                    class="danger"
                    disabled=move || !can_remove()
                    on:click=move |_| { pending.set(Some(Pending::Remove(selection.get_untracked().into_iter().filter(|m| !m.is_me).collect()))) }
                >
                    "Remove"
                </button>
            </MenuButton>
        </div>
        <Transition fallback=|| {
            view! { <p class="muted">"Loading members…"</p> }
        }>
            {move || Suspend::new(async move {
                if let Err(e) = members.await {
                    return view! { <ErrorView err=e /> }.into_client();
                }
                view! {
                    <table class="table members">
                        <thead>
                            <tr>
                                <th class="check">
                                    <input type="checkbox" aria-label="Select all" prop:checked=header_checked on:change=toggle_all />
                                </th>
                                <th>"Member"</th>
                                <th>{if is_org { "Role" } else { "User type" }}</th>
                                <th>"Status"</th>
                                <th>"Invited / expires"</th>
                                <th class="actions">
                                    <span class="sr-only">"Options"</span>
                                </th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=visible_rows key=|(i, m)| (*i, m.id.clone(), m.badge, m.user_type) let:row>
                                <MemberRow
                                    idx=row.0
                                    m=row.1
                                    selected=selected
                                    on_check=on_row_check
                                    confirm_ids=confirm_ids
                                    pending=pending
                                    resend=resend
                                    role_for=role_for
                                    enrolled=enrolled
                                    recover_for=recover_for
                                    details_for=details_for
                                    kind=kind
                                    events_base=events_base.get_value()
                                />
                            </For>
                        </tbody>
                    </table>
                    <Show when=move || filtered.with(|f| f.is_empty())>
                        <p class="empty muted">"No members match."</p>
                    </Show>
                    <Show when=has_more>
                        <div class="pager">
                            <span class="muted">{move || format!("Showing {} of {}", shown_rows.get(), filtered.with(|f| f.len()))}</span>
                            <button class="btn small" on:click=move |_| shown_rows.update(|n| *n += ROWS_PER_PAGE * 5)>
                                "Show more"
                            </button>
                        </div>
                    </Show>
                }
                    .into_client()
            })}
        </Transition>

        <Modal open=invite_open on_close=Callback::new(move |_| invite_open.set(false)) title="Invite member".to_string()>
            <InviteForm provider_id=pid.clone() kind=kind open=invite_open version=version />
        </Modal>
        <Modal
            open=Signal::derive(move || confirm_ids.get().is_some())
            on_close=Callback::new(move |_| confirm_ids.set(None))
            title="Confirm members".to_string()
        >
            <ConfirmDialog scope=scope.clone() ids=confirm_ids on_done=Callback::new(move |r| after("Confirm selected", Ok(r))) />
        </Modal>
        <Modal
            open=Signal::derive(move || recover_for.get().is_some())
            on_close=Callback::new(move |_| recover_for.set(None))
            title="Recover account".to_string()
        >
            {
                let (pid, key) = recover_ctx.clone();
                move || {
                    recover_for
                        .get()
                        .map(|m| {
                            let done = Callback::new(move |r: Result<String, String>| {
                                recover_for.set(None);
                                if let Ok(msg) = r {
                                    notice.set(Some(msg));
                                }
                            });
                            view! { <crate::pages::recovery::RecoverForm org_id=pid.clone() key=key.clone() m=m done=done /> }
                        })
                }
            }
        </Modal>
        <Modal
            open=Signal::derive(move || details_for.get().is_some())
            on_close=Callback::new(move |_| details_for.set(None))
            title="Member details".to_string()
        >
            {move || {
                details_for
                    .get()
                    .map(|m| {
                        let for_role = m.clone();
                        let edit = Callback::new(move |_| {
                            details_for.set(None);
                            role_for.set(Some(vec![for_role.clone()]));
                        });
                        view! { <crate::pages::member_details::MemberDetails m=m scope=details_scope.get_value() edit=edit /> }
                    })
            }}
        </Modal>
        <Modal
            open=Signal::derive(move || role_for.get().is_some())
            on_close=Callback::new(move |_| role_for.set(None))
            title=if is_org { "Change role" } else { "Change user type" }.to_string()
        >
            {move || role_for.get().filter(|l| !l.is_empty()).map(|l| view! { <RoleForm members=l kind=kind role_for=role_for change_type=change_type /> })}
        </Modal>
        <Modal open=Signal::derive(move || pending.get().is_some()) on_close=Callback::new(move |_| pending.set(None)) title="Are you sure?".to_string()>
            {
                let run_pending = run_pending.clone();
                let provider_name = provider_name.clone();
                move || {
                    let (verb, list, consequence) = match pending.get() {
                        Some(Pending::Remove(l)) => ("Remove", l, format!("They lose access to {provider_name} at once.")),
                        Some(Pending::Suspend(l, true)) if is_org => {
                            ("Revoke", l, format!("They keep their membership but lose access to {provider_name} until restored; their seats are freed."))
                        }
                        Some(Pending::Suspend(l, true)) => ("Suspend", l, format!("They keep their membership but cannot open {provider_name} until restored.")),
                        Some(Pending::Suspend(l, false)) => ("Restore", l, format!("They can open {provider_name} again.")),
                        None => return ().into_client(),
                    };
                    let run_pending = run_pending.clone();
                    view! {
                        <p>{format!("{verb} {} member(s)? {consequence}", list.len())}</p>
                        <ul class="plain-list">
                            {list
                                .into_iter()
                                .map(|m| view! { <li>{m.name.clone().unwrap_or_default()} " " <span class="muted">{m.email.clone()}</span></li> })
                                .collect_view()}
                        </ul>
                        <div class="modal-actions">
                            <button class="btn ghost" on:click=move |_| pending.set(None)>
                                "Cancel"
                            </button>
                            <button class=if verb == "Restore" { "btn primary" } else { "btn danger-fill" } on:click=run_pending>
                                {verb}
                            </button>
                        </div>
                    }
                        .into_client()
                }
            }
        </Modal>
        <ResultsDialog results=results />
        <Show when=move || busy.get()>
            <div class="progress" role="progressbar" aria-label="Working"></div>
        </Show>
    }
}

#[component]
fn MemberRow(
    idx: usize,
    m: MemberListItem,
    selected: RwSignal<HashSet<String>>,
    on_check: Callback<(usize, bool, bool)>,
    confirm_ids: RwSignal<Option<Vec<String>>>,
    pending: RwSignal<Option<Pending>>,
    resend: Callback<Vec<String>>,
    role_for: RwSignal<Option<Vec<MemberListItem>>>,
    enrolled: RwSignal<HashSet<String>>,
    recover_for: RwSignal<Option<MemberListItem>>,
    details_for: RwSignal<Option<MemberListItem>>,
    kind: TenantKind,
    events_base: String,
) -> impl IntoView {
    let id = m.id.clone();
    let checked = {
        let id = id.clone();
        move || selected.with(|s| s.contains(&id))
    };
    let row_checked = {
        let id = id.clone();
        move || selected.with(|s| s.contains(&id))
    };
    let display = m.name.clone().unwrap_or_else(|| m.email.clone());
    let initials = crate::components::upper(
        &display.split(|c: char| c.is_whitespace() || c == '@' || c == '.').filter_map(|w| w.chars().next()).take(2).collect::<String>(),
    );
    let dates = match m.badge {
        StatusBadge::Invited | StatusBadge::Expired => {
            format!("Invited {}, expires {}", fmt_time(m.invited_at), m.expires_at.map(fmt_time).unwrap_or_default())
        }
        _ => String::new(),
    };
    let badge = m.badge;
    let email = m.email.clone();
    let m_for_menu = m.clone();
    let m_for_details = m.clone();
    view! {
        <tr class:selected=row_checked>
            <td class="check">
                <input
                    type="checkbox"
                    aria-label=format!("Select {}", email)
                    prop:checked=checked
                    on:click=move |ev| on_check.run((idx, ev.shift_key(), event_target_checked(&ev)))
                />
            </td>
            <td>
                <div class="who">
                    <span class="avatar small" aria-hidden="true">
                        {initials}
                    </span>
                    <div>
                        <button class="link-btn strong" on:click=move |_| details_for.set(Some(m_for_details.clone()))>
                            {m.name.clone().unwrap_or_else(|| m.email.clone())}
                        </button>
                        {m.is_me.then_some(" (you)")}
                        {m.name.is_some().then(|| view! { <div class="muted">{m.email.clone()}</div> })}
                    </div>
                </div>
            </td>
            <td>{m.user_type.label()}</td>
            <td>
                <span class=format!(
                    "badge {}",
                    badge_class(badge),
                )>{if kind == TenantKind::Organization && badge == StatusBadge::Suspended { "Revoked" } else { badge.label() }}</span>
            </td>
            <td class="muted small">{dates}</td>
            <td class="actions">
                <MenuButton label=format!("Options for {}", email) right=true>
                    {
                        let m = m_for_menu.clone();
                        let events_href = format!("{events_base}?member={}", crate::components::urlencode(&m.email));
                        let for_role = m.clone();
                        let (m1, m2, m3, m4, m5) = (m.clone(), m.clone(), m.clone(), m.clone(), m.clone());
                        view! {
                            <>
                                <Show when=move || matches!(badge, StatusBadge::Invited | StatusBadge::Expired)>
                                    <button
                                        role="menuitem"
                                        on:click={
                                            let id = m1.id.clone();
                                            move |_| resend.run(vec![id.clone()])
                                        }
                                    >
                                        "Resend invitation"
                                    </button>
                                </Show>
                                <Show when=move || badge == StatusBadge::NeedsConfirmation>
                                    <button
                                        role="menuitem"
                                        on:click={
                                            let id = m2.id.clone();
                                            move |_| confirm_ids.set(Some(vec![id.clone()]))
                                        }
                                    >
                                        "Confirm"
                                    </button>
                                </Show>
                                {
                                    let _ = &m3;
                                    view! {
                                        <button role="menuitem" on:click=move |_| role_for.set(Some(vec![for_role.clone()]))>
                                            {if kind == TenantKind::Provider { "Change user type" } else { "Change role" }}
                                        </button>
                                    }
                                }
                                <A href=events_href attr:role="menuitem">
                                    "Event logs"
                                </A>
                                {
                                    let (m6, id6) = (m.clone(), m.id.clone());
                                    view! {
                                        <Show when=move || {
                                            !m6.is_me && enrolled.with(|e| e.contains(&id6))
                                        }>
                                            {
                                                let m = m.clone();
                                                view! {
                                                    <button role="menuitem" on:click=move |_| recover_for.set(Some(m.clone()))>
                                                        "Recover account"
                                                    </button>
                                                }
                                            }
                                        </Show>
                                    }
                                }
                                <Show when=move || {
                                    !m4.is_me
                                }>
                                    {
                                        let m4 = m4.clone();
                                        move || {
                                            if m4.badge == StatusBadge::Suspended {
                                                let m = m4.clone();
                                                view! {
                                                    <button role="menuitem" on:click=move |_| pending.set(Some(Pending::Suspend(vec![m.clone()], false)))>
                                                        "Restore"
                                                    </button>
                                                }
                                                    .into_client()
                                            } else {
                                                let m = m4.clone();
                                                view! {
                                                    <button role="menuitem" on:click=move |_| pending.set(Some(Pending::Suspend(vec![m.clone()], true)))>
                                                        {if kind == TenantKind::Organization { "Revoke" } else { "Suspend" }}
                                                    </button>
                                                }
                                                    .into_client()
                                            }
                                        }
                                    }
                                    <button
                                        role="menuitem"
                                        class="danger"
                                        on:click={
                                            let m = m5.clone();
                                            move |_| pending.set(Some(Pending::Remove(vec![m.clone()])))
                                        }
                                    >
                                        "Remove"
                                    </button>
                                </Show>
                            </>
                        }
                    }
                </MenuButton>
            </td>
        </tr>
    }
}

#[component]
fn InviteForm(provider_id: String, kind: TenantKind, open: RwSignal<bool>, version: RwSignal<u32>) -> impl IntoView {
    let emails = RwSignal::new(String::new());
    let roles = Role::for_kind(kind);
    let default_role = if kind == TenantKind::Organization { Role::User } else { Role::ServiceUser };
    let user_type = RwSignal::new(default_role.code().to_string());
    let perms = RwSignal::new([false; Permissions::COUNT]);
    let error = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(None::<Vec<InviteEntry>>);
    let busy = RwSignal::new(false);
    // The same parser the server runs, for instant feedback.
    let preview = move || match domain::InviteList::parse(&emails.get()) {
        Ok(l) => {
            let bad = l.entries.iter().filter(|e| matches!(e, domain::InviteOutcome::Invalid { .. })).count();
            let n = l.entries.len();
            if bad > 0 { format!("{n} address(es), {bad} invalid") } else { format!("{n} address(es)") }
        }
        Err(domain::InviteListError::Empty) => String::new(),
        Err(e) => e.to_string(),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Err(e) = domain::InviteList::parse(&emails.get_untracked()) {
            error.set(Some(e.to_string()));
            return;
        }
        error.set(None);
        busy.set(true);
        let input = InviteInput {
            provider_id: provider_id.clone(),
            emails: emails.get_untracked(),
            user_type: Role::from_code(&user_type.get_untracked()).unwrap_or(default_role),
            permissions: Permissions::from_array(perms.get_untracked()),
        };
        spawn_local(async move {
            match invite_members(input).await {
                Ok(list) => {
                    outcome.set(Some(list));
                    emails.set(String::new());
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="stack" on:submit=submit>
            <Field label="Email" help="Up to 20 addresses, separated by commas.">
                <textarea rows="3" name="emails" bind:value=emails></textarea>
            </Field>
            <p class="muted small" aria-live="polite">
                {preview}
            </p>
            <fieldset class="radios">
                <legend>{if kind == TenantKind::Organization { "Role" } else { "User type" }}</legend>
                {roles
                    .iter()
                    .map(|r| {
                        view! {
                            <label>
                                <input type="radio" name="user_type" value=r.code() bind:group=user_type />
                                " "
                                {r.label()}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <Show when=move || user_type.get() == "custom">
                <PermissionBoxes perms=perms />
            </Show>
            <p class="form-error" role="alert">
                {move || error.get()}
            </p>
            {move || {
                outcome
                    .get()
                    .map(|list| {
                        view! {
                            <ul class="plain-list results" aria-label="Invitation results">
                                {list
                                    .into_iter()
                                    .map(|e| {
                                        let (cls, text) = match &e.outcome {
                                            InviteEntryOutcome::Invited => ("done", "invited".to_string()),
                                            InviteEntryOutcome::AlreadyMember => ("skipped", "already a member (skipped)".to_string()),
                                            InviteEntryOutcome::Repeated => ("skipped", "listed twice (skipped)".to_string()),
                                            InviteEntryOutcome::Invalid(r) => ("invalid", format!("invalid: {r}")),
                                        };
                                        view! { <li class=cls>{e.input.clone()} " — " {text}</li> }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })
            }}
            <div class="modal-actions">
                <button
                    type="button"
                    class="btn ghost"
                    on:click=move |_| {
                        outcome.set(None);
                        open.set(false)
                    }
                >
                    "Close"
                </button>
                <button type="submit" class="btn primary" disabled=move || busy.get()>
                    "Save"
                </button>
            </div>
        </form>
    }
}

/// What a bulk action did, member by member ("Results"), until closed.
#[component]
pub(crate) fn ResultsDialog(results: RwSignal<Option<(String, Vec<MemberResult>)>>) -> impl IntoView {
    view! {
        <Modal open=Signal::derive(move || results.get().is_some()) on_close=Callback::new(move |_| results.set(None)) title="Results".to_string()>
            {move || {
                results
                    .get()
                    .map(|(title, list)| {
                        let done = list.iter().filter(|r| r.skipped.is_none()).count();
                        view! {
                            <p>
                                <strong>{title}</strong>
                                {format!(": {done} done, {} skipped", list.len() - done)}
                            </p>
                            <ul class="plain-list results">
                                {list
                                    .into_iter()
                                    .map(|r| {
                                        let text = r.skipped.clone().map(|w| format!("skipped: {w}")).unwrap_or_else(|| "done".into());
                                        view! { <li class=if r.skipped.is_some() { "skipped" } else { "done" }>{r.email.clone()} " — " {text}</li> }
                                    })
                                    .collect_view()}
                            </ul>
                            <div class="modal-actions">
                                <button class="btn primary" on:click=move |_| results.set(None)>
                                    "Close"
                                </button>
                            </div>
                        }
                    })
            }}
        </Modal>
    }
}

#[component]
pub(crate) fn ConfirmDialog(
    scope: Scope,
    ids: RwSignal<Option<Vec<String>>>,
    /// Called with the results once the server has confirmed.
    on_done: Callback<Vec<MemberResult>>,
) -> impl IntoView {
    let s = use_session();
    let pid = scope.id.clone();
    // The dialog is built each time it opens, for the members chosen then. The
    // list is read once, untracked: closing the dialog (ids → None) must not
    // refetch into a dialog that is being taken down.
    let chosen = ids.get_untracked().unwrap_or_default();
    let candidates = {
        let pid = pid.clone();
        LocalResource::new(move || {
            let (pid, chosen) = (pid.clone(), chosen.clone());
            async move {
                let mut list = if chosen.is_empty() { vec![] } else { confirm_candidates(pid, chosen).await.map_err(|e| e.to_string())? };
                // The phrase shown is the one of the key the provider key is
                // sealed to, computed here: not the server's word for it.
                for c in &mut list {
                    let pk = domain::crypto::unb64(&c.public_key).map_err(|_| format!("The public key of {} is malformed.", c.email))?;
                    c.fingerprint = crate::fingerprint::phrase(&c.user_id, &pk).await?;
                }
                Ok::<_, String>(list)
            }
        })
    };
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let progress = RwSignal::new(String::new());
    let tenant_key = scope.key.clone();
    let confirm = move |list: Vec<ConfirmCandidate>| {
        // Open the provider (or organisation) key here and seal it to each member's public key.
        let key = match tenant_key.open(&s) {
            Ok(k) => k,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        let mut keys = Vec::with_capacity(list.len());
        for c in &list {
            match domain::crypto::unb64(&c.public_key).and_then(|pk| domain::crypto::seal_to(&pk, &key.to_bytes())) {
                Ok(w) => keys.push(WrappedKey { member_id: c.member_id.clone(), wrapped_key: w }),
                Err(_) => {
                    error.set(Some(format!("The public key of {} is malformed.", c.email)));
                    return;
                }
            }
        }
        busy.set(true);
        progress.set(format!("Confirming {} member(s)…", keys.len()));
        let pid = pid.clone();
        spawn_local(async move {
            // Closing the dialog is the last thing done: it disposes the
            // dialog's signals, and an update queued for one of them after the
            // close would run against a disposed value (the stop after every
            // Confirm). The table's own state goes first.
            match confirm_members(pid, keys).await {
                Ok(r) => {
                    // `try_`: the page may be gone (the person left it meanwhile).
                    on_done.try_run(r);
                    ids.set(None);
                }
                Err(e) => {
                    error.set(Some(e.to_string()));
                    busy.set(false);
                    progress.set(String::new());
                }
            }
        });
    };
    view! {
        <Transition fallback=|| {
            view! { <p class="muted">"Loading…"</p> }
        }>
            {move || {
                let confirm = confirm.clone();
                Suspend::new(async move {
                    match candidates.await {
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_client(),
                        Ok(list) => {
                            let n = list.len();
                            let l2 = list.clone();
                            view! {
                                <p>
                                    "Check that each member's fingerprint phrase matches the one they see in Settings → My account. If they match, select Confirm."
                                </p>
                                <ul class="plain-list fingerprints">
                                    {list
                                        .into_iter()
                                        .map(|c| {
                                            view! {
                                                <li>
                                                    <div class="strong">
                                                        {c.name.clone().unwrap_or_default()} " " <span class="muted">{c.email.clone()}</span>
                                                    </div>
                                                    <div class="fingerprint" aria-label=format!("Fingerprint phrase of {}", c.email)>
                                                        {c.fingerprint.clone()}
                                                    </div>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                                <Show when=move || n == 0>
                                    <p class="muted">"None of the selected members is waiting for confirmation."</p>
                                </Show>
                                <p class="form-error" role="alert">
                                    {move || error.get()}
                                </p>
                                <p class="muted" aria-live="polite">
                                    {move || progress.get()}
                                </p>
                                <div class="modal-actions">
                                    <button class="btn ghost" on:click=move |_| ids.set(None)>
                                        "Cancel"
                                    </button>
                                    <button class="btn primary" disabled=move || busy.get() || n == 0 on:click=move |_| confirm(l2.clone())>
                                        "Confirm"
                                    </button>
                                </div>
                            }
                                .into_client()
                        }
                    }
                })
            }}
        </Transition>
    }
}

/// The Custom role's permission set, as checkboxes.
#[component]
fn PermissionBoxes(perms: RwSignal<[bool; Permissions::COUNT]>) -> impl IntoView {
    view! {
        <fieldset class="checks">
            <legend>"Permissions"</legend>
            {Permissions::LABELS
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    view! {
                        <label>
                            <input
                                type="checkbox"
                                prop:checked=move || perms.get()[i]
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    perms.update(|p| p[i] = on)
                                }
                            />
                            " "
                            {*label}
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

/// Change an organisation member's role (and a Custom member's permissions).
#[component]
fn RoleForm(
    members: Vec<MemberListItem>,
    kind: TenantKind,
    role_for: RwSignal<Option<Vec<MemberListItem>>>,
    change_type: Callback<(Vec<String>, Role, Permissions)>,
) -> impl IntoView {
    // One member: their role to start from; several: the first one's.
    let m = members[0].clone();
    let role = RwSignal::new(m.user_type.code().to_string());
    let perms = RwSignal::new(m.permissions.as_array());
    let ids: Vec<String> = members.iter().map(|m| m.id.clone()).collect();
    let me = members.iter().find(|m| m.is_me).map(|m| m.user_type.code());
    let what = if kind == TenantKind::Provider { "User type" } else { "Role" };
    let whom = if members.len() == 1 { m.email.clone() } else { format!("{} members", members.len()) };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let r = Role::from_code(&role.get_untracked()).unwrap_or(m.user_type);
        change_type.run((ids.clone(), r, Permissions::from_array(perms.get_untracked())));
        role_for.set(None);
    };
    view! {
        <form class="stack" on:submit=submit>
            <p>{format!("{what} of {whom}")}</p>
            <fieldset class="radios">
                <legend>{what}</legend>
                {Role::for_kind(kind)
                    .iter()
                    .map(|r| {
                        view! {
                            <label>
                                <input type="radio" name="role" value=r.code() bind:group=role />
                                " "
                                {r.label()}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <Show when=move || role.get() == "custom">
                <PermissionBoxes perms=perms />
            </Show>
            <Show when=move || me.is_some_and(|current| role.get() != current)>
                <p class="notice warn" role="alert">
                    "You are changing your own role: you may lose access to what you manage here, and only another administrator can give it back."
                </p>
            </Show>
            <div class="modal-actions">
                <button type="button" class="btn ghost" on:click=move |_| role_for.set(None)>
                    "Cancel"
                </button>
                <button type="submit" class="btn primary">
                    "Save"
                </button>
            </div>
        </form>
    }
}

/// Server-sent events: an accept (or any change) elsewhere refreshes the table.
fn live_updates(provider_id: String, version: RwSignal<u32>) {
    live_updates_from(format!("/api/providers/{provider_id}/stream"), version)
}

/// Bumps `version` at each message of the server-sent event stream at `url`
/// (closed with the calling component).
pub(crate) fn live_updates_from(url: String, version: RwSignal<u32>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        let Ok(es) = web_sys::EventSource::new(&url) else { return };
        let on_msg = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| version.update(|v| *v += 1));
        es.set_onmessage(Some(on_msg.as_ref().unchecked_ref()));
        on_msg.forget();
        let es = send_wrapper::SendWrapper::new(es);
        on_cleanup(move || es.close());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, version);
}
