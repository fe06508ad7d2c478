//! Event logs: the provider's (Provider admins) and each client organisation's.

use crate::api::provider_events;
use crate::components::ErrorView;
use crate::error::ApiError;
use crate::pages::fmt_time;
use crate::pages::providers::{ProviderNav, fresh_me, provider_of};

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

const PAGE: i64 = 50;

use domain::time::day_start;

#[component]
pub fn EventsPage() -> impl IntoView {
    let fresh = fresh_me();
    let params = use_params_map();
    let pid = move || params.with(|p| p.get("id")).unwrap_or_default();
    view! {
        <Title text="Event logs" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(Some(me)) = fresh.await else { return ().into_any() };
                let Some(p) = provider_of(&me, &pid()) else {
                    return view! { <ErrorView err=ApiError::NotFound("You are not a member of this provider.".into()) /> }.into_any();
                };
                view! {
                    <div class="with-sidenav">
                        <ProviderNav provider=p.clone() />
                        <div class="main-col">
                            <EventLog
                                tenant_id=p.id.clone()
                                base_href=format!("/providers/{}/events", p.id)
                                description="Everything that happened to this provider's members and clients."
                            />
                            <p class="muted small">
                                "Each client organisation keeps its own event log: open it from " <A href=format!("/providers/{}/clients", p.id)>"Clients"</A>
                                " (Event logs on the client's row)."
                            </p>
                        </div>
                    </div>
                }
                    .into_any()
            })}
        </Transition>
    }
}

/// A tenant's event log: date range, member filter (?member=), paging, CSV export.
#[component]
pub fn EventLog(tenant_id: String, base_href: String, description: &'static str) -> impl IntoView {
    let query = use_query_map();
    let member = move || query.with(|q| q.get("member"));
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let offset = RwSignal::new(0i64);
    let tid = tenant_id.clone();
    let page = Resource::new(
        move || (from.get(), to.get(), offset.get(), member()),
        move |(f, t, o, m)| provider_events(tid.clone(), day_start(&f), day_start(&t).map(|x| x + 86_400), o, PAGE, m),
    );
    let csv_href = format!("/api/providers/{tenant_id}/events.csv");
    view! {
        <div class="page-head">
            <div>
                <h1>"Event logs"</h1>
                <p class="muted">{description}</p>
            </div>
            <a class="btn" href=csv_href download="events.csv">
                "Export CSV"
            </a>
        </div>
        {move || member().map(|m| view! { <p class="notice">"Showing events about " <strong>{m}</strong> ". " <A href=base_href.clone()>"Show all"</A></p> })}
        <div class="toolbar">
            <label class="inline">"From" <input type="date" bind:value=from on:change=move |_| offset.set(0) /></label>
            <label class="inline">"To" <input type="date" bind:value=to on:change=move |_| offset.set(0) /></label>
        </div>
        <Transition fallback=|| {
            view! { <p class="muted">"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorView err=e /> }.into_any(),
                    Ok(pg) => {
                        let total = pg.total;
                        let no_next = move || offset.get() + PAGE >= total;
                        let no_prev = move || offset.get() == 0;
                        view! {
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th>"Time (UTC)"</th>
                                        <th>"Event"</th>
                                        <th>"By"</th>
                                        <th>"Member"</th>
                                        <th>"Details"</th>
                                        <th>"IP"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {pg
                                        .items
                                        .into_iter()
                                        .map(|e| {
                                            view! {
                                                <tr>
                                                    <td class="nowrap">{fmt_time(e.at)}</td>
                                                    <td>{e.kind.replace('_', " ")}</td>
                                                    <td>{e.actor.unwrap_or_default()}</td>
                                                    <td>{e.target.unwrap_or_default()}</td>
                                                    <td class="detail">{e.detail}</td>
                                                    <td>{e.ip.unwrap_or_default()}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                            <div class="pager">
                                <span class="muted">
                                    {move || format!("{}–{} of {}", (offset.get() + 1).min(total), (offset.get() + PAGE).min(total), total)}
                                </span>
                                <button class="btn small" disabled=no_prev on:click=move |_| offset.update(|o| *o = (*o - PAGE).max(0))>
                                    "Previous"
                                </button>
                                <button class="btn small" disabled=no_next on:click=move |_| offset.update(|o| *o += PAGE)>
                                    "Next"
                                </button>
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}
