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

impl RoaringIndex {
    /// Builds it from the loaded data.
    pub fn build(data: &Data) -> Self {
        let mut words: BTreeMap<String, RoaringBitmap> = BTreeMap::new();
        let mut prefixes: HashMap<String, RoaringBitmap> = HashMap::new();
        let mut values: HashMap<(Kind, String), RoaringBitmap> = HashMap::new();
        let mut all = RoaringBitmap::new();
        for (i, g) in data.groups.iter().enumerate() {
            let i = i as u32;
            all.insert(i);
            for w in &g.words {
                if let Some(b) = words.get_mut(w.as_str()) {
                    b.insert(i);
                } else {
                    words.entry(w.clone()).or_default().insert(i);
                }
                for (n, (at, c)) in w.char_indices().take(3).enumerate() {
                    let _ = n;
                    let p = &w[..at + c.len_utf8()];
                    if let Some(b) = prefixes.get_mut(p) {
                        b.insert(i);
                    } else {
                        prefixes.entry(p.to_owned()).or_default().insert(i);
                    }
                }
            }
            let mut put = |kind: Kind, v: &str| {
                values.entry((kind, v.to_owned())).or_default().insert(i);
            };
            put(Kind::Format, &g.format);
            for bit in 0..63 {
                if g.focus & (1 << bit) != 0 {
                    put(Kind::Focus, &bit.to_string());
                }
                if g.attributes & (1 << bit) != 0 {
                    put(Kind::Attribute, &bit.to_string());
                }
            }
            put(Kind::Language, &g.language);
            put(Kind::Primary, &g.language_primary);
            if let Some(c) = &g.country {
                put(Kind::Country, c);
            }
            if let Some(r) = &g.region_key {
                put(Kind::Region, r);
            }
            if let Some(c) = &g.city_key {
                put(Kind::City, c);
            }
        }
        let mut by_group = vec![Vec::new(); data.groups.len()];
        for (o, m) in data.meetings.iter().enumerate() {
            by_group[m.group as usize].push(o as u32);
        }
        for b in words
            .values_mut()
            .chain(prefixes.values_mut())
            .chain(values.values_mut())
        {
            b.optimize();
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
        // The walk reads about want × (meetings in windows ÷ candidates)
        // meetings; the groups plan touches every candidate.
        let walk_cost = want.saturating_mul(in_window) / count;
        if walk_cost < count {
            let budget = WALK_BUDGET_PER_RESULT * walk_cost.max(want) + 1000;
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
                read += 1;
                if read > budget {
                    return None;
                }
                if m.end <= s.now || candidates.is_some_and(|c| !c.contains(m.group)) {
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
