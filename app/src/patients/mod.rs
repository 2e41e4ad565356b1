//! Patients: find a patient (by NHS number, name, date of birth or
//! postcode), register one, and the patient's page (banner, who else is
//! here, "New task", and for admin who has accessed the record). Every
//! server function checks the role × data policy (`domain::policy`) and the
//! practice, and audits every view and write of a patient's record,
//! refusals included.

mod charts;
mod pages;
pub mod record;
mod record_pages;

pub use pages::{AuditPage, EditPatientPage, PatientPage, PatientsPage, RegisterPatientPage};
pub use record_pages::ConsultationPage;

use crate::AppError;
use domain::patient::{AccessEntry, PatientDetails, PatientForm};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the patient page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatientPageData {
    pub patient: PatientDetails,
    /// Who has accessed this record (only for roles that read the audit).
    pub accesses: Option<Vec<AccessEntry>>,
    /// The clinical record, each part only if the role may see it.
    pub summary: domain::record::RecordSummary,
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::auth::ssr::Actor;
    use crate::AppError;
    use domain::policy::{allows, Access, DataKind};
    use store::audit::{AuditEntry, Outcome};

    /// Writes an audit row; a failure to audit fails the request (nothing
    /// about a patient is shown or changed without its audit row).
    pub async fn audit(
        actor: &Actor,
        action: &str,
        patient: Option<&str>,
        outcome: Outcome,
    ) -> Result<(), AppError> {
        let state = crate::auth::ssr::app_state()?;
        let address = Some(crate::auth::ssr::client_address());
        state
            .store
            .audit(&AuditEntry {
                practice_id: Some(actor.practice_id().to_string()),
                staff_id: Some(actor.user.staff_id.clone()),
                role: Some(actor.role().as_str().to_string()),
                action: action.to_string(),
                patient_id: patient.map(String::from),
                address,
                outcome,
            })
            .await
            .map_err(AppError::internal)
    }

    /// The policy check for `kind` on a patient of the actor's practice.
    pub fn may(actor: &Actor, kind: DataKind, wanted: Access) -> bool {
        let p = actor.practice_id();
        allows(actor.role(), p, kind, p, wanted)
    }

    /// The parts of the record the actor's role may see (the patient is
    /// already known to be in the actor's practice).
    pub async fn summary(
        actor: &Actor,
        patient_id: &str,
    ) -> Result<domain::record::RecordSummary, AppError> {
        use domain::record::ItemKind;
        let state = crate::auth::ssr::app_state()?;
        let store = &state.store;
        let p = actor.practice_id();
        let mut s = domain::record::RecordSummary::default();
        let clinical = may(actor, DataKind::ClinicalRecord, Access::Read);
        if clinical {
            let items = store
                .record_items(p, patient_id, None)
                .await
                .map_err(AppError::internal)?;
            s.allergies = Some(
                items
                    .iter()
                    .filter(|i| i.kind == ItemKind::Allergy && i.active)
                    .cloned()
                    .collect(),
            );
            s.items = Some(items);
            s.consultations = Some(
                store
                    .consultations(p, patient_id, 5)
                    .await
                    .map_err(AppError::internal)?,
            );
            s.observations = Some(
                store
                    .observations(p, patient_id)
                    .await
                    .map_err(AppError::internal)?,
            );
            s.drafts = Some(
                store
                    .drafts(p, patient_id)
                    .await
                    .map_err(AppError::internal)?,
            );
        } else if may(actor, DataKind::Alerts, Access::Read) {
            s.allergies = Some(
                store
                    .record_items(p, patient_id, Some(ItemKind::Allergy))
                    .await
                    .map_err(AppError::internal)?
                    .into_iter()
                    .filter(|i| i.active)
                    .collect(),
            );
        }
        if may(actor, DataKind::Appointments, Access::Read) {
            let today = domain::time::london_today(chrono::Utc::now());
            s.upcoming = Some(
                store
                    .upcoming_appointments(p, patient_id, today)
                    .await
                    .map_err(AppError::internal)?,
            );
        }
        Ok(s)
    }

    pub fn entry(r: store::audit::AuditRow) -> domain::patient::AccessEntry {
        domain::patient::AccessEntry {
            seq: r.seq,
            at: store::rfc3339(r.at),
            staff_name: r.staff_name.unwrap_or_default(),
            role: r.role.unwrap_or_default(),
            action: r.action,
            patient_id: r.patient,
            patient_name: r.patient_name,
            address: r.address,
            outcome: r.outcome,
        }
    }
}

