//! `newsroom results`: the latest check report of every claim, from the event store; with
//! `--claim`, one claim's check history.

use std::io::Write as _;
use std::process::ExitCode;

use newsroom_claims::ClaimId;

use super::print_reports;
use crate::cli::{Format, ResultsArgs};
use crate::produce::open_store;
use crate::render::{self, Style};
use crate::settings::Settings;

pub async fn run(settings: &Settings, args: &ResultsArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    if let Some(claim) = &args.claim {
        return history(settings, store.as_ref(), claim, args.format).await;
    }
    let reports = newsroom_services::results(store.as_ref(), args.article.as_deref()).await?;
    if reports.is_empty() && args.format == Format::Text {
        let which = match &args.article {
            Some(article) => format!(" of article {article}"),
            None => String::new(),
        };
        eprintln!("no results{which} in {} yet", settings.store_description());
    }
    print_reports(&reports, args.format)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the check history of one claim: every verdict with the tally version it was
/// judged on, and every verdict change with its reason.
async fn history(
    settings: &Settings,
    store: &dyn newsroom_store::EventStore,
    claim: &ClaimId,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let history = newsroom_services::claim_history(store, claim).await?;
    if history.reports.is_empty() {
        eprintln!(
            "claim {claim} has not been checked in {}",
            settings.store_description()
        );
        return Ok(ExitCode::FAILURE);
    }
    let text = match format {
        Format::Text => render::text_history(&history, Style::for_stdout()),
        Format::Jsonl => render::history_json(&history) + "\n",
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
