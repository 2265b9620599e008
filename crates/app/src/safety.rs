//! The crisis page linked from every page: short text per country, the
//! operator's to edit. Without an edited text, kith's own default is shown
//! (`safety/*.md`), which says plainly which lines are peer-run and which
//! may involve emergency services or police. Lines described with a
//! `Line:` (see `kith_domain::helpline`) show whether they are open now,
//! peer lines first.

use std::sync::LazyLock;

use jiff::Timestamp;
use kith_domain::directory::is_country_code;
use kith_domain::helpline::hours::Opening;
use kith_domain::helpline::{LineKind, Part, parse_text, unreadable_specs};
use kith_domain::reader_country::{country_of_zone, link_target, preselect, region_of_languages};
use kith_domain::validation::{FieldError, text_within};
use kith_store::AuditEntry;

use crate::access::{Person, SiteAction, authorize_on_site};
use crate::markdown::to_safe_html;
use crate::{App, AppError, AppResult};

/// The key of the text shown to readers whose country has none.
pub const DEFAULT: &str = "default";
/// The longest safety text.
pub const BODY_MAX: usize = 5_000;

/// The texts kith ships with.
const SHIPPED: &[(&str, &str)] = &[
    (DEFAULT, include_str!("../safety/default.md")),
    ("AU", include_str!("../safety/AU.md")),
    ("CA", include_str!("../safety/CA.md")),
    ("DE", include_str!("../safety/DE.md")),
    ("GB", include_str!("../safety/GB.md")),
    ("IE", include_str!("../safety/IE.md")),
    ("NZ", include_str!("../safety/NZ.md")),
    ("US", include_str!("../safety/US.md")),
];

/// The system's table of zones and their countries, and its links from
/// old zone names; empty without them, so the crisis page then falls back
/// to the reader's language.
static ZONE_TABLES: LazyLock<(String, String)> = LazyLock::new(|| {
    let read = |name: &str| std::fs::read_to_string(format!("/usr/share/zoneinfo/{name}")).ok();
    (
        read("zone.tab")
            .or_else(|| read("zone1970.tab"))
            .unwrap_or_default(),
        read("tzdata.zi").unwrap_or_default(),
    )
});

/// The country of a zone, following an old name to its current one.
fn country_of(zone: &str) -> Option<String> {
    let (table, links) = &*ZONE_TABLES;
    country_of_zone(table, zone)
        .or_else(|| link_target(links, zone).and_then(|current| country_of_zone(table, current)))
}

/// What kith knows of where a reader is, to choose their country.
#[derive(Debug, Clone, Copy, Default)]
pub struct Whereabouts<'a> {
    /// The country the reader chose (`?country=`); wins over any guess.
    pub chosen: Option<&'a str>,
    /// The reader's IANA zone, if they have one (the zone cookie).
    pub zone: Option<&'a str>,
    /// Their browser's `Accept-Language`.
    pub languages: Option<&'a str>,
}

/// The crisis page for one reader.
#[derive(Debug, Clone)]
pub struct CrisisPage {
    /// The country shown (`default` for the general text).
    pub country: String,
    /// The text, rendered and sanitised, in pieces.
    pub parts: Vec<CrisisPart>,
    /// Every country with its own text, for the chooser.
    pub countries: Vec<String>,
}

/// A piece of the crisis page.
#[derive(Debug, Clone)]
pub enum CrisisPart {
    /// Sanitised HTML.
    Html(String),
    /// A list of lines, peer lines first.
    Lines(Vec<LineView>),
}

/// One line as the page shows it.
#[derive(Debug, Clone)]
pub struct LineView {
    /// The item's sanitised HTML.
    pub html: String,
    /// Its kind, if described.
    pub kind: Option<LineKind>,
    /// Whether it is open now, if its hours are known.
    pub opening: Option<Opening>,
}

/// One text as an admin edits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyText {
    /// `default` or a country code.
    pub country: String,
    /// Markdown.
    pub body: String,
    /// Whether the operator changed it from kith's default.
    pub edited: bool,
}

/// Every text: the operator's where edited, else kith's, `default` first.
pub async fn texts(app: &App) -> AppResult<Vec<SafetyText>> {
    let store = app.store();
    let edited = store.safety_texts().await?;
    let mut texts: Vec<SafetyText> = SHIPPED
        .iter()
        .map(|(country, body)| SafetyText {
            country: (*country).to_owned(),
            body: (*body).to_owned(),
            edited: false,
        })
        .collect();
    for (country, body) in edited {
        match texts.iter_mut().find(|t| t.country == country) {
            Some(text) => {
                text.body = body;
                text.edited = true;
            }
            None => texts.push(SafetyText {
                country,
                body,
                edited: true,
            }),
        }
    }
    texts.sort_by(|a, b| {
        (a.country != DEFAULT, &a.country).cmp(&(b.country != DEFAULT, &b.country))
    });
    Ok(texts)
}

