//! Language, country and time zone chosen by name, everywhere a person
//! chooses them: the options of the shared selects in `_form.html`. The
//! value sent is still the code (BCP 47, ISO 3166-1, IANA), so the API and
//! stored data do not change.
//!
//! The names are the message catalogue's (`language.*` with
//! `language_own.*`, `country.*`, `zone.*`), so a translation names them
//! too; a zone's place is tzdb's own spelling of it.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use askama::Template;

use kith_domain::directory::normalize_language;
use kith_domain::zone::zone_choices;

use crate::messages::{Messages, messages};
use crate::views::Choice;

/// A zone in a select: its IANA name and the place it is named after.
struct ZoneOption {
    name: String,
    label: String,
}

/// The zones of one country, under its name.
struct ZoneGroup {
    label: String,
    zones: Vec<ZoneOption>,
}

/// Every zone a person may choose, by country, in the countries' order.
pub(crate) struct ZonePicker {
    /// "UTC", offered first and outside any country.
    pub utc_label: String,
    /// The zones' options under their countries, rendered once.
    pub options: RenderedOptions,
}

impl ZonePicker {
    /// Whether `name` is one of the options; a zone saved before (an old
    /// alias such as `US/Eastern`) is shown as an extra option instead.
    pub fn lists(&self, name: &str) -> bool {
        name == "UTC" || self.options.lists(name)
    }

    fn build(m: &Messages) -> Self {
        let groups = zone_groups(m);
        let options = RenderedOptions::new(groups.iter().map(|g| {
            let zones = g.zones.iter().map(|z| (z.name.as_str(), z.label.as_str()));
            (g.label.as_str(), zones.collect())
        }));
        Self {
            utc_label: m.t("zone.utc").to_owned(),
            options,
        }
    }
}

/// The zones by country, both in name order.
fn zone_groups(m: &Messages) -> Vec<ZoneGroup> {
    let mut groups: Vec<ZoneGroup> = Vec::new();
    for zone in zone_choices() {
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
    groups
}

/// A select's options rendered once: hundreds of them (every zone, every
/// country), the same on every page but for the one chosen, which the
/// directory page spent most of its rendering time escaping again.
pub(crate) struct RenderedOptions {
    html: String,
    /// Where each option's `value="…"` ends, to mark it chosen there.
    value_ends: HashMap<String, usize>,
}

/// The options of `_options.html`: groups of (label, [(code, name)]).
#[derive(Template)]
#[template(path = "_options.html")]
struct OptionsTemplate<'a> {
    groups: &'a [(&'a str, Vec<(&'a str, &'a str)>)],
}

impl RenderedOptions {
    /// Renders `groups` of (label, [(code, name)]); an empty label puts
    /// its options outside any group. Codes are ASCII identifiers (IANA,
    /// ISO 3166, BCP 47), which escaping leaves as they are.
    fn new<'a>(groups: impl IntoIterator<Item = (&'a str, Vec<(&'a str, &'a str)>)>) -> Self {
        let groups: Vec<_> = groups.into_iter().collect();
        // Writing to a String fails only if a value's Display does, and
        // these are all strings.
        let html = OptionsTemplate { groups: &groups }
            .render()
            .unwrap_or_default();
        let mut value_ends = HashMap::new();
        let mut from = 0;
        for (code, _) in groups.iter().flat_map(|(_, options)| options) {
            let value = format!("value=\"{code}\"");
            if let Some(at) = html[from..].find(&value) {
                from += at + value.len();
                value_ends.insert((*code).to_owned(), from);
            }
        }
        Self { html, value_ends }
    }

    /// Whether `code` is one of the options.
    pub fn lists(&self, code: &str) -> bool {
        self.value_ends.contains_key(code)
    }

    /// The options with `code` chosen, if it is one of them.
    pub fn picking(&self, code: &str) -> Picked<'_> {
        Picked {
            html: &self.html,
            at: self.value_ends.get(code).copied(),
        }
    }
}

/// Rendered options with one chosen: HTML, written as it is (`|safe`).
pub(crate) struct Picked<'a> {
    html: &'a str,
    at: Option<usize>,
}

impl fmt::Display for Picked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(at) => {
                f.write_str(&self.html[..at])?;
                f.write_str(" selected")?;
                f.write_str(&self.html[at..])
            }
            None => f.write_str(self.html),
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
        choices.insert(0, unlisted(m, picked, picked_name));
    }
    choices
}

/// A language or country select's options with one chosen, for a page
/// shown often (the directory's filters): the options are rendered once.
pub(crate) struct NamedOptions {
    /// A code not on the list, kept as an extra option and chosen.
    pub unlisted: Option<Choice>,
    pub options: Picked<'static>,
    /// The chosen option's label, if one is chosen.
    pub chosen: Option<String>,
}

