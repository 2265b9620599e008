//! The resource library: pages editors write, their tags and the one file
//! each may offer (kept in the database, so a backup and every instance
//! hold it), and who is an editor. [`ResourceStore`] and its one
//! implementation for both backends (`imp`). Every change writes its audit
//! row in the same transaction.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::account::Role;

use crate::StoreResult;
use crate::model::{AccountId, AuditEntry};

/// A resource as the store keeps it, without its file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRecord {
    /// The internal row id (`comments.resource_id` refers to it).
    pub id: i64,
    /// Its address under `/resources/`.
    pub slug: String,
    /// The title.
    pub title: String,
    /// The summary.
    pub summary: String,
    /// Markdown.
    pub body: String,
    /// Who wrote it, while their account exists.
    pub author: Option<AccountId>,
    /// When it was (last) published; `None` for a draft.
    pub published_at: Option<Timestamp>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Its tags, alphabetically.
    pub tags: Vec<String>,
    /// Its file, if it offers one.
    pub file: Option<FileMeta>,
}

/// What is known of a resource's file without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    /// The name it downloads as.
    pub name: String,
    /// Its media type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its SHA-256, hex.
    pub sha256: String,
}

/// A resource's file with its bytes, and whether the resource is
/// published (a draft's file is for editors only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Name, type, size, hash.
    pub meta: FileMeta,
    /// The bytes.
    pub data: Vec<u8>,
    /// Whether the resource it belongs to is published.
    pub published: bool,
}

/// A resource's fields to write.
#[derive(Debug, Clone, Copy)]
pub struct ResourceFields<'a> {
    /// Its slug (unique).
    pub slug: &'a str,
    /// The title.
    pub title: &'a str,
    /// The summary.
    pub summary: &'a str,
    /// Markdown.
    pub body: &'a str,
    /// Normalised tags.
    pub tags: &'a [String],
    /// Published (readers see it) or a draft.
    pub published: bool,
}

/// A file to keep.
#[derive(Debug, Clone, Copy)]
pub struct NewFile<'a> {
    /// Name, type, size and hash.
    pub meta: &'a FileMeta,
    /// The bytes.
    pub data: &'a [u8],
}

/// What an edit does to the file.
#[derive(Debug, Clone, Copy)]
pub enum FileChange<'a> {
    /// Leaves it as it is.
    Keep,
    /// Puts this one in its place.
    Replace(NewFile<'a>),
    /// Takes it away.
    Remove,
}

/// Which published resources to list: newest first, after a cursor.
#[derive(Debug, Clone, Default)]
pub struct ResourceQuery {
    /// Only those with this tag.
    pub tag: Option<String>,
    /// Only those older than this `(published_at, id)`.
    pub before: Option<(Timestamp, i64)>,
    /// How many.
    pub limit: u32,
}

/// The resource library's pages, files and editors.
#[async_trait]
pub trait ResourceStore {
    /// Writes a new resource with its tags, file and audit row;
    /// `Conflict` when the slug is taken.
    async fn create_resource(
        &self,
        author: AccountId,
        fields: &ResourceFields<'_>,
        file: Option<NewFile<'_>>,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<ResourceRecord>;

    /// The resource with this slug, published or not; `NotFound`.
    async fn resource(&self, slug: &str) -> StoreResult<ResourceRecord>;

    /// Changes a resource: fields, tags, file, with its audit row. Going
    /// from draft to published stamps `published_at` now; back to draft
    /// clears it. `Conflict` when the new slug is taken; `NotFound`.
    async fn update_resource(
        &self,
        id: i64,
        fields: &ResourceFields<'_>,
        file: FileChange<'_>,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<ResourceRecord>;

    /// Deletes a resource, its tags and file, with its audit row;
    /// `NotFound`.
    async fn delete_resource(
        &self,
        id: i64,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Published resources, newest first (then by id), as the query asks.
    async fn published_resources(&self, query: &ResourceQuery) -> StoreResult<Vec<ResourceRecord>>;

    /// Drafts, most recently changed first, for editors.
    async fn draft_resources(&self, limit: u32) -> StoreResult<Vec<ResourceRecord>>;

    /// A resource's file with its bytes; `NotFound` when it has none.
    async fn resource_file(&self, slug: &str) -> StoreResult<StoredFile>;

    /// Accounts with `role`, by handle: (id, handle).
    async fn accounts_with_role(&self, role: Role) -> StoreResult<Vec<(AccountId, String)>>;

    /// Changes an account's role from `from` to `to` with its audit row;
    /// `Stale` when its role is no longer `from`.
    async fn change_role(
        &self,
        account: AccountId,
        from: Role,
        to: Role,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<()>;
}

const RESOURCE_COLUMNS: &str = "SELECT r.id, r.slug, r.title, r.summary, r.body, r.author_id,
    r.published_at, r.created_at, r.updated_at,
    f.name, f.content_type, f.size, f.sha256
FROM resources r LEFT JOIN resource_files f ON f.resource_id = r.id";
pub(crate) const INSERT_RESOURCE: &str = "INSERT INTO resources
    (slug, title, summary, body, author_id, published_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
pub(crate) const UPDATE_RESOURCE: &str = "UPDATE resources SET slug = $2, title = $3,
    summary = $4, body = $5,
    published_at = CASE WHEN $6 = 0 THEN NULL ELSE COALESCE(published_at, $7) END,
    updated_at = $7
WHERE id = $1";
pub(crate) const DELETE_RESOURCE: &str = "DELETE FROM resources WHERE id = $1";
pub(crate) const DELETE_TAGS: &str = "DELETE FROM resource_tags WHERE resource_id = $1";
pub(crate) const INSERT_TAG: &str = "INSERT INTO resource_tags (resource_id, tag) VALUES ($1, $2)";
pub(crate) const DELETE_FILE: &str = "DELETE FROM resource_files WHERE resource_id = $1";
pub(crate) const INSERT_FILE: &str = "INSERT INTO resource_files
    (resource_id, name, content_type, size, sha256, data, uploaded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub(crate) const FILE_BY_SLUG: &str =
    "SELECT f.name, f.content_type, f.size, f.sha256, f.data, r.published_at
FROM resource_files f JOIN resources r ON r.id = f.resource_id WHERE r.slug = $1";
pub(crate) const ACCOUNTS_WITH_ROLE: &str =
    "SELECT id, handle FROM accounts WHERE role = $1 ORDER BY handle_key";
pub(crate) const CHANGE_ROLE: &str = "UPDATE accounts SET role = $3 WHERE id = $1 AND role = $2";

/// The resources' columns with a condition and an order.
pub(crate) fn resources_where(rest: &str) -> String {
    format!("{RESOURCE_COLUMNS} {rest}")
}

mod imp;
