//! `newsroom check`: extraction and checking in this process, no store, no bus.

use std::io::Write as _;
use std::process::ExitCode;

use newsroom_claims::CheckReport;
use newsroom_extract::Extractor;
use newsroom_tally::Tallies;

use super::{article_id, read_article};
use crate::cli::{CheckArgs, Format};
use crate::hoc_dir::HocDir;
use crate::progress;
use crate::render::{self, Style};

/// Loads the official results of every election in `--tallies`, then checks each file and
/// prints its reports as soon as it is done. A file that cannot be read is reported on
/// stderr and the others are still checked; the exit code is then 1.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let tallies = load_tallies(&HocDir::scan(&args.tallies)?)?;
    let extractor = Extractor::new(&tallies);
    let style = Style::for_stdout();
    let mut failed = 0;
    let mut printed = 0;
    for file in &args.files {
        let body = match read_article(file) {
            Ok(body) => body,
            Err(error) => {
                eprintln!("error: {error:#}");
                failed += 1;
                continue;
            }
        };
        let article = article_id(file);
        let reports = check_article(&extractor, &tallies, &article, &body, args);
        let text = match args.format {
            Format::Jsonl => render::jsonl(&reports),
            Format::Text if printed == 0 => render::text_article(&article, &reports, style),
            Format::Text => format!("\n{}", render::text_article(&article, &reports, style)),
        };
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()?;
        printed += 1;
    }
    if failed > 0 {
        eprintln!(
            "{failed} of {} files could not be checked",
            args.files.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Every election's results in the directory, declared into one set of tallies.
pub fn load_tallies(hoc: &HocDir) -> anyhow::Result<Tallies> {
    let years = hoc.years();
    let bar = progress::bar(years.len() as u64, "tallies");
    let mut tallies = Tallies::new();
    for year in years {
        bar.set_message(year.to_string());
        tallies.import(hoc.load(year)?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(tallies)
}

fn check_article(
    extractor: &Extractor,
    tallies: &Tallies,
    article: &str,
    body: &str,
    args: &CheckArgs,
) -> Vec<CheckReport> {
    extractor
        .extract(article, body, args.published)
        .claims
        .iter()
        .map(|claim| newsroom_check::check(claim, tallies))
        .collect()
}
