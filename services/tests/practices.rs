//! Several practices on one deployment: the operator (`service_admin`)
//! creates a practice and its first admin, who must choose their own
//! password; bad fields are refused by name and write nothing; names and
//! usernames are unique across the deployment; the operator sees no
//! practice's patients, appointments, tasks or staff, and nobody but the
//! operator creates practices; the new practice's staff see none of the
//! other practices' data.

mod common;

use common::{actor, field, world, DATE};
use domain::practice::NewPracticeForm;
use services::auth::{self, Activity, AuthConfig, PasswordChange};
use services::staff::admin::{self, NewMember};
use services::{Actor, ServiceError};
use store::fixtures::everything;
use store::Store;

fn hillside() -> NewPracticeForm {
    NewPracticeForm {
        name: "Hillside Surgery".into(),
        ods_code: "b82005".into(),
        address: "2 Hill Road".into(),
        phone: "0161 496 0001".into(),
        admin_name: "Hana Hill".into(),
        admin_username: "hana.hill".into(),
    }
}

/// Signs `username` in with `password` and returns who they are, having
/// chosen their own password when told to.
async fn sign_in(store: &Store, username: &str, password: &str) -> Actor {
    let config = AuthConfig::default();
    let session = auth::sign_in(store, &config, username, password, "10.0.0.7", None)
        .await
        .unwrap();
    let resolve = || {
        auth::resolve_session(
            store,
            &config,
            &session.token,
            chrono::Utc::now(),
            Activity::Person,
        )
    };
    let me = resolve().await.unwrap().unwrap();
    if me.must_change_password {
        let change = PasswordChange {
            current: password.into(),
            new: "granite orchard pepper".into(),
            confirm: "granite orchard pepper".into(),
        };
        auth::change_password(store, &config, &me.actor, &me.session_key, &change)
            .await
            .unwrap();
    }
    resolve().await.unwrap().unwrap().actor
}

