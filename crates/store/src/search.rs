//! The directory query: filters, order by next meeting (then name, then id),
//! and bounded work however common the search words are.
//!
//! FTS5's `ORDER BY rank` costs about a microsecond per *matching* row with
//! no early stop, so the directory never ranks. It orders by the next
//! matching meeting and uses one of two plans:
//!
//! - **walk**: read occurrences in start order from the `occurrences_by_start`
//!   index, join each group by primary key, check the filters and that this is
//!   the group's first matching meeting, and stop at the page's end. Cheap when
//!   many groups match (a common word, no filter): the page fills after a few
//!   hundred rows. It is given a budget of occurrences; past it, the walk
//!   could be long, which means few groups match, so …
//! - **groups**: start from the groups that match (full-text index, filter
//!   indexes), find each one's first matching meeting through
//!   `occurrences_by_group`, and sort those few.
//!
//! Rare words go straight to the groups plan: the full-text index counts up to
//! [`RARE_TERMS_CAP`] matches cheaply. On SQLite the index also holds each
//! group's filter values as words (migration 0013), so words with filters
//! that together match few groups ("cameras" in phone meetings) are one
//! intersection of lists there, counted and found alike. Both plans order
//! results identically, so the plan never changes an answer, only its cost.

use crate::Backend;
use crate::db::{Arg, Db, Query, query};
use crate::model::DirectorySearch;

/// Fewer full-text matches than this, and the groups plan is cheaper.
pub const RARE_TERMS_CAP: i64 = 1000;

/// Occurrences the walk may read for one page before handing over.
pub fn walk_budget(search: &DirectorySearch) -> i64 {
    (16 * i64::from(search.offset + search.limit)).max(2000)
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
}

/// A statement and its values, placeholders numbered `$1…`.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    /// The statement.
    pub text: String,
    /// The values, in placeholder order.
    pub values: Vec<Value>,
}

