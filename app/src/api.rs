//! Server functions: stable endpoints under /api (listed in docs/API.md).
//! Each one gets the services and the actor from context, calls one service
//! method and maps the error. JSON in, JSON out.

use crate::error::ApiError;
use domain::KdfParams;
use domain::api::*;
use domain::authz::Permissions;
use domain::member::Role;
use domain::org::{PasswordFacts, Policy};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The server functions' answers: JSON, as `Json` sends it, read in the
/// browser with `serde_json::from_str`. `Json` reads with `from_slice`, and
/// the resources a page hydrates read with `from_str`: two copies of every
/// answer type's deserialiser in the bundle. One reader, one copy
/// (BENCHMARKS.md, first load).
pub type JsonText = leptos::server_fn::codec::Post<JsonTextEncoding>;

/// The encoding behind [`JsonText`].
pub struct JsonTextEncoding;

impl leptos::server_fn::ContentType for JsonTextEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl leptos::server_fn::FormatType for JsonTextEncoding {
    const FORMAT_TYPE: leptos::server_fn::Format = leptos::server_fn::Format::Text;
}

impl<T: serde::Serialize> leptos::server_fn::Encodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<leptos::server_fn::Bytes, Self::Error> {
        serde_json::to_vec(output).map(Into::into)
    }
}

impl<T: serde::de::DeserializeOwned> leptos::server_fn::Decodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: leptos::server_fn::Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::error::ApiError;
    use leptos::prelude::*;
    use service::{Actor, RequestMeta, Services};

    /// Everything the server functions need, provided as context.
    #[derive(Clone)]
    pub struct ServerCtx {
        pub services: Services,
        pub secure_cookies: bool,
    }

    /// The nonce of one HTML response, made by the server's middleware before
    /// the page renders and put into the request's extensions; the page's
    /// scripts carry it, and the middleware sets the response's
    /// Content-Security-Policy with it, so the two always match.
    #[derive(Clone, Debug)]
    pub struct PageNonce(pub String);

    /// Gives the renderer this request's `PageNonce` (in place of the one
    /// leptos_axum makes), so the hydration scripts carry it.
    pub fn provide_page_nonce() {
        let nonce = use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<PageNonce>().cloned());
        if let Some(PageNonce(n)) = nonce {
            provide_context(leptos::nonce::Nonce::from_value(n));
        }
    }

    /// Put into each request's extensions by the session middleware.
    #[derive(Clone, Debug)]
    pub struct CurrentActor(pub Option<Actor>);

    #[derive(Clone, Debug)]
    pub struct ClientIp(pub Option<String>);

    /// The session cookie's name: `__Host-` prefixed when served over https,
    /// so the browser insists on Secure, `Path=/` and no `Domain` (no other
    /// host or path can set or shadow it).
    pub fn session_cookie(secure: bool) -> &'static str {
        if secure { "__Host-pp_session" } else { "pp_session" }
    }

    pub fn ctx() -> Result<ServerCtx, ApiError> {
        use_context::<ServerCtx>().ok_or(ApiError::Internal)
    }

    fn parts() -> Option<axum::http::request::Parts> {
        use_context::<axum::http::request::Parts>()
    }

    pub fn actor() -> Result<Actor, ApiError> {
        parts().and_then(|p| p.extensions.get::<CurrentActor>().cloned()).and_then(|a| a.0).ok_or(ApiError::Unauthenticated)
    }

    pub fn meta() -> RequestMeta {
        RequestMeta { ip: parts().and_then(|p| p.extensions.get::<ClientIp>().cloned()).and_then(|i| i.0) }
    }

    pub fn set_cookie(value: &str, max_age: i64, secure: bool) {
        set_named_cookie(session_cookie(secure), value, max_age, secure);
    }

    /// The remembered-browser cookie of two-step login ("Remember me").
    pub fn remember_cookie(secure: bool) -> &'static str {
        if secure { "__Host-pp_two_step" } else { "pp_two_step" }
    }

    /// A cookie of the request, by name.
    pub fn request_cookie(name: &str) -> Option<String> {
        let parts = parts()?;
        parts.headers.get_all(axum::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    }

    /// The QR code of an `otpauth://` link, as an SVG image.
    pub fn qr_svg(text: &str) -> Result<String, ApiError> {
        let code = qrcode::QrCode::new(text.as_bytes()).map_err(|_| ApiError::Internal)?;
        Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build())
    }

    pub fn set_named_cookie(name: &str, value: &str, max_age: i64, secure: bool) {
        use axum::http::{HeaderValue, header::SET_COOKIE};
        let cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}", if secure { "; Secure" } else { "" });
        if let (Some(res), Ok(v)) = (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(&cookie)) {
            res.append_header(SET_COOKIE, v);
        }
    }

    pub fn services() -> Result<Services, ApiError> {
        Ok(ctx()?.services)
    }
}

