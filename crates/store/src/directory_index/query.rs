//! Answering one directory question from the index, in the order the
//! directory has always had: each group once, at its first matching meeting
//! by (start, end, id), ordered by that meeting's start, then the group's
//! sort name, then its id.
//!
//! Two plans, chosen by how many groups the words and filters leave:
//!
//! - **walk** the meetings in start order, inside the time windows, keeping
//!   each candidate group the first time it is met, until the page is full.
//!   Cheap when candidates are many: the page fills after a few hundred
//!   meetings.
//! - **sort** the candidates' first matching meetings. Cheap when they are
//!   few, and bounded by their number however far the page is.
//!
//! The walk is given a budget of meetings; past it, the sort answers. Both
//! give the same answer, so the plan only changes the cost.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Bound;

use roaring::RoaringBitmap;

use super::data::{Facet, Index, IndexedGroup, Meeting, PREFIX_CHARS};
use crate::StoreResult;
use crate::model::{DirectoryHit, DirectorySearch};
use crate::sql::directory_next;

/// The walk may read this many meetings per candidate group before the
/// sort is cheaper (a meeting read is a few times cheaper than a candidate
/// sorted).
const WALK_MEETINGS_PER_CANDIDATE: u64 = 8;

/// And at least this many, for small directories.
const WALK_MEETINGS_MIN: u64 = 2_000;

/// One page of the directory.
pub(super) fn search(index: &Index, search: &DirectorySearch) -> StoreResult<Vec<DirectoryHit>> {
    if search.windows.is_empty() || search.limit == 0 {
        return Ok(Vec::new());
    }
    let candidates = candidates(index, search);
    let count = candidates.as_ref().unwrap_or(&index.all).len();
    let offset = u64::from(search.offset);
    let wanted = offset + u64::from(search.limit);
    // Each group appears at most once.
    if offset >= count {
        return Ok(Vec::new());
    }
    let meetings = u64::try_from(index.meetings).unwrap_or(u64::MAX);
    // Candidates hold about count/groups of the meetings, so the walk reads
    // about wanted × meetings / count of them before the page is full.
    let expected_walk = wanted.saturating_mul(meetings) / count;
    let budget = (WALK_MEETINGS_PER_CANDIDATE * count).max(WALK_MEETINGS_MIN);
    let page = if expected_walk <= budget {
        walk(index, candidates.as_ref(), search, wanted, budget)
    } else {
        None
    };
    let page = match page {
        Some(page) => page,
        None => sort(index, candidates.as_ref(), search, wanted),
    };
    hits(page, offset)
}

/// The page past `offset`, as hits.
fn hits(page: Vec<(&IndexedGroup, &Meeting)>, offset: u64) -> StoreResult<Vec<DirectoryHit>> {
    page.into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .map(|(group, meeting)| hit(group, meeting))
        .collect()
}

/// The page by each plan alone, the walk without a budget: for tests that
/// hold both to the database's answer, whichever `search` would choose.
#[cfg(test)]
pub(super) fn by_each_plan(
    index: &Index,
    search: &DirectorySearch,
) -> StoreResult<[Vec<DirectoryHit>; 2]> {
    if search.windows.is_empty() || search.limit == 0 {
        return Ok([Vec::new(), Vec::new()]);
    }
    let candidates = candidates(index, search);
    let offset = u64::from(search.offset);
    let wanted = offset + u64::from(search.limit);
    let walked = walk(index, candidates.as_ref(), search, wanted, u64::MAX).unwrap_or_default();
    let sorted = sort(index, candidates.as_ref(), search, wanted);
    Ok([hits(walked, offset)?, hits(sorted, offset)?])
}

