//! The lines on the crisis page, described inside the safety text itself so
//! an admin edits one Markdown text, as before.
//!
//! A line is a Markdown list item: its name, what it may do and its number
//! as a tap-to-call link (`[13 11 14](tel:131114)`, `[text 988](sms:988)`).
//! A last line inside the item, starting with `Line:`, says what kind of
//! line it is and when it answers:
//!
//! ```text
//! - **May involve emergency services or police.** QLife: [1800 184 527](tel:1800184527), …
//!   Line: peer | daily 15:00-24:00 | Australia/Sydney
//! - **May involve emergency services or police.** Lifeline: [13 11 14](tel:131114), …
//!   Line: crisis | always
//! ```
//!
//! - kind: `peer` (a peer-run or peer warmline), `crisis` (a crisis line)
//!   or `emergency` (an emergency number);
//! - hours (optional): `always`, or spans separated by commas such as
//!   `Mon-Fri 09:00-17:00, Sat 10:00-14:00` (`daily` for every day; an end
//!   at or before the start runs past midnight; `24:00` is midnight);
//! - the line's IANA time zone, needed unless the hours are `always`.
//!
//! The `Line:` line is not shown; the page shows whether the line is open
//! instead. Within a list, peer lines come first and emergency numbers last;
//! other items keep their order. A list without any `Line:` renders exactly
//! as written, and so does a `Line:` that cannot be read (the admin page
//! refuses to save one).

pub mod hours;

use hours::{Hours, HoursError};

/// What kind of line it is; peer lines are listed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A peer-run line or peer warmline.
    Peer,
    /// A crisis line.
    Crisis,
    /// An emergency number.
    Emergency,
}

/// What a `Line:` says.
#[derive(Debug, Clone, PartialEq)]
pub struct LineSpec {
    /// The kind of line.
    pub kind: LineKind,
    /// When it answers, if known.
    pub hours: Option<Hours>,
}

/// One item of a list of lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The item's Markdown, without its list marker and `Line:`.
    pub markdown: String,
    /// What its `Line:` said; `None` for an item without one.
    pub spec: Option<LineSpec>,
}

/// A piece of a safety text.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Markdown shown as written.
    Text(String),
    /// A list with at least one described line, in the order shown.
    Lines(Vec<Line>),
}

/// A `Line:` that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The kind is not `peer`, `crisis` or `emergency`.
    #[error("the kind is not peer, crisis or emergency")]
    Kind,
    /// The hours or zone are not understood.
    #[error(transparent)]
    Hours(#[from] HoursError),
}

const MARKER: &str = "line:";

impl LineSpec {
    /// Reads what follows `Line:`: `kind | hours | zone`, the last two
    /// optional.
    pub fn parse(spec: &str) -> Result<Self, SpecError> {
        let mut fields = spec.split('|').map(str::trim);
        let kind = match fields.next().unwrap_or("").to_ascii_lowercase().as_str() {
            "peer" => LineKind::Peer,
            "crisis" => LineKind::Crisis,
            "emergency" => LineKind::Emergency,
            _ => return Err(SpecError::Kind),
        };
        let hours = match (fields.next(), fields.next()) {
            (None, _) => None,
            (Some(hours), zone) => Some(Hours::parse(hours, zone)?),
        };
        Ok(Self { kind, hours })
    }
}

/// Splits a safety text into Markdown and lists of lines, each list in the
/// order it is shown.
pub fn parse_text(markdown: &str) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    let mut text = String::new();
    for block in blocks(markdown) {
        match block {
            Block::Text(line) => {
                text.push_str(line);
                text.push('\n');
            }
            Block::List(items) => {
                let lines: Vec<Line> = items.iter().map(|item| line_of(item)).collect();
                if lines.iter().any(|l| l.spec.is_some()) {
                    if !text.trim().is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    text.clear();
                    parts.push(Part::Lines(in_order(lines)));
                } else {
                    for item in items {
                        for line in item {
                            text.push_str(line);
                            text.push('\n');
                        }
                    }
                }
            }
        }
    }
    if !text.trim().is_empty() {
        parts.push(Part::Text(text));
    }
    parts
}

/// Every `Line:` in the text that cannot be read, with the error.
pub fn unreadable_specs(markdown: &str) -> Vec<(String, SpecError)> {
    blocks(markdown)
        .into_iter()
        .filter_map(|block| match block {
            Block::List(items) => Some(items),
            Block::Text(_) => None,
        })
        .flatten()
        .flat_map(|item| item.into_iter().skip(1))
        .filter_map(|line| {
            let spec = spec_of(line)?;
            LineSpec::parse(spec)
                .err()
                .map(|e| (line.trim().to_owned(), e))
        })
        .collect()
}

/// Peer lines first, emergency numbers last; the rest keep their order.
pub fn in_order(mut lines: Vec<Line>) -> Vec<Line> {
    lines.sort_by_key(|line| match line.spec.as_ref().map(|s| s.kind) {
        Some(LineKind::Peer) => 0,
        None | Some(LineKind::Crisis) => 1,
        Some(LineKind::Emergency) => 2,
    });
    lines
}

enum Block<'a> {
    Text(&'a str),
    List(Vec<Vec<&'a str>>),
}

/// Lines of text and runs of list items (each item its lines, marker
/// included). An item runs until a blank line or the next item.
fn blocks(markdown: &str) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    let mut items: Vec<Vec<&str>> = Vec::new();
    for line in markdown.lines() {
        if is_item(line) {
            items.push(vec![line]);
        } else if line.trim().is_empty() || items.is_empty() {
            if !items.is_empty() {
                blocks.push(Block::List(std::mem::take(&mut items)));
            }
            blocks.push(Block::Text(line));
        } else if let Some(item) = items.last_mut() {
            item.push(line);
        }
    }
    if !items.is_empty() {
        blocks.push(Block::List(items));
    }
    blocks
}

fn is_item(line: &str) -> bool {
    ["- ", "* ", "+ "].iter().any(|m| line.starts_with(m))
}

/// What follows `Line:` on a line of an item, if it is one.
fn spec_of(line: &str) -> Option<&str> {
    let trimmed = line.trim();
    let head = trimmed.get(..MARKER.len())?;
    head.eq_ignore_ascii_case(MARKER)
        .then(|| &trimmed[MARKER.len()..])
}

fn line_of(item: &[&str]) -> Line {
    let mut spec = None;
    let mut kept: Vec<&str> = Vec::with_capacity(item.len());
    for (i, line) in item.iter().enumerate() {
        let read = (i > 0)
            .then(|| spec_of(line))
            .flatten()
            .and_then(|s| LineSpec::parse(s).ok());
        match read {
            Some(read) if spec.is_none() => spec = Some(read),
            _ => kept.push(if i == 0 { &line[2..] } else { line }),
        }
    }
    Line {
        markdown: kept.join("\n"),
        spec,
    }
}

#[cfg(test)]
mod tests;
