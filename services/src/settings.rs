//! The practice's settings: its admin reads and changes them (from the
//! version they read; every change audited); every member of staff's pages
//! use them (the wait thresholds). A practice that never set its wait
//! thresholds uses the server's (`--wait-amber-minutes`, …).

use crate::{audit, Actor, Result, ServiceError};
use domain::live::WaitThresholds;
use domain::settings::{PracticeSettings, SettingsForm};
use domain::Area;
use store::audit::Outcome;
use store::settings::SettingsError;
use store::Store;

/// The settings, for the admin's form.
pub async fn get(
    store: &Store,
    actor: &Actor,
    default_waiting: WaitThresholds,
) -> Result<PracticeSettings> {
    actor.require(Area::Admin)?;
    Ok(actor.db(store).settings(default_waiting).await?)
}

/// The wait thresholds the actor's practice uses, for any member of staff.
pub async fn waiting(
    store: &Store,
    actor: &Actor,
    default_waiting: WaitThresholds,
) -> Result<WaitThresholds> {
    actor.staff_id()?;
    Ok(actor.db(store).settings(default_waiting).await?.waiting)
}

/// Saves the admin's form, made from the settings at `version`.
pub async fn save(
    store: &Store,
    actor: &Actor,
    form: &SettingsForm,
    version: i64,
    default_waiting: WaitThresholds,
) -> Result<PracticeSettings> {
    actor.require(Area::Admin)?;
    let new = form.validate(version).map_err(ServiceError::fields)?;
    let saved = match actor.db(store).save_settings(&new, default_waiting).await {
        Ok(saved) => saved,
        Err(SettingsError::Stale { .. }) => {
            return Err(ServiceError::conflict(
                "Someone else changed the practice settings while you had them open. The form now shows them as they are: make your change again if it is still needed.",
                None,
            ))
        }
        Err(SettingsError::Store(e)) => return Err(e.into()),
    };
    audit::record(
        store,
        actor,
        "changed the practice settings",
        None,
        Outcome::Allowed,
    )
    .await?;
    Ok(saved)
}
