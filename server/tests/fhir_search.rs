//! Searching through the FHIR API: Patient's search parameters, paging
//! and refusals; the practice's own description (Organization,
//! Practitioner, PractitionerRole, Location), within the practice.

mod common;

use common::fhir::{client, get, issue, token, JSON};
use common::http::request;
use common::{serve, state, world};
use serde_json::Value;

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
