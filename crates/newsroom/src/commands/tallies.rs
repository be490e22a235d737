//! `newsroom tallies import`: official results in, one `tally.declared` per constituency out.

use std::process::ExitCode;

use futures::{StreamExt as _, TryStreamExt as _};
use newsroom_events::{Envelope, TallyDeclared};
use newsroom_tally::{ConstituencyResult, Year};

use crate::cli::ImportArgs;
use crate::hoc_dir::HocDir;
use newsroom_services::{tally_declared_event, Delivered, Producer, Publish as _};

use crate::produce::{connect_producer, describe, SOURCE};
use crate::progress;
use crate::settings::Settings;

/// Publishes at most this many events at once (waiting for their acknowledgements).
const IN_FLIGHT: usize = 32;

/// Parses the years asked for (all in the directory when none), refusing the whole import
/// if any file does not parse or add up, then publishes every constituency's result.
pub async fn import(settings: &Settings, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let hoc = HocDir::scan(&args.dir)?;
    let asked: Vec<Year> = args.years.iter().copied().map(Year).collect();
    let years = hoc.select(&asked)?;
    let results = load_results(&hoc, &years)?;
    let producer = connect_producer(settings, "newsroom/tallies-import").await?;
    let count = publish_results(&producer, results).await?;
    eprintln!(
        "{} official results of {} published to {}: {} new, {} already there",
        count.new + count.duplicates,
        year_list(&years),
        describe(&producer, settings, TallyDeclared::TYPE),
        count.new,
        count.duplicates,
    );
    Ok(ExitCode::SUCCESS)
}

/// Reads and checks every year's files before anything is published.
pub fn load_results(hoc: &HocDir, years: &[Year]) -> anyhow::Result<Vec<ConstituencyResult>> {
    let bar = progress::bar(years.len() as u64, "reading");
    let mut results = Vec::new();
    for &year in years {
        bar.set_message(year.to_string());
        results.extend(hoc.load(year)?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(results)
}

/// How many published events were new, and how many had been published before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub new: u64,
    pub duplicates: u64,
}

/// Publishes one `tally.declared` per result, with a progress bar.
pub async fn publish_results(
    producer: &Producer,
    results: Vec<ConstituencyResult>,
) -> anyhow::Result<Count> {
    let envelopes: Vec<Envelope> = results
        .into_iter()
        .map(|result| tally_declared_event(result, SOURCE))
        .collect();
    let bar = progress::bar(envelopes.len() as u64, "publishing");
    let count = futures::stream::iter(&envelopes)
        .map(|envelope| producer.publish(envelope))
        .buffer_unordered(IN_FLIGHT)
        .inspect_ok(|_| bar.inc(1))
        .try_fold(Count::default(), |mut count, delivered| async move {
            match delivered {
                Delivered::New => count.new += 1,
                Delivered::Duplicate => count.duplicates += 1,
            }
            Ok(count)
        })
        .await;
    bar.finish_and_clear();
    Ok(count?)
}

/// `2010, 2015 and 2017`.
pub fn year_list(years: &[Year]) -> String {
    let names: Vec<String> = years.iter().map(Year::to_string).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_listed_as_in_a_sentence() {
        assert_eq!(year_list(&[Year(2015)]), "2015");
        assert_eq!(year_list(&[Year(2010), Year(2015)]), "2010 and 2015");
        assert_eq!(
            year_list(&[Year(2010), Year(2015), Year(2017)]),
            "2010, 2015 and 2017"
        );
    }
}
