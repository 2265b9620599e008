//! The one implementation of [`super::MembershipStore`], stamped out for
//! each backend by `impl_store!`.

/// Reads a group's room inside a transaction that holds its row lock.
macro_rules! room_of {
    ($tx:ident, $group:expr) => {{
        let capacity: Option<i64> = sqlx::query_scalar($crate::membership::GROUP_CAPACITY)
            .bind($group)
            .fetch_one(&mut *$tx)
            .await?;
        let members: i64 = sqlx::query_scalar($crate::membership::MEMBER_COUNT)
            .bind($group)
            .fetch_one(&mut *$tx)
            .await?;
        $crate::membership::room(capacity, members)
    }};
}
pub(crate) use room_of;

/// Locks a group's row; `NotFound` when it does not exist.
macro_rules! lock_group {
    ($tx:ident, $group:expr) => {{
        let locked = sqlx::query($crate::membership::LOCK_GROUP)
            .bind($group)
            .execute(&mut *$tx)
            .await?;
        if locked.rows_affected() == 0 {
            return Err($crate::StoreError::NotFound);
        }
    }};
}
pub(crate) use lock_group;

/// Reads a request by row id inside a transaction.
macro_rules! request_by_row {
    ($tx:ident, $id:expr) => {{
        let row: $crate::membership::RequestRow =
            sqlx::query_as(&$crate::membership::request_by_row_id())
                .bind($id)
                .fetch_one(&mut *$tx)
                .await?;
        row.into_record()?
    }};
}
pub(crate) use request_by_row;

