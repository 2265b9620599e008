//! The page about the site (`/about`): who runs it, where it stands, what
//! it keeps and who sees it, and how it is moderated. kith ships a careful
//! default (`pages/about.md`); admins make it their own, with an audit row.

use jiff::Timestamp;
use kith_domain::validation::text_within;
use kith_store::AuditEntry;

use crate::access::{Person, SiteAction, authorize_on_site};
use crate::markdown::to_safe_html;
use crate::{App, AppError, AppResult};

/// The longest text of the page.
pub const BODY_MAX: usize = 20_000;

/// The page's name in the store.
const NAME: &str = "about";

/// The text kith ships with.
const SHIPPED: &str = include_str!("../pages/about.md");

/// The page's text as an admin edits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AboutText {
    /// Markdown.
    pub body: String,
    /// Whether the operator changed it from kith's default.
    pub edited: bool,
}

/// The text: the operator's if they wrote one, else kith's.
pub async fn text(app: &App) -> AppResult<AboutText> {
    let store = app.store();
    Ok(match store.site_page(NAME).await? {
        Some(body) => AboutText { body, edited: true },
        None => AboutText {
            body: SHIPPED.to_owned(),
            edited: false,
        },
    })
}

/// The page as readers see it: sanitised HTML.
pub async fn page_html(app: &App) -> AppResult<String> {
    Ok(to_safe_html(&text(app).await?.body))
}

/// Saves an admin's text, with its audit row.
pub async fn save(app: &App, person: &Person, body: &str, now: Timestamp) -> AppResult<()> {
    let store = app.store();
    authorize_on_site(Some(person), SiteAction::EditAboutPage)?;
    let body = text_within("body", body, 1, BODY_MAX).map_err(|e| AppError::Invalid(vec![e]))?;
    let audit = AuditEntry {
        actor: Some(person.id),
        actor_handle: person.handle.as_str(),
        action: "about.edit",
        target: format!("page:{NAME}"),
        reason: "",
    };
    Ok(store.save_site_page(NAME, &body, &audit, now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_text_covers_who_stance_privacy_and_moderation_calmly() {
        for heading in [
            "## Who runs it",
            "## Where we stand",
            "## What this site keeps, and who sees it",
            "## How this site is moderated",
        ] {
            assert!(SHIPPED.contains(heading), "{heading}");
        }
        for stance in ["No agenda", "No advice", "Nothing sold"] {
            assert!(SHIPPED.contains(stance), "{stance}");
        }
        assert!(!SHIPPED.contains('!'), "no exclamation marks, no pressure");
        assert!(SHIPPED.len() < BODY_MAX);
    }
}
