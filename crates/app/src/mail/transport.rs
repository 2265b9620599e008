//! How mail leaves kith: over SMTP (`KITH_SMTP_URL`: `smtp://host:25`,
//! `smtp://user:pass@host:587?tls=required` for STARTTLS, `smtps://…:465`
//! for TLS from the start — lettre's URL forms), or, without a server, as
//! `.eml` files in a folder (`kith-data/outbox/` by default), so the
//! embedded default works and a person can open them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kith_store::mail::OutboxMail;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// SMTP connections kept open, and so mails sent at once. lettre writes
/// a message's final dot apart from its body and sets no `TCP_NODELAY`,
/// so each message waits out the server's delayed acknowledgement (about
/// 40 ms on Linux): one connection sends some 25 mails a second, and
/// throughput comes from connections side by side.
pub const SMTP_CONNECTIONS: usize = 20;

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in this folder, one per mail, named by its Message-ID.
    Files(PathBuf),
}

impl std::fmt::Debug for Transport {
    // The SMTP URL may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => f.write_str("Transport::Smtp(…)"),
            Self::Files(dir) => write!(f, "Transport::Files({})", dir.display()),
        }
    }
}

/// Why a mail was not sent; never holds an address or a server's words
/// (which may echo one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryError {
    /// Trying again will not help (a 5xx answer, a malformed address).
    pub permanent: bool,
    /// A short description for the outbox and the log.
    pub summary: String,
}

impl DeliveryError {
    pub(crate) fn permanent(summary: impl Into<String>) -> Self {
        Self {
            permanent: true,
            summary: summary.into(),
        }
    }

    fn transient(summary: impl Into<String>) -> Self {
        Self {
            permanent: false,
            summary: summary.into(),
        }
    }
}

impl Transport {
    /// An SMTP transport from a URL; each command times out after
    /// `timeout`. The error never repeats the URL (it may hold a password).
    pub fn smtp(url: &str, timeout: Duration) -> Result<Self, String> {
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| "KITH_SMTP_URL is not a valid smtp:// or smtps:// URL".to_owned())?;
        // As many pooled connections as the sender sends mails at once.
        let pool = lettre::transport::smtp::PoolConfig::new()
            .max_size(u32::try_from(SMTP_CONNECTIONS).unwrap_or(10));
        Ok(Self::Smtp(
            builder.timeout(Some(timeout)).pool_config(pool).build(),
        ))
    }

    /// `.eml` files in `dir` (created when needed).
    pub fn files(dir: impl Into<PathBuf>) -> Self {
        Self::Files(dir.into())
    }

    /// Sends one message. Files are written whole under a temporary name
    /// and then renamed, so a reader never sees half a mail, and sending
    /// the same mail again replaces its file.
    pub async fn deliver(&self, message: Message, key: &str) -> Result<(), DeliveryError> {
        match self {
            Self::Smtp(smtp) => smtp.send(message).await.map(drop).map_err(|e| {
                let code = e.status().map(|c| format!(" ({c})")).unwrap_or_default();
                if e.is_permanent() {
                    DeliveryError::permanent(format!("refused by the server{code}"))
                } else if e.is_transient() {
                    DeliveryError::transient(format!("deferred by the server{code}"))
                } else {
                    DeliveryError::transient("the server could not be reached")
                }
            }),
            Self::Files(dir) => {
                let dir = dir.clone();
                let bytes = message.formatted();
                let key = key.to_owned();
                tokio::task::spawn_blocking(move || write_file(&dir, &key, &bytes))
                    .await
                    .map_err(|_| DeliveryError::transient("the writing task failed"))?
                    .map_err(|e| {
                        DeliveryError::transient(format!("could not write the file: {}", e.kind()))
                    })
            }
        }
    }
}

fn write_file(dir: &Path, key: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let part = dir.join(format!(".{key}.eml.part"));
    std::fs::write(&part, bytes)?;
    std::fs::rename(&part, dir.join(format!("{key}.eml")))
}

/// Builds the message for an outbox row: plain text and HTML as
/// alternatives, a Message-ID that is the same on every attempt,
/// `Auto-Submitted`, and for optional mail `List-Unsubscribe` with
/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
pub fn build_message(from: &Mailbox, mail: &OutboxMail) -> Result<Message, DeliveryError> {
    let address = mail
        .address
        .as_ref()
        .ok_or_else(|| DeliveryError::permanent("the account has no address"))?;
    let to: lettre::Address = address
        .as_str()
        .parse()
        .map_err(|_| DeliveryError::permanent("the address cannot be mailed"))?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(mail.subject.clone())
        .message_id(Some(message_id(from, &mail.message_key)))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ));
    if let Some(url) = &mail.unsubscribe_url {
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(|_| DeliveryError::permanent("the message could not be built"))
}

/// `<key@domain-of-the-sender>`.
pub fn message_id(from: &Mailbox, key: &str) -> String {
    format!("<{key}@{}>", from.email.domain())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kith_domain::account::Email;

    fn mail(unsubscribe: Option<&str>) -> OutboxMail {
        OutboxMail {
            id: 1,
            message_key: "0123456789abcdef0123456789abcdef".into(),
            kind: "announcement".into(),
            address: Some(Email::from_trusted("river@example.org".into())),
            subject: "kith: news from one of your groups".into(),
            text: "Hello — text".into(),
            html: "<p>Hello — html</p>".into(),
            unsubscribe_url: unsubscribe.map(str::to_owned),
            attempts: 1,
            letter_id: None,
        }
    }

    #[test]
    fn optional_mail_has_one_click_unsubscribe_headers_and_a_stable_id() {
        let from: Mailbox = "kith <kith@kith.example>".parse().expect("from");
        let message = build_message(
            &from,
            &mail(Some("https://kith.example/mail/unsubscribe/t")),
        )
        .expect("message");
        let text = String::from_utf8(message.formatted()).expect("utf-8");
        assert!(
            text.contains("List-Unsubscribe: <https://kith.example/mail/unsubscribe/t>"),
            "{text}"
        );
        assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(text.contains("Message-ID: <0123456789abcdef0123456789abcdef@kith.example>"));
        assert!(text.contains("multipart/alternative"));
        let essential = build_message(&from, &mail(None)).expect("message");
        let text = String::from_utf8(essential.formatted()).expect("utf-8");
        assert!(!text.contains("List-Unsubscribe"));
    }

    #[test]
    fn a_mail_without_an_address_is_given_up() {
        let from: Mailbox = "kith@kith.example".parse().expect("from");
        let mut no_address = mail(None);
        no_address.address = None;
        let err = build_message(&from, &no_address).expect_err("no address");
        assert!(err.permanent);
    }
}
