//! Practices: the tenant every other record belongs to.

use crate::staff::NewAccount;
use crate::tx::{run_with_retry, Retry};
use crate::{PracticeStore, Store, StoreError};
use domain::PracticeId;
use std::collections::HashMap;
use surrealdb::types::SurrealValue;

/// A new practice as the operator's service checked it.
#[derive(Clone, Debug)]
pub struct NewPractice {
    pub name: String,
    pub ods_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// Why a practice was not created (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum CreatePracticeError {
    #[error("a practice has that name")]
    NameTaken,
    #[error("the username is taken")]
    UsernameTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Practice {
    pub id: PracticeId,
    pub name: String,
    pub is_demo: bool,
    /// Set by the practice's admin (settings), when known.
    pub ods_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

#[derive(SurrealValue)]
struct PracticeRow {
    id: String,
    name: String,
    is_demo: bool,
    ods_code: Option<String>,
    address: Option<String>,
    phone: Option<String>,
}

impl From<PracticeRow> for Practice {
    fn from(r: PracticeRow) -> Self {
        Self {
            id: PracticeId::new(r.id),
            name: r.name,
            is_demo: r.is_demo,
            ods_code: r.ods_code,
            address: r.address,
            phone: r.phone,
        }
    }
}

const FIELDS: &str = "record::id(id) AS id, name, is_demo, ods_code, address, phone";

impl Store {
    pub async fn create_practice(&self, name: &str, is_demo: bool) -> Result<Practice, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "CREATE practice CONTENT {{ name: $name, is_demo: $demo }} RETURN {FIELDS}"
            ))
            .bind(("name", name.to_string()))
            .bind(("demo", is_demo))
            .await?
            .check()?;
        let row: Option<PracticeRow> = res.take(0)?;
        row.map(Into::into).ok_or(StoreError::NotFound)
    }

    /// The deployment's practices (not the operators' own), by name.
    pub async fn practices(&self) -> Result<Vec<Practice>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM practice WHERE operators != true ORDER BY name"
            ))
            .await?
            .check()?;
        let rows: Vec<PracticeRow> = res.take(0)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn demo_practice(&self) -> Result<Option<Practice>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM practice WHERE is_demo = true LIMIT 1"
            ))
            .await?
            .check()?;
        let row: Option<PracticeRow> = res.take(0)?;
        Ok(row.map(Into::into))
    }
}

impl Store {
    /// Creates a practice and its first admin (a one-time password, to be
    /// changed at first sign-in) in one transaction: a practice name or a
    /// username already in the deployment and nothing is written.
    pub async fn create_practice_with_admin(
        &self,
        new: &NewPractice,
        admin: NewAccount<'_>,
    ) -> Result<Practice, CreatePracticeError> {
        let outcome = run_with_retry(|| {
            self.db()
                .query(
                    "BEGIN TRANSACTION;
                     IF array::len(SELECT id FROM practice WHERE string::lowercase(name) = string::lowercase($name)) > 0 {
                         THROW 'op:name_taken'
                     };
                     LET $p = (CREATE ONLY practice CONTENT {
                         name: $name, ods_code: $ods, address: $address, phone: $phone
                     } RETURN VALUE id);
                     CREATE staff CONTENT {
                         practice: $p, username: $username, display_name: $admin_name,
                         role: 'admin', password_hash: $hash, must_change_password: true
                     } RETURN NONE;
                     COMMIT TRANSACTION;",
                )
                .bind(("name", new.name.clone()))
                .bind(("ods", new.ods_code.clone()))
                .bind(("address", new.address.clone()))
                .bind(("phone", new.phone.clone()))
                .bind(("username", admin.username.as_str().to_string()))
                .bind(("admin_name", admin.display_name.to_string()))
                .bind(("hash", admin.password_hash.clone()))
        })
        .await;
        match outcome {
            Ok(()) => {}
            Err(Retry::Thrown(t)) if t == "op:name_taken" => {
                return Err(CreatePracticeError::NameTaken)
            }
            Err(Retry::AlreadyExists) => return Err(CreatePracticeError::UsernameTaken),
            Err(e) => return Err(StoreError::from(e).into()),
        }
        self.practices()
            .await?
            .into_iter()
            .find(|p| p.name == new.name)
            .ok_or(CreatePracticeError::Store(StoreError::NotFound))
    }

    /// The operators' own practice (holding only `service_admin` accounts),
    /// made the first time it is needed.
    pub async fn operators_practice(&self) -> Result<PracticeId, StoreError> {
        let mut res = self
            .db()
            .query("SELECT VALUE record::id(id) FROM practice WHERE operators = true LIMIT 1")
            .await?
            .check()?;
        let found: Option<String> = res.take(0)?;
        if let Some(id) = found {
            return Ok(PracticeId::new(id));
        }
        let mut res = self
            .db()
            .query(
                "CREATE ONLY practice CONTENT { name: 'Service operators', operators: true }
                 RETURN VALUE record::id(id)",
            )
            .await?
            .check()?;
        let id: Option<String> = res.take(0)?;
        id.map(PracticeId::new).ok_or(StoreError::NotFound)
    }

    /// How many active staff each practice has: the operator's view, with
    /// nothing about patients.
    pub async fn staff_counts(&self) -> Result<HashMap<String, i64>, StoreError> {
        #[derive(SurrealValue)]
        struct Count {
            practice: String,
            n: i64,
        }
        let mut res = self
            .db()
            .query(
                "SELECT record::id(practice) AS practice, count() AS n FROM staff
                 WHERE active = true GROUP BY practice",
            )
            .await?
            .check()?;
        let rows: Vec<Count> = res.take(0)?;
        Ok(rows.into_iter().map(|c| (c.practice, c.n)).collect())
    }
}

impl PracticeStore {
    /// The practice itself: its name and whether it is the demo.
    pub async fn info(&self) -> Result<Practice, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM type::record('practice', $id)"
            ))
            .bind(("id", self.pid()))
            .await?
            .check()?;
        let row: Option<PracticeRow> = res.take(0)?;
        row.map(Into::into).ok_or(StoreError::NotFound)
    }
}
