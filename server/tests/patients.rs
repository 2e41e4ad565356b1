//! Patients through the server: every view of a record audited (refusals
//! too), registration checked field by field, and edits that never
//! overwrite a colleague.

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_of_a_record_is_audited_once_refusals_too_and_admin_sees_who() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let patient = w.ours.patient_ids[0].clone();
    let gp = sign_in(&state, &addr, "gp").await;
    let reception = sign_in(&state, &addr, "reception").await;
    let intruder = sign_in(&state, &addr, "o-gp").await;

    // The rows about records (sign-ins are audited too, and not counted here).
    let rows = |practice: domain::PracticeId| {
        let db = w.store.practice(&practice);
        async move {
            let mut rows = db.audit_rows(&Default::default(), 100).await.unwrap();
            rows.retain(|r| {
                !r.action.starts_with("signed ") && !r.action.starts_with("failed to sign in")
            });
            rows
        }
    };
    let (status, body) = call(
        &state,
        &addr,
        &gp,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"family_name\":\"Smith\""), "{body}");
    let after_gp = rows(w.ours.practice_id.clone()).await;
    assert_eq!(after_gp.len(), 1, "one view, one audit row");
    assert_eq!(
        (
            after_gp[0].staff_name.as_deref(),
            after_gp[0].role.as_deref(),
            after_gp[0].action.as_str(),
            after_gp[0].outcome.as_str(),
            after_gp[0].patient.as_deref(),
            after_gp[0].address.as_deref()
        ),
        (
            Some("Dr Ann Carter"),
            Some("gp"),
            "viewed the record",
            "allowed",
            Some(patient.as_str()),
            Some("10.0.0.1")
        )
    );
    // Only admin is shown who has accessed the record.
    assert!(body.contains("\"accesses\":null"), "{body}");

    call(
        &state,
        &addr,
        &reception,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    // Another practice: not found, and the refusal is audited in its own practice.
    let (status, _) = call(
        &state,
        &addr,
        &intruder,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let theirs = rows(w.theirs.practice_id.clone()).await;
    assert_eq!(
        (
            theirs.len(),
            theirs[0].outcome.as_str(),
            theirs[0].patient.as_deref()
        ),
        (1, "refused", None)
    );

    // The admin's view of the record lists both accesses (and its own).
    let admin = sign_in(&state, &addr, "admin").await;
    let (status, body) = call(
        &state,
        &addr,
        &admin,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for who in ["Dr Ann Carter", "Dee Patel", "Eve Morgan"] {
        assert!(
            body.contains(who),
            "{who} missing from the accesses: {body}"
        );
    }
    // The audit page filters by member of staff.
    let gp_id = w.ours.staff_id("gp");
    let (status, body) = call(
        &state,
        &addr,
        &admin,
        "/api/audit_trail",
        format!("staff={gp_id}&nhs_number=&date="),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Dr Ann Carter") && !body.contains("Dee Patel"),
        "{body}"
    );
    // …and only admin may read it.
    let (status, _) = call(
        &state,
        &addr,
        &gp,
        "/api/audit_trail",
        "staff=&nhs_number=&date=".into(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        w.store.verify_audit().await.unwrap(),
        Ok(4 + 4),
        "four record views (and four sign-ins), chained"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_checks_every_field_and_only_reception_registers() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let reception = sign_in(&state, &addr, "reception").await;
    let bad = "form[title]=&form[given_name]=&form[family_name]=Adeyemi&form[date_of_birth]=31/02/1990&form[sex]=female&form[gender]=&form[address]=&form[postcode]=RG1&form[phone]=&form[email]=&form[nhs_number]=9434765918&form[usual_gp]=&form[registered_on]=";
    let (status, body) = call(
        &state,
        &addr,
        &reception,
        "/api/register_patient",
        bad.into(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    for field in [
        "given_name",
        "date_of_birth",
        "address",
        "postcode",
        "nhs_number",
    ] {
        assert!(body.contains(field), "{field} not named: {body}");
    }
    let good = "form[title]=Ms&form[given_name]=Grace&form[family_name]=Adeyemi&form[date_of_birth]=12/05/1990&form[sex]=female&form[gender]=&form[address]=4+Mill+Lane&form[postcode]=RG1+4AB&form[phone]=&form[email]=&form[nhs_number]=943+476+5919&form[usual_gp]=&form[registered_on]=";
    let (status, body) = call(
        &state,
        &addr,
        &reception,
        "/api/register_patient",
        good.into(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        &state,
        &addr,
        &reception,
        "/api/register_patient",
        good.into(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("already registered to Ms Grace ADEYEMI"),
        "{body}"
    );
    // A GP reads demographics but does not register (the policy table).
    let gp = sign_in(&state, &addr, "gp").await;
    let (status, _) = call(
        &state,
        &addr,
        &gp,
        "/api/register_patient",
        good.replace("943+476+5919", "401+023+2137"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reception_edits_a_patient_without_overwriting_a_colleague_and_clinicians_cannot() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let patient = w.ours.patient_ids[1].clone();
    let reception = sign_in(&state, &addr, "reception").await;
    let gp = sign_in(&state, &addr, "gp").await;
    let before = w
        .ours
        .db(&w.store)
        .patient_record(&patient)
        .await
        .unwrap()
        .unwrap();
    let body = |version: i64, postcode: &str| {
        let f = domain::patient::PatientForm::from_details(&before);
        format!(
            "id={patient}&version={version}&form[title]={}&form[given_name]={}&form[family_name]={}&form[date_of_birth]={}&form[sex]={}&form[gender]=&form[address]=1+New+Road&form[postcode]={postcode}&form[phone]=&form[email]=&form[nhs_number]={}&form[usual_gp]=&form[registered_on]={}",
            f.title, f.given_name, f.family_name, f.date_of_birth.replace('/', "%2F"), f.sex, f.nhs_number, f.registered_on.replace('/', "%2F")
        )
    };
    // A bad postcode: refused beside its field, nothing changed.
    let (status, text) = call(
        &state,
        &addr,
        &reception,
        "/api/edit_patient",
        body(before.version, "XYZ"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("\"field\":\"postcode\""), "{text}");
    // A GP may read but not change demographics: not found, nothing changed.
    let (status, _) = call(
        &state,
        &addr,
        &gp,
        "/api/edit_patient",
        body(before.version, "RV1 2AB"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, text) = call(
        &state,
        &addr,
        &reception,
        "/api/edit_patient",
        body(before.version, "rv12ab"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let after = w
        .ours
        .db(&w.store)
        .patient_record(&patient)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (after.postcode.as_str(), after.address_lines.clone()),
        ("RV1 2AB", vec!["1 New Road".to_string()])
    );
    // A second desk still on the old version is told who saved first.
    let (status, text) = call(
        &state,
        &addr,
        &reception,
        "/api/edit_patient",
        body(before.version, "RV9 9ZZ"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(text.contains("Changed by Dee Patel"), "{text}");
    let still = w
        .ours
        .db(&w.store)
        .patient_record(&patient)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        still.postcode, "RV1 2AB",
        "the stale edit overwrote nothing"
    );
    let rows = w
        .ours
        .db(&w.store)
        .audit_rows(&Default::default(), 50)
        .await
        .unwrap();
    assert!(rows
        .iter()
        .any(|r| r.action == "edited the details" && r.outcome == "allowed"));
    assert!(rows
        .iter()
        .any(|r| r.action.starts_with("tried to edit the details") && r.outcome == "refused"));
}
