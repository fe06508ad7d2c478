//! Create account, Log in. All key derivation happens here, in the browser:
//! the server receives only the authentication hash and encrypted keys.

use crate::api::{login, prelogin, register, send_login_code};
use crate::components::{Field, StrengthMeter, while_busy, yield_to_browser};
use crate::error::ApiError;
use crate::pages::safe_next;
use crate::session::use_session;
use domain::api::{LoginInput, RegisterInput, TwoFactorAnswer};
use domain::crypto;
use domain::{Email, KdfParams};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

#[cfg(feature = "hydrate")]
mod lazy {
    use wasm_bindgen::prelude::*;

    /// Loads the strength module on first use (a separate download) and scores.
    pub async fn score(password: &str, inputs: &[String]) -> Option<u8> {
        let f = crate::modules::function("strength", "score").await.ok()?;
        let arr: js_sys::Array = inputs.iter().map(|s| JsValue::from_str(s)).collect();
        f.call2(&JsValue::NULL, &JsValue::from_str(password), &arr).ok()?.as_f64().map(|s| s as u8)
    }
}

/// zxcvbn score 0–4, computed in the browser by the lazily loaded strength
/// module (the server never sees the password). None until it has loaded.
pub async fn strength(password: &str, inputs: &[String]) -> Option<u8> {
    #[cfg(feature = "hydrate")]
    {
        lazy::score(password, inputs).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (password, inputs);
        None
    }
}

/// Why a log-in did not finish.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginError {
    /// The account has two-step login on: ask for the code and try again.
    /// With email codes, what the server said (where the code went).
    TwoStep(Option<String>),
    /// The account's second step is a security key: the WebAuthn request
    /// options (JSON) for the browser.
    SecurityKey(String),
    /// A wrong or already used code (the code field's message).
    Code(String),
    Failed(String),
}

impl From<LoginError> for String {
    fn from(e: LoginError) -> String {
        match e {
            LoginError::TwoStep(None) => domain::api::TWO_STEP_NEEDED.to_string(),
            LoginError::TwoStep(Some(m)) => m,
            LoginError::SecurityKey(_) => "Use your security key to log in.".to_string(),
            LoginError::Code(m) | LoginError::Failed(m) => m,
        }
    }
}

impl From<String> for LoginError {
    fn from(m: String) -> Self {
        LoginError::Failed(m)
    }
}

/// The authentication hash of an account's master password, made in the
/// browser with the account's KDF settings.
async fn login_auth_hash(email: &str, password: &str) -> Result<(String, crypto::MasterKey), String> {
    let parsed = Email::parse(email).map_err(|e| e.to_string())?;
    let kdf = prelogin(parsed.to_string()).await.map_err(|e| e.to_string())?;
    yield_to_browser().await;
    let master = crate::kdf::master_key(password, &parsed, kdf).await?;
    Ok((crypto::auth_hash(&master, password), master))
}

/// Logs in: pre-login → Argon2id in the browser → authentication hash →
/// session (with the second step, when the account has two-step login on).
/// True when an administrator reset the master password (account recovery):
/// the person is to choose their own.
pub async fn do_login(email: &str, password: &str, for_invite: bool, two_factor: Option<TwoFactorAnswer>) -> Result<bool, LoginError> {
    let s = use_session();
    let parsed = Email::parse(email).map_err(|e| e.to_string())?;
    let (hash, master) = login_auth_hash(email, password).await?;
    let input = LoginInput { two_factor, ..LoginInput::new(parsed.to_string(), hash) };
    let me = login(input).await.map_err(|e| match (e.field("two_factor"), e.field(domain::api::TWO_STEP_EMAIL_FIELD), e.field("code")) {
        _ if e.field(domain::api::TWO_STEP_SECURITY_KEY_FIELD).is_some() => {
            LoginError::SecurityKey(e.field(domain::api::TWO_STEP_SECURITY_KEY_FIELD).unwrap_or_default())
        }
        (Some(_), _, _) => LoginError::TwoStep(None),
        (_, Some(sent), _) => LoginError::TwoStep(Some(sent)),
        (_, _, Some(m)) => LoginError::Code(m),
        _ => LoginError::Failed(e.to_string()),
    })?;
    let keys = crypto::unlock(&master, &me.protected_user_key, &me.protected_private_key).map_err(|_| "Your keys could not be decrypted.".to_string())?;
    s.set_keys(&me, keys);
    s.refresh();
    // Joining an organisation checks the master password against its policy:
    // keep only its length and strength, never the password.
    if for_invite {
        let score = strength(password, &[parsed.to_string()]).await.unwrap_or(0);
        s.password.set(Some(domain::org::PasswordFacts { length: password.chars().count() as u32, score }));
    }
    Ok(me.password_reset)
}

