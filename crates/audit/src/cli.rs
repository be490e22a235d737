//! The `audit` commands, for the `newsroom` binary to mount as a subcommand.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};

use crate::claimreview::{self, ClaimReviewOptions};
use crate::export::{self, ExportOptions};
use crate::keys;
use crate::manifest::{self, Filter};
use crate::record::Format;
use crate::verify::{self, Finding};
use crate::AuditError;

/// Verifiable exports of the event log, and ClaimReview JSON-LD.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Stream the events in global order, each with its position, hash and previous hash,
    /// then a manifest signed with the newsroom's Ed25519 key.
    Export(ExportArgs),
    /// Recompute an export's hash chain and check its signature: names the first event that
    /// was changed, removed, inserted or reordered, or says the export is intact. Needs no
    /// database. Exits non-zero unless intact.
    Verify(VerifyArgs),
    /// The checked and reviewed claims as schema.org ClaimReview JSON-LD (a JSON array).
    #[command(name = "claimreview")]
    ClaimReview(ClaimReviewArgs),
    /// Create a new signing key (PKCS#8 PEM, mode 0600); refuses to overwrite one.
    Keygen(KeyArgs),
    /// Print the signing key's public key (hex), creating the key if there is none.
    Pubkey(KeyArgs),
}

/// Where the signing key is.
#[derive(Debug, Clone, Args)]
pub struct KeyArgs {
    /// The Ed25519 signing key: PKCS#8 (PEM or DER) or a 32-byte seed as 64 hex digits.
    /// Default: `<data-dir>/signing.key`, created on first use.
    #[arg(long, env = "NEWSROOM_SIGNING_KEY", value_name = "FILE")]
    pub key: Option<PathBuf>,
}

/// The newsroom's name, for manifests and reviews.
#[derive(Debug, Clone, Args)]
pub struct NewsroomArgs {
    /// The newsroom's name: who signs the exports and authors the reviews.
    #[arg(
        long,
        env = "NEWSROOM_NAME",
        value_name = "NAME",
        default_value = "Newsroom"
    )]
    pub newsroom: String,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Only events recorded at or after this time (RFC 3339, or a date: midnight UTC).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub since: Option<DateTime<Utc>>,
    /// Only events recorded before this time (RFC 3339, or a date: midnight UTC).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub until: Option<DateTime<Utc>>,
    /// Only the events about this article: its own, its claims' checks and reviews.
    #[arg(long, value_name = "ID")]
    pub article: Option<String>,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Write the export to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub newsroom: NewsroomArgs,
    #[command(flatten)]
    pub key: KeyArgs,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// The export file (JSON Lines or CSV).
    #[arg(value_name = "EXPORT")]
    pub export: PathBuf,
    /// The newsroom's published public key (64 hex digits): the manifest must be signed by
    /// it. Without it, the key the manifest names is used, which proves integrity only.
    #[arg(long, value_name = "HEX")]
    pub public_key: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ClaimReviewArgs {
    /// Only the claims of this article.
    #[arg(long, value_name = "ID")]
    pub article: Option<String>,
    #[command(flatten)]
    pub newsroom: NewsroomArgs,
    /// The newsroom's web address, for the reviews' author.
    #[arg(long, env = "NEWSROOM_URL", value_name = "URL")]
    pub newsroom_url: Option<String>,
    /// Articles' addresses: this followed by the article id.
    #[arg(long, value_name = "URL")]
    pub article_base_url: Option<String>,
    /// Who made the claims (default: the newsroom, whose articles they are).
    #[arg(long, value_name = "NAME")]
    pub claim_author: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// What the audit commands need from the binary's global options.
#[derive(Debug, Clone)]
pub struct AuditEnv {
    /// Where the default signing key lives (`<data dir>/signing.key`).
    pub data_dir: PathBuf,
    /// The event store; only `export` and `claimreview` connect to it.
    pub database_url: String,
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("{s:?} is neither an RFC 3339 time nor a date (YYYY-MM-DD)"))
}

