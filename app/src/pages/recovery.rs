//! Account recovery in the browser: an administrator sets it up (the
//! organisation's key pair, made here), members enrol under My account
//! (their user key sealed to the organisation's public key, after comparing
//! its fingerprint phrase), and an administrator recovers an enrolled member
//! from the Members table (⋮ → Recover account) by setting a new master
//! password, whose keys are made here from the member's own user key.

use crate::components::{Field, StrengthMeter, while_busy, yield_to_browser};
use crate::pages::members::TenantKey;
use crate::pages::two_step::error_text;
use crate::session::use_session;
use domain::api::{MemberListItem, RecoverAccountInput, RecoveryStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Policies page: sets account recovery up once (the organisation's key pair).
#[component]
pub fn RecoverySetupCard(org_id: String, key: TenantKey) -> impl IntoView {
    let status = {
        let org_id = org_id.clone();
        Resource::new(|| (), move |_| crate::api::recovery_set_up(org_id.clone()))
    };
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let set_up = move |_| {
        let (org_id, key) = (org_id.clone(), key.clone());
        error.set(None);
        let call = async move {
            yield_to_browser().await;
            let org_key = key.open(&use_session())?;
            // RSA-2048 generation: a moment of work, in the browser.
            let (public, private) = domain::recovery::new_org_key_pair(&org_key);
            crate::api::setup_recovery(org_id, public, private).await.map_err(error_text)
        };
        while_busy(busy, call, move |result: Result<(), String>| match result {
            Ok(()) => status.refetch(),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <section class="card policy-card" aria-labelledby="recovery-title">
            <h2 id="recovery-title">"Account recovery administration"</h2>
            <p class="muted small">
                "Members who enrol (Settings → My account) can have their master password reset by an Owner, an Admin, a Custom member with Manage account recovery, or your provider — from the Members table, ⋮ → Recover account. Their vault stays readable: the new password opens the same keys."
            </p>
            <Transition fallback=|| ()>
                {move || {
                    let set_up = set_up.clone();
                    Suspend::new(async move {
                        match status.await {
                            Ok(true) => {
                                view! {
                                    <p role="status">
                                        <span class="badge ok">"Set up"</span>
                                        " Members can enrol."
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(false) => {
                                view! {
                                    <p role="status">
                                        <span class="badge muted">"Not set up"</span>
                                    </p>
                                    <button class="btn primary" type="button" on:click=set_up disabled=move || busy.get()>
                                        {move || if busy.get() { "Making the organisation's recovery keys…" } else { "Set up account recovery" }}
                                    </button>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                        }
                    })
                }}
            </Transition>
            <p class="form-error" role="alert">
                {move || error.get()}
            </p>
        </section>
    }
}

/// My account: enrol in (or withdraw from) each organisation's account recovery.
#[component]
pub fn EnrolmentCard() -> impl IntoView {
    // Read in the browser after hydration (the first render shows nothing yet).
    let version = RwSignal::new(0u32);
    let list = RwSignal::new(None::<Vec<RecoveryStatus>>);
    Effect::new(move |_| {
        version.track();
        spawn_local(async move {
            if let Ok(l) = crate::api::my_recovery().await {
                list.set(Some(l));
            }
        });
    });
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let act = move |org: RecoveryStatus| {
        error.set(None);
        let call = async move {
            if org.enrolled {
                return crate::api::withdraw_recovery(org.org_id).await.map_err(error_text);
            }
            let keys = use_session().keys.get_untracked().ok_or("Unlock your vault first.")?;
            let public = org.public_key.ok_or("Account recovery is not set up in this organisation yet.")?;
            let sealed = domain::recovery::enrol(&public, &keys.user_key).map_err(|_| "The organisation's public key is not valid.".to_string())?;
            crate::api::enrol_recovery(org.org_id, sealed).await.map_err(error_text)
        };
        while_busy(busy, call, move |result: Result<(), String>| match result {
            Ok(()) => version.update(|v| *v += 1),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <section class="card" aria-labelledby="enrol-title">
            <h2 id="enrol-title">"Account recovery"</h2>
            <p class="muted small">
                "If you forget your master password, an administrator of an organisation you enrolled in can set a new one for you. Enrolling gives that organisation's administrators (and its provider) this power: compare the organisation's fingerprint phrase with theirs first."
            </p>
            {move || {
                let Some(orgs) = list.get() else { return ().into_any() };
                if orgs.is_empty() {
                    return view! { <p class="muted">"You are not a member of any organisation."</p> }.into_any();
                }
                view! {
                    <ul class="recovery-list">
                        {orgs
                            .into_iter()
                            .map(|o| {
                                let o2 = o.clone();
                                let label = if o.enrolled { format!("Withdraw from {}", o.org_name) } else { format!("Enrol in {}", o.org_name) };
                                view! {
                                    <li>
                                        <div>
                                            <strong>{o.org_name.clone()}</strong>
                                            {if o.enrolled { view! { <span class="badge ok">"Enrolled"</span> }.into_any() } else { ().into_any() }}
                                            {match &o.fingerprint {
                                                Some(f) => {
                                                    view! {
                                                        <p class="muted small">"Fingerprint phrase: " <span class="fingerprint inline">{f.clone()}</span></p>
                                                    }
                                                        .into_any()
                                                }
                                                None => view! { <p class="muted small">"Not set up by its administrators yet."</p> }.into_any(),
                                            }}
                                        </div>
                                        {if o.enrolled && o.auto_enrol {
                                            view! { <p class="muted small">"Required by the organisation's policy: you cannot withdraw."</p> }.into_any()
                                        } else {
                                            view! {
                                                <button
                                                    class=if o.enrolled { "btn small" } else { "btn small primary" }
                                                    type="button"
                                                    disabled=move || busy.get() || o2.public_key.is_none()
                                                    on:click={
                                                        let o = o.clone();
                                                        move |_| act(o.clone())
                                                    }
                                                >
                                                    {label}
                                                </button>
                                            }
                                                .into_any()
                                        }}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <p class="form-error" role="alert">
                {move || error.get()}
            </p>
        </section>
    }
}

/// Members table: ⋮ → Recover account. Sets a new master password for an
/// enrolled member; the member's sessions and apps end and they must choose
/// their own password at the next log-in.
#[component]
pub fn RecoverForm(org_id: String, key: TenantKey, m: MemberListItem, done: Callback<Result<String, String>>) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let who = m.name.clone().unwrap_or_else(|| m.email.clone());
    let email = m.email.clone();
    let submit = {
        let who = who.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            error.set(None);
            let (pw, again) = (password.get_untracked(), confirm.get_untracked());
            if let Some(e) = domain::text::new_master_password(&pw, &again, "").into_iter().next() {
                error.set(Some(e.message));
                return;
            }
            let (org_id, key, member_id, who) = (org_id.clone(), key.clone(), m.id.clone(), who.clone());
            let call = async move {
                yield_to_browser().await;
                let org_key = key.open(&use_session())?;
                let material = crate::api::get_recovery_material(org_id.clone(), member_id.clone()).await.map_err(error_text)?;
                let user_key = domain::recovery::open_user_key(&org_key, &material.private_key, &material.sealed_user_key)
                    .map_err(|_| "The member's recovery key could not be opened with this organisation's key.".to_string())?;
                let email = domain::Email::parse(&material.email).map_err(|e| e.to_string())?;
                let score = crate::pages::auth::strength(&pw, &[material.email.clone()]).await.unwrap_or(0);
                let master = crate::kdf::master_key(&pw, &email, material.kdf).await?;
                let r = domain::recovery::rewrap(&user_key, &master, &pw);
                let password = domain::org::PasswordFacts { length: pw.chars().count() as u32, score };
                let input = RecoverAccountInput { org_id, member_id, auth_hash: r.auth_hash, protected_user_key: r.protected_user_key, password };
                crate::api::recover_account(input).await.map_err(error_text)
            };
            while_busy(busy, call, move |result: Result<(), String>| match result {
                Ok(()) => {
                    password.set(String::new());
                    confirm.set(String::new());
                    done.run(Ok(format!("{who}'s master password was reset. Give them the new password: they choose their own at their next log-in.")));
                }
                Err(e) => error.set(Some(e)),
            });
        }
    };
    view! {
        <form class="stack" on:submit=submit novalidate>
            <p>
                "Set a new master password for " <strong>{who}</strong> " (" {email.clone()}
                "). Every session and app of the account is logged out; the member is told by mail and chooses their own password at the next log-in."
            </p>
            <Field label="New master password">
                <input type="password" autocomplete="new-password" bind:value=password />
            </Field>
            <StrengthMeter password=password inputs=Signal::derive(move || vec![email.clone()]) />
            <Field label="Confirm new master password">
                <input type="password" autocomplete="new-password" bind:value=confirm />
            </Field>
            <p class="form-error" role="alert">
                {move || error.get()}
            </p>
            <div class="actions">
                <button class="btn primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Resetting…" } else { "Reset master password" }}
                </button>
                <button class="btn ghost" type="button" on:click=move |_| done.run(Err(String::new()))>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
