//! A provider's client organisations as a whole: the policy baseline and
//! each client's drift from it, and the client lifecycle (suspend, restore,
//! delete).

use crate::{Actor, RequestMeta, Result, ServiceError, Services};
use domain::FieldError;
use domain::api::{AddExistingClientInput, BaselineApplied, BaselinePolicy, ClientDrift, ClientUsage, LinkableOrg, SaveBaselineInput, UsageReport};
use domain::authz::{Action, Denied};
use domain::member::Role;
use domain::org::{self as rules, Policy, PolicyDrift, PolicyKind, SEAT_EVENT_KINDS, SeatEvent, month_usage, policy_drift};
use std::collections::HashMap;

/// What a member of a suspended client organisation is told.
pub const SUSPENDED: &str = "This organisation is suspended by its provider: its data is kept, but nobody can open it until the provider restores it.";

/// The most clients one "Apply baseline" takes.
pub const MAX_APPLY: usize = 1000;

fn parse(row: &db::PolicyRow) -> Option<Policy> {
    serde_json::from_str::<Policy>(&row.data).ok().filter(|p| p.kind.code() == row.kind)
}

fn policy_row(org_id: &str, p: &Policy, now: i64) -> Result<db::PolicyRow> {
    Ok(db::PolicyRow {
        org_id: org_id.into(),
        kind: p.kind.code().into(),
        enabled: p.enabled,
        data: serde_json::to_string(p).map_err(anyhow::Error::from)?,
        updated_at: now,
    })
}

impl Services {
    /// The client organisation `org_id` of `provider_id`, or NotFound.
    async fn client_of(&self, provider_id: &str, org_id: &str) -> Result<db::ProviderRow> {
        self.store
            .provider(org_id)
            .await?
            .filter(|o| o.parent_id.as_deref() == Some(provider_id))
            .ok_or_else(|| ServiceError::NotFound("No such client.".into()))
    }

    async fn baseline_policies(&self, provider_id: &str) -> Result<Vec<Policy>> {
        Ok(self.store.baseline(provider_id).await?.iter().filter_map(parse).collect())
    }

    /// Every client's drift from the baseline, by organisation id; None when
    /// the provider has no baseline. One read of all clients' policies.
    pub(crate) async fn drift_by_client(&self, provider_id: &str) -> Result<Option<HashMap<String, Vec<PolicyDrift>>>> {
        let baseline = self.baseline_policies(provider_id).await?;
        if baseline.is_empty() {
            return Ok(None);
        }
        let mut by_org: HashMap<String, Vec<Policy>> = HashMap::new();
        for row in self.store.policies_of_clients(provider_id).await? {
            if let Some(p) = parse(&row) {
                by_org.entry(row.org_id).or_default().push(p);
            }
        }
        let clients = self.store.list_clients(provider_id).await?;
        Ok(Some(
            clients
                .into_iter()
                .map(|c| {
                    let current = by_org.remove(&c.org.id).unwrap_or_default();
                    (c.org.id, policy_drift(&baseline, &current))
                })
                .collect(),
        ))
    }

    /// The baseline, one entry per policy kind (both user types may read it).
    pub async fn baseline(&self, actor: &Actor, provider_id: &str) -> Result<Vec<BaselinePolicy>> {
        self.authorize(actor, provider_id, Action::ManageClients).await?;
        let stored = self.baseline_policies(provider_id).await?;
        Ok(PolicyKind::ALL
            .into_iter()
            .map(|k| match stored.iter().find(|p| p.kind == k) {
                Some(p) => BaselinePolicy { included: true, policy: p.clone() },
                None => BaselinePolicy { included: false, policy: Policy::off(k) },
            })
            .collect())
    }

    /// Puts one policy into the baseline or takes it out (Provider admins).
    pub async fn save_baseline(&self, actor: &Actor, input: SaveBaselineInput, meta: &RequestMeta) -> Result<()> {
        self.authorize(actor, &input.provider_id, Action::EditProviderSettings).await?;
        let p = &input.policy;
        if input.included {
            p.validate()?;
        }
        let row = if input.included { Some(policy_row(&input.provider_id, p, self.now())?) } else { None };
        let detail = if input.included { format!("{}: {}", p.kind.label(), p.describe()) } else { format!("{}: not compared", p.kind.label()) };
        let ev = self.event(&input.provider_id, Some(actor), "baseline_changed", None, detail, meta);
        self.store.put_baseline(&input.provider_id, p.kind.code(), row.as_ref(), &ev).await?;
        self.publish(&input.provider_id, "baseline_changed");
        Ok(())
    }

