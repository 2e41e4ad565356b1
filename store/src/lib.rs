//! The only code that talks to SurrealDB. Every query is parameterised
//! (`.bind`); rows are mapped to plain types here so nothing above this crate
//! sees a database type. Organised by feature; every query about a
//! practice's data is a method of the practice-scoped `PracticeStore`
//! (`store.practice(&id)`), so none can forget the practice.
//!
//! Never here: who may do what (the services authorise; the server talks
//! to SurrealDB as a system user, which table PERMISSIONS do not restrict),
//! checks of what a person typed, or words shown to people (refusals are
//! typed; the services choose the words).

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod any_of;
pub mod api_clients;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod clinics;
pub mod demo;
pub mod display;
mod error;
pub mod fixtures;
pub mod import;
mod lane;
pub mod live;
pub mod migrations;
pub mod patients;
pub mod practice;
pub mod record;
pub mod results;
mod scope;
pub mod settings;
pub mod staff;
pub mod tasks;
mod tx;
pub(crate) use any_of::AnyOf;

pub use error::StoreError;
pub use scope::PracticeStore;

/// A database datetime as RFC 3339 UTC to the second, as views carry it.
pub fn rfc3339(d: surrealdb::types::Datetime) -> String {
    chrono::DateTime::<chrono::Utc>::from(d).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// RFC 3339 to the nanosecond, always nine digits: sorts as the
/// database orders the time (where a list is ordered by it).
pub fn rfc3339_exact(d: surrealdb::types::Datetime) -> String {
    chrono::DateTime::<chrono::Utc>::from(d).to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// Who made a change: a member of staff or an API client (their ids).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum By {
    Staff(String),
    Client(String),
}

/// A member of staff, by id (what most changes are made by).
impl From<&str> for By {
    fn from(staff: &str) -> Self {
        By::Staff(staff.to_string())
    }
}

impl From<&String> for By {
    fn from(staff: &String) -> Self {
        By::Staff(staff.clone())
    }
}

impl From<String> for By {
    fn from(staff: String) -> Self {
        By::Staff(staff)
    }
}

impl By {
    pub(crate) fn record(&self) -> surrealdb::types::RecordId {
        match self {
            By::Staff(id) => surrealdb::types::RecordId::new("staff", id.as_str()),
            By::Client(id) => surrealdb::types::RecordId::new("api_client", id.as_str()),
        }
    }
}

/// A WHERE clause of the `conditions` given (in order: the most selective
/// first, as the database uses the index of the first indexed field it
/// meets), always within the practice bound as `$practice`.
pub(crate) fn within_practice(conditions: &[(bool, &str)]) -> String {
    let mut wheres = String::new();
    for (_, c) in conditions.iter().filter(|(present, _)| *present) {
        wheres.push_str(c);
        wheres.push_str(" AND ");
    }
    wheres.push_str("practice = type::record('practice', $practice)");
    wheres
}

/// A random record key, for records whose id is chosen before the write
/// so the outbox row can name it in the same transaction.
pub(crate) fn new_key() -> String {
    format!("{:032x}", rand::random::<u128>())
}

use surrealdb::engine::any::{connect, Any};
use surrealdb::opt::auth::Root;
use surrealdb::Surreal;

/// Where the database lives, parsed from `--db`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DbTarget {
    /// Embedded SurrealKV in a directory (the default, `./data`).
    Embedded(std::path::PathBuf),
    /// In memory, gone at exit (tests).
    Memory,
    /// A SurrealDB server, `ws://host:port`.
    Remote(String),
}

