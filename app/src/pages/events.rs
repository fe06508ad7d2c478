//! Event logs: the provider's (Provider admins) and each client organisation's.

use crate::api::{event_facets, provider_events};
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
                                description="Everything that happened to this provider's members and in every client organisation, in one log."
                                with_clients=true
                            />
                        </div>
                    </div>
                }
                    .into_any()
            })}
        </Transition>
    }
}

/// Percent-encodes a query-string value.
fn enc(v: &str) -> String {
    v.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// A tenant's event log: date range, member filter (?member=), paging, CSV
/// export of what the filters select. A provider's log (`with_clients`)
/// shows every client organisation's events too, with a filter by client,
/// event and actor.
#[component]
pub fn EventLog(tenant_id: String, base_href: String, description: &'static str, #[prop(optional)] with_clients: bool) -> impl IntoView {
    let query = use_query_map();
    let member = move || query.with(|q| q.get("member"));
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let tenant = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let offset = RwSignal::new(0i64);
    let tid = tenant_id.clone();
    let some = |v: String| (!v.is_empty()).then_some(v);
    let filter = move || domain::api::EventFilter {
        from: day_start(&from.get()),
        to: day_start(&to.get()).map(|x| x + 86_400),
        member: member(),
        clients: with_clients,
        tenant: some(tenant.get()),
        actor: some(actor.get()),
        kind: some(kind.get()),
    };
    // The page of events, fetched after hydration and again on every change
    // of the filters (the page around is already suspended: a resource read
    // here would not hydrate). Only the newest request's answer is shown.
    let page = RwSignal::new(None::<Result<domain::api::EventPage, ApiError>>);
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (f, o, tid) = (filter(), offset.get(), tid.clone());
        let n = asked.get_value() + 1;
        asked.set_value(n);
        leptos::task::spawn_local(async move {
            let answer = provider_events(tid, f, o, PAGE).await;
            // `try_`: the person may have left the page (the value is then
            // gone, and reading it would stop the app).
            if asked.try_get_value() == Some(n) {
                page.set(Some(answer));
            }
        });
    });
    // The filters' choices, read after hydration (the page around is already
    // suspended: a resource read here would not hydrate).
    let facets = RwSignal::new(domain::api::EventFacets::default());
    {
        let tid = tenant_id.clone();
        Effect::new(move |_| {
            let tid = tid.clone();
            leptos::task::spawn_local(async move {
                if let Ok(f) = event_facets(tid, with_clients).await {
                    facets.set(f);
                }
            });
        });
    }
    let csv_href = move || {
        let mut q = vec![];
        for (k, v) in [("from", from.get()), ("to", to.get()), ("tenant", tenant.get()), ("kind", kind.get()), ("actor", actor.get())] {
            if !v.is_empty() {
                q.push(format!("{k}={}", enc(&v)));
            }
        }
        if let Some(m) = member() {
            q.push(format!("member={}", enc(&m)));
        }
        if with_clients {
            q.push("clients=1".into());
        }
        format!("/api/providers/{tenant_id}/events.csv{}{}", if q.is_empty() { "" } else { "?" }, q.join("&"))
    };
    let reset = move |_| offset.set(0);
    view! {
        <div class="page-head">
            <div>
                <h1>"Event logs"</h1>
                <p class="muted">{description}</p>
            </div>
            <a class="btn" href=csv_href download="">
                "Export CSV"
            </a>
        </div>
        {move || member().map(|m| view! { <p class="notice">"Showing events about " <strong>{m}</strong> ". " <A href=base_href.clone()>"Show all"</A></p> })}
        <div class="toolbar">
            <label class="inline">"From" <input type="date" bind:value=from on:change=reset /></label>
            <label class="inline">"To" <input type="date" bind:value=to on:change=reset /></label>
            <Show when=move || with_clients>
                <select class="filter" aria-label="Client" bind:value=tenant on:change=reset>
                    <option value="">"All clients and the provider"</option>
                    {move || {
                        facets
                            .with(|f| {
                                f.tenants
                                    .iter()
                                    .enumerate()
                                    .map(|(i, (id, name))| {
                                        let label = if i == 0 { format!("{name} (the provider)") } else { name.clone() };
                                        view! { <option value=id.clone()>{label}</option> }
                                    })
                                    .collect_view()
                            })
                    }}
                </select>
            </Show>
            <select class="filter" aria-label="Event" bind:value=kind on:change=reset>
                <option value="">"All events"</option>
                {move || facets.with(|f| f.kinds.iter().map(|k| view! { <option value=k.clone()>{k.replace('_', " ")}</option> }).collect_view())}
            </select>
            <select class="filter" aria-label="By" bind:value=actor on:change=reset>
                <option value="">"Anyone"</option>
                {move || facets.with(|f| f.actors.iter().map(|a| view! { <option value=a.clone()>{a.clone()}</option> }).collect_view())}
            </select>
        </div>
        {move || {
            match page.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorView err=e /> }.into_any(),
                Some(Ok(pg)) => {
                    let total = pg.total;
                    let no_next = move || offset.get() + PAGE >= total;
                    let no_prev = move || offset.get() == 0;
                    view! {
                        <Show when=move || total == 0>
                            <p class="muted" role="status">
                                "No events match."
                            </p>
                        </Show>
                        <table class="table events" aria-label="Events">
                            <thead>
                                <tr>
                                    {with_clients.then(|| view! { <th>"Client"</th> })} <th>"Time (UTC)"</th> <th>"Event"</th> <th>"By"</th> <th>"Member"</th>
                                    <th>"Details"</th> <th>"IP"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {pg
                                    .items
                                    .into_iter()
                                    .map(|e| {
                                        view! {
                                            <tr>
                                                {with_clients.then(|| view! { <td>{e.tenant.clone().unwrap_or_default()}</td> })}
                                                <td class="nowrap">{fmt_time(e.at)}</td> <td>{e.kind.replace('_', " ")}</td>
                                                <td>{e.actor.unwrap_or_default()}</td> <td>{e.target.unwrap_or_default()}</td>
                                                <td class="detail">{e.detail}</td> <td>{e.ip.unwrap_or_default()}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                        <div class="pager">
                            <span class="muted">{move || domain::api::event_range(total, offset.get(), PAGE)}</span>
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
        }}
    }
}
