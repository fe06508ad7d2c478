//! Outgoing mail: rendered into the outbox inside the same transaction as the
//! change it reports, then delivered by a background worker with retries and
//! exponential backoff — a slow or failing SMTP server never fails a request
//! and never loses a mail.

use crate::{Services, new_id};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

pub enum MailKind<'a> {
    /// The member's invitation: the mail goes with it (replaced, removed, expired).
    Invitation {
        token: &'a str,
        member_id: &'a str,
        expires_at: i64,
    },
    Confirmed,
    Removed,
    /// An administrator reset the member's master password (account recovery).
    PasswordReset,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn render(s: &Services, provider: &db::ProviderRow, to: &str, kind: MailKind<'_>) -> db::MailRow {
    let base = s.settings.base_url.trim_end_matches('/');
    let valid_for = domain::text::duration_words(s.settings.invite_ttl.as_secs());
    let name = &provider.name;
    // "the provider Acme MSP" or "the organisation Contoso".
    let what = if provider.is_organization() { "organisation" } else { "provider" };
    let admins = if provider.is_organization() { "An administrator" } else { "A Provider admin" };
    let home = if provider.is_organization() { "vault" } else { "providers" };
    let (member_id, expires_at) = match kind {
        MailKind::Invitation { member_id, expires_at, .. } => (Some(member_id.to_string()), Some(expires_at)),
        _ => (None, None),
    };
    let (subject, text, html) = match kind {
        MailKind::Invitation { token, .. } => {
            let link = format!("{base}/accept-invite?token={token}");
            (
                format!("Join {name} on Provider Portal"),
                format!(
                    "You have been invited to join the {what} {name}.\n\n\
                     Open this link to accept the invitation by logging in or creating an account:\n{link}\n\n\
                     The invitation expires in {valid_for}."
                ),
                format!(
                    "<p>You have been invited to join the {what} <strong>{}</strong>.</p>\
                     <p><a href=\"{}\">Accept the invitation</a> by logging in or creating an account.</p>\
                     <p>The invitation expires in {valid_for}.</p>",
                    escape(name),
                    escape(&link)
                ),
            )
        }
        MailKind::Confirmed => (
            format!("You have been confirmed in {name}"),
            format!("{admins} of {name} confirmed your membership. You can now open it:\n{base}/{home}"),
            format!("<p>{admins} of <strong>{}</strong> confirmed your membership.</p><p><a href=\"{base}/{home}\">Open it now</a></p>", escape(name)),
        ),
        MailKind::PasswordReset => (
            format!("Your master password was reset by {name}"),
            format!(
                "{admins} of the {what} {name} reset your master password (account recovery). \
                 Every session and app of your account was logged out.\n\n\
                 Log in with the password they give you; you will be asked to choose your own:\n{base}/login\n\n\
                 If you did not ask for this, tell them at once."
            ),
            format!(
                "<p>{admins} of the {what} <strong>{}</strong> reset your master password (account recovery). Every session and app of your account was logged out.</p>\
                 <p><a href=\"{base}/login\">Log in</a> with the password they give you; you will be asked to choose your own.</p>\
                 <p>If you did not ask for this, tell them at once.</p>",
                escape(name)
            ),
        ),
        MailKind::Removed => (
            format!("You have been removed from {name}"),
            format!("You are no longer a member of the {what} {name}."),
            format!("<p>You are no longer a member of the {what} <strong>{}</strong>.</p>", escape(name)),
        ),
    };
    db::MailRow { provider_id: Some(provider.id.clone()), member_id, expires_at, ..queued(s, to, subject, text, html) }
}

/// A mail due now, about nothing in particular (the callers fill in the rest).
fn queued(s: &Services, to: &str, subject: String, text_body: String, html_body: String) -> db::MailRow {
    let now = s.now();
    db::MailRow {
        id: new_id(),
        provider_id: None,
        to_addr: to.into(),
        subject,
        text_body,
        html_body,
        created_at: now,
        attempts: 0,
        next_attempt_at: now,
        sent_at: None,
        last_error: None,
        member_id: None,
        expires_at: None,
    }
}

