//! Finding a patient: by NHS number, date of birth, postcode or name.

use crate::{PracticeStore, StoreError};
use domain::book::PatientHit;
use surrealdb::types::{RecordId, SurrealValue};

#[derive(SurrealValue)]
pub(crate) struct PatientRow {
    id: String,
    title: Option<String>,
    given_name: String,
    family_name: String,
    date_of_birth: String,
    nhs_number: String,
    address_lines: Vec<String>,
    postcode: String,
}

impl From<PatientRow> for PatientHit {
    fn from(r: PatientRow) -> Self {
        PatientHit {
            id: r.id,
            title: r.title,
            given_name: r.given_name,
            family_name: r.family_name,
            date_of_birth: r.date_of_birth,
            nhs_number: r.nhs_number,
            address_lines: r.address_lines,
            postcode: r.postcode,
        }
    }
}

/// How a search term is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatientQuery {
    NhsNumber(String),
    DateOfBirth(String),
    /// A full postcode ("RG1 4AB") or its outward part ("RG1").
    Postcode(String),
    /// Family-name prefix (lower case) and optional given-name prefix.
    Name {
        family: String,
        given: Option<String>,
    },
}

impl PatientQuery {
    /// "943 476 5919" → NHS number; "03/04/1987", "3 Apr 1987" or
    /// "1987-04-03" → date of birth; "RG1 4AB" or "rg1" → postcode (a name
    /// has no digits); otherwise "smith" or "smith, john" / "smith john" →
    /// name.
    pub fn parse(input: &str) -> Option<PatientQuery> {
        let t = input.trim();
        if t.is_empty() {
            return None;
        }
        let digits: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 10 && digits.chars().all(|c| c.is_ascii_digit()) {
            return Some(PatientQuery::NhsNumber(digits));
        }
        if let Some(d) = domain::patient::parse_uk_date(t) {
            return Some(PatientQuery::DateOfBirth(d.to_string()));
        }
        if t.chars().any(|c| c.is_ascii_digit()) {
            if let Ok(p) = domain::Postcode::parse(t) {
                return Some(PatientQuery::Postcode(p.as_str().to_string()));
            }
            let outward = digits.to_uppercase();
            let shape_ok = (2..=4).contains(&outward.len())
                && outward.chars().all(|c| c.is_ascii_alphanumeric())
                && outward
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic());
            return shape_ok.then(|| PatientQuery::Postcode(format!("{outward} ")));
        }
        let mut parts = t
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty());
        let family = parts.next()?.to_lowercase();
        let given = parts.next().map(str::to_lowercase);
        Some(PatientQuery::Name { family, given })
    }
}

impl PracticeStore {
    /// Whether `id` is a patient of the practice.
    pub async fn patient_in_practice(&self, id: &str) -> Result<bool, StoreError> {
        let mut res = self
            .db()
            .query("SELECT VALUE practice FROM ONLY type::record('patient', $id)")
            .bind(("id", id.to_string()))
            .await?
            .check()?;
        let practice: Option<RecordId> = res.take(0)?;
        Ok(practice == Some(self.record()))
    }

