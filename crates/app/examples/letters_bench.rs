//! The mailing list's benchmark, for `bench/run`: queuing a letter to N
//! confirmed subscribers (one outbox row and one manage link each, in the
//! transaction that claims the letter) on SQLite and on PostgreSQL, and
//! delivering a letter to M of them through the real sender, rate
//! unlimited, to a local SMTP sink (the suite's server, in this process:
//! it shares the cores).
//!
//! `letters_bench QUEUED DELIVERED` prints one line:
//! `queue_sqlite_s queue_postgres_s delivered mails_per_s` (`-` for
//! PostgreSQL when it does not answer).

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use kith_app::App;
use kith_app::mail::sender::{SenderSettings, send_batch};
use kith_app::mail::transport::Transport;
use kith_app::testing::smtp::SmtpServer;
use kith_domain::letter::{Audience, LetterText};
use kith_store::Store;
use kith_store::letters::fixtures::insert_subscribers;
use kith_store::testing::{TempPostgres, TempSqlite};

/// Writes a letter to everyone, due now; answers the app over `store`.
async fn letter_to_everyone(store: Arc<dyn Store>, url: &str, subscribers: u32) -> App {
    insert_subscribers(url, "bench", subscribers, true, &["events"]).await;
    let now = Timestamp::now();
    let author = store.ensure_account("Quill", now).await.expect("author");
    let text = LetterText {
        subject: "A letter for everyone".into(),
        body: "# Hello\n\nThis is **the** letter, with [a link](https://example.org/).".into(),
        audience: Audience::default(),
    };
    let id = store
        .create_letter(&text, author, now)
        .await
        .expect("letter");
    store
        .schedule_letter(id, Some(now), now)
        .await
        .expect("schedule");
    kith_app::testing::app(store)
}

/// Seconds to queue the due letter.
async fn time_queue(app: &App, subscribers: u32) -> f64 {
    let started = Instant::now();
    let queued = kith_app::letters::queue_due(app).await.expect("queue");
    let took = started.elapsed().as_secs_f64();
    assert_eq!(queued[0].recipients, u64::from(subscribers));
    took
}

#[tokio::main]
async fn main() {
    let args: Vec<u32> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a count"))
        .collect();
    let (queued, delivered) = (args[0], args[1]);

    let sqlite = TempSqlite::create().await;
    let app = letter_to_everyone(sqlite.store.clone(), &sqlite.url, queued).await;
    let queue_sqlite = time_queue(&app, queued).await;
    drop(app);
    drop(sqlite);

    let queue_postgres = match TempPostgres::create().await {
        Some(db) => {
            let store = kith_store::open(&db.url, 4).await.expect("open");
            let app = letter_to_everyone(store, &db.url, queued).await;
            let took = time_queue(&app, queued).await;
            drop(app);
            db.drop_now().await;
            format!("{took:.2}")
        }
        None => "-".to_owned(),
    };

    let sqlite = TempSqlite::create().await;
    let app = letter_to_everyone(sqlite.store.clone(), &sqlite.url, delivered).await;
    time_queue(&app, delivered).await;
    let server = SmtpServer::start().await;
    let transport = Transport::smtp(&server.url(), Duration::from_secs(10)).expect("transport");
    let settings = SenderSettings::new("kith <kith@kith.example>".parse().expect("from"));
    let started = Instant::now();
    let mut sent = 0;
    loop {
        let report = send_batch(
            sqlite.store.as_ref(),
            &transport,
            &settings,
            settings.busy_batch,
            Timestamp::now(),
        )
        .await
        .expect("send");
        sent += report.sent;
        if report.claimed() == 0 {
            break;
        }
    }
    let took = started.elapsed().as_secs_f64();
    let arrived = server.wait_for(delivered as usize).await.len();
    assert_eq!(
        (sent, arrived),
        (delivered, delivered as usize),
        "every mail once"
    );
    println!(
        "{queue_sqlite:.2} {queue_postgres} {delivered} {:.0}",
        f64::from(delivered) / took
    );
}
