//! A member's details, opened from their name in a Members table: who they
//! are, role and status with dates, and — in a client organisation — their
//! groups and the collections they reach (directly or through a group), then
//! their latest events. What the viewer may not see says so instead.

use crate::api::{list_collections, list_groups, provider_events};
use crate::error::ApiError;
use crate::pages::fmt_time;
use crate::pages::members::Scope;
use crate::pages::providers::badge_class;
use crate::session::use_session;
use domain::api::{EventFilter, EventItem, MemberGrant, MemberListItem, member_access};
use domain::member::{StatusBadge, TenantKind};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

/// How many of the member's latest events the dialog lists.
const LATEST: i64 = 10;

#[derive(Clone, Default)]
struct Access {
    groups: Vec<String>,
    grants: Vec<(String, MemberGrant)>,
}

/// A section still loading, refused to the viewer, or failed.
fn not_ready<T>(state: Option<Result<T, ApiError>>, refused: &'static str) -> AnyView {
    match state {
        None => view! { <p class="muted">"Loading…"</p> }.into_any(),
        Some(Err(ApiError::Forbidden(_) | ApiError::NotFound(_))) => view! { <p class="muted">{refused}</p> }.into_any(),
        Some(Err(e)) => view! {
            <p class="form-error" role="alert">
                {e.to_string()}
            </p>
        }
        .into_any(),
        Some(Ok(_)) => ().into_any(),
    }
}

#[component]
pub fn MemberDetails(
    m: MemberListItem,
    scope: Scope,
    /// Opens the role (user type) form for this member.
    edit: Callback<()>,
) -> impl IntoView {
    let s = use_session();
    let is_org = scope.kind == TenantKind::Organization;
    let access = RwSignal::new(None::<Result<Access, ApiError>>);
    let events = RwSignal::new(None::<Result<(Vec<EventItem>, i64), ApiError>>);
    let (pid, member_id, email) = (scope.id.clone(), m.id.clone(), m.email.clone());
    let key = scope.key.clone();
    Effect::new(move |_| {
        let (pid, member_id, email, key) = (pid.clone(), member_id.clone(), email.clone(), key.clone());
        spawn_local(async move {
            let filter = EventFilter { member: Some(email), ..Default::default() };
            events.set(Some(provider_events(pid.clone(), filter, 0, LATEST).await.map(|p| (p.items, p.total))));
            if !is_org {
                return;
            }
            let found = async {
                let (groups, collections) = (list_groups(pid.clone()).await?, list_collections(pid.clone()).await?);
                let (groups, grants) = member_access(&member_id, &groups, &collections);
                // Collection names are encrypted with the organisation key.
                let org_key = key.open(&s).ok();
                let name = |c: &str| {
                    org_key
                        .as_ref()
                        .and_then(|k| k.decrypt(c).ok())
                        .and_then(|b| String::from_utf8(b).ok())
                        .unwrap_or_else(|| "(locked: unlock to read)".into())
                };
                Ok(Access { groups, grants: grants.into_iter().map(|g| (name(&g.collection_name), g)).collect() })
            };
            access.set(Some(found.await));
        });
    });
    let dates = {
        let mut d = vec![("Invited", fmt_time(m.invited_at))];
        if let Some(e) = m.expires_at.filter(|_| matches!(m.badge, StatusBadge::Invited | StatusBadge::Expired)) {
            d.push(("Invitation expires", fmt_time(e)));
        }
        d
    };
    let badge = m.badge;
    let status = if is_org && badge == StatusBadge::Suspended { "Revoked" } else { badge.label() };
    let all_events = format!("{}?member={}", scope.events_base, crate::components::urlencode(&m.email));
    view! {
        <div class="member-details">
            <dl class="facts">
                <dt>"Name"</dt>
                <dd>{m.name.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Email"</dt>
                <dd>{m.email.clone()}</dd>
                <dt>{if is_org { "Role" } else { "User type" }}</dt>
                <dd>{m.user_type.label()}</dd>
                <dt>"Status"</dt>
                <dd>
                    <span class=format!("badge {}", badge_class(badge))>{status}</span>
                </dd>
                {dates
                    .into_iter()
                    .map(|(what, when)| {
                        view! {
                            <dt>{what}</dt>
                            <dd>{when}</dd>
                        }
                    })
                    .collect_view()}
            </dl>
            <Show when=move || is_org>
                <h3>"Groups"</h3>
                {move || match access.get() {
                    Some(Ok(a)) if a.groups.is_empty() => view! { <p class="muted">"In no group."</p> }.into_any(),
                    Some(Ok(a)) => {
                        view! {
                            <ul class="chips" aria-label="Groups">
                                {a.groups.into_iter().map(|g| view! { <li class="chip">{g}</li> }).collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    other => not_ready(other, "You cannot see this organisation's groups and collections."),
                }}
                <h3>"Collections"</h3>
                {move || match access.get() {
                    Some(Ok(a)) if a.grants.is_empty() => view! { <p class="muted">"No access to any collection."</p> }.into_any(),
                    Some(Ok(a)) => {
                        view! {
                            <table class="table compact" aria-label="Collections">
                                <thead>
                                    <tr>
                                        <th>"Collection"</th>
                                        <th>"Permission"</th>
                                        <th>"Through"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {a
                                        .grants
                                        .into_iter()
                                        .map(|(name, g)| {
                                            view! {
                                                <tr>
                                                    <td>{name}</td>
                                                    <td>{g.permission.label()}</td>
                                                    <td>{g.via_group.map(|n| format!("Group {n}")).unwrap_or_else(|| "Direct access".into())}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any()
                    }
                    _ => ().into_any(),
                }}
            </Show>
            <h3>"Latest events"</h3>
            {move || match events.get() {
                Some(Ok((list, _))) if list.is_empty() => view! { <p class="muted">"No events about this member."</p> }.into_any(),
                Some(Ok((list, total))) => {
                    view! {
                        <table class="table compact" aria-label="Latest events">
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|e| {
                                        view! {
                                            <tr>
                                                <td class="nowrap muted small">{fmt_time(e.at)}</td>
                                                <td>{e.kind.replace('_', " ")}</td>
                                                <td class="muted small">{e.actor.map(|a| format!("by {a}")).unwrap_or_default()}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                        <p class="small">
                            <A href=all_events.clone()>{format!("All events about this member ({})", domain::text::thousands(total))}</A>
                        </p>
                    }
                        .into_any()
                }
                other => not_ready(other, "You cannot see this event log."),
            }}
            <div class="modal-actions">
                <button class="btn" on:click=move |_| edit.run(())>
                    {if is_org { "Change role" } else { "Change user type" }}
                </button>
            </div>
        </div>
    }
}
