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
    // Installed before anything counts, and only when someone can read it.
    let metrics = if args.metrics_addr.is_some() || args.metrics_token.is_some() {
        let handle = kith_web::metrics::install_recorder().context("starting the metrics")?;
        let token = args
            .metrics_token
            .as_ref()
            .map(|t| t.expose_secret().to_owned());
        Some(kith_web::metrics::Metrics::new(handle, token))
    } else {
        None
    };
    let (transport, sender_settings) = args
        .mail
        .transport(args.database.database_url.expose_secret())?;
    crate::check::guard_durability(
        args.database.database_url.expose_secret(),
        args.allow_unsafe_durability,
    )
    .await?;
    let store = open_store(&args.database).await?;
    // Built in the background: until it is, searches read the database.
    store.start_directory_index(Duration::from_secs(args.search_index_poll_seconds.max(1)));
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
    let metrics_listener = match args.metrics_addr {
        Some(at) => {
            let listener = tokio::net::TcpListener::bind(at)
                .await
                .with_context(|| format!("listening for metrics on {at}"))?;
            println!("metrics at http://{}/metrics", listener.local_addr()?);
            Some(listener)
        }
        None => None,
    };
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
    // Set once, when SIGTERM or Ctrl-C comes: the time by which kith exits.
    let (stopping, deadline) = tokio::sync::watch::channel(None);
    let bound = Duration::from_secs(args.shutdown_seconds);
    tokio::spawn(async move {
        shutdown_signal().await;
        stopping.send_replace(Some(tokio::time::Instant::now() + bound));
        // Kept open until the process ends: receivers wait on it.
        std::future::pending::<()>().await;
    });
    // The mail sender: woken by use cases that wrote a mail, and every few
    // seconds for mail written by another instance or due later; on
    // shutdown it finishes the batch it is sending.
    let sender = tokio::spawn(kith_app::mail::sender::run_sender_until(
        store.clone(),
        transport,
        sender_settings,
        clock,
        app.mail_wake(),
        stopped(deadline.clone()),
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
    let state = AppState {
        app,
        rooms: rooms.clone(),
        limits: Arc::new(Limits::new(LimitSettings::default())),
        config: Arc::new(
            WebConfig::new(args.trusted_proxies.clone())
                .demo(args.demo)
                .resource_file_max_bytes(args.resource_file_max_bytes)
                // The main listener serves `/metrics` only with a token.
                .metrics(metrics.clone().filter(|_| args.metrics_token.is_some())),
        ),
    };
    let metrics_server = {
        let state = state.clone();
        let deadline = deadline.clone();
        async move {
            match (metrics_listener, metrics) {
                (Some(listener), Some(metrics)) => {
                    axum::serve(listener, kith_web::metrics::listener_router(state, metrics))
                        .with_graceful_shutdown(stopped(deadline))
                        .await
                }
                _ => Ok(()),
            }
        }
    };
    // The rooms are told as the listener stops accepting: axum's graceful
    // shutdown waits for their upgraded connections too, and they close
    // only once told; and the process stays until each said its last.
    let rooms_closed = async {
        stopped(deadline.clone()).await;
        tracing::info!("shutting down: finishing requests, telling the rooms' clients");
        rooms.restart().await;
        Ok::<(), std::io::Error>(())
    };
    let main_server = axum::serve(
        listener,
        kith_web::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(stopped(deadline.clone()));
    let serving =
        async { tokio::try_join!(main_server.into_future(), metrics_server, rooms_closed) };
    tokio::select! {
        served = serving => { served.context("serving")?; }
        () = past_deadline(deadline.clone()) => {
            tracing::warn!(seconds = args.shutdown_seconds, "still finishing after KITH_SHUTDOWN_SECONDS; exiting anyway");
            return Ok(());
        }
    }
    // The mail sender ends after its batch; what time is left is its.
    tokio::select! {
        _ = sender => tracing::info!("stopped"),
        () = past_deadline(deadline) => {
            tracing::warn!(seconds = args.shutdown_seconds, "the mail sender was still sending after KITH_SHUTDOWN_SECONDS; exiting anyway (its mail is sent again later)");
        }
    }
    Ok(())
}

/// Completes once shutdown began.
async fn stopped(mut deadline: tokio::sync::watch::Receiver<Option<tokio::time::Instant>>) {
    let _ = deadline.wait_for(Option::is_some).await;
}

/// Completes once shutdown began and its time ran out.
async fn past_deadline(mut deadline: tokio::sync::watch::Receiver<Option<tokio::time::Instant>>) {
    let at = match deadline.wait_for(Option::is_some).await {
        Ok(at) => *at,
        Err(_) => None,
    };
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
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
}
