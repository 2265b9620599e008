//! A `TestApp`: the real router on a fresh SQLite file, with a fixed clock.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::Timestamp;
use kith_app::access::Person;
use kith_app::accounts::{self, Registration};
use kith_app::groups::{GroupSubmission, create_groups};
use kith_app::public_cache::PublicCache;
use kith_app::{App, Clock};
use kith_domain::account::{Handle, Role};
use kith_domain::group::ListingStatus;
use kith_domain::group_input::GroupInput;
use kith_domain::ids::Slug;
use kith_store::accounts::SessionKind;
use kith_store::mail::NoMail;
use kith_store::moderation::StatusChange;
use kith_store::testing::TempSqlite;
use kith_web::limits::{LimitSettings, Limits};
use kith_web::{AppState, WebConfig};
use tower::ServiceExt;

/// Monday 1 June 2026, 10:00 UTC: the tests' "now".
pub fn now() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().expect("timestamp")
}

/// The state the tests' router runs with: a fixed clock, fast password
/// hashing, the real rate limits.
pub fn state(store: Arc<dyn kith_store::Store>, cache: Duration) -> AppState {
    state_at(store, cache, &format!("http://{HOST}"))
}

/// As [`state`], for a site at `site`.
pub fn state_at(store: Arc<dyn kith_store::Store>, cache: Duration, site: &str) -> AppState {
    capture_logs();
    AppState {
        app: kith_app::testing::app_at(store.clone(), site)
            .with_clock(Clock::Fixed(now()))
            .with_public_cache(Arc::new(PublicCache::new(cache))),
        limits: Arc::new(Limits::new(LimitSettings::default())),
        config: Arc::new(WebConfig::default()),
        rooms: kith_app::rooms::RoomHub::new(store.clone(), Clock::Fixed(now())),
    }
}

/// The application under test.
pub struct TestApp {
    pub router: Router,
    pub db: TestDb,
    /// The app context the router runs with, for setting things up
    /// through the use cases.
    pub context: App,
}

/// The database under a test app: a throwaway SQLite file, or a store the
/// caller owns (PostgreSQL, through `on_both_backends!`).
pub struct TestDb {
    pub store: Arc<dyn kith_store::Store>,
    _sqlite: Option<TempSqlite>,
}

impl From<TempSqlite> for TestDb {
    fn from(db: TempSqlite) -> Self {
        Self {
            store: db.store.clone(),
            _sqlite: Some(db),
        }
    }
}

/// An answer, read whole.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

impl TestApp {
    /// An app with these groups.
    pub async fn with_groups(groups: Vec<GroupSubmission>) -> Self {
        let app = Self::around(TempSqlite::create().await);
        create_groups(&app.context, &groups, now())
            .await
            .expect("create groups");
        app
    }

    /// An app with the demo groups.
    pub async fn demo() -> Self {
        let app = Self::around(TempSqlite::create().await);
        kith_app::demo::seed_if_empty(&app.context, now())
            .await
            .expect("seed demo");
        app
    }

    /// An app with no groups.
    pub async fn empty() -> Self {
        Self::around(TempSqlite::create().await)
    }

    /// An app whose site is at `site` (`https://…`: its cookies are
    /// `Secure`).
    pub async fn at_site(site: &str) -> Self {
        let db = TempSqlite::create().await;
        let state = state_at(db.store.clone(), Duration::ZERO, site);
        Self {
            context: state.app.clone(),
            router: kith_web::router(state),
            db: db.into(),
        }
    }

    /// An app with this configuration (trusted proxies, a demo site).
    pub async fn with_config(config: WebConfig) -> Self {
        let db = TempSqlite::create().await;
        let mut state = state(db.store.clone(), Duration::ZERO);
        state.config = Arc::new(config);
        Self {
            context: state.app.clone(),
            router: kith_web::router(state),
            db: db.into(),
        }
    }

    /// An app on a store the caller made (either backend).
    pub fn on(store: Arc<dyn kith_store::Store>) -> Self {
        let state = state(store.clone(), Duration::ZERO);
        Self {
            context: state.app.clone(),
            router: kith_web::router(state),
            db: TestDb {
                store,
                _sqlite: None,
            },
        }
    }

