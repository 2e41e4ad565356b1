//! The slot calendar: every slot of the practice's clinic sessions in a
//! date range, free or busy (the FHIR API's Slot and Schedule).

use super::{sessions, SESSION_FIELDS};
use crate::{PracticeStore, StoreError};
use domain::book::SessionView;
use std::collections::HashSet;

/// One slot of a session, and whether an appointment holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotState {
    pub session: SessionView,
    /// HH:MM.
    pub start: String,
    pub busy: bool,
}

impl PracticeStore {
    /// One clinic session of this practice.
    pub async fn clinic_session(&self, id: &str) -> Result<Option<SessionView>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {SESSION_FIELDS} FROM type::record('clinic_session', $id)
                 WHERE practice = type::record('practice', $practice)"
            ))
            .bind(("id", id.to_string()))
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        Ok(sessions(res.take(0)?).into_iter().next())
    }

    /// Every slot of the practice's sessions from `from` to `to` (dates,
    /// inclusive), optionally of one session, in date, time and clinician
    /// order.
    pub async fn slots_between(
        &self,
        from: &str,
        to: &str,
        session: Option<&str>,
    ) -> Result<Vec<SlotState>, StoreError> {
        let only = if session.is_some() {
            " AND id = type::record('clinic_session', $clinic)"
        } else {
            ""
        };
        let mut res = self
            .db()
            .query(format!(
                "SELECT {SESSION_FIELDS} FROM clinic_session
                 WHERE practice = type::record('practice', $practice) AND date >= $from AND date <= $to{only}
                 ORDER BY date, start, clinician_name;
                 SELECT VALUE slot_key FROM appointment
                 WHERE practice = type::record('practice', $practice) AND date >= $from AND date <= $to;"
            ))
            .bind(("practice", self.pid()))
            .bind(("clinic", session.unwrap_or_default().to_string()))
            .bind(("from", from.to_string()))
            .bind(("to", to.to_string()))
            .await?
            .check()?;
        let found = sessions(res.take(0)?);
        let taken: HashSet<String> = res.take::<Vec<String>>(1)?.into_iter().collect();
        let mut slots: Vec<SlotState> = found
            .into_iter()
            .flat_map(|s| {
                let starts = s.slots();
                let taken = &taken;
                starts.into_iter().map(move |start| SlotState {
                    busy: s.blocked.is_some()
                        || taken.contains(&format!("{}/{}/{}", s.clinician_id, s.date, start)),
                    session: s.clone(),
                    start,
                })
            })
            .collect();
        slots.sort_by(|a, b| {
            (
                &a.session.date,
                &a.start,
                &a.session.clinician_name,
                &a.session.id,
            )
                .cmp(&(
                    &b.session.date,
                    &b.start,
                    &b.session.clinician_name,
                    &b.session.id,
                ))
        });
        Ok(slots)
    }
}
