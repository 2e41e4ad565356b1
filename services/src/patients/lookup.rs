//! A patient's details and a search over every demographic field: what
//! other systems read through the FHIR API. The same policy as the
//! patient's page (role, or the client's scopes, within the practice) and
//! the same audit: every patient shown is an audited read.

use crate::{audit, Actor, Result, ServiceError};
use domain::patient::PatientDetails;
use domain::policy::{Access, DataKind};
use domain::scopes::Interaction;
use domain::{Area, PatientId};
use store::audit::Outcome;
use store::patients::PatientFilter;
use store::Store;

/// The most patients one search returns at once.
pub const MAX_PAGE: usize = 50;

/// One patient's details. Another practice's patient, or one the actor
/// may not read, answers as not found, audited as a refusal.
pub async fn details(store: &Store, actor: &Actor, id: &PatientId) -> Result<PatientDetails> {
    actor.require(Area::Patients)?;
    let found = if actor.may(DataKind::Demographics, Access::Read)
        && actor.may_do("Patient", Interaction::Read)
    {
        actor.db(store).patient_record(id.as_str()).await?
    } else {
        None
    };
    let Some(patient) = found else {
        audit::refused(store, actor, "read the details of", id.as_str()).await?;
        return Err(ServiceError::NotFound);
    };
    audit::record(
        store,
        actor,
        "read the patient's details",
        Some(&patient.id),
        Outcome::Allowed,
    )
    .await?;
    Ok(patient)
}

/// Patients matching `filter`: the total, and up to `count` (at most
/// `MAX_PAGE`) from `offset`. Each patient returned is audited.
pub async fn find(
    store: &Store,
    actor: &Actor,
    filter: &PatientFilter,
    offset: usize,
    count: usize,
) -> Result<(usize, Vec<PatientDetails>)> {
    actor.require(Area::Patients)?;
    if !(actor.may(DataKind::Demographics, Access::Read)
        && actor.may_do("Patient", Interaction::Search))
    {
        return Err(ServiceError::Forbidden);
    }
    let (total, page) = actor
        .db(store)
        .filter_patients(filter, offset, count.min(MAX_PAGE))
        .await?;
    for p in &page {
        audit::record(
            store,
            actor,
            "found the patient in a search",
            Some(&p.id),
            Outcome::Allowed,
        )
        .await?;
    }
    Ok((total, page))
}
