//! Import data and Export vault, shared by the individual vault and an
//! organisation's: the file is read, previewed, encrypted and decrypted in
//! this browser (`domain::transfer`); the page says how items reach the server.

use crate::client_view::IntoClientView;
use crate::components::{Field, while_busy};
use domain::bitwarden::cipher::CipherType;
use domain::transfer::{self, Grouping, ImportError, ImportedItem, Parsed};
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;

/// Encrypts and stores what a file holds; the message to show when done.
pub type ImportCall = Pin<Box<dyn Future<Output = Result<String, String>>>>;
/// Fetches and decrypts the items to export (the Trash left out), and how
/// many could not be read.
pub type ExportCall = Pin<Box<dyn Future<Output = Result<(Vec<ImportedItem>, usize), String>>>>;

/// "login" / "logins", … for a count of items of a type.
pub fn count_word(k: CipherType, n: usize) -> &'static str {
    let (one, many) = match k {
        CipherType::Login => ("login", "logins"),
        CipherType::Card => ("card", "cards"),
        CipherType::Identity => ("identity", "identities"),
        CipherType::SecureNote => ("secure note", "secure notes"),
        CipherType::SshKey => ("SSH key", "SSH keys"),
    };
    if n == 1 { one } else { many }
}

#[component]
pub fn ImportForm(
    intro: &'static str,
    /// Lines the preview adds (e.g. the collections the import creates).
    describe: Callback<Parsed, Vec<String>>,
    import: Callback<Parsed, ImportCall>,
    open: RwSignal<bool>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let file_name = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    // A password-protected export's file password, once entered (the KDF
    // runs when it is entered, not on every keystroke).
    let password = RwSignal::new(String::new());
    let file_password = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let parsed = Memo::new(move |_| {
        let t = text.get();
        if t.trim().is_empty() {
            return None;
        }
        let pw = file_password.get();
        Some(transfer::parse_file(&file_name.get(), &t, pw.as_deref()))
    });
    let locked = move || matches!(parsed.get(), Some(Err(ImportError::NeedsPassword | ImportError::WrongPassword)));
    let preview = move || match parsed.get() {
        None => None,
        Some(Err(e)) => Some(
            view! {
                <p class="form-error" role="alert">
                    {e.to_string()}
                </p>
            }
            .into_client(),
        ),
        Some(Ok(p)) => {
            let extra = describe.run(p.clone());
            Some(view! { <ImportPreview parsed=p extra=extra /> }.into_client())
        }
    };
    let on_file = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input: web_sys::HtmlInputElement = event_target(&_ev);
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            if file.size() > transfer::MAX_IMPORT_BYTES as f64 {
                error.set(Some(ImportError::TooLarge.to_string()));
                return;
            }
            file_name.set(file.name());
            leptos::task::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()) {
                    Some(t) => {
                        error.set(None);
                        text.set(t);
                    }
                    None => error.set(Some("The file could not be read.".into())),
                }
            });
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if locked() {
            file_password.set(Some(password.get_untracked()));
            return;
        }
        let Some(Ok(parsed)) = parsed.get_untracked() else {
            error.set(Some("Choose a Bitwarden, LastPass or CSV export first.".into()));
            return;
        };
        while_busy(busy, import.run(parsed), move |result| {
            match result {
                Ok(done) => {
                    message.set(Some(done));
                    text.set(String::new());
                    open.set(false); // last: it disposes this form's signals
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="stack" on:submit=submit>
            <p class="muted">{intro}</p>
            <Field label="Choose a file">
                <input type="file" accept=".csv,.json,text/csv,application/json" on:change=on_file />
            </Field>
            <Field label="Or paste the file's contents">
                <textarea rows="5" spellcheck="false" bind:value=text></textarea>
            </Field>
            <Show when=locked>
                <Field label="File password" help="The password the export was protected with.">
                    <input type="password" autocomplete="off" bind:value=password />
                </Field>
            </Show>
            {preview}
            <p class="form-error" role="alert">
                {move || error.get()}
            </p>
            <div class="modal-actions">
                <button type="button" class="btn ghost" on:click=move |_| open.set(false)>
                    "Cancel"
                </button>
                <Show
                    when=locked
                    fallback=move || {
                        view! {
                            <button type="submit" class="btn primary" disabled=move || busy.get() || !matches!(parsed.get(), Some(Ok(_)))>
                                {move || if busy.get() { "Importing…" } else { "Import data" }}
                            </button>
                        }
                    }
                >
                    <button type="submit" class="btn primary">
                        "Open file"
                    </button>
                </Show>
            </div>
        </form>
    }
}

/// What a file will import: counts by type, the caller's lines, and each item
/// that will not import with the reason.
#[component]
fn ImportPreview(parsed: Parsed, extra: Vec<String>) -> impl IntoView {
    let counts: Vec<String> = CipherType::ALL
        .into_iter()
        .filter_map(|k| {
            let n = parsed.items.iter().filter(|i| i.item.kind == k).count();
            (n > 0).then(|| format!("{n} {}", count_word(k, n)))
        })
        .collect();
    let line = format!("{} item(s) ready to import: {}.", parsed.items.len(), counts.join(", "));
    let skipped = parsed.skipped;
    view! {
        <div class="notice ok" role="status">
            <p>{line}</p>
            {extra.into_iter().map(|l| view! { <p>{l}</p> }).collect_view()}
        </div>
        {(!skipped.is_empty())
            .then(|| {
                view! {
                    <div class="notice warn" role="note">
                        <p>
                            <strong>{format!("{} item(s) will not be imported:", skipped.len())}</strong>
                        </p>
                        <ul class="skipped" aria-label="Items that will not be imported">
                            {skipped.into_iter().map(|s| view! { <li>{format!("{}: {}", s.at, s.reason)}</li> }).collect_view()}
                        </ul>
                    </div>
                }
            })}
    }
}

/// The file of an export in the chosen format: (text, items left out of a
/// CSV, extension).
fn export_file(items: &[ImportedItem], grouping: Grouping, fmt: &str, password: &str) -> Result<(String, usize, &'static str), String> {
    Ok(match fmt {
        "csv" => {
            let (t, n) = transfer::to_csv(items, grouping);
            (t, n, "csv")
        }
        "protected" => (transfer::to_protected_json(items, grouping, password, domain::bitwarden::Kdf::DEFAULT).map_err(|e| e.to_string())?, 0, "json"),
        _ => (transfer::to_json(items, grouping), 0, "json"),
    })
}

#[component]
pub fn ExportForm(
    /// "the organisation's vault data", "your vault data"
    whose: &'static str,
    /// The file's name without the format: `bitwarden_<stem>.json` (`bitwarden_encrypted_<stem>.json`).
    stem: String,
    /// Said under the warning (e.g. that the export is in the event log).
    #[prop(optional)]
    logged: &'static str,
    /// An organisation's collections, or a person's folders.
    grouping: Grouping,
    items: Callback<String, ExportCall>,
    open: RwSignal<bool>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let format = RwSignal::new("json".to_string());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (fmt, pw, stem) = (format.get_untracked(), password.get_untracked(), stem.clone());
        if fmt == "protected" && (pw.chars().count() < 8 || pw != confirm.get_untracked()) {
            error.set(Some("Choose a file password of at least 8 characters, and type it twice the same.".into()));
            return;
        }
        while_busy(busy, items.run(fmt.clone()), move |result| {
            let result = result.and_then(|(items, unreadable)| Ok((export_file(&items, grouping, &fmt, &pw)?, items.len(), unreadable)));
            let ((text, left_out, ext), n, unreadable) = match result {
                Ok(r) => r,
                Err(e) => return error.set(Some(e)),
            };
            let file = format!("bitwarden_{}{stem}.{ext}", if fmt == "protected" { "encrypted_" } else { "" });
            match download(&file, if ext == "json" { "application/json" } else { "text/csv" }, &text) {
                Ok(()) => {
                    let mut note = String::new();
                    if unreadable > 0 {
                        note.push_str(&format!(" {unreadable} unreadable item(s) left out."));
                    }
                    if left_out > 0 {
                        note.push_str(&format!(" {left_out} card, identity or SSH key item(s) are not in .csv files: export .json to keep them."));
                    }
                    message.set(Some(format!("Exported {} item(s) to {file}.{note}", n - left_out)));
                    open.set(false); // last: it disposes this form's signals
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="stack" on:submit=submit>
            <div class="notice warn" role="note">
                <Show
                    when=move || format.get() == "protected"
                    fallback=move || {
                        view! {
                            <strong>{format!("This export contains {whose} in an unencrypted format.")}</strong>
                            {format!(" Do not store or send the file over unsecure channels, and delete it as soon as you are done with it. {logged}")}
                            <br />
                            "Do not open a .csv export in a spreadsheet program: a value that starts with =, +, - or @ can run there as a formula. Import it into a password manager instead."
                        }
                    }
                >
                    <strong>"The file is encrypted with the file password you choose."</strong>
                    {format!(" Anyone with the file and the password can read the vault: keep the password apart from the file. {logged}")}
                </Show>
            </div>
            <Field label="File format">
                <select bind:value=format>
                    <option value="json">".json"</option>
                    <option value="protected">".json (Password protected)"</option>
                    <option value="csv">".csv"</option>
                </select>
            </Field>
            <Show when=move || format.get() == "protected">
                <Field label="File password">
                    <input type="password" autocomplete="new-password" bind:value=password />
                </Field>
                <Field label="Confirm file password">
                    <input type="password" autocomplete="new-password" bind:value=confirm />
                </Field>
            </Show>
            <p class="form-error" role="alert">
                {move || error.get()}
            </p>
            <div class="modal-actions">
                <button type="button" class="btn ghost" on:click=move |_| open.set(false)>
                    "Cancel"
                </button>
                <button type="submit" class="btn primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Exporting…" } else { "Confirm format" }}
                </button>
            </div>
        </form>
    }
}

/// Hands `text` to the browser as a file download.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let fail = |_| "The browser did not accept the download.".to_string();
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(fail)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
        let doc = web_sys::window().and_then(|w| w.document()).ok_or("No document.")?;
        let a: web_sys::HtmlAnchorElement = doc.create_element("a").map_err(fail)?.dyn_into().map_err(|_| "No link element.".to_string())?;
        a.set_href(&url);
        a.set_download(name);
        a.click();
        let _ = web_sys::Url::revoke_object_url(&url);
        Ok(())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (name, mime, text);
        Err("Exports are made in the browser.".into())
    }
}
