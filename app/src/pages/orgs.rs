//! Admin Console of a client organisation: members (the same table as the
//! provider's), groups, collections, policies, seats and the event log. Provider
//! staff of both user types reach it from Clients; the organisation's own
//! Owners, Admins and Custom members reach it by their role.

use crate::api::*;
use crate::client_view::{ClientView, IntoClientView, lazy_view};
use crate::components::{ErrorView, Field, Modal};
use crate::error::ApiError;
use crate::pages::clients::SeatsForm;
use crate::pages::events::EventLog;
use crate::pages::members::{MembersTable, Scope, TenantKey};
use crate::pages::{AdminBody, admin_body, admin_unlock_panel};
use crate::session::use_session;
use domain::api::*;
use domain::authz::Action;
use domain::crypto::SymmetricKey;
use domain::member::{StatusBadge, TenantKind};
use domain::org::{CollectionPermission, Policy, PolicyKind};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// What every console page gets: the organisation, the viewer's standing, and
/// how to open the organisation key.
#[derive(Clone)]
pub struct Console {
    pub ctx: OrgContext,
    pub scope: Scope,
}

impl Console {
    pub(crate) fn can(&self, a: Action) -> bool {
        self.ctx.can.contains(&a)
    }
    pub(crate) fn key(&self) -> Result<SymmetricKey, String> {
        self.scope.key.open(&use_session())
    }
}

#[derive(Clone, Copy, PartialEq)]
pub enum Section {
    Members,
    Groups,
    Collections,
    Vault,
    Policies,
    Seats,
    Events,
}

impl Section {
    fn need(self) -> Action {
        match self {
            Section::Members => Action::ListMembers,
            Section::Groups => Action::ManageGroups,
            Section::Collections => Action::ManageCollections,
            Section::Vault => Action::ManageVault,
            Section::Policies => Action::ManagePolicies,
            Section::Seats => Action::OpenProvider,
            Section::Events => Action::ViewProviderEvents,
        }
    }
    fn title(self) -> &'static str {
        match self {
            Section::Members => "Members",
            Section::Groups => "Groups",
            Section::Collections => "Collections",
            Section::Vault => "Vault",
            Section::Policies => "Policies",
            Section::Seats => "Seats",
            Section::Events => "Event logs",
        }
    }
    fn path(self) -> &'static str {
        match self {
            Section::Members => "members",
            Section::Groups => "groups",
            Section::Collections => "collections",
            Section::Vault => "vault",
            Section::Policies => "policies",
            Section::Seats => "seats",
            Section::Events => "events",
        }
    }
    const ALL: [Section; 7] = [Section::Members, Section::Groups, Section::Collections, Section::Vault, Section::Policies, Section::Seats, Section::Events];
}

/// Loads the organisation and the viewer's standing, checks the section is
/// theirs to open, and lays out the console around it.
#[component]
fn ConsoleShell(section: Section) -> impl IntoView {
    let s = use_session();
    let params = use_params_map();
    let oid = move || params.with(|p| p.get("id")).unwrap_or_default();
    let ctx = Resource::new(oid, get_org_context);
    let me = crate::pages::providers::fresh_me();
    view! {
        <Title text=format!("{} · Admin Console", section.title()) />
        <Transition fallback=|| ()>
            {move || {
                let unlocked = s.unlocked();
                Suspend::new(async move {
                    let ctx = match ctx.await {
                        Ok(c) => c,
                        Err(e) => return view! { <ErrorView err=e /> }.into_any(),
                    };
                    let Ok(Some(me)) = me.await else { return ().into_any() };
                    let key = if ctx.via_provider {
                        let provider_wrapped = me.providers.iter().find(|p| Some(&p.id) == ctx.provider_id.as_ref()).and_then(|p| p.wrapped_key.clone());
                        TenantKey::ViaProvider {
                            provider_wrapped,
                            org_key: ctx.org_key.clone(),
                        }
                    } else {
                        TenantKey::Sealed(ctx.member_key.clone())
                    };
                    let scope = Scope {
                        id: ctx.id.clone(),
                        name: ctx.name.clone(),
                        kind: TenantKind::Organization,
                        key,
                        events_base: format!("/organizations/{}/events", ctx.id),
                        can_recover: ctx.can.contains(&Action::RecoverAccounts),
                    };
                    let console = Console { ctx: ctx.clone(), scope };
                    let allowed = console.can(section.need());
                    let body = if !allowed {
                        Either::Left(view! { <ErrorView err=ApiError::Forbidden("Your role in this organisation does not allow this.".into()) /> }.into_any())
                    } else if !unlocked {
                        Either::Left(admin_unlock_panel(me).into_any())
                    } else {
                        Either::Right(lazy_view(admin_body(AdminBody::Console(section, console.clone()))).await)
                    };
                    let suspended = ctx.suspended;
                    view! {
                        <div class="with-sidenav">
                            <OrgNav console=console current=section />
                            <div class="main-col">
                                <Show when=move || suspended>
                                    <p class="notice warn" role="note">
                                        "This client is suspended: its members cannot open it until a Provider admin restores it from the Clients list."
                                    </p>
                                </Show>
                                {body}
                            </div>
                        </div>
                    }
                        .into_any()
                })
            }}
        </Transition>
    }
}

