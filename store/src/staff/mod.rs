//! Staff accounts: create, count, a member's role, and the practice's
//! staff lists (who a task can go to, who runs clinics). Password hashes
//! are written here and read only by `auth` for a sign-in.

use crate::{PracticeStore, Store, StoreError};
use domain::task::Person;
use domain::{Role, StaffId, Username};
use surrealdb::types::SurrealValue;

mod accounts;

pub use crate::auth::passwords::{hash_password, verify_password};
pub use accounts::{AccountChange, AccountError, AccountRow, NewAccount};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staff {
    pub id: StaffId,
    pub practice_id: domain::PracticeId,
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

/// A staff account with its password hash, for verifying a sign-in.
#[derive(Clone, Debug)]
pub struct SignInAccount {
    pub staff: Staff,
    pub password_hash: String,
}

#[derive(SurrealValue)]
struct StaffRow {
    id: String,
    practice: String,
    username: String,
    display_name: String,
    role: String,
    active: bool,
    password_hash: String,
}

impl TryFrom<StaffRow> for SignInAccount {
    type Error = StoreError;
    fn try_from(r: StaffRow) -> Result<Self, StoreError> {
        let bad =
            |what: &str| StoreError::Internal(format!("staff {} has an invalid {what}", r.id));
        Ok(Self {
            staff: Staff {
                username: Username::parse(&r.username).map_err(|_| bad("username"))?,
                role: r.role.parse().map_err(|_| bad("role"))?,
                id: StaffId::new(r.id),
                practice_id: domain::PracticeId::new(r.practice),
                display_name: r.display_name,
                active: r.active,
            },
            password_hash: r.password_hash,
        })
    }
}

const FIELDS: &str = "record::id(id) AS id, record::id(practice) AS practice, username, display_name, role, active, password_hash";

pub struct NewStaff<'a> {
    pub username: &'a Username,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: String,
}

impl PracticeStore {
    /// Creates a staff account in this practice; a taken username is
    /// `AlreadyExists`.
    pub async fn create_staff(&self, new: NewStaff<'_>) -> Result<Staff, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "CREATE staff CONTENT {{
                    practice: type::record('practice', $practice),
                    username: $username, display_name: $name, role: $role,
                    password_hash: $hash
                }} RETURN {FIELDS}"
            ))
            .bind(("practice", self.pid()))
            .bind(("username", new.username.as_str().to_string()))
            .bind(("name", new.display_name.to_string()))
            .bind(("role", new.role.as_str().to_string()))
            .bind(("hash", new.password_hash))
            .await?
            .check()?;
        let row: Option<StaffRow> = res.take(0)?;
        let account: SignInAccount = row.ok_or(StoreError::NotFound)?.try_into()?;
        Ok(account.staff)
    }

    /// Whether `staff_id` is an active member of this practice, and their role.
    pub async fn staff_role(&self, staff_id: &StaffId) -> Result<Option<Role>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT VALUE role FROM ONLY type::record('staff', $id)
                 WHERE practice = $practice AND active = true",
            )
            .bind(("id", staff_id.as_str().to_string()))
            .bind(("practice", self.record()))
            .await?
            .check()?;
        let role: Option<String> = res.take(0)?;
        Ok(role.and_then(|r| r.parse::<Role>().ok()))
    }

    /// The practice's active staff, by name: who a task can be given to.
    pub async fn practice_staff(&self) -> Result<Vec<Person>, StoreError> {
        #[derive(SurrealValue)]
        struct MemberRow {
            id: String,
            name: String,
            role: String,
        }
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, display_name AS name, role FROM staff
                 WHERE practice = type::record('practice', $practice) AND active != false ORDER BY name",
            )
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<MemberRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| Person {
                id: r.id,
                name: r.name,
                role: r.role,
            })
            .collect())
    }

    /// The practice's active GPs and nurses: (id, name), by name.
    pub async fn clinicians(&self) -> Result<Vec<(String, String)>, StoreError> {
        #[derive(SurrealValue)]
        struct NamedRow {
            id: String,
            name: String,
        }
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, display_name AS name FROM staff
                 WHERE practice = type::record('practice', $practice) AND active = true
                   AND role IN ['gp', 'nurse'] ORDER BY name",
            )
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<NamedRow> = res.take(0)?;
        Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
    }
}

impl PracticeStore {
    /// A member of this practice's account, with its hash (to check their
    /// current password before they change it).
    pub async fn account(&self, staff: &StaffId) -> Result<Option<SignInAccount>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM type::record('staff', $staff)
                 WHERE practice = type::record('practice', $practice)"
            ))
            .bind(("staff", staff.as_str().to_string()))
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let row: Option<StaffRow> = res.take(0)?;
        row.map(TryInto::try_into).transpose()
    }

    /// Sets a member's new password hash (chosen by them: no longer one
    /// they must change) and ends every session of theirs
    /// but `keep` (the session they changed it from), in one transaction.
    pub async fn set_password(
        &self,
        staff: &StaffId,
        hash: String,
        keep: &str,
    ) -> Result<(), StoreError> {
        self.db()
            .query(
                "BEGIN TRANSACTION;
                 UPDATE type::record('staff', $staff) SET password_hash = $hash,
                     must_change_password = false
                     WHERE practice = type::record('practice', $practice) RETURN NONE;
                 DELETE session WHERE staff = type::record('staff', $staff)
                     AND id != type::record('session', $keep);
                 COMMIT TRANSACTION;",
            )
            .bind(("staff", staff.as_str().to_string()))
            .bind(("practice", self.pid()))
            .bind(("hash", hash))
            .bind(("keep", keep.to_string()))
            .await?
            .check()?;
        Ok(())
    }
}

impl Store {
    /// The account a sign-in names, with its hash (any practice: usernames
    /// are unique across the deployment).
    pub async fn sign_in_account(
        &self,
        username: &Username,
    ) -> Result<Option<SignInAccount>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM staff WHERE username = $username LIMIT 1"
            ))
            .bind(("username", username.as_str().to_string()))
            .await?
            .check()?;
        let row: Option<StaffRow> = res.take(0)?;
        row.map(TryInto::try_into).transpose()
    }

    pub async fn staff_count(&self) -> Result<i64, StoreError> {
        let mut res = self
            .db()
            .query("SELECT count() AS n FROM staff GROUP ALL")
            .await?
            .check()?;
        let n: Option<i64> = res.take((0, "n"))?;
        Ok(n.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn usernames_are_unique_and_hashes_verify() {
        let store = Store::memory().await.unwrap();
        let practice = store.create_practice("Test Surgery", false).await.unwrap();
        let db = store.practice(&practice.id);
        let username = Username::parse("dr.khan").unwrap();
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let staff = db
            .create_staff(NewStaff {
                username: &username,
                display_name: "Dr A. Khan",
                role: Role::Gp,
                password_hash: hash.clone(),
            })
            .await
            .unwrap();
        assert_eq!(staff.role, Role::Gp);
        let again = db
            .create_staff(NewStaff {
                username: &username,
                display_name: "Someone else",
                role: Role::Admin,
                password_hash: hash,
            })
            .await;
        assert!(matches!(again, Err(StoreError::AlreadyExists)), "{again:?}");
        let account = store.sign_in_account(&username).await.unwrap().unwrap();
        assert!(verify_password("correct horse", &account.password_hash));
        assert!(!verify_password("wrong", &account.password_hash));
        assert!(!verify_password("x", "not a hash"));
    }
}
