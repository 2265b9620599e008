//! The directory's filters: parsed from untrusted query parameters into
//! [`DirectoryFilters`], and turned into the UTC windows that an occurrence's
//! start must fall in.
//!
//! Day and time of day are the *viewer's*: "Tuesday evening" in Berlin is a
//! different instant from Tuesday evening in Sydney, and from one week to the
//! next when only one of the two zones changes its clocks. The windows are
//! computed here, date by date in the viewer's zone, so the store only
//! compares integers.

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::group::{Attribute, Focus, Format};
use crate::schedule::{MAX_DURATION_MINUTES, resolve_local};
use crate::text;
use crate::zone::Zone;

/// Results per directory page.
pub const PAGE_SIZE: u32 = 20;
/// The last page a query may ask for.
pub const MAX_PAGE: u32 = 500;
/// The longest "starting within" a query may ask for: one week.
pub const MAX_STARTS_WITHIN_MINUTES: u32 = 7 * 24 * 60;
/// The longest free-text query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// A part of the day, in the viewer's zone (DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeOfDay {
    /// 05:00–12:00.
    Morning,
    /// 12:00–17:00.
    Afternoon,
    /// 17:00–21:00.
    Evening,
    /// 21:00–05:00, starting on the chosen day.
    Night,
}

impl TimeOfDay {
    /// Every value, in the order of the day.
    pub const ALL: [TimeOfDay; 4] = [Self::Morning, Self::Afternoon, Self::Evening, Self::Night];

    /// The stable code used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Morning => "morning",
            Self::Afternoon => "afternoon",
            Self::Evening => "evening",
            Self::Night => "night",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The local start and end (exclusive) of this part of `date`.
    fn bounds(self, date: Date) -> (DateTime, DateTime) {
        let at = |d: Date, h: i8| d.to_datetime(Time::constant(h, 0, 0, 0));
        let next = date.tomorrow().unwrap_or(date);
        match self {
            Self::Morning => (at(date, 5), at(date, 12)),
            Self::Afternoon => (at(date, 12), at(date, 17)),
            Self::Evening => (at(date, 17), at(date, 21)),
            Self::Night => (at(date, 21), at(next, 5)),
        }
    }
}

/// The raw query parameters of a directory request, as strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawFilters {
    /// `q`
    pub q: Option<String>,
    /// `format`, repeatable
    pub format: Vec<String>,
    /// `day`
    pub day: Option<String>,
    /// `time`
    pub time: Option<String>,
    /// `starts_within`
    pub starts_within: Option<String>,
    /// `in_progress`
    pub in_progress: Option<String>,
    /// `focus`, repeatable
    pub focus: Vec<String>,
    /// `attribute`, repeatable
    pub attribute: Vec<String>,
    /// `language`
    pub language: Option<String>,
    /// `country`
    pub country: Option<String>,
    /// `region`
    pub region: Option<String>,
    /// `city`
    pub city: Option<String>,
    /// `tz`
    pub tz: Option<String>,
    /// `page`
    pub page: Option<String>,
}

/// A filter value that cannot be understood: which parameter, and a stable
/// code that the web layer turns into words.
pub use crate::validation::FieldError as FilterError;

/// Validated directory filters: the whole question a reader asks.
///
/// `Eq + Hash` so that the question itself is the key of the result cache
/// (`kith_app::public_cache::PublicCache`): a field added here is part of
/// the key without anyone having to remember it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DirectoryFilters {
    /// Normalised search terms; each must prefix-match a word.
    pub terms: Vec<String>,
    /// Any of these formats (empty: any).
    pub formats: Vec<Format>,
    /// The weekday in the viewer's zone.
    pub day: Option<Weekday>,
    /// The time of day in the viewer's zone.
    pub time: Option<TimeOfDay>,
    /// Meetings starting within this many minutes.
    pub starts_within: Option<u32>,
    /// Meetings in progress now.
    pub in_progress: bool,
    /// Any of these focus kinds (empty: any).
    pub focus: Vec<Focus>,
    /// All of these attributes.
    pub attributes: Vec<Attribute>,
    /// A BCP 47 tag; matches the tag and its subtags (`pt` matches `pt-BR`).
    pub language: Option<String>,
    /// ISO 3166-1 alpha-2, uppercase.
    pub country: Option<String>,
    /// A region, as a place key.
    pub region: Option<String>,
    /// A city, as a place key.
    pub city: Option<String>,
    /// The viewer's zone.
    pub zone: Zone,
    /// The 1-based page.
    pub page: u32,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn parse_each<T>(
    values: &[String],
    field: &'static str,
    parse: impl Fn(&str) -> Option<T>,
    errors: &mut Vec<FilterError>,
) -> Vec<T> {
    let mut out = Vec::new();
    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match parse(value) {
            Some(v) => out.push(v),
            None => {
                errors.push(FilterError {
                    field,
                    code: "invalid_value",
                });
                break;
            }
        }
    }
    out
}

