//! Shared components: the app layout with the product switcher, form fields,
//! the error view, the strength meter and the modal dialog.

use crate::api::logout;
use crate::error::ApiError;
use crate::session::{unlock_with_password, use_session};
use domain::api::Me;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Outlet, Redirect};
use leptos_router::hooks::{use_location, use_navigate};

/// Signed-in pages: header with the product switcher and account menu.
#[component]
pub fn AppLayout() -> impl IntoView {
    let s = use_session();
    let location = use_location();
    view! {
        <Transition fallback=|| {
            view! { <div class="boot">"Loading…"</div> }
        }>
            {move || Suspend::new(async move {
                match s.me.await {
                    Ok(Some(me)) => {
                        let in_portal = move || location.pathname.get().starts_with("/providers");
                        let in_console = move || location.pathname.get().starts_with("/organizations");
                        let console_href = me
                            .organizations
                            .iter()
                            .find(|o| {
                                matches!(o.user_type, domain::member::Role::Owner | domain::member::Role::Admin | domain::member::Role::Custom)
                                    && o.badge == domain::member::StatusBadge::Confirmed
                            })
                            .map(|o| format!("/organizations/{}/members", o.id));
                        let has_console = console_href.is_some();
                        let console_href = console_href.unwrap_or_default();
                        // The Admin Console: for Owners, Admins and Custom members of a client organisation.
                        view! {
                            <div class="app">
                                <header class="topbar">
                                    <A href="/vault" attr:class="brand">
                                        <span class="logo" aria-hidden="true">
                                            "◆"
                                        </span>
                                        <span>
                                            {move || if in_portal() { "Provider Portal" } else if in_console() { "Admin Console" } else { "Password Manager" }}
                                        </span>
                                    </A>
                                    <nav class="switcher" aria-label="Product switcher">
                                        <A href="/vault" attr:class=move || if in_portal() || in_console() { "product" } else { "product current" }>
                                            "Password Manager"
                                        </A>
                                        <Show when=move || has_console || in_console()>
                                            <A
                                                href={
                                                    let h = console_href.clone();
                                                    move || if h.is_empty() { location.pathname.get() } else { h.clone() }
                                                }
                                                attr:class=move || if in_console() { "product current" } else { "product" }
                                            >
                                                "Admin Console"
                                            </A>
                                        </Show>
                                        <A href="/providers" attr:class=move || if in_portal() { "product current" } else { "product" }>
                                            "Provider Portal"
                                        </A>
                                    </nav>
                                    <TenantMenu me=me.clone() />
                                    <AccountMenu me=me.clone() />
                                </header>
                                <main class="content" id="main">
                                    <Outlet />
                                </main>
                            </div>
                        }
                            .into_any()
                    }
                    Ok(None) => {
                        let next = location.pathname.get_untracked();
                        view! { <Redirect path=format!("/login?next={}", urlencode(&next)) /> }.into_any()
                    }
                    Err(e) => view! { <ErrorView err=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn initials(name: &str) -> String {
    upper(&name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect::<String>())
}

/// Upper case, for avatars and item icons. In the browser JavaScript's
/// `toUpperCase` does it (the same Unicode mapping as Rust's), so the wasm
/// carries no upper-case table of its own: data cannot be split into lazily
/// loaded chunks, so every table the bundle uses is part of every first load.
pub fn upper(s: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        String::from(js_sys::JsString::from(s).to_upper_case())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        s.to_uppercase()
    }
}

/// Every provider and organisation the person belongs to, to switch to:
/// a provider's Clients list, an organisation's Admin Console (for those who
/// administer it) or the vault (for its other members).
#[component]
fn TenantMenu(me: Me) -> impl IntoView {
    use domain::member::{Role, StatusBadge};
    let confirmed = |b: StatusBadge| b == StatusBadge::Confirmed;
    let mut entries: Vec<(&'static str, String, String)> =
        me.providers.iter().filter(|p| confirmed(p.badge)).map(|p| ("Provider", p.name.clone(), format!("/providers/{}/clients", p.id))).collect();
    entries.extend(me.organizations.iter().filter(|o| confirmed(o.badge)).map(|o| {
        let admin = matches!(o.user_type, Role::Owner | Role::Admin | Role::Custom);
        ("Organisation", o.name.clone(), if admin { format!("/organizations/{}/members", o.id) } else { "/vault".to_string() })
    }));
    if entries.len() < 2 {
        return ().into_any();
    }
    view! {
        <div class="tenant-menu">
            <MenuButton
                label="Switch provider or organisation"
                text="Switch ▾"
                button_class="btn ghost small"
                right=true
                menu_label="Providers and organisations"
            >
                {entries
                    .clone()
                    .into_iter()
                    .map(|(kind, name, href)| {
                        view! {
                            <A href=href attr:role="menuitem">
                                <span>{name}</span>
                                " "
                                <span class="muted small">{kind}</span>
                            </A>
                        }
                    })
                    .collect_view()}
            </MenuButton>
        </div>
    }
    .into_any()
}

#[component]
fn AccountMenu(me: Me) -> impl IntoView {
    let s = use_session();
    let navigate = use_navigate();
    let open = RwSignal::new(false);
    let do_logout = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            let _ = logout().await;
            s.lock_because("logout");
            s.refresh();
            navigate("/login", Default::default());
        });
    };
    let timeout = me.policies.vault_timeout.map(|rules| view! { <VaultTimeoutWatch rules=rules /> });
    view! {
        {timeout}
        <VaultKeeper me=me.clone() />
        <div class="account">
            <Show when=move || s.unlocked()>
                <button class="btn ghost" on:click=move |_| s.lock()>
                    "Lock"
                </button>
            </Show>
            <button
                class="avatar-btn"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                aria-label="Account menu"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="avatar" aria-hidden="true">
                    {initials(&me.name)}
                </span>
            </button>
            <Show when=move || open.get()>
                <div class="menu" role="menu">
                    <div class="menu-head">
                        <strong>{me.name.clone()}</strong>
                        <span class="muted">{me.email.clone()}</span>
                    </div>
                    <A href="/settings/account" attr:role="menuitem" on:click=move |_| open.set(false)>
                        "My account"
                    </A>
                    <button role="menuitem" on:click=do_logout.clone()>
                        "Log out"
                    </button>
                </div>
            </Show>
        </div>
    }
}

/// An organisation's "Vault timeout" policy: after that long without a key
/// press, click or scroll in this page, the vault locks (its keys leave
/// memory) or the person is logged out, as the policy says.
#[component]
fn VaultTimeoutWatch(rules: domain::org::VaultTimeoutRules) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let s = use_session();
        let navigate = use_navigate();
        let last = StoredValue::new(js_sys::Date::now());
        let touch = move || last.set_value(js_sys::Date::now());
        let listeners = [
            window_event_listener(leptos::ev::keydown, move |_| touch()),
            window_event_listener(leptos::ev::pointerdown, move |_| touch()),
            window_event_listener(leptos::ev::wheel, move |_| touch()),
        ];
        on_cleanup(move || listeners.into_iter().for_each(|l| l.remove()));
        let limit_ms = f64::from(rules.minutes) * 60_000.0;
        let check = move || {
            if js_sys::Date::now() - last.get_value() < limit_ms || !(rules.log_out || s.unlocked()) {
                return;
            }
            touch();
            let what = if rules.log_out { "You were logged out" } else { "Your vault locked" };
            s.flash.set(Some(format!("{what} after {} without activity, as your organisation's policy requires.", rules.describe())));
            s.lock();
            if rules.log_out {
                let navigate = navigate.clone();
                spawn_local(async move {
                    let _ = logout().await;
                    s.refresh();
                    navigate("/login", Default::default());
                });
            }
        };
        if let Ok(h) = set_interval_with_handle(check, std::time::Duration::from_secs(5)) {
            on_cleanup(move || h.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = rules;
}

/// The vault timeout this person chose for this browser (My account): opens
/// the keys an earlier page kept, moves their deadline on with activity,
/// locks or logs out when it passes, and locks with the other tabs.
#[component]
fn VaultKeeper(me: Me) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        use crate::vault_keep;
        use domain::vault_timeout::{TimeoutAction, VaultTimeout};
        let s = use_session();
        let to_login = use_navigate();
        let me = StoredValue::new(me);
        // Logging out is a page navigation (a form POST to /logout): the page
        // is gone before the session ends, so nothing it still loads is refused.
        let log_out = move || {
            s.lock_because("logout");
            leave_logged_out();
        };
        // A reload or a new tab: the keys kept for it, if the choice allows;
        // with "Log out" as the action, a vault that would open locked logs out.
        if !s.unlocked_untracked() {
            let (timeout, action) = vault_keep::in_force(&me.get_value());
            s.restoring.set(timeout.keeps_keys());
            spawn_local(async move {
                let me = me.get_value();
                let kept = vault_keep::restore(&me).await;
                s.restoring.set(false);
                match kept {
                    _ if s.unlocked_untracked() => {}
                    Some(k) => s.keys.set(Some(std::sync::Arc::new(k))),
                    None if action == TimeoutAction::LogOut => log_out(),
                    None => {}
                }
            });
        }
        let touch = move || {
            if s.unlocked_untracked() {
                vault_keep::touch(&me.get_value());
            }
        };
        let listeners = [
            window_event_listener(leptos::ev::keydown, move |_| touch()),
            window_event_listener(leptos::ev::pointerdown, move |_| touch()),
            window_event_listener(leptos::ev::wheel, move |_| touch()),
            // Another tab locked (or logged out): this one locks too.
            window_event_listener(leptos::ev::storage, move |e| {
                if e.key().as_deref() != Some(vault_keep::LOCKED) || !s.unlocked_untracked() {
                    return;
                }
                s.lock_here();
                let label = vault_keep::in_force(&me.get_value()).0.label();
                let why = match vault_keep::lock_reason(&e.new_value().unwrap_or_default()) {
                    "timeout" => format!("Your vault locked after {label} without activity (your vault timeout)."),
                    "logout" => {
                        to_login("/login", Default::default());
                        s.refresh();
                        "You were logged out in another tab.".to_string()
                    }
                    _ => "Your vault was locked in another tab.".to_string(),
                };
                s.flash.set(Some(why));
            }),
        ];
        on_cleanup(move || listeners.into_iter().for_each(|l| l.remove()));
        let check = move || {
            let me = me.get_value();
            let (timeout, action) = vault_keep::in_force(&me);
            if !s.unlocked_untracked() || !matches!(timeout, VaultTimeout::Minutes(_)) || !vault_keep::expired(&me) {
                return;
            }
            let after = timeout.label();
            if action == TimeoutAction::LogOut {
                log_out();
            } else {
                s.lock_because("timeout");
                s.flash.set(Some(format!("Your vault locked after {after} without activity (your vault timeout).")));
            }
        };
        if let Ok(h) = set_interval_with_handle(check, std::time::Duration::from_secs(5)) {
            on_cleanup(move || h.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = me;
}

/// Leaves the page for `/logout`, which ends the session and shows the log-in
/// page with the reason (the vault timeout).
#[cfg(feature = "hydrate")]
fn leave_logged_out() {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(form) = doc.create_element("form") else { return };
    let _ = form.set_attribute("method", "post");
    let _ = form.set_attribute("action", "/logout?why=timeout");
    if let Some(body) = doc.body() {
        let _ = body.append_child(&form);
    }
    if let Ok(form) = form.dyn_into::<web_sys::HtmlFormElement>() {
        let _ = form.submit();
    }
}

/// Shown where a page needs the keys but the vault is locked (e.g. after a reload).
#[component]
pub fn UnlockPanel(
    me: Me,
    /// Fetches what the page shows once unlocked (its lazily loaded body).
    #[prop(optional)]
    prepare: Option<fn()>,
) -> impl IntoView {
    // Fetch the key derivation module now, and the page behind the panel at
    // the first keystroke of the master password: both are there by the time
    // the person presses Unlock, and neither holds up the first load.
    Effect::new(|_| crate::kdf::preload());
    let prepared = StoredValue::new(false);
    let on_typing = move |_| {
        if let Some(prepare) = prepare.filter(|_| !prepared.get_value()) {
            prepared.set_value(true);
            prepare();
        }
    };
    let s = use_session();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let email = me.email.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let me = me.clone();
        busy.set(true);
        error.set(None);
        // Read before any await (the panel may be gone after one).
        let typed = password.get_untracked();
        spawn_local(async move {
            yield_to_browser().await;
            let result = unlock_with_password(&me, &typed).await;
            busy.set(false);
            match result {
                Ok(k) => {
                    password.set(String::new());
                    s.flash.set(None);
                    // Last: this replaces the panel (and disposes its signals).
                    s.set_keys(&me, k);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card narrow unlock">
            <h1>"Your vault is locked"</h1>
            <p class="muted">"Enter your master password to unlock. Logged in as " <strong>{email}</strong> "."</p>
            <p class="notice" role="status">
                {move || s.flash.get()}
            </p>
            <form on:submit=submit>
                <Field label="Master password" error=Signal::derive(move || error.get())>
                    <input type="password" autocomplete="current-password" required bind:value=password on:input=on_typing />
                </Field>
                <button class="btn primary" type="submit" disabled=move || busy.get() || s.restoring.get()>
                    {move || if busy.get() || s.restoring.get() { "Unlocking…" } else { "Unlock" }}
                </button>
            </form>
        </section>
    }
}

/// Lets the browser paint (e.g. a "working…" label) before a long computation.
pub async fn yield_to_browser() {
    #[cfg(feature = "hydrate")]
    {
        let p = js_sys::Promise::new(&mut |resolve, _| {
            let _ = web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 30);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    }
}

/// Runs `call` (a server call, or any work a form waits for) with `busy` set
/// while it runs, so the buttons it disables cannot start it twice, then
/// hands its result to `done`. `busy` is cleared first: `done` may close the
/// form that owns it. When the person left the page while the call ran, the
/// form's state is gone (`busy` with it) and `done` is not called: reading a
/// disposed value panics, which stops the whole app.
pub fn while_busy<T: 'static>(busy: RwSignal<bool>, call: impl std::future::Future<Output = T> + 'static, done: impl FnOnce(T) + 'static) {
    busy.set(true);
    leptos::task::spawn_local(async move {
        let out = call.await;
        if busy.is_disposed() {
            return;
        }
        busy.set(false);
        done(out);
    });
}

/// A button that opens a menu of actions (`role="menu"` with the
/// `menuitem`s given as children): Escape or a choice closes it.
#[component]
pub fn MenuButton(
    /// The button's accessible name ("Options for …", "Bulk actions").
    #[prop(into)]
    label: String,
    /// What the button shows (⋮ by default).
    #[prop(optional, into)]
    text: Option<String>,
    /// The button's class (`icon-btn` by default).
    #[prop(optional)]
    button_class: Option<&'static str>,
    /// Opens leftwards, for a button at the right edge.
    #[prop(optional)]
    right: bool,
    /// The menu's own accessible name, when it lists places rather than actions.
    #[prop(optional)]
    menu_label: Option<&'static str>,
    #[prop(into, optional)] disabled: Signal<bool>,
    children: ChildrenFn,
) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <div
            class="menu-wrap"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    open.set(false)
                }
            }
        >
            <button
                class=button_class.unwrap_or("icon-btn")
                aria-label=label
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                disabled=move || disabled.get()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {text.unwrap_or_else(|| "⋮".into())}
            </button>
            <Show when=move || open.get()>
                <div class=if right { "menu right" } else { "menu" } role="menu" aria-label=menu_label on:click=move |_| open.set(false)>
                    {children()}
                </div>
            </Show>
        </div>
    }
}

/// A form's message that belongs to no field (a field shows its own).
#[component]
pub fn FormError(error: RwSignal<Option<ApiError>>) -> impl IntoView {
    view! {
        <p class="form-error" role="alert">
            {move || error.get().filter(|e| !matches!(e, ApiError::Validation(_))).map(|e| e.to_string())}
        </p>
    }
}

/// A dialog form's footer: Cancel, then its submit button (red with `danger`).
#[component]
pub fn DialogActions(
    #[prop(into)] label: String,
    on_cancel: Callback<()>,
    #[prop(into, optional)] disabled: Signal<bool>,
    #[prop(optional)] danger: bool,
) -> impl IntoView {
    view! {
        <div class="modal-actions">
            <button type="button" class="btn ghost" on:click=move |_| on_cancel.run(())>
                "Cancel"
            </button>
            <button type="submit" class=if danger { "btn danger-fill" } else { "btn primary" } disabled=move || disabled.get()>
                {label}
            </button>
        </div>
    }
}

/// A labelled form field with its message.
#[component]
pub fn Field(
    label: &'static str,
    #[prop(into, optional)] error: Signal<Option<String>>,
    #[prop(optional)] help: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label>
                <span class="label">{label}</span>
                {children()}
            </label>
            {help.map(|h| view! { <span class="help">{h}</span> })}
            <span class="error" role="alert">
                {move || error.get()}
            </span>
        </div>
    }
}

#[component]
pub fn ErrorView(err: ApiError) -> impl IntoView {
    let title = match &err {
        ApiError::Unauthenticated => "Please log in",
        ApiError::Forbidden(_) => "Not allowed",
        ApiError::NotFound(_) => "Not found",
        _ => "Something went wrong",
    };
    #[cfg(feature = "ssr")]
    if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
        r.set_status(axum::http::StatusCode::from_u16(err.status()).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR));
    }
    view! {
        <section class="card narrow error-view" role="alert">
            <h1>{title}</h1>
            <p>{err.to_string()}</p>
            <p>
                <A href="/">"Go to the start page"</A>
            </p>
        </section>
    }
}

/// The live strength meter (zxcvbn, in the browser only).
#[component]
pub fn StrengthMeter(#[prop(into)] password: Signal<String>, #[prop(into)] inputs: Signal<Vec<String>>) -> impl IntoView {
    let score = RwSignal::new(None::<u8>);
    Effect::new(move |_| {
        let p = password.get();
        let inputs = inputs.get();
        if p.is_empty() {
            score.set(None);
            return;
        }
        leptos::task::spawn_local(async move {
            let s = crate::pages::auth::strength(&p, &inputs).await;
            // Only the answer for the password still in the field counts.
            if password.try_with_untracked(|now| *now == p).unwrap_or(false) {
                let _ = score.try_set(s);
            }
        });
    });
    let label = move || match score.get() {
        None => "",
        Some(0) | Some(1) => "Weak",
        Some(2) => "Fair",
        Some(3) => "Good",
        _ => "Strong",
    };
    view! {
        <div class="meter" aria-live="polite">
            <div class="bar" data-score=move || score.get().map(|s| s.to_string()).unwrap_or_default()>
                <span style=move || format!("width: {}%", score.get().map(|s| (s as u32 + 1) * 20).unwrap_or(0))></span>
            </div>
            <span class="meter-label">{move || if label().is_empty() { String::new() } else { format!("Strength: {}", label()) }}</span>
        </div>
    }
}

/// Keeps Tab and Shift+Tab cycling inside the dialog (the native modal lets
/// focus leave to the browser's own controls after the last element).
fn trap_tab(ev: &leptos::ev::KeyboardEvent, dialog: NodeRef<html::Dialog>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if ev.key() != "Tab" {
            return;
        }
        let Some(d) = dialog.get_untracked() else { return };
        let Ok(list) = d.query_selector_all("button:not([disabled]), [href], input:not([disabled]), select, textarea, [tabindex]:not([tabindex='-1'])") else {
            return;
        };
        let items: Vec<web_sys::HtmlElement> = (0..list.length()).filter_map(|i| list.item(i)?.dyn_into().ok()).collect();
        let (Some(first), Some(last)) = (items.first(), items.last()) else { return };
        let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
        let is = |e: &web_sys::HtmlElement| active.as_ref().is_some_and(|a| a == e.unchecked_ref::<web_sys::Element>());
        if ev.shift_key() && is(first) {
            ev.prevent_default();
            let _ = last.focus();
        } else if !ev.shift_key() && is(last) {
            ev.prevent_default();
            let _ = first.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, dialog);
}

/// Opens a dialog as a modal once it is in the page. A dialog asked for
/// before the view around it arrived (a click while a list was loading) is
/// made before that view is placed, and `showModal` refuses an element outside
/// the document: it is tried again at the next frames instead of never.
fn show_when_placed(d: web_sys::HtmlDialogElement, open: Signal<bool>, frame: u32) {
    if d.open() || !open.get_untracked() {
        return;
    }
    if d.is_connected() {
        let _ = d.show_modal();
    } else if frame < 120 {
        request_animation_frame(move || show_when_placed(d, open, frame + 1));
    }
}

/// A modal dialog on the native <dialog> element: focus is trapped inside,
/// Escape closes it, and focus returns to where it was.
#[component]
pub fn Modal(#[prop(into)] open: Signal<bool>, on_close: Callback<()>, title: String, children: ChildrenFn) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            if open.get() {
                show_when_placed(d, open, 0);
            } else if d.open() {
                d.close();
            }
        }
    });
    let title_id = format!("dlg-{}", title.to_lowercase().replace(|c: char| !c.is_alphanumeric(), "-"));
    let title_ref = title_id.clone();
    view! {
        <dialog node_ref=dialog class="modal" aria-labelledby=title_ref on:close=move |_| on_close.run(()) on:keydown=move |ev| trap_tab(&ev, dialog)>
            <div class="modal-head">
                <h2 id=title_id>{title.clone()}</h2>
                <button class="icon-btn" aria-label="Close dialog" on:click=move |_| on_close.run(())>
                    "×"
                </button>
            </div>
            <Show when=move || open.get()>{children()}</Show>
        </dialog>
    }
}
