//! Ctrl-C and SIGTERM: the first asks a command to stop gracefully, a second exits at once.

use newsroom_services::CancellationToken;

/// Cancels `shutdown` on the first Ctrl-C or SIGTERM, saying `stopping` on stderr; a second
/// one exits at once. Runs until then (spawn it).
pub async fn cancel_on_signal(shutdown: CancellationToken, stopping: &'static str) {
    if let Err(error) = signal().await {
        tracing::error!(%error, "cannot listen for Ctrl-C or SIGTERM; stop the process with SIGKILL");
        return;
    }
    eprintln!("newsroom: {stopping} (again to exit at once)");
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
