//! The mailing list, the subscriber's side: the signup forms' words and the
//! interests offered, signing up with double opt-in, the single-purpose
//! links (`confirm`, `manage`, `download`), changing interests and
//! unsubscribing without an account, a member's subscription from their
//! verified address, and pruning what expired. [`NewsletterStore`] and its
//! one implementation for both backends (`imp`).
//!
//! Every address here belongs to the mail system: it is read inside the
//! transaction that mails it and never handed back to a caller. Signing up
//! answers the caller's question ("what happened?") only for tests; the
//! pages and the API answer every address alike.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::account::Email;
use kith_domain::newsletter::ConsentSource;

use crate::StoreResult;
use crate::mail::MailDraft;
use crate::mail::notices::ComposeError;
use crate::model::AccountId;
use crate::resources::StoredFile;

/// A signup form as it is shown: its placement, whether an admin placed
/// it, the words in force and the file it offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupForm {
    /// Its row.
    pub id: i64,
    /// `newsletter`, `home` or `resources`.
    pub placement: String,
    /// Whether it is placed (the `newsletter` page shows its own always).
    pub shown: bool,
    /// The version of the words in force.
    pub version: i64,
    /// The heading.
    pub heading: String,
    /// The words above the fields.
    pub intro: String,
    /// The consent the person gives by signing up.
    pub consent: String,
    /// The published resource whose file it offers once confirmed.
    pub download: Option<DownloadOffer>,
}

/// The file a form offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadOffer {
    /// The resource's row.
    pub resource_id: i64,
    /// The resource's title.
    pub title: String,
    /// The file's name.
    pub file_name: String,
}

/// An interest offered ("check all that apply").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interest {
    /// Its row.
    pub id: i64,
    /// Its stable code.
    pub code: String,
    /// What people read.
    pub label: String,
}

/// A signup to write.
#[derive(Clone, Copy)]
pub struct NewSubscription<'a> {
    /// The address, normalised.
    pub email: &'a Email,
    /// The first name, if given.
    pub first_name: Option<&'a str>,
    /// The interest codes chosen (among those offered).
    pub interests: &'a [String],
    /// How consent was given.
    pub source: ConsentSource,
    /// The form whose words were agreed to, by placement.
    pub placement: &'a str,
}

impl std::fmt::Debug for NewSubscription<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSubscription")
            .field("source", &self.source)
            .field("placement", &self.placement)
            .finish_non_exhaustive()
    }
}

/// A single-purpose link and the mail that carries it.
pub struct LinkMail<'a> {
    /// SHA-256 of the link's token, hex.
    pub token_hash: &'a str,
    /// It works until then.
    pub expires_at: Timestamp,
    /// The mail with the link.
    pub mail: &'a MailDraft,
}

/// The two mails a signup may cause: the confirmation (new or
/// unconfirmed address) and "you are already subscribed" (confirmed).
pub struct SignupMails<'a> {
    /// A `confirm` link and its mail.
    pub confirm: LinkMail<'a>,
    /// A `manage` link and the "already subscribed" mail.
    pub already: LinkMail<'a>,
}

/// What a signup did; the caller answers every case alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignupOutcome {
    /// A new address: unconfirmed, mailed its confirmation.
    New,
    /// An address waiting for confirmation: updated, and mailed a fresh
    /// confirmation unless one went in the last ten minutes.
    Pending {
        /// Whether a confirmation was mailed this time.
        mailed: bool,
    },
    /// A confirmed address: unchanged, mailed "already subscribed"
    /// unless that went in the last ten minutes.
    Confirmed {
        /// Whether the mail went this time.
        mailed: bool,
    },
}

/// Why a link does not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    /// Never made (or long pruned): answered as not found.
    Unknown,
    /// Made, but its time is over.
    Expired,
    /// Used already (a confirmation).
    Used,
}

/// The links confirming makes, and the welcome mail that carries them.
pub struct ConfirmLinks<'a> {
    /// SHA-256 of the new `manage` token.
    pub manage_hash: &'a str,
    /// Until when the manage link works.
    pub manage_until: Timestamp,
    /// SHA-256 of the new `download` token, kept only when the form
    /// offers a file.
    pub download_hash: &'a str,
    /// Until when the download link works.
    pub download_until: Timestamp,
    /// The welcome mail, given whether a download is offered.
    pub welcome: &'a (dyn Fn(Option<&DownloadOffer>) -> Result<MailDraft, ComposeError> + Sync),
}

