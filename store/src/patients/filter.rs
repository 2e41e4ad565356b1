//! Patients by any combination of demographics (the FHIR API's Patient
//! search), with the total and a stable page: the order is total (name,
//! date of birth, then id), so a page read twice is the same page.

use super::RecordRow;
use crate::{PracticeStore, StoreError};
use domain::patient::PatientDetails;
use surrealdb::types::SurrealValue;

/// Every condition present must hold. Strings are already normalised by
/// the caller: names lower case, postcode upper case without spaces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatientFilter {
    pub id: Option<String>,
    /// Ten digits.
    pub nhs_number: Option<String>,
    /// Family name starts with.
    pub family: Option<String>,
    /// Given name starts with.
    pub given: Option<String>,
    /// Family or given name starts with.
    pub name: Option<String>,
    /// Born on or after / on or before (YYYY-MM-DD).
    pub born_from: Option<String>,
    pub born_to: Option<String>,
    /// female, male or unknown.
    pub sex: Option<String>,
    /// Postcode starts with.
    pub postcode: Option<String>,
}

#[derive(SurrealValue)]
struct OrderRow {
    id: String,
    family_name_key: String,
    given_name: String,
    date_of_birth: String,
}

#[derive(SurrealValue)]
struct Count {
    n: i64,
}

impl PracticeStore {
    /// The patients matching `filter`: how many in all, and `count` of
    /// them from `offset` in name order.
    pub async fn filter_patients(
        &self,
        filter: &PatientFilter,
        offset: usize,
        count: usize,
    ) -> Result<(usize, Vec<PatientDetails>), StoreError> {
        // Only the conditions present, so the database can use its
        // indexes; every value is bound, never written into the query.
        let conditions = [
            (filter.id.is_some(), "id = type::record('patient', $id)"),
            (filter.nhs_number.is_some(), "nhs_number = $nhs"),
            (filter.family.is_some(), "string::starts_with(family_name_key, $family)"),
            (
                filter.given.is_some(),
                "string::starts_with(string::lowercase(given_name), $given)",
            ),
            (
                filter.name.is_some(),
                "(string::starts_with(family_name_key, $name) OR string::starts_with(string::lowercase(given_name), $name))",
            ),
            (filter.born_from.is_some(), "date_of_birth >= $from"),
            (filter.born_to.is_some(), "date_of_birth <= $to"),
            (filter.sex.is_some(), "sex = $sex"),
            (
                filter.postcode.is_some(),
                "string::starts_with(string::replace(postcode, ' ', ''), $postcode)",
            ),
        ];
        let mut wheres = String::from("practice = type::record('practice', $practice)");
        for (_, c) in conditions.iter().filter(|(present, _)| *present) {
            wheres.push_str(" AND ");
            wheres.push_str(c);
        }
        let mut res = self
            .db()
            .query(format!(
                "SELECT count() AS n FROM patient WHERE {wheres} GROUP ALL;
                 LET $page = (SELECT id, family_name_key, given_name, date_of_birth FROM patient
                     WHERE {wheres} ORDER BY family_name_key, given_name, date_of_birth, id
                     START $offset LIMIT $count);
                 SELECT {DETAIL_FIELDS} FROM $page.id;"
            ))
            .bind(("practice", self.pid()))
            .bind(("id", filter.id.clone()))
            .bind(("nhs", filter.nhs_number.clone()))
            .bind(("family", filter.family.clone()))
            .bind(("given", filter.given.clone()))
            .bind(("name", filter.name.clone()))
            .bind(("from", filter.born_from.clone()))
            .bind(("to", filter.born_to.clone()))
            .bind(("sex", filter.sex.clone()))
            .bind(("postcode", filter.postcode.clone()))
            .bind(("offset", offset as i64))
            .bind(("count", count as i64))
            .await?
            .check()?;
        let total: Option<Count> = res.take(0)?;
        let rows: Vec<RecordRow> = res.take(2)?;
        let mut page: Vec<PatientDetails> = rows.into_iter().map(PatientDetails::from).collect();
        // The page's own order, as the database chose it.
        page.sort_by(|a, b| {
            (
                a.family_name.to_lowercase(),
                &a.given_name,
                &a.date_of_birth,
                &a.id,
            )
                .cmp(&(
                    b.family_name.to_lowercase(),
                    &b.given_name,
                    &b.date_of_birth,
                    &b.id,
                ))
        });
        Ok((total.map(|c| c.n.max(0) as usize).unwrap_or(0), page))
    }

    /// Every patient's id, in the stable name order (an export's list:
    /// read once, then a page at a time by id, so each page costs its own
    /// patients rather than a sort of the whole practice). Sorted here:
    /// the database's ORDER BY holds every row whole while it sorts.
    pub async fn patient_ids_in_order(&self) -> Result<Vec<String>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, family_name_key, given_name, date_of_birth
                 FROM patient WHERE practice = type::record('practice', $practice)",
            )
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let mut rows: Vec<OrderRow> = res.take(0)?;
        rows.sort_by(|a, b| {
            (&a.family_name_key, &a.given_name, &a.date_of_birth, &a.id).cmp(&(
                &b.family_name_key,
                &b.given_name,
                &b.date_of_birth,
                &b.id,
            ))
        });
        Ok(rows.into_iter().map(|r| r.id).collect())
    }

    /// The patients `ids` of this practice in full, in the order given
    /// (another practice's, or an unknown id, left out).
    pub async fn patients_by_id(&self, ids: &[String]) -> Result<Vec<PatientDetails>, StoreError> {
        let records = super::records_of(ids);
        let mut res = self
            .db()
            .query(format!(
                "SELECT {DETAIL_FIELDS} FROM $records WHERE practice = type::record('practice', $practice)"
            ))
            .bind(("records", records))
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<RecordRow> = res.take(0)?;
        let mut by_id: std::collections::HashMap<String, PatientDetails> = rows
            .into_iter()
            .map(|r| {
                let p = PatientDetails::from(r);
                (p.id.clone(), p)
            })
            .collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }
}

/// A patient's details, as `RecordRow` reads them.
const DETAIL_FIELDS: &str =
    "record::id(id) AS id, version, title, given_name, family_name, date_of_birth,
    sex, gender, address_lines, postcode, phone, email, nhs_number,
    usual_gp.display_name AS usual_gp_name,
    IF usual_gp THEN record::id(usual_gp) END AS usual_gp_id,
    registered_on";
