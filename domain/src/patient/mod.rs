//! Registering and editing a patient: every field checked at the boundary,
//! each error named by its field so the form shows it beside the field, and
//! nothing saved while any is wrong. UK dates are read in the forms people
//! type them.

mod details;
#[cfg(test)]
mod tests;

pub use details::*;

use crate::{NhsNumber, Postcode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A date as people type it in the UK: 03/04/1987, 3/4/1987, 3 Apr 1987,
/// 3 April 1987, 1987-04-03 (day before month, never US order).
pub fn parse_uk_date(input: &str) -> Option<NaiveDate> {
    let t = input.trim();
    if t.is_empty() || t.len() > 20 {
        return None;
    }
    for format in [
        "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(t, format) {
            // chrono accepts a 2-digit year for %Y; a date of birth has 4.
            if t.contains(&d.format("%Y").to_string()) {
                return Some(d);
            }
        }
    }
    None
}

/// "Mrs Jane SMITH" etc. come from these; the form's raw fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientForm {
    pub title: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    /// female, male or unknown.
    pub sex: String,
    pub gender: String,
    /// One address line per line.
    pub address: String,
    pub postcode: String,
    pub phone: String,
    pub email: String,
    pub nhs_number: String,
    /// Staff id of a GP of the practice, or empty.
    pub usual_gp: String,
    pub registered_on: String,
}

/// A patient's details after every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidPatient {
    pub title: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: String,
    pub gender: Option<String>,
    pub address_lines: Vec<String>,
    pub postcode: Postcode,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub nhs_number: NhsNumber,
    pub usual_gp: Option<String>,
    pub registered_on: NaiveDate,
}

/// (field, message) for each field that is wrong, in form order.
pub type FieldErrors = Vec<(&'static str, String)>;

fn optional(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn name(field: &'static str, label: &str, s: &str, errors: &mut FieldErrors) -> String {
    let t = s.trim();
    if t.is_empty() {
        errors.push((field, format!("Enter the {label}.")));
    } else if t.chars().count() > 100 {
        errors.push((
            field,
            format!("The {label} must be 100 characters or fewer."),
        ));
    } else if !t
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.'))
    {
        errors.push((
            field,
            format!("The {label} can only contain letters, spaces, hyphens and apostrophes."),
        ));
    }
    t.to_string()
}

impl PatientForm {
    /// Checks every field against `today` (London); all errors at once.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidPatient, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = optional(&self.title);
        if title.as_ref().is_some_and(|t| t.chars().count() > 20) {
            errors.push(("title", "The title must be 20 characters or fewer.".into()));
        }
        let given_name = name("given_name", "given name", &self.given_name, &mut errors);
        let family_name = name("family_name", "family name", &self.family_name, &mut errors);
        let date_of_birth = match parse_uk_date(&self.date_of_birth) {
            None => {
                errors.push((
                    "date_of_birth",
                    "Enter the date of birth as a date, for example 03/04/1987.".into(),
                ));
                None
            }
            Some(d) if d > today => {
                errors.push((
                    "date_of_birth",
                    "The date of birth must be in the past.".into(),
                ));
                None
            }
            Some(d) if today.signed_duration_since(d).num_days() > 130 * 366 => {
                errors.push(("date_of_birth", "Check the year of birth.".into()));
                None
            }
            Some(d) => Some(d),
        };
        let sex = self.sex.trim().to_lowercase();
        if !matches!(sex.as_str(), "female" | "male" | "unknown") {
            errors.push(("sex", "Choose female, male or not known.".into()));
        }
        let gender = optional(&self.gender);
        if gender.as_ref().is_some_and(|g| g.chars().count() > 50) {
            errors.push(("gender", "Gender must be 50 characters or fewer.".into()));
        }
        let address_lines: Vec<String> = self
            .address
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        if address_lines.is_empty() {
            errors.push(("address", "Enter the first line of the address.".into()));
        } else if address_lines.len() > 5 || address_lines.iter().any(|l| l.chars().count() > 100) {
            errors.push((
                "address",
                "Use at most 5 address lines of 100 characters.".into(),
            ));
        }
        let postcode = Postcode::parse(&self.postcode)
            .map_err(|e| errors.push(("postcode", e.to_string())))
            .ok();
        let phone = optional(&self.phone);
        if let Some(p) = &phone {
            let digits = p.chars().filter(|c| c.is_ascii_digit()).count();
            if !(10..=13).contains(&digits)
                || !p
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-'))
            {
                errors.push((
                    "phone",
                    "Enter a UK phone number, like 01632 960 001.".into(),
                ));
            }
        }
        let email = optional(&self.email);
        if let Some(e) = &email {
            let ok = e.len() <= 254
                && e.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty()
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                })
                && !e.contains(char::is_whitespace);
            if !ok {
                errors.push((
                    "email",
                    "Enter an email address like name@example.com.".into(),
                ));
            }
        }
        let nhs_number = NhsNumber::parse(&self.nhs_number)
            .map_err(|e| errors.push(("nhs_number", e.to_string())))
            .ok();
        let usual_gp = optional(&self.usual_gp);
        let registered_on = if self.registered_on.trim().is_empty() {
            Some(today)
        } else {
            match parse_uk_date(&self.registered_on) {
                Some(d) if d <= today => Some(d),
                Some(_) => {
                    errors.push((
                        "registered_on",
                        "The registration date cannot be in the future.".into(),
                    ));
                    None
                }
                None => {
                    errors.push((
                        "registered_on",
                        "Enter the registration date as a date.".into(),
                    ));
                    None
                }
            }
        };
        match (date_of_birth, postcode, nhs_number, registered_on) {
            (Some(date_of_birth), Some(postcode), Some(nhs_number), Some(registered_on))
                if errors.is_empty() =>
            {
                Ok(ValidPatient {
                    title,
                    given_name,
                    family_name,
                    date_of_birth,
                    sex,
                    gender,
                    address_lines,
                    postcode,
                    phone,
                    email,
                    nhs_number,
                    usual_gp,
                    registered_on,
                })
            }
            _ => Err(errors),
        }
    }
}
