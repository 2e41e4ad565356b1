//! A practice's settings: read by every page that uses them, changed by
//! its admin from the version they read, with an outbox event in the same
//! transaction so open screens apply the change at once.

use crate::tx::{run_with_retry, Retry};
use crate::{PracticeStore, StoreError};
use domain::live::{EventKind, WaitThresholds};
use domain::settings::PracticeSettings;
use surrealdb::types::SurrealValue;

#[derive(SurrealValue)]
struct SettingsRow {
    name: String,
    ods_code: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    wait_amber_minutes: Option<i64>,
    wait_red_minutes: Option<i64>,
    results_overdue_days: Option<i64>,
    call_chime: Option<bool>,
    version: i64,
}

/// Why the settings were not saved.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Changed since they were read; here they are now.
    #[error("changed since they were read")]
    Stale { current: Box<PracticeSettings> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PracticeStore {
    /// The practice's settings; wait thresholds it has never set are
    /// `default_waiting` (the server's).
    pub async fn settings(
        &self,
        default_waiting: WaitThresholds,
    ) -> Result<PracticeSettings, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT name, ods_code, address, phone, wait_amber_minutes, wait_red_minutes,
                        results_overdue_days, call_chime, version
                 FROM type::record('practice', $id)",
            )
            .bind(("id", self.pid()))
            .await?
            .check()?;
        let row: Option<SettingsRow> = res.take(0)?;
        let r = row.ok_or(StoreError::NotFound)?;
        let waiting = match (r.wait_amber_minutes, r.wait_red_minutes) {
            (Some(amber_minutes), Some(red_minutes)) => WaitThresholds {
                amber_minutes,
                red_minutes,
            },
            _ => default_waiting,
        };
        Ok(PracticeSettings {
            name: r.name,
            ods_code: r.ods_code,
            address: r.address,
            phone: r.phone,
            waiting,
            results_overdue_days: r.results_overdue_days.unwrap_or(2),
            call_chime: r.call_chime.unwrap_or(false),
            version: r.version,
        })
    }

    /// Saves `new` if the settings are still at `new.version`; returns them
    /// as saved (at the next version).
    pub async fn save_settings(
        &self,
        new: &PracticeSettings,
        default_waiting: WaitThresholds,
    ) -> Result<PracticeSettings, SettingsError> {
        let outcome = run_with_retry(|| {
            self.db()
                .query(format!(
                    "BEGIN TRANSACTION;
                     LET $row = (SELECT version FROM ONLY $practice);
                     IF $row = NONE {{ THROW 'op:not_found' }};
                     IF $row.version != $version {{ THROW 'op:stale' }};
                     UPDATE $practice SET name = $name, ods_code = $ods, address = $address,
                         phone = $phone, wait_amber_minutes = $amber, wait_red_minutes = $red,
                         results_overdue_days = $overdue, call_chime = $chime, version += 1
                         RETURN NONE;
                     LET $new_version = $version + 1;
                     {}
                     COMMIT TRANSACTION;",
                    crate::live::append("NONE", "NONE")
                ))
                .bind(("practice", self.record()))
                .bind(("version", new.version))
                .bind(("name", new.name.clone()))
                .bind(("ods", new.ods_code.clone()))
                .bind(("address", new.address.clone()))
                .bind(("phone", new.phone.clone()))
                .bind(("amber", new.waiting.amber_minutes))
                .bind(("red", new.waiting.red_minutes))
                .bind(("overdue", new.results_overdue_days))
                .bind(("chime", new.call_chime))
                .bind(("kind", EventKind::Settings.as_str()))
                .bind(("record", self.pid()))
        })
        .await;
        match outcome {
            Ok(()) => Ok(self.settings(default_waiting).await?),
            Err(Retry::Thrown(t)) if t == "op:stale" => Err(SettingsError::Stale {
                current: Box::new(self.settings(default_waiting).await?),
            }),
            Err(Retry::Thrown(t)) if t == "op:not_found" => Err(StoreError::NotFound.into()),
            Err(e) => Err(StoreError::from(e).into()),
        }
    }
}
