//! The [`Store`](crate::Store) methods whose code is the same for both
//! backends. sqlx's pools are typed by backend and generic code over
//! `sqlx::Database` needs a wall of bounds, so the shared bodies are written
//! once here and stamped out for each backend by [`impl_store!`]; what
//! differs is passed in by the backend module.

/// Binds a built statement's values to a sqlx query.
macro_rules! bind_values {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = match value {
                $crate::search::Value::Int(v) => query.bind(v),
                $crate::search::Value::Text(v) => query.bind(v),
            };
        }
        query
    }};
}
pub(crate) use bind_values;

/// Implements `Store` for a backend type with a `pool` field, given the
/// dialect, the statement that begins a writing transaction, and the
/// backend-specific methods.
macro_rules! impl_store {
    ($ty:ty, $dialect:expr, $begin:expr, { $($specific:tt)* }) => {
        $crate::accounts::impl_accounts!($ty, $begin);
        $crate::hosting::impl_hosting!($ty, $begin);
        $crate::membership::impl_membership!($ty, $begin);
        $crate::lifecycle::impl_lifecycle!($ty, $begin);
        $crate::mail::impl_mail!($ty, $begin, match $dialect {
            $crate::search::Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            $crate::search::Dialect::Sqlite => "",
        });

        impl $crate::search::Executor for $ty {
            async fn hits(&self, sql: $crate::search::Sql) -> $crate::StoreResult<Vec<$crate::sql::HitRow>> {
                let query = sqlx::query_as::<_, $crate::sql::HitRow>(&sql.text);
                Ok($crate::shared::bind_values!(query, sql.values).fetch_all(&self.pool).await?)
            }

            async fn scalar(&self, sql: $crate::search::Sql) -> $crate::StoreResult<Option<i64>> {
                let query = sqlx::query_scalar::<_, i64>(&sql.text);
                Ok($crate::shared::bind_values!(query, sql.values).fetch_optional(&self.pool).await?)
            }
        }

        #[async_trait::async_trait]
        impl $crate::Store for $ty {
            $($specific)*

            async fn ping(&self) -> $crate::StoreResult<()> {
                sqlx::query($crate::sql::PING).execute(&self.pool).await?;
                Ok(())
            }

            async fn count_groups(&self) -> $crate::StoreResult<u64> {
                let n: i64 = sqlx::query_scalar($crate::sql::COUNT_GROUPS).fetch_one(&self.pool).await?;
                Ok(u64::try_from(n).unwrap_or_default())
            }

            async fn ensure_account(&self, handle: &str, now: jiff::Timestamp) -> $crate::StoreResult<$crate::AccountId> {
                let mut tx = self.pool.begin_with($begin).await?;
                sqlx::query($crate::sql::ENSURE_ACCOUNT)
                    .bind(handle)
                    .bind(now.as_second())
                    .execute(&mut *tx)
                    .await?;
                let id: i64 = sqlx::query_scalar($crate::sql::ACCOUNT_BY_HANDLE)
                    .bind(handle)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok($crate::AccountId(id))
            }

            async fn insert_groups(
                &self,
                drafts: &[$crate::GroupDraft<'_>],
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<Vec<kith_domain::ids::Slug>> {
                if let Some(direct) = self.direct_writer() {
                    return direct.insert_groups(drafts, now).await;
                }
                let mut tx = self.pool.begin_with($begin).await?;
                let slugs = $crate::bulk::insert_groups!(tx, drafts, now);
                tx.commit().await?;
                Ok(slugs)
            }

            async fn listed_group(&self, slug: &kith_domain::ids::Slug) -> $crate::StoreResult<kith_domain::group::GroupProfile> {
                let row: $crate::sql::GroupRow = sqlx::query_as($crate::sql::LISTED_GROUP)
                    .bind(slug.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or($crate::StoreError::NotFound)?;
                let id = row.group_id().0;
                let rules: Vec<$crate::sql::RuleRow> = sqlx::query_as($crate::sql::GROUP_RULES)
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                let hosts: Vec<String> = sqlx::query_scalar($crate::sql::GROUP_HOSTS)
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                row.into_profile(rules, hosts)
            }

            async fn cancel_occurrence(
                &self,
                group: kith_domain::ids::GroupId,
                occurrence: &kith_domain::ids::OccurrenceId,
                note: Option<&str>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                let done = sqlx::query($crate::sql::CANCEL_OCCURRENCE)
                    .bind(occurrence.as_str())
                    .bind(group.0)
                    .bind(note)
                    .bind(now.as_second())
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }

            async fn occurrence_exceptions(
                &self,
                group: kith_domain::ids::GroupId,
            ) -> $crate::StoreResult<Vec<$crate::OccurrenceException>> {
                let rows: Vec<(i64, String, i64, Option<String>)> = sqlx::query_as($crate::sql::OCCURRENCE_EXCEPTIONS)
                    .bind(group.0)
                    .fetch_all(&self.pool)
                    .await?;
                let local = |raw: &str| raw.parse::<jiff::civil::DateTime>().map_err(|_| $crate::StoreError::corrupt("local time"));
                rows.into_iter()
                    .map(|(rule, start, cancelled, moved_to)| {
                        Ok($crate::OccurrenceException {
                            rule: kith_domain::ids::RuleId(rule),
                            local_start: local(&start)?,
                            cancelled: cancelled != 0,
                            moved_to: moved_to.as_deref().map(local).transpose()?,
                        })
                    })
                    .collect()
            }

            async fn series_ids(
                &self,
                group: kith_domain::ids::GroupId,
            ) -> $crate::StoreResult<Vec<(kith_domain::ids::RuleId, kith_domain::ids::SeriesId)>> {
                let rows: Vec<(i64, Option<String>)> = sqlx::query_as($crate::sql::SERIES_IDS)
                    .bind(group.0)
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter()
                    .map(|(rule, id)| {
                        let id = id
                            .and_then(|id| kith_domain::ids::SeriesId::parse(&id))
                            .ok_or_else(|| $crate::StoreError::corrupt("series id"))?;
                        Ok((kith_domain::ids::RuleId(rule), id))
                    })
                    .collect()
            }

            async fn occurrence_rule(
                &self,
                group: kith_domain::ids::GroupId,
                occurrence: &kith_domain::ids::OccurrenceId,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<(kith_domain::ids::RuleId, jiff::civil::DateTime)> {
                let (rule, start): (i64, String) = sqlx::query_as($crate::sql::OCCURRENCE_RULE)
                    .bind(occurrence.as_str())
                    .bind(group.0)
                    .bind(now.as_second())
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or($crate::StoreError::NotFound)?;
                let start = start.parse().map_err(|_| $crate::StoreError::corrupt("local start"))?;
                Ok((kith_domain::ids::RuleId(rule), start))
            }

            async fn set_occurrence_time(
                &self,
                group: kith_domain::ids::GroupId,
                occurrence: &kith_domain::ids::OccurrenceId,
                moved_to: Option<jiff::civil::DateTime>,
                starts_at: jiff::Timestamp,
                ends_at: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                let done = sqlx::query($crate::sql::SET_OCCURRENCE_TIME)
                    .bind(occurrence.as_str())
                    .bind(group.0)
                    .bind(moved_to.map(|m| m.to_string()))
                    .bind(starts_at.as_second())
                    .bind(ends_at.as_second())
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }

            async fn listed_groups_for_feed(&self) -> $crate::StoreResult<Vec<$crate::FeedGroup>> {
                let groups: Vec<$crate::sql::FeedRow> = sqlx::query_as($crate::sql::FEED_GROUPS)
                    .fetch_all(&self.pool)
                    .await?;
                let rules: Vec<$crate::sql::RuleRow> = sqlx::query_as($crate::sql::FEED_RULES)
                    .fetch_all(&self.pool)
                    .await?;
                let mut by_group: std::collections::HashMap<i64, Vec<$crate::sql::RuleRow>> =
                    std::collections::HashMap::with_capacity(groups.len());
                for rule in rules {
                    by_group.entry(rule.group_id).or_default().push(rule);
                }
                groups
                    .into_iter()
                    .map(|g| {
                        let rules = by_group.remove(&g.id).unwrap_or_default();
                        g.into_feed_group(rules)
                    })
                    .collect()
            }

            async fn listed_group_changed_at(&self, slug: &kith_domain::ids::Slug) -> $crate::StoreResult<jiff::Timestamp> {
                let seconds: i64 = sqlx::query_scalar($crate::sql::LISTED_GROUP_CHANGED_AT)
                    .bind(slug.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or($crate::StoreError::NotFound)?;
                $crate::from_seconds(seconds)
            }

            async fn upcoming_occurrences(
                &self,
                slug: &kith_domain::ids::Slug,
                now: jiff::Timestamp,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::OccurrenceTime>> {
                let rows: Vec<$crate::sql::OccurrenceRow> = sqlx::query_as($crate::sql::UPCOMING_OCCURRENCES)
                    .bind(slug.as_str())
                    .bind(now.as_second())
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map($crate::sql::OccurrenceRow::into_time).collect()
            }

            async fn search_directory(
                &self,
                search: &$crate::DirectorySearch,
            ) -> $crate::StoreResult<Vec<$crate::DirectoryHit>> {
                $crate::search::run(self, $dialect, search).await
            }

            async fn groups_due_for_occurrences(
                &self,
                until: jiff::Timestamp,
                limit: u32,
            ) -> $crate::StoreResult<Vec<(kith_domain::ids::GroupId, kith_domain::schedule::Schedule)>> {
                let due: Vec<(i64, String)> = sqlx::query_as($crate::sql::GROUPS_DUE)
                    .bind(until.as_second())
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                if due.is_empty() {
                    return Ok(Vec::new());
                }
                let mut query = sqlx::QueryBuilder::new($crate::bulk::RULES_OF_GROUPS);
                let mut list = query.separated(", ");
                for (id, _) in &due {
                    list.push_bind(*id);
                }
                query.push(") ORDER BY group_id, position");
                let rules: Vec<$crate::sql::RuleRow> = query.build_query_as().fetch_all(&self.pool).await?;
                let mut rules_of: std::collections::HashMap<i64, Vec<$crate::sql::RuleRow>> =
                    std::collections::HashMap::with_capacity(due.len());
                for rule in rules {
                    rules_of.entry(rule.group_id).or_default().push(rule);
                }
                due.into_iter()
                    .map(|(id, zone)| {
                        let rules = rules_of.remove(&id).unwrap_or_default();
                        Ok((kith_domain::ids::GroupId(id), $crate::sql::schedule(&zone, rules)?))
                    })
                    .collect()
            }

            async fn save_occurrences(
                &self,
                planned: &[(kith_domain::ids::GroupId, Vec<kith_domain::schedule::PlannedOccurrence>)],
                from: jiff::Timestamp,
                until: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                if planned.is_empty() {
                    return Ok(());
                }
                let mut tx = self.pool.begin_with($begin).await?;
                $crate::bulk::save_occurrences!(tx, planned, from, until);
                tx.commit().await?;
                Ok(())
            }

            async fn prune_occurrences(&self, before: jiff::Timestamp) -> $crate::StoreResult<u64> {
                let done = sqlx::query($crate::sql::PRUNE_OCCURRENCES)
                    .bind(before.as_second())
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}
pub(crate) use impl_store;

use kith_domain::text;

use kith_domain::group::NewGroup;

/// The derived columns a group is stored with.
pub(crate) struct GroupColumns {
    pub sort_name: String,
    pub focus_mask: i64,
    pub attribute_mask: i64,
    pub language_primary: String,
    pub region_key: Option<String>,
    pub city_key: Option<String>,
    pub search_text: String,
}

impl GroupColumns {
    pub(crate) fn of(group: &NewGroup) -> Self {
        let p = &group.profile;
        let place = &p.place;
        Self {
            sort_name: text::place_key(&p.name),
            focus_mask: p.focus.iter().fold(0, |m, f| m | f.bit()),
            attribute_mask: p.attributes.iter().fold(0, |m, a| m | a.bit()),
            language_primary: p.language.split('-').next().unwrap_or_default().to_owned(),
            region_key: place.region.as_deref().map(text::place_key),
            city_key: place.city.as_deref().map(text::place_key),
            search_text: text::search_text(
                [
                    Some(p.name.as_str()),
                    Some(p.description.as_str()),
                    place.region.as_deref(),
                    place.city.as_deref(),
                ]
                .into_iter()
                .flatten(),
            ),
        }
    }
}
