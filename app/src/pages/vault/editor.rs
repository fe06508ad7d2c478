//! The item form, shared by the individual vault and an organisation's: every
//! Bitwarden item type, custom fields, the password history. It checks the
//! item and hands it to `on_save`, which encrypts it with the right key.

use super::widgets::{Getter, Setter, TextInput, TotpCode, now_secs};
use crate::components::Field;
use domain::bitwarden::cipher::{CipherType, CipherView, FieldType, IDENTITY_FIELDS, LINKED_LOGIN, LoginUri, UriMatch};
use domain::vault::{GeneratorOptions, PassphraseOptions, generate_passphrase, generate_password};
use leptos::prelude::*;

#[component]
pub fn ItemEditor(
    initial: CipherView,
    on_save: Callback<CipherView>,
    on_cancel: Callback<()>,
    error: RwSignal<Option<String>>,
    /// A new item offers the type; an existing one keeps its own.
    #[prop(optional)]
    is_new: bool,
    /// Shown, not changed (an organisation item under Can view).
    #[prop(optional)]
    read_only: bool,
    /// The person's own filing, in their vault: the favourite mark and the
    /// folder (its id and name, a choice of the person's folders). None in
    /// the Admin Console, which files nothing.
    #[prop(optional)]
    filing: Option<Vec<(String, String)>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let before = initial.clone();
    let item = RwSignal::new(initial);
    let errors = RwSignal::new(Vec::<domain::FieldError>::new());
    let err = move |f: &'static str| Signal::derive(move || errors.with(|e| e.iter().find(|x| x.field == f).map(|x| x.message.clone())));
    let message = RwSignal::new(None::<String>);
    let kind = move || item.with(|c| c.kind);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut v = item.get_untracked().normalised();
        v.name = v.name.trim().to_string();
        if !is_new {
            v.record_history(&before, &domain::time::fmt_rfc3339(now_secs() as i64));
        }
        let errs = v.validate();
        let ok = errs.is_empty();
        errors.set(errs);
        if ok {
            on_save.run(v);
        }
    };
    view! {
        <form class="stack item-form" on:submit=submit>
            <Show when=move || is_new>
                <TypePicker item=item />
            </Show>
            <TextInput label="Name" item=item get=|c| Some(c.name.clone()) set=|c, v| c.name = v.unwrap_or_default() error=err("name") />
            <Show when=move || kind() == CipherType::Login>
                <LoginPart item=item message=message totp_error=err("totp") />
            </Show>
            <Show when=move || kind() == CipherType::Card>
                <CardPart item=item />
            </Show>
            <Show when=move || kind() == CipherType::Identity>
                <IdentityPart item=item />
            </Show>
            <Show when=move || kind() == CipherType::SshKey>
                <TextInput label="Private key" item=item get=|c| c.ssh_key.as_ref()?.private_key.clone() set=|c, v| ssh(c).private_key = v secret=true rows=4 />
                <TextInput label="Public key" item=item get=|c| c.ssh_key.as_ref()?.public_key.clone() set=|c, v| ssh(c).public_key = v />
                <TextInput label="Fingerprint" item=item get=|c| c.ssh_key.as_ref()?.key_fingerprint.clone() set=|c, v| ssh(c).key_fingerprint = v />
            </Show>
            <TextInput label="Notes" item=item get=|c| c.notes.clone() set=|c, v| c.notes = v rows=3 error=err("notes") />
            <CustomFields item=item error=err("fields") />
            {filing.clone().filter(|f| !f.is_empty()).map(|folders| view! { <FolderPicker item=item folders=folders /> })}
            <div class="inline-checks">
                <Show when={
                    let personal = filing.is_some();
                    move || personal
                }>
                    <label class="inline">
                        <input
                            type="checkbox"
                            prop:checked=move || item.with(|c| c.favorite)
                            on:change=move |ev| item.update(|c| c.favorite = event_target_checked(&ev))
                        />
                        "Favorite"
                    </label>
                </Show>
                <label class="inline">
                    <input
                        type="checkbox"
                        prop:checked=move || item.with(|c| c.reprompt == 1)
                        on:change=move |ev| item.update(|c| c.reprompt = u8::from(event_target_checked(&ev)))
                    />
                    "Master password re-prompt"
                </label>
            </div>
            <PasswordHistory item=item />
            {children.map(|c| c())}
            <Show when=move || read_only>
                <p class="notice">
                    "You can view this item, not change it: your access to its collection is Can view. Its folder and Favorite are yours to set."
                </p>
            </Show>
            <p class="notice" role="status">
                {move || message.get()}
            </p>
            <p class="form-error" role="alert">
                {move || error.get()}
            </p>
            <div class="modal-actions">
                <button type="button" class="btn ghost" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
                <Show when={
                    let may_file = filing.is_some();
                    move || !read_only || may_file
                }>
                    <button type="submit" class="btn primary">
                        "Save"
                    </button>
                </Show>
            </div>
        </form>
    }
}

