//! The mailing list's mail that admins cause: an imported address is
//! asked to confirm before anything else is sent to it.

use super::{Footer, MailKind, mail_templates};

/// "Please confirm": an organiser imported this address into the mailing
/// list without attesting consent; nothing is sent unless its owner
/// confirms. Essential (there is nothing yet to unsubscribe from).
#[derive(Debug, Clone)]
pub struct NewsletterImportConfirm {
    /// The site's name as its address shows it (`kith.example`).
    pub site: String,
    /// The single-use link (`/newsletter/confirm/{token}`).
    pub link: String,
    /// How many days the link works.
    pub days: u32,
}

mail_templates!(
    NewsletterImportConfirm,
    "mail/newsletter_import_confirm.txt",
    "mail/newsletter_import_confirm.html"
);

impl MailKind for NewsletterImportConfirm {
    const KIND: &'static str = "newsletter_import_confirm";

    fn subject(&self, _group_names: bool) -> String {
        "kith: please confirm your address".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}
