//! Teams: the pools tasks are assigned to, and their members.

use crate::tx::{run_with_retry, Retry};
use crate::{PracticeStore, StoreError};
use domain::task::{Person, TeamView};
use surrealdb::types::SurrealValue;

#[derive(SurrealValue)]
struct MemberRow {
    id: String,
    name: String,
    role: String,
}

impl From<MemberRow> for Person {
    fn from(r: MemberRow) -> Person {
        Person {
            id: r.id,
            name: r.name,
            role: r.role,
        }
    }
}

#[derive(SurrealValue)]
struct TeamRow {
    id: String,
    name: String,
    members: Vec<MemberRow>,
}

impl PracticeStore {
    /// The practice's teams: (id, name), by name.
    pub async fn teams(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT VALUE [record::id(id), name] FROM team
                 WHERE practice = type::record('practice', $practice) ORDER BY name",
            )
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<(String, String)> = res.take(0)?;
        Ok(rows)
    }

    /// Creates a team; a name already used is `AlreadyExists`.
    pub async fn create_team(&self, name: &str) -> Result<String, StoreError> {
        self.create_named("team", name).await
    }

    /// The practice's teams with their members, by name.
    pub async fn teams_with_members(&self) -> Result<Vec<TeamView>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, name,
                    (SELECT record::id(staff) AS id, staff.display_name AS name, staff.role AS role
                     FROM team_member WHERE team = $parent.id ORDER BY name) AS members
                 FROM team WHERE practice = type::record('practice', $practice) ORDER BY name",
            )
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<TeamRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|t| TeamView {
                id: t.id,
                name: t.name,
                members: t.members.into_iter().map(Person::from).collect(),
            })
            .collect())
    }

    /// Adds a member of the practice to one of its teams (already a member:
    /// `AlreadyExists`; another practice's team or person: `NotFound`).
    pub async fn add_team_member(&self, team_id: &str, staff_id: &str) -> Result<(), StoreError> {
        let practice = self.record();
        let outcome = run_with_retry(|| {
            self.db()
                .query(
                    "BEGIN TRANSACTION;
                     LET $team = type::record('team', $team_id);
                     LET $staff = type::record('staff', $staff_id);
                     IF (SELECT VALUE practice FROM ONLY $team) != $practice
                        OR (SELECT VALUE practice FROM ONLY $staff) != $practice { THROW 'op:not_found' };
                     CREATE team_member CONTENT { team: $team, staff: $staff } RETURN NONE;
                     COMMIT TRANSACTION;",
                )
                .bind(("practice", practice.clone()))
                .bind(("team_id", team_id.to_string()))
                .bind(("staff_id", staff_id.to_string()))
        })
        .await;
        match outcome {
            Ok(()) => Ok(()),
            Err(Retry::Thrown(t)) if t == "op:not_found" => Err(StoreError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes a member from a team of the practice (not a member: `NotFound`).
    pub async fn remove_team_member(
        &self,
        team_id: &str,
        staff_id: &str,
    ) -> Result<(), StoreError> {
        let mut res = self
            .db()
            .query(
                "DELETE team_member WHERE team = type::record('team', $team_id)
                    AND team.practice = type::record('practice', $practice)
                    AND staff = type::record('staff', $staff_id) RETURN BEFORE",
            )
            .bind(("practice", self.pid()))
            .bind(("team_id", team_id.to_string()))
            .bind(("staff_id", staff_id.to_string()))
            .await?
            .check()?;
        let removed: Vec<surrealdb::types::Value> = res.take(0)?;
        if removed.is_empty() {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }
}
