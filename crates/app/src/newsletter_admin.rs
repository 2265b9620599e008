//! The mailing list as admins keep it (issue 21, item 6): interests,
//! the signup forms and their words (each change a new version, so a
//! consent says what was agreed to), counts, an export of confirmed
//! subscribers that writes an audit row, and an import of an operator's
//! addresses — confirmed at once only when the operator attests consent,
//! otherwise each address is mailed a confirmation link and nothing else
//! is ever sent to it until its owner confirms.
//!
//! Admins only: anyone else is answered `NotFound`. Every change writes
//! its audit row in its own transaction (in the store).

use jiff::{SignedDuration, Timestamp};
use kith_domain::newsletter_list::{
    FormWordsInput, ImportError, InterestLabel, Placement, parse_import,
};
use kith_domain::validation::FieldError;
use kith_store::AuditEntry;
use kith_store::mail::MailDraft;
use kith_store::mail::notices::ComposeError;
use kith_store::newsletter::email_hash;
use kith_store::newsletter_admin::{ConfirmMails, FormChange, ImportedSubscriber, InterestChange};
pub use kith_store::newsletter_admin::{
    DownloadChoice, ExportedSubscriber, FormRecord, ImportOutcome, InterestRecord, SubscriberCounts,
};

use crate::access::{Person, SiteAction, authorize_on_site};
use crate::journal::defuse;
use crate::mail::list_kinds::NewsletterImportConfirm;
use crate::mail::{NotificationPreferences, compose};
use crate::site_url::SiteUrl;
use crate::tokens::{new_token, token_hash};
use crate::{App, AppError, AppResult, StoreError};

/// How long an imported address waits for its owner's confirmation.
pub const CONFIRM_DAYS: u32 = 7;

fn authorize(person: &Person) -> AppResult<()> {
    authorize_on_site(Some(person), SiteAction::ManageMailingList)
}

fn audit<'a>(person: &'a Person, action: &'static str) -> AuditEntry<'a> {
    AuditEntry {
        actor: Some(person.id),
        actor_handle: person.handle.as_str(),
        action,
        target: String::new(),
        reason: "",
    }
}

fn invalid(field: &'static str, code: &'static str) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, code)])
}

/// The list at a glance: interests with their confirmed subscribers, and
/// the totals.
#[derive(Debug, Clone)]
pub struct Overview {
    /// Every interest, retired too, in order.
    pub interests: Vec<InterestRecord>,
    /// The counts.
    pub counts: SubscriberCounts,
}

/// Interests and counts.
pub async fn overview(app: &App, person: &Person) -> AppResult<Overview> {
    authorize(person)?;
    let store = app.store();
    Ok(Overview {
        interests: store.all_newsletter_interests().await?,
        counts: store.newsletter_counts().await?,
    })
}

/// Every interest, retired too, in order.
pub async fn interests(app: &App, person: &Person) -> AppResult<Vec<InterestRecord>> {
    authorize(person)?;
    Ok(app.store().all_newsletter_interests().await?)
}

/// Adds an interest at the end of the list; refused as `label`.
pub async fn add_interest(
    app: &App,
    person: &Person,
    label: &str,
    now: Timestamp,
) -> AppResult<InterestRecord> {
    authorize(person)?;
    let label = InterestLabel::parse(label).map_err(|e| AppError::Invalid(vec![e]))?;
    Ok(app
        .store()
        .add_newsletter_interest(&label, &audit(person, "newsletter_interest.add"), now)
        .await?)
}

/// A change to an interest as asked (a form's button or the API).
#[derive(Debug, Clone, Default)]
pub struct InterestEdit {
    /// A new label.
    pub label: Option<String>,
    /// A new place, from 1.
    pub position: Option<u32>,
    /// Retire or restore.
    pub retired: Option<bool>,
}

/// Which way an interest moves in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// One place earlier.
    Up,
    /// One place later.
    Down,
}

/// Changes the interest with `code` (its code stays); `NotFound`.
pub async fn change_interest(
    app: &App,
    person: &Person,
    code: &str,
    edit: &InterestEdit,
    now: Timestamp,
) -> AppResult<InterestRecord> {
    authorize(person)?;
    let label = edit
        .label
        .as_deref()
        .map(InterestLabel::parse)
        .transpose()
        .map_err(|e| AppError::Invalid(vec![e]))?;
    if edit.position == Some(0) {
        return Err(invalid("position", "out_of_range"));
    }
    let change = InterestChange {
        label: label.as_ref(),
        position: edit.position,
        retired: edit.retired,
    };
    let action = match (edit.label.is_some(), edit.position.is_some(), edit.retired) {
        (true, false, None) => "newsletter_interest.rename",
        (false, true, None) => "newsletter_interest.move",
        (false, false, Some(true)) => "newsletter_interest.retire",
        (false, false, Some(false)) => "newsletter_interest.restore",
        _ => "newsletter_interest.change",
    };
    Ok(app
        .store()
        .change_newsletter_interest(code, &change, &audit(person, action), now)
        .await?)
}

