//! Many groups at a time, for imports and the load generator: multi-row
//! statements instead of one statement per row. Each statement binds at
//! most [`MAX_BINDS`] values, under SQLite's limit (32,766) and so under
//! PostgreSQL's (65,535); rows are chunked to fit.
//!
//! Why it matters: sqlx's SQLite driver runs every statement on a worker
//! thread and hands it over and back, which costs more than SQLite's own
//! work for a small insert; PostgreSQL pays a network round trip instead.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use kith_domain::group::ListingStatus;
use kith_domain::ids::{GroupId, OccurrenceId, Slug};
use kith_domain::schedule::{PlannedOccurrence, Schedule};

use crate::db::{Arg, Db, Tx, query};
use crate::groups::GroupColumns;
use crate::hosting::{GroupAccess, ManagedGroup, PrivateRow};
use crate::model::{AccountId, GroupDraft};
use crate::sql::{GroupRow, RuleColumns, RuleRow, parse_status, rule_columns};
use crate::{StoreError, StoreResult, from_seconds};

/// The most values one statement binds.
pub(crate) const MAX_BINDS: usize = 32_000;

/// How many rows of `binds` values each fit in one statement.
pub(crate) const fn rows_per_statement(binds: usize) -> usize {
    MAX_BINDS / binds
}

/// Bound values per row of [`INSERT_GROUPS`].
pub(crate) const GROUP_BINDS: usize = 32;
/// The start of a multi-row insert of groups; `RETURNING id, slug` follows
/// the rows, since neither backend promises to return them in order.
pub(crate) const INSERT_GROUPS: &str = "INSERT INTO groups (
    slug, name, sort_name, description, agreements, facilitation_style, facilitation_description,
    focus_mask, attribute_mask, format, language, language_primary, country, region, city,
    region_key, city_key, capacity, time_zone, status, search_text, call_link, dial_in,
    street_address, occurrences_until, created_at, updated_at, source_url,
    join_policy, join_question, publish_call_link, members_visible
) ";
/// The start of a multi-row insert of hosts.
pub(crate) const INSERT_HOSTS: &str = "INSERT INTO group_hosts (group_id, account_id, position) ";
/// Bound values per row of [`INSERT_RULES`].
pub(crate) const RULE_BINDS: usize = 13;
/// The start of a multi-row insert of schedule rules; `RETURNING id,
/// group_id, position` follows the rows.
pub(crate) const INSERT_RULES: &str = "INSERT INTO schedule_rules
    (group_id, position, kind, weekdays, local_time, duration_minutes, first_date, last_date,
     interval_weeks, anchor_date, month_weeks, on_date, public_id) ";
/// Bound values per row of [`INSERT_OCCURRENCES`].
pub(crate) const OCCURRENCE_BINDS: usize = 7;
/// The start of a multi-row insert of occurrences.
pub(crate) const INSERT_OCCURRENCES: &str =
    "INSERT INTO occurrences (id, group_id, rule_id, local_start, sort_name, starts_at, ends_at) ";

fn text(value: &str) -> Arg<'_> {
    Arg::from(value)
}

fn maybe_text(value: Option<&str>) -> Arg<'_> {
    Arg::from(value)
}

fn int(value: i64) -> Arg<'static> {
    Arg::from(value)
}

