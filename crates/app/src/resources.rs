//! The resource library: pages editors (and admins) write in Markdown,
//! each with tags and an optional PDF or EPUB, published or kept as a
//! draft. Readers see published ones; a draft answers `NotFound` to anyone
//! who may not edit, exactly as a resource that does not exist. Every
//! change writes its audit row in the same transaction. Giving and taking
//! the editor role is in [`editors`].

pub mod editors;

use jiff::Timestamp;
use kith_domain::ids::Slug;
use kith_domain::resource::{
    ResourceDraft, ResourceInput, ResourceStatus, check_file, normalize_tag,
};
use kith_domain::validation::FieldError;
use kith_store::AuditEntry;
use kith_store::resources::{FileChange, NewFile, ResourceFields, ResourceQuery};
use sha2::{Digest, Sha256};

use crate::access::{Person, SiteAction, authorize_on_site, permits_on_site};
use crate::markdown::to_safe_html;
use crate::{App, AppError, AppResult};

pub use kith_store::resources::{FileMeta, ResourceRecord, StoredFile};

/// The most resources on one page of the index or the API.
pub const PAGE_MAX: u32 = 50;

/// A resource as readers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceView {
    /// The internal row id, which comments attach to
    /// (`comments.resource_id`); never shown.
    pub id: i64,
    /// Its address under `/resources/`.
    pub slug: String,
    /// The title.
    pub title: String,
    /// The summary, plain text.
    pub summary: String,
    /// The Markdown as written (for the editor and the API).
    pub body: String,
    /// The body as sanitised HTML.
    pub html: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// When it was published; `None` for a draft.
    pub published_at: Option<Timestamp>,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Its file, if any.
    pub file: Option<FileMeta>,
}

impl ResourceView {
    fn of(record: ResourceRecord) -> Self {
        Self {
            id: record.id,
            html: to_safe_html(&record.body),
            slug: record.slug,
            title: record.title,
            summary: record.summary,
            body: record.body,
            tags: record.tags,
            published_at: record.published_at,
            updated_at: record.updated_at,
            file: record.file,
        }
    }

    /// Whether only editors see it.
    pub fn is_draft(&self) -> bool {
        self.published_at.is_none()
    }

    /// The form's fields, for editing it.
    pub fn input(&self) -> ResourceInput {
        ResourceInput {
            title: self.title.clone(),
            slug: self.slug.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            tags: self.tags.join(", "),
            status: if self.is_draft() {
                "draft"
            } else {
                "published"
            }
            .to_owned(),
        }
    }
}

/// One page of the index and where the next starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePage {
    /// Newest first.
    pub items: Vec<ResourceView>,
    /// The cursor of the next (older) page, if there is one.
    pub next_cursor: Option<String>,
}

/// A file as it arrived: the name the browser gave and the bytes, read up
/// to one byte past `max_bytes` (enough to know it is too large).
#[derive(Debug, Clone)]
pub struct Upload {
    /// The name it was sent with.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The largest file kept (`KITH_RESOURCE_FILE_MAX_BYTES`).
    pub max_bytes: u64,
}

/// What an edit does to the resource's file.
#[derive(Debug, Clone)]
pub enum FileEdit {
    /// Leaves it.
    Keep,
    /// Replaces (or adds) it.
    Replace(Upload),
    /// Takes it away.
    Remove,
}

/// Whether `person` writes the library (and so sees drafts).
pub fn may_edit(person: Option<&Person>) -> bool {
    permits_on_site(person, SiteAction::EditResources)
}

