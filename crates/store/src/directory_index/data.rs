//! What the index holds: every listed group with its meetings ahead, and
//! posting lists of group ids for words, short prefixes and filter values.
//! Group ids are the database's own, so a change names its group directly.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use roaring::RoaringBitmap;

use crate::model::DirectoryHit;

/// Prefixes up to this many characters have a posting list of their own:
/// a one-letter search is then one list, not a merge of thousands.
pub(super) const PREFIX_CHARS: usize = 3;

/// A listed group as the index keeps it.
#[derive(Debug, Clone)]
pub(crate) struct IndexedGroup {
    /// Its database id.
    pub id: u32,
    /// The hit it answers, with `next` filled in per search.
    pub hit: DirectoryHit,
    /// The order among groups meeting at the same time (byte order, as
    /// SQLite's `BINARY` and PostgreSQL's `"C"` collations compare).
    pub sort_name: Box<str>,
    /// Its search text: words joined by single spaces. Kept whole, not as
    /// a list of words: a tenth of the memory, and split only when the
    /// group goes in or out.
    pub search_text: Box<str>,
    /// The filter values a hit does not show: its masks, primary language
    /// and place keys.
    pub keys: FacetKeys,
    /// Its meetings that are not cancelled, by (start, end, id).
    pub meetings: Vec<Meeting>,
}

/// What a group is filtered by beyond its hit's own fields.
#[derive(Debug, Clone)]
pub(crate) struct FacetKeys {
    /// Its focus bits.
    pub focus_mask: i64,
    /// Its attribute bits.
    pub attribute_mask: i64,
    /// Its language's primary subtag.
    pub primary_language: Box<str>,
    /// Its region's place key.
    pub region: Option<Box<str>>,
    /// Its city's place key.
    pub city: Option<Box<str>>,
}

impl IndexedGroup {
    /// Its filter values, each listed once.
    pub fn facets(&self) -> Vec<Facet> {
        let keys = &self.keys;
        let mut facets = vec![
            Facet::Format(self.hit.format.code().into()),
            Facet::Language(self.hit.language.as_str().into()),
            Facet::PrimaryLanguage(keys.primary_language.clone()),
        ];
        facets.extend(bits(keys.focus_mask).map(Facet::Focus));
        facets.extend(bits(keys.attribute_mask).map(Facet::Attribute));
        facets.extend(
            self.hit
                .place
                .country
                .as_deref()
                .map(|c| Facet::Country(c.into())),
        );
        facets.extend(keys.region.clone().map(Facet::Region));
        facets.extend(keys.city.clone().map(Facet::City));
        facets
    }
}

/// Each bit set in `mask`, as a mask of its own.
fn bits(mask: i64) -> impl Iterator<Item = i64> {
    (0..63)
        .map(|shift| 1_i64 << shift)
        .filter(move |bit| mask & bit != 0)
}

/// One meeting of a group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Meeting {
    /// When it starts, unix seconds.
    pub starts_at: i64,
    /// When it ends, unix seconds.
    pub ends_at: i64,
    /// Its public id, 128 bits of lowercase hex, held as the number:
    /// a sixth of the memory of the text, and the same order.
    pub id: u128,
}

impl Meeting {
    /// Its public id as text.
    pub fn id_text(&self) -> String {
        format!("{:032x}", self.id)
    }
}

/// A filter value a group has.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Facet {
    /// Its format's code.
    Format(Box<str>),
    /// One bit of its focus mask.
    Focus(i64),
    /// One bit of its attribute mask.
    Attribute(i64),
    /// Its full language tag.
    Language(Box<str>),
    /// Its language's primary subtag.
    PrimaryLanguage(Box<str>),
    /// Its country.
    Country(Box<str>),
    /// Its region's place key.
    Region(Box<str>),
    /// Its city's place key.
    City(Box<str>),
}

/// The index itself: plain data, changed only under the owner's write lock.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// Groups by id.
    pub groups: Groups,
    /// Every group id in the index.
    pub all: RoaringBitmap,
    /// Whole words and prefixes of up to [`PREFIX_CHARS`] characters.
    pub words: BTreeMap<Box<str>, RoaringBitmap>,
    /// Filter values.
    pub facets: HashMap<Facet, RoaringBitmap>,
    /// Every meeting as (start, group, end): the walk's order. The end is
    /// here so the walk passes meetings that have ended without looking
    /// their group up (a fifth of all it reads began before now).
    pub by_start: BTreeSet<(i64, u32, i64)>,
    /// How many meetings are held.
    pub meetings: usize,
    /// The longest any meeting held has lasted, in seconds (it only grows
    /// until the index is built afresh): a meeting that began longer ago
    /// than this before now has ended, so a walk starts no earlier.
    pub longest: i64,
}

