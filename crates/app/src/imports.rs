//! `kith import meeting-guide`: groups from another site's Meeting Guide
//! feed. Each record creates or updates the group with its slug (a second
//! import of the same feed changes nothing); a bad record is reported with
//! its field and reason and the import carries on. Imported groups have no
//! host here; their page points to the original listing.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::value::RawValue;

use jiff::Timestamp;
use kith_domain::directory::first_horizon;
use kith_domain::group::{ListingStatus, Mask, NewGroup};
use kith_domain::ids::{GroupId, Slug};
use kith_domain::meeting_guide::{read_record, spec_field};
use kith_domain::schedule::{PlannedOccurrence, Rule};
use kith_domain::validation::FieldError;
use kith_store::hosting::{GroupUpdate, ManagedGroup};
use kith_store::mail::NoMail;
use kith_store::{GroupDraft, Store};

use crate::{App, AppError, AppResult};

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
    app: &App,
    feed: &str,
    origin: &str,
    status: ListingStatus,
    now: Timestamp,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> AppResult<ImportReport> {
    let store = app.store();
    // Only split into records here (each record's text, not parsed): the
    // records are parsed with the rest of their reading, a batch ahead.
    let records: Vec<Box<RawValue>> = serde_json::from_str(feed)
        .map_err(|_| AppError::Invalid(vec![FieldError::new("feed", "not_a_json_array")]))?;
    let mut import = Import {
        store,
        report: ImportReport::default(),
        failed: Vec::new(),
        batch: Vec::with_capacity(BATCH),
    };
    let writer = Writer {
        store,
        status,
        now,
        until: first_horizon(now),
    };
    let total = records.len();
    // Three stages at once: a blocking thread reads and checks the records
    // of batch N+2, this task sorts batch N+1 into new, changed and
    // unchanged groups, and the store writes batch N (on SQLite, on a
    // thread of its own).
    let origin: Arc<str> = Arc::from(origin);
    let mut batches = records.into_iter().enumerate();
    let mut next_batch = move || {
        let batch: Vec<(usize, Box<RawValue>)> = batches.by_ref().take(BATCH).collect();
        let origin = origin.clone();
        (!batch.is_empty()).then(|| tokio::task::spawn_blocking(move || read_batch(batch, &origin)))
    };
    let mut reading = next_batch();
    let mut seen = std::collections::HashSet::new();
    let mut sorted: Option<Sorted> = None;
    loop {
        let sort_next = async {
            let Some(read) = reading.take() else {
                return Ok(None);
            };
            let read = read.await.map_err(AppError::internal)?;
            reading = next_batch();
            for (index, name, outcome) in read {
                match outcome {
                    Err(errors) => import.fail(index, name, &errors),
                    Ok((slug, group)) => match group {
                        _ if !seen.insert(slug) => {
                            import.fail(index, name, &[FieldError::new("slug", "duplicate")]);
                        }
                        Err(errors) => import.fail(index, name, &errors),
                        Ok(group) => import.batch.push((index, name, *group)),
                    },
                }
                progress(index + 1, total);
            }
            import.sort().await.map(Some)
        };
        // The batches' slugs are distinct (`seen`), so sorting one while
        // the one before is written reads nothing that write changes.
        let save_previous = async {
            match sorted.take() {
                Some(batch) => writer.save(batch).await,
                None => Ok((0, 0)),
            }
        };
        // The write first: it starts its thread before the sorting takes
        // this one.
        let (saved, next) = tokio::join!(save_previous, sort_next);
        let (created, updated) = saved?;
        import.report.created += created;
        import.report.updated += updated;
        match next? {
            Some(next) => sorted = Some(next),
            None => break,
        }
    }
    let mut report = import.report;
    // In the feed's order, whichever batch found them.
    import.failed.sort_by_key(|(index, _)| *index);
    report.failed = import.failed.into_iter().map(|(_, f)| f).collect();
    if report.created + report.updated > 0 {
        app.public_changed();
    }
    Ok(report)
}

/// A record read: its place in the feed, its name (slug, or `#index`), and
/// either why it was refused or its slug and the group it describes (or
/// why that group is refused; a duplicate slug is reported before that).
type Read = (
    usize,
    String,
    Result<(Slug, Result<Box<NewGroup>, Vec<FieldError>>), Vec<FieldError>>,
);

/// Reads and checks a batch of records: the CPU-bound half of an import.
fn read_batch(records: Vec<(usize, Box<RawValue>)>, origin: &str) -> Vec<Read> {
    records
        .into_iter()
        .map(|(index, raw)| {
            // A record's text is valid JSON: the whole feed parsed.
            let record: serde_json::Value =
                serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null);
            let name = record
                .get("slug")
                .and_then(|s| s.as_str())
                .map_or_else(|| format!("#{index}"), str::to_owned);
            let outcome = read_record(&record).map(|read| {
                let group = read.input.parse().map(|mut group| {
                    group.profile.slug = read.slug.clone();
                    group.profile.source = read.source.or_else(|| Some(origin.to_owned()));
                    Box::new(group)
                });
                (read.slug, group)
            });
            (index, name, outcome)
        })
        .collect()
}

