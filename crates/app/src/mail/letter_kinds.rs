//! Letters to the mailing list as mail: rendered when sent, per
//! recipient, from the letter (the outbox row holds no bodies). The
//! Markdown is rendered and sanitised once per letter ([`LetterBody`]);
//! each recipient's mail wraps it with a footer of their own links — the
//! manage page and the one-click unsubscribe, one token for both. No
//! tracking pixel, no rewritten link: what the author linked is what the
//! reader gets.

use askama::Template;
use kith_store::letters::Letter;

use crate::markdown::to_safe_html;
use crate::site_url::SiteUrl;

/// A recipient's mail of a letter, as the outbox knows it.
pub const LETTER: &str = kith_store::letters::LETTER_KIND;
/// A test of a letter to its author: not counted, sample links.
pub const LETTER_TEST: &str = "letter_test";

/// A letter rendered once: its subject, sanitised HTML and plain text.
#[derive(Clone)]
pub struct LetterBody {
    /// The subject line.
    pub subject: String,
    /// The Markdown as sanitised HTML.
    pub html: String,
    /// The Markdown itself: it reads as plain text.
    pub text: String,
}

impl std::fmt::Debug for LetterBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LetterBody").finish_non_exhaustive()
    }
}

impl LetterBody {
    /// Renders a letter's Markdown.
    pub fn new(letter: &Letter) -> Self {
        Self::from_parts(&letter.subject, &letter.body)
    }

    /// Renders a subject and a Markdown body (a preview of unsaved text).
    pub fn from_parts(subject: &str, body: &str) -> Self {
        Self {
            subject: subject.to_owned(),
            html: to_safe_html(body),
            text: body.to_owned(),
        }
    }
}

/// The bottom of one recipient's letter.
#[derive(Debug, Clone)]
pub struct LetterFooter {
    /// The site's home page.
    pub site_url: String,
    /// Where the recipient changes their interests.
    pub manage_url: String,
    /// The one-click unsubscribe (also in `List-Unsubscribe`).
    pub unsubscribe_url: String,
    /// A test to the author: says so at the top.
    pub test: bool,
}

impl LetterFooter {
    /// The footer of a recipient's mail whose unsubscribe URL is
    /// `{base}/newsletter/unsubscribe/{token}`: the manage link carries the
    /// same token, the site's link is `{base}/`.
    pub fn for_recipient(unsubscribe_url: &str) -> Self {
        const UNSUBSCRIBE: &str = "/newsletter/unsubscribe/";
        let base = unsubscribe_url
            .rfind(UNSUBSCRIBE)
            .map_or(unsubscribe_url, |at| &unsubscribe_url[..at]);
        Self {
            site_url: format!("{base}/"),
            manage_url: unsubscribe_url.replacen(UNSUBSCRIBE, "/newsletter/manage/", 1),
            unsubscribe_url: unsubscribe_url.to_owned(),
            test: false,
        }
    }

    /// Sample links (a preview, a test to the author): they open nothing.
    pub fn sample(site: &SiteUrl, test: bool) -> Self {
        Self {
            site_url: site.link("/"),
            manage_url: site.link("/newsletter/manage/sample"),
            unsubscribe_url: site.link("/newsletter/unsubscribe/sample"),
            test,
        }
    }
}

#[derive(Template)]
#[template(path = "mail/letter.txt")]
struct Text<'a> {
    letter: &'a LetterBody,
    footer: &'a LetterFooter,
}

#[derive(Template)]
#[template(path = "mail/letter.html")]
struct Html<'a> {
    letter: &'a LetterBody,
    footer: &'a LetterFooter,
}

/// One recipient's text and HTML bodies.
pub fn render_letter(
    letter: &LetterBody,
    footer: &LetterFooter,
) -> askama::Result<(String, String)> {
    Ok((
        Text { letter, footer }.render()?,
        Html { letter, footer }.render()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_is_sanitised_once_and_carries_the_recipients_own_links() {
        let body = LetterBody::from_parts(
            "Spring news",
            "# Hello\n\nSee [our page](https://example.org/x). <script>alert(1)</script>\n\n<img src=\"https://tracker.example/p.gif\">",
        );
        assert!(!body.html.contains("<script"), "{}", body.html);
        assert!(!body.html.contains("<img"), "{}", body.html);
        let site = SiteUrl::new("https://kith.example");
        let footer = LetterFooter::for_recipient(
            "https://kith.example/newsletter/unsubscribe/0123456789abcdef0123456789abcdef",
        );
        let (text, html) = render_letter(&body, &footer).expect("render");
        assert!(
            html.contains(
                "https://kith.example/newsletter/manage/0123456789abcdef0123456789abcdef"
            ),
            "{html}"
        );
        assert!(
            html.contains(r#"href="https://example.org/x""#),
            "links as written: {html}"
        );
        assert!(html.contains(r#"href="https://kith.example/""#), "{html}");
        assert!(text.contains("Unsubscribe: https://kith.example/newsletter/unsubscribe/0123"));
        assert!(text.contains("# Hello"), "{text}");
        assert!(!text.contains("A test of this letter"));
        let (test_text, _) =
            render_letter(&body, &LetterFooter::sample(&site, true)).expect("render");
        assert!(
            test_text.starts_with("A test of this letter"),
            "{test_text}"
        );
    }
}