#[tokio::test]
async fn the_operator_creates_a_practice_whose_staff_see_only_their_own() {
    let w = world().await;
    let made = services::practices::create_operator(&w.store, "olu.ops", "Olu Operator")
        .await
        .unwrap();
    let config = AuthConfig::default();
    let session = auth::sign_in(
        &w.store,
        &config,
        "olu.ops",
        &made.password,
        "10.0.0.7",
        None,
    )
    .await
    .unwrap();
    let me = auth::resolve_session(
        &w.store,
        &config,
        &session.token,
        chrono::Utc::now(),
        Activity::Person,
    )
    .await
    .unwrap()
    .unwrap();
    assert!(
        me.must_change_password,
        "the operator too chooses their own password"
    );
    let operator = sign_in(&w.store, "olu.ops", &made.password).await;
    assert_eq!(operator.role(), Some(domain::Role::ServiceAdmin));

    let before = services::practices::list(&w.store, &operator)
        .await
        .unwrap();
    assert_eq!(
        before.len(),
        2,
        "the operators' own practice is not listed: {before:?}"
    );
    assert!(before.iter().all(|p| p.staff == 5));

    let created = services::practices::create(&w.store, &operator, &hillside())
        .await
        .unwrap();
    assert_eq!(created.practice.ods_code.as_deref(), Some("B82005"));
    assert_eq!(created.admin.username, "hana.hill");
    let after = services::practices::list(&w.store, &operator)
        .await
        .unwrap();
    assert_eq!(after.len(), 3);
    let trail = w
        .store
        .practice(&operator.practice)
        .audit_rows(&Default::default(), 5)
        .await
        .unwrap();
    assert!(trail.iter().any(
        |r| r.action == "created practice \"Hillside Surgery\" with its first admin hana.hill"
    ));

    // Hillside's admin signs in, chooses a password, adds a receptionist and a GP.
    let hana = sign_in(&w.store, "hana.hill", &created.admin.password).await;
    let mut staff = Vec::new();
    for (name, username, role) in [
        ("Rae Reed", "rae.reed", "reception"),
        ("Dr Gil Hart", "gil.hart", "gp"),
    ] {
        let one_time = admin::add(
            &w.store,
            &hana,
            &NewMember {
                name: name.into(),
                username: username.into(),
                role: role.into(),
                teams: vec![],
            },
        )
        .await
        .unwrap();
        staff.push(sign_in(&w.store, username, &one_time.password).await);
    }
    let (rae, gil) = (&staff[0], &staff[1]);
    let listed = admin::list(&w.store, &hana).await.unwrap();
    let names: Vec<&str> = listed.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(listed.len(), 3, "only Hillside's staff: {names:?}");

    // None of Riverside's patients, appointments or tasks, for any of them.
    let riverside = services::patients::search(&w.store, &actor(&w.ours, "reception"), "Khan")
        .await
        .unwrap();
    assert!(
        !riverside.is_empty(),
        "Riverside's reception finds their patient"
    );
    for who in [&hana, rae, gil] {
        for query in ["Khan", "Brown", "Nowak"] {
            let found = services::patients::search(&w.store, who, query)
                .await
                .unwrap();
            assert!(found.is_empty(), "{query}: {found:?}");
        }
        let day = services::appointments::day_sessions(&w.store, who, DATE)
            .await
            .unwrap();
        assert!(day.is_empty());
        let e =
            services::patients::page(&w.store, who, &w.ours.patient_ids[0].as_str().into()).await;
        assert!(matches!(e, Err(ServiceError::NotFound)), "{e:?}");
    }
    let gps = services::patients::gps(&w.store, rae).await.unwrap();
    assert_eq!(gps.len(), 1, "only Dr Hart: {gps:?}");

    // The operator sees no practice's work at all.
    let e = services::patients::search(&w.store, &operator, "Smith")
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden), "{e:?}");
    let e = admin::list(&w.store, &operator).await.unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden), "{e:?}");
    let e = services::appointments::day_sessions(&w.store, &operator, DATE)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden), "{e:?}");
    // And nobody else creates practices.
    for who in [&hana, &actor(&w.ours, "admin"), gil] {
        let e = services::practices::create(&w.store, who, &hillside())
            .await
            .unwrap_err();
        assert!(matches!(e, ServiceError::Forbidden), "{e:?}");
        assert!(matches!(
            services::practices::list(&w.store, who).await,
            Err(ServiceError::Forbidden)
        ));
    }
}

#[tokio::test]
async fn bad_practices_are_refused_by_field_and_write_nothing() {
    let w = world().await;
    let ops = services::practices::create_operator(&w.store, "olu.ops", "Olu Operator")
        .await
        .unwrap();
    let operator = sign_in(&w.store, "olu.ops", &ops.password).await;
    let before = everything(&w.store).await.unwrap();

    let bad = NewPracticeForm {
        name: " ".into(),
        ods_code: "12".into(),
        admin_username: "has space".into(),
        ..hillside()
    };
    let e = services::practices::create(&w.store, &operator, &bad)
        .await
        .unwrap_err();
    let ServiceError::Invalid(fields) = &e else {
        panic!("{e:?}")
    };
    let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(named, ["name", "ods_code", "admin_username"], "{fields:?}");

    let taken_name = NewPracticeForm {
        name: w.ours.practice_name.to_uppercase(),
        ..hillside()
    };
    let e = services::practices::create(&w.store, &operator, &taken_name)
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("name"), "{e}");
    let taken_username = NewPracticeForm {
        admin_username: "admin".into(),
        ..hillside()
    };
    let e = services::practices::create(&w.store, &operator, &taken_username)
        .await
        .unwrap_err();
    assert_eq!(
        field(&e).as_deref(),
        Some("admin_username"),
        "usernames are the deployment's: {e}"
    );
    assert_eq!(
        everything(&w.store).await.unwrap(),
        before,
        "nothing written"
    );

    // A practice's admin cannot make anyone an operator.
    let e = admin::add(
        &w.store,
        &actor(&w.ours, "admin"),
        &NewMember {
            name: "Eve".into(),
            username: "eve.x".into(),
            role: "service_admin".into(),
            teams: vec![],
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("role"));
}
