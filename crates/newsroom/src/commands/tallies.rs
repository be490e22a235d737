//! `newsroom tallies`: official results in as events. `import`: one `tally.declared` per
//! constituency; `replay`: an election night's declarations at the pace they came;
//! `correct`: a `tally.corrected` of one candidate's votes.

use std::process::ExitCode;
use std::time::Duration;

use futures::{StreamExt as _, TryStreamExt as _};
use newsroom_events::{Envelope, TallyCorrected, TallyDeclared};
use newsroom_services::{
    replay_declarations, tally_declared_event, CancellationToken, CorrectArgs, Delivered, Producer,
    Publish as _, ReplayArgs, Speed, TallyProjection,
};
use newsroom_store::EventStore;
use newsroom_tally::{ConstituencyResult, Year};

use crate::cli::ImportArgs;
use crate::hoc_dir::HocDir;
use crate::produce::{connect_producer, describe, open_store, SOURCE};
use crate::progress;
use crate::settings::Settings;
use crate::signal::cancel_on_signal;

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

/// Publishes one election's declarations as a results feed would: in the order and at the
/// pace of their official declaration times, `--speed` times faster, until the last or
/// Ctrl-C.
pub async fn replay(settings: &Settings, args: &ReplayArgs) -> anyhow::Result<ExitCode> {
    let hoc = HocDir::scan(&args.dir)?;
    let election = args.election();
    hoc.select(&[election])?;
    let results = hoc.load(election)?;
    let producer = connect_producer(settings, "newsroom/tallies-replay").await?;
    if let Producer::Store(store) = &producer {
        warn_without_previous_election(store.as_ref(), election).await?;
    }
    let schedule = replay_declarations(results, args.speed);
    let night = schedule.last().map(|s| s.at).unwrap_or_default();
    let pace = match args.speed {
        Speed::Max => "without waiting".to_owned(),
        Speed::Times(_) => format!(
            "{} times real time (about {})",
            args.speed,
            duration_words(night)
        ),
    };
    eprintln!(
        "replaying the {} declarations of {election} to {}, {pace}; Ctrl-C to stop",
        schedule.len(),
        describe(&producer, settings, TallyDeclared::TYPE),
    );

    let shutdown = CancellationToken::new();
    let signals = tokio::spawn(cancel_on_signal(
        shutdown.clone(),
        "stopping the replay after the declaration in hand",
    ));
    let bar = progress::bar(schedule.len() as u64, "declaring");
    let report = newsroom_services::replay(&producer, &schedule, SOURCE, &shutdown, |s, _| {
        bar.set_message(s.result.name.clone());
        bar.inc(1);
    })
    .await;
    bar.finish_and_clear();
    signals.abort();
    let report = report?;
    eprintln!(
        "{} declarations of {election} published: {} new, {} already there{}",
        report.new + report.duplicates,
        report.new,
        report.duplicates,
        if report.stopped {
            format!(
                "; stopped before the other {}",
                schedule.len() as u64 - report.new - report.duplicates
            )
        } else {
            String::new()
        }
    );
    Ok(if report.stopped {
        ExitCode::from(130)
    } else {
        ExitCode::SUCCESS
    })
}

/// Says so when the store holds no earlier election than `election`: the checker then
/// knows no seat before it is declared, and calls claims about it unverifiable, not pending.
async fn warn_without_previous_election(
    store: &dyn EventStore,
    election: Year,
) -> anyhow::Result<()> {
    let mut tallies = TallyProjection::new();
    tallies.catch_up(store).await?;
    if !tallies.tallies().years().any(|year| year < election) {
        eprintln!(
            "warning: the store holds no election before {election}: claims about seats not              yet declared will be unverifiable instead of pending. Import the previous one              first (newsroom tallies import DIR --year <year>)."
        );
    }
    Ok(())
}

/// `10 h 5 min`, `3 min 20 s`, `12 s`.
fn duration_words(duration: Duration) -> String {
    let secs = duration.as_secs();
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// Publishes a correction of one candidate's votes, read against the result the store
/// holds now.
pub async fn correct(settings: &Settings, args: &CorrectArgs) -> anyhow::Result<ExitCode> {
    // The current result is read from the store even when the correction goes to NATS.
    let store = open_store(settings).await?;
    let producer = match &settings.nats {
        Some(_) => connect_producer(settings, "newsroom/tallies-correct").await?,
        None => Producer::Store(store.clone()),
    };
    let correction = args.correction();
    let corrected =
        newsroom_services::correct(store.as_ref(), &producer, &correction, SOURCE).await?;
    let before = &corrected.before;
    let candidate = before
        .candidates
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(correction.candidate.trim()));
    let (name, change) = match candidate {
        Some(c) => (
            c.name.as_str(),
            format!(
                "{} \u{2192} {}",
                group_thousands(c.votes.0),
                group_thousands(args.votes)
            ),
        ),
        None => (correction.candidate.trim(), group_thousands(args.votes)),
    };
    eprintln!(
        "{} ({}), {}: {name} {change} votes, because {}",
        before.name,
        before.id.as_str(),
        correction.election,
        correction.reason.trim(),
    );
    match corrected.delivered {
        Delivered::New => eprintln!(
            "published tally.corrected {} to {}; the claims that used the figure are re-checked",
            corrected.envelope.event_id,
            describe(&producer, settings, TallyCorrected::TYPE)
        ),
        Delivered::Duplicate => {
            eprintln!("the same correction was published before; nothing new")
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn group_thousands(n: u64) -> String {
    crate::render::group_thousands(i64::try_from(n).unwrap_or(i64::MAX))
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
    fn durations_are_said_in_the_largest_units() {
        assert_eq!(duration_words(Duration::from_secs(12)), "12 s");
        assert_eq!(duration_words(Duration::from_secs(200)), "3 min 20 s");
        assert_eq!(duration_words(Duration::from_secs(36_300)), "10 h 5 min");
    }

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