/// A confirmation that went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    /// The file offered, whose link (`download_hash`) now works.
    pub download: Option<DownloadOffer>,
}

/// A subscription as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The first name given.
    pub first_name: Option<String>,
    /// Whether the address is confirmed.
    pub confirmed: bool,
    /// The interest codes chosen, in the order offered.
    pub interests: Vec<String>,
}

/// A member's address cannot subscribe until it is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressUnverified;

/// What pruning deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrunedSubscribers {
    /// Unconfirmed subscribers whose time ran out.
    pub subscribers: u64,
    /// Expired links.
    pub tokens: u64,
}

/// The subscriber's side of the mailing list.
#[async_trait]
pub trait NewsletterStore {
    /// The form of a placement with its words in force; `NotFound` for an
    /// unknown placement.
    async fn newsletter_form(&self, placement: &str) -> StoreResult<SignupForm>;

    /// The interests offered (not retired), in their order.
    async fn newsletter_interests(&self) -> StoreResult<Vec<Interest>>;

    /// Signs an address up, in one transaction: a new address is kept
    /// unconfirmed until `mails.confirm` expires, with its interests and
    /// consent, and mailed the confirmation; an unconfirmed one is
    /// updated and mailed a fresh confirmation; a confirmed one is left as
    /// it is and mailed "already subscribed". At most one mail per address
    /// per ten minutes.
    async fn subscribe(
        &self,
        signup: &NewSubscription<'_>,
        mails: &SignupMails<'_>,
        now: Timestamp,
    ) -> StoreResult<SignupOutcome>;

    /// Whether a link of `purpose` works now.
    async fn newsletter_link(
        &self,
        token_hash: &str,
        purpose: &str,
        now: Timestamp,
    ) -> StoreResult<Result<(), LinkRefusal>>;

    /// Follows a confirmation link: the address is confirmed (and any
    /// suppression of it lifted: they opted in again), every confirmation
    /// link of it used, a manage link and (when the form offers a file) a
    /// download link made, and the welcome mail written.
    async fn confirm_subscription(
        &self,
        token_hash: &str,
        links: &ConfirmLinks<'_>,
        now: Timestamp,
    ) -> StoreResult<Result<Confirmed, LinkRefusal>>;