static LANGUAGE_OPTIONS: LazyLock<RenderedOptions> = LazyLock::new(|| rendered(&LANGUAGES));
static COUNTRY_OPTIONS: LazyLock<RenderedOptions> = LazyLock::new(|| rendered(&COUNTRIES));

fn rendered(all: &[(String, String)]) -> RenderedOptions {
    let options = all.iter().map(|(c, l)| (c.as_str(), l.as_str()));
    RenderedOptions::new([("", options.collect())])
}

/// The language options with `picked` chosen, rendered once; see
/// [`language_choices`].
pub(crate) fn language_options(m: &Messages, picked: &str) -> NamedOptions {
    let picked = picked.trim();
    let tag = if picked.is_empty() {
        String::new()
    } else {
        normalize_language(picked)
    };
    named_options(m, (&LANGUAGES, &LANGUAGE_OPTIONS), &tag, m.language(&tag))
}

/// The country options with `picked` chosen, rendered once.
pub(crate) fn country_options(m: &Messages, picked: &str) -> NamedOptions {
    let code = picked.trim().to_ascii_uppercase();
    named_options(m, (&COUNTRIES, &COUNTRY_OPTIONS), &code, m.country(&code))
}

fn named_options(
    m: &Messages,
    (all, rendered): (&[(String, String)], &'static RenderedOptions),
    picked: &str,
    picked_name: &str,
) -> NamedOptions {
    let unlisted =
        (!picked.is_empty() && !rendered.lists(picked)).then(|| unlisted(m, picked, picked_name));
    let chosen = match &unlisted {
        Some(extra) => Some(extra.label.clone()),
        None => all
            .iter()
            .find(|(code, _)| code == picked)
            .map(|(_, label)| label.clone()),
    };
    NamedOptions {
        unlisted,
        options: rendered.picking(picked),
        chosen,
    }
}

/// The option for a code not on the list: its name and code, chosen.
fn unlisted(m: &Messages, picked: &str, picked_name: &str) -> Choice {
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
    }
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
    fn rendered_options_mark_the_one_chosen_as_the_choices_do() {
        let m = messages();
        let count = |html: &str| html.matches("<option").count();
        for picked in ["de", "pt-PT", ""] {
            let named = language_options(m, picked);
            let html = named.options.to_string();
            let choices = language_choices(m, picked);
            assert_eq!(
                count(&html) + usize::from(named.unlisted.is_some()),
                choices.len()
            );
            let chosen: Vec<&str> = choices
                .iter()
                .filter(|c| c.checked)
                .map(|c| c.code.as_str())
                .collect();
            let marked = html.matches(" selected").count();
            let label = choices.iter().find(|c| c.checked).map(|c| c.label.clone());
            assert_eq!(named.chosen, label);
            match named.unlisted {
                Some(extra) => assert_eq!((vec![extra.code.as_str()], marked), (chosen, 0)),
                None => assert_eq!(marked, chosen.len()),
            }
        }
        let html = country_options(m, "ke").options.to_string();
        assert!(html.contains(r#"<option value="KE" selected>Kenya</option>"#));
        assert_eq!(COUNTRY_OPTIONS.value_ends.len(), COUNTRIES.len());
        assert_eq!(LANGUAGE_OPTIONS.value_ends.len(), LANGUAGES.len());
        let zones = &ZONE_PICKER.options;
        let total: usize = zone_groups(m).iter().map(|g| g.zones.len()).sum();
        assert_eq!(zones.value_ends.len(), total, "every zone can be chosen");
        let berlin = zones.picking("Europe/Berlin").to_string();
        assert!(berlin.contains(r#"<option value="Europe/Berlin" selected>"#));
        assert_eq!(berlin.matches(" selected").count(), 1);
        assert!(
            !zones
                .picking("US/Eastern")
                .to_string()
                .contains(" selected")
        );
    }

    #[test]
    fn zones_are_named_by_place_within_their_country() {
        let picker = &*ZONE_PICKER;
        let groups = zone_groups(messages());
        let australia = groups
            .iter()
            .find(|g| g.label == "Australia")
            .expect("Australia");
        assert!(
            australia
                .zones
                .iter()
                .any(|z| z.name == "Australia/Melbourne" && z.label == "Melbourne")
        );
        let argentina = groups
            .iter()
            .find(|g| g.label == "Argentina")
            .expect("Argentina");
        assert!(argentina.zones.iter().any(|z| z.label == "Buenos Aires"));
        // Every group names a country, never a bare code.
        assert!(groups.iter().all(|g| g.label.len() > 2));
        assert!(picker.lists("UTC") && picker.lists("Asia/Kolkata"));
        assert!(!picker.lists("Asia/Calcutta") && !picker.lists("US/Eastern"));
    }
}
