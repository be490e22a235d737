//! `newsroom submit`: a producer; one `article.submitted` per file.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use newsroom_events::ArticleSubmitted;

use super::{article_id, read_article};
use crate::cli::SubmitArgs;
use newsroom_services::{Delivered, Producer, Publish as _};

use crate::produce::{article_event, connect_producer, describe};
use crate::settings::Settings;

pub async fn run(settings: &Settings, args: &SubmitArgs) -> anyhow::Result<ExitCode> {
    let producer = connect_producer(settings, "newsroom/submit").await?;
    let submitted = submit_files(&producer, &args.files, args.published).await?;
    eprintln!(
        "{} of {} articles submitted to {}",
        submitted.articles.len(),
        args.files.len(),
        describe(&producer, settings, ArticleSubmitted::TYPE)
    );
    Ok(if submitted.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// What [`submit_files`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Submitted {
    /// The ids of the articles submitted (new or resubmitted).
    pub articles: Vec<String>,
    /// Files that could not be read.
    pub failed: usize,
}

/// Publishes each file as an article (id = file name, body = the file's text exactly).
/// A file that cannot be read is reported and skipped; a publish that fails stops all.
pub async fn submit_files(
    producer: &Producer,
    files: &[PathBuf],
    published: Option<NaiveDate>,
) -> anyhow::Result<Submitted> {
    let mut submitted = Submitted::default();
    for file in files {
        let body = match read_article(file) {
            Ok(body) => body,
            Err(error) => {
                eprintln!("error: {error:#}");
                submitted.failed += 1;
                continue;
            }
        };
        let article = article_id(file);
        let envelope = article_event(&article, &body, published);
        match producer.publish(&envelope).await? {
            Delivered::New => tracing::info!(%article, event_id = %envelope.event_id, "submitted"),
            Delivered::Duplicate => {
                eprintln!("{article}: submitted before with the same text and date; not again")
            }
        }
        submitted.articles.push(article);
    }
    Ok(submitted)
}
