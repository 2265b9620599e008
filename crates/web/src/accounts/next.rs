//! Where a login leads: the `next` a page asked for, only when it is a
//! plain path on this site. Browsers and URL parsers forgive a lot —
//! `/<TAB>/evil.test` and `/\evil.test` both read as `//evil.test`, another
//! host — so anything but printable ASCII, any backslash, a leading `//`
//! (raw or percent-decoded) and anything that resolves to another origin
//! is refused.

use percent_encoding::percent_decode_str;
use url::Url;

/// `next` when it is a plain local path, else `None`.
pub(crate) fn local_path(next: &str) -> Option<&str> {
    let plain = |path: &str| {
        path.starts_with('/')
            && !path.starts_with("//")
            && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
    };
    if !plain(next) {
        return None;
    }
    // Decoded once more, as a careless hop (a proxy, a client) might: an
    // encoded space or letter is fine, a control character or a way to
    // another host is not.
    let decoded = percent_decode_str(next).decode_utf8().ok()?;
    if decoded.starts_with("//")
        || decoded
            .chars()
            .any(|c| c.is_control() || c == '\\' || (c.is_whitespace() && c != ' '))
    {
        return None;
    }
    let base = Url::parse("http://kith.invalid/").ok()?;
    let resolved = base.join(next).ok()?;
    (resolved.origin() == base.origin()).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_local_paths_are_followed() {
        for good in [
            "/",
            "/me",
            "/groups/new",
            "/groups?format=video&day=2",
            "/groups/quiet-circle-k3m8q#next",
            "/a%20b",
            "/caf%C3%A9",
        ] {
            assert_eq!(local_path(good), Some(good), "{good}");
        }
        for bad in [
            "",
            "me",
            "//evil.test",
            "///evil.test",
            "/\\evil.test",
            "\\\\evil.test",
            "/\t/evil.test",
            "/\n/evil.test",
            "/\0/evil.test",
            "/ /evil.test",
            "/%09/evil.test",
            "/%0a/evil.test",
            "/%0D/evil.test",
            "/%00/evil.test",
            "/%2F%2Fevil.test",
            "/%2f/evil.test",
            "/%5Cevil.test",
            "%2F%2Fevil.test",
            "https://evil.test",
            "http:evil.test",
            "javascript:alert(1)",
            "/é",
            "/%ff",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
