//! Filing laboratory results through the results service, on a real
//! SurrealDB: an action outcome raises its task in the same transaction,
//! bad forms write nothing, only clinicians file, and reception reads what
//! to tell the patient but never the values.

mod common;

use common::results::{hba1c, laboratory};
use common::{actor, field, words, world_with_team};
use domain::results::{FileForm, ItemState, Outcome};
use services::ServiceError;

#[tokio::test]
async fn filing_with_an_action_raises_the_task_for_the_team_in_one_go() {
    let (w, team) = world_with_team().await;
    let lab = laboratory(&w.ours, "system/DiagnosticReport.c");
    let gp = actor(&w.ours, "gp");
    let gp_id = w.ours.staff_id("gp");
    let r = services::results::receive(&w.store, &lab, &hba1c("F1", 64.0, Some(gp_id)))
        .await
        .unwrap();

    // An action needs a team; a missing outcome is named.
    let bad = FileForm {
        outcome: "urgent_appointment".into(),
        ..FileForm::default()
    };
    let before = store::fixtures::everything(&w.store).await.unwrap();
    let e = services::results::file(&w.store, &gp, &r.id, 1, &bad)
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("team"));
    let e = services::results::file(&w.store, &gp, &r.id, 1, &FileForm::default())
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("outcome"));
    assert_eq!(
        before,
        store::fixtures::everything(&w.store).await.unwrap(),
        "nothing written"
    );

    // Reception may not file.
    let reception = actor(&w.ours, "reception");
    let form = FileForm {
        outcome: Outcome::UrgentAppointment.as_str().into(),
        team: team.clone(),
        patient_comment: "Please book an urgent appointment with a GP this week.".into(),
        note: "HbA1c up from 48; review metformin.".into(),
    };
    let e = services::results::file(&w.store, &reception, &r.id, 1, &form).await;
    assert!(matches!(e, Err(ServiceError::Forbidden)));

    let filed = services::results::file(&w.store, &gp, &r.id, 1, &form)
        .await
        .unwrap();
    assert_eq!(filed.row.state, ItemState::Filed);
    let filing = filed.filing.unwrap();
    assert_eq!(filing.outcome, Outcome::UrgentAppointment);
    assert_eq!(filing.by, "Dr Ann Carter");

    let tasks = w.ours.db(&w.store).team_tasks(&team).await.unwrap();
    assert_eq!(tasks.len(), 1);
    let t = &tasks[0];
    assert_eq!(Some(t.id.clone()), filing.task_id);
    assert_eq!(t.title, "Book an urgent appointment: HbA1c result");
    assert_eq!(t.priority, domain::task::Priority::Urgent);
    assert_eq!(
        t.patient_id.as_deref(),
        Some(w.ours.patient_ids[0].as_str())
    );
    assert!(t.details.contains("urgent appointment with a GP this week"));
    assert!(
        !t.details.contains("metformin"),
        "the internal note stays with the result"
    );

    // Filed: out of the inbox, and filing again is refused in words.
    assert!(services::results::inbox(&w.store, &gp, None)
        .await
        .unwrap()
        .rows
        .is_empty());
    let e = services::results::file(&w.store, &gp, &r.id, 2, &form)
        .await
        .unwrap_err();
    assert!(words(&e).contains("already filed"), "{e}");

    // On the patient's results, and every view and filing is audited.
    let mine = services::results::for_patient(&w.store, &gp, &w.ours.patient_ids[0])
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    // Reception reads what to tell the patient, never the values.
    let said =
        services::results::messages_for_patient(&w.store, &reception, &w.ours.patient_ids[0])
            .await
            .unwrap();
    assert_eq!(said.len(), 1);
    assert_eq!(
        said[0].comment,
        "Please book an urgent appointment with a GP this week."
    );
    assert_eq!(said[0].by, "Dr Ann Carter");
    let e = services::results::for_patient(&w.store, &reception, &w.ours.patient_ids[0]).await;
    assert!(matches!(e, Err(ServiceError::Forbidden)));
    let admin = actor(&w.ours, "admin");
    let trail = services::audit::accesses(&w.store, &admin, &w.ours.patient_ids[0])
        .await
        .unwrap()
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions
            .iter()
            .any(|a| a.contains("laboratory report arrived")),
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .any(|a| a.contains("filed result") && a.contains("urgent appointment")),
        "{actions:?}"
    );
}
