//! The practice's rooms: added, renamed and retired by admin. A retired
//! room is offered for no new session or rota; the sessions already in it
//! keep it.

use super::rotas::VersionedError;
use crate::{PracticeStore, StoreError};
use domain::rota::RoomView;
use surrealdb::types::SurrealValue;

#[derive(SurrealValue)]
struct RoomRow {
    id: String,
    name: String,
    version: i64,
    retired: Option<bool>,
}

impl PracticeStore {
    /// Every room of the practice, in use first, by name.
    pub async fn room_list(&self) -> Result<Vec<RoomView>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, name, version, retired FROM room
                 WHERE practice = type::record('practice', $practice) ORDER BY name",
            )
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<RoomRow> = res.take(0)?;
        let mut rooms: Vec<RoomView> = rows
            .into_iter()
            .map(|r| RoomView {
                id: r.id,
                name: r.name,
                version: r.version,
                retired: r.retired.unwrap_or(false),
            })
            .collect();
        rooms.sort_by(|a, b| (a.retired, &a.name).cmp(&(b.retired, &b.name)));
        Ok(rooms)
    }

    /// The rooms in use (not retired): (id, name), by name. What a new
    /// session or rota may be given, and the FHIR Locations.
    pub async fn rooms(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self
            .room_list()
            .await?
            .into_iter()
            .filter(|r| !r.retired)
            .map(|r| (r.id, r.name))
            .collect())
    }

    /// Adds a room (its name already checked by the caller); a name
    /// already used in the practice is `AlreadyExists`.
    pub async fn create_room(&self, name: &str) -> Result<String, StoreError> {
        self.create_named("room", name).await
    }

    /// Renames a room at `expected` version; a name another room of the
    /// practice has is `AlreadyExists`.
    pub async fn rename_room(
        &self,
        id: &str,
        expected: i64,
        name: &str,
    ) -> Result<(), VersionedError> {
        self.change_versioned(
            "room",
            id,
            expected,
            "name = $name",
            Some(name.to_string()),
            false,
        )
        .await
    }

    /// Retires (`true`) or brings back a room at `expected` version.
    pub async fn set_room_retired(
        &self,
        id: &str,
        expected: i64,
        retired: bool,
    ) -> Result<(), VersionedError> {
        self.change_versioned("room", id, expected, "retired = $flag", None, retired)
            .await
    }
}
