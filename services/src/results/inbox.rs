//! Reading: a clinician's inbox (their own, or a colleague's they cover),
//! the pool, the overdue view, one report with the patient's earlier
//! values, a patient's results, and the Unmatched list.

use super::{audited, clinical, matcher, refused};
use crate::{Actor, Result, ServiceError};
use domain::live::{WaitThresholds, OVERDUE_SHOWN, RESULTS_SHOWN};
use domain::policy::Access;
use domain::results::{
    is_overdue, overdue_before, AnalyteHistory, Inbox, InboxKey, InboxRow, OverdueResults,
    ReportPage, ReportView, ResultRows, UnmatchedRow,
};
use domain::{Area, StaffId};
use store::{PracticeStore, Store};

/// Marks the rows unfiled for longer than the practice allows.
pub(crate) async fn overdue_flags(
    db: &PracticeStore,
    rows: Vec<InboxRow>,
) -> std::result::Result<Vec<InboxRow>, store::StoreError> {
    if rows.is_empty() {
        return Ok(rows);
    }
    let today = domain::time::london_today(chrono::Utc::now());
    Ok(flag_rows(rows, today, overdue_days(db).await?))
}

/// Marks the unfiled rows received more than `days` working days before
/// `today` (a received time that does not parse counts as today's).
fn flag_rows(mut rows: Vec<InboxRow>, today: chrono::NaiveDate, days: i64) -> Vec<InboxRow> {
    for r in &mut rows {
        let received = chrono::DateTime::parse_from_rfc3339(&r.received_at)
            .map(|t| domain::time::london_today(t.with_timezone(&chrono::Utc)))
            .unwrap_or(today);
        r.overdue =
            r.state == domain::results::ItemState::Unfiled && is_overdue(received, today, days);
    }
    rows
}

/// The practice's setting: working days a result may wait unfiled.
async fn overdue_days(db: &PracticeStore) -> std::result::Result<i64, store::StoreError> {
    Ok(db
        .settings(WaitThresholds::default())
        .await?
        .results_overdue_days)
}

/// The first of an inbox's (none: the pool's) unfiled reports after
/// `after`, with the overdue ones marked, and how many it holds.
pub(crate) async fn window(
    db: &PracticeStore,
    owner: Option<&str>,
    after: Option<&InboxKey>,
) -> std::result::Result<ResultRows, store::StoreError> {
    let mut window = db.inbox_window(owner, after, RESULTS_SHOWN).await?;
    window.rows = overdue_flags(db, window.rows).await?;
    Ok(window)
}

/// The actor's inbox, or (covering) an active colleague's: its first
/// reports and the pool's.
pub async fn inbox(store: &Store, actor: &Actor, whose: Option<&StaffId>) -> Result<Inbox> {
    inbox_after(store, actor, whose, None).await
}

/// The actor's inbox, or (covering) an active colleague's, from the report
/// after `after` on (as `ResultRows::horizon` names it): the next window.
pub async fn inbox_after(
    store: &Store,
    actor: &Actor,
    whose: Option<&StaffId>,
    after: Option<&InboxKey>,
) -> Result<Inbox> {
    clinical(actor, Access::Read)?;
    if after.is_some_and(|a| !a.is_place()) {
        return Err(ServiceError::field("after", InboxKey::NOT_A_PLACE));
    }
    let me = actor.staff_id()?.clone();
    let db = actor.db(store);
    let owner = whose.cloned().unwrap_or(me.clone());
    let clinicians = db.clinicians().await?;
    let Some(name) = clinicians
        .iter()
        .find(|(id, _)| id == owner.as_str())
        .map(|(_, n)| n.clone())
    else {
        return Err(if owner == me {
            ServiceError::Forbidden
        } else {
            ServiceError::NotFound
        });
    };
    let covering = owner != me;
    if covering {
        crate::audit::record(
            store,
            actor,
            &format!("opened {name}'s results inbox (covering)"),
            None,
            store::audit::Outcome::Allowed,
        )
        .await?;
    }
    Ok(Inbox {
        owner: (owner.to_string(), name),
        covering,
        rows: window(&db, Some(owner.as_str()), after).await?,
        pool: match after {
            None => window(&db, None, None).await?,
            Some(_) => ResultRows::default(),
        },
        clinicians,
    })
}