    /// An app whose router runs with `state` (built on `store`), so a
    /// test can serve the same state on a socket too: one room hub for
    /// both.
    pub fn on_state(state: AppState, store: Arc<dyn kith_store::Store>) -> Self {
        Self {
            context: state.app.clone(),
            router: kith_web::router(state),
            db: TestDb {
                store,
                _sqlite: None,
            },
        }
    }

    fn around(db: TempSqlite) -> Self {
        // The cache is off, so filters that read the clock see exactly
        // `now()`; the cache's steps are tested in `kith_app::directory`.
        let state = state(db.store.clone(), Duration::ZERO);
        Self {
            context: state.app.clone(),
            router: kith_web::router(state),
            db: db.into(),
        }
    }

    /// `GET uri` with optional extra headers.
    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut request = Request::get(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str) -> TestResponse {
        self.get_with(uri, &[]).await
    }

    /// `GET uri` as JSON, asserting 200.
    pub async fn json(&self, uri: &str) -> serde_json::Value {
        let response = self.get(uri).await;
        assert_eq!(response.status, StatusCode::OK, "{uri}: {}", response.body);
        assert!(
            response
                .header(header::CONTENT_TYPE.as_str())
                .starts_with("application/json")
        );
        response.json()
    }
}

/// The names of a directory answer's items, in order.
pub fn names(directory: &serde_json::Value) -> Vec<String> {
    directory["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_owned())
        .collect()
}

/// The password every test account has.
pub const PASSWORD: &str = "correct horse battery";

/// What a member says in the room tests: the log check
/// (`crates/kith/tests/logs.rs`) fails if it reaches a log, plain or as
/// the hex of a WebSocket frame.
pub const CHAT_CANARY: &str = "chat-canary-said-in-the-room";

/// Writes this test process's logs, at trace level through the server's
/// own filter (`kith_web::logging`), to a file in `KITH_TEST_LOG_DIR`
/// (default: the temp dir's `kith-test-logs`), where the log check
/// (`crates/kith/tests/logs.rs`) reads them for emails, passwords, tokens
/// and room chat.
pub fn capture_logs() {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let dir = std::env::var_os("KITH_TEST_LOG_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::env::temp_dir().join("kith-test-logs"));
        std::fs::create_dir_all(&dir).expect("log dir");
        let file = std::fs::File::create(dir.join(format!("web-http-{}.log", std::process::id())))
            .expect("log file");
        let layer = tracing_subscriber::fmt::layer()
            .with_writer(std::sync::Mutex::new(file))
            .with_ansi(false)
            .with_filter(kith_web::logging::filter(Some("trace"), false));
        let _ = tracing_subscriber::registry().with(layer).try_init();
        // The log check's proof that these logs are at trace.
        tracing::trace!("the HTTP tests log at trace");
    });
}

impl TestApp {
    /// Creates an account with this role; answers the person.
    pub async fn account(&self, handle: &str, role: Role) -> Person {
        let registration = Registration {
            handle: handle.to_owned(),
            email: format!("{}@example.org", handle.to_lowercase()),
            password: PASSWORD.to_owned(),
        };
        let store = self.db.store.as_ref();
        accounts::create_staff(&self.context, &registration, role, now())
            .await
            .expect("account");
        let handle = Handle::parse(handle).expect("handle");
        let record = store
            .account_by_handle(&handle)
            .await
            .expect("lookup")
            .expect("exists");
        Person {
            id: record.id,
            handle,
            role,
            email_verified: record.email_verified,
        }
    }

