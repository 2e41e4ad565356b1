//! Absences: leave, training or sickness that blocks the clinician's
//! sessions (nothing more is booked into them) and leaves their booked
//! appointments to be moved, never cancelled. Checking an absence is the
//! clinics service's; each write here is whole, in one transaction.

use crate::tx::{run_with_retry, Retry};
use crate::{new_key, PracticeStore, StoreError};
use domain::rota::{AbsenceKind, AbsenceView};
use domain::StaffId;
use std::collections::HashMap;
use surrealdb::types::SurrealValue;

/// An absence as the service checked it (whole days, inclusive).
#[derive(Clone, Debug)]
pub struct NewAbsence {
    pub clinician_id: String,
    pub kind: AbsenceKind,
    pub first_day: String,
    pub last_day: String,
    pub note: Option<String>,
}

#[derive(SurrealValue)]
struct AbsenceRow {
    id: String,
    clinician_id: String,
    clinician_name: Option<String>,
    kind: String,
    first_day: String,
    last_day: String,
    note: Option<String>,
}

#[derive(SurrealValue)]
struct Blocked {
    absence: String,
    n: i64,
}

#[derive(SurrealValue)]
struct ToMove {
    id: String,
    absence: String,
}

impl PracticeStore {
    /// Records an absence and blocks every session of the clinician in
    /// it, in one transaction. Returns its id.
    pub async fn create_absence(
        &self,
        new: &NewAbsence,
        by: &StaffId,
    ) -> Result<String, StoreError> {
        let id = new_key();
        let script = "BEGIN TRANSACTION;
             LET $a = type::record('absence', $id);
             LET $c = type::record('staff', $clinician);
             CREATE $a CONTENT {
                 practice: $practice, clinician: $c, kind: $kind, first_day: $first, last_day: $last,
                 note: $note, created_by: type::record('staff', $by)
             } RETURN NONE;
             UPDATE clinic_session SET absence = $a, blocked = $label
                 WHERE practice = $practice AND clinician = $c AND date >= $first AND date <= $last
                   AND absence = NONE RETURN NONE;
             COMMIT TRANSACTION;";
        run_with_retry(|| {
            self.db()
                .query(script)
                .bind(("id", id.clone()))
                .bind(("practice", self.record()))
                .bind(("clinician", new.clinician_id.clone()))
                .bind(("kind", new.kind.as_str()))
                .bind(("label", new.kind.label()))
                .bind(("first", new.first_day.clone()))
                .bind(("last", new.last_day.clone()))
                .bind(("note", new.note.clone()))
                .bind(("by", by.as_str().to_string()))
        })
        .await?;
        Ok(id)
    }

    /// Removes an absence of this practice and unblocks its sessions.
    pub async fn remove_absence(&self, id: &str) -> Result<(), StoreError> {
        if id.is_empty() {
            return Err(StoreError::NotFound); // names no record
        }
        let script = "BEGIN TRANSACTION;
             LET $a = type::record('absence', $id);
             IF (SELECT VALUE practice FROM ONLY $a) != $practice { THROW 'op:not_found' };
             UPDATE clinic_session SET absence = NONE, blocked = NONE WHERE absence = $a RETURN NONE;
             DELETE $a;
             COMMIT TRANSACTION;";
        match run_with_retry(|| {
            self.db()
                .query(script)
                .bind(("id", id.to_string()))
                .bind(("practice", self.record()))
        })
        .await
        {
            Ok(()) => Ok(()),
            Err(Retry::Thrown(t)) if t == "op:not_found" => Err(StoreError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Absences that end on or after `from`, soonest first, each with the
    /// sessions it blocks and the booked appointments in them to move.
    pub async fn absences_from(&self, from: &str) -> Result<Vec<AbsenceView>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, record::id(clinician) AS clinician_id,
                    clinician.display_name AS clinician_name, kind, first_day, last_day, note
                 FROM absence WHERE practice = $practice AND last_day >= $from
                 ORDER BY first_day, clinician_name;
                 SELECT record::id(absence) AS absence, count() AS n FROM clinic_session
                 WHERE practice = $practice AND absence != NONE AND date >= $from GROUP BY absence;
                 SELECT record::id(id) AS id, record::id(clinic_session.absence) AS absence FROM appointment
                 WHERE practice = $practice AND date >= $from AND status = 'booked'
                   AND clinic_session.absence != NONE;",
            )
            .bind(("practice", self.record()))
            .bind(("from", from.to_string()))
            .await?
            .check()?;
        let rows: Vec<AbsenceRow> = res.take(0)?;
        let blocked: HashMap<String, i64> = res
            .take::<Vec<Blocked>>(1)?
            .into_iter()
            .map(|b| (b.absence, b.n))
            .collect();
        let to_move: Vec<ToMove> = res.take(2)?;
        let ids: Vec<String> = to_move.iter().map(|m| m.id.clone()).collect();
        let mut appointments = self.appointments_by_id(&ids).await?;
        appointments.sort_by(|a, b| (&a.date, &a.start).cmp(&(&b.date, &b.start)));
        let absence_of: HashMap<&str, &str> = to_move
            .iter()
            .map(|m| (m.id.as_str(), m.absence.as_str()))
            .collect();
        Ok(rows
            .into_iter()
            .map(|r| AbsenceView {
                sessions_blocked: blocked.get(&r.id).copied().unwrap_or(0),
                to_move: appointments
                    .iter()
                    .filter(|a| absence_of.get(a.id.as_str()) == Some(&r.id.as_str()))
                    .cloned()
                    .collect(),
                id: r.id,
                clinician_id: r.clinician_id,
                clinician_name: r.clinician_name.unwrap_or_default(),
                kind: AbsenceKind::parse(&r.kind).unwrap_or(AbsenceKind::Other),
                from: r.first_day,
                to: r.last_day,
                note: r.note,
            })
            .collect())
    }
}
