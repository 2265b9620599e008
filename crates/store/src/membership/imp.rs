//! The one implementation of [`MembershipStore`], for both backends. A
//! change of a request's state takes the group's row lock first (one
//! statement serves both: [`LOCK_GROUP`](super::LOCK_GROUP)), so the room
//! it counts stays true until it commits; on SQLite the transaction's
//! `BEGIN IMMEDIATE` already lets one writer in at a time. The statements
//! a change runs inside its transaction are in `rows`.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::ids::{GroupId, InvitationId, OccurrenceId, RequestId, Slug};
use kith_domain::membership::{Refusal, RequestState, frees_a_place};

use super::{
    ANSWER_WAITS, ATTENDING_COUNT, CLAIM_REMINDER, DUE_REMINDERS, DueReminder, FIRST_WAITING,
    HOSTS_SHIFT, INSERT_INVITATION, INSERT_REQUEST, INVITATION_GROUP, INVITATIONS, IS_MEMBER,
    InvitationRecord, InvitationRow, MEETING, MeetingRow, MembershipStore, MessageRecord,
    NewMessage, OCCURRENCE_GROUP, PERSONAL_MEETINGS, PUT_FIRST_HOST, PersonalMeeting, PersonalRow,
    REASK, REMOVE_HOST, REQUEST_KEYS, REQUEST_ROW_ID, REQUEST_STATE, REVOKE_INVITATION, RSVPS_OF,
    ReminderRow, RequestRecord, RequestRow, SET_ATTENDING, SET_STATE, STATE_OF_ROW, Step, THREAD,
    Transition, open_policy_among, parse_state, request_by_public_id, requests_of_account,
    requests_of_group, rows_into_records,
};
use crate::db::query;
use crate::mail::Notices;
use crate::mail::notices::write_notices;
use crate::model::{AccountId, OccurrenceTime};
use crate::sql::IS_HOST;
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult, from_seconds};

mod rows;

use rows::{count, insert_message, lock_group, request_by_row, room_of};

#[async_trait]
impl MembershipStore for SqlStore {
    async fn request_state(
        &self,
        group: GroupId,
        account: AccountId,
    ) -> StoreResult<Option<RequestState>> {
        let state: Option<String> = query(REQUEST_STATE)
            .bind(group.0)
            .bind(account.0)
            .scalar_optional(self.db())
            .await?;
        state.as_deref().map(parse_state).transpose()
    }

