//! Mail: composing it, the outbox, and the background sender.
//!
//! - [`kinds`]: every kind of mail kith sends, each a struct with a
//!   subject and two templates (`templates/mail/<kind>.txt` and `.html`).
//! - [`newsletter_kinds`]: the mailing list's confirmation, "already
//!   subscribed" and welcome mail.
//! - [`list_kinds`]: the mailing list's mail that admins cause (an
//!   imported address asked to confirm).
//! - [`letter_kinds`]: letters to the mailing list, rendered when sent.
//! - [`transport`]: SMTP (`KITH_SMTP_URL`) or `.eml` files in a folder.
//! - [`sender`]: the background task that claims due mail, sends it, and
//!   retries with backoff.
//! - [`time`]: a meeting's time as a mail gives it, in the recipient's
//!   zone first and the group's beside it (`templates/mail/when.txt`).
//!
//! # Adding a kind of mail
//!
//! 1. Write `templates/mail/<kind>.txt` and `templates/mail/<kind>.html`,
//!    each extending `mail/base.txt` / `mail/base.html` and filling
//!    `{% block body %}`. The templates read the struct as `mail` and the
//!    footer as `footer`. Write kindly; the HTML is escaped.
//! 2. Declare the struct, implement [`MailKind`] (a stable `KIND`, the
//!    `CATEGORY` for optional mail, a neutral `subject`), and stamp out
//!    its rendering with `mail_templates!(Struct, "mail/<kind>.txt",
//!    "mail/<kind>.html");`.
//! 3. Mail that reports a change is written by the store in the change's
//!    own transaction, so the change and its mail are kept together or
//!    not at all: build a [`Tell`] (`Tell::fixed` for one mail to an
//!    [`Audience`](kith_store::mail::Audience); `Tell::new` when whom to
//!    tell or what to say depends on the outcome or the reader's zone) and
//!    hand it to the store method that makes the change, as it takes its
//!    audit row (`close_group`, `change_request`, …; a new mutating method
//!    takes `notices: &dyn Notices<…>` and calls `write_notices` once its
//!    outcome is known). The store reads each addressee's address,
//!    preferences and zone inside the transaction; `Tell` skips optional
//!    mail they turned off and [`compose`]s the rest (this makes the
//!    one-click unsubscribe token). Mail that reports no change (a host's
//!    announcement) goes through `enqueue_notices`; mail to an address
//!    that belongs to no account is composed and written with
//!    [`crate::App::enqueue`]. A guest who commented is mailed through
//!    the comments store's `GuestNotices`, which finds the guest in the
//!    change's transaction; their optional mail is composed with
//!    `compose_for_guest` (a one-click link of their own). After writing,
//!    call [`crate::App::mailed`] to wake the sender.
//!
//! Subjects are neutral by default ("kith: a message about your group"):
//! never a group's name or words such as "withdrawal" or "psychiatric",
//! unless the person chose group names in subjects (`group_names`).
//!
//! Essential mail (confirming an address, password resets, answers to
//! one's own requests and threads) has no category and is always sent.
//! Optional mail has a [`MailCategory`]
//! (`reminder_24h`, `reminder_1h`, `announcements`, `meeting_changes`) and
//! carries `List-Unsubscribe` / `List-Unsubscribe-Post` (RFC 8058) and a
//! link to the person's notification preferences.

pub mod kinds;
pub mod letter_kinds;
pub mod list_kinds;
pub mod newsletter_kinds;
mod notices;
pub mod sender;
pub mod time;
pub mod transport;

pub(crate) use notices::Tell;

pub use kith_domain::mail_category::MailCategory;
/// A rendered mail, ready for the outbox: what [`compose`] makes.
pub use kith_store::mail::MailDraft;
/// Which optional mail a person wants, as the preferences use cases read
/// and save it.
pub use kith_store::mail::NotificationPreferences;

use crate::site_url::SiteUrl;
use crate::tokens::{new_token, token_hash};
use crate::{AppError, AppResult};