    /// Every client and where it differs from the baseline (empty without one).
    pub async fn policy_drift(&self, actor: &Actor, provider_id: &str) -> Result<Vec<ClientDrift>> {
        let auth = self.authorize(actor, provider_id, Action::ManageClients).await?;
        if auth.tenant.is_organization() {
            return Err(Denied::WrongTenant.into());
        }
        let Some(mut drift) = self.drift_by_client(provider_id).await? else { return Ok(vec![]) };
        let mut clients = self.store.list_clients(provider_id).await?;
        clients.sort_by_key(|c| c.org.name.to_lowercase());
        Ok(clients.into_iter().map(|c| ClientDrift { drift: drift.remove(&c.org.id).unwrap_or_default(), org_id: c.org.id, org_name: c.org.name }).collect())
    }

    /// Sets the baseline's policies in the chosen clients where they differ,
    /// in one transaction, each change in the client's log and the whole in
    /// the provider's.
    pub async fn apply_baseline(&self, actor: &Actor, provider_id: &str, org_ids: &[String], meta: &RequestMeta) -> Result<BaselineApplied> {
        let auth = self.authorize(actor, provider_id, Action::ManageClients).await?;
        if auth.tenant.is_organization() {
            return Err(Denied::WrongTenant.into());
        }
        if org_ids.is_empty() {
            return Err(ServiceError::Validation(vec![FieldError::new("clients", "Choose at least one client.")]));
        }
        if org_ids.len() > MAX_APPLY {
            return Err(ServiceError::Validation(vec![FieldError::new("clients", format!("At most {MAX_APPLY} clients at a time."))]));
        }
        let baseline = self.baseline_policies(provider_id).await?;
        if baseline.is_empty() {
            return Err(ServiceError::Conflict("Set up the policy baseline first.".into()));
        }
        let mut drift = self.drift_by_client(provider_id).await?.unwrap_or_default();
        let clients: HashMap<String, String> = self.store.list_clients(provider_id).await?.into_iter().map(|c| (c.org.id, c.org.name)).collect();
        let now = self.now();
        let (mut rows, mut events, mut names) = (vec![], vec![], vec![]);
        for org_id in org_ids {
            let name = clients.get(org_id).ok_or_else(|| ServiceError::NotFound("No such client.".into()))?;
            // The same check as changing one policy of this client.
            self.authorize(actor, org_id, Action::ManagePolicies).await?;
            let changes = drift.remove(org_id).unwrap_or_default();
            if changes.is_empty() {
                continue;
            }
            for d in &changes {
                let p = baseline.iter().find(|p| p.kind == d.kind).expect("drift comes from the baseline");
                rows.push(policy_row(org_id, p, now)?);
                events.push(self.event(org_id, Some(actor), "policy_changed", None, format!("{}: {} (provider baseline)", d.kind.label(), d.baseline), meta));
            }
            names.push(format!("{name} ({})", changes.len()));
        }
        let applied = BaselineApplied { clients: names.len(), policies: rows.len() };
        if rows.is_empty() {
            return Ok(applied);
        }
        events.push(self.event(provider_id, Some(actor), "baseline_applied", None, names.join(", "), meta));
        self.store.put_policies(&rows, &events).await?;
        self.publish(provider_id, "baseline_applied");
        Ok(applied)
    }

    /// Suspends a client (its members cannot open it; its data stays) or
    /// restores it (Provider admins), in both logs.
    pub async fn set_client_suspended(&self, actor: &Actor, provider_id: &str, org_id: &str, suspend: bool, meta: &RequestMeta) -> Result<()> {
        self.authorize(actor, provider_id, Action::CreateClient).await?;
        let org = self.client_of(provider_id, org_id).await?;
        if org.suspended_at.is_some() == suspend {
            return Ok(());
        }
        let (kind, detail) = if suspend { ("client_suspended", "suspended") } else { ("client_restored", "restored") };
        let events = [
            self.event(provider_id, Some(actor), kind, None, format!("\"{}\" {detail}", org.name), meta),
            self.event(org_id, Some(actor), kind, None, format!("{detail} by the provider"), meta),
        ];
        self.store.set_client_suspended(provider_id, org_id, suspend.then(|| self.now()), &events).await?;
        self.publish(provider_id, kind);
        self.publish(org_id, kind);
        Ok(())
    }

