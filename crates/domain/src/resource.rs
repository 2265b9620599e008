//! The resource library's pages, parsed at the edge: a title, a slug (from
//! the title unless given), a summary, a Markdown body, a few normalised
//! tags, draft or published; and the downloadable file, whose type is told
//! by its bytes, never by its name alone.

use crate::ids::Slug;
use crate::text::slug_words;
use crate::validation::{FieldError, Refusals, text_within};

/// The longest title.
pub const TITLE_MAX: usize = 120;
/// The longest summary.
pub const SUMMARY_MAX: usize = 500;
/// The longest body.
pub const BODY_MAX: usize = 100_000;
/// The most tags a resource has.
pub const TAGS_MAX: usize = 8;
/// The longest tag.
pub const TAG_MAX: usize = 30;
/// The longest slug a resource is given (its words; URLs take up to 80).
pub const SLUG_MAX: usize = 60;
/// The longest file name kept.
pub const FILE_NAME_MAX: usize = 120;
/// Slugs that are paths of the library itself.
const RESERVED_SLUGS: [&str; 2] = ["new", "feed"];

/// Whether readers see a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceStatus {
    /// Only editors and admins see it.
    Draft,
    /// Everyone sees it.
    Published,
}

impl ResourceStatus {
    /// The stable code in forms and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim() {
            "draft" => Ok(Self::Draft),
            "published" => Ok(Self::Published),
            _ => Err(FieldError::new("status", "invalid_value")),
        }
    }
}

/// A resource's fields as typed, before they are checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceInput {
    /// The title.
    pub title: String,
    /// The slug; empty makes one from the title.
    pub slug: String,
    /// A sentence or two for the index and the feed.
    pub summary: String,
    /// Markdown.
    pub body: String,
    /// Tags, separated by commas.
    pub tags: String,
    /// `draft` or `published`.
    pub status: String,
}

/// A resource's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceDraft {
    /// Its address under `/resources/`.
    pub slug: Slug,
    /// The title.
    pub title: String,
    /// The summary.
    pub summary: String,
    /// Markdown.
    pub body: String,
    /// Normalised, without repeats, in the order given.
    pub tags: Vec<String>,
    /// Draft or published.
    pub status: ResourceStatus,
}

impl ResourceInput {
    /// Checks every field at once, so an editor sees every problem.
    pub fn parse(&self) -> Result<ResourceDraft, Vec<FieldError>> {
        let mut refusals = Refusals::default();
        let title = refusals.check(text_within("title", &self.title, 1, TITLE_MAX));
        let slug = refusals.check(resource_slug(
            &self.slug,
            title.as_deref().unwrap_or_default(),
        ));
        let summary = refusals.check(text_within("summary", &self.summary, 1, SUMMARY_MAX));
        let body = refusals.check(text_within("body", &self.body, 1, BODY_MAX));
        let tags = refusals.check(parse_tags(&self.tags));
        let status = refusals.check(ResourceStatus::parse(&self.status));
        refusals.finish(|| ())?;
        match (title, slug, summary, body, tags, status) {
            (Some(title), Some(slug), Some(summary), Some(body), Some(tags), Some(status)) => {
                Ok(ResourceDraft {
                    slug,
                    title,
                    summary,
                    body,
                    tags,
                    status,
                })
            }
            // Every `None` above recorded its refusal, answered already.
            _ => Err(Vec::new()),
        }
    }
}

/// The slug an editor gave (lowercased), else the title's ASCII words.
pub fn resource_slug(given: &str, title: &str) -> Result<Slug, FieldError> {
    let given = given.trim().to_ascii_lowercase();
    let slug = if given.is_empty() {
        let words = slug_words(title, SLUG_MAX);
        if words.is_empty() {
            "resource".to_owned()
        } else {
            words
        }
    } else {
        given
    };
    if slug.len() > SLUG_MAX {
        return Err(FieldError::new("slug", "too_long"));
    }
    if RESERVED_SLUGS.contains(&slug.as_str()) {
        return Err(FieldError::new("slug", "reserved"));
    }
    Slug::parse(&slug).ok_or(FieldError::new("slug", "invalid_characters"))
}

