//! The book as other systems read it (the FHIR API): the slot calendar, a
//! clinic session, and appointments by id or by patient, date, status,
//! clinician or slot. The same practice scoping as the pages; each
//! appointment shown is an audited read of its patient's data.

use super::Result;
use crate::{audit, Actor, ServiceError};
use domain::book::SessionView;
use domain::live::AppointmentView;
use domain::scopes::Interaction;
use domain::{AppointmentId, Area, ClinicSessionId};
use store::appointments::AppointmentFilter;
use store::audit::Outcome;
use store::clinics::SlotState;
use store::Store;

/// The longest stretch of the calendar one request reads.
pub const MAX_DAYS: i64 = 31;

fn allowed(actor: &Actor, resource: &str, i: Interaction) -> Result<()> {
    actor.require(Area::Appointments)?;
    if actor.may_do(resource, i) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Every slot from `from` to `to` (YYYY-MM-DD, inclusive, at most
/// `MAX_DAYS`), optionally of one session.
pub async fn slots(
    store: &Store,
    actor: &Actor,
    from: &str,
    to: &str,
    session: Option<&ClinicSessionId>,
) -> Result<Vec<SlotState>> {
    allowed(actor, "Slot", Interaction::Search)?;
    let (Some(a), Some(b)) = (domain::time::iso_date(from), domain::time::iso_date(to)) else {
        return Err(ServiceError::field("start", "Give dates as YYYY-MM-DD."));
    };
    if b < a {
        return Err(ServiceError::field(
            "start",
            "The range ends before it starts.",
        ));
    }
    if (b - a).num_days() >= MAX_DAYS {
        return Err(ServiceError::field(
            "start",
            format!("Ask for at most {MAX_DAYS} days of slots at once."),
        ));
    }
    Ok(actor
        .db(store)
        .slots_between(from, to, session.map(ClinicSessionId::as_str))
        .await?)
}

/// One clinic session (a FHIR Schedule).
pub async fn session(store: &Store, actor: &Actor, id: &ClinicSessionId) -> Result<SessionView> {
    allowed(actor, "Schedule", Interaction::Read)?;
    actor
        .db(store)
        .clinic_session(id.as_str())
        .await?
        .ok_or(ServiceError::NotFound)
}

/// One appointment, audited as a read of its patient's appointments.
pub async fn appointment(
    store: &Store,
    actor: &Actor,
    id: &AppointmentId,
) -> Result<AppointmentView> {
    allowed(actor, "Appointment", Interaction::Read)?;
    let found = match actor.db(store).appointment(id.as_str()).await {
        Ok(a) => a,
        Err(store::StoreError::NotFound) => {
            audit::refused(store, actor, "read appointment", id.as_str()).await?;
            return Err(ServiceError::NotFound);
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        store,
        actor,
        "read an appointment",
        Some(&found.patient_id),
        Outcome::Allowed,
    )
    .await?;
    Ok(found)
}

/// Appointments matching `filter` (total, and up to `count` from
/// `offset`); each one returned is audited.
pub async fn find(
    store: &Store,
    actor: &Actor,
    filter: &AppointmentFilter,
    offset: usize,
    count: usize,
) -> Result<(usize, Vec<AppointmentView>)> {
    allowed(actor, "Appointment", Interaction::Search)?;
    let (total, page) = actor
        .db(store)
        .find_appointments(filter, offset, count.min(crate::patients::MAX_PAGE))
        .await?;
    for a in &page {
        audit::record(
            store,
            actor,
            "found an appointment in a search",
            Some(&a.patient_id),
            Outcome::Allowed,
        )
        .await?;
    }
    Ok((total, page))
}
