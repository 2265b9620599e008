//! The crisis page linked from every page: short text per country, the
//! operator's to edit. Without an edited text, kith's own default is shown
//! (`safety/*.md`), which says plainly which lines are peer-run and which
//! may involve emergency services or police.

use jiff::Timestamp;
use kith_domain::directory::is_country_code;
use kith_domain::validation::{FieldError, text_within};
use kith_store::{AuditEntry, Store};

use crate::access::{Person, SiteAction, authorize_on_site};
use crate::markdown::to_safe_html;
use crate::{AppError, AppResult};

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

/// The crisis page for one reader.
#[derive(Debug, Clone)]
pub struct CrisisPage {
    /// The country shown (`default` for the general text).
    pub country: String,
    /// The text, rendered and sanitised.
    pub html: String,
    /// Every country with its own text, for the chooser.
    pub countries: Vec<String>,
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
pub async fn texts(store: &dyn Store) -> AppResult<Vec<SafetyText>> {
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

/// The crisis page for `country` (any case), falling back to the default.
pub async fn crisis_page(store: &dyn Store, country: Option<&str>) -> AppResult<CrisisPage> {
    let texts = texts(store).await?;
    let wanted = country.map(|c| c.trim().to_ascii_uppercase());
    let text = wanted
        .as_deref()
        .and_then(|c| texts.iter().find(|t| t.country == c))
        .or_else(|| texts.iter().find(|t| t.country == DEFAULT))
        .ok_or(AppError::NotFound)?;
    Ok(CrisisPage {
        country: text.country.clone(),
        html: to_safe_html(&text.body),
        countries: texts
            .iter()
            .filter(|t| t.country != DEFAULT)
            .map(|t| t.country.clone())
            .collect(),
    })
}

/// Saves an admin's text for `country` (`default` or a country code), with
/// its audit row.
pub async fn save(
    store: &dyn Store,
    person: &Person,
    country: &str,
    body: &str,
    now: Timestamp,
) -> AppResult<()> {
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
}
