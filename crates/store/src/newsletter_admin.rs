//! The mailing list as admins keep it: interests (added, renamed, moved,
//! retired and restored; a code never changes), the signup forms (placed,
//! given a download, their words versioned so every consent says what was
//! agreed to), counts, the export of confirmed subscribers and the import
//! of an operator's addresses. [`NewsletterAdminStore`] and its one
//! implementation for both backends (`imp`). Every change writes its audit
//! row in its own transaction; an export's audit row is written in the
//! transaction that reads it, and never names an address.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::account::Email;
use kith_domain::newsletter_list::{FormWords, InterestLabel, Placement};

use crate::StoreResult;
use crate::mail::MailDraft;
use crate::mail::notices::ComposeError;
use crate::model::AuditEntry;

/// An interest, retired or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterestRecord {
    /// The row id.
    pub id: i64,
    /// Its stable code.
    pub code: String,
    /// What people read.
    pub label: String,
    /// Its place in the list, from 1.
    pub position: i64,
    /// When it was retired: offered no more.
    pub retired_at: Option<Timestamp>,
}

/// A change to an interest; `None` leaves a part as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct InterestChange<'a> {
    /// A new label (the code stays).
    pub label: Option<&'a InterestLabel>,
    /// A new place in the list, from 1 (past the end: last); the others
    /// close up around it.
    pub position: Option<u32>,
    /// Retire (`true`) or restore (`false`).
    pub retired: Option<bool>,
}

/// A resource a form may offer: published, with a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadChoice {
    /// Its slug.
    pub slug: String,
    /// Its title.
    pub title: String,
}

/// A signup form as it is now, with the words in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormRecord {
    /// Where it is placed.
    pub placement: Placement,
    /// Whether it is shown there.
    pub shown: bool,
    /// The resource it offers, if any.
    pub download: Option<DownloadChoice>,
    /// The version of the words in force.
    pub version: i64,
    /// The words in force.
    pub words: FormWords,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// What saving a form sets.
#[derive(Debug, Clone, Copy)]
pub struct FormChange<'a> {
    /// Shown (the `newsletter` form is always shown, whatever this says).
    pub shown: bool,
    /// The slug of the resource to offer, or none.
    pub download: Option<&'a str>,
    /// Its words.
    pub words: &'a FormWords,
}

/// How many are on the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubscriberCounts {
    /// Confirmed subscribers.
    pub confirmed: i64,
    /// Addresses not confirmed yet.
    pub unconfirmed: i64,
    /// Confirmed subscribers per interest id (interests nobody chose are
    /// left out).
    pub per_interest: Vec<(i64, i64)>,
}

impl SubscriberCounts {
    /// The confirmed subscribers who chose the interest `id`.
    pub fn of(&self, id: i64) -> i64 {
        self.per_interest
            .iter()
            .find(|(i, _)| *i == id)
            .map_or(0, |(_, n)| *n)
    }
}

/// A confirmed subscriber, as the export writes them.
#[derive(Clone, PartialEq, Eq)]
pub struct ExportedSubscriber {
    /// The address.
    pub email: String,
    /// The first name given, if any.
    pub first_name: Option<String>,
    /// The codes of the interests chosen, in the list's order.
    pub interests: Vec<String>,
    /// When they confirmed.
    pub confirmed_at: Timestamp,
    /// How consent was given (`form`, `account`, `import`,
    /// `import_attested`).
    pub consent_source: String,
    /// Through which form, if one.
    pub form_placement: Option<String>,
    /// Which version of its words.
    pub form_version: Option<i64>,
}

impl std::fmt::Debug for ExportedSubscriber {
    // An address and a name are personal: never in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportedSubscriber")
            .field("consent_source", &self.consent_source)
            .finish_non_exhaustive()
    }
}

/// One address to import.
#[derive(Clone)]
pub struct ImportedSubscriber<'a> {
    /// The normalised address.
    pub email: &'a Email,
    /// SHA-256 of the address, hex, as `newsletter_suppressions` keeps it.
    pub email_hash: String,
    /// The first name, if given.
    pub first_name: Option<&'a str>,
    /// The interests (ids) it gets.
    pub interests: Vec<i64>,
}

/// The confirmation mail each address imported without an attestation
/// gets, with its `confirm` token.
pub trait ConfirmMails: Sync {
    /// A fresh token's hash and the mail that holds the token's link.
    fn confirm_mail(&self) -> Result<(String, MailDraft), ComposeError>;
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Addresses added.
    pub added: u64,
    /// Addresses on the list already (confirmed or not), left as they
    /// were.
    pub present: u64,
    /// Addresses that unsubscribed once, not added.
    pub suppressed: u64,
}

/// The mailing list's admin side.
#[async_trait]
pub trait NewsletterAdminStore {
    /// Every interest, retired too, in the list's order.
    async fn all_newsletter_interests(&self) -> StoreResult<Vec<InterestRecord>>;

    /// Adds an interest at the end of the list, its code made from its
    /// label (see `kith_domain::newsletter_list::interest_code`).
    async fn add_newsletter_interest(
        &self,
        label: &InterestLabel,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<InterestRecord>;

    /// Changes the interest with `code`; `NotFound`.
    async fn change_newsletter_interest(
        &self,
        code: &str,
        change: &InterestChange<'_>,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<InterestRecord>;

    /// The three forms, with their words in force.
    async fn newsletter_forms(&self) -> StoreResult<Vec<FormRecord>>;

    /// Resources a form may offer: published, with a file; by title.
    async fn newsletter_download_choices(&self) -> StoreResult<Vec<DownloadChoice>>;

    /// Saves a form: where it shows, its download and its words. Words
    /// that changed become a new version; unchanged ones write nothing.
    /// `NotFound` when the download is not a published resource with a
    /// file (nothing is written).
    async fn save_newsletter_form(
        &self,
        placement: Placement,
        change: &FormChange<'_>,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<FormRecord>;

    /// The words of a form's `version`; `NotFound`.
    async fn newsletter_form_version(
        &self,
        placement: Placement,
        version: i64,
    ) -> StoreResult<FormWords>;

    /// How many are on the list, in all and per interest.
    async fn newsletter_counts(&self) -> StoreResult<SubscriberCounts>;

    /// Every confirmed subscriber, oldest first, read in the transaction
    /// that writes the audit row (its target is replaced by the count).
    async fn export_newsletter_subscribers(
        &self,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<Vec<ExportedSubscriber>>;

    /// Imports addresses, all or nothing: suppressed and present ones are
    /// skipped, the rest added — confirmed when `attested`, else
    /// unconfirmed until `expires_at` with a `confirm` token and the mail
    /// `mails` composes. The audit row's target is replaced by the counts.
    async fn import_newsletter_subscribers(
        &self,
        rows: &[ImportedSubscriber<'_>],
        attested: bool,
        mails: &dyn ConfirmMails,
        audit: &AuditEntry<'_>,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<ImportOutcome>;
}

mod imp;
