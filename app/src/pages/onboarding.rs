//! Provider Portal → Onboarding: every client organisation's members who are
//! Invited, Expired or Need confirmation, in one table, with the Members
//! table's tabs, search and multi-select, and bulk Resend and Confirm across
//! clients. Each client's members are confirmed with that client's key,
//! opened here through the provider key, after its own fingerprint check.

use crate::api::{client_keys, onboarding_queue, resend_invitations};
use crate::client_view::{ClientView, IntoClientView};
use crate::components::{ErrorView, Modal, while_busy};
use crate::pages::AdminBody;
use crate::pages::clients::ProviderShell;
use crate::pages::fmt_time;
use crate::pages::members::{ConfirmDialog, ResultsDialog, Scope, TenantKey};
use crate::pages::providers::badge_class;
use domain::api::{MemberResult, OnboardingItem, ProviderSummary};
use domain::member::{StatusBadge, TenantKind};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use std::collections::{HashMap, HashSet};

#[component]
pub fn OnboardingPage() -> impl IntoView {
    view! { <ProviderShell title="Onboarding" admin_only=false body=AdminBody::Onboarding /> }
}

pub(crate) fn onboarding_body(provider: ProviderSummary) -> ClientView {
    view! { <OnboardingTable provider /> }.into_client()
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    All,
    Invited,
    NeedsConfirmation,
}

impl Tab {
    fn admits(self, q: &OnboardingItem) -> bool {
        match self {
            Tab::All => true,
            Tab::Invited => matches!(q.member.badge, StatusBadge::Invited | StatusBadge::Expired),
            Tab::NeedsConfirmation => q.member.badge == StatusBadge::NeedsConfirmation,
        }
    }
    fn label(self) -> &'static str {
        match self {
            Tab::All => "All",
            Tab::Invited => "Invited",
            Tab::NeedsConfirmation => "Needs confirmation",
        }
    }
}

/// A row's key: a person can be waiting in several clients.
fn row_key(q: &OnboardingItem) -> (String, String) {
    (q.org_id.clone(), q.member.id.clone())
}

fn matches(q: &OnboardingItem, text: &str) -> bool {
    let t = text.trim().to_lowercase();
    t.is_empty()
        || q.member.email.contains(&t)
        || q.org_name.to_lowercase().contains(&t)
        || q.member.name.as_deref().is_some_and(|n| n.to_lowercase().contains(&t))
}

/// The chosen rows, by client in the order shown: (client id, its rows).
fn by_client(rows: Vec<OnboardingItem>) -> Vec<(String, Vec<OnboardingItem>)> {
    let mut groups: Vec<(String, Vec<OnboardingItem>)> = vec![];
    for r in rows {
        match groups.iter_mut().find(|(org, _)| *org == r.org_id) {
            Some((_, list)) => list.push(r),
            None => groups.push((r.org_id.clone(), vec![r])),
        }
    }
    groups
}

