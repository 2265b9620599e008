//! The one implementation of [`ReportStore`], for both backends. A
//! decision, its effect on the target, its audit row and its mail are one
//! transaction.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::ids::ReportId;
use kith_domain::reports::{Action, Reason, ReportStatus, TargetKind};

use super::{
    ADMINS, CLAIM_DIGEST, COLUMNS, END_SESSIONS, INSERT_REPORT, LIFT_SUSPENSION, NewReport,
    OPEN_DUPLICATE, OTHER_MODERATORS, ReportDecision, ReportRecord, ReportStore,
    SET_APPEAL_DECIDED, SET_APPEALED, SET_DECIDED, SUSPEND, SUSPENDED_UNTIL,
};
use crate::audit::insert_audit;
use crate::db::{Tx, query};
use crate::mail::Notices;
use crate::mail::notices::write_notices;
use crate::model::{AccountId, AuditEntry};
use crate::rooms::{Announcement, append_site_command};
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult, from_seconds};

#[derive(sqlx::FromRow)]
struct ReportRow {
    public_id: String,
    reporter_id: Option<i64>,
    reporter_handle: Option<String>,
    target_kind: String,
    target_id: i64,
    target_ref: String,
    target_name: Option<String>,
    author_id: Option<i64>,
    author_handle: Option<String>,
    excerpt: String,
    reason: String,
    details: String,
    status: String,
    decision: Option<String>,
    decision_note: Option<String>,
    decided_by: Option<i64>,
    decided_at: Option<i64>,
    suspended_until: Option<i64>,
    appeal_text: Option<String>,
    appealed_at: Option<i64>,
    appeal_excluded_id: Option<i64>,
    appeal_outcome: Option<String>,
    created_at: i64,
}

fn time(seconds: Option<i64>) -> StoreResult<Option<Timestamp>> {
    seconds.map(from_seconds).transpose()
}

impl TryFrom<ReportRow> for ReportRecord {
    type Error = StoreError;

    fn try_from(row: ReportRow) -> StoreResult<Self> {
        let corrupt = |what| move || StoreError::corrupt(what);
        Ok(Self {
            id: ReportId::from_trusted(row.public_id),
            reporter: row.reporter_id.map(AccountId),
            reporter_handle: row.reporter_handle,
            kind: TargetKind::parse(&row.target_kind).ok_or_else(corrupt("report kind"))?,
            target_id: row.target_id,
            target_ref: row.target_ref,
            target_name: row.target_name,
            author: row.author_id.map(AccountId),
            author_handle: row.author_handle,
            excerpt: row.excerpt,
            reason: Reason::parse(&row.reason).ok_or_else(corrupt("report reason"))?,
            details: row.details,
            status: ReportStatus::parse(&row.status).ok_or_else(corrupt("report status"))?,
            decision: row
                .decision
                .map(|d| Action::parse(&d).ok_or_else(corrupt("report decision")))
                .transpose()?,
            decision_note: row.decision_note,
            decided_by: row.decided_by.map(AccountId),
            decided_at: time(row.decided_at)?,
            suspended_until: time(row.suspended_until)?,
            appeal_text: row.appeal_text,
            appealed_at: time(row.appealed_at)?,
            appeal_excluded: row.appeal_excluded_id.map(AccountId),
            appeal_outcome: row.appeal_outcome,
            created_at: from_seconds(row.created_at)?,
        })
    }
}

fn records(rows: Vec<ReportRow>) -> StoreResult<Vec<ReportRecord>> {
    rows.into_iter().map(ReportRecord::try_from).collect()
}

async fn read(tx: &mut Tx, id: &ReportId) -> StoreResult<ReportRecord> {
    let text = format!("{COLUMNS} WHERE r.public_id = $1");
    let row: ReportRow = query(text).bind(id.as_str()).fetch_one(tx).await?;
    row.try_into()
}

