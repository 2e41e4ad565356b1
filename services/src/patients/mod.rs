//! Patients: find a patient (NHS number, name, date of birth or postcode),
//! register one, change their details, and the patient's page. Every
//! operation checks the role × data policy (`domain::policy`) and the
//! practice, and audits every view and write of a patient's record,
//! refusals included (without revealing whether the record exists).

pub(crate) mod live;
mod lookup;

pub use lookup::{details, find, MAX_PAGE};

use crate::{audit, Actor, Result, ServiceError};
use domain::book::PatientHit;
use domain::patient::{PatientForm, PatientPageData, ValidPatient};
use domain::policy::{Access, DataKind};
use domain::{Area, Current, PatientId, Role, StaffId, Version};
use store::audit::Outcome;
use store::patients::{PatientQuery, RegisterError};
use store::{PracticeStore, Store};

/// A patient's page. Audited: viewed, or refused (another practice's
/// patient, or a role without access, answers as not found).
pub async fn page(store: &Store, actor: &Actor, id: &PatientId) -> Result<PatientPageData> {
    actor.require(Area::Patients)?;
    // Read first: a change made while the page is read has a later seq,
    // so the open page hears of it and reads that part again.
    let seq = actor.db(store).event_seq().await?;
    let found = if actor.may(DataKind::Demographics, Access::Read) {
        actor.db(store).patient_record(id.as_str()).await?
    } else {
        None
    };
    let Some(patient) = found else {
        audit::refused(store, actor, "view the record", id.as_str()).await?;
        return Err(ServiceError::NotFound);
    };
    audit::record(
        store,
        actor,
        "viewed the record",
        Some(&patient.id),
        Outcome::Allowed,
    )
    .await?;
    let summary = crate::record::summary(store, actor, &patient.id).await?;
    let accesses = audit::accesses(store, actor, &patient.id).await?;
    Ok(PatientPageData {
        patient,
        accesses,
        summary,
        seq,
    })
}

/// A usual GP, if given, must be a GP of the practice.
async fn check_usual_gp(db: &PracticeStore, p: &ValidPatient) -> Result<()> {
    match &p.usual_gp {
        Some(gp) if db.staff_role(&StaffId::new(gp.as_str())).await? != Some(Role::Gp) => Err(
            ServiceError::field("usual_gp", "Choose a GP of this practice."),
        ),
        _ => Ok(()),
    }
}

/// A registration or edit refused by the store, in words.
fn refused(e: RegisterError) -> ServiceError {
    match e {
        RegisterError::Duplicate { existing } => {
            let nhs = domain::NhsNumber::parse(&existing.nhs_number)
                .map(|n| n.to_string())
                .unwrap_or_else(|_| existing.nhs_number.clone());
            ServiceError::field(
                "nhs_number",
                format!(
                    "NHS number {nhs} is already registered to {} (born {}).",
                    existing.display_name(),
                    existing.date_of_birth
                ),
            )
        }
        RegisterError::Stale { by, at, current } => ServiceError::conflict(
            format!(
                "Changed by {} at {} since you opened it. Your changes are not saved: reload the record to see theirs, then make yours again.",
                by.as_deref().unwrap_or("someone else"),
                domain::time::london_hhmm(at)
            ),
            Some(Current::Patient(current)),
        ),
        RegisterError::NotFound => ServiceError::NotFound,
        RegisterError::Store(e) => e.into(),
    }
}

/// Registers a patient: every field checked (all errors at once, each
/// beside its field); a duplicate NHS number names the record that has it.
/// Returns the new patient's id.
pub async fn register(store: &Store, actor: &Actor, form: &PatientForm) -> Result<PatientId> {
    actor.require(Area::Patients)?;
    if !actor.may(DataKind::Demographics, Access::Write) {
        audit::record(
            store,
            actor,
            "tried to register a patient",
            None,
            Outcome::Refused,
        )
        .await?;
        return Err(ServiceError::Forbidden);
    }
    let today = domain::time::london_today(chrono::Utc::now());
    let valid = form.validate(today).map_err(ServiceError::fields)?;
    let db = actor.db(store);
    check_usual_gp(&db, &valid).await?;
    let id = db.register_patient(&valid).await.map_err(refused)?;
    audit::record(
        store,
        actor,
        "registered the patient",
        Some(&id),
        Outcome::Allowed,
    )
    .await?;
    Ok(PatientId::new(id))
}

/// Changes a patient's details (reception), if no one has changed them
/// since `version`: every field checked, all errors at once; a stale edit
/// is refused naming who changed it. Returns the new version. Audited.
pub async fn edit(
    store: &Store,
    actor: &Actor,
    id: &PatientId,
    version: Version,
    form: &PatientForm,
) -> Result<Version> {
    actor.require(Area::Patients)?;
    let db = actor.db(store);
    let allowed = actor.may(DataKind::Demographics, Access::Write)
        && db.patient_in_practice(id.as_str()).await?;
    if !allowed {
        audit::refused(store, actor, "edit the details of", id.as_str()).await?;
        return Err(ServiceError::NotFound);
    }
    let today = domain::time::london_today(chrono::Utc::now());
    let valid = form.validate(today).map_err(ServiceError::fields)?;
    check_usual_gp(&db, &valid).await?;
    let saved = db
        .update_patient(
            id.as_str(),
            version.get(),
            &valid,
            actor.staff_id()?.as_str(),
        )
        .await
        .map_err(refused)?;
    audit::record(
        store,
        actor,
        "edited the details",
        Some(id.as_str()),
        Outcome::Allowed,
    )
    .await?;
    Ok(Version(saved.version))
}

/// The practice's GPs, for the registration form: (id, name).
pub async fn gps(store: &Store, actor: &Actor) -> Result<Vec<(String, String)>> {
    actor.require(Area::Patients)?;
    let staff = actor.db(store).practice_staff().await?;
    Ok(staff
        .into_iter()
        .filter(|p| p.role == Role::Gp.as_str())
        .map(|p| (p.id, p.name))
        .collect())
}

/// Finds patients of the practice by NHS number, name, date of birth or
/// postcode (at most 20), for booking and the patients page.
pub async fn search(store: &Store, actor: &Actor, query: &str) -> Result<Vec<PatientHit>> {
    actor.require(Area::Appointments)?;
    let Some(q) = PatientQuery::parse(query) else {
        return Err(ServiceError::field(
            "patient-search",
            "Enter an NHS number, a family name (and given name), a date of birth or a postcode.",
        ));
    };
    if query.len() > 100 {
        return Err(ServiceError::field(
            "patient-search",
            "That search is too long.",
        ));
    }
    Ok(actor.db(store).find_patients(&q, 20).await?)
}