/// One tag, normalised: trimmed, lowercase, inner spaces and underscores as
/// single hyphens; letters (any script), digits and hyphens only.
pub fn normalize_tag(raw: &str) -> Result<Option<String>, FieldError> {
    let mut tag = String::new();
    for c in raw.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            tag.push(c);
        } else if matches!(c, ' ' | '-' | '_' | '\t') {
            if !tag.is_empty() && !tag.ends_with('-') {
                tag.push('-');
            }
        } else {
            return Err(FieldError::new("tags", "invalid_characters"));
        }
    }
    let tag = tag.trim_end_matches('-').to_owned();
    if tag.chars().count() > TAG_MAX {
        return Err(FieldError::new("tags", "too_long"));
    }
    Ok((!tag.is_empty()).then_some(tag))
}

/// Tags separated by commas: normalised, repeats dropped, at most
/// [`TAGS_MAX`].
pub fn parse_tags(raw: &str) -> Result<Vec<String>, FieldError> {
    let mut tags: Vec<String> = Vec::new();
    for piece in raw.split(',') {
        if let Some(tag) = normalize_tag(piece)? {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }
    if tags.len() > TAGS_MAX {
        return Err(FieldError::new("tags", "too_many"));
    }
    Ok(tags)
}

/// The kinds of file a resource may offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A PDF document.
    Pdf,
    /// An EPUB eBook.
    Epub,
}

impl FileKind {
    /// What its bytes say it is: a PDF starts `%PDF-`; an EPUB is a zip
    /// whose first entry is `mimetype`, stored uncompressed, reading
    /// `application/epub+zip` (EPUB OCF 3, 4.3).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            return Some(Self::Pdf);
        }
        const EPUB: &[u8] = b"application/epub+zip";
        let u16_at = |at: usize| {
            bytes
                .get(at..at + 2)
                .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
        };
        let is_zip = bytes.starts_with(b"PK\x03\x04");
        let stored = u16_at(8) == Some(0);
        let (Some(name_len), Some(extra_len)) = (u16_at(26), u16_at(28)) else {
            return None;
        };
        let name_ok = bytes.get(30..30 + name_len) == Some(b"mimetype".as_slice());
        let content_at = 30 + name_len + extra_len;
        let content_ok = bytes.get(content_at..content_at + EPUB.len()) == Some(EPUB);
        (is_zip && stored && name_ok && content_ok).then_some(Self::Epub)
    }

    /// Its media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Epub => "application/epub+zip",
        }
    }

    /// Its usual file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Epub => "epub",
        }
    }
}

/// A file checked for the library: its kind and a safe name to offer it
/// under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    /// PDF or EPUB, by its bytes.
    pub kind: FileKind,
    /// The name it downloads as, ending in the kind's extension.
    pub name: String,
}

/// Checks an uploaded file: not empty, at most `max_bytes`, a PDF or an
/// EPUB by its bytes. Refusals are on the field `file`.
pub fn check_file(name: &str, bytes: &[u8], max_bytes: u64) -> Result<CheckedFile, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new("file", "required"));
    }
    if u64::try_from(bytes.len()).map_or(true, |len| len > max_bytes) {
        return Err(FieldError::new("file", "too_large"));
    }
    let kind = FileKind::sniff(bytes).ok_or(FieldError::new("file", "wrong_type"))?;
    Ok(CheckedFile {
        kind,
        name: file_name(name, kind),
    })
}

