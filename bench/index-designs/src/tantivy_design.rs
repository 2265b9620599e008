//! Design A: tantivy, one document per meeting.
//!
//! Why per meeting rather than per group: the directory orders by each
//! group's next *matching* meeting, and which meeting matches depends on the
//! question's windows. With a document per meeting added in (start, end, id)
//! order by one indexing thread, document ids within a segment follow start
//! order and segments hold consecutive runs of it, so a window is a range of
//! document ids (found by binary search on the `start` fast field), and the
//! query's scorer, walked from that range's first id, yields matching
//! meetings already in the directory's order: the page is full after a few
//! dozen documents for a common question, and a rare one only visits its
//! few matches (the scorer skips through the posting lists). A document per
//! group would need every matching group's meetings read and sorted for
//! every question. The price is that each meeting repeats its group's words
//! and filter values in the posting lists.

use std::collections::HashSet;
use std::ops::Bound;

use tantivy::collector::Count;
use tantivy::columnar::Column;
use tantivy::indexer::NoMergePolicy;
use tantivy::query::{AllQuery, BooleanQuery, EnableScoring, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{DocId, DocSet, Index, IndexReader, Searcher, TERMINATED, TantivyDocument, Term};

use crate::data::{Answer, Data, Search, page};

struct Fields {
    words: Field,
    prefixes: Field,
    format: Field,
    focus: Field,
    attribute: Field,
    language: Field,
    primary: Field,
    country: Field,
    region: Field,
    city: Field,
    start: Field,
    end: Field,
    occ: Field,
}

/// A segment's fast columns, and its place in start order.
struct Segment {
    ord: usize,
    start: Column<i64>,
    end: Column<i64>,
    occ: Column<u64>,
    max_doc: DocId,
}

/// The index, in RAM.
pub struct TantivyIndex {
    f: Fields,
    _reader: IndexReader,
    searcher: Searcher,
    /// Segments in start order.
    segments: Vec<Segment>,
}

impl TantivyIndex {
    /// Builds it: one indexing thread with `budget` bytes, so documents
    /// keep their order.
    pub fn build(data: &Data, budget: usize) -> tantivy::Result<Self> {
        let mut sb = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("ws")
                .set_index_option(IndexRecordOption::Basic),
        );
        let f = Fields {
            words: sb.add_text_field("words", text.clone()),
            // Every 1–3 character prefix of a word, so that a short prefix
            // is one posting list rather than a merge of thousands (an
            // edge n-gram field, the usual tantivy answer).
            prefixes: sb.add_text_field("prefixes", text),
            format: sb.add_text_field("format", STRING),
            focus: sb.add_text_field("focus", STRING),
            attribute: sb.add_text_field("attribute", STRING),
            language: sb.add_text_field("language", STRING),
            primary: sb.add_text_field("primary", STRING),
            country: sb.add_text_field("country", STRING),
            region: sb.add_text_field("region", STRING),
            city: sb.add_text_field("city", STRING),
            start: sb.add_i64_field("start", FAST),
            end: sb.add_i64_field("end", FAST),
            occ: sb.add_u64_field("occ", FAST),
        };
        let index = Index::create_in_ram(sb.build());
        index
            .tokenizers()
            .register("ws", TextAnalyzer::from(WhitespaceTokenizer::default()));
        // Each group's text fields once; a meeting's document copies them.
        let docs: Vec<TantivyDocument> = data
            .groups
            .iter()
            .map(|g| {
                let mut d = TantivyDocument::default();
                d.add_text(f.words, g.words.join(" "));
                let mut pre: Vec<&str> = g
                    .words
                    .iter()
                    .flat_map(|w| {
                        w.char_indices()
                            .take(3)
                            .map(move |(at, c)| &w[..at + c.len_utf8()])
                    })
                    .collect();
                pre.sort_unstable();
                pre.dedup();
                d.add_text(f.prefixes, pre.join(" "));
                d.add_text(f.format, &g.format);
                for bit in 0..63 {
                    if g.focus & (1 << bit) != 0 {
                        d.add_text(f.focus, bit.to_string());
                    }
                    if g.attributes & (1 << bit) != 0 {
                        d.add_text(f.attribute, bit.to_string());
                    }
                }
                d.add_text(f.language, &g.language);
                d.add_text(f.primary, &g.language_primary);
                for (field, v) in [
                    (f.country, &g.country),
                    (f.region, &g.region_key),
                    (f.city, &g.city_key),
                ] {
                    if let Some(v) = v {
                        d.add_text(field, v);
                    }
                }
                d
            })
            .collect();
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, budget)?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        for (o, m) in data.meetings.iter().enumerate() {
            let mut d = docs[m.group as usize].clone();
            d.add_i64(f.start, m.start);
            d.add_i64(f.end, m.end);
            d.add_u64(f.occ, o as u64);
            writer.add_document(d)?;
        }
        drop(docs);
        writer.commit()?;
        writer.wait_merging_threads()?;
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let mut segments = Vec::new();
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let ff = seg.fast_fields();
            segments.push(Segment {
                ord,
                start: ff.i64("start")?,
                end: ff.i64("end")?,
                occ: ff.u64("occ")?,
                max_doc: seg.max_doc(),
            });
        }
        segments.retain(|s| s.max_doc > 0);
        // Ordered by their first meeting's ordinal, not start: a run of
        // equal starts may straddle two segments.
        segments.sort_by_key(|s| s.occ.values.get_val(0));
        let mut next = 0;
        for s in &segments {
            assert_eq!(
                s.occ.values.get_val(0),
                next,
                "segments hold consecutive meetings"
            );
            assert_eq!(
                s.occ.values.get_val(s.max_doc - 1),
                next + u64::from(s.max_doc) - 1
            );
            next += u64::from(s.max_doc);
        }
        let count = searcher.search(&AllQuery, &Count)?;
        assert_eq!(count, data.meetings.len(), "every meeting indexed");
        Ok(Self {
            f,
            _reader: reader,
            searcher,
            segments,
        })
    }

    /// Segments, and bytes the index takes as tantivy counts them.
    pub fn size(&self) -> (usize, u64) {
        let bytes = self
            .searcher
            .space_usage()
            .map(|u| u.total().get_bytes())
            .unwrap_or(0);
        (self.segments.len(), bytes)
    }

    fn query(&self, s: &Search) -> tantivy::Result<Box<dyn Query>> {
        let f = &self.f;
        let term = |field: Field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, v),
                IndexRecordOption::Basic,
            ))
        };
        let any = |mut qs: Vec<Box<dyn Query>>| -> Box<dyn Query> {
            if qs.len() == 1 {
                qs.remove(0)
            } else {
                Box::new(BooleanQuery::new(
                    qs.into_iter().map(|q| (Occur::Should, q)).collect(),
                ))
            }
        };
        let mut must: Vec<Box<dyn Query>> = Vec::new();
        for t in &s.terms {
            if t.chars().count() <= 3 {
                must.push(term(f.prefixes, t));
            } else {
                // Every word from the term to the term followed by the
                // last char: a range of the term dictionary (its FST), its
                // posting lists unioned. Cheaper than a `RegexQuery` `t.*`,
                // whose automaton is compiled per question (0.8 ms mean).
                let upper = format!("{t}{}", char::MAX);
                must.push(Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_text(f.words, t)),
                    Bound::Excluded(Term::from_field_text(f.words, &upper)),
                )));
            }
        }
        if !s.formats.is_empty() {
            must.push(any(s.formats.iter().map(|v| term(f.format, v)).collect()));
        }
        if s.focus != 0 {
            let bits = (0..63).filter(|b| s.focus & (1 << b) != 0);
            must.push(any(bits.map(|b| term(f.focus, &b.to_string())).collect()));
        }
        for b in (0..63).filter(|b| s.attributes & (1 << b) != 0) {
            must.push(term(f.attribute, &b.to_string()));
        }
        if let Some(l) = &s.language {
            let field = if l.contains('-') {
                f.language
            } else {
                f.primary
            };
            must.push(term(field, l));
        }
        for (field, v) in [
            (f.country, &s.country),
            (f.region, &s.region),
            (f.city, &s.city),
        ] {
            if let Some(v) = v {
                must.push(term(field, v));
            }
        }
        Ok(match must.len() {
            0 => Box::new(AllQuery),
            1 => must.remove(0),
            _ => Box::new(BooleanQuery::new(
                must.into_iter().map(|q| (Occur::Must, q)).collect(),
            )),
        })
    }

    /// Answers a search.
    pub fn search(&self, data: &Data, s: &Search) -> tantivy::Result<Answer> {
        if s.windows.is_empty() || s.limit == 0 {
            return Ok(Vec::new());
        }
        let query = self.query(s)?;
        let weight = query.weight(EnableScoring::disabled_from_searcher(&self.searcher))?;
        let readers = self.searcher.segment_readers();
        let want = s.offset + s.limit;
        let mut scorers: Vec<Option<Box<dyn tantivy::query::Scorer>>> =
            self.segments.iter().map(|_| None).collect();
        let mut seen: HashSet<u32> = HashSet::with_capacity(want * 2);
        let mut firsts: Vec<u32> = Vec::with_capacity(want + 8);
        let mut bound: Option<i64> = None;
        'windows: for &(from, until) in &s.windows {
            for (k, seg) in self.segments.iter().enumerate() {
                let lo = lower_bound(&seg.start, seg.max_doc, from);
                let hi = lower_bound(&seg.start, seg.max_doc, until);
                if lo >= hi {
                    continue;
                }
                let scorer = match &mut scorers[k] {
                    Some(sc) => sc,
                    slot => slot.insert(weight.scorer(&readers[seg.ord], 1.0)?),
                };
                let mut doc = scorer.doc();
                if doc < lo {
                    doc = scorer.seek(lo);
                }
                while doc != TERMINATED && doc < hi {
                    let start = seg.start.values.get_val(doc);
                    if bound.is_some_and(|b| start > b) {
                        break 'windows;
                    }
                    if seg.end.values.get_val(doc) > s.now {
                        let o = seg.occ.values.get_val(doc) as u32;
                        if seen.insert(data.meetings[o as usize].group) {
                            firsts.push(o);
                            if firsts.len() == want {
                                bound = Some(start);
                            }
                        }
                    }
                    doc = scorer.advance();
                }
            }
        }
        Ok(page(data, firsts, s))
    }
}

/// The first document whose start is at least `value` (starts ascend).
fn lower_bound(col: &Column<i64>, max_doc: DocId, value: i64) -> DocId {
    let (mut lo, mut hi) = (0, max_doc);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if col.values.get_val(mid) < value {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}
