//! An open patient page is live: a colleague's change to the record (an
//! allergy, the details, an appointment, a result matched or taken away)
//! reaches every open page of that patient at once as "this part changed",
//! never as the change itself; a page reconnecting hears only what it
//! missed; another practice cannot watch. Over real websockets.

mod common;

use common::*;
use domain::appointment_status::Action;
use domain::live::{ClientMessage, PatientChange, RecordPart, Rows, ServerMessage, Topic};
use domain::{AppointmentId, PatientId, Version};
use std::time::Duration;

/// The next message's patient changes, with the raw text it came as.
async fn next_changes(ws: &mut Ws) -> (Vec<PatientChange>, u64) {
    match next(ws, Duration::from_secs(2)).await {
        Some(ServerMessage::Changes {
            rows: Rows::Patient(changes),
            seq,
            ..
        }) => (changes, seq),
        other => panic!("no patient change within 2 s: {other:?}"),
    }
}

fn parts(changes: &[PatientChange]) -> Vec<RecordPart> {
    changes.iter().map(|c| c.part).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colleagues_changes_reach_an_open_patient_page_as_the_part_that_changed() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let patient = w.ours.patient_ids[0].clone();
    let topic = Topic::Patient {
        id: patient.clone(),
    };

    // Reception and the GP both have John Smith's page open, each
    // subscribed from the seq its page's data reflects.
    let opened = services::patients::page(
        &w.store,
        &actor(&w.ours, "reception"),
        &PatientId::new(patient.as_str()),
    )
    .await
    .unwrap()
    .seq;
    let reception_cookie = sign_in(&state, &addr, "reception").await;
    let mut desk = staff_socket(&addr, &reception_cookie).await;
    let ServerMessage::Changes { rows, .. } =
        subscribe(&mut desk, topic.clone(), Some(opened)).await
    else {
        panic!("reception may watch the page it may open")
    };
    assert!(
        rows.is_empty(),
        "nothing changed since the page was read: {rows:?}"
    );
    let gp_cookie = sign_in(&state, &addr, "gp").await;
    let mut gp = staff_socket(&addr, &gp_cookie).await;
    assert!(matches!(
        subscribe(&mut gp, topic.clone(), Some(opened)).await,
        ServerMessage::Changes { .. }
    ));

    // A nurse adds an allergy: both pages hear "clinical", not the allergy.
    services::record::add_item(
        &w.store,
        &actor(&w.ours, "nurse"),
        &PatientId::new(patient.as_str()),
        &domain::record::ItemForm {
            kind: "allergy".into(),
            code: "91936005".into(),
            term: "Penicillin allergy".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (changes, seq) = next_changes(&mut desk).await;
    assert_eq!(parts(&changes), [RecordPart::Clinical]);
    assert!(changes[0].seq > opened && changes[0].seq <= seq);
    let (gp_changes, _) = next_changes(&mut gp).await;
    assert_eq!(gp_changes, changes);
    assert!(
        !serde_json::to_string(&changes)
            .unwrap()
            .to_lowercase()
            .contains("penicillin"),
        "the signal carries no clinical data"
    );
    let clinical_seq = changes[0].seq;

    // Reception changes the phone number: "details".
    let page = services::patients::page(
        &w.store,
        &actor(&w.ours, "reception"),
        &PatientId::new(patient.as_str()),
    )
    .await
    .unwrap();
    assert!(page.seq >= clinical_seq, "the page's data carries its seq");
    let mut form = domain::patient::PatientForm::from_details(&page.patient);
    form.phone = "07700 900123".into();
    services::patients::edit(
        &w.store,
        &actor(&w.ours, "reception"),
        &PatientId::new(patient.as_str()),
        Version(page.patient.version),
        &form,
    )
    .await
    .unwrap();
    assert_eq!(parts(&next_changes(&mut gp).await.0), [RecordPart::Details]);
    assert_eq!(
        parts(&next_changes(&mut desk).await.0),
        [RecordPart::Details]
    );

    // The desk marks the patient arrived: "appointments".
    let booked = &w.ours.appointments[0];
    assert_eq!(booked.patient_id, patient);
    services::appointments::act(
        &w.store,
        &actor(&w.ours, "reception"),
        &AppointmentId::new(booked.id.as_str()),
        Version(booked.version),
        Action::MarkArrived,
    )
    .await
    .unwrap();
    assert_eq!(
        parts(&next_changes(&mut gp).await.0),
        [RecordPart::Appointments]
    );

    // Another patient's change does not reach this page.
    services::record::add_item(
        &w.store,
        &actor(&w.ours, "gp"),
        &PatientId::new(w.ours.patient_ids[1].as_str()),
        &domain::record::ItemForm {
            kind: "problem".into(),
            term: "Asthma".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        next(&mut gp, Duration::from_millis(600)).await,
        None,
        "another patient's change is not this page's"
    );

    // A laboratory report matched to John Smith: "results"; a clinician
    // takes it away again (wrong patient): his page hears that too.
    let lab = lab_actor(&w.ours);
    let arrived =
        services::results::receive(&w.store, &lab, &lab_report("P1", 58.0, None, "1961-04-03"))
            .await
            .unwrap();
    assert_eq!(arrived.patient.as_deref(), Some(patient.as_str()));
    assert_eq!(parts(&next_changes(&mut gp).await.0), [RecordPart::Results]);
    let version = report_version(&w, &w.ours, &arrived.id).await;
    services::results::unmatch(
        &w.store,
        &actor(&w.ours, "gp"),
        &arrived.id,
        version,
        "Not this patient's sample",
    )
    .await
    .unwrap();
    assert_eq!(parts(&next_changes(&mut gp).await.0), [RecordPart::Results]);

    // A page that was away comes back: it hears only the parts changed
    // since what it shows (the arrival: appointments, from the
    // appointment's own event); a page with no seq to give reads it all.
    drop(desk);
    let mut back = staff_socket(&addr, &reception_cookie).await;
    let ServerMessage::Changes { rows, .. } =
        subscribe(&mut back, topic.clone(), Some(clinical_seq)).await
    else {
        panic!("a catch-up, not a snapshot")
    };
    let mut missed = parts(rows.patient_changes());
    missed.sort();
    assert_eq!(
        missed,
        [
            RecordPart::Details,
            RecordPart::Appointments,
            RecordPart::Results
        ]
    );
    let ServerMessage::Snapshot { rows, seq, .. } = subscribe(&mut back, topic.clone(), None).await
    else {
        panic!("a snapshot")
    };
    let mut every = parts(rows.patient_changes());
    every.sort();
    assert_eq!(every, RecordPart::ALL);
    assert!(rows.patient_changes().iter().all(|c| c.seq == seq));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_practice_cannot_watch_a_patients_page() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let cookie = sign_in(&state, &addr, "o-gp").await;
    let mut ws = staff_socket(&addr, &cookie).await;
    let topic = Topic::Patient {
        id: w.ours.patient_ids[0].clone(),
    };
    send(
        &mut ws,
        &ClientMessage::Subscribe {
            topic: topic.clone(),
            since: None,
        },
    )
    .await;
    match next(&mut ws, Duration::from_secs(2)).await {
        Some(ServerMessage::Refused { message, .. }) => assert_eq!(message, "Not found."),
        other => panic!("another practice's patient must not be watchable: {other:?}"),
    }
    // A change to our patient's record does not reach them.
    services::record::add_item(
        &w.store,
        &actor(&w.ours, "gp"),
        &PatientId::new(w.ours.patient_ids[0].as_str()),
        &domain::record::ItemForm {
            kind: "problem".into(),
            term: "Gout".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(next(&mut ws, Duration::from_millis(600)).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_into_a_registered_patient_reaches_their_open_page() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let patient = w.ours.patient_ids[0].clone();
    let opened = services::patients::page(
        &w.store,
        &actor(&w.ours, "gp"),
        &PatientId::new(patient.as_str()),
    )
    .await
    .unwrap()
    .seq;
    let cookie = sign_in(&state, &addr, "gp").await;
    let mut gp = staff_socket(&addr, &cookie).await;
    assert!(matches!(
        subscribe(
            &mut gp,
            Topic::Patient {
                id: patient.clone()
            },
            Some(opened)
        )
        .await,
        ServerMessage::Changes { .. }
    ));
    // The practice's own export of the patient, and one new problem for
    // them, as another system would send it.
    let out = tempfile::tempdir().unwrap();
    let exported = out.path().join("export");
    server::fhir::export::export(&w.store, &w.ours.practice_id, &exported, &|_, _| {})
        .await
        .unwrap();
    let smith = std::fs::read_to_string(exported.join("Patient.ndjson"))
        .unwrap()
        .lines()
        .find(|l| l.contains(&patient))
        .unwrap()
        .to_string();
    let condition = serde_json::json!({
        "resourceType": "Condition", "id": "moved-in-1",
        "clinicalStatus": { "coding": [{ "code": "active" }] },
        "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "195967001", "display": "Asthma" }] },
        "subject": { "reference": format!("Patient/{patient}") },
        "onsetDateTime": "2019-05-01"
    });
    let source = out.path().join("in.ndjson");
    std::fs::write(&source, format!("{smith}\n{condition}\n")).unwrap();
    server::fhir::import::import(&w.store, &w.ours.practice_id, &source, &|_, _| {})
        .await
        .unwrap();
    let (changes, _) = next_changes(&mut gp).await;
    assert_eq!(parts(&changes), [RecordPart::Clinical]);
    // Imported again: nothing new, nothing announced.
    server::fhir::import::import(&w.store, &w.ours.practice_id, &source, &|_, _| {})
        .await
        .unwrap();
    assert!(next(&mut gp, Duration::from_millis(500)).await.is_none());
}
