//! Billing → Subscription → Usage: every client's seats and members over a
//! month (at its end, the peak, added and removed), to invoice from, with
//! the same figures as a CSV download.

use crate::api::client_usage;
use crate::components::{ErrorView, urlencode};
use crate::error::ApiError;
use domain::api::UsageReport;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn UsageCard(provider_id: String, version: RwSignal<u32>) -> impl IntoView {
    let pid = StoredValue::new(provider_id);
    // Empty: the month under way (the server knows which it is).
    let month = RwSignal::new(String::new());
    let report = RwSignal::new(None::<Result<UsageReport, ApiError>>);
    Effect::new(move |_| {
        version.track();
        let (m, provider_id) = (month.get(), pid.get_value());
        spawn_local(async move {
            let r = client_usage(provider_id, (!m.is_empty()).then_some(m)).await;
            if let Ok(r) = &r
                && month.try_get_untracked().is_some_and(|m| m.is_empty())
            {
                month.set(r.month.clone());
            }
            report.set(Some(r));
        });
    });
    let csv_href = move || format!("/api/providers/{}/usage.csv?month={}", pid.get_value(), urlencode(&month.get()));
    view! {
        <section class="card">
            <div class="card-head">
                <h2>"Usage"</h2>
                <div class="toolbar">
                    <label class="inline-field">
                        <span>"Month"</span>
                        <input type="month" prop:value=move || month.get() on:change=move |ev| month.set(event_target_value(&ev)) />
                    </label>
                    <a class="btn small" href=csv_href download>
                        "Export usage CSV"
                    </a>
                </div>
            </div>
            <p class="muted small">
                "Seats and members at the month's end (today, for the month under way), the most seats in use at any moment, and members added and removed."
            </p>
            {move || match report.get() {
                None => view! { <p class="muted">"Loading usage…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorView err=e /> }.into_any(),
                Some(Ok(r)) if r.clients.is_empty() => view! { <p class="muted">"No clients in this month."</p> }.into_any(),
                Some(Ok(r)) => {
                    view! {
                        <table class="table" aria-label="Usage">
                            <thead>
                                <tr>
                                    <th>"Client"</th>
                                    <th>"Seats assigned"</th>
                                    <th>"Seats used"</th>
                                    <th>"Peak"</th>
                                    <th>"Added"</th>
                                    <th>"Removed"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {r
                                    .clients
                                    .into_iter()
                                    .map(|c| {
                                        let u = c.usage;
                                        view! {
                                            <tr>
                                                <td class="strong">
                                                    {c.name}
                                                    {c
                                                        .suspended
                                                        .then(|| {
                                                            view! {
                                                                " "
                                                                <span class="badge warn">"Suspended"</span>
                                                            }
                                                        })}
                                                </td>
                                                <td>{u.seats}</td>
                                                <td>{u.used}</td>
                                                <td>{u.peak}</td>
                                                <td>{u.added}</td>
                                                <td>{u.removed}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
