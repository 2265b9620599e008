//! `/metrics` from the real binary: counted by route template with no
//! slug, handle or email in any label; behind a token on the main
//! listener, alone on a listener of its own, or not there at all. The
//! sample Grafana dashboard queries only metrics a real scrape has.

mod support;

use std::collections::HashMap;

use jiff::civil::Weekday;
use kith_domain::account::{Email, Handle, Role};
use kith_domain::group::ListingStatus;
use kith_store::accounts::NewAccount;
use kith_store::testing::{group, insert, now};

use support::{Server, get, request, start, stop};

/// One sample: its name, labels and value.
#[derive(Debug, Clone)]
struct Sample {
    name: String,
    labels: HashMap<String, String>,
    value: f64,
}

/// The samples of a Prometheus text answer (comments skipped).
fn parse(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a sample line");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("value in {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => (name, rest.strip_suffix('}').expect("closing brace")),
            None => (series, ""),
        };
        let mut map = HashMap::new();
        // Label values kith writes hold no comma or quote (templates,
        // methods, statuses): a simple split reads them.
        for pair in labels.split(',').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').expect("label pair");
            map.insert(key.to_owned(), value.trim_matches('"').to_owned());
        }
        samples.push(Sample {
            name: name.to_owned(),
            labels: map,
            value,
        });
    }
    samples
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
}

/// A database with one listed group (its slug) and a member whose handle
/// and email the requests below carry.
async fn site(dir: &std::path::Path) -> (String, String) {
    let url = format!("sqlite://{}", dir.join("kith.db").display());
    let store = kith_store::open(&url, 1).await.expect("open");
    let slugs = insert(
        &store,
        &[group("Quiet Harbour", "UTC", &[Weekday::Monday], "10:00")],
        ListingStatus::Listed,
    )
    .await;
    let handle = Handle::parse("secretive-heron").expect("handle");
    let email = Email::parse("heron.private@example.org").expect("email");
    store
        .create_account(
            &NewAccount {
                handle: &handle,
                email: &email,
                password_hash: "$argon2id$v=19$test",
                role: Role::Member,
                email_verified: true,
            },
            None,
            now(),
        )
        .await
        .expect("account");
    (url, slugs[0].to_string())
}

fn scrape(addr: &str, token: Option<&str>) -> (u16, String) {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = bearer
        .as_deref()
        .map(|b| vec![("Authorization", b)])
        .unwrap_or_default();
    let answer = request(addr, "GET", "/metrics", &headers, "");
    (answer.status, answer.body)
}

/// Requests that carry a slug, a handle and an email in their paths and
/// queries.
fn browse(server: &Server, slug: &str) {
    for _ in 0..3 {
        assert_eq!(get(&server.addr, &format!("/groups/{slug}")).0, 200);
    }
    get(&server.addr, "/members/secretive-heron");
    get(&server.addr, "/login?email=heron.private@example.org");
    assert_eq!(
        get(&server.addr, "/nowhere/heron.private@example.org").0,
        404
    );
    assert_eq!(get(&server.addr, "/healthz").0, 200);
}

#[tokio::test]
async fn with_a_token_the_main_listener_counts_by_route_template_and_no_label_names_anyone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, slug) = site(dir.path()).await;
    let token = "metrics-token-5f2c9a";
    let server = start(
        dir.path(),
        &[],
        &[
            ("KITH_DATABASE_URL", url.as_str()),
            ("KITH_METRICS_TOKEN", token),
        ],
    );
    browse(&server, &slug);

    // Without the token, or with another, `/metrics` is not there.
    assert_eq!(scrape(&server.addr, None).0, 404);
    assert_eq!(scrape(&server.addr, Some("metrics-token-5f2c9b")).0, 404);
    let (status, text) = scrape(&server.addr, Some(token));
    assert_eq!(status, 200, "{text}");
    let samples = parse(&text);

    let page = [
        ("method", "GET"),
        ("route", "/groups/{slug}"),
        ("status", "200"),
    ];
    assert_eq!(
        value(&samples, "kith_http_requests_total", &page),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        value(
            &samples,
            "kith_http_request_duration_seconds_count",
            &[("method", "GET"), ("route", "/groups/{slug}")]
        ),
        Some(3.0)
    );
    assert!(
        value(
            &samples,
            "kith_http_request_duration_seconds_bucket",
            &[("route", "/groups/{slug}"), ("le", "+Inf")]
        ) == Some(3.0),
        "a histogram with buckets: {text}"
    );
    assert_eq!(
        value(
            &samples,
            "kith_http_requests_total",
            &[("route", "unmatched"), ("status", "404")]
        ),
        Some(2.0),
        "{text}"
    );
    // The scrape's gauges.
    for (name, labels) in [
        ("kith_db_pool_connections", &[("state", "idle")][..]),
        ("kith_db_pool_connections", &[("state", "in_use")][..]),
        ("kith_outbox_backlog", &[][..]),
        ("kith_rooms_open", &[][..]),
        ("kith_room_connections", &[][..]),
        ("kith_search_cache_entries", &[][..]),
        ("kith_search_index_ready", &[][..]),
        ("kith_search_index_groups", &[][..]),
        ("kith_search_index_meetings", &[][..]),
        ("kith_mail_sent_total", &[][..]),
        ("kith_mail_send_failures_total", &[][..]),
        ("kith_imported_groups_total", &[("outcome", "created")][..]),
    ] {
        assert!(
            value(&samples, name, labels).is_some(),
            "{name} {labels:?} missing:\n{text}"
        );
    }
    assert!(value(&samples, "kith_db_pool_connections", &[("state", "idle")]) >= Some(1.0));

    // Nobody is named anywhere in the scrape: not in a label, not at all.
    for secret in [
        slug.as_str(),
        "secretive-heron",
        "heron.private",
        "example.org",
        "nowhere",
        token,
    ] {
        assert!(!text.contains(secret), "{secret} in the scrape:\n{text}");
    }
    let logs = stop(server);
    assert!(!logs.contains(token), "the token was logged");
}

