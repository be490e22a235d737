//! `newsroom demo`: the whole pipeline on a fresh machine, no servers: a fresh SQLite store
//! in the data directory, the 2010 and 2015 official results imported as events, the seed
//! articles submitted, the extractor and checker run until idle, the results printed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::NaiveDate;
use newsroom_tally::Year;

use super::submit::submit_files;
use super::tallies::{load_results, publish_results, year_list};
use super::{print_reports, text_files};
use crate::cli::{DemoArgs, GlobalArgs, DEFAULT_SEEDS_DIR, DEMO_PUBLISHED};
use crate::hoc_dir::HocDir;
use crate::produce::open_store_at;
use crate::progress;
use crate::render::verdict_counts;
use crate::settings::sqlite_url;

/// The elections the demo imports.
const DEMO_YEARS: [Year; 2] = [Year(2010), Year(2015)];

/// The demo's database file in the data directory, made afresh on every run.
const DEMO_DATABASE: &str = "demo.db";

pub async fn run(global: &GlobalArgs, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    if global.nats.is_some() || global.database_url.is_some() {
        tracing::warn!("the demo runs embedded: --nats and --database-url are not used");
    }
    let published = NaiveDate::parse_from_str(DEMO_PUBLISHED, "%Y-%m-%d")?;
    let files = if args.files.is_empty() {
        seed_files()?
    } else {
        args.files.clone()
    };

    let hoc = HocDir::scan(&args.tallies)?;
    let years = hoc.select(&DEMO_YEARS)?;
    let results = load_results(&hoc, &years)?;

    let database = global.data_dir.join(DEMO_DATABASE);
    remove_database(&database)?;
    let url = sqlite_url(&database);
    let store = open_store_at(&url).await?;
    let producer = newsroom_services::Producer::Store(store.clone());

    let count = publish_results(&producer, results).await?;
    eprintln!(
        "imported {} official results of {}",
        count.new,
        year_list(&years)
    );

    let submitted = submit_files(&producer, &files, Some(published)).await?;
    eprintln!(
        "submitted {} articles, published {published}",
        submitted.articles.len()
    );

    let spinner = progress::spinner("checking");
    let idle = newsroom_services::run_until_idle(store.clone()).await?;
    spinner.finish_and_clear();
    for skipped in &idle.skipped {
        eprintln!(
            "warning: {} event {} skipped: {}",
            skipped.event_type, skipped.event_id, skipped.reason
        );
    }

    let reports: Vec<_> = newsroom_services::results(store.as_ref(), None)
        .await?
        .into_iter()
        .filter(|r| submitted.articles.contains(&r.article))
        .collect();
    eprintln!(
        "checked {} articles: {}\n",
        idle.extractor.processed,
        verdict_counts(&reports)
    );
    print_reports(&reports, args.format)?;
    eprintln!(
        "\nThe demo's events are in {}; print these results again with\n  newsroom --database-url {url} results",
        database.display()
    );
    Ok(if submitted.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The seed articles beside the repository.
fn seed_files() -> anyhow::Result<Vec<PathBuf>> {
    let dir = Path::new(DEFAULT_SEEDS_DIR);
    let files = text_files(dir).with_context(|| {
        format!(
            "no article files given, and the seed articles in {DEFAULT_SEEDS_DIR} cannot be read"
        )
    })?;
    if files.is_empty() {
        anyhow::bail!("no article files given, and {DEFAULT_SEEDS_DIR} holds no .txt files");
    }
    Ok(files)
}

/// Removes the demo database of an earlier run, with SQLite's side files.
fn remove_database(database: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "cannot remove the old demo store {}",
                        PathBuf::from(name).display()
                    )
                })
            }
        }
    }
    Ok(())
}