/// Moves the interest with `code` one place up or down (at an end it
/// stays); `NotFound`.
pub async fn move_interest(
    app: &App,
    person: &Person,
    code: &str,
    direction: Direction,
    now: Timestamp,
) -> AppResult<InterestRecord> {
    let list = interests(app, person).await?;
    let index = list
        .iter()
        .position(|i| i.code == code)
        .ok_or(AppError::NotFound)?;
    let to = match direction {
        Direction::Up => index.saturating_sub(1),
        Direction::Down => (index + 1).min(list.len().saturating_sub(1)),
    };
    let position = u32::try_from(to + 1).map_err(|_| invalid("position", "out_of_range"))?;
    let edit = InterestEdit {
        position: Some(position),
        ..InterestEdit::default()
    };
    change_interest(app, person, code, &edit, now).await
}

/// The three forms and the resources they may offer.
#[derive(Debug, Clone)]
pub struct Forms {
    /// `newsletter`, `home`, `resources`, with their words in force.
    pub forms: Vec<FormRecord>,
    /// Published resources with a file, by title.
    pub downloads: Vec<DownloadChoice>,
}

/// The forms as admins edit them.
pub async fn forms(app: &App, person: &Person) -> AppResult<Forms> {
    authorize(person)?;
    let store = app.store();
    Ok(Forms {
        forms: store.newsletter_forms().await?,
        downloads: store.newsletter_download_choices().await?,
    })
}

/// One form as admins edit it; `NotFound` for an unknown placement.
pub async fn form(app: &App, person: &Person, placement: &str) -> AppResult<FormRecord> {
    let placement = Placement::parse(placement).ok_or(AppError::NotFound)?;
    forms(app, person)
        .await?
        .forms
        .into_iter()
        .find(|f| f.placement == placement)
        .ok_or(AppError::NotFound)
}

/// A form as typed.
#[derive(Debug, Clone, Default)]
pub struct FormInput {
    /// Shown where it is placed (the `newsletter` form always is).
    pub shown: bool,
    /// The slug of the resource to offer; empty for none.
    pub download: String,
    /// Its words.
    pub words: FormWordsInput,
}

/// Saves a form; changed words become a new version. Refused as
/// `heading`, `intro`, `consent` (their rules) or `download`
/// (`unavailable`: not a published resource with a file); `NotFound` for
/// an unknown placement.
pub async fn save_form(
    app: &App,
    person: &Person,
    placement: &str,
    input: &FormInput,
    now: Timestamp,
) -> AppResult<FormRecord> {
    authorize(person)?;
    let placement = Placement::parse(placement).ok_or(AppError::NotFound)?;
    let words = input.words.parse().map_err(AppError::Invalid)?;
    let download = Some(input.download.trim()).filter(|s| !s.is_empty());
    let change = FormChange {
        shown: input.shown,
        download,
        words: &words,
    };
    match app
        .store()
        .save_newsletter_form(
            placement,
            &change,
            &audit(person, "newsletter_form.save"),
            now,
        )
        .await
    {
        Err(StoreError::NotFound) => Err(invalid("download", "unavailable")),
        other => Ok(other?),
    }
}

/// Every confirmed subscriber as CSV (`email,first_name,interests,
/// confirmed_at,consent_source,form,form_version`), each cell that a
/// spreadsheet would take for a formula written with a leading
/// apostrophe; the audit row (its count, never an address) is written as
/// the rows are read.
pub async fn export_csv(app: &App, person: &Person, now: Timestamp) -> AppResult<Vec<u8>> {
    authorize(person)?;
    let rows = app
        .store()
        .export_newsletter_subscribers(&audit(person, "newsletter_export"), now)
        .await?;
    write_csv(&rows)
}

fn write_csv(rows: &[ExportedSubscriber]) -> AppResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |_| AppError::internal("a CSV row could not be written");
    writer
        .write_record([
            "email",
            "first_name",
            "interests",
            "confirmed_at",
            "consent_source",
            "form",
            "form_version",
        ])
        .map_err(failed)?;
    for row in rows {
        let cells = [
            row.email.clone(),
            row.first_name.clone().unwrap_or_default(),
            row.interests.join(";"),
            row.confirmed_at.to_string(),
            row.consent_source.clone(),
            row.form_placement.clone().unwrap_or_default(),
            row.form_version.map(|v| v.to_string()).unwrap_or_default(),
        ];
        writer
            .write_record(cells.iter().map(|c| defuse(c).into_owned()))
            .map_err(failed)?;
    }
    writer
        .into_inner()
        .map_err(|_| AppError::internal("a CSV file could not be finished"))
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportFailure {
    /// The file was refused: the line at fault (if one) and why.
    File(ImportError),
    /// Anything else: not an admin, the interests chosen, the database.
    App(AppError),
}

impl From<AppError> for ImportFailure {
    fn from(err: AppError) -> Self {
        Self::App(err)
    }
}

impl From<StoreError> for ImportFailure {
    fn from(err: StoreError) -> Self {
        Self::App(err.into())
    }
}

