//! Language, country and time zone chosen by name, everywhere a person
//! chooses them: the options of the shared selects in `_form.html`. The
//! value sent is still the code (BCP 47, ISO 3166-1, IANA), so the API and
//! stored data do not change.
//!
//! The names are the message catalogue's (`language.*` with
//! `language_own.*`, `country.*`, `zone.*`), so a translation names them
//! too; a zone's place is tzdb's own spelling of it.

use std::collections::HashSet;
use std::sync::LazyLock;

use kith_domain::directory::normalize_language;
use kith_domain::zone::zone_choices;

use crate::messages::{Messages, messages};
use crate::views::Choice;

/// A zone in a select: its IANA name and the place it is named after.
pub(crate) struct ZoneOption {
    pub name: String,
    pub label: String,
}

/// The zones of one country, under its name.
pub(crate) struct ZoneGroup {
    pub label: String,
    pub zones: Vec<ZoneOption>,
}

/// Every zone a person may choose, by country, in the countries' order.
pub(crate) struct ZonePicker {
    /// "UTC", offered first and outside any country.
    pub utc_label: String,
    pub groups: Vec<ZoneGroup>,
    names: HashSet<String>,
}

impl ZonePicker {
    /// Whether `name` is one of the options; a zone saved before (an old
    /// alias such as `US/Eastern`) is shown as an extra option instead.
    pub fn lists(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    fn build(m: &Messages) -> Self {
        let mut groups: Vec<ZoneGroup> = Vec::new();
        let mut names = HashSet::new();
        for zone in zone_choices() {
            names.insert(zone.name.clone());
            let Some(country) = &zone.country else {
                continue;
            };
            let country_name = m.country(country);
            let place = zone.place();
            // "Buenos Aires (Argentina)" says its country twice under
            // "Argentina".
            let label = place
                .strip_suffix(&format!(" ({country_name})"))
                .map_or(place.clone(), str::to_owned);
            let option = ZoneOption {
                name: zone.name.clone(),
                label,
            };
            match groups.iter_mut().find(|g| g.label == country_name) {
                Some(group) => group.zones.push(option),
                None => groups.push(ZoneGroup {
                    label: country_name.to_owned(),
                    zones: vec![option],
                }),
            }
        }
        groups.sort_by_key(|g| sort_key(&g.label));
        for group in &mut groups {
            group.zones.sort_by_key(|z| sort_key(&z.label));
        }
        Self {
            utc_label: m.t("zone.utc").to_owned(),
            groups,
            names,
        }
    }
}

/// The zone picker, built once from the system's zone database.
pub(crate) static ZONE_PICKER: LazyLock<ZonePicker> =
    LazyLock::new(|| ZonePicker::build(messages()));

/// Languages offered by name: those the catalogue knows in their own words
/// ("Deutsch (German)"), ordered by that label.
static LANGUAGES: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    let m = messages();
    let mut all: Vec<(String, String)> = m
        .codes("language_own")
        .into_iter()
        .map(|code| {
            let own = m.of("language_own", &code);
            let name = m.language(&code);
            let label = if own == name {
                own.to_owned()
            } else {
                m.t("language.choice")
                    .replace("{own}", own)
                    .replace("{name}", name)
            };
            (code, label)
        })
        .collect();
    all.sort_by_key(|(_, label)| sort_key(label));
    all
});

/// Countries offered by name, ordered by it.
static COUNTRIES: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    let m = messages();
    let mut all: Vec<(String, String)> = m
        .codes("country")
        .into_iter()
        .map(|code| {
            let name = m.country(&code).to_owned();
            (code, name)
        })
        .collect();
    all.sort_by_key(|(_, name)| sort_key(name));
    all
});

/// The language options with `picked` chosen; a tag not on the list (an
/// imported `pt-PT`, or what a link carried) is kept as an extra option.
pub(crate) fn language_choices(m: &Messages, picked: &str) -> Vec<Choice> {
    let picked = picked.trim();
    let tag = if picked.is_empty() {
        String::new()
    } else {
        normalize_language(picked)
    };
    named_choices(m, &LANGUAGES, &tag, m.language(&tag))
}