/// Mails about the account itself (no provider or organisation).
#[derive(Debug, Clone, Copy)]
pub enum AccountMail {
    TwoStepOn {
        method: domain::two_factor::Method,
    },
    /// Turned off with the master password, or with the recovery code at a log-in.
    TwoStepOff {
        by_recovery_code: bool,
    },
}

/// A notice about a change to the account's security, for its owner.
pub fn render_account(s: &Services, to: &str, kind: AccountMail) -> db::MailRow {
    let base = s.settings.base_url.trim_end_matches('/');
    let not_you = "If this was not you, change your master password at once and turn two-step login on again";
    let (subject, text, html) = match kind {
        AccountMail::TwoStepOn { method } => {
            let from = match method {
                domain::two_factor::Method::Authenticator => "a code from your authenticator app",
                domain::two_factor::Method::Email => "a code we send to this address",
                domain::two_factor::Method::SecurityKey => "your security key",
            };
            (
                "Two-step login is on".to_string(),
                format!(
                    "Two-step login was turned on for your Provider Portal account. Every log-in, here and in Bitwarden's apps, now asks for {from}.\n\n\
                     Keep your recovery code somewhere safe. If this was not you, log in and check Settings → My account:\n{base}/settings/account"
                ),
                format!(
                    "<p>Two-step login was turned on for your Provider Portal account. Every log-in, here and in Bitwarden's apps, now asks for {from}.</p>\
                     <p>Keep your recovery code somewhere safe. If this was not you, <a href=\"{base}/settings/account\">log in and check My account</a>.</p>"
                ),
            )
        }
        AccountMail::TwoStepOff { by_recovery_code } => {
            let how = if by_recovery_code { "with your recovery code, at a log-in" } else { "with your master password" };
            (
                "Two-step login was turned off".to_string(),
                format!("Two-step login was turned off for your Provider Portal account, {how}.\n\n{not_you}:\n{base}/settings/account"),
                format!(
                    "<p>Two-step login was turned off for your Provider Portal account, {how}.</p><p>{not_you}: <a href=\"{base}/settings/account\">My account</a>.</p>"
                ),
            )
        }
    };
    queued(s, to, subject, text, html)
}

/// The mail that carries a two-step login code: for a log-in, or for
/// turning email codes on. Never sent once the code has expired.
pub fn render_code(s: &Services, to: &str, code: &str, for_login: bool) -> db::MailRow {
    let minutes = domain::two_factor::EMAIL_CODE_SECS / 60;
    let (subject, why, not_you) = if for_login {
        (
            format!("Your Provider Portal log-in code: {code}"),
            "Enter this code to finish logging in to your Provider Portal account",
            "If you did not just log in, someone has your master password: change it at once.",
        )
    } else {
        (
            format!("Your code to turn on two-step login: {code}"),
            "Enter this code on My account to turn on two-step login by email",
            "If you did not ask for it, someone is logged in to your account: change your master password.",
        )
    };
    let text = format!("{why}:\n\n    {code}\n\nIt works once, for {minutes} minutes. {not_you}");
    let html = format!(
        "<p>{why}:</p><p style=\"font-size:24px;font-family:monospace;letter-spacing:4px\"><strong>{code}</strong></p><p>It works once, for {minutes} minutes. {not_you}</p>"
    );
    let mut mail = queued(s, to, subject, text, html);
    mail.expires_at = Some(mail.created_at + domain::two_factor::EMAIL_CODE_SECS);
    mail
}

/// Where mail goes: a real SMTP server, or (the embedded default) a folder of .eml files.
#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// `.eml` files in a folder; `log_links` also logs each accept link
    /// (development only: a link in a log is a live invitation).
    Dir {
        dir: PathBuf,
        from: Mailbox,
        log_links: bool,
    },
}

