//! The practice as other systems see it: the practice itself, its active
//! staff with their roles, its rooms and its teams (FHIR Organization,
//! Practitioner, PractitionerRole, Location and CareTeam). Not patient data, so not audited; a
//! client still needs the scope for each resource type.

use crate::{Actor, Result, ServiceError};
use domain::scopes::Interaction;
use domain::task::Person;
use store::practice::Practice;
use store::Store;

fn allowed(actor: &Actor, resource: &str) -> Result<()> {
    if actor.may_do(resource, Interaction::Read) || actor.may_do(resource, Interaction::Search) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The actor's practice.
pub async fn practice(store: &Store, actor: &Actor) -> Result<Practice> {
    allowed(actor, "Organization")?;
    Ok(actor.db(store).info().await?)
}

/// The practice's active staff, by name (for `resource`: Practitioner or
/// PractitionerRole).
pub async fn staff(store: &Store, actor: &Actor, resource: &str) -> Result<Vec<Person>> {
    allowed(actor, resource)?;
    Ok(actor.db(store).practice_staff().await?)
}

/// The practice's rooms: (id, name), by name.
pub async fn rooms(store: &Store, actor: &Actor) -> Result<Vec<(String, String)>> {
    allowed(actor, "Location")?;
    Ok(actor.db(store).rooms().await?)
}

/// The practice's teams (the pools tasks are given to): (id, name).
pub async fn teams(store: &Store, actor: &Actor) -> Result<Vec<(String, String)>> {
    allowed(actor, "CareTeam")?;
    Ok(actor.db(store).teams().await?)
}
