//! Registering and editing a patient: every field checked at the boundary,
//! each error named by its field so the form shows it beside the field, and
//! nothing saved while any is wrong. UK dates are read in the forms people
//! type them.

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    }

    fn good() -> PatientForm {
        PatientForm {
            title: "Mrs".into(),
            given_name: "Aisha".into(),
            family_name: "O'Neill-Khan".into(),
            date_of_birth: "3 Apr 1987".into(),
            sex: "female".into(),
            gender: String::new(),
            address: "1 High Street\nReading".into(),
            postcode: "rg1 4ab".into(),
            phone: "01632 960001".into(),
            email: "aisha@example.com".into(),
            nhs_number: "943 476 5919".into(),
            usual_gp: String::new(),
            registered_on: String::new(),
        }
    }

    #[test]
    fn a_good_form_is_accepted_and_normalised() {
        let p = good().validate(today()).unwrap();
        assert_eq!(p.date_of_birth.to_string(), "1987-04-03");
        assert_eq!(p.postcode.as_str(), "RG1 4AB");
        assert_eq!(p.nhs_number.to_string(), "943 476 5919");
        assert_eq!(p.address_lines, ["1 High Street", "Reading"]);
        assert_eq!(p.registered_on, today());
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let bad = PatientForm {
            given_name: " ".into(),
            date_of_birth: "31/02/1987".into(),
            sex: "x".into(),
            address: String::new(),
            postcode: "RG1".into(),
            phone: "12".into(),
            email: "not-an-email".into(),
            nhs_number: "943 476 5918".into(),
            registered_on: "2030-01-01".into(),
            ..good()
        };
        let fields: Vec<&str> = bad
            .validate(today())
            .unwrap_err()
            .iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(
            fields,
            [
                "given_name",
                "date_of_birth",
                "sex",
                "address",
                "postcode",
                "phone",
                "email",
                "nhs_number",
                "registered_on"
            ]
        );
        let future = PatientForm {
            date_of_birth: "22/11/2026".into(),
            ..good()
        };
        assert_eq!(
            future.validate(today()).unwrap_err()[0].1,
            "The date of birth must be in the past."
        );
    }

    #[test]
    fn age_counts_whole_years_to_the_birthday() {
        assert_eq!(
            birth_and_age("1961-04-03", today()),
            "3 Apr 1961 (65 years)"
        );
        assert_eq!(
            birth_and_age("1961-11-22", today()),
            "22 Nov 1961 (64 years)"
        );
        assert_eq!(
            birth_and_age("1961-11-21", today()),
            "21 Nov 1961 (65 years)"
        );
    }

    #[test]
    fn uk_dates_in_the_forms_people_type() {
        for s in [
            "03/04/1987",
            "3/4/1987",
            "3 Apr 1987",
            "3 April 1987",
            "1987-04-03",
            "03-04-1987",
            " 03.04.1987 ",
        ] {
            assert_eq!(
                parse_uk_date(s).map(|d| d.to_string()).as_deref(),
                Some("1987-04-03"),
                "{s}"
            );
        }
        for s in [
            "",
            "1987",
            "04/31/1987",
            "3 Apt 1987",
            "03/04/87",
            "tomorrow",
        ] {
            assert_eq!(parse_uk_date(s), None, "{s}");
        }
    }

    proptest! {
        /// Any real date written in each UK form reads back as itself.
        #[test]
        fn every_date_round_trips_in_every_form(days in 0i64..60_000) {
            let d = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
            for f in ["%d/%m/%Y", "%-d/%-m/%Y", "%-d %b %Y", "%-d %B %Y", "%Y-%m-%d"] {
                let written = d.format(f).to_string();
                prop_assert_eq!(parse_uk_date(&written), Some(d), "{}", written);
            }
        }

        /// Nothing typed makes the parser panic, and what it accepts is a
        /// date it can write back.
        #[test]
        fn arbitrary_input_never_panics(s in ".{0,30}") {
            if let Some(d) = parse_uk_date(&s) {
                prop_assert!(d.format("%Y").to_string().len() == 4);
            }
        }
    }
}

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
