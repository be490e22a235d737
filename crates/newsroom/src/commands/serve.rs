//! `newsroom serve`: runs services until Ctrl-C or SIGTERM, then shuts them down gracefully
//! (each finishes the message in hand; nothing unacknowledged is lost; the review service
//! lets requests in flight finish).

use std::process::ExitCode;

use anyhow::Context as _;
use newsroom_services::{run_all, CancellationToken, ServeConfig};
use tokio::net::TcpListener;

use crate::cli::ServeArgs;
use crate::produce::open_store;
use crate::settings::Settings;
use crate::signal::cancel_on_signal;

pub async fn run(settings: &Settings, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let pipeline = match args.pipeline() {
        Some(services) => {
            let config = ServeConfig {
                services,
                database_url: settings.database_url.clone(),
                nats: settings.nats.clone(),
            };
            let resolved = config.resolved_services()?;
            Some((config, resolved))
        }
        None => None,
    };
    let review = if args.review() {
        let config = args.review.config(&settings.data_dir);
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("the review service cannot listen on {}", config.listen))?;
        let store = open_store(settings).await?;
        Some((listener, store, config.exports))
    } else {
        None
    };

    let mut names: Vec<String> = pipeline
        .iter()
        .flat_map(|(_, services)| services.iter().map(|s| s.as_str().to_owned()))
        .collect();
    if let Some((listener, _, _)) = &review {
        names.push(format!("review (http://{})", listener.local_addr()?));
    }
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
    tokio::spawn(cancel_on_signal(
        shutdown.clone(),
        "shutting down, finishing the messages in hand",
    ));
    // Either failing stops the other.
    let services = async {
        let Some((config, _)) = pipeline else {
            return Ok(());
        };
        let outcome = run_all(config, shutdown.clone())
            .await
            .context("newsroom serve failed");
        shutdown.cancel();
        outcome
    };
    let review = async {
        let Some((listener, store, exports)) = review else {
            return Ok(());
        };
        let outcome = newsroom_review::serve_on(listener, store, exports, shutdown.clone())
            .await
            .context("the review service failed");
        shutdown.cancel();
        outcome
    };
    let (services, review) = tokio::join!(services, review);
    services?;
    review?;
    eprintln!("newsroom: stopped");
    Ok(ExitCode::SUCCESS)
}
