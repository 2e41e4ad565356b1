//! The FHIR API as another system meets it, over real HTTP: a registered
//! client trades its secret for a token and reads patients of its own
//! practice only, as far as its scopes allow; every read is audited naming
//! the client; revoking the client ends its token at once.

mod common;

use common::fhir::{client, get, issue, token, token_reply, JSON};
use common::http::request;
use common::{actor, serve, state, world};
use store::audit::AuditFilter;

#[tokio::test]
async fn the_capability_statement_says_what_is_implemented_in_json_only() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let r = request(&addr, "GET", "/fhir/r4/metadata", &[JSON], "").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("application/fhir+json; charset=utf-8")
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let v = r.json();
    assert_eq!(v["fhirVersion"], "4.0.1");
    assert_eq!(v["kind"], "instance");
    let types: Vec<&str> = v["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "Patient",
            "Organization",
            "Practitioner",
            "PractitionerRole",
            "Location",
            "CareTeam",
            "Condition",
            "AllergyIntolerance",
            "MedicationStatement",
            "Observation",
            "Encounter",
            "DiagnosticReport",
            "DocumentReference",
            "Binary",
            "Schedule",
            "Slot",
            "Appointment",
            "Bundle",
            "Task"
        ],
        "only what is implemented"
    );
    // Each one listed is served: it asks for a token, where anything else
    // is "not something this server does".
    for r in v["rest"][0]["resource"].as_array().unwrap() {
        let kind = r["type"].as_str().unwrap();
        let codes: Vec<&str> = r["interaction"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap())
            .collect();
        let answer = if codes == ["create"] {
            let path = format!("/fhir/r4/{kind}");
            let body = format!("{{\"resourceType\": \"{kind}\"}}");
            let sent = [JSON, ("Content-Type", "application/fhir+json")];
            request(&addr, "POST", &path, &sent, &body).await
        } else if codes.contains(&"search-type") {
            request(&addr, "GET", &format!("/fhir/r4/{kind}"), &[JSON], "").await
        } else {
            request(
                &addr,
                "GET",
                &format!("/fhir/r4/{kind}/some-id"),
                &[JSON],
                "",
            )
            .await
        };
        let path = kind;
        assert_eq!(answer.status, 401, "{path} is listed but not served");
    }
    let unlisted = request(&addr, "GET", "/fhir/r4/Medication", &[JSON], "").await;
    assert_eq!(unlisted.status, 404);
    // _format overrides Accept, both ways.
    let xml = request(&addr, "GET", "/fhir/r4/metadata?_format=xml", &[JSON], "").await;
    assert_eq!(xml.status, 406);
    assert_eq!(issue(&xml).0, "not-supported");
    let html = request(
        &addr,
        "GET",
        "/fhir/r4/metadata",
        &[("Accept", "text/html")],
        "",
    )
    .await;
    assert_eq!(html.status, 406);
    let fmt = request(
        &addr,
        "GET",
        "/fhir/r4/metadata?_format=json",
        &[("Accept", "text/html")],
        "",
    )
    .await;
    assert_eq!(fmt.status, 200);
    // The SMART configuration names the token endpoint.
    let smart = request(
        &addr,
        "GET",
        "/fhir/r4/.well-known/smart-configuration",
        &[],
        "",
    )
    .await;
    assert_eq!(smart.status, 200);
    assert!(smart.json()["token_endpoint"]
        .as_str()
        .unwrap()
        .ends_with("/oauth2/token"));
    // Anything not implemented says so, as an OperationOutcome.
    let r = request(&addr, "GET", "/fhir/r4/Banana", &[JSON], "").await;
    assert_eq!((r.status, issue(&r).0.as_str()), (404, "not-supported"));
}

#[tokio::test]
async fn a_client_finds_a_patient_by_nhs_number_and_reads_them_audited() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let (id, secret) = client(&w, "system/Patient.rs").await;
    let t = token(&addr, &id, &secret).await;
    let r = get(
        &addr,
        "/fhir/r4/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000026",
        &t,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let bundle = r.json();
    assert_eq!(bundle["type"], "searchset");
    assert_eq!(bundle["total"], 1);
    let patient = &bundle["entry"][0]["resource"];
    assert_eq!(patient["name"][0]["family"], "Khan");
    assert_eq!(patient["identifier"][0]["value"], "9990000026");
    assert_eq!(
        patient["identifier"][0]["system"],
        "https://fhir.nhs.uk/Id/nhs-number"
    );
    assert_eq!(
        patient["meta"]["profile"][0],
        "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
    );
    let pid = patient["id"].as_str().unwrap().to_string();
    assert_eq!(
        pid, w.ours.patient_ids[1],
        "our practice's Aisha Khan, not theirs"
    );
    let read = get(&addr, &format!("/fhir/r4/Patient/{pid}"), &t).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("etag"), Some("W/\"1\""));
    assert_eq!(read.json()["meta"]["versionId"], "1");
    assert_eq!(read.json()["birthDate"], "1987-09-12");
    // The audit trail names the client, for the search and the read.
    let rows = w
        .ours
        .db(&w.store)
        .audit_rows(
            &AuditFilter {
                patient_id: Some(pid.clone()),
                ..Default::default()
            },
            50,
        )
        .await
        .unwrap();
    let by_client: Vec<&str> = rows
        .iter()
        .filter(|r| r.role.as_deref() == Some(&format!("api_client:{id}")))
        .map(|r| r.action.as_str())
        .collect();
    assert!(
        by_client.contains(&"found the patient in a search"),
        "{by_client:?}"
    );
    assert!(
        by_client.contains(&"read the patient's details"),
        "{by_client:?}"
    );
}

