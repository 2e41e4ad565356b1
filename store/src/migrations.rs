//! Ordered schema migrations (`migrations/NNNN_name.surql`), applied at
//! start-up, each in its own transaction together with the row that records
//! it, so a migration is either wholly applied and recorded or not at all.
//! A database recorded at a higher version than this build knows is refused.

use crate::{Store, StoreError};

/// (version, name, SurrealQL). Append only: never edit a released migration.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../migrations/0001_initial.surql"),
    ),
    (
        2,
        "live_appointments",
        include_str!("../migrations/0002_live_appointments.surql"),
    ),
    (
        3,
        "tasks_live",
        include_str!("../migrations/0003_tasks_live.surql"),
    ),
    (
        4,
        "cluster",
        include_str!("../migrations/0004_cluster.surql"),
    ),
    (
        5,
        "audit_chain",
        include_str!("../migrations/0005_audit_chain.surql"),
    ),
    (
        6,
        "postcode_outward",
        include_str!("../migrations/0006_postcode_outward.surql"),
    ),
    (
        7,
        "patient_name_order",
        include_str!("../migrations/0007_patient_name_order.surql"),
    ),
    (
        8,
        "clinical_record",
        include_str!("../migrations/0008_clinical_record.surql"),
    ),
    (
        9,
        "security",
        include_str!("../migrations/0009_security.surql"),
    ),
    (
        10,
        "api_clients",
        include_str!("../migrations/0010_api_clients.surql"),
    ),
    (
        11,
        "client_bookings",
        include_str!("../migrations/0011_client_bookings.surql"),
    ),
    (
        12,
        "imports",
        include_str!("../migrations/0012_imports.surql"),
    ),
    (
        13,
        "tasks_and_imports",
        include_str!("../migrations/0013_tasks_and_imports.surql"),
    ),
    (
        14,
        "staff_accounts",
        include_str!("../migrations/0014_staff_accounts.surql"),
    ),
    (15, "rotas", include_str!("../migrations/0015_rotas.surql")),
    (
        16,
        "practices",
        include_str!("../migrations/0016_practices.surql"),
    ),
    (
        17,
        "results",
        include_str!("../migrations/0017_results.surql"),
    ),
    (
        18,
        "patient_live",
        include_str!("../migrations/0018_patient_live.surql"),
    ),
    (
        19,
        "letters",
        include_str!("../migrations/0019_letters.surql"),
    ),
    (
        20,
        "inbox_order",
        include_str!("../migrations/0020_inbox_order.surql"),
    ),
    (
        21,
        "overdue_order",
        include_str!("../migrations/0021_overdue_order.surql"),
    ),
];

pub fn latest_known() -> i64 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

const BOOTSTRAP: &str = "
    DEFINE TABLE IF NOT EXISTS schema_migration SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS version ON schema_migration TYPE int;
    DEFINE FIELD IF NOT EXISTS name ON schema_migration TYPE string;
    DEFINE FIELD IF NOT EXISTS applied_at ON schema_migration TYPE datetime;
    DEFINE INDEX IF NOT EXISTS schema_migration_version ON schema_migration FIELDS version UNIQUE;
";

/// The highest migration recorded in the database (0 for a new one).
pub async fn current_version(store: &Store) -> Result<i64, StoreError> {
    let mut res = store
        .db()
        .query("SELECT VALUE version FROM schema_migration ORDER BY version DESC LIMIT 1")
        .await?
        .check()?;
    let versions: Vec<i64> = res.take(0)?;
    Ok(versions.first().copied().unwrap_or(0))
}

/// Applies every pending migration; returns how many were applied.
pub async fn migrate(store: &Store) -> Result<usize, StoreError> {
    store.db().query(BOOTSTRAP).await?.check()?;
    let current = current_version(store).await?;
    let known = latest_known();
    if current > known {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known,
        });
    }
    let mut applied = 0;
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        let script = format!(
            "BEGIN TRANSACTION;\n{sql}\n\
             CREATE type::record('schema_migration', $version) CONTENT {{ version: $version, name: $name, applied_at: time::now() }};\n\
             COMMIT TRANSACTION;"
        );
        store
            .db()
            .query(script)
            .bind(("version", *version))
            .bind(("name", name.to_string()))
            .await?
            .check()?;
        tracing::info!(version, name, "applied schema migration");
        applied += 1;
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn migrations_apply_once_and_reapply_is_a_no_op() {
        let store = Store::memory().await.unwrap();
        assert_eq!(current_version(&store).await.unwrap(), latest_known());
        // A second start applies nothing and changes nothing.
        assert_eq!(migrate(&store).await.unwrap(), 0);
        assert_eq!(current_version(&store).await.unwrap(), latest_known());
        let mut res = store
            .db()
            .query("SELECT count() AS n FROM schema_migration GROUP ALL")
            .await
            .unwrap();
        let n: Option<i64> = res.take((0, "n")).unwrap();
        assert_eq!(n, Some(MIGRATIONS.len() as i64));
    }

    #[tokio::test]
    async fn a_database_from_a_newer_version_is_refused_with_a_clear_message() {
        let store = Store::memory().await.unwrap();
        let future = latest_known() + 1;
        store
            .db()
            .query("CREATE type::record('schema_migration', $v) CONTENT { version: $v, name: 'future', applied_at: time::now() }")
            .bind(("v", future))
            .await
            .unwrap()
            .check()
            .unwrap();
        let err = migrate(&store).await.unwrap_err();
        assert!(matches!(err, StoreError::SchemaTooNew { found, .. } if found == future));
        assert!(err.to_string().contains("newer OpenPractice"), "{err}");
    }

    #[tokio::test]
    async fn tables_are_schemafull_and_refuse_unknown_or_mistyped_fields() {
        let store = Store::memory().await.unwrap();
        let res = store
            .db()
            .query("CREATE practice CONTENT { name: 'X', is_demo: 'not a bool' }")
            .await
            .unwrap()
            .check();
        assert!(res.is_err(), "a mistyped field must be refused");
    }
}
