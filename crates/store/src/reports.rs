//! Reports and what moderators decide about them: making one (a second
//! open report by the same person on the same target is the first), the
//! queue, a decision with its effect on the target, its audit row and its
//! mail in one transaction, one appeal, and the daily digest of overdue
//! reports. [`ReportStore`] and its one implementation for both backends
//! (`imp`).
//!
//! A target is a kind and an internal id: the effect of hiding or
//! removing it is one statement per kind (`imp::effect`), so a new kind is
//! one enum variant and one statement — but a room message, which lives in
//! its room's log, leaves it by a command the decision appends there.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::ids::ReportId;
use kith_domain::reports::{Action, Reason, ReportStatus, TargetKind};

use crate::StoreResult;
use crate::mail::Notices;
use crate::model::{AccountId, AuditEntry};
use crate::rooms::SiteCommand;

/// A report going in.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    /// Who reports; `None` for a visitor without an account.
    pub reporter: Option<AccountId>,
    /// What kind of thing.
    pub kind: TargetKind,
    /// Its internal id.
    pub target_id: i64,
    /// A room message's meeting; empty for other kinds.
    pub target_ref: &'a str,
    /// Whom it is about.
    pub author: Option<AccountId>,
    /// What the reporter saw.
    pub excerpt: &'a str,
    /// Why.
    pub reason: Reason,
    /// Their own words.
    pub details: &'a str,
}

/// A report as moderators, its reporter and its author read it (each use
/// case shows each only what is theirs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRecord {
    /// Its public id.
    pub id: ReportId,
    /// Who reported; `None` for a visitor.
    pub reporter: Option<AccountId>,
    /// Their handle, for moderators only; `None` for a visitor.
    pub reporter_handle: Option<String>,
    /// What kind of thing.
    pub kind: TargetKind,
    /// Its internal id.
    pub target_id: i64,
    /// A room message's meeting; empty for other kinds.
    pub target_ref: String,
    /// How the target is named: a listing's slug, a person's handle, a
    /// story's or comment's public id, a room message's meeting; `None`
    /// once it is gone.
    pub target_name: Option<String>,
    /// Whom it is about.
    pub author: Option<AccountId>,
    /// Their handle.
    pub author_handle: Option<String>,
    /// What the reporter saw.
    pub excerpt: String,
    /// Why.
    pub reason: Reason,
    /// The reporter's words.
    pub details: String,
    /// Where it stands.
    pub status: ReportStatus,
    /// What was decided.
    pub decision: Option<Action>,
    /// The moderator's reason, told to both sides.
    pub decision_note: Option<String>,
    /// Who decided.
    pub decided_by: Option<AccountId>,
    /// When.
    pub decided_at: Option<Timestamp>,
    /// Until when the author is suspended, for a suspension.
    pub suspended_until: Option<Timestamp>,
    /// The author's appeal.
    pub appeal_text: Option<String>,
    /// When they appealed.
    pub appealed_at: Option<Timestamp>,
    /// The moderator who may not decide the appeal (the first decider).
    pub appeal_excluded: Option<AccountId>,
    /// `upheld` or `overturned`, once the appeal is decided.
    pub appeal_outcome: Option<String>,
    /// When it was made.
    pub created_at: Timestamp,
}

/// A moderator's decision on an open report.
#[derive(Debug, Clone, Copy)]
pub struct ReportDecision<'a> {
    /// What they decided.
    pub action: Action,
    /// Why, in words both sides read.
    pub note: &'a str,
    /// Who decided.
    pub moderator: AccountId,
    /// For a suspension, until when.
    pub suspend_until: Option<Timestamp>,
    /// For a room message hidden or removed: the site's removal, appended
    /// to its room's log with the decision while the room is open.
    pub room: Option<SiteCommand<'a>>,
}

/// Reports, decisions and appeals.
#[async_trait]
pub trait ReportStore {
    /// Makes a report, or answers the same member's open report on the
    /// same target: its id, and whether it is new (a visitor's always is).
    async fn create_report(
        &self,
        report: &NewReport<'_>,
        now: Timestamp,
    ) -> StoreResult<(ReportId, bool)>;

    /// One report; `NotFound` when there is none.
    async fn report(&self, id: &ReportId) -> StoreResult<ReportRecord>;

    /// Reports waiting for a moderator (open or appealed), oldest first.
    async fn reports_waiting(&self, limit: u32) -> StoreResult<Vec<ReportRecord>>;

    /// The reports a person made, newest first.
    async fn reports_made_by(&self, reporter: AccountId) -> StoreResult<Vec<ReportRecord>>;

    /// Decides an open report: its effect on the target (hiding or
    /// removing it, a room message by the decision's [`SiteCommand`];
    /// suspending its author and ending their sessions), its audit row and
    /// the mail `notices` makes of the decided report, in one transaction.
    /// `Stale` (nothing written) when it is no longer open.
    async fn decide_report(
        &self,
        id: &ReportId,
        decision: &ReportDecision<'_>,
        audit: &AuditEntry<'_>,
        notices: &dyn Notices<ReportRecord>,
        now: Timestamp,
    ) -> StoreResult<ReportRecord>;

