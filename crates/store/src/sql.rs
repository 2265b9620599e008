//! SQL that is identical on both backends, and the rows it reads. Both
//! drivers accept `$n` placeholders.

use jiff::civil::Date;
use kith_domain::group::{
    Facilitation, FacilitationStyle, Format, GroupProfile, ListingStatus, Mask, Place,
    attributes_from_mask, focus_from_mask,
};
use kith_domain::ids::{GroupId, OccurrenceId, RuleId, Slug};
use kith_domain::membership::{JoinPolicy, JoinSettings};
use kith_domain::schedule::{
    MeetingDuration, MonthWeeks, Recurrence, Rule, Schedule, WeekdaySet, parse_local_time,
};
use kith_domain::zone::Zone;

use crate::model::{DirectoryHit, OccurrenceTime};
use crate::{StoreError, StoreResult, from_seconds};

pub(crate) const PING: &str = "SELECT 1";
pub(crate) const COUNT_GROUPS: &str = "SELECT COUNT(*) FROM groups";

/// Accounts without a password (demo hosts) cannot log in.
pub(crate) const ENSURE_ACCOUNT: &str = "INSERT INTO accounts (handle, handle_key, created_at)
VALUES ($1, lower($1), $2) ON CONFLICT (handle_key) DO NOTHING";
pub(crate) const ACCOUNT_BY_HANDLE: &str = "SELECT id FROM accounts WHERE handle_key = lower($1)";

pub(crate) const INSERT_HOST: &str =
    "INSERT INTO group_hosts (group_id, account_id, position) VALUES ($1, $2, $3)";
/// Where a group's next host goes in its list: after the last.
pub(crate) const NEXT_HOST_POSITION: &str =
    "SELECT COALESCE(MAX(position) + 1, 0) FROM group_hosts WHERE group_id = $1";
/// 1 when the account hosts the group, 0 otherwise.
pub(crate) const IS_HOST: &str =
    "SELECT COUNT(*) FROM group_hosts WHERE group_id = $1 AND account_id = $2";
pub(crate) const SET_OCCURRENCES_UNTIL: &str =
    "UPDATE groups SET occurrences_until = $2 WHERE id = $1";
/// `starts_at < $1` lets the start index find them; `ends_at` decides.
pub(crate) const PRUNE_OCCURRENCES: &str =
    "DELETE FROM occurrences WHERE starts_at < $1 AND ends_at < $1";

/// Public columns only: private fields are never selected for public reads.
pub(crate) const LISTED_GROUP: &str = "SELECT id, slug, name, description, agreements,
    facilitation_style, facilitation_description, focus_mask, attribute_mask, format, language,
    country, region, city, capacity, time_zone, status, source_url,
    join_policy, join_question, publish_call_link, members_visible
FROM groups WHERE slug = $1 AND status = 'listed'";
/// Public columns of every listed group, for feeds; the private details
/// only of open groups whose host published them.
pub(crate) const FEED_GROUPS: &str = "SELECT id, slug, name, description, focus_mask,
    attribute_mask, format, language, country, region, city, time_zone, updated_at,
    CASE WHEN join_policy = 'open' AND publish_call_link = 1 THEN call_link END AS published_call_link,
    CASE WHEN join_policy = 'open' AND publish_call_link = 1 THEN dial_in END AS published_dial_in,
    CASE WHEN join_policy = 'open' AND publish_call_link = 1 THEN street_address END AS published_address
FROM groups WHERE status = 'listed' ORDER BY sort_name, id";
/// The rules of every listed group, grouped by group.
pub(crate) const FEED_RULES: &str = "SELECT r.id, r.group_id, r.kind, r.weekdays, r.local_time,
    r.duration_minutes, r.first_date, r.last_date, r.interval_weeks, r.anchor_date,
    r.month_weeks, r.on_date
FROM schedule_rules r JOIN groups g ON g.id = r.group_id
WHERE g.status = 'listed' ORDER BY r.group_id, r.position";
pub(crate) const LISTED_GROUP_CHANGED_AT: &str =
    "SELECT updated_at FROM groups WHERE slug = $1 AND status = 'listed'";
