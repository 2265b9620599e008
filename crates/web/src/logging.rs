//! What reaches kith's log. Requests are logged by their route template,
//! never their URL ([`crate::router`]); this module holds the filter every
//! line passes, the same in the server and in the suite's log check.
//!
//! `RUST_LOG` chooses the levels, but some libraries write what passes
//! through them when asked for debug or trace: the WebSocket library every
//! room frame (chat text, handles), the HTML sanitizer every description
//! and message it cleans, the mail library the SMTP conversation (the mail
//! itself). [`CAPS`] holds those at a safe level whatever
//! `RUST_LOG` says, so no level a person can set puts what members wrote
//! into the log. Lifting the caps (`KITH_UNSAFE_LOG_ALL`) is for debugging
//! kith itself, never for a server people use.

use tracing::Subscriber;
use tracing_subscriber::filter::{EnvFilter, FilterExt, LevelFilter, Targets};
use tracing_subscriber::layer::Filter;
use tracing_subscriber::registry::LookupSpan;

/// What is logged when `RUST_LOG` is unset or unreadable.
pub const DEFAULT_DIRECTIVES: &str = "info,sqlx=warn";

/// The libraries that log what passes through them, each with the most it
/// may log. A target covers every target that starts with it (`hyper`
/// covers `hyper_util`, `ureq` covers `ureq_proto`).
///
/// Checked and left alone: `sqlx` logs statements, never their values;
/// `rustls` logs the handshake, never what it carries; `tower_http` logs
/// only what kith's request log gives it.
pub const CAPS: &[(&str, LevelFilter)] = &[
    // Every frame at trace, close reasons at debug, and a client's
    // handshake (its cookie) at trace.
    ("tungstenite", LevelFilter::INFO),
    ("tokio_tungstenite", LevelFilter::INFO),
    // The HTML parser that cleans Markdown (descriptions, agreements,
    // messages): every run of text at debug, every character at trace.
    ("html5ever", LevelFilter::INFO),
    ("markup5ever", LevelFilter::INFO),
    // The SMTP conversation, the mail's text included, at debug.
    ("lettre", LevelFilter::INFO),
    // Headers and bodies at trace, when built with their tracing support.
    ("hyper", LevelFilter::INFO),
    ("h2", LevelFilter::INFO),
    // A refused request with the text that was refused, at trace.
    ("axum::rejection", LevelFilter::DEBUG),
    // `kith import`'s downloads: headers at debug, bodies at trace.
    ("ureq", LevelFilter::INFO),
];

/// The filter kith logs through: `directives` in `RUST_LOG`'s syntax
/// ([`DEFAULT_DIRECTIVES`] when absent or unreadable), then [`CAPS`] —
/// unless `unsafe_log_all`, which lets those libraries log everything
/// they would.
pub fn filter<S>(
    directives: Option<&str>,
    unsafe_log_all: bool,
) -> impl Filter<S> + Send + Sync + use<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let asked = directives
        .and_then(|d| EnvFilter::try_new(d).ok())
        .unwrap_or_else(|| EnvFilter::new(DEFAULT_DIRECTIVES));
    // A second filter, not more directives: a more specific directive in
    // `RUST_LOG` (`tungstenite::protocol=trace`) would outrank a cap.
    let mut caps = Targets::new().with_default(LevelFilter::TRACE);
    if !unsafe_log_all {
        caps = caps.with_targets(CAPS.iter().copied());
    }
    asked.and(caps)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// The lines `emit` logs through [`filter`].
    fn logged(directives: Option<&str>, unsafe_log_all: bool, emit: impl FnOnce()) -> String {
        let sink = Arc::new(Mutex::new(Vec::new()));
        let writer = sink.clone();
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || Writer(writer.clone()))
            .with_filter(filter(directives, unsafe_log_all));
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, emit);
        let bytes = sink.lock().expect("lock").clone();
        String::from_utf8(bytes).expect("utf-8")
    }

    struct Writer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Writer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn frames() {
        tracing::trace!(target: "tungstenite::protocol", "frame: say hello-from-a-room");
        tracing::debug!(target: "lettre::transport::smtp", "Wrote: a mail's text");
        tracing::trace!(target: "axum::rejection", "refused: some-posted-text");
        tracing::debug!(target: "html5ever::tree_builder", "processing a-description");
        tracing::info!(target: "tungstenite::protocol", "a connection closed");
        tracing::trace!(target: "kith_app::rooms", "kith's own trace line");
    }

    #[test]
    fn at_trace_the_libraries_that_log_what_people_send_stay_at_their_cap() {
        let logs = logged(Some("trace"), false, frames);
        for written in [
            "hello-from-a-room",
            "a mail's text",
            "some-posted-text",
            "a-description",
        ] {
            assert!(!logs.contains(written), "{written}: {logs}");
        }
        assert!(logs.contains("a connection closed"), "{logs}");
        assert!(logs.contains("kith's own trace line"), "{logs}");
    }

    #[test]
    fn a_more_specific_directive_does_not_lift_a_cap() {
        let logs = logged(
            Some("info,tungstenite::protocol=trace,lettre::transport::smtp=trace"),
            false,
            frames,
        );
        assert!(!logs.contains("hello-from-a-room"), "{logs}");
        assert!(!logs.contains("a mail's text"), "{logs}");
    }

    #[test]
    fn the_unsafe_override_lifts_the_caps_and_only_it_does() {
        let logs = logged(Some("trace"), true, frames);
        for written in [
            "hello-from-a-room",
            "a mail's text",
            "some-posted-text",
            "a-description",
        ] {
            assert!(logs.contains(written), "{written}: {logs}");
        }
    }

    #[test]
    fn unset_or_unreadable_directives_log_at_info() {
        for directives in [None, Some("not a [valid filter")] {
            let logs = logged(directives, false, || {
                tracing::info!(target: "kith", "an info line");
                tracing::debug!(target: "kith", "a debug line");
            });
            assert!(logs.contains("an info line"), "{directives:?}: {logs}");
            assert!(!logs.contains("a debug line"), "{directives:?}: {logs}");
        }
    }
}
