//! The practice as other systems see it: the practice itself, its active
//! staff with their roles, and its rooms (FHIR Organization, Practitioner,
//! PractitionerRole and Location). Not patient data, so not audited; a
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
