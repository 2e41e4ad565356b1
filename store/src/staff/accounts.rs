//! Staff accounts as the practice's admin runs them: the list, a new
//! account (with its teams), a change of name or role, deactivation and
//! reactivation, and a password reset. Every change is versioned (two
//! admins editing one person: the second is told), and whatever ends a
//! person's access (deactivation, a reset) ends their sessions and writes
//! an outbox event in the same transaction, so every server closes their
//! open sockets when it sees it.

use crate::tx::{run_with_retry, Retry};
use crate::{PracticeStore, StoreError};
use chrono::{DateTime, Utc};
use domain::live::EventKind;
use domain::{Role, StaffId, Username};
use surrealdb::types::{RecordId, SurrealValue};

/// A member of staff as the admin list shows them.
#[derive(Clone, Debug, PartialEq, Eq, SurrealValue)]
pub struct AccountRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub version: i64,
    pub must_change_password: bool,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

/// A new account, its teams and its (hashed) one-time password.
pub struct NewAccount<'a> {
    pub username: &'a Username,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: String,
    pub teams: &'a [String],
}

/// What an admin changes about an account.
pub enum AccountChange {
    Details {
        name: String,
        role: Role,
    },
    Active(bool),
    /// A new one-time password's hash: chosen again at next sign-in.
    Reset {
        hash: String,
    },
}

/// Why an account change did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("not found")]
    NotFound,
    /// Changed since `expected` was read; here it is now.
    #[error("changed since it was read")]
    Stale { current: Box<AccountRow> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

const ACCOUNT_FIELDS: &str = "record::id(id) AS id, username, display_name, role, active, version,
    must_change_password ?? false AS must_change_password, last_sign_in_at";

impl PracticeStore {
    /// The practice's staff, active first, by name.
    pub async fn accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {ACCOUNT_FIELDS} FROM staff
                 WHERE practice = type::record('practice', $practice)"
            ))
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let mut rows: Vec<AccountRow> = res.take(0)?;
        rows.sort_by_cached_key(|r| (!r.active, r.display_name.to_lowercase(), r.id.clone()));
        Ok(rows)
    }

    /// One account of this practice.
    pub async fn account_row(&self, id: &str) -> Result<Option<AccountRow>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {ACCOUNT_FIELDS} FROM type::record('staff', $id)
                 WHERE practice = type::record('practice', $practice)"
            ))
            .bind(("id", id.to_string()))
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<AccountRow> = res.take(0)?;
        Ok(rows.into_iter().next())
    }

    /// Creates an account that must choose its password at first sign-in,
    /// with its team memberships, in one transaction: a taken username is
    /// `AlreadyExists`, another practice's team `NotFound`, and either
    /// writes nothing.
    pub async fn create_account(&self, new: NewAccount<'_>) -> Result<StaffId, StoreError> {
        let outcome = run_with_retry(|| {
            self.db()
                .query(
                    "BEGIN TRANSACTION;
                     LET $teams = (SELECT VALUE id FROM team WHERE practice = $practice
                         AND record::id(id) IN $team_ids);
                     IF array::len($teams) != array::len(array::distinct($team_ids)) { THROW 'op:not_found' };
                     LET $staff = (CREATE ONLY staff CONTENT {
                         practice: $practice, username: $username, display_name: $name,
                         role: $role, password_hash: $hash, must_change_password: true
                     } RETURN VALUE id);
                     FOR $t IN $teams { CREATE team_member CONTENT { team: $t, staff: $staff } RETURN NONE; };
                     COMMIT TRANSACTION;",
                )
                .bind(("practice", self.record()))
                .bind(("team_ids", new.teams.to_vec()))
                .bind(("username", new.username.as_str().to_string()))
                .bind(("name", new.display_name.to_string()))
                .bind(("role", new.role.as_str().to_string()))
                .bind(("hash", new.password_hash.clone()))
        })
        .await;
        match outcome {
            Ok(()) => {}
            Err(Retry::Thrown(t)) if t == "op:not_found" => return Err(StoreError::NotFound),
            Err(Retry::AlreadyExists) => return Err(StoreError::AlreadyExists),
            Err(e) => return Err(e.into()),
        }
        let mut res = self
            .db()
            .query("SELECT VALUE record::id(id) FROM staff WHERE username = $username")
            .bind(("username", new.username.as_str().to_string()))
            .await?
            .check()?;
        let id: Option<String> = res.take(0)?;
        id.map(StaffId::new).ok_or(StoreError::NotFound)
    }

    /// Applies `change` to account `id` if it is still at `expected`
    /// version. Deactivating or resetting ends every session of theirs and
    /// tells every server (an outbox event) to close their sockets.
    pub async fn change_account(
        &self,
        id: &str,
        expected: i64,
        change: AccountChange,
        by: &StaffId,
    ) -> Result<AccountRow, AccountError> {
        let (set, ends) = match &change {
            AccountChange::Details { .. } => ("display_name = $name, role = $role", false),
            AccountChange::Active(true) => ("active = true", false),
            AccountChange::Active(false) => ("active = false", true),
            AccountChange::Reset { .. } => {
                ("password_hash = $hash, must_change_password = true", true)
            }
        };
        let end_sessions = if ends {
            format!(
                "DELETE session WHERE staff = $staff;
                 LET $new_version = $row.version + 1;
                 {}",
                crate::live::append("NONE", "NONE")
            )
        } else {
            String::new()
        };
        let script = format!(
            "BEGIN TRANSACTION;
             LET $row = (SELECT practice, version FROM ONLY $staff);
             IF $row = NONE OR $row.practice != $practice {{ THROW 'op:not_found' }};
             IF $row.version != $version {{ THROW 'op:stale' }};
             UPDATE $staff SET {set}, version += 1, updated_at = time::now(),
                 updated_by = $by RETURN NONE;
             {end_sessions}
             COMMIT TRANSACTION;"
        );
        let (name, role, hash) = match change {
            AccountChange::Details { name, role } => (name, role.as_str(), String::new()),
            AccountChange::Reset { hash } => (String::new(), "", hash),
            AccountChange::Active(_) => (String::new(), "", String::new()),
        };
        let outcome = run_with_retry(|| {
            self.db()
                .query(script.as_str())
                .bind(("staff", RecordId::new("staff", id)))
                .bind(("practice", self.record()))
                .bind(("version", expected))
                .bind(("by", RecordId::new("staff", by.as_str())))
                .bind(("name", name.clone()))
                .bind(("role", role.to_string()))
                .bind(("hash", hash.clone()))
                .bind(("kind", EventKind::StaffSignedOut.as_str()))
                .bind(("record", id.to_string()))
        })
        .await;
        let current = || async { self.account_row(id).await?.ok_or(AccountError::NotFound) };
        match outcome {
            Ok(()) => current().await,
            Err(Retry::Thrown(t)) if t == "op:not_found" => Err(AccountError::NotFound),
            Err(Retry::Thrown(t)) if t == "op:stale" => Err(AccountError::Stale {
                current: Box::new(current().await?),
            }),
            Err(e) => Err(AccountError::Store(e.into())),
        }
    }

    /// Notes a successful sign-in (the admin list's "last signed in").
    pub async fn record_sign_in(&self, staff: &StaffId) -> Result<(), StoreError> {
        self.db()
            .query("UPDATE type::record('staff', $staff) SET last_sign_in_at = time::now() RETURN NONE")
            .bind(("staff", staff.as_str().to_string()))
            .await?
            .check()?;
        Ok(())
    }
}