/// What an operator imports.
#[derive(Debug, Clone, Copy)]
pub struct ImportRequest<'a> {
    /// The CSV file's bytes.
    pub file: &'a [u8],
    /// Codes of the interests every row gets (at least one; offered ones
    /// only), refused as `interests`.
    pub interests: &'a [String],
    /// The operator attests that every address consented: added
    /// confirmed, mailed nothing.
    pub attested: bool,
}

/// Imports a CSV of addresses, all or nothing (see the module docs);
/// answers how many were added, present already, or suppressed.
pub async fn import(
    app: &App,
    person: &Person,
    request: &ImportRequest<'_>,
    now: Timestamp,
) -> Result<ImportOutcome, ImportFailure> {
    authorize(person)?;
    let store = app.store();
    let offered: Vec<InterestRecord> = store
        .all_newsletter_interests()
        .await?
        .into_iter()
        .filter(|i| i.retired_at.is_none())
        .collect();
    let id_of = |code: &str| offered.iter().find(|i| i.code == code).map(|i| i.id);
    let mut chosen = Vec::new();
    for code in request.interests {
        let id = id_of(code.trim()).ok_or_else(|| invalid("interests", "unknown_interest"))?;
        if !chosen.contains(&id) {
            chosen.push(id);
        }
    }
    if chosen.is_empty() {
        return Err(invalid("interests", "required").into());
    }
    let file = parse_import(request.file, offered.iter().map(|i| i.code.as_str()))
        .map_err(ImportFailure::File)?;
    let rows: Vec<ImportedSubscriber<'_>> = file
        .rows
        .iter()
        .map(|row| {
            let mut interests = chosen.clone();
            for id in row.interests.iter().filter_map(|code| id_of(code)) {
                if !interests.contains(&id) {
                    interests.push(id);
                }
            }
            ImportedSubscriber {
                email: &row.email,
                email_hash: email_hash(row.email.as_str()),
                first_name: row.first_name.as_deref(),
                interests,
            }
        })
        .collect();
    let mails = ImportMails {
        site: app.site_url(),
    };
    let expires_at = now + SignedDuration::from_hours(24 * i64::from(CONFIRM_DAYS));
    let mut outcome = store
        .import_newsletter_subscribers(
            &rows,
            request.attested,
            &mails,
            &audit(person, "newsletter_import"),
            expires_at,
            now,
        )
        .await?;
    // Addresses the file repeated are on the list already, as far as the
    // operator is concerned.
    outcome.present += file.repeats as u64;
    if !request.attested && outcome.added > 0 {
        app.mailed();
    }
    Ok(outcome)
}

/// Composes each imported address's confirmation with a fresh token.
struct ImportMails<'a> {
    site: &'a SiteUrl,
}

impl ConfirmMails for ImportMails<'_> {
    fn confirm_mail(&self) -> Result<(String, MailDraft), ComposeError> {
        let token = new_token();
        let mail = NewsletterImportConfirm {
            site: site_name(self.site),
            link: self.site.link(&format!("/newsletter/confirm/{token}")),
            days: CONFIRM_DAYS,
        };
        let draft = compose(self.site, &mail, &NotificationPreferences::default())
            .map_err(|e| Box::new(e) as ComposeError)?;
        Ok((token_hash(&token), draft))
    }
}

/// The site as its address names it (`kith.example`).
fn site_name(site: &SiteUrl) -> String {
    let base = site.base();
    let host = base.split_once("://").map_or(base, |(_, rest)| rest);
    host.trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_import_mail_says_who_added_the_address_and_that_nothing_comes_unconfirmed() {
        let site = SiteUrl::new("https://kith.example/");
        let mails = ImportMails { site: &site };
        let (hash, draft) = mails.confirm_mail().expect("mail");
        assert_eq!(draft.kind, "newsletter_import_confirm");
        assert_eq!(draft.subject, "kith: please confirm your address");
        assert!(draft.unsubscribe.is_none(), "essential mail");
        let link_start = draft
            .text
            .find("https://kith.example/newsletter/confirm/")
            .expect("link");
        let token = &draft.text[link_start + 40..link_start + 72];
        assert_eq!(token_hash(token), hash);
        assert!(
            draft
                .text
                .contains("an organiser of kith.example added this address")
        );
        assert!(
            draft
                .text
                .contains("Nothing will be sent to you unless you confirm")
        );
        assert!(draft.html.contains(&format!(
            "href=\"https://kith.example/newsletter/confirm/{token}\""
        )));
    }

    #[test]
    fn the_export_defuses_formulas_and_joins_interests() {
        let rows = [ExportedSubscriber {
            email: "a@example.org".into(),
            first_name: Some("=HYPERLINK(\"x\")".into()),
            interests: vec!["coming-off".into(), "events".into()],
            confirmed_at: "2026-06-01T10:00:00Z".parse().expect("time"),
            consent_source: "form".into(),
            form_placement: Some("home".into()),
            form_version: Some(2),
        }];
        let text = String::from_utf8(write_csv(&rows).expect("csv")).expect("utf-8");
        assert_eq!(
            text,
            "email,first_name,interests,confirmed_at,consent_source,form,form_version\n\
             a@example.org,\"'=HYPERLINK(\"\"x\"\")\",coming-off;events,2026-06-01T10:00:00Z,form,home,2\n"
        );
    }
}
