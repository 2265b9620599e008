//! The one implementation of [`GroupStore`], for both backends. New groups
//! go into a SQLite file through its direct writer (see `direct`), and
//! otherwise in multi-row statements (see `bulk`).

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::group::GroupProfile;
use kith_domain::ids::Slug;

use super::GroupStore;
use crate::db::query;
use crate::mail::notices::write_notices;
use crate::mail::{Audience, Notices};
use crate::model::{DirectoryHit, DirectorySearch, FeedGroup, GroupDraft, IndexState};
use crate::sql::{
    COUNT_GROUPS, FEED_GROUPS, FEED_RULES, FeedRow, GROUP_HOSTS, GROUP_RULES, GroupRow,
    LISTED_GROUP, LISTED_GROUP_CHANGED_AT, RuleRow,
};
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult, bulk, from_seconds, search};

#[async_trait]
impl GroupStore for SqlStore {
    async fn count_groups(&self) -> StoreResult<u64> {
        let n: i64 = query(COUNT_GROUPS).scalar(self.db()).await?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    async fn insert_groups(
        &self,
        drafts: &[GroupDraft<'_>],
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<Vec<Slug>> {
        // The direct writer is for imports, which mail nobody.
        if let (Some(direct), Audience::Nobody) = (self.direct_writer(), notices.audience(&())) {
            return direct.insert_groups(drafts, now).await;
        }
        let mut tx = self.db().begin().await?;
        let slugs = bulk::insert_groups(&mut tx, drafts, now).await?;
        write_notices(&mut tx, notices, &(), now).await?;
        tx.commit().await?;
        Ok(slugs)
    }

    async fn listed_group(&self, slug: &Slug) -> StoreResult<GroupProfile> {
        let row: GroupRow = query(LISTED_GROUP)
            .bind(slug.as_str())
            .fetch_one(self.db())
            .await?;
        let id = row.group_id().0;
        let rules: Vec<RuleRow> = query(GROUP_RULES).bind(id).fetch_all(self.db()).await?;
        let hosts: Vec<String> = query(GROUP_HOSTS).bind(id).scalars(self.db()).await?;
        row.into_profile(rules, hosts)
    }

    async fn listed_groups_for_feed(&self) -> StoreResult<Vec<FeedGroup>> {
        let groups: Vec<FeedRow> = query(FEED_GROUPS).fetch_all(self.db()).await?;
        let rules: Vec<RuleRow> = query(FEED_RULES).fetch_all(self.db()).await?;
        let mut by_group: HashMap<i64, Vec<RuleRow>> = HashMap::with_capacity(groups.len());
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

    async fn listed_group_changed_at(&self, slug: &Slug) -> StoreResult<Timestamp> {
        let seconds: i64 = query(LISTED_GROUP_CHANGED_AT)
            .bind(slug.as_str())
            .scalar_optional(self.db())
            .await?
            .ok_or(StoreError::NotFound)?;
        from_seconds(seconds)
    }

    async fn search_directory(&self, search: &DirectorySearch) -> StoreResult<Vec<DirectoryHit>> {
        match self.directory_index().search(self.db(), search).await? {
            Some(hits) => Ok(hits),
            None => search::run(self.db(), search).await,
        }
    }

    fn start_directory_index(&self, poll: Duration) {
        self.directory_index()
            .start(self.db().clone(), self.listen_pool(), poll);
    }

    async fn directory_index_ready(&self) {
        self.directory_index().ready().await;
    }

    fn directory_index_state(&self) -> IndexState {
        self.directory_index().state()
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::Weekday;
    use kith_domain::directory::horizon;
    use kith_domain::group::ListingStatus;

    use super::*;
    use crate::testing::{TempSqlite, group, insert, now};

    /// A SQLite file takes new groups through its direct writer, so the
    /// multi-row statements PostgreSQL uses are run on SQLite here: both
    /// ways must store the same group.
    #[tokio::test]
    async fn sqlite_stores_a_group_alike_through_multi_row_statements_and_its_direct_writer() {
        let db = TempSqlite::create().await;
        let direct = group("Direct", "Europe/Berlin", &[Weekday::Tuesday], "19:00");
        let direct_slug = insert(&db.store, &[direct], ListingStatus::Listed)
            .await
            .remove(0);
        let host = db
            .store
            .ensure_account("willow", now())
            .await
            .expect("host");
        let mut bulk = group("Direct", "Europe/Berlin", &[Weekday::Tuesday], "19:00");
        bulk.profile.slug = Slug::parse("in-bulk").expect("slug");
        let until = horizon(now());
        let draft = GroupDraft {
            group: &bulk,
            status: ListingStatus::Listed,
            hosts: vec![host],
            occurrences: bulk.profile.schedule.occurrences_between(now(), until),
            occurrences_until: until,
        };
        let typed = crate::sqlite::connect(&db.url, 2).await.expect("open");
        let mut tx = typed.db().begin().await.expect("begin");
        let slugs = bulk::insert_groups(&mut tx, &[draft], now())
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
        assert_eq!(slugs, [bulk.profile.slug.clone()]);

        // Each is itself, with rule ids of its own.
        let read = |slug: &Slug| {
            let store = db.store.clone();
            let slug = slug.clone();
            async move {
                let mut group = store.listed_group(&slug).await.expect("read");
                group.slug = Slug::parse("same").expect("slug");
                group.schedule.rules.iter_mut().for_each(|r| r.id = None);
                group
            }
        };
        assert_eq!(read(&slugs[0]).await, read(&direct_slug).await);
        let meetings = |slug: &Slug| {
            let store = db.store.clone();
            let slug = slug.clone();
            async move {
                store
                    .upcoming_occurrences(&slug, now(), 100)
                    .await
                    .expect("meetings")
                    .into_iter()
                    .map(|m| m.starts_at)
                    .collect::<Vec<_>>()
            }
        };
        let bulk_meetings = meetings(&slugs[0]).await;
        assert!(!bulk_meetings.is_empty());
        assert_eq!(bulk_meetings, meetings(&direct_slug).await);
    }
}
