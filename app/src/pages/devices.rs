//! Settings → My account → Apps: Bitwarden's apps logged in to the account
//! (a lost laptop's CLI, a phone), each logged out with one click, and the
//! browsers and apps remembered for two-step login forgotten at once.

use crate::api::{app_devices, forget_remembered, log_out_app};
use crate::components::while_busy;
use crate::pages::fmt_time;
use domain::api::AppDevice;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn DevicesCard() -> impl IntoView {
    // Read after hydration (the page around is already suspended).
    let devices = RwSignal::new(None::<Vec<AppDevice>>);
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            match app_devices().await {
                Ok(list) => devices.set(Some(list)),
                Err(e) => message.set(Some(e.to_string())),
            }
        })
    };
    Effect::new(move |_| load());
    let log_out = Callback::new(move |(id, name): (String, String)| {
        while_busy(busy, log_out_app(id), move |result| match result {
            Ok(()) => {
                message.set(Some(format!("{name} is logged out.")));
                load();
            }
            Err(e) => message.set(Some(e.to_string())),
        });
    });
    let forget = move |_| {
        while_busy(busy, forget_remembered(), move |result| match result {
            Ok(n) => message.set(Some(format!("Forgot {n} remembered browser(s) and app(s): each asks for a two-step login code next time."))),
            Err(e) => message.set(Some(e.to_string())),
        });
    };
    view! {
        <section class="card" aria-labelledby="apps-title">
            <h2 id="apps-title">"Apps"</h2>
            <p class="muted small">
                "Bitwarden's apps logged in to your account: browser extensions, phones, desktop apps and the command-line tool. Log out one you no longer use or have lost; it stops working at once."
            </p>
            {move || match devices.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="muted">"No app is logged in."</p> }.into_any(),
                Some(list) => {
                    view! {
                        <table class="table" aria-label="Apps">
                            <thead>
                                <tr>
                                    <th>"App"</th>
                                    <th>"Kind"</th>
                                    <th>"Logged in"</th>
                                    <th>"Last used"</th>
                                    <th class="actions">
                                        <span class="sr-only">"Log out"</span>
                                    </th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|d| {
                                        let label = format!("Log out {}", d.name);
                                        let ask = (d.id.clone(), d.name.clone());
                                        view! {
                                            <tr>
                                                <td class="strong">{d.name}</td>
                                                <td>{d.kind}</td>
                                                <td class="nowrap">{fmt_time(d.created_at)}</td>
                                                <td class="nowrap">{fmt_time(d.used_at)}</td>
                                                <td class="actions">
                                                    <button
                                                        class="btn small ghost danger"
                                                        aria-label=label
                                                        disabled=move || busy.get()
                                                        on:click=move |_| log_out.run(ask.clone())
                                                    >
                                                        "Log out"
                                                    </button>
                                                </td>
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
            <div class="card-actions">
                <button class="btn small" disabled=move || busy.get() on:click=forget>
                    "Forget remembered browsers"
                </button>
            </div>
            <p class="notice" role="status">
                {move || message.get()}
            </p>
        </section>
    }
}
