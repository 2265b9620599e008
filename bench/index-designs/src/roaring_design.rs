//! Design B: posting lists in roaring bitmaps over group indexes, meetings
//! in one Vec sorted by (start, end, id), and each group's meetings.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;

use roaring::RoaringBitmap;

use crate::data::{Answer, Data, Search, in_windows, page};

/// Which filter a value belongs to.
#[derive(Hash, PartialEq, Eq, Clone, Copy)]
enum Kind {
    Format,
    Focus,
    Attribute,
    Language,
    Primary,
    Country,
    Region,
    City,
}

/// The index.
pub struct RoaringIndex {
    /// Whole words, ordered so a longer prefix is a range.
    words: BTreeMap<String, RoaringBitmap>,
    /// Every 1–3 character prefix of a word: one list, no merging.
    prefixes: HashMap<String, RoaringBitmap>,
    /// Filter values.
    values: HashMap<(Kind, String), RoaringBitmap>,
    /// Every listed group.
    all: RoaringBitmap,
    /// Each group's meeting ordinals, ascending (so by start, end, id).
    by_group: Vec<Vec<u32>>,
    /// Which plan the last query took (true: walk), for the report.
    pub walks: std::cell::Cell<u64>,
}

/// The walk stops and hands over to the groups plan past this many
/// meetings read per result wanted.
const WALK_BUDGET_PER_RESULT: usize = 64;

/// A meeting read by the walk against a candidate handled by the groups
/// plan: how many of the first cost one of the second (measured roughly).
const WALK_COST_RATIO: usize = 8;

impl RoaringIndex {
    /// Builds it from the loaded data.
    pub fn build(data: &Data) -> Self {
        // Group numbers ascend as groups are read, so each list is built
        // sorted and turned into a bitmap once.
        let bits: Vec<String> = (0..63).map(|b: u32| b.to_string()).collect();
        let mut words: HashMap<&str, Vec<u32>> = HashMap::new();
        let mut prefixes: HashMap<&str, Vec<u32>> = HashMap::new();
        let mut values: HashMap<(Kind, &str), Vec<u32>> = HashMap::new();
        fn add<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<u32>>, key: K, i: u32) {
            let list = map.entry(key).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
        for (i, g) in data.groups.iter().enumerate() {
            let i = i as u32;
            for w in &g.words {
                add(&mut words, w.as_str(), i);
                for (at, c) in w.char_indices().take(3) {
                    add(&mut prefixes, &w[..at + c.len_utf8()], i);
                }
            }
            add(&mut values, (Kind::Format, g.format.as_str()), i);
            for (bit, name) in bits.iter().enumerate() {
                if g.focus & (1 << bit) != 0 {
                    add(&mut values, (Kind::Focus, name.as_str()), i);
                }
                if g.attributes & (1 << bit) != 0 {
                    add(&mut values, (Kind::Attribute, name.as_str()), i);
                }
            }
            add(&mut values, (Kind::Language, g.language.as_str()), i);
            add(&mut values, (Kind::Primary, g.language_primary.as_str()), i);
            for (kind, v) in [
                (Kind::Country, &g.country),
                (Kind::Region, &g.region_key),
                (Kind::City, &g.city_key),
            ] {
                if let Some(v) = v {
                    add(&mut values, (kind, v.as_str()), i);
                }
            }
        }
        let bitmap = |list: Vec<u32>| {
            let mut b = RoaringBitmap::from_sorted_iter(list).unwrap_or_default();
            b.optimize();
            b
        };
        let words: BTreeMap<String, RoaringBitmap> = words
            .into_iter()
            .map(|(k, v)| (k.to_owned(), bitmap(v)))
            .collect();
        let prefixes: HashMap<String, RoaringBitmap> = prefixes
            .into_iter()
            .map(|(k, v)| (k.to_owned(), bitmap(v)))
            .collect();
        let values: HashMap<(Kind, String), RoaringBitmap> = values
            .into_iter()
            .map(|((kind, k), v)| ((kind, k.to_owned()), bitmap(v)))
            .collect();
        let all = (0..data.groups.len() as u32).collect();
        let mut by_group = vec![Vec::new(); data.groups.len()];
        for (o, m) in data.meetings.iter().enumerate() {
            by_group[m.group as usize].push(o as u32);
        }
        Self {
            words,
            prefixes,
            values,
            all,
            by_group,
            walks: std::cell::Cell::new(0),
        }
    }

    /// Bytes the bitmaps take serialized (about their size in memory), and
    /// the meeting lists'.
    pub fn size_bytes(&self) -> (usize, usize) {
        let bitmaps: usize = self
            .words
            .values()
            .chain(self.prefixes.values())
            .chain(self.values.values())
            .map(RoaringBitmap::serialized_size)
            .sum::<usize>()
            + self.all.serialized_size();
        let keys: usize = self.words.keys().map(String::len).sum::<usize>()
            + self.prefixes.keys().map(String::len).sum::<usize>();
        let lists: usize = self.by_group.iter().map(|l| 24 + 4 * l.capacity()).sum();
        (bitmaps + keys, lists)
    }

    fn term(&self, term: &str) -> RoaringBitmap {
        if term.chars().count() <= 3 {
            return self.prefixes.get(term).cloned().unwrap_or_default();
        }
        let mut out = RoaringBitmap::new();
        for (w, b) in self
            .words
            .range::<str, _>((Bound::Included(term), Bound::Unbounded))
        {
            if !w.starts_with(term) {
                break;
            }
            out |= b;
        }
        out
    }