impl Index {
    /// Puts a group in, replacing what was held for it.
    pub fn upsert(&mut self, group: IndexedGroup) {
        self.remove(group.id);
        let id = group.id;
        self.all.insert(id);
        for key in posting_keys(&group.search_text) {
            self.words.entry(key).or_default().insert(id);
        }
        for facet in group.facets() {
            self.facets.entry(facet).or_default().insert(id);
        }
        for meeting in &group.meetings {
            self.by_start
                .insert((meeting.starts_at, id, meeting.ends_at));
        }
        self.meetings += group.meetings.len();
        let longest = group.meetings.iter().map(|m| m.ends_at - m.starts_at).max();
        self.longest = self.longest.max(longest.unwrap_or(0));
        self.groups.insert(group);
    }

    /// Takes a group out, if it is held.
    pub fn remove(&mut self, id: u32) {
        let Some(group) = self.groups.remove(id) else {
            return;
        };
        self.all.remove(id);
        for key in posting_keys(&group.search_text) {
            if let Some(list) = self.words.get_mut(&key) {
                list.remove(id);
                if list.is_empty() {
                    self.words.remove(&key);
                }
            }
        }
        for facet in group.facets() {
            if let Some(list) = self.facets.get_mut(&facet) {
                list.remove(id);
                if list.is_empty() {
                    self.facets.remove(&facet);
                }
            }
        }
        for meeting in &group.meetings {
            self.by_start
                .remove(&(meeting.starts_at, id, meeting.ends_at));
        }
        self.meetings -= group.meetings.len();
    }
}

/// Groups by their id, in a vector: ids are dense, and a search looks a
/// group up for every meeting it reads (a hash map's lookup was a fifth of
/// a search's time).
#[derive(Debug, Default)]
pub(crate) struct Groups {
    slots: Vec<Option<IndexedGroup>>,
    held: usize,
}

impl Groups {
    /// The group with this id, if held.
    pub fn get(&self, id: u32) -> Option<&IndexedGroup> {
        self.slots.get(id as usize).and_then(Option::as_ref)
    }

    /// How many groups are held.
    pub fn len(&self) -> usize {
        self.held
    }

    /// Every group held.
    pub fn iter(&self) -> impl Iterator<Item = &IndexedGroup> {
        self.slots.iter().flatten()
    }

    fn insert(&mut self, group: IndexedGroup) {
        let at = group.id as usize;
        if self.slots.len() <= at {
            self.slots.resize_with(at + 1, || None);
        }
        if self.slots[at].replace(group).is_none() {
            self.held += 1;
        }
    }

    fn remove(&mut self, id: u32) -> Option<IndexedGroup> {
        let group = self.slots.get_mut(id as usize)?.take()?;
        self.held -= 1;
        Some(group)
    }
}

/// The keys a group's id is listed under for its search text: each word,
/// and each word's prefixes of up to [`PREFIX_CHARS`] characters.
fn posting_keys(search_text: &str) -> BTreeSet<Box<str>> {
    let mut keys = BTreeSet::new();
    for word in search_text.split(' ').filter(|w| !w.is_empty()) {
        keys.insert(word.into());
        for (count, (end, _)) in word.char_indices().skip(1).enumerate() {
            if count >= PREFIX_CHARS {
                break;
            }
            keys.insert(word[..end].into());
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meeting_id_is_written_back_as_it_was_read() {
        let text = "00002a821b540c50bbd7209292861c15";
        let id = u128::from_str_radix(text, 16).expect("hex");
        let meeting = Meeting {
            starts_at: 0,
            ends_at: 1,
            id,
        };
        assert_eq!(meeting.id_text(), text);
    }

    #[test]
    fn a_word_is_listed_under_itself_and_its_short_prefixes() {
        let keys = posting_keys("tapering we tapering");
        let keys: Vec<&str> = keys.iter().map(|k| &**k).collect();
        assert_eq!(keys, ["t", "ta", "tap", "tapering", "w", "we"]);
    }

    #[test]
    fn prefixes_count_characters_not_bytes() {
        let keys = posting_keys("östrogen");
        let keys: Vec<&str> = keys.iter().map(|k| &**k).collect();
        assert_eq!(keys, ["ö", "ös", "öst", "östrogen"]);
    }
}