/// What the bottom of every mail may show.
#[derive(Debug, Clone, Default)]
pub struct Footer {
    /// The site's home page.
    pub site_url: String,
    /// The person's notification preferences, for optional mail.
    pub preferences_url: Option<String>,
    /// The one-click unsubscribe link, for optional mail.
    pub unsubscribe_url: Option<String>,
}

/// A kind of mail: see the module docs for adding one.
pub trait MailKind {
    /// A stable code, stored in the outbox (`verify_email`).
    const KIND: &'static str;
    /// `None` for essential mail; else the preference that turns it off.
    const CATEGORY: Option<MailCategory> = None;

    /// The subject. Neutral unless `group_names` (the person opted in).
    fn subject(&self, group_names: bool) -> String;

    /// The plain-text and HTML bodies (see `mail_templates!`).
    fn render(&self, footer: &Footer) -> askama::Result<(String, String)>;

    /// Whether the person wants this mail at all.
    fn wanted(preferences: &NotificationPreferences) -> bool {
        Self::CATEGORY.is_none_or(|c| preferences.wants(c))
    }
}

/// Stamps out a mail struct's two templates as its `render_templates`
/// method, which its [`MailKind::render`] calls:
/// `mail_templates!(VerifyEmail, "mail/verify_email.txt", "mail/verify_email.html");`
macro_rules! mail_templates {
    ($kind:ty, $text:tt, $html:tt) => {
        const _: () = {
            #[derive(askama::Template)]
            #[template(path = $text)]
            struct Text<'a> {
                mail: &'a $kind,
                footer: &'a $crate::mail::Footer,
            }

            #[derive(askama::Template)]
            #[template(path = $html)]
            struct Html<'a> {
                mail: &'a $kind,
                footer: &'a $crate::mail::Footer,
            }

            impl $kind {
                /// Renders the text and HTML templates.
                pub(crate) fn render_templates(
                    &self,
                    footer: &$crate::mail::Footer,
                ) -> askama::Result<(String, String)> {
                    use askama::Template as _;
                    Ok((
                        Text { mail: self, footer }.render()?,
                        Html { mail: self, footer }.render()?,
                    ))
                }
            }
        };
    };
}
pub(crate) use mail_templates;

/// Renders a mail for a person with these preferences. Optional mail gets
/// a fresh one-click unsubscribe token (stored, hashed, with the mail) and
/// a link to the preferences.
pub fn compose<K: MailKind>(
    site: &SiteUrl,
    mail: &K,
    preferences: &NotificationPreferences,
) -> AppResult<MailDraft> {
    let links = Links {
        unsubscribe: "/mail/unsubscribe/",
        preferences: Some(site.link("/me/notifications")),
    };
    render(site, mail, preferences.group_names_in_subjects, &links)
}

/// Renders a mail for a guest who commented. Optional mail gets a fresh
/// one-click link of the guest's own (`/comments/unsubscribe/{token}`):
/// a guest has no account, so no preferences page to point to either.
pub(crate) fn compose_for_guest<K: MailKind>(site: &SiteUrl, mail: &K) -> AppResult<MailDraft> {
    let links = Links {
        unsubscribe: "/comments/unsubscribe/",
        preferences: None,
    };
    render(site, mail, false, &links)
}

/// Where optional mail's footer links go.
struct Links {
    /// The one-click unsubscribe path, before its token.
    unsubscribe: &'static str,
    /// The reader's preferences page, if they have one.
    preferences: Option<String>,
}

fn render<K: MailKind>(
    site: &SiteUrl,
    mail: &K,
    group_names: bool,
    links: &Links,
) -> AppResult<MailDraft> {
    let mut footer = Footer {
        site_url: site.link("/"),
        ..Footer::default()
    };
    let unsubscribe = K::CATEGORY.map(|category| {
        let token = new_token();
        let url = site.link(&format!("{}{token}", links.unsubscribe));
        footer.preferences_url = links.preferences.clone();
        footer.unsubscribe_url = Some(url.clone());
        (category, token_hash(&token), url)
    });
    let (text, html) = mail
        .render(&footer)
        .map_err(|e| AppError::internal(format!("a mail template failed: {e}")))?;
    Ok(MailDraft {
        kind: K::KIND,
        subject: mail.subject(group_names),
        text,
        html,
        unsubscribe,
    })
}