    /// A browser with nobody logged in.
    pub fn browser(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            cookies: Vec::new(),
            csrf: None,
            bearer: None,
        }
    }

    /// A browser logged in as `person` (the session is started directly,
    /// so tests do not spend the login rate limit).
    pub async fn browser_as(&self, person: &Person) -> Browser {
        let token =
            accounts::start_session(&self.context, person.id, SessionKind::Browser, false, now())
                .await
                .expect("session");
        let mut browser = self.browser();
        browser.cookies.push(("kith_session".into(), token.token));
        browser.csrf = Some(token.csrf_token);
        browser
    }

    /// An API client with a bearer token for `person`.
    pub async fn api_as(&self, person: &Person) -> Browser {
        let token =
            accounts::start_session(&self.context, person.id, SessionKind::Api, true, now())
                .await
                .expect("session");
        let mut client = self.browser();
        client.bearer = Some(token.token);
        client
    }

    /// A group listed by `host` through the capability, in `status`.
    pub async fn group_hosted_by(&self, host: &Person, name: &str, status: ListingStatus) -> Slug {
        let store = self.db.store.as_ref();
        let input = group_form(name);
        let slug = kith_app::hosting::submit_group(&self.context, host, &input, now())
            .await
            .expect("submit");
        if status != ListingStatus::Pending {
            let access = store.group_access(&slug).await.expect("access");
            let note = matches!(status, ListingStatus::Rejected).then_some("Please say more.");
            store
                .set_group_status(
                    access.id,
                    StatusChange::new(ListingStatus::Pending, status),
                    note,
                    None,
                    &NoMail,
                    now(),
                )
                .await
                .expect("status");
        }
        slug
    }
}

/// A complete group form.
pub fn group_form(name: &str) -> GroupInput {
    GroupInput::from_pairs(group_pairs(name).iter().map(|(k, v)| (*k, v.as_str())))
}