#[component]
fn OrgNav(console: Console, current: Section) -> impl IntoView {
    let c = console.ctx.clone();
    let back = c.provider_id.clone().filter(|_| c.via_provider).map(|pid| {
        view! {
            <A href=format!("/providers/{pid}/clients") attr:class="back">
                {format!("← {}", c.provider_name.clone().unwrap_or_else(|| "Provider".into()))}
            </A>
        }
    });
    let standing = if c.via_provider { "Managed by your provider".to_string() } else { c.role.map(|r| r.label().to_string()).unwrap_or_default() };
    view! {
        <aside class="sidenav" aria-label="Admin Console">
            {back}
            <div class="sidenav-title">{c.name.clone()}</div>
            <div class="muted small sidenav-sub">"Admin Console · " {standing}</div>
            {Section::ALL
                .into_iter()
                .filter(|s| console.can(s.need()))
                .map(|s| {
                    let cls = if s == current { "active" } else { "" };
                    view! {
                        <A href=format!("/organizations/{}/{}", c.id, s.path()) attr:class=cls>
                            {s.title()}
                        </A>
                    }
                })
                .collect_view()}
        </aside>
    }
}

/// The body of a console section (in `pages::admin_body`'s chunk).
pub(crate) fn console_body(section: Section, c: Console) -> ClientView {
    match section {
        Section::Members => org_members_body(c),
        Section::Groups => org_groups_body(c),
        Section::Collections => org_collections_body(c),
        Section::Vault => org_vault_body(c),
        Section::Policies => org_policies_body(c),
        Section::Seats => org_seats_body(c),
        Section::Events => org_events_body(c),
    }
}

/// A console page: the shell, and the section's body (`console_body`).
macro_rules! console_page {
    ($page:ident, $section:expr, $body:ident, |$c:ident| $view:expr) => {
        #[component]
        pub fn $page() -> impl IntoView {
            view! { <ConsoleShell section=$section /> }
        }

        fn $body($c: Console) -> ClientView {
            $view.into_client()
        }
    };
}

console_page!(OrgMembersPage, Section::Members, org_members_body, |c| {
    let seats = format!("{} of {} seats used", c.ctx.used, c.ctx.seats);
    view! {
        <p class="muted small seat-line" data-testid="seat-line">{seats}</p>
        <MembersTable scope=c.scope />
    }
});

console_page!(OrgEventsPage, Section::Events, org_events_body, |c| view! {
    <EventLog tenant_id=c.ctx.id.clone() base_href=format!("/organizations/{}/events", c.ctx.id)
        description="Member, group, collection, policy and seat events of this organisation." />
});

// ---------------------------------------------------------------- Groups

console_page!(OrgGroupsPage, Section::Groups, org_groups_body, |c| view! { <Groups console=c /> });

