//! Settings → My account: who you are, your fingerprint phrase, changing
//! the master password (all key work in the browser), and the API key.

use crate::components::{Field, StrengthMeter};
use crate::error::ApiError;
use crate::session::use_session;
use domain::api::{ChangePasswordInput, Me};
use domain::crypto;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

#[component]
pub fn MyAccountPage() -> impl IntoView {
    let s = use_session();
    view! {
        <Title text="My account" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(Some(me)) = s.me.await else { return ().into_any() };
                let uid = me.user_id.clone();
                let server_phrase = me.fingerprint.clone();
                let local = RwSignal::new(None::<String>);
                Effect::new(move |_| match s.key_pair_public() {
                    Some(pk) => {
                        let uid = uid.clone();
                        leptos::task::spawn_local(async move { local.set(crate::fingerprint::phrase(&uid, &pk).await.ok()) });
                    }
                    None => local.set(None),
                });
                let mismatch = {
                    let server_phrase = server_phrase.clone();
                    move || local.with(|l| l.as_ref().is_some_and(|l| *l != server_phrase))
                };
                // When unlocked, the browser recomputes the phrase from its own
                // key pair, so a server that swapped the public key would show.
                view! {
                    <div class="page-head">
                        <div>
                            <h1>"My account"</h1>
                        </div>
                    </div>
                    {me
                        .password_reset
                        .then(|| {
                            view! {
                                <p class="notice warn" role="alert">
                                    "An administrator reset your master password (account recovery). Choose your own master password now, below."
                                </p>
                            }
                        })}
                    <section class="card">
                        <h2>"Profile"</h2>
                        <dl class="facts">
                            <dt>"Name"</dt>
                            <dd>{me.name.clone()}</dd>
                            <dt>"Email"</dt>
                            <dd>{me.email.clone()}</dd>
                            <dt>"Key derivation"</dt>
                            <dd>{format!("Argon2id, {} MiB, {} iterations, {} lanes", me.kdf.memory_kib / 1024, me.kdf.iterations, me.kdf.parallelism)}</dd>
                        </dl>
                    </section>
                    <section class="card" aria-labelledby="fp-title">
                        <h2 id="fp-title">"Fingerprint phrase"</h2>
                        <p class="muted">"A Provider admin compares this phrase before confirming you. It is unique to your account."</p>
                        <p class="fingerprint" data-testid="fingerprint-phrase">
                            {move || local.get().unwrap_or_else(|| server_phrase.clone())}
                        </p>
                        <Show when=mismatch>
                            <p class="form-error" role="alert">
                                "Warning: this phrase does not match your own key. Do not share secrets until this is resolved."
                            </p>
                        </Show>
                    </section>
                    <ChangePassword me=me.clone() />
                    <crate::pages::vault_timeout::VaultTimeoutCard me=me.clone() />
                    <crate::pages::two_step::TwoStepCard me=me.clone() />
                    <crate::pages::recovery::EnrolmentCard />
                    <crate::pages::api_key::ApiKeyCard me=me.clone() />
                    <crate::pages::devices::DevicesCard />
                }
                    .into_any()
            })}
        </Transition>
    }
}

