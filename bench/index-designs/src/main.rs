//! Compares two designs for the directory's in-memory search index on the
//! data of a kith SQLite database: tantivy (a document per meeting) and
//! roaring posting lists with meetings sorted by start. Both must give the
//! same answer to every question timed (and a brute-force scan agrees on a
//! sample); the run panics otherwise. See README.md.

mod data;
mod roaring_design;
mod tantivy_design;

use std::collections::HashMap;
use std::time::Instant;

use kith_domain::directory::{PAGE_SIZE, RawFilters, horizon};
use kith_domain::group::{Attribute, Focus, Format};
use kith_domain::zone::Zone;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use data::{Answer, Data, Search, in_windows};

const ZONES: &[&str] = &[
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Adelaide",
    "America/Los_Angeles",
    "Europe/London",
    "UTC",
];
const TIMES: &[&str] = &["morning", "afternoon", "evening", "night"];

/// The 16 named questions of `bench/search-mix.lua` (as on main before
/// issue 23), without the path.
const NAMED: &[&str] = &[
    "q=tapering",
    "q=quill1234",
    "format=video",
    "q=we",
    "day=2&time=evening&tz=Europe/Berlin",
    "q=cameras&format=phone",
    "starts_within=120&tz=America/New_York",
    "q=quill12",
    "page=5",
    "in_progress=true",
    "language=de&day=4&tz=Asia/Kolkata",
    "q=peer&page=3",
    "focus=hearing_voices&time=morning&tz=Australia/Adelaide",
    "country=GB&format=in_person",
    "q=tap&attribute=newcomer_friendly",
    "",
];

type Pairs = Vec<(&'static str, String)>;

fn pairs_of(query: &str) -> Pairs {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let k: &'static str = Box::leak(k.to_owned().into_boxed_str());
            (k, v.to_owned())
        })
        .collect()
}

/// The question as the app would ask the store: parsed and windowed by
/// kith-domain itself.
fn to_search(pairs: &Pairs, now: jiff::Timestamp) -> Search {
    let raw = RawFilters::from_pairs(pairs.iter().map(|(k, v)| (*k, v.clone())));
    let f = raw
        .parse(&Zone::utc())
        .unwrap_or_else(|e| panic!("invalid question {pairs:?}: {e:?}"));
    Search {
        terms: f.terms.clone(),
        formats: f.formats.iter().map(|x| x.code().to_owned()).collect(),
        focus: f.focus.iter().fold(0, |m, x| m | x.bit()),
        attributes: f.attributes.iter().fold(0, |m, x| m | x.bit()),
        language: f.language.clone(),
        country: f.country.clone(),
        region: f.region.clone(),
        city: f.city.clone(),
        windows: f.start_windows(now, horizon(now)),
        now: now.as_second(),
        offset: ((f.page - 1) * PAGE_SIZE) as usize,
        limit: (PAGE_SIZE + 1) as usize,
    }
}

/// Words by how many groups hold them, for drawing questions.
struct Vocabulary {
    common: Vec<String>,
    medium: Vec<String>,
    rare: Vec<String>,
    letters: Vec<String>,
}

fn vocabulary(data: &Data) -> Vocabulary {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for g in &data.groups {
        let mut ws: Vec<&str> = g.words.iter().map(String::as_str).collect();
        ws.sort_unstable();
        ws.dedup();
        for w in ws {
            *df.entry(w).or_default() += 1;
        }
    }
    let n = data.groups.len();
    let pick = |lo: usize, hi: usize| {
        let mut v: Vec<String> = df
            .iter()
            .filter(|(_, c)| (lo..=hi).contains(*c))
            .map(|(w, _)| (*w).to_owned())
            .collect();
        v.sort();
        v
    };
    let mut letters: Vec<String> = df
        .keys()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_ascii_lowercase())
        .map(String::from)
        .collect();
    letters.sort();
    letters.dedup();
    Vocabulary {
        common: pick(n / 20, n),
        medium: pick(n / 100, n),
        rare: pick(1, (n / 5000).max(2)),
        letters,
    }
}

const KINDS: &[&str] = &[
    "no filter",
    "common word",
    "rare word",
    "1-letter prefix",
    "two words",
    "format+day+time+zone",
    "every filter",
    "page 50",
    "16 named questions",
];

