//! The demo: groups written for kith (`demo/groups.json`) so that a newcomer
//! running `kith serve --demo` sees a living directory. A few are scheduled
//! relative to the moment the demo is seeded, so some meetings always start
//! within the next hours and two are in progress.
//!
//! Also the synthetic population the benchmark imports: the demo groups,
//! varied, at any size. And the resource library's first pages
//! (`library`), the site's founding post among them.

use jiff::civil::{Time, Weekday};
use jiff::{SignedDuration, Timestamp};
use kith_domain::directory::{is_country_code, is_language_tag, normalize_language};
use kith_domain::group::{
    Attribute, Facilitation, FacilitationStyle, Focus, Format, GroupProfile, ListingStatus,
    NewGroup, Place, PrivateDetails,
};
use kith_domain::ids::Slug;
use kith_domain::schedule::{MeetingDuration, Rule, Schedule, WeekdaySet, parse_local_time};
use kith_domain::zone::Zone;
use serde::Deserialize;

use crate::groups::{GroupSubmission, create_groups};
use crate::{App, AppResult};

const DEMO_GROUPS: &str = include_str!("demo/groups.json");

#[derive(Debug, Deserialize)]
struct DemoGroup {
    name: String,
    description: String,
    agreements: String,
    facilitation: Facilitation,
    focus: Vec<Focus>,
    attributes: Vec<Attribute>,
    format: Format,
    language: String,
    timezone: String,
    country: Option<String>,
    region: Option<String>,
    city: Option<String>,
    capacity: Option<u32>,
    hosts: Vec<String>,
    weekdays: Vec<String>,
    local_time: String,
    duration_minutes: u16,
    starts_in_minutes: Option<i64>,
    private: DemoPrivate,
}

#[derive(Debug, Deserialize)]
struct DemoPrivate {
    call_link: Option<String>,
    dial_in: Option<String>,
    street_address: Option<String>,
}

/// A demo file entry that does not describe a valid group.
#[derive(Debug, thiserror::Error)]
#[error("demo group {name:?}: {problem}")]
pub struct DemoError {
    name: String,
    problem: String,
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "mon" => Weekday::Monday,
        "tue" => Weekday::Tuesday,
        "wed" => Weekday::Wednesday,
        "thu" => Weekday::Thursday,
        "fri" => Weekday::Friday,
        "sat" => Weekday::Saturday,
        "sun" => Weekday::Sunday,
        _ => return None,
    })
}

impl DemoGroup {
    fn into_submission(self, now: Timestamp) -> Result<GroupSubmission, DemoError> {
        let fail = |problem: &str| DemoError {
            name: self.name.clone(),
            problem: problem.to_owned(),
        };
        let zone = Zone::parse(&self.timezone).map_err(|_| fail("unknown zone"))?;
        let duration =
            MeetingDuration::from_minutes(self.duration_minutes).map_err(|_| fail("duration"))?;
        let (days, at) = match self.starts_in_minutes {
            // Scheduled relative to now: weekly on today's local weekday, at
            // the local time `minutes` from now, rounded down to 5 minutes.
            Some(minutes) => {
                let start = now
                    .saturating_add(SignedDuration::from_mins(minutes))
                    .map_err(|_| fail("starts_in_minutes"))?
                    .to_zoned(zone.tz().clone());
                let at = Time::new(start.hour(), start.minute() - start.minute() % 5, 0, 0)
                    .map_err(|_| fail("starts_in_minutes"))?;
                (WeekdaySet::of([start.weekday()]), at)
            }
            None => {
                let days: Option<Vec<Weekday>> = self.weekdays.iter().map(|d| weekday(d)).collect();
                let at = parse_local_time(&self.local_time).map_err(|_| fail("local_time"))?;
                (WeekdaySet::of(days.ok_or_else(|| fail("weekday"))?), at)
            }
        };
        let rule = Rule::weekly(days, at, duration).map_err(|e| fail(&e.to_string()))?;
        if !is_language_tag(&self.language)
            || self.country.as_deref().is_some_and(|c| !is_country_code(c))
        {
            return Err(fail("language or country"));
        }
        Ok(GroupSubmission {
            group: NewGroup {
                profile: GroupProfile {
                    slug: Slug::for_name(&self.name),
                    name: self.name,
                    description: self.description,
                    agreements: self.agreements,
                    facilitation: self.facilitation,
                    focus: self.focus,
                    attributes: self.attributes,
                    format: self.format,
                    language: normalize_language(&self.language),
                    place: Place {
                        country: self.country,
                        region: self.region,
                        city: self.city,
                    },
                    capacity: self.capacity,
                    schedule: Schedule {
                        zone,
                        rules: vec![rule],
                    },
                    hosts: self.hosts.clone(),
                    status: ListingStatus::Listed,
                    source: None,
                    join: Default::default(),
                },
                private: PrivateDetails {
                    call_link: self.private.call_link,
                    dial_in: self.private.dial_in,
                    street_address: self.private.street_address,
                },
            },
            hosts: self.hosts,
            status: ListingStatus::Listed,
        })
    }
}

