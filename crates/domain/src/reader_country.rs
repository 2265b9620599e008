//! Where a reader probably is, for the crisis page's first choice of
//! country: their time zone says it best (the browser sets it from the
//! device's clock), their language's region (`en-AU`) next. Both are
//! guesses; the reader can always choose another country.

/// The country of an IANA zone, from the tz database's `zone.tab` (one
/// country a zone) or `zone1970.tab` (the first of its countries).
pub fn country_of_zone(zone_tab: &str, zone: &str) -> Option<String> {
    zone_tab
        .lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let mut columns = line.split('\t');
            let codes = columns.next()?;
            let name = columns.nth(1)?;
            (name == zone)
                .then(|| codes.split(',').next())
                .flatten()
                .filter(|code| code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()))
                .map(str::to_owned)
        })
}

/// The zone an old name links to, from the tz database's `tzdata.zi`
/// (`L Asia/Kolkata Asia/Calcutta`): some browsers still report
/// `Asia/Calcutta` or `Europe/Kiev`, which `zone.tab` does not list.
pub fn link_target<'a>(tzdata_zi: &'a str, zone: &str) -> Option<&'a str> {
    tzdata_zi.lines().find_map(|line| {
        let mut fields = line.split(' ');
        match (fields.next(), fields.next(), fields.next()) {
            (Some("L"), Some(target), Some(link)) if link == zone => Some(target),
            _ => None,
        }
    })
}

/// The region of the most preferred language that names one, from an
/// `Accept-Language` header: `en-AU,en;q=0.9` gives `AU`.
pub fn region_of_languages(accept_language: &str) -> Option<String> {
    let mut tags: Vec<(&str, f32)> = accept_language
        .split(',')
        .filter_map(|entry| {
            let mut pieces = entry.split(';').map(str::trim);
            let tag = pieces.next().filter(|t| !t.is_empty())?;
            let weight = pieces
                .find_map(|p| p.strip_prefix("q="))
                .map_or(Some(1.0), |q| q.parse::<f32>().ok())?;
            (weight > 0.0).then_some((tag, weight))
        })
        .collect();
    // A stable sort keeps the header's order among equal weights.
    tags.sort_by(|a, b| b.1.total_cmp(&a.1));
    tags.into_iter().find_map(|(tag, _)| {
        tag.split(['-', '_'])
            .skip(1)
            .find(|sub| sub.len() == 2 && sub.bytes().all(|b| b.is_ascii_alphabetic()))
            .map(str::to_ascii_uppercase)
    })
}

/// The country to show first: the reader's explicit choice; else the
/// country of their zone, if it has a text; else, when the zone names no
/// country, their language's region, if it has a text. `None` means the
/// general text. A zone's country without a text wins over the language:
/// a reader in Tokyo with an `en-US` browser needs no lines in the US.
pub fn preselect(
    zone_country: Option<&str>,
    language_region: Option<&str>,
    has_text: impl Fn(&str) -> bool,
) -> Option<String> {
    zone_country
        .or(language_region)
        .filter(|c| has_text(c))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAB: &str = "# comment\tX\tY\n\
        AU\t-3749+14458\tAustralia/Melbourne\tVictoria\n\
        DE,DK,NO\t+5230+01322\tEurope/Berlin\tmost of Germany\n\
        JP\t+353916+1394441\tAsia/Tokyo\n";

    #[test]
    fn a_zone_names_its_country() {
        assert_eq!(
            country_of_zone(TAB, "Australia/Melbourne").as_deref(),
            Some("AU")
        );
        assert_eq!(country_of_zone(TAB, "Europe/Berlin").as_deref(), Some("DE"));
        assert_eq!(country_of_zone(TAB, "UTC"), None);
        assert_eq!(country_of_zone(TAB, "Australia"), None);
    }

    #[test]
    fn an_old_zone_name_leads_to_its_current_one() {
        let zi = "# version 2025b\nZ Asia/Kolkata 5:53:28 - LMT 1854 Jun 28\nL Asia/Kolkata Asia/Calcutta\nL Europe/Kyiv Europe/Kiev\n";
        assert_eq!(link_target(zi, "Asia/Calcutta"), Some("Asia/Kolkata"));
        assert_eq!(link_target(zi, "Europe/Kiev"), Some("Europe/Kyiv"));
        assert_eq!(link_target(zi, "Asia/Kolkata"), None);
    }

    #[test]
    fn the_systems_zone_table_knows_melbourne_and_berlin() {
        let Ok(tab) = std::fs::read_to_string("/usr/share/zoneinfo/zone.tab") else {
            return;
        };
        assert_eq!(
            country_of_zone(&tab, "Australia/Melbourne").as_deref(),
            Some("AU")
        );
        assert_eq!(
            country_of_zone(&tab, "Europe/Berlin").as_deref(),
            Some("DE")
        );
        assert_eq!(
            country_of_zone(&tab, "America/St_Johns").as_deref(),
            Some("CA")
        );
    }

    #[test]
    fn the_most_preferred_language_with_a_region_names_it() {
        for (header, region) in [
            ("en-AU,en;q=0.9", Some("AU")),
            ("en, en-gb;q=0.8", Some("GB")),
            ("de;q=0.5, en-NZ;q=0.7, fr-CA;q=0.6", Some("NZ")),
            ("zh-Hant-TW", Some("TW")),
            ("es-419, en", None),
            ("en-US;q=0, en", None),
            ("", None),
            ("en-AU;q=bad", None),
        ] {
            assert_eq!(region_of_languages(header).as_deref(), region, "{header}");
        }
    }

    #[test]
    fn the_zone_decides_before_the_language_and_only_countries_with_a_text_count() {
        let has = |c: &str| ["AU", "US", "DE"].contains(&c);
        assert_eq!(
            preselect(Some("AU"), Some("US"), has).as_deref(),
            Some("AU")
        );
        assert_eq!(preselect(None, Some("US"), has).as_deref(), Some("US"));
        assert_eq!(preselect(Some("JP"), Some("US"), has), None);
        assert_eq!(preselect(None, Some("FR"), has), None);
        assert_eq!(preselect(None, None, has), None);
    }
}
