//! Inputs bound to one field of an item, copy buttons that clear the
//! clipboard, and the live verification code.

use crate::components::Field;
use domain::bitwarden::cipher::CipherView;
use domain::totp::Totp;
use leptos::prelude::*;

/// Reads one text field of an item (None = empty).
pub type Getter = fn(&CipherView) -> Option<String>;
/// Writes it.
pub type Setter = fn(&mut CipherView, Option<String>);

/// Seconds the clipboard keeps a copied secret.
pub const CLEAR_AFTER_SECS: u32 = 30;

/// Unix seconds now (the browser's clock).
pub fn now_secs() -> u64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as u64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

/// Copies text; a secret is wiped from the clipboard after
/// [`CLEAR_AFTER_SECS`] (unless something else was copied since, which the
/// browser does not let a page know: it is then wiped too, as Bitwarden's apps do).
pub fn copy_text(text: String, secret: bool) {
    #[cfg(feature = "hydrate")]
    {
        // A refused write (no permission, page not focused) is not an error
        // of the page: the promise is awaited and its failure dropped.
        fn write(text: &str) {
            if let Some(w) = web_sys::window() {
                let p = w.navigator().clipboard().write_text(text);
                leptos::task::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                });
            }
        }
        write(&text);
        if secret {
            set_timeout(|| write(""), std::time::Duration::from_secs(u64::from(CLEAR_AFTER_SECS)));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (text, secret);
}

/// The status line after a copy.
pub fn copied(what: &str, secret: bool) -> String {
    if secret { format!("{what} copied. The clipboard clears in {CLEAR_AFTER_SECS} seconds.") } else { format!("{what} copied.") }
}

/// A labelled input for one field. `secret` hides it behind Show/Hide;
/// `rows` > 0 makes it a text area.
#[component]
pub fn TextInput(
    label: &'static str,
    item: RwSignal<CipherView>,
    get: Getter,
    set: Setter,
    #[prop(optional)] secret: bool,
    #[prop(optional)] rows: u8,
    #[prop(optional)] error: Option<Signal<Option<String>>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let value = move || item.with(get).unwrap_or_default();
    let write = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        item.update(|c| set(c, Some(v)));
    };
    let shown = RwSignal::new(!secret);
    let input = if rows > 0 {
        // A secret on several lines (an SSH private key) is masked until shown.
        view! { <textarea rows=rows aria-label=label class:masked=move || !shown.get() spellcheck="false" prop:value=value on:input=write></textarea> }
            .into_any()
    } else {
        let kind = move || if shown.get() { "text" } else { "password" };
        // Named by its label alone (the label also holds the row's buttons).
        view! { <input type=kind aria-label=label autocomplete="off" spellcheck="false" prop:value=value on:input=write /> }.into_any()
    };
    view! {
        <Field label=label error=error.unwrap_or_default()>
            <div class="input-row">
                {input}
                {secret
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn ghost small"
                                aria-label=move || format!("{} {}", if shown.get() { "Hide" } else { "Show" }, label.to_lowercase())
                                on:click=move |_| shown.update(|v| *v = !*v)
                            >
                                {move || if shown.get() { "Hide" } else { "Show" }}
                            </button>
                        }
                    })} {children.map(|c| c())}
            </div>
        </Field>
    }
}

/// The current code of an authenticator key, with the seconds it has left and
/// a copy button; nothing when the key cannot be read.
#[component]
pub fn TotpCode(#[prop(into)] key: Signal<Option<String>>, message: RwSignal<Option<String>>) -> impl IntoView {
    let now = RwSignal::new(now_secs());
    #[cfg(feature = "hydrate")]
    if let Ok(h) = set_interval_with_handle(move || now.set(now_secs()), std::time::Duration::from_secs(1)) {
        on_cleanup(move || h.clear());
    }
    let totp = Memo::new(move |_| key.get().and_then(|k| Totp::parse(&k).ok()));
    move || {
        totp.get().map(|t| {
            let t = StoredValue::new(t);
            let code = move || t.with_value(|t| t.code_at(now.get()));
            let left = move || t.with_value(|t| t.remaining(now.get()));
            let spaced = move || {
                let c = code();
                let half = c.len() / 2;
                format!("{} {}", &c[..half], &c[half..])
            };
            view! {
                <div class="totp" role="group" aria-label="Verification code">
                    <span class="totp-code" aria-live="off">
                        {spaced}
                    </span>
                    <span class="totp-left" class:soon=move || left() <= 5>
                        {move || format!("{} s", left())}
                    </span>
                    <button
                        type="button"
                        class="btn ghost small"
                        on:click=move |_| {
                            copy_text(code(), true);
                            message.set(Some(copied("Verification code", true)));
                        }
                    >
                        "Copy verification code"
                    </button>
                </div>
            }
        })
    }
}
