//! The live day's server functions: thin doors onto the appointments
//! service, which authorises (role + practice + object) and refuses stale
//! versions and impossible transitions.

use crate::AppError;
use domain::appointment_status::Action;
use domain::live::{AppointmentView, DayInfo};
use domain::{AppointmentId, Version};
use leptos::prelude::*;

/// Applies an action ("mark_arrived", "call_in", …) to an appointment the
/// caller last saw at `version`. A stale version is refused with who changed
/// it and when; nothing is overwritten.
#[server(prefix = "/api", endpoint = "appointment_action")]
pub async fn appointment_action(
    id: AppointmentId,
    version: Version,
    action: Action,
) -> Result<AppointmentView, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::appointments::act(&store, &actor, &id, version, action).await?)
}

#[server(prefix = "/api", endpoint = "day_info")]
pub async fn get_day_info() -> Result<DayInfo, AppError> {
    let (store, actor) = crate::door::staff()?;
    let waiting = crate::door::state()?.waiting;
    Ok(services::appointments::day_info(&store, &actor, waiting).await?)
}