impl Sql {
    fn bind(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    fn int(&mut self, value: i64) -> String {
        self.bind(Value::Int(value))
    }

    fn text(&mut self, value: &str) -> String {
        self.bind(Value::Text(value.to_owned()))
    }
}

const HIT_COLUMNS: &str = "g.slug, g.name, g.format, g.focus_mask, g.attribute_mask, g.language, \
    g.country, g.region, g.city, g.time_zone, o.id AS occurrence_id, o.starts_at, o.ends_at";

/// The full-text query for a search: every term as a prefix or as a whole
/// word and, on SQLite, the filters the index holds as facet words.
fn fts_query(backend: Backend, search: &DirectorySearch, prefix: bool) -> String {
    // Terms are letters and digits only (domain::text::tokens), so quoting
    // them is enough to keep them from being read as query syntax.
    let (quote, star, and) = match backend {
        Backend::Sqlite => ('"', "*", " AND "),
        Backend::Postgres => ('\'', ":*", " & "),
    };
    let star = if prefix { star } else { "" };
    let mut parts: Vec<String> = search
        .terms
        .iter()
        .map(|t| format!("{quote}{t}{quote}{star}"))
        .collect();
    if backend == Backend::Sqlite {
        parts.extend(facet_query(search));
    }
    parts.join(and)
}

/// The search's filters as FTS5 expressions over the facet words SQLite's
/// migration 0013 indexes: one private-use character each (no searched
/// word holds one), format, primary language and country hashed from their
/// first three characters, focus and attribute bits a character each. Every
/// group the filters keep has these words, so the index only narrows what
/// the filters then check; region, city and a full language tag are left
/// to them.
fn facet_query(search: &DirectorySearch) -> Vec<String> {
    fn word(code: u32) -> String {
        format!("\"{}\"", char::from_u32(code).unwrap_or('\u{E000}'))
    }
    /// The migration's hash of a value.
    fn hash(value: &str) -> u32 {
        let mut chars = value.chars().map(u32::from).chain(std::iter::repeat(0));
        let mut next = || chars.next().unwrap_or(0);
        next() * 961 + next() * 31 + next()
    }
    fn any(words: impl Iterator<Item = String>) -> String {
        format!("({})", words.collect::<Vec<_>>().join(" OR "))
    }
    let mut parts = Vec::new();
    if !search.formats.is_empty() {
        let words = search.formats.iter();
        parts.push(any(words.map(|f| word(0xE000 + hash(f.code()) % 256))));
    }
    if !search.focus.is_empty() {
        let words = search.focus.iter();
        parts.push(any(words.map(|f| word(0xE100 + f.bit().trailing_zeros()))));
    }
    parts.extend(
        search
            .attributes
            .iter()
            .map(|a| word(0xE140 + a.bit().trailing_zeros())),
    );
    if let Some(language) = search.language.as_deref().filter(|l| !l.contains('-')) {
        parts.push(word(0xE200 + hash(language) % 2048));
    }
    if let Some(country) = &search.country {
        parts.push(word(0xEA00 + hash(country) % 2048));
    }
    parts
}

/// Counts full-text matches, up to [`RARE_TERMS_CAP`]. The whole words
/// are counted first: groups with every word match every word as a prefix
/// too, so reaching the cap there settles it, and counting whole words
/// stops at the cap, where a prefix's list is merged in full first (at a
/// million groups, 0.2 ms against 18 ms for a word in a sixth of them).
pub fn count_term_matches(backend: Backend, search: &DirectorySearch) -> Sql {
    let mut sql = Sql::default();
    let words = sql.text(&fts_query(backend, search, false));
    let prefixes = sql.text(&fts_query(backend, search, true));
    let cap = sql.int(RARE_TERMS_CAP);
    let count = |q: &str| match backend {
        Backend::Sqlite => format!(
            "(SELECT COUNT(*) FROM (SELECT 1 FROM groups_fts WHERE groups_fts MATCH {q} LIMIT {cap}) m)"
        ),
        Backend::Postgres => format!(
            "(SELECT COUNT(*) FROM (SELECT 1 FROM groups WHERE search_vector @@ to_tsquery('simple', {q}) LIMIT {cap}) m)"
        ),
    };
    // CASE evaluates its second count only when the first is short.
    sql.text = format!(
        "SELECT CASE WHEN {} >= {cap} THEN {cap} ELSE {} END",
        count(&words),
        count(&prefixes)
    );
    sql
}

/// The start of the `budget`-th occurrence in the windows, if there is one:
/// the walk reads no further.
pub fn walk_bound(search: &DirectorySearch, budget: i64) -> Sql {
    let mut sql = Sql::default();
    let windows = windows_clause(&mut sql, "o", search);
    let now = sql.int(search.now);
    let skip = sql.int(budget - 1);
    sql.text = format!(
        "SELECT o.starts_at FROM occurrences o WHERE {windows} AND o.ends_at > {now} AND o.cancelled = 0 \
         ORDER BY o.starts_at LIMIT 1 OFFSET {skip}"
    );
    sql
}

/// The walk plan, reading occurrences that start no later than `bound`.
pub fn walk(search: &DirectorySearch, bound: Option<i64>) -> Sql {
    let mut sql = Sql::default();
    let windows = windows_clause_until(&mut sql, "o", search, bound);
    let now = sql.int(search.now);
    let mut text = format!(
        "SELECT {HIT_COLUMNS} FROM occurrences o JOIN groups g ON g.id = o.group_id \
         WHERE {windows} AND o.ends_at > {now} AND o.cancelled = 0"
    );
    text += &group_filters(&mut sql, search);
    for term in &search.terms {
        // The same match as the full-text index: some word starts with it.
        text += &format!(
            " AND (' ' || g.search_text) LIKE {}",
            sql.text(&format!("% {term}%"))
        );
    }
    let first = first_meeting_clause(&mut sql, search, now.as_str());
    text += &format!(" AND NOT EXISTS ({first})");
    text += &page_clause(&mut sql, search);
    sql.text = text;
    sql
}

/// The groups plan.
pub fn by_groups(backend: Backend, search: &DirectorySearch) -> Sql {
    let mut sql = Sql::default();
    let windows = windows_clause(&mut sql, "p", search);
    let now = sql.int(search.now);
    let mut text = format!(
        "SELECT {HIT_COLUMNS} FROM groups g JOIN occurrences o ON o.id = (\
           SELECT p.id FROM occurrences p WHERE p.group_id = g.id AND {windows} AND p.ends_at > {now} AND p.cancelled = 0 \
           ORDER BY p.starts_at, p.ends_at, p.id LIMIT 1) \
         WHERE 1 = 1"
    );
    text += &group_filters(&mut sql, search);
    if !search.terms.is_empty() {
        let q = sql.text(&fts_query(backend, search, true));
        text += &match backend {
            Backend::Sqlite => {
                format!(" AND g.id IN (SELECT rowid FROM groups_fts WHERE groups_fts MATCH {q})")
            }
            Backend::Postgres => format!(" AND g.search_vector @@ to_tsquery('simple', {q})"),
        };
    }
    text += &page_clause(&mut sql, search);
    sql.text = text;
    sql
}

/// `alias.starts_at` within any window. The outer range lets the index do
/// the work; the list of windows is checked row by row.
fn windows_clause(sql: &mut Sql, alias: &str, search: &DirectorySearch) -> String {
    windows_clause_until(sql, alias, search, None)
}

/// As [`windows_clause`], reading no start later than `bound`. The bound is
/// folded into the one outer range: given two upper limits, SQLite uses only
/// one for the index and filters the other row by row.
fn windows_clause_until(
    sql: &mut Sql,
    alias: &str,
    search: &DirectorySearch,
    bound: Option<i64>,
) -> String {
    let (Some(first), Some(last)) = (search.windows.first(), search.windows.last()) else {
        return "1 = 0".to_owned();
    };
    let end = bound.map_or(last.1, |b| last.1.min(b.saturating_add(1)));
    let mut clause = format!(
        "{alias}.starts_at >= {} AND {alias}.starts_at < {}",
        sql.int(first.0),
        sql.int(end)
    );
    if search.windows.len() > 1 {
        let each: Vec<String> = search
            .windows
            .iter()
            .map(|(start, end)| {
                format!(
                    "(+{alias}.starts_at >= {} AND +{alias}.starts_at < {})",
                    sql.int(*start),
                    sql.int(*end)
                )
            })
            .collect();
        clause += &format!(" AND ({})", each.join(" OR "));
    }
    clause
}

/// Filters on the group's own columns, for a group aliased `g`.
fn group_filters(sql: &mut Sql, search: &DirectorySearch) -> String {
    let mut text = String::from(" AND g.status = 'listed'");
    if !search.formats.is_empty() {
        let list: Vec<String> = search.formats.iter().map(|f| sql.text(f.code())).collect();
        text += &format!(" AND g.format IN ({})", list.join(", "));
    }
    if !search.focus.is_empty() {
        let mask = search.focus.iter().fold(0, |m, f| m | f.bit());
        text += &format!(" AND (g.focus_mask & {}) <> 0", sql.int(mask));
    }
    if !search.attributes.is_empty() {
        let mask = search.attributes.iter().fold(0, |m, a| m | a.bit());
        let bound = sql.int(mask);
        text += &format!(" AND (g.attribute_mask & {bound}) = {bound}");
    }
    if let Some(language) = &search.language {
        let column = if language.contains('-') {
            "g.language"
        } else {
            "g.language_primary"
        };
        text += &format!(" AND {column} = {}", sql.text(language));
    }
    if let Some(country) = &search.country {
        text += &format!(" AND g.country = {}", sql.text(country));
    }
    if let Some(region) = &search.region {
        text += &format!(" AND g.region_key = {}", sql.text(region));
    }
    if let Some(city) = &search.city {
        text += &format!(" AND g.city_key = {}", sql.text(city));
    }
    text
}

/// Whether an earlier matching meeting of the same group exists, for an
/// occurrence aliased `o` of a group aliased `g`: the walk keeps only each
/// group's first. "First" is by (start, end, id), the order of
/// `occurrences_by_group`, as in the groups plan. Tied to `g.id`, not
/// `o.group_id` (the same value): SQLite then checks it after the group's
/// filters instead of for every occurrence read (at a million groups, a
/// walk took a third of the time).
fn first_meeting_clause(sql: &mut Sql, search: &DirectorySearch, now: &str) -> String {
    let windows = windows_clause(sql, "p", search);
    format!(
        "SELECT 1 FROM occurrences p WHERE p.group_id = g.id AND {windows} AND p.ends_at > {now} AND p.cancelled = 0 \
         AND (p.starts_at, p.ends_at, p.id) < (o.starts_at, o.ends_at, o.id)"
    )
}

fn page_clause(sql: &mut Sql, search: &DirectorySearch) -> String {
    let limit = sql.int(i64::from(search.limit));
    let offset = sql.int(i64::from(search.offset));
    // `o.sort_name` and `o.group_id` equal the group's: the walk's order is
    // then exactly the `occurrences_by_start` index, so no sort is needed.
    format!(" ORDER BY o.starts_at, o.sort_name, o.group_id LIMIT {limit} OFFSET {offset}")
}

impl From<Sql> for Query<'static> {
    fn from(sql: Sql) -> Self {
        sql.values.into_iter().fold(query(sql.text), |q, value| {
            q.bind(match value {
                Value::Int(v) => Arg::from(v),
                Value::Text(v) => Arg::from(v),
            })
        })
    }
}

/// Chooses the plan and runs it.
pub(crate) async fn run(
    db: &Db,
    search: &DirectorySearch,
) -> crate::StoreResult<Vec<crate::model::DirectoryHit>> {
    let backend = db.backend();
    let hits = |sql: Sql| Query::from(sql).fetch_all::<crate::sql::HitRow>(db);
    let scalar = |sql: Sql| Query::from(sql).scalar_optional::<i64>(db);
    if search.windows.is_empty() || search.limit == 0 {
        return Ok(Vec::new());
    }
    let rare_terms = !search.terms.is_empty()
        && scalar(count_term_matches(backend, search))
            .await?
            .unwrap_or(0)
            < RARE_TERMS_CAP;
    let rows = if rare_terms {
        hits(by_groups(backend, search)).await?
    } else {
        let bound = scalar(walk_bound(search, walk_budget(search))).await?;
        let walked = hits(walk(search, bound)).await?;
        if bound.is_none() || walked.len() == search.limit as usize {
            walked
        } else {
            hits(by_groups(backend, search)).await?
        }
    };
    rows.into_iter().map(crate::sql::HitRow::into_hit).collect()
}

#[cfg(test)]
mod tests;
