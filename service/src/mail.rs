//! Mail delivery of the outbox over SMTP (off unless the config file has a `[mail]`
//! table). Each notification is sent once to its `to` and `cc`; a failure is retried
//! with a growing wait, and after `max_attempts` it is marked failed with the server's
//! reason. Only notifications stored after mail was first turned on are sent.
//!
//! ```toml
//! [mail]
//! server = "mail.example.org"
//! port = 587                       # default
//! security = "starttls"            # default; "tls" (port 465) or "none" (loopback only)
//! username = "session-request"
//! password_file = "/etc/agenda/smtp-password"
//! from = "IETF Secretariat <session-request@ietf.org>"   # default
//! max_attempts = 5                 # default
//! retry_seconds = 60               # default; doubles after each failure
//! ```

use crate::store::{Delivery, Notification, Store};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Notifications sent per round at most.
const BATCH: usize = 20;
/// How often the outbox is looked at when nothing wakes the sender (retries come due).
const POLL: Duration = Duration::from_secs(1);
/// An SMTP conversation that takes longer fails (and is retried).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// How the transport protects the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// STARTTLS required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// None: a relay on loopback, or tests.
    None,
}

/// The `[mail]` table of the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub(crate) server: String,
    #[serde(default = "default_port")]
    pub(crate) port: u16,
    #[serde(default)]
    pub(crate) security: Security,
    pub(crate) username: Option<String>,
    pub(crate) password_file: Option<PathBuf>,
    #[serde(default = "default_from")]
    pub(crate) from: String,
    #[serde(default = "default_attempts")]
    pub(crate) max_attempts: u32,
    #[serde(default = "default_retry")]
    pub(crate) retry_seconds: u64,
    /// Read from `password_file` by [`MailConfig::load`].
    #[serde(skip)]
    pub password: Option<String>,
}

fn default_port() -> u16 {
    587
}
fn default_from() -> String {
    "IETF Secretariat <session-request@ietf.org>".into()
}
fn default_attempts() -> u32 {
    5
}
fn default_retry() -> u64 {
    60
}

#[derive(Deserialize)]
struct File {
    mail: Option<MailConfig>,
}

impl MailConfig {
    /// The `[mail]` table of the config file at `path` (None: mail is off), with its
    /// password read; the error names the field and the fix.
    pub fn load(path: &Path) -> Result<Option<MailConfig>, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let Some(mut config) = MailConfig::parse(&text)? else {
            return Ok(None);
        };
        if let Some(file) = &config.password_file {
            let password = std::fs::read_to_string(file)
                .map_err(|e| format!("mail.password_file {}: cannot read: {e}", file.display()))?;
            config.password = Some(password.trim_end_matches(['\r', '\n']).to_string());
        }
        Ok(Some(config))
    }

    /// The `[mail]` table of a config file's text.
    pub fn parse(text: &str) -> Result<Option<MailConfig>, String> {
        let file: File = toml::from_str(text).map_err(|e| format!("mail: {e}"))?;
        let Some(config) = file.mail else {
            return Ok(None);
        };
        if config.server.is_empty() {
            return Err("mail.server: give the SMTP server's host name".into());
        }
        config.from.parse::<Mailbox>().map_err(|e| {
            format!(
                "mail.from {:?}: {e}; e.g. \"IETF Secretariat <session-request@ietf.org>\"",
                config.from
            )
        })?;
        if config.max_attempts == 0 || config.retry_seconds == 0 {
            return Err("mail.max_attempts and mail.retry_seconds must be at least 1".into());
        }
        if config.username.is_some() != config.password_file.is_some() {
            return Err("mail: give both username and password_file, or neither".into());
        }
        Ok(Some(config))
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
        let builder = match self.security {
            Security::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&self.server)
                    .map_err(|e| e.to_string())?
            }
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&self.server)
                .map_err(|e| e.to_string())?,
            Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.server),
        };
        let builder = builder.port(self.port).timeout(Some(SMTP_TIMEOUT));
        let builder = match (&self.username, &self.password) {
            (Some(user), Some(password)) => {
                builder.credentials(Credentials::new(user.clone(), password.clone()))
            }
            _ => builder,
        };
        Ok(builder.build())
    }
}

/// The message of a notification.
fn message(config: &MailConfig, n: &Notification) -> Result<Message, String> {
    let from: Mailbox = config.from.parse().map_err(|e| format!("from: {e}"))?;
    let mut builder = Message::builder().from(from).subject(n.subject.clone());
    for to in &n.to {
        builder = builder.to(to.parse().map_err(|e| format!("to {to:?}: {e}"))?);
    }
    for cc in &n.cc {
        builder = builder.cc(cc.parse().map_err(|e| format!("cc {cc:?}: {e}"))?);
    }
    builder.body(n.body.clone()).map_err(|e| e.to_string())
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Whatever holds the service's store.
pub(crate) trait HasStore: Send + Sync + 'static {
    fn store(&self) -> &Store;
}

