//! The one implementation of [`super::HostingStore`], stamped out for
//! each backend by `impl_store!`.

/// Implements [`HostingStore`] for a backend type with a `pool` field.
macro_rules! impl_hosting {
    ($ty:ty, $begin:expr) => {
        #[async_trait::async_trait]
        impl $crate::hosting::HostingStore for $ty {
            async fn create_claim(
                &self,
                group: kith_domain::ids::GroupId,
                account: $crate::AccountId,
                message: &str,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                sqlx::query($crate::hosting::INSERT_CLAIM)
                    .bind(group.0)
                    .bind(account.0)
                    .bind(message)
                    .bind(now.as_second())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn claims(
                &self,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::hosting::ClaimRecord>> {
                let rows: Vec<(i64, String, String, String, String, i64)> =
                    sqlx::query_as($crate::hosting::CLAIMS)
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map(|(id, slug, name, handle, message, created_at)| {
                        Ok($crate::hosting::ClaimRecord {
                            id,
                            slug: kith_domain::ids::Slug::from_trusted(slug),
                            name,
                            handle,
                            message,
                            created_at: $crate::hosting::timestamp(created_at)?,
                        })
                    })
                    .collect()
            }

            async fn decide_claim(
                &self,
                claim: i64,
                approve: bool,
                audit: &$crate::model::AuditEntry<'_>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<kith_domain::ids::Slug> {
                let mut tx = self.pool.begin_with($begin).await?;
                let (group, account, slug): (i64, i64, String) =
                    sqlx::query_as($crate::hosting::CLAIM)
                        .bind(claim)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or($crate::StoreError::NotFound)?;
                if approve {
                    let position: i64 = sqlx::query_scalar($crate::hosting::NEXT_HOST_POSITION)
                        .bind(group)
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query($crate::hosting::ADD_HOST_ONCE)
                        .bind(group)
                        .bind(account)
                        .bind(position)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query($crate::hosting::DELETE_CLAIM)
                    .bind(claim)
                    .execute(&mut *tx)
                    .await?;
                $crate::accounts::insert_audit_typed!(tx, audit, now);
                tx.commit().await?;
                Ok(kith_domain::ids::Slug::from_trusted(slug))
            }

            async fn group_access(
                &self,
                slug: &kith_domain::ids::Slug,
            ) -> $crate::StoreResult<$crate::hosting::GroupAccess> {
                let row: $crate::hosting::AccessRow = sqlx::query_as($crate::hosting::GROUP_ACCESS)
                    .bind(slug.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or($crate::StoreError::NotFound)?;
                let hosts: Vec<i64> = sqlx::query_scalar($crate::hosting::HOST_IDS)
                    .bind(row.id)
                    .fetch_all(&self.pool)
                    .await?;
                row.into_access(hosts)
            }

            async fn managed_group(
                &self,
                slug: &kith_domain::ids::Slug,
            ) -> $crate::StoreResult<$crate::hosting::ManagedGroup> {
                let access = self.group_access(slug).await?;
                let id = access.id.0;
                let row: $crate::sql::GroupRow = sqlx::query_as($crate::hosting::ANY_GROUP)
                    .bind(id)
                    .fetch_one(&self.pool)
                    .await?;
                let rules: Vec<$crate::sql::RuleRow> = sqlx::query_as($crate::sql::GROUP_RULES)
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                let hosts: Vec<String> = sqlx::query_scalar($crate::sql::GROUP_HOSTS)
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                let private: $crate::hosting::PrivateRow =
                    sqlx::query_as($crate::hosting::PRIVATE_FIELDS)
                        .bind(id)
                        .fetch_one(&self.pool)
                        .await?;
                let updated_at = $crate::hosting::timestamp(private.updated_at)?;
                Ok($crate::hosting::ManagedGroup {
                    access,
                    profile: row.into_profile(rules, hosts)?,
                    private: private.into(),
                    updated_at,
                })
            }

            async fn managed_groups(
                &self,
                slugs: &[kith_domain::ids::Slug],
            ) -> $crate::StoreResult<Vec<$crate::hosting::ManagedGroup>> {
                Ok($crate::bulk::read_managed_groups!(&self.pool, slugs))
            }

            async fn update_group(
                &self,
                id: kith_domain::ids::GroupId,
                update: &$crate::hosting::GroupUpdate<'_>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                self.update_groups(&[(id, update.clone())], now).await
            }

            async fn update_groups(
                &self,
                updates: &[(kith_domain::ids::GroupId, $crate::hosting::GroupUpdate<'_>)],
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                let columns: Vec<$crate::shared::GroupColumns> = updates
                    .iter()
                    .map(|(_, update)| $crate::shared::GroupColumns::of(update.group))
                    .collect();
                let mut schedules = Vec::new();
                let mut tx = self.pool.begin_with($begin).await?;
                for ((id, update), columns) in updates.iter().zip(&columns) {
                    let p = &update.group.profile;
                    let private = &update.group.private;
                    let done = sqlx::query($crate::hosting::UPDATE_GROUP)
                        .bind(id.0)
                        .bind(&p.name)
                        .bind(&columns.sort_name)
                        .bind(&p.description)
                        .bind(&p.agreements)
                        .bind(p.facilitation.style.code())
                        .bind(&p.facilitation.description)
                        .bind(columns.focus_mask)
                        .bind(columns.attribute_mask)
                        .bind(p.format.code())
                        .bind(&p.language)
                        .bind(&columns.language_primary)
                        .bind(&p.place.country)
                        .bind(&p.place.region)
                        .bind(&p.place.city)
                        .bind(&columns.region_key)
                        .bind(&columns.city_key)
                        .bind(p.capacity.map(i64::from))
                        .bind(p.schedule.zone.name())
                        .bind(&columns.search_text)
                        .bind(&private.call_link)
                        .bind(&private.dial_in)
                        .bind(&private.street_address)
                        .bind(update.status.code())
                        .bind(update.review_note)
                        .bind(now.as_second())
                        .bind(p.join.policy.code())
                        .bind(&p.join.question)
                        .bind(i64::from(p.join.publish_call_link))
                        .bind(i64::from(p.join.members_visible))
                        .execute(&mut *tx)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Err($crate::StoreError::NotFound);
                    }
                    // The directory's order reads the name copied into each
                    // occurrence.
                    sqlx::query($crate::hosting::UPDATE_OCCURRENCE_SORT_NAME)
                        .bind(id.0)
                        .bind(&columns.sort_name)
                        .execute(&mut *tx)
                        .await?;
                    if let Some(occurrences) = update.occurrences {
                        sqlx::query($crate::hosting::DELETE_RULES)
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query($crate::sql::SET_OCCURRENCES_UNTIL)
                            .bind(id.0)
                            .bind(update.occurrences_until.as_second())
                            .execute(&mut *tx)
                            .await?;
                        schedules.push((
                            id.0,
                            &p.schedule,
                            occurrences,
                            columns.sort_name.as_str(),
                        ));
                    }
                    if let Some((account, changes)) = &update.change_log {
                        sqlx::query($crate::hosting::INSERT_CHANGE)
                            .bind(id.0)
                            .bind(account.0)
                            .bind(now.as_second())
                            .bind(changes)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                // The new rules and meetings of every group whose schedule
                // changed, in a few multi-row statements.
                $crate::bulk::insert_schedules_typed!(tx, &schedules);
                tx.commit().await?;
                Ok(())
            }

            async fn set_group_status(
                &self,
                id: kith_domain::ids::GroupId,
                from: kith_domain::group::ListingStatus,
                status: kith_domain::group::ListingStatus,
                review_note: Option<&str>,
                audit: Option<&$crate::model::AuditEntry<'_>>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                let done = sqlx::query($crate::hosting::SET_STATUS)
                    .bind(id.0)
                    .bind(status.code())
                    .bind(review_note)
                    .bind(now.as_second())
                    .bind(from.code())
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::Stale);
                }
                if let Some(audit) = audit {
                    $crate::accounts::insert_audit_typed!(tx, audit, now);
                }
                tx.commit().await?;
                Ok(())
            }

            async fn close_group(&self, id: kith_domain::ids::GroupId) -> $crate::StoreResult<()> {
                let done = sqlx::query($crate::hosting::CLOSE_GROUP)
                    .bind(id.0)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }

            async fn add_host(
                &self,
                id: kith_domain::ids::GroupId,
                account: $crate::AccountId,
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                let already: i64 = sqlx::query_scalar($crate::hosting::IS_HOST)
                    .bind(id.0)
                    .bind(account.0)
                    .fetch_one(&mut *tx)
                    .await?;
                if already > 0 {
                    return Err($crate::StoreError::Conflict { what: "host" });
                }
                let position: i64 = sqlx::query_scalar($crate::hosting::NEXT_HOST_POSITION)
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query($crate::sql::INSERT_HOST)
                    .bind(id.0)
                    .bind(account.0)
                    .bind(position)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn groups_hosted_by(
                &self,
                account: $crate::AccountId,
            ) -> $crate::StoreResult<Vec<$crate::hosting::HostedGroup>> {
                let rows: Vec<(String, String, String, Option<String>)> =
                    sqlx::query_as($crate::hosting::HOSTED_BY)
                        .bind(account.0)
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map(|(slug, name, status, review_note)| {
                        Ok($crate::hosting::HostedGroup {
                            slug: kith_domain::ids::Slug::from_trusted(slug),
                            name,
                            status: $crate::hosting::parse_status(&status)?,
                            review_note,
                        })
                    })
                    .collect()
            }

            async fn moderation_queue(
                &self,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::hosting::QueueItem>> {
                let rows: Vec<(i64, String, String, i64, String, String)> =
                    sqlx::query_as($crate::hosting::QUEUE)
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await?;
                let mut items = Vec::with_capacity(rows.len());
                for (id, slug, name, submitted_at, description, agreements) in rows {
                    let hosts: Vec<String> = sqlx::query_scalar($crate::hosting::HOST_HANDLES)
                        .bind(id)
                        .fetch_all(&self.pool)
                        .await?;
                    items.push($crate::hosting::QueueItem {
                        slug: kith_domain::ids::Slug::from_trusted(slug),
                        name,
                        submitted_at: $crate::hosting::timestamp(submitted_at)?,
                        hosts,
                        description,
                        agreements,
                    });
                }
                Ok(items)
            }

            async fn recent_group_changes(
                &self,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::hosting::ChangeRecord>> {
                let rows: Vec<(String, String, Option<String>, i64, String)> =
                    sqlx::query_as($crate::hosting::RECENT_CHANGES)
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map(|(slug, name, handle, changed_at, changes)| {
                        Ok($crate::hosting::ChangeRecord {
                            slug: kith_domain::ids::Slug::from_trusted(slug),
                            name,
                            handle,
                            changed_at: $crate::hosting::timestamp(changed_at)?,
                            changes,
                        })
                    })
                    .collect()
            }

            async fn audit_log(
                &self,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::hosting::AuditRecord>> {
                let rows: Vec<(i64, String, String, String, String)> =
                    sqlx::query_as($crate::hosting::AUDIT_LOG)
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map(|(at, actor_handle, action, target, reason)| {
                        Ok($crate::hosting::AuditRecord {
                            at: $crate::hosting::timestamp(at)?,
                            actor_handle,
                            action,
                            target,
                            reason,
                        })
                    })
                    .collect()
            }

            async fn safety_texts(&self) -> $crate::StoreResult<Vec<(String, String)>> {
                Ok(sqlx::query_as($crate::hosting::SAFETY_TEXTS)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn save_safety_text(
                &self,
                country: &str,
                body: &str,
                audit: &$crate::model::AuditEntry<'_>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                sqlx::query($crate::hosting::SAVE_SAFETY_TEXT)
                    .bind(country)
                    .bind(body)
                    .bind(now.as_second())
                    .execute(&mut *tx)
                    .await?;
                $crate::accounts::insert_audit_typed!(tx, audit, now);
                tx.commit().await?;
                Ok(())
            }

            async fn site_page(&self, name: &str) -> $crate::StoreResult<Option<String>> {
                Ok(sqlx::query_scalar($crate::hosting::SITE_PAGE)
                    .bind(name)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn save_site_page(
                &self,
                name: &str,
                body: &str,
                audit: &$crate::model::AuditEntry<'_>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                sqlx::query($crate::hosting::SAVE_SITE_PAGE)
                    .bind(name)
                    .bind(body)
                    .bind(now.as_second())
                    .execute(&mut *tx)
                    .await?;
                $crate::accounts::insert_audit_typed!(tx, audit, now);
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use impl_hosting;