#[component]
fn OnboardingTable(provider: ProviderSummary) -> impl IntoView {
    let pid = provider.id.clone();
    let version = RwSignal::new(0u32);
    // Members accepting, confirmed or invited in any client refresh the queue.
    crate::pages::members::live_updates_from(format!("/api/providers/{pid}/clients/stream"), version);
    let queue = Resource::new(move || version.get(), move |_| onboarding_queue(pid.clone()));
    let all = Memo::new(move |_| queue.get().and_then(Result::ok).unwrap_or_default());
    let tab = RwSignal::new(Tab::All);
    let search = RwSignal::new(String::new());
    let selected = RwSignal::new(HashSet::<(String, String)>::new());
    let shown = Memo::new(move |_| {
        let (t, q) = (tab.get(), search.get());
        all.with(|a| a.iter().filter(|r| t.admits(r) && matches(r, &q)).cloned().collect::<Vec<_>>())
    });
    let chosen = move |f: fn(&OnboardingItem) -> bool| {
        let sel = selected.get();
        shown.with(|rows| rows.iter().filter(|r| sel.contains(&row_key(r)) && f(r)).cloned().collect::<Vec<_>>())
    };
    let resendable = |r: &OnboardingItem| matches!(r.member.badge, StatusBadge::Invited | StatusBadge::Expired);
    let confirmable = |r: &OnboardingItem| r.member.badge == StatusBadge::NeedsConfirmation;
    let results = RwSignal::new(None::<(String, Vec<MemberResult>)>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let resend = move |_| {
        let groups = by_client(chosen(resendable));
        busy.set(true);
        spawn_local(async move {
            let mut out = vec![];
            for (org, rows) in groups {
                match resend_invitations(org, rows.iter().map(|r| r.member.id.clone()).collect()).await {
                    Ok(r) => out.extend(r),
                    Err(e) => notice.set(Some(e.to_string())),
                }
            }
            busy.set(false);
            selected.set(HashSet::new());
            version.update(|v| *v += 1);
            results.set(Some(("Resend invitations".into(), out)));
        });
    };

    // Confirming goes one client at a time: each dialog shows that client's
    // members and their fingerprint phrases, and seals that client's key.
    let wrapped = provider.wrapped_key.clone();
    let provider_id = StoredValue::new(provider.id.clone());
    let confirm_scope = RwSignal::new(None::<Scope>);
    let confirm_ids = RwSignal::new(None::<Vec<String>>);
    let waiting = StoredValue::new(Vec::<(Scope, Vec<String>)>::new());
    let confirmed = StoredValue::new(Vec::<MemberResult>::new());
    let next_client = move || match waiting.try_update_value(|w| if w.is_empty() { None } else { Some(w.remove(0)) }).flatten() {
        Some((scope, ids)) => {
            confirm_scope.set(Some(scope));
            confirm_ids.set(Some(ids));
        }
        None => {
            confirm_scope.set(None);
            selected.set(HashSet::new());
            version.update(|v| *v += 1);
            results.set(Some(("Confirm selected".into(), confirmed.get_value())));
        }
    };
    let confirm = move |_| {
        let groups = by_client(chosen(confirmable));
        let (pid, wrapped) = (provider_id.get_value(), wrapped.clone());
        // The chosen clients' keys (under the provider key) in one call.
        let keys = client_keys(pid, groups.iter().map(|(org, _)| org.clone()).collect());
        while_busy(busy, keys, move |keys| {
            let keys: HashMap<String, Option<String>> = match keys {
                Ok(k) => k.into_iter().map(|k| (k.org_id, k.org_key)).collect(),
                Err(e) => return notice.set(Some(e.to_string())),
            };
            let plan = groups
                .into_iter()
                .map(|(org, rows)| {
                    let scope = Scope {
                        id: org.clone(),
                        name: rows[0].org_name.clone(),
                        kind: TenantKind::Organization,
                        key: TenantKey::ViaProvider { provider_wrapped: wrapped.clone(), org_key: keys.get(&org).cloned().flatten() },
                        events_base: format!("/organizations/{org}/events"),
                        can_recover: false,
                    };
                    (scope, rows.iter().map(|r| r.member.id.clone()).collect())
                })
                .collect();
            waiting.set_value(plan);
            confirmed.set_value(vec![]);
            next_client();
        });
    };
    let on_confirmed = Callback::new(move |r: Vec<MemberResult>| {
        confirmed.update_value(|c| c.extend(r));
        // After the dialog has closed itself (it clears its ids last).
        spawn_local(async move { next_client() });
    });

    view! {
        <div class="page-head">
            <div>
                <h1>"Onboarding"</h1>
                <p class="muted">"Every client's members still waiting: to accept their invitation, or for you to confirm them."</p>
            </div>
        </div>
        <p class="notice" role="status">
            {move || notice.get()}
        </p>
        <div class="tabs" role="tablist" aria-label="Filter onboarding">
            {[Tab::All, Tab::Invited, Tab::NeedsConfirmation]
                .into_iter()
                .map(|t| {
                    view! {
                        <button role="tab" class="tab" aria-selected=move || (tab.get() == t).to_string() on:click=move |_| tab.set(t)>
                            {t.label()}
                            " "
                            <span class="count">{move || all.with(|a| a.iter().filter(|r| t.admits(r)).count())}</span>
                        </button>
                    }
                })
                .collect_view()}
        </div>
        <div class="toolbar">
            <input class="search" type="search" placeholder="Search clients and members" aria-label="Search onboarding" bind:value=search />
            <span class="muted">{move || format!("{} selected", selected.with(HashSet::len))}</span>
            <button class="btn" disabled=move || busy.get() || chosen(resendable).is_empty() on:click=resend>
                "Resend invitations"
            </button>
            <button class="btn primary" disabled=move || busy.get() || chosen(confirmable).is_empty() on:click=confirm>
                "Confirm selected"
            </button>
        </div>
        <Transition fallback=|| {
            view! { <p class="muted">"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                if let Err(e) = queue.await {
                    return view! { <ErrorView err=e /> }.into_client();
                }
                view! { <QueueRows shown=shown selected=selected /> }.into_client()
            })}
        </Transition>
        <Modal
            open=Signal::derive(move || confirm_ids.get().is_some())
            on_close=Callback::new(move |_| {
                confirm_ids.set(None);
                confirm_scope.set(None);
            })
            title="Confirm members".to_string()
        >
            {move || {
                confirm_scope
                    .get()
                    .map(|scope| {
                        view! {
                            <p class="strong">{scope.name.clone()}</p>
                            <ConfirmDialog scope=scope ids=confirm_ids on_done=on_confirmed />
                        }
                    })
            }}
        </Modal>
        <ResultsDialog results=results />
    }
}

