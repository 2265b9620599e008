//! The texts the operator writes: the safety texts shown beside every
//! group (one per country, and a `default`) and the site pages (`about`).
//! [`SiteTextStore`] and its one implementation for both backends (`imp`).

use async_trait::async_trait;
use jiff::Timestamp;

use crate::StoreResult;
use crate::model::AuditEntry;

/// The operator's texts; each save writes its audit row.
#[async_trait]
pub trait SiteTextStore {
    /// The operator's safety texts: (country or `default`, Markdown).
    async fn safety_texts(&self) -> StoreResult<Vec<(String, String)>>;

    /// Saves a safety text with its audit row.
    async fn save_safety_text(
        &self,
        country: &str,
        body: &str,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// The operator's text of a site page (`about`), if they wrote one.
    async fn site_page(&self, name: &str) -> StoreResult<Option<String>>;

    /// Saves a site page's text with its audit row.
    async fn save_site_page(
        &self,
        name: &str,
        body: &str,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<()>;
}

pub(crate) const SAFETY_TEXTS: &str = "SELECT country, body FROM safety_texts ORDER BY country";
pub(crate) const SAVE_SAFETY_TEXT: &str = "INSERT INTO safety_texts (country, body, updated_at)
VALUES ($1, $2, $3) ON CONFLICT (country) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at";
pub(crate) const SITE_PAGE: &str = "SELECT body FROM site_pages WHERE name = $1";
pub(crate) const SAVE_SITE_PAGE: &str = "INSERT INTO site_pages (name, body, updated_at)
VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at";

mod imp;
