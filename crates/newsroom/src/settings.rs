//! Where the event store and the bus are, resolved from the global options.

use std::path::{Path, PathBuf};

use newsroom_services::NatsConfig;
use newsroom_store::Backend;

use crate::cli::GlobalArgs;

/// The store and bus a command talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// JetStream when set; the in-process bus (services follow the store) when not.
    pub nats: Option<NatsConfig>,
    pub database_url: String,
    pub data_dir: PathBuf,
}

impl Settings {
    pub fn from_args(args: &GlobalArgs) -> Settings {
        let nats = args.nats.as_ref().map(|url| NatsConfig {
            namespace: args.namespace.clone(),
            ..NatsConfig::new(url.clone())
        });
        let database_url = args
            .database_url
            .clone()
            .unwrap_or_else(|| embedded_database_url(&args.data_dir));
        Settings {
            nats,
            database_url,
            data_dir: args.data_dir.clone(),
        }
    }

    /// The store in words, without credentials: `PostgreSQL`, `SQLite data/newsroom.db`.
    pub fn store_description(&self) -> String {
        describe_store(&self.database_url)
    }
}

/// The embedded store of a data directory: `sqlite:<data-dir>/newsroom.db`.
pub fn embedded_database_url(data_dir: &Path) -> String {
    sqlite_url(&data_dir.join("newsroom.db"))
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}

/// A database URL in words, leaving out anything that may be a credential.
pub fn describe_store(url: &str) -> String {
    match Backend::of_url(url) {
        Ok(Backend::Postgres) => "PostgreSQL".to_owned(),
        Ok(Backend::Sqlite) => {
            let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
            format!("SQLite {path}")
        }
        Err(_) => "an unsupported database".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(nats: Option<&str>, database_url: Option<&str>) -> GlobalArgs {
        GlobalArgs {
            nats: nats.map(str::to_owned),
            database_url: database_url.map(str::to_owned),
            namespace: "ns1".to_owned(),
            data_dir: PathBuf::from("some/dir"),
        }
    }

    #[test]
    fn given_no_servers_when_resolved_then_the_store_is_sqlite_in_the_data_dir() {
        let settings = Settings::from_args(&args(None, None));
        assert_eq!(settings.database_url, "sqlite:some/dir/newsroom.db");
        assert_eq!(settings.nats, None);
        assert_eq!(settings.store_description(), "SQLite some/dir/newsroom.db");
    }

    #[test]
    fn given_nats_when_resolved_then_the_namespace_goes_with_it() {
        let settings =
            Settings::from_args(&args(Some("nats://h:4222"), Some("postgres://u:pw@h/db")));
        let nats = settings.nats.unwrap();
        assert_eq!(nats.url, "nats://h:4222");
        assert_eq!(nats.namespace, "ns1");
        assert_eq!(settings.database_url, "postgres://u:pw@h/db");
    }

    #[test]
    fn given_a_postgres_url_with_a_password_when_described_then_the_password_is_left_out() {
        assert_eq!(describe_store("postgres://u:secret@h/db"), "PostgreSQL");
    }
}
