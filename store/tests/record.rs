//! The clinical record against a real (in-memory) SurrealDB: problems,
//! allergies and medications with history and stale changes refused;
//! consultations saved whole (observations, BMI, coded problems onto the
//! list, draft removed), amended with the original kept, never edited;
//! drafts per clinician; nothing crosses practices.

use domain::clinical::ObservationKind;
use domain::record::{ConsultationForm, ItemAction, ItemForm, ItemKind};
use store::fixtures::small_practice;
use store::record::RecordError;
use store::staff::hash_password;
use store::Store;

async fn setup() -> (Store, store::fixtures::SmallPractice) {
    let store = Store::memory().await.unwrap();
    let hash = hash_password("a long test password").unwrap();
    let p = small_practice(&store, "Test Surgery", "", &hash, "2026-11-21")
        .await
        .unwrap();
    (store, p)
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
}

fn item(kind: &str, code: &str, term: &str) -> domain::record::ValidItem {
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
    .validate(today())
    .unwrap()
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
    let (store, p) = setup().await;
    let gp = p.staff_id("gp").to_string();
    let patient = &p.patient_ids[0];
    let med = store
        .add_record_item(
            &p.practice_id,
            patient,
            &item("medication", "", "Amlodipine"),
            &gp,
        )
        .await
        .unwrap();
    assert_eq!(med.describe(), "Amlodipine, 5 mg, Once a day");
    assert!(med.active);
    assert_eq!(med.history.len(), 1);
    assert_eq!(med.history[0].what, "Added");
    let reviewed = store
        .change_record_item(
            &p.practice_id,
            &med.id,
            med.version,
            ItemAction::Review,
            "still taking",
            &gp,
        )
        .await
        .unwrap();
    assert!(reviewed.reviewed_at.is_some());
    // A colleague working from the version before the review is refused,
    // and shown the item as it is now.
    let stale = store
        .change_record_item(
            &p.practice_id,
            &med.id,
            med.version,
            ItemAction::End,
            "",
            &gp,
        )
        .await
        .unwrap_err();
    match stale {
        RecordError::Stale { current } => {
            assert!(current.active && current.version == reviewed.version)
        }
        other => panic!("expected stale, got {other:?}"),
    }
    let ended = store
        .change_record_item(
            &p.practice_id,
            &med.id,
            reviewed.version,
            ItemAction::End,
            "stopped: ankle swelling",
            &gp,
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
    assert!(matches!(
        store
            .change_record_item(
                &p.practice_id,
                &med.id,
                ended.version,
                ItemAction::Review,
                "",
                &gp
            )
            .await,
        Err(RecordError::Field("action", _))
    ));
    // A coded problem already current is refused; another practice sees
    // nothing and cannot change anything.
    store
        .add_record_item(
            &p.practice_id,
            patient,
            &item("problem", "38341003", ""),
            &gp,
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_record_item(
                &p.practice_id,
                patient,
                &item("problem", "38341003", ""),
                &gp
            )
            .await,
        Err(RecordError::Field("term", _))
    ));
    let hash = hash_password("a long test password").unwrap();
    let other = small_practice(&store, "Other Surgery", "o", &hash, "2026-11-21")
        .await
        .unwrap();
    let other_gp = other.staff_id("gp").to_string();
    assert!(matches!(
        store
            .add_record_item(
                &other.practice_id,
                patient,
                &item("problem", "195967001", ""),
                &other_gp
            )
            .await,
        Err(RecordError::NotFound)
    ));
    assert!(store
        .record_items(&other.practice_id, patient, None)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        store
            .change_record_item(
                &other.practice_id,
                &med.id,
                ended.version,
                ItemAction::Review,
                "",
                &other_gp
            )
            .await,
        Err(RecordError::NotFound)
    ));
    let mine = store
        .record_items(&p.practice_id, patient, None)
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    assert!(mine[0].active, "current items come first");
}

