//! Store errors. The `Db` variant's text may quote values from a query, so it
//! is logged by the caller, never shown to a user.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique index refused the write (username taken, slot booked…).
    #[error("already exists")]
    AlreadyExists,
    #[error(
        "this database was written by a newer OpenPractice (schema version {found}; this build knows up to {known}). \
         Upgrade OpenPractice, or point it at another database"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Db(surrealdb::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<surrealdb::Error> for StoreError {
    fn from(e: surrealdb::Error) -> Self {
        if e.is_already_exists() || e.message().contains("already contains") {
            StoreError::AlreadyExists
        } else {
            StoreError::Db(e)
        }
    }
}