/// Cancels one of a group's meetings that has not ended.
pub(crate) const CANCEL_OCCURRENCE: &str = "UPDATE occurrences SET cancelled = 1, note = $3
WHERE id = $1 AND group_id = $2 AND ends_at > $4";
/// The cancelled and moved meetings of a group.
pub(crate) const OCCURRENCE_EXCEPTIONS: &str = "SELECT rule_id, local_start, cancelled, moved_to
FROM occurrences WHERE group_id = $1 AND (cancelled = 1 OR moved_to IS NOT NULL) ORDER BY starts_at";
/// The public id of each of a group's rules.
pub(crate) const SERIES_IDS: &str =
    "SELECT id, public_id FROM schedule_rules WHERE group_id = $1 ORDER BY position";
/// A group's meeting that has not ended: its rule and local start.
pub(crate) const OCCURRENCE_RULE: &str = "SELECT rule_id, local_start FROM occurrences
WHERE id = $1 AND group_id = $2 AND ends_at > $3";
/// Moves a meeting (or puts it back, with `moved_to` NULL).
pub(crate) const SET_OCCURRENCE_TIME: &str = "UPDATE occurrences
SET moved_to = $3, starts_at = $4, ends_at = $5, cancelled = 0, note = NULL
WHERE id = $1 AND group_id = $2";
pub(crate) const GROUP_HOSTS: &str = "SELECT a.handle FROM group_hosts h
JOIN accounts a ON a.id = h.account_id WHERE h.group_id = $1 ORDER BY h.position";
pub(crate) const GROUP_RULES: &str = "SELECT id, group_id, kind, weekdays, local_time,
    duration_minutes, first_date, last_date, interval_weeks, anchor_date, month_weeks, on_date
FROM schedule_rules WHERE group_id = $1 ORDER BY position";
pub(crate) const UPCOMING_OCCURRENCES: &str =
    "SELECT o.id, o.starts_at, o.ends_at, o.cancelled, o.note, o.moved_to
FROM occurrences o JOIN groups g ON g.id = o.group_id
WHERE g.slug = $1 AND o.ends_at > $2
ORDER BY o.starts_at, o.id LIMIT $3";
pub(crate) const GROUPS_DUE: &str = "SELECT id, time_zone FROM groups
WHERE occurrences_until < $1 ORDER BY occurrences_until, id LIMIT $2";

/// A stored status code; a code the domain does not know is corruption.
pub(crate) fn parse_status(code: &str) -> StoreResult<ListingStatus> {
    ListingStatus::parse(code).ok_or_else(|| StoreError::corrupt("status"))
}

/// A group's public columns.
#[derive(sqlx::FromRow)]
pub(crate) struct GroupRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub agreements: String,
    pub facilitation_style: String,
    pub facilitation_description: String,
    pub focus_mask: i64,
    pub attribute_mask: i64,
    pub format: String,
    pub language: String,
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub capacity: Option<i64>,
    pub time_zone: String,
    pub status: String,
    pub source_url: Option<String>,
    pub join_policy: String,
    pub join_question: String,
    pub publish_call_link: i64,
    pub members_visible: i64,
}

/// A listed group's public columns, for feeds.
#[derive(sqlx::FromRow)]
pub(crate) struct FeedRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub focus_mask: i64,
    pub attribute_mask: i64,
    pub format: String,
    pub language: String,
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub time_zone: String,
    pub updated_at: i64,
    pub published_call_link: Option<String>,
    pub published_dial_in: Option<String>,
    pub published_address: Option<String>,
}

impl FeedRow {
    pub(crate) fn into_feed_group(self, rules: Vec<RuleRow>) -> StoreResult<crate::FeedGroup> {
        Ok(crate::FeedGroup {
            schedule: schedule(&self.time_zone, rules)?,
            slug: Slug::from_trusted(self.slug),
            name: self.name,
            description: self.description,
            focus: focus_from_mask(Mask(self.focus_mask)),
            attributes: attributes_from_mask(Mask(self.attribute_mask)),
            format: Format::parse(&self.format).ok_or_else(|| StoreError::corrupt("format"))?,
            language: self.language,
            place: Place {
                country: self.country,
                region: self.region,
                city: self.city,
            },
            updated_at: from_seconds(self.updated_at)?,
            published: kith_domain::group::PrivateDetails {
                call_link: self.published_call_link,
                dial_in: self.published_dial_in,
                street_address: self.published_address,
            },
        })
    }
}

