//! The mailing list as admins keep it: interests (a label people read and
//! a stable code made from it), the words of the signup forms, and the
//! CSV of addresses an operator imports. Everything here is checked before
//! anything is written: a bad row refuses the whole file, naming its line.

use std::collections::HashSet;

use crate::account::Email;
use crate::text::slug_words;
use crate::validation::{FieldError, Refusals, text_within};

/// The longest interest label.
pub const LABEL_MAX: usize = 80;
/// The longest interest code.
pub const CODE_MAX: usize = 40;
/// The longest form heading.
pub const HEADING_MAX: usize = 120;
/// The longest form introduction.
pub const INTRO_MAX: usize = 1_000;
/// The longest consent words.
pub const CONSENT_MAX: usize = 1_000;
/// The longest first name an import keeps.
pub const FIRST_NAME_MAX: usize = 80;
/// The most rows an import reads.
pub const IMPORT_ROWS_MAX: usize = 100_000;
/// The largest file an import reads.
pub const IMPORT_BYTES_MAX: usize = 16 * 1024 * 1024;

/// An interest's label: required, one line, at most [`LABEL_MAX`]
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterestLabel(String);

impl InterestLabel {
    /// Checks a label as typed, refused as the field `label`.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.trim().contains(['\n', '\r']) {
            return Err(FieldError::new("label", "one_line"));
        }
        text_within("label", raw, 1, LABEL_MAX).map(Self)
    }

    /// The label.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The code a new interest with `label` gets: its ASCII words, lowercase,
/// joined by hyphens, at most [`CODE_MAX`] long (`interest` when it has
/// none), with `-2`, `-3`, … when one of `taken` has it already.
pub fn interest_code<'a>(
    label: &InterestLabel,
    taken: impl IntoIterator<Item = &'a str>,
) -> String {
    let taken: HashSet<&str> = taken.into_iter().collect();
    let mut base = slug_words(label.as_str(), CODE_MAX);
    if base.is_empty() {
        base = "interest".to_owned();
    }
    if !taken.contains(base.as_str()) {
        return base;
    }
    (2_u32..)
        .map(|n| {
            let suffix = format!("-{n}");
            let mut stem = base.clone();
            while stem.len() + suffix.len() > CODE_MAX {
                stem.pop();
            }
            format!("{}{suffix}", stem.trim_end_matches('-'))
        })
        .find(|code| !taken.contains(code.as_str()))
        .unwrap_or(base)
}

/// Whether `raw` has the shape of an interest code: lowercase ASCII
/// letters and digits in words joined by single hyphens, at most
/// [`CODE_MAX`] long.
pub fn is_interest_code(raw: &str) -> bool {
    !raw.is_empty()
        && raw.len() <= CODE_MAX
        && raw.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Where a signup form is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placement {
    /// `/newsletter`, its own page: always shown.
    Newsletter,
    /// The home page.
    Home,
    /// Beside every resource page.
    Resources,
}

impl Placement {
    /// Every placement, in the order admins see them.
    pub const ALL: [Self; 3] = [Self::Newsletter, Self::Home, Self::Resources];

    /// The stable code (`newsletter_forms.placement`, URLs, the API).
    pub fn code(self) -> &'static str {
        match self {
            Self::Newsletter => "newsletter",
            Self::Home => "home",
            Self::Resources => "resources",
        }
    }

    /// The placement with this code.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == raw)
    }

    /// Whether an admin may hide it (the newsletter page always shows its
    /// form).
    pub fn can_hide(self) -> bool {
        self != Self::Newsletter
    }
}

/// A form's words as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormWordsInput {
    /// The heading.
    pub heading: String,
    /// A few sentences under it; may be empty.
    pub intro: String,
    /// What a person agrees to by signing up.
    pub consent: String,
}

/// A form's words, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormWords {
    /// The heading: required, one line, at most [`HEADING_MAX`].
    pub heading: String,
    /// The introduction: at most [`INTRO_MAX`].
    pub intro: String,
    /// The consent words: required, at most [`CONSENT_MAX`].
    pub consent: String,
}

impl FormWordsInput {
    /// Checks every field at once.
    pub fn parse(&self) -> Result<FormWords, Vec<FieldError>> {
        let mut refusals = Refusals::default();
        let heading = if self.heading.trim().contains(['\n', '\r']) {
            refusals.push("heading", "one_line");
            None
        } else {
            refusals.check(text_within("heading", &self.heading, 1, HEADING_MAX))
        };
        let intro = refusals.check(text_within("intro", &self.intro, 0, INTRO_MAX));
        let consent = refusals.check(text_within("consent", &self.consent, 1, CONSENT_MAX));
        refusals.finish(|| ())?;
        match (heading, intro, consent) {
            (Some(heading), Some(intro), Some(consent)) => Ok(FormWords {
                heading,
                intro,
                consent,
            }),
            // Every `None` above recorded its refusal, answered already.
            _ => Err(Vec::new()),
        }
    }
}

