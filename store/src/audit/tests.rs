use super::*;
use crate::auth::passwords::hash_password;
use crate::fixtures::small_practice;

fn entry(p: &crate::fixtures::SmallPractice, action: &str) -> AuditEntry {
    AuditEntry {
        staff_id: Some(p.staff_id("gp").to_string()),
        role: Some("gp".into()),
        action: action.into(),
        patient_id: Some(p.patient_ids[0].clone()),
        address: Some("10.0.0.1".into()),
        outcome: Outcome::Allowed,
    }
}

async fn setup() -> (Store, crate::fixtures::SmallPractice) {
    let store = Store::memory().await.unwrap();
    let hash = hash_password("a long test password").unwrap();
    let p = small_practice(&store, "Test Surgery", "", &hash, "2026-11-21")
        .await
        .unwrap();
    (store, p)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_entries_form_one_chain_that_verifies() {
    let (store, p) = setup().await;
    let store = std::sync::Arc::new(store);
    let writers: Vec<_> = (0..20)
        .map(|i| {
            let (db, e) = (p.db(&store), entry(&p, &format!("viewed the record {i}")));
            tokio::spawn(async move { db.audit(&e).await })
        })
        .collect();
    for w in writers {
        w.await.unwrap().unwrap();
    }
    assert_eq!(store.verify_audit().await.unwrap(), Ok(20));
    let rows = p
        .db(&store)
        .audit_rows(&Default::default(), 100)
        .await
        .unwrap();
    assert_eq!(rows.len(), 20);
    assert_eq!(rows[0].seq, 20, "newest first");
    assert_eq!(rows[0].staff_name.as_deref(), Some("Dr Ann Carter"));
}

/// A caller that gives up while its batch is being written (its request
/// dropped) loses no one else's entry, and the chain still verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_that_give_up_mid_write_lose_no_one_else_s_entry() {
    let (store, p) = setup().await;
    let mut kept = Vec::new();
    for round in 0..5 {
        let writers: Vec<_> = (0..12)
            .map(|i| {
                let (db, e) = (p.db(&store), entry(&p, &format!("viewed {round}.{i}")));
                tokio::spawn(async move { db.audit(&e).await })
            })
            .collect();
        tokio::task::yield_now().await;
        for (i, w) in writers.into_iter().enumerate() {
            if i % 3 == 0 {
                w.abort();
            } else {
                kept.push(w);
            }
        }
    }
    let waited = kept.len() as i64;
    for w in kept {
        w.await.unwrap().unwrap();
    }
    let n = store.verify_audit().await.unwrap().unwrap();
    assert!(
        (waited..=60).contains(&n),
        "every entry whose caller waited is there ({waited} of {n})"
    );
    let rows = p
        .db(&store)
        .audit_rows(&Default::default(), 100)
        .await
        .unwrap();
    for round in 0..5 {
        for i in (0..12).filter(|i| i % 3 != 0) {
            let action = format!("viewed {round}.{i}");
            assert!(rows.iter().any(|r| r.action == action), "{action}");
        }
    }
}

#[tokio::test]
async fn the_database_refuses_changes_and_deletions() {
    let (store, p) = setup().await;
    p.db(&store)
        .audit(&entry(&p, "viewed the record"))
        .await
        .unwrap();
    for attempt in [
        "UPDATE audit_event SET outcome = 'refused'",
        "DELETE audit_event",
    ] {
        let mut res = store.db().query(attempt).await.unwrap();
        let errors = res.take_errors();
        assert!(!errors.is_empty(), "{attempt} was allowed");
    }
    assert_eq!(store.verify_audit().await.unwrap(), Ok(1));
}

/// Five entries, then someone with root access removes the guard and
/// runs `sql`; what verification says (against `recorded` if given).
async fn after_tampering(sql: &str) -> Result<i64, ChainBreak> {
    let (store, _) = five_entries().await;
    tamper(&store, sql).await;
    store.verify_audit().await.unwrap()
}

async fn five_entries() -> (Store, crate::fixtures::SmallPractice) {
    let (store, p) = setup().await;
    for i in 0..5 {
        p.db(&store)
            .audit(&entry(&p, &format!("viewed the record {i}")))
            .await
            .unwrap();
    }
    (store, p)
}

async fn tamper(store: &Store, sql: &str) {
    store
        .db()
        .query(format!(
            "REMOVE EVENT IF EXISTS audit_append_only ON audit_event; {sql}"
        ))
        .await
        .unwrap()
        .check()
        .unwrap();
}

#[tokio::test]
async fn tampering_by_someone_with_database_access_is_found() {
    // An edited row.
    assert_eq!(
        after_tampering("UPDATE audit_event SET action = 'nothing to see' WHERE seq = 3").await,
        Err(ChainBreak::Altered { seq: 3 })
    );
    // A deleted one.
    assert_eq!(
        after_tampering("DELETE audit_event WHERE seq = 2").await,
        Err(ChainBreak::Unlinked { seq: 3 })
    );
    // The latest ones deleted.
    assert_eq!(
        after_tampering("DELETE audit_event WHERE seq > 3").await,
        Err(ChainBreak::Truncated {
            expected_last: 5,
            found_last: 3
        })
    );
    // The head removed, with or without the rows after it.
    assert_eq!(
        after_tampering("DELETE audit_head:chain").await,
        Err(ChainBreak::HeadMissing { found_last: 5 })
    );
    assert_eq!(
        after_tampering("DELETE audit_event WHERE seq > 3; DELETE audit_head:chain").await,
        Err(ChainBreak::HeadMissing { found_last: 3 })
    );
}

