//! Requests to join, which are memberships too; their private threads;
//! invitation links; answers to "will you come?": the [`MembershipStore`]
//! trait and its one implementation for both backends (`imp`).
//!
//! The rules of a request's life are the domain's
//! ([`kith_domain::membership`]); the store applies them inside its
//! transaction, with the group's row locked, so two hosts approving at once
//! can never pass a group's capacity.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::ids::{GroupId, InvitationId, OccurrenceId, RequestId, Slug};
use kith_domain::membership::{Occupancy, Refusal, RequestState};

use crate::mail::Notices;
use crate::model::{AccountId, OccurrenceTime};
use crate::{StoreError, StoreResult, from_seconds};

/// A rule of the domain that gives a request's next state from its current
/// one (none before the first request) and the group's room.
pub type Step<'a> =
    &'a (dyn Fn(Option<RequestState>, Occupancy) -> Result<RequestState, Refusal> + Sync);

/// One person's request to join one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The public id, which names the thread too.
    pub id: RequestId,
    /// The group.
    pub group: GroupId,
    /// The group's slug.
    pub slug: Slug,
    /// The group's name.
    pub group_name: String,
    /// Who asked.
    pub account: AccountId,
    /// Their pseudonym.
    pub handle: String,
    /// Where it stands.
    pub state: RequestState,
    /// Their answer to the hosts' question.
    pub answer: String,
    /// When they first asked.
    pub created_at: Timestamp,
    /// When its state last changed.
    pub state_changed_at: Timestamp,
    /// Whether the person who asked has confirmed their email: until then
    /// their pending request is held from the hosts (`kith_app::access`).
    pub email_verified: bool,
}

/// A change of a request's state, as committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The state before; `None` for a first request.
    pub before: Option<RequestState>,
    /// The request after the change.
    pub request: RequestRecord,
    /// Someone who moved up from the waitlist because a place came free.
    pub promoted: Option<RequestRecord>,
}

/// A message to add to a thread with a change.
#[derive(Debug, Clone, Copy)]
pub struct NewMessage<'a> {
    /// Who writes.
    pub author: AccountId,
    /// Whether they write as a host of the group.
    pub from_host: bool,
    /// The text.
    pub body: &'a str,
    /// Kept from the hosts: what a blocked person writes after the block.
    pub hidden_from_hosts: bool,
}

/// One message of a request's thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    /// Its author's pseudonym; `None` once their account is gone.
    pub author: Option<String>,
    /// Written by a host.
    pub from_host: bool,
    /// The text.
    pub body: String,
    /// When.
    pub created_at: Timestamp,
    /// Kept from the hosts: what a blocked person writes after the block.
    pub hidden_from_hosts: bool,
}

/// An invitation link, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    /// The public id, to revoke it by.
    pub id: InvitationId,
    /// Who made it, if their account still exists.
    pub created_by: Option<String>,
    /// When.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When a host revoked it.
    pub revoked_at: Option<Timestamp>,
}

/// One of a person's meetings: a group they host or belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalMeeting {
    /// The group's slug.
    pub slug: Slug,
    /// The group's name.
    pub group_name: String,
    /// The group's zone.
    pub time_zone: String,
    /// The meeting.
    pub occurrence: OccurrenceTime,
    /// Their answer to "will you come?", if they gave one.
    pub attending: Option<bool>,
}

/// A reminder that is due: a meeting soon, and a person who hosts or
/// belongs to its group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder {
    /// Who.
    pub account: AccountId,
    /// The group's slug.
    pub slug: Slug,
    /// The group's name.
    pub group_name: String,
    /// The group's zone.
    pub time_zone: String,
    /// The zone kept on the person's account, if any.
    pub account_zone: Option<String>,
    /// How the group meets (`Format::code`).
    pub format: String,
    /// Whether the group has a call link or dial-in of its own (else an
    /// online group meets in kith's room).
    pub has_call: bool,
    /// The meeting.
    pub occurrence: OccurrenceTime,
}