#[tokio::test]
async fn a_client_sees_only_its_own_practice_and_only_what_its_scopes_allow() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let (id, secret) = client(&w, "system/Patient.rs").await;
    let t = token(&addr, &id, &secret).await;
    // Another practice's patient: not found, as if it did not exist.
    let theirs = &w.theirs.patient_ids[0];
    let r = get(&addr, &format!("/fhir/r4/Patient/{theirs}"), &t).await;
    assert_eq!((r.status, issue(&r).0.as_str()), (404, "not-found"));
    let (_, words) = issue(&r);
    assert!(
        !words.contains("Smith"),
        "no personal data in diagnostics: {words}"
    );
    let r = get(&addr, &format!("/fhir/r4/Patient?_id={theirs}"), &t).await;
    assert_eq!(r.json()["total"], 0);
    // Every patient a search can reach is ours.
    let r = get(&addr, "/fhir/r4/Patient?_count=50", &t).await;
    assert_eq!(r.json()["total"], 4);
    // A client with no Patient scope is refused, with an OperationOutcome.
    let (id2, secret2) = client(&w, "system/Appointment.rs").await;
    let t2 = token(&addr, &id2, &secret2).await;
    let r = get(&addr, "/fhir/r4/Patient?family=smith", &t2).await;
    assert_eq!((r.status, issue(&r).0.as_str()), (403, "forbidden"));
    // No token, a made-up token: 401 with a Bearer challenge.
    let r = request(&addr, "GET", "/fhir/r4/Patient", &[JSON], "").await;
    assert_eq!(
        (r.status, r.header("www-authenticate")),
        (401, Some("Bearer realm=\"fhir\""))
    );
    let r = get(&addr, "/fhir/r4/Patient", "not-a-token").await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn the_token_endpoint_grants_no_more_than_registered_and_revocation_is_immediate() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let (id, secret) = client(&w, "system/Patient.rs").await;
    let wrong = token_reply(&addr, &id, "guess", None).await;
    assert_eq!(
        (wrong.status, wrong.json()["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let unknown = token_reply(&addr, "nobody", &secret, None).await;
    assert_eq!(
        unknown.json()["error"],
        wrong.json()["error"],
        "the same answer for both"
    );
    let more = token_reply(
        &addr,
        &id,
        &secret,
        Some("system/Patient.rs system/Observation.rs"),
    )
    .await;
    assert_eq!(
        (more.status, more.json()["error"].as_str()),
        (400, Some("invalid_scope"))
    );
    let less = token_reply(&addr, &id, &secret, Some("system/Patient.r")).await;
    assert_eq!(less.status, 200);
    assert_eq!(less.json()["scope"], "system/Patient.r");
    assert_eq!(less.header("cache-control"), Some("no-store"));
    // Read only: a search is beyond this token.
    let t_less = less.json()["access_token"].as_str().unwrap().to_string();
    let r = get(&addr, "/fhir/r4/Patient?family=smith", &t_less).await;
    assert_eq!(r.status, 403);
    let old = token(&addr, &id, &secret).await;
    // A new secret: the old secret and its tokens stop at once.
    let admin = actor(&w.ours, "admin");
    let secret = services::api_clients::rotate(&w.store, &admin, &id.clone().into())
        .await
        .unwrap();
    let r = get(&addr, "/fhir/r4/Patient?family=smith", &old).await;
    assert_eq!(r.status, 401, "the old secret's token stops");
    assert_eq!(token_reply(&addr, &id, &old, None).await.status, 401);
    let t = token(&addr, &id, &secret).await;
    let r = get(&addr, "/fhir/r4/Patient?family=smith", &t).await;
    assert_eq!(r.status, 200);
    services::api_clients::revoke(&w.store, &actor(&w.ours, "admin"), &id.clone().into())
        .await
        .unwrap();
    let r = get(&addr, "/fhir/r4/Patient?family=smith", &t).await;
    assert_eq!(r.status, 401, "a revoked client's token stops at once");
    assert_eq!(token_reply(&addr, &id, &secret, None).await.status, 401);
    // A revoked client stays revoked: no new secret brings it back.
    let e = services::api_clients::rotate(&w.store, &admin, &id.clone().into())
        .await
        .unwrap_err();
    assert!(
        matches!(e, services::ServiceError::Conflict { .. }),
        "{e:?}"
    );
    // Another practice's admin cannot revoke (or learn of) our clients.
    let (id3, _) = client(&w, "system/Patient.rs").await;
    let e = services::api_clients::revoke(&w.store, &actor(&w.theirs, "admin"), &id3.into())
        .await
        .unwrap_err();
    assert!(matches!(e, services::ServiceError::NotFound), "{e:?}");
    // Only admin registers clients.
    let e =
        services::api_clients::register(&w.store, &actor(&w.ours, "gp"), "x", "system/Patient.rs")
            .await
            .unwrap_err();
    assert!(matches!(e, services::ServiceError::Forbidden), "{e:?}");
}