    /// The author appeals a decided report, once, with the mail `notices`
    /// makes of the appealed report in the same transaction; `Stale`
    /// (nothing written) when it is not theirs to appeal (not decided,
    /// appealed already, not the author).
    async fn appeal_report(
        &self,
        id: &ReportId,
        author: AccountId,
        text: &str,
        notices: &dyn Notices<ReportRecord>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Decides an appeal: upheld keeps the decision; overturned lifts a
    /// suspension and shows hidden content again. With its audit row and
    /// mail; `Stale` when it is not appealed.
    async fn decide_appeal(
        &self,
        id: &ReportId,
        overturn: bool,
        audit: &AuditEntry<'_>,
        notices: &dyn Notices<ReportRecord>,
        now: Timestamp,
    ) -> StoreResult<ReportRecord>;

    /// Open reports made at or before `before`, oldest first.
    async fn open_reports_since(&self, before: Timestamp) -> StoreResult<Vec<ReportRecord>>;

    /// Claims `day`'s digest of overdue reports and writes its mail in the
    /// same transaction: `false` (nothing written) when it was claimed
    /// already, by this or another instance.
    async fn claim_report_digest(
        &self,
        day: i64,
        overdue: &[ReportRecord],
        notices: &dyn Notices<[ReportRecord]>,
        now: Timestamp,
    ) -> StoreResult<bool>;

    /// Until when an account is suspended, if it is at `now`.
    async fn suspended_until(
        &self,
        account: AccountId,
        now: Timestamp,
    ) -> StoreResult<Option<Timestamp>>;

    /// Whether a moderator or admin other than `except` exists.
    async fn other_moderators_exist(&self, except: AccountId) -> StoreResult<bool>;

    /// The admins' accounts, whom overdue reports are mailed to.
    async fn admin_accounts(&self) -> StoreResult<Vec<AccountId>>;
}

pub(crate) const COLUMNS: &str =
    "SELECT r.public_id, r.reporter_id, ra.handle AS reporter_handle, r.target_kind,
    r.target_id, r.target_ref,
    CASE r.target_kind
        WHEN 'group' THEN (SELECT g.slug FROM groups g WHERE g.id = r.target_id)
        WHEN 'person' THEN (SELECT p.handle FROM accounts p WHERE p.id = r.target_id)
        WHEN 'story' THEN (SELECT s.public_id FROM stories s WHERE s.id = r.target_id)
        WHEN 'comment' THEN (SELECT c.public_id FROM comments c WHERE c.id = r.target_id)
        ELSE r.target_ref END AS target_name,
    r.author_id, aa.handle AS author_handle, r.excerpt, r.reason, r.details, r.status,
    r.decision, r.decision_note, r.decided_by, r.decided_at, r.suspended_until,
    r.appeal_text, r.appealed_at, r.appeal_excluded_id, r.appeal_outcome, r.created_at
FROM reports r LEFT JOIN accounts ra ON ra.id = r.reporter_id
LEFT JOIN accounts aa ON aa.id = r.author_id";
pub(crate) const OPEN_DUPLICATE: &str = "SELECT public_id FROM reports
WHERE reporter_id = $1 AND target_kind = $2 AND target_id = $3 AND target_ref = $4
    AND status = 'open'";
pub(crate) const INSERT_REPORT: &str = "INSERT INTO reports (public_id, reporter_id,
    target_kind, target_id, target_ref, author_id, excerpt, reason, details, status, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10)";
pub(crate) const SET_DECIDED: &str = "UPDATE reports SET status = 'decided', decision = $2,
    decision_note = $3, decided_by = $4, decided_at = $5, suspended_until = $6
WHERE public_id = $1 AND status = 'open'";
pub(crate) const SET_APPEALED: &str = "UPDATE reports SET status = 'appealed',
    appeal_text = $3, appealed_at = $4, appeal_excluded_id = decided_by
WHERE public_id = $1 AND author_id = $2 AND status = 'decided' AND appealed_at IS NULL";
pub(crate) const SET_APPEAL_DECIDED: &str =
    "UPDATE reports SET status = 'closed', appeal_outcome = $2
WHERE public_id = $1 AND status = 'appealed'";
pub(crate) const SUSPEND: &str = "UPDATE accounts SET suspended_until = $2 WHERE id = $1";
pub(crate) const LIFT_SUSPENSION: &str =
    "UPDATE accounts SET suspended_until = NULL WHERE id = $1 AND suspended_until = $2";
pub(crate) const END_SESSIONS: &str = "DELETE FROM sessions WHERE account_id = $1";
pub(crate) const SUSPENDED_UNTIL: &str =
    "SELECT suspended_until FROM accounts WHERE id = $1 AND suspended_until > $2";
pub(crate) const OTHER_MODERATORS: &str =
    "SELECT COUNT(*) FROM accounts WHERE role IN ('moderator', 'admin') AND id <> $1";
pub(crate) const ADMINS: &str = "SELECT id FROM accounts WHERE role = 'admin' ORDER BY id";
pub(crate) const CLAIM_DIGEST: &str = "INSERT INTO report_digests (day, sent_at) VALUES ($1, $2)
ON CONFLICT (day) DO NOTHING";

mod imp;
