//! Commands, flags and their `KITH_*` environment variables.

use std::net::SocketAddr;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use secrecy::{ExposeSecret, SecretString};

/// kith: a self-hosted home for peer support groups.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// Log format.
    #[arg(long, env = "KITH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// UNSAFE: let every library log all it would at the level `RUST_LOG`
    /// asks. At debug or trace that is room chat, handles, descriptions,
    /// messages and mail; for debugging kith itself, never on a server
    /// people use.
    #[arg(long, env = "KITH_UNSAFE_LOG_ALL", global = true, value_parser = clap::builder::BoolishValueParser::new())]
    pub unsafe_log_all: bool,
    #[command(subcommand)]
    command: Command,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve kith over HTTP.
    Serve(Box<ServeArgs>),
    /// Operator commands.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Import groups from another site.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Check the database: integrity, schema version, orphan rows, meetings
    /// ahead, the outbox, durability settings. Exits 1 on a problem.
    Check(crate::check::CheckArgs),
    /// Run pending migrations; with `--check`, only list them (exit 2 when
    /// some are pending).
    Migrate(crate::check::MigrateArgs),
    /// Write the database and mail to one archive (`.tar.gz`).
    Backup(crate::backup::BackupArgs),
    /// Restore an archive `kith backup` wrote into an empty database.
    Restore(crate::backup::RestoreArgs),
    /// Add synthetic groups (for load tests) to the database.
    #[command(hide = true)]
    Generate(GenerateArgs),
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// A Meeting Guide JSON feed (a file, `-`, or an http(s) URL): creates
    /// or updates one group per record, by slug.
    MeetingGuide(crate::import::ImportArgs),
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a moderator, editor or admin account; the password is read
    /// from standard input (one line).
    Create(CreateAdminArgs),
}

#[derive(Debug, clap::Args)]
struct CreateAdminArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The account's handle (its public pseudonym).
    #[arg(long)]
    handle: String,
    /// The account's email; never shown to anyone.
    #[arg(long)]
    email: String,
    /// `admin` (moderates, reads the audit log, edits the safety text and
    /// the page about the site, writes resources, gives the editor role),
    /// `moderator` (reviews listings) or `editor` (writes the resource
    /// library).
    #[arg(long, value_enum, default_value_t = StaffRole::Admin)]
    role: StaffRole,
}

/// The roles `kith admin create` gives.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum StaffRole {
    Admin,
    Moderator,
    Editor,
}

/// Where the database is.
#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// `sqlite://path` (created if missing) or `postgres://…`.
    #[arg(
        long,
        env = "KITH_DATABASE_URL",
        default_value = "sqlite://kith-data/kith.db",
        hide_env_values = true
    )]
    pub database_url: SecretString,
    /// Most database connections held open.
    #[arg(long, env = "KITH_DATABASE_CONNECTIONS", default_value_t = 8)]
    pub database_connections: u32,
}

/// `kith serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KITH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Fill an empty database with demo groups.
    #[arg(long, env = "KITH_DEMO")]
    pub demo: bool,
    /// Pretend it is always this instant (RFC 3339), for tests and demos
    /// that must not depend on the hour.
    #[arg(long, env = "KITH_FIXED_NOW", hide = true)]
    pub fixed_now: Option<jiff::Timestamp>,
    /// Seconds a directory result page is reused (0: never). Results are at
    /// most this old.
    #[arg(long, env = "KITH_SEARCH_CACHE_SECONDS", default_value_t = 30)]
    pub search_cache_seconds: u64,
    /// Seconds between the directory index's reads of changes no notice
    /// announced: another process writing the same SQLite file (`kith
    /// import`), or PostgreSQL notices lost with a connection.
    #[arg(long, env = "KITH_SEARCH_INDEX_POLL_SECONDS", default_value_t = 1)]
    pub search_index_poll_seconds: u64,
    /// Seconds between refreshes of materialized occurrences.
    #[arg(long, env = "KITH_REFRESH_SECONDS", default_value_t = 600)]
    pub refresh_seconds: u64,
    /// The public URL people reach kith at (`https://kith.example`); without
    /// it, the address kith listens on. Every absolute link (mail,
    /// calendars, the Meeting Guide feed, invitation and setup links)
    /// starts with it; with https, cookies are `Secure`; it is accepted as
    /// the origin of forms.
    #[arg(long, env = "KITH_BASE_URL")]
    pub base_url: Option<String>,
    /// Proxies in front of kith whose `X-Forwarded-For` is believed for the
    /// client's address (rate limits): addresses or CIDR ranges, separated
    /// by commas. Without it, the socket's peer is the client.
    #[arg(long, env = "KITH_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_network)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The largest file (PDF or EPUB) a resource may offer, in bytes.
    #[arg(long, env = "KITH_RESOURCE_FILE_MAX_BYTES", default_value_t = kith_web::RESOURCE_FILE_MAX_BYTES)]
    pub resource_file_max_bytes: u64,
    /// UNSAFE: start even when the database may lose acknowledged writes
    /// (SQLite not in WAL or `synchronous` below FULL; PostgreSQL with
    /// `fsync` or `synchronous_commit` off).
    #[arg(long, env = "KITH_ALLOW_UNSAFE_DURABILITY", value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_unsafe_durability: bool,
    #[command(flatten)]
    pub mail: MailArgs,
    /// Serve `/metrics` (Prometheus) on this address of its own, e.g.
    /// `127.0.0.1:9090`, with nothing else there; keep it off the public
    /// network.
    #[arg(long, env = "KITH_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Serve `/metrics` on the main address to requests with
    /// `Authorization: Bearer <token>`; anyone else gets 404. Never logged.
    #[arg(long, env = "KITH_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<SecretString>,
    /// On SIGTERM or Ctrl-C: seconds to finish requests in flight, tell
    /// the rooms' clients to reconnect and stop the mail sender before
    /// exiting anyway.
    #[arg(long, env = "KITH_SHUTDOWN_SECONDS", default_value_t = 20)]
    pub shutdown_seconds: u64,
}

