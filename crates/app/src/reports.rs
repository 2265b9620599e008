//! Reports: anyone reports a listing, a person, a story or a comment they
//! may see — members, and visitors without an account ([`report_as_visitor`]);
//! a room message only someone who may be in its room. Moderators work the
//! queue and decide, the author may appeal once to another moderator, and
//! reports waiting over 48 hours are mailed to the admins once a day.
//!
//! Who reported is told only to moderators: the author's mail, page and
//! API answer never name them.

pub mod mail;
mod target;

pub use target::Target;
use target::resolve;

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use kith_domain::ids::{AccountId, OccurrenceId, ReportId};
use kith_domain::reports::{
    Action, DETAILS_MAX, NOTE_MAX, OVERDUE, Reason, ReportStatus, SUSPEND_MAX_DAYS, TargetKind,
    appeal_deciders, digest_day, may_decide_appeal,
};
use kith_domain::validation::{FieldError, text_within};
use kith_store::AuditEntry;
use kith_store::mail::Audience;
/// A report as the store keeps it; each use case shows each reader only
/// what is theirs.
pub use kith_store::reports::ReportRecord;
use kith_store::reports::{NewReport, ReportDecision};
use kith_store::rooms::AccessChange;

use crate::access::{Person, SiteAction, authorize_on_site};
use crate::mail::Tell;
use crate::{App, AppError, AppResult, Conflict};
use mail::{AppealWaiting, DecisionNotices, ReportsOverdue};

/// How many reports the queue shows.
pub const PAGE: u32 = 200;

fn invalid(field: &'static str, code: &'static str) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, code)])
}

/// What a report form shows of its target (a listing's name, a handle),
/// once `person` (`None`: a visitor) may see it: `NotFound` otherwise;
/// their own content is refused as reporting it would be.
pub async fn preview(
    app: &App,
    person: Option<&Person>,
    target: &Target,
    now: Timestamp,
) -> AppResult<String> {
    Ok(resolve(app, person, target, now).await?.excerpt)
}

/// Reports a target with a reason code and optional words ("other" needs
/// words). A second open report by the same person on the same target is
/// the first: answers its id either way.
pub async fn report(
    app: &App,
    person: &Person,
    target: &Target,
    reason: &str,
    details: &str,
    now: Timestamp,
) -> AppResult<ReportId> {
    make(app, Some(person), target, reason, details, now).await
}

/// A visitor without an account reports what a visitor may see (a listed
/// group, a published story or comment, a person by handle; never a room
/// message), as [`report`] does. Nobody is told the outcome: there is no
/// one to write to.
pub async fn report_as_visitor(
    app: &App,
    target: &Target,
    reason: &str,
    details: &str,
    now: Timestamp,
) -> AppResult<ReportId> {
    make(app, None, target, reason, details, now).await
}

async fn make(
    app: &App,
    person: Option<&Person>,
    target: &Target,
    reason: &str,
    details: &str,
    now: Timestamp,
) -> AppResult<ReportId> {
    let resolved = resolve(app, person, target, now).await?;
    let mut errors = Vec::new();
    let reason = Reason::parse(reason);
    if reason.is_none() {
        errors.push(FieldError::new("reason", "unknown_reason"));
    }
    let details = match text_within("details", details, 0, DETAILS_MAX) {
        Ok(d) if d.is_empty() && reason == Some(Reason::Other) => {
            errors.push(FieldError::new("details", "required"));
            d
        }
        Ok(d) => d,
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    let Some(reason) = reason.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let new = NewReport {
        reporter: person.map(|p| p.id),
        kind: target.kind(),
        target_id: resolved.target_id,
        target_ref: &resolved.target_ref,
        author: resolved.author,
        excerpt: &resolved.excerpt,
        reason,
        details: &details,
    };
    let (id, _new) = app.store().create_report(&new, now).await?;
    Ok(id)
}

/// The reports a person made, newest first.
pub async fn my_reports(app: &App, person: &Person) -> AppResult<Vec<ReportRecord>> {
    Ok(app.store().reports_made_by(person.id).await?)
}

/// Reports waiting for a moderator (open, or appealed), oldest first.
pub async fn queue(app: &App, person: &Person) -> AppResult<Vec<ReportRecord>> {
    authorize_on_site(Some(person), SiteAction::Moderate)?;
    Ok(app.store().reports_waiting(PAGE).await?)
}

/// One report, for a moderator.
pub async fn for_moderator(app: &App, person: &Person, id: &ReportId) -> AppResult<ReportRecord> {
    authorize_on_site(Some(person), SiteAction::Moderate)?;
    Ok(app.store().report(id).await?)
}

/// A moderator's decision, as they give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput<'a> {
    /// `dismiss`, `hide`, `warn`, `suspend` or `remove`; for an appealed
    /// report `uphold` or `overturn`.
    pub action: &'a str,
    /// Why, in words the reporter and the author read.
    pub why: &'a str,
    /// For a suspension: how many days.
    pub suspend_days: &'a str,
}

