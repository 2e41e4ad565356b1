//! Taking a practice's records out (the operator's `openpractice export
//! fhir`): every registered patient with everything the practice holds
//! about them, a page at a time so memory stays bounded however large the
//! practice. The run is the access: it is audited when it starts and when
//! it ends, as the operator, rather than once per patient.

use crate::audit::operator as audit;
use crate::{Result, ServiceError};
use domain::live::AppointmentView;
use domain::patient::PatientDetails;
use domain::record::{ConsultationView, Observation, RecordItem};
use domain::results::ReportView;
use domain::PracticeId;
use store::Store;

/// Everything held about one patient.
#[derive(Clone, Debug)]
pub struct PatientRecord {
    pub patient: PatientDetails,
    pub items: Vec<RecordItem>,
    pub observations: Vec<Observation>,
    pub consultations: Vec<ConsultationView>,
    pub appointments: Vec<AppointmentView>,
    /// Filed laboratory reports and letters (an unfiled one is not yet
    /// part of the record), newest first.
    pub reports: Vec<ReportView>,
}

/// Starts an export: audited; returns every patient's id in the stable
/// name order, to be read a page at a time with `page`.
pub async fn begin(store: &Store, practice: &PracticeId) -> Result<Vec<String>> {
    let ids = store.practice(practice).patient_ids_in_order().await?;
    audit(
        store,
        practice,
        format!(
            "started an export of every patient's record ({} patients, command line)",
            ids.len()
        ),
    )
    .await?;
    Ok(ids)
}

/// Ends an export: audited with what was written.
pub async fn finish(
    store: &Store,
    practice: &PracticeId,
    patients: usize,
    resources: usize,
) -> Result<()> {
    audit(
        store,
        practice,
        format!("exported {patients} patients' records ({resources} resources, command line)"),
    )
    .await
}

/// The patients `ids` (from `begin`), each with their whole record, in
/// the order given; one no longer registered here is left out.
pub async fn page(
    store: &Store,
    practice: &PracticeId,
    ids: &[String],
) -> Result<Vec<PatientRecord>> {
    let db = store.practice(practice);
    let patients = db.patients_by_id(ids).await?;
    let present: Vec<String> = patients.iter().map(|p| p.id.clone()).collect();
    let mut parts = db.records_of(&present).await?.into_iter();
    let mut reports: std::collections::HashMap<String, Vec<ReportView>> =
        std::collections::HashMap::new();
    for r in db.filed_reports_of(&present).await? {
        let patient = r.row.patient_id.clone().unwrap_or_default();
        reports.entry(patient).or_default().push(r);
    }
    let mut out = Vec::with_capacity(patients.len());
    for patient in patients {
        let Some(r) = parts.next().filter(|r| r.patient_id == patient.id) else {
            return Err(ServiceError::internal(
                "a patient's record was not read with its page",
            ));
        };
        out.push(PatientRecord {
            items: r.items,
            observations: r.observations,
            consultations: r.consultations,
            appointments: r.appointments,
            reports: reports.remove(&patient.id).unwrap_or_default(),
            patient,
        });
    }
    Ok(out)
}

/// A filed letter's PDF, for the export of its record (the run is the
/// audited access).
pub async fn letter_document(store: &Store, practice: &PracticeId, id: &str) -> Result<Vec<u8>> {
    store
        .practice(practice)
        .result_document(id)
        .await?
        .ok_or_else(|| ServiceError::internal("a filed letter's PDF is missing"))
}
