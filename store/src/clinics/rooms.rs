//! The practice's rooms.

use crate::{PracticeStore, StoreError};
use surrealdb::types::SurrealValue;

#[derive(SurrealValue)]
struct NamedRow {
    id: String,
    name: String,
}

impl PracticeStore {
    /// The practice's rooms: (id, name), by name.
    pub async fn rooms(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, name FROM room
                 WHERE practice = type::record('practice', $practice) ORDER BY name",
            )
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<NamedRow> = res.take(0)?;
        Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
    }

    /// Adds a room (its name already checked by the caller); a name
    /// already used in the practice is `AlreadyExists`.
    pub async fn create_room(&self, name: &str) -> Result<String, StoreError> {
        self.create_named("room", name).await
    }
}
