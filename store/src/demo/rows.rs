//! The rows the demo seed inserts in bulk, and the bulk insert itself.

use crate::{Store, StoreError};
use chrono::Utc;
use surrealdb::types::{RecordId, SurrealValue};

#[derive(SurrealValue)]
pub(super) struct PatientRow {
    pub(super) id: RecordId,
    pub(super) practice: RecordId,
    pub(super) nhs_number: String,
    pub(super) title: Option<String>,
    pub(super) given_name: String,
    pub(super) family_name: String,
    pub(super) family_name_key: String,
    pub(super) date_of_birth: String,
    pub(super) sex: String,
    pub(super) address_lines: Vec<String>,
    pub(super) postcode: String,
    pub(super) phone: Option<String>,
    pub(super) email: Option<String>,
    pub(super) usual_gp: Option<RecordId>,
    pub(super) registered_on: String,
    pub(super) is_test_data: bool,
}

#[derive(SurrealValue)]
pub(super) struct SessionRow {
    pub(super) id: RecordId,
    pub(super) practice: RecordId,
    pub(super) clinician: RecordId,
    pub(super) room: RecordId,
    pub(super) date: String,
    pub(super) start: String,
    pub(super) end: String,
    pub(super) slot_minutes: i64,
}

#[derive(SurrealValue)]
pub(super) struct AppointmentRow {
    pub(super) practice: RecordId,
    pub(super) clinic_session: RecordId,
    pub(super) clinician: RecordId,
    pub(super) patient: RecordId,
    pub(super) date: String,
    pub(super) start: String,
    pub(super) duration_minutes: i64,
    pub(super) kind: String,
    pub(super) reason: Option<String>,
    pub(super) status: String,
    pub(super) slot_key: String,
    pub(super) booked_by: RecordId,
}

#[derive(SurrealValue)]
pub(super) struct TaskRow {
    pub(super) practice: RecordId,
    pub(super) title: String,
    pub(super) details: String,
    pub(super) patient: Option<RecordId>,
    pub(super) priority: String,
    pub(super) due_at: Option<chrono::DateTime<Utc>>,
    pub(super) status: String,
    pub(super) assigned_staff: Option<RecordId>,
    pub(super) assigned_team: Option<RecordId>,
    pub(super) created_by: RecordId,
}

/// Inserts rows in batches of 500 (one statement each) so the seed of a
/// few thousand rows takes a handful of round trips, not thousands.
/// `table` is a constant from this file, never input.
pub(super) async fn insert_batches<T: SurrealValue>(
    store: &Store,
    table: &'static str,
    mut rows: Vec<T>,
) -> Result<(), StoreError> {
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(500));
        store
            .db()
            .query(format!("INSERT INTO {table} $rows RETURN NONE"))
            .bind(("rows", rows))
            .await?
            .check()?;
        rows = rest;
    }
    Ok(())
}

pub(super) fn rid(table: &str, key: impl Into<String>) -> RecordId {
    RecordId::new(table.to_string(), key.into())
}

pub(super) fn hm(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}