/// Implements [`MembershipStore`] for a backend type with a `pool` field.
macro_rules! impl_membership {
    ($ty:ty, $begin:expr) => {
        #[async_trait::async_trait]
        impl $crate::membership::MembershipStore for $ty {
            async fn request_state(
                &self,
                group: kith_domain::ids::GroupId,
                account: $crate::AccountId,
            ) -> $crate::StoreResult<Option<kith_domain::membership::RequestState>> {
                let state: Option<String> = sqlx::query_scalar($crate::membership::REQUEST_STATE)
                    .bind(group.0)
                    .bind(account.0)
                    .fetch_optional(&self.pool)
                    .await?;
                state
                    .as_deref()
                    .map($crate::membership::parse_state)
                    .transpose()
            }

            async fn ask_to_join(
                &self,
                group: kith_domain::ids::GroupId,
                account: $crate::AccountId,
                answer: &str,
                step: $crate::membership::Step<'_>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<
                Result<$crate::membership::Transition, kith_domain::membership::Refusal>,
            > {
                let mut tx = self.pool.begin_with($begin).await?;
                $crate::membership::lock_group!(tx, group.0);
                let room = $crate::membership::room_of!(tx, group.0);
                let previous: Option<String> =
                    sqlx::query_scalar($crate::membership::REQUEST_STATE)
                        .bind(group.0)
                        .bind(account.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                let before = previous
                    .as_deref()
                    .map($crate::membership::parse_state)
                    .transpose()?;
                let next = match step(before, room) {
                    Ok(next) => next,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                let row_id: i64 = if before.is_some() {
                    let id: i64 = sqlx::query_scalar($crate::membership::REQUEST_ROW_ID)
                        .bind(group.0)
                        .bind(account.0)
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query($crate::membership::REASK)
                        .bind(id)
                        .bind(next.code())
                        .bind(answer)
                        .bind(now.as_second())
                        .execute(&mut *tx)
                        .await?;
                    id
                } else {
                    sqlx::query_scalar($crate::membership::INSERT_REQUEST)
                        .bind(kith_domain::ids::RequestId::random().as_str())
                        .bind(group.0)
                        .bind(account.0)
                        .bind(next.code())
                        .bind(answer)
                        .bind(now.as_second())
                        .fetch_one(&mut *tx)
                        .await?
                };
                let request = $crate::membership::request_by_row!(tx, row_id);
                tx.commit().await?;
                Ok(Ok($crate::membership::Transition {
                    before,
                    request,
                    promoted: None,
                }))
            }

            async fn change_request(
                &self,
                request: &kith_domain::ids::RequestId,
                step: $crate::membership::Step<'_>,
                message: Option<$crate::membership::NewMessage<'_>>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<
                Result<$crate::membership::Transition, kith_domain::membership::Refusal>,
            > {
                let mut tx = self.pool.begin_with($begin).await?;
                let (row_id, group, state): (i64, i64, String) =
                    sqlx::query_as($crate::membership::REQUEST_KEYS)
                        .bind(request.as_str())
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or($crate::StoreError::NotFound)?;
                $crate::membership::lock_group!(tx, group);
                let room = $crate::membership::room_of!(tx, group);
                let before = $crate::membership::parse_state(&state)?;
                let next = match step(Some(before), room) {
                    Ok(next) => next,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                sqlx::query($crate::membership::SET_STATE)
                    .bind(row_id)
                    .bind(next.code())
                    .bind(now.as_second())
                    .execute(&mut *tx)
                    .await?;
                if let Some(message) = message {
                    sqlx::query($crate::membership::INSERT_MESSAGE)
                        .bind(request.as_str())
                        .bind(message.author.0)
                        .bind(i64::from(message.from_host))
                        .bind(message.body)
                        .bind(now.as_second())
                        .bind(i64::from(message.hidden_from_hosts))
                        .execute(&mut *tx)
                        .await?;
                }
                let mut promoted = None;
                if kith_domain::membership::frees_a_place(before, next)
                    && $crate::membership::room_of!(tx, group).has_place()
                {
                    let waiting: Option<i64> =
                        sqlx::query_scalar($crate::membership::FIRST_WAITING)
                            .bind(group)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if let Some(waiting) = waiting {
                        sqlx::query($crate::membership::SET_STATE)
                            .bind(waiting)
                            .bind(kith_domain::membership::RequestState::Approved.code())
                            .bind(now.as_second())
                            .execute(&mut *tx)
                            .await?;
                        promoted = Some($crate::membership::request_by_row!(tx, waiting));
                    }
                }
                let request = $crate::membership::request_by_row!(tx, row_id);
                tx.commit().await?;
                Ok(Ok($crate::membership::Transition {
                    before: Some(before),
                    request,
                    promoted,
                }))
            }

            async fn request(
                &self,
                request: &kith_domain::ids::RequestId,
            ) -> $crate::StoreResult<$crate::membership::RequestRecord> {
                let row: $crate::membership::RequestRow =
                    sqlx::query_as(&$crate::membership::request_by_public_id())
                        .bind(request.as_str())
                        .fetch_optional(&self.pool)
                        .await?
                        .ok_or($crate::StoreError::NotFound)?;
                row.into_record()
            }

            async fn group_requests(
                &self,
                group: kith_domain::ids::GroupId,
                states: &[kith_domain::membership::RequestState],
            ) -> $crate::StoreResult<Vec<$crate::membership::RequestRecord>> {
                if states.is_empty() {
                    return Ok(Vec::new());
                }
                let sql = $crate::membership::requests_of_group(states.len());
                let mut query = sqlx::query_as(&sql).bind(group.0);
                for state in states {
                    query = query.bind(state.code());
                }
                $crate::membership::rows_into_records(query.fetch_all(&self.pool).await?)
            }

            async fn open_policy_groups(
                &self,
                slugs: &[kith_domain::ids::Slug],
            ) -> $crate::StoreResult<Vec<kith_domain::ids::Slug>> {
                if slugs.is_empty() {
                    return Ok(Vec::new());
                }
                let sql = $crate::membership::open_policy_among(slugs.len());
                let mut query = sqlx::query_scalar(&sql);
                for slug in slugs {
                    query = query.bind(slug.as_str());
                }
                let found: Vec<String> = query.fetch_all(&self.pool).await?;
                found
                    .iter()
                    .map(|s| {
                        kith_domain::ids::Slug::parse(s)
                            .ok_or_else(|| $crate::StoreError::corrupt("slug"))
                    })
                    .collect()
            }

            async fn answer_waits(
                &self,
                group: &kith_domain::ids::Slug,
                limit: u32,
            ) -> $crate::StoreResult<Vec<i64>> {
                Ok(sqlx::query_scalar($crate::membership::ANSWER_WAITS)
                    .bind(group.as_str())
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn account_requests(
                &self,
                account: $crate::AccountId,
            ) -> $crate::StoreResult<Vec<$crate::membership::RequestRecord>> {
                let rows = sqlx::query_as(&$crate::membership::requests_of_account())
                    .bind(account.0)
                    .fetch_all(&self.pool)
                    .await?;
                $crate::membership::rows_into_records(rows)
            }

            async fn thread(
                &self,
                request: &kith_domain::ids::RequestId,
            ) -> $crate::StoreResult<Vec<$crate::membership::MessageRecord>> {
                let rows: Vec<(Option<String>, i64, String, i64, i64)> =
                    sqlx::query_as($crate::membership::THREAD)
                        .bind(request.as_str())
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map(|(author, from_host, body, created_at, hidden)| {
                        Ok($crate::membership::MessageRecord {
                            author,
                            from_host: from_host != 0,
                            body,
                            created_at: $crate::from_seconds(created_at)?,
                            hidden_from_hosts: hidden != 0,
                        })
                    })
                    .collect()
            }

            async fn post_message(
                &self,
                request: &kith_domain::ids::RequestId,
                message: $crate::membership::NewMessage<'_>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                sqlx::query($crate::membership::INSERT_MESSAGE)
                    .bind(request.as_str())
                    .bind(message.author.0)
                    .bind(i64::from(message.from_host))
                    .bind(message.body)
                    .bind(now.as_second())
                    .bind(i64::from(message.hidden_from_hosts))
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn create_invitation(
                &self,
                group: kith_domain::ids::GroupId,
                id: &str,
                token_hash: &str,
                created_by: $crate::AccountId,
                expires_at: jiff::Timestamp,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                sqlx::query($crate::membership::INSERT_INVITATION)
                    .bind(id)
                    .bind(token_hash)
                    .bind(group.0)
                    .bind(created_by.0)
                    .bind(now.as_second())
                    .bind(expires_at.as_second())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn invitations(
                &self,
                group: kith_domain::ids::GroupId,
            ) -> $crate::StoreResult<Vec<$crate::membership::InvitationRecord>> {
                let rows: Vec<$crate::membership::InvitationRow> =
                    sqlx::query_as($crate::membership::INVITATIONS)
                        .bind(group.0)
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map($crate::membership::InvitationRow::into_record)
                    .collect()
            }

            async fn revoke_invitation(
                &self,
                group: kith_domain::ids::GroupId,
                id: &str,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                let done = sqlx::query($crate::membership::REVOKE_INVITATION)
                    .bind(group.0)
                    .bind(id)
                    .bind(now.as_second())
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }

            async fn invitation_group(
                &self,
                token_hash: &str,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<Option<kith_domain::ids::Slug>> {
                let slug: Option<String> = sqlx::query_scalar($crate::membership::INVITATION_GROUP)
                    .bind(token_hash)
                    .bind(now.as_second())
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(slug.map(kith_domain::ids::Slug::from_trusted))
            }

            async fn set_attending(
                &self,
                occurrence: &kith_domain::ids::OccurrenceId,
                account: $crate::AccountId,
                attending: bool,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                sqlx::query($crate::membership::SET_ATTENDING)
                    .bind(occurrence.as_str())
                    .bind(account.0)
                    .bind(i64::from(attending))
                    .bind(now.as_second())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn meeting(
                &self,
                occurrence: &kith_domain::ids::OccurrenceId,
            ) -> $crate::StoreResult<(kith_domain::ids::Slug, $crate::model::OccurrenceTime)> {
                let row: $crate::membership::MeetingRow =
                    sqlx::query_as($crate::membership::MEETING)
                        .bind(occurrence.as_str())
                        .fetch_optional(&self.pool)
                        .await?
                        .ok_or($crate::StoreError::NotFound)?;
                Ok((
                    kith_domain::ids::Slug::from_trusted(row.slug),
                    row.occurrence.into_time()?,
                ))
            }

            async fn attending_count(
                &self,
                occurrence: &kith_domain::ids::OccurrenceId,
            ) -> $crate::StoreResult<u64> {
                let n: i64 = sqlx::query_scalar($crate::membership::ATTENDING_COUNT)
                    .bind(occurrence.as_str())
                    .fetch_one(&self.pool)
                    .await?;
                Ok(u64::try_from(n).unwrap_or_default())
            }

            async fn occurrence_group(
                &self,
                occurrence: &kith_domain::ids::OccurrenceId,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<kith_domain::ids::Slug> {
                let slug: String = sqlx::query_scalar($crate::membership::OCCURRENCE_GROUP)
                    .bind(occurrence.as_str())
                    .bind(now.as_second())
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or($crate::StoreError::NotFound)?;
                Ok(kith_domain::ids::Slug::from_trusted(slug))
            }

            async fn personal_meetings(
                &self,
                account: $crate::AccountId,
                from: jiff::Timestamp,
                until: jiff::Timestamp,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::membership::PersonalMeeting>> {
                let rows: Vec<$crate::membership::PersonalRow> =
                    sqlx::query_as($crate::membership::PERSONAL_MEETINGS)
                        .bind(account.0)
                        .bind(from.as_second())
                        .bind(until.as_second())
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map($crate::membership::PersonalRow::into_meeting)
                    .collect()
            }

            async fn due_reminders(
                &self,
                kind: &str,
                from: jiff::Timestamp,
                until: jiff::Timestamp,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::membership::DueReminder>> {
                let rows: Vec<$crate::membership::ReminderRow> =
                    sqlx::query_as($crate::membership::DUE_REMINDERS)
                        .bind(kind)
                        .bind(from.as_second())
                        .bind(until.as_second())
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map($crate::membership::ReminderRow::into_due)
                    .collect()
            }

            async fn claim_reminder(
                &self,
                occurrence: &kith_domain::ids::OccurrenceId,
                account: $crate::AccountId,
                kind: &str,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<bool> {
                let done = sqlx::query($crate::membership::CLAIM_REMINDER)
                    .bind(occurrence.as_str())
                    .bind(account.0)
                    .bind(kind)
                    .bind(now.as_second())
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn rsvps_of(
                &self,
                account: $crate::AccountId,
            ) -> $crate::StoreResult<
                Vec<(
                    kith_domain::ids::OccurrenceId,
                    kith_domain::ids::Slug,
                    jiff::Timestamp,
                    bool,
                )>,
            > {
                let rows: Vec<(String, String, i64, i64)> =
                    sqlx::query_as($crate::membership::RSVPS_OF)
                        .bind(account.0)
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map(|(occurrence, slug, starts_at, attending)| {
                        Ok((
                            kith_domain::ids::OccurrenceId::from_trusted(occurrence),
                            kith_domain::ids::Slug::from_trusted(slug),
                            $crate::from_seconds(starts_at)?,
                            attending != 0,
                        ))
                    })
                    .collect()
            }

            async fn hand_over(
                &self,
                group: kith_domain::ids::GroupId,
                from: $crate::AccountId,
                to: $crate::AccountId,
                _now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                let hosts: i64 = sqlx::query_scalar($crate::membership::IS_HOST)
                    .bind(group.0)
                    .bind(from.0)
                    .fetch_one(&mut *tx)
                    .await?;
                let receiver_hosts: i64 = sqlx::query_scalar($crate::membership::IS_HOST)
                    .bind(group.0)
                    .bind(to.0)
                    .fetch_one(&mut *tx)
                    .await?;
                let receiver_member: i64 = sqlx::query_scalar($crate::membership::IS_MEMBER)
                    .bind(group.0)
                    .bind(to.0)
                    .fetch_one(&mut *tx)
                    .await?;
                if hosts == 0 || from == to || receiver_hosts + receiver_member == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                sqlx::query($crate::membership::HOSTS_SHIFT)
                    .bind(group.0)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query($crate::membership::PUT_FIRST_HOST)
                    .bind(group.0)
                    .bind(to.0)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query($crate::membership::REMOVE_HOST)
                    .bind(group.0)
                    .bind(from.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use impl_membership;