/// A schedule rule's columns.
#[derive(sqlx::FromRow)]
pub(crate) struct RuleRow {
    pub id: i64,
    pub group_id: i64,
    pub kind: String,
    pub weekdays: i64,
    pub local_time: String,
    pub duration_minutes: i64,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub interval_weeks: Option<i64>,
    pub anchor_date: Option<String>,
    pub month_weeks: Option<i64>,
    pub on_date: Option<String>,
}

/// A directory result row.
#[derive(sqlx::FromRow)]
pub(crate) struct HitRow {
    pub slug: String,
    pub name: String,
    pub format: String,
    pub focus_mask: i64,
    pub attribute_mask: i64,
    pub language: String,
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub time_zone: String,
    pub occurrence_id: String,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// An occurrence's times.
#[derive(sqlx::FromRow)]
pub(crate) struct OccurrenceRow {
    pub id: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub cancelled: i64,
    pub note: Option<String>,
    pub moved_to: Option<String>,
}

fn parse_date(raw: Option<String>) -> StoreResult<Option<Date>> {
    raw.map(|d| d.parse().map_err(|_| StoreError::corrupt("date")))
        .transpose()
}

impl RuleRow {
    pub(crate) fn into_rule(self) -> StoreResult<Rule> {
        let required = |date: Option<String>| {
            parse_date(date)?.ok_or_else(|| StoreError::corrupt("rule date"))
        };
        let recurrence = match self.kind.as_str() {
            "weekly" => Recurrence::Weekly {
                weekdays: WeekdaySet::from_bits(self.weekdays),
            },
            "every_n_weeks" => Recurrence::EveryNWeeks {
                weekdays: WeekdaySet::from_bits(self.weekdays),
                interval: self
                    .interval_weeks
                    .and_then(|n| u8::try_from(n).ok())
                    .ok_or_else(|| StoreError::corrupt("interval"))?,
                anchor: required(self.anchor_date)?,
            },
            "monthly" => Recurrence::Monthly {
                weekday: WeekdaySet::from_bits(self.weekdays)
                    .days()
                    .first()
                    .copied()
                    .ok_or_else(|| StoreError::corrupt("monthly weekday"))?,
                weeks: MonthWeeks::from_bits(self.month_weeks.unwrap_or_default()),
            },
            "once" => Recurrence::Once {
                date: required(self.on_date)?,
            },
            _ => return Err(StoreError::corrupt("rule kind")),
        };
        let duration = u16::try_from(self.duration_minutes)
            .ok()
            .and_then(|m| MeetingDuration::from_minutes(m).ok())
            .ok_or_else(|| StoreError::corrupt("duration"))?;
        Ok(Rule {
            id: Some(RuleId(self.id)),
            recurrence,
            local_time: parse_local_time(&self.local_time)
                .map_err(|_| StoreError::corrupt("time"))?,
            duration,
            first_date: parse_date(self.first_date)?,
            last_date: parse_date(self.last_date)?,
        })
    }
}

/// The columns a rule's recurrence is stored in.
pub(crate) struct RuleColumns {
    pub kind: &'static str,
    pub weekdays: i64,
    pub local_time: String,
    pub interval_weeks: Option<i64>,
    pub anchor_date: Option<String>,
    pub month_weeks: Option<i64>,
    pub on_date: Option<String>,
}

/// The columns a rule is stored in.
pub(crate) fn rule_columns(rule: &Rule) -> RuleColumns {
    let mut columns = RuleColumns {
        kind: "weekly",
        weekdays: 0,
        local_time: rule.local_time.strftime("%H:%M").to_string(),
        interval_weeks: None,
        anchor_date: None,
        month_weeks: None,
        on_date: None,
    };
    match rule.recurrence {
        Recurrence::Weekly { weekdays } => columns.weekdays = weekdays.bits(),
        Recurrence::EveryNWeeks {
            weekdays,
            interval,
            anchor,
        } => {
            columns.kind = "every_n_weeks";
            columns.weekdays = weekdays.bits();
            columns.interval_weeks = Some(i64::from(interval));
            columns.anchor_date = Some(anchor.to_string());
        }
        Recurrence::Monthly { weekday, weeks } => {
            columns.kind = "monthly";
            columns.weekdays = WeekdaySet::of([weekday]).bits();
            columns.month_weeks = Some(weeks.bits());
        }
        Recurrence::Once { date } => {
            columns.kind = "once";
            columns.on_date = Some(date.to_string());
        }
    }
    columns
}

/// Builds a schedule from a zone name and rule rows.
pub(crate) fn schedule(time_zone: &str, rules: Vec<RuleRow>) -> StoreResult<Schedule> {
    Ok(Schedule {
        zone: Zone::parse(time_zone).map_err(|_| StoreError::corrupt("time zone"))?,
        rules: rules
            .into_iter()
            .map(RuleRow::into_rule)
            .collect::<StoreResult<_>>()?,
    })
}

impl GroupRow {
    pub(crate) fn group_id(&self) -> GroupId {
        GroupId(self.id)
    }

