//! The directory query on the database: used only until an instance's
//! in-memory index (`directory_index`) is built, so it is written once, for
//! rightness rather than speed — the groups the words and filters allow,
//! each at its first matching meeting, ordered by that meeting's start,
//! then the group's sort name, then its id, exactly as the index orders
//! them.

use crate::Backend;
use crate::db::{Arg, Db, Query, query};
use crate::model::DirectorySearch;

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
}

/// A statement and its values, placeholders numbered `$1…`.
#[derive(Debug, Clone, Default)]
struct Sql {
    /// The statement.
    text: String,
    /// The values, in placeholder order.
    values: Vec<Value>,
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

/// The full-text query for a search: every term as a prefix.
fn fts_query(backend: Backend, search: &DirectorySearch) -> String {
    // Terms are letters and digits only (domain::text::tokens), so quoting
    // them is enough to keep them from being read as query syntax.
    let (quote, star, and) = match backend {
        Backend::Sqlite => ('"', "*", " AND "),
        Backend::Postgres => ('\'', ":*", " & "),
    };
    search
        .terms
        .iter()
        .map(|t| format!("{quote}{t}{quote}{star}"))
        .collect::<Vec<_>>()
        .join(and)
}

/// The query: each group the words and filters allow, at its first
/// matching meeting.
fn by_groups(backend: Backend, search: &DirectorySearch) -> Sql {
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
        let q = sql.text(&fts_query(backend, search));
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
    let (Some(first), Some(last)) = (search.windows.first(), search.windows.last()) else {
        return "1 = 0".to_owned();
    };
    let mut clause = format!(
        "{alias}.starts_at >= {} AND {alias}.starts_at < {}",
        sql.int(first.0),
        sql.int(last.1)
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

fn page_clause(sql: &mut Sql, search: &DirectorySearch) -> String {
    let limit = sql.int(i64::from(search.limit));
    let offset = sql.int(i64::from(search.offset));
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

/// Runs the query.
pub(crate) async fn run(
    db: &Db,
    search: &DirectorySearch,
) -> crate::StoreResult<Vec<crate::model::DirectoryHit>> {
    if search.windows.is_empty() || search.limit == 0 {
        return Ok(Vec::new());
    }
    let rows: Vec<crate::sql::HitRow> = Query::from(by_groups(db.backend(), search))
        .fetch_all(db)
        .await?;
    rows.into_iter().map(crate::sql::HitRow::into_hit).collect()
}

#[cfg(test)]
mod tests;
