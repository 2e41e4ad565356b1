//! A report arrives: checked, matched to one patient or left for a
//! person, given to the requesting clinician (or the patient's usual GP,
//! or the pool), stored whole or not at all, and audited.

use super::refused;
use crate::{audit, Actor, Result, ServiceError};
use domain::results::{match_patient, Candidate, InboxKind, IncomingReport, Match};
use domain::scopes::Interaction;
use domain::PracticeId;
use store::audit::Outcome as Audited;
use store::patients::PatientFilter;
use store::results::{Ingested, NewReport};
use store::{PracticeStore, Store};

/// What became of an arriving report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrived {
    pub id: String,
    /// The same report had already arrived: nothing changed.
    pub duplicate: bool,
    /// The report this one corrected (kept, marked replaced).
    pub replaced: Option<String>,
    /// The patient it was matched to, if it was.
    pub patient: Option<String>,
    /// Why it went to the Unmatched list.
    pub unmatched: Option<String>,
}

/// Stores a report sent by an API client (a laboratory) or a member of
/// staff allowed to create DiagnosticReports.
pub async fn receive(store: &Store, actor: &Actor, report: &IncomingReport) -> Result<Arrived> {
    let resource = match report.kind {
        InboxKind::Report => "DiagnosticReport",
        InboxKind::Letter => "DocumentReference",
    };
    if !actor.may_do(resource, Interaction::Create) {
        return Err(ServiceError::Forbidden);
    }
    let by = match &actor.who {
        crate::Who::Client { .. } => format!("{} (API)", actor.name),
        crate::Who::Staff { .. } => actor.name.clone(),
    };
    let arrived = store_report(&actor.db(store), report, by).await?;
    if !arrived.duplicate {
        audit::record(
            store,
            actor,
            &arrival_words(report, &arrived),
            arrived.patient.as_deref(),
            Audited::Allowed,
        )
        .await?;
    }
    Ok(arrived)
}

/// Stores a report read from a file by `openpractice import results`
/// (the operator's run, audited as a whole by the command).
pub async fn import(
    store: &Store,
    practice: &PracticeId,
    source: &str,
    report: &IncomingReport,
) -> Result<Arrived> {
    store_report(
        &store.practice(practice),
        report,
        format!("import from {source}"),
    )
    .await
}

/// Audits the start or end of an import of results (the command line).
pub async fn imported(store: &Store, practice: &PracticeId, what: String) -> Result<()> {
    audit::operator(store, practice, what).await
}

fn arrival_words(report: &IncomingReport, arrived: &Arrived) -> String {
    let what = match report.kind {
        InboxKind::Report => "laboratory report",
        InboxKind::Letter => "letter",
    };
    let how = match (&arrived.patient, &arrived.replaced) {
        (Some(_), Some(_)) => format!("a corrected {what} arrived, matched automatically"),
        (Some(_), None) => format!("a {what} arrived, matched automatically"),
        (None, Some(_)) => format!("a corrected {what} arrived, unmatched"),
        (None, None) => format!("a {what} arrived, unmatched"),
    };
    format!(
        "{how} (result {}, from {})",
        arrived.id,
        short(&report.laboratory)
    )
}

fn short(s: &str) -> String {
    s.chars().take(80).collect()
}

async fn store_report(db: &PracticeStore, report: &IncomingReport, by: String) -> Result<Arrived> {
    let problems = report.problems();
    if !problems.is_empty() {
        return Err(ServiceError::fields(problems));
    }
    let candidates = candidates(db, report).await?;
    let matched = match_patient(&report.patient, db.id().as_str(), &candidates);
    let (patient, reason) = match matched {
        Match::Matched(p) => (Some(p), None),
        Match::Unmatched(r) => (None, Some(r)),
    };
    let assigned = match &patient {
        Some(p) => inbox_for(db, report.requester_id.as_deref(), p).await?,
        None => None,
    };
    let outcome = db
        .ingest_result(&NewReport {
            report,
            patient: patient.clone(),
            unmatched_reason: reason.clone(),
            assigned_to: assigned,
            received_by: by,
            matched_by: None,
        })
        .await
        .map_err(refused)?;
    Ok(match outcome {
        Ingested::Created { id, replaced } => Arrived {
            id,
            duplicate: false,
            replaced,
            patient,
            unmatched: reason,
        },
        Ingested::Duplicate { id } => Arrived {
            id,
            duplicate: true,
            replaced: None,
            patient,
            unmatched: reason,
        },
    })
}

/// The practice's registered patient with the report's NHS number, if any.
async fn candidates(db: &PracticeStore, report: &IncomingReport) -> Result<Vec<Candidate>> {
    let Ok(nhs) = domain::NhsNumber::parse(&report.patient.nhs_number) else {
        return Ok(Vec::new());
    };
    let filter = PatientFilter {
        nhs_number: Some(nhs.digits()),
        ..PatientFilter::default()
    };
    let (_, found) = db.filter_patients(&filter, 0, 2).await?;
    Ok(found
        .into_iter()
        .map(|p| Candidate {
            id: p.id,
            practice: db.id().as_str().to_string(),
            nhs_number: p.nhs_number,
            family: p.family_name,
            birth_date: p.date_of_birth,
        })
        .collect())
}

/// Whose inbox a matched report goes to: the requesting clinician when
/// the laboratory names one of the practice's active clinicians, else the
/// patient's usual GP (if still an active clinician), else the pool.
pub(crate) async fn inbox_for(
    db: &PracticeStore,
    requester: Option<&str>,
    patient: &str,
) -> Result<Option<String>> {
    let clinicians = db.clinicians().await?;
    let active = |id: &str| clinicians.iter().any(|(c, _)| c == id);
    if let Some(r) = requester.filter(|r| active(r)) {
        return Ok(Some(r.to_string()));
    }
    let usual = db
        .patient_record(patient)
        .await?
        .and_then(|p| p.usual_gp_id)
        .filter(|g| active(g));
    Ok(usual)
}
