//! One `Settings` struct from the environment (with a `.env` in development).
//! The embedded default needs no configuration at all.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// `TLS_CERT` and `TLS_KEY`: PEM files (the certificate chain and its private
/// key) for serving HTTPS directly, without a reverse proxy.
#[derive(Debug, Clone)]
pub struct Tls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub public_url: String,
    pub smtp: Option<Smtp>,
    pub mail_from: String,
    pub mail_dir: PathBuf,
    pub invite_ttl: Duration,
    /// How long a claimed outgoing mail stays claimed before another attempt.
    pub outbox_lease: Duration,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `LOG_INVITE_LINKS=true`: the mail folder also logs accept links (development only).
    pub log_invite_links: bool,
    /// `SIGNUPS`: who may create an account.
    pub signups: service::access::Signups,
    /// `PROVIDER_SETUP`: who may set up a provider.
    pub provider_setup: service::access::ProviderSetup,
    /// Serve HTTPS on the site address (None: plain HTTP, for a proxy in front).
    pub tls: Option<Tls>,
    /// Seals authenticator keys (two-step login) at rest: `TWO_FACTOR_KEY`,
    /// else a key made once in `DATA_DIR/two-factor.key`.
    pub two_factor_key: service::two_factor::SealKey,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Without `TWO_FACTOR_KEY`: the key in `DATA_DIR/two-factor.key`, made on
/// first start (readable by the server's user only). Kept beside the
/// database, it protects a copy of the database, not a copy of the folder:
/// production sets `TWO_FACTOR_KEY` from its secret store (README).
fn two_factor_key_file(data: &std::path::Path) -> anyhow::Result<service::two_factor::SealKey> {
    use anyhow::Context;
    let path = data.join("two-factor.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return service::two_factor::SealKey::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
    }
    std::fs::create_dir_all(data)?;
    let key = service::two_factor::SealKey::random();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    use std::io::Write;
    options.open(&path).and_then(|mut f| f.write_all(key.to_base64().as_bytes())).with_context(|| format!("writing {}", path.display()))?;
    tracing::warn!(path = %path.display(), "TWO_FACTOR_KEY is not set: made a key for two-step login in the data folder");
    Ok(key)
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        let data = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = match var("DATABASE_URL") {
            Some(u) => u,
            None => {
                std::fs::create_dir_all(&data)?;
                format!("sqlite://{}?mode=rwc", data.join("portal.db").display())
            }
        };
        let smtp = match var("SMTP_HOST") {
            Some(host) => Some(Smtp {
                host,
                port: var("SMTP_PORT").map(|p| p.parse()).transpose()?.unwrap_or(587),
                tls: var("SMTP_TLS").map(|v| v != "false" && v != "0").unwrap_or(true),
                username: var("SMTP_USERNAME"),
                password: var("SMTP_PASSWORD"),
            }),
            None => None,
        };
        let tls = match (var("TLS_CERT"), var("TLS_KEY")) {
            (Some(cert), Some(key)) => Some(Tls { cert: cert.into(), key: key.into() }),
            (None, None) => None,
            _ => anyhow::bail!("TLS_CERT and TLS_KEY go together: set both (PEM files) to serve HTTPS, or neither."),
        };
        let two_factor_key = match var("TWO_FACTOR_KEY") {
            Some(k) => service::two_factor::SealKey::parse(&k).map_err(anyhow::Error::msg)?,
            None => two_factor_key_file(&data)?,
        };
        let hours: u64 = var("INVITE_TTL_HOURS").map(|h| h.parse()).transpose()?.unwrap_or(120);
        Ok(Settings {
            database_url,
            public_url: var("PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into()),
            smtp,
            mail_from: var("SMTP_FROM").unwrap_or_else(|| "Provider Portal <no-reply@provider-portal.local>".into()),
            mail_dir: var("MAIL_DIR").map(PathBuf::from).unwrap_or_else(|| data.join("mail")),
            invite_ttl: Duration::from_secs(hours * 3600),
            outbox_lease: Duration::from_secs(var("OUTBOX_LEASE_SECONDS").map(|h| h.parse()).transpose()?.unwrap_or(120)),
            signups: service::access::Signups::parse(&var("SIGNUPS").unwrap_or_default()).map_err(anyhow::Error::msg)?,
            provider_setup: service::access::ProviderSetup::parse(&var("PROVIDER_SETUP").unwrap_or_default()).map_err(anyhow::Error::msg)?,
            log_invite_links: var("LOG_INVITE_LINKS").is_some_and(|v| v == "true" || v == "1"),
            tls,
            two_factor_key,
            trusted_proxies: crate::client_ip::parse_trusted(&var("TRUSTED_PROXIES").unwrap_or_default()).map_err(anyhow::Error::msg)?,
        })
    }

    /// What the HTTP layer needs of the settings.
    pub fn http(&self) -> crate::HttpSettings {
        crate::HttpSettings { public_url: self.public_url.clone(), trusted_proxies: self.trusted_proxies.clone(), ..Default::default() }
    }

    pub fn mailer(&self) -> anyhow::Result<service::mail::Mailer> {
        match &self.smtp {
            Some(s) => {
                let creds = s.username.clone().zip(s.password.clone());
                service::mail::Mailer::smtp(&s.host, s.port, s.tls, creds, &self.mail_from)
            }
            None if self.log_invite_links => Ok(service::mail::Mailer::dir(self.mail_dir.clone(), &self.mail_from)?.logging_links()),
            None => service::mail::Mailer::dir(self.mail_dir.clone(), &self.mail_from),
        }
    }
}