/// One group's values for [`INSERT_GROUPS`], in its column order.
pub(crate) fn group_values<'a>(
    draft: &GroupDraft<'a>,
    columns: &'a GroupColumns,
    now: i64,
) -> [Arg<'a>; GROUP_BINDS] {
    let p = &draft.group.profile;
    let private = &draft.group.private;
    [
        text(p.slug.as_str()),
        text(p.name.as_str()),
        text(&columns.sort_name),
        text(&p.description),
        text(&p.agreements),
        text(p.facilitation.style.code()),
        text(&p.facilitation.description),
        int(columns.focus_mask),
        int(columns.attribute_mask),
        text(p.format.code()),
        text(&p.language),
        text(&columns.language_primary),
        maybe_text(p.place.country.as_deref()),
        maybe_text(p.place.region.as_deref()),
        maybe_text(p.place.city.as_deref()),
        maybe_text(columns.region_key.as_deref()),
        maybe_text(columns.city_key.as_deref()),
        Arg::Int(p.capacity.map(i64::from)),
        text(p.schedule.zone.name()),
        text(draft.status.code()),
        text(&columns.search_text),
        maybe_text(private.call_link.as_deref()),
        maybe_text(private.dial_in.as_deref()),
        maybe_text(private.street_address.as_deref()),
        int(draft.occurrences_until.as_second()),
        int(now),
        int(now),
        maybe_text(p.source.as_deref()),
        text(p.join.policy.code()),
        text(&p.join.question),
        int(i64::from(p.join.publish_call_link)),
        int(i64::from(p.join.members_visible)),
    ]
}

/// One rule's values for [`INSERT_RULES`], in its column order.
pub(crate) fn rule_values(
    group: i64,
    position: i64,
    rule: &kith_domain::schedule::Rule,
    columns: RuleColumns,
) -> [Arg<'static>; RULE_BINDS] {
    let owned = |value: Option<String>| Arg::from(value);
    [
        int(group),
        int(position),
        text(columns.kind),
        int(columns.weekdays),
        owned(Some(columns.local_time)),
        int(i64::from(rule.duration().minutes())),
        owned(rule.first_date.map(|d| d.to_string())),
        owned(rule.last_date.map(|d| d.to_string())),
        Arg::Int(columns.interval_weeks),
        owned(columns.anchor_date),
        Arg::Int(columns.month_weeks),
        owned(columns.on_date),
        // A new series each time rules are written: its calendar UID.
        owned(Some(kith_domain::ids::SeriesId::random().to_string())),
    ]
}

/// One occurrence's values for [`INSERT_OCCURRENCES`], in its column order,
/// with a new id (an upsert keeps the id already there).
fn occurrence_values<'a>(
    group: i64,
    rule: i64,
    planned: &PlannedOccurrence,
    sort_name: &'a str,
) -> [Arg<'a>; OCCURRENCE_BINDS] {
    [
        Arg::from(OccurrenceId::random().to_string()),
        int(group),
        int(rule),
        Arg::from(planned.local_start.to_string()),
        text(sort_name),
        Arg::from(planned.starts_at),
        Arg::from(planned.ends_at),
    ]
}

/// Slugs per query of [`MANAGED_GROUPS`] (and group ids per query of the
/// rules and hosts that go with them).
pub(crate) const SLUGS_PER_QUERY: usize = 1_000;
/// Groups in any status with their private fields, by slug; ` IN (…)`
/// follows.
const MANAGED_GROUPS: &str = "SELECT id, slug, name, description, agreements,
    facilitation_style, facilitation_description, focus_mask, attribute_mask, format, language,
    country, region, city, capacity, time_zone, status, source_url,
    join_policy, join_question, publish_call_link, members_visible,
    review_note, call_link, dial_in, street_address, updated_at