#[cfg(test)]
mod tests {
    use super::kinds::{Announcement, VerifyEmail};
    use super::*;

    fn site() -> SiteUrl {
        SiteUrl::new("https://kith.example/")
    }

    #[test]
    fn essential_mail_has_no_unsubscribe_and_a_neutral_subject() {
        let mail = VerifyEmail {
            handle: "River".into(),
            link: site().link("/verify-email/abc"),
            new_address: false,
        };
        let composed =
            compose(&site(), &mail, &NotificationPreferences::default()).expect("composed");
        assert_eq!(composed.subject, "kith: confirm your email");
        assert!(composed.unsubscribe.is_none());
        assert!(
            composed
                .text
                .contains("https://kith.example/verify-email/abc")
        );
        assert!(
            composed
                .html
                .contains("href=\"https://kith.example/verify-email/abc\"")
        );
        assert!(!composed.text.contains("unsubscribe"));
    }

    #[test]
    fn a_guests_optional_mail_has_a_one_click_link_of_its_own_and_no_preferences_page() {
        let mail = super::kinds::GuestCommentReply {
            page_title: "Do it in a group".into(),
            excerpt: "Same here.".into(),
            link: site().link("/comments/abc"),
        };
        let composed = compose_for_guest(&site(), &mail).expect("composed");
        let (category, hash, url) = composed.unsubscribe.clone().expect("unsubscribe");
        assert_eq!(category, MailCategory::CommentReplies);
        assert!(url.starts_with("https://kith.example/comments/unsubscribe/"));
        assert!(!url.contains(&hash));
        assert!(composed.text.contains(&url) && composed.html.contains(&url));
        assert!(!composed.text.contains("/me/notifications"));
        assert!(!composed.html.contains("/me/notifications"));
    }

    #[test]
    fn optional_mail_carries_unsubscribe_and_names_groups_only_when_asked() {
        let mail = Announcement {
            group_name: "Tapering <Circle>".into(),
            host_handle: "willow".into(),
            body: "We meet <b>late</b> this week.".into(),
            group_url: site().link("/groups/circle"),
        };
        let neutral =
            compose(&site(), &mail, &NotificationPreferences::default()).expect("composed");
        assert!(!neutral.subject.contains("Tapering"), "{}", neutral.subject);
        let (category, hash, url) = neutral.unsubscribe.clone().expect("unsubscribe");
        assert_eq!(category, MailCategory::Announcements);
        assert!(url.starts_with("https://kith.example/mail/unsubscribe/"));
        assert!(
            !url.contains(&hash),
            "the link holds the token, not its hash"
        );
        assert!(neutral.text.contains(&url) && neutral.html.contains(&url));
        assert!(
            neutral
                .text
                .contains("https://kith.example/me/notifications")
        );
        // Escaped in HTML, as written in text.
        assert!(
            neutral.html.contains("Tapering &#60;Circle&#62;")
                || neutral.html.contains("Tapering &lt;Circle&gt;"),
            "{}",
            neutral.html
        );
        assert!(!neutral.html.contains("<b>late</b>"));
        assert!(neutral.text.contains("We meet <b>late</b> this week."));
        let named = compose(
            &site(),
            &mail,
            &NotificationPreferences {
                group_names_in_subjects: true,
                ..NotificationPreferences::default()
            },
        )
        .expect("composed");
        assert!(
            named.subject.contains("Tapering <Circle>"),
            "{}",
            named.subject
        );
        assert!(!Announcement::wanted(&NotificationPreferences {
            announcements: false,
            ..NotificationPreferences::default()
        }));
    }
}
