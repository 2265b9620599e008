//! The one address kith is reached at from outside: every absolute link
//! (mail, calendars, the Meeting Guide feed, invitation links) starts with
//! it, and the web layer checks a request's `Origin` and marks cookies
//! `Secure` by it. Set once at start (`KITH_BASE_URL`, else the address
//! kith listens on) and never taken from a request's `Host`: a forged one
//! would send a reset link, or a calendar's links, elsewhere.

/// The site's base URL, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUrl {
    base: String,
}

impl SiteUrl {
    /// The site at this base URL (`https://kith.example`).
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// A full link to a path on the site (`/verify-email/…`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The base URL itself (`https://kith.example`), as a browser's
    /// `Origin` gives it.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether the site is served over HTTPS (its cookies are `Secure`).
    pub fn is_https(&self) -> bool {
        self.base.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_join_the_base_without_a_double_slash() {
        let site = SiteUrl::new("https://kith.example/");
        assert_eq!(site.base(), "https://kith.example");
        assert_eq!(site.link("/me"), "https://kith.example/me");
        assert!(site.is_https());
        assert!(!SiteUrl::new("http://127.0.0.1:8080").is_https());
    }
}