#[component]
fn QueueRows(shown: Memo<Vec<OnboardingItem>>, selected: RwSignal<HashSet<(String, String)>>) -> impl IntoView {
    let all_checked = move || shown.with(|rows| !rows.is_empty() && rows.iter().all(|r| selected.with(|s| s.contains(&row_key(r)))));
    let toggle_all = move |ev| {
        let on = event_target_checked(&ev);
        selected.update(|s| {
            shown.with(|rows| {
                for r in rows {
                    if on {
                        s.insert(row_key(r))
                    } else {
                        s.remove(&row_key(r))
                    };
                }
            })
        });
    };
    view! {
        <Show
            when=move || shown.with(|r| !r.is_empty())
            fallback=|| {
                view! {
                    <div class="empty">
                        <h2>"Nobody is waiting here"</h2>
                        <p class="muted">"No member of your clients in this view is waiting to accept an invitation or to be confirmed."</p>
                    </div>
                }
            }
        >
            <table class="table" aria-label="Onboarding queue">
                <thead>
                    <tr>
                        <th class="check">
                            <input type="checkbox" aria-label="Select all" prop:checked=all_checked on:change=toggle_all />
                        </th>
                        <th>"Client"</th>
                        <th>"Member"</th>
                        <th>"Role"</th>
                        <th>"Invited"</th>
                        <th>"Status"</th>
                        <th class="actions">
                            <span class="sr-only">"Open"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || shown.get() key=|r| (row_key(r), r.member.badge) let:r>
                        {
                            let key = row_key(&r);
                            let k2 = key.clone();
                            let label = format!("Select {} in {}", r.member.email, r.org_name);
                            let expires = r.member.expires_at.map(|e| format!("expires {}", fmt_time(e)));
                            view! {
                                <tr>
                                    <td class="check">
                                        <input
                                            type="checkbox"
                                            aria-label=label
                                            prop:checked=move || selected.with(|s| s.contains(&key))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                selected
                                                    .update(|s| {
                                                        if on {
                                                            s.insert(k2.clone());
                                                        } else {
                                                            s.remove(&k2);
                                                        }
                                                    });
                                            }
                                        />
                                    </td>
                                    <td class="strong">{r.org_name.clone()}</td>
                                    <td>
                                        <div>{r.member.name.clone().unwrap_or_default()}</div>
                                        <div class="muted small">{r.member.email.clone()}</div>
                                    </td>
                                    <td>{r.member.user_type.label()}</td>
                                    <td class="muted small">{fmt_time(r.member.invited_at)} <div>{expires}</div></td>
                                    <td>
                                        <span class=format!("badge {}", badge_class(r.member.badge))>{r.member.badge.label()}</span>
                                    </td>
                                    <td class="actions">
                                        <A
                                            href=format!("/organizations/{}/members", r.org_id)
                                            attr:class="btn small ghost"
                                            attr:aria-label=format!("Members of {}", r.org_name)
                                        >
                                            "Members"
                                        </A>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </Show>
    }
}