/// The crisis page for a reader at `now`: the country they chose (any
/// case), else the one their zone or language suggests if it has a text,
/// else the general text.
pub async fn crisis_page(
    app: &App,
    whereabouts: Whereabouts<'_>,
    now: Timestamp,
) -> AppResult<CrisisPage> {
    let texts = texts(app).await?;
    let has_text = |c: &str| texts.iter().any(|t| t.country == c);
    let wanted = match whereabouts.chosen.map(str::trim).filter(|c| !c.is_empty()) {
        Some(chosen) => Some(chosen.to_ascii_uppercase()),
        None => preselect(
            whereabouts.zone.and_then(country_of).as_deref(),
            whereabouts
                .languages
                .and_then(region_of_languages)
                .as_deref(),
            has_text,
        ),
    };
    let text = wanted
        .as_deref()
        .and_then(|c| texts.iter().find(|t| t.country == c))
        .or_else(|| texts.iter().find(|t| t.country == DEFAULT))
        .ok_or(AppError::NotFound)?;
    Ok(CrisisPage {
        country: text.country.clone(),
        parts: render(&text.body, now),
        countries: texts
            .iter()
            .filter(|t| t.country != DEFAULT)
            .map(|t| t.country.clone())
            .collect(),
    })
}

/// A text in pieces: Markdown as HTML, lines with whether they are open.
fn render(body: &str, now: Timestamp) -> Vec<CrisisPart> {
    parse_text(body)
        .into_iter()
        .map(|part| match part {
            Part::Text(markdown) => CrisisPart::Html(to_safe_html(&markdown)),
            Part::Lines(lines) => CrisisPart::Lines(
                lines
                    .into_iter()
                    .map(|line| LineView {
                        html: to_safe_html(&line.markdown),
                        kind: line.spec.as_ref().map(|s| s.kind),
                        opening: line
                            .spec
                            .as_ref()
                            .and_then(|s| s.hours.as_ref())
                            .map(|h| h.at(now)),
                    })
                    .collect(),
            ),
        })
        .collect()
}

/// Saves an admin's text for `country` (`default` or a country code), with
/// its audit row.
pub async fn save(
    app: &App,
    person: &Person,
    country: &str,
    body: &str,
    now: Timestamp,
) -> AppResult<()> {
    let store = app.store();
    authorize_on_site(Some(person), SiteAction::EditSafetyText)?;
    let country = country.trim();
    let country = if country.eq_ignore_ascii_case(DEFAULT) {
        DEFAULT.to_owned()
    } else if is_country_code(country) {
        country.to_ascii_uppercase()
    } else {
        return Err(AppError::Invalid(vec![FieldError::new(
            "country",
            "invalid_value",
        )]));
    };
    let body = text_within("body", body, 1, BODY_MAX).map_err(|e| AppError::Invalid(vec![e]))?;
    // A `Line:` kith cannot read would show as text; better to say so now.
    if !unreadable_specs(&body).is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "body",
            "unreadable_line",
        )]));
    }
    let audit = AuditEntry {
        actor: Some(person.id),
        actor_handle: person.handle.as_str(),
        action: "safety.edit",
        target: format!("safety:{country}"),
        reason: "",
    };
    Ok(store.save_safety_text(&country, &body, &audit, now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_text_labels_each_line_honestly() {
        for (country, body) in SHIPPED {
            assert!(
                body.contains("May involve emergency services or police"),
                "{country} names which lines may involve emergency services"
            );
            assert!(
                !body.contains('!'),
                "{country}: no exclamation marks, no pressure"
            );
            assert!(body.contains("no medical advice"), "{country}");
        }
    }

    #[test]
    fn every_shipped_line_is_described_and_its_numbers_are_links() {
        for (country, body) in SHIPPED {
            assert!(unreadable_specs(body).is_empty(), "{country}");
            let parts = parse_text(body);
            let lines: Vec<_> = parts
                .iter()
                .filter_map(|p| match p {
                    Part::Lines(lines) => Some(lines),
                    Part::Text(_) => None,
                })
                .flatten()
                .collect();
            assert!(
                lines
                    .iter()
                    .any(|l| l.spec.as_ref().map(|s| s.kind) == Some(LineKind::Emergency)),
                "{country} names its emergency number"
            );
            for line in lines.iter().filter(|l| l.spec.is_some()) {
                assert!(
                    line.markdown.contains("](tel:") || line.markdown.contains("](sms:"),
                    "{country}: {}",
                    line.markdown
                );
            }
        }
    }

    #[test]
    fn zones_old_and_new_name_their_country_from_the_system_tables() {
        if ZONE_TABLES.0.is_empty() {
            return;
        }
        assert_eq!(country_of("Australia/Melbourne").as_deref(), Some("AU"));
        assert_eq!(country_of("Europe/Kiev").as_deref(), Some("UA"));
        assert_eq!(country_of("Asia/Calcutta").as_deref(), Some("IN"));
        assert_eq!(country_of("UTC"), None);
    }

    #[test]
    fn qlife_is_open_at_eight_in_the_evening_in_sydney_and_listed_first() {
        let now: Timestamp = "2026-06-01T10:00:00Z".parse().expect("now");
        let parts = render(include_str!("../safety/AU.md"), now);
        let Some(CrisisPart::Lines(lines)) = parts.get(1) else {
            panic!("lines after the first paragraph: {parts:?}")
        };
        assert!(lines[0].html.contains("QLife"));
        assert_eq!(lines[0].kind, Some(LineKind::Peer));
        assert_eq!(
            lines[0].opening,
            Some(Opening::OpenUntil(
                "2026-06-01T14:00:00Z".parse().expect("t")
            ))
        );
        assert_eq!(lines[1].opening, Some(Opening::Always));
        assert!(lines[0].html.contains(r#"href="tel:1800184527""#));
        assert!(!lines[0].html.contains("Line:"));
    }
}
