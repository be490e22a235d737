//! The command line: every command, option and environment variable of `newsroom`.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
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
    /// Print the current check results from the event store.
    Results(ResultsArgs),
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

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The services to run; all when none is named (relay and ingest need --nats).
    #[arg(
        value_name = "SERVICE",
        value_parser = PossibleValuesParser::new(ServiceKind::ALL.map(ServiceKind::as_str))
            .try_map(|s| s.parse::<ServiceKind>())
    )]
    pub services: Vec<ServiceKind>,
}

#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// Only this article's results.
    #[arg(long, value_name = "ID")]
    pub article: Option<String>,

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
        assert_eq!(serve.services, [ServiceKind::Checker, ServiceKind::Relay]);
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
