//! Status changes: one transaction with the history row, a call-screen row
//! for a call in, and the outbox event.

use super::ChangeError;
use crate::tx::{run_with_retry, Retry};
use crate::{PracticeStore, StoreError};
use domain::appointment_status::Action;
use domain::live::{short_name, AppointmentView, EventKind};
use surrealdb::types::SurrealValue;

/// What changing an appointment needs to know besides the view.
#[derive(SurrealValue)]
struct ChangeFacts {
    given_name: Option<String>,
    family_name: Option<String>,
}

impl PracticeStore {
    /// Applies `action` to an appointment last read at `expected_version`,
    /// as staff member `by`. The change, its history row, a call-screen row
    /// (for a call in) and the outbox event are one transaction. Cancelling
    /// needs a reason: use `cancel_appointment`.
    pub async fn change_appointment_status(
        &self,
        id: &str,
        expected_version: i64,
        action: Action,
        by: impl Into<crate::By>,
    ) -> Result<AppointmentView, ChangeError> {
        if action == Action::Cancel {
            return Err(ChangeError::ReasonRequired);
        }
        self.change_status_with(id, expected_version, action, &by.into(), None)
            .await
    }

    pub(crate) async fn change_status_with(
        &self,
        id: &str,
        expected_version: i64,
        action: Action,
        by: &crate::By,
        reason: Option<String>,
    ) -> Result<AppointmentView, ChangeError> {
        let current = match self.appointment(id).await {
            Ok(v) => v,
            Err(StoreError::NotFound) => return Err(ChangeError::NotFound),
            Err(e) => return Err(e.into()),
        };
        if current.version != expected_version {
            return Err(ChangeError::Stale {
                current: Box::new(current),
            });
        }
        let next = current.status.apply(action)?;
        let arrival = match (action, next) {
            (Action::MarkArrived, _) => "set",
            (Action::UndoArrival, _) => "clear",
            _ => "keep",
        };
        let call = if action.shows_on_call_screen() {
            let mut res = self
                .db()
                .query(
                    "SELECT patient.given_name AS given_name, patient.family_name AS family_name
                     FROM ONLY type::record('appointment', $id)",
                )
                .bind(("id", id.to_string()))
                .await
                .map_err(StoreError::from)?
                .check()
                .map_err(StoreError::from)?;
            let facts: Option<ChangeFacts> = res.take(0).map_err(StoreError::from)?;
            let facts = facts.ok_or(ChangeError::NotFound)?;
            Some(short_name(
                &facts.given_name.unwrap_or_default(),
                &facts.family_name.unwrap_or_default(),
            ))
        } else {
            None
        };
        let kind = if call.is_some() {
            EventKind::AppointmentCalled
        } else {
            EventKind::Appointment
        };
        let script = format!(
            "BEGIN TRANSACTION;
             LET $a = type::record('appointment', $id);
             LET $row = (SELECT version, practice FROM ONLY $a);
             IF $row = NONE OR $row.practice != $practice {{ THROW 'op:not_found' }};
             IF $row.version != $version {{ THROW 'op:stale' }};
             UPDATE $a SET status = $to, version = $version + 1, updated_at = time::now(), updated_by = $by RETURN NONE;
             IF $arrival = 'set' {{ UPDATE $a SET arrived_at = time::now() RETURN NONE }};
             IF $arrival = 'clear' {{ UPDATE $a SET arrived_at = NONE RETURN NONE }};
             CREATE appointment_transition CONTENT {{ practice: $practice, appointment: $a, from: $from, to: $to, by: $by }} RETURN NONE;
             IF $call != NONE {{ CREATE call CONTENT {{ practice: $practice, appointment: $a, short_name: $call, room: $room }} RETURN NONE }};
             IF $to = 'cancelled' {{ UPDATE $a SET slot_key = string::concat(slot_key, '#cancelled-', record::id($a)), cancel_reason = $reason RETURN NONE }};
             {append}
             COMMIT TRANSACTION;",
            append = crate::live::append("$date", "$staff")
        );
        let practice = self.record();
        let outcome = run_with_retry(|| {
            self.db()
                .query(script.as_str())
                .bind(("id", id.to_string()))
                .bind(("practice", practice.clone()))
                .bind(("version", expected_version))
                .bind(("from", current.status.as_str().to_string()))
                .bind(("to", next.as_str().to_string()))
                .bind(("by", by.record()))
                .bind(("arrival", arrival.to_string()))
                .bind(("call", call.clone()))
                .bind(("reason", reason.clone()))
                .bind(("room", current.room.clone()))
                .bind(("kind", kind.as_str()))
                .bind(("record", id.to_string()))
                .bind(("new_version", expected_version + 1))
                .bind(("date", current.date.clone()))
                .bind(("staff", current.clinician_id.clone()))
        })
        .await;
        match outcome {
            Ok(()) => {}
            Err(Retry::Thrown(t)) if t == "op:stale" => {
                let current = self.appointment(id).await?;
                return Err(ChangeError::Stale {
                    current: Box::new(current),
                });
            }
            Err(Retry::Thrown(t)) if t == "op:not_found" => return Err(ChangeError::NotFound),
            Err(e) => return Err(StoreError::from(e).into()),
        }
        Ok(self.appointment(id).await?)
    }

    /// Cancels an appointment (with a reason, kept) and frees its slot.
    pub async fn cancel_appointment(
        &self,
        id: &str,
        expected_version: i64,
        reason: &str,
        by: impl Into<crate::By>,
    ) -> Result<AppointmentView, ChangeError> {
        let by = by.into();
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ChangeError::ReasonRequired);
        }
        self.change_status_with(
            id,
            expected_version,
            domain::appointment_status::Action::Cancel,
            &by,
            Some(reason.to_string()),
        )
        .await
    }
}
