//! Hostile text in every field a host writes is escaped, or rendered and
//! sanitised, on every page that shows it.

use kith_domain::account::Role;
use serde_json::json;

use crate::support::TestApp;

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>",
    "'><iframe src=https://evil.example></iframe>",
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "![pic](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">d</a>",
    "<style>body{display:none}</style>",
    "<object data=\"evil.swf\"></object>",
    "<div style=\"background:url(javascript:alert(1))\">s</div>",
    "<details open ontoggle=alert(1)>",
];

/// Every tag in an HTML page, lowercased.
fn tags(html: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let end = rest.find('>').unwrap_or(rest.len());
            tags.push(rest[..end].to_lowercase());
            rest = &rest[end..];
        }
    }
    tags
}

/// A tag's attributes (name, value), reading quoted values whole.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let chars: Vec<char> = tag.chars().collect();
    let mut i = chars
        .iter()
        .position(|c| c.is_whitespace())
        .unwrap_or(chars.len());
    while i < chars.len() {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
            i += 1;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' {
            i += 1;
        }
        let name: String = chars[start..i].iter().collect();
        let mut value = String::new();
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            let quote = chars.get(i).copied().filter(|c| *c == '"' || *c == '\'');
            if let Some(q) = quote {
                i += 1;
                while i < chars.len() && chars[i] != q {
                    value.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < chars.len() && !chars[i].is_whitespace() {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

fn assert_inert(page: &str, context: &str) {
    for tag in tags(page) {
        let name = tag
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        if name == "script" {
            // Only kith's own scripts, never one a page's text made.
            assert!(
                [
                    r#"script src="/assets/tz.js" defer"#,
                    r#"script src="/assets/forms.js" defer"#
                ]
                .contains(&tag.as_str()),
                "{context}: <{tag}>"
            );
        }
        assert!(
            !["iframe", "object", "embed", "svg", "style", "img"].contains(&name),
            "{context}: <{tag}>"
        );
        for (attribute, value) in attributes(&tag) {
            assert!(!attribute.starts_with("on"), "{context}: <{tag}>");
            assert_ne!(attribute, "style", "{context}: <{tag}>");
            if ["href", "src", "action", "formaction"].contains(&attribute.as_str()) {
                assert!(
                    !value.trim_start().starts_with("javascript:") && !value.starts_with("data:"),
                    "{context}: <{tag}>"
                );
            }
        }
    }
}

#[tokio::test]
async fn hostile_text_never_runs_on_any_page() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let moderator = app.account("Warden", Role::Moderator).await;
    let mut hosts_api = app.api_as(&host).await;
    let mut mods_api = app.api_as(&moderator).await;
    let mut slugs = Vec::new();
    for (n, payload) in PAYLOADS.iter().enumerate() {
        let created = hosts_api
            .json(
                "POST",
                "/api/v1/groups",
                json!({
                    "name": format!("G{n} {payload}"),
                    "description": format!("Intro {payload}\n\n{payload}"),
                    "agreements": payload,
                    "facilitation_style": "check_in_round",
                    "facilitation_description": payload,
                    "focus": ["tapering"],
                    "format": "in_person",
                    "language": "en",
                    "city": format!("City {payload}"),
                    "region": payload,
                    "time_zone": "Europe/Berlin",
                    "rules": [{"weekdays": [2], "start": "19:00", "duration_minutes": 60}],
                    "street_address": payload,
                }),
            )
            .await;
        assert_eq!(
            created.status,
            axum::http::StatusCode::CREATED,
            "{payload}: {}",
            created.body
        );
        slugs.push(created.json()["slug"].as_str().expect("slug").to_owned());
    }
    let mut moderators_page = app.browser_as(&moderator).await;
    assert_inert(&moderators_page.get("/moderation").await.body, "the queue");
    for slug in &slugs {
        mods_api
            .json(
                "POST",
                &format!("/api/v1/moderation/groups/{slug}/approve"),
                json!({}),
            )
            .await;
        // An edit puts the payloads into the change log too.
        hosts_api
            .json(
                "PATCH",
                &format!("/api/v1/groups/{slug}"),
                json!({"description": "Changed <script>alert(2)</script>"}),
            )
            .await;
    }
    let mut public = app.browser();
    let mut hosts_page = app.browser_as(&host).await;
    for slug in &slugs {
        let path = format!("/groups/{slug}");
        assert_inert(&public.get(&path).await.body, &path);
        assert_inert(&hosts_page.get(&path).await.body, &path);
        assert_inert(&hosts_page.get(&format!("{path}/edit")).await.body, &path);
        let json = public.get(&format!("/api/v1/groups/{slug}")).await.json();
        assert_inert(
            json["description_html"].as_str().expect("html"),
            "description_html",
        );
        assert_inert(
            json["agreements_html"].as_str().expect("html"),
            "agreements_html",
        );
    }
    assert_inert(&public.get("/groups").await.body, "the directory");
    assert_inert(&public.get("/groups?q=city").await.body, "a search");
    assert_inert(&hosts_page.get("/me").await.body, "/me");
    assert_inert(
        &moderators_page.get("/moderation").await.body,
        "the change log",
    );
    // The words themselves are still there, as text.
    let first = public.get(&format!("/groups/{}", slugs[0])).await.body;
    assert!(
        first.contains("G0 &#60;script&#62;alert(1)&#60;/script&#62;"),
        "{first}"
    );
}