/// Runs one audit command, writing its output to `out` (or the `--output` file).
pub async fn run(cmd: AuditCommand, env: &AuditEnv, out: &mut dyn Write) -> Result<(), AuditError> {
    match cmd {
        AuditCommand::Export(args) => {
            let key =
                keys::load_or_create(&keys::key_path(args.key.key.as_deref(), &env.data_dir))?;
            let store = newsroom_store::connect(&env.database_url).await?;
            let options = ExportOptions {
                filter: Filter {
                    since: args.since,
                    until: args.until,
                    article: args.article,
                },
                format: args.format,
                newsroom: args.newsroom.newsroom,
                progress: true,
            };
            let signed = match &args.output {
                Some(path) => {
                    let mut file = create(path)?;
                    let signed = export::export(store.as_ref(), &key, &options, &mut file).await?;
                    file.sync_all().map_err(|source| AuditError::File {
                        path: path.clone(),
                        source,
                    })?;
                    signed
                }
                None => export::export(store.as_ref(), &key, &options, out).await?,
            };
            if args.output.is_some() {
                writeln!(
                    out,
                    "exported {} events (store head {} at position {}); head hash {}",
                    signed.manifest.count,
                    signed.manifest.store_head_hash,
                    signed.manifest.through_position,
                    signed.manifest.head_hash
                )?;
            }
            Ok(())
        }
        AuditCommand::Verify(args) => {
            let finding = verify::verify(&args.export, args.public_key.as_deref())?;
            writeln!(out, "{finding}")?;
            match finding {
                Finding::Intact(_) => Ok(()),
                Finding::Tampered(t) => Err(AuditError::NotIntact(Box::new(t))),
            }
        }
        AuditCommand::ClaimReview(args) => {
            let store = newsroom_store::connect(&env.database_url).await?;
            let options = ClaimReviewOptions {
                newsroom: args.newsroom.newsroom,
                newsroom_url: args.newsroom_url,
                article: args.article,
                article_base_url: args.article_base_url,
                claim_author: args.claim_author,
            };
            match &args.output {
                Some(path) => {
                    let mut file = create(path)?;
                    let n = claimreview::claimreview(store.as_ref(), options, &mut file).await?;
                    writeln!(out, "wrote {n} ClaimReviews to {}", path.display())?;
                }
                None => {
                    claimreview::claimreview(store.as_ref(), options, out).await?;
                }
            }
            Ok(())
        }
        AuditCommand::Keygen(args) => {
            let path = keys::key_path(args.key.as_deref(), &env.data_dir);
            let key = keys::generate()?;
            keys::write_new(&path, &key)?;
            writeln!(out, "wrote a new signing key to {}", path.display())?;
            writeln!(out, "{}", manifest::public_key_hex(&key.verifying_key()))?;
            Ok(())
        }
        AuditCommand::Pubkey(args) => {
            let key = keys::load_or_create(&keys::key_path(args.key.as_deref(), &env.data_dir))?;
            writeln!(out, "{}", manifest::public_key_hex(&key.verifying_key()))?;
            Ok(())
        }
    }
}

fn create(path: &Path) -> Result<File, AuditError> {
    File::create(path).map_err(|source| AuditError::File {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Harness {
        #[command(subcommand)]
        audit: AuditCommand,
    }

    #[test]
    fn the_export_command_reads_its_filters_and_format() {
        let h = Harness::try_parse_from([
            "audit",
            "export",
            "--since",
            "2015-05-07",
            "--until",
            "2015-05-08T06:00:00+01:00",
            "--article",
            "a1",
            "--format",
            "csv",
        ])
        .unwrap();
        let AuditCommand::Export(args) = h.audit else {
            panic!("expected export")
        };
        assert_eq!(
            args.since.unwrap().to_rfc3339(),
            "2015-05-07T00:00:00+00:00"
        );
        assert_eq!(
            args.until.unwrap().to_rfc3339(),
            "2015-05-08T05:00:00+00:00"
        );
        assert_eq!(args.article.as_deref(), Some("a1"));
        assert_eq!(args.format, Format::Csv);
    }

    #[test]
    fn a_time_that_is_neither_rfc3339_nor_a_date_is_refused() {
        assert!(Harness::try_parse_from(["audit", "export", "--since", "yesterday"]).is_err());
    }
}
