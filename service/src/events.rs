//! Event logs: a tenant's own, and a provider's across every client
//! organisation (one stream, filtered by client, actor, kind and dates),
//! shown a page at a time and exported whole as CSV.

use crate::{Actor, Result, Services};
use db::EventQuery;
use domain::api::{EventFacets, EventItem, EventPage};
use domain::authz::Action;

/// Rows per page of a CSV export (the export streams every page).
pub const CSV_PAGE: i64 = 1_000;

/// A CSV export under way: its file name and the query of every page.
#[derive(Debug, Clone)]
pub struct CsvExport {
    pub file_name: String,
    pub query: EventQuery,
    /// The log's tenants (id, name), read once for the whole export.
    pub tenants: Vec<(String, String)>,
}

pub(crate) fn cell(s: &str) -> String {
    // A value a spreadsheet would run as a formula is quoted as text.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A name as a file-name part: lower case letters and digits, dashes between.
pub(crate) fn slug(name: &str) -> String {
    let s: String = name.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let parts: Vec<&str> = s.split('-').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() { "tenant".into() } else { parts.join("-") }
}

impl Services {
    /// The tenants a log covers: itself, then (a provider's, with clients)
    /// its client organisations by name.
    async fn log_tenants(&self, tenant_id: &str, with_clients: bool) -> Result<Vec<(String, String)>> {
        let own = self.store.provider(tenant_id).await?.map(|t| (t.id, t.name)).into_iter();
        let mut clients: Vec<(String, String)> = if with_clients { self.store.client_names(tenant_id).await? } else { vec![] };
        clients.sort_by_key(|c| c.1.to_lowercase());
        Ok(own.chain(clients).collect())
    }

    /// Checks the actor may read the log; a client organisation's log has no
    /// clients, so `with_clients` holds only for a provider's.
    async fn log_query(&self, actor: &Actor, tenant_id: &str, query: EventQuery) -> Result<EventQuery> {
        let auth = self.authorize(actor, tenant_id, Action::ViewProviderEvents).await?;
        let with_clients = query.with_clients && !auth.tenant.is_organization();
        Ok(EventQuery { limit: query.limit.clamp(1, 10_000), offset: query.offset.max(0), with_clients, ..query })
    }

    /// One page of a log, newest first.
    pub async fn events(&self, actor: &Actor, tenant_id: &str, query: EventQuery) -> Result<EventPage> {
        let q = self.log_query(actor, tenant_id, query).await?;
        let (rows, total) = self.store.list_events(tenant_id, &q).await?;
        let names = if q.with_clients { self.log_tenants(tenant_id, true).await? } else { vec![] };
        let name_of = |id: &str| names.iter().find(|(t, _)| t == id).map(|(_, n)| n.clone());
        Ok(EventPage {
            items: rows
                .into_iter()
                .map(|e| EventItem {
                    tenant: name_of(&e.provider_id),
                    at: e.at,
                    kind: e.kind,
                    actor: e.actor_email,
                    target: e.target_email,
                    detail: e.detail,
                    ip: e.ip,
                })
                .collect(),
            total,
        })
    }

    /// The choices of a log's filters: its tenants, event kinds and actors.
    pub async fn event_facets(&self, actor: &Actor, tenant_id: &str, with_clients: bool) -> Result<EventFacets> {
        let q = self.log_query(actor, tenant_id, EventQuery { with_clients, ..Default::default() }).await?;
        let (kinds, actors) = self.store.event_facets(tenant_id, q.with_clients).await?;
        Ok(EventFacets { tenants: self.log_tenants(tenant_id, q.with_clients).await?, kinds, actors })
    }

    /// Starts a CSV export of everything the filters select: the file's name
    /// (after the tenant and the range) and the query of its pages. The range
    /// ends with this second, so events written while it streams do not
    /// shift the pages.
    pub async fn events_csv(&self, actor: &Actor, tenant_id: &str, query: EventQuery) -> Result<CsvExport> {
        let mut q = self.log_query(actor, tenant_id, query).await?;
        let end = self.now() + 1;
        q.to = Some(q.to.map_or(end, |t| t.min(end)));
        q.limit = CSV_PAGE;
        q.offset = 0;
        let name = self.store.provider(tenant_id).await?.map(|t| t.name).unwrap_or_default();
        let day = |t: i64| domain::time::fmt_rfc3339(t).chars().take(10).collect::<String>();
        let from = q.from.map_or_else(|| "start".to_string(), day);
        let to = q.to.map_or_else(|| "now".to_string(), |t| day(t - 1));
        let tenants = if q.with_clients { self.log_tenants(tenant_id, true).await? } else { vec![] };
        Ok(CsvExport { file_name: format!("events_{}_{from}_{to}.csv", slug(&name)), query: q, tenants })
    }

    /// The header line of an export.
    pub fn events_csv_header(export: &CsvExport) -> String {
        let tenant = if export.query.with_clients { "organisation," } else { "" };
        format!("{tenant}time_utc,unix_time,event,actor,member,detail,ip\n")
    }

    /// The page of an export after `before` (None: the first), newest first,
    /// as CSV lines, and where the next page starts (None after the last).
    /// Each page checks the actor may still read the log.
    pub async fn events_csv_page(
        &self,
        actor: &Actor,
        tenant_id: &str,
        export: &CsvExport,
        before: Option<(i64, String)>,
    ) -> Result<(String, Option<(i64, String)>)> {
        let q = self.log_query(actor, tenant_id, EventQuery { before, offset: 0, ..export.query.clone() }).await?;
        let rows = self.store.event_rows(tenant_id, &q).await?;
        let next = (rows.len() as i64 == q.limit).then(|| rows.last().map(|e| (e.at, e.id.clone()))).flatten();
        let name_of = |id: &str| export.tenants.iter().find(|(t, _)| t == id).map(|(_, n)| n.as_str()).unwrap_or("");
        let mut out = String::new();
        for e in &rows {
            if export.query.with_clients {
                out.push_str(&cell(name_of(&e.provider_id)));
                out.push(',');
            }
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                cell(&domain::time::fmt_rfc3339(e.at)),
                e.at,
                cell(&e.kind),
                cell(e.actor_email.as_deref().unwrap_or("")),
                cell(e.target_email.as_deref().unwrap_or("")),
                cell(&e.detail),
                cell(e.ip.as_deref().unwrap_or(""))
            ));
        }
        Ok((out, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_names() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("plain"), "\"plain\"");
        assert_eq!(slug("Acme MSP (EU) — North"), "acme-msp-eu-north");
        assert_eq!(slug("Ünïcode"), "n-code");
        assert_eq!(slug("!!!"), "tenant");
        assert_eq!(db::EVENT_COUNT_CAP, domain::api::EVENT_COUNT_CAP, "the store counts as far as the page says");
    }
}