/// A patient's page. Audited: viewed, or refused (another practice's
/// patient, or a role without access, answers as not found).
#[server(prefix = "/api", endpoint = "patient_page")]
pub async fn get_patient_page(id: String) -> Result<PatientPageData, AppError> {
    use domain::policy::{Access, DataKind};
    use store::audit::Outcome;
    let result = async {
        let actor = crate::auth::ssr::require_area(domain::Area::Patients)?;
        let state = crate::auth::ssr::app_state()?;
        let found = if ssr::may(&actor, DataKind::Demographics, Access::Read) {
            state
                .store
                .patient_record(actor.practice_id(), &id)
                .await
                .map_err(AppError::internal)?
        } else {
            None
        };
        let Some(patient) = found else {
            // Audited without a patient link: the id may not be a patient
            // of this practice, and the refusal must not reveal which.
            ssr::audit(
                &actor,
                &format!("tried to view the record {id:.40}"),
                None,
                Outcome::Refused,
            )
            .await?;
            return Err(AppError::NotFound);
        };
        ssr::audit(
            &actor,
            "viewed the record",
            Some(&patient.id),
            Outcome::Allowed,
        )
        .await?;
        let summary = ssr::summary(&actor, &patient.id).await?;
        let accesses = if ssr::may(&actor, DataKind::AuditLog, Access::Read) {
            let rows = state
                .store
                .audit_rows(
                    actor.practice_id(),
                    &store::audit::AuditFilter {
                        patient_id: Some(patient.id.clone()),
                        ..Default::default()
                    },
                    100,
                )
                .await
                .map_err(AppError::internal)?;
            Some(rows.into_iter().map(ssr::entry).collect())
        } else {
            None
        };
        Ok(PatientPageData {
            patient,
            accesses,
            summary,
        })
    }
    .await;
    crate::error::with_status(result)
}

/// Registers a patient: every field checked (all errors at once, each
/// beside its field); a duplicate NHS number names the record that has it.
#[server(prefix = "/api", endpoint = "register_patient")]
pub async fn register_patient(form: PatientForm) -> Result<String, AppError> {
    use domain::policy::{Access, DataKind};
    use store::audit::Outcome;
    use store::patients::RegisterError;
    let result = async {
        let actor = crate::auth::ssr::require_area(domain::Area::Patients)?;
        if !ssr::may(&actor, DataKind::Demographics, Access::Write) {
            ssr::audit(
                &actor,
                "tried to register a patient",
                None,
                Outcome::Refused,
            )
            .await?;
            return Err(AppError::Forbidden);
        }
        let today = domain::time::london_today(chrono::Utc::now());
        let valid = form.validate(today).map_err(AppError::fields)?;
        let state = crate::auth::ssr::app_state()?;
        match state
            .store
            .register_patient(actor.practice_id(), &valid)
            .await
        {
            Ok(id) => {
                ssr::audit(
                    &actor,
                    "registered the patient",
                    Some(&id),
                    Outcome::Allowed,
                )
                .await?;
                Ok(id)
            }
            Err(e @ RegisterError::Duplicate { .. }) => {
                Err(AppError::field("nhs_number", e.to_string()))
            }
            Err(RegisterError::Field(f, m)) => Err(AppError::field(f, m)),
            Err(e) => Err(AppError::internal(e)),
        }
    }
    .await;
    crate::error::with_status(result)
}

