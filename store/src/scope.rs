//! The practice-scoped handle. Every query about a practice's data is a
//! method of `PracticeStore`, which carries the practice it was made for:
//! a query that forgets the practice cannot be written, and nothing of
//! another practice can be read or changed through it.

use crate::Store;
use domain::PracticeId;
use surrealdb::engine::any::Any;
use surrealdb::types::RecordId;
use surrealdb::Surreal;

/// A store handle for one practice. Cheap to clone.
#[derive(Clone, Debug)]
pub struct PracticeStore {
    store: Store,
    practice: PracticeId,
}

impl Store {
    /// The handle for `practice`'s data. The caller has decided that the
    /// actor belongs to `practice` (the services do, for every door).
    pub fn practice(&self, practice: &PracticeId) -> PracticeStore {
        PracticeStore {
            store: self.clone(),
            practice: practice.clone(),
        }
    }
}

impl PracticeStore {
    /// The practice this handle is for.
    pub fn id(&self) -> &PracticeId {
        &self.practice
    }

    /// The whole store, for the few queries that are not about one
    /// practice's data (sessions, the audit chain, the outbox watch).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn db(&self) -> &Surreal<Any> {
        self.store.db()
    }

    /// The practice's id as a query binds it.
    pub(crate) fn pid(&self) -> String {
        self.practice.as_str().to_string()
    }

    /// Creates a record of `table` (a constant of the store: rooms, teams)
    /// named `name` in this practice; a name already used there is
    /// `AlreadyExists` (each table has a unique index on practice and name).
    pub(crate) async fn create_named(
        &self,
        table: &'static str,
        name: &str,
    ) -> Result<String, crate::StoreError> {
        let mut res = self
            .db()
            .query("CREATE ONLY type::table($table) CONTENT { practice: type::record('practice', $practice), name: $name } RETURN VALUE record::id(id)")
            .bind(("table", table))
            .bind(("practice", self.pid()))
            .bind(("name", name.to_string()))
            .await?
            .check()?;
        let id: Option<String> = res.take(0)?;
        id.ok_or(crate::StoreError::NotFound)
    }

    /// The practice's record, as a query binds it.
    pub(crate) fn record(&self) -> RecordId {
        RecordId::new("practice", self.practice.as_str())
    }
}