/// The groups every word and filter allows, or `None` for every group.
/// Posting lists are borrowed where the index holds them whole; only the
/// smallest is copied, to intersect the others into.
fn candidates(index: &Index, search: &DirectorySearch) -> Option<RoaringBitmap> {
    let mut lists: Vec<Cow<'_, RoaringBitmap>> = Vec::new();
    for term in &search.terms {
        lists.push(term_list(index, term));
    }
    let facet = |facet: Facet| {
        index
            .facets
            .get(&facet)
            .map_or_else(Cow::default, Cow::Borrowed)
    };
    if !search.formats.is_empty() {
        let any = search.formats.iter();
        lists.push(union(any.map(|f| facet(Facet::Format(f.code().into())))));
    }
    if !search.focus.is_empty() {
        lists.push(union(
            search.focus.iter().map(|f| facet(Facet::Focus(f.bit()))),
        ));
    }
    for attribute in &search.attributes {
        lists.push(facet(Facet::Attribute(attribute.bit())));
    }
    if let Some(language) = &search.language {
        lists.push(facet(if language.contains('-') {
            Facet::Language(language.as_str().into())
        } else {
            Facet::PrimaryLanguage(language.as_str().into())
        }));
    }
    if let Some(country) = &search.country {
        lists.push(facet(Facet::Country(country.as_str().into())));
    }
    if let Some(region) = &search.region {
        lists.push(facet(Facet::Region(region.as_str().into())));
    }
    if let Some(city) = &search.city {
        lists.push(facet(Facet::City(city.as_str().into())));
    }
    // Smallest first: every intersection after it is as small.
    lists.sort_by_key(|list| list.len());
    let mut lists = lists.into_iter();
    let mut found = lists.next()?.into_owned();
    for list in lists {
        if found.is_empty() {
            break;
        }
        found &= list.as_ref();
    }
    Some(found)
}

/// Every group in any of `lists`; one list alone is not copied.
fn union<'a>(lists: impl Iterator<Item = Cow<'a, RoaringBitmap>>) -> Cow<'a, RoaringBitmap> {
    lists
        .reduce(|acc, list| Cow::Owned(acc.into_owned() | list.as_ref()))
        .unwrap_or_default()
}

/// The groups with a word that starts with `term`.
fn term_list<'a>(index: &'a Index, term: &str) -> Cow<'a, RoaringBitmap> {
    if term.chars().count() <= PREFIX_CHARS {
        return index
            .words
            .get(term)
            .map_or_else(Cow::default, Cow::Borrowed);
    }
    let words = index
        .words
        .range::<str, _>((Bound::Included(term), Bound::Unbounded))
        .take_while(|(word, _)| word.starts_with(term));
    union(words.map(|(_, list)| Cow::Borrowed(list)))
}

/// Whether `group` is a candidate.
fn allowed(candidates: Option<&RoaringBitmap>, group: u32) -> bool {
    candidates.is_none_or(|c| c.contains(group))
}

/// The walk: `None` when its budget ran out before the page filled.
fn walk<'a>(
    index: &'a Index,
    candidates: Option<&RoaringBitmap>,
    search: &DirectorySearch,
    wanted: u64,
    budget: u64,
) -> Option<Vec<(&'a IndexedGroup, &'a Meeting)>> {
    let wanted = usize::try_from(wanted).unwrap_or(usize::MAX);
    let mut page: Vec<(&IndexedGroup, &Meeting)> = Vec::new();
    let mut seen = RoaringBitmap::new();
    let mut read = 0_u64;
    // Meetings at one instant, gathered and put in name order.
    let mut batch: Vec<(&IndexedGroup, &Meeting)> = Vec::new();
    let mut batch_start = i64::MIN;
    // Meetings that began before this have all ended.
    let earliest = search.now.saturating_sub(index.longest);
    for &(start, end) in &search.windows {
        let start = start.max(earliest);
        if start >= end {
            continue;
        }
        let range = (start, 0, i64::MIN)..(end, 0, i64::MIN);
        for &(starts_at, id, ends_at) in index.by_start.range(range) {
            // Meetings that began before now are read by every walk alike;
            // only those ahead say how long this one is.
            if starts_at >= search.now {
                read += 1;
                if read > budget {
                    return None;
                }
            }
            if starts_at != batch_start {
                page.extend(ordered(&mut batch));
                if page.len() >= wanted {
                    page.truncate(wanted);
                    return Some(page);
                }
                batch_start = starts_at;
            }
            if ends_at <= search.now || seen.contains(id) || !allowed(candidates, id) {
                continue;
            }
            let Some(group) = index.groups.get(id) else {
                continue;
            };
            if let Some(meeting) = first_meeting_at(group, starts_at, search.now) {
                seen.insert(id);
                batch.push((group, meeting));
            }
        }
    }
    page.extend(ordered(&mut batch));
    page.truncate(wanted);
    Some(page)
}