/// One page of published resources, newest first; with `tag`, only those
/// so tagged (none for a tag no resource could have); with `cursor`, those
/// older than the page it came from (`Invalid` on the field `cursor` for
/// one no page gave).
pub async fn index(
    app: &App,
    tag: Option<&str>,
    cursor: Option<&str>,
    limit: u32,
) -> AppResult<ResourcePage> {
    // The cursor first: a wrong one is refused whatever the tag.
    let before =
        match cursor.filter(|c| !c.is_empty()) {
            Some(raw) => Some(parse_cursor(raw).ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new("cursor", "invalid_value")])
            })?),
            None => None,
        };
    let tag = match tag.map(str::trim).filter(|t| !t.is_empty()) {
        Some(raw) => match normalize_tag(raw) {
            Ok(Some(tag)) => Some(tag),
            // A tag no resource could have: nothing has it.
            _ => {
                return Ok(ResourcePage {
                    items: Vec::new(),
                    next_cursor: None,
                });
            }
        },
        None => None,
    };
    let limit = limit.clamp(1, PAGE_MAX);
    let mut records = app
        .store()
        .published_resources(&ResourceQuery {
            tag,
            before,
            limit: limit + 1,
        })
        .await?;
    let more = records.len() > limit as usize;
    records.truncate(limit as usize);
    let next_cursor = more.then(|| records.last().and_then(cursor_of)).flatten();
    Ok(ResourcePage {
        items: records.into_iter().map(ResourceView::of).collect(),
        next_cursor,
    })
}

/// `published_at.id`: where a page ended, for the next to start after.
fn cursor_of(record: &ResourceRecord) -> Option<String> {
    record
        .published_at
        .map(|at| format!("{}.{}", at.as_second(), record.id))
}

fn parse_cursor(raw: &str) -> Option<(Timestamp, i64)> {
    let (at, id) = raw.split_once('.')?;
    let at = Timestamp::from_second(at.parse().ok()?).ok()?;
    Some((at, id.parse().ok()?))
}

/// The drafts, most recently changed first, for an editor.
pub async fn drafts(app: &App, person: &Person) -> AppResult<Vec<ResourceView>> {
    authorize_on_site(Some(person), SiteAction::EditResources)?;
    let records = app.store().draft_resources(PAGE_MAX).await?;
    Ok(records.into_iter().map(ResourceView::of).collect())
}

/// A resource by its slug: a draft only for those who may edit it.
pub async fn read(app: &App, person: Option<&Person>, slug: &str) -> AppResult<ResourceView> {
    Ok(ResourceView::of(readable(app, person, slug).await?))
}

async fn readable(app: &App, person: Option<&Person>, slug: &str) -> AppResult<ResourceRecord> {
    let slug = Slug::parse(slug).ok_or(AppError::NotFound)?;
    let record = app.store().resource(slug.as_str()).await?;
    if record.published_at.is_none() && !may_edit(person) {
        return Err(AppError::NotFound);
    }
    Ok(record)
}

/// A resource's file: a draft's only for those who may edit it.
pub async fn file(app: &App, person: Option<&Person>, slug: &str) -> AppResult<StoredFile> {
    let slug = Slug::parse(slug).ok_or(AppError::NotFound)?;
    let file = app.store().resource_file(slug.as_str()).await?;
    if !file.published && !may_edit(person) {
        return Err(AppError::NotFound);
    }
    Ok(file)
}

/// A checked upload, ready for the store.
struct CheckedUpload {
    meta: FileMeta,
    bytes: Vec<u8>,
}

fn check_upload(upload: Upload) -> Result<CheckedUpload, FieldError> {
    let checked = check_file(&upload.name, &upload.bytes, upload.max_bytes)?;
    let size =
        i64::try_from(upload.bytes.len()).map_err(|_| FieldError::new("file", "too_large"))?;
    let sha256 = Sha256::digest(&upload.bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(CheckedUpload {
        meta: FileMeta {
            name: checked.name,
            content_type: checked.kind.content_type().to_owned(),
            size,
            sha256,
        },
        bytes: upload.bytes,
    })
}

/// Checks the fields and the file together, so an editor sees every
/// problem at once.
fn check_all<T>(
    input: &ResourceInput,
    file: Option<Result<T, FieldError>>,
) -> AppResult<(ResourceDraft, Option<T>)> {
    let (draft, file) = match (input.parse(), file.transpose()) {
        (Ok(draft), Ok(file)) => (draft, file),
        (Err(mut errors), Err(file_error)) => {
            errors.push(file_error);
            return Err(AppError::Invalid(errors));
        }
        (Err(errors), Ok(_)) => return Err(AppError::Invalid(errors)),
        (Ok(_), Err(file_error)) => return Err(AppError::Invalid(vec![file_error])),
    };
    Ok((draft, file))
}

fn fields(draft: &ResourceDraft) -> ResourceFields<'_> {
    ResourceFields {
        slug: draft.slug.as_str(),
        title: &draft.title,
        summary: &draft.summary,
        body: &draft.body,
        tags: &draft.tags,
        published: draft.status == ResourceStatus::Published,
    }
}