/// Hides or removes a report's target: one statement per kind. A room
/// message lives in its room's log, which only commands change (the
/// decision's `room`), and a person has no content.
async fn effect(
    tx: &mut Tx,
    kind: TargetKind,
    target: i64,
    action: Action,
    note: &str,
    now: Timestamp,
) -> StoreResult<()> {
    match (action, kind) {
        (Action::Hide, TargetKind::Group) => {
            query(
                "UPDATE groups SET status = 'unlisted', review_note = $2, updated_at = $3
                 WHERE id = $1 AND status = 'listed'",
            )
            .bind(target)
            .bind(note)
            .bind(now)
            .execute(tx)
            .await?;
        }
        (Action::Hide, TargetKind::Story) => {
            query("UPDATE stories SET status = 'hidden', updated_at = $2 WHERE id = $1")
                .bind(target)
                .bind(now)
                .execute(tx)
                .await?;
        }
        (Action::Hide, TargetKind::Comment) => {
            query("UPDATE comments SET status = 'hidden' WHERE id = $1 AND status <> 'deleted'")
                .bind(target)
                .execute(tx)
                .await?;
        }
        (Action::Remove, TargetKind::Story) => {
            query("DELETE FROM stories WHERE id = $1")
                .bind(target)
                .execute(tx)
                .await?;
        }
        (Action::Remove, TargetKind::Comment) => {
            query("UPDATE comments SET status = 'deleted', body = '' WHERE id = $1")
                .bind(target)
                .execute(tx)
                .await?;
        }
        _ => {}
    }
    Ok(())
}

/// Shows hidden content again, when an appeal overturns the hiding.
async fn undo_hide(tx: &mut Tx, kind: TargetKind, target: i64, now: Timestamp) -> StoreResult<()> {
    let statement = match kind {
        TargetKind::Group => query(
            "UPDATE groups SET status = 'listed', review_note = NULL, updated_at = $2
             WHERE id = $1 AND status = 'unlisted'",
        )
        .bind(target)
        .bind(now),
        TargetKind::Story => query(
            "UPDATE stories SET status = 'published', updated_at = $2
             WHERE id = $1 AND status = 'hidden'",
        )
        .bind(target)
        .bind(now),
        TargetKind::Comment => {
            query("UPDATE comments SET status = 'published' WHERE id = $1 AND status = 'hidden'")
                .bind(target)
        }
        TargetKind::Person | TargetKind::RoomMessage => return Ok(()),
    };
    statement.execute(tx).await?;
    Ok(())
}

#[async_trait]
impl ReportStore for SqlStore {
    async fn create_report(
        &self,
        report: &NewReport<'_>,
        now: Timestamp,
    ) -> StoreResult<(ReportId, bool)> {
        let mut tx = self.db().begin().await?;
        // A visitor is nobody to hold to one report: each of theirs is new.
        if let Some(reporter) = report.reporter {
            let existing: Option<String> = query(OPEN_DUPLICATE)
                .bind(reporter.0)
                .bind(report.kind.code())
                .bind(report.target_id)
                .bind(report.target_ref)
                .scalar_optional(&mut tx)
                .await?;
            if let Some(id) = existing {
                return Ok((ReportId::from_trusted(id), false));
            }
        }
        let id = ReportId::random();
        query(INSERT_REPORT)
            .bind(id.as_str())
            .bind(report.reporter.map(|r| r.0))
            .bind(report.kind.code())
            .bind(report.target_id)
            .bind(report.target_ref)
            .bind(report.author.map(|a| a.0))
            .bind(report.excerpt)
            .bind(report.reason.code())
            .bind(report.details)
            .bind(now)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok((id, true))
    }

    async fn report(&self, id: &ReportId) -> StoreResult<ReportRecord> {
        let text = format!("{COLUMNS} WHERE r.public_id = $1");
        let row: ReportRow = query(text).bind(id.as_str()).fetch_one(self.db()).await?;
        row.try_into()
    }

    async fn reports_waiting(&self, limit: u32) -> StoreResult<Vec<ReportRecord>> {
        let text = format!(
            "{COLUMNS} WHERE r.status IN ('open', 'appealed')
             ORDER BY COALESCE(r.appealed_at, r.created_at), r.id LIMIT $1"
        );
        records(
            query(text)
                .bind(i64::from(limit))
                .fetch_all(self.db())
                .await?,
        )
    }

    async fn reports_made_by(&self, reporter: AccountId) -> StoreResult<Vec<ReportRecord>> {
        let text =
            format!("{COLUMNS} WHERE r.reporter_id = $1 ORDER BY r.created_at DESC, r.id DESC");
        records(query(text).bind(reporter.0).fetch_all(self.db()).await?)
    }

