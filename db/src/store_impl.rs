use crate::*;
use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStore {
    pub pool: SqlitePool,
}

pub struct PgStore {
    pub pool: PgPool,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore { pool })
    }
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(30)).connect(url).await?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(PgStore { pool })
    }
}

fn unique_to(e: sqlx::Error, c: Conflict) -> Error {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => Error::Conflict(c),
        _ => Error::Database(e),
    }
}

/// The member list as JSON object fields, for SQLite's `list_members`.
/// The member list never carries sealed keys (`wrapped_key` is None): a list is
/// for showing, and a key is a third of a row's bytes.
const LIST_FIELDS: &str = "'id', m.id, 'provider_id', m.provider_id, 'user_id', m.user_id, 'email', m.email, \
     'user_type', m.user_type, 'status', m.status, 'invited_at', m.invited_at, \
     'expires_at', m.expires_at, 'accepted_at', m.accepted_at, 'confirmed_at', m.confirmed_at, 'permissions', m.permissions, \
     'name', u.name";

/// Reads the JSON member list (public keys are not part of the list).
fn parse_list(json: &str) -> Result<Vec<MemberView>> {
    // Plain fields (no `#[serde(flatten)]`, which buffers every row into an
    // intermediate map: measured ~2× slower at 10,000 members).
    #[derive(serde::Deserialize)]
    struct Row {
        id: String,
        provider_id: String,
        user_id: Option<String>,
        email: String,
        user_type: String,
        status: String,
        suspended: bool,
        invited_at: i64,
        expires_at: Option<i64>,
        accepted_at: Option<i64>,
        confirmed_at: Option<i64>,
        #[serde(default)]
        permissions: Option<String>,
        name: Option<String>,
    }
    let rows: Vec<Row> = serde_json::from_str(json).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
    Ok(rows
        .into_iter()
        .map(|r| MemberView {
            member: MemberRow {
                id: r.id,
                provider_id: r.provider_id,
                user_id: r.user_id,
                email: r.email,
                user_type: r.user_type,
                status: r.status,
                suspended: r.suspended,
                wrapped_key: None,
                invited_at: r.invited_at,
                expires_at: r.expires_at,
                accepted_at: r.accepted_at,
                confirmed_at: r.confirmed_at,
                permissions: r.permissions.unwrap_or_default(),
            },
            name: r.name,
            public_key: None,
        })
        .collect())
}

const MEMBER_COLS: &str = "m.id, m.provider_id, m.user_id, m.email, m.user_type, m.status, m.suspended, m.wrapped_key, \
     m.invited_at, m.expires_at, m.accepted_at, m.confirmed_at, m.permissions";

/// Files an organisation item for a person: their folder (only one of theirs)
/// and favourite mark. Binds: user id, item id, folder id, favourite.
const MARK_SQL: &str = "INSERT INTO org_item_marks (user_id, item_id, folder_id, favourite) \
    SELECT $1, $2, (SELECT id FROM folders WHERE id = $3 AND user_id = $1), $4 WHERE EXISTS (SELECT 1 FROM org_items WHERE id = $2) \
    ON CONFLICT (user_id, item_id) DO UPDATE SET folder_id = excluded.folder_id, favourite = excluded.favourite";

/// Which events a log shows. Binds: $1 the log's tenant, $2 with its
/// clients' logs, $3..$4 the time range, $5 member (target), $6 one tenant,
/// $7 actor, $8 kind.
/// Where an event log's count stops (the page then says "10,000+"); the
/// same as `domain::api::EVENT_COUNT_CAP` (a service test holds them equal).
pub const EVENT_COUNT_CAP: i64 = 10_000;
/// How many of a log's newest events its filters' choices come from.
pub const EVENT_FACET_WINDOW: i64 = 20_000;

const PROVIDER_COLS: &str = "id, name, billing_email, created_at, kind, parent_id, seats, org_key, version, suspended_at";

