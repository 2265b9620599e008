//! `kith import meeting-guide`: groups from another site's Meeting Guide
//! feed. Each record creates or updates the group with its slug (a second
//! import of the same feed changes nothing); a bad record is reported with
//! its field and reason and the import carries on. Imported groups have no
//! host here; their page points to the original listing.

use jiff::Timestamp;
use kith_domain::directory::horizon;
use kith_domain::group::{ListingStatus, Mask, NewGroup};
use kith_domain::meeting_guide::{read_record, spec_field};
use kith_domain::schedule::Rule;
use kith_domain::validation::FieldError;
use kith_store::hosting::{GroupUpdate, ManagedGroup};
use kith_store::{GroupDraft, Store, StoreError};

use crate::directory::DirectoryCache;
use crate::{AppError, AppResult};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Groups created.
    pub created: usize,
    /// Groups whose fields changed.
    pub updated: usize,
    /// Groups found as they were.
    pub unchanged: usize,
    /// Records refused: which (slug, or `#index`), and each field's code.
    pub failed: Vec<(String, Vec<(&'static str, &'static str)>)>,
}

/// Imports a feed's records (a JSON array) as groups in `status`, calling
/// `progress(done, total)` after each. `origin` names the feed (its URL or
/// file); a record without its own `url` is marked as coming from there.
pub async fn import_meeting_guide(
    store: &dyn Store,
    cache: &DirectoryCache,
    feed: &str,
    origin: &str,
    status: ListingStatus,
    now: Timestamp,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> AppResult<ImportReport> {
    let records: Vec<serde_json::Value> = serde_json::from_str(feed)
        .map_err(|_| AppError::Invalid(vec![FieldError::new("feed", "not_a_json_array")]))?;
    let mut report = ImportReport::default();
    let mut seen = std::collections::HashSet::new();
    // One query tells new slugs from known ones, so a new record costs no
    // lookup of its own.
    let slugs: Vec<kith_domain::ids::Slug> = records
        .iter()
        .filter_map(|r| r.get("slug")?.as_str())
        .filter_map(|s| kith_domain::ids::Slug::parse(s.trim()))
        .collect();
    let known = store.existing_slugs(&slugs).await?;
    // New groups are written a thousand to a transaction: one commit (and
    // one fsync) per batch instead of per record.
    let mut new_groups: Vec<NewGroup> = Vec::new();
    let total = records.len();
    for (index, record) in records.iter().enumerate() {
        let name = record
            .get("slug")
            .and_then(|s| s.as_str())
            .map_or_else(|| format!("#{index}"), str::to_owned);
        let mut fail = |errors: Vec<FieldError>| {
            let fields = errors
                .iter()
                .map(|e| (spec_field(e.field), e.code))
                .collect();
            report.failed.push((name.clone(), fields));
        };
        match read_record(record) {
            Err(errors) => fail(errors),
            Ok(read) if !seen.insert(read.slug.clone()) => {
                fail(vec![FieldError::new("slug", "duplicate")]);
            }
            Ok(read) => match read.input.parse() {
                Err(errors) => fail(errors),
                Ok(mut group) => {
                    group.profile.slug = read.slug;
                    group.profile.source = read.source.or_else(|| Some(origin.to_owned()));
                    let saved = if known.contains(&group.profile.slug) {
                        save(store, group, now).await?
                    } else {
                        Saved::New(Box::new(group))
                    };
                    match saved {
                        Saved::New(group) => new_groups.push(*group),
                        Saved::Updated => report.updated += 1,
                        Saved::Unchanged => report.unchanged += 1,
                        Saved::Taken => fail(vec![FieldError::new("slug", "taken")]),
                    }
                    if new_groups.len() >= BATCH {
                        report.created += insert(store, &mut new_groups, status, now).await?;
                    }
                }
            },
        }
        progress(index + 1, total);
    }
    report.created += insert(store, &mut new_groups, status, now).await?;
    if report.created + report.updated > 0 {
        cache.invalidate();
    }
    Ok(report)
}

/// New groups per transaction.
const BATCH: usize = 1_000;

/// Inserts and empties a batch of new groups; answers how many.
async fn insert(
    store: &dyn Store,
    groups: &mut Vec<NewGroup>,
    status: ListingStatus,
    now: Timestamp,
) -> AppResult<usize> {
    let until = horizon(now);
    let drafts: Vec<GroupDraft<'_>> = groups
        .iter()
        .map(|group| GroupDraft {
            group,
            status,
            hosts: Vec::new(),
            occurrences: group.profile.schedule.occurrences_between(now, until),
            occurrences_until: until,
        })
        .collect();
    store.insert_groups(&drafts, now).await?;
    let count = groups.len();
    groups.clear();
    Ok(count)
}

enum Saved {
    /// Not there yet: to be inserted with the next batch.
    New(Box<NewGroup>),
    Updated,
    Unchanged,
    /// The slug belongs to a group of this site, not an imported one.
    Taken,
}

async fn save(store: &dyn Store, group: NewGroup, now: Timestamp) -> AppResult<Saved> {
    let until = horizon(now);
    match store.managed_group(&group.profile.slug).await {
        Err(StoreError::NotFound) => Ok(Saved::New(Box::new(group))),
        Err(other) => Err(other.into()),
        Ok(existing) if existing.profile.source.is_none() => Ok(Saved::Taken),
        Ok(existing) if same(&existing, &group) => Ok(Saved::Unchanged),
        Ok(existing) => {
            let same_schedule = rules(&existing.profile.schedule.rules)
                == rules(&group.profile.schedule.rules)
                && existing.profile.schedule.zone.name() == group.profile.schedule.zone.name();
            let occurrences = group.profile.schedule.occurrences_between(now, until);
            store
                .update_group(
                    existing.access.id,
                    &GroupUpdate {
                        group: &group,
                        status: existing.access.status,
                        review_note: existing.access.review_note.as_deref(),
                        occurrences: (!same_schedule).then_some(occurrences.as_slice()),
                        occurrences_until: until,
                        change_log: None,
                    },
                    now,
                )
                .await?;
            Ok(Saved::Updated)
        }
    }
}

fn rules(rules: &[Rule]) -> Vec<Rule> {
    rules
        .iter()
        .map(|r| Rule {
            id: None,
            ..r.clone()
        })
        .collect()
}

/// Whether a stored imported group already says what the record says.
fn same(existing: &ManagedGroup, group: &NewGroup) -> bool {
    let (a, b) = (&existing.profile, &group.profile);
    a.name == b.name
        && a.description == b.description
        // As sets: the store keeps them as bit masks, so they read back in
        // kith's order, not the feed's.
        && Mask::of(a.focus.iter().map(|f| f.bit())) == Mask::of(b.focus.iter().map(|f| f.bit()))
        && Mask::of(a.attributes.iter().map(|a| a.bit()))
            == Mask::of(b.attributes.iter().map(|a| a.bit()))
        && a.format == b.format
        && a.language == b.language
        && a.place == b.place
        && a.schedule.zone.name() == b.schedule.zone.name()
        && rules(&a.schedule.rules) == rules(&b.schedule.rules)
        && existing.private == group.private
}
