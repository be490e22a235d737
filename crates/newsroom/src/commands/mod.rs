//! One module per command: each reads its arguments, does its IO and prints.

pub mod check;
pub mod demo;
pub mod results;
pub mod serve;
pub mod submit;
pub mod tallies;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use newsroom_claims::CheckReport;

use crate::cli::{Format, SchemasArgs, DEFAULT_EVENTS_DOC};
use crate::produce::open_store;
use crate::render::{self, Style};
use crate::settings::Settings;

/// `newsroom tokens issue|revoke|list`: the review service's access tokens, in the store.
/// A new token goes alone to stdout (for scripts), words for people to stderr.
pub async fn tokens(
    settings: &Settings,
    command: &newsroom_review::TokensCommand,
) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    newsroom_review::run_tokens(
        command,
        store.as_ref(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// `newsroom audit export|verify|claimreview|keygen|pubkey`, on the store and signing key
/// of the global options (`<data-dir>/signing.key` unless `--key` names another).
pub async fn audit(
    settings: &Settings,
    command: newsroom_audit::AuditCommand,
) -> anyhow::Result<ExitCode> {
    let env = newsroom_audit::AuditEnv {
        data_dir: settings.data_dir.clone(),
        database_url: settings.database_url.clone(),
    };
    newsroom_audit::run(command, &env, &mut std::io::stdout()).await?;
    Ok(ExitCode::SUCCESS)
}

/// `newsroom schemas`: writes every schema into `--out` and the event catalogue into
/// `--doc` (docs/EVENTS.md when it exists and no other is named).
pub fn schemas(args: &SchemasArgs) -> anyhow::Result<ExitCode> {
    let files = crate::schemas::write(&args.out)?;
    eprintln!(
        "wrote {} JSON Schemas to {}",
        files.len(),
        args.out.display()
    );
    let default_doc = Path::new(DEFAULT_EVENTS_DOC);
    let doc = match &args.doc {
        Some(doc) => Some(doc.as_path()),
        None => default_doc.exists().then_some(default_doc),
    };
    if let Some(doc) = doc {
        crate::schemas::update_catalogue(doc)?;
        eprintln!("updated the event catalogue in {}", doc.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The article id of a file: its name (`002_d4610d365ca6d503.txt`).
pub fn article_id(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reads an article file exactly as it is (it must be UTF-8 text), naming the file if not.
pub fn read_article(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Prints reports of several articles to stdout in `format`, text grouped by article.
pub fn print_reports(reports: &[CheckReport], format: Format) -> anyhow::Result<()> {
    let text = match format {
        Format::Jsonl => render::jsonl(reports),
        Format::Text => render::text_grouped(reports, Style::for_stdout()),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// The `.txt` files of a directory, sorted by name.
pub fn text_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot read {}", dir.display()))?
            .path();
        if path.extension().is_some_and(|ext| ext == "txt") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