    /// Unlinks a client (Provider admins): it goes on alone, with its members,
    /// items and seats, run by its confirmed Owner; provider staff lose it.
    pub async fn unlink_client(&self, actor: &Actor, provider_id: &str, org_id: &str, meta: &RequestMeta) -> Result<()> {
        let auth = self.authorize(actor, provider_id, Action::CreateClient).await?;
        let org = self.client_of(provider_id, org_id).await?;
        let events = [
            self.event(provider_id, Some(actor), "client_unlinked", None, format!("\"{}\" now runs on its own ({} seats)", org.name, org.seats), meta),
            self.event(org_id, Some(actor), "unlinked_from_provider", None, format!("No longer managed by \"{}\"", auth.tenant.name), meta),
        ];
        self.store.unlink_client(provider_id, org_id, &events).await.map_err(|e| match e {
            db::Error::NotFound => ServiceError::NotFound("No such client.".into()),
            other => other.into(),
        })?;
        self.publish(provider_id, "client_unlinked");
        self.publish(org_id, "client_unlinked");
        Ok(())
    }

    /// The organisations the actor could add to `provider_id`: those they
    /// are the confirmed Owner of that no provider manages (Provider admins).
    pub async fn linkable_orgs(&self, actor: &Actor, provider_id: &str) -> Result<Vec<LinkableOrg>> {
        let auth = self.authorize(actor, provider_id, Action::CreateClient).await?;
        if auth.tenant.is_organization() {
            return Err(Denied::WrongTenant.into());
        }
        let mut out = vec![];
        for (org, m) in self.store.memberships_of_user(actor.user_id()).await? {
            let owner = m.user_type == Role::Owner.code() && m.status == "confirmed" && !m.suspended;
            let (true, None, Some(member_key)) = (owner && org.is_organization(), org.parent_id.as_ref(), m.wrapped_key) else { continue };
            let used = self.store.list_members(&org.id).await?.iter().filter(|v| !v.member.suspended).count() as i64;
            out.push(LinkableOrg { id: org.id, name: org.name, seats: org.seats, used, member_key });
        }
        out.sort_by_key(|o| o.name.to_lowercase());
        Ok(out)
    }

    /// Adds an organisation the actor owns to `provider_id`, which they
    /// administer: its key arrives wrapped with the provider key by the
    /// Owner's browser, and its seats come out of the provider's.
    pub async fn add_existing_client(&self, actor: &Actor, input: AddExistingClientInput, meta: &RequestMeta) -> Result<()> {
        let auth = self.authorize(actor, &input.provider_id, Action::CreateClient).await?;
        if auth.tenant.is_organization() {
            return Err(Denied::WrongTenant.into());
        }
        let not_yours = || ServiceError::NotFound("You are not the confirmed Owner of that organisation.".into());
        let org = self.store.provider(&input.org_id).await?.filter(|o| o.is_organization()).ok_or_else(not_yours)?;
        let mine = self
            .store
            .memberships_of_user(actor.user_id())
            .await?
            .into_iter()
            .any(|(o, m)| o.id == org.id && m.user_type == Role::Owner.code() && m.status == "confirmed" && !m.suspended);
        if !mine {
            return Err(not_yours());
        }
        if org.parent_id.is_some() {
            return Err(db::Error::Conflict(db::Conflict::Managed).into());
        }
        let mut errs = vec![];
        if !domain::crypto::looks_encrypted(&input.org_key) {
            errs.push(FieldError::new("org_key", "The organisation key must be encrypted with the provider key."));
        }
        let assigned: i64 = self.store.list_clients(&input.provider_id).await?.iter().map(|c| c.org.seats).sum();
        let used = self.store.list_members(&org.id).await?.iter().filter(|v| !v.member.suspended).count() as i64;
        if let Err(e) = rules::check_client_seats(auth.tenant.seats, assigned, used, input.seats) {
            errs.push(FieldError::new("seats", e.to_string()));
        }
        if !errs.is_empty() {
            return Err(ServiceError::Validation(errs));
        }
        let mut events = vec![
            self.event(&input.provider_id, Some(actor), "client_added", None, format!("\"{}\" added with {} seats", org.name, input.seats), meta),
            self.event(&org.id, Some(actor), "added_to_provider", None, format!("Managed by \"{}\" from now on", auth.tenant.name), meta),
        ];
        if input.seats != org.seats {
            events.push(self.event(&org.id, Some(actor), "seats_changed", None, format!("{} → {} seats", org.seats, input.seats), meta));
        }
        self.store.link_client(&input.provider_id, &org.id, actor.user_id(), input.seats, &input.org_key, &events).await.map_err(|e| match e {
            db::Error::Conflict(db::Conflict::NoSeats) => ServiceError::field("seats", "Not enough unassigned seats left. Reload and try again."),
            db::Error::Conflict(db::Conflict::SeatsInUse) => ServiceError::field("seats", "Its members hold more seats than that. Reload and try again."),
            db::Error::NotFound | db::Error::Conflict(db::Conflict::NoOwner) => not_yours(),
            other => other.into(),
        })?;
        self.publish(&input.provider_id, "client_added");
        self.publish(&org.id, "client_added");
        Ok(())
    }

