//! `newsroom results`: the latest check report of every claim, from the event store.

use std::process::ExitCode;

use super::print_reports;
use crate::cli::{Format, ResultsArgs};
use crate::produce::open_store;
use crate::settings::Settings;

pub async fn run(settings: &Settings, args: &ResultsArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
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