/// Sends the outbox until `closing` turns true, waking when `newest` changes.
pub(crate) async fn deliver<S: HasStore>(
    store: Arc<S>,
    config: MailConfig,
    mut newest: watch::Receiver<u64>,
    mut closing: watch::Receiver<bool>,
) {
    let transport = match config.transport() {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(server = %config.server, error = %e, "mail is off: the transport cannot be set up");
            return;
        }
    };
    let first = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || store.store().write(|tx| tx.mail_start())).await
    };
    let first = match first {
        Ok(Ok(first)) => first,
        _ => {
            tracing::error!("mail is off: the outbox cannot be read");
            return;
        }
    };
    tracing::info!(server = %config.server, port = config.port, first_notification = first, "mail delivery on");
    loop {
        let due = {
            let store = store.clone();
            tokio::task::spawn_blocking(move || {
                store
                    .store()
                    .read(|tx| tx.due_mail(first, unix_now(), BATCH))
            })
            .await
        };
        let due = match due {
            Ok(Ok(due)) => due,
            other => {
                tracing::warn!(error = ?other.err(), "mail: cannot read the outbox");
                Vec::new()
            }
        };
        for n in &due {
            if *closing.borrow() {
                return;
            }
            let outcome = match message(&config, n) {
                Ok(m) => transport
                    .send(m)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            let delivery = next_state(&config, n, outcome);
            match &delivery.state[..] {
                "sent" => tracing::info!(
                    notification = n.id,
                    attempts = delivery.attempts,
                    "mail sent"
                ),
                state => {
                    tracing::warn!(notification = n.id, state, error = %delivery.last_error, "mail not sent")
                }
            }
            let store = store.clone();
            let id = n.id;
            let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            let _ = tokio::task::spawn_blocking(move || {
                store
                    .store()
                    .write(|tx| tx.record_delivery(id, &delivery, &at))
            })
            .await;
        }
        if due.len() == BATCH {
            continue;
        }
        tokio::select! {
            _ = newest.changed() => {}
            _ = closing.changed() => return,
            () = tokio::time::sleep(POLL) => {}
        }
        if *closing.borrow() {
            return;
        }
    }
}

/// The delivery state after one attempt: sent, or retried after
/// `retry_seconds * 2^(attempts-1)`, or failed after `max_attempts`.
fn next_state(config: &MailConfig, n: &Notification, outcome: Result<(), String>) -> Delivery {
    let attempts = n
        .delivery
        .as_ref()
        .map_or(0, |d| d.attempts)
        .saturating_add(1);
    match outcome {
        Ok(()) => Delivery {
            state: "sent".into(),
            attempts,
            last_error: String::new(),
            next_attempt: 0,
        },
        Err(error) if attempts >= config.max_attempts => Delivery {
            state: "failed".into(),
            attempts,
            last_error: error,
            next_attempt: 0,
        },
        Err(error) => {
            let wait = config
                .retry_seconds
                .saturating_mul(1u64 << (attempts - 1).min(16));
            Delivery {
                state: "retrying".into(),
                attempts,
                last_error: error,
                next_attempt: unix_now().saturating_add(i64::try_from(wait).unwrap_or(i64::MAX)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_table_is_checked() {
        assert!(MailConfig::parse("[[token]]\ntoken='x'").unwrap().is_none());
        let c = MailConfig::parse("[mail]\nserver = 'smtp.example.org'")
            .unwrap()
            .unwrap();
        assert_eq!(
            (c.port, c.security, c.max_attempts),
            (587, Security::Starttls, 5)
        );
        let bad = |t: &str| MailConfig::parse(t).unwrap_err();
        assert!(bad("[mail]\nserver = ''").contains("mail.server"));
        assert!(bad("[mail]\nserver = 'x'\nfrom = 'nobody'").contains("mail.from"));
        assert!(
            bad("[mail]\nserver = 'x'\nusername = 'u'").contains("both username and password_file")
        );
        assert!(bad("[mail]\nserver = 'x'\nsecurity = 'maybe'").contains("unknown variant"));
    }

    #[test]
    fn the_example_config_reads_with_mail_off_and_its_commented_table_reads_too() {
        let example = include_str!("../serve.example.toml");
        assert!(MailConfig::parse(example).unwrap().is_none());
        assert!(crate::auth::AccessConfig::parse(example).is_ok());
        let uncommented: String = example
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|_| l.contains('=') || l.contains("[mail]"))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mail = MailConfig::parse(&uncommented).unwrap().unwrap();
        assert_eq!((mail.server.as_str(), mail.port), ("mail.example.org", 587));
        assert!(crate::auth::AccessConfig::parse(&uncommented).is_ok());
    }
}
