//! The command line: every command, option and environment variable of `newsroom`.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use newsroom_claims::ClaimId;
use newsroom_services::ServiceKind;

/// Where the House of Commons Library results are, relative to the working directory (the
/// repository's root, beside which `../shared` lives).
pub const DEFAULT_TALLIES_DIR: &str = "../shared/data/ge-results/raw/hoc-library";

/// Where the demo's articles are, relative to the working directory.
pub const DEFAULT_SEEDS_DIR: &str = "../shared/seeds";

/// The publication date the demo gives its articles: the day after the 2015 election.
pub const DEMO_PUBLISHED: &str = "2015-05-08";

/// Checks what UK newspapers say about general elections against the official results.
///
/// Without --nats and --database-url every command runs embedded: a SQLite event store in
/// the data directory, and the services follow the store directly.
#[derive(Debug, Parser)]
#[command(name = "newsroom", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    /// Log more: -v for progress of the services (info), -vv for every message (debug).
    /// RUST_LOG refines.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

/// Where the backend's event store and bus are.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// NATS server(s) with JetStream (`nats://127.0.0.1:4222`). Without it, the in-process
    /// bus: services follow the event store.
    #[arg(long, global = true, env = "NEWSROOM_NATS_URL", value_name = "URL")]
    pub nats: Option<String>,

    /// The event store: `postgres://user@host/db` or `sqlite:path/to/file.db`. Without it,
    /// `sqlite:<data-dir>/newsroom.db`.
    #[arg(
        long,
        global = true,
        env = "NEWSROOM_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// Prefix of every NATS subject and stream of this deployment, so that several can
    /// share one server.
    #[arg(
        long,
        global = true,
        env = "NEWSROOM_NAMESPACE",
        value_name = "NS",
        default_value = newsroom_events::subjects::DEFAULT_NAMESPACE,
        value_parser = parse_namespace
    )]
    pub namespace: String,

    /// Where the embedded store lives.
    #[arg(
        long,
        global = true,
        env = "NEWSROOM_DATA_DIR",
        value_name = "DIR",
        default_value = "./data"
    )]
    pub data_dir: PathBuf,
}

/// A claim id as the checker makes them: a UUID.
fn parse_claim_id(s: &str) -> Result<ClaimId, String> {
    uuid::Uuid::parse_str(s.trim())
        .map(|id| ClaimId(id.hyphenated().to_string()))
        .map_err(|_| {
            format!("{s:?} is not a claim id (a UUID, as `results --format jsonl` prints them)")
        })
}

fn parse_namespace(s: &str) -> Result<String, newsroom_bus::BusError> {
    newsroom_bus::Namespace::parse(s).map(|ns| ns.as_str().to_owned())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check article files in this process and print one check report per claim.
    Check(CheckArgs),
    /// Official results.
    Tallies {
        #[command(subcommand)]
        command: TalliesCommand,
    },
    /// Submit article files for checking (one article.submitted each).
    Submit(SubmitArgs),
    /// Run services until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Print the current check results from the event store, or one claim's history.
    Results(ResultsArgs),
    /// Access tokens of the review service (editors, approvers, auditors, admins).
    Tokens {
        #[command(subcommand)]
        command: newsroom_review::TokensCommand,
    },
    /// Verifiable exports of the event log (signed, hash-chained), their verification, and
    /// schema.org ClaimReview JSON-LD.
    #[command(subcommand)]
    Audit(newsroom_audit::AuditCommand),
    /// Import the 2010 and 2015 results, check the seed articles and print what was found,
    /// all embedded in a fresh store.
    Demo(DemoArgs),
    /// Write the JSON Schema of every event payload, the envelope and the check report, and
    /// the event catalogue of docs/EVENTS.md.
    Schemas(SchemasArgs),
}

#[derive(Debug, Subcommand)]
pub enum TalliesCommand {
    /// Publish the official results of a directory of House of Commons Library CSVs, one
    /// tally.declared per constituency.
    Import(ImportArgs),
    /// Publish one election night's declarations in the order and at the pace of their
    /// official declaration times, as a results feed would (Ctrl-C stops it).
    ///
    /// Import the previous election first (`newsroom tallies import DIR --year 2010`):
    /// without it, claims about seats not yet declared come out unverifiable instead of
    /// pending.
    Replay(newsroom_services::ReplayArgs),
    /// Publish a correction of one candidate's votes (tally.corrected); every claim whose
    /// check used the figure is re-checked, and a verdict that changes says so.
    Correct(newsroom_services::CorrectArgs),
}