#[tokio::test]
async fn a_consultation_is_saved_whole_and_amended_never_edited() {
    let (store, p) = setup().await;
    let gp = p.staff_id("gp").to_string();
    let patient = &p.patient_ids[0];
    // An earlier height, then a consultation with a weight: BMI uses it.
    let first = consultation(&[("height", "175")], &[]).validate().unwrap();
    store
        .save_consultation(&p.practice_id, patient, &first, &gp)
        .await
        .unwrap();
    // A draft exists, then the consultation is saved: the draft is gone.
    let mut form = consultation(
        &[("systolic", "138"), ("diastolic", "86"), ("weight", "70")],
        &["38341003", "91936005"],
    );
    form.appointment_id = Some(p.appointments[0].id.clone());
    store
        .save_draft(&p.practice_id, patient, &form, &gp)
        .await
        .unwrap()
        .expect("saved");
    assert_eq!(
        store.drafts(&p.practice_id, patient).await.unwrap().len(),
        1
    );
    let id = store
        .save_consultation(&p.practice_id, patient, &form.validate().unwrap(), &gp)
        .await
        .unwrap();
    assert!(store
        .drafts(&p.practice_id, patient)
        .await
        .unwrap()
        .is_empty());
    let saved = store
        .consultations(&p.practice_id, patient, 5)
        .await
        .unwrap();
    assert_eq!(saved.len(), 2);
    let c = &saved[0];
    assert_eq!(c.id, id);
    assert_eq!(c.author, "Dr Ann Carter");
    assert_eq!(c.entries.len(), 2);
    let value = |k: ObservationKind| c.observations.iter().find(|o| o.kind == k).map(|o| o.value);
    assert_eq!(value(ObservationKind::Systolic), Some(138.0));
    assert_eq!(value(ObservationKind::Bmi), Some(22.9));
    // Coded problems and allergies join the patient's lists.
    let items = store
        .record_items(&p.practice_id, patient, None)
        .await
        .unwrap();
    let kinds: Vec<(ItemKind, &str)> = items.iter().map(|i| (i.kind, i.term.as_str())).collect();
    assert!(kinds.contains(&(
        ItemKind::Problem,
        "Hypertensive disorder, systemic arterial"
    )));
    assert!(kinds.iter().any(|(k, _)| *k == ItemKind::Allergy));
    assert_eq!(items[0].history[0].what, "Added in a consultation");
    // Observations for the charts, oldest first.
    let all = store.observations(&p.practice_id, patient).await.unwrap();
    assert_eq!(all.first().map(|o| o.kind), Some(ObservationKind::Height));
    assert_eq!(all.len(), 5);
    // Amend: the original is kept, the amendment says who and why.
    store
        .amend_consultation(
            &p.practice_id,
            &id,
            "Wrong duration",
            ("Headaches for three weeks.", "", "Home BP monitoring."),
            &gp,
        )
        .await
        .unwrap();
    let c = &store
        .consultations(&p.practice_id, patient, 1)
        .await
        .unwrap()[0];
    assert_eq!(c.history, "Headaches for two weeks.");
    assert_eq!(c.current_text().0, "Headaches for three weeks.");
    assert_eq!(c.amendments[0].by, "Dr Ann Carter");
    assert_eq!(c.amendments[0].reason, "Wrong duration");
    // An appointment of another patient is refused; nothing is written.
    let mut wrong = consultation(&[("pulse", "72")], &[]);
    wrong.appointment_id = Some(p.appointments[1].id.clone());
    assert!(matches!(
        store
            .save_consultation(&p.practice_id, patient, &wrong.validate().unwrap(), &gp)
            .await,
        Err(RecordError::Field("appointment", _))
    ));
    assert_eq!(
        store
            .observations(&p.practice_id, patient)
            .await
            .unwrap()
            .len(),
        5
    );
    // Another practice can neither read nor amend.
    let hash = hash_password("a long test password").unwrap();
    let other = small_practice(&store, "Other Surgery", "o", &hash, "2026-11-21")
        .await
        .unwrap();
    assert!(store
        .consultations(&other.practice_id, patient, 5)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        store
            .amend_consultation(
                &other.practice_id,
                &id,
                "x",
                ("a", "b", "c"),
                other.staff_id("gp")
            )
            .await,
        Err(RecordError::NotFound)
    ));
}

#[tokio::test]
async fn drafts_are_per_clinician_and_an_empty_one_is_removed() {
    let (store, p) = setup().await;
    let gp = p.staff_id("gp").to_string();
    let nurse = p.staff_id("nurse").to_string();
    let patient = &p.patient_ids[1];
    let mut f = consultation(&[("pulse", "7")], &[]);
    store
        .save_draft(&p.practice_id, patient, &f, &gp)
        .await
        .unwrap();
    f.history.push_str(" Worse at night.");
    store
        .save_draft(&p.practice_id, patient, &f, &gp)
        .await
        .unwrap();
    store
        .save_draft(&p.practice_id, patient, &consultation(&[], &[]), &nurse)
        .await
        .unwrap();
    let drafts = store.drafts(&p.practice_id, patient).await.unwrap();
    assert_eq!(drafts.len(), 2, "one per clinician");
    let gp_draft = drafts.iter().find(|d| d.author_staff_id == gp).unwrap();
    assert_eq!(gp_draft.author, "Dr Ann Carter");
    assert!(gp_draft.form.history.ends_with("Worse at night."));
    assert_eq!(
        gp_draft.form.observation(ObservationKind::Pulse),
        "7",
        "a draft keeps what was typed, even an unfinished reading"
    );
    store
        .save_draft(&p.practice_id, patient, &ConsultationForm::default(), &gp)
        .await
        .unwrap();
    let drafts = store.drafts(&p.practice_id, patient).await.unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].author_staff_id, nurse);
}