#[component]
fn Groups(console: Console) -> impl IntoView {
    let oid = console.ctx.id.clone();
    let oid_sv = StoredValue::new(oid.clone());
    let version = RwSignal::new(0u32);
    let data = {
        let oid = oid.clone();
        Resource::new(
            move || version.get(),
            move |_| {
                let oid = oid.clone();
                async move { Ok::<_, ApiError>((list_groups(oid.clone()).await?, list_members(oid).await?)) }
            },
        )
    };
    let editing = RwSignal::new(None::<Option<GroupView>>);
    let deleting = RwSignal::new(None::<GroupView>);
    let error = RwSignal::new(None::<String>);
    let delete = {
        let oid = oid.clone();
        move |_| {
            let Some(g) = deleting.get_untracked() else { return };
            let oid = oid.clone();
            spawn_local(async move {
                if let Err(e) = delete_group(oid, g.id).await {
                    error.set(Some(e.to_string()));
                }
                deleting.set(None);
                version.update(|v| *v += 1);
            });
        }
    };
    view! {
        <div class="page-head">
            <div>
                <h1>"Groups"</h1>
                <p class="muted">"Gather members into groups and give a group access to collections at once."</p>
            </div>
            <button class="btn primary" on:click=move |_| editing.set(Some(None))>
                "+ New group"
            </button>
        </div>
        <p class="form-error" role="alert">
            {move || error.get()}
        </p>
        <Transition fallback=|| {
            view! { <p class="muted">"Loading groups…"</p> }
        }>
            {move || Suspend::new(async move {
                let (groups, members) = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <ErrorView err=e /> }.into_client(),
                };
                let empty = groups.is_empty();
                let members2 = members.clone();
                view! {
                    <Show when=move || empty>
                        <div class="empty">
                            <h2>"No groups yet"</h2>
                            <p class="muted">"Create a group such as Finance or IT."</p>
                        </div>
                    </Show>
                    <Show when=move || !empty>
                        <table class="table">
                            <thead>
                                <tr>
                                    <th>"Group"</th>
                                    <th>"Members"</th>
                                    <th class="actions">
                                        <span class="sr-only">"Options"</span>
                                    </th>
                                </tr>
                            </thead>
                            <tbody>
                                {groups
                                    .clone()
                                    .into_iter()
                                    .map(|g| {
                                        let names: Vec<String> = g
                                            .member_ids
                                            .iter()
                                            .filter_map(|id| members.iter().find(|m| &m.id == id))
                                            .map(|m| m.name.clone().unwrap_or_else(|| m.email.clone()))
                                            .collect();
                                        let (g1, g2) = (g.clone(), g.clone());
                                        view! {
                                            <tr>
                                                <td class="strong">{g.name.clone()}</td>
                                                <td>{if names.is_empty() { "—".to_string() } else { names.join(", ") }}</td>
                                                <td class="actions nowrap">
                                                    <button
                                                        class="btn small"
                                                        aria-label=format!("Edit {}", g.name)
                                                        on:click=move |_| editing.set(Some(Some(g1.clone())))
                                                    >
                                                        "Edit"
                                                    </button>
                                                    " "
                                                    <button
                                                        class="btn small danger"
                                                        aria-label=format!("Delete {}", g.name)
                                                        on:click=move |_| deleting.set(Some(g2.clone()))
                                                    >
                                                        "Delete"
                                                    </button>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </Show>
                    <Modal open=Signal::derive(move || editing.get().is_some()) on_close=Callback::new(move |_| editing.set(None)) title="Group".to_string()>
                        {
                            let members = members2.clone();
                            move || {
                                editing
                                    .get()
                                    .map(|g| view! { <GroupForm org_id=oid_sv.get_value() group=g members=members.clone() editing=editing version=version /> })
                            }
                        }
                    </Modal>
                }
                    .into_client()
            })}
        </Transition>
        <Modal open=Signal::derive(move || deleting.get().is_some()) on_close=Callback::new(move |_| deleting.set(None)) title="Delete group?".to_string()>
            <p>
                {move || deleting.get().map(|g| format!("Delete the group {}? Its members keep their own access; the group's collection access goes.", g.name))}
            </p>
            <div class="modal-actions">
                <button class="btn ghost" on:click=move |_| deleting.set(None)>
                    "Cancel"
                </button>
                <button class="btn danger-fill" on:click=delete.clone()>
                    "Delete"
                </button>
            </div>
        </Modal>
    }
}

#[component]
fn GroupForm(
    org_id: String,
    group: Option<GroupView>,
    members: Vec<MemberListItem>,
    editing: RwSignal<Option<Option<GroupView>>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let name = RwSignal::new(group.as_ref().map(|g| g.name.clone()).unwrap_or_default());
    let chosen = RwSignal::new(group.as_ref().map(|g| g.member_ids.clone()).unwrap_or_default());
    let error = RwSignal::new(None::<ApiError>);
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(f)));
    let group_id = group.map(|g| g.id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = SaveGroupInput { org_id: org_id.clone(), group_id: group_id.clone(), name: name.get_untracked(), member_ids: chosen.get_untracked() };
        spawn_local(async move {
            match save_group(input).await {
                Ok(_) => {
                    editing.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="stack" on:submit=submit novalidate>
            <Field label="Group name" error=field("name")>
                <input type="text" required bind:value=name />
            </Field>
            <fieldset class="checks scroll">
                <legend>"Members"</legend>
                {members
                    .into_iter()
                    .filter(|m| m.badge != StatusBadge::Suspended)
                    .map(|m| {
                        let id = m.id.clone();
                        let id2 = m.id.clone();
                        view! {
                            <label>
                                <input
                                    type="checkbox"
                                    prop:checked=move || chosen.with(|c| c.contains(&id))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let id = id2.clone();
                                        chosen
                                            .update(|c| {
                                                c.retain(|x| x != &id);
                                                if on {
                                                    c.push(id)
                                                }
                                            })
                                    }
                                />
                                " "
                                {m.name.clone().unwrap_or_else(|| m.email.clone())}
                                " "
                                <span class="muted small">{m.email.clone()}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <p class="form-error" role="alert">
                {move || {
                    error
                        .get()
                        .map(|e| match e {
                            ApiError::Validation(v) => v.into_iter().filter(|f| f.field != "name").map(|f| f.message).collect::<Vec<_>>().join(" "),
                            other => other.to_string(),
                        })
                }}
            </p>
            <div class="modal-actions">
                <button type="button" class="btn ghost" on:click=move |_| editing.set(None)>
                    "Cancel"
                </button>
                <button type="submit" class="btn primary">
                    "Save"
                </button>
            </div>
        </form>
    }
}

// ---------------------------------------------------------------- Vault

console_page!(OrgVaultPage, Section::Vault, org_vault_body, |c| view! { <crate::pages::org_vault::OrgVault console=c /> });

// ---------------------------------------------------------------- Collections

console_page!(OrgCollectionsPage, Section::Collections, org_collections_body, |c| view! { <Collections console=c /> });

/// Everything a collection's access can be given to.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Subjects {
    groups: Vec<GroupView>,
    members: Vec<MemberListItem>,
}

impl Subjects {
    fn label(&self, s: &Subject) -> String {
        match s {
            Subject::Group(id) => self.groups.iter().find(|g| &g.id == id).map(|g| format!("{} (group)", g.name)).unwrap_or_default(),
            Subject::Member(id) => self.members.iter().find(|m| &m.id == id).map(|m| m.name.clone().unwrap_or_else(|| m.email.clone())).unwrap_or_default(),
        }
    }
    fn all(&self) -> Vec<(Subject, String)> {
        let mut v: Vec<(Subject, String)> = self.groups.iter().map(|g| (Subject::Group(g.id.clone()), format!("{} (group)", g.name))).collect();
        v.extend(self.members.iter().filter(|m| m.badge != StatusBadge::Suspended).map(|m| (Subject::Member(m.id.clone()), m.email.clone())));
        v
    }
}

#[component]
fn Collections(console: Console) -> impl IntoView {
    let oid = console.ctx.id.clone();
    let oid_sv = StoredValue::new(oid.clone());
    let key = console.key();
    let version = RwSignal::new(0u32);
    let can_groups = console.can(Action::ManageGroups);
    let data = {
        let oid = oid.clone();
        Resource::new(
            move || version.get(),
            move |_| {
                let oid = oid.clone();
                async move {
                    let cols = list_collections(oid.clone()).await?;
                    let groups = if can_groups { list_groups(oid.clone()).await? } else { vec![] };
                    let members = list_members(oid).await.unwrap_or_default();
                    Ok::<_, ApiError>((cols, Subjects { groups, members }))
                }
            },
        )
    };
    let editing = RwSignal::new(None::<Option<CollectionView>>);
    let error = RwSignal::new(None::<String>);
    let key = StoredValue::new(key.ok());
    let name_of = move |c: &CollectionView| -> String {
        key.with_value(|k| k.as_ref().and_then(|k| k.decrypt(&c.name).ok()).and_then(|b| String::from_utf8(b).ok())).unwrap_or_else(|| "(locked)".into())
    };
    // (id, name, items, items in no other collection) of the collection asked about.
    let deleting = RwSignal::new(None::<(String, String, i64, i64)>);
    let remove = {
        let oid = oid.clone();
        Callback::new(move |id: String| {
            let oid = oid.clone();
            deleting.set(None);
            spawn_local(async move {
                if let Err(e) = delete_collection(oid, id).await {
                    error.set(Some(e.to_string()));
                }
                version.update(|v| *v += 1);
            });
        })
    };
    view! {
        <div class="page-head">
            <div>
                <h1>"Collections"</h1>
                <p class="muted">"Shared items live in collections. Names are encrypted with the organisation key in your browser."</p>
            </div>
            <button class="btn primary" on:click=move |_| editing.set(Some(None))>
                "+ New collection"
            </button>
        </div>
        <p class="form-error" role="alert">
            {move || error.get()}
        </p>
        <Transition fallback=|| {
            view! { <p class="muted">"Loading collections…"</p> }
        }>
            {move || Suspend::new(async move {
                let (cols, subjects) = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <ErrorView err=e /> }.into_client(),
                };
                let empty = cols.is_empty();
                let subjects2 = subjects.clone();
                view! {
                    <Show when=move || empty>
                        <div class="empty">
                            <h2>"No collections yet"</h2>
                            <p class="muted">"Create a collection such as Shared logins."</p>
                        </div>
                    </Show>
                    <Show when=move || !empty>
                        <table class="table">
                            <thead>
                                <tr>
                                    <th>"Collection"</th>
                                    <th>"Access"</th>
                                    <th class="actions">
                                        <span class="sr-only">"Options"</span>
                                    </th>
                                </tr>
                            </thead>
                            <tbody>
                                {cols
                                    .clone()
                                    .into_iter()
                                    .map(|c| {
                                        let name = name_of(&c);
                                        let access: Vec<String> = c
                                            .access
                                            .iter()
                                            .map(|a| format!("{}: {}", subjects.label(&a.subject), a.permission.label()))
                                            .collect();
                                        let (c1, asked) = (c.clone(), (c.id.clone(), name.clone(), c.items, c.only_here));
                                        view! {
                                            <tr>
                                                <td class="strong">{name.clone()}</td>
                                                <td class="small">{if access.is_empty() { "No one".to_string() } else { access.join("; ") }}</td>
                                                <td class="actions nowrap">
                                                    <button
                                                        class="btn small"
                                                        aria-label=format!("Edit {name}")
                                                        on:click=move |_| editing.set(Some(Some(c1.clone())))
                                                    >
                                                        "Edit"
                                                    </button>
                                                    " "
                                                    <button
                                                        class="btn small danger"
                                                        aria-label=format!("Delete {name}")
                                                        on:click=move |_| deleting.set(Some(asked.clone()))
                                                    >
                                                        "Delete"
                                                    </button>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </Show>
                    <Modal
                        open=Signal::derive(move || editing.get().is_some())
                        on_close=Callback::new(move |_| editing.set(None))
                        title="Collection".to_string()
                    >
                        {
                            let subjects = subjects2.clone();
                            move || {
                                editing
                                    .get()
                                    .map(|c| {
                                        let name = c.as_ref().map(&name_of).unwrap_or_default();
                                        view! {
                                            <CollectionForm
                                                org_id=oid_sv.get_value()
                                                collection=c
                                                name=name
                                                subjects=subjects.clone()
                                                key=key
                                                editing=editing
                                                version=version
                                            />
                                        }
                                    })
                            }
                        }
                    </Modal>
                }
                    .into_client()
            })}
        </Transition>
        <Modal open=Signal::derive(move || deleting.get().is_some()) on_close=Callback::new(move |_| deleting.set(None)) title="Delete collection?".to_string()>
            {move || {
                deleting
                    .get()
                    .map(|(id, name, items, only_here)| {
                        let what = match (items, only_here) {
                            (0, _) => "It holds no items.".to_string(),
                            (n, 0) => format!("Its {n} item(s) stay in the organisation's other collections."),
                            (n, k) => {
                                format!(
                                    "It holds {n} item(s); {k} of them are in no other collection and become unassigned: they stay in the vault, where only administrators see them, until moved to a collection.",
                                )
                            }
                        };
                        view! {
                            <p>
                                <strong>{format!("Delete the collection {name}?")}</strong>
                            </p>
                            <p>{what}</p>
                            <p class="muted small">"Every member's and group's access to it goes. This cannot be undone."</p>
                            <div class="modal-actions">
                                <button class="btn ghost" on:click=move |_| deleting.set(None)>
                                    "Cancel"
                                </button>
                                <button class="btn danger-fill" on:click=move |_| remove.run(id.clone())>
                                    "Delete collection"
                                </button>
                            </div>
                        }
                    })
            }}
        </Modal>
    }
}

#[component]
fn CollectionForm(
    org_id: String,
    collection: Option<CollectionView>,
    name: String,
    subjects: Subjects,
    key: StoredValue<Option<SymmetricKey>>,
    editing: RwSignal<Option<Option<CollectionView>>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let name = RwSignal::new(name);
    let access = RwSignal::new(collection.as_ref().map(|c| c.access.clone()).unwrap_or_default());
    let error = RwSignal::new(None::<ApiError>);
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(f)));
    let cid = collection.map(|c| c.id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let plain = name.get_untracked();
        if plain.trim().is_empty() {
            error.set(Some(ApiError::Validation(vec![domain::FieldError::new("name", "Enter a name.")])));
            return;
        }
        let Some(enc) = key.with_value(|k| k.as_ref().map(|k| k.encrypt(plain.trim().as_bytes()))) else {
            error.set(Some(ApiError::Forbidden("The organisation key is not open in this browser.".into())));
            return;
        };
        let input = SaveCollectionInput { org_id: org_id.clone(), collection_id: cid.clone(), name: enc, access: access.get_untracked() };
        spawn_local(async move {
            match save_collection(input).await {
                Ok(_) => {
                    editing.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="stack" on:submit=submit novalidate>
            <Field label="Collection name" error=field("name")>
                <input type="text" required bind:value=name />
            </Field>
            <fieldset class="access scroll">
                <legend>"Access"</legend>
                {subjects
                    .all()
                    .into_iter()
                    .map(|(subject, label)| {
                        let s1 = subject.clone();
                        let s2 = subject.clone();
                        let current = move || access.with(|a| a.iter().find(|x| x.subject == s1).map(|x| x.permission.code().to_string()).unwrap_or_default());
                        view! {
                            <label class="access-row">
                                <span>{label.clone()}</span>
                                <select
                                    aria-label=format!("Access for {label}")
                                    prop:value=current
                                    on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        let s = s2.clone();
                                        access
                                            .update(|a| {
                                                a.retain(|x| x.subject != s);
                                                if let Some(p) = CollectionPermission::from_code(&v) {
                                                    a.push(AccessEntry {
                                                        subject: s,
                                                        permission: p,
                                                    });
                                                }
                                            });
                                    }
                                >
                                    <option value="">"No access"</option>
                                    {CollectionPermission::ALL.into_iter().map(|p| view! { <option value=p.code()>{p.label()}</option> }).collect_view()}
                                </select>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <p class="form-error" role="alert">
                {move || {
                    error
                        .get()
                        .map(|e| match e {
                            ApiError::Validation(v) => v.into_iter().filter(|f| f.field != "name").map(|f| f.message).collect::<Vec<_>>().join(" "),
                            other => other.to_string(),
                        })
                }}
            </p>
            <div class="modal-actions">
                <button type="button" class="btn ghost" on:click=move |_| editing.set(None)>
                    "Cancel"
                </button>
                <button type="submit" class="btn primary">
                    "Save"
                </button>
            </div>
        </form>
    }
}

// ---------------------------------------------------------------- Policies

console_page!(OrgPoliciesPage, Section::Policies, org_policies_body, |c| {
    let recovery =
        c.can(Action::RecoverAccounts).then(|| view! { <crate::pages::recovery::RecoverySetupCard org_id=c.ctx.id.clone() key=c.scope.key.clone() /> });
    view! {
        <Policies console=c />
        {recovery}
    }
});

#[component]
fn Policies(console: Console) -> impl IntoView {
    let oid = console.ctx.id.clone();
    let version = RwSignal::new(0u32);
    let data = {
        let oid = oid.clone();
        Resource::new(move || version.get(), move |_| list_policies(oid.clone()))
    };
    let editing = RwSignal::new(None::<Policy>);
    let saved = RwSignal::new(None::<String>);
    view! {
        <div class="page-head">
            <div>
                <h1>"Policies"</h1>
                <p class="muted">"Rules the server enforces for every member of this organisation."</p>
            </div>
        </div>
        <p class="notice" role="status">
            {move || saved.get()}
        </p>
        <Transition fallback=|| {
            view! { <p class="muted">"Loading policies…"</p> }
        }>
            {move || Suspend::new(async move {
                let list = match data.await {
                    Ok(l) => l,
                    Err(e) => return view! { <ErrorView err=e /> }.into_client(),
                };
                view! {
                    <ul class="policy-list">
                        {list
                            .into_iter()
                            .map(|p| {
                                let p1 = p.clone();
                                view! {
                                    <li class="card policy">
                                        <div>
                                            <h2>{p.kind.label()}</h2>
                                            <p class="muted small">{p.kind.description()}</p>
                                        </div>
                                        <span class=if p.enabled { "badge ok" } else { "badge muted" }>{if p.enabled { "On" } else { "Off" }}</span>
                                        <button class="btn small" aria-label=format!("Edit {}", p.kind.label()) on:click=move |_| editing.set(Some(p1.clone()))>
                                            "Edit"
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_client()
            })}
        </Transition>
        <Modal open=Signal::derive(move || editing.get().is_some()) on_close=Callback::new(move |_| editing.set(None)) title="Edit policy".to_string()>
            {
                let oid = oid.clone();
                move || {
                    editing
                        .get()
                        .map(|p| {
                            view! {
                                <PolicyForm
                                    target=PolicyTarget::Org(oid.clone())
                                    policy=p
                                    close=Callback::new(move |_| editing.set(None))
                                    version=version
                                    saved=saved
                                />
                            }
                        })
                }
            }
        </Modal>
    }
}

/// Where a policy form saves: an organisation's policy, or one policy of a
/// provider's baseline (with whether clients are compared against it).
#[derive(Clone)]
pub enum PolicyTarget {
    Org(String),
    Baseline { provider_id: String, included: bool },
}

#[component]
pub fn PolicyForm(target: PolicyTarget, policy: Policy, close: Callback<()>, version: RwSignal<u32>, saved: RwSignal<Option<String>>) -> impl IntoView {
    let kind = policy.kind;
    let included = RwSignal::new(matches!(target, PolicyTarget::Baseline { included: true, .. }));
    let baseline = matches!(target, PolicyTarget::Baseline { .. });
    let enabled = RwSignal::new(policy.enabled);
    let min_length = RwSignal::new(if policy.master_password.min_length == 0 { "12".to_string() } else { policy.master_password.min_length.to_string() });
    let min_score = RwSignal::new(policy.master_password.min_score.to_string());
    let gen_length = RwSignal::new(if policy.generator.min_length == 0 { "14".to_string() } else { policy.generator.min_length.to_string() });
    let upper = RwSignal::new(policy.generator.uppercase);
    let digits = RwSignal::new(policy.generator.digits);
    let symbols = RwSignal::new(policy.generator.symbols);
    let auto_enrol = RwSignal::new(policy.recovery.auto_enrol);
    let timeout_minutes = RwSignal::new(policy.vault_timeout.minutes.to_string());
    let log_out = RwSignal::new(policy.vault_timeout.log_out);
    let error = RwSignal::new(None::<ApiError>);
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(f)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut p = Policy::off(kind);
        p.enabled = enabled.get_untracked();
        p.master_password.min_length = min_length.get_untracked().trim().parse().unwrap_or(0);
        p.master_password.min_score = min_score.get_untracked().parse().unwrap_or(0);
        p.generator.min_length = gen_length.get_untracked().trim().parse().unwrap_or(0);
        p.generator.uppercase = upper.get_untracked();
        p.generator.digits = digits.get_untracked();
        p.generator.symbols = symbols.get_untracked();
        p.recovery.auto_enrol = auto_enrol.get_untracked();
        p.vault_timeout.minutes = timeout_minutes.get_untracked().trim().parse().unwrap_or(0);
        p.vault_timeout.log_out = log_out.get_untracked();
        let compared = included.get_untracked();
        if let Err(e) = p.validate()
            && (!baseline || compared)
        {
            error.set(Some(ApiError::Validation(vec![e])));
            return;
        }
        let target = target.clone();
        spawn_local(async move {
            let r = match target {
                PolicyTarget::Org(org_id) => save_policy(SavePolicyInput { org_id, policy: p }).await,
                PolicyTarget::Baseline { provider_id, .. } => {
                    crate::api::save_baseline(domain::api::SaveBaselineInput { provider_id, included: compared, policy: p }).await
                }
            };
            match r {
                Ok(()) => {
                    saved.set(Some(format!("{} saved.", kind.label())));
                    close.try_run(());
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="stack" on:submit=submit novalidate>
            <h3>{kind.label()}</h3>
            <p class="muted small">{kind.description()}</p>
            <Show when=move || baseline>
                <label class="check-line">
                    <input type="checkbox" prop:checked=move || included.get() on:change=move |ev| included.set(event_target_checked(&ev)) />
                    " Compare clients against this policy"
                </label>
            </Show>
            <label class="check-line">
                <input type="checkbox" prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev)) />
                {if baseline { " Clients should have it on" } else { " Turn on" }}
            </label>
            {match kind {
                PolicyKind::MasterPassword => {
                    view! {
                        <Field label="Minimum length" help="12 to 128 characters." error=field("min_length")>
                            <input type="number" min="12" max="128" bind:value=min_length />
                        </Field>
                        <Field label="Minimum complexity score" error=field("min_score")>
                            <select prop:value=move || min_score.get() on:change=move |ev| min_score.set(event_target_value(&ev))>
                                {(0u8..=4)
                                    .map(|n| view! { <option value=n.to_string()>{format!("{} ({n})", domain::org::score_label(n))}</option> })
                                    .collect_view()}
                            </select>
                        </Field>
                    }
                        .into_client()
                }
                PolicyKind::PasswordGenerator => {
                    view! {
                        <Field label="Minimum length" error=field("generator_min_length")>
                            <input type="number" min="5" max="128" bind:value=gen_length />
                        </Field>
                        <label class="check-line">
                            <input type="checkbox" prop:checked=move || upper.get() on:change=move |ev| upper.set(event_target_checked(&ev)) />
                            " Uppercase (A-Z)"
                        </label>
                        <label class="check-line">
                            <input type="checkbox" prop:checked=move || digits.get() on:change=move |ev| digits.set(event_target_checked(&ev)) />
                            " Numbers (0-9)"
                        </label>
                        <label class="check-line">
                            <input type="checkbox" prop:checked=move || symbols.get() on:change=move |ev| symbols.set(event_target_checked(&ev)) />
                            " Special characters (!@#$%^&*)"
                        </label>
                    }
                        .into_client()
                }
                PolicyKind::AccountRecovery => {
                    view! {
                        <label class="check-line">
                            <input type="checkbox" prop:checked=move || auto_enrol.get() on:change=move |ev| auto_enrol.set(event_target_checked(&ev)) />
                            " Automatically enrol new members (they cannot withdraw)"
                        </label>
                        <p class="muted small">
                            "Members are enrolled when they accept their invitation, in their browser. Set account recovery up below first."
                        </p>
                    }
                        .into_client()
                }
                PolicyKind::VaultTimeout => {
                    view! {
                        <Field label="Maximum vault timeout (minutes)" help="1 minute to 7 days (10080 minutes)." error=field("timeout_minutes")>
                            <input type="number" min="1" max="10080" bind:value=timeout_minutes />
                        </Field>
                        <Field label="Vault timeout action">
                            <select
                                prop:value=move || if log_out.get() { "log_out" } else { "lock" }
                                on:change=move |ev| log_out.set(event_target_value(&ev) == "log_out")
                            >
                                <option value="lock">"Lock"</option>
                                <option value="log_out">"Log out"</option>
                            </select>
                        </Field>
                    }
                        .into_client()
                }
                _ => ().into_client(),
            }}
            <p class="form-error" role="alert">
                {move || error.get().filter(|e| !matches!(e, ApiError::Validation(_))).map(|e| e.to_string())}
            </p>
            <div class="modal-actions">
                <button type="button" class="btn ghost" on:click=move |_| close.run(())>
                    "Cancel"
                </button>
                <button type="submit" class="btn primary">
                    "Save"
                </button>
            </div>
        </form>
    }
}

// ---------------------------------------------------------------- Seats

console_page!(OrgSeatsPage, Section::Seats, org_seats_body, |c| view! { <Seats console=c /> });

#[component]
fn Seats(console: Console) -> impl IntoView {
    let c = console.ctx.clone();
    let can = console.can(Action::ManageSeats);
    let current = RwSignal::new(c.seats);
    let oid = c.id.clone();
    let used = c.used;
    view! {
        <div class="page-head">
            <div>
                <h1>"Seats"</h1>
                <p class="muted">"Seats come from your provider's subscription. Revoked members do not take a seat."</p>
            </div>
        </div>
        <div class="stats">
            <div class="stat">
                <span class="stat-n">{move || current.get()}</span>
                <span class="muted">"Seats"</span>
            </div>
            <div class="stat">
                <span class="stat-n">{used}</span>
                <span class="muted">"Used"</span>
            </div>
            <div class="stat">
                <span class="stat-n">{move || (current.get() - used).max(0)}</span>
                <span class="muted">"Available"</span>
            </div>
        </div>
        {if can {
            view! {
                <section class="card">
                    <SeatsForm
                        label="Seats for this client"
                        help="Within the unassigned seats of your provider's subscription."
                        initial=c.seats
                        save=move |n| set_client_seats(oid.clone(), n)
                        on_saved=Callback::new(move |n| current.set(n))
                    />
                </section>
            }
                .into_client()
        } else {
            view! { <p class="notice">"Your provider manages this organisation's seats."</p> }.into_client()
        }}
    }
}