#[cfg(feature = "ssr")]
use ssr::*;

#[server(prefix = "/api", endpoint = "accounts/prelogin", input = Json, output = JsonText)]
pub async fn prelogin(email: String) -> Result<KdfParams, ApiError> {
    Ok(services()?.prelogin(&email, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "accounts/register", input = Json, output = JsonText)]
pub async fn register(input: RegisterInput) -> Result<(), ApiError> {
    Ok(services()?.register(input, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "accounts/login", input = Json, output = JsonText)]
pub async fn login(input: LoginInput) -> Result<Me, ApiError> {
    let mut input = input;
    let ctx = ctx()?;
    // A browser remembered by two-step login answers the second step with its cookie.
    let remembered = request_cookie(remember_cookie(ctx.secure_cookies)).filter(|t| !t.is_empty());
    if let (None, Some(token)) = (&input.two_factor, remembered) {
        input.two_factor = Some(TwoFactorAnswer::Remembered { token });
    }
    let (token, me, remember) = ctx.services.login_remembering(input, &meta()).await?;
    set_cookie(&token, ctx.services.settings.session_ttl.as_secs() as i64, ctx.secure_cookies);
    if let Some(remember) = remember {
        set_named_cookie(remember_cookie(ctx.secure_cookies), &remember, domain::two_factor::REMEMBER_SECS, ctx.secure_cookies);
    }
    Ok(me)
}

#[server(prefix = "/api", endpoint = "accounts/logout", input = Json, output = JsonText)]
pub async fn logout() -> Result<(), ApiError> {
    let ctx = ctx()?;
    if let Ok(actor) = actor() {
        ctx.services.logout(&actor).await?;
    }
    set_cookie("", 0, ctx.secure_cookies);
    Ok(())
}

/// The signed-in user, or None.
#[server(prefix = "/api", endpoint = "accounts/me", input = Json, output = JsonText)]
pub async fn get_me() -> Result<Option<Me>, ApiError> {
    let Ok(actor) = actor() else { return Ok(None) };
    Ok(Some(services()?.me(&actor).await?))
}

#[server(prefix = "/api", endpoint = "providers/create", input = Json, output = JsonText)]
pub async fn setup_provider(input: SetupProviderInput) -> Result<ProviderSummary, ApiError> {
    Ok(services()?.create_provider(&actor()?, input, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "vault/list", input = Json, output = JsonText)]
pub async fn list_items() -> Result<Vec<VaultItem>, ApiError> {
    Ok(services()?.list_items(&actor()?).await?)
}

/// The organisation items shared with the caller (as a member), with what
/// they may do with each.
#[server(prefix = "/api", endpoint = "vault/shared", input = Json, output = JsonText)]
pub async fn shared_vault() -> Result<domain::api::SharedVault, ApiError> {
    Ok(services()?.shared_vault(&actor()?).await?)
}

#[server(prefix = "/api", endpoint = "vault/save", input = Json, output = JsonText)]
pub async fn save_item(id: Option<String>, data: String) -> Result<VaultItem, ApiError> {
    Ok(services()?.save_item(&actor()?, id, data).await?)
}

/// Bitwarden's apps logged in to the caller's account.
#[server(prefix = "/api", endpoint = "accounts/devices", input = Json, output = JsonText)]
pub async fn app_devices() -> Result<Vec<domain::api::AppDevice>, ApiError> {
    Ok(services()?.app_devices(&actor()?).await?)
}

/// Logs one of the caller's apps out.
#[server(prefix = "/api", endpoint = "accounts/devices/log-out", input = Json, output = JsonText)]
pub async fn log_out_app(id: String) -> Result<(), ApiError> {
    Ok(services()?.log_out_app(&actor()?, &id).await?)
}

/// Forgets every browser and app remembered for the caller's two-step login; how many.
#[server(prefix = "/api", endpoint = "accounts/two-step/forget", input = Json, output = JsonText)]
pub async fn forget_remembered() -> Result<u64, ApiError> {
    Ok(services()?.forget_remembered(&actor()?).await?)
}

/// The caller's folders (names encrypted with their user key).
#[server(prefix = "/api", endpoint = "folders/list", input = Json, output = JsonText)]
pub async fn list_folders() -> Result<Vec<domain::api::Folder>, ApiError> {
    Ok(services()?.list_folders(&actor()?).await?)
}

/// Creates (id None) or renames one of the caller's folders.
#[server(prefix = "/api", endpoint = "folders/save", input = Json, output = JsonText)]
pub async fn save_folder(id: Option<String>, name: String) -> Result<domain::api::Folder, ApiError> {
    Ok(services()?.save_folder(&actor()?, id, name).await?)
}

/// Deletes one of the caller's folders; its items stay, in no folder.
#[server(prefix = "/api", endpoint = "folders/delete", input = Json, output = JsonText)]
pub async fn delete_folder(id: String) -> Result<(), ApiError> {
    Ok(services()?.delete_folder(&actor()?, &id).await?)
}

/// The caller's own folder and favourite for an item they can see (their
/// own or an organisation's, even one they may only view).
#[server(prefix = "/api", endpoint = "vault/file", input = Json, output = JsonText)]
pub async fn file_item(id: String, folder_id: Option<String>, favourite: bool) -> Result<(), ApiError> {
    Ok(services()?.file_item(&actor()?, &id, folder_id, favourite).await?)
}

/// Moves an item to the Trash.
#[server(prefix = "/api", endpoint = "vault/delete", input = Json, output = JsonText)]
pub async fn delete_item(id: String) -> Result<(), ApiError> {
    Ok(services()?.delete_item(&actor()?, &id).await?)
}

/// An import into the caller's own vault (each item a cipher encrypted in the browser).
#[server(prefix = "/api", endpoint = "vault/import", input = Json, output = JsonText)]
pub async fn import_items(items: Vec<String>, folders: Vec<domain::api::NewFolder>) -> Result<usize, ApiError> {
    Ok(services()?.import_items(&actor()?, items, folders).await?)
}

#[server(prefix = "/api", endpoint = "vault/restore", input = Json, output = JsonText)]
pub async fn restore_item(id: String) -> Result<(), ApiError> {
    Ok(services()?.restore_item(&actor()?, &id).await?)
}

/// Deletes an item in the Trash for good.
#[server(prefix = "/api", endpoint = "vault/purge", input = Json, output = JsonText)]
pub async fn purge_item(id: String) -> Result<(), ApiError> {
    Ok(services()?.purge_item(&actor()?, &id).await?)
}

#[server(prefix = "/api", endpoint = "members/list", input = Json, output = JsonText)]
pub async fn list_members(provider_id: String) -> Result<Vec<MemberListItem>, ApiError> {
    Ok(services()?.list_members(&actor()?, &provider_id).await?)
}

#[server(prefix = "/api", endpoint = "members/invite", input = Json, output = JsonText)]
pub async fn invite_members(input: InviteInput) -> Result<Vec<InviteEntry>, ApiError> {
    Ok(services()?.invite(&actor()?, input, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "members/resend", input = Json, output = JsonText)]
pub async fn resend_invitations(provider_id: String, member_ids: Vec<String>) -> Result<Vec<MemberResult>, ApiError> {
    Ok(services()?.resend(&actor()?, &provider_id, &member_ids, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "members/confirm-candidates", input = Json, output = JsonText)]
pub async fn confirm_candidates(provider_id: String, member_ids: Vec<String>) -> Result<Vec<ConfirmCandidate>, ApiError> {
    Ok(services()?.confirm_candidates(&actor()?, &provider_id, &member_ids).await?)
}

#[server(prefix = "/api", endpoint = "members/confirm", input = Json, output = JsonText)]
pub async fn confirm_members(provider_id: String, keys: Vec<WrappedKey>) -> Result<Vec<MemberResult>, ApiError> {
    Ok(services()?.confirm(&actor()?, &provider_id, keys, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "members/remove", input = Json, output = JsonText)]
pub async fn remove_members(provider_id: String, member_ids: Vec<String>) -> Result<Vec<MemberResult>, ApiError> {
    Ok(services()?.remove(&actor()?, &provider_id, &member_ids, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "members/suspend", input = Json, output = JsonText)]
pub async fn suspend_members(provider_id: String, member_ids: Vec<String>, suspended: bool) -> Result<Vec<MemberResult>, ApiError> {
    Ok(services()?.set_suspended(&actor()?, &provider_id, &member_ids, suspended, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "members/user-type", input = Json, output = JsonText)]
pub async fn change_user_type(provider_id: String, member_id: String, user_type: Role, permissions: Permissions) -> Result<(), ApiError> {
    Ok(services()?.set_user_type(&actor()?, &provider_id, &member_id, user_type, permissions, &meta()).await?)
}

/// One role or user type for several members, in one transaction.
#[server(prefix = "/api", endpoint = "members/user-types", input = Json, output = JsonText)]
pub async fn change_user_types(provider_id: String, member_ids: Vec<String>, user_type: Role, permissions: Permissions) -> Result<Vec<MemberResult>, ApiError> {
    Ok(services()?.set_user_types(&actor()?, &provider_id, &member_ids, user_type, permissions, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "invitations/info", input = Json, output = JsonText)]
pub async fn get_invitation(token: String) -> Result<InvitationInfo, ApiError> {
    Ok(services()?.invitation_info(&token).await?)
}

#[server(prefix = "/api", endpoint = "invitations/accept", input = Json, output = JsonText)]
pub async fn accept_invitation(token: String, password: Option<PasswordFacts>, recovery_key: Option<String>) -> Result<String, ApiError> {
    Ok(services()?.accept_with(&actor()?, &token, password, recovery_key, &meta()).await?)
}

/// A page of an event log (a provider's, with its clients' if the filter
/// says so, or a client organisation's), newest first.
#[server(prefix = "/api", endpoint = "providers/events", input = Json, output = JsonText)]
pub async fn provider_events(provider_id: String, filter: domain::api::EventFilter, offset: i64, limit: i64) -> Result<EventPage, ApiError> {
    let some = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let q = db::EventQuery {
        from: filter.from,
        to: filter.to,
        offset,
        limit,
        target: some(filter.member),
        actor: some(filter.actor),
        kind: some(filter.kind),
        with_clients: filter.clients,
        tenant: some(filter.tenant),
        ..Default::default()
    };
    Ok(services()?.events(&actor()?, &provider_id, q).await?)
}

/// The choices of an event log's filters (clients, event kinds, actors).
#[server(prefix = "/api", endpoint = "providers/events/facets", input = Json, output = JsonText)]
pub async fn event_facets(provider_id: String, clients: bool) -> Result<domain::api::EventFacets, ApiError> {
    Ok(services()?.event_facets(&actor()?, &provider_id, clients).await?)
}

/// Mails to this provider's people that could not be delivered yet: (to, subject, last error).
#[server(prefix = "/api", endpoint = "members/failed-mails", input = Json, output = JsonText)]
pub async fn failed_mails(provider_id: String) -> Result<Vec<(String, String, String)>, ApiError> {
    Ok(services()?.failed_mails(&actor()?, &provider_id).await?)
}

/// (name, billing email) of the provider.
#[server(prefix = "/api", endpoint = "providers/settings", input = Json, output = JsonText)]
pub async fn provider_settings(provider_id: String) -> Result<(String, String), ApiError> {
    Ok(services()?.provider_settings(&actor()?, &provider_id).await?)
}

#[server(prefix = "/api", endpoint = "providers/update", input = Json, output = JsonText)]
pub async fn update_provider(provider_id: String, name: String, billing_email: String) -> Result<ProviderSummary, ApiError> {
    Ok(services()?.update_provider(&actor()?, &provider_id, &name, &billing_email, &meta()).await?)
}

/// Renames a client organisation (Provider admins).
#[server(prefix = "/api", endpoint = "clients/rename", input = Json, output = JsonText)]
pub async fn rename_client(provider_id: String, org_id: String, name: String) -> Result<(), ApiError> {
    Ok(services()?.rename_client(&actor()?, &provider_id, &org_id, &name, &meta()).await?)
}

/// Suspends a client organisation (`suspend`) or restores it (Provider admins).
#[server(prefix = "/api", endpoint = "clients/suspend", input = Json, output = JsonText)]
pub async fn suspend_client(provider_id: String, org_id: String, suspend: bool) -> Result<(), ApiError> {
    Ok(services()?.set_client_suspended(&actor()?, &provider_id, &org_id, suspend, &meta()).await?)
}

/// Unlinks a client organisation from the provider; it keeps its confirmed Owner (Provider admins).
#[server(prefix = "/api", endpoint = "clients/unlink", input = Json, output = JsonText)]
pub async fn unlink_client(provider_id: String, org_id: String) -> Result<(), ApiError> {
    Ok(services()?.unlink_client(&actor()?, &provider_id, &org_id, &meta()).await?)
}

/// The organisations the viewer owns that no provider manages (Provider admins).
#[server(prefix = "/api", endpoint = "clients/linkable", input = Json, output = JsonText)]
pub async fn linkable_orgs(provider_id: String) -> Result<Vec<LinkableOrg>, ApiError> {
    Ok(services()?.linkable_orgs(&actor()?, &provider_id).await?)
}

/// Adds an organisation the viewer owns to the provider (Provider admins).
#[server(prefix = "/api", endpoint = "clients/add-existing", input = Json, output = JsonText)]
pub async fn add_existing_client(input: AddExistingClientInput) -> Result<(), ApiError> {
    Ok(services()?.add_existing_client(&actor()?, input, &meta()).await?)
}

/// Deletes a client organisation once its name is typed (Provider admins).
#[server(prefix = "/api", endpoint = "clients/delete", input = Json, output = JsonText)]
pub async fn delete_client(provider_id: String, org_id: String, confirm_name: String) -> Result<(), ApiError> {
    Ok(services()?.delete_client(&actor()?, &provider_id, &org_id, &confirm_name, &meta()).await?)
}

/// Every client's seats and members over a month (`yyyy-mm`, or the month under way).
#[server(prefix = "/api", endpoint = "providers/usage", input = Json, output = JsonText)]
pub async fn client_usage(provider_id: String, month: Option<String>) -> Result<UsageReport, ApiError> {
    Ok(services()?.usage_report(&actor()?, &provider_id, month.as_deref()).await?)
}

/// The provider's policy baseline, one entry per policy.
#[server(prefix = "/api", endpoint = "providers/baseline", input = Json, output = JsonText)]
pub async fn policy_baseline(provider_id: String) -> Result<Vec<BaselinePolicy>, ApiError> {
    Ok(services()?.baseline(&actor()?, &provider_id).await?)
}

/// Puts one policy into the baseline or takes it out (Provider admins).
#[server(prefix = "/api", endpoint = "providers/baseline/save", input = Json, output = JsonText)]
pub async fn save_baseline(input: SaveBaselineInput) -> Result<(), ApiError> {
    Ok(services()?.save_baseline(&actor()?, input, &meta()).await?)
}

/// Every client and where its policies differ from the baseline.
#[server(prefix = "/api", endpoint = "providers/baseline/drift", input = Json, output = JsonText)]
pub async fn policy_drift(provider_id: String) -> Result<Vec<ClientDrift>, ApiError> {
    Ok(services()?.policy_drift(&actor()?, &provider_id).await?)
}

/// Applies the baseline to the chosen clients.
#[server(prefix = "/api", endpoint = "providers/baseline/apply", input = Json, output = JsonText)]
pub async fn apply_baseline(provider_id: String, org_ids: Vec<String>) -> Result<BaselineApplied, ApiError> {
    Ok(services()?.apply_baseline(&actor()?, &provider_id, &org_ids, &meta()).await?)
}

/// The onboarding queue across the provider's client organisations.
#[server(prefix = "/api", endpoint = "providers/onboarding", input = Json, output = JsonText)]
pub async fn onboarding_queue(provider_id: String) -> Result<Vec<OnboardingItem>, ApiError> {
    Ok(services()?.onboarding_queue(&actor()?, &provider_id).await?)
}

/// The chosen clients' keys under the provider key, for confirming from the onboarding queue.
#[server(prefix = "/api", endpoint = "providers/onboarding/keys", input = Json, output = JsonText)]
pub async fn client_keys(provider_id: String, org_ids: Vec<String>) -> Result<Vec<ClientKey>, ApiError> {
    Ok(services()?.client_keys(&actor()?, &provider_id, &org_ids).await?)
}

#[server(prefix = "/api", endpoint = "clients/list", input = Json, output = JsonText)]
pub async fn list_clients(provider_id: String) -> Result<ClientsView, ApiError> {
    Ok(services()?.clients(&actor()?, &provider_id).await?)
}

#[server(prefix = "/api", endpoint = "clients/create", input = Json, output = JsonText)]
pub async fn create_client(input: CreateClientInput) -> Result<ClientSummary, ApiError> {
    Ok(services()?.create_client(&actor()?, input, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "providers/seats", input = Json, output = JsonText)]
pub async fn set_provider_seats(provider_id: String, seats: i64) -> Result<(), ApiError> {
    Ok(services()?.set_provider_seats(&actor()?, &provider_id, seats, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "organizations/context", input = Json, output = JsonText)]
pub async fn get_org_context(org_id: String) -> Result<OrgContext, ApiError> {
    Ok(services()?.org_context(&actor()?, &org_id).await?)
}

#[server(prefix = "/api", endpoint = "organizations/seats", input = Json, output = JsonText)]
pub async fn set_client_seats(org_id: String, seats: i64) -> Result<(), ApiError> {
    Ok(services()?.set_client_seats(&actor()?, &org_id, seats, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "organizations/groups", input = Json, output = JsonText)]
pub async fn list_groups(org_id: String) -> Result<Vec<GroupView>, ApiError> {
    Ok(services()?.groups(&actor()?, &org_id).await?)
}

#[server(prefix = "/api", endpoint = "organizations/groups/save", input = Json, output = JsonText)]
pub async fn save_group(input: SaveGroupInput) -> Result<GroupView, ApiError> {
    Ok(services()?.save_group(&actor()?, input, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "organizations/groups/delete", input = Json, output = JsonText)]
pub async fn delete_group(org_id: String, group_id: String) -> Result<(), ApiError> {
    Ok(services()?.delete_group(&actor()?, &org_id, &group_id, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "organizations/collections", input = Json, output = JsonText)]
pub async fn list_collections(org_id: String) -> Result<Vec<CollectionView>, ApiError> {
    Ok(services()?.collections(&actor()?, &org_id).await?)
}

#[server(prefix = "/api", endpoint = "organizations/collections/save", input = Json, output = JsonText)]
pub async fn save_collection(input: SaveCollectionInput) -> Result<CollectionView, ApiError> {
    Ok(services()?.save_collection(&actor()?, input, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "organizations/collections/delete", input = Json, output = JsonText)]
pub async fn delete_collection(org_id: String, collection_id: String) -> Result<(), ApiError> {
    Ok(services()?.delete_collection(&actor()?, &org_id, &collection_id, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "organizations/items", input = Json, output = JsonText)]
pub async fn list_org_items(org_id: String) -> Result<Vec<OrgItem>, ApiError> {
    Ok(services()?.open_org_vault(&actor()?, &org_id, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "organizations/items/save", input = Json, output = JsonText)]
pub async fn save_org_item(input: SaveOrgItemInput) -> Result<OrgItem, ApiError> {
    Ok(services()?.save_org_item(&actor()?, input, &meta()).await?)
}

/// Moves items to the Trash.
#[server(prefix = "/api", endpoint = "organizations/items/delete", input = Json, output = JsonText)]
pub async fn delete_org_items(org_id: String, item_ids: Vec<String>) -> Result<u64, ApiError> {
    Ok(services()?.delete_org_items(&actor()?, &org_id, &item_ids, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "organizations/items/restore", input = Json, output = JsonText)]
pub async fn restore_org_items(org_id: String, item_ids: Vec<String>) -> Result<u64, ApiError> {
    Ok(services()?.restore_org_items(&actor()?, &org_id, &item_ids, &meta()).await?)
}

/// Deletes items in the Trash for good.
#[server(prefix = "/api", endpoint = "organizations/items/purge", input = Json, output = JsonText)]
pub async fn purge_org_items(org_id: String, item_ids: Vec<String>) -> Result<u64, ApiError> {
    Ok(services()?.purge_org_items(&actor()?, &org_id, &item_ids, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "organizations/items/assign", input = Json, output = JsonText)]
pub async fn assign_org_items(input: AssignOrgItemsInput) -> Result<u64, ApiError> {
    Ok(services()?.assign_org_items(&actor()?, input, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "organizations/import", input = Json, output = JsonText)]
pub async fn import_org_items(input: ImportInput) -> Result<ImportSummary, ApiError> {
    Ok(services()?.import_org_items(&actor()?, input, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "organizations/export", input = Json, output = JsonText)]
pub async fn export_org_items(org_id: String, format: String) -> Result<OrgExport, ApiError> {
    Ok(services()?.export_org_items(&actor()?, &org_id, &format, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "organizations/policies", input = Json, output = JsonText)]
pub async fn list_policies(org_id: String) -> Result<Vec<Policy>, ApiError> {
    Ok(services()?.policies(&actor()?, &org_id).await?)
}

#[server(prefix = "/api", endpoint = "organizations/policies/save", input = Json, output = JsonText)]
pub async fn save_policy(input: SavePolicyInput) -> Result<(), ApiError> {
    Ok(services()?.save_policy(&actor()?, input, &meta()).await?)
}

/// A new API key for Bitwarden's CLI, after the master password (its hash):
/// the secret is in this answer only.
#[server(prefix = "/api", endpoint = "accounts/api-key", input = Json, output = JsonText)]
pub async fn new_api_key(auth_hash: String) -> Result<domain::api::ApiKey, ApiError> {
    Ok(services()?.new_api_key(&actor()?, &auth_hash, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "accounts/change-password", input = Json, output = JsonText)]
pub async fn change_master_password(input: ChangePasswordInput) -> Result<(), ApiError> {
    Ok(services()?.change_master_password(&actor()?, input).await?)
}

/// Two-step login as the account's settings show it.
#[server(prefix = "/api", endpoint = "accounts/two-step", input = Json, output = JsonText)]
pub async fn two_step_status() -> Result<TwoFactorStatus, ApiError> {
    Ok(services()?.two_factor_status(&actor()?).await?)
}

/// Starts setting up an authenticator app (the master password's
/// authentication hash asked again): its key, link and QR code.
#[server(prefix = "/api", endpoint = "accounts/two-step/start", input = Json, output = JsonText)]
pub async fn start_authenticator(auth_hash: String) -> Result<AuthenticatorSetup, ApiError> {
    let (key, uri) = services()?.start_authenticator(&actor()?, &auth_hash, &meta()).await?;
    let qr_svg = qr_svg(&uri)?;
    Ok(AuthenticatorSetup { key, uri, qr_svg })
}

/// Turns two-step login on with the app's first code; returns the recovery code.
#[server(prefix = "/api", endpoint = "accounts/two-step/enable", input = Json, output = JsonText)]
pub async fn enable_authenticator(code: String) -> Result<String, ApiError> {
    Ok(services()?.enable_authenticator(&actor()?, &code).await?)
}

/// Starts turning on two-step login by email (the master password asked
/// again): a code goes to the account's address, which is returned.
#[server(prefix = "/api", endpoint = "accounts/two-step/email/start", input = Json, output = JsonText)]
pub async fn start_email_two_step(auth_hash: String) -> Result<String, ApiError> {
    Ok(services()?.start_email_two_step(&actor()?, &auth_hash, &meta()).await?)
}

/// Turns two-step login by email on with the mailed code; returns the recovery code.
#[server(prefix = "/api", endpoint = "accounts/two-step/email/enable", input = Json, output = JsonText)]
pub async fn enable_email_two_step(code: String) -> Result<String, ApiError> {
    Ok(services()?.enable_email_two_step(&actor()?, &code).await?)
}

/// Starts registering a security key (the master password asked again):
/// the WebAuthn creation options, JSON, for the browser.
#[server(prefix = "/api", endpoint = "accounts/two-step/security-key/start", input = Json, output = JsonText)]
pub async fn start_security_key(auth_hash: String) -> Result<String, ApiError> {
    Ok(services()?.start_security_key(&actor()?, &auth_hash, &meta()).await?)
}

/// Finishes registering a security key with the browser's answer; the
/// recovery code when this first key turned two-step login on.
#[server(prefix = "/api", endpoint = "accounts/two-step/security-key/finish", input = Json, output = JsonText)]
pub async fn finish_security_key(name: String, response: String) -> Result<Option<String>, ApiError> {
    Ok(services()?.finish_security_key(&actor()?, &name, &response).await?)
}

/// Removes one of the account's security keys (not the last).
#[server(prefix = "/api", endpoint = "accounts/two-step/security-key/remove", input = Json, output = JsonText)]
pub async fn remove_security_key(id: String) -> Result<(), ApiError> {
    Ok(services()?.remove_security_key(&actor()?, &id).await?)
}

/// At a log-in with two-step login by email: mails a new code (the master
/// password's authentication hash proves the person). False when one went
/// out less than a minute ago.
#[server(prefix = "/api", endpoint = "accounts/login/send-code", input = Json, output = JsonText)]
pub async fn send_login_code(email: String, auth_hash: String) -> Result<bool, ApiError> {
    Ok(services()?.send_login_email_code(&email, &auth_hash, &meta()).await?)
}

/// Turns two-step login off (the master password asked again).
#[server(prefix = "/api", endpoint = "accounts/two-step/disable", input = Json, output = JsonText)]
pub async fn disable_two_step(auth_hash: String) -> Result<(), ApiError> {
    Ok(services()?.disable_two_factor(&actor()?, &auth_hash, &meta()).await?)
}

/// Account recovery in each of the caller's organisations.
#[server(prefix = "/api", endpoint = "accounts/recovery", input = Json, output = JsonText)]
pub async fn my_recovery() -> Result<Vec<RecoveryStatus>, ApiError> {
    Ok(services()?.my_recovery(&actor()?).await?)
}

/// Enrols the caller in an organisation's account recovery: their user key
/// sealed (in the browser) to the organisation's recovery public key.
#[server(prefix = "/api", endpoint = "accounts/recovery/enrol", input = Json, output = JsonText)]
pub async fn enrol_recovery(org_id: String, sealed_user_key: String) -> Result<(), ApiError> {
    Ok(services()?.enrol_recovery(&actor()?, &org_id, &sealed_user_key, &meta()).await?)
}

#[server(prefix = "/api", endpoint = "accounts/recovery/withdraw", input = Json, output = JsonText)]
pub async fn withdraw_recovery(org_id: String) -> Result<(), ApiError> {
    Ok(services()?.withdraw_recovery(&actor()?, &org_id, &meta()).await?)
}

/// Whether account recovery is set up in the organisation.
#[server(prefix = "/api", endpoint = "organizations/recovery/status", input = Json, output = JsonText)]
pub async fn recovery_set_up(org_id: String) -> Result<bool, ApiError> {
    Ok(services()?.recovery_set_up(&actor()?, &org_id).await?)
}

/// Sets up the organisation's recovery key pair (made in the browser).
#[server(prefix = "/api", endpoint = "organizations/recovery/setup", input = Json, output = JsonText)]
pub async fn setup_recovery(org_id: String, public_key: String, private_key: String) -> Result<(), ApiError> {
    Ok(services()?.setup_recovery_keys(&actor()?, &org_id, &public_key, &private_key, &meta()).await?)
}

/// The ids of the organisation's members enrolled in account recovery.
#[server(prefix = "/api", endpoint = "organizations/recovery/enrolled", input = Json, output = JsonText)]
pub async fn recovery_enrolled(org_id: String) -> Result<Vec<String>, ApiError> {
    Ok(services()?.recovery_enrolled(&actor()?, &org_id).await?)
}

/// What the browser needs to set an enrolled member's new master password.
#[server(prefix = "/api", endpoint = "organizations/recovery/material", input = Json, output = JsonText)]
pub async fn get_recovery_material(org_id: String, member_id: String) -> Result<RecoveryMaterial, ApiError> {
    Ok(services()?.recovery_material(&actor()?, &org_id, &member_id).await?)
}

/// Resets an enrolled member's master password (account recovery).
#[server(prefix = "/api", endpoint = "organizations/recovery/recover", input = Json, output = JsonText)]
pub async fn recover_account(input: RecoverAccountInput) -> Result<(), ApiError> {
    Ok(services()?.recover_account(&actor()?, input, &meta()).await?)
}

/// Whether the provider requires two-step login of its staff.
#[server(prefix = "/api", endpoint = "providers/two-step", input = Json, output = JsonText)]
pub async fn staff_two_step(provider_id: String) -> Result<bool, ApiError> {
    Ok(services()?.staff_two_step_required(&actor()?, &provider_id).await?)
}

/// Requires (or not) two-step login of every member of the provider's staff.
#[server(prefix = "/api", endpoint = "providers/two-step/save", input = Json, output = JsonText)]
pub async fn require_staff_two_step(provider_id: String, on: bool) -> Result<(), ApiError> {
    Ok(services()?.require_staff_two_step(&actor()?, &provider_id, on, &meta()).await?)
}
