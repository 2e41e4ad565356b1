//! Servers sharing one database: each announces the address it relays
//! presence on, and all share one signing key for the relay. Presence
//! itself never touches the database.

use crate::{Store, StoreError};
use surrealdb::types::SurrealValue;

/// A server that said it was alive recently.
#[derive(Clone, Debug, PartialEq, Eq, SurrealValue)]
pub struct Node {
    pub id: String,
    pub address: String,
}

impl Store {
    /// The relay's signing key: made by the first server to ask, then the
    /// same for every server on this database.
    pub async fn cluster_secret(&self) -> Result<String, StoreError> {
        let mut last = StoreError::NotFound;
        for _ in 0..10 {
            let mut res = self
                .db()
                .query("SELECT VALUE value FROM ONLY cluster_secret:main")
                .await?
                .check()?;
            if let Some(value) = res.take::<Option<String>>(0)? {
                return Ok(value);
            }
            let fresh = format!(
                "{:032x}{:032x}",
                rand::random::<u128>(),
                rand::random::<u128>()
            );
            // Two servers starting together: one CREATE wins, the other
            // fails (exists, or a transaction conflict) and reads it.
            match self
                .db()
                .query("CREATE cluster_secret:main CONTENT { value: $fresh } RETURN NONE")
                .bind(("fresh", fresh))
                .await
                .and_then(|r| r.check())
            {
                Ok(_) => {}
                Err(e) => last = e.into(),
            }
        }
        Err(last)
    }

    /// Records that server `id` is alive and relays presence at `address`.
    pub async fn announce_node(&self, id: &str, address: &str) -> Result<(), StoreError> {
        self.db()
            .query("UPSERT type::record('server_node', $id) SET address = $address, seen_at = time::now() RETURN NONE")
            .bind(("id", id.to_string()))
            .bind(("address", address.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// Servers other than `id` heard from in the last `within_secs` seconds.
    pub async fn live_nodes(&self, id: &str, within_secs: i64) -> Result<Vec<Node>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, address FROM server_node
                 WHERE seen_at > time::now() - type::duration(string::concat($within, 's'))
                   AND id != type::record('server_node', $id)",
            )
            .bind(("id", id.to_string()))
            .bind(("within", within_secs.to_string()))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Removes a server that is shutting down (and any silent for a day).
    pub async fn forget_node(&self, id: &str) -> Result<(), StoreError> {
        self.db()
            .query(
                "DELETE type::record('server_node', $id);
                 DELETE server_node WHERE seen_at < time::now() - 1d;",
            )
            .bind(("id", id.to_string()))
            .await?
            .check()?;
        Ok(())
    }
}