fn audit<'a>(person: &'a Person, action: &'static str, slug: &str) -> AuditEntry<'a> {
    AuditEntry {
        actor: Some(person.id),
        actor_handle: person.handle.as_str(),
        action,
        target: format!("resource:{slug}"),
        reason: "",
    }
}

/// A slug someone else's resource has is the editor's to change.
fn slug_taken(err: kith_store::StoreError) -> AppError {
    match err {
        kith_store::StoreError::Conflict { .. } => {
            AppError::Invalid(vec![FieldError::new("slug", "taken")])
        }
        other => other.into(),
    }
}

/// Writes a new resource, with its file if one came. Anyone who may not
/// edit gets `NotFound`, as for every forbidden edit; refused fields
/// write nothing.
pub async fn create(
    app: &App,
    person: &Person,
    input: &ResourceInput,
    upload: Option<Upload>,
    now: Timestamp,
) -> AppResult<ResourceView> {
    authorize_on_site(Some(person), SiteAction::EditResources)?;
    let (draft, file) = check_all(input, upload.map(check_upload))?;
    let action = match draft.status {
        ResourceStatus::Published => "resource.publish",
        ResourceStatus::Draft => "resource.create",
    };
    let new_file = file.as_ref().map(|f| NewFile {
        meta: &f.meta,
        data: &f.bytes,
    });
    let record = app
        .store()
        .create_resource(
            person.id,
            &fields(&draft),
            new_file,
            &audit(person, action, draft.slug.as_str()),
            now,
        )
        .await
        .map_err(slug_taken)?;
    app.public_changed();
    Ok(ResourceView::of(record))
}

/// Changes a resource: its fields (a new slug moves it), its status
/// (publishing, unpublishing) and its file.
pub async fn update(
    app: &App,
    person: &Person,
    slug: &str,
    input: &ResourceInput,
    file: FileEdit,
    now: Timestamp,
) -> AppResult<ResourceView> {
    authorize_on_site(Some(person), SiteAction::EditResources)?;
    let current = readable(app, Some(person), slug).await?;
    let (file, replacement) = match file {
        FileEdit::Keep => (None, FileChange::Keep),
        FileEdit::Remove => (None, FileChange::Remove),
        FileEdit::Replace(upload) => (Some(check_upload(upload)), FileChange::Keep),
    };
    let (draft, checked) = check_all(input, file)?;
    let change = match (&checked, replacement) {
        (Some(f), _) => FileChange::Replace(NewFile {
            meta: &f.meta,
            data: &f.bytes,
        }),
        (None, other) => other,
    };
    let action = match (current.published_at.is_some(), draft.status) {
        (false, ResourceStatus::Published) => "resource.publish",
        (true, ResourceStatus::Draft) => "resource.unpublish",
        _ => "resource.edit",
    };
    let record = app
        .store()
        .update_resource(
            current.id,
            &fields(&draft),
            change,
            &audit(person, action, draft.slug.as_str()),
            now,
        )
        .await
        .map_err(slug_taken)?;
    app.public_changed();
    Ok(ResourceView::of(record))
}

/// Deletes a resource with its file (and, through the database, its
/// comments).
pub async fn delete(app: &App, person: &Person, slug: &str, now: Timestamp) -> AppResult<()> {
    authorize_on_site(Some(person), SiteAction::EditResources)?;
    let current = readable(app, Some(person), slug).await?;
    app.store()
        .delete_resource(
            current.id,
            &audit(person, "resource.delete", &current.slug),
            now,
        )
        .await?;
    app.public_changed();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_nonsense_is_refused() {
        let at = Timestamp::from_second(1_780_000_000).expect("time");
        assert_eq!(parse_cursor("1780000000.42"), Some((at, 42)));
        for bad in ["", "42", "x.1", "1.y", "99999999999999999.1"] {
            assert_eq!(parse_cursor(bad), None, "{bad}");
        }
    }
}