/// The person's folder for the item ("No folder" or one of theirs).
#[component]
fn FolderPicker(item: RwSignal<CipherView>, folders: Vec<(String, String)>) -> impl IntoView {
    view! {
        <Field label="Folder">
            <select
                prop:value=move || item.with(|c| c.folder_id.clone().unwrap_or_default())
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    item.update(|c| c.folder_id = (!v.is_empty()).then_some(v));
                }
            >
                <option value="">"No folder"</option>
                {folders
                    .into_iter()
                    .map(|(id, name)| {
                        let chosen = item.with_untracked(|c| c.folder_id.as_deref() == Some(id.as_str()));
                        view! {
                            <option value=id selected=chosen>
                                {name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </Field>
    }
}

fn ssh(c: &mut CipherView) -> &mut domain::bitwarden::cipher::SshKey<String> {
    c.ssh_key.get_or_insert_with(Default::default)
}
fn card(c: &mut CipherView) -> &mut domain::bitwarden::cipher::Card<String> {
    c.card.get_or_insert_with(Default::default)
}
fn login(c: &mut CipherView) -> &mut domain::bitwarden::cipher::Login<String> {
    c.ensure_part();
    c.login.as_mut().expect("a login has its login part")
}

#[component]
fn TypePicker(item: RwSignal<CipherView>) -> impl IntoView {
    let value = move || item.with(|c| c.kind.csv_word().to_string());
    let change = move |ev: leptos::ev::Event| {
        if let Some(k) = CipherType::from_csv_word(&event_target_value(&ev)) {
            item.update(|c| {
                c.kind = k;
                c.ensure_part();
            });
        }
    };
    view! {
        <Field label="What type of item is this?">
            <select prop:value=value on:change=change>
                {CipherType::ALL.into_iter().map(|k| view! { <option value=k.csv_word()>{k.label()}</option> }).collect_view()}
            </select>
        </Field>
    }
}

#[component]
fn LoginPart(item: RwSignal<CipherView>, message: RwSignal<Option<String>>, totp_error: Signal<Option<String>>) -> impl IntoView {
    // Organisation password generator policies raise the defaults.
    let rules = crate::session::use_session().me.get_untracked().and_then(|r| r.ok()).flatten().and_then(|me| me.policies.generator);
    let generate = move |_| {
        let opts = rules.map(|r| r.apply(GeneratorOptions::default())).unwrap_or_default();
        if let Ok(p) = generate_password(opts) {
            item.update(|c| login(c).password = Some(p));
            message.set(Some("A new password was generated. Save to keep it.".into()));
        }
    };
    // Six words of the EFF list (fetched and checked the first time).
    let passphrase = move |_| {
        leptos::task::spawn_local(async move {
            match crate::fingerprint::word_list().await.and_then(|list| generate_passphrase(list, &PassphraseOptions::default()).map_err(|e| e.message)) {
                Ok(p) => {
                    item.update(|c| login(c).password = Some(p));
                    message.set(Some("A new passphrase was generated. Save to keep it.".into()));
                }
                Err(e) => message.set(Some(e)),
            }
        });
    };
    let passkeys = move || item.with(|c| c.login.as_ref().map(|l| l.fido2_credentials.len()).unwrap_or(0));
    view! {
        <TextInput label="Username" item=item get=|c| c.login.as_ref()?.username.clone() set=|c, v| login(c).username = v />
        <TextInput label="Password" item=item get=|c| c.login.as_ref()?.password.clone() set=|c, v| login(c).password = v secret=true>
            <button type="button" class="btn ghost small" on:click=generate>
                "Generate password"
            </button>
            <button type="button" class="btn ghost small" on:click=passphrase>
                "Generate passphrase"
            </button>
        </TextInput>
        <Show when=move || { passkeys() > 0 }>
            <p class="muted">"A passkey is saved with this login (made by a Bitwarden app)."</p>
        </Show>
        <TextInput
            label="Authenticator key (TOTP)"
            item=item
            get=|c| c.login.as_ref()?.totp.clone()
            set=|c, v| login(c).totp = v
            secret=true
            error=totp_error
        />
        <TotpCode key=Signal::derive(move || item.with(|c| c.login.as_ref().and_then(|l| l.totp.clone()))) message=message />
        <Uris item=item />
    }
}

#[component]
fn Uris(item: RwSignal<CipherView>) -> impl IntoView {
    let count = move || item.with(|c| c.login.as_ref().map(|l| l.uris.len()).unwrap_or(0));
    let add = move |_| item.update(|c| login(c).uris.push(LoginUri { uri: Some(String::new()), match_type: None, uri_checksum: None }));
    view! {
        <fieldset class="group">
            <legend>"Websites"</legend>
            <For each=move || 0..count() key=|i| *i let:i>
                <div class="input-row">
                    <label class="grow">
                        <span class="label">{format!("Website (URI) {}", i + 1)}</span>
                        <input
                            type="text"
                            inputmode="url"
                            prop:value=move || item.with(|c| c.login.as_ref().and_then(|l| l.uris.get(i)).and_then(|u| u.uri.clone()).unwrap_or_default())
                            on:input=move |ev| {
                                item.update(|c| {
                                    if let Some(u) = login(c).uris.get_mut(i) {
                                        u.uri = Some(event_target_value(&ev));
                                    }
                                })
                            }
                        />
                    </label>
                    <label>
                        <span class="label">"Match detection"</span>
                        <select
                            prop:value=move || item.with(|c| match_value(c.login.as_ref().and_then(|l| l.uris.get(i)).and_then(|u| u.match_type)))
                            on:change=move |ev| {
                                let m = event_target_value(&ev).parse::<u8>().ok().and_then(|n| UriMatch::try_from(n).ok());
                                item.update(|c| {
                                    if let Some(u) = login(c).uris.get_mut(i) {
                                        u.match_type = m;
                                    }
                                })
                            }
                        >
                            <option value="">"Default"</option>
                            {UriMatch::ALL.into_iter().map(|m| view! { <option value=u8::from(m).to_string()>{m.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button
                        type="button"
                        class="btn ghost small"
                        aria-label=format!("Remove website {}", i + 1)
                        on:click=move |_| {
                            item.update(|c| {
                                let l = login(c);
                                if i < l.uris.len() {
                                    l.uris.remove(i);
                                }
                            })
                        }
                    >
                        "Remove"
                    </button>
                </div>
            </For>
            <button type="button" class="btn ghost small" on:click=add>
                "New URI"
            </button>
        </fieldset>
    }
}

fn match_value(m: Option<UriMatch>) -> String {
    m.map(|m| u8::from(m).to_string()).unwrap_or_default()
}

#[component]
fn CardPart(item: RwSignal<CipherView>) -> impl IntoView {
    const PARTS: [(&str, Getter, Setter, bool); 6] = [
        ("Cardholder name", |c| c.card.as_ref()?.cardholder_name.clone(), |c, v| card(c).cardholder_name = v, false),
        ("Brand", |c| c.card.as_ref()?.brand.clone(), |c, v| card(c).brand = v, false),
        ("Number", |c| c.card.as_ref()?.number.clone(), |c, v| card(c).number = v, true),
        ("Expiration month", |c| c.card.as_ref()?.exp_month.clone(), |c, v| card(c).exp_month = v, false),
        ("Expiration year", |c| c.card.as_ref()?.exp_year.clone(), |c, v| card(c).exp_year = v, false),
        ("Security code", |c| c.card.as_ref()?.code.clone(), |c, v| card(c).code = v, true),
    ];
    view! {
        <fieldset class="group grid-2">
            <legend>"Card details"</legend>
            {PARTS.into_iter().map(|(label, get, set, secret)| view! { <TextInput label=label item=item get=get set=set secret=secret /> }).collect_view()}
        </fieldset>
    }
}

#[component]
fn IdentityPart(item: RwSignal<CipherView>) -> impl IntoView {
    let rows = IDENTITY_FIELDS.iter().enumerate().map(|(n, label)| {
        let value = move || item.with(|c| c.identity.clone().and_then(|mut i| i.slots()[n].clone())).unwrap_or_default();
        let write = move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            item.update(|c| *c.identity.get_or_insert_with(Default::default).slots()[n] = Some(v));
        };
        view! {
            <Field label=label>
                <input type="text" autocomplete="off" prop:value=value on:input=write />
            </Field>
        }
    });
    view! {
        <fieldset class="group grid-2">
            <legend>"Personal details"</legend>
            {rows.collect_view()}
        </fieldset>
    }
}

#[component]
fn CustomFields(item: RwSignal<CipherView>, error: Signal<Option<String>>) -> impl IntoView {
    let count = move || item.with(|c| c.fields.len());
    let add = move |_| {
        item.update(|c| c.fields.push(domain::bitwarden::cipher::Field { name: Some(String::new()), value: None, kind: FieldType::Text, linked_id: None }))
    };
    let is_login = move || item.with(|c| c.kind == CipherType::Login);
    view! {
        <fieldset class="group">
            <legend>"Custom fields"</legend>
            <For each=move || 0..count() key=|i| *i let:i>
                <CustomField item=item i=i />
            </For>
            <div class="input-row">
                <button type="button" class="btn ghost small" on:click=add>
                    "Add field"
                </button>
                <Show when=move || !is_login()>
                    <span class="muted small">"Linked fields belong to logins."</span>
                </Show>
            </div>
            <span class="error" role="alert">
                {move || error.get()}
            </span>
        </fieldset>
    }
}

#[component]
fn CustomField(item: RwSignal<CipherView>, i: usize) -> impl IntoView {
    let field = move || item.with(|c| c.fields.get(i).cloned());
    let kind = move || field().map(|f| f.kind).unwrap_or_default();
    let edit = move |f: &dyn Fn(&mut domain::bitwarden::cipher::Field<String>)| item.update(|c| c.fields.get_mut(i).into_iter().for_each(f));
    let n = i + 1;
    view! {
        <div class="input-row custom-field">
            <label>
                <span class="label">{format!("Field {n} type")}</span>
                <select
                    prop:value=move || u8::from(kind()).to_string()
                    on:change=move |ev| {
                        let k = event_target_value(&ev).parse::<u8>().ok().and_then(|n| FieldType::try_from(n).ok()).unwrap_or_default();
                        edit(
                            &|f| {
                                f.kind = k;
                                f.linked_id = (k == FieldType::Linked).then_some(LINKED_LOGIN[0].0);
                            },
                        )
                    }
                >
                    {FieldType::ALL.into_iter().map(|k| view! { <option value=u8::from(k).to_string()>{k.label()}</option> }).collect_view()}
                </select>
            </label>
            <label>
                <span class="label">{format!("Field {n} name")}</span>
                <input
                    type="text"
                    prop:value=move || field().and_then(|f| f.name).unwrap_or_default()
                    on:input=move |ev| edit(&|f| f.name = Some(event_target_value(&ev)))
                />
            </label>
            <label class="grow">
                <span class="label">{format!("Field {n} value")}</span>
                {move || match kind() {
                    FieldType::Boolean => {
                        view! {
                            <input
                                type="checkbox"
                                prop:checked=move || field().and_then(|f| f.value).as_deref() == Some("true")
                                on:change=move |ev| edit(&|f| f.value = Some(event_target_checked(&ev).to_string()))
                            />
                        }
                            .into_any()
                    }
                    FieldType::Linked => {
                        view! {
                            <select
                                prop:value=move || field().and_then(|f| f.linked_id).unwrap_or(LINKED_LOGIN[0].0).to_string()
                                on:change=move |ev| edit(&|f| f.linked_id = event_target_value(&ev).parse().ok())
                            >
                                {LINKED_LOGIN.into_iter().map(|(id, l)| view! { <option value=id.to_string()>{l}</option> }).collect_view()}
                            </select>
                        }
                            .into_any()
                    }
                    k => {
                        view! {
                            <input
                                type=if k == FieldType::Hidden { "password" } else { "text" }
                                autocomplete="off"
                                prop:value=move || field().and_then(|f| f.value).unwrap_or_default()
                                on:input=move |ev| edit(&|f| f.value = Some(event_target_value(&ev)))
                            />
                        }
                            .into_any()
                    }
                }}
            </label>
            <button
                type="button"
                class="btn ghost small"
                aria-label=format!("Remove field {n}")
                on:click=move |_| {
                    item.update(|c| {
                        if i < c.fields.len() {
                            c.fields.remove(i);
                        }
                    })
                }
            >
                "Remove"
            </button>
        </div>
    }
}

#[component]
fn PasswordHistory(item: RwSignal<CipherView>) -> impl IntoView {
    let history = move || item.with(|c| c.password_history.clone());
    view! {
        <Show when=move || !history().is_empty()>
            <details class="history">
                <summary>{move || format!("Password history ({})", history().len())}</summary>
                <ul>
                    {move || {
                        history()
                            .into_iter()
                            .map(|h| {
                                view! {
                                    <li>
                                        <code>{h.password}</code>
                                        <span class="muted small">{h.last_used_date.replace('T', " ").trim_end_matches('Z').to_string()}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </details>
        </Show>
    }
}
