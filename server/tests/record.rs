//! The clinical record through the server: the role table, and every
//! access audited.

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clinical_record_follows_the_role_table_and_every_access_is_audited() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let patient = w.ours.patient_ids[0].clone();
    let gp = sign_in(&state, &addr, "gp").await;
    let nurse = sign_in(&state, &addr, "nurse").await;
    let reception = sign_in(&state, &addr, "reception").await;
    let admin = sign_in(&state, &addr, "admin").await;
    let intruder = sign_in(&state, &addr, "o-gp").await;
    let consultation = |obs: serde_json::Value| {
        serde_json::json!({
            "patient_id": patient,
            "form": {
                "history": "Chest tightness on the stairs.",
                "examination": "",
                "plan": "Bloods; review in a week.",
                "codes": ["38341003"],
                "observations": obs,
            }
        })
    };

    // A reading without its pair is refused beside its field; nothing is saved.
    let (status, body) = call_json(
        &state,
        &addr,
        &gp,
        "/api/consultation_save",
        consultation(serde_json::json!([["systolic", "138"]])),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("\"field\":\"diastolic\""), "{body}");
    assert!(w
        .ours
        .db(&w.store)
        .consultations(&patient, 5)
        .await
        .unwrap()
        .is_empty());

    let (status, body) = call_json(
        &state,
        &addr,
        &gp,
        "/api/consultation_save",
        consultation(serde_json::json!([
            ["systolic", "138"],
            ["diastolic", "86"]
        ])),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        &state,
        &addr,
        &nurse,
        "/api/record_item_add",
        format!("patient_id={patient}&form[kind]=allergy&form[code]=91936005&form[term]=&form[dose]=&form[frequency]=&form[note]=Rash&form[since]="),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The GP sees the consultation text, the coded problem and the reading.
    let (_, body) = call(
        &state,
        &addr,
        &gp,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    for seen in [
        "Chest tightness on the stairs.",
        "Hypertensive disorder, systemic arterial",
        "\"kind\":\"systolic\",\"value\":138.0",
        "Allergy to penicillin",
    ] {
        assert!(body.contains(seen), "the GP should see {seen}: {body}");
    }
    // Reception: the allergy alert and appointments, never the clinical record.
    let (status, body) = call(
        &state,
        &addr,
        &reception,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Allergy to penicillin"), "{body}");
    assert!(
        body.contains("\"consultations\":null") && body.contains("\"items\":null"),
        "{body}"
    );
    for hidden in ["Chest tightness", "Hypertensive", "138.0"] {
        assert!(
            !body.contains(hidden),
            "reception must not see {hidden}: {body}"
        );
    }
    // Admin: demographics only (no alerts, no record).
    let (_, body) = call(
        &state,
        &addr,
        &admin,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    assert!(
        body.contains("\"allergies\":null") && !body.contains("Chest tightness"),
        "{body}"
    );

    // Reception cannot write or open a consultation; another practice's
    // GP cannot either: both "not found", both audited as refused.
    for (who, cookie) in [("reception", &reception), ("other practice", &intruder)] {
        let (status, _) = call_json(
            &state,
            &addr,
            cookie,
            "/api/consultation_save",
            consultation(serde_json::json!([])),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
        let (status, _) = call(
            &state,
            &addr,
            cookie,
            "/api/consultation_page",
            format!("patient_id={patient}"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
    }
    assert_eq!(
        w.ours
            .db(&w.store)
            .consultations(&patient, 5)
            .await
            .unwrap()
            .len(),
        1
    );

    // Amend: the nurse corrects it; the original stays.
    let id = w
        .ours
        .db(&w.store)
        .consultations(&patient, 1)
        .await
        .unwrap()[0]
        .id
        .clone();
    let (status, body) = call(
        &state,
        &addr,
        &nurse,
        "/api/consultation_amend",
        format!("id={id}&reason=&history=x&examination=&plan="),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required: {body}"
    );
    let (status, _) = call(
        &state,
        &addr,
        &nurse,
        "/api/consultation_amend",
        format!("id={id}&reason=Wrong+floor&history=Chest+tightness+on+the+hill.&examination=&plan=Bloods"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let c = &w
        .ours
        .db(&w.store)
        .consultations(&patient, 1)
        .await
        .unwrap()[0];
    assert_eq!(c.history, "Chest tightness on the stairs.");
    assert_eq!(c.amendments[0].by, "Nurse Cara Lee");

    // Every access is in the audit trail, none of it clinical text.
    let rows = w
        .ours
        .db(&w.store)
        .audit_rows(&Default::default(), 100)
        .await
        .unwrap();
    let lines: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.staff_name.clone().unwrap_or_default(),
                r.action.clone(),
                r.outcome.clone(),
            )
        })
        .collect();
    let has = |who: &str, action: &str, outcome: &str| {
        lines
            .iter()
            .any(|(w, a, o)| w == who && a.starts_with(action) && o == outcome)
    };
    assert!(
        has("Dr Ann Carter", "saved a consultation", "allowed"),
        "{lines:?}"
    );
    assert!(
        has("Nurse Cara Lee", "added an allergy", "allowed"),
        "{lines:?}"
    );
    assert!(
        has("Nurse Cara Lee", "amended a consultation", "allowed"),
        "{lines:?}"
    );
    assert!(
        has("Dee Patel", "viewed the record", "allowed"),
        "{lines:?}"
    );
    assert!(
        has("Dee Patel", "tried to save a consultation", "refused"),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|(_, a, _)| a.contains("Chest")
            || a.contains("Hypert")
            || a.contains("penicillin")),
        "audit actions carry no clinical content: {lines:?}"
    );
    assert!(w.store.verify_audit().await.unwrap().is_ok());
}
