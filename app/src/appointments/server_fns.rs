//! Appointment server functions: authorise (role + practice + object) in
//! our own code, then change through the store, which refuses stale
//! versions and impossible transitions.

use crate::AppError;
use domain::live::AppointmentView;
use leptos::prelude::*;

/// Applies an action ("mark_arrived", "call_in", …) to an appointment the
/// caller last saw at `version`. A stale version is refused with who changed
/// it and when; nothing is overwritten.
#[server(prefix = "/api", endpoint = "appointment_action")]
pub async fn appointment_action(
    id: String,
    version: i64,
    action: String,
) -> Result<AppointmentView, AppError> {
    use crate::auth::ssr;
    use domain::appointment_status::Action;
    use store::StoreError;
    let result = async {
        let actor = ssr::require_area(domain::Area::WaitingRoom)?;
        let action = Action::parse(&action)
            .ok_or_else(|| AppError::field("action", format!("Unknown action \"{action}\".")))?;
        let state = ssr::app_state()?;
        let practice = actor.practice_id().to_string();
        let current = match state.store.appointment(&practice, &id).await {
            Ok(a) => a,
            Err(StoreError::NotFound) => return Err(AppError::NotFound),
            Err(e) => return Err(AppError::internal(e)),
        };
        let own = current.clinician_id == actor.user.staff_id;
        if !action.allowed_for(actor.role(), own) {
            return Err(AppError::Forbidden);
        }
        state
            .store
            .change_appointment_status(&practice, &id, version, action, &actor.user.staff_id)
            .await
            .map_err(super::book_fns::change_error)
    }
    .await;
    crate::error::with_status(result)
}

/// "Changed by Dee Patel at 10:42: now Arrived. Check it and try again."
pub fn stale_message(current: &AppointmentView) -> String {
    let at = chrono::DateTime::parse_from_rfc3339(&current.updated_at)
        .map(|t| domain::time::london_hhmm(t.with_timezone(&chrono::Utc)))
        .unwrap_or_default();
    format!(
        "Changed by {} at {}: now {}. Check it and try again.",
        current.updated_by.as_deref().unwrap_or("someone else"),
        at,
        current.status.label()
    )
}

/// When a patient's wait turns amber, then red, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WaitThresholds {
    pub amber_minutes: i64,
    pub red_minutes: i64,
}

impl Default for WaitThresholds {
    fn default() -> Self {
        Self {
            amber_minutes: 15,
            red_minutes: 30,
        }
    }
}

/// What a day list needs before it subscribes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DayInfo {
    /// Today in the practice (Europe/London), by the server's clock: a
    /// browser's clock may be wrong.
    pub today: String,
    pub waiting: WaitThresholds,
}

#[server(prefix = "/api", endpoint = "day_info")]
pub async fn get_day_info() -> Result<DayInfo, AppError> {
    let result = async {
        crate::auth::ssr::actor().ok_or(AppError::Unauthenticated)?;
        let state = crate::auth::ssr::app_state()?;
        Ok(DayInfo {
            today: domain::time::london_today(chrono::Utc::now()).to_string(),
            waiting: state.waiting,
        })
    }
    .await;
    crate::error::with_status(result)
}
