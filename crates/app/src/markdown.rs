//! User-written Markdown becomes HTML that is safe to embed: rendered by
//! pulldown-cmark, then sanitised by ammonia (no scripts, no styles, no
//! event handlers, no images; links open without a referrer).

use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

static SANITIZER: LazyLock<ammonia::Builder<'static>> =
    LazyLock::new(|| sanitizer("nofollow noopener noreferrer"));

/// Like [`SANITIZER`], for what readers write to each other (comments):
/// links say they are user-generated (`ugc`), so search engines give them
/// no weight and spam earns nothing.
static UGC_SANITIZER: LazyLock<ammonia::Builder<'static>> =
    LazyLock::new(|| sanitizer("nofollow ugc noopener noreferrer"));

fn sanitizer(link_rel: &'static str) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .link_rel(Some(link_rel))
        // An image would tell another server who reads the page.
        .rm_tags(["img"])
        // Phone numbers are tap-to-call (`tel:`) and text (`sms:`) links.
        .url_schemes(
            ["http", "https", "mailto", "tel", "sms"]
                .into_iter()
                .collect(),
        );
    builder
}

/// Renders Markdown to sanitised HTML.
pub fn to_safe_html(markdown: &str) -> String {
    SANITIZER.clean(&raw_html(markdown)).to_string()
}

/// Renders what one reader writes to others (a comment) to sanitised HTML
/// whose links are marked `nofollow ugc`.
pub fn to_safe_ugc_html(markdown: &str) -> String {
    UGC_SANITIZER.clean(&raw_html(markdown)).to_string()
}

fn raw_html(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
    );
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    raw
}

/// Markdown as plain text: the words, with a blank line between blocks and
/// no markup (feeds that take plain text only).
pub fn to_plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                out.push_str("\n\n")
            }
            _ => {}
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_links_are_marked_user_generated() {
        let html = to_safe_ugc_html("[a group](https://example.org) <script>x</script>");
        assert!(
            html.contains(r#"rel="nofollow ugc noopener noreferrer""#),
            "{html}"
        );
        assert!(!html.contains("<script"));
    }

    #[test]
    fn markdown_renders_lists_and_emphasis() {
        let html = to_safe_html("**Welcome.**\n\n- one\n- two");
        assert!(html.contains("<strong>Welcome.</strong>"));
        assert!(html.contains("<li>one</li>"));
    }

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let html = to_safe_html(
            "<script>alert(1)</script><img src=x onerror=alert(2)> <b style=\"color:red\">b</b>\n\n[x](javascript:alert(3))",
        );
        for bad in ["<script", "onerror", "href=\"javascript", "style=", "<img"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }

    #[test]
    fn plain_text_keeps_the_words_and_drops_markup_and_html() {
        let text = to_plain_text(
            "**Welcome.** A [link](https://x.org).\n\n- one\n- two <script>x</script>",
        );
        assert_eq!(text, "Welcome. A link.\n\none\n\ntwo x");
    }

    #[test]
    fn phone_numbers_stay_tap_to_call_and_text_links() {
        let html = to_safe_html("[13 11 14](tel:131114) or [988](sms:988)");
        assert!(html.contains(r#"href="tel:131114""#), "{html}");
        assert!(html.contains(r#"href="sms:988""#), "{html}");
    }

    #[test]
    fn links_carry_no_referrer() {
        let html = to_safe_html("[site](https://example.org)");
        assert!(
            html.contains("rel=\"nofollow noopener noreferrer\""),
            "{html}"
        );
    }
}