fn audit_action(action: Action) -> &'static str {
    match action {
        Action::Dismiss => "report.dismiss",
        Action::Hide => "report.hide",
        Action::Warn => "report.warn",
        Action::Suspend => "report.suspend",
        Action::Remove => "report.remove",
    }
}

/// Decides a waiting report: an open one with an [`Action`], an appealed
/// one by upholding or overturning the first decision (never by the
/// moderator who made it, where another exists). Writes its effect, audit
/// row and the mails in one transaction.
pub async fn decide(
    app: &App,
    person: &Person,
    id: &ReportId,
    input: &DecisionInput<'_>,
    now: Timestamp,
) -> AppResult<ReportRecord> {
    authorize_on_site(Some(person), SiteAction::Moderate)?;
    let store = app.store();
    let report = store.report(id).await?;
    let note = text_within("why", input.why, 1, NOTE_MAX);
    match report.status {
        ReportStatus::Open => {}
        ReportStatus::Appealed => {
            let overturn = match input.action {
                "uphold" => false,
                "overturn" => true,
                _ => return Err(invalid("action", "invalid")),
            };
            let note = note.map_err(|e| AppError::Invalid(vec![e]))?;
            let others = store.other_moderators_exist(person.id).await?;
            if !may_decide_appeal(person.id.0, report.appeal_excluded.map(|a| a.0), others) {
                return Err(AppError::Conflict(Conflict::OwnDecision));
            }
            let audit = AuditEntry {
                actor: Some(person.id),
                actor_handle: person.handle.as_str(),
                action: if overturn {
                    "report.appeal.overturn"
                } else {
                    "report.appeal.uphold"
                },
                target: format!("report:{id}"),
                reason: &note,
            };
            let told = DecisionNotices {
                site: app.site_url(),
                note: &note,
                appeal: Some(overturn),
            };
            let decided = store
                .decide_appeal(id, overturn, &audit, &told, now)
                .await?;
            after(app, &decided).await;
            return Ok(decided);
        }
        ReportStatus::Decided | ReportStatus::Closed => {
            return Err(AppError::Conflict(Conflict::InvalidStatus));
        }
    }
    let mut errors = Vec::new();
    let action = Action::parse(input.action).filter(|a| a.fits(report.kind));
    if action.is_none() {
        errors.push(FieldError::new("action", "invalid"));
    }
    let note = note.map_err(|e| errors.push(e)).unwrap_or_default();
    let suspend_until = match action {
        Some(Action::Suspend) => match input.suspend_days.trim().parse::<i64>() {
            Ok(days) if (1..=SUSPEND_MAX_DAYS).contains(&days) => {
                now.checked_add(SignedDuration::from_hours(days * 24)).ok()
            }
            _ => {
                errors.push(FieldError::new("suspend_days", "out_of_range"));
                None
            }
        },
        _ => None,
    };
    let Some(action) = action.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let removal = match (action, report.kind) {
        (Action::Hide | Action::Remove, TargetKind::RoomMessage) => {
            room_removal(app, person, &report, now).await?
        }
        _ => None,
    };
    let audit = AuditEntry {
        actor: Some(person.id),
        actor_handle: person.handle.as_str(),
        action: audit_action(action),
        target: format!(
            "{}:{}",
            report.kind.code(),
            report.target_name.as_deref().unwrap_or(id.as_str())
        ),
        reason: &note,
    };
    let decision = ReportDecision {
        action,
        note: &note,
        moderator: person.id,
        suspend_until,
        room: removal.as_ref().map(crate::rooms::SiteRemoval::command),
    };
    let told = DecisionNotices {
        site: app.site_url(),
        note: &note,
        appeal: None,
    };
    let decided = store
        .decide_report(id, &decision, &audit, &told, now)
        .await?;
    after(app, &decided).await;
    Ok(decided)
}

/// The removal of a reported room message from its room, while the room
/// still has it (not after the facilitator removed it, nor once the room
/// closed and its log went with it).
async fn room_removal(
    app: &App,
    person: &Person,
    report: &ReportRecord,
    now: Timestamp,
) -> AppResult<Option<crate::rooms::SiteRemoval>> {
    let (Some(meeting), Ok(number)) = (
        OccurrenceId::parse(&report.target_ref),
        u64::try_from(report.target_id),
    ) else {
        return Ok(None);
    };
    let client_id = format!("report-{}", report.id);
    crate::rooms::site_removal(app, &meeting, number, person.id, client_id, now).await
}