/// How mail leaves kith.
#[derive(Debug, clap::Args)]
pub struct MailArgs {
    /// The SMTP server: `smtp://host:25` (plain), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS), `smtps://user:pass@host:465` (TLS). Without it, mail is
    /// written as `.eml` files to the mail folder. Never logged.
    #[arg(long, env = "KITH_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<SecretString>,
    /// The sender of every mail: `kith@example.org` or `kith <kith@example.org>`.
    #[arg(long, env = "KITH_MAIL_FROM", default_value = "kith <kith@localhost>")]
    pub mail_from: String,
    /// Where mail is written as `.eml` files without an SMTP server
    /// (default: `outbox/` next to the SQLite file, else `kith-data/outbox`).
    #[arg(long, env = "KITH_MAIL_DIR")]
    pub mail_dir: Option<std::path::PathBuf>,
    /// The most mails this instance sends a minute, for the SMTP
    /// provider's limits (0: unlimited). Each instance has its own limit:
    /// with several on one PostgreSQL, divide the provider's by their
    /// number.
    #[arg(long, env = "KITH_MAIL_RATE_PER_MINUTE", default_value_t = 0)]
    pub mail_rate_per_minute: u32,
}

impl MailArgs {
    /// The transport and the sender's settings; the folder for `.eml`
    /// files defaults to `outbox/` beside the SQLite database.
    pub fn transport(
        &self,
        database_url: &str,
    ) -> anyhow::Result<(
        kith_app::mail::transport::Transport,
        kith_app::mail::sender::SenderSettings,
    )> {
        let from = self.mail_from.parse().map_err(|_| {
            anyhow::anyhow!("KITH_MAIL_FROM is not an address such as kith@example.org")
        })?;
        let settings = kith_app::mail::sender::SenderSettings::new(from)
            .with_rate_per_minute(self.mail_rate_per_minute);
        let transport = match &self.smtp_url {
            Some(url) => kith_app::mail::transport::Transport::smtp(
                url.expose_secret(),
                std::time::Duration::from_secs(30),
            )
            .map_err(anyhow::Error::msg)?,
            None => kith_app::mail::transport::Transport::files(
                self.mail_dir
                    .clone()
                    .unwrap_or_else(|| default_mail_dir(database_url)),
            ),
        };
        Ok((transport, settings))
    }
}

/// `outbox/` beside a SQLite file; `kith-data/outbox` otherwise.
pub(crate) fn default_mail_dir(database_url: &str) -> std::path::PathBuf {
    database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|path| path.split('?').next().unwrap_or(path))
        .and_then(|path| {
            std::path::Path::new(path)
                .parent()
                .map(|dir| dir.join("outbox"))
        })
        .unwrap_or_else(|| std::path::PathBuf::from("kith-data/outbox"))
}

/// An address (`10.0.0.1`) or a range (`10.0.0.0/8`).
fn parse_network(raw: &str) -> Result<ipnet::IpNet, String> {
    let raw = raw.trim();
    raw.parse::<ipnet::IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{raw} is neither an address nor a CIDR range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_goes_beside_the_sqlite_file_by_default() {
        assert_eq!(
            default_mail_dir("sqlite://kith-data/kith.db"),
            std::path::PathBuf::from("kith-data/outbox")
        );
        assert_eq!(
            default_mail_dir("sqlite:///var/lib/kith/kith.db?mode=rwc"),
            std::path::PathBuf::from("/var/lib/kith/outbox")
        );
        assert_eq!(
            default_mail_dir("postgres://kith@db/kith"),
            std::path::PathBuf::from("kith-data/outbox")
        );
    }
}

