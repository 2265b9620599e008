//! Random questions, as a visitor's form or the API asks them, and the
//! comparison of the store's answer with the oracle's.

use kith_domain::group::{Attribute, Focus};
use kith_domain::ids::Slug;
use kith_store::DirectorySearch;

use crate::oracle;

use crate::world::{NEW_WORDS, PLACES, World};

impl World {
    /// A random word of the population (or one edits wrote), or a prefix.
    pub(crate) fn term(&mut self, hints: &[String]) -> String {
        let word = if !hints.is_empty() && self.rng.chance(50) {
            self.rng.pick(hints).clone()
        } else if self.rng.chance(80) {
            let i = self.any_group();
            let words = &self.groups[i].words;
            if words.is_empty() {
                "circle".to_owned()
            } else {
                self.rng.pick(words).clone()
            }
        } else {
            let word = *self.rng.pick(&NEW_WORDS);
            kith_domain::text::tokens(word).join(" ")
        };
        if self.rng.chance(40) {
            let chars: Vec<char> = word.chars().collect();
            let n = 1 + self.rng.below(chars.len().max(1));
            chars[..n.min(chars.len())].iter().collect()
        } else {
            word
        }
    }

    /// Random query pairs, as a visitor's form or the API sends them.
    pub(crate) fn query(&mut self, hints: &[String]) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let terms = if !hints.is_empty() && self.rng.chance(40) {
            1
        } else {
            self.rng.below(4)
        };
        if terms > 0 {
            let words: Vec<String> = (0..terms).map(|_| self.term(hints)).collect();
            pairs.push(("q", words.join(" ")));
        }
        if self.rng.chance(25) {
            for _ in 0..1 + self.rng.below(2) {
                pairs.push(("format", self.rng.pick(&oracle::FORMATS).code().to_owned()));
            }
        }
        if self.rng.chance(15) {
            for _ in 0..1 + self.rng.below(2) {
                pairs.push(("focus", self.rng.pick(Focus::ALL).code().to_owned()));
            }
        }
        if self.rng.chance(10) {
            for _ in 0..1 + self.rng.below(2) {
                pairs.push(("attribute", self.rng.pick(Attribute::ALL).code().to_owned()));
            }
        }
        if self.rng.chance(15) {
            let language = *self
                .rng
                .pick(&["en", "de", "pt", "pt-BR", "pt-PT", "ja", "fr"][..]);
            pairs.push(("language", language.to_owned()));
        }
        let (country, region, city) = *self.rng.pick(&PLACES);
        if self.rng.chance(15) {
            pairs.push(("country", country.to_lowercase()));
        }
        if self.rng.chance(8) {
            pairs.push(("region", region.to_owned()));
        }
        if self.rng.chance(10) {
            pairs.push(("city", city.to_uppercase()));
        }
        let day = self.rng.chance(20);
        let time = self.rng.chance(20);
        if day {
            pairs.push(("day", self.rng.below(7).to_string()));
        }
        if time {
            let part = *self
                .rng
                .pick(&["morning", "afternoon", "evening", "night"][..]);
            pairs.push(("time", part.to_owned()));
        }
        if (day || time) && self.rng.chance(70) {
            pairs.push(("tz", (*self.rng.pick(&oracle::ZONES)).to_owned()));
        }
        if self.rng.chance(10) {
            let minutes = *self.rng.pick(&[30, 60, 180, 1440, 10080]);
            pairs.push(("starts_within", minutes.to_string()));
        }
        if self.rng.chance(8) {
            pairs.push(("in_progress", "true".to_owned()));
        }
        pairs
    }

    /// Compares one search with the oracle.
    pub(crate) async fn check(&self, s: &DirectorySearch, what: &str, round: u32) {
        let got: Vec<(Slug, String, i64)> = self
            .store
            .search_directory(s)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}\n{}", self.context(round)))
            .into_iter()
            .map(|h| (h.slug, h.name, h.next.starts_at.as_second()))
            .collect();
        let want = oracle::expected_of(&self.groups, s);
        assert!(
            got == want,
            "{what}: the store answered\n  {got:?}\nthe oracle\n  {want:?}\n{}",
            self.context(round)
        );
    }
}
