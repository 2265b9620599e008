//! Security headers on every answer: no inline script, no framing, no
//! referrer (URLs will carry tokens), no MIME sniffing — and who may keep a
//! copy of an answer ([`cache_policy`]).
//!
//! Caching is decided here, once, so no handler can forget it. An answer
//! is personal unless its handler marks it [`SameForEveryone`]: personal
//! answers vary by `Cookie` and `Authorization`, and are `private,
//! no-store` whenever the request carried a cookie or an `Authorization`
//! header, the answer sets a cookie, or the request changes something. So
//! a page that shows a member more than a visitor is never kept by a proxy
//! or a shared cache, while the same URL asked without credentials (the
//! JSON directory, a listed group for an anonymous client) may be.

use axum::extract::Request;
use axum::http::header::{self, HeaderName};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy: everything from kith's own origin, nothing inline.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'; object-src 'none'";

/// `Cache-Control` of an answer that depends on who asks: only the
/// person's own browser sees it, and not even it keeps a copy.
pub const PRIVATE: &str = "private, no-store";

/// `Vary` of an answer that depends on who asks.
pub const VARY: &str = "Cookie, Authorization";

/// `Cache-Control` of a public answer that changes without notice (a feed,
/// a listed group's calendar): anyone may keep it, but must ask kith again
/// before reusing it, so a group that is unlisted leaves every copy at
/// once.
pub const PUBLIC_REVALIDATE: &str = "public, no-cache";

type Header = SetResponseHeaderLayer<HeaderValue>;

/// The layer that sets the headers.
#[expect(
    clippy::type_complexity,
    reason = "the layer stack's type is spelled out once, here"
)]
pub fn headers() -> ServiceBuilder<
    Stack<Header, Stack<Header, Stack<Header, Stack<Header, Stack<Header, Identity>>>>>,
> {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    ServiceBuilder::new()
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ))
}

/// Marks an answer whose bytes are the same whoever asks: the cache
/// policy keeps its handler's `Cache-Control` and adds no `Vary`, and no
/// cookie is set on it (a shared cache would hand that cookie to
/// everyone).
#[derive(Debug, Clone, Copy)]
pub struct SameForEveryone;

/// Marks `response` as the same for everyone, with this `Cache-Control`.
pub fn same_for_everyone(cache_control: &'static str, response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    response.extensions_mut().insert(SameForEveryone);
    response
}

/// Sets `Cache-Control` and `Vary` on every answer; see the module docs.
pub async fn cache_policy(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let personal = headers.contains_key(header::COOKIE)
        || headers.contains_key(header::AUTHORIZATION)
        || !matches!(*request.method(), Method::GET | Method::HEAD);
    let mut response = next.run(request).await;
    let public = response.extensions().get::<SameForEveryone>().is_some();
    let sets_cookie = response.headers().contains_key(header::SET_COOKIE);
    if !public {
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static(VARY));
    }
    if sets_cookie || (personal && !public) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(PRIVATE));
    }
    response
}
