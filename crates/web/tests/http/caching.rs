//! Who may keep a copy of an answer, on both databases. Every answer in the
//! authorization matrix is checked by [`wrong_in_matrix`]; the tests here
//! cover what the matrix cannot: answers that are the same for everyone,
//! and clients that carry no cookie and no token.

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_domain::group::ListingStatus;
use serde_json::json;

use crate::support::{PASSWORD, TestApp, TestResponse};

/// Every value of a header, as one list.
fn values(response: &TestResponse, name: &str) -> String {
    let all: Vec<&str> = response
        .headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().expect("ascii"))
        .collect();
    all.join(", ")
}

/// What is wrong with the caching headers of an answer in the
/// authorization matrix, whose clients all carry a cookie or a bearer
/// token: an answer that is the same for everyone (`shared`: a listed
/// group's public calendar) may be kept by anyone who asks again first and
/// varies by nothing; every other answer — pages, API answers, redirects
/// to the login, 404s — is `private, no-store` and varies by `Cookie,
/// Authorization`.
pub fn wrong_in_matrix(response: &TestResponse, shared: bool) -> Option<String> {
    let cache = values(response, "cache-control");
    let vary = values(response, "vary");
    let (want_cache, want_vary) = if shared {
        ("public, no-cache", "")
    } else {
        ("private, no-store", "Cookie, Authorization")
    };
    (cache != want_cache || vary != want_vary).then(|| {
        format!(
            "Cache-Control {cache:?} and Vary {vary:?}, expected {want_cache:?} and {want_vary:?}"
        )
    })
}

kith_store::on_both_backends!(
    answers_that_are_the_same_for_everyone_stay_cacheable_and_set_no_cookie,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Willow", Role::Member).await;
        let slug = app
            .group_hosted_by(&host, "Cached Circle", ListingStatus::Listed)
            .await;
        let calendar = format!("/groups/{slug}/calendar.ics");
        let shared = [
            ("/assets/kith.css", "public, max-age=3600"),
            ("/assets/tz.js", "public, max-age=3600"),
            ("/assets/room.js", "public, max-age=3600"),
            ("/feeds/meeting-guide.json", "public, no-cache"),
            (calendar.as_str(), "public, no-cache"),
            ("/api/openapi.json", "public, no-cache"),
            // True only now: never kept.
            ("/healthz", "no-store"),
        ];
        let mut signed_in = app.browser_as(&host).await;
        for (path, cache) in shared {
            let anonymous = app.get(path).await;
            let own = signed_in.get(path).await;
            for (who, response) in [("anonymous", &anonymous), ("signed in", &own)] {
                assert_eq!(response.status, StatusCode::OK, "{path} {who}");
                assert_eq!(values(response, "cache-control"), cache, "{path} {who}");
                assert_eq!(values(response, "vary"), "", "{path} {who}");
                assert_eq!(values(response, "set-cookie"), "", "{path} {who}");
            }
        }

        // The feed still answers its entity tag with 304, signed in or not.
        let feed = app.get("/feeds/meeting-guide.json").await;
        assert!(feed.body.contains("cached-circle"), "{}", feed.body);
        let tag = feed.header("etag").to_owned();
        assert!(!tag.is_empty());
        let jar: Vec<String> = signed_in
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let cookie = jar.join("; ");
        assert!(cookie.contains("kith_session="));
        for extra in [None, Some(("cookie", cookie.as_str()))] {
            let mut headers = vec![("if-none-match", tag.as_str())];
            headers.extend(extra);
            let again = app.get_with("/feeds/meeting-guide.json", &headers).await;
            assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{extra:?}");
            assert_eq!(again.header("etag"), tag);
            assert_eq!(values(&again, "cache-control"), "public, no-cache");
            assert_eq!(values(&again, "set-cookie"), "");
        }
    }
);

kith_store::on_both_backends!(
    a_public_url_may_be_kept_without_credentials_and_never_with_them,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Willow", Role::Member).await;
        let slug = app
            .group_hosted_by(&host, "Cached Circle", ListingStatus::Listed)
            .await;
        let group = format!("/api/v1/groups/{slug}");
        for path in ["/api/v1/groups", group.as_str()] {
            // No cookie, no token: the same for every such client, so a
            // cache may keep it, apart from those who carry either.
            let anonymous = app.get(path).await;
            assert_eq!(anonymous.status, StatusCode::OK, "{path}");
            assert_eq!(values(&anonymous, "cache-control"), "", "{path}");
            assert_eq!(values(&anonymous, "vary"), "Cookie, Authorization");
            let host_sees = app.api_as(&host).await.get(path).await;
            assert_eq!(host_sees.status, StatusCode::OK, "{path}");
            assert_eq!(values(&host_sees, "cache-control"), "private, no-store");
            assert_eq!(values(&host_sees, "vary"), "Cookie, Authorization");
        }
        // The URL shows its host more than a visitor: the call link.
        let anonymous = app.get(&group).await.body;
        let host_sees = app.api_as(&host).await.get(&group).await.body;
        assert!(!anonymous.contains("PRIVATE-CANARY"), "{anonymous}");
        assert!(host_sees.contains("PRIVATE-CANARY"), "{host_sees}");
    }
);

kith_store::on_both_backends!(
    errors_logins_and_pages_that_set_a_cookie_are_never_kept,
    |store| async move {
        let app = TestApp::on(store);
        let person = app.account("Willow", Role::Member).await;
        let mut browser = app.browser_as(&person).await;
        let mut client = app.api_as(&person).await;
        let private = |response: &TestResponse, what: &str| {
            assert_eq!(
                values(response, "cache-control"),
                "private, no-store",
                "{what}"
            );
            assert_eq!(values(response, "vary"), "Cookie, Authorization", "{what}");
        };
        for (what, response) in [
            ("a missing page", browser.get("/no-such-page").await),
            (
                "a missing group",
                browser.get("/groups/no-such-group").await,
            ),
            (
                "a missing API route",
                client.get("/api/v1/no-such-thing").await,
            ),
            ("a missing asset", browser.get("/assets/no-such.css").await),
        ] {
            assert_eq!(response.status, StatusCode::NOT_FOUND, "{what}");
            private(&response, what);
        }

        // A first visit sets the anonymous form token: never shared.
        let page = app.get("/groups").await;
        assert!(page.header("set-cookie").starts_with("kith_csrf="));
        private(&page, "an anonymous page that sets a cookie");

        // Logging in answers a token to a client that carried none.
        let login = app
            .browser()
            .json(
                "POST",
                "/api/v1/sessions",
                json!({"login": "Willow", "password": PASSWORD}),
            )
            .await;
        assert_eq!(login.status, StatusCode::CREATED, "{}", login.body);
        assert!(login.json()["token"].is_string());
        private(&login, "a login");
    }
);
