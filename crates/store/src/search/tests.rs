//! Every value a filter can take finds exactly its groups: the tests search
//! the store, which the test helpers give a built directory index (the
//! index and this query are compared in `directory_index`'s tests).

use std::sync::Arc;

use jiff::civil::Weekday;
use kith_domain::directory::{RawFilters, horizon};
use kith_domain::group::{Attribute, Focus, Format, ListingStatus, NewGroup};
use kith_domain::zone::Zone;

use crate::Store;
use crate::model::DirectorySearch;
use crate::testing::{group, insert, now};

const LETTERS: &str = "abcdefghijklmnopqrstuvwxyz";

/// Every two-letter code, and "ab" followed by every letter, so each
/// letter is hashed at each of the three places the hash reads.
fn codes() -> Vec<String> {
    let mut codes = Vec::with_capacity(26 * 27);
    for a in LETTERS.chars() {
        for b in LETTERS.chars() {
            codes.push(format!("{a}{b}"));
        }
    }
    codes.extend(LETTERS.chars().map(|c| format!("ab{c}")));
    codes
}

/// A search for the word every test group's name holds, over the whole
/// horizon, with no filter yet.
fn facet_search() -> DirectorySearch {
    let filters = RawFilters::from_pairs([("q", "facet")])
        .parse(&Zone::utc())
        .expect("valid filters");
    DirectorySearch {
        windows: filters.start_windows(now(), horizon(now())),
        terms: filters.terms,
        now: now().as_second(),
        limit: 1000,
        ..DirectorySearch::default()
    }
}

/// The names of the groups a search finds, sorted.
async fn found(store: &Arc<dyn Store>, search: &DirectorySearch) -> Vec<String> {
    let mut names: Vec<String> = store
        .search_directory(search)
        .await
        .expect("search")
        .into_iter()
        .map(|hit| hit.name)
        .collect();
    names.sort();
    names
}

/// One group per code: language the code, country the code in capitals,
/// and format, focus and attribute taken in turn.
fn groups() -> Vec<NewGroup> {
    codes()
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let mut g = group(&format!("Facet {code}"), "UTC", &[Weekday::Monday], "10:00");
            g.profile.language = code.clone();
            g.profile.place.country = Some(code.to_uppercase());
            g.profile.format = Format::ALL[i % Format::ALL.len()];
            g.profile.focus = vec![Focus::ALL[i % Focus::ALL.len()]];
            g.profile.attributes = vec![Attribute::ALL[i % Attribute::ALL.len()]];
            g
        })
        .collect()
}

crate::on_both_backends!(
    every_language_and_country_finds_its_group_through_the_index,
    |store: Arc<dyn Store>| async move {
        insert(&store, &groups(), ListingStatus::Listed).await;
        for code in codes() {
            let expected = vec![format!("Facet {code}")];
            let by_language = DirectorySearch {
                language: Some(code.clone()),
                ..facet_search()
            };
            assert_eq!(
                found(&store, &by_language).await,
                expected,
                "language {code}"
            );
            let by_country = DirectorySearch {
                country: Some(code.to_uppercase()),
                ..facet_search()
            };
            assert_eq!(found(&store, &by_country).await, expected, "country {code}");
        }
    }
);

crate::on_both_backends!(
    every_format_focus_and_attribute_finds_its_groups_through_the_index,
    |store: Arc<dyn Store>| async move {
        let groups = groups();
        insert(&store, &groups, ListingStatus::Listed).await;
        let having = |keep: &dyn Fn(&NewGroup) -> bool| {
            let mut names: Vec<String> = groups
                .iter()
                .filter(|g| keep(g))
                .map(|g| g.profile.name.clone())
                .collect();
            names.sort();
            names
        };
        for &format in Format::ALL {
            let search = DirectorySearch {
                formats: vec![format],
                ..facet_search()
            };
            let expected = having(&|g| g.profile.format == format);
            assert!(!expected.is_empty());
            assert_eq!(found(&store, &search).await, expected, "{format:?}");
        }
        for &focus in Focus::ALL {
            let search = DirectorySearch {
                focus: vec![focus],
                ..facet_search()
            };
            let expected = having(&|g| g.profile.focus.contains(&focus));
            assert_eq!(found(&store, &search).await, expected, "{focus:?}");
        }
        for &attribute in Attribute::ALL {
            let search = DirectorySearch {
                attributes: vec![attribute],
                ..facet_search()
            };
            let expected = having(&|g| g.profile.attributes.contains(&attribute));
            assert_eq!(found(&store, &search).await, expected, "{attribute:?}");
        }
    }
);
