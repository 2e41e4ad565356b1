//! The demo practice's laboratory: "Riverside Pathology" sends a few dozen
//! reports, deterministically (full blood counts, U&Es, HbA1c, lipids;
//! some abnormal) into the GPs' inboxes through the same store write as a
//! real laboratory's, and a few whose birth date does not agree wait on the
//! Unmatched list. Dr Aisha Khan's (the `gp` sign-in's) are all normal, so
//! a new abnormal report is the first thing in her inbox.

use crate::results::NewReport;
use crate::{PracticeStore, StoreError};
use chrono::{DateTime, Duration, Utc};
use domain::results::{Analyte, Demographics, Flag, InboxKind, IncomingReport, ReportStatus};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Who a demo report is about.
pub(super) struct Subject {
    pub(super) id: String,
    pub(super) nhs_number: String,
    pub(super) family: String,
    pub(super) given: String,
    pub(super) birth_date: String,
    pub(super) usual_gp: Option<String>,
}

/// (LOINC code, name, unit, low, high) of each test in a panel.
type Test = (&'static str, &'static str, &'static str, f64, f64);

const PANELS: [(&str, &str, &[Test]); 4] = [
    (
        "58410-2",
        "Full blood count",
        &[
            ("718-7", "Haemoglobin", "g/L", 115.0, 165.0),
            ("6690-2", "White cell count", "10*9/L", 4.0, 11.0),
            ("777-3", "Platelets", "10*9/L", 150.0, 400.0),
        ],
    ),
    (
        "24362-6",
        "Urea and electrolytes",
        &[
            ("2951-2", "Sodium", "mmol/L", 133.0, 146.0),
            ("2823-3", "Potassium", "mmol/L", 3.5, 5.3),
            ("2160-0", "Creatinine", "umol/L", 45.0, 110.0),
        ],
    ),
    (
        "4548-4",
        "HbA1c",
        &[("4548-4", "Haemoglobin A1c", "mmol/mol", 20.0, 41.0)],
    ),
    (
        "57698-3",
        "Lipid profile",
        &[
            ("2093-3", "Total cholesterol", "mmol/L", 0.0, 5.0),
            ("13457-7", "LDL cholesterol", "mmol/L", 0.0, 3.0),
        ],
    ),
];

impl Subject {
    /// Who the item says it is about, with the birth date it gives.
    fn as_sent(&self, birth_date: &str) -> Demographics {
        Demographics {
            nhs_number: self.nhs_number.clone(),
            family: self.family.clone(),
            given: self.given.clone(),
            birth_date: birth_date.to_string(),
        }
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn report(
    rng: &mut ChaCha8Rng,
    n: usize,
    s: &Subject,
    abnormal: bool,
    issued: DateTime<Utc>,
    birth_date: &str,
) -> IncomingReport {
    let (code, title, tests) = PANELS[n % PANELS.len()];
    let analytes = tests
        .iter()
        .enumerate()
        .map(|(i, (code, name, unit, low, high))| {
            let span = high - low;
            let value = if abnormal && i == 0 {
                round1(high + span * rng.gen_range(0.1..0.4))
            } else {
                round1(low + span * rng.gen_range(0.2..0.8))
            };
            Analyte {
                code: format!("http://loinc.org|{code}"),
                display: name.to_string(),
                value: Some(value),
                text: None,
                unit: unit.to_string(),
                low: (*low > 0.0).then_some(*low),
                high: Some(*high),
                flag: Flag::from_range(Some(value), (*low > 0.0).then_some(*low), Some(*high)),
            }
        })
        .collect();
    IncomingReport {
        identifier: format!("https://riverside-pathology.example/reports|DEMO-{n:04}"),
        status: ReportStatus::Final,
        title: title.to_string(),
        code: Some(format!("http://loinc.org|{code}")),
        issued: issued.to_rfc3339(),
        laboratory: "Riverside Pathology".into(),
        requester_id: None,
        requester_name: None,
        patient: s.as_sent(birth_date),
        analytes,
        conclusion: None,
        kind: InboxKind::Report,
        document: None,
    }
}

/// The demo's hospital letters: (type, sender, what it says).
const LETTERS: [(&str, &str, &str); 4] = [
    (
        "Discharge summary",
        "Riverside Hospital, Acute Medicine",
        "Admitted with community-acquired pneumonia; treated and discharged well.",
    ),
    (
        "Clinic letter",
        "Riverside Hospital, Cardiology",
        "Seen in clinic: paroxysmal atrial fibrillation; started on anticoagulation.",
    ),
    (
        "Clinic letter",
        "Riverside Hospital, Diabetes",
        "Annual review: diabetes well controlled; no change to treatment.",
    ),
    (
        "Discharge summary",
        "Riverside Hospital, Orthopaedics",
        "Fractured wrist, manipulated under anaesthetic; fracture clinic in 2 weeks.",
    ),
];

fn letter(n: usize, s: &Subject, issued: DateTime<Utc>, birth_date: &str) -> IncomingReport {
    let (title, sender, body) = LETTERS[n % LETTERS.len()];
    let lines = vec![
        sender.to_string(),
        title.to_string(),
        format!(
            "Patient: {} {}, born {birth_date}, NHS number {}",
            s.given, s.family, s.nhs_number
        ),
        String::new(),
        body.to_string(),
        "This letter is synthetic demonstration data.".to_string(),
    ];
    IncomingReport {
        identifier: format!("https://riverside-hospital.example/letters|DEMO-L{n:03}"),
        status: ReportStatus::Final,
        title: title.to_string(),
        code: None,
        issued: issued.to_rfc3339(),
        laboratory: sender.to_string(),
        requester_id: None,
        requester_name: None,
        patient: s.as_sent(birth_date),
        analytes: Vec::new(),
        conclusion: None,
        kind: InboxKind::Letter,
        document: Some(super::letter_pdf(&lines)),
    }
}

/// Seeds the reports; `first_gp` is the `gp` sign-in's staff id. Returns
/// how many.
pub(super) async fn seed(
    db: &PracticeStore,
    rng: &mut ChaCha8Rng,
    subjects: &[Subject],
    first_gp: &str,
) -> Result<usize, StoreError> {
    let now = Utc::now();
    let chosen: Vec<&Subject> = subjects.choose_multiple(rng, 40).collect();
    let letters = LETTERS.len();
    for (n, s) in chosen.iter().enumerate() {
        // The last few are letters, one of them unmatched.
        let is_letter = n >= chosen.len().saturating_sub(letters);
        let unmatched = n % 10 == 9;
        let abnormal = rng.gen_bool(0.3) && s.usual_gp.as_deref() != Some(first_gp);
        let issued = now - Duration::hours(rng.gen_range(2..120));
        let born = if unmatched {
            "1900-01-01".to_string()
        } else {
            s.birth_date.clone()
        };
        let r = if is_letter {
            letter(n, s, issued, &born)
        } else {
            report(rng, n, s, abnormal, issued, &born)
        };
        db.ingest_result(&NewReport {
            report: &r,
            patient: (!unmatched).then(|| s.id.clone()),
            unmatched_reason: unmatched
                .then(|| "The date of birth differs from the registered patient's.".to_string()),
            assigned_to: if unmatched { None } else { s.usual_gp.clone() },
            received_by: format!("{} (demo)", r.laboratory),
            matched_by: None,
        })
        .await
        .map_err(|e| StoreError::Internal(format!("demo result: {e}")))?;
    }
    // Received an hour after issue, so some are already overdue.
    db.db()
        .query("UPDATE result_report SET received_at = issued + 1h WHERE practice = $practice")
        .bind(("practice", db.record()))
        .await?
        .check()?;
    Ok(chosen.len())
}
