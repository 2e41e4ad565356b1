//! Teams (admin only, own practice): the pools tasks are assigned to.

use crate::{Actor, Result, ServiceError};
use domain::task::{Person, TeamView};
use domain::{Area, StaffId, TeamId};
use store::{Store, StoreError};

/// The practice's teams with their members, and everyone who could join.
pub async fn admin(store: &Store, actor: &Actor) -> Result<(Vec<TeamView>, Vec<Person>)> {
    actor.require(Area::Admin)?;
    let db = actor.db(store);
    Ok((db.teams_with_members().await?, db.practice_staff().await?))
}

pub async fn create(store: &Store, actor: &Actor, name: &str) -> Result<()> {
    actor.require(Area::Admin)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(ServiceError::field(
            "name",
            "Give the team a name of up to 60 characters.",
        ));
    }
    match actor.db(store).create_team(name).await {
        Ok(_) => Ok(()),
        Err(StoreError::AlreadyExists) => Err(ServiceError::field(
            "name",
            format!("There is already a team called {name}."),
        )),
        Err(e) => Err(ServiceError::internal(e)),
    }
}

/// Adds (`add` true) or removes a member of staff from a team.
pub async fn change_member(
    store: &Store,
    actor: &Actor,
    team: &TeamId,
    staff: &StaffId,
    add: bool,
) -> Result<()> {
    actor.require(Area::Admin)?;
    if team.is_empty() || staff.is_empty() {
        // No record has an empty id (and the database refuses to name one).
        return Err(ServiceError::NotFound);
    }
    let db = actor.db(store);
    let r = if add {
        db.add_team_member(team.as_str(), staff.as_str()).await
    } else {
        db.remove_team_member(team.as_str(), staff.as_str()).await
    };
    match r {
        Ok(()) => Ok(()),
        Err(StoreError::AlreadyExists) => Err(ServiceError::field(
            "staff",
            "They are already in this team.",
        )),
        Err(StoreError::NotFound) => Err(ServiceError::NotFound),
        Err(e) => Err(ServiceError::internal(e)),
    }
}
