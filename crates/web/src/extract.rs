//! What handlers take from a request: the client's address ([`ClientIp`])
//! and a group's slug from the path ([`SlugPath`], with [`IdParam`] for an
//! id beside it), typed before the handler runs so no handler parses them
//! by hand. Who is asking is `session`'s (`Viewer`, `CurrentUser`); the
//! reader's zone is `viewer`'s (`CookieZone`, `viewer_zone`).

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use kith_domain::ids::Slug;
use serde::Deserialize;

use crate::AppState;
use crate::error::not_found_at;
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

/// The `{id}` beside a `{slug}` in a route (a meeting's, an invitation's),
/// taken as `Path<IdParam>` after [`SlugPath`]. It stays text: each kind
/// of id has its own parser, and the use case answers an unknown one.
#[derive(Debug, Deserialize)]
pub struct IdParam {
    /// The id as the path has it.
    pub id: String,
}

/// A group's slug from the route's `{slug}` parameter.
///
/// A malformed slug names nothing, so it gets the same 404 as a missing
/// group — before any query, and before the handler reads a body. The
/// answer is a problem document under `/api/` and a page elsewhere, as
/// for a path no route matches. A route with more parameters takes the
/// others with a `Path` of its own.
#[derive(Debug, Clone)]
pub struct SlugPath(pub Slug);

impl<S: Send + Sync> FromRequestParts<S> for SlugPath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Read by name, so the slug may stand anywhere in the route. A
        // parameter that is not UTF-8 keeps axum's own 400, as `Path`
        // answered before this extractor existed.
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        params
            .get("slug")
            .and_then(|raw| Slug::parse(raw))
            .map(Self)
            .ok_or_else(|| not_found_at(parts.uri.path()))
    }
}
