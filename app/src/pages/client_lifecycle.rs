//! The Clients list's ⋮ menu and what it asks first: rename, suspend or
//! restore, delete (with the client's name typed), and the client's log.

use crate::api::{delete_client, suspend_client, unlink_client};
use crate::components::{DialogActions, Field, FormError, MenuButton, Modal, while_busy};
use crate::error::ApiError;
use domain::api::ClientSummary;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

/// A step that is asked before it is taken.
#[derive(Clone, PartialEq)]
pub enum Lifecycle {
    Suspend { id: String, name: String },
    Unlink { id: String, name: String },
    Delete { id: String, name: String, members: i64, seats: i64 },
}

/// The ⋮ menu of one client.
#[component]
pub fn ClientMenu(
    provider_id: String,
    client: ClientSummary,
    admin: bool,
    renaming: RwSignal<Option<(String, String)>>,
    asking: RwSignal<Option<Lifecycle>>,
    notice: RwSignal<Option<String>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let c = StoredValue::new(client);
    let pid = StoredValue::new(provider_id);
    let suspended = c.with_value(|c| c.suspended_at.is_some());
    let restore = move |_| {
        let ((id, name), provider_id) = (c.with_value(|c| (c.id.clone(), c.name.clone())), pid.get_value());
        spawn_local(async move {
            match suspend_client(provider_id, id, false).await {
                Ok(()) => {
                    notice.set(Some(format!("{name} restored: its members can open it again.")));
                    version.update(|v| *v += 1);
                }
                Err(e) => notice.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <MenuButton label=format!("Options for {}", c.with_value(|c| c.name.clone())) right=true>
            <Show when=move || admin>
                <button role="menuitem" on:click=move |_| renaming.set(Some(c.with_value(|c| (c.id.clone(), c.name.clone()))))>
                    "Rename"
                </button>
                <Show
                    when=move || suspended
                    fallback=move || {
                        view! {
                            <button
                                role="menuitem"
                                on:click=move |_| {
                                    asking
                                        .set(
                                            Some(
                                                c
                                                    .with_value(|c| Lifecycle::Suspend {
                                                        id: c.id.clone(),
                                                        name: c.name.clone(),
                                                    }),
                                            ),
                                        )
                                }
                            >
                                "Suspend"
                            </button>
                        }
                    }
                >
                    <button role="menuitem" on:click=restore>
                        "Restore"
                    </button>
                </Show>
            </Show>
            <Show when=move || admin>
                <button
                    role="menuitem"
                    on:click=move |_| {
                        asking
                            .set(
                                Some(
                                    c
                                        .with_value(|c| Lifecycle::Unlink {
                                            id: c.id.clone(),
                                            name: c.name.clone(),
                                        }),
                                ),
                            )
                    }
                >
                    "Unlink"
                </button>
            </Show>
            <A href=c.with_value(|c| format!("/organizations/{}/events", c.id)) attr:role="menuitem">
                "Event logs"
            </A>
            <Show when=move || admin>
                <button
                    role="menuitem"
                    class="danger"
                    on:click=move |_| {
                        asking
                            .set(
                                Some(
                                    c
                                        .with_value(|c| Lifecycle::Delete {
                                            id: c.id.clone(),
                                            name: c.name.clone(),
                                            members: c.used,
                                            seats: c.seats,
                                        }),
                                ),
                            )
                    }
                >
                    "Delete"
                </button>
            </Show>
        </MenuButton>
    }
}

/// The dialog for the step being asked: Suspend, or Delete with the name typed.
#[component]
pub fn LifecycleDialog(provider_id: String, asking: RwSignal<Option<Lifecycle>>, notice: RwSignal<Option<String>>, version: RwSignal<u32>) -> impl IntoView {
    let pid = StoredValue::new(provider_id);
    let close = Callback::new(move |_| asking.set(None));
    let suspending = Signal::derive(move || matches!(asking.get(), Some(Lifecycle::Suspend { .. })));
    let deleting = Signal::derive(move || matches!(asking.get(), Some(Lifecycle::Delete { .. })));
    let unlinking = Signal::derive(move || matches!(asking.get(), Some(Lifecycle::Unlink { .. })));
    view! {
        <Modal open=suspending on_close=close title="Suspend client".to_string()>
            {move || match asking.get() {
                Some(Lifecycle::Suspend { id, name }) => Some(view! { <SuspendForm provider_id=pid.get_value() id name asking notice version /> }),
                _ => None,
            }}
        </Modal>
        <Modal open=unlinking on_close=close title="Unlink client".to_string()>
            {move || match asking.get() {
                Some(Lifecycle::Unlink { id, name }) => Some(view! { <SuspendForm provider_id=pid.get_value() id name unlink=true asking notice version /> }),
                _ => None,
            }}
        </Modal>
        <Modal open=deleting on_close=close title="Delete client".to_string()>
            {move || match asking.get() {
                Some(Lifecycle::Delete { id, name, members, seats }) => {
                    Some(view! { <DeleteForm provider_id=pid.get_value() id name members seats asking notice version /> })
                }
                _ => None,
            }}
        </Modal>
    }
}

/// The asked step of Suspend or Unlink (`unlink`): what it does, then the button.
#[component]
fn SuspendForm(
    provider_id: String,
    id: String,
    name: String,
    #[prop(optional)] unlink: bool,
    asking: RwSignal<Option<Lifecycle>>,
    notice: RwSignal<Option<String>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let label = name.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (pid, id, name) = (provider_id.clone(), id.clone(), name.clone());
        let call = async move { if unlink { unlink_client(pid, id).await } else { suspend_client(pid, id, true).await } };
        while_busy(busy, call, move |r| match r {
            Ok(()) => {
                notice.set(Some(if unlink {
                    format!("{name} unlinked: its Owner runs it on their own now.")
                } else {
                    format!("{name} suspended. Restore it from its ⋮ menu.")
                }));
                version.update(|v| *v += 1);
                asking.set(None);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    let (verb, what) = if unlink {
        ("Unlink", "? It goes on without you: its members, items and seats stay, its confirmed Owner runs it, and your staff can no longer open it.")
    } else {
        (
            "Suspend",
            "? Its members cannot open it, and its items leave their apps, until you restore it. Nothing is deleted, and your staff can still manage it.",
        )
    };
    view! {
        <form class="stack" on:submit=submit novalidate>
            <p>{verb} " " <strong>{label}</strong> {what}</p>
            <p class="form-error" role="alert">
                {move || error.get().map(|e| e.to_string())}
            </p>
            <DialogActions label=verb on_cancel=Callback::new(move |_| asking.set(None)) disabled=busy danger=true />
        </form>
    }
}

#[component]
fn DeleteForm(
    provider_id: String,
    id: String,
    name: String,
    members: i64,
    seats: i64,
    asking: RwSignal<Option<Lifecycle>>,
    notice: RwSignal<Option<String>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let expected = name.clone();
    let label = name.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (pid, id, name) = (provider_id.clone(), id.clone(), name.clone());
        while_busy(busy, delete_client(pid, id, typed.get_untracked()), move |r| match r {
            Ok(()) => {
                notice.set(Some(format!("{name} deleted; its {seats} seats are unassigned again.")));
                version.update(|v| *v += 1);
                asking.set(None);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <form class="stack" on:submit=submit novalidate>
            <p>
                "This deletes " <strong>{label.clone()}</strong>
                {format!(
                    " for good: its {members} member(s) lose access, and every item, collection, group, policy and event of it is gone. Its {seats} seats return to your subscription. Export its vault first if you need it.",
                )}
            </p>
            <p class="muted small">{format!("Type \u{201c}{label}\u{201d} to confirm.")}</p>
            <Field label="Client name" error=Signal::derive(move || error.get().and_then(|e| e.field("confirm_name")))>
                <input type="text" autocomplete="off" bind:value=typed />
            </Field>
            <FormError error=error />
            <DialogActions
                label="Delete client"
                on_cancel=Callback::new(move |_| asking.set(None))
                disabled=Signal::derive(move || busy.get() || typed.get().trim() != expected)
                danger=true
            />
        </form>
    }
}
