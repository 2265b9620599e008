//! IANA time zones. kith reads the system's zone database
//! (`/usr/share/zoneinfo`), as does every independent checker in the tests.

use std::fmt;

use jiff::tz::TimeZone;

/// A validated IANA time zone, such as `Europe/Berlin`.
#[derive(Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

/// The zone given is not a known IANA zone name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone")]
pub struct UnknownZone;

impl Zone {
    /// Parses an IANA name; `UTC` is accepted, fixed offsets and paths are not.
    pub fn parse(name: &str) -> Result<Self, UnknownZone> {
        let plausible = !name.is_empty()
            && name.len() <= 64
            && !name.contains("..")
            && !name.starts_with('/')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
        if !plausible {
            return Err(UnknownZone);
        }
        let tz = TimeZone::get(name).map_err(|_| UnknownZone)?;
        let name = tz.iana_name().unwrap_or(name).to_owned();
        Ok(Self { name, tz })
    }

    /// Coordinated Universal Time, the default zone of a viewer who chose none.
    pub fn utc() -> Self {
        Self {
            name: "UTC".to_owned(),
            tz: TimeZone::UTC,
        }
    }

    /// The IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's rules.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }
}

// A zone is its IANA name: the rules are looked up by it.
impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl std::hash::Hash for Zone {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// The zone names a viewer may choose from when no script can detect theirs.
pub fn common_zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_owned())
        .filter(|name| {
            let region = name.split('/').next().unwrap_or_default();
            matches!(
                region,
                "Africa"
                    | "America"
                    | "Antarctica"
                    | "Asia"
                    | "Atlantic"
                    | "Australia"
                    | "Europe"
                    | "Indian"
                    | "Pacific"
            ) || name == "UTC"
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_zones_parse_and_unknown_ones_do_not() {
        assert_eq!(
            Zone::parse("Europe/Berlin").map(|z| z.name().to_owned()),
            Ok("Europe/Berlin".into())
        );
        assert!(Zone::parse("Asia/Kathmandu").is_ok());
        for bad in [
            "Mars/Phobos",
            "",
            "../../etc/passwd",
            "/etc/localtime",
            "Europe/Berlin\n",
        ] {
            assert_eq!(Zone::parse(bad), Err(UnknownZone), "{bad:?}");
        }
    }

    #[test]
    fn the_zone_list_offers_real_zones_and_utc() {
        let names = common_zone_names();
        assert!(names.iter().any(|n| n == "America/St_Johns"));
        assert!(names.iter().any(|n| n == "UTC"));
        assert!(names.iter().all(|n| Zone::parse(n).is_ok()));
    }
}
