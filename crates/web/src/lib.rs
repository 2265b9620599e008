//! kith's web layer: HTML pages, the JSON API under `/api/v1`, its OpenAPI
//! document, static assets. Handlers are thin: parse, call a capability in
//! `kith_app` with the state's [`kith_app::App`], render. The crate does
//! not depend on `kith-store`: every read and change goes through a use
//! case, which also empties the public cache and wakes the mail sender.
//!
//! - [`router`]: every route, merged in one place, with the layers that
//!   apply to all (security headers, who may cache an answer, logging by
//!   route template, timeouts).
//! - [`directory`], [`groups`], [`accounts`], [`me`], [`hosting`],
//!   [`moderation`], [`admin`], [`newsletter_admin`], [`safety`], [`about`], [`feeds`], [`health`],
//!   [`home`], [`assets`]: one module per capability, each with its own
//!   `router()`.
//! - [`account_settings`]: verifying an email, password resets, changing
//!   email or password, one's sessions, the export, deleting an account.
//! - [`notifications`]: mail preferences and one-click unsubscribe.
//! - [`reports`]: reporting, the moderators' reports queue, appeals.
//! - [`blocks`]: members blocking one another, from `/me/blocks`.
//! - [`journal`]: the private journal's pages — starting it, opening and
//!   locking it, check-ins.
//! - [`journal_api`]: the journal's JSON API under `/api/v1/me/journal`.
//! - [`stories`]: members' stories — the list, a story's page, writing,
//!   editing, withdrawing, their review and their API.
//! - [`letters`]: letters to the mailing list, for admins and editors;
//!   [`letters_api`]: the same under `/api/v1/letters`.
//! - [`resources`]: the resource library: its index, pages, files, Atom
//!   feed, editors' forms, JSON API, and the admin's list of editors.
//! - [`session`]: who is asking, and the CSRF guard on every state change.
//! - [`logging`]: the filter every log line passes; what libraries may
//!   never write.
//! - [`limits`]: rate limits on logins and registrations; the client's
//!   address behind trusted proxies.
//! - [`forms`]: form and JSON bodies, and refused fields for templates.
//! - `pages`: pages several capabilities show — a small form, a notice.
//! - `choosers`: language, country and time zone chosen by name in every
//!   form's selects.
//! - [`api`]: the OpenAPI document and the JSON types.
//! - [`extract`]: what handlers take from a request — the client's
//!   address, a group's slug from the path.
//! - [`error`]: one error type, answered as an HTML page or a problem
//!   document.
//! - [`viewer`]: the reader's time zone (query, cookie, account, or UTC).
//! - [`messages`]: the words people read.
//! - [`query`]: query strings with repeated keys.
//! - [`metrics`]: `/metrics` (Prometheus), requests counted by route
//!   template, and the gauges read when scraped.

pub mod about;
pub mod account_settings;
pub mod accounts;
pub mod admin;
pub mod api;
pub mod assets;
pub mod blocks;
mod choosers;
pub mod comments;
pub mod directory;
pub mod error;
pub mod extract;
pub mod feeds;
pub mod forms;
pub mod groups;
pub mod health;
pub mod home;
pub mod hosting;
pub mod journal;
pub mod journal_api;
pub mod letters;
pub mod letters_api;
pub mod limits;
pub mod logging;
pub mod me;
pub mod membership;
pub mod messages;
pub mod metrics;
pub mod moderation;
pub mod newsletter;
pub mod newsletter_admin;
pub mod notifications;
mod pages;
pub mod query;
pub mod reports;
pub mod resources;
pub mod rooms;
pub mod safety;
pub mod security;
pub mod session;
pub mod stories;
pub mod viewer;
mod views;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, MatchedPath};
use axum::http::Request;
use kith_app::App;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::limits::Limits;