    fn value(&self, kind: Kind, v: &str) -> RoaringBitmap {
        self.values
            .get(&(kind, v.to_owned()))
            .cloned()
            .unwrap_or_default()
    }

    /// The groups every term and filter keeps; `None` for all of them.
    fn candidates(&self, s: &Search) -> Option<RoaringBitmap> {
        let mut sets: Vec<RoaringBitmap> = Vec::new();
        for t in &s.terms {
            sets.push(self.term(t));
        }
        if !s.formats.is_empty() {
            sets.push(
                s.formats
                    .iter()
                    .map(|f| self.value(Kind::Format, f))
                    .fold(RoaringBitmap::new(), |a, b| a | b),
            );
        }
        if s.focus != 0 {
            let mut u = RoaringBitmap::new();
            for bit in 0..63 {
                if s.focus & (1 << bit) != 0 {
                    u |= self.value(Kind::Focus, &bit.to_string());
                }
            }
            sets.push(u);
        }
        for bit in 0..63 {
            if s.attributes & (1 << bit) != 0 {
                sets.push(self.value(Kind::Attribute, &bit.to_string()));
            }
        }
        if let Some(l) = &s.language {
            let kind = if l.contains('-') {
                Kind::Language
            } else {
                Kind::Primary
            };
            sets.push(self.value(kind, l));
        }
        if let Some(c) = &s.country {
            sets.push(self.value(Kind::Country, c));
        }
        if let Some(r) = &s.region {
            sets.push(self.value(Kind::Region, r));
        }
        if let Some(c) = &s.city {
            sets.push(self.value(Kind::City, c));
        }
        sets.sort_by_key(RoaringBitmap::len);
        let mut it = sets.into_iter();
        let mut acc = it.next()?;
        for b in it {
            if acc.is_empty() {
                break;
            }
            acc &= b;
        }
        Some(acc)
    }

    /// Answers a search.
    pub fn search(&self, data: &Data, s: &Search) -> Answer {
        if s.windows.is_empty() || s.limit == 0 {
            return Vec::new();
        }
        let candidates = self.candidates(s);
        let set = candidates.as_ref().unwrap_or(&self.all);
        let count = set.len() as usize;
        if count == 0 {
            return Vec::new();
        }
        let want = s.offset + s.limit;
        // Meetings in the windows, found by binary search.
        let ranges: Vec<(usize, usize)> = s
            .windows
            .iter()
            .map(|w| {
                (
                    data.meetings.partition_point(|m| m.start < w.0),
                    data.meetings.partition_point(|m| m.start < w.1),
                )
            })
            .collect();
        let in_window: usize = ranges.iter().map(|r| r.1 - r.0).sum();
        // A meeting belongs to a candidate with odds count ÷ groups, so the
        // walk reads about want × groups ÷ count meetings (no more than the
        // windows hold), a bitmap probe each; the groups plan touches every
        // candidate's meetings and sorts, several times dearer per item.
        let walk_cost = (want.saturating_mul(self.all.len() as usize) / count).min(in_window);
        if walk_cost < WALK_COST_RATIO * count {
            let budget = 4 * walk_cost + WALK_BUDGET_PER_RESULT * want + 1000;
            if let Some(firsts) = self.walk(data, s, candidates.as_ref(), &ranges, budget) {
                self.walks.set(self.walks.get() + 1);
                return page(data, firsts, s);
            }
        }
        let firsts = set
            .iter()
            .filter_map(|g| self.first_meeting(data, g, s))
            .collect();
        page(data, firsts, s)
    }

    /// Meetings in start order, the first of each candidate group, until
    /// the page and every tie at its last start are in. `None` past the
    /// budget.
    fn walk(
        &self,
        data: &Data,
        s: &Search,
        candidates: Option<&RoaringBitmap>,
        ranges: &[(usize, usize)],
        budget: usize,
    ) -> Option<Vec<u32>> {
        let want = s.offset + s.limit;
        let mut seen: HashSet<u32> = HashSet::with_capacity(want * 2);
        let mut firsts = Vec::with_capacity(want + 8);
        let mut read = 0;
        let mut bound: Option<i64> = None;
        for &(lo, hi) in ranges {
            for o in lo..hi {
                let m = &data.meetings[o];
                if bound.is_some_and(|b| m.start > b) {
                    return Some(firsts);
                }
                // Meetings that have ended are skipped without counting:
                // the windows begin one longest meeting before now (those
                // in progress), which at a million groups is tens of
                // thousands of ended meetings however few are wanted.
                if m.end <= s.now {
                    continue;
                }
                read += 1;
                if read > budget {
                    return None;
                }
                if candidates.is_some_and(|c| !c.contains(m.group)) {
                    continue;
                }
                if seen.insert(m.group) {
                    firsts.push(o as u32);
                    if firsts.len() == want {
                        bound = Some(m.start);
                    }
                }
            }
        }
        Some(firsts)
    }

    /// A group's first meeting in the windows that ends after now.
    fn first_meeting(&self, data: &Data, g: u32, s: &Search) -> Option<u32> {
        let list = &self.by_group[g as usize];
        let first = s.windows[0].0;
        let from = list.partition_point(|&o| data.meetings[o as usize].start < first);
        list[from..].iter().copied().find(|&o| {
            let m = &data.meetings[o as usize];
            m.end > s.now && in_windows(&s.windows, m.start)
        })
    }
}