/// One address of an import, checked.
#[derive(Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The line of the file it was on (the header is line 1).
    pub line: u64,
    /// The normalised address.
    pub email: Email,
    /// The first name, if the file gave one.
    pub first_name: Option<String>,
    /// Interest codes the row names (known, without repeats).
    pub interests: Vec<String>,
}

impl std::fmt::Debug for ImportRow {
    // An address and a name are personal: never in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportRow")
            .field("line", &self.line)
            .field("interests", &self.interests)
            .finish_non_exhaustive()
    }
}

/// An import file, checked: its rows, each address once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFile {
    /// The rows, in the file's order, each address the first time it
    /// appears.
    pub rows: Vec<ImportRow>,
    /// Rows that repeated an address already read above them.
    pub repeats: usize,
}

/// Why an import file was refused: the line (the header is line 1; none
/// for the file as a whole) and a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportError {
    /// The line, when one row is at fault.
    pub line: Option<u64>,
    /// `too_large`, `too_many_rows`, `empty`, `not_utf8`, `malformed`,
    /// `missing_email_column`, `duplicate_column`, `required`,
    /// `invalid_email`, `too_long`, `invalid_first_name`,
    /// `unknown_interest`.
    pub code: &'static str,
}

impl ImportError {
    fn file(code: &'static str) -> Self {
        Self { line: None, code }
    }

    fn at(line: u64, code: &'static str) -> Self {
        Self {
            line: Some(line),
            code,
        }
    }
}

/// Reads an import file: UTF-8 CSV (a byte-order mark is allowed) whose
/// header names `email` (required), and optionally `first_name` and
/// `interests` (codes among `known`, separated by `;` or spaces); other
/// columns are ignored. At most [`IMPORT_BYTES_MAX`] bytes and
/// [`IMPORT_ROWS_MAX`] rows; blank lines are skipped. The first bad row
/// refuses the file.
pub fn parse_import<'a>(
    bytes: &[u8],
    known: impl IntoIterator<Item = &'a str>,
) -> Result<ImportFile, ImportError> {
    if bytes.len() > IMPORT_BYTES_MAX {
        return Err(ImportError::file("too_large"));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(ImportError::file("not_utf8"));
    }
    let known: HashSet<&str> = known.into_iter().collect();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|_| ImportError::at(1, "malformed"))?
        .clone();
    let column = |name: &str| -> Result<Option<usize>, ImportError> {
        let mut found = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.eq_ignore_ascii_case(name));
        let first = found.next().map(|(i, _)| i);
        if found.next().is_some() {
            return Err(ImportError::at(1, "duplicate_column"));
        }
        Ok(first)
    };
    let email_at = column("email")?.ok_or(ImportError::at(1, "missing_email_column"))?;
    let name_at = column("first_name")?;
    let interests_at = column("interests")?;

    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    let mut repeats = 0;
    let mut record = csv::StringRecord::new();
    // Lines are counted from byte offsets (the reader's own count skips
    // blank lines), going forward only: each byte is looked at once.
    let (mut counted_to, mut lines_before) = (0_usize, 1_u64);
    let mut line_at = |byte: u64| {
        let end = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .clamp(counted_to, bytes.len());
        lines_before += bytes[counted_to..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        counted_to = end;
        lines_before
    };
    loop {
        let before = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let byte = e.position().map_or(before, csv::Position::byte);
                return Err(ImportError::at(line_at(byte), "malformed"));
            }
        }
        // A record's position may be that of the blank lines before it.
        let mut start = record.position().map_or(before, csv::Position::byte);
        while usize::try_from(start)
            .ok()
            .and_then(|i| bytes.get(i))
            .is_some_and(|b| matches!(b, b'\n' | b'\r'))
        {
            start += 1;
        }
        let line = line_at(start);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() + repeats >= IMPORT_ROWS_MAX {
            return Err(ImportError::at(line, "too_many_rows"));
        }
        let cell = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or_default();
        let email =
            Email::parse(cell(Some(email_at))).map_err(|e| ImportError::at(line, e.code))?;
        let first_name = match cell(name_at) {
            "" => None,
            name if name.contains(['\n', '\r']) => {
                return Err(ImportError::at(line, "invalid_first_name"));
            }
            name => Some(
                text_within("first_name", name, 1, FIRST_NAME_MAX)
                    .map_err(|e| ImportError::at(line, e.code))?,
            ),
        };
        let mut interests: Vec<String> = Vec::new();
        for code in cell(interests_at)
            .split([';', ' ', '\t'])
            .filter(|c| !c.is_empty())
        {
            let code = code.to_ascii_lowercase();
            if !known.contains(code.as_str()) {
                return Err(ImportError::at(line, "unknown_interest"));
            }
            if !interests.contains(&code) {
                interests.push(code);
            }
        }
        if !seen.insert(email.as_str().to_owned()) {
            repeats += 1;
            continue;
        }
        rows.push(ImportRow {
            line,
            email,
            first_name,
            interests,
        });
    }
    if rows.is_empty() {
        return Err(ImportError::file("empty"));
    }
    Ok(ImportFile { rows, repeats })
}

#[cfg(test)]
mod tests;