/// A complete group form's fields.
pub fn group_pairs(name: &str) -> Vec<(&'static str, String)> {
    [
        ("name", name),
        ("description", "We check in about tapering, gently."),
        ("agreements", "What is said here stays here."),
        ("facilitation_style", "check_in_round"),
        ("facilitation_description", "Three minutes each."),
        ("focus", "tapering"),
        ("format", "video"),
        ("language", "en"),
        ("time_zone", "Europe/Berlin"),
        ("rules[0].weekdays", "2"),
        ("rules[0].start", "19:00"),
        ("rules[0].duration_minutes", "90"),
        ("call_link", "https://meet.example.org/PRIVATE-CANARY"),
        ("dial_in", "+49 30 1234567,,4242#"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

/// A client that keeps cookies and the page's CSRF token, and sends the
/// headers a same-origin browser sends.
#[derive(Clone)]
pub struct Browser {
    router: Router,
    pub cookies: Vec<(String, String)>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

/// The host name test requests use.
pub const HOST: &str = "kith.test";

impl Browser {
    async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> TestResponse {
        let mut request = request.header(header::HOST, HOST);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.header(header::COOKIE, jar.join("; "));
        }
        if let Some(token) = &self.bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).expect("request"))
            .await
            .expect("infallible");
        for value in response.headers().get_all(header::SET_COOKIE) {
            let value = value.to_str().expect("ascii");
            let (pair, _) = value.split_once(';').unwrap_or((value, ""));
            let (name, v) = pair.split_once('=').expect("cookie");
            self.cookies.retain(|(n, _)| n != name);
            if !v.is_empty() && !value.contains("Max-Age=0") {
                self.cookies.push((name.to_owned(), v.to_owned()));
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(token) = csrf_in(&body) {
            self.csrf = Some(token);
        }
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// `GET uri`.
    pub async fn get(&mut self, uri: &str) -> TestResponse {
        self.send(Request::get(uri), Body::empty()).await
    }

    /// Posts a form from this site, with the CSRF token of the last page.
    pub async fn post_form(&mut self, uri: &str, pairs: &[(&str, &str)]) -> TestResponse {
        let mut fields: Vec<(&str, &str)> = pairs.to_vec();
        let token = self.csrf.clone().unwrap_or_default();
        fields.push(("_csrf", &token));
        self.post_raw(uri, &fields, &[("origin", "http://kith.test")])
            .await
    }

    /// Posts a form exactly as given, with these extra headers.
    pub async fn post_raw(
        &mut self,
        uri: &str,
        pairs: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let body = serde_urlencoded::to_string(pairs).expect("form");
        let mut request =
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request, Body::from(body)).await
    }

    /// Posts a `multipart/form-data` form from this site, as a browser
    /// sends one with a file: the CSRF token first, then `fields`, then the
    /// file (name, bytes) as the part `file`.
    pub async fn post_multipart(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> TestResponse {
        const BOUNDARY: &str = "kith-test-boundary-7MA4YWxkTrZu0gW";
        let token = self.csrf.clone().unwrap_or_default();
        let mut body = Vec::new();
        for (name, value) in
            std::iter::once(("_csrf", token.as_str())).chain(fields.iter().copied())
        {
            body.extend(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .bytes(),
            );
        }
        if let Some((name, bytes)) = file {
            body.extend(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{BOUNDARY}--\r\n").bytes());
        let request = Request::post(uri)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header("origin", "http://kith.test");
        self.send(request, Body::from(body)).await
    }

    /// Sends raw bytes with `method` and a content type; a cookie session
    /// also sends its CSRF header.
    pub async fn send_bytes(
        &mut self,
        method: &str,
        uri: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> TestResponse {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, content_type);
        if self.bearer.is_none() {
            if let Some(token) = &self.csrf {
                request = request.header("x-csrf-token", token.as_str());
            }
        }
        self.send(request, Body::from(bytes)).await
    }

    /// Sends JSON with `method`; a cookie session also sends its CSRF
    /// header.
    pub async fn json(&mut self, method: &str, uri: &str, body: serde_json::Value) -> TestResponse {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json");
        if self.bearer.is_none() {
            if let Some(token) = &self.csrf {
                request = request.header("x-csrf-token", token.as_str());
            }
        }
        self.send(request, Body::from(body.to_string())).await
    }
}

fn csrf_in(body: &str) -> Option<String> {
    let marker = r#"name="_csrf" value=""#;
    let start = body.find(marker)? + marker.len();
    body[start..].split('"').next().map(str::to_owned)
}

/// A mail as a person's mail client shows it.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// The envelope's recipients.
    pub to: Vec<String>,
    /// The decoded subject.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
    /// The whole message as received.
    pub raw: String,
}

impl TestApp {
    /// Waits (up to five seconds) until the outbox holds `n` mails in all:
    /// some handlers write mail after they answer.
    pub async fn wait_for_outbox(&self, n: usize) {
        for _ in 0..100 {
            if self.db.store.outbox_states().await.expect("outbox").len() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the outbox never held {n} mails");
    }

    /// Sends every due mail through the real sender to a real SMTP server
    /// on 127.0.0.1, and answers what that server received.
    pub async fn deliver(&self) -> Vec<Delivered> {
        use kith_app::mail::sender::{SenderSettings, send_due};
        let server = kith_app::testing::smtp::SmtpServer::start().await;
        let transport =
            kith_app::mail::transport::Transport::smtp(&server.url(), Duration::from_secs(5))
                .expect("transport");
        let settings = SenderSettings::new("kith <kith@kith.test>".parse().expect("from"));
        let mut sent = 0;
        loop {
            let report = send_due(self.db.store.as_ref(), &transport, &settings, now())
                .await
                .expect("send");
            if report.claimed() == 0 {
                break;
            }
            sent += report.sent as usize;
        }
        server
            .wait_for(sent)
            .await
            .iter()
            .map(|r| {
                let message = mail_parser::MessageParser::default()
                    .parse(r.data.as_bytes())
                    .expect("a MIME message");
                Delivered {
                    to: r.to.clone(),
                    subject: message.subject().unwrap_or_default().to_owned(),
                    text: message.body_text(0).unwrap_or_default().into_owned(),
                    html: message.body_html(0).unwrap_or_default().into_owned(),
                    raw: r.data.clone(),
                }
            })
            .collect()
    }
}

/// The path of the first link to `prefix` in a mail body
/// (`/verify-email/…`), without the site.
pub fn link_in(body: &str, prefix: &str) -> String {
    let start = body
        .find(&format!("http://{HOST}{prefix}"))
        .unwrap_or_else(|| panic!("no {prefix} link in {body}"));
    body[start + "http://".len() + HOST.len()..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .expect("link")
        .to_owned()
}