/// The last path segment of a name a browser sent, without control
/// characters or quotes, shortened, ending in the kind's extension.
pub fn file_name(raw: &str, kind: FileKind) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\'))
        .take(FILE_NAME_MAX)
        .collect();
    let clean = clean.trim();
    let stem = match clean.rsplit_once('.') {
        Some((stem, ext)) if ext.eq_ignore_ascii_case(kind.extension()) => stem,
        _ => clean,
    };
    // No hidden files: a name never starts with a dot.
    let stem = stem.trim_start_matches('.').trim();
    let stem = if stem.is_empty() { "resource" } else { stem };
    format!("{stem}.{}", kind.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(title: &str, slug: &str, tags: &str) -> ResourceInput {
        ResourceInput {
            title: title.into(),
            slug: slug.into(),
            summary: "Why peers help.".into(),
            body: "# Hello".into(),
            tags: tags.into(),
            status: "published".into(),
        }
    }

    /// A minimal EPUB's first bytes: a stored `mimetype` entry.
    pub(crate) fn epub_bytes() -> Vec<u8> {
        let mut b = b"PK\x03\x04".to_vec();
        b.extend([20, 0, 0, 0, 0, 0]); // version, flags, method 0 (stored)
        b.extend([0; 16]); // time, date, crc, sizes
        b.extend(8u16.to_le_bytes());
        b.extend(0u16.to_le_bytes());
        b.extend(b"mimetype");
        b.extend(b"application/epub+zip");
        b.extend(b"PK\x03\x04 the rest of the book");
        b
    }

    #[test]
    fn a_slug_comes_from_the_title_unless_given() {
        let draft = input("Do It In a Group!", "", "").parse().expect("valid");
        assert_eq!(draft.slug.as_str(), "do-it-in-a-group");
        let draft = input("Do It", "  Group-Guide ", "").parse().expect("valid");
        assert_eq!(draft.slug.as_str(), "group-guide");
        assert_eq!(
            input("断薬", "", "").parse().expect("valid").slug.as_str(),
            "resource"
        );
        for (slug, code) in [("new", "reserved"), ("a b", "invalid_characters")] {
            assert_eq!(
                input("T", slug, "").parse(),
                Err(vec![FieldError::new("slug", code)])
            );
        }
    }

    #[test]
    fn every_refused_field_is_named_at_once() {
        let mut bad = input("", "", "a, b, c, d, e, f, g, h, i");
        bad.summary.clear();
        bad.status = "secret".into();
        let fields: Vec<&str> = bad
            .parse()
            .expect_err("refused")
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["title", "summary", "tags", "status"]);
    }

    #[test]
    fn tags_are_normalised_and_deduplicated() {
        assert_eq!(
            parse_tags(" Tapering, hearing  voices,tapering,, Sevrage_Lent , Äpfel").expect("ok"),
            ["tapering", "hearing-voices", "sevrage-lent", "äpfel"]
        );
        assert_eq!(
            parse_tags("<script>"),
            Err(FieldError::new("tags", "invalid_characters"))
        );
        assert_eq!(
            parse_tags(&"x".repeat(31)),
            Err(FieldError::new("tags", "too_long"))
        );
        assert!(parse_tags("").expect("none").is_empty());
    }

    #[test]
    fn a_file_is_told_by_its_bytes_not_its_name() {
        let pdf = check_file("book.pdf", b"%PDF-1.7\n...", 100).expect("pdf");
        assert_eq!((pdf.kind, pdf.name.as_str()), (FileKind::Pdf, "book.pdf"));
        let epub = check_file("C:\\books\\Freedom.EPUB", &epub_bytes(), 1000).expect("epub");
        assert_eq!(
            (epub.kind, epub.name.as_str()),
            (FileKind::Epub, "Freedom.epub")
        );
        assert_eq!(epub.kind.content_type(), "application/epub+zip");
        let refused =
            |name: &str, bytes: &[u8], max| check_file(name, bytes, max).map_err(|e| e.code);
        assert_eq!(refused("fake.pdf", b"<html>", 100), Err("wrong_type"));
        assert_eq!(
            refused("a.zip", b"PK\x03\x04 not an epub at all....", 100),
            Err("wrong_type")
        );
        assert_eq!(refused("big.pdf", b"%PDF-1.7 too big", 8), Err("too_large"));
        assert_eq!(refused("empty.pdf", b"", 8), Err("required"));
    }

    #[test]
    fn a_file_name_is_cleaned_and_ends_in_its_kind() {
        assert_eq!(file_name("../../etc/passwd", FileKind::Pdf), "passwd.pdf");
        assert_eq!(file_name("Über \"uns\".pdf", FileKind::Pdf), "Über uns.pdf");
        assert_eq!(file_name("", FileKind::Epub), "resource.epub");
        assert_eq!(file_name(".pdf", FileKind::Pdf), "resource.pdf");
    }
}
