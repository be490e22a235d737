//! The command-line arguments of the review service (`newsroom serve review`) and of
//! token management (`newsroom tokens ...`), for the `newsroom` binary to flatten in.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::builder::{PossibleValuesParser, TypedValueParser};
use newsroom_events::AccessRole;
use newsroom_store::EventStore;

use crate::access::{parse_role, role_name, ROLES};
use crate::input::PersonName;
use crate::{AuditExports, ReviewConfig, ReviewError, DEFAULT_LISTEN, DEFAULT_NEWSROOM};

/// Options of the review service.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct ReviewArgs {
    /// Where the review service (API, OpenAPI document and page) listens.
    #[arg(
        long = "review-listen",
        env = "NEWSROOM_REVIEW_LISTEN",
        value_name = "ADDR",
        default_value = DEFAULT_LISTEN
    )]
    pub listen: SocketAddr,

    /// The Ed25519 key that signs the audit exports served to auditors (PKCS#8 PEM or DER,
    /// or a 32-byte seed as 64 hex digits), as `newsroom audit export --key` uses it.
    /// Default: `<data-dir>/signing.key`, created by the first export.
    #[arg(
        long = "signing-key",
        env = "NEWSROOM_SIGNING_KEY",
        value_name = "FILE"
    )]
    pub signing_key: Option<PathBuf>,

    /// The newsroom's name: who signs the exports and authors the ClaimReviews.
    #[arg(
        long,
        env = "NEWSROOM_NAME",
        value_name = "NAME",
        default_value = DEFAULT_NEWSROOM
    )]
    pub newsroom: String,

    /// The newsroom's web address, for the ClaimReviews' author.
    #[arg(long, env = "NEWSROOM_URL", value_name = "URL")]
    pub newsroom_url: Option<String>,
}

impl ReviewArgs {
    /// The service's configuration; the signing key defaults to the one in `data_dir`.
    pub fn config(&self, data_dir: &Path) -> ReviewConfig {
        ReviewConfig {
            listen: self.listen,
            exports: AuditExports {
                signing_key: newsroom_audit::keys::key_path(self.signing_key.as_deref(), data_dir),
                newsroom: self.newsroom.clone(),
                newsroom_url: self.newsroom_url.clone(),
            },
        }
    }
}

/// Access tokens of the review service.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum TokensCommand {
    /// Issue a token and print it once (alone on stdout); the store keeps only its SHA-256.
    Issue(IssueTokenArgs),
    /// Revoke every active token of a person.
    Revoke(RevokeTokenArgs),
    /// List the active tokens: name, role, fingerprint, when and by whom issued.
    List,
}

fn role_parser() -> impl TypedValueParser<Value = AccessRole> {
    PossibleValuesParser::new(ROLES.map(role_name)).try_map(|s| parse_role(&s))
}

#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct IssueTokenArgs {
    /// The holder's name, as their decisions will be recorded (`alice`, `j.smith`).
    #[arg(long, value_name = "NAME", value_parser = PersonName::parse)]
    pub name: PersonName,

    /// auditor: reads; editor: assigns, confirms, overrides, reopens; approver: an editor
    /// who also approves others' overrides; admin: everything, and tokens.
    #[arg(long, value_name = "ROLE", value_parser = role_parser())]
    pub role: AccessRole,

    /// Who issues it, for the audit trail.
    #[arg(long, value_name = "NAME", value_parser = PersonName::parse, default_value = "newsroom-cli")]
    pub by: PersonName,
}

#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct RevokeTokenArgs {
    /// The holder whose tokens are revoked.
    #[arg(long, value_name = "NAME", value_parser = PersonName::parse)]
    pub name: PersonName,

    /// Who revokes them, for the audit trail.
    #[arg(long, value_name = "NAME", value_parser = PersonName::parse, default_value = "newsroom-cli")]
    pub by: PersonName,
}

