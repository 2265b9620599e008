//! `kith serve`: open and migrate the database, seed the demo if asked, start
//! the occurrence refresher, and serve until interrupted.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kith_app::Clock;
use kith_app::directory::DirectoryCache;
use kith_web::AppState;

use crate::cli::{ServeArgs, open_store};

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let store = open_store(&args.database).await?;
    let clock = args.fixed_now.map_or(Clock::System, Clock::Fixed);
    if args.demo {
        match kith_app::demo::seed_if_empty(store.as_ref(), clock.now()).await? {
            Some(n) => tracing::info!(groups = n, "demo groups added"),
            None => tracing::info!("the database already has groups; the demo was not added again"),
        }
    }
    kith_app::schedule::refresh_due(store.as_ref(), clock.now())
        .await
        .context("materializing occurrences")?;
    tokio::spawn(kith_app::schedule::run_refresher(
        store.clone(),
        clock,
        Duration::from_secs(args.refresh_seconds.max(1)),
    ));

    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let addr = listener.local_addr()?;
    println!("kith is running at http://{addr}/");
    let directory_cache = Arc::new(DirectoryCache::new(Duration::from_secs(
        args.search_cache_seconds,
    )));
    let app = kith_web::router(AppState {
        store,
        clock,
        directory_cache,
    });
    axum::serve(listener, app)
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
