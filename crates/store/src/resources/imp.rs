//! The one implementation of [`ResourceStore`], for both backends. Each
//! change is one transaction with its tags, file and audit row.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::account::Role;

use super::{
    ACCOUNTS_WITH_ROLE, CHANGE_ROLE, DELETE_FILE, DELETE_RESOURCE, DELETE_TAGS, FILE_BY_SLUG,
    FileChange, FileMeta, INSERT_FILE, INSERT_RESOURCE, INSERT_TAG, NewFile, ResourceFields,
    ResourceQuery, ResourceRecord, ResourceStore, StoredFile, UPDATE_RESOURCE, resources_where,
};
use crate::audit::insert_audit;
use crate::db::{On, Tx, query};
use crate::model::{AccountId, AuditEntry};
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult, from_seconds};

/// A resource's row with its file's metadata.
#[derive(sqlx::FromRow)]
struct ResourceRow {
    id: i64,
    slug: String,
    title: String,
    summary: String,
    body: String,
    author_id: Option<i64>,
    published_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    name: Option<String>,
    content_type: Option<String>,
    size: Option<i64>,
    sha256: Option<String>,
}

impl ResourceRow {
    fn into_record(self, tags: Vec<String>) -> StoreResult<ResourceRecord> {
        let file = match (self.name, self.content_type, self.size, self.sha256) {
            (Some(name), Some(content_type), Some(size), Some(sha256)) => Some(FileMeta {
                name,
                content_type,
                size,
                sha256,
            }),
            _ => None,
        };
        Ok(ResourceRecord {
            id: self.id,
            slug: self.slug,
            title: self.title,
            summary: self.summary,
            body: self.body,
            author: self.author_id.map(AccountId),
            published_at: self.published_at.map(from_seconds).transpose()?,
            created_at: from_seconds(self.created_at)?,
            updated_at: from_seconds(self.updated_at)?,
            tags,
            file,
        })
    }
}

/// Rows with their tags, read in one more query.
async fn with_tags<'c>(
    on: impl Into<On<'c>>,
    rows: Vec<ResourceRow>,
) -> StoreResult<Vec<ResourceRecord>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = query("SELECT resource_id, tag FROM resource_tags WHERE resource_id IN (");
    q.push_list(rows.iter().map(|r| r.id));
    q.push(") ORDER BY resource_id, tag");
    let tags: Vec<(i64, String)> = q.fetch_all(on).await?;
    rows.into_iter()
        .map(|row| {
            let own = tags
                .iter()
                .filter(|(id, _)| *id == row.id)
                .map(|(_, tag)| tag.clone())
                .collect();
            row.into_record(own)
        })
        .collect()
}