/// Runs a `newsroom tokens` command against `store`: what a script may read goes to `out`
/// (the new token alone on a line; the listing), words for people to `note`.
pub async fn run_tokens(
    command: &TokensCommand,
    store: &dyn EventStore,
    out: &mut (dyn Write + Send),
    note: &mut (dyn Write + Send),
) -> Result<(), ReviewError> {
    match command {
        TokensCommand::Issue(args) => {
            let issued =
                crate::tokens::issue(store, &args.name, args.role, args.by.as_str()).await?;
            writeln!(
                note,
                "Token for {} ({}), fingerprint {}. It is shown this once; only its SHA-256 is stored.",
                issued.name,
                role_name(issued.role),
                issued.token.hash().fingerprint()
            )
            .map_err(ReviewError::Output)?;
            writeln!(out, "{}", issued.token.expose()).map_err(ReviewError::Output)?;
        }
        TokensCommand::Revoke(args) => {
            let revoked = crate::tokens::revoke(store, &args.name, args.by.as_str()).await?;
            writeln!(note, "Revoked {revoked} token(s) of {}.", args.name)
                .map_err(ReviewError::Output)?;
        }
        TokensCommand::List => {
            let tokens = crate::tokens::list(store).await?;
            if tokens.is_empty() {
                writeln!(note, "No active tokens.").map_err(ReviewError::Output)?;
            }
            for token in tokens {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    token.name,
                    role_name(token.role),
                    token.fingerprint,
                    token.issued_at.to_rfc3339(),
                    token.issued_by
                )
                .map_err(ReviewError::Output)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Top,
    }

    #[derive(Debug, clap::Subcommand)]
    enum Top {
        Tokens {
            #[command(subcommand)]
            command: TokensCommand,
        },
        Serve(ReviewArgs),
    }

    #[test]
    fn the_arguments_are_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn given_tokens_issue_with_a_name_and_role_when_parsed_then_they_are_typed() {
        let cli = Cli::try_parse_from([
            "x", "tokens", "issue", "--name", "alice", "--role", "approver",
        ])
        .unwrap();
        let Top::Tokens {
            command: TokensCommand::Issue(args),
        } = cli.command
        else {
            panic!("parsed as another command")
        };
        assert_eq!(args.name.as_str(), "alice");
        assert_eq!(args.role, AccessRole::Approver);
        assert_eq!(args.by.as_str(), "newsroom-cli");
    }

    #[test]
    fn given_an_unknown_role_or_a_bad_name_when_parsed_then_they_are_refused() {
        assert!(
            Cli::try_parse_from(["x", "tokens", "issue", "--name", "a", "--role", "root"]).is_err()
        );
        assert!(
            Cli::try_parse_from(["x", "tokens", "issue", "--name", "a b", "--role", "editor"])
                .is_err()
        );
    }

    #[test]
    fn given_a_listen_address_when_parsed_then_it_is_the_config() {
        let cli = Cli::try_parse_from(["x", "serve", "--review-listen", "0.0.0.0:9000"]).unwrap();
        let Top::Serve(args) = cli.command else {
            panic!("parsed as another command")
        };
        assert_eq!(
            args.config(Path::new("d")).listen,
            "0.0.0.0:9000".parse().unwrap()
        );
    }

    #[test]
    fn given_no_signing_key_when_configured_then_the_exports_use_the_data_dirs_key() {
        let cli = Cli::try_parse_from(["x", "serve"]).unwrap();
        let Top::Serve(args) = cli.command else {
            panic!("parsed as another command")
        };
        let exports = args.config(Path::new("/srv/newsroom")).exports;
        assert_eq!(
            exports.signing_key,
            PathBuf::from("/srv/newsroom/signing.key")
        );
        assert_eq!(exports.newsroom, "Newsroom");

        let cli = Cli::try_parse_from([
            "x",
            "serve",
            "--signing-key",
            "/keys/k.pem",
            "--newsroom",
            "The Courier",
        ])
        .unwrap();
        let Top::Serve(args) = cli.command else {
            panic!("parsed as another command")
        };
        let exports = args.config(Path::new("/srv/newsroom")).exports;
        assert_eq!(exports.signing_key, PathBuf::from("/keys/k.pem"));
        assert_eq!(exports.newsroom, "The Courier");
    }
}