/// Everything about joining groups.
#[async_trait]
pub trait MembershipStore {
    /// Where a person's request to join a group stands, if they asked.
    async fn request_state(
        &self,
        group: GroupId,
        account: AccountId,
    ) -> StoreResult<Option<RequestState>>;

    /// Asks to join (or asks again): `step` gives the state from the
    /// person's earlier request and the group's room. The answer replaces
    /// any earlier one; an existing request keeps its id and thread. The
    /// mail `notices` makes of the outcome is written with it.
    async fn ask_to_join(
        &self,
        group: GroupId,
        account: AccountId,
        answer: &str,
        step: Step<'_>,
        notices: &dyn Notices<Transition>,
        now: Timestamp,
    ) -> StoreResult<Result<Transition, Refusal>>;

    /// Moves a request on by `step` (a decision, withdrawing, leaving,
    /// removal, a block), with an optional message in its thread; when a
    /// member's place comes free, the first person waiting moves up. The
    /// mail `notices` makes of the outcome is written with it.
    async fn change_request(
        &self,
        request: &RequestId,
        step: Step<'_>,
        message: Option<NewMessage<'_>>,
        notices: &dyn Notices<Transition>,
        now: Timestamp,
    ) -> StoreResult<Result<Transition, Refusal>>;

    /// One request; `NotFound` when there is none.
    async fn request(&self, request: &RequestId) -> StoreResult<RequestRecord>;

    /// A group's requests in these states, oldest first.
    async fn group_requests(
        &self,
        group: GroupId,
        states: &[RequestState],
    ) -> StoreResult<Vec<RequestRecord>>;

    /// Those of `slugs` that are listed and let anyone who asks in at once
    /// (join policy `open`), by slug.
    async fn open_policy_groups(&self, slugs: &[Slug]) -> StoreResult<Vec<Slug>>;

    /// How long the latest `limit` answered requests to a group waited for
    /// their hosts' answer, in seconds, newest answer first.
    async fn answer_waits(&self, group: &Slug, limit: u32) -> StoreResult<Vec<i64>>;

    /// A person's requests, in every state, by group name.
    async fn account_requests(&self, account: AccountId) -> StoreResult<Vec<RequestRecord>>;

    /// A request's thread, oldest first.
    async fn thread(&self, request: &RequestId) -> StoreResult<Vec<MessageRecord>>;

