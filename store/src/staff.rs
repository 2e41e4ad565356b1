//! Staff accounts and their password hashes (argon2id). A hash never leaves
//! this crate's `SignInAccount`, which only the sign-in service sees.

use crate::{Store, StoreError};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use domain::{Role, Username};
use surrealdb::types::SurrealValue;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staff {
    pub id: String,
    pub practice_id: String,
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
                id: r.id,
                practice_id: r.practice,
                display_name: r.display_name,
                active: r.active,
            },
            password_hash: r.password_hash,
        })
    }
}

const FIELDS: &str = "record::id(id) AS id, record::id(practice) AS practice, username, display_name, role, active, password_hash";

pub struct NewStaff<'a> {
    pub practice_id: &'a str,
    pub username: &'a Username,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: String,
}

/// argon2id with the crate's defaults (OWASP's recommended parameters).
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Internal(format!("password hashing failed: {e}")))
}

/// Constant-work verification; a malformed stored hash verifies as false.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

impl Store {
    /// Creates a staff account; a taken username is `AlreadyExists`.
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
            .bind(("practice", new.practice_id.to_string()))
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
        let username = Username::parse("dr.khan").unwrap();
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let staff = store
            .create_staff(NewStaff {
                practice_id: &practice.id,
                username: &username,
                display_name: "Dr A. Khan",
                role: Role::Gp,
                password_hash: hash.clone(),
            })
            .await
            .unwrap();
        assert_eq!(staff.role, Role::Gp);
        let again = store
            .create_staff(NewStaff {
                practice_id: &practice.id,
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
