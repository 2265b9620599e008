//! Who is asking, and whether a state change really comes from kith's own
//! pages. One middleware ([`resolve`]) reads the session (cookie or bearer
//! token), checks every state-changing request for cross-site forgery, and
//! leaves a [`Viewer`] for handlers; [`CurrentUser`] requires a login.
//!
//! CSRF: a browser's state change must come from kith's own origin
//! (`Origin` / `Sec-Fetch-Site`) and carry the synchronizer token — the
//! session's, or for anonymous forms (login, registration) the one in the
//! `kith_csrf` cookie — as the form field `_csrf` or the `X-CSRF-Token`
//! header. Bearer-token clients carry no ambient credentials, so only the
//! origin check applies to them.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HOST, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kith_app::access::Person;
use kith_app::accounts::SessionKind;
use kith_domain::ids::random_secret;

use crate::AppState;
use crate::error::{ApiError, PageError, WebError};

/// The session cookie.
pub const SESSION_COOKIE: &str = "kith_session";
/// The anonymous forms' CSRF cookie.
pub const CSRF_COOKIE: &str = "kith_csrf";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
/// The header that carries the CSRF token for JSON calls.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The largest form body read for its CSRF token.
const FORM_LIMIT: usize = 256 * 1024;

/// How the request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Not at all.
    Anonymous,
    /// The session cookie; the token is kept for logging out.
    Cookie(String),
    /// `Authorization: Bearer`; the token is kept for logging out.
    Bearer(String),
}

/// The person asking (if logged in) and the CSRF token their forms carry.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The logged-in person.
    pub person: Option<Person>,
    /// How they proved it.
    pub auth: Auth,
    /// The token forms must send back.
    pub csrf: String,
    /// The zone kept on the logged-in person's account, if any.
    pub account_zone: Option<kith_domain::zone::Zone>,
    /// The zone this browser's cookie names, if valid.
    pub browser_zone: Option<kith_domain::zone::Zone>,
    /// Whether this is a demo site, whose sample hosts never answer.
    pub demo: bool,
    /// Whether the logged-in person hosts a group (the comment form lets
    /// a host point to theirs).
    pub hosts: bool,
}

impl Viewer {
    /// The zone to show times in: this browser's, else the account's, else
    /// UTC (as [`crate::viewer::CookieZone`] reads it).
    pub fn zone(&self) -> kith_domain::zone::Zone {
        self.browser_zone
            .clone()
            .or_else(|| self.account_zone.clone())
            .unwrap_or_else(kith_domain::zone::Zone::utc)
    }

    /// The token of the session this request runs in, if any.
    pub fn token(&self) -> Option<&str> {
        match &self.auth {
            Auth::Cookie(token) | Auth::Bearer(token) => Some(token),
            Auth::Anonymous => None,
        }
    }

    /// What the page header shows.
    pub fn nav(&self) -> Nav {
        Nav {
            handle: self.person.as_ref().map(|p| p.handle.to_string()),
            moderator: self.person.as_ref().is_some_and(|p| p.role.moderates()),
            admin: self
                .person
                .as_ref()
                .is_some_and(|p| p.role == kith_domain::account::Role::Admin),
            csrf: self.csrf.clone(),
            demo: self.demo,
        }
    }
}

/// The header's view of the reader: their handle and the links they need.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    /// The logged-in person's handle.
    pub handle: Option<String>,
    /// Whether to link the moderation queue.
    pub moderator: bool,
    /// Whether to link the admin pages.
    pub admin: bool,
    /// The CSRF token for the logout form.
    pub csrf: String,
    /// Whether to say that this is a demo site.
    pub demo: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Viewer>().cloned().unwrap_or(Viewer {
            person: None,
            auth: Auth::Anonymous,
            csrf: String::new(),
            account_zone: None,
            browser_zone: None,
            demo: false,
            hosts: false,
        }))
    }
}

/// A logged-in person; pages without one redirect to the login page, API
/// routes answer 401.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// The person.
    pub person: Person,
    /// The whole viewer.
    pub viewer: Viewer,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(viewer) = Viewer::from_request_parts(parts, state).await;
        match viewer.person.clone() {
            Some(person) => Ok(Self { person, viewer }),
            None if parts.uri.path().starts_with("/api/") => {
                Err(ApiError(WebError::Unauthenticated).into_response())
            }
            None => {
                // Back to this page after logging in.
                let next =
                    serde_urlencoded::to_string([("next", parts.uri.path())]).unwrap_or_default();
                Err(axum::response::Redirect::to(&format!("/login?{next}")).into_response())
            }
        }
    }
}