/// What every handler may use: the app's use cases, and what is the web
/// layer's own (limits, how kith is reached, the live rooms' connections).
#[derive(Clone)]
pub struct AppState {
    /// The use cases' context: store, clock, public cache, hasher, mail.
    pub app: App,
    /// Login and registration limits.
    pub limits: Arc<Limits>,
    /// How kith is reached.
    pub config: Arc<WebConfig>,
    /// The live rooms this instance serves.
    pub rooms: Arc<kith_app::rooms::RoomHub>,
}

/// What the web layer needs besides the app (whose `SiteUrl` is the
/// site's one address).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A demo site (`kith serve --demo`): its sample groups' hosts are not
    /// real, so every page says a request to join one goes unanswered.
    pub demo: bool,
    /// The largest file a resource may offer, in bytes
    /// (`KITH_RESOURCE_FILE_MAX_BYTES`).
    pub resource_file_max_bytes: u64,
    /// `/metrics`, when the main listener serves it (behind a token).
    pub metrics: Option<metrics::Metrics>,
}

/// The largest resource file unless configured: 20 MiB.
pub const RESOURCE_FILE_MAX_BYTES: u64 = 20 * 1024 * 1024;

impl Default for WebConfig {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl WebConfig {
    /// A configuration that believes these proxies.
    pub fn new(trusted_proxies: Vec<ipnet::IpNet>) -> Self {
        Self {
            trusted_proxies,
            demo: false,
            resource_file_max_bytes: RESOURCE_FILE_MAX_BYTES,
            metrics: None,
        }
    }

    /// The same, with this limit on resource files.
    pub fn resource_file_max_bytes(self, bytes: u64) -> Self {
        Self {
            resource_file_max_bytes: bytes,
            ..self
        }
    }

    /// The same, with `/metrics` rendered from these (served on the main
    /// listener only with their token).
    pub fn metrics(self, metrics: Option<metrics::Metrics>) -> Self {
        Self { metrics, ..self }
    }

    /// The same, marked as a demo site or not.
    pub fn demo(self, demo: bool) -> Self {
        Self { demo, ..self }
    }
}

impl AppState {
    /// Whether cookies are `Secure`: the site is served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.app.site_url().is_https()
    }

    /// Searches the directory now, through the public cache.
    pub async fn search_directory(
        &self,
        filters: &kith_domain::directory::DirectoryFilters,
    ) -> kith_app::AppResult<kith_app::directory::DirectoryPage> {
        kith_app::directory::search(&self.app, filters, self.app.now()).await
    }
}

impl FromRef<AppState> for App {
    fn from_ref(state: &AppState) -> Self {
        state.app.clone()
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api_router, mut openapi) = api::router().split_for_parts();
    api::problems::add_shared_problems(&mut openapi);
    api::schemas::add_parameter_vocabularies(&mut openapi);
    let openapi = Arc::new(openapi);
    Router::new()
        .merge(home::router())
        .merge(directory::router())
        .merge(groups::router())
        .merge(feeds::router())
        .merge(hosting::router())
        .merge(accounts::router())
        .merge(me::router())
        .merge(journal::router())
        .merge(membership::router())
        .merge(rooms::router())
        .merge(account_settings::router())
        .merge(notifications::router())
        .merge(moderation::router())
        .merge(comments::router())
        .merge(reports::router())
        .merge(blocks::router())
        .merge(stories::router())
        .merge(admin::router())
        .merge(newsletter_admin::router())
        .merge(safety::router())
        .merge(about::router())
        .merge(resources::router())
        .merge(newsletter::router())
        .merge(letters::router())
        .merge(health::router())
        .merge(metrics::router())
        .merge(assets::router())
        .merge(api_router)
        .merge(api::document_router(openapi))
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::resolve,
        ))
        .with_state(state)
        .layer(security::headers())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(15),
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        // Outside the timeout and the panic guard, so their answers are
        // covered too.
        .layer(axum::middleware::from_fn(security::cache_policy))
        // Counted by route template, with every answer's final status.
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(
            // Log the route template, never the URI: URLs will carry tokens.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let route = request
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("(unmatched)", MatchedPath::as_str);
                    tracing::info_span!("request", method = %request.method(), route = route)
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}