impl Mailer {
    pub fn smtp(host: &str, port: u16, tls: bool, credentials: Option<(String, String)>, from: &str) -> anyhow::Result<Self> {
        let mut b = if tls {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?.port(port)
        } else {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port)
        };
        if let Some((u, p)) = credentials {
            b = b.credentials(lettre::transport::smtp::authentication::Credentials::new(u, p));
        }
        Ok(Mailer::Smtp { transport: b.timeout(Some(Duration::from_secs(20))).build(), from: from.parse()? })
    }

    pub fn dir(dir: PathBuf, from: &str) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Mailer::Dir { dir, from: from.parse()?, log_links: false })
    }

    /// Also logs each accept link (`LOG_INVITE_LINKS=true`, development only).
    pub fn logging_links(self) -> Self {
        match self {
            Mailer::Dir { dir, from, .. } => Mailer::Dir { dir, from, log_links: true },
            smtp => smtp,
        }
    }

    fn message(from: &Mailbox, m: &db::MailRow) -> anyhow::Result<Message> {
        Ok(Message::builder()
            .from(from.clone())
            .to(m.to_addr.parse()?)
            .subject(&m.subject)
            .message_id(Some(format!("<{}@provider-portal>", m.id)))
            .multipart(MultiPart::alternative_plain_html(m.text_body.clone(), m.html_body.clone()))?)
    }

    pub async fn send(&self, m: &db::MailRow) -> anyhow::Result<()> {
        match self {
            Mailer::Smtp { transport, from } => {
                transport.send(Self::message(from, m)?).await?;
            }
            Mailer::Dir { dir, from, log_links } => {
                let bytes = Self::message(from, m)?.formatted();
                let path = dir.join(format!("{}.eml", m.id));
                tokio::fs::write(&path, bytes).await?;
                match m.text_body.lines().find(|l| l.contains("/accept-invite?token=")) {
                    Some(link) if *log_links => tracing::info!(to = %m.to_addr, link = %link.trim(), "invitation written to {}", path.display()),
                    Some(_) => tracing::info!(to = %m.to_addr, "invitation written to {}", path.display()),
                    None => {}
                }
            }
        }
        Ok(())
    }
}

/// Seconds to wait before attempt `n+1` after `n` failures: 10 s doubling, at most an hour.
pub fn backoff(attempts: i64) -> i64 {
    (10i64 << attempts.clamp(0, 9)).min(3600)
}

/// Delivers due mails once; returns how many were sent.
pub async fn drain_once(s: &Services, mailer: &Mailer) -> usize {
    let now = s.now();
    let due = match s.store.claim_mails(now, 50, s.settings.outbox_lease.as_secs() as i64).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "outbox: cannot read due mails");
            return 0;
        }
    };
    let mut sent = 0;
    for m in due {
        match mailer.send(&m).await {
            Ok(()) => {
                sent += 1;
                if let Err(e) = s.store.mark_mail_sent(&m.id, s.now()).await {
                    tracing::warn!(error = %e, "outbox: cannot mark mail sent");
                }
            }
            Err(e) => {
                let next = s.now() + backoff(m.attempts);
                tracing::warn!(to = %m.to_addr, attempts = m.attempts, error = %e, "outbox: delivery failed, will retry");
                let _ = s.store.mark_mail_failed(&m.id, &e.to_string(), next).await;
            }
        }
    }
    sent
}

/// The background worker.
pub async fn run_outbox(s: Services, mailer: Mailer) {
    loop {
        if drain_once(&s, &mailer).await == 0 {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(super::backoff(0), 10);
        assert_eq!(super::backoff(1), 20);
        assert_eq!(super::backoff(20), 3600);
        assert_eq!(super::escape("<a&\">"), "&lt;a&amp;&quot;&gt;");
    }
}