/// What a decision changes beyond the store: the public pages, and the
/// rooms of a suspended (or no longer suspended) author.
async fn after(app: &App, report: &ReportRecord) {
    app.mailed();
    if report.kind == TargetKind::Group {
        app.public_changed();
        app.access_changed(AccessChange::Group(kith_domain::ids::GroupId(
            report.target_id,
        )))
        .await;
    }
    if let Some(author) = report.author {
        app.access_changed(AccessChange::Account(author)).await;
    }
}

/// A decided report about `person`'s content, for its appeal page;
/// `NotFound` for anyone else (and it never says who reported).
pub async fn for_author(app: &App, person: &Person, id: &ReportId) -> AppResult<ReportRecord> {
    let report = app.store().report(id).await?;
    if report.author != Some(person.id) || report.status == ReportStatus::Open {
        return Err(AppError::NotFound);
    }
    Ok(report)
}

/// The author appeals a decision once, in their own words; it goes back
/// to the queue for another moderator, and the moderators who may decide
/// it are mailed in the same transaction.
pub async fn appeal(
    app: &App,
    person: &Person,
    id: &ReportId,
    text: &str,
    now: Timestamp,
) -> AppResult<()> {
    let report = for_author(app, person, id).await?;
    if report.status != ReportStatus::Decided || report.appealed_at.is_some() {
        return Err(AppError::Conflict(Conflict::InvalidStatus));
    }
    let text = text_within("appeal", text, 1, NOTE_MAX).map_err(|e| AppError::Invalid(vec![e]))?;
    let store = app.store();
    let staff: Vec<i64> = store.staff_accounts().await?.iter().map(|a| a.0).collect();
    let deciders = appeal_deciders(&staff, report.decided_by.map(|a| a.0), Some(person.id.0));
    let mail = AppealWaiting {
        kind: report.kind.code(),
        queue_url: app.site_url().link("/moderation/reports"),
    };
    let audience = Audience::Accounts(deciders.into_iter().map(AccountId).collect());
    let told = Tell::fixed(app.site_url(), audience, mail);
    store
        .appeal_report(id, person.id, &text, &told, now)
        .await?;
    app.mailed();
    Ok(())
}

/// Mails the admins the reports waiting over 48 hours, once per UTC day
/// whatever the number of instances; answers whether it mailed.
pub async fn mail_overdue(app: &App, now: Timestamp) -> AppResult<bool> {
    let store = app.store();
    let since = now.checked_sub(OVERDUE).unwrap_or(now);
    let overdue = store.open_reports_since(since).await?;
    if overdue.is_empty() {
        return Ok(false);
    }
    let admins = store.admin_accounts().await?;
    let mail = ReportsOverdue {
        count: overdue.len(),
        queue_url: app.site_url().link("/moderation/reports"),
    };
    let told = Tell::fixed(app.site_url(), Audience::Accounts(admins), mail);
    let claimed = store
        .claim_report_digest(digest_day(now), &overdue, &told, now)
        .await?;
    if claimed {
        app.mailed();
    }
    Ok(claimed)
}

/// Checks for overdue reports every `every`, for `kith serve`.
pub async fn run_overdue_digest(app: App, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        match mail_overdue(&app, app.now()).await {
            Ok(false) => {}
            Ok(true) => tracing::info!("overdue reports mailed to the admins"),
            Err(err) => tracing::warn!(error = %err, "could not mail overdue reports"),
        }
    }
}

/// A report one made, in one's export.
#[derive(Debug, serde::Serialize)]
pub struct ReportSection {
    /// `group`, `person`, `room_message`, `story` or `comment`.
    pub kind: &'static str,
    /// What was reported, as one saw it.
    pub excerpt: String,
    /// The reason's code.
    pub reason: &'static str,
    /// One's own words.
    pub details: String,
    /// Where it stands.
    pub status: &'static str,
    /// What was decided, if anything.
    pub decision: Option<&'static str>,
    /// When it was made, RFC 3339.
    pub created_at: String,
}

/// The export's section of reports one made.
pub(crate) async fn export_section(app: &App, person: &Person) -> AppResult<Vec<ReportSection>> {
    Ok(my_reports(app, person)
        .await?
        .into_iter()
        .map(|r| ReportSection {
            kind: r.kind.code(),
            excerpt: r.excerpt,
            reason: r.reason.code(),
            details: r.details,
            status: r.status.code(),
            decision: r.decision.map(Action::code),
            created_at: r.created_at.to_string(),
        })
        .collect())
}
