//! Times directory searches against an existing database:
//! `cargo run --release -p kith-store --example probe -- sqlite:///tmp/b100k.db`.

use std::time::Instant;

use kith_store::DirectorySearch;

#[tokio::main]
async fn main() {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite://kith-data/kith.db".to_owned());
    let store = kith_store::open(&url, 4).await.expect("open");
    let now = jiff::Timestamp::now().as_second();
    let cases: Vec<(&str, DirectorySearch)> = vec![
        (
            "all",
            DirectorySearch {
                windows: vec![(now, now + 42 * 86400)],
                now,
                limit: 21,
                ..Default::default()
            },
        ),
        (
            "q=we",
            DirectorySearch {
                terms: vec!["we".into()],
                windows: vec![(now, now + 42 * 86400)],
                now,
                limit: 21,
                ..Default::default()
            },
        ),
        (
            "q=tapering",
            DirectorySearch {
                terms: vec!["tapering".into()],
                windows: vec![(now, now + 42 * 86400)],
                now,
                limit: 21,
                ..Default::default()
            },
        ),
        (
            "q=quill12",
            DirectorySearch {
                terms: vec!["quill12".into()],
                windows: vec![(now, now + 42 * 86400)],
                now,
                limit: 21,
                ..Default::default()
            },
        ),
    ];
    if std::env::var("EXPLAIN").is_ok() {
        let pool = sqlx::SqlitePool::connect(&url).await.expect("pool");
        for (name, search) in &cases {
            for (plan, sql) in [
                ("walk", kith_store::search::walk(search, Some(now + 3600))),
                (
                    "groups",
                    kith_store::search::by_groups(kith_store::Backend::Sqlite, search),
                ),
            ] {
                let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(Box::leak(
                    format!("EXPLAIN QUERY PLAN {}", sql.text).into_boxed_str(),
                ));
                for value in sql.values {
                    query = match value {
                        kith_store::search::Value::Int(v) => query.bind(v),
                        kith_store::search::Value::Text(v) => query.bind(v),
                    };
                }
                println!("-- {name} / {plan}");
                for row in query.fetch_all(&pool).await.expect("explain") {
                    println!("   {} {}", row.0, row.3);
                }
            }
        }
        return;
    }
    let only = std::env::var("CASE").ok();
    for (name, search) in cases
        .iter()
        .filter(|(n, _)| only.as_deref().is_none_or(|o| o == *n))
    {
        store.search_directory(search).await.expect("search");
        let started = Instant::now();
        let n = 2000;
        for _ in 0..n {
            store.search_directory(search).await.expect("search");
        }
        println!(
            "{name:12} {:>8.1} µs",
            started.elapsed().as_secs_f64() * 1e6 / f64::from(n)
        );
    }
    store.ping().await.expect("ping");
    let started = Instant::now();
    for _ in 0..2000 {
        store.ping().await.expect("ping");
    }
    println!(
        "{:12} {:>8.1} µs",
        "ping",
        started.elapsed().as_secs_f64() * 1e6 / 2000.0
    );
}
