//! Practices: the tenant every other record belongs to.

use crate::{PracticeStore, Store, StoreError};
use domain::PracticeId;
use surrealdb::types::SurrealValue;

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

    pub async fn practices(&self) -> Result<Vec<Practice>, StoreError> {
        let mut res = self
            .db()
            .query(format!("SELECT {FIELDS} FROM practice ORDER BY name"))
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