    /// Which of `ids` are patients of this practice.
    pub async fn patients_in_practice(&self, ids: &[String]) -> Result<Vec<String>, StoreError> {
        let records = super::records_of(ids);
        let mut res = self
            .db()
            .query("SELECT VALUE record::id(id) FROM $records WHERE practice = $practice")
            .bind(("records", records))
            .bind(("practice", self.record()))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// One patient of the practice, as search results show them.
    pub async fn patient_brief(&self, id: &str) -> Result<Option<PatientHit>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, title, given_name, family_name, date_of_birth, nhs_number, address_lines, postcode
                 FROM type::record('patient', $id) WHERE practice = type::record('practice', $practice)",
            )
            .bind(("id", id.to_string()))
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<PatientRow> = res.take(0)?;
        Ok(rows.into_iter().next().map(PatientHit::from))
    }

    /// Patients of the practice matching a search, at most `limit`.
    pub async fn find_patients(
        &self,
        query: &PatientQuery,
        limit: usize,
    ) -> Result<Vec<PatientHit>, StoreError> {
        const FIELDS: &str = "record::id(id) AS id, title, given_name, family_name, date_of_birth, nhs_number, address_lines, postcode";
        let (filter, a, b) = match query {
            PatientQuery::NhsNumber(n) => ("nhs_number = $a", n.clone(), String::new()),
            PatientQuery::DateOfBirth(d) => ("date_of_birth = $a", d.clone(), String::new()),
            // A full postcode matches exactly; "RG1 " (the outward part and
            // a space) matches every postcode in that district.
            PatientQuery::Postcode(p) if !p.ends_with(' ') => {
                ("postcode = $a", p.clone(), String::new())
            }
            PatientQuery::Postcode(p) => (
                "postcode_outward = $a",
                p.trim_end().to_string(),
                String::new(),
            ),
            PatientQuery::Name { family, given } => {
                return self
                    .find_by_name(family, given.as_deref().unwrap_or_default(), limit)
                    .await;
            }
        };
        let mut res = self
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM patient
                 WHERE practice = type::record('practice', $practice) AND {filter}
                 ORDER BY family_name, given_name, date_of_birth LIMIT $limit"
            ))
            .bind(("practice", self.pid()))
            .bind(("prefix", a.chars().take(3).collect::<String>()))
            .bind(("a", a))
            .bind(("b", b))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        let rows: Vec<PatientRow> = res.take(0)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Patients whose family name starts with `family` (and given name
    /// with `given`), in name order: a bounded range over `patient_name`,
    /// whose record ids are (practice, family, given, date of birth,
    /// patient) and which a database event keeps in step with `patient`.
    /// Reads only the rows it returns, however common the name.
    async fn find_by_name(
        &self,
        family: &str,
        given: &str,
        limit: usize,
    ) -> Result<Vec<PatientHit>, StoreError> {
        const FIELDS: &str = "record::id(id) AS id, title, given_name, family_name, date_of_birth, nhs_number, address_lines, postcode";
        let mut res = self
            .db()
            .query(format!(
                "LET $ids = (SELECT VALUE patient FROM patient_name:[$p, $a]..[$p, $a_end]
                    WHERE $b = '' OR string::starts_with(record::id(id)[2], $b) LIMIT $limit);
                 SELECT {FIELDS} FROM $ids WHERE practice = type::record('practice', $p);"
            ))
            .bind(("p", self.pid()))
            .bind(("a", family.to_string()))
            .bind(("a_end", format!("{family}\u{10ffff}")))
            .bind(("b", given.to_string()))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        let rows: Vec<PatientRow> = res.take(1)?;
        let mut hits: Vec<PatientHit> = rows.into_iter().map(Into::into).collect();
        hits.sort_by(|x, y| {
            (
                x.family_name.to_lowercase(),
                x.given_name.to_lowercase(),
                &x.date_of_birth,
            )
                .cmp(&(
                    y.family_name.to_lowercase(),
                    y.given_name.to_lowercase(),
                    &y.date_of_birth,
                ))
        });
        Ok(hits)
    }

    /// How many patients the practice has.
    pub async fn patient_count(&self) -> Result<usize, StoreError> {
        let mut res = self
            .db()
            .query("SELECT VALUE count() FROM patient WHERE practice = type::record('practice', $p) GROUP ALL")
            .bind(("p", self.pid()))
            .await?
            .check()?;
        let n: Option<i64> = res.take(0)?;
        Ok(n.unwrap_or(0).max(0) as usize)
    }

    /// Up to `n` patients spread through the practice (benchmark samples).
    pub async fn sample_patients(
        &self,
        n: usize,
    ) -> Result<Vec<domain::book::PatientHit>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, title, given_name, family_name, date_of_birth, nhs_number, address_lines, postcode
                 FROM patient WHERE practice = type::record('practice', $p) ORDER BY rand() LIMIT $n",
            )
            .bind(("p", self.pid()))
            .bind(("n", n as i64))
            .await?
            .check()?;
        let rows: Vec<PatientRow> = res.take(0)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