/// Changes a patient's details (reception), if no one has changed them
/// since `version`: every field checked, all errors at once; a stale edit
/// is refused naming who changed it. Returns the new version. Audited.
#[server(prefix = "/api", endpoint = "edit_patient")]
pub async fn edit_patient(id: String, version: i64, form: PatientForm) -> Result<i64, AppError> {
    use domain::policy::{Access, DataKind};
    use store::audit::Outcome;
    use store::patients::RegisterError;
    let result = async {
        let actor = crate::auth::ssr::require_area(domain::Area::Patients)?;
        let state = crate::auth::ssr::app_state()?;
        let allowed = ssr::may(&actor, DataKind::Demographics, Access::Write)
            && state
                .store
                .patient_in_practice(actor.practice_id(), &id)
                .await
                .map_err(AppError::internal)?;
        if !allowed {
            ssr::audit(
                &actor,
                &format!("tried to edit the details of {id:.40}"),
                None,
                Outcome::Refused,
            )
            .await?;
            return Err(AppError::NotFound);
        }
        let today = domain::time::london_today(chrono::Utc::now());
        let valid = form.validate(today).map_err(AppError::fields)?;
        match state
            .store
            .update_patient(actor.practice_id(), &id, version, &valid, &actor.user.staff_id)
            .await
        {
            Ok(saved) => {
                ssr::audit(&actor, "edited the details", Some(&id), Outcome::Allowed).await?;
                Ok(saved.version)
            }
            Err(e @ RegisterError::Duplicate { .. }) => {
                Err(AppError::field("nhs_number", e.to_string()))
            }
            Err(e @ RegisterError::Stale { .. }) => Err(AppError::Conflict {
                message: format!(
                    "{e} Your changes are not saved: reload the record to see theirs, then make yours again."
                ),
            }),
            Err(RegisterError::NotFound) => Err(AppError::NotFound),
            Err(RegisterError::Field(f, m)) => Err(AppError::field(f, m)),
            Err(RegisterError::Store(e)) => Err(AppError::internal(e)),
        }
    }
    .await;
    crate::error::with_status(result)
}

/// The practice's GPs, for the registration form: (id, name).
#[server(prefix = "/api", endpoint = "practice_gps")]
pub async fn get_practice_gps() -> Result<Vec<(String, String)>, AppError> {
    let result = async {
        let actor = crate::auth::ssr::require_area(domain::Area::Patients)?;
        let state = crate::auth::ssr::app_state()?;
        let staff = state
            .store
            .practice_staff(actor.practice_id())
            .await
            .map_err(AppError::internal)?;
        Ok(staff
            .into_iter()
            .filter(|p| p.role == "gp")
            .map(|p| (p.id, p.name))
            .collect())
    }
    .await;
    crate::error::with_status(result)
}

/// The audit trail of the practice (admin): newest first, filtered by
/// member of staff, patient (NHS number) and London date.
#[server(prefix = "/api", endpoint = "audit_trail")]
pub async fn get_audit_trail(
    staff: Option<String>,
    nhs_number: Option<String>,
    date: Option<String>,
) -> Result<Vec<AccessEntry>, AppError> {
    use domain::policy::{Access, DataKind};
    let result = async {
        let actor = crate::auth::ssr::require_area(domain::Area::Admin)?;
        if !ssr::may(&actor, DataKind::AuditLog, Access::Read) {
            return Err(AppError::Forbidden);
        }
        let state = crate::auth::ssr::app_state()?;
        let p = actor.practice_id();
        let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let patient_id = match nonempty(nhs_number) {
            None => None,
            Some(n) => {
                let n = domain::NhsNumber::parse(&n)
                    .map_err(|e| AppError::field("nhs_number", e.to_string()))?;
                let hit = state
                    .store
                    .find_patients(p, &store::book::PatientQuery::NhsNumber(n.digits()), 1)
                    .await
                    .map_err(AppError::internal)?;
                match hit.into_iter().next() {
                    Some(h) => Some(h.id),
                    None => return Ok(Vec::new()),
                }
            }
        };
        let (from, to) = match nonempty(date) {
            None => (None, None),
            Some(d) => {
                let day = domain::patient::parse_uk_date(&d).ok_or_else(|| {
                    AppError::field("date", "Enter the date as a date, e.g. 21/11/2026.")
                })?;
                let start = |d: chrono::NaiveDate| {
                    d.and_hms_opt(0, 0, 0)
                        .and_then(|l| domain::time::london_to_utc(l).ok())
                };
                (start(day), day.succ_opt().and_then(start))
            }
        };
        let rows = state
            .store
            .audit_rows(
                p,
                &store::audit::AuditFilter {
                    staff_id: nonempty(staff),
                    patient_id,
                    from,
                    to,
                },
                500,
            )
            .await
            .map_err(AppError::internal)?;
        Ok(rows.into_iter().map(ssr::entry).collect())
    }
    .await;
    crate::error::with_status(result)
}
