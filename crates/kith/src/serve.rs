//! `kith serve`: open and migrate the database, seed the demo if asked, start
//! the occurrence refresher, and serve until interrupted.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kith_app::passwords::PasswordHasher;
use kith_app::public_cache::PublicCache;
use kith_app::site_url::SiteUrl;
use kith_app::{App, Clock};
use kith_web::limits::{LimitSettings, Limits};
use kith_web::{AppState, WebConfig};

use crate::cli::{ServeArgs, open_store};

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    use secrecy::ExposeSecret as _;
    let (transport, sender_settings) = args
        .mail
        .transport(args.database.database_url.expose_secret())?;
    crate::check::guard_durability(
        args.database.database_url.expose_secret(),
        args.allow_unsafe_durability,
    )
    .await?;
    let store = open_store(&args.database).await?;
    let clock = args.fixed_now.map_or(Clock::System, Clock::Fixed);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let addr = listener.local_addr()?;
    let base = args
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    // What every use case runs with: the mail sender below waits on its
    // wake, and use cases that change public answers empty its cache.
    let app = App::new(
        store.clone(),
        PasswordHasher::production(),
        SiteUrl::new(&base),
    )
    .with_clock(clock)
    .with_public_cache(Arc::new(PublicCache::new(Duration::from_secs(
        args.search_cache_seconds,
    ))));
    if args.demo {
        match kith_app::demo::seed_if_empty(&app, clock.now()).await? {
            Some(n) => tracing::info!(groups = n, "demo groups added"),
            None => tracing::info!("the database already has groups; the demo was not added again"),
        }
    }
    // The refresher's first round starts now, in the background: a server
    // with many groups is healthy at once, and the directory fills in the
    // weeks an import or a long stop left out within seconds.
    tokio::spawn(kith_app::schedule::run_refresher(
        store.clone(),
        clock,
        Duration::from_secs(args.refresh_seconds.max(1)),
    ));

    println!("kith is running at http://{addr}/");
    if let Some(token) = kith_app::accounts::setup_link_token(&app, clock.now()).await? {
        // Printed for the operator, never logged: it opens the first admin
        // account.
        println!(
            "No admin account exists yet. Create it within 24 hours at:\n  {}",
            app.site_url().link(&format!("/setup/{token}"))
        );
    }
    tokio::spawn(kith_app::accounts::run_session_sweeper(
        store.clone(),
        clock,
        Duration::from_secs(3600),
    ));
    // The mail sender: woken by use cases that wrote a mail, and every few
    // seconds for mail written by another instance or due later.
    tokio::spawn(kith_app::mail::sender::run_sender(
        store.clone(),
        transport,
        sender_settings,
        clock,
        app.mail_wake(),
    ));
    // Reminders a day and an hour before meetings, checked every minute.
    tokio::spawn(kith_app::reminders::run_reminders(
        app.clone(),
        Duration::from_secs(60),
    ));
    // The daily journal reminder, for those who turned it on, at their
    // chosen local time; checked every minute.
    tokio::spawn(kith_app::journal_reminder::run_journal_reminders(
        app.clone(),
        Duration::from_secs(60),
    ));
    // Letters to the mailing list that fell due, queued within a minute
    // (once, whichever instance is first).
    tokio::spawn(kith_app::letters::run_letters(
        app.clone(),
        Duration::from_secs(30),
    ));
    // Reports waiting over 48 hours, mailed to the admins once a day;
    // checked every ten minutes.
    tokio::spawn(kith_app::reports::run_overdue_digest(
        app.clone(),
        Duration::from_secs(600),
    ));
    // The live rooms: following other instances' appends (PostgreSQL) and
    // closing rooms half an hour after their meetings.
    let rooms = kith_app::rooms::RoomHub::new(store, clock);
    tokio::spawn(rooms.clone().follow_other_instances());
    tokio::spawn(rooms.clone().run_closer(Duration::from_secs(60)));
    let app = kith_web::router(AppState {
        app,
        rooms,
        limits: Arc::new(Limits::new(LimitSettings::default())),
        config: Arc::new(
            WebConfig::new(args.trusted_proxies.clone())
                .demo(args.demo)
                .resource_file_max_bytes(args.resource_file_max_bytes),
        ),
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving")?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