/// How reports are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: per article, each claim with its verdict beside the official figure.
    Text,
    /// One check report (JSON object) per line.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The House of Commons Library results files (`HoC-GE<year>-results-by-*.csv`).
    #[arg(long, value_name = "DIR", default_value = DEFAULT_TALLIES_DIR)]
    pub tallies: PathBuf,

    /// When the articles were published; decides which election is "this" one.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub published: Option<NaiveDate>,

    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Article files (plain text).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The directory of `HoC-GE<year>-results-by-candidate.csv` and
    /// `HoC-GE<year>-results-by-constituency.csv` files.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Import only this election (repeatable); every year found when none is given.
    #[arg(long = "year", value_name = "YEAR")]
    pub years: Vec<u16>,
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// When the articles were published.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub published: Option<NaiveDate>,

    /// Article files; each file's name is its article id.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// A service `newsroom serve` runs: one of the pipeline's, or the review service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceName {
    Pipeline(ServiceKind),
    /// The editor review queue: HTTP API, OpenAPI document and page.
    Review,
}

impl ServiceName {
    pub const REVIEW: &'static str = "review";

    /// Every name `serve` takes.
    pub fn names() -> Vec<&'static str> {
        let mut names: Vec<&'static str> = ServiceKind::ALL.map(ServiceKind::as_str).to_vec();
        names.push(ServiceName::REVIEW);
        names
    }

    fn parse(name: &str) -> Result<ServiceName, newsroom_services::ServiceError> {
        if name == ServiceName::REVIEW {
            return Ok(ServiceName::Review);
        }
        name.parse().map(ServiceName::Pipeline)
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The services to run; all when none is named (relay and ingest need --nats). `review`
    /// is the editors' review queue (HTTP API, OpenAPI document and page) on
    /// --review-listen.
    #[arg(
        value_name = "SERVICE",
        value_parser = PossibleValuesParser::new(ServiceName::names())
            .try_map(|s| ServiceName::parse(&s))
    )]
    pub services: Vec<ServiceName>,

    #[command(flatten)]
    pub review: newsroom_review::ReviewArgs,
}

impl ServeArgs {
    /// The pipeline services named; all of them when no service at all is named.
    /// `None` when only `review` is named.
    pub fn pipeline(&self) -> Option<Vec<ServiceKind>> {
        let kinds: Vec<ServiceKind> = self
            .services
            .iter()
            .filter_map(|s| match s {
                ServiceName::Pipeline(kind) => Some(*kind),
                ServiceName::Review => None,
            })
            .collect();
        if kinds.is_empty() && !self.services.is_empty() {
            None
        } else {
            Some(kinds)
        }
    }

    /// Whether the review service runs: when named, or when no service is named.
    pub fn review(&self) -> bool {
        self.services.is_empty() || self.services.contains(&ServiceName::Review)
    }
}

#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// Only this article's results.
    #[arg(long, value_name = "ID", conflicts_with = "claim")]
    pub article: Option<String>,

    /// This claim's check history instead: every verdict with the tally version it was
    /// judged on (was it right when published? is it right now?) and every verdict change.
    /// With --format jsonl, one JSON object: `claim_id`, `reports`, `changes`.
    #[arg(long, value_name = "CLAIM_ID", value_parser = parse_claim_id)]
    pub claim: Option<ClaimId>,

    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The House of Commons Library results files.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_TALLIES_DIR)]
    pub tallies: PathBuf,

    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Article files to check instead of the seed articles in ../shared/seeds.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SchemasArgs {
    /// The directory to write the schemas into.
    #[arg(long, value_name = "DIR", default_value = "docs/schemas")]
    pub out: PathBuf,

    /// The Markdown file whose event catalogue section to rewrite; by default
    /// docs/EVENTS.md, if there is one.
    #[arg(long, value_name = "FILE")]
    pub doc: Option<PathBuf>,
}