FROM groups WHERE slug IN (";
/// The rules of several groups; the ids and `) ORDER BY group_id,
/// position` follow.
pub(crate) const RULES_OF_GROUPS: &str = "SELECT id, group_id, kind, weekdays, local_time,
    duration_minutes, first_date, last_date, interval_weeks, anchor_date, month_weeks, on_date
FROM schedule_rules WHERE group_id IN (";
/// The hosts of several groups; the ids and `) ORDER BY h.group_id,
/// h.position` follow.
const HOSTS_OF_GROUPS: &str = "SELECT h.group_id, h.account_id, a.handle
FROM group_hosts h JOIN accounts a ON a.id = h.account_id WHERE h.group_id IN (";

/// A group with its status, note and private columns.
#[derive(sqlx::FromRow)]
struct ManagedRow {
    #[sqlx(flatten)]
    pub group: GroupRow,
    pub review_note: Option<String>,
    #[sqlx(flatten)]
    pub private: PrivateRow,
}

/// Puts groups read by [`MANAGED_GROUPS`] together with their rules and
/// hosts (`(group_id, account_id, handle)`), both ordered by group.
fn managed_groups(
    rows: Vec<ManagedRow>,
    rules: Vec<RuleRow>,
    hosts: Vec<(i64, i64, String)>,
) -> StoreResult<Vec<ManagedGroup>> {
    let mut rules_of: std::collections::HashMap<i64, Vec<RuleRow>> =
        std::collections::HashMap::with_capacity(rows.len());
    for rule in rules {
        rules_of.entry(rule.group_id).or_default().push(rule);
    }
    let mut hosts_of: std::collections::HashMap<i64, Vec<(i64, String)>> =
        std::collections::HashMap::new();
    for (group, account, handle) in hosts {
        hosts_of.entry(group).or_default().push((account, handle));
    }
    rows.into_iter()
        .map(|row| {
            let id = row.group.id;
            let (accounts, handles): (Vec<i64>, Vec<String>) =
                hosts_of.remove(&id).unwrap_or_default().into_iter().unzip();
            let status: ListingStatus = parse_status(&row.group.status)?;
            Ok(ManagedGroup {
                access: GroupAccess {
                    id: GroupId(id),
                    status,
                    hosts: accounts.into_iter().map(AccountId).collect(),
                    review_note: row.review_note,
                    viewer_request: None,
                },
                updated_at: from_seconds(row.private.updated_at)?,
                private: row.private.into(),
                profile: row
                    .group
                    .into_profile(rules_of.remove(&id).unwrap_or_default(), handles)?,
            })
        })
        .collect()
}

/// Reads groups by slug with [`MANAGED_GROUPS`], [`RULES_OF_GROUPS`] and
/// [`HOSTS_OF_GROUPS`]: three queries per thousand slugs.
pub(crate) async fn read_managed_groups(db: &Db, slugs: &[Slug]) -> StoreResult<Vec<ManagedGroup>> {
    let mut out = Vec::with_capacity(slugs.len());
    for chunk in slugs.chunks(SLUGS_PER_QUERY) {
        let mut select = query(MANAGED_GROUPS);
        select.push_list(chunk.iter().map(Slug::as_str));
        select.push(")");
        let rows: Vec<ManagedRow> = select.fetch_all(db).await?;
        if rows.is_empty() {
            continue;
        }
        let ids = || rows.iter().map(|row| row.group.id);
        let mut select = query(RULES_OF_GROUPS);
        select.push_list(ids());
        select.push(") ORDER BY group_id, position");
        let rules: Vec<RuleRow> = select.fetch_all(db).await?;
        let mut select = query(HOSTS_OF_GROUPS);
        select.push_list(ids());
        select.push(") ORDER BY h.group_id, h.position");
        let hosts: Vec<(i64, i64, String)> = select.fetch_all(db).await?;
        out.extend(managed_groups(rows, rules, hosts)?);
    }
    Ok(out)
}

/// Inserts groups with their hosts, rules and first occurrences inside a
/// transaction, a few multi-row statements for all of them; answers their
/// slugs in order.
pub(crate) async fn insert_groups(
    tx: &mut Tx,
    drafts: &[GroupDraft<'_>],
    now: Timestamp,
) -> StoreResult<Vec<Slug>> {
    let columns: Vec<GroupColumns> = drafts
        .iter()
        .map(|draft| GroupColumns::of(draft.group))
        .collect();
    let rows: Vec<(&GroupDraft<'_>, &GroupColumns)> = drafts.iter().zip(&columns).collect();
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(drafts.len());
    for chunk in rows.chunks(rows_per_statement(GROUP_BINDS)) {
        let mut insert = query(INSERT_GROUPS);
        insert.push_values(
            chunk
                .iter()
                .map(|(draft, columns)| group_values(draft, columns, now.as_second())),
        );
        insert.push(" RETURNING id, slug");
        let returned: Vec<(i64, String)> = insert.fetch_all(&mut *tx).await?;
        ids.extend(returned.into_iter().map(|(id, slug)| (slug, id)));
    }
    let mut hosts = Vec::new();
    let mut schedules = Vec::with_capacity(drafts.len());
    for (draft, columns) in &rows {
        let id = *ids
            .get(draft.group.profile.slug.as_str())
            .ok_or_else(|| StoreError::corrupt("inserted group without its id"))?;
        hosts.extend(
            draft
                .hosts
                .iter()
                .enumerate()
                .map(|(position, host)| [id, host.0, position as i64]),
        );
        schedules.push(NewSchedule {
            group: id,
            schedule: &draft.group.profile.schedule,
            occurrences: &draft.occurrences,
            sort_name: &columns.sort_name,
        });
    }
    for chunk in hosts.chunks(rows_per_statement(3)) {
        let mut insert = query(INSERT_HOSTS);
        insert.push_values(chunk.iter().copied());
        insert.execute(&mut *tx).await?;
    }
    insert_schedules(tx, &schedules).await?;
    Ok(drafts
        .iter()
        .map(|draft| draft.group.profile.slug.clone())
        .collect())
}

/// A group's schedule and first meetings, to insert.
pub(crate) struct NewSchedule<'a> {
    /// The group's row id.
    pub group: i64,
    /// Its rules.
    pub schedule: &'a Schedule,
    /// Its meetings up to the horizon.
    pub occurrences: &'a [PlannedOccurrence],
    /// The group's sort name, copied onto each meeting.
    pub sort_name: &'a str,
}

/// Inserts the schedule rules and first occurrences of groups inside a
/// transaction, a few multi-row statements for all of them.
pub(crate) async fn insert_schedules(tx: &mut Tx, groups: &[NewSchedule<'_>]) -> StoreResult<()> {
    let rules: Vec<[Arg<'static>; RULE_BINDS]> = groups
        .iter()
        .flat_map(|g| {
            g.schedule
                .rules
                .iter()
                .enumerate()
                .map(move |(position, rule)| {
                    rule_values(g.group, position as i64, rule, rule_columns(rule))
                })
        })
        .collect();
    let mut rule_ids: HashMap<(i64, i64), i64> = HashMap::with_capacity(rules.len());
    for chunk in rules.chunks(rows_per_statement(RULE_BINDS)) {
        let mut insert = query(INSERT_RULES);
        insert.push_values(chunk.iter().map(|values| values.iter().cloned()));
        insert.push(" RETURNING id, group_id, position");
        let returned: Vec<(i64, i64, i64)> = insert.fetch_all(&mut *tx).await?;
        rule_ids.extend(
            returned
                .into_iter()
                .map(|(id, group, position)| ((group, position), id)),
        );
    }
    let mut occurrences = Vec::new();
    for g in groups {
        for planned in g.occurrences {
            let rule = *rule_ids
                .get(&(g.group, planned.rule_index as i64))
                .ok_or_else(|| StoreError::corrupt("occurrence rule index"))?;
            occurrences.push(occurrence_values(g.group, rule, planned, g.sort_name));
        }
    }
    for chunk in occurrences.chunks(rows_per_statement(OCCURRENCE_BINDS)) {
        let mut insert = query(INSERT_OCCURRENCES);
        insert.push_values(chunk.iter().map(|values| values.iter().cloned()));
        insert.execute(&mut *tx).await?;
    }
    Ok(())
}

/// The rules of several groups with each group's sort name; the ids and
/// `) ORDER BY r.group_id, r.position` follow.
pub(crate) const RULES_WITH_SORT_NAMES: &str = "SELECT r.id, r.group_id, g.sort_name
FROM schedule_rules r JOIN groups g ON g.id = r.group_id WHERE r.group_id IN (";
/// What follows the rows of an [`INSERT_OCCURRENCES`] that saves planned
/// meetings again: a meeting already there keeps its id, and a moved one
/// its new time.
pub(crate) const ON_OCCURRENCE_CONFLICT: &str = " ON CONFLICT (rule_id, local_start) DO UPDATE SET
    starts_at = CASE WHEN occurrences.moved_to IS NULL THEN excluded.starts_at ELSE occurrences.starts_at END,
    ends_at = CASE WHEN occurrences.moved_to IS NULL THEN excluded.ends_at ELSE occurrences.ends_at END
RETURNING id";

/// Saves the planned occurrences of several groups — `(group, planned)` —
/// from `from` to `until` inside a transaction: upserts them, deletes the
/// groups' other occurrences that have not ended by `from`, and records how
/// far they reach.
pub(crate) async fn save_occurrences(
    tx: &mut Tx,
    planned: &[(GroupId, Vec<PlannedOccurrence>)],
    from: Timestamp,
    until: Timestamp,
) -> StoreResult<()> {
    let ids: Vec<i64> = planned.iter().map(|(group, _)| group.0).collect();
    let mut rules_of: HashMap<i64, Vec<(i64, String)>> = HashMap::with_capacity(planned.len());
    for chunk in ids.chunks(SLUGS_PER_QUERY) {
        let mut select = query(RULES_WITH_SORT_NAMES);
        select.push_list(chunk.iter().copied());
        select.push(") ORDER BY r.group_id, r.position");
        let rules: Vec<(i64, i64, String)> = select.fetch_all(&mut *tx).await?;
        for (rule, group, sort_name) in rules {
            rules_of.entry(group).or_default().push((rule, sort_name));
        }
    }
    let mut rows = Vec::new();
    for (group, occurrences) in planned {
        let rules = rules_of.get(&group.0).map_or(&[][..], Vec::as_slice);
        for occurrence in occurrences {
            let (rule, sort_name) = rules
                .get(occurrence.rule_index)
                .ok_or_else(|| StoreError::corrupt("occurrence rule index"))?;
            rows.push(occurrence_values(group.0, *rule, occurrence, sort_name));
        }
    }
    let mut kept = HashSet::with_capacity(rows.len());
    for chunk in rows.chunks(rows_per_statement(OCCURRENCE_BINDS)) {
        let mut upsert = query(INSERT_OCCURRENCES);
        upsert.push_values(chunk.iter().map(|values| values.iter().cloned()));
        upsert.push(ON_OCCURRENCE_CONFLICT);
        let saved: Vec<String> = upsert.scalars(&mut *tx).await?;
        kept.extend(saved);
    }
    let mut stale = Vec::new();
    for chunk in ids.chunks(MAX_BINDS - 1) {
        let mut select =
            query("SELECT id FROM occurrences WHERE ends_at > $1 AND group_id IN (").bind(from);
        select.push_list(chunk.iter().copied());
        select.push(")");
        let existing: Vec<String> = select.scalars(&mut *tx).await?;
        stale.extend(existing.into_iter().filter(|id| !kept.contains(id)));
    }
    for chunk in stale.chunks(MAX_BINDS) {
        let mut delete = query("DELETE FROM occurrences WHERE id IN (");
        delete.push_list(chunk.iter().map(String::as_str));
        delete.push(")");
        delete.execute(&mut *tx).await?;
    }
    for chunk in ids.chunks(MAX_BINDS - 1) {
        let mut update =
            query("UPDATE groups SET occurrences_until = $1 WHERE id IN (").bind(until);
        update.push_list(chunk.iter().copied());
        update.push(")");
        update.execute(&mut *tx).await?;
    }
    Ok(())
}