/// The country options with `picked` chosen, an unknown code kept.
pub(crate) fn country_choices(m: &Messages, picked: &str) -> Vec<Choice> {
    let code = picked.trim().to_ascii_uppercase();
    named_choices(m, &COUNTRIES, &code, m.country(&code))
}

fn named_choices(
    m: &Messages,
    all: &[(String, String)],
    picked: &str,
    picked_name: &str,
) -> Vec<Choice> {
    let mut choices: Vec<Choice> = all
        .iter()
        .map(|(code, label)| Choice {
            code: code.clone(),
            label: label.clone(),
            checked: code == picked,
        })
        .collect();
    if !picked.is_empty() && !choices.iter().any(|c| c.checked) {
        choices.insert(
            0,
            Choice {
                code: picked.to_owned(),
                label: if picked_name == picked {
                    picked.to_owned()
                } else {
                    m.t("choice.unlisted")
                        .replace("{name}", picked_name)
                        .replace("{code}", picked)
                },
                checked: true,
            },
        );
    }
    choices
}

/// Orders names as a reader expects: case and the common Latin accents
/// ignored, so "Åland Islands" sits with the A's and "Türkiye" with the T's.
fn sort_key(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
            'ç' | 'č' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            'š' => 's',
            'ž' => 'z',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label<'a>(choices: &'a [Choice], code: &str) -> Option<&'a str> {
        choices
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.label.as_str())
    }

    #[test]
    fn languages_are_named_in_their_own_words_and_the_readers() {
        let m = messages();
        let choices = language_choices(m, "de");
        assert_eq!(label(&choices, "en"), Some("English"));
        assert_eq!(label(&choices, "de"), Some("Deutsch (German)"));
        assert_eq!(
            choices
                .iter()
                .filter(|c| c.checked)
                .map(|c| c.code.as_str())
                .collect::<Vec<_>>(),
            ["de"]
        );
        assert!(choices.iter().all(|c| c.code != "und"));
    }

    #[test]
    fn a_language_not_on_the_list_is_kept_and_chosen() {
        let m = messages();
        let choices = language_choices(m, "PT-pt");
        assert_eq!(choices[0].code, "pt-PT");
        assert_eq!(choices[0].label, "Portuguese (pt-PT)");
        assert!(choices[0].checked);
        assert!(language_choices(m, "").iter().all(|c| !c.checked));
    }

    #[test]
    fn countries_are_named_and_sorted_by_name() {
        let m = messages();
        let choices = country_choices(m, "au");
        assert_eq!(label(&choices, "AU"), Some("Australia"));
        assert_eq!(label(&choices, "KE"), Some("Kenya"));
        assert!(choices.iter().any(|c| c.code == "AU" && c.checked));
        assert!(choices.len() > 240);
        let names: Vec<String> = choices.iter().map(|c| sort_key(&c.label)).collect();
        assert!(names.windows(2).all(|w| w[0] <= w[1]));
        let unknown = country_choices(m, "ZZ");
        assert_eq!(unknown[0].label, "ZZ");
    }

    #[test]
    fn zones_are_named_by_place_within_their_country() {
        let picker = &*ZONE_PICKER;
        let australia = picker
            .groups
            .iter()
            .find(|g| g.label == "Australia")
            .expect("Australia");
        assert!(
            australia
                .zones
                .iter()
                .any(|z| z.name == "Australia/Melbourne" && z.label == "Melbourne")
        );
        let argentina = picker
            .groups
            .iter()
            .find(|g| g.label == "Argentina")
            .expect("Argentina");
        assert!(argentina.zones.iter().any(|z| z.label == "Buenos Aires"));
        // Every group names a country, never a bare code.
        assert!(picker.groups.iter().all(|g| g.label.len() > 2));
        assert!(picker.lists("UTC") && picker.lists("Asia/Kolkata"));
        assert!(!picker.lists("Asia/Calcutta") && !picker.lists("US/Eastern"));
    }
}