macro_rules! store_impl {
    ($name:ident, $backend:literal, { $($extra:tt)* }) => {
        #[async_trait]
        impl Store for $name {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn create_user(&self, u: &UserRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO users (id, email, name, hint, kdf_memory, kdf_iterations, kdf_parallelism, auth_hash, \
                     protected_user_key, protected_private_key, public_key, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(&u.id)
                .bind(&u.email)
                .bind(&u.name)
                .bind(&u.hint)
                .bind(u.kdf_memory)
                .bind(u.kdf_iterations)
                .bind(u.kdf_parallelism)
                .bind(&u.auth_hash)
                .bind(&u.protected_user_key)
                .bind(&u.protected_private_key)
                .bind(&u.public_key)
                .bind(u.created_at)
                .execute(&self.pool)
                .await
                .map_err(|e| unique_to(e, Conflict::EmailTaken))?;
                Ok(())
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>> {
                Ok(sqlx::query_as::<_, UserRow>("SELECT * FROM users WHERE email = $1")
                    .bind(email)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>> {
                Ok(sqlx::query_as::<_, UserRow>("SELECT * FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn change_master_password(&self, user_id: &str, auth_hash: &str, protected_user_key: &str, keep_session: &str) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let n = sqlx::query("UPDATE users SET auth_hash = $1, protected_user_key = $2 WHERE id = $3")
                    .bind(auth_hash)
                    .bind(protected_user_key)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(Error::NotFound);
                }
                sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2").bind(user_id).bind(keep_session).execute(&mut *tx).await?;
                // The person chose their own password: an administrator's reset is behind them.
                sqlx::query("DELETE FROM password_resets WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                // Every app logged in with the old password logs in again.
                sqlx::query("DELETE FROM devices WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_session(&self, s: &SessionRow) -> Result<()> {
                sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&s.token_hash)
                    .bind(&s.user_id)
                    .bind(s.created_at)
                    .bind(s.expires_at)
                    .bind(&s.ip)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn put_device(&self, d: &DeviceRow) -> Result<String> {
                Ok(sqlx::query_scalar::<_, String>(
                    "INSERT INTO devices (id, user_id, identifier, name, kind, refresh_hash, created_at, used_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (user_id, identifier) DO UPDATE SET name = $4, kind = $5, refresh_hash = $6, used_at = $8, expires_at = $9 \
                     RETURNING id",
                )
                .bind(&d.id)
                .bind(&d.user_id)
                .bind(&d.identifier)
                .bind(&d.name)
                .bind(d.kind)
                .bind(&d.refresh_hash)
                .bind(d.created_at)
                .bind(d.used_at)
                .bind(d.expires_at)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn device_by_refresh(&self, refresh_hash: &str, now: i64) -> Result<Option<DeviceRow>> {
                Ok(sqlx::query_as::<_, DeviceRow>("SELECT * FROM devices WHERE refresh_hash = $1 AND expires_at > $2")
                    .bind(refresh_hash)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn rotate_refresh(&self, id: &str, old_hash: &str, new_hash: &str, now: i64, expires_at: i64) -> Result<bool> {
                let n = sqlx::query("UPDATE devices SET refresh_hash = $1, used_at = $2, expires_at = $3 WHERE id = $4 AND refresh_hash = $5")
                    .bind(new_hash)
                    .bind(now)
                    .bind(expires_at)
                    .bind(id)
                    .bind(old_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(n.rows_affected() == 1)
            }

            async fn device_user(&self, id: &str, now: i64) -> Result<Option<(String, String, String)>> {
                Ok(sqlx::query_as::<_, (String, String, String)>(
                    "SELECT u.id, u.email, d.identifier FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id = $1 AND d.expires_at > $2",
                )
                .bind(id)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn delete_devices(&self, user_id: &str) -> Result<u64> {
                Ok(sqlx::query("DELETE FROM devices WHERE user_id = $1").bind(user_id).execute(&self.pool).await?.rows_affected())
            }

            async fn list_devices(&self, user_id: &str) -> Result<Vec<DeviceRow>> {
                Ok(sqlx::query_as::<_, DeviceRow>("SELECT * FROM devices WHERE user_id = $1 ORDER BY used_at DESC, id").bind(user_id).fetch_all(&self.pool).await?)
            }

            async fn delete_device(&self, user_id: &str, id: &str) -> Result<bool> {
                let n = sqlx::query("DELETE FROM devices WHERE id = $1 AND user_id = $2").bind(id).bind(user_id).execute(&self.pool).await?;
                Ok(n.rows_affected() > 0)
            }

            async fn forget_remembered(&self, user_id: &str) -> Result<u64> {
                Ok(sqlx::query("DELETE FROM two_factor_remembered WHERE user_id = $1").bind(user_id).execute(&self.pool).await?.rows_affected())
            }

            async fn set_api_key(&self, user_id: &str, secret_hash: &str, now: i64) -> Result<()> {
                sqlx::query(
                    "INSERT INTO api_keys (user_id, secret_hash, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id) DO UPDATE SET secret_hash = $2, created_at = $3",
                )
                .bind(user_id)
                .bind(secret_hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn api_key_hash(&self, user_id: &str) -> Result<Option<String>> {
                Ok(sqlx::query_scalar::<_, String>("SELECT secret_hash FROM api_keys WHERE user_id = $1").bind(user_id).fetch_optional(&self.pool).await?)
            }

            async fn two_factor(&self, user_id: &str) -> Result<Option<TwoFactorRow>> {
                Ok(sqlx::query_as::<_, TwoFactorRow>("SELECT * FROM two_factor WHERE user_id = $1").bind(user_id).fetch_optional(&self.pool).await?)
            }

            async fn put_pending_two_factor(&self, user_id: &str, sealed_secret: &str, now: i64) -> Result<bool> {
                let n = sqlx::query(
                    "INSERT INTO two_factor (user_id, totp_secret, enabled_at, last_step, recovery_hash, created_at, method) \
                     VALUES ($1, $2, NULL, 0, NULL, $3, 'authenticator') \
                     ON CONFLICT (user_id) DO UPDATE SET totp_secret = excluded.totp_secret, created_at = excluded.created_at, last_step = 0, \
                     method = excluded.method WHERE two_factor.enabled_at IS NULL",
                )
                .bind(user_id)
                .bind(sealed_secret)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(n.rows_affected() == 1)
            }

            async fn enable_two_factor(&self, user_id: &str, recovery_hash: &str, step: i64, now: i64, mail: &MailRow) -> Result<bool> {
                let mut tx = self.pool.begin().await?;
                let n = sqlx::query(
                    "UPDATE two_factor SET enabled_at = $1, recovery_hash = $2, last_step = $3 WHERE user_id = $4 AND enabled_at IS NULL AND method = 'authenticator'",
                )
                    .bind(now)
                    .bind(recovery_hash)
                    .bind(step)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                if n.rows_affected() != 1 {
                    return Ok(false);
                }
                insert_mail(&mut tx, mail).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn spend_two_factor_step(&self, user_id: &str, step: i64) -> Result<bool> {
                let n = sqlx::query("UPDATE two_factor SET last_step = $1 WHERE user_id = $2 AND last_step < $1 AND enabled_at IS NOT NULL AND method = 'authenticator'")
                    .bind(step)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(n.rows_affected() == 1)
            }

            async fn delete_two_factor(&self, user_id: &str, mail: &MailRow) -> Result<bool> {
                let mut tx = self.pool.begin().await?;
                let n = sqlx::query("DELETE FROM two_factor WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?.rows_affected();
                sqlx::query("DELETE FROM two_factor_remembered WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM two_factor_email_code WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM security_keys WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM webauthn_challenges WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                if n == 1 {
                    insert_mail(&mut tx, mail).await?;
                }
                tx.commit().await?;
                Ok(n == 1)
            }

            async fn enable_email_two_factor(&self, user_id: &str, recovery_hash: &str, now: i64, mail: &MailRow) -> Result<bool> {
                let mut tx = self.pool.begin().await?;
                if !enable_second_step(&mut tx, user_id, "email", recovery_hash, now).await? {
                    return Ok(false);
                }
                insert_mail(&mut tx, mail).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn put_email_code(&self, code: &EmailCodeRow, resend_after: i64, mail: &MailRow) -> Result<bool> {
                let mut tx = self.pool.begin().await?;
                let n = sqlx::query(
                    "INSERT INTO two_factor_email_code (user_id, code_mac, purpose, sent_at, expires_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (user_id) DO UPDATE SET code_mac = excluded.code_mac, purpose = excluded.purpose, sent_at = excluded.sent_at, \
                     expires_at = excluded.expires_at \
                     WHERE two_factor_email_code.purpose <> excluded.purpose OR two_factor_email_code.sent_at < $6",
                )
                .bind(&code.user_id)
                .bind(&code.code_mac)
                .bind(&code.purpose)
                .bind(code.sent_at)
                .bind(code.expires_at)
                .bind(resend_after)
                .execute(&mut *tx)
                .await?;
                if n.rows_affected() != 1 {
                    return Ok(false);
                }
                insert_mail(&mut tx, mail).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn take_email_code(&self, user_id: &str, code_mac: &str, purpose: &str, now: i64) -> Result<bool> {
                let n = sqlx::query("DELETE FROM two_factor_email_code WHERE user_id = $1 AND code_mac = $2 AND purpose = $3 AND expires_at > $4")
                    .bind(user_id)
                    .bind(code_mac)
                    .bind(purpose)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(n.rows_affected() == 1)
            }

            async fn security_keys(&self, user_id: &str) -> Result<Vec<SecurityKeyRow>> {
                Ok(sqlx::query_as::<_, SecurityKeyRow>("SELECT * FROM security_keys WHERE user_id = $1 ORDER BY created_at, id")
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn enable_security_key_two_factor(&self, key: &SecurityKeyRow, recovery_hash: &str, now: i64, mail: &MailRow) -> Result<bool> {
                let mut tx = self.pool.begin().await?;
                if !enable_second_step(&mut tx, &key.user_id, "webauthn", recovery_hash, now).await? {
                    return Ok(false);
                }
                // Keys left from an earlier time the method was on went with it; none remain.
                sqlx::query("DELETE FROM security_keys WHERE user_id = $1").bind(&key.user_id).execute(&mut *tx).await?;
                insert_security_key(&mut tx, key).await?;
                insert_mail(&mut tx, mail).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn add_security_key(&self, key: &SecurityKeyRow, max: i64) -> Result<bool> {
                let mut tx = self.pool.begin().await?;
                // A no-op write to the account's two-step row: it says the
                // method is on and holds the row (and SQLite's write lock) to
                // the commit, so two additions at once cannot both pass the count.
                let on = sqlx::query("UPDATE two_factor SET last_step = last_step WHERE user_id = $1 AND enabled_at IS NOT NULL AND method = 'webauthn'")
                    .bind(&key.user_id)
                    .execute(&mut *tx)
                    .await?;
                if on.rows_affected() != 1 {
                    return Ok(false);
                }
                let count = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM security_keys WHERE user_id = $1").bind(&key.user_id).fetch_one(&mut *tx).await?;
                if count >= max {
                    return Ok(false);
                }
                insert_security_key(&mut tx, key).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn used_security_key(&self, user_id: &str, id: &str, credential: &str, now: i64) -> Result<()> {
                sqlx::query("UPDATE security_keys SET credential = $1, last_used_at = $2 WHERE user_id = $3 AND id = $4")
                    .bind(credential)
                    .bind(now)
                    .bind(user_id)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_security_key(&self, user_id: &str, id: &str) -> Result<bool> {
                let n = sqlx::query(
                    "DELETE FROM security_keys WHERE user_id = $1 AND id = $2 AND (SELECT COUNT(*) FROM security_keys WHERE user_id = $1) > 1",
                )
                .bind(user_id)
                .bind(id)
                .execute(&self.pool)
                .await?;
                Ok(n.rows_affected() == 1)
            }

            async fn put_webauthn_challenge(&self, user_id: &str, purpose: &str, state: &str, expires_at: i64) -> Result<()> {
                sqlx::query(
                    "INSERT INTO webauthn_challenges (user_id, purpose, state, expires_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (user_id, purpose) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at",
                )
                .bind(user_id)
                .bind(purpose)
                .bind(state)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn take_webauthn_challenge(&self, user_id: &str, purpose: &str, now: i64) -> Result<Option<String>> {
                let state = sqlx::query_as::<_, (String, i64)>("DELETE FROM webauthn_challenges WHERE user_id = $1 AND purpose = $2 RETURNING state, expires_at")
                    .bind(user_id)
                    .bind(purpose)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(state.filter(|(_, expires_at)| *expires_at > now).map(|(state, _)| state))
            }

            async fn remember_two_factor(&self, token_hash: &str, user_id: &str, expires_at: i64) -> Result<()> {
                sqlx::query("INSERT INTO two_factor_remembered (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
                    .bind(token_hash)
                    .bind(user_id)
                    .bind(expires_at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn two_factor_remembered(&self, token_hash: &str, user_id: &str, now: i64) -> Result<bool> {
                Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM two_factor_remembered WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3")
                    .bind(token_hash)
                    .bind(user_id)
                    .bind(now)
                    .fetch_one(&self.pool)
                    .await?
                    > 0)
            }

            async fn org_recovery_key(&self, org_id: &str) -> Result<Option<(String, String)>> {
                Ok(sqlx::query_as::<_, (String, String)>("SELECT public_key, private_key FROM org_recovery_keys WHERE org_id = $1")
                    .bind(org_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn set_org_recovery_key(&self, org_id: &str, public_key: &str, private_key: &str, now: i64, event: &EventRow) -> Result<bool> {
                let mut tx = self.pool.begin().await?;
                let n = sqlx::query(
                    "INSERT INTO org_recovery_keys (org_id, public_key, private_key, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (org_id) DO NOTHING",
                )
                .bind(org_id)
                .bind(public_key)
                .bind(private_key)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 1 {
                    insert_event(&mut tx, event).await?;
                }
                tx.commit().await?;
                Ok(n == 1)
            }

            async fn enrol_recovery(&self, org_id: &str, member_id: &str, sealed_user_key: &str, now: i64, event: &EventRow) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO recovery_enrolments (member_id, org_id, sealed_user_key, enrolled_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (member_id) DO UPDATE SET sealed_user_key = excluded.sealed_user_key, enrolled_at = excluded.enrolled_at",
                )
                .bind(member_id)
                .bind(org_id)
                .bind(sealed_user_key)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                insert_event(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn withdraw_recovery(&self, org_id: &str, member_id: &str, event: &EventRow) -> Result<bool> {
                let mut tx = self.pool.begin().await?;
                let n = sqlx::query("DELETE FROM recovery_enrolments WHERE org_id = $1 AND member_id = $2")
                    .bind(org_id)
                    .bind(member_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 1 {
                    insert_event(&mut tx, event).await?;
                }
                tx.commit().await?;
                Ok(n == 1)
            }

            async fn recovery_enrolment(&self, org_id: &str, member_id: &str) -> Result<Option<String>> {
                Ok(sqlx::query_scalar::<_, String>("SELECT sealed_user_key FROM recovery_enrolments WHERE org_id = $1 AND member_id = $2")
                    .bind(org_id)
                    .bind(member_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn recovery_enrolled(&self, org_id: &str) -> Result<Vec<String>> {
                Ok(sqlx::query_scalar::<_, String>("SELECT member_id FROM recovery_enrolments WHERE org_id = $1 ORDER BY member_id")
                    .bind(org_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn recover_account(&self, r: &AccountRecovery) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let n = sqlx::query("UPDATE users SET auth_hash = $1, protected_user_key = $2 WHERE id = $3")
                    .bind(&r.auth_hash)
                    .bind(&r.protected_user_key)
                    .bind(&r.user_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(Error::NotFound);
                }
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(&r.user_id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM devices WHERE user_id = $1").bind(&r.user_id).execute(&mut *tx).await?;
                sqlx::query(
                    "INSERT INTO password_resets (user_id, org_id, reset_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id) DO UPDATE SET org_id = excluded.org_id, reset_at = excluded.reset_at",
                )
                .bind(&r.user_id)
                .bind(&r.org_id)
                .bind(r.at)
                .execute(&mut *tx)
                .await?;
                for e in &r.events {
                    insert_event(&mut tx, e).await?;
                }
                insert_mail(&mut tx, &r.mail).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn password_reset_pending(&self, user_id: &str) -> Result<bool> {
                Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM password_resets WHERE user_id = $1").bind(user_id).fetch_one(&self.pool).await? > 0)
            }

            async fn server_key(&self, name: &str, candidate: &str) -> Result<String> {
                sqlx::query("INSERT INTO server_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                    .bind(name)
                    .bind(candidate)
                    .execute(&self.pool)
                    .await?;
                Ok(sqlx::query_scalar::<_, String>("SELECT value FROM server_keys WHERE name = $1").bind(name).fetch_one(&self.pool).await?)
            }

            async fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRow>> {
                Ok(sqlx::query_as::<_, SessionRow>("SELECT * FROM sessions WHERE token_hash = $1 AND expires_at > $2")
                    .bind(token_hash)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn session_user(&self, token_hash: &str, now: i64) -> Result<Option<(String, String)>> {
                Ok(sqlx::query_as::<_, (String, String)>(
                    "SELECT u.id, u.email FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn delete_session(&self, token_hash: &str) -> Result<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
                Ok(())
            }

            async fn count_hit(&self, key: &str, now: i64, window: i64, sliding: bool) -> Result<Counter> {
                // One statement: concurrent hits (from any instance) each count once.
                Ok(sqlx::query_as::<_, Counter>(
                    "INSERT INTO rate_counters (key, count, last_at, ends_at) VALUES ($1, 1, $2, $3) \
                     ON CONFLICT (key) DO UPDATE SET \
                       count = CASE WHEN rate_counters.ends_at <= $2 THEN 1 ELSE rate_counters.count + 1 END, \
                       last_at = $2, \
                       ends_at = CASE WHEN rate_counters.ends_at <= $2 OR $4 THEN $3 ELSE rate_counters.ends_at END \
                     RETURNING count, last_at, ends_at",
                )
                .bind(key)
                .bind(now)
                .bind(now + window)
                .bind(sliding)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn counter(&self, key: &str, now: i64) -> Result<Option<Counter>> {
                Ok(sqlx::query_as::<_, Counter>("SELECT count, last_at, ends_at FROM rate_counters WHERE key = $1 AND ends_at > $2")
                    .bind(key)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn clear_counter(&self, key: &str) -> Result<()> {
                sqlx::query("DELETE FROM rate_counters WHERE key = $1").bind(key).execute(&self.pool).await?;
                Ok(())
            }

            async fn purge_expired(&self, now: i64) -> Result<u64> {
                let counters = sqlx::query("DELETE FROM rate_counters WHERE ends_at <= $1").bind(now).execute(&self.pool).await?;
                let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
                let devices = sqlx::query("DELETE FROM devices WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
                let mails = sqlx::query("DELETE FROM outbox WHERE sent_at IS NULL AND expires_at <= $1").bind(now).execute(&self.pool).await?;
                let remembered = sqlx::query("DELETE FROM two_factor_remembered WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
                let codes = sqlx::query("DELETE FROM two_factor_email_code WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
                let challenges = sqlx::query("DELETE FROM webauthn_challenges WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
                Ok(counters.rows_affected()
                    + challenges.rows_affected()
                    + sessions.rows_affected()
                    + devices.rows_affected()
                    + mails.rows_affected()
                    + remembered.rows_affected()
                    + codes.rows_affected())
            }

            async fn create_provider(&self, p: &ProviderRow, admin: &MemberRow, event: &EventRow) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                insert_tenant(&mut tx, p).await?;
                insert_member(&mut tx, admin).await?;
                insert_event(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn provider(&self, id: &str) -> Result<Option<ProviderRow>> {
                Ok(sqlx::query_as::<_, ProviderRow>(&format!("SELECT {PROVIDER_COLS} FROM providers WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn update_provider(&self, id: &str, name: &str, billing_email: &str, event: &EventRow) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let n = sqlx::query("UPDATE providers SET name = $1, billing_email = $2, version = version + 1 WHERE id = $3")
                    .bind(name)
                    .bind(billing_email)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                if n.rows_affected() == 0 {
                    return Err(Error::NotFound);
                }
                insert_event(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn memberships_of_user(&self, user_id: &str) -> Result<Vec<(ProviderRow, MemberRow)>> {
                // One join, not a provider query per membership (this runs on every page load).
                #[derive(sqlx::FromRow)]
                struct Joined {
                    #[sqlx(flatten)]
                    member: MemberRow,
                    p_name: String,
                    p_billing_email: String,
                    p_created_at: i64,
                    p_kind: String,
                    p_parent_id: Option<String>,
                    p_seats: i64,
                    p_org_key: Option<String>,
                    p_suspended_at: Option<i64>,
                }
                let rows = sqlx::query_as::<_, Joined>(&format!(
                    "SELECT {MEMBER_COLS}, p.name AS p_name, p.billing_email AS p_billing_email, p.created_at AS p_created_at, \
                     p.kind AS p_kind, p.parent_id AS p_parent_id, p.seats AS p_seats, p.org_key AS p_org_key, p.suspended_at AS p_suspended_at \
                     FROM provider_users m JOIN providers p ON p.id = m.provider_id WHERE m.user_id = $1 ORDER BY m.invited_at"
                ))
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|r| {
                        let p = ProviderRow {
                            id: r.member.provider_id.clone(),
                            name: r.p_name,
                            billing_email: r.p_billing_email,
                            created_at: r.p_created_at,
                            kind: r.p_kind,
                            parent_id: r.p_parent_id,
                            seats: r.p_seats,
                            org_key: r.p_org_key,
                            version: 0,
                            suspended_at: r.p_suspended_at,
                        };
                        (p, r.member)
                    })
                    .collect())
            }

            async fn member(&self, provider_id: &str, member_id: &str) -> Result<Option<MemberRow>> {
                Ok(sqlx::query_as::<_, MemberRow>(&format!(
                    "SELECT {MEMBER_COLS} FROM provider_users m WHERE m.provider_id = $1 AND m.id = $2"
                ))
                .bind(provider_id)
                .bind(member_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn member_by_user(&self, provider_id: &str, user_id: &str) -> Result<Option<MemberRow>> {
                Ok(sqlx::query_as::<_, MemberRow>(&format!(
                    "SELECT {MEMBER_COLS} FROM provider_users m WHERE m.provider_id = $1 AND m.user_id = $2"
                ))
                .bind(provider_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn tenant_with_member(&self, tenant_id: &str, user_id: &str) -> Result<Option<(ProviderRow, Option<MemberRow>)>> {
                let row = sqlx::query_as::<_, TenantMemberRow>(
                    "SELECT p.id, p.name, p.billing_email, p.created_at, p.kind, p.parent_id, p.seats, p.org_key, p.version, p.suspended_at, \
                     m.id AS m_id, m.user_id AS m_user_id, m.email AS m_email, m.user_type AS m_user_type, m.status AS m_status, \
                     m.suspended AS m_suspended, m.wrapped_key AS m_wrapped_key, m.invited_at AS m_invited_at, \
                     m.expires_at AS m_expires_at, m.accepted_at AS m_accepted_at, m.confirmed_at AS m_confirmed_at, \
                     m.permissions AS m_permissions \
                     FROM providers p LEFT JOIN provider_users m ON m.provider_id = p.id AND m.user_id = $2 WHERE p.id = $1",
                )
                .bind(tenant_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(TenantMemberRow::split))
            }

            async fn existing_emails(&self, provider_id: &str, emails: &[String]) -> Result<Vec<String>> {
                if emails.is_empty() {
                    return Ok(vec![]);
                }
                let params: Vec<String> = (0..emails.len()).map(|i| format!("${}", i + 2)).collect();
                let sql = format!("SELECT email FROM provider_users WHERE provider_id = $1 AND email IN ({})", params.join(", "));
                let mut q = sqlx::query_as::<_, (String,)>(&sql).bind(provider_id);
                for e in emails {
                    q = q.bind(e);
                }
                Ok(q.fetch_all(&self.pool).await?.into_iter().map(|(e,)| e).collect())
            }

            async fn waiting_members_of_clients(&self, provider_id: &str) -> Result<Vec<MemberView>> {
                Ok(sqlx::query_as::<_, MemberView>(&format!(
                    "SELECT {MEMBER_COLS}, u.name, u.public_key FROM provider_users m \
                     JOIN providers c ON c.id = m.provider_id LEFT JOIN users u ON u.id = m.user_id \
                     WHERE c.parent_id = $1 AND m.status IN ('invited', 'accepted') ORDER BY m.provider_id, m.email"
                ))
                .bind(provider_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn client_names(&self, provider_id: &str) -> Result<Vec<(String, String)>> {
                Ok(sqlx::query_as("SELECT id, name FROM providers WHERE parent_id = $1").bind(provider_id).fetch_all(&self.pool).await?)
            }

            async fn members_by_ids(&self, provider_id: &str, ids: &[String]) -> Result<Vec<MemberView>> {
                // Chunked IN lists keep every statement well under both backends' parameter limits.
                let mut out = Vec::with_capacity(ids.len());
                for chunk in ids.chunks(500) {
                    let params: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
                    let sql = format!(
                        "SELECT {MEMBER_COLS}, u.name, u.public_key FROM provider_users m \
                         LEFT JOIN users u ON u.id = m.user_id WHERE m.provider_id = $1 AND m.id IN ({})",
                        params.join(", ")
                    );
                    let mut q = sqlx::query_as::<_, MemberView>(&sql).bind(provider_id);
                    for id in chunk {
                        q = q.bind(id);
                    }
                    out.extend(q.fetch_all(&self.pool).await?);
                }
                Ok(out)
            }

            async fn change_members(&self, b: &MemberBatch) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                // Writing first takes the provider's row lock (PostgreSQL) or the
                // database write lock (SQLite): concurrent batches of one
                // provider are serialised from here on.
                let tenant = lock_tenant(&mut tx, &b.provider_id).await?;
                if !actor_still_allowed(&mut tx, &b.provider_id, &b.actor_user_id).await? {
                    return Err(Error::Conflict(Conflict::ActorNotAdmin));
                }
                let tops_before = active_admins(&mut tx, &b.provider_id, None).await?;
                for c in &b.changes {
                    let affected = match c {
                        MemberChange::Invite { member, token_hash } => {
                            insert_member(&mut tx, member).await?;
                            sqlx::query("INSERT INTO invite_tokens (token_hash, member_id, expires_at) VALUES ($1, $2, $3)")
                                .bind(token_hash)
                                .bind(&member.id)
                                .bind(member.expires_at.unwrap_or(0))
                                .execute(&mut *tx)
                                .await?;
                            1
                        }
                        MemberChange::ReplaceToken { member_id, token_hash, expires_at } => {
                            sqlx::query("DELETE FROM invite_tokens WHERE member_id = $1").bind(member_id).execute(&mut *tx).await?;
                            drop_unsent_invitations(&mut tx, member_id).await?;
                            let n = sqlx::query(
                                "UPDATE provider_users SET expires_at = $1 WHERE id = $2 AND provider_id = $3 AND status = 'invited'",
                            )
                            .bind(expires_at)
                            .bind(member_id)
                            .bind(&b.provider_id)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                            sqlx::query("INSERT INTO invite_tokens (token_hash, member_id, expires_at) VALUES ($1, $2, $3)")
                                .bind(token_hash)
                                .bind(member_id)
                                .bind(expires_at)
                                .execute(&mut *tx)
                                .await?;
                            n
                        }
                        MemberChange::Confirm { member_id, wrapped_key, now } => sqlx::query(
                            "UPDATE provider_users SET status = 'confirmed', wrapped_key = $1, confirmed_at = $2 \
                             WHERE id = $3 AND provider_id = $4 AND status = 'accepted' AND suspended = $5",
                        )
                        .bind(wrapped_key)
                        .bind(now)
                        .bind(member_id)
                        .bind(&b.provider_id)
                        .bind(false)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected(),
                        MemberChange::SetUserType { member_id, user_type, permissions } => {
                            sqlx::query("UPDATE provider_users SET user_type = $1, permissions = $4 WHERE id = $2 AND provider_id = $3")
                                .bind(user_type)
                                .bind(member_id)
                                .bind(&b.provider_id)
                                .bind(permissions)
                                .execute(&mut *tx)
                                .await?
                                .rows_affected()
                        }
                        MemberChange::SetSuspended { member_id, suspended } => {
                            sqlx::query("UPDATE provider_users SET suspended = $1 WHERE id = $2 AND provider_id = $3")
                                .bind(suspended)
                                .bind(member_id)
                                .bind(&b.provider_id)
                                .execute(&mut *tx)
                                .await?
                                .rows_affected()
                        }
                        MemberChange::Remove { member_id } => {
                            sqlx::query("DELETE FROM invite_tokens WHERE member_id = $1").bind(member_id).execute(&mut *tx).await?;
                            drop_unsent_invitations(&mut tx, member_id).await?;
                            sqlx::query("DELETE FROM provider_users WHERE id = $1 AND provider_id = $2")
                                .bind(member_id)
                                .bind(&b.provider_id)
                                .execute(&mut *tx)
                                .await?
                                .rows_affected()
                        }
                    };
                    if affected == 0 {
                        return Err(Error::Conflict(Conflict::Stale));
                    }
                }
                // A tenant that had a confirmed Provider admin / Owner keeps one.
                if tops_before > 0 && active_admins(&mut tx, &b.provider_id, None).await? == 0 {
                    return Err(Error::Conflict(Conflict::LastAdmin));
                }
                if tenant.is_organization() && used_seats(&mut tx, &b.provider_id).await? > tenant.seats {
                    return Err(Error::Conflict(Conflict::NoSeats));
                }
                for e in &b.events {
                    insert_event(&mut tx, e).await?;
                }
                for m in &b.mails {
                    insert_mail(&mut tx, m).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn create_organization(&self, org: &ProviderRow, owner: &MemberRow, token_hash: &str, events: &[EventRow], mail: &MailRow) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let parent_id = org.parent_id.as_deref().ok_or(Error::NotFound)?;
                let provider = lock_tenant(&mut tx, parent_id).await?;
                if assigned_seats(&mut tx, parent_id, None).await? + org.seats > provider.seats {
                    return Err(Error::Conflict(Conflict::NoSeats));
                }
                insert_tenant(&mut tx, org).await?;
                insert_member(&mut tx, owner).await?;
                sqlx::query("INSERT INTO invite_tokens (token_hash, member_id, expires_at) VALUES ($1, $2, $3)")
                    .bind(token_hash)
                    .bind(&owner.id)
                    .bind(owner.expires_at.unwrap_or(0))
                    .execute(&mut *tx)
                    .await?;
                for e in events {
                    insert_event(&mut tx, e).await?;
                }
                insert_mail(&mut tx, mail).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_clients(&self, provider_id: &str) -> Result<Vec<ClientRow>> {
                Ok(sqlx::query_as::<_, ClientRow>(
                    "SELECT p.id, p.name, p.billing_email, p.created_at, p.kind, p.parent_id, p.seats, p.org_key, p.suspended_at, \
                     (SELECT COUNT(*) FROM provider_users m WHERE m.provider_id = p.id AND m.suspended = $2) AS used, \
                     (SELECT MIN(m.email) FROM provider_users m WHERE m.provider_id = p.id AND m.user_type = 'owner') AS owner_email, \
                     (SELECT CASE WHEN SUM(CASE WHEN m.status = 'confirmed' THEN 1 ELSE 0 END) > 0 THEN 'confirmed' \
                      WHEN SUM(CASE WHEN m.status = 'accepted' THEN 1 ELSE 0 END) > 0 THEN 'accepted' \
                      WHEN COUNT(*) > 0 THEN 'invited' END \
                      FROM provider_users m WHERE m.provider_id = p.id AND m.user_type = 'owner') AS owner_status, \
                     (SELECT MAX(e.at) FROM events e WHERE e.provider_id = p.id) AS last_activity \
                     FROM providers p WHERE p.parent_id = $1 ORDER BY p.name",
                )
                .bind(provider_id)
                .bind(false)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn seats_used(&self, tenant_id: &str) -> Result<i64> {
                // The count `used_seats` makes inside a transaction.
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM provider_users WHERE provider_id = $1 AND suspended = $2")
                    .bind(tenant_id)
                    .bind(false)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n)
            }

            async fn set_seats(&self, tenant_id: &str, seats: i64, events: &[EventRow]) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let tenant = lock_tenant(&mut tx, tenant_id).await?;
                if let Some(parent) = tenant.parent_id.as_deref() {
                    // A client: the provider's total must cover every client, and its members must fit.
                    let provider = lock_tenant(&mut tx, parent).await?;
                    if assigned_seats(&mut tx, parent, Some(tenant_id)).await? + seats > provider.seats {
                        return Err(Error::Conflict(Conflict::NoSeats));
                    }
                    if used_seats(&mut tx, tenant_id).await? > seats {
                        return Err(Error::Conflict(Conflict::SeatsInUse));
                    }
                } else if assigned_seats(&mut tx, tenant_id, None).await? > seats {
                    return Err(Error::Conflict(Conflict::SeatsInUse));
                }
                sqlx::query("UPDATE providers SET seats = $1 WHERE id = $2").bind(seats).bind(tenant_id).execute(&mut *tx).await?;
                commit_with_events(tx, events).await
            }

            async fn list_groups(&self, org_id: &str) -> Result<(Vec<GroupRow>, Vec<(String, String)>)> {
                let groups = sqlx::query_as::<_, GroupRow>("SELECT id, org_id, name, created_at FROM org_groups WHERE org_id = $1 ORDER BY name")
                    .bind(org_id)
                    .fetch_all(&self.pool)
                    .await?;
                let links = sqlx::query_as::<_, (String, String)>(
                    "SELECT gm.group_id, gm.member_id FROM group_members gm JOIN org_groups g ON g.id = gm.group_id WHERE g.org_id = $1",
                )
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?;
                Ok((groups, links))
            }

            async fn save_group(&self, g: &GroupRow, member_ids: &[String], event: &EventRow) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                lock_tenant(&mut tx, &g.org_id).await?;
                let updated = sqlx::query("UPDATE org_groups SET name = $1 WHERE id = $2 AND org_id = $3")
                    .bind(&g.name)
                    .bind(&g.id)
                    .bind(&g.org_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| unique_to(e, Conflict::NameTaken))?
                    .rows_affected();
                if updated == 0 {
                    sqlx::query("INSERT INTO org_groups (id, org_id, name, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(&g.id)
                        .bind(&g.org_id)
                        .bind(&g.name)
                        .bind(g.created_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| unique_to(e, Conflict::NameTaken))?;
                }
                sqlx::query("DELETE FROM group_members WHERE group_id = $1").bind(&g.id).execute(&mut *tx).await?;
                for m in member_ids {
                    let n = sqlx::query(
                        "INSERT INTO group_members (group_id, member_id) SELECT $1, id FROM provider_users WHERE id = $2 AND provider_id = $3",
                    )
                    .bind(&g.id)
                    .bind(m)
                    .bind(&g.org_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        return Err(Error::Conflict(Conflict::Stale));
                    }
                }
                insert_event(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn delete_group(&self, org_id: &str, group_id: &str, event: &EventRow) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let n = sqlx::query("DELETE FROM org_groups WHERE id = $1 AND org_id = $2")
                    .bind(group_id)
                    .bind(org_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(Error::NotFound);
                }
                insert_event(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_collections(&self, org_id: &str) -> Result<(Vec<CollectionRow>, Vec<AccessRow>)> {
                let cols = sqlx::query_as::<_, CollectionRow>(
                    "SELECT id, org_id, name, created_at FROM collections WHERE org_id = $1 ORDER BY created_at, id",
                )
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?;
                let access = sqlx::query_as::<_, AccessRow>(
                    "SELECT a.collection_id, a.member_id, a.group_id, a.permission FROM collection_access a \
                     JOIN collections c ON c.id = a.collection_id WHERE c.org_id = $1",
                )
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?;
                Ok((cols, access))
            }

            async fn collection_item_counts(&self, org_id: &str) -> Result<Vec<(String, i64, i64)>> {
                Ok(sqlx::query_as::<_, (String, i64, i64)>(
                    "SELECT l.collection_id, COUNT(*), \
                     SUM(CASE WHEN (SELECT COUNT(*) FROM org_item_collections o WHERE o.item_id = l.item_id) = 1 THEN 1 ELSE 0 END) \
                     FROM org_item_collections l JOIN collections c ON c.id = l.collection_id WHERE c.org_id = $1 GROUP BY l.collection_id",
                )
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn save_collection(&self, c: &CollectionRow, access: &[AccessRow], event: &EventRow) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                lock_tenant(&mut tx, &c.org_id).await?;
                let updated = sqlx::query("UPDATE collections SET name = $1 WHERE id = $2 AND org_id = $3")
                    .bind(&c.name)
                    .bind(&c.id)
                    .bind(&c.org_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if updated == 0 {
                    sqlx::query("INSERT INTO collections (id, org_id, name, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(&c.id)
                        .bind(&c.org_id)
                        .bind(&c.name)
                        .bind(c.created_at)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("DELETE FROM collection_access WHERE collection_id = $1").bind(&c.id).execute(&mut *tx).await?;
                for a in access {
                    // The member or group must belong to this organisation.
                    let n = sqlx::query(
                        "INSERT INTO collection_access (collection_id, member_id, group_id, permission) \
                         SELECT $1, $2, $3, $4 WHERE ($2 IS NULL OR EXISTS (SELECT 1 FROM provider_users WHERE id = $2 AND provider_id = $5)) \
                         AND ($3 IS NULL OR EXISTS (SELECT 1 FROM org_groups WHERE id = $3 AND org_id = $5))",
                    )
                    .bind(&c.id)
                    .bind(&a.member_id)
                    .bind(&a.group_id)
                    .bind(&a.permission)
                    .bind(&c.org_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        return Err(Error::Conflict(Conflict::Stale));
                    }
                }
                insert_event(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn delete_collection(&self, org_id: &str, id: &str, event: &EventRow) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let n = sqlx::query("DELETE FROM collections WHERE id = $1 AND org_id = $2")
                    .bind(id)
                    .bind(org_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(Error::NotFound);
                }
                insert_event(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn policies(&self, org_id: &str) -> Result<Vec<PolicyRow>> {
                Ok(sqlx::query_as::<_, PolicyRow>("SELECT org_id, kind, enabled, data, updated_at FROM policies WHERE org_id = $1")
                    .bind(org_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn put_policy(&self, p: &PolicyRow, event: &EventRow) -> Result<()> {
                self.put_policies(std::slice::from_ref(p), std::slice::from_ref(event)).await
            }

            async fn policies_of_user(&self, user_id: &str) -> Result<Vec<PolicyRow>> {
                Ok(sqlx::query_as::<_, PolicyRow>(
                    "SELECT p.org_id, p.kind, p.enabled, p.data, p.updated_at FROM policies p \
                     JOIN provider_users m ON m.provider_id = p.org_id \
                     WHERE m.user_id = $1 AND m.status IN ('accepted', 'confirmed') AND p.enabled = $2",
                )
                .bind(user_id)
                .bind(true)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn put_policies(&self, rows: &[PolicyRow], events: &[EventRow]) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                for p in rows {
                    sqlx::query(
                        "INSERT INTO policies (org_id, kind, enabled, data, updated_at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (org_id, kind) DO UPDATE SET enabled = excluded.enabled, data = excluded.data, updated_at = excluded.updated_at",
                    )
                    .bind(&p.org_id)
                    .bind(&p.kind)
                    .bind(p.enabled)
                    .bind(&p.data)
                    .bind(p.updated_at)
                    .execute(&mut *tx)
                    .await?;
                }
                commit_with_events(tx, events).await
            }

            async fn policies_of_clients(&self, provider_id: &str) -> Result<Vec<PolicyRow>> {
                Ok(sqlx::query_as::<_, PolicyRow>(
                    "SELECT p.org_id, p.kind, p.enabled, p.data, p.updated_at FROM policies p \
                     JOIN providers o ON o.id = p.org_id WHERE o.parent_id = $1",
                )
                .bind(provider_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn client_events_since(&self, provider_id: &str, from: i64, kinds: &[&str]) -> Result<Vec<EventRow>> {
                if kinds.is_empty() {
                    return Ok(vec![]);
                }
                let marks: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 3)).collect();
                let sql = format!(
                    "SELECT e.id, e.provider_id, e.actor_user_id, e.actor_email, e.target_email, e.kind, e.detail, e.ip, e.at FROM events e \
                     JOIN providers o ON o.id = e.provider_id WHERE o.parent_id = $1 AND e.at >= $2 AND e.kind IN ({}) ORDER BY e.at, e.id",
                    marks.join(", ")
                );
                let mut q = sqlx::query_as::<_, EventRow>(&sql).bind(provider_id).bind(from);
                for k in kinds {
                    q = q.bind(*k);
                }
                Ok(q.fetch_all(&self.pool).await?)
            }

            async fn baseline(&self, provider_id: &str) -> Result<Vec<PolicyRow>> {
                Ok(sqlx::query_as::<_, PolicyRow>(
                    "SELECT provider_id AS org_id, kind, enabled, data, updated_at FROM policy_baselines WHERE provider_id = $1 ORDER BY kind",
                )
                .bind(provider_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn put_baseline(&self, provider_id: &str, kind: &str, row: Option<&PolicyRow>, event: &EventRow) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                match row {
                    Some(p) => {
                        sqlx::query(
                            "INSERT INTO policy_baselines (provider_id, kind, enabled, data, updated_at) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (provider_id, kind) DO UPDATE SET enabled = excluded.enabled, data = excluded.data, updated_at = excluded.updated_at",
                        )
                        .bind(provider_id)
                        .bind(kind)
                        .bind(p.enabled)
                        .bind(&p.data)
                        .bind(p.updated_at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    None => {
                        sqlx::query("DELETE FROM policy_baselines WHERE provider_id = $1 AND kind = $2")
                            .bind(provider_id)
                            .bind(kind)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                insert_event(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn set_client_suspended(&self, provider_id: &str, org_id: &str, at: Option<i64>, events: &[EventRow]) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let n = sqlx::query("UPDATE providers SET suspended_at = $1, version = version + 1 WHERE id = $2 AND parent_id = $3")
                    .bind(at)
                    .bind(org_id)
                    .bind(provider_id)
                    .execute(&mut *tx)
                    .await?;
                if n.rows_affected() == 0 {
                    return Err(Error::NotFound);
                }
                commit_with_events(tx, events).await
            }

            async fn unlink_client(&self, provider_id: &str, org_id: &str, events: &[EventRow]) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                lock_tenant(&mut tx, provider_id).await?;
                let (owners,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM provider_users m JOIN providers o ON o.id = m.provider_id \
                     WHERE o.id = $1 AND o.parent_id = $2 AND m.user_type = 'owner' AND m.status = 'confirmed' AND m.suspended = $3",
                )
                .bind(org_id)
                .bind(provider_id)
                .bind(false)
                .fetch_one(&mut *tx)
                .await?;
                if owners == 0 {
                    let exists = sqlx::query("SELECT 1 FROM providers WHERE id = $1 AND parent_id = $2").bind(org_id).bind(provider_id).fetch_optional(&mut *tx).await?;
                    return Err(if exists.is_some() { Error::Conflict(Conflict::NoOwner) } else { Error::NotFound });
                }
                sqlx::query("UPDATE providers SET parent_id = NULL, org_key = NULL, suspended_at = NULL, version = version + 1 WHERE id = $1")
                    .bind(org_id)
                    .execute(&mut *tx)
                    .await?;
                commit_with_events(tx, events).await
            }

            async fn link_client(&self, provider_id: &str, org_id: &str, owner_user_id: &str, seats: i64, org_key: &str, events: &[EventRow]) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                // The provider's lock first, as seat changes take it.
                let provider = lock_tenant(&mut tx, provider_id).await?;
                let org = lock_tenant(&mut tx, org_id).await?;
                if org.kind != "organization" || provider.kind == "organization" {
                    return Err(Error::NotFound);
                }
                if org.parent_id.is_some() {
                    return Err(Error::Conflict(Conflict::Managed));
                }
                let owner = sqlx::query(
                    "SELECT 1 FROM provider_users WHERE provider_id = $1 AND user_id = $2 AND user_type = 'owner' AND status = 'confirmed' AND suspended = $3",
                )
                .bind(org_id)
                .bind(owner_user_id)
                .bind(false)
                .fetch_optional(&mut *tx)
                .await?;
                if owner.is_none() {
                    return Err(Error::Conflict(Conflict::NoOwner));
                }
                if used_seats(&mut tx, org_id).await? > seats {
                    return Err(Error::Conflict(Conflict::SeatsInUse));
                }
                if assigned_seats(&mut tx, provider_id, None).await? + seats > provider.seats {
                    return Err(Error::Conflict(Conflict::NoSeats));
                }
                sqlx::query("UPDATE providers SET parent_id = $1, org_key = $2, seats = $3 WHERE id = $4")
                    .bind(provider_id)
                    .bind(org_key)
                    .bind(seats)
                    .bind(org_id)
                    .execute(&mut *tx)
                    .await?;
                commit_with_events(tx, events).await
            }

            async fn delete_client(&self, provider_id: &str, org_id: &str, event: &EventRow) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                // The provider's lock first, as seat changes take it: the seats
                // return to the provider's pool in the same step.
                lock_tenant(&mut tx, provider_id).await?;
                let n = sqlx::query("DELETE FROM providers WHERE id = $1 AND parent_id = $2")
                    .bind(org_id)
                    .bind(provider_id)
                    .execute(&mut *tx)
                    .await?;
                if n.rows_affected() == 0 {
                    return Err(Error::NotFound);
                }
                insert_event(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn invitation(&self, token_hash: &str) -> Result<Option<(MemberRow, ProviderRow, i64)>> {
                let Some((member_id, expires_at)) = sqlx::query_as::<_, (String, i64)>(
                    "SELECT member_id, expires_at FROM invite_tokens WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?
                else {
                    return Ok(None);
                };
                let Some(m) = sqlx::query_as::<_, MemberRow>(&format!("SELECT {MEMBER_COLS} FROM provider_users m WHERE m.id = $1"))
                    .bind(&member_id)
                    .fetch_optional(&self.pool)
                    .await?
                else {
                    return Ok(None);
                };
                let Some(p) = self.provider(&m.provider_id).await? else { return Ok(None) };
                Ok(Some((m, p, expires_at)))
            }

            async fn accept_invitation(
                &self,
                token_hash: &str,
                member_id: &str,
                user_id: &str,
                now: i64,
                event: &EventRow,
                recovery: Option<(&str, &EventRow)>,
            ) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let used = sqlx::query("DELETE FROM invite_tokens WHERE token_hash = $1 AND member_id = $2 AND expires_at > $3")
                    .bind(token_hash)
                    .bind(member_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                if used.rows_affected() == 0 {
                    return Err(Error::Conflict(Conflict::TokenGone));
                }
                let n = sqlx::query(
                    "UPDATE provider_users SET status = 'accepted', user_id = $1, accepted_at = $2, expires_at = NULL \
                     WHERE id = $3 AND status = 'invited'",
                )
                .bind(user_id)
                .bind(now)
                .bind(member_id)
                .execute(&mut *tx)
                .await?;
                if n.rows_affected() == 0 {
                    return Err(Error::Conflict(Conflict::Stale));
                }
                // The member list changed: bump the tenant's version like every batch does.
                sqlx::query("UPDATE providers SET version = version + 1 WHERE id = (SELECT provider_id FROM provider_users WHERE id = $1)")
                    .bind(member_id)
                    .execute(&mut *tx)
                    .await?;
                insert_event(&mut tx, event).await?;
                if let Some((sealed_user_key, enrolled)) = recovery {
                    sqlx::query(
                        "INSERT INTO recovery_enrolments (member_id, org_id, sealed_user_key, enrolled_at) \
                         SELECT id, provider_id, $2, $3 FROM provider_users WHERE id = $1 \
                         ON CONFLICT (member_id) DO UPDATE SET sealed_user_key = excluded.sealed_user_key, enrolled_at = excluded.enrolled_at",
                    )
                    .bind(member_id)
                    .bind(sealed_user_key)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    insert_event(&mut tx, enrolled).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn list_events(&self, provider_id: &str, q: &EventQuery) -> Result<(Vec<EventRow>, i64)> {
                let rows = self.event_rows(provider_id, q).await?;
                // The count stops past EVENT_COUNT_CAP: a page says "10,000+"
                // rather than counting a million rows each time.
                let (filter, args) = event_where(provider_id, q);
                let sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM events e WHERE {filter} LIMIT {}) n", EVENT_COUNT_CAP + 1);
                let mut query = sqlx::query_as::<_, (i64,)>(&sql);
                for a in args {
                    query = match a {
                        EventArg::Text(t) => query.bind(t),
                        EventArg::Int(i) => query.bind(i),
                    };
                }
                let (total,) = query.fetch_one(&self.pool).await?;
                Ok((rows, total))
            }

            async fn event_rows(&self, provider_id: &str, q: &EventQuery) -> Result<Vec<EventRow>> {
                let (filter, args) = event_where(provider_id, q);
                let sql = format!(
                    "SELECT e.* FROM events e WHERE {filter} ORDER BY e.at DESC, e.id DESC LIMIT {} OFFSET {}",
                    q.limit.max(0),
                    q.offset.max(0)
                );
                let mut query = sqlx::query_as::<_, EventRow>(&sql);
                for a in args {
                    query = match a {
                        EventArg::Text(t) => query.bind(t),
                        EventArg::Int(i) => query.bind(i),
                    };
                }
                Ok(query.fetch_all(&self.pool).await?)
            }

            async fn event_facets(&self, provider_id: &str, with_clients: bool) -> Result<(Vec<String>, Vec<String>)> {
                // The kinds and people of the log's newest EVENT_FACET_WINDOW
                // events: read through the time index and stopped there, where
                // DISTINCT over a million events took seconds (BENCHMARKS.md).
                let (filter, args) = event_where(provider_id, &EventQuery { with_clients, ..Default::default() });
                let sql = format!(
                    "SELECT e.kind, e.actor_email FROM events e WHERE {filter} ORDER BY e.at DESC, e.id DESC LIMIT {EVENT_FACET_WINDOW}"
                );
                let mut query = sqlx::query_as::<_, (String, Option<String>)>(&sql);
                for a in args {
                    query = match a {
                        EventArg::Text(t) => query.bind(t),
                        EventArg::Int(i) => query.bind(i),
                    };
                }
                let rows = query.fetch_all(&self.pool).await?;
                let kinds: std::collections::BTreeSet<String> = rows.iter().map(|r| r.0.clone()).collect();
                let actors: std::collections::BTreeSet<String> = rows.into_iter().filter_map(|r| r.1).collect();
                Ok((kinds.into_iter().collect(), actors.into_iter().take(1000).collect()))
            }

            async fn mails_to(&self, to: &str) -> Result<Vec<MailRow>> {
                Ok(sqlx::query_as::<_, MailRow>("SELECT * FROM outbox WHERE to_addr = $1 ORDER BY created_at, id").bind(to).fetch_all(&self.pool).await?)
            }

            async fn claim_mails(&self, now: i64, limit: i64, lease: i64) -> Result<Vec<MailRow>> {
                // Claim with a lease so that several workers never take the same mail.
                Ok(sqlx::query_as::<_, MailRow>(
                    "UPDATE outbox SET next_attempt_at = $2, attempts = attempts + 1 \
                     WHERE sent_at IS NULL AND next_attempt_at <= $1 AND id IN \
                     (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 AND (expires_at IS NULL OR expires_at > $1) ORDER BY created_at LIMIT $3) \
                     RETURNING *",
                )
                .bind(now)
                .bind(now + lease)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn mark_mail_sent(&self, id: &str, now: i64) -> Result<()> {
                sqlx::query("UPDATE outbox SET sent_at = $1, last_error = NULL, text_body = '', html_body = '' WHERE id = $2").bind(now).bind(id).execute(&self.pool).await?;
                Ok(())
            }

            async fn mark_mail_failed(&self, id: &str, error: &str, next_attempt_at: i64) -> Result<()> {
                sqlx::query("UPDATE outbox SET last_error = $1, next_attempt_at = $2 WHERE id = $3")
                    .bind(error)
                    .bind(next_attempt_at)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn failed_mails(&self, provider_id: &str) -> Result<Vec<MailRow>> {
                Ok(sqlx::query_as::<_, MailRow>(
                    "SELECT * FROM outbox WHERE provider_id = $1 AND sent_at IS NULL AND last_error IS NOT NULL ORDER BY created_at",
                )
                .bind(provider_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn list_items(&self, user_id: &str) -> Result<Vec<ItemRow>> {
                Ok(sqlx::query_as::<_, ItemRow>("SELECT * FROM vault_items WHERE user_id = $1 ORDER BY created_at")
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn list_org_items(&self, org_id: &str) -> Result<(Vec<OrgItemRow>, Vec<(String, String)>)> {
                let items = sqlx::query_as::<_, OrgItemRow>(
                    "SELECT id, org_id, data, created_at, updated_at, deleted_at FROM org_items WHERE org_id = $1 ORDER BY created_at, id",
                )
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?;
                let links = sqlx::query_as::<_, (String, String)>(
                    "SELECT l.item_id, l.collection_id FROM org_item_collections l JOIN org_items i ON i.id = l.item_id WHERE i.org_id = $1",
                )
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?;
                Ok((items, links))
            }

            async fn org_item(&self, org_id: &str, id: &str) -> Result<Option<OrgItemRow>> {
                Ok(sqlx::query_as::<_, OrgItemRow>("SELECT id, org_id, data, created_at, updated_at, deleted_at FROM org_items WHERE id = $1 AND org_id = $2")
                    .bind(id)
                    .bind(org_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn write_org_items(&self, w: &OrgItemsWrite) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                if let Some(user_id) = &w.moved_from {
                    for i in &w.items {
                        let n = sqlx::query("DELETE FROM vault_items WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL")
                            .bind(&i.id)
                            .bind(user_id)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                        if n != 1 {
                            return Err(Error::Conflict(Conflict::Stale));
                        }
                    }
                }
                for c in &w.new_collections {
                    if c.org_id != w.org_id {
                        return Err(Error::Conflict(Conflict::Stale));
                    }
                    sqlx::query("INSERT INTO collections (id, org_id, name, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(&c.id)
                        .bind(&c.org_id)
                        .bind(&c.name)
                        .bind(c.created_at)
                        .execute(&mut *tx)
                        .await?;
                }
                for i in &w.items {
                    if i.org_id != w.org_id {
                        return Err(Error::Conflict(Conflict::Stale));
                    }
                    // A new id is inserted; an existing one is replaced only if it is this organisation's.
                    let n = sqlx::query(
                        "INSERT INTO org_items (id, org_id, data, created_at, updated_at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at \
                         WHERE org_items.org_id = excluded.org_id",
                    )
                    .bind(&i.id)
                    .bind(&i.org_id)
                    .bind(&i.data)
                    .bind(i.created_at)
                    .bind(i.updated_at)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        return Err(Error::Conflict(Conflict::Stale));
                    }
                    sqlx::query("DELETE FROM org_item_collections WHERE item_id = $1").bind(&i.id).execute(&mut *tx).await?;
                }
                for (item, coll) in &w.links {
                    let n = sqlx::query(
                        "INSERT INTO org_item_collections (item_id, collection_id) \
                         SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM collections WHERE id = $2 AND org_id = $3) \
                         AND EXISTS (SELECT 1 FROM org_items WHERE id = $1 AND org_id = $3)",
                    )
                    .bind(item)
                    .bind(coll)
                    .bind(&w.org_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        return Err(Error::Conflict(Conflict::Stale));
                    }
                }
                for m in &w.marks {
                    sqlx::query(MARK_SQL).bind(&m.user_id).bind(&m.item_id).bind(&m.folder_id).bind(m.favourite).execute(&mut *tx).await?;
                }
                for e in &w.events {
                    insert_event(&mut tx, e).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn list_folders(&self, user_id: &str) -> Result<Vec<FolderRow>> {
                Ok(sqlx::query_as::<_, FolderRow>(
                    "SELECT id, user_id, name, created_at, updated_at FROM folders WHERE user_id = $1 ORDER BY created_at, id",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn put_folder(&self, f: &FolderRow) -> Result<bool> {
                let n = sqlx::query(
                    "INSERT INTO folders (id, user_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at \
                     WHERE folders.user_id = excluded.user_id",
                )
                .bind(&f.id)
                .bind(&f.user_id)
                .bind(&f.name)
                .bind(f.created_at)
                .bind(f.updated_at)
                .execute(&self.pool)
                .await?;
                Ok(n.rows_affected() > 0)
            }

            async fn delete_folder(&self, user_id: &str, id: &str) -> Result<bool> {
                let n = sqlx::query("DELETE FROM folders WHERE id = $1 AND user_id = $2").bind(id).bind(user_id).execute(&self.pool).await?;
                Ok(n.rows_affected() > 0)
            }

            async fn item_marks(&self, user_id: &str) -> Result<Vec<ItemMark>> {
                Ok(sqlx::query_as::<_, ItemMark>("SELECT user_id, item_id, folder_id, favourite FROM org_item_marks WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn set_item_mark(&self, m: &ItemMark) -> Result<()> {
                sqlx::query(MARK_SQL).bind(&m.user_id).bind(&m.item_id).bind(&m.folder_id).bind(m.favourite).execute(&self.pool).await?;
                Ok(())
            }

            async fn move_to_folder(&self, user_id: &str, own: &[String], folder_id: Option<&str>, marks: &[ItemMark]) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                for id in own {
                    sqlx::query("UPDATE vault_items SET folder_id = (SELECT id FROM folders WHERE id = $1 AND user_id = $2) WHERE id = $3 AND user_id = $2")
                        .bind(folder_id)
                        .bind(user_id)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                for m in marks {
                    sqlx::query(MARK_SQL).bind(&m.user_id).bind(&m.item_id).bind(&m.folder_id).bind(m.favourite).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn delete_org_items(&self, org_id: &str, ids: &[String], event: &EventRow) -> Result<u64> {
                let mut tx = self.pool.begin().await?;
                let n = delete_org_rows(&mut tx, org_id, ids, true).await?;
                if n > 0 {
                    insert_event(&mut tx, event).await?;
                }
                tx.commit().await?;
                Ok(n)
            }

            async fn trash_org_items(&self, org_id: &str, ids: &[String], at: Option<i64>, now: i64, event: &EventRow) -> Result<u64> {
                let mut tx = self.pool.begin().await?;
                let n = trash_org_rows(&mut tx, org_id, ids, at, now).await?;
                if n > 0 {
                    insert_event(&mut tx, event).await?;
                }
                tx.commit().await?;
                Ok(n)
            }

            async fn trash_batch(&self, batch: &ItemBatch, at: Option<i64>, now: i64) -> Result<u64> {
                let mut tx = self.pool.begin().await?;
                let mut total = trash_own_rows(&mut tx, &batch.user_id, &batch.personal, at, now).await?;
                for (org_id, ids, event) in &batch.orgs {
                    let n = trash_org_rows(&mut tx, org_id, ids, at, now).await?;
                    if n > 0 {
                        insert_event(&mut tx, event).await?;
                    }
                    total += n;
                }
                tx.commit().await?;
                Ok(total)
            }

            async fn purge_batch(&self, batch: &ItemBatch) -> Result<u64> {
                let mut tx = self.pool.begin().await?;
                let mut total = 0;
                for id in &batch.personal {
                    total += sqlx::query("DELETE FROM vault_items WHERE id = $1 AND user_id = $2")
                        .bind(id)
                        .bind(&batch.user_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
                for (org_id, ids, event) in &batch.orgs {
                    let n = delete_org_rows(&mut tx, org_id, ids, false).await?;
                    if n > 0 {
                        insert_event(&mut tx, event).await?;
                    }
                    total += n;
                }
                tx.commit().await?;
                Ok(total)
            }

            async fn purge_trash(&self, before: i64) -> Result<u64> {
                let mut tx = self.pool.begin().await?;
                let own = sqlx::query("DELETE FROM vault_items WHERE deleted_at <= $1").bind(before).execute(&mut *tx).await?;
                let org = sqlx::query("DELETE FROM org_items WHERE deleted_at <= $1").bind(before).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(own.rows_affected() + org.rows_affected())
            }

            async fn trash_item(&self, user_id: &str, id: &str, at: Option<i64>, now: i64) -> Result<bool> {
                let n = sqlx::query(
                    "UPDATE vault_items SET deleted_at = $1, updated_at = $2 WHERE id = $3 AND user_id = $4 \
                     AND (deleted_at IS NULL) = ($1 IS NOT NULL)",
                )
                .bind(at)
                .bind(now)
                .bind(id)
                .bind(user_id)
                .execute(&self.pool)
                .await?;
                Ok(n.rows_affected() > 0)
            }

            async fn record_events(&self, events: &[EventRow]) -> Result<()> {
                let tx = self.pool.begin().await?;
                commit_with_events(tx, events).await
            }

            async fn put_item(&self, i: &ItemRow) -> Result<()> {
                let n = sqlx::query(
                    "INSERT INTO vault_items (id, user_id, data, created_at, updated_at, folder_id) \
                     VALUES ($1, $2, $3, $4, $5, (SELECT id FROM folders WHERE id = $6 AND user_id = $2)) \
                     ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, folder_id = excluded.folder_id \
                     WHERE vault_items.user_id = excluded.user_id",
                )
                .bind(&i.id)
                .bind(&i.user_id)
                .bind(&i.data)
                .bind(i.created_at)
                .bind(i.updated_at)
                .bind(&i.folder_id)
                .execute(&self.pool)
                .await?;
                if n.rows_affected() == 0 {
                    return Err(Error::NotFound);
                }
                Ok(())
            }

            async fn add_items(&self, folders: &[FolderRow], items: &[ItemRow]) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                for f in folders {
                    sqlx::query("INSERT INTO folders (id, user_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(&f.id)
                        .bind(&f.user_id)
                        .bind(&f.name)
                        .bind(f.created_at)
                        .bind(f.updated_at)
                        .execute(&mut *tx)
                        .await?;
                }
                for i in items {
                    sqlx::query(
                        "INSERT INTO vault_items (id, user_id, data, created_at, updated_at, folder_id) \
                         VALUES ($1, $2, $3, $4, $5, (SELECT id FROM folders WHERE id = $6 AND user_id = $2))",
                    )
                    .bind(&i.id)
                    .bind(&i.user_id)
                    .bind(&i.data)
                    .bind(i.created_at)
                    .bind(i.updated_at)
                    .bind(&i.folder_id)
                    .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn update_item(&self, i: &ItemRow) -> Result<bool> {
                let n = sqlx::query(
                    "UPDATE vault_items SET data = $1, updated_at = $2, folder_id = (SELECT id FROM folders WHERE id = $5 AND user_id = $4) \
                     WHERE id = $3 AND user_id = $4",
                )
                .bind(&i.data)
                .bind(i.updated_at)
                .bind(&i.id)
                .bind(&i.user_id)
                .bind(&i.folder_id)
                .execute(&self.pool)
                    .await?;
                Ok(n.rows_affected() > 0)
            }

            async fn delete_item(&self, user_id: &str, id: &str) -> Result<bool> {
                let n = sqlx::query("DELETE FROM vault_items WHERE id = $1 AND user_id = $2 AND deleted_at IS NOT NULL")
                    .bind(id)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(n.rows_affected() > 0)
            }

            $($extra)*
        }
    };
}

macro_rules! tx_helpers {
    ($modname:ident, $db:ty) => {
        mod $modname {
            use crate::*;
            type Tx<'a> = sqlx::Transaction<'a, $db>;

            pub async fn insert_member(tx: &mut Tx<'_>, m: &MemberRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO provider_users (id, provider_id, user_id, email, user_type, status, suspended, wrapped_key, \
                     invited_at, expires_at, accepted_at, confirmed_at, permissions) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                )
                .bind(&m.id)
                .bind(&m.provider_id)
                .bind(&m.user_id)
                .bind(&m.email)
                .bind(&m.user_type)
                .bind(&m.status)
                .bind(m.suspended)
                .bind(&m.wrapped_key)
                .bind(m.invited_at)
                .bind(m.expires_at)
                .bind(m.accepted_at)
                .bind(m.confirmed_at)
                .bind(&m.permissions)
                .execute(&mut **tx)
                .await
                .map_err(|e| super::unique_to(e, Conflict::AlreadyMember))?;
                Ok(())
            }

            pub async fn insert_tenant(tx: &mut Tx<'_>, p: &ProviderRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO providers (id, name, billing_email, created_at, kind, parent_id, seats, org_key) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&p.id)
                .bind(&p.name)
                .bind(&p.billing_email)
                .bind(p.created_at)
                .bind(&p.kind)
                .bind(&p.parent_id)
                .bind(p.seats)
                .bind(&p.org_key)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// Seats in use: members of the tenant that are not suspended (revoked).
            pub async fn used_seats(tx: &mut Tx<'_>, tenant_id: &str) -> Result<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM provider_users WHERE provider_id = $1 AND suspended = $2")
                    .bind(tenant_id)
                    .bind(false)
                    .fetch_one(&mut **tx)
                    .await?;
                Ok(n)
            }

            /// Seats assigned to the provider's clients, except one.
            pub async fn assigned_seats(tx: &mut Tx<'_>, provider_id: &str, except: Option<&str>) -> Result<i64> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT CAST(COALESCE(SUM(seats), 0) AS BIGINT) FROM providers WHERE parent_id = $1 AND ($2 IS NULL OR id <> $2)",
                )
                .bind(provider_id)
                .bind(except)
                .fetch_one(&mut **tx)
                .await?;
                Ok(n)
            }

            /// Takes the tenant's row lock (PostgreSQL) or the write lock (SQLite) and reads it.
            pub async fn lock_tenant(tx: &mut Tx<'_>, id: &str) -> Result<ProviderRow> {
                sqlx::query_as::<_, ProviderRow>(&format!(
                    "UPDATE providers SET version = version + 1 WHERE id = $1 RETURNING {}", super::PROVIDER_COLS
                ))
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or(Error::NotFound)
            }

            /// Whether the user may still change this tenant's members: an active
            /// Provider admin of a provider; for an organisation, an active
            /// Owner/Admin/Custom of it or active staff of its provider.
            pub async fn actor_still_allowed(tx: &mut Tx<'_>, tenant_id: &str, user_id: &str) -> Result<bool> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM provider_users WHERE user_id = $1 AND status = 'confirmed' AND suspended = $2 AND ( \
                       (provider_id = $3 AND user_type IN ('provider_admin', 'owner', 'admin', 'custom')) \
                       OR provider_id = (SELECT parent_id FROM providers WHERE id = $3))",
                )
                .bind(user_id)
                .bind(false)
                .bind(tenant_id)
                .fetch_one(&mut **tx)
                .await?;
                Ok(n > 0)
            }

            /// Writes the events of a change and commits it: a change and its log lines land together.
            pub async fn commit_with_events(mut tx: Tx<'_>, events: &[EventRow]) -> Result<()> {
                for e in events {
                    insert_event(&mut tx, e).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            /// Moves a person's own items among `ids` to the Trash (`at` Some)
            /// or back (None), those in the other state only; how many moved.
            pub async fn trash_own_rows(tx: &mut Tx<'_>, user_id: &str, ids: &[String], at: Option<i64>, now: i64) -> Result<u64> {
                let mut n = 0;
                for id in ids {
                    n += sqlx::query(
                        "UPDATE vault_items SET deleted_at = $1, updated_at = $2 WHERE id = $3 AND user_id = $4 \
                         AND (deleted_at IS NULL) = ($1 IS NOT NULL)",
                    )
                    .bind(at)
                    .bind(now)
                    .bind(id)
                    .bind(user_id)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                }
                Ok(n)
            }

            /// The same for an organisation's items.
            pub async fn trash_org_rows(tx: &mut Tx<'_>, org_id: &str, ids: &[String], at: Option<i64>, now: i64) -> Result<u64> {
                let mut n = 0;
                for id in ids {
                    // Only items in the other state move: $1 IS NULL restores trashed ones.
                    n += sqlx::query(
                        "UPDATE org_items SET deleted_at = $1, updated_at = $2 WHERE id = $3 AND org_id = $4 \
                         AND (deleted_at IS NULL) = ($1 IS NOT NULL)",
                    )
                    .bind(at)
                    .bind(now)
                    .bind(id)
                    .bind(org_id)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                }
                Ok(n)
            }

            /// Deletes an organisation's items among `ids` for good (only those
            /// in the Trash when `trashed_only`); how many went.
            pub async fn delete_org_rows(tx: &mut Tx<'_>, org_id: &str, ids: &[String], trashed_only: bool) -> Result<u64> {
                let mut n = 0;
                for id in ids {
                    n += sqlx::query("DELETE FROM org_items WHERE id = $1 AND org_id = $2 AND ($3 = FALSE OR deleted_at IS NOT NULL)")
                        .bind(id)
                        .bind(org_id)
                        .bind(trashed_only)
                        .execute(&mut **tx)
                        .await?
                        .rows_affected();
                }
                Ok(n)
            }

            pub async fn insert_event(tx: &mut Tx<'_>, e: &EventRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO events (id, provider_id, actor_user_id, actor_email, target_email, kind, detail, ip, at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&e.id)
                .bind(&e.provider_id)
                .bind(&e.actor_user_id)
                .bind(&e.actor_email)
                .bind(&e.target_email)
                .bind(&e.kind)
                .bind(&e.detail)
                .bind(&e.ip)
                .bind(e.at)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// An invitation mail not sent yet whose token is gone goes with it.
            pub async fn drop_unsent_invitations(tx: &mut Tx<'_>, member_id: &str) -> Result<()> {
                sqlx::query("DELETE FROM outbox WHERE member_id = $1 AND sent_at IS NULL").bind(member_id).execute(&mut **tx).await?;
                Ok(())
            }

            /// Turns two-step login on with a second step that keeps no secret in
            /// the row (`email`, `webauthn`): false, and nothing changed, while
            /// one is already on.
            pub async fn enable_second_step(tx: &mut Tx<'_>, user_id: &str, method: &str, recovery_hash: &str, now: i64) -> Result<bool> {
                let n = sqlx::query(
                    "INSERT INTO two_factor (user_id, totp_secret, enabled_at, last_step, recovery_hash, created_at, method) \
                     VALUES ($1, '', $2, 0, $3, $2, $4) \
                     ON CONFLICT (user_id) DO UPDATE SET totp_secret = '', enabled_at = excluded.enabled_at, last_step = 0, \
                     recovery_hash = excluded.recovery_hash, created_at = excluded.created_at, method = excluded.method WHERE two_factor.enabled_at IS NULL",
                )
                .bind(user_id)
                .bind(now)
                .bind(recovery_hash)
                .bind(method)
                .execute(&mut **tx)
                .await?;
                Ok(n.rows_affected() == 1)
            }

            pub async fn insert_security_key(tx: &mut Tx<'_>, k: &SecurityKeyRow) -> Result<()> {
                sqlx::query("INSERT INTO security_keys (id, user_id, name, credential, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&k.id)
                    .bind(&k.user_id)
                    .bind(&k.name)
                    .bind(&k.credential)
                    .bind(k.created_at)
                    .bind(k.last_used_at)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            pub async fn insert_mail(tx: &mut Tx<'_>, m: &MailRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO outbox (id, provider_id, to_addr, subject, text_body, html_body, created_at, attempts, next_attempt_at, member_id, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10)",
                )
                .bind(&m.id)
                .bind(&m.provider_id)
                .bind(&m.to_addr)
                .bind(&m.subject)
                .bind(&m.text_body)
                .bind(&m.html_body)
                .bind(m.created_at)
                .bind(m.next_attempt_at)
                .bind(&m.member_id)
                .bind(m.expires_at)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// Confirmed, active Provider admins or Owners (optionally: only this user).
            pub async fn active_admins(tx: &mut Tx<'_>, provider_id: &str, only_user: Option<&str>) -> Result<i64> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM provider_users WHERE provider_id = $1 AND status = 'confirmed' \
                     AND suspended = $2 AND user_type IN ('provider_admin', 'owner') AND ($3 IS NULL OR user_id = $3)",
                )
                .bind(provider_id)
                .bind(false)
                .bind(only_user)
                .fetch_one(&mut **tx)
                .await?;
                Ok(n)
            }
        }
    };
}

tx_helpers!(sqlite_tx, sqlx::Sqlite);
tx_helpers!(pg_tx, sqlx::Postgres);

mod sqlite_impl {
    use super::sqlite_tx::*;
    use super::*;
    store_impl!(SqliteStore, "sqlite", {
        async fn list_members(&self, provider_id: &str) -> Result<Vec<MemberView>> {
            // SQLite builds the whole list as one JSON value in C: ~4× faster
            // than decoding 10,000 rows one by one through sqlx. The rows come
            // in email order from the (provider_id, email) index and each object
            // goes straight into the aggregate, never re-parsed as text
            // (BENCHMARKS.md, members list).
            let (json,): (String,) = sqlx::query_as(&format!(
                "SELECT COALESCE(json_group_array(json_object({LIST_FIELDS}, \
                 'suspended', json(CASE WHEN m.suspended THEN 'true' ELSE 'false' END))), '[]') \
                 FROM (SELECT * FROM provider_users WHERE provider_id = $1 ORDER BY email) m \
                 LEFT JOIN users u ON u.id = m.user_id"
            ))
            .bind(provider_id)
            .fetch_one(&self.pool)
            .await?;
            parse_list(&json)
        }
    });
}

mod pg_impl {
    use super::pg_tx::*;
    use super::*;
    store_impl!(PgStore, "postgres", {
        async fn list_members(&self, provider_id: &str) -> Result<Vec<MemberView>> {
            // PostgreSQL's row protocol decodes faster than json_agg here
            // (BENCHMARKS.md, members list). Only the columns a list
            // shows (not the provider id every row shares, no keys), decoded by
            // position as the rows stream in, not by name after all have arrived.
            use futures_util::TryStreamExt;
            use sqlx::Row;
            let mut rows = sqlx::query(
                "SELECT m.id, m.user_id, m.email, m.user_type, m.status, m.suspended, m.invited_at, m.expires_at, \
                 m.accepted_at, m.confirmed_at, m.permissions, u.name FROM provider_users m \
                 LEFT JOIN users u ON u.id = m.user_id WHERE m.provider_id = $1 ORDER BY m.email",
            )
            .bind(provider_id)
            .fetch(&self.pool);
            let mut out = Vec::new();
            while let Some(r) = rows.try_next().await? {
                out.push(MemberView {
                    member: MemberRow {
                        id: r.try_get(0)?,
                        provider_id: provider_id.to_string(),
                        user_id: r.try_get(1)?,
                        email: r.try_get(2)?,
                        user_type: r.try_get(3)?,
                        status: r.try_get(4)?,
                        suspended: r.try_get(5)?,
                        wrapped_key: None,
                        invited_at: r.try_get(6)?,
                        expires_at: r.try_get(7)?,
                        accepted_at: r.try_get(8)?,
                        confirmed_at: r.try_get(9)?,
                        permissions: r.try_get(10)?,
                    },
                    name: r.try_get(11)?,
                    public_key: None,
                });
            }
            Ok(out)
        }

        async fn notify(&self, payload: &str) -> Result<()> {
            sqlx::query("SELECT pg_notify($1, $2)").bind(CHANGES_CHANNEL).bind(payload).execute(&self.pool).await?;
            Ok(())
        }

        async fn listen(&self) -> Result<Option<tokio::sync::mpsc::Receiver<String>>> {
            let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
            listener.listen(CHANGES_CHANNEL).await?;
            let (tx, rx) = tokio::sync::mpsc::channel(256);
            tokio::spawn(async move {
                loop {
                    match listener.recv().await {
                        Ok(n) => {
                            if tx.send(n.payload().to_string()).await.is_err() {
                                break;
                            }
                        }
                        // PgListener reconnects by itself on the next recv.
                        Err(e) => {
                            tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        }
                    }
                }
            });
            Ok(Some(rx))
        }
    });
}