/// The second step with a security key: the key signs the open challenge
/// (`options`, or a fresh one asked for with the password when the last was
/// spent), then the log-in is sent with its answer. Options still open when
/// the person cancelled at the key are put back in `kept`.
async fn security_key_login(
    email: &str,
    password: &str,
    for_invite: bool,
    options: Option<String>,
    remember: bool,
    kept: RwSignal<Option<String>>,
) -> Result<bool, LoginError> {
    let options = match options {
        Some(o) => o,
        None => match do_login(email, password, for_invite, None).await {
            Err(LoginError::SecurityKey(o)) => o,
            other => return other,
        },
    };
    let response = match crate::webauthn::get(&options).await {
        Ok(r) => r,
        Err(e) => {
            kept.try_set(Some(options));
            return Err(LoginError::Failed(e));
        }
    };
    do_login(email, password, for_invite, Some(TwoFactorAnswer::SecurityKey { response, remember })).await
}

/// The invitation token inside a `next` path such as `/accept-invite?token=…`.
pub fn invite_token_of(next: &str) -> Option<String> {
    next.strip_prefix("/accept-invite?")?.split('&').find_map(|kv| kv.strip_prefix("token=")).map(str::to_string)
}

#[component]
pub fn LoginPage() -> impl IntoView {
    // Fetch the key derivation module while the person types.
    Effect::new(|_| crate::kdf::preload());
    // Why the person is here (e.g. logged out by a vault timeout policy).
    let flash = use_session().flash;
    let query = use_query_map();
    // Sent here by the vault timeout chosen in this browser (see /logout).
    Effect::new(move |_| {
        if query.with_untracked(|q| q.get("why")).as_deref() == Some("timeout") {
            let (timeout, _) = crate::vault_keep::chosen();
            flash.set(Some(format!("You were logged out by your vault timeout ({}, then log out).", timeout.label().to_lowercase())));
        }
    });
    let navigate = use_navigate();
    let email = RwSignal::new(query.with_untracked(|q| q.get("email")).unwrap_or_default());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Two-step login: the second form, the code typed, and whether it is the recovery code.
    let two_step = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    let recovery = RwSignal::new(false);
    let remember = RwSignal::new(false);
    // With email codes: where the code went (None: the authenticator app).
    let emailed = RwSignal::new(None::<String>);
    // With a security key: the open challenge's options (None once spent).
    let key_mode = RwSignal::new(false);
    let key_options = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let next = move || safe_next(query.with_untracked(|q| q.get("next")));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        let by_key = two_step.get_untracked() && key_mode.get_untracked() && !recovery.get_untracked();
        let answer = if two_step.get_untracked() && !by_key {
            let c = code.get_untracked();
            if c.trim().is_empty() {
                error.set(Some(if recovery.get_untracked() {
                    "Enter your recovery code.".to_string()
                } else {
                    emailed.get_untracked().unwrap_or_else(|| domain::api::TWO_STEP_NEEDED.into())
                }));
                return;
            }
            Some(match (recovery.get_untracked(), emailed.get_untracked()) {
                (true, _) => TwoFactorAnswer::Recovery { code: c },
                (false, Some(_)) => TwoFactorAnswer::Email { code: c, remember: remember.get_untracked() },
                (false, None) => TwoFactorAnswer::Authenticator { code: c, remember: remember.get_untracked() },
            })
        } else {
            None
        };
        busy.set(true);
        let navigate = navigate.clone();
        let (email_s, pw, to) = (email.get_untracked(), password.get_untracked(), next());
        let (options, remembered) = (if by_key { key_options.try_update(Option::take).flatten() } else { None }, remember.get_untracked());
        spawn_local(async move {
            let invite = to.starts_with("/accept-invite");
            let result = if by_key {
                security_key_login(&email_s, &pw, invite, options, remembered, key_options).await
            } else {
                do_login(&email_s, &pw, invite, answer).await
            };
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match result {
                // Leaving the page is the last thing done.
                Ok(reset) => {
                    password.set(String::new());
                    code.set(String::new());
                    // An administrator set this password: choose one's own first.
                    navigate(if reset { "/settings/account?reset=1" } else { &to }, Default::default());
                }
                Err(LoginError::TwoStep(sent)) => {
                    // First time: the code form; again (a remembered browser
                    // that was forgotten): the same form, said once more.
                    if two_step.get_untracked() {
                        error.set(Some(sent.clone().unwrap_or_else(|| domain::api::TWO_STEP_NEEDED.into())));
                    }
                    emailed.set(sent);
                    key_mode.set(false);
                    two_step.set(true);
                }
                Err(LoginError::SecurityKey(options)) => {
                    key_options.set(Some(options));
                    emailed.set(None);
                    key_mode.set(true);
                    two_step.set(true);
                }
                Err(e) => error.set(Some(e.into())),
            }
        });
    };
    // One handler for both forms (password, then code), kept where every
    // rendering of either form can reach it.
    let submit = StoredValue::new(submit);
    let submit = move |ev: leptos::ev::SubmitEvent| submit.with_value(|f| f(ev));
    // Email codes: a new code (the master password's hash proves the person again).
    let resend = move |_| {
        error.set(None);
        notice.set(None);
        let (email_s, pw) = (email.get_untracked(), password.get_untracked());
        while_busy(
            busy,
            async move {
                let (hash, _) = login_auth_hash(&email_s, &pw).await?;
                send_login_code(email_s, hash).await.map_err(|e| e.to_string())
            },
            move |result: Result<bool, String>| match result {
                Ok(true) => notice.set(Some("A new code is on its way. The earlier one no longer works.".into())),
                Ok(false) => notice.set(Some("A code went out less than a minute ago: check your inbox (and spam folder), or try again in a minute.".into())),
                Err(e) => error.set(Some(e)),
            },
        );
    };
    let back = move |_| {
        two_step.set(false);
        emailed.set(None);
        key_mode.set(false);
        key_options.set(None);
        notice.set(None);
        recovery.set(false);
        code.set(String::new());
        error.set(None);
    };
    let register_href = move || {
        let mut h = format!("/register?next={}", crate::components::urlencode(&next()));
        let e = email.get();
        if !e.is_empty() {
            h.push_str(&format!("&email={}", crate::components::urlencode(&e)));
        }
        h
    };
    view! {
        <Title text="Log in" />
        <main class="centered auth">
            <div class="auth-brand">
                <span class="logo" aria-hidden="true">
                    "◆"
                </span>
                " Provider Portal"
            </div>
            <section class="card narrow">
                <Show
                    when=move || two_step.get()
                    fallback=move || {
                        view! {
                            <h1>"Log in"</h1>
                            <p class="notice" role="status">
                                {move || flash.get()}
                            </p>
                            <form on:submit=submit novalidate>
                                <Field label="Email address">
                                    <input type="email" name="email" autocomplete="username" required bind:value=email />
                                </Field>
                                <Field label="Master password">
                                    <input type="password" autocomplete="current-password" required bind:value=password />
                                </Field>
                                <p class="form-error" role="alert">
                                    {move || error.get()}
                                </p>
                                <button class="btn primary wide" type="submit" disabled=move || busy.get()>
                                    {move || if busy.get() { "Logging in…" } else { "Log in" }}
                                </button>
                            </form>
                            <p class="muted center">"New here? " <A href=register_href>"Create account"</A></p>
                        }
                    }
                >
                    <h1>"Two-step login"</h1>
                    <form on:submit=submit novalidate class="stack">
                        <Show
                            when=move || recovery.get()
                            fallback=move || {
                                view! {
                                    <Show when=move || key_mode.get()>
                                        <p class="muted">
                                            "Use your security key or passkey for " <strong>{move || email.get()}</strong>
                                            ": choose Use security key, then touch the key when it blinks."
                                        </p>
                                    </Show>
                                    <Show when=move || !key_mode.get()>
                                        <p class="muted">
                                            {move || match emailed.get() {
                                                Some(sent) => view! { {sent} }.into_any(),
                                                None => {
                                                    view! {
                                                        "Enter the 6-digit code from your authenticator app for "
                                                        <strong>{move || email.get()}</strong>
                                                        "."
                                                    }
                                                        .into_any()
                                                }
                                            }}
                                        </p>
                                        <Field label="Verification code">
                                            <input type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="9" autofocus bind:value=code />
                                        </Field>
                                    </Show>
                                    <label class="check">
                                        <input type="checkbox" bind:checked=remember />
                                        " Remember me for 30 days on this browser"
                                    </label>
                                }
                            }
                        >
                            <p class="muted">"The recovery code turns two-step login off for your account. Turn it on again under Settings → My account."</p>
                            <Field label="Recovery code">
                                <input type="text" autocomplete="off" autocapitalize="characters" bind:value=code />
                            </Field>
                        </Show>
                        <p class="notice" role="status">
                            {move || notice.get()}
                        </p>
                        <p class="form-error" role="alert">
                            {move || error.get()}
                        </p>
                        <button class="btn primary wide" type="submit" disabled=move || busy.get()>
                            {move || match (busy.get(), key_mode.get() && !recovery.get()) {
                                (true, true) => "Waiting for your security key…",
                                (true, false) => "Checking…",
                                (false, true) => "Use security key",
                                (false, false) => "Continue",
                            }}
                        </button>
                    </form>
                    <Show when=move || emailed.get().is_some() && !recovery.get()>
                        <p class="muted center">
                            "No mail? " <button class="link" type="button" on:click=resend disabled=move || busy.get()>
                                "Send a new code"
                            </button>
                        </p>
                    </Show>
                    <p class="muted center">
                        <button
                            class="link"
                            type="button"
                            on:click=move |_| {
                                recovery.update(|r| *r = !*r);
                                code.set(String::new());
                                error.set(None);
                            }
                        >
                            {move || match (recovery.get(), emailed.get().is_some(), key_mode.get()) {
                                (true, _, true) => "Use your security key",
                                (true, true, _) => "Use the emailed code",
                                (true, false, _) => "Use the authenticator app",
                                (false, _, _) => "Use a recovery code",
                            }}
                        </button>
                        " · "
                        <button class="link" type="button" on:click=back>
                            "Cancel"
                        </button>
                    </p>
                </Show>
            </section>
        </main>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    // Fetch the key derivation module while the person types.
    Effect::new(|_| crate::kdf::preload());
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(query.with_untracked(|q| q.get("email")).unwrap_or_default());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let hint = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<domain::FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    // What the Create account button says while the browser makes the keys.
    let stage = RwSignal::new("Creating account…");
    let busy = RwSignal::new(false);
    let next = move || safe_next(query.with_untracked(|q| q.get("next")));
    // Signing up for an invitation: the organisation's master password rules apply.
    let invite = invite_token_of(&next());
    let rules = {
        let invite = invite.clone();
        Resource::new(
            || (),
            move |_| {
                let invite = invite.clone();
                async move {
                    match invite {
                        Some(t) => crate::api::get_invitation(t).await.ok().and_then(|i| i.master_password),
                        None => None,
                    }
                }
            },
        )
    };
    // The rules as last read, for the submit handler (a resource is read in
    // an effect or under a Suspense, not from an event handler).
    let rules_read = RwSignal::new(None::<Option<domain::org::MasterPasswordRules>>);
    Effect::new(move |_| rules_read.set(Some(rules.get().flatten())));
    let field = move |f: &'static str| {
        Signal::derive(move || {
            let m: Vec<String> = errors.get().into_iter().filter(|e| e.field == f).map(|e| e.message).collect();
            (!m.is_empty()).then(|| m.join(" "))
        })
    };
    let validate = move || {
        let mut errs = vec![];
        if let Err(e) = Email::parse(&email.get_untracked()) {
            errs.push(domain::FieldError::new("email", e.to_string()));
        }
        if let Err(e) = domain::text::person_name(&name.get_untracked()) {
            errs.push(e);
        }
        errs.extend(domain::text::new_master_password(&password.get_untracked(), &confirm.get_untracked(), &hint.get_untracked()));
        if let Err(e) = domain::text::hint(&hint.get_untracked()) {
            errs.push(e);
        }
        errs
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        let errs = validate();
        errors.set(errs.clone());
        if !errs.is_empty() {
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        let invite = invite.clone();
        // Everything the form says is read now: after an await the page may
        // be gone (the person navigated away), and reading its signals then
        // would panic. Writes to them later are harmless no-ops.
        let (email_s, pw, name_s, hint_s, rules_now, to) =
            (email.get_untracked(), password.get_untracked(), name.get_untracked(), hint.get_untracked(), rules_read.get_untracked().flatten(), next());
        spawn_local(async move {
            yield_to_browser().await;
            let parsed = Email::parse(&email_s).expect("validated");
            let kdf = KdfParams::default();
            let score = strength(&pw, &[email_s.clone(), name_s.clone()]).await.unwrap_or(0);
            // Sent only when a master-password policy asks for it.
            let facts = domain::org::PasswordFacts { length: pw.chars().count() as u32, score }.shared_with(rules_now);
            if let Err(msg) = domain::org::check_master_password(rules_now, facts) {
                errors.set(vec![domain::FieldError::new("password", msg)]);
                busy.set(false);
                return;
            }
            let result: Result<(), String> = async {
                stage.set("Deriving your master key…");
                let master = crate::kdf::master_key(&pw, &parsed, kdf).await?;
                // RSA-2048 generation blocks the page for a moment: say so first.
                stage.set("Generating your key pair…");
                yield_to_browser().await;
                let keys = crypto::new_account_with(master, &pw, crypto::KeyPair::generate());
                stage.set("Creating account…");
                register(RegisterInput {
                    hint: hint_s,
                    password: facts,
                    invite_token: invite.clone(),
                    ..RegisterInput::for_new_account(&parsed.to_string(), &name_s, kdf, &keys)
                })
                .await
                .map_err(|e| match e {
                    ApiError::Validation(v) => {
                        errors.set(v);
                        "Please correct the fields above.".to_string()
                    }
                    other => other.to_string(),
                })?;
                crate::pages::auth::do_login(parsed.as_str(), &pw, invite.is_some(), None).await.map(|_| ()).map_err(String::from)
            }
            .await;
            busy.set(false);
            match result {
                // Leaving the page is the last thing done.
                Ok(()) => {
                    password.set(String::new());
                    confirm.set(String::new());
                    navigate(&to, Default::default());
                }
                Err(e) => form_error.set(Some(e)),
            }
        });
    };
    let login_href = move || format!("/login?next={}", crate::components::urlencode(&next()));
    view! {
        <Title text="Create account" />
        <main class="centered auth">
            <div class="auth-brand">
                <span class="logo" aria-hidden="true">
                    "◆"
                </span>
                " Provider Portal"
            </div>
            <section class="card narrow">
                <h1>"Create account"</h1>
                <form on:submit=submit novalidate>
                    <Field label="Email address" error=field("email")>
                        <input type="email" name="email" autocomplete="email" required bind:value=email />
                    </Field>
                    <Field label="Name" error=field("name")>
                        <input type="text" name="name" autocomplete="name" required bind:value=name />
                    </Field>
                    <Field label="Master password" error=field("password") help="At least 12 characters. We cannot recover it if you forget it.">
                        <input type="password" autocomplete="new-password" required bind:value=password />
                    </Field>
                    <StrengthMeter password=password inputs=Signal::derive(move || vec![email.get(), name.get()]) />
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            rules
                                .await
                                .map(|r| {
                                    view! {
                                        <p class="notice small" data-testid="policy-requirements">
                                            {format!(
                                                "The organisation you are joining requires a master password of at least {} characters with a strength of at least {} ({} of 4).",
                                                r.min_length,
                                                domain::org::score_label(r.min_score),
                                                r.min_score,
                                            )}
                                        </p>
                                    }
                                })
                        })}
                    </Transition>
                    <Field label="Confirm master password" error=field("confirm")>
                        <input type="password" autocomplete="new-password" required bind:value=confirm />
                    </Field>
                    <Field label="Master password hint (optional)" error=field("hint")>
                        <input type="text" name="hint" bind:value=hint />
                    </Field>
                    <p class="form-error" role="alert">
                        {move || form_error.get()}
                    </p>
                    <button class="btn primary wide" type="submit" disabled=move || busy.get()>
                        {move || if busy.get() { stage.get() } else { "Create account" }}
                    </button>
                </form>
                <p class="muted center">"Already have an account? " <A href=login_href>"Log in"</A></p>
            </section>
        </main>
    }
}
