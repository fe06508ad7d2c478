//! Settings → My account → Two-step login: an authenticator app, a code
//! mailed to the account's address or a security key (passkey) as a second
//! step at every log-in (portal and Bitwarden's apps). Turning it on or off asks for the master password
//! again; the recovery code is shown once.

use crate::components::{Field, while_busy, yield_to_browser};
use crate::error::ApiError;
use domain::api::{AuthenticatorSetup, Me};
use domain::crypto;
use domain::two_factor::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The authentication hash of the signed-in person's master password, made
/// in the browser (for the server calls that ask for the password again).
pub async fn own_auth_hash(me: &Me, password: &str) -> Result<String, String> {
    if password.is_empty() {
        return Err("Enter your master password.".into());
    }
    yield_to_browser().await;
    let email = domain::Email::parse(&me.email).map_err(|e| e.to_string())?;
    let master = crate::kdf::master_key(password, &email, me.kdf).await?;
    Ok(crypto::auth_hash(&master, password))
}

/// A server error as one line (field messages joined).
pub fn error_text(e: ApiError) -> String {
    match e {
        ApiError::Validation(v) => v.into_iter().map(|f| f.message).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

/// The key in groups of four, as authenticator apps show keys to type.
fn grouped(key: &str) -> String {
    key.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

#[derive(Clone, PartialEq)]
enum Stage {
    /// Asking for the master password (to turn on, or off).
    Password,
    /// The QR code and key shown, waiting for the first code.
    Scan(AuthenticatorSetup),
    /// A code mailed to this address, waiting for it.
    EmailCode(String),
    /// A security key being registered: the browser's options (JSON),
    /// waiting for its name and the touch.
    KeyName(String),
    /// On: the recovery code, shown once.
    Recovery(String),
}

#[component]
pub fn TwoStepCard(me: Me) -> impl IntoView {
    // Read in the browser after hydration (the page's first render, on the
    // server and in the browser alike, shows no state yet).
    let status = RwSignal::new(None::<domain::api::TwoFactorStatus>);
    let version = RwSignal::new(0u32);
    Effect::new(move |_| {
        version.track();
        spawn_local(async move {
            if let Ok(s) = crate::api::two_step_status().await {
                status.set(Some(s));
            }
        });
    });
    let refetch = move || version.update(|v| *v += 1);
    let stage = RwSignal::new(Stage::Password);
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let method = RwSignal::new(Method::Authenticator);
    // With security keys on: the password form adds a key (true) or turns off.
    let adding = RwSignal::new(false);
    let key_name = RwSignal::new(String::new());
    let saved = RwSignal::new(None::<String>);
    let enabled = move || status.get().and_then(|s| s.enabled_at);
    let my_email = StoredValue::new(me.email.clone());

    // Turn on (start: key and QR code) or turn off, after the master password.
    let submit_password = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        saved.set(None);
        let adding_key = enabled().is_some() && adding.get_untracked();
        let (me, pw, turning_off, chosen) = (me.clone(), password.get_untracked(), enabled().is_some() && !adding_key, method.get_untracked());
        let call = async move {
            let hash = own_auth_hash(&me, &pw).await?;
            if turning_off {
                crate::api::disable_two_step(hash).await.map_err(error_text)?;
                return Ok(None);
            }
            if adding_key {
                return crate::api::start_security_key(hash).await.map(|o| Some(Stage::KeyName(o))).map_err(error_text);
            }
            match chosen {
                Method::SecurityKey => crate::api::start_security_key(hash).await.map(|o| Some(Stage::KeyName(o))).map_err(error_text),
                Method::Authenticator => crate::api::start_authenticator(hash).await.map(|s| Some(Stage::Scan(s))).map_err(error_text),
                Method::Email => crate::api::start_email_two_step(hash).await.map(|to| Some(Stage::EmailCode(to))).map_err(error_text),
            }
        };
        while_busy(busy, call, move |result: Result<Option<Stage>, String>| match result {
            Ok(next) => {
                password.set(String::new());
                match next {
                    Some(next) => stage.set(next),
                    None => refetch(),
                }
            }
            Err(e) => error.set(Some(e)),
        });
    };
    let submit_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let c = code.get_untracked();
        let by_email = matches!(stage.get_untracked(), Stage::EmailCode(_));
        if c.trim().is_empty() {
            error.set(Some(if by_email { "Enter the 6-digit code we emailed you." } else { "Enter the 6-digit code your authenticator app shows." }.into()));
            return;
        }
        let call = async move { if by_email { crate::api::enable_email_two_step(c).await } else { crate::api::enable_authenticator(c).await } };
        while_busy(busy, call, move |result| match result {
            Ok(recovery) => {
                code.set(String::new());
                stage.set(Stage::Recovery(recovery));
                refetch();
            }
            Err(e) => error.set(Some(error_text(e))),
        });
    };
    // The key's name, then the touch: the browser asks the key, the server checks its answer.
    let submit_key = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let Stage::KeyName(options) = stage.get_untracked() else { return };
        let name = key_name.get_untracked();
        if let Err(m) = domain::two_factor::clean_key_name(&name) {
            error.set(Some(m.into()));
            return;
        }
        let call = async move {
            let response = crate::webauthn::create(&options).await?;
            crate::api::finish_security_key(name, response).await.map_err(error_text)
        };
        while_busy(busy, call, move |result: Result<Option<String>, String>| match result {
            Ok(Some(recovery)) => {
                key_name.set(String::new());
                stage.set(Stage::Recovery(recovery));
                refetch();
            }
            Ok(None) => {
                key_name.set(String::new());
                stage.set(Stage::Password);
                saved.set(Some("Security key added.".into()));
                refetch();
            }
            Err(e) => error.set(Some(e)),
        });
    };
    let remove_key = move |id: String| {
        error.set(None);
        saved.set(None);
        while_busy(busy, crate::api::remove_security_key(id), move |result| match result {
            Ok(()) => {
                saved.set(Some("Security key removed.".into()));
                refetch();
            }
            Err(e) => error.set(Some(error_text(e))),
        });
    };
    let submit_key = StoredValue::new(submit_key);
    let submit_key = move |ev: leptos::ev::SubmitEvent| submit_key.with_value(|f| f(ev));
    let (submit_password, submit_code) = (StoredValue::new(submit_password), StoredValue::new(submit_code));
    let submit_password = move |ev: leptos::ev::SubmitEvent| submit_password.with_value(|f| f(ev));
    let submit_code = move |ev: leptos::ev::SubmitEvent| submit_code.with_value(|f| f(ev));
    let cancel = move |_| {
        stage.set(Stage::Password);
        code.set(String::new());
        key_name.set(String::new());
        error.set(None);
    };

    let keys_on = move || status.with(|s| s.as_ref().is_some_and(|s| s.enabled_at.is_some() && s.method == Some(Method::SecurityKey)));
    // One second step to choose, with what it asks of the person.
    let choice = move |m: Method, hint: String| {
        view! {
            <label class="check">
                <input type="radio" name="two-step-method" prop:checked=move || method.get() == m on:change=move |_| method.set(m) />
                {format!(" {}", m.label())}
                <span class="muted small">{hint}</span>
            </label>
        }
    };
    let password_form = move || {
        let on = enabled().is_some();
        view! {
            <form class="stack narrow-form" on:submit=submit_password novalidate>
                {(!on)
                    .then(|| {
                        view! {
                            <fieldset class="choices">
                                <legend>"Second step"</legend>
                                {choice(Method::Authenticator, " — a new code every 30 seconds on your phone; works offline".into())}
                                {choice(Method::Email, format!(" — a code sent to {} at each log-in", my_email.get_value()))}
                                {choice(
                                    Method::SecurityKey,
                                    " — a key you touch (YubiKey, Titan…) or a passkey on this device; nothing to type, and it cannot be phished. Bitwarden's apps cannot use security keys with this server yet: if you log in from them, choose the authenticator app."
                                        .into(),
                                )}
                            </fieldset>
                        }
                    })}
                <Field label=if keys_on() {
                    "Master password to add a key or turn off two-step login"
                } else if on {
                    "Master password to turn off two-step login"
                } else {
                    "Master password to turn on two-step login"
                }>
                    <input type="password" autocomplete="current-password" bind:value=password />
                </Field>
                <p class="form-error" role="alert">
                    {move || error.get()}
                </p>
                <div class="actions">
                    {keys_on()
                        .then(|| {
                            view! {
                                <button class="btn primary" type="submit" disabled=move || busy.get() on:click=move |_| adding.set(true)>
                                    "Add a security key"
                                </button>
                            }
                        })}
                    <button class=if on { "btn danger" } else { "btn primary" } type="submit" disabled=move || busy.get() on:click=move |_| adding.set(false)>
                        {if on { "Turn off two-step login" } else { "Turn on two-step login" }}
                    </button>
                </div>
            </form>
        }
    };
    // The first code, from the app or the mail: it turns two-step login on.
    let code_form = move || {
        view! {
            <form class="stack" on:submit=submit_code novalidate>
                <Field label="Verification code">
                    <input type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="9" bind:value=code />
                </Field>
                <p class="form-error" role="alert">
                    {move || error.get()}
                </p>
                <div class="actions">
                    <button class="btn primary" type="submit" disabled=move || busy.get()>
                        "Turn on"
                    </button>
                    <button class="btn" type="button" on:click=cancel>
                        "Cancel"
                    </button>
                </div>
            </form>
        }
    };
    let scan = move |setup: AuthenticatorSetup| {
        view! {
            <div class="two-step-setup">
                <div class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=setup.qr_svg.clone()></div>
                <div class="stack">
                    <p>"1. Scan the QR code with your authenticator app (Bitwarden Authenticator, Microsoft or Google Authenticator, Authy…)."</p>
                    <p>"Or enter this key by hand:"</p>
                    <p class="mono key" data-testid="authenticator-key">
                        {grouped(&setup.key)}
                    </p>
                    <p>"2. Enter the 6-digit code the app shows."</p>
                    {code_form()}
                </div>
            </div>
        }
    };

    let email_code = move |to: String| {
        view! {
            <div class="stack narrow-form">
                <p>
                    "We sent a 6-digit code to " <strong>{to}</strong>
                    ". Enter it to turn on two-step login by email. It works for 10 minutes; no mail? Check the spam folder, or cancel and start again."
                </p>
                {code_form()}
            </div>
        }
    };

    // The name, then the touch.
    let key_form = move |_options: String| {
        view! {
            <form class="stack narrow-form" on:submit=submit_key novalidate>
                <p>
                    "Name this key so you can tell it from others, then choose Register and touch the key when it blinks (or confirm with your device's screen lock for a passkey)."
                </p>
                <Field label="Security key name">
                    <input type="text" maxlength="50" placeholder="YubiKey on my keyring" autofocus bind:value=key_name />
                </Field>
                <p class="form-error" role="alert">
                    {move || error.get()}
                </p>
                <div class="actions">
                    <button class="btn primary" type="submit" disabled=move || busy.get()>
                        {move || if busy.get() { "Waiting for your security key…" } else { "Register security key" }}
                    </button>
                    <button class="btn" type="button" on:click=cancel>
                        "Cancel"
                    </button>
                </div>
            </form>
        }
    };
    // The keys registered, each removable but the last.
    let key_list = move || {
        let keys = status.with(|s| s.as_ref().map(|s| s.security_keys.clone()).unwrap_or_default());
        let only_one = keys.len() <= 1;
        (!keys.is_empty()).then(|| {
            view! {
                <ul class="key-list" aria-label="Security keys">
                    {keys
                        .into_iter()
                        .map(|k| {
                            let day = |at: i64| domain::time::fmt_rfc3339(at).chars().take(10).collect::<String>();
                            let used = k.last_used_at.map(|at| format!(", last used {}", day(at))).unwrap_or_else(|| ", not used yet".into());
                            let id = k.id.clone();
                            let label = format!("Remove {}", k.name);
                            view! {
                                <li>
                                    <span class="key-name">{k.name.clone()}</span>
                                    <span class="muted small">{format!(" — added {}{used}", day(k.created_at))}</span>
                                    <button
                                        class="btn small"
                                        type="button"
                                        aria-label=label
                                        title=if only_one { "Your only key: add another first, or turn two-step login off" } else { "" }
                                        disabled=move || busy.get() || only_one
                                        on:click=move |_| remove_key(id.clone())
                                    >
                                        "Remove"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
        })
    };

    view! {
        <section class="card" aria-labelledby="two-step-title">
            <h2 id="two-step-title">"Two-step login"</h2>
            <p class="muted small">
                "A second step after your master password: a code from an authenticator app or one we email you, or a security key you touch, at every log-in here and in Bitwarden's apps ("
                <code>"bw login"</code> " asks for it). A browser or app can be remembered for 30 days."
            </p>
            <p class="two-step-state" role="status">
                {move || match status.get() {
                    None => ().into_any(),
                    Some(domain::api::TwoFactorStatus { enabled_at: Some(at), method, .. }) => {
                        let how = match method {
                            Some(Method::Email) => format!(" Email codes to {}, since ", my_email.get_value()),
                            Some(Method::SecurityKey) => " Security keys, since ".to_string(),
                            _ => " Authenticator app, since ".to_string(),
                        };
                        view! {
                            <span class="badge ok">"On"</span>
                            {how}
                            {domain::time::fmt_rfc3339(at).chars().take(10).collect::<String>()}
                        }
                            .into_any()
                    }
                    Some(_) => view! { <span class="badge muted">"Off"</span> }.into_any(),
                }}
            </p>
            {key_list}
            // Polite, not a second `status`: the line above is the card's state.
            <p class="notice" aria-live="polite">
                {move || saved.get()}
            </p>
            {move || match stage.get() {
                Stage::Password => password_form().into_any(),
                Stage::KeyName(options) => key_form(options).into_any(),
                Stage::Scan(setup) => scan(setup).into_any(),
                Stage::EmailCode(to) => email_code(to).into_any(),
                Stage::Recovery(recovery) => {
                    view! {
                        <div class="stack" role="status">
                            <p class="notice">
                                "Two-step login is on. Save this recovery code somewhere safe: if you lose your authenticator app, your mailbox or your security keys, it turns two-step login off. It is not shown again."
                            </p>
                            <p class="mono key" data-testid="recovery-code">
                                {recovery}
                            </p>
                            <div>
                                <button class="btn" type="button" on:click=move |_| stage.set(Stage::Password)>
                                    "I saved it"
                                </button>
                            </div>
                        </div>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// Provider settings: require two-step login of every member of the staff
/// (Service users and Provider admins). Read after hydration.
#[component]
pub fn StaffTwoStepCard(provider_id: String) -> impl IntoView {
    let on = RwSignal::new(None::<bool>);
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let pid = StoredValue::new(provider_id);
    Effect::new(move |_| {
        let provider_id = pid.get_value();
        spawn_local(async move {
            match crate::api::staff_two_step(provider_id).await {
                Ok(v) => on.set(Some(v)),
                Err(e) => error.set(Some(error_text(e))),
            }
        });
    });
    let toggle = move |ev: leptos::ev::Event| {
        let want = event_target_checked(&ev);
        error.set(None);
        saved.set(None);
        while_busy(busy, crate::api::require_staff_two_step(pid.get_value(), want), move |result| {
            match result {
                Ok(()) => {
                    on.set(Some(want));
                    saved
                        .set(Some(if want { "Two-step login is now required of all provider staff." } else { "Two-step login is no longer required." }.into()));
                }
                Err(e) => {
                    // The box shows what is in force.
                    on.set(Some(!want));
                    error.set(Some(error_text(e)));
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="staff-two-step-title">
            <h2 id="staff-two-step-title">"Two-step login for provider staff"</h2>
            <p class="muted small">
                "One staff account opens every client's key. When required, staff without two-step login cannot open this provider, its clients or their keys — here or in Bitwarden's apps — until they turn it on under Settings → My account."
            </p>
            <label class="check">
                <input type="checkbox" prop:checked=move || on.get().unwrap_or(false) disabled=move || busy.get() || on.get().is_none() on:change=toggle />
                " Require two-step login for all provider staff"
            </label>
            <p class="notice" role="status">
                {move || saved.get()}
            </p>
            <p class="form-error" role="alert">
                {move || error.get()}
            </p>
        </section>
    }
}
