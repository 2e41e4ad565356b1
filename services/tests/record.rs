//! The clinical record through the record service, against a real
//! (in-memory) SurrealDB: problems,
//! allergies and medications with history and stale changes refused;
//! consultations saved whole (observations, BMI, coded problems onto the
//! list, draft removed), amended with the original kept, never edited;
//! drafts per clinician; nothing crosses practices.

mod common;

use common::{actor, field};
use domain::clinical::ObservationKind;
use domain::record::{ConsultationForm, ItemAction, ItemForm, ItemKind};
use domain::{Current, PatientId, RecordItemId, Version};
use services::record::{self as rec, Amendment};
use services::ServiceError;

fn item(kind: &str, code: &str, term: &str) -> ItemForm {
    ItemForm {
        kind: kind.into(),
        code: code.into(),
        term: term.into(),
        dose: if kind == "medication" {
            "5 mg".into()
        } else {
            String::new()
        },
        frequency: if kind == "medication" {
            "Once a day".into()
        } else {
            String::new()
        },
        ..Default::default()
    }
}

fn consultation(obs: &[(&str, &str)], codes: &[&str]) -> ConsultationForm {
    ConsultationForm {
        history: "Headaches for two weeks.".into(),
        plan: "Home BP monitoring.".into(),
        codes: codes.iter().map(|c| c.to_string()).collect(),
        observations: obs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    }
}

#[tokio::test]
async fn items_are_added_reviewed_and_ended_with_their_history() {
    let w = common::world().await;
    let (store, p) = (&w.store, &w.ours);
    let gp = actor(p, "gp");
    let patient = &p.patient_ids[0];
    let pid = PatientId::new(patient.as_str());
    let med = rec::add_item(store, &gp, &pid, &item("medication", "", "Amlodipine"))
        .await
        .unwrap();
    assert_eq!(med.describe(), "Amlodipine, 5 mg, Once a day");
    assert!(med.active);
    assert_eq!(med.history.len(), 1);
    assert_eq!(med.history[0].what, "Added");
    let reviewed = rec::change_item(
        store,
        &gp,
        &RecordItemId::new(med.id.as_str()),
        Version(med.version),
        ItemAction::Review,
        "still taking",
    )
    .await
    .unwrap();
    assert!(reviewed.reviewed_at.is_some());
    // A colleague working from the version before the review is refused,
    // and shown the item as it is now.
    let stale = rec::change_item(
        store,
        &gp,
        &RecordItemId::new(med.id.as_str()),
        Version(med.version),
        ItemAction::End,
        "",
    )
    .await
    .unwrap_err();
    match stale {
        ServiceError::Conflict {
            current: Some(Current::RecordItem(current)),
            ..
        } => assert!(current.active && current.version == reviewed.version),
        other => panic!("expected stale, got {other:?}"),
    }
    let ended = rec::change_item(
        store,
        &gp,
        &RecordItemId::new(med.id.as_str()),
        Version(reviewed.version),
        ItemAction::End,
        "stopped: ankle swelling",
    )
    .await
    .unwrap();
    assert!(!ended.active);
    let now = domain::time::london_today(chrono::Utc::now()).to_string();
    assert_eq!(ended.ended_on, Some(now));
    let whats: Vec<&str> = ended.history.iter().map(|h| h.what.as_str()).collect();
    assert_eq!(
        whats,
        [
            "Added",
            "Reviewed: still taking",
            "Ended: stopped: ankle swelling"
        ]
    );
    assert!(ended
        .history
        .iter()
        .all(|h| h.by == "Dr Ann Carter" || !h.by.is_empty()));
    // Ended stays ended.
    assert_eq!(
        field(
            &rec::change_item(
                store,
                &gp,
                &RecordItemId::new(med.id.as_str()),
                Version(ended.version),
                ItemAction::Review,
                ""
            )
            .await
            .unwrap_err()
        )
        .as_deref(),
        Some("action")
    );
    // A coded problem already current is refused; another practice sees
    // nothing and cannot change anything.
    rec::add_item(store, &gp, &pid, &item("problem", "38341003", ""))
        .await
        .unwrap();
    assert_eq!(
        field(
            &rec::add_item(store, &gp, &pid, &item("problem", "38341003", ""))
                .await
                .unwrap_err()
        )
        .as_deref(),
        Some("term")
    );
    let other = &w.theirs;
    let other_gp = actor(other, "gp");
    assert!(matches!(
        rec::add_item(store, &other_gp, &pid, &item("problem", "195967001", "")).await,
        Err(ServiceError::NotFound)
    ));
    assert!(other
        .db(store)
        .record_items(patient, None)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        rec::change_item(
            store,
            &other_gp,
            &RecordItemId::new(med.id.as_str()),
            Version(ended.version),
            ItemAction::Review,
            ""
        )
        .await,
        Err(ServiceError::NotFound)
    ));
    let mine = p.db(store).record_items(patient, None).await.unwrap();
    assert_eq!(mine.len(), 2);
    assert!(mine[0].active, "current items come first");
}