fn draw(kind: &str, i: usize, rng: &mut impl Rng, v: &Vocabulary, data: &Data) -> Pairs {
    let s = |x: &str| x.to_owned();
    let one = |list: &[String], rng: &mut dyn rand::RngCore| {
        list.choose(rng).cloned().unwrap_or_else(|| s("we"))
    };
    let format =
        |rng: &mut dyn rand::RngCore| s(Format::ALL.choose(rng).map_or("video", |f| f.code()));
    match kind {
        "no filter" => vec![("tz", s(ZONES.choose(rng).unwrap_or(&"UTC")))],
        "common word" => vec![("q", one(&v.common, rng))],
        "rare word" => vec![("q", one(&v.rare, rng))],
        "1-letter prefix" => vec![("q", one(&v.letters, rng))],
        "two words" => vec![(
            "q",
            format!("{} {}", one(&v.medium, rng), one(&v.medium, rng)),
        )],
        "format+day+time+zone" => vec![
            ("format", format(rng)),
            ("day", rng.random_range(0..7).to_string()),
            ("time", s(TIMES.choose(rng).unwrap_or(&"evening"))),
            ("tz", s(ZONES.choose(rng).unwrap_or(&"UTC"))),
        ],
        "every filter" => {
            let g = &data.groups[rng.random_range(0..data.groups.len())];
            let mut p: Pairs = vec![
                ("q", g.words.choose(rng).cloned().unwrap_or_else(|| s("we"))),
                ("format", g.format.clone()),
                ("language", g.language.clone()),
                ("day", rng.random_range(0..7).to_string()),
                ("time", s(TIMES.choose(rng).unwrap_or(&"evening"))),
                ("tz", s(ZONES.choose(rng).unwrap_or(&"UTC"))),
            ];
            if let Some(f) = Focus::ALL.iter().find(|f| g.focus & f.bit() != 0) {
                p.push(("focus", s(f.code())));
            }
            if let Some(a) = Attribute::ALL.iter().find(|a| g.attributes & a.bit() != 0) {
                p.push(("attribute", s(a.code())));
            }
            for (k, val) in [
                ("country", &g.country),
                ("region", &g.region_key),
                ("city", &g.city_key),
            ] {
                if let Some(val) = val {
                    p.push((k, val.clone()));
                }
            }
            p
        }
        "page 50" => {
            let mut p = vec![("page", s("50"))];
            if rng.random_bool(0.5) {
                p.push(("q", one(&v.common, rng)));
            }
            p
        }
        _ => pairs_of(NAMED[i % NAMED.len()]),
    }
}

/// The question answered by reading everything: the semantics of
/// `crates/store/src/search.rs`, with no index.
fn brute_force(data: &Data, s: &Search) -> Answer {
    if s.windows.is_empty() || s.limit == 0 {
        return Vec::new();
    }
    let keep: Vec<bool> = data
        .groups
        .iter()
        .map(|g| {
            s.terms
                .iter()
                .all(|t| g.words.iter().any(|w| w.starts_with(t.as_str())))
                && (s.formats.is_empty() || s.formats.contains(&g.format))
                && (s.focus == 0 || g.focus & s.focus != 0)
                && g.attributes & s.attributes == s.attributes
                && s.language.as_ref().is_none_or(|l| {
                    if l.contains('-') {
                        &g.language == l
                    } else {
                        &g.language_primary == l
                    }
                })
                && s.country
                    .as_ref()
                    .is_none_or(|c| g.country.as_ref() == Some(c))
                && s.region
                    .as_ref()
                    .is_none_or(|c| g.region_key.as_ref() == Some(c))
                && s.city
                    .as_ref()
                    .is_none_or(|c| g.city_key.as_ref() == Some(c))
        })
        .collect();
    let mut first: HashMap<u32, u32> = HashMap::new();
    for (o, m) in data.meetings.iter().enumerate() {
        if keep[m.group as usize] && m.end > s.now && in_windows(&s.windows, m.start) {
            first.entry(m.group).or_insert(o as u32);
        }
    }
    data::page(data, first.into_values().collect(), s)
}

