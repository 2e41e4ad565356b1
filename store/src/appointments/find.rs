//! Appointments by patient, date, status, clinician or slot (the FHIR
//! API's Appointment search), with the total and a stable page.

use crate::{PracticeStore, StoreError};
use domain::live::AppointmentView;
use surrealdb::types::SurrealValue;

/// Every condition present must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppointmentFilter {
    pub id: Option<String>,
    pub patient: Option<String>,
    pub clinician: Option<String>,
    /// From / to (YYYY-MM-DD, inclusive).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Stored status names; any of them.
    pub statuses: Option<Vec<String>>,
    /// A slot: its session and start (HH:MM).
    pub slot: Option<(String, String)>,
}

#[derive(SurrealValue)]
struct Count {
    n: i64,
}

impl PracticeStore {
    /// The appointments matching `filter`: how many in all, and `count`
    /// of them from `offset`, by date, time and id.
    pub async fn find_appointments(
        &self,
        filter: &AppointmentFilter,
        offset: usize,
        count: usize,
    ) -> Result<(usize, Vec<AppointmentView>), StoreError> {
        let (session, start) = filter.slot.clone().unzip();
        let conditions = [
            (filter.id.is_some(), "id = type::record('appointment', $id)"),
            (
                filter.patient.is_some(),
                "patient = type::record('patient', $patient)",
            ),
            (
                filter.clinician.is_some(),
                "clinician = type::record('staff', $clinician)",
            ),
            (filter.from.is_some(), "date >= $from"),
            (filter.to.is_some(), "date <= $to"),
            (filter.statuses.is_some(), "status IN $statuses"),
            (
                session.is_some(),
                "clinic_session = type::record('clinic_session', $clinic) AND start = $start",
            ),
        ];
        let wheres = crate::within_practice(&conditions);
        let mut res = self
            .db()
            .query(format!(
                "SELECT count() AS n FROM appointment WHERE {wheres} GROUP ALL;
                 SELECT VALUE record::id(id) FROM (SELECT id, date, start FROM appointment
                     WHERE {wheres} ORDER BY date, start, id START $offset LIMIT $count);"
            ))
            .bind(("practice", self.pid()))
            .bind(("id", filter.id.clone()))
            .bind(("patient", filter.patient.clone()))
            .bind(("clinician", filter.clinician.clone()))
            .bind(("from", filter.from.clone()))
            .bind(("to", filter.to.clone()))
            .bind(("statuses", filter.statuses.clone()))
            .bind(("clinic", session))
            .bind(("start", start))
            .bind(("offset", offset as i64))
            .bind(("count", count as i64))
            .await?
            .check()?;
        let total: Option<Count> = res.take(0)?;
        let ids: Vec<String> = res.take(1)?;
        let mut page = self.appointments_by_id(&ids).await?;
        page.sort_by(|a, b| (&a.date, &a.start, &a.id).cmp(&(&b.date, &b.start, &b.id)));
        Ok((total.map(|c| c.n.max(0) as usize).unwrap_or(0), page))
    }
}
