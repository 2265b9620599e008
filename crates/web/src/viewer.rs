//! The reader's time zone: the `tz` query parameter when valid, else the
//! `kith_tz` cookie (set by a small script from the browser's zone, or by
//! choosing one without JavaScript), else the zone kept on the logged-in
//! person's account, else UTC.
//!
//! The cookie comes before the account because it is this browser's own
//! answer (a person travelling sees where they are); the two agree unless
//! the person moved, since the account's zone is taken from the cookie at
//! registration and login, and choosing a zone on `/me` sets both.

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use kith_domain::zone::Zone;

use crate::error::WebError;
use crate::query::QueryPairs;

/// The cookie that remembers the reader's zone.
pub const ZONE_COOKIE: &str = "kith_tz";

/// The zone a request's cookie names if valid, else the one kept on the
/// logged-in person's account (the session middleware runs first).
#[derive(Debug, Clone)]
pub struct CookieZone(pub Option<Zone>);

impl<S: Send + Sync> FromRequestParts<S> for CookieZone {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(zone_from_cookies(&parts.headers).or_else(|| {
            parts
                .extensions
                .get::<crate::session::Viewer>()
                .and_then(|v| v.account_zone.clone())
        })))
    }
}

impl CookieZone {
    /// The zone the browser's cookie names, ignoring the account's.
    pub fn browser(headers: &HeaderMap) -> Option<Zone> {
        zone_from_cookies(headers)
    }
}

fn zone_from_cookies(headers: &HeaderMap) -> Option<Zone> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == ZONE_COOKIE)
        .and_then(|(_, value)| Zone::parse(&value.replace("%2F", "/")).ok())
}

impl CookieZone {
    /// The zone to read times in when the query names none.
    pub fn or_utc(&self) -> Zone {
        self.0.clone().unwrap_or_else(Zone::utc)
    }
}

/// The viewer's zone: a valid `tz` parameter, else the cookie, else UTC. An
/// invalid `tz` is refused on the API and ignored on a page.
pub(crate) fn viewer_zone(query: &QueryPairs, cookie: &CookieZone) -> Result<Zone, WebError> {
    match query.get("tz").filter(|tz| !tz.trim().is_empty()) {
        Some(tz) => Zone::parse(tz.trim()).map_err(|_| {
            WebError::InvalidFilters(vec![kith_domain::directory::FilterError {
                field: "tz",
                code: "unknown_time_zone",
            }])
        }),
        None => Ok(cookie.or_utc()),
    }
}

/// A `Set-Cookie` header remembering `zone` for a year.
pub fn remember_zone(zone: &Zone) -> Option<(axum::http::HeaderName, HeaderValue)> {
    HeaderValue::from_str(&format!(
        "{ZONE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        zone.name()
    ))
    .ok()
    .map(|v| (SET_COOKIE, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_zone_is_read_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; kith_tz=America%2FSt_Johns; b=2"),
        );
        assert_eq!(
            zone_from_cookies(&headers).map(|z| z.name().to_owned()),
            Some("America/St_Johns".into())
        );
        headers.insert(COOKIE, HeaderValue::from_static("kith_tz=Mars/Phobos"));
        assert_eq!(zone_from_cookies(&headers), None);
    }
}