    /// Deletes a client with everything in it (Provider admins), once its
    /// name is typed; its seats return to the provider.
    pub async fn delete_client(&self, actor: &Actor, provider_id: &str, org_id: &str, typed_name: &str, meta: &RequestMeta) -> Result<()> {
        self.authorize(actor, provider_id, Action::CreateClient).await?;
        let org = self.client_of(provider_id, org_id).await?;
        if typed_name.trim() != org.name {
            return Err(ServiceError::Validation(vec![FieldError::new("confirm_name", "Type the client's name exactly as shown to delete it.")]));
        }
        let members = self.store.list_members(org_id).await?.len();
        let detail = format!("\"{}\" with its {members} member(s) and every item; {} seat(s) returned", org.name, org.seats);
        let ev = self.event(provider_id, Some(actor), "client_deleted", None, detail, meta);
        self.store.delete_client(provider_id, org_id, &ev).await.map_err(|e| match e {
            db::Error::NotFound => ServiceError::NotFound("No such client.".into()),
            other => other.into(),
        })?;
        self.publish(provider_id, "client_deleted");
        self.publish(org_id, "client_deleted");
        Ok(())
    }

    /// Every client's seats and members over a month (`yyyy-mm`; the month
    /// under way by default), worked out from its log (Provider admins).
    pub async fn usage_report(&self, actor: &Actor, provider_id: &str, month: Option<&str>) -> Result<UsageReport> {
        let auth = self.authorize(actor, provider_id, Action::ManageBilling).await?;
        if auth.tenant.is_organization() {
            return Err(Denied::WrongTenant.into());
        }
        let month = month.map(str::trim).filter(|m| !m.is_empty()).map_or_else(|| domain::time::month_of(self.now()), str::to_string);
        let range = domain::time::month_range(&month).ok_or_else(|| ServiceError::Validation(vec![FieldError::new("month", "Choose a month (yyyy-mm).")]))?;
        let mut by_client: HashMap<String, Vec<SeatEvent>> = HashMap::new();
        for e in self.store.client_events_since(provider_id, range.0, &SEAT_EVENT_KINDS).await? {
            by_client.entry(e.provider_id).or_default().push(SeatEvent { at: e.at, kind: e.kind, detail: e.detail });
        }
        let mut clients = self.store.list_clients(provider_id).await?;
        clients.sort_by_key(|c| c.org.name.to_lowercase());
        let clients = clients
            .into_iter()
            // A client made after the month had no usage in it.
            .filter(|c| c.org.created_at < range.1)
            .map(|c| {
                let events = by_client.remove(&c.org.id).unwrap_or_default();
                ClientUsage {
                    usage: month_usage(c.org.seats, c.used, c.org.created_at, range, &events),
                    suspended: c.org.suspended_at.is_some(),
                    org_id: c.org.id,
                    name: c.org.name,
                }
            })
            .collect();
        Ok(UsageReport { month, clients })
    }

    /// The usage report as CSV, with its file name (`usage_<provider>_<month>.csv`).
    pub async fn usage_csv(&self, actor: &Actor, provider_id: &str, month: Option<&str>) -> Result<(String, String)> {
        let report = self.usage_report(actor, provider_id, month).await?;
        let provider = self.store.provider(provider_id).await?.map(|p| p.name).unwrap_or_default();
        let mut csv = String::from("client,month,status,seats_assigned,seats_used,peak_seats_used,members_added,members_removed\n");
        for c in &report.clients {
            let u = c.usage;
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                crate::events::cell(&c.name),
                report.month,
                if c.suspended { "suspended" } else { "active" },
                u.seats,
                u.used,
                u.peak,
                u.added,
                u.removed
            ));
        }
        Ok((format!("usage_{}_{}.csv", crate::events::slug(&provider), report.month), csv))
    }
}
