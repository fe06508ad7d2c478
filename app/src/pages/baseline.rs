//! Provider Portal → Policy baseline: the policies every client should have
//! (Provider admins set them), each client's differences from it, and
//! applying it to the chosen clients after a confirm step that lists every
//! change.

use crate::api::{apply_baseline, policy_baseline, policy_drift};
use crate::client_view::{ClientView, IntoClientView};
use crate::components::{ErrorView, Modal, while_busy};
use crate::error::ApiError;
use crate::pages::AdminBody;
use crate::pages::clients::ProviderShell;
use crate::pages::orgs::{PolicyForm, PolicyTarget};
use domain::api::{BaselinePolicy, ClientDrift, ProviderSummary};
use domain::member::Role;
use domain::org::Policy;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashSet;

#[component]
pub fn BaselinePage() -> impl IntoView {
    view! { <ProviderShell title="Policy baseline" admin_only=false body=AdminBody::Baseline /> }
}

pub(crate) fn baseline_body(provider: ProviderSummary) -> ClientView {
    view! { <Baseline provider /> }.into_client()
}

#[component]
fn Baseline(provider: ProviderSummary) -> impl IntoView {
    let admin = provider.user_type == Role::ProviderAdmin;
    let pid = StoredValue::new(provider.id.clone());
    let version = RwSignal::new(0u32);
    let saved = RwSignal::new(None::<String>);
    let editing = RwSignal::new(None::<BaselinePolicy>);
    // Loaded in effects, not resources: this page renders inside the
    // provider shell's suspense (see the Leptos notes in README → Develop).
    let policies = RwSignal::new(None::<Result<Vec<BaselinePolicy>, ApiError>>);
    let drift = RwSignal::new(None::<Result<Vec<ClientDrift>, ApiError>>);
    Effect::new(move |_| {
        version.track();
        let id = pid.get_value();
        spawn_local(async move {
            policies.set(Some(policy_baseline(id.clone()).await));
            drift.set(Some(policy_drift(id).await));
        });
    });
    view! {
        <div class="page-head">
            <div>
                <h1>"Policy baseline"</h1>
                <p class="muted">"The policies every client should have. Clients that differ are listed below; apply the baseline to bring them in line."</p>
            </div>
        </div>
        <p class="notice" role="status">
            {move || saved.get()}
        </p>
        <h2 class="section-title">"Baseline"</h2>
        {move || match policies.get() {
            None => view! { <p class="muted">"Loading the baseline…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorView err=e /> }.into_any(),
            Some(Ok(list)) => {
                view! {
                    <ul class="policy-list">
                        {list
                            .into_iter()
                            .map(|b| {
                                let p: Policy = b.policy.clone();
                                let (badge, text) = if !b.included {
                                    ("badge muted", "Not compared".to_string())
                                } else {
                                    (if p.enabled { "badge ok" } else { "badge" }, p.describe())
                                };
                                let label = p.kind.label();
                                view! {
                                    <li class="card policy">
                                        <div>
                                            <h2>{label}</h2>
                                            <p class="muted small">{p.kind.description()}</p>
                                        </div>
                                        <span class=badge>{text}</span>
                                        <Show when=move || {
                                            admin
                                        }>
                                            {
                                                let b = b.clone();
                                                view! {
                                                    <button
                                                        class="btn small"
                                                        aria-label=format!("Edit {label} in the baseline")
                                                        on:click=move |_| editing.set(Some(b.clone()))
                                                    >
                                                        "Edit"
                                                    </button>
                                                }
                                            }
                                        </Show>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
        <h2 class="section-title">"Clients"</h2>
        {move || match drift.get() {
            None => view! { <p class="muted">"Comparing clients…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorView err=e /> }.into_any(),
            Some(Ok(list)) => view! { <DriftTable provider_id=pid.get_value() list version saved /> }.into_any(),
        }}
        <Modal open=Signal::derive(move || editing.get().is_some()) on_close=Callback::new(move |_| editing.set(None)) title="Edit baseline policy".to_string()>
            {move || {
                editing
                    .get()
                    .map(|b| {
                        view! {
                            <PolicyForm
                                target=PolicyTarget::Baseline {
                                    provider_id: pid.get_value(),
                                    included: b.included,
                                }
                                policy=b.policy
                                close=Callback::new(move |_| editing.set(None))
                                version=version
                                saved=saved
                            />
                        }
                    })
            }}
        </Modal>
    }
}

/// Every client with its differences; the differing ones can be chosen and
/// the baseline applied to them.
#[component]
fn DriftTable(provider_id: String, list: Vec<ClientDrift>, version: RwSignal<u32>, saved: RwSignal<Option<String>>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <div class="empty">
                <p class="muted">"Put at least one policy in the baseline to compare your clients against it."</p>
            </div>
        }
        .into_any();
    }
    let differing: Vec<String> = list.iter().filter(|c| !c.drift.is_empty()).map(|c| c.org_id.clone()).collect();
    let selected = RwSignal::new(HashSet::<String>::new());
    let asking = RwSignal::new(false);
    let all = StoredValue::new(list);
    let count = differing.len();
    let differing = StoredValue::new(differing);
    let chosen = move || all.with_value(|l| l.iter().filter(|c| selected.with(|s| s.contains(&c.org_id))).cloned().collect::<Vec<_>>());
    view! {
        <div class="toolbar">
            <span class="muted">
                {if count == 0 { "Every client matches the baseline.".to_string() } else { format!("{count} of {} clients differ.", all.with_value(Vec::len)) }}
            </span>
            <button class="btn primary" disabled=move || selected.with(HashSet::is_empty) on:click=move |_| asking.set(true)>
                {move || format!("Apply baseline to selected ({})", selected.with(HashSet::len))}
            </button>
        </div>
        <table class="table">
            <thead>
                <tr>
                    <th class="check">
                        <input
                            type="checkbox"
                            aria-label="Select all clients that differ"
                            disabled={count == 0}
                            prop:checked=move || { count != 0 && selected.with(|s| s.len() == count) }
                            on:change=move |ev| {
                                if event_target_checked(&ev) { selected.set(differing.get_value().into_iter().collect()) } else { selected.set(HashSet::new()) }
                            }
                        />
                    </th>
                    <th>"Client"</th>
                    <th>"Differences from the baseline"</th>
                </tr>
            </thead>
            <tbody>
                {all
                    .get_value()
                    .into_iter()
                    .map(|c| {
                        let id = c.org_id.clone();
                        let id2 = id.clone();
                        let clean = c.drift.is_empty();
                        view! {
                            <tr>
                                <td class="check">
                                    <input
                                        type="checkbox"
                                        aria-label=format!("Select {}", c.org_name)
                                        disabled=clean
                                        prop:checked=move || selected.with(|s| s.contains(&id))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            selected
                                                .update(|s| {
                                                    if on {
                                                        s.insert(id2.clone());
                                                    } else {
                                                        s.remove(&id2);
                                                    }
                                                })
                                        }
                                    />
                                </td>
                                <td class="strong">{c.org_name.clone()}</td>
                                <td>
                                    {if clean {
                                        view! { <span class="badge ok">"Matches baseline"</span> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="plain-list tight">
                                                {c
                                                    .drift
                                                    .iter()
                                                    .map(|d| {
                                                        view! {
                                                            <li>
                                                                <strong>{d.kind.label()}</strong>
                                                                {format!(": {} → {}", d.current, d.baseline)}
                                                            </li>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </ul>
                                        }
                                            .into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <Modal open=asking on_close=Callback::new(move |_| asking.set(false)) title="Apply baseline".to_string()>
            {
                let provider_id = provider_id.clone();
                move || {
                    asking
                        .get()
                        .then(|| {
                            view! { <ApplyForm provider_id=provider_id.clone() clients=chosen() asking selected version saved /> }
                        })
                }
            }
        </Modal>
    }
    .into_any()
}

/// The confirm step: every change in every chosen client, then Apply.
#[component]
fn ApplyForm(
    provider_id: String,
    clients: Vec<ClientDrift>,
    asking: RwSignal<bool>,
    selected: RwSignal<HashSet<String>>,
    version: RwSignal<u32>,
    saved: RwSignal<Option<String>>,
) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let ids: Vec<String> = clients.iter().map(|c| c.org_id.clone()).collect();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (pid, ids) = (provider_id.clone(), ids.clone());
        while_busy(busy, apply_baseline(pid, ids), move |r| match r {
            Ok(done) => {
                saved.set(Some(format!(
                    "Baseline applied: {} {} changed in {} {}.",
                    done.policies,
                    if done.policies == 1 { "policy" } else { "policies" },
                    done.clients,
                    if done.clients == 1 { "client" } else { "clients" }
                )));
                selected.set(HashSet::new());
                asking.set(false);
                version.update(|v| *v += 1);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <form class="stack" on:submit=submit novalidate>
            <p>"These policies will be changed, and each change recorded in the client's event log:"</p>
            <ul class="plain-list apply-list">
                {clients
                    .into_iter()
                    .map(|c| {
                        view! {
                            <li>
                                <strong>{c.org_name}</strong>
                                <ul>
                                    {c
                                        .drift
                                        .into_iter()
                                        .map(|d| view! { <li>{format!("{}: {} → {}", d.kind.label(), d.current, d.baseline)}</li> })
                                        .collect_view()}
                                </ul>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="form-error" role="alert">
                {move || error.get().map(|e| e.to_string())}
            </p>
            <div class="modal-actions">
                <button type="button" class="btn ghost" on:click=move |_| asking.set(false)>
                    "Cancel"
                </button>
                <button type="submit" class="btn primary" disabled=move || busy.get()>
                    "Apply baseline"
                </button>
            </div>
        </form>
    }
}
