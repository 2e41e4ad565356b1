//! Many patients' records at once (an export): one round trip per page of
//! patients, each part read through its per-patient index (`AnyOf`, never
//! `patient IN $list`, which scans the table), then the items' histories
//! and the consultations' parts for the whole page.

use super::consultations::CONSULTATION_FIELDS;
use super::{ConsultationRow, ItemRow, ObservationRow, ITEM_FIELDS};
use crate::{AnyOf, PracticeStore, StoreError};
use domain::live::AppointmentView;
use domain::record::{ConsultationView, Observation, RecordItem};
use std::collections::HashMap;
use surrealdb::types::RecordId;

/// One patient's clinical record.
#[derive(Clone, Debug, Default)]
pub struct PatientRecordParts {
    pub patient_id: String,
    pub items: Vec<RecordItem>,
    pub observations: Vec<Observation>,
    pub consultations: Vec<ConsultationView>,
    pub appointments: Vec<AppointmentView>,
}

impl PracticeStore {
    /// The whole record of each of `patients` of this practice (others
    /// are left out), in the order given.
    pub async fn records_of(
        &self,
        patients: &[String],
    ) -> Result<Vec<PatientRecordParts>, StoreError> {
        if patients.is_empty() {
            return Ok(Vec::new());
        }
        let any = AnyOf::new("p", "patient", patients);
        let of_patients = any.on("patient");
        let q = self.db().query(format!(
            "SELECT record::id(patient) AS patient_id, {ITEM_FIELDS}, created_at FROM record_item
                WHERE {of_patients} AND practice = $practice ORDER BY active DESC, created_at DESC, id;
             SELECT record::id(patient) AS patient_id, record::id(id) AS id, kind, <float> value AS value, at
                FROM observation WHERE {of_patients} AND practice = $practice ORDER BY at, id;
             SELECT record::id(patient) AS patient_id, {CONSULTATION_FIELDS} FROM consultation
                WHERE {of_patients} AND practice = $practice ORDER BY at DESC, id;
             SELECT VALUE record::id(id) FROM appointment WHERE {of_patients} AND practice = $practice;"
        ));
        let mut res = any
            .bind(q)
            .bind(("practice", RecordId::new("practice", self.pid())))
            .await?
            .check()?;
        let items: Vec<ItemRow> = res.take(0)?;
        let observations: Vec<ObservationRow> = res.take(1)?;
        let consultations: Vec<ConsultationRow> = res.take(2)?;
        let ids: Vec<String> = res.take(3)?;
        let mut appointments = self.appointments_by_id(&ids).await?;
        appointments.sort_by(|a, b| (&a.date, &a.start, &a.id).cmp(&(&b.date, &b.start, &b.id)));
        let mut by_patient: HashMap<String, PatientRecordParts> = patients
            .iter()
            .map(|p| {
                (
                    p.clone(),
                    PatientRecordParts {
                        patient_id: p.clone(),
                        ..Default::default()
                    },
                )
            })
            .collect();
        let (owners, views): (Vec<String>, Vec<RecordItem>) = items
            .into_iter()
            .filter_map(|row| {
                let owner = row.patient_id.clone().unwrap_or_default();
                row.into_view().map(|v| (owner, v))
            })
            .unzip();
        for (owner, v) in owners.into_iter().zip(self.with_history(views).await?) {
            if let Some(p) = by_patient.get_mut(&owner) {
                p.items.push(v);
            }
        }
        for row in observations {
            let owner = row.patient_id.clone().unwrap_or_default();
            if let (Some(p), Some(v)) = (by_patient.get_mut(&owner), row.into_view()) {
                p.observations.push(v);
            }
        }
        let (owners, views): (Vec<String>, Vec<ConsultationView>) = consultations
            .into_iter()
            .map(|row| (row.patient_id.clone().unwrap_or_default(), row.into()))
            .unzip();
        for (owner, c) in owners.into_iter().zip(self.with_parts(views).await?) {
            if let Some(p) = by_patient.get_mut(&owner) {
                p.consultations.push(c);
            }
        }
        for a in appointments {
            if let Some(p) = by_patient.get_mut(&a.patient_id) {
                p.appointments.push(a);
            }
        }
        // Only this practice's patients: those the practice's patient
        // table has (others were never asked for by the caller, but an id
        // of another practice reads nothing above and is dropped here).
        let known: std::collections::HashSet<String> = self
            .patients_in_practice(patients)
            .await?
            .into_iter()
            .collect();
        let mut out: Vec<PatientRecordParts> = by_patient
            .into_values()
            .filter(|p| known.contains(&p.patient_id))
            .collect();
        out.sort_by_key(|p| patients.iter().position(|id| *id == p.patient_id));
        Ok(out)
    }
}