#[tokio::test]
async fn a_consultation_is_saved_whole_and_amended_never_edited() {
    let w = common::world().await;
    let (store, p) = (&w.store, &w.ours);
    let gp = actor(p, "gp");
    let patient = &p.patient_ids[0];
    let pid = PatientId::new(patient.as_str());
    // An earlier height, then a consultation with a weight: BMI uses it.
    let first_form = consultation(&[("height", "175")], &[]);
    rec::save_consultation(store, &gp, &pid, &first_form)
        .await
        .unwrap();
    // A draft exists, then the consultation is saved: the draft is gone.
    let mut form = consultation(
        &[("systolic", "138"), ("diastolic", "86"), ("weight", "70")],
        &["38341003", "91936005"],
    );
    form.appointment_id = Some(p.appointments[0].id.clone());
    rec::save_draft(store, &gp, &pid, &form)
        .await
        .unwrap()
        .expect("saved");
    assert_eq!(p.db(store).drafts(patient).await.unwrap().len(), 1);
    let id = rec::save_consultation(store, &gp, &pid, &form)
        .await
        .unwrap();
    assert!(p.db(store).drafts(patient).await.unwrap().is_empty());
    let saved = p.db(store).consultations(patient, 5).await.unwrap();
    assert_eq!(saved.len(), 2);
    let c = &saved[0];
    assert_eq!(c.id, id.as_str());
    assert_eq!(c.author, "Dr Ann Carter");
    assert_eq!(c.entries.len(), 2);
    let value = |k: ObservationKind| c.observations.iter().find(|o| o.kind == k).map(|o| o.value);
    assert_eq!(value(ObservationKind::Systolic), Some(138.0));
    assert_eq!(value(ObservationKind::Bmi), Some(22.9));
    // Coded problems and allergies join the patient's lists.
    let items = p.db(store).record_items(patient, None).await.unwrap();
    let kinds: Vec<(ItemKind, &str)> = items.iter().map(|i| (i.kind, i.term.as_str())).collect();
    assert!(kinds.contains(&(
        ItemKind::Problem,
        "Hypertensive disorder, systemic arterial"
    )));
    assert!(kinds.iter().any(|(k, _)| *k == ItemKind::Allergy));
    assert_eq!(items[0].history[0].what, "Added in a consultation");
    // Observations for the charts, oldest first.
    let all = p.db(store).observations(patient).await.unwrap();
    assert_eq!(all.first().map(|o| o.kind), Some(ObservationKind::Height));
    assert_eq!(all.len(), 5);
    // Amend: the original is kept, the amendment says who and why.
    rec::amend_consultation(
        store,
        &gp,
        &id,
        &Amendment {
            reason: "Wrong duration".into(),
            history: "Headaches for three weeks.".into(),
            examination: String::new(),
            plan: "Home BP monitoring.".into(),
        },
    )
    .await
    .unwrap();
    let c = &p.db(store).consultations(patient, 1).await.unwrap()[0];
    assert_eq!(c.history, "Headaches for two weeks.");
    assert_eq!(c.current_text().0, "Headaches for three weeks.");
    assert_eq!(c.amendments[0].by, "Dr Ann Carter");
    assert_eq!(c.amendments[0].reason, "Wrong duration");
    // An appointment of another patient is refused; nothing is written.
    let mut wrong = consultation(&[("pulse", "72")], &[]);
    wrong.appointment_id = Some(p.appointments[1].id.clone());
    let e = rec::save_consultation(store, &gp, &pid, &wrong)
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("appointment"));
    assert_eq!(e.to_string(), "That appointment is not this patient's.");
    assert_eq!(p.db(store).observations(patient).await.unwrap().len(), 5);
    // Another practice can neither read nor amend.
    let other = &w.theirs;
    assert!(other
        .db(store)
        .consultations(patient, 5)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        rec::amend_consultation(
            store,
            &actor(other, "gp"),
            &id,
            &Amendment {
                reason: "x".into(),
                history: "a".into(),
                examination: "b".into(),
                plan: "c".into(),
            }
        )
        .await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn drafts_are_per_clinician_and_an_empty_one_is_removed() {
    let w = common::world().await;
    let (store, p) = (&w.store, &w.ours);
    let gp = actor(p, "gp");
    let nurse = actor(p, "nurse");
    let patient = &p.patient_ids[1];
    let pid = PatientId::new(patient.as_str());
    let mut f = consultation(&[("pulse", "7")], &[]);
    rec::save_draft(store, &gp, &pid, &f).await.unwrap();
    f.history.push_str(" Worse at night.");
    rec::save_draft(store, &gp, &pid, &f).await.unwrap();
    rec::save_draft(store, &nurse, &pid, &consultation(&[], &[]))
        .await
        .unwrap();
    let drafts = p.db(store).drafts(patient).await.unwrap();
    assert_eq!(drafts.len(), 2, "one per clinician");
    let gp_draft = drafts.iter().find(|d| gp.is(&d.author_staff_id)).unwrap();
    assert_eq!(gp_draft.author, "Dr Ann Carter");
    assert!(gp_draft.form.history.ends_with("Worse at night."));
    assert_eq!(
        gp_draft.form.observation(ObservationKind::Pulse),
        "7",
        "a draft keeps what was typed, even an unfinished reading"
    );
    rec::save_draft(store, &gp, &pid, &ConsultationForm::default())
        .await
        .unwrap();
    let drafts = p.db(store).drafts(patient).await.unwrap();
    assert_eq!(drafts.len(), 1);
    assert!(nurse.is(&drafts[0].author_staff_id));
}