/// The practice's overdue unfiled reports, oldest first (clinicians and
/// admin): who has each and since when, never its values. Read from the
/// index by received time: those received before the first day not yet
/// overdue, `OVERDUE_SHOWN` at most.
pub async fn overdue(store: &Store, actor: &Actor) -> Result<OverdueResults> {
    if clinical(actor, Access::Read).is_err() {
        actor.require(Area::Admin)?;
    }
    let db = actor.db(store);
    let today = domain::time::london_today(chrono::Utc::now());
    let days = overdue_days(&db).await?;
    let first = overdue_before(today, days);
    let before = domain::time::london_to_utc(first.and_time(chrono::NaiveTime::MIN))
        .map_err(|_| ServiceError::Internal("midnight is never skipped in London".into()))?;
    let mut rows = db.unfiled_before(before, OVERDUE_SHOWN + 1).await?;
    let more = rows.len() > OVERDUE_SHOWN;
    rows.truncate(OVERDUE_SHOWN);
    Ok(OverdueResults {
        rows: flag_rows(rows, today, days),
        more,
    })
}

/// One report, with the patient's earlier values of the same tests;
/// audited against the patient.
pub async fn report(store: &Store, actor: &Actor, id: &str) -> Result<ReportView> {
    clinical(actor, Access::Read)?;
    let db = actor.db(store);
    let mut view = db.result_report(id).await.map_err(refused)?;
    view.row = overdue_flags(&db, vec![view.row]).await?.remove(0);
    if let Some(patient) = view.row.patient_id.clone() {
        let codes: Vec<String> = view.analytes.iter().map(|a| a.code.clone()).collect();
        let past = db
            .analyte_history(&patient, &codes, &view.row.issued)
            .await?;
        view.history = view
            .analytes
            .iter()
            .filter(|a| a.value.is_some())
            .map(|a| AnalyteHistory {
                code: a.code.clone(),
                display: a.display.clone(),
                unit: a.unit.clone(),
                points: past
                    .iter()
                    .filter(|(_, p)| p.code == a.code && p.unit == a.unit)
                    .filter_map(|(at, p)| p.value.map(|v| (at.clone(), v)))
                    .collect(),
            })
            .collect();
    }
    audited(store, actor, format!("viewed result {id}"), &view).await?;
    Ok(view)
}

/// A report with the teams and clinicians its forms offer.
pub async fn page(store: &Store, actor: &Actor, id: &str) -> Result<ReportPage> {
    let report = report(store, actor, id).await?;
    let db = actor.db(store);
    Ok(ReportPage {
        report,
        teams: db.teams().await?,
        clinicians: db.clinicians().await?,
    })
}

/// A patient's results (unfiled and filed), newest first.
pub async fn for_patient(store: &Store, actor: &Actor, patient: &str) -> Result<Vec<InboxRow>> {
    clinical(actor, Access::Read)?;
    let db = actor.db(store);
    if patient.is_empty() || !db.patient_in_practice(patient).await? {
        return Err(ServiceError::NotFound);
    }
    Ok(overdue_flags(&db, db.patient_results(patient).await?).await?)
}

/// What clinicians asked reception to tell the patient about their
/// filed results (never the values): any member of staff who sees the
/// patient's demographics.
pub async fn messages_for_patient(
    store: &Store,
    actor: &Actor,
    patient: &str,
) -> Result<Vec<domain::results::PatientMessage>> {
    matcher(actor)?;
    let db = actor.db(store);
    if patient.is_empty() || !db.patient_in_practice(patient).await? {
        return Err(ServiceError::NotFound);
    }
    Ok(db.patient_messages(patient).await?)
}

/// The reports no patient was found for: demographics and the kind of
/// item, for a person to match.
pub async fn unmatched(store: &Store, actor: &Actor) -> Result<Vec<UnmatchedRow>> {
    matcher(actor)?;
    Ok(actor.db(store).unmatched_results().await?)
}