    /// The file a download link serves.
    async fn newsletter_download(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Result<StoredFile, LinkRefusal>>;

    /// The subscription a manage link belongs to.
    async fn subscription_by_link(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Result<Subscription, LinkRefusal>>;

    /// Replaces the interests of a manage link's subscriber (retired ones
    /// chosen before stay).
    async fn set_interests_by_link(
        &self,
        token_hash: &str,
        interests: &[String],
        now: Timestamp,
    ) -> StoreResult<Result<(), LinkRefusal>>;

    /// Unsubscribes a manage link's subscriber: the address's hash is
    /// suppressed, the link's letter counts one more unsubscribe, the
    /// subscriber goes with their links, interests and unsent letters.
    async fn unsubscribe_by_link(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Result<(), LinkRefusal>>;

    /// A member's subscription: the one that names their account, or the
    /// one of their address once it is verified.
    async fn account_subscription(&self, account: AccountId) -> StoreResult<Option<Subscription>>;

    /// Subscribes a member with their verified address, confirmed at once
    /// (consent `account`), or sets the interests of the subscription
    /// they have; `NotFound` for no such account.
    async fn subscribe_account(
        &self,
        account: AccountId,
        interests: &[String],
        now: Timestamp,
    ) -> StoreResult<Result<Subscription, AddressUnverified>>;

    /// Unsubscribes a member as a link would; `false` when they had no
    /// subscription.
    async fn unsubscribe_account(&self, account: AccountId, now: Timestamp) -> StoreResult<bool>;

    /// Whether an address asked never to be mailed letters again (and has
    /// not signed up again since).
    async fn newsletter_suppressed(&self, email: &Email) -> StoreResult<bool>;

    /// Deletes unconfirmed subscribers whose time ran out and links that
    /// expired.
    async fn prune_subscribers(&self, now: Timestamp) -> StoreResult<PrunedSubscribers>;
}

/// SHA-256 of a normalised address, hex: what a suppression keeps.
pub fn email_hash(email: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(email.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const FORM: &str = "SELECT f.id, f.placement, f.shown, f.version, v.heading, v.intro, v.consent,
    r.id AS resource_id, r.title AS resource_title, rf.name AS file_name
FROM newsletter_forms f
JOIN newsletter_form_versions v ON v.form_id = f.id AND v.version = f.version
LEFT JOIN resources r ON r.id = f.download_resource_id AND r.published_at IS NOT NULL
LEFT JOIN resource_files rf ON rf.resource_id = r.id
WHERE f.placement = $1";
const FORM_BY_ID: &str = "SELECT f.id, f.placement, f.shown, f.version, v.heading, v.intro,
    v.consent, r.id AS resource_id, r.title AS resource_title, rf.name AS file_name
FROM newsletter_forms f
JOIN newsletter_form_versions v ON v.form_id = f.id AND v.version = f.version
LEFT JOIN resources r ON r.id = f.download_resource_id AND r.published_at IS NOT NULL
LEFT JOIN resource_files rf ON rf.resource_id = r.id
WHERE f.id = $1";
const INTERESTS: &str = "SELECT id, code, label FROM newsletter_interests
WHERE retired_at IS NULL ORDER BY position, id";
const INSERT_SUBSCRIBER: &str = "INSERT INTO subscribers
    (email, first_name, account_id, created_at, confirmed_at, expires_at, consent_at,
     consent_source, consent_form_id, consent_form_version)
VALUES ($1, $2, $3, $4, $5, $6, $4, $7, $8, $9)
ON CONFLICT (email) DO NOTHING RETURNING id";
const SUBSCRIBER_BY_EMAIL: &str = "SELECT id, confirmed_at FROM subscribers WHERE email = $1";
const RENEW_PENDING: &str = "UPDATE subscribers SET first_name = $2, consent_at = $3,
    consent_source = $4, consent_form_id = $5, consent_form_version = $6
WHERE id = $1";
const EXTEND_PENDING: &str = "UPDATE subscribers SET expires_at = $2 WHERE id = $1";
const CLEAR_INTERESTS: &str = "DELETE FROM subscriber_interests WHERE subscriber_id = $1
  AND interest_id IN (SELECT id FROM newsletter_interests WHERE retired_at IS NULL)";
const ADD_INTEREST: &str = "INSERT INTO subscriber_interests (subscriber_id, interest_id)
SELECT $1, id FROM newsletter_interests WHERE code = $2 AND retired_at IS NULL
ON CONFLICT DO NOTHING";
const INSERT_TOKEN: &str = "INSERT INTO subscriber_tokens
    (token_hash, subscriber_id, purpose, resource_id, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)";
/// Links of a purpose mailed to a subscriber since an instant: neither
/// the manage links letters carry (they name a letter) nor the one made
/// as the address was confirmed (shown on the page, in the welcome mail).
const RECENT_TOKENS: &str = "SELECT COUNT(*) FROM subscriber_tokens t
JOIN subscribers s ON s.id = t.subscriber_id
WHERE t.subscriber_id = $1 AND t.purpose = $2 AND t.letter_id IS NULL AND t.created_at > $3
  AND (s.confirmed_at IS NULL OR t.created_at > s.confirmed_at)";
const TOKEN: &str = "SELECT t.subscriber_id, t.letter_id, t.expires_at, t.used_at
FROM subscriber_tokens t WHERE t.token_hash = $1 AND t.purpose = $2";
const USE_CONFIRMATIONS: &str = "UPDATE subscriber_tokens SET used_at = $2
WHERE subscriber_id = $1 AND purpose = 'confirm' AND used_at IS NULL";
const CONFIRM: &str = "UPDATE subscribers
SET confirmed_at = COALESCE(confirmed_at, $2), expires_at = NULL
WHERE id = $1 RETURNING email, consent_form_id";
const UNSUPPRESS: &str = "DELETE FROM newsletter_suppressions WHERE email_hash = $1";
const SUPPRESS: &str = "INSERT INTO newsletter_suppressions (email_hash, created_at)
VALUES ($1, $2) ON CONFLICT (email_hash) DO NOTHING";
const SUPPRESSED: &str = "SELECT COUNT(*) FROM newsletter_suppressions WHERE email_hash = $1";
const DOWNLOAD: &str = "SELECT t.expires_at, f.name, f.content_type, f.size, f.sha256, f.data
FROM subscriber_tokens t
JOIN resources r ON r.id = t.resource_id AND r.published_at IS NOT NULL
JOIN resource_files f ON f.resource_id = r.id
WHERE t.token_hash = $1 AND t.purpose = 'download'";
const SUBSCRIBER: &str = "SELECT first_name, confirmed_at FROM subscribers WHERE id = $1";
const SUBSCRIBER_INTERESTS: &str = "SELECT i.code FROM subscriber_interests si
JOIN newsletter_interests i ON i.id = si.interest_id
WHERE si.subscriber_id = $1 AND i.retired_at IS NULL ORDER BY i.position, i.id";
const SUBSCRIBER_EMAIL: &str = "SELECT email FROM subscribers WHERE id = $1";
const COUNT_UNSUBSCRIBE: &str = "UPDATE letters SET unsubscribed = unsubscribed + 1 WHERE id = $1";
const DELETE_SUBSCRIBER: &str = "DELETE FROM subscribers WHERE id = $1";
const ACCOUNT_ADDRESS: &str = "SELECT email, email_verified_at FROM accounts WHERE id = $1";
/// A member's subscription: the row naming the account first, else the
/// row of its address once verified.
const ACCOUNT_SUBSCRIBER: &str = "SELECT s.id FROM subscribers s JOIN accounts a ON a.id = $1
WHERE s.account_id = a.id OR (a.email_verified_at IS NOT NULL AND s.email = a.email)
ORDER BY CASE WHEN s.account_id IS NULL THEN 1 ELSE 0 END LIMIT 1";
const DROP_OTHER_ROW: &str = "DELETE FROM subscribers WHERE email = $1 AND id <> $2";
const ADOPT: &str = "UPDATE subscribers SET account_id = $2, email = $3,
    confirmed_at = COALESCE(confirmed_at, $4), expires_at = NULL,
    consent_at = CASE WHEN confirmed_at IS NULL THEN $4 ELSE consent_at END,
    consent_source = CASE WHEN confirmed_at IS NULL THEN $5 ELSE consent_source END,
    consent_form_id = CASE WHEN confirmed_at IS NULL THEN $6 ELSE consent_form_id END,
    consent_form_version =
        CASE WHEN confirmed_at IS NULL THEN $7 ELSE consent_form_version END
WHERE id = $1";
/// The words a member agrees to on `/me/notifications`: the newsletter
/// page's form in force.
const MEMBER_FORM: &str = "SELECT id, version FROM newsletter_forms WHERE placement = 'newsletter'";
/// An account's subscription and any of its verified address, as the
/// account is deleted.
pub(crate) const FORGET_ACCOUNT: &str = "DELETE FROM subscribers WHERE account_id = $1
   OR email = (SELECT email FROM accounts WHERE id = $1 AND email_verified_at IS NOT NULL)";
const PRUNE_PENDING: &str =
    "DELETE FROM subscribers WHERE confirmed_at IS NULL AND expires_at <= $1";
const PRUNE_TOKENS: &str = "DELETE FROM subscriber_tokens WHERE expires_at <= $1";

/// Deletes an account's subscription, and that of its verified address,
/// inside the transaction that deletes the account.
pub(crate) async fn forget_account(tx: &mut crate::db::Tx, account: AccountId) -> StoreResult<()> {
    crate::db::query(FORGET_ACCOUNT)
        .bind(account.0)
        .execute(tx)
        .await?;
    Ok(())
}

/// A member's subscription moves with their verified address; if the new
/// address has a subscription of its own, that one stands and the
/// member's old one goes (one row per address).
const DROP_MOVED_ACCOUNT: &str = "DELETE FROM subscribers WHERE account_id = $1
   AND EXISTS (SELECT 1 FROM subscribers s WHERE s.email = $2)";
const MOVE_ACCOUNT: &str = "UPDATE subscribers SET email = $2 WHERE account_id = $1";
/// Letters queued for the old address and not sent yet go to the new one.
const MOVE_UNSENT: &str = "UPDATE outbox SET address = $2
WHERE sent_at IS NULL AND gave_up_at IS NULL
  AND subscriber_id IN (SELECT id FROM subscribers WHERE account_id = $1)";

/// Moves an account's subscription to its newly verified address, inside
/// the transaction that changes the address.
pub(crate) async fn follow_account_email(
    tx: &mut crate::db::Tx,
    account: AccountId,
    email: &str,
) -> StoreResult<()> {
    for sql in [DROP_MOVED_ACCOUNT, MOVE_ACCOUNT, MOVE_UNSENT] {
        crate::db::query(sql)
            .bind(account.0)
            .bind(email)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

mod imp;
