use super::*;
use crate::NhsNumber;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A patient's demographics as the patient page and banner show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientDetails {
    pub id: String,
    pub version: i64,
    pub title: Option<String>,
    pub given_name: String,
    pub family_name: String,
    /// YYYY-MM-DD.
    pub date_of_birth: String,
    pub sex: String,
    pub gender: Option<String>,
    pub address_lines: Vec<String>,
    pub postcode: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Ten digits.
    pub nhs_number: String,
    pub usual_gp_name: Option<String>,
    /// Staff id of the usual GP.
    #[serde(default)]
    pub usual_gp_id: Option<String>,
    pub registered_on: String,
}

impl PatientForm {
    /// The form filled with a patient's details as they stand, for editing
    /// (dates as a UK practice writes them).
    pub fn from_details(p: &PatientDetails) -> Self {
        let uk = |iso: &str| {
            NaiveDate::parse_from_str(iso, "%Y-%m-%d")
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_else(|_| iso.to_string())
        };
        PatientForm {
            title: p.title.clone().unwrap_or_default(),
            given_name: p.given_name.clone(),
            family_name: p.family_name.clone(),
            date_of_birth: uk(&p.date_of_birth),
            sex: p.sex.clone(),
            gender: p.gender.clone().unwrap_or_default(),
            address: p.address_lines.join("\n"),
            postcode: p.postcode.clone(),
            phone: p.phone.clone().unwrap_or_default(),
            email: p.email.clone().unwrap_or_default(),
            nhs_number: p.nhs_number.clone(),
            usual_gp: p.usual_gp_id.clone().unwrap_or_default(),
            registered_on: uk(&p.registered_on),
        }
    }
}

impl PatientDetails {
    /// "Mrs Jane SMITH".
    pub fn display_name(&self) -> String {
        crate::book::patient_display_name(
            self.title.as_deref(),
            &self.given_name,
            &self.family_name,
        )
    }

    /// "943 476 5919".
    pub fn nhs_display(&self) -> String {
        NhsNumber::parse(&self.nhs_number)
            .map(|n| n.to_string())
            .unwrap_or_else(|_| self.nhs_number.clone())
    }

    /// "Female", or the recorded gender where it differs.
    pub fn gender_text(&self) -> String {
        let sex = match self.sex.as_str() {
            "female" => "Female",
            "male" => "Male",
            _ => "Not known",
        };
        match &self.gender {
            Some(g) if !g.eq_ignore_ascii_case(sex) => format!("{sex} (gender: {g})"),
            _ => sex.to_string(),
        }
    }
}

/// "3 Apr 1961 (65 years)" from YYYY-MM-DD, age on `today`.
pub fn birth_and_age(dob: &str, today: NaiveDate) -> String {
    use chrono::Datelike;
    let Some(d) = crate::time::iso_date(dob) else {
        return dob.to_string();
    };
    let mut age = today.year() - d.year();
    if (today.month(), today.day()) < (d.month(), d.day()) {
        age -= 1;
    }
    format!("{} ({age} years)", d.format("%-d %b %Y"))
}

/// One access to a record, as the audit page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub staff_name: String,
    pub role: String,
    pub action: String,
    pub patient_id: Option<String>,
    pub patient_name: Option<String>,
    pub address: Option<String>,
    pub outcome: String,
}

/// What the patient page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatientPageData {
    pub patient: PatientDetails,
    /// Who has accessed this record (only for roles that read the audit).
    pub accesses: Option<Vec<AccessEntry>>,
    /// The clinical record, each part only if the role may see it.
    pub summary: crate::record::RecordSummary,
    /// The practice's outbox `seq` read before any of this: every later
    /// change to the record comes live with a higher one.
    #[serde(default)]
    pub seq: u64,
}