#[derive(Debug, clap::Args)]
struct GenerateArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// How many groups to add.
    #[arg(long, default_value_t = 100_000)]
    groups: usize,
}

impl Cli {
    /// Runs the chosen command.
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Serve(args) => crate::serve::serve(*args).await,
            Command::Admin(AdminCommand::Create(args)) => create_admin(args).await,
            Command::Import(ImportCommand::MeetingGuide(args)) => crate::import::run(args).await,
            Command::Backup(args) => crate::backup::backup(args).await,
            Command::Restore(args) => crate::backup::restore(args).await,
            Command::Generate(args) => generate(args).await,
            Command::Check(args) => crate::check::check(args).await,
            Command::Migrate(args) => {
                if crate::check::migrate(args).await? {
                    std::process::exit(crate::check::PENDING_EXIT.into());
                }
                Ok(())
            }
        }
    }
}

/// The app an operator command runs with. Such commands write no mail,
/// and the site's address is not theirs to know: links would start at
/// localhost. Their public cache is off; a running server's forgets what
/// they change within its lifetime (`KITH_SEARCH_CACHE_SECONDS`).
pub fn operator_app(store: std::sync::Arc<dyn kith_store::Store>) -> kith_app::App {
    kith_app::App::new(
        store,
        kith_app::passwords::PasswordHasher::production(),
        kith_app::site_url::SiteUrl::new("http://localhost"),
    )
}

/// Opens the store a database URL names.
pub async fn open_store(
    args: &DatabaseArgs,
) -> anyhow::Result<std::sync::Arc<dyn kith_store::Store>> {
    kith_store::open(args.database_url.expose_secret(), args.database_connections)
        .await
        .context("opening the database (the URL is in KITH_DATABASE_URL)")
}

/// Opens the database for a command that writes many rows at once.
pub async fn open_store_for_bulk_writes(
    args: &DatabaseArgs,
) -> anyhow::Result<std::sync::Arc<dyn kith_store::Store>> {
    kith_store::open_for_bulk_writes(args.database_url.expose_secret(), args.database_connections)
        .await
        .context("opening the database (the URL is in KITH_DATABASE_URL)")
}

async fn create_admin(args: CreateAdminArgs) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .context("reading the password from standard input")?;
    // Only the line ending is removed: spaces may be part of a password.
    let password = password.trim_end_matches(['\n', '\r']).to_owned();
    let store = open_store(&args.database).await?;
    let role = match args.role {
        StaffRole::Admin => kith_domain::account::Role::Admin,
        StaffRole::Moderator => kith_domain::account::Role::Moderator,
        StaffRole::Editor => kith_domain::account::Role::Editor,
    };
    let registration = kith_app::accounts::Registration {
        handle: args.handle,
        email: args.email,
        password,
    };
    let app = operator_app(store);
    match kith_app::accounts::create_staff(&app, &registration, role, jiff::Timestamp::now()).await
    {
        Ok(_) => {
            println!("created {} {}", role.code(), registration.handle.trim());
            Ok(())
        }
        Err(kith_app::AppError::Invalid(errors)) => {
            for e in &errors {
                eprintln!("{}: {}", e.field, e.code);
            }
            anyhow::bail!("the account was not created")
        }
        Err(kith_app::AppError::Conflict(kith_app::Conflict::EmailTaken)) => {
            anyhow::bail!("that email is taken already")
        }
        Err(err) => Err(err).context("creating the account"),
    }
}

async fn generate(args: GenerateArgs) -> anyhow::Result<()> {
    let store = open_store_for_bulk_writes(&args.database).await?;
    let app = operator_app(store.clone());
    let now = jiff::Timestamp::now();
    let groups = kith_app::demo::synthetic_groups(args.groups, now)?;
    let started = std::time::Instant::now();
    for chunk in groups.chunks(2_000) {
        kith_app::groups::create_groups(&app, chunk, now).await?;
    }
    store.optimize().await?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "added {} groups in {seconds:.1} s ({:.0} groups/s)",
        groups.len(),
        groups.len() as f64 / seconds
    );
    Ok(())
}

/// Logs to standard error; `RUST_LOG` filters (default `info`), through
/// `kith_web::logging`'s caps unless `unsafe_log_all`.
pub fn init_logging(format: &LogFormat, unsafe_log_all: bool) {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let directives = std::env::var("RUST_LOG").ok();
    let filter = kith_web::logging::filter(directives.as_deref(), unsafe_log_all);
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let layer = match format {
        LogFormat::Text => layer.with_filter(filter).boxed(),
        LogFormat::Json => layer.json().with_filter(filter).boxed(),
    };
    tracing_subscriber::registry().with(layer).init();
    if unsafe_log_all {
        tracing::warn!(
            "unsafe logging is on (KITH_UNSAFE_LOG_ALL): libraries may log room chat, handles, messages and mail at debug or trace"
        );
    }
}