/// The demo groups, scheduled relative to `now`.
pub fn demo_groups(now: Timestamp) -> Result<Vec<GroupSubmission>, DemoError> {
    let groups: Vec<DemoGroup> = serde_json::from_str(DEMO_GROUPS).map_err(|e| DemoError {
        name: "groups.json".into(),
        problem: e.to_string(),
    })?;
    groups.into_iter().map(|g| g.into_submission(now)).collect()
}

/// Fills an empty database with the demo groups and the demo resources
/// (`library`); answers how many groups were added, or `None` when the
/// database already had groups.
pub async fn seed_if_empty(app: &App, now: Timestamp) -> AppResult<Option<usize>> {
    let store = app.store();
    if store.count_groups().await? > 0 {
        return Ok(None);
    }
    let groups = demo_groups(now).map_err(crate::AppError::internal)?;
    let slugs = create_groups(app, &groups, now).await?;
    crate::stories::demo::seed(app, now).await?;
    library::seed(app, now).await?;
    Ok(Some(slugs.len()))
}

/// `count` synthetic groups for load tests: the demo groups, renamed and
/// spread over zones, weekdays and times by a fixed pseudo-random sequence.
/// Each carries one of 5,000 rare words (`quill0`…`quill4999`).
pub fn synthetic_groups(count: usize, now: Timestamp) -> Result<Vec<GroupSubmission>, DemoError> {
    const ZONES: [&str; 12] = [
        "Europe/Berlin",
        "Europe/London",
        "America/New_York",
        "America/Los_Angeles",
        "America/Sao_Paulo",
        "Africa/Nairobi",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Asia/Tokyo",
        "Australia/Adelaide",
        "America/St_Johns",
        "Pacific/Auckland",
    ];
    let base = demo_groups(now)?;
    let zones: Vec<Zone> = ZONES.iter().filter_map(|z| Zone::parse(z).ok()).collect();
    let mut seed: u64 = 0x6b69_7468;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let mut submission = base[i % base.len()].clone();
        let profile = &mut submission.group.profile;
        profile.name = format!("{} {}", profile.name, i + 1);
        profile.slug = Slug::for_name(&profile.name);
        profile.description = format!("{}\n\nquill{}", profile.description, next(5000));
        let zone = zones[next(zones.len() as u64) as usize].clone();
        let days: Vec<Weekday> = (0..1 + next(2))
            .filter_map(|_| Weekday::from_sunday_zero_offset(next(7) as i8).ok())
            .collect();
        let at = Time::new(next(24) as i8, [0, 15, 30, 45][next(4) as usize], 0, 0)
            .unwrap_or(Time::midnight());
        let duration =
            MeetingDuration::from_minutes(60 + 30 * next(3) as u16).map_err(|_| DemoError {
                name: profile.name.clone(),
                problem: "duration".into(),
            })?;
        let rule = Rule::weekly(WeekdaySet::of(days), at, duration).map_err(|e| DemoError {
            name: profile.name.clone(),
            problem: e.to_string(),
        })?;
        profile.schedule = Schedule {
            zone,
            rules: vec![rule],
        };
        profile.facilitation = Facilitation {
            style: FacilitationStyle::ALL[next(4) as usize],
            description: profile.facilitation.description.clone(),
        };
        out.push(submission);
    }
    Ok(out)
}

mod library;

#[cfg(test)]
mod tests;