/// Reads the session and guards state changes; see the module docs.
pub async fn resolve(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let refuse = |err: WebError| {
        if api {
            ApiError(err).into_response()
        } else {
            PageError(err).into_response()
        }
    };
    let headers = request.headers();
    let session_cookie = cookie(headers, SESSION_COOKIE).filter(|t| is_token(t));
    let auth = match (bearer(headers), session_cookie) {
        (Some(token), _) => Auth::Bearer(token),
        (None, Some(token)) => Auth::Cookie(token),
        (None, None) => Auth::Anonymous,
    };
    let session = match &auth {
        Auth::Anonymous => None,
        Auth::Cookie(token) | Auth::Bearer(token) => {
            match kith_app::accounts::session(&state.app, token, state.app.now()).await {
                Ok(session) => session,
                Err(err) => return refuse(err.into()),
            }
        }
    };
    // A cookie may only open a browser session, a bearer token only an API
    // one.
    let session = session.filter(|s| match &auth {
        Auth::Cookie(_) => s.kind == SessionKind::Browser,
        Auth::Bearer(_) => s.kind == SessionKind::Api,
        Auth::Anonymous => false,
    });
    let stale_cookie = matches!(auth, Auth::Cookie(_)) && session.is_none();
    let mut fresh_csrf = None;
    let csrf = match (&session, &auth) {
        (Some(session), Auth::Cookie(_)) => session.csrf_token.clone(),
        _ => cookie(headers, CSRF_COOKIE)
            .filter(|t| is_token(t))
            .unwrap_or_else(|| {
                let token = random_secret();
                fresh_csrf = Some(token.clone());
                token
            }),
    };
    let account_zone = session
        .as_ref()
        .and_then(|s| s.account.time_zone.as_deref())
        .and_then(|z| kith_domain::zone::Zone::parse(z).ok());
    let hosts = session.as_ref().is_some_and(|s| s.hosts);
    let viewer = Viewer {
        account_zone,
        browser_zone: crate::viewer::CookieZone::browser(headers),
        hosts,
        person: session.map(|s| Person {
            id: s.account.id,
            handle: s.account.handle,
            role: s.account.role,
            email_verified: s.account.email_verified,
        }),
        auth: if stale_cookie { Auth::Anonymous } else { auth },
        csrf,
        demo: state.config.demo,
    };

    let mut request = request;
    if is_state_change(request.method())
        && !matches!(viewer.auth, Auth::Bearer(_))
        && !is_one_click_unsubscribe(request.method(), request.uri().path())
    {
        if !same_origin(request.headers(), state.app.site_url().base()) {
            tracing::warn!("refused a cross-site state change");
            return refuse(WebError::CrossSite);
        }
        let needs_token = matches!(viewer.auth, Auth::Cookie(_)) || is_form(request.headers());
        if needs_token && carries_file(request.method(), request.uri().path(), request.headers()) {
            // Too large to read here: the form's reader checks the token,
            // its first field, before it reads anything else.
            let expected = UploadToken(viewer.csrf.clone());
            request.extensions_mut().insert(expected);
        } else if needs_token {
            let (checked, sent) = match token_sent(request).await {
                Ok(pair) => pair,
                Err(err) => return refuse(err),
            };
            if !sent.is_some_and(|t| constant_time_eq(t.as_bytes(), viewer.csrf.as_bytes())) {
                tracing::warn!("refused a state change without a valid CSRF token");
                return refuse(WebError::CrossSite);
            }
            request = checked;
        }
    }
    request.extensions_mut().insert(viewer);
    let mut response = next.run(request).await;
    let secure = state.secure_cookies();
    // API clients need no anonymous token: only pages carry forms. Nor do
    // answers that are the same for everyone (a stylesheet, a feed): a
    // cache between would give their cookie to everyone.
    let shared = response
        .extensions()
        .get::<crate::security::SameForEveryone>()
        .is_some();
    if let Some(token) = fresh_csrf.filter(|_| !api && !shared) {
        append_cookie(
            &mut response,
            &cookie_value(CSRF_COOKIE, &token, None, secure),
        );
    }
    // A handler that set a session of its own (a login that arrived with
    // an ended session's cookie) has replaced the stale one already: a
    // deletion after it would log the person straight out again, since a
    // cookie jar keeps the last `Set-Cookie` of a name.
    if stale_cookie && !sets_cookie(&response, SESSION_COOKIE) {
        append_cookie(
            &mut response,
            &cookie_value(SESSION_COOKIE, "", Some(0), secure),
        );
    }
    response
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Secure` on https.
pub fn cookie_value(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// Logs `account` in on this browser and sends it to `to`: the browser's
/// earlier session ends and one new session cookie is set, a new token as
/// at every login. For a person who just proved who they are another way
/// (a setup link, a confirmation link).
pub(crate) async fn log_in_and_go(
    state: &AppState,
    viewer: &Viewer,
    account: kith_app::AccountId,
    to: &str,
) -> Result<Response, WebError> {
    let app = &state.app;
    if let Auth::Cookie(old) = &viewer.auth {
        kith_app::accounts::logout(app, old).await?;
    }
    let token = kith_app::accounts::start_session(
        app,
        account,
        SessionKind::Browser,
        false,
        state.app.now(),
    )
    .await?;
    let mut response = axum::response::Redirect::to(to).into_response();
    append_cookie(
        &mut response,
        &cookie_value(SESSION_COOKIE, &token.token, None, state.secure_cookies()),
    );
    Ok(response)
}

/// Adds a `Set-Cookie` header to a response.
pub fn append_cookie(response: &mut Response, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// Whether a response already sets (or deletes) the cookie `name`.
fn sets_cookie(response: &Response, name: &str) -> bool {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split_once('=').is_some_and(|(n, _)| n.trim() == name))
}

/// The client's socket address, when the server recorded it.
pub fn peer_ip(request_parts: &Parts) -> Option<std::net::IpAddr> {
    request_parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// RFC 8058's one-click unsubscribe: mail clients `POST` to the URL in a
/// mail's `List-Unsubscribe` header, from no page and with no session. The
/// unguessable token in the path is the proof, and the change is only ever
/// "send less mail", so these routes (a member's and a guest's) need
/// neither origin nor CSRF token.
fn is_one_click_unsubscribe(method: &Method, path: &str) -> bool {
    *method == Method::POST
        && [
            "/mail/unsubscribe/",
            "/comments/unsubscribe/",
            "/newsletter/unsubscribe/",
        ]
        .iter()
        .any(|prefix| path.strip_prefix(prefix).is_some_and(is_token))
}

/// The token a form with a file must send as its first field, left by
/// the guard for the form's reader (`resources::edit`, `journal::import`) to check: such a
/// body may be megabytes long, so the guard does not read it.
#[derive(Debug, Clone)]
pub struct UploadToken(pub String);

/// Whether this is a form with a file, on one of the routes that read
/// their own body and check its token themselves: a new resource and a
/// resource's edit form, and a journal import. Any other multipart body
/// is checked here, and so refused.
fn carries_file(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    let multipart = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let route = path == "/resources/new"
        || path == "/journal/import"
        || path == "/admin/newsletter/import"
        || path
            .strip_prefix("/resources/")
            .and_then(|rest| rest.strip_suffix("/edit"))
            .is_some_and(|slug| !slug.is_empty() && !slug.contains('/'));
    *method == Method::POST && multipart && route
}

fn is_state_change(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("application/x-www-form-urlencoded")
                || v.starts_with("multipart/form-data")
        })
}

/// Whether the browser says the request comes from kith's own pages.
/// `Sec-Fetch-Site` decides when sent (every current browser does). Else a
/// real `Origin` must be kith's; `Origin: null` carries no information —
/// browsers send it for every form under `Referrer-Policy: no-referrer` —
/// and clients that send neither (not a browser) pass. The token check
/// still applies to anything with a session cookie or a form body.
pub(crate) fn same_origin(headers: &HeaderMap, site: &str) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(site) = header("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = header(ORIGIN.as_str()).filter(|o| *o != "null") else {
        return true;
    };
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    let own_host = header(HOST.as_str());
    let matches_host = origin_host.is_some() && origin_host == own_host;
    let matches_base = site == origin;
    matches_host || matches_base
}

/// Reads the token from the header or, for forms, from the body, and puts
/// the body back.
async fn token_sent(request: Request) -> Result<(Request, Option<String>), WebError> {
    if let Some(token) = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        let token = token.to_owned();
        return Ok((request, Some(token)));
    }
    if !is_form(request.headers()) {
        return Ok((request, None));
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| WebError::MalformedBody)?;
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| {
            pairs
                .into_iter()
                .find(|(k, _)| k == CSRF_FIELD)
                .map(|(_, v)| v)
        });
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

/// Compares two tokens in time that does not depend on where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn is_token(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| is_token(t))
        .map(str::to_owned)
}

/// The value of the request's cookie `name`.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_kith_s_own_origin_may_change_state() {
        assert!(same_origin(
            &headers(&[("host", "kith.example"), ("origin", "https://kith.example")]),
            "http://127.0.0.1:8080"
        ));
        assert!(!same_origin(
            &headers(&[("host", "kith.example"), ("origin", "https://evil.example")]),
            "http://127.0.0.1:8080"
        ));
        // Under `Referrer-Policy: no-referrer` browsers send `Origin: null`
        // with `Sec-Fetch-Site`, which decides.
        assert!(same_origin(
            &headers(&[("origin", "null"), ("sec-fetch-site", "same-origin")]),
            "http://127.0.0.1:8080"
        ));
        assert!(!same_origin(
            &headers(&[("origin", "null"), ("sec-fetch-site", "cross-site")]),
            "http://127.0.0.1:8080"
        ));
        assert!(!same_origin(
            &headers(&[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "same-site")
            ]),
            "http://127.0.0.1:8080"
        ));
        assert!(!same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            "http://127.0.0.1:8080"
        ));
        assert!(same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            "http://127.0.0.1:8080"
        ));
        assert!(same_origin(&headers(&[]), "http://127.0.0.1:8080"));
        // Behind a proxy that rewrites Host, the site's own address counts.
        assert!(same_origin(
            &headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "https://kith.example")
            ]),
            "https://kith.example"
        ));
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_on_https() {
        assert_eq!(
            cookie_value("kith_session", "t", Some(60), true),
            "kith_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        assert!(!cookie_value("kith_csrf", "t", None, false).contains("Secure"));
    }

    #[test]
    fn tokens_compare_in_constant_time_and_exactly() {
        assert!(constant_time_eq(b"abcd", b"abcd"));
        assert!(!constant_time_eq(b"abcd", b"abce"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