    pub(crate) fn into_profile(
        self,
        rules: Vec<RuleRow>,
        hosts: Vec<String>,
    ) -> StoreResult<GroupProfile> {
        Ok(GroupProfile {
            schedule: schedule(&self.time_zone, rules)?,
            slug: Slug::from_trusted(self.slug),
            name: self.name,
            description: self.description,
            agreements: self.agreements,
            facilitation: Facilitation {
                style: FacilitationStyle::parse(&self.facilitation_style)
                    .ok_or_else(|| StoreError::corrupt("facilitation style"))?,
                description: self.facilitation_description,
            },
            focus: focus_from_mask(Mask(self.focus_mask)),
            attributes: attributes_from_mask(Mask(self.attribute_mask)),
            format: Format::parse(&self.format).ok_or_else(|| StoreError::corrupt("format"))?,
            language: self.language,
            place: Place {
                country: self.country,
                region: self.region,
                city: self.city,
            },
            capacity: self.capacity.and_then(|c| u32::try_from(c).ok()),
            hosts,
            status: parse_status(&self.status)?,
            source: self.source_url,
            join: JoinSettings {
                policy: JoinPolicy::parse(&self.join_policy)
                    .ok_or_else(|| StoreError::corrupt("join policy"))?,
                question: self.join_question,
                publish_call_link: self.publish_call_link != 0,
                members_visible: self.members_visible != 0,
            },
        })
    }
}

impl OccurrenceRow {
    pub(crate) fn into_time(self) -> StoreResult<OccurrenceTime> {
        Ok(OccurrenceTime {
            id: OccurrenceId::from_trusted(self.id),
            starts_at: from_seconds(self.starts_at)?,
            ends_at: from_seconds(self.ends_at)?,
            cancelled: self.cancelled != 0,
            note: self.note,
            moved: self.moved_to.is_some(),
        })
    }
}

impl HitRow {
    pub(crate) fn into_hit(self) -> StoreResult<DirectoryHit> {
        Ok(DirectoryHit {
            slug: Slug::from_trusted(self.slug),
            name: self.name,
            format: Format::parse(&self.format).ok_or_else(|| StoreError::corrupt("format"))?,
            focus: focus_from_mask(Mask(self.focus_mask)),
            attributes: attributes_from_mask(Mask(self.attribute_mask)),
            language: self.language,
            place: Place {
                country: self.country,
                region: self.region,
                city: self.city,
            },
            time_zone: self.time_zone,
            next: directory_next(self.occurrence_id, self.starts_at, self.ends_at)?,
        })
    }
}

/// A directory result's meeting: the next one matching, never cancelled
/// (the directory does not show a cancelled meeting as next).
pub(crate) fn directory_next(
    id: String,
    starts_at: i64,
    ends_at: i64,
) -> StoreResult<OccurrenceTime> {
    Ok(OccurrenceTime {
        id: OccurrenceId::from_trusted(id),
        starts_at: from_seconds(starts_at)?,
        ends_at: from_seconds(ends_at)?,
        cancelled: false,
        note: None,
        moved: false,
    })
}
