//! Query strings with repeated keys (`format=phone&format=video`), which
//! serde's flat deserialisers do not take; and the directory's parameters.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use kith_domain::directory::RawFilters;

/// The query string's pairs, in order. An unreadable query string reads as
/// empty: every value is validated later anyway.
#[derive(Debug, Clone, Default)]
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        Ok(Self(serde_urlencoded::from_str(raw).unwrap_or_default()))
    }
}

impl QueryPairs {
    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The directory's filters, as given.
    pub fn filters(&self) -> RawFilters {
        RawFilters::from_pairs(self.0.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }
}

/// Rebuilds a directory query string from filters, with another page.
pub fn directory_query(raw: &RawFilters, page: Option<u32>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let mut push = |key, value: &Option<String>| {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            pairs.push((key, v.to_owned()));
        }
    };
    push("q", &raw.q);
    push("day", &raw.day);
    push("time", &raw.time);
    push("starts_within", &raw.starts_within);
    push("in_progress", &raw.in_progress);
    push("language", &raw.language);
    push("country", &raw.country);
    push("region", &raw.region);
    push("city", &raw.city);
    push("tz", &raw.tz);
    for (key, values) in [
        ("format", &raw.format),
        ("focus", &raw.focus),
        ("attribute", &raw.attribute),
    ] {
        pairs.extend(
            values
                .iter()
                .filter(|v| !v.is_empty())
                .map(|v| (key, v.clone())),
        );
    }
    if let Some(page) = page.filter(|p| *p > 1) {
        pairs.push(("page", page.to_string()));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}