fn status(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let at = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
    (mean, at(0.5), at(0.99))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: index-designs DB [VARIATIONS] [only-roaring|only-tantivy]");
    let variations: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(200);
    let only = args.get(3).map(String::as_str);
    let budget: usize = std::env::var("TANTIVY_BUDGET_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
        * 1_000_000;

    let rss_start = status("VmRSS:");
    let t = Instant::now();
    let data = data::load(path).expect("reading the database");
    let load_s = t.elapsed().as_secs_f64();
    let rss_data = status("VmRSS:");
    println!(
        "loaded {} listed groups, {} meetings in {load_s:.1} s; RSS {:.0} → {:.0} MiB",
        data.groups.len(),
        data.meetings.len(),
        mib(rss_start),
        mib(rss_data)
    );

    let build_roaring = || {
        let before = status("VmRSS:");
        let t = Instant::now();
        let r = roaring_design::RoaringIndex::build(&data);
        let secs = t.elapsed().as_secs_f64();
        let after = status("VmRSS:");
        let (bitmaps, lists) = r.size_bytes();
        println!(
            "roaring: built in {secs:.2} s; RSS +{:.0} MiB ({:.0} → {:.0}); bitmaps {:.0} MiB, per-group lists {:.0} MiB (plus the shared meetings Vec {:.0} MiB)",
            mib(after.saturating_sub(before)),
            mib(before),
            mib(after),
            bitmaps as f64 / 1048576.0,
            lists as f64 / 1048576.0,
            (data.meetings.len() * std::mem::size_of::<data::Meeting>()) as f64 / 1048576.0,
        );
        r
    };
    let build_tantivy = || {
        let before = status("VmRSS:");
        let t = Instant::now();
        let x = tantivy_design::TantivyIndex::build(&data, budget).expect("tantivy build");
        let secs = t.elapsed().as_secs_f64();
        let after = status("VmRSS:");
        let (segments, bytes) = x.size();
        println!(
            "tantivy: built in {secs:.2} s; RSS +{:.0} MiB ({:.0} → {:.0}), peak {:.0} MiB; {segments} segments, space_usage {:.0} MiB",
            mib(after.saturating_sub(before)),
            mib(before),
            mib(after),
            mib(status("VmHWM:")),
            bytes as f64 / 1048576.0
        );
        x
    };
    match only {
        Some("only-roaring") => {
            let _r = build_roaring();
            return;
        }
        Some("only-tantivy") => {
            let _t = build_tantivy();
            return;
        }
        _ => {}
    }
    let roaring = build_roaring();
    let tantivy = build_tantivy();

    let vocab = vocabulary(&data);
    println!(
        "words: {} common (≥5%), {} medium (≥1%), {} rare (≤0.02%)",
        vocab.common.len(),
        vocab.medium.len(),
        vocab.rare.len()
    );
    let now = jiff::Timestamp::now();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(23);
    println!();
    println!(
        "| question ({variations} variations) | roaring mean µs | p50 | p99 | tantivy mean µs | p50 | p99 | roaring walked | mean results |"
    );
    println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    for kind in KINDS {
        let searches: Vec<(Pairs, Search)> = (0..variations)
            .map(|i| {
                let p = draw(kind, i, &mut rng, &vocab, &data);
                let s = to_search(&p, now);
                (p, s)
            })
            .collect();
        // A sample checked against reading everything.
        for (p, s) in searches.iter().take(3) {
            let truth = brute_force(&data, s);
            assert_eq!(roaring.search(&data, s), truth, "roaring is wrong on {p:?}");
        }
        for (_, s) in searches.iter().take(5) {
            let _ = roaring.search(&data, s);
            let _ = tantivy.search(&data, s);
        }
        roaring.walks.set(0);
        let (mut tr, mut tt, mut results) = (Vec::new(), Vec::new(), 0);
        for (p, s) in &searches {
            // The fastest of three runs: the cost of the question, without
            // the preemptions of a machine shared with other builds.
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let (mut best_r, mut best_t) = (f64::MAX, f64::MAX);
            for _ in 0..3 {
                let t = Instant::now();
                a = roaring.search(&data, s);
                best_r = best_r.min(t.elapsed().as_secs_f64() * 1e6);
                let t = Instant::now();
                b = tantivy.search(&data, s).expect("tantivy search");
                best_t = best_t.min(t.elapsed().as_secs_f64() * 1e6);
            }
            tr.push(best_r);
            tt.push(best_t);
            assert_eq!(a, b, "the designs differ on {p:?}");
            results += a.len();
        }
        let (rm, r50, rp) = stats(tr);
        let (tm, t50, tp) = stats(tt);
        println!(
            "| {kind} | {rm:.0} | {r50:.0} | {rp:.0} | {tm:.0} | {t50:.0} | {tp:.0} | {}% | {:.1} |",
            roaring.walks.get() * 100 / (3 * variations as u64),
            results as f64 / variations as f64
        );
    }
    println!();
    println!("peak RSS {:.0} MiB", mib(status("VmHWM:")));
}