/// The document `newsroom schemas` updates unless told otherwise.
pub const DEFAULT_EVENTS_DOC: &str = "docs/EVENTS.md";

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn given_service_names_when_serve_is_parsed_then_they_become_service_kinds() {
        let cli = Cli::try_parse_from(["newsroom", "serve", "checker", "relay"]).unwrap();
        let Command::Serve(serve) = cli.command else {
            panic!("parsed as another command")
        };
        assert_eq!(
            serve.pipeline(),
            Some(vec![ServiceKind::Checker, ServiceKind::Relay])
        );
        assert!(!serve.review());
    }

    fn serve(args: &[&str]) -> ServeArgs {
        let cli = Cli::try_parse_from(["newsroom", "serve"].iter().chain(args)).unwrap();
        let Command::Serve(serve) = cli.command else {
            panic!("parsed as another command")
        };
        serve
    }

    #[test]
    fn given_no_service_named_when_serve_is_parsed_then_every_service_and_the_review_run() {
        let all = serve(&[]);
        assert_eq!(all.pipeline(), Some(vec![]), "an empty list is all of them");
        assert!(all.review());
    }

    #[test]
    fn given_review_named_when_serve_is_parsed_then_only_what_is_named_runs() {
        let review = serve(&["review", "--review-listen", "127.0.0.1:0"]);
        assert_eq!(review.pipeline(), None);
        assert!(review.review());
        assert_eq!(review.review.listen.port(), 0);

        let both = serve(&["checker", "review"]);
        assert_eq!(both.pipeline(), Some(vec![ServiceKind::Checker]));
        assert!(both.review());
    }

    #[test]
    fn given_a_claim_id_when_results_is_parsed_then_it_must_be_a_uuid() {
        let cli = Cli::try_parse_from([
            "newsroom",
            "results",
            "--claim",
            "6F1E2C9A-3B4D-5E6F-8A9B-0C1D2E3F4A5B",
        ])
        .unwrap();
        let Command::Results(results) = cli.command else {
            panic!("parsed as another command")
        };
        assert_eq!(
            results.claim,
            Some(ClaimId("6f1e2c9a-3b4d-5e6f-8a9b-0c1d2e3f4a5b".into()))
        );
        assert!(Cli::try_parse_from(["newsroom", "results", "--claim", "croydon"]).is_err());
        assert!(Cli::try_parse_from([
            "newsroom",
            "results",
            "--article",
            "a.txt",
            "--claim",
            "6f1e2c9a-3b4d-5e6f-8a9b-0c1d2e3f4a5b"
        ])
        .is_err());
    }

    #[test]
    fn given_the_new_commands_when_parsed_then_they_reach_their_crates_arguments() {
        let replay =
            Cli::try_parse_from(["newsroom", "tallies", "replay", "dir", "--speed", "max"])
                .unwrap();
        let Command::Tallies {
            command: TalliesCommand::Replay(replay),
        } = replay.command
        else {
            panic!("parsed as another command")
        };
        assert_eq!(replay.year, 2015);
        assert_eq!(replay.speed, newsroom_services::Speed::Max);

        let correct = Cli::try_parse_from([
            "newsroom",
            "tallies",
            "correct",
            "--year",
            "2015",
            "--constituency",
            "Croydon South",
            "--candidate",
            "Emily Benn",
            "--votes",
            "14308",
            "--reason",
            "EC correction",
        ])
        .unwrap();
        assert!(matches!(
            correct.command,
            Command::Tallies {
                command: TalliesCommand::Correct(_)
            }
        ));
        assert!(matches!(
            Cli::try_parse_from(["newsroom", "tokens", "list"])
                .unwrap()
                .command,
            Command::Tokens { .. }
        ));
        assert!(matches!(
            Cli::try_parse_from(["newsroom", "audit", "verify", "x.jsonl"])
                .unwrap()
                .command,
            Command::Audit(newsroom_audit::AuditCommand::Verify(_))
        ));
    }

    #[test]
    fn given_an_unknown_service_when_serve_is_parsed_then_it_is_refused() {
        assert!(Cli::try_parse_from(["newsroom", "serve", "printer"]).is_err());
    }

    #[test]
    fn given_a_namespace_that_is_not_a_nats_token_when_parsed_then_it_is_refused() {
        let parsed = Cli::try_parse_from(["newsroom", "--namespace", "a.b", "results"]);
        assert!(parsed.is_err());
    }

    #[test]
    fn given_global_options_after_the_command_when_parsed_then_they_apply() {
        let cli = Cli::try_parse_from([
            "newsroom",
            "results",
            "--namespace",
            "e2e_1",
            "--data-dir",
            "/tmp/x",
        ])
        .unwrap();
        assert_eq!(cli.global.namespace, "e2e_1");
        assert_eq!(cli.global.data_dir, PathBuf::from("/tmp/x"));
    }
}