    /// Adds a message to a request's thread, with the mail that tells of it.
    async fn post_message(
        &self,
        request: &RequestId,
        message: NewMessage<'_>,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Stores an invitation link's hash.
    async fn create_invitation(
        &self,
        group: GroupId,
        id: &InvitationId,
        token_hash: &str,
        created_by: AccountId,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// A group's invitation links, newest first.
    async fn invitations(&self, group: GroupId) -> StoreResult<Vec<InvitationRecord>>;

    /// Revokes one of a group's invitation links; `NotFound` when the group
    /// has no such link.
    async fn revoke_invitation(
        &self,
        group: GroupId,
        id: &InvitationId,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// The slug of the group a valid (unexpired, unrevoked) invitation
    /// opens; `None` for any other token.
    async fn invitation_group(&self, token_hash: &str, now: Timestamp)
    -> StoreResult<Option<Slug>>;

    /// Records whether a member will come to a meeting of their group.
    async fn set_attending(
        &self,
        occurrence: &OccurrenceId,
        account: AccountId,
        attending: bool,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// A meeting with its group's slug, whether or not it has ended;
    /// `NotFound` when there is no such meeting.
    async fn meeting(&self, occurrence: &OccurrenceId) -> StoreResult<(Slug, OccurrenceTime)>;

    /// How many said they will come to a meeting.
    async fn attending_count(&self, occurrence: &OccurrenceId) -> StoreResult<u64>;

    /// The group a meeting belongs to, if the meeting has not ended.
    async fn occurrence_group(
        &self,
        occurrence: &OccurrenceId,
        now: Timestamp,
    ) -> StoreResult<Slug>;

    /// The meetings of every group a person hosts or is a member of, that
    /// end after `from` and start before `until`, soonest first.
    async fn personal_meetings(
        &self,
        account: AccountId,
        from: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<PersonalMeeting>>;

    /// Reminders of `kind` not yet written, for meetings that start in
    /// `from..until` and are not cancelled, to their groups' hosts and
    /// members, soonest first.
    async fn due_reminders(
        &self,
        kind: &str,
        from: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<DueReminder>>;

    /// Records a reminder as written, with the mail `notices` makes of it;
    /// `false` (and no mail) when it was already, by this instance or
    /// another, so it is never written twice.
    async fn claim_reminder(
        &self,
        occurrence: &OccurrenceId,
        account: AccountId,
        kind: &str,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<bool>;

    /// A person's answers to "will you come?": meeting, group slug, start,
    /// answer; soonest first.
    async fn rsvps_of(
        &self,
        account: AccountId,
    ) -> StoreResult<Vec<(OccurrenceId, Slug, Timestamp, bool)>>;

    /// Hands a group from one host to another person, who must be a member
    /// or a co-host already: they become its first host, the giver steps
    /// down. `NotFound` when either is not as required.
    async fn hand_over(
        &self,
        group: GroupId,
        from: AccountId,
        to: AccountId,
        now: Timestamp,
    ) -> StoreResult<()>;
}

/// A request row joined with its group and account.
#[derive(sqlx::FromRow)]
pub(crate) struct RequestRow {
    pub public_id: String,
    pub group_id: i64,
    pub slug: String,
    pub group_name: String,
    pub account_id: i64,
    pub handle: String,
    pub state: String,
    pub answer: String,
    pub created_at: i64,
    pub state_changed_at: i64,
    pub email_verified: bool,
}

impl RequestRow {
    /// The record; `Other` when a stored state or time is corrupt.
    pub(crate) fn into_record(self) -> StoreResult<RequestRecord> {
        Ok(RequestRecord {
            id: RequestId::from_trusted(self.public_id),
            group: GroupId(self.group_id),
            slug: Slug::from_trusted(self.slug),
            group_name: self.group_name,
            account: AccountId(self.account_id),
            handle: self.handle,
            state: parse_state(&self.state)?,
            answer: self.answer,
            created_at: from_seconds(self.created_at)?,
            state_changed_at: from_seconds(self.state_changed_at)?,
            email_verified: self.email_verified,
        })
    }
}

/// A stored state code; `Other` when the code is unknown.
pub(crate) fn parse_state(code: &str) -> StoreResult<RequestState> {
    RequestState::parse(code).ok_or_else(|| StoreError::corrupt("request state"))
}

/// Each row's record, or the first corrupt row's error.
pub(crate) fn rows_into_records(rows: Vec<RequestRow>) -> StoreResult<Vec<RequestRecord>> {
    rows.into_iter().map(RequestRow::into_record).collect()
}

const REQUEST_COLUMNS: &str = "SELECT r.public_id, r.group_id, g.slug, g.name AS group_name,
    r.account_id, a.handle, r.state, r.answer, r.created_at, r.state_changed_at,
    a.email_verified_at IS NOT NULL AS email_verified
FROM join_requests r JOIN groups g ON g.id = r.group_id JOIN accounts a ON a.id = r.account_id";

/// One request by its public id.
pub(crate) fn request_by_public_id() -> String {
    format!("{REQUEST_COLUMNS} WHERE r.public_id = $1")
}
/// One request by its row id, for a change's transaction.
pub(crate) fn request_by_row_id() -> String {
    format!("{REQUEST_COLUMNS} WHERE r.id = $1")
}
/// Which of these groups (by slug) are listed and let people in at once.
pub(crate) fn open_policy_among(slugs: usize) -> String {
    let placeholders: Vec<String> = (0..slugs).map(|i| format!("${}", i + 1)).collect();
    format!(
        "SELECT slug FROM groups WHERE status = 'listed' AND join_policy = 'open'
    AND slug IN ({}) ORDER BY slug",
        placeholders.join(", ")
    )
}

/// A group's requests in `states` of them (bound from `$2`).
pub(crate) fn requests_of_group(states: usize) -> String {
    let placeholders: Vec<String> = (0..states).map(|i| format!("${}", i + 2)).collect();
    format!(
        // A request from someone who has not confirmed their email is held:
        // the hosts do not see it yet (the rule of `kith_app::access::is_held`).
        "{REQUEST_COLUMNS} WHERE r.group_id = $1 AND r.state IN ({})
    AND (r.state <> 'pending' OR a.email_verified_at IS NOT NULL)
ORDER BY r.state_changed_at, r.id",
        placeholders.join(", ")
    )
}
/// A person's requests, by group name.
pub(crate) fn requests_of_account() -> String {
    format!("{REQUEST_COLUMNS} WHERE r.account_id = $1 ORDER BY g.sort_name, g.id")
}

pub(crate) const REQUEST_STATE: &str =
    "SELECT state FROM join_requests WHERE group_id = $1 AND account_id = $2";
/// Takes the group's row lock on both backends, so room counts taken after
/// it stay true until commit.
pub(crate) const LOCK_GROUP: &str = "UPDATE groups SET capacity = capacity WHERE id = $1";
pub(crate) const GROUP_CAPACITY: &str = "SELECT capacity FROM groups WHERE id = $1";
pub(crate) const MEMBER_COUNT: &str =
    "SELECT COUNT(*) FROM join_requests WHERE group_id = $1 AND state = 'approved'";
pub(crate) const STATE_OF_ROW: &str = "SELECT state FROM join_requests WHERE id = $1";
pub(crate) const REQUEST_KEYS: &str =
    "SELECT id, group_id, state FROM join_requests WHERE public_id = $1";
pub(crate) const INSERT_REQUEST: &str = "INSERT INTO join_requests
    (public_id, group_id, account_id, state, answer, created_at, state_changed_at)
VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
pub(crate) const REASK: &str = "UPDATE join_requests
SET state = $2, answer = $3, state_changed_at = $4 WHERE id = $1";
/// A pending request's first answer (approved, waitlisted, declined or
/// blocked) also keeps when it came and how long it took: the old state and
/// `state_changed_at` on the right-hand side are the row's before the
/// update, on both backends.
pub(crate) const SET_STATE: &str = "UPDATE join_requests
SET state = $2, state_changed_at = $3,
    answered_at = CASE WHEN state = 'pending'
        AND $2 IN ('approved', 'waitlisted', 'declined', 'blocked')
        THEN $3 ELSE answered_at END,
    answer_wait = CASE WHEN state = 'pending'
        AND $2 IN ('approved', 'waitlisted', 'declined', 'blocked')
        THEN $3 - state_changed_at ELSE answer_wait END
WHERE id = $1";
/// How long a group's latest answered requests waited, newest first.
pub(crate) const ANSWER_WAITS: &str = "SELECT r.answer_wait FROM join_requests r
JOIN groups g ON g.id = r.group_id
WHERE g.slug = $1 AND r.answered_at IS NOT NULL AND r.answer_wait IS NOT NULL
ORDER BY r.answered_at DESC, r.id DESC LIMIT $2";
pub(crate) const REQUEST_ROW_ID: &str =
    "SELECT id FROM join_requests WHERE group_id = $1 AND account_id = $2";
pub(crate) const FIRST_WAITING: &str = "SELECT id FROM join_requests
WHERE group_id = $1 AND state = 'waitlisted' ORDER BY state_changed_at, id LIMIT 1";
pub(crate) const INSERT_MESSAGE: &str = "INSERT INTO request_messages
    (request_id, author_id, from_host, body, created_at, hidden_from_hosts)
VALUES ((SELECT id FROM join_requests WHERE public_id = $1), $2, $3, $4, $5, $6)";
pub(crate) const THREAD: &str = "SELECT a.handle, m.from_host, m.body, m.created_at,
    m.hidden_from_hosts
FROM request_messages m JOIN join_requests r ON r.id = m.request_id
LEFT JOIN accounts a ON a.id = m.author_id
WHERE r.public_id = $1 ORDER BY m.id";
pub(crate) const INSERT_INVITATION: &str = "INSERT INTO invitations
    (public_id, token_hash, group_id, created_by, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)";
pub(crate) const INVITATIONS: &str =
    "SELECT i.public_id, a.handle, i.created_at, i.expires_at, i.revoked_at
FROM invitations i LEFT JOIN accounts a ON a.id = i.created_by
WHERE i.group_id = $1 ORDER BY i.created_at DESC, i.id DESC";
pub(crate) const REVOKE_INVITATION: &str = "UPDATE invitations SET revoked_at = $3
WHERE group_id = $1 AND public_id = $2 AND revoked_at IS NULL";
pub(crate) const INVITATION_GROUP: &str = "SELECT g.slug FROM invitations i
JOIN groups g ON g.id = i.group_id
WHERE i.token_hash = $1 AND i.revoked_at IS NULL AND i.expires_at > $2";
pub(crate) const SET_ATTENDING: &str = "INSERT INTO rsvps
    (occurrence_id, account_id, attending, updated_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (occurrence_id, account_id) DO UPDATE SET attending = $3, updated_at = $4";
pub(crate) const ATTENDING_COUNT: &str =
    "SELECT COUNT(*) FROM rsvps WHERE occurrence_id = $1 AND attending = 1";
pub(crate) const MEETING: &str = "SELECT g.slug, o.id, o.starts_at, o.ends_at, o.cancelled,
    o.note, o.moved_to
FROM occurrences o JOIN groups g ON g.id = o.group_id WHERE o.id = $1";
pub(crate) const OCCURRENCE_GROUP: &str = "SELECT g.slug FROM occurrences o
JOIN groups g ON g.id = o.group_id WHERE o.id = $1 AND o.ends_at > $2";
/// Meetings of groups a person hosts or belongs to; either kind of tie
/// finds the group by an index.
pub(crate) const PERSONAL_MEETINGS: &str = "SELECT g.slug, g.name, g.time_zone,
    o.id, o.starts_at, o.ends_at, o.cancelled, o.note, o.moved_to, v.attending
FROM occurrences o JOIN groups g ON g.id = o.group_id
LEFT JOIN rsvps v ON v.occurrence_id = o.id AND v.account_id = $1
WHERE o.group_id IN (
    SELECT group_id FROM group_hosts WHERE account_id = $1
    UNION SELECT group_id FROM join_requests WHERE account_id = $1 AND state = 'approved'
) AND o.ends_at > $2 AND o.starts_at < $3
ORDER BY o.starts_at, o.id LIMIT $4";
/// Hosts and members of groups with a meeting starting in the window, who
/// have not had this kind of reminder for it.
pub(crate) const DUE_REMINDERS: &str = "SELECT p.account_id, g.slug, g.name, g.time_zone,
    a.time_zone AS account_zone, g.format,
    (g.call_link IS NOT NULL OR g.dial_in IS NOT NULL) AS has_call,
    o.id, o.starts_at, o.ends_at, o.cancelled, o.note, o.moved_to
FROM occurrences o JOIN groups g ON g.id = o.group_id
JOIN (
    SELECT group_id, account_id FROM group_hosts
    UNION SELECT group_id, account_id FROM join_requests WHERE state = 'approved'
) p ON p.group_id = o.group_id
JOIN accounts a ON a.id = p.account_id AND a.email IS NOT NULL
WHERE o.starts_at >= $2 AND o.starts_at < $3 AND o.cancelled = 0
  AND NOT EXISTS (SELECT 1 FROM reminders_sent s
      WHERE s.occurrence_id = o.id AND s.account_id = p.account_id AND s.kind = $1)
ORDER BY o.starts_at, o.id, p.account_id LIMIT $4";
pub(crate) const CLAIM_REMINDER: &str = "INSERT INTO reminders_sent
    (occurrence_id, account_id, kind, sent_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (occurrence_id, account_id, kind) DO NOTHING";
pub(crate) const RSVPS_OF: &str = "SELECT v.occurrence_id, g.slug, o.starts_at, v.attending
FROM rsvps v JOIN occurrences o ON o.id = v.occurrence_id JOIN groups g ON g.id = o.group_id
WHERE v.account_id = $1 ORDER BY o.starts_at, v.occurrence_id";
pub(crate) const IS_MEMBER: &str = "SELECT COUNT(*) FROM join_requests
WHERE group_id = $1 AND account_id = $2 AND state = 'approved'";
pub(crate) const HOSTS_SHIFT: &str =
    "UPDATE group_hosts SET position = position + 1 WHERE group_id = $1";
pub(crate) const REMOVE_HOST: &str =
    "DELETE FROM group_hosts WHERE group_id = $1 AND account_id = $2";
pub(crate) const PUT_FIRST_HOST: &str = "INSERT INTO group_hosts (group_id, account_id, position)
VALUES ($1, $2, 0) ON CONFLICT (group_id, account_id) DO UPDATE SET position = 0";

mod imp;

/// A row of [`PERSONAL_MEETINGS`].
#[derive(sqlx::FromRow)]
pub(crate) struct PersonalRow {
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    #[sqlx(flatten)]
    pub occurrence: crate::sql::OccurrenceRow,
    pub attending: Option<i64>,
}

impl PersonalRow {
    /// The meeting; `Other` when a stored time is corrupt.
    pub(crate) fn into_meeting(self) -> StoreResult<PersonalMeeting> {
        Ok(PersonalMeeting {
            slug: Slug::from_trusted(self.slug),
            group_name: self.name,
            time_zone: self.time_zone,
            occurrence: self.occurrence.into_time()?,
            attending: self.attending.map(|a| a != 0),
        })
    }
}

/// A row of [`MEETING`].
#[derive(sqlx::FromRow)]
pub(crate) struct MeetingRow {
    pub slug: String,
    #[sqlx(flatten)]
    pub occurrence: crate::sql::OccurrenceRow,
}

/// A row of [`DUE_REMINDERS`].
#[derive(sqlx::FromRow)]
pub(crate) struct ReminderRow {
    pub account_id: i64,
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    pub account_zone: Option<String>,
    pub format: String,
    pub has_call: bool,
    #[sqlx(flatten)]
    pub occurrence: crate::sql::OccurrenceRow,
}

impl ReminderRow {
    /// The reminder; `Other` when a stored time is corrupt.
    pub(crate) fn into_due(self) -> StoreResult<DueReminder> {
        Ok(DueReminder {
            account: AccountId(self.account_id),
            slug: Slug::from_trusted(self.slug),
            group_name: self.name,
            time_zone: self.time_zone,
            account_zone: self.account_zone,
            format: self.format,
            has_call: self.has_call,
            occurrence: self.occurrence.into_time()?,
        })
    }
}

/// An invitation row.
#[derive(sqlx::FromRow)]
pub(crate) struct InvitationRow {
    pub public_id: String,
    pub handle: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

impl InvitationRow {
    /// The record; `Other` when a stored time is corrupt.
    pub(crate) fn into_record(self) -> StoreResult<InvitationRecord> {
        Ok(InvitationRecord {
            id: InvitationId::from_trusted(self.public_id),
            created_by: self.handle,
            created_at: from_seconds(self.created_at)?,
            expires_at: from_seconds(self.expires_at)?,
            revoked_at: self.revoked_at.map(from_seconds).transpose()?,
        })
    }
}

/// A room from a group's capacity and member count.
pub(crate) fn room(capacity: Option<i64>, members: i64) -> Occupancy {
    Occupancy {
        capacity: capacity.and_then(|c| u32::try_from(c).ok()),
        members: u32::try_from(members).unwrap_or(u32::MAX),
    }
}
