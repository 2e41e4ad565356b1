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
    // A second run does nothing.
    assert!(seed_demo(&store, &|_: u64, _: u64, _: &str| {})
        .await
        .unwrap()
        .is_none());
}