    async fn decide_report(
        &self,
        id: &ReportId,
        decision: &ReportDecision<'_>,
        audit: &AuditEntry<'_>,
        notices: &dyn Notices<ReportRecord>,
        now: Timestamp,
    ) -> StoreResult<ReportRecord> {
        let mut tx = self.db().begin().await?;
        let done = query(SET_DECIDED)
            .bind(id.as_str())
            .bind(decision.action.code())
            .bind(decision.note)
            .bind(decision.moderator.0)
            .bind(now)
            .bind(decision.suspend_until)
            .execute(&mut tx)
            .await?;
        if done == 0 {
            return Err(StoreError::Stale);
        }
        let report = read(&mut tx, id).await?;
        effect(
            &mut tx,
            report.kind,
            report.target_id,
            decision.action,
            decision.note,
            now,
        )
        .await?;
        let appended = match &decision.room {
            Some(command) => append_site_command(&mut tx, command).await?,
            None => None,
        };
        if let (Action::Suspend, Some(author), Some(until)) =
            (decision.action, report.author, decision.suspend_until)
        {
            query(SUSPEND)
                .bind(author.0)
                .bind(until)
                .execute(&mut tx)
                .await?;
            query(END_SESSIONS).bind(author.0).execute(&mut tx).await?;
        }
        insert_audit(&mut tx, audit, now).await?;
        write_notices(&mut tx, notices, &report, now).await?;
        tx.commit().await?;
        if let (Some(command), Some(seq)) = (&decision.room, appended) {
            self.announce_in_process(Announcement::Appended {
                occurrence: command.occurrence.clone(),
                seq,
            });
        }
        Ok(report)
    }

    async fn appeal_report(
        &self,
        id: &ReportId,
        author: AccountId,
        text: &str,
        notices: &dyn Notices<ReportRecord>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        let done = query(SET_APPEALED)
            .bind(id.as_str())
            .bind(author.0)
            .bind(text)
            .bind(now)
            .execute(&mut tx)
            .await?;
        if done == 0 {
            return Err(StoreError::Stale);
        }
        let report = read(&mut tx, id).await?;
        write_notices(&mut tx, notices, &report, now).await?;
        tx.commit().await
    }

    async fn decide_appeal(
        &self,
        id: &ReportId,
        overturn: bool,
        audit: &AuditEntry<'_>,
        notices: &dyn Notices<ReportRecord>,
        now: Timestamp,
    ) -> StoreResult<ReportRecord> {
        let mut tx = self.db().begin().await?;
        let outcome = if overturn { "overturned" } else { "upheld" };
        let done = query(SET_APPEAL_DECIDED)
            .bind(id.as_str())
            .bind(outcome)
            .execute(&mut tx)
            .await?;
        if done == 0 {
            return Err(StoreError::Stale);
        }
        let report = read(&mut tx, id).await?;
        if overturn {
            if report.decision == Some(Action::Hide) {
                undo_hide(&mut tx, report.kind, report.target_id, now).await?;
            }
            if let (Some(author), Some(until)) = (report.author, report.suspended_until) {
                query(LIFT_SUSPENSION)
                    .bind(author.0)
                    .bind(until)
                    .execute(&mut tx)
                    .await?;
            }
        }
        insert_audit(&mut tx, audit, now).await?;
        write_notices(&mut tx, notices, &report, now).await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn open_reports_since(&self, before: Timestamp) -> StoreResult<Vec<ReportRecord>> {
        let text = format!(
            "{COLUMNS} WHERE r.status = 'open' AND r.created_at <= $1 ORDER BY r.created_at, r.id"
        );
        records(query(text).bind(before).fetch_all(self.db()).await?)
    }

    async fn claim_report_digest(
        &self,
        day: i64,
        overdue: &[ReportRecord],
        notices: &dyn Notices<[ReportRecord]>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.db().begin().await?;
        let claimed = query(CLAIM_DIGEST)
            .bind(day)
            .bind(now)
            .execute(&mut tx)
            .await?;
        if claimed == 0 {
            return Ok(false);
        }
        write_notices(&mut tx, notices, overdue, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn suspended_until(
        &self,
        account: AccountId,
        now: Timestamp,
    ) -> StoreResult<Option<Timestamp>> {
        let until: Option<Option<i64>> = query(SUSPENDED_UNTIL)
            .bind(account.0)
            .bind(now)
            .scalar_optional(self.db())
            .await?;
        time(until.flatten())
    }

    async fn other_moderators_exist(&self, except: AccountId) -> StoreResult<bool> {
        let count: i64 = query(OTHER_MODERATORS)
            .bind(except.0)
            .scalar(self.db())
            .await?;
        Ok(count > 0)
    }

    async fn admin_accounts(&self) -> StoreResult<Vec<AccountId>> {
        let ids: Vec<i64> = query(ADMINS).scalars(self.db()).await?;
        Ok(ids.into_iter().map(AccountId).collect())
    }
}

#[cfg(test)]
mod tests;