/// Whether `tag` looks like a BCP 47 language tag (`en`, `pt-BR`, `zh-Hant`).
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        && tag.len() <= 35
}

/// Normalises a language tag's case: `PT-br` becomes `pt-BR`.
pub fn normalize_language(tag: &str) -> String {
    tag.split('-')
        .enumerate()
        .map(|(i, p)| match (i, p.len()) {
            (0, _) => p.to_ascii_lowercase(),
            (_, 2) => p.to_ascii_uppercase(),
            (_, 4) => {
                let lower = p.to_ascii_lowercase();
                let mut c = lower.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
            _ => p.to_ascii_lowercase(),
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Whether `code` is a two-letter country code (ISO 3166-1 alpha-2 shape).
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic())
}

impl RawFilters {
    /// Collects the directory's parameters from query pairs; other keys are
    /// ignored, repeated single-valued keys keep the last value.
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut raw = Self::default();
        for (key, value) in pairs {
            let value = value.into();
            if let Some(list) = raw.list_mut(key.as_ref()) {
                list.push(value);
            } else if let Some(slot) = raw.single_mut(key.as_ref()) {
                *slot = Some(value);
            }
        }
        raw
    }

    /// The same filters without the named parameters, so the others still
    /// apply when those could not be used.
    pub fn without(&self, fields: &[&str]) -> Self {
        let mut raw = self.clone();
        for field in fields {
            if let Some(list) = raw.list_mut(field) {
                list.clear();
            } else if let Some(slot) = raw.single_mut(field) {
                *slot = None;
            }
        }
        raw
    }

    fn list_mut(&mut self, key: &str) -> Option<&mut Vec<String>> {
        match key {
            "format" => Some(&mut self.format),
            "focus" => Some(&mut self.focus),
            "attribute" => Some(&mut self.attribute),
            _ => None,
        }
    }

    fn single_mut(&mut self, key: &str) -> Option<&mut Option<String>> {
        match key {
            "q" => Some(&mut self.q),
            "day" => Some(&mut self.day),
            "time" => Some(&mut self.time),
            "starts_within" => Some(&mut self.starts_within),
            "in_progress" => Some(&mut self.in_progress),
            "language" => Some(&mut self.language),
            "country" => Some(&mut self.country),
            "region" => Some(&mut self.region),
            "city" => Some(&mut self.city),
            "tz" => Some(&mut self.tz),
            "page" => Some(&mut self.page),
            _ => None,
        }
    }

    /// Parses every parameter; returns all the errors at once so a form can
    /// show each next to its field and keep the rest.
    pub fn parse(&self, default_zone: &Zone) -> Result<DirectoryFilters, Vec<FilterError>> {
        let mut errors = Vec::new();
        let mut check =
            |field: &'static str, value: Option<&str>, ok: &dyn Fn(&str) -> bool| match value {
                Some(v) if !ok(v) => {
                    errors.push(FilterError {
                        field,
                        code: "invalid_value",
                    });
                    None
                }
                other => other.map(str::to_owned),
            };
        let day = check("day", present(&self.day), &|d| day_from_code(d).is_some());
        let time = check("time", present(&self.time), &|t| {
            TimeOfDay::parse(t).is_some()
        });
        let starts_within = check("starts_within", present(&self.starts_within), &|s| {
            s.parse::<u32>()
                .is_ok_and(|m| (1..=MAX_STARTS_WITHIN_MINUTES).contains(&m))
        });
        let in_progress = check("in_progress", present(&self.in_progress), &|v| {
            v == "true" || v == "false"
        });
        let language = check("language", present(&self.language), &is_language_tag);
        let country = check("country", present(&self.country), &is_country_code);
        let page = check("page", present(&self.page), &|p| {
            p.parse::<u32>().is_ok_and(|n| (1..=MAX_PAGE).contains(&n))
        });

        let mut terms = Vec::new();
        if let Some(q) = present(&self.q) {
            if q.chars().count() > MAX_QUERY_CHARS {
                errors.push(FilterError {
                    field: "q",
                    code: "too_long",
                });
            } else {
                terms = text::tokens(q);
                terms.dedup();
                terms.truncate(text::MAX_TERMS);
            }
        }
        let formats = parse_each(&self.format, "format", Format::parse, &mut errors);
        let focus = parse_each(&self.focus, "focus", Focus::parse, &mut errors);
        let attributes = parse_each(&self.attribute, "attribute", Attribute::parse, &mut errors);
        let zone = match present(&self.tz) {
            None => default_zone.clone(),
            Some(name) => Zone::parse(name).unwrap_or_else(|_| {
                errors.push(FilterError {
                    field: "tz",
                    code: "unknown_time_zone",
                });
                default_zone.clone()
            }),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(DirectoryFilters {
            terms,
            formats,
            day: day.as_deref().and_then(day_from_code),
            time: time.as_deref().and_then(TimeOfDay::parse),
            starts_within: starts_within.and_then(|s| s.parse().ok()),
            in_progress: in_progress.as_deref() == Some("true"),
            focus,
            attributes,
            language: language.as_deref().map(normalize_language),
            country: country.map(|c| c.to_ascii_uppercase()),
            region: present(&self.region)
                .map(text::place_key)
                .filter(|k| !k.is_empty()),
            city: present(&self.city)
                .map(text::place_key)
                .filter(|k| !k.is_empty()),
            zone,
            page: page.and_then(|p| p.parse().ok()).unwrap_or(1),
        })
    }
}

/// Parses a weekday code: 0–6, Sunday 0.
pub fn day_from_code(code: &str) -> Option<Weekday> {
    code.parse::<i8>()
        .ok()
        .filter(|n| (0..=6).contains(n))
        .and_then(|n| Weekday::from_sunday_zero_offset(n).ok())
}

/// A half-open interval `[start, end)` of unix seconds.
pub type Window = (i64, i64);

impl DirectoryFilters {
    /// The windows an occurrence's start must fall in, sorted and disjoint,
    /// for occurrences known up to `horizon`. A result also needs its meeting
    /// to end after `now`, which the store checks; without a window of time
    /// asked for, meetings in progress are included.
    pub fn start_windows(&self, now: Timestamp, horizon: Timestamp) -> Vec<Window> {
        let now_s = now.as_second();
        let mut base = Vec::new();
        if self.in_progress {
            let longest = i64::from(MAX_DURATION_MINUTES) * 60;
            base.push((now_s - longest, now_s + 1));
        }
        if let Some(minutes) = self.starts_within {
            base.push((now_s, now_s + i64::from(minutes) * 60));
        }
        if base.is_empty() {
            // Meetings in progress first: a seeker may still join one, and
            // it is what the group is doing now rather than next week.
            let longest = i64::from(MAX_DURATION_MINUTES) * 60;
            base.push((now_s - longest, horizon.as_second()));
        }
        let base = merge(base);
        if self.day.is_none() && self.time.is_none() {
            return base;
        }
        let first = base.first().map_or(now_s, |w| w.0);
        let last = base.last().map_or(now_s, |w| w.1);
        intersect(&base, &self.local_windows(first, last))
    }

    /// The viewer's day/time-of-day windows covering `[from, until)`.
    fn local_windows(&self, from: i64, until: i64) -> Vec<Window> {
        let tz = self.zone.tz().clone();
        let to_date = |s: i64| {
            Timestamp::from_second(s)
                .unwrap_or(Timestamp::UNIX_EPOCH)
                .to_zoned(tz.clone())
                .date()
        };
        // Start a day early: a night window begins the evening before.
        let mut date = to_date(from).yesterday().unwrap_or(Date::MIN);
        let last = to_date(until);
        let mut out = Vec::new();
        while date <= last {
            if self.day.is_none_or(|d| d == date.weekday()) {
                let parts: Vec<(DateTime, DateTime)> = match self.time {
                    Some(t) => vec![t.bounds(date)],
                    None => {
                        let next = date.tomorrow().unwrap_or(date);
                        vec![(
                            date.to_datetime(Time::midnight()),
                            next.to_datetime(Time::midnight()),
                        )]
                    }
                };
                for (start, end) in parts {
                    let start = resolve_local(&self.zone, start).as_second();
                    let end = resolve_local(&self.zone, end).as_second();
                    if start < end {
                        out.push((start, end));
                    }
                }
            }
            match date.checked_add(1.day()) {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        merge(out)
    }
}

/// Sorts windows and joins those that touch or overlap.
fn merge(mut windows: Vec<Window>) -> Vec<Window> {
    windows.sort_unstable();
    let mut out: Vec<Window> = Vec::with_capacity(windows.len());
    for w in windows {
        match out.last_mut() {
            Some(last) if w.0 <= last.1 => last.1 = last.1.max(w.1),
            _ => out.push(w),
        }
    }
    out
}

/// The intersection of two sorted, disjoint window lists.
fn intersect(a: &[Window], b: &[Window]) -> Vec<Window> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let start = a[i].0.max(b[j].0);
        let end = a[i].1.min(b[j].1);
        if start < end {
            out.push((start, end));
        }
        if a[i].1 < b[j].1 { i += 1 } else { j += 1 }
    }
    out
}

/// How far ahead occurrences are kept in the store: far enough for every
/// kind of rule to have a next meeting.
pub fn horizon(now: Timestamp) -> Timestamp {
    now.saturating_add(SignedDuration::from_hours(24 * 7 * 6))
        .unwrap_or(Timestamp::MAX)
}

/// How far ahead a bulk import materializes occurrences: a week and a day,
/// enough for every weekly meeting to have its next one listed at once; the
/// refresher extends them to [`horizon`] in the background.
pub fn first_horizon(now: Timestamp) -> Timestamp {
    now.saturating_add(SignedDuration::from_hours(24 * 8))
        .unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
mod tests;