/// Records per batch: the known groups among them are read in a few
/// queries, the new ones written in one transaction (one commit, and one
/// fsync, per batch instead of per record) and the changed ones in another.
/// Measured on SQLite: at 20,000 records, 5,000 a batch is 17% faster than
/// 1,000; at 100,000, 20,000 a batch is 12% faster than 5,000 or 50,000
/// (fewer commits, each writing the index pages every batch touches, while
/// reading still overlaps writing).
const BATCH: usize = 20_000;

/// A refused record: its place in the feed, its name and its fields.
type Failure = (usize, (String, Vec<(&'static str, &'static str)>));

/// A batch's valid records, sorted: new groups, and changed ones with what
/// is stored now.
type Sorted = (Vec<NewGroup>, Vec<(ManagedGroup, NewGroup)>);

/// An import under way: what it found so far.
struct Import<'a> {
    store: &'a dyn Store,
    report: ImportReport,
    failed: Vec<Failure>,
    /// Valid records not yet sorted: place in the feed, name, group.
    batch: Vec<(usize, String, NewGroup)>,
}

/// What writes an import's groups.
struct Writer<'a> {
    store: &'a dyn Store,
    status: ListingStatus,
    now: Timestamp,
    /// How far new occurrences reach: the first week only, since writing six
    /// weeks of meetings was three quarters of a fresh import's time; the
    /// refresher adds the rest (`schedule::refresh_due`).
    until: Timestamp,
}

impl Import<'_> {
    fn fail(&mut self, index: usize, name: String, errors: &[FieldError]) {
        let fields = errors
            .iter()
            .map(|e| (spec_field(e.field), e.code))
            .collect();
        self.failed.push((index, (name, fields)));
    }

    /// Sorts the batch: reads the groups it names, and counts the
    /// unchanged ones and the slugs taken by this site's own groups.
    async fn sort(&mut self) -> AppResult<Sorted> {
        if self.batch.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let slugs: Vec<Slug> = self
            .batch
            .iter()
            .map(|(_, _, group)| group.profile.slug.clone())
            .collect();
        let mut known: HashMap<Slug, ManagedGroup> = self
            .store
            .managed_groups(&slugs)
            .await?
            .into_iter()
            .map(|group| (group.profile.slug.clone(), group))
            .collect();
        let mut new = Vec::new();
        let mut changed = Vec::new();
        for (index, name, group) in std::mem::take(&mut self.batch) {
            match known.remove(&group.profile.slug) {
                None => new.push(group),
                // The slug belongs to a group of this site, not an imported one.
                Some(existing) if existing.profile.source.is_none() => {
                    self.fail(index, name, &[FieldError::new("slug", "taken")]);
                }
                Some(existing) if same(&existing, &group) => self.report.unchanged += 1,
                Some(existing) => changed.push((existing, group)),
            }
        }
        Ok((new, changed))
    }
}

impl Writer<'_> {
    /// Inserts the new groups and updates the changed ones; answers how
    /// many of each.
    async fn save(&self, (new, changed): Sorted) -> AppResult<(usize, usize)> {
        self.insert(&new).await?;
        self.update(&changed).await?;
        Ok((new.len(), changed.len()))
    }

    async fn insert(&self, groups: &[NewGroup]) -> AppResult<()> {
        if groups.is_empty() {
            return Ok(());
        }
        let drafts: Vec<GroupDraft<'_>> = groups
            .iter()
            .map(|group| GroupDraft {
                group,
                status: self.status,
                hosts: Vec::new(),
                occurrences: group
                    .profile
                    .schedule
                    .occurrences_between(self.now, self.until),
                occurrences_until: self.until,
            })
            .collect();
        self.store.insert_groups(&drafts, &NoMail, self.now).await?;
        Ok(())
    }

    /// Saves changed groups, keeping their status and note; their meetings
    /// are planned again only when the schedule changed.
    async fn update(&self, changed: &[(ManagedGroup, NewGroup)]) -> AppResult<()> {
        if changed.is_empty() {
            return Ok(());
        }
        let occurrences: Vec<Option<Vec<PlannedOccurrence>>> = changed
            .iter()
            .map(|(existing, group)| {
                let same_schedule = rules(&existing.profile.schedule.rules)
                    == rules(&group.profile.schedule.rules)
                    && existing.profile.schedule.zone.name() == group.profile.schedule.zone.name();
                (!same_schedule).then(|| {
                    group
                        .profile
                        .schedule
                        .occurrences_between(self.now, self.until)
                })
            })
            .collect();
        let updates: Vec<(GroupId, GroupUpdate<'_>)> = changed
            .iter()
            .zip(&occurrences)
            .map(|((existing, group), occurrences)| {
                (
                    existing.access.id,
                    GroupUpdate {
                        group,
                        status: existing.access.status,
                        review_note: existing.access.review_note.as_deref(),
                        occurrences: occurrences.as_deref(),
                        occurrences_until: self.until,
                        change_log: None,
                    },
                )
            })
            .collect();
        self.store.update_groups(&updates, self.now).await?;
        Ok(())
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