/// The new master password re-encrypts the same user key, so nothing else
/// changes; other sessions end. Organisation policies apply to the new one.
#[component]
fn ChangePassword(me: Me) -> impl IntoView {
    // Fetch the key derivation module while the person types.
    Effect::new(|_| crate::kdf::preload());
    let s = use_session();
    // Survives the re-render that follows the profile reload after a change.
    let done = s.flash;
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<domain::FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let field = move |f: &'static str| {
        Signal::derive(move || {
            let m: Vec<String> = errors.get().into_iter().filter(|e| e.field == f).map(|e| e.message).collect();
            (!m.is_empty()).then(|| m.join(" "))
        })
    };
    let rules = me.policies.master_password;
    let email_s = me.email.clone();
    let email = me.email.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        form_error.set(None);
        let mut errs: Vec<domain::FieldError> = domain::text::new_master_password(&new.get_untracked(), &confirm.get_untracked(), "")
            .into_iter()
            .map(|e| if e.field == "password" { domain::FieldError::new("new_password", e.message) } else { e })
            .collect();
        if current.get_untracked().is_empty() {
            errs.push(domain::FieldError::new("current_password", "Enter your current master password."));
        }
        errors.set(errs.clone());
        if !errs.is_empty() {
            return;
        }
        let Some(keys) = s.keys.get_untracked() else {
            form_error.set(Some("Unlock your vault first.".into()));
            return;
        };
        busy.set(true);
        let (me, email_s) = (me.clone(), email_s.clone());
        // Read before any await: the page may be gone after one.
        let (pw, current_pw) = (new.get_untracked(), current.get_untracked());
        spawn_local(async move {
            crate::components::yield_to_browser().await;
            let result: Result<(), String> = async {
                let email = domain::Email::parse(&me.email).map_err(|e| e.to_string())?;
                let score = crate::pages::auth::strength(&pw, &[email_s.clone()]).await.unwrap_or(0);
                // Sent only when a master-password policy asks for it.
                let facts = domain::org::PasswordFacts { length: pw.chars().count() as u32, score }.shared_with(rules);
                if let Err(msg) = domain::org::check_master_password(rules, facts) {
                    errors.set(vec![domain::FieldError::new("new_password", msg)]);
                    return Err("Please correct the fields above.".into());
                }
                let old_master = crate::kdf::master_key(&current_pw, &email, me.kdf).await?;
                let new_master = crate::kdf::master_key(&pw, &email, me.kdf).await?;
                let input = ChangePasswordInput {
                    current_auth_hash: crypto::auth_hash(&old_master, &current_pw),
                    new_auth_hash: crypto::auth_hash(&new_master, &pw),
                    new_protected_user_key: crypto::stretched_key(&new_master).encrypt(&keys.user_key.to_bytes()),
                    password: facts,
                };
                crate::api::change_master_password(input).await.map_err(|e| match e {
                    ApiError::Validation(v) => {
                        errors.set(v);
                        "Please correct the fields above.".to_string()
                    }
                    other => other.to_string(),
                })
            }
            .await;
            match result {
                Ok(()) => {
                    current.set(String::new());
                    new.set(String::new());
                    confirm.set(String::new());
                    done.set(Some("Master password changed.".into()));
                    busy.set(false);
                    // The profile holds the protected user key: reload it (this re-renders the page).
                    s.refresh();
                }
                Err(e) => {
                    form_error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    let policy = rules.map(|r| {
        format!(
            "Your organisation requires at least {} characters and a strength of at least {} ({} of 4).",
            r.min_length,
            domain::org::score_label(r.min_score),
            r.min_score
        )
    });
    view! {
        <section class="card" aria-labelledby="pw-title">
            <h2 id="pw-title">"Change master password"</h2>
            <p class="muted small">"Your vault stays as it is; other devices are logged out."</p>
            {policy.map(|p| view! { <p class="notice small">{p}</p> })}
            <form class="stack narrow-form" on:submit=submit novalidate>
                <Field label="Current master password" error=field("current_password")>
                    <input type="password" autocomplete="current-password" bind:value=current />
                </Field>
                <Field label="New master password" error=field("new_password")>
                    <input type="password" autocomplete="new-password" bind:value=new />
                </Field>
                <StrengthMeter password=new inputs=Signal::derive(move || vec![email.clone()]) />
                <Field label="Confirm new master password" error=field("confirm")>
                    <input type="password" autocomplete="new-password" bind:value=confirm />
                </Field>
                <p class="form-error" role="alert">
                    {move || form_error.get()}
                </p>
                <p class="notice" role="status">
                    {move || done.get()}
                </p>
                <div>
                    <button class="btn primary" type="submit" disabled=move || busy.get()>
                        "Change master password"
                    </button>
                </div>
            </form>
        </section>
    }
}