    async fn ask_to_join(
        &self,
        group: GroupId,
        account: AccountId,
        answer: &str,
        step: Step<'_>,
        notices: &dyn Notices<Transition>,
        now: Timestamp,
    ) -> StoreResult<Result<Transition, Refusal>> {
        let mut tx = self.db().begin().await?;
        lock_group(&mut tx, group.0).await?;
        let room = room_of(&mut tx, group.0).await?;
        let previous: Option<String> = query(REQUEST_STATE)
            .bind(group.0)
            .bind(account.0)
            .scalar_optional(&mut tx)
            .await?;
        let before = previous.as_deref().map(parse_state).transpose()?;
        let next = match step(before, room) {
            Ok(next) => next,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let row_id: i64 = if before.is_some() {
            // Asking again keeps the request's id, and so its thread.
            let id: i64 = query(REQUEST_ROW_ID)
                .bind(group.0)
                .bind(account.0)
                .scalar(&mut tx)
                .await?;
            query(REASK)
                .bind(id)
                .bind(next.code())
                .bind(answer)
                .bind(now)
                .execute(&mut tx)
                .await?;
            id
        } else {
            query(INSERT_REQUEST)
                .bind(RequestId::random().as_str().to_owned())
                .bind(group.0)
                .bind(account.0)
                .bind(next.code())
                .bind(answer)
                .bind(now)
                .scalar(&mut tx)
                .await?
        };
        let request = request_by_row(&mut tx, row_id).await?;
        let transition = Transition {
            before,
            request,
            promoted: None,
        };
        write_notices(&mut tx, notices, &transition, now).await?;
        tx.commit().await?;
        Ok(Ok(transition))
    }

    async fn change_request(
        &self,
        request: &RequestId,
        step: Step<'_>,
        message: Option<NewMessage<'_>>,
        notices: &dyn Notices<Transition>,
        now: Timestamp,
    ) -> StoreResult<Result<Transition, Refusal>> {
        let mut tx = self.db().begin().await?;
        let (row_id, group, _): (i64, i64, String) = query(REQUEST_KEYS)
            .bind(request.as_str())
            .fetch_one(&mut tx)
            .await?;
        lock_group(&mut tx, group).await?;
        // Read under the lock: a change that committed while this one
        // waited for it has moved the request on.
        let state: String = query(STATE_OF_ROW).bind(row_id).scalar(&mut tx).await?;
        let room = room_of(&mut tx, group).await?;
        let before = parse_state(&state)?;
        let next = match step(Some(before), room) {
            Ok(next) => next,
            Err(refusal) => return Ok(Err(refusal)),
        };
        query(SET_STATE)
            .bind(row_id)
            .bind(next.code())
            .bind(now)
            .execute(&mut tx)
            .await?;
        if let Some(message) = message {
            insert_message(request, message, now)
                .execute(&mut tx)
                .await?;
        }
        let mut promoted = None;
        if frees_a_place(before, next) && room_of(&mut tx, group).await?.has_place() {
            let waiting: Option<i64> = query(FIRST_WAITING)
                .bind(group)
                .scalar_optional(&mut tx)
                .await?;
            if let Some(waiting) = waiting {
                query(SET_STATE)
                    .bind(waiting)
                    .bind(RequestState::Approved.code())
                    .bind(now)
                    .execute(&mut tx)
                    .await?;
                promoted = Some(request_by_row(&mut tx, waiting).await?);
            }
        }
        let request = request_by_row(&mut tx, row_id).await?;
        let transition = Transition {
            before: Some(before),
            request,
            promoted,
        };
        write_notices(&mut tx, notices, &transition, now).await?;
        tx.commit().await?;
        Ok(Ok(transition))
    }

    async fn request(&self, request: &RequestId) -> StoreResult<RequestRecord> {
        let row: RequestRow = query(request_by_public_id())
            .bind(request.as_str())
            .fetch_one(self.db())
            .await?;
        row.into_record()
    }

    async fn group_requests(
        &self,
        group: GroupId,
        states: &[RequestState],
    ) -> StoreResult<Vec<RequestRecord>> {
        if states.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = query(requests_of_group(states.len())).bind(group.0);
        for state in states {
            q = q.bind(state.code());
        }
        rows_into_records(q.fetch_all(self.db()).await?)
    }

    async fn open_policy_groups(&self, slugs: &[Slug]) -> StoreResult<Vec<Slug>> {
        if slugs.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = query(open_policy_among(slugs.len()));
        for slug in slugs {
            q = q.bind(slug.as_str());
        }
        let found: Vec<String> = q.scalars(self.db()).await?;
        found
            .iter()
            .map(|s| Slug::parse(s).ok_or_else(|| StoreError::corrupt("slug")))
            .collect()
    }

    async fn answer_waits(&self, group: &Slug, limit: u32) -> StoreResult<Vec<i64>> {
        query(ANSWER_WAITS)
            .bind(group.as_str())
            .bind(i64::from(limit))
            .scalars(self.db())
            .await
    }

    async fn account_requests(&self, account: AccountId) -> StoreResult<Vec<RequestRecord>> {
        let rows: Vec<RequestRow> = query(requests_of_account())
            .bind(account.0)
            .fetch_all(self.db())
            .await?;
        rows_into_records(rows)
    }

    async fn thread(&self, request: &RequestId) -> StoreResult<Vec<MessageRecord>> {
        let rows: Vec<(Option<String>, i64, String, i64, i64)> = query(THREAD)
            .bind(request.as_str())
            .fetch_all(self.db())
            .await?;
        rows.into_iter()
            .map(|(author, from_host, body, created_at, hidden)| {
                Ok(MessageRecord {
                    author,
                    from_host: from_host != 0,
                    body,
                    created_at: from_seconds(created_at)?,
                    hidden_from_hosts: hidden != 0,
                })
            })
            .collect()
    }

    async fn post_message(
        &self,
        request: &RequestId,
        message: NewMessage<'_>,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        insert_message(request, message, now)
            .execute(&mut tx)
            .await?;
        write_notices(&mut tx, notices, &(), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_invitation(
        &self,
        group: GroupId,
        id: &InvitationId,
        token_hash: &str,
        created_by: AccountId,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<()> {
        query(INSERT_INVITATION)
            .bind(id.as_str())
            .bind(token_hash)
            .bind(group.0)
            .bind(created_by.0)
            .bind(now)
            .bind(expires_at)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn invitations(&self, group: GroupId) -> StoreResult<Vec<InvitationRecord>> {
        let rows: Vec<InvitationRow> = query(INVITATIONS)
            .bind(group.0)
            .fetch_all(self.db())
            .await?;
        rows.into_iter().map(InvitationRow::into_record).collect()
    }

    async fn revoke_invitation(
        &self,
        group: GroupId,
        id: &InvitationId,
        now: Timestamp,
    ) -> StoreResult<()> {
        query(REVOKE_INVITATION)
            .bind(group.0)
            .bind(id.as_str())
            .bind(now)
            .execute_or_not_found(self.db())
            .await
    }

    async fn invitation_group(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<Slug>> {
        let slug: Option<String> = query(INVITATION_GROUP)
            .bind(token_hash)
            .bind(now)
            .scalar_optional(self.db())
            .await?;
        Ok(slug.map(Slug::from_trusted))
    }

    async fn set_attending(
        &self,
        occurrence: &OccurrenceId,
        account: AccountId,
        attending: bool,
        now: Timestamp,
    ) -> StoreResult<()> {
        query(SET_ATTENDING)
            .bind(occurrence.as_str())
            .bind(account.0)
            .bind(i64::from(attending))
            .bind(now)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn meeting(&self, occurrence: &OccurrenceId) -> StoreResult<(Slug, OccurrenceTime)> {
        let row: MeetingRow = query(MEETING)
            .bind(occurrence.as_str())
            .fetch_one(self.db())
            .await?;
        Ok((Slug::from_trusted(row.slug), row.occurrence.into_time()?))
    }

    async fn attending_count(&self, occurrence: &OccurrenceId) -> StoreResult<u64> {
        let n: i64 = query(ATTENDING_COUNT)
            .bind(occurrence.as_str())
            .scalar(self.db())
            .await?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    async fn occurrence_group(
        &self,
        occurrence: &OccurrenceId,
        now: Timestamp,
    ) -> StoreResult<Slug> {
        let slug: String = query(OCCURRENCE_GROUP)
            .bind(occurrence.as_str())
            .bind(now)
            .scalar(self.db())
            .await?;
        Ok(Slug::from_trusted(slug))
    }

    async fn personal_meetings(
        &self,
        account: AccountId,
        from: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<PersonalMeeting>> {
        let rows: Vec<PersonalRow> = query(PERSONAL_MEETINGS)
            .bind(account.0)
            .bind(from)
            .bind(until)
            .bind(i64::from(limit))
            .fetch_all(self.db())
            .await?;
        rows.into_iter().map(PersonalRow::into_meeting).collect()
    }

    async fn due_reminders(
        &self,
        kind: &str,
        from: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<DueReminder>> {
        let rows: Vec<ReminderRow> = query(DUE_REMINDERS)
            .bind(kind)
            .bind(from)
            .bind(until)
            .bind(i64::from(limit))
            .fetch_all(self.db())
            .await?;
        rows.into_iter().map(ReminderRow::into_due).collect()
    }

    async fn claim_reminder(
        &self,
        occurrence: &OccurrenceId,
        account: AccountId,
        kind: &str,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.db().begin().await?;
        let claimed = query(CLAIM_REMINDER)
            .bind(occurrence.as_str())
            .bind(account.0)
            .bind(kind)
            .bind(now)
            .execute(&mut tx)
            .await?
            == 1;
        if claimed {
            write_notices(&mut tx, notices, &(), now).await?;
        }
        tx.commit().await?;
        Ok(claimed)
    }

    async fn rsvps_of(
        &self,
        account: AccountId,
    ) -> StoreResult<Vec<(OccurrenceId, Slug, Timestamp, bool)>> {
        let rows: Vec<(String, String, i64, i64)> =
            query(RSVPS_OF).bind(account.0).fetch_all(self.db()).await?;
        rows.into_iter()
            .map(|(occurrence, slug, starts_at, attending)| {
                Ok((
                    OccurrenceId::from_trusted(occurrence),
                    Slug::from_trusted(slug),
                    from_seconds(starts_at)?,
                    attending != 0,
                ))
            })
            .collect()
    }

    async fn hand_over(
        &self,
        group: GroupId,
        from: AccountId,
        to: AccountId,
        _now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        let hosts = count(&mut tx, IS_HOST, group, from).await?;
        let receiver_hosts = count(&mut tx, IS_HOST, group, to).await?;
        let receiver_member = count(&mut tx, IS_MEMBER, group, to).await?;
        if hosts == 0 || from == to || receiver_hosts + receiver_member == 0 {
            return Err(StoreError::NotFound);
        }
        query(HOSTS_SHIFT).bind(group.0).execute(&mut tx).await?;
        query(PUT_FIRST_HOST)
            .bind(group.0)
            .bind(to.0)
            .execute(&mut tx)
            .await?;
        query(REMOVE_HOST)
            .bind(group.0)
            .bind(from.0)
            .execute(&mut tx)
            .await?;
        tx.commit().await
    }
}

#[cfg(test)]
mod tests;