async fn by_slug<'c>(on: impl Into<On<'c>>, slug: &str) -> StoreResult<ResourceRecord> {
    let mut on = on.into();
    let row: ResourceRow = query(resources_where("WHERE r.slug = $1"))
        .bind(slug)
        .fetch_one(reborrow(&mut on))
        .await?;
    with_tags(on, vec![row])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// The same connection again, for a second query.
fn reborrow<'a>(on: &'a mut On<'_>) -> On<'a> {
    match on {
        On::Db(db) => On::Db(db),
        On::Tx(tx) => On::Tx(tx),
    }
}

async fn write_tags(tx: &mut Tx, id: i64, tags: &[String]) -> StoreResult<()> {
    query(DELETE_TAGS).bind(id).execute(&mut *tx).await?;
    for tag in tags {
        query(INSERT_TAG)
            .bind(id)
            .bind(tag)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

async fn write_file(tx: &mut Tx, id: i64, file: &NewFile<'_>, now: Timestamp) -> StoreResult<()> {
    query(DELETE_FILE).bind(id).execute(&mut *tx).await?;
    query(INSERT_FILE)
        .bind(id)
        .bind(file.meta.name.as_str())
        .bind(file.meta.content_type.as_str())
        .bind(file.meta.size)
        .bind(file.meta.sha256.as_str())
        .bind(file.data)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// A taken slug is the editor's to change, so it has a name of its own.
fn slug_taken(err: StoreError) -> StoreError {
    match err {
        StoreError::Conflict { .. } => StoreError::Conflict {
            what: "resource slug",
        },
        other => other,
    }
}

#[async_trait]
impl ResourceStore for SqlStore {
    async fn create_resource(
        &self,
        author: AccountId,
        fields: &ResourceFields<'_>,
        file: Option<NewFile<'_>>,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<ResourceRecord> {
        let mut tx = self.db().begin().await?;
        let id: i64 = query(INSERT_RESOURCE)
            .bind(fields.slug)
            .bind(fields.title)
            .bind(fields.summary)
            .bind(fields.body)
            .bind(author.0)
            .bind(fields.published.then_some(now))
            .bind(now)
            .scalar(&mut tx)
            .await
            .map_err(slug_taken)?;
        write_tags(&mut tx, id, fields.tags).await?;
        if let Some(file) = file {
            write_file(&mut tx, id, &file, now).await?;
        }
        insert_audit(&mut tx, audit, now).await?;
        let record = by_slug(&mut tx, fields.slug).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn resource(&self, slug: &str) -> StoreResult<ResourceRecord> {
        by_slug(self.db(), slug).await
    }

    async fn update_resource(
        &self,
        id: i64,
        fields: &ResourceFields<'_>,
        file: FileChange<'_>,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<ResourceRecord> {
        let mut tx = self.db().begin().await?;
        query(UPDATE_RESOURCE)
            .bind(id)
            .bind(fields.slug)
            .bind(fields.title)
            .bind(fields.summary)
            .bind(fields.body)
            .bind(i64::from(fields.published))
            .bind(now)
            .execute_or_not_found(&mut tx)
            .await
            .map_err(slug_taken)?;
        write_tags(&mut tx, id, fields.tags).await?;
        match file {
            FileChange::Keep => {}
            FileChange::Replace(file) => write_file(&mut tx, id, &file, now).await?,
            FileChange::Remove => {
                query(DELETE_FILE).bind(id).execute(&mut tx).await?;
            }
        }
        insert_audit(&mut tx, audit, now).await?;
        let record = by_slug(&mut tx, fields.slug).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn delete_resource(
        &self,
        id: i64,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        // Tags and file go by `ON DELETE CASCADE`; said here too, so the
        // rule does not hang on SQLite's foreign-key setting.
        query(DELETE_TAGS).bind(id).execute(&mut tx).await?;
        query(DELETE_FILE).bind(id).execute(&mut tx).await?;
        query(DELETE_RESOURCE)
            .bind(id)
            .execute_or_not_found(&mut tx)
            .await?;
        insert_audit(&mut tx, audit, now).await?;
        tx.commit().await
    }

    async fn published_resources(
        &self,
        wanted: &ResourceQuery,
    ) -> StoreResult<Vec<ResourceRecord>> {
        let mut q = query(resources_where("WHERE r.published_at IS NOT NULL"));
        if let Some(tag) = &wanted.tag {
            let tag = q.arg(tag.clone());
            q.push(&format!(
                " AND r.id IN (SELECT resource_id FROM resource_tags WHERE tag = {tag})"
            ));
        }
        if let Some((at, id)) = wanted.before {
            let (at_a, at_b, id) = (q.arg(at), q.arg(at), q.arg(id));
            q.push(&format!(
                " AND (r.published_at < {at_a} OR (r.published_at = {at_b} AND r.id < {id}))"
            ));
        }
        let limit = q.arg(i64::from(wanted.limit));
        q.push(&format!(
            " ORDER BY r.published_at DESC, r.id DESC LIMIT {limit}"
        ));
        let rows: Vec<ResourceRow> = q.fetch_all(self.db()).await?;
        with_tags(self.db(), rows).await
    }

    async fn draft_resources(&self, limit: u32) -> StoreResult<Vec<ResourceRecord>> {
        let rows: Vec<ResourceRow> = query(resources_where(
            "WHERE r.published_at IS NULL ORDER BY r.updated_at DESC, r.id DESC LIMIT $1",
        ))
        .bind(i64::from(limit))
        .fetch_all(self.db())
        .await?;
        with_tags(self.db(), rows).await
    }

    async fn resource_file(&self, slug: &str) -> StoreResult<StoredFile> {
        let (name, content_type, size, sha256, data, published_at): (
            String,
            String,
            i64,
            String,
            Vec<u8>,
            Option<i64>,
        ) = query(FILE_BY_SLUG).bind(slug).fetch_one(self.db()).await?;
        Ok(StoredFile {
            meta: FileMeta {
                name,
                content_type,
                size,
                sha256,
            },
            data,
            published: published_at.is_some(),
        })
    }

    async fn accounts_with_role(&self, role: Role) -> StoreResult<Vec<(AccountId, String)>> {
        let rows: Vec<(i64, String)> = query(ACCOUNTS_WITH_ROLE)
            .bind(role.code())
            .fetch_all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, handle)| (AccountId(id), handle))
            .collect())
    }

    async fn change_role(
        &self,
        account: AccountId,
        from: Role,
        to: Role,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        let changed = query(CHANGE_ROLE)
            .bind(account.0)
            .bind(from.code())
            .bind(to.code())
            .execute(&mut tx)
            .await?;
        if changed == 0 {
            return Err(StoreError::Stale);
        }
        insert_audit(&mut tx, audit, now).await?;
        tx.commit().await
    }
}

#[cfg(test)]
mod tests;
