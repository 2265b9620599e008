//! The mailing list's mail to a subscriber's address, outside letters:
//! the confirmation of a signup (double opt-in), "you are already
//! subscribed" when a confirmed address signs up again, and the welcome
//! once confirmed with the links it earned. All essential (they answer
//! the person's own signup): no one-click unsubscribe, and subjects that
//! name no drug, diagnosis or interest.

use super::{Footer, MailKind, mail_templates};

/// A signup waits for its address to be confirmed: the single-use link.
#[derive(Debug, Clone)]
pub struct NewsletterConfirm {
    /// The first name given, if any.
    pub first_name: Option<String>,
    /// The confirmation link (`/newsletter/confirm/{token}`).
    pub link: String,
    /// How many days the link works.
    pub days: i64,
}

mail_templates!(
    NewsletterConfirm,
    "mail/newsletter_confirm.txt",
    "mail/newsletter_confirm.html"
);

impl MailKind for NewsletterConfirm {
    const KIND: &'static str = "newsletter_confirm";

    fn subject(&self, _group_names: bool) -> String {
        "kith: please confirm your subscription".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// A confirmed address was signed up again: nothing changed, and here is
/// where to change interests or unsubscribe.
#[derive(Debug, Clone)]
pub struct NewsletterAlready {
    /// The link to manage the subscription (`/newsletter/manage/{token}`).
    pub manage_link: String,
}

mail_templates!(
    NewsletterAlready,
    "mail/newsletter_already.txt",
    "mail/newsletter_already.html"
);

impl MailKind for NewsletterAlready {
    const KIND: &'static str = "newsletter_already";

    fn subject(&self, _group_names: bool) -> String {
        "kith: you are already subscribed".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// The address is confirmed: the free download if the form offered one,
/// and where to change interests or unsubscribe.
#[derive(Debug, Clone)]
pub struct NewsletterWelcome {
    /// The file's title and its link (`/newsletter/download/{token}`).
    pub download: Option<(String, String)>,
    /// How many days the download link works.
    pub download_days: i64,
    /// The link to manage the subscription.
    pub manage_link: String,
}

mail_templates!(
    NewsletterWelcome,
    "mail/newsletter_welcome.txt",
    "mail/newsletter_welcome.html"
);

impl MailKind for NewsletterWelcome {
    const KIND: &'static str = "newsletter_welcome";

    fn subject(&self, _group_names: bool) -> String {
        "kith: your subscription is confirmed".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS_A_LOCK_SCREEN_MUST_NOT_SHOW: &[&str] =
        &["drug", "psychiatric", "withdrawal", "coming off", "diagnos"];

    fn neutral(subject: &str) -> bool {
        let lower = subject.to_lowercase();
        !WORDS_A_LOCK_SCREEN_MUST_NOT_SHOW
            .iter()
            .any(|w| lower.contains(w))
    }

    #[test]
    fn each_mail_carries_its_links_under_a_neutral_subject() {
        let footer = Footer {
            site_url: "https://kith.example/".to_owned(),
            ..Footer::default()
        };
        let confirm = NewsletterConfirm {
            first_name: Some("Ada <b>".to_owned()),
            link: "https://kith.example/newsletter/confirm/abc".to_owned(),
            days: 7,
        };
        let (text, html) = confirm.render(&footer).expect("render");
        assert!(text.contains("Hello Ada <b>,") && text.contains("/newsletter/confirm/abc"));
        assert!(
            html.contains("Ada &#60;b&#62;") || html.contains("Ada &lt;b&gt;"),
            "{html}"
        );
        assert!(neutral(&confirm.subject(true)));

        let already = NewsletterAlready {
            manage_link: "https://kith.example/newsletter/manage/def".to_owned(),
        };
        let (text, _) = already.render(&footer).expect("render");
        assert!(text.contains("/newsletter/manage/def"));
        assert!(neutral(&already.subject(true)));

        let welcome = NewsletterWelcome {
            download: Some((
                "Coming off safely".to_owned(),
                "https://kith.example/newsletter/download/ghi".to_owned(),
            )),
            download_days: 30,
            manage_link: "https://kith.example/newsletter/manage/jkl".to_owned(),
        };
        let (text, html) = welcome.render(&footer).expect("render");
        assert!(
            text.contains("/newsletter/download/ghi") && html.contains("/newsletter/manage/jkl")
        );
        assert!(neutral(&welcome.subject(true)));
        let plain = NewsletterWelcome {
            download: None,
            ..welcome
        };
        let (text, _) = plain.render(&footer).expect("render");
        assert!(!text.contains("download"), "{text}");
    }
}
