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
        } else if e
            .message()
            .contains("for the Record ID but this is not a valid id")
        {
            // An id no record can have (empty, say): it names nothing.
            StoreError::NotFound
        } else {
            StoreError::Db(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StoreError;

    #[tokio::test]
    async fn an_id_no_record_can_have_is_not_found() {
        let store = crate::Store::memory().await.unwrap();
        let e = store
            .db()
            .query("SELECT * FROM type::record('patient', $id)")
            .bind(("id", ""))
            .await
            .and_then(|r| r.check())
            .map(|_| ())
            .map_err(StoreError::from);
        assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
    }
}
