//! `newsroom serve`: runs services until Ctrl-C or SIGTERM, then shuts them down gracefully
//! (each finishes the message in hand; nothing unacknowledged is lost).

use std::process::ExitCode;

use anyhow::Context as _;
use newsroom_services::{run_all, CancellationToken, ServeConfig};

use crate::cli::ServeArgs;
use crate::settings::Settings;

pub async fn run(settings: &Settings, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = ServeConfig {
        services: args.services,
        database_url: settings.database_url.clone(),
        nats: settings.nats.clone(),
    };
    let services = config.resolved_services()?;
    let names: Vec<&str> = services.iter().map(|s| s.as_str()).collect();
    let bus = match &settings.nats {
        Some(nats) => format!("NATS {} (namespace {})", nats.url, nats.namespace),
        None => "the in-process bus".to_owned(),
    };
    eprintln!(
        "newsroom: serving {} on {} with {}; Ctrl-C to stop",
        names.join(", "),
        settings.store_description(),
        bus
    );
    let shutdown = CancellationToken::new();
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    run_all(config, shutdown.clone())
        .await
        .context("newsroom serve failed")?;
    if shutdown.is_cancelled() {
        eprintln!("newsroom: stopped");
    }
    Ok(ExitCode::SUCCESS)
}

/// Cancels `shutdown` on the first Ctrl-C or SIGTERM; a second one exits at once.
async fn cancel_on_signal(shutdown: CancellationToken) {
    if let Err(error) = signal().await {
        tracing::error!(%error, "cannot listen for Ctrl-C or SIGTERM; stop the process with SIGKILL");
        return;
    }
    eprintln!("newsroom: shutting down (finishing the messages in hand; again to exit at once)");
    shutdown.cancel();
    if signal().await.is_ok() {
        eprintln!("newsroom: exiting without waiting");
        std::process::exit(130);
    }
}

/// Resolves at the next Ctrl-C (SIGINT) or SIGTERM.
#[cfg(unix)]
async fn signal() -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn signal() -> std::io::Result<()> {
    tokio::signal::ctrl_c().await
}
