//! Rooms (admin): add, rename, retire. A retired room is offered for no new
//! session or rota; sessions already in it keep it. Names are unique in a
//! practice; changes are versioned and audited.

use crate::audit;
use crate::{Actor, Result, ServiceError};
use domain::Area;
use store::audit::Outcome;
use store::clinics::VersionedError;
use store::{Store, StoreError};

fn room_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(ServiceError::field(
            "room_name",
            "Enter a room name of up to 60 characters.",
        ));
    }
    Ok(name)
}

fn taken(name: &str) -> ServiceError {
    ServiceError::field(
        "room_name",
        format!("There is already a room called \"{name}\"."),
    )
}

/// What a versioned change's refusal means to the person who made it.
pub(super) fn refused(e: VersionedError, what: &str) -> ServiceError {
    match e {
        VersionedError::NotFound => ServiceError::NotFound,
        VersionedError::Stale => ServiceError::conflict(
            format!("Someone else changed this {what} a moment ago. The list now shows their change: check it and try again."),
            None,
        ),
        VersionedError::AlreadyExists => ServiceError::internal("unexpected duplicate"),
        VersionedError::Store(e) => e.into(),
    }
}

/// Adds a room; a name already used in the practice is refused.
pub async fn add_room(store: &Store, actor: &Actor, name: &str) -> Result<String> {
    actor.require(Area::Admin)?;
    let name = room_name(name)?;
    match actor.db(store).create_room(name).await {
        Ok(id) => {
            audit::record(
                store,
                actor,
                &format!("added room \"{name}\""),
                None,
                Outcome::Allowed,
            )
            .await?;
            Ok(id)
        }
        Err(StoreError::AlreadyExists) => Err(taken(name)),
        Err(e) => Err(e.into()),
    }
}

/// Renames room `id` (as last seen at `version`).
pub async fn rename_room(
    store: &Store,
    actor: &Actor,
    id: &str,
    version: i64,
    name: &str,
) -> Result<()> {
    actor.require(Area::Admin)?;
    let name = room_name(name)?;
    match actor.db(store).rename_room(id, version, name).await {
        Ok(()) => {
            let action = format!("renamed a room \"{name}\"");
            audit::record(store, actor, &action, None, Outcome::Allowed).await
        }
        Err(VersionedError::AlreadyExists) => Err(taken(name)),
        Err(e) => Err(refused(e, "room")),
    }
}

/// Retires room `id` (`retired`), or brings it back into use.
pub async fn set_room_retired(
    store: &Store,
    actor: &Actor,
    id: &str,
    version: i64,
    retired: bool,
) -> Result<()> {
    actor.require(Area::Admin)?;
    actor
        .db(store)
        .set_room_retired(id, version, retired)
        .await
        .map_err(|e| refused(e, "room"))?;
    let action = if retired {
        "retired a room"
    } else {
        "brought a room back into use"
    };
    audit::record(store, actor, action, None, Outcome::Allowed).await
}
