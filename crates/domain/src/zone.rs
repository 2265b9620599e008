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

/// A zone a person may choose, with the country it lies in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneChoice {
    /// The canonical IANA name, such as `Australia/Melbourne`.
    pub name: String,
    /// ISO 3166-1 alpha-2 of the country the zone lies in; none for `UTC`.
    pub country: Option<String>,
}

impl ZoneChoice {
    /// The place the zone is named after, as tzdb spells it:
    /// `Australia/Melbourne` is "Melbourne", `America/Indiana/Knox` is
    /// "Knox (Indiana)", `America/Argentina/Salta` is "Salta (Argentina)".
    pub fn place(&self) -> String {
        let mut parts = self.name.split('/').skip(1).map(|p| p.replace('_', " "));
        let Some(first) = parts.next() else {
            return self.name.clone();
        };
        let rest: Vec<String> = parts.collect();
        match rest.split_last() {
            None => first,
            Some((city, within)) => {
                let mut area = vec![first];
                area.extend(within.iter().cloned());
                format!("{city} ({})", area.join(", "))
            }
        }
    }
}

/// The zones a person may choose from: the system database's canonical
/// zones (tzdb's `zone.tab`, one line per zone and country, so "Amsterdam"
/// stays under the Netherlands), never a backward alias such as
/// `US/Eastern` or `Asia/Calcutta`; and `UTC`. Sorted by name.
pub fn zone_choices() -> Vec<ZoneChoice> {
    let mut zones = zone_tab()
        .map(|tab| parse_zone_tab(&tab))
        .unwrap_or_else(|| {
            // A system without zone.tab: the region/city zones the
            // database lists, without a country.
            jiff::tz::db()
                .available()
                .map(|name| name.as_str().to_owned())
                .filter(|name| is_geographic(name))
                .map(|name| ZoneChoice {
                    name,
                    country: None,
                })
                .collect()
        });
    // Only what kith can read too.
    zones.retain(|z| Zone::parse(&z.name).is_ok());
    zones.push(ZoneChoice {
        name: "UTC".to_owned(),
        country: None,
    });
    zones.sort_by(|a, b| a.name.cmp(&b.name));
    zones.dedup_by(|a, b| a.name == b.name);
    zones
}

/// The zone names a viewer may choose from (see [`zone_choices`]).
pub fn common_zone_names() -> Vec<String> {
    zone_choices().into_iter().map(|z| z.name).collect()
}

fn is_geographic(name: &str) -> bool {
    let region = name.split('/').next().unwrap_or_default();
    name.contains('/')
        && matches!(
            region,
            "Africa"
                | "America"
                | "Antarctica"
                | "Arctic"
                | "Asia"
                | "Atlantic"
                | "Australia"
                | "Europe"
                | "Indian"
                | "Pacific"
        )
}

/// The system database's `zone.tab`, where jiff reads the zones from.
fn zone_tab() -> Option<String> {
    let dirs = std::env::var_os("TZDIR")
        .map(std::path::PathBuf::from)
        .into_iter()
        .chain(["/usr/share/zoneinfo", "/etc/zoneinfo"].map(std::path::PathBuf::from));
    dirs.into_iter()
        .find_map(|dir| std::fs::read_to_string(dir.join("zone.tab")).ok())
}

/// Lines of `country<TAB>coordinates<TAB>zone[<TAB>comment]`; `#` starts a
/// comment line.
fn parse_zone_tab(tab: &str) -> Vec<ZoneChoice> {
    tab.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let country = fields.next()?.trim();
            let name = fields.nth(1)?.trim();
            (country.len() == 2 && is_geographic(name)).then(|| ZoneChoice {
                name: name.to_owned(),
                country: Some(country.to_ascii_uppercase()),
            })
        })
        .collect()
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

    #[test]
    fn the_zone_list_holds_canonical_zones_and_no_old_alias() {
        let zones = zone_choices();
        let melbourne = zones
            .iter()
            .find(|z| z.name == "Australia/Melbourne")
            .expect("Melbourne");
        assert_eq!(melbourne.country.as_deref(), Some("AU"));
        assert_eq!(melbourne.place(), "Melbourne");
        for alias in [
            "US/Eastern",
            "Asia/Calcutta",
            "Europe/Kiev",
            "America/Buenos_Aires",
            "Australia/ACT",
            "GB",
            "Etc/GMT+5",
            "EST5EDT",
        ] {
            assert!(zones.iter().all(|z| z.name != alias), "{alias}");
        }
        for canonical in [
            "Asia/Kolkata",
            "America/New_York",
            "Asia/Kathmandu",
            "Europe/Berlin",
        ] {
            assert!(zones.iter().any(|z| z.name == canonical), "{canonical}");
        }
        // Every zone but UTC lies in a country.
        assert!(zones.iter().all(|z| z.country.is_some() || z.name == "UTC"));
    }

    #[test]
    fn a_zone_is_named_by_its_place_within_its_area() {
        let place = |name: &str| {
            ZoneChoice {
                name: name.to_owned(),
                country: None,
            }
            .place()
        };
        assert_eq!(place("America/New_York"), "New York");
        assert_eq!(place("America/Indiana/Knox"), "Knox (Indiana)");
        assert_eq!(
            place("America/Argentina/Buenos_Aires"),
            "Buenos Aires (Argentina)"
        );
        assert_eq!(place("UTC"), "UTC");
    }

    #[test]
    fn zone_tab_lines_name_a_country_and_a_zone() {
        let tab = "# comment\nAU\t-3749+14458\tAustralia/Melbourne\tVictoria\nDE\t+5230+01322\tEurope/Berlin\nXX\tbad\n";
        assert_eq!(
            parse_zone_tab(tab),
            [
                ZoneChoice {
                    name: "Australia/Melbourne".into(),
                    country: Some("AU".into())
                },
                ZoneChoice {
                    name: "Europe/Berlin".into(),
                    country: Some("DE".into())
                },
            ]
        );
    }
}
