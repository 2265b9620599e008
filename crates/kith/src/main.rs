//! `kith`: the server and its operator commands.

mod cli;
mod import;
mod serve;

use clap::Parser;

/// An allocator that keeps per-thread free lists: an import allocates and
/// frees millions of small values across threads, and glibc's allocator
/// spent a fifth of its time consolidating them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    cli::init_logging(&cli.log_format, cli.unsafe_log_all);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(cli.run())
}
