//! `newsroom`: the one binary of the fact-checking backend. It checks article files in one
//! process (`check`), publishes official results and articles (`tallies import`, the
//! election night's `tallies replay`, `tallies correct`, `submit`), runs the services and the
//! editors' review service (`serve`), prints the current results and a claim's history
//! (`results`), manages the review service's access tokens (`tokens`), exports and verifies
//! the signed audit log and ClaimReview JSON-LD (`audit`), shows the whole pipeline on a
//! fresh machine (`demo`) and writes the JSON Schemas of the events (`schemas`). Embedded by
//! default (SQLite store, in-process bus); NATS JetStream and PostgreSQL with `--nats` and
//! `--database-url`.

mod cli;
mod commands;
mod hoc_dir;
mod produce;
mod progress;
mod render;
mod schemas;
mod settings;
mod signal;

use std::future::Future;
use std::process::ExitCode;

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, TalliesCommand};
use crate::settings::Settings;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    match run(cli) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error_chain(&error));
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr: warnings only by default, `-v` info, `-vv` debug; `RUST_LOG` refines.
fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => tracing::Level::WARN,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    let filter = EnvFilter::builder()
        .with_default_directive(level.into())
        .from_env_lossy();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = Settings::from_args(&cli.global);
    match cli.command {
        // The pure paths: no store, no bus, no runtime.
        Command::Check(args) => commands::check::run(&args),
        Command::Schemas(args) => commands::schemas(&args),
        Command::Tallies {
            command: TalliesCommand::Import(args),
        } => block_on(commands::tallies::import(&settings, &args)),
        Command::Tallies {
            command: TalliesCommand::Replay(args),
        } => block_on(commands::tallies::replay(&settings, &args)),
        Command::Tallies {
            command: TalliesCommand::Correct(args),
        } => block_on(commands::tallies::correct(&settings, &args)),
        Command::Submit(args) => block_on(commands::submit::run(&settings, &args)),
        Command::Serve(args) => block_on(commands::serve::run(&settings, args)),
        Command::Results(args) => block_on(commands::results::run(&settings, &args)),
        Command::Tokens { command } => block_on(commands::tokens(&settings, &command)),
        Command::Audit(command) => block_on(commands::audit(&settings, command)),
        Command::Demo(args) => block_on(commands::demo::run(&cli.global, &args)),
    }
}

/// Runs a command's future on a multi-threaded Tokio runtime.
fn block_on<T>(future: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(future)
}

/// The error and its causes, `: `-separated, leaving out a cause whose message is already
/// part of what is printed (many errors repeat their source in their own message).
fn error_chain(error: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in error.chain() {
        let message = cause.to_string();
        if out.contains(&message) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&message);
    }
    out
}

/// Whether the error is stdout closing under us (`newsroom results | head`): not a failure.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot connect to {url}: {source}")]
    struct Connect {
        url: &'static str,
        source: std::io::Error,
    }

    #[test]
    fn given_an_error_that_repeats_its_source_when_printed_then_the_source_shows_once() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let error = anyhow::Error::new(Connect {
            url: "nats://h",
            source: refused,
        })
        .context("cannot reach NATS");
        assert_eq!(
            error_chain(&error),
            "cannot reach NATS: cannot connect to nats://h: refused"
        );
    }

    #[test]
    fn given_a_broken_pipe_anywhere_in_the_chain_then_it_is_recognised() {
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(
            &anyhow::Error::new(pipe).context("printing")
        ));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
