//! What handlers take from a request: the client's address ([`ClientIp`]),
//! a group's slug ([`SlugPath`]) and an id ([`IdPath`]) from the path,
//! typed before the handler runs so no handler parses them by hand. Who
//! is asking is `session`'s (`Viewer`, `CurrentUser`); the reader's zone
//! is `viewer`'s (`CookieZone`, `viewer_zone`).

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use kith_domain::ids::{
    CheckinId, CommentId, DoseId, InvitationId, MedicineId, OccurrenceId, ReportId, RequestId,
    SessionId, Slug, StoryId,
};

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

/// An id a route carries as `{id}`, parsed strictly so a malformed one
/// never reaches a query.
pub trait PathId: Sized {
    /// The id, if `raw` has its shape.
    fn from_path(raw: &str) -> Option<Self>;
}

impl PathId for OccurrenceId {
    fn from_path(raw: &str) -> Option<Self> {
        Self::parse(raw)
    }
}

impl PathId for RequestId {
    fn from_path(raw: &str) -> Option<Self> {
        Self::parse(raw)
    }
}

impl PathId for InvitationId {
    fn from_path(raw: &str) -> Option<Self> {
        Self::parse(raw)
    }
}

impl PathId for StoryId {
    fn from_path(raw: &str) -> Option<Self> {
        Self::parse(raw)
    }
}

impl PathId for CommentId {
    fn from_path(raw: &str) -> Option<Self> {
        Self::parse(raw)
    }
}

impl PathId for ReportId {
    fn from_path(raw: &str) -> Option<Self> {
        Self::parse(raw)
    }
}

impl PathId for SessionId {
    fn from_path(raw: &str) -> Option<Self> {
        Self::parse(raw)
    }
}

impl PathId for CheckinId {
    fn from_path(raw: &str) -> Option<Self> {
        Self::parse(raw)
    }
}

impl PathId for MedicineId {
    fn from_path(raw: &str) -> Option<Self> {
        Self::parse(raw)
    }
}

impl PathId for DoseId {
    fn from_path(raw: &str) -> Option<Self> {
        Self::parse(raw)
    }
}

/// A meeting's, request's, invitation's or session's id from the route's
/// `{id}` parameter: a malformed one names nothing, so it gets the same
/// 404 as an unknown one, as [`SlugPath`] does for slugs.
#[derive(Debug, Clone)]
pub struct IdPath<T>(pub T);

impl<S: Send + Sync, T: PathId> FromRequestParts<S> for IdPath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        path_param(parts, state, "id", T::from_path).await.map(Self)
    }
}

/// A dose change's id from the route's `{dose}` parameter (its
/// medicine's is the route's `{id}`), with the same 404 as [`IdPath`].
#[derive(Debug, Clone)]
pub struct DosePath(pub kith_domain::ids::DoseId);

impl<S: Send + Sync> FromRequestParts<S> for DosePath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        path_param(parts, state, "dose", kith_domain::ids::DoseId::parse)
            .await
            .map(Self)
    }
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
        path_param(parts, state, "slug", Slug::parse)
            .await
            .map(Self)
    }
}

/// The route's parameter `name`, parsed; a 404 (a problem document under
/// `/api/`, a page elsewhere) when it does not parse.
async fn path_param<S: Send + Sync, T>(
    parts: &mut Parts,
    state: &S,
    name: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, Response> {
    // Read by name, so the parameter may stand anywhere in the route. One
    // that is not UTF-8 keeps axum's own 400, as `Path` answers.
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    params
        .get(name)
        .and_then(|raw| parse(raw))
        .ok_or_else(|| not_found_at(parts.uri.path()))
}