#[tokio::test]
async fn a_metrics_address_serves_metrics_alone_and_the_main_listener_has_none() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, slug) = site(dir.path()).await;
    let server = start(
        dir.path(),
        &["--metrics-addr", "127.0.0.1:0"],
        &[("KITH_DATABASE_URL", url.as_str())],
    );
    let line = server.next_line().expect("the metrics line");
    let metrics_addr = line
        .strip_prefix("metrics at http://")
        .and_then(|rest| rest.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("unexpected line: {line:?}"))
        .to_owned();
    browse(&server, &slug);
    // Not on the main listener, with or without a token.
    assert_eq!(scrape(&server.addr, None).0, 404);
    assert_eq!(scrape(&server.addr, Some("anything")).0, 404);
    // On its own listener, without a token; nothing else is there.
    let (status, text) = scrape(&metrics_addr, None);
    assert_eq!(status, 200);
    let samples = parse(&text);
    assert_eq!(
        value(
            &samples,
            "kith_http_requests_total",
            &[("route", "/groups/{slug}"), ("status", "200")]
        ),
        Some(3.0),
        "{text}"
    );
    assert!(!text.contains(&slug));
    assert_eq!(get(&metrics_addr, "/healthz").0, 404);
    assert_eq!(get(&metrics_addr, &format!("/groups/{slug}")).0, 404);
    stop(server);
}

#[tokio::test]
async fn without_metrics_configured_the_path_is_a_plain_404() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _) = site(dir.path()).await;
    let server = start(dir.path(), &[], &[("KITH_DATABASE_URL", url.as_str())]);
    let (status, body) = scrape(&server.addr, Some("guess"));
    assert_eq!(status, 404);
    assert!(!body.contains("kith_http"), "{body}");
    let (missing, page) = get(&server.addr, "/no-such-page");
    assert_eq!(
        (status, body.len()),
        (missing, page.len()),
        "the same 404 as any missing page"
    );
    stop(server);
}

/// Every metric name a panel of `docs/grafana-dashboard.json` queries.
fn dashboard_metrics() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/grafana-dashboard.json"
    );
    let text = std::fs::read_to_string(path).expect("the dashboard");
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let mut names = Vec::new();
    for panel in dashboard["panels"].as_array().expect("panels") {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let expr = target["expr"].as_str().expect("a PromQL expression");
            // Names are `kith_…` words; suffixes of histograms included.
            let mut rest = expr;
            while let Some(at) = rest.find("kith_") {
                let word: String = rest[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                rest = &rest[at + word.len()..];
                names.push(word);
            }
        }
    }
    assert!(names.len() >= 7, "the dashboard queries kith's metrics");
    names
}

#[tokio::test]
async fn every_metric_the_grafana_dashboard_queries_is_in_a_real_scrape() {
    let wanted = dashboard_metrics();
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, slug) = site(dir.path()).await;
    let token = "dashboard-token";
    let server = start(
        dir.path(),
        &[],
        &[
            ("KITH_DATABASE_URL", url.as_str()),
            ("KITH_METRICS_TOKEN", token),
        ],
    );
    browse(&server, &slug);
    let (_, text) = scrape(&server.addr, Some(token));
    let names: std::collections::HashSet<String> =
        parse(&text).into_iter().map(|s| s.name).collect();
    for name in &wanted {
        assert!(names.contains(name), "{name} is not in a scrape:\n{text}");
    }
    stop(server);
}
