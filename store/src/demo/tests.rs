use super::*;
use domain::NhsNumber;

#[tokio::test]
async fn seeding_builds_the_whole_demo_practice_once() {
    let store = Store::memory().await.unwrap();
    let summary = seed_demo(&store, &|_: u64, _: u64, _: &str| {})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.patients, DEMO_PATIENTS);
    assert_eq!(summary.staff, 11);
    assert_eq!(summary.clinic_sessions, 15 * 6 * 2);
    let slots = 15 * 6 * 36;
    let booked = summary.appointments as f64 / slots as f64;
    assert!((0.55..0.65).contains(&booked), "booked fraction {booked}");
    assert!(summary.tasks >= 24);

    // Every stored NHS number passes Modulus 11 and is test-range.
    let mut res = store
        .db()
        .query("SELECT VALUE nhs_number FROM patient")
        .await
        .unwrap();
    let numbers: Vec<String> = res.take(0).unwrap();
    assert_eq!(numbers.len(), DEMO_PATIENTS);
    for n in &numbers {
        assert!(NhsNumber::parse(n).unwrap().is_test_range(), "{n}");
    }
    // The demo sign-ins exist with the right roles and the demo password.
    for (username, role) in DEMO_SIGN_INS {
        let account = store
            .sign_in_account(&Username::parse(username).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(account.staff.role, role);
        assert!(crate::staff::verify_password(
            DEMO_PASSWORD,
            &account.password_hash
        ));
    }
    // Riverside Pathology's reports: each matched one is about the patient
    // its demographics name; four wait unmatched; Dr Khan's are normal.
    assert_eq!(summary.results, 40);
    let mut res = store
        .db()
        .query(
            "SELECT count() AS n FROM result_report WHERE state = 'unmatched' GROUP ALL;
             SELECT count() AS n FROM result_report
                 WHERE state = 'unfiled' AND (patient.nhs_number != nhs_number OR patient.date_of_birth != birth_date) GROUP ALL;
             SELECT count() AS n FROM result_report
                 WHERE state = 'unfiled' AND abnormal = true AND assigned_to.username = 'gp' GROUP ALL;
             SELECT count() AS n FROM result_report WHERE state = 'unfiled' AND abnormal = true GROUP ALL;",
        )
        .await
        .unwrap();
    use surrealdb::types::SurrealValue;
    #[derive(SurrealValue)]
    struct N {
        n: i64,
    }
    let mut count = |i: usize| -> i64 {
        let rows: Vec<N> = res.take(i).unwrap();
        rows.first().map(|r| r.n).unwrap_or(0)
    };
    assert_eq!(count(0), 4, "unmatched");
    assert_eq!(count(1), 0, "a matched report about someone else");
    assert_eq!(count(2), 0, "an abnormal report in Dr Khan's inbox");
    assert!(count(3) >= 3, "some abnormal reports");
    // A second run does nothing.
    assert!(seed_demo(&store, &|_: u64, _: u64, _: &str| {})
        .await
        .unwrap()
        .is_none());
}
