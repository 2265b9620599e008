//! The one implementation of [`SiteTextStore`], for both backends. A save
//! is an upsert and writes its audit row in the same transaction.

use async_trait::async_trait;
use jiff::Timestamp;

use super::{SAFETY_TEXTS, SAVE_SAFETY_TEXT, SAVE_SITE_PAGE, SITE_PAGE, SiteTextStore};
use crate::StoreResult;
use crate::audit::insert_audit;
use crate::db::query;
use crate::model::AuditEntry;
use crate::sql_store::SqlStore;

#[async_trait]
impl SiteTextStore for SqlStore {
    async fn safety_texts(&self) -> StoreResult<Vec<(String, String)>> {
        query(SAFETY_TEXTS).fetch_all(self.db()).await
    }

    async fn save_safety_text(
        &self,
        country: &str,
        body: &str,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        query(SAVE_SAFETY_TEXT)
            .bind(country)
            .bind(body)
            .bind(now)
            .execute(&mut tx)
            .await?;
        insert_audit(&mut tx, audit, now).await?;
        tx.commit().await
    }

    async fn site_page(&self, name: &str) -> StoreResult<Option<String>> {
        query(SITE_PAGE).bind(name).scalar_optional(self.db()).await
    }

    async fn save_site_page(
        &self,
        name: &str,
        body: &str,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        query(SAVE_SITE_PAGE)
            .bind(name)
            .bind(body)
            .bind(now)
            .execute(&mut tx)
            .await?;
        insert_audit(&mut tx, audit, now).await?;
        tx.commit().await
    }
}

#[cfg(test)]
mod tests;