/// A batch of meetings at one instant, by sort name then group id.
fn ordered<'a, 'b>(
    batch: &'b mut Vec<(&'a IndexedGroup, &'a Meeting)>,
) -> std::vec::Drain<'b, (&'a IndexedGroup, &'a Meeting)> {
    batch.sort_unstable_by(|a, b| by_name(a.0, b.0));
    batch.drain(..)
}

fn by_name(a: &IndexedGroup, b: &IndexedGroup) -> Ordering {
    a.sort_name.cmp(&b.sort_name).then(a.id.cmp(&b.id))
}

/// The group's first meeting starting at `starts_at` that ends after `now`.
fn first_meeting_at(group: &IndexedGroup, starts_at: i64, now: i64) -> Option<&Meeting> {
    let from = group.meetings.partition_point(|m| m.starts_at < starts_at);
    group.meetings[from..]
        .iter()
        .take_while(|m| m.starts_at == starts_at)
        .find(|m| m.ends_at > now)
}

/// The sort: every candidate's first matching meeting, the first `wanted`
/// of them in order.
fn sort<'a>(
    index: &'a Index,
    candidates: Option<&RoaringBitmap>,
    search: &DirectorySearch,
    wanted: u64,
) -> Vec<(&'a IndexedGroup, &'a Meeting)> {
    let first = |group: &'a IndexedGroup| first_matching(group, search).map(|m| (group, m));
    let mut found: Vec<(&IndexedGroup, &Meeting)> = match candidates {
        Some(ids) => ids
            .iter()
            .filter_map(|id| index.groups.get(id))
            .filter_map(first)
            .collect(),
        None => index.groups.iter().filter_map(first).collect(),
    };
    let order = |a: &(&IndexedGroup, &Meeting), b: &(&IndexedGroup, &Meeting)| {
        a.1.starts_at
            .cmp(&b.1.starts_at)
            .then_with(|| by_name(a.0, b.0))
    };
    let wanted = usize::try_from(wanted).unwrap_or(usize::MAX);
    if found.len() > wanted {
        found.select_nth_unstable_by(wanted - 1, order);
        found.truncate(wanted);
    }
    found.sort_unstable_by(order);
    found
}

/// A group's first meeting inside the windows that ends after now. The
/// windows are sorted and disjoint, and the meetings sorted by start, so
/// one pass over both finds it: a question with a time of day has a window
/// a day for six weeks, and a group a handful of meetings.
fn first_matching<'a>(group: &'a IndexedGroup, search: &DirectorySearch) -> Option<&'a Meeting> {
    let windows = &search.windows;
    let (first, last) = (windows.first()?.0, windows.last()?.1);
    let from = group.meetings.partition_point(|m| m.starts_at < first);
    let mut window = windows.iter();
    let mut current = window.next()?;
    for meeting in &group.meetings[from..] {
        if meeting.starts_at >= last {
            return None;
        }
        // Windows that end before this meeting starts hold no later one.
        while current.1 <= meeting.starts_at {
            current = window.next()?;
        }
        if meeting.starts_at >= current.0 && meeting.ends_at > search.now {
            return Some(meeting);
        }
    }
    None
}

fn hit(group: &IndexedGroup, meeting: &Meeting) -> StoreResult<DirectoryHit> {
    Ok(DirectoryHit {
        next: directory_next(meeting.id_text(), meeting.starts_at, meeting.ends_at)?,
        ..group.hit.clone()
    })
}