impl DbTarget {
    /// `mem://`, `ws://…`/`wss://…`, `surrealkv://path`, or a plain path.
    pub fn parse(spec: &str) -> Result<Self, StoreError> {
        if spec == "mem://" || spec == "memory" {
            Ok(Self::Memory)
        } else if spec.starts_with("ws://") || spec.starts_with("wss://") {
            Ok(Self::Remote(spec.to_string()))
        } else if let Some(path) = spec.strip_prefix("surrealkv://") {
            Ok(Self::Embedded(path.into()))
        } else if spec.contains("://") {
            Err(StoreError::Config(format!(
                "unsupported database address \"{spec}\": use a directory, surrealkv://DIR, mem:// or ws://HOST:PORT"
            )))
        } else {
            Ok(Self::Embedded(spec.into()))
        }
    }

    fn endpoint(&self) -> String {
        match self {
            Self::Embedded(path) => format!("surrealkv://{}", path.display()),
            Self::Memory => "mem://".to_string(),
            Self::Remote(url) => url.clone(),
        }
    }

    /// Safe to log: never contains credentials.
    pub fn describe(&self) -> String {
        match self {
            Self::Embedded(path) => format!("embedded SurrealKV at {}", path.display()),
            Self::Memory => "in-memory database".to_string(),
            Self::Remote(url) => format!("SurrealDB server at {url}"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ConnectOptions {
    pub target: DbTarget,
    pub namespace: String,
    pub database: String,
    /// Root credentials for a remote server; unused when embedded.
    pub username: Option<String>,
    pub password: Option<String>,
    /// Where the audit chain's key comes from.
    pub audit_key: AuditKeySource,
}

/// Where the audit chain's key (kept outside the database) comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditKeySource {
    /// A new random key for this process (an in-memory database).
    Generate,
    /// A key file; `create`: make it if it does not exist and the chain
    /// has no keyed entries yet (the embedded default, beside the data
    /// directory). Servers sharing a database server share one file.
    File {
        path: std::path::PathBuf,
        create: bool,
    },
}

impl ConnectOptions {
    pub fn memory() -> Self {
        Self {
            target: DbTarget::Memory,
            namespace: "openpractice".into(),
            database: "openpractice".into(),
            username: None,
            password: None,
            audit_key: AuditKeySource::Generate,
        }
    }
}

/// A handle on the database; cheap to clone (the client is reference counted).
#[derive(Clone, Debug)]
pub struct Store {
    /// Shared, not cloned: cloning a `Surreal` handle opens a new database
    /// session (SurrealDB 3 SDK), which cost ~65 KiB per live socket and a
    /// session per request before this was an `Arc`.
    db: std::sync::Arc<Surreal<Any>>,
    /// The embedded engine's lock file, to know when it has really closed.
    lock_file: Option<std::path::PathBuf>,
    /// The audit chain's key, from outside the database.
    audit_key: std::sync::Arc<audit::AuditKey>,
    /// Audit entries waiting to be written together.
    audit_lane: std::sync::Arc<audit::AuditLane>,
    /// Each practice's arriving reports, stored together.
    pub(crate) arrivals: std::sync::Arc<results::ArrivalLanes>,
}

impl Store {
    /// Connects, selects the namespace and database and applies pending
    /// migrations, refusing a database written by a newer OpenPractice.
    pub async fn open(options: &ConnectOptions) -> Result<Self, StoreError> {
        if let DbTarget::Embedded(path) = &options.target {
            std::fs::create_dir_all(path).map_err(|e| {
                StoreError::Config(format!(
                    "cannot create data directory {}: {e}",
                    path.display()
                ))
            })?;
        }
        let db = connect(options.target.endpoint()).await?;
        if let (Some(username), Some(password)) = (&options.username, &options.password) {
            db.signin(Root {
                username: username.clone(),
                password: password.clone(),
            })
            .await?;
        }
        db.use_ns(&options.namespace)
            .use_db(&options.database)
            .await?;
        let lock_file = match &options.target {
            DbTarget::Embedded(path) => Some(path.join("LOCK")),
            _ => None,
        };
        let mut store = Self {
            db: std::sync::Arc::new(db),
            lock_file,
            // Replaced below, before anything is written.
            audit_key: std::sync::Arc::new(audit::AuditKey::generate(i64::MAX)),
            audit_lane: Default::default(),
            arrivals: Default::default(),
        };
        let key = match migrations::migrate(&store).await {
            Ok(_) => store.resolve_audit_key(&options.audit_key).await,
            Err(e) => Err(e),
        };
        match key {
            Ok(key) => {
                store.audit_key = std::sync::Arc::new(key);
                Ok(store)
            }
            Err(e) => {
                // Release the embedded engine before saying why, so the
                // operator (or a retry) can open it again at once.
                store.close(std::time::Duration::from_secs(10)).await;
                Err(e)
            }
        }
    }

    /// An empty, migrated in-memory database (tests).
    pub async fn memory() -> Result<Self, StoreError> {
        Self::open(&ConnectOptions::memory()).await
    }

    pub(crate) fn db(&self) -> &Surreal<Any> {
        &self.db
    }

    pub(crate) fn audit_key(&self) -> std::sync::Arc<audit::AuditKey> {
        self.audit_key.clone()
    }

    pub(crate) fn audit_lane(&self) -> &audit::AuditLane {
        &self.audit_lane
    }

    /// Closes the database: drops this handle and, for the embedded engine,
    /// waits (up to `timeout`) until the engine has shut down and released
    /// its lock, so the process does not exit under it. Every other clone
    /// must have been dropped first. Returns false if it did not close in time.
    pub async fn close(self, timeout: std::time::Duration) -> bool {
        let Self { db, lock_file, .. } = self;
        drop(db);
        let Some(lock_file) = lock_file else {
            return true;
        };
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if lock_released(&lock_file) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Readiness: the database answers a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut res = self.db.query("RETURN 1").await?.check()?;
        let one: Option<i64> = res.take(0)?;
        match one {
            Some(1) => Ok(()),
            other => Err(StoreError::Internal(format!("ping returned {other:?}"))),
        }
    }
}

/// SurrealKV holds an exclusive flock on its LOCK file while open; taking it
/// ourselves (and letting it go at once) proves the engine has closed.
fn lock_released(path: &std::path::Path) -> bool {
    use fs2::FileExt;
    match std::fs::File::open(path) {
        Ok(file) => match file.try_lock_exclusive() {
            Ok(()) => {
                let _ = file.unlock();
                true
            }
            Err(_) => false,
        },
        // No lock file: nothing holds the directory.
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_embedded_database_closes_cleanly_and_reopens_with_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let options = ConnectOptions {
            target: DbTarget::Embedded(dir.path().join("db")),
            ..ConnectOptions::memory()
        };
        let store = Store::open(&options).await.unwrap();
        store
            .create_practice("Persistent Surgery", false)
            .await
            .unwrap();
        assert!(
            !lock_released(&dir.path().join("db/LOCK")),
            "the open engine holds its lock"
        );
        assert!(
            store.close(std::time::Duration::from_secs(10)).await,
            "closed within 10 s"
        );
        let store = Store::open(&options).await.unwrap();
        let names: Vec<String> = store
            .practices()
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, vec!["Persistent Surgery".to_string()]);
        assert!(store.close(std::time::Duration::from_secs(10)).await);
    }

    #[test]
    fn database_addresses_parse_or_are_refused_clearly() {
        assert_eq!(DbTarget::parse("mem://").unwrap(), DbTarget::Memory);
        assert_eq!(
            DbTarget::parse("./data").unwrap(),
            DbTarget::Embedded("./data".into())
        );
        assert_eq!(
            DbTarget::parse("surrealkv:///var/op").unwrap(),
            DbTarget::Embedded("/var/op".into())
        );
        assert_eq!(
            DbTarget::parse("ws://db:8000").unwrap(),
            DbTarget::Remote("ws://db:8000".into())
        );
        let err = DbTarget::parse("ftp://x").unwrap_err().to_string();
        assert!(err.contains("unsupported database address"), "{err}");
    }
}
