//! The directory's data as both designs start from it, read from a kith
//! SQLite database, and the question both answer.

use std::collections::HashMap;

/// A listed group: what the filters, the words and the order need.
pub struct Group {
    /// Its row id, the order's last key.
    pub id: i64,
    /// The order's second key (compared bytewise, as SQLite's BINARY).
    pub sort_name: String,
    /// `search_text` split at its single spaces.
    pub words: Vec<String>,
    /// Format code.
    pub format: String,
    /// Focus bits.
    pub focus: i64,
    /// Attribute bits.
    pub attributes: i64,
    /// Full language tag.
    pub language: String,
    /// Its primary subtag.
    pub language_primary: String,
    /// Country code.
    pub country: Option<String>,
    /// Region place key.
    pub region_key: Option<String>,
    /// City place key.
    pub city_key: Option<String>,
}

/// A meeting that is not cancelled, of a listed group.
#[derive(Clone, Copy)]
pub struct Meeting {
    /// Unix seconds.
    pub start: i64,
    /// Unix seconds.
    pub end: i64,
    /// Index into [`Data::groups`].
    pub group: u32,
}

/// Everything loaded. `meetings` is sorted by (start, end, id), so a
/// meeting's index (its *ordinal*) orders meetings exactly as the SQL's
/// "first meeting" does, and both designs name a meeting by it.
pub struct Data {
    /// Listed groups by row id.
    pub groups: Vec<Group>,
    /// Meetings by (start, end, id).
    pub meetings: Vec<Meeting>,
}

/// Reads listed groups and their meetings that are not cancelled.
pub fn load(path: &str) -> rusqlite::Result<Data> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut stmt = conn.prepare(
        "SELECT id, sort_name, search_text, format, focus_mask, attribute_mask, language, \
         language_primary, country, region_key, city_key FROM groups \
         WHERE status = 'listed' ORDER BY id",
    )?;
    let groups = stmt
        .query_map([], |r| {
            let text: String = r.get(2)?;
            Ok(Group {
                id: r.get(0)?,
                sort_name: r.get(1)?,
                words: text
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect(),
                format: r.get(3)?,
                focus: r.get(4)?,
                attributes: r.get(5)?,
                language: r.get(6)?,
                language_primary: r.get(7)?,
                country: r.get(8)?,
                region_key: r.get(9)?,
                city_key: r.get(10)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let index: HashMap<i64, u32> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.id, i as u32))
        .collect();
    let mut stmt = conn.prepare(
        "SELECT group_id, starts_at, ends_at FROM occurrences WHERE cancelled = 0 \
         ORDER BY starts_at, ends_at, id",
    )?;
    let mut meetings = Vec::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let group: i64 = r.get(0)?;
        if let Some(&g) = index.get(&group) {
            meetings.push(Meeting {
                start: r.get(1)?,
                end: r.get(2)?,
                group: g,
            });
        }
    }
    Ok(Data { groups, meetings })
}

/// The directory question, as `kith_store::model::DirectorySearch` holds it
/// (filter codes as strings, bits as masks).
#[derive(Debug, Clone)]
pub struct Search {
    /// Each must prefix-match some word.
    pub terms: Vec<String>,
    /// Any of these format codes.
    pub formats: Vec<String>,
    /// Any of these focus bits (0: any).
    pub focus: i64,
    /// All of these attribute bits.
    pub attributes: i64,
    /// Full tag if it has a `-`, else primary subtag.
    pub language: Option<String>,
    /// Country code.
    pub country: Option<String>,
    /// Region key.
    pub region: Option<String>,
    /// City key.
    pub city: Option<String>,
    /// Sorted, disjoint `[start, end)` windows for a meeting's start.
    pub windows: Vec<(i64, i64)>,
    /// Meetings must end after it.
    pub now: i64,
    /// Results skipped.
    pub offset: usize,
    /// Results at most.
    pub limit: usize,
}

/// One answer: (group index, meeting ordinal), in the directory's order.
pub type Answer = Vec<(u32, u32)>;

/// The page from each candidate group's first matching meeting, given as
/// (meeting ordinal) — sorted by (start, sort name, group id), shared by
/// every plan so they cannot differ in order.
pub fn page(data: &Data, mut firsts: Vec<u32>, search: &Search) -> Answer {
    let key = |o: &u32| {
        let m = &data.meetings[*o as usize];
        let g = &data.groups[m.group as usize];
        (m.start, g.sort_name.as_str(), g.id)
    };
    let want = search.offset + search.limit;
    if firsts.len() > want && want > 0 {
        firsts.select_nth_unstable_by(want - 1, |a, b| key(a).cmp(&key(b)));
        firsts.truncate(want);
    }
    firsts.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
    firsts
        .into_iter()
        .skip(search.offset)
        .take(search.limit)
        .map(|o| (data.meetings[o as usize].group, o))
        .collect()
}

/// Whether `start` lies in one of the windows.
pub fn in_windows(windows: &[(i64, i64)], start: i64) -> bool {
    let i = windows.partition_point(|w| w.1 <= start);
    windows.get(i).is_some_and(|w| w.0 <= start)
}
