//! What handlers take from a request: the client's address
//! ([`ClientIp`]), typed before the handler runs. Who is asking is
//! `session`'s (`Viewer`, `CurrentUser`); the reader's zone is
//! `viewer`'s (`CookieZone`, `viewer_zone`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::AppState;
use crate::limits::client_ip;
use crate::session::peer_ip;

/// The client's address for rate limits.
pub struct ClientIp(pub std::net::IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(Self(client_ip(
            peer_ip(parts),
            forwarded,
            &state.config.trusted_proxies,
        )))
    }
}
