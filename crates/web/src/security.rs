//! Security headers on every answer: no inline script, no framing, no
//! referrer (URLs will carry tokens), no MIME sniffing.

use axum::http::HeaderValue;
use axum::http::header::{self, HeaderName};
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy: everything from kith's own origin, nothing inline.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'; object-src 'none'";

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
