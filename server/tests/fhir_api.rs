//! The FHIR API as another system meets it, over real HTTP: a registered
//! client trades its secret for a token and reads patients of its own
//! practice only, as far as its scopes allow; every read is audited naming
//! the client; revoking the client ends its token at once.

mod common;

use common::http::{basic, request, Reply};
use common::{actor, serve, state, world, World};
use serde_json::Value;
use store::audit::AuditFilter;

const JSON: (&str, &str) = ("Accept", "application/fhir+json");

/// A client of our practice with `scopes`: (id, secret).
async fn client(w: &World, scopes: &str) -> (String, String) {
    let r =
        services::api_clients::register(&w.store, &actor(&w.ours, "admin"), "Test system", scopes)
            .await
            .unwrap();
    (r.id.to_string(), r.secret)
}

async fn token_reply(addr: &str, id: &str, secret: &str, scope: Option<&str>) -> Reply {
    let body = match scope {
        Some(s) => format!(
            "grant_type=client_credentials&scope={}",
            s.replace(' ', "+").replace('/', "%2F")
        ),
        None => "grant_type=client_credentials".to_string(),
    };
    request(
        addr,
        "POST",
        "/oauth2/token",
        &[
            ("Authorization", &basic(id, secret)),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &body,
    )
    .await
}

async fn token(addr: &str, id: &str, secret: &str) -> String {
    let r = token_reply(addr, id, secret, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["access_token"].as_str().unwrap().to_string()
}

async fn get(addr: &str, path: &str, token: &str) -> Reply {
    let auth = format!("Bearer {token}");
    request(addr, "GET", path, &[JSON, ("Authorization", &auth)], "").await
}

fn issue(r: &Reply) -> (String, String) {
    let v = r.json();
    assert_eq!(v["resourceType"], "OperationOutcome", "{}", r.body);
    (
        v["issue"][0]["code"].as_str().unwrap().to_string(),
        v["issue"][0]["diagnostics"].as_str().unwrap().to_string(),
    )
}

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
            "Condition",
            "AllergyIntolerance",
            "MedicationStatement",
            "Observation",
            "Encounter",
            "Schedule",
            "Slot",
            "Appointment"
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
        let path = if codes.contains(&"search-type") {
            format!("/fhir/r4/{kind}")
        } else {
            format!("/fhir/r4/{kind}/some-id")
        };
        let answer = request(&addr, "GET", &path, &[JSON], "").await;
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

fn families(v: &Value) -> Vec<String> {
    v["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["search"]["mode"] == "match")
        .map(|e| {
            e["resource"]["name"][0]["family"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn patient_search_parameters_pages_and_refusals() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let (id, secret) = client(&w, "system/Patient.rs").await;
    let t = token(&addr, &id, &secret).await;
    let found = |path: &'static str| {
        let (addr, t) = (addr.clone(), t.clone());
        async move {
            let r = get(&addr, path, &t).await;
            assert_eq!(r.status, 200, "{path}: {}", r.body);
            families(&r.json())
        }
    };
    assert_eq!(found("/fhir/r4/Patient?family=SMI").await, ["Smith"]);
    assert_eq!(found("/fhir/r4/Patient?given=oli").await, ["Brown"]);
    assert_eq!(found("/fhir/r4/Patient?name=to").await, ["Nowak"]);
    assert_eq!(found("/fhir/r4/Patient?birthdate=le1970").await, ["Smith"]);
    assert_eq!(found("/fhir/r4/Patient?birthdate=1987-09").await, ["Khan"]);
    assert_eq!(
        found("/fhir/r4/Patient?birthdate=ge1975&birthdate=lt1988").await,
        ["Khan", "Nowak"]
    );
    assert_eq!(
        found("/fhir/r4/Patient?identifier=9990000018").await,
        ["Smith"]
    );
    assert_eq!(
        found("/fhir/r4/Patient?gender=female").await,
        Vec::<String>::new()
    );
    assert_eq!(
        found("/fhir/r4/Patient?address-postalcode=rv1%201")
            .await
            .len(),
        4
    );
    // Pages: total, self and next links, no patient twice, none missed.
    let first = get(&addr, "/fhir/r4/Patient?_count=3", &t).await.json();
    assert_eq!(first["total"], 4);
    let links = first["link"].as_array().unwrap();
    assert_eq!(links[0]["relation"], "self");
    let next = links.iter().find(|l| l["relation"] == "next").unwrap()["url"]
        .as_str()
        .unwrap();
    let path = &next[next.find("/fhir/r4").unwrap()..];
    let second = get(&addr, path, &t).await.json();
    assert!(second["link"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["relation"] != "next"));
    let mut all = families(&first);
    all.extend(families(&second));
    assert_eq!(all, ["Brown", "Khan", "Nowak", "Smith"]);
    // Unknown parameters are reported in the Bundle, or refused if strict.
    let r = get(&addr, "/fhir/r4/Patient?family=smith&colour=blue", &t)
        .await
        .json();
    let outcome = r["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["search"]["mode"] == "outcome")
        .unwrap();
    assert!(outcome["resource"]["issue"][0]["diagnostics"]
        .as_str()
        .unwrap()
        .contains("colour"));
    let auth = format!("Bearer {t}");
    let strict = request(
        &addr,
        "GET",
        "/fhir/r4/Patient?colour=blue",
        &[
            JSON,
            ("Authorization", &auth),
            ("Prefer", "handling=strict"),
        ],
        "",
    )
    .await;
    assert_eq!((strict.status, issue(&strict).0.as_str()), (400, "invalid"));
    // Bad values: 400, naming the parameter.
    for (path, field) in [
        ("/fhir/r4/Patient?birthdate=1987-13", "birthdate"),
        ("/fhir/r4/Patient?identifier=1234567890", "identifier"),
        (
            "/fhir/r4/Patient?identifier=urn:other|9990000018",
            "identifier",
        ),
        ("/fhir/r4/Patient?gender=woman", "gender"),
        ("/fhir/r4/Patient?_count=abc", "_count"),
        ("/fhir/r4/Patient?family=", "family"),
    ] {
        let r = get(&addr, path, &t).await;
        let (code, words) = issue(&r);
        assert_eq!((r.status, code.as_str()), (400, "invalid"), "{path}");
        assert!(words.starts_with(field), "{path}: {words}");
    }
}

#[tokio::test]
async fn the_practice_its_staff_and_rooms_are_described_within_the_practice() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let (id, secret) = client(
        &w,
        "system/Organization.rs system/Practitioner.rs system/PractitionerRole.rs system/Location.rs",
    )
    .await;
    let t = token(&addr, &id, &secret).await;
    let org = get(
        &addr,
        &format!("/fhir/r4/Organization/{}", w.ours.practice_id),
        &t,
    )
    .await;
    assert_eq!(org.status, 200, "{}", org.body);
    assert_eq!(org.json()["name"], w.ours.practice_name.as_str());
    let theirs = get(
        &addr,
        &format!("/fhir/r4/Organization/{}", w.theirs.practice_id),
        &t,
    )
    .await;
    assert_eq!(theirs.status, 404, "another practice is not known here");
    let found = get(&addr, "/fhir/r4/Practitioner?name=carter", &t)
        .await
        .json();
    assert_eq!(found["total"], 1, "{found}");
    let gp = found["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(gp, w.ours.staff_id("gp"));
    let roles = get(
        &addr,
        &format!("/fhir/r4/PractitionerRole?practitioner=Practitioner/{gp}"),
        &t,
    )
    .await
    .json();
    assert_eq!(roles["total"], 1);
    assert_eq!(
        roles["entry"][0]["resource"]["code"][0]["coding"][0]["display"],
        "General practitioner"
    );
    let their_gp = w.theirs.staff_id("gp");
    let r = get(&addr, &format!("/fhir/r4/Practitioner/{their_gp}"), &t).await;
    assert_eq!(r.status, 404);
    let rooms = get(&addr, "/fhir/r4/Location", &t).await.json();
    let names: Vec<&str> = rooms["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Room 1", "Room 2", "Room 3"],
        "one room per clinician"
    );
    // Without the scope: 403.
    let (id2, secret2) = client(&w, "system/Patient.rs").await;
    let t2 = token(&addr, &id2, &secret2).await;
    assert_eq!(get(&addr, "/fhir/r4/Location", &t2).await.status, 403);
}