/// Someone with database access but not the key edits entry 3 and
/// re-links everything after it with freshly computed hashes: what
/// plain SHA-256 could not catch.
#[tokio::test]
async fn a_chain_rewritten_without_the_key_does_not_verify() {
    for alg in ["NONE", "'hmac-sha256'"] {
        let (store, _) = five_entries().await;
        tamper(
            &store,
            "UPDATE audit_event SET action = 'nothing to see' WHERE seq = 3",
        )
        .await;
        let rows: Vec<AuditRow> = store
            .db()
            .query(format!("SELECT {ROW_FIELDS} FROM audit_event ORDER BY seq"))
            .await
            .unwrap()
            .take(0)
            .unwrap();
        let mut prev = rows[1].hash.clone().unwrap();
        for r in &rows[2..] {
            let at = chrono::DateTime::<Utc>::from(r.at);
            let hash = Linked {
                prev: &prev,
                seq: r.seq,
                at: &at,
                practice: r.practice.as_deref(),
                staff: r.staff.as_deref(),
                role: r.role.as_deref(),
                action: &r.action,
                patient: r.patient.as_deref(),
                address: r.address.as_deref(),
                outcome: &r.outcome,
            }
            .sha256();
            tamper(
                &store,
                &format!(
                    "UPDATE audit_event SET prev_hash = '{prev}', hash = '{hash}', alg = {alg} WHERE seq = {};
                     UPSERT audit_head:chain SET seq = {}, hash = '{hash}';",
                    r.seq, r.seq
                ),
            )
            .await;
            prev = hash;
        }
        let expected = if alg == "NONE" {
            ChainBreak::Unkeyed { seq: 3 }
        } else {
            ChainBreak::Altered { seq: 3 }
        };
        assert_eq!(store.verify_audit().await.unwrap(), Err(expected), "{alg}");
    }
}

/// The newest entries removed and the head reset to the last one left:
/// consistent inside the database, found against the head the log
/// printed.
#[tokio::test]
async fn a_cut_with_the_head_reset_is_found_against_the_recorded_head() {
    let (store, p) = five_entries().await;
    let recorded = store.audit_head().await.unwrap().unwrap();
    assert_eq!(recorded.seq, 5);
    assert_eq!(
        store.verify_audit_against(Some(&recorded)).await.unwrap(),
        Ok(5)
    );
    let wrong = RecordedHead {
        seq: 4,
        hash: "0".repeat(64),
    };
    assert_eq!(
        store.verify_audit_against(Some(&wrong)).await.unwrap(),
        Err(ChainBreak::NotTheRecordedHead { seq: 4 })
    );
    tamper(
        &store,
        "DELETE audit_event WHERE seq > 3;
         UPSERT audit_head:chain SET seq = 3, hash = (SELECT VALUE hash FROM ONLY audit_event WHERE seq = 3 LIMIT 1);",
    )
    .await;
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Ok(3),
        "consistent inside"
    );
    assert_eq!(
        store.verify_audit_against(Some(&recorded)).await.unwrap(),
        Err(ChainBreak::Truncated {
            expected_last: 5,
            found_last: 3
        })
    );
    // Writing goes on from the cut, and the log's head still finds it.
    p.db(&store)
        .audit(&entry(&p, "viewed the record"))
        .await
        .unwrap();
    assert!(store
        .verify_audit_against(Some(&recorded))
        .await
        .unwrap()
        .is_err());
    assert!("5:abc".parse::<RecordedHead>().is_err());
    assert_eq!(
        format!("5:{}", recorded.hash)
            .parse::<RecordedHead>()
            .unwrap(),
        recorded
    );
}

/// The key lives beside the data directory: made on first start,
/// needed ever after; another key does not verify the chain.
#[tokio::test]
async fn the_key_file_is_made_once_and_needed_after() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("db");
    let key_file = key_file_beside(&data);
    let options = crate::ConnectOptions {
        target: crate::DbTarget::Embedded(data.clone()),
        audit_key: crate::AuditKeySource::File {
            path: key_file.clone(),
            create: true,
        },
        ..crate::ConnectOptions::memory()
    };
    let store = Store::open(&options).await.unwrap();
    let pid = store.create_practice("Keyed Surgery", false).await.unwrap();
    store
        .practice(&pid.id)
        .audit(&AuditEntry {
            staff_id: None,
            role: None,
            action: "signed in".into(),
            patient_id: None,
            address: None,
            outcome: Outcome::Allowed,
        })
        .await
        .unwrap();
    assert!(store.close(std::time::Duration::from_secs(10)).await);
    assert!(key_file.exists());

    // Reopened with its key: intact.
    let store = Store::open(&options).await.unwrap();
    assert_eq!(store.verify_audit().await.unwrap(), Ok(1));
    assert!(store.close(std::time::Duration::from_secs(10)).await);

    // Without it: refused, and no new key is made in its place.
    let saved = std::fs::read(&key_file).unwrap();
    std::fs::remove_file(&key_file).unwrap();
    let err = Store::open(&options).await.unwrap_err().to_string();
    assert!(err.contains("key") && err.contains("missing"), "{err}");
    assert!(!key_file.exists());

    // Another key: the chain does not verify.
    AuditKey::create(&key_file, 1).unwrap();
    let store = Store::open(&options).await.unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Err(ChainBreak::Altered { seq: 1 })
    );
    assert!(store.close(std::time::Duration::from_secs(10)).await);
    std::fs::write(&key_file, saved).unwrap();
}
