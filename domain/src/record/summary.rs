use super::*;
use crate::clinical::ObservationKind;
use serde::{Deserialize, Serialize};

/// An upcoming appointment, for the summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpcomingAppointment {
    /// YYYY-MM-DD.
    pub date: String,
    /// HH:MM.
    pub start: String,
    pub clinician: String,
}

/// Everything the patient page shows beyond the banner, each part only
/// when the viewer's role may see it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordSummary {
    /// Allergies (alerts): current ones, for the banner. `None`: not
    /// visible to this role.
    pub allergies: Option<Vec<RecordItem>>,
    /// Problems, medications and allergies with their history, current
    /// and past (clinical roles only).
    pub items: Option<Vec<RecordItem>>,
    /// Newest first (clinical roles only).
    pub consultations: Option<Vec<ConsultationView>>,
    /// Every observation, oldest first, for the latest values and charts
    /// (clinical roles only).
    pub observations: Option<Vec<Observation>>,
    /// Drafts of consultations on this patient, anyone's (clinical roles).
    pub drafts: Option<Vec<DraftView>>,
    pub upcoming: Option<Vec<UpcomingAppointment>>,
}

/// The latest reading of each kind (BMI included), in `ObservationKind`
/// order.
pub fn latest_observations(all: &[Observation]) -> Vec<Observation> {
    let mut out: Vec<Observation> = Vec::new();
    for kind in ObservationKind::RECORDED {
        if let Some(o) = all
            .iter()
            .filter(|o| o.kind == kind)
            .max_by(|a, b| a.at.cmp(&b.at))
        {
            out.push(o.clone());
        }
    }
    out
}

/// What the consultation page needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsultationPageData {
    pub patient: crate::patient::PatientDetails,
    /// Current allergies, for the banner.
    pub allergies: Vec<RecordItem>,
    /// The viewer's own draft on this patient, to carry on with.
    pub draft: Option<DraftView>,
    /// Colleagues' unsaved drafts on this patient.
    pub others: Vec<DraftView>,
}
