//! One FHIR resource as what the record holds: a Patient through the same
//! checks as the registration form, a Condition, AllergyIntolerance or
//! MedicationStatement as a record item, an Observation as readings. A
//! refusal names the FHIR element and what is wrong, never a value that
//! could identify someone.

use super::super::patient::NHS_NUMBER_SYSTEM;
use chrono::{DateTime, NaiveDate, Utc};
use domain::clinical::ObservationKind;
use domain::patient::{parse_uk_date, PatientForm, ValidPatient};
use domain::record::{ItemKind, ITEM_TEXT_MAX};
use serde_json::Value;
use services::import::{ImportedItem, ImportedObservation};

const SNOMED: &str = "http://snomed.info/sct";
const LOINC: &str = "http://loinc.org";

/// Why an entry was refused: the element, and what is wrong with it.
pub type Refusal = String;

fn text(v: &Value) -> Option<&str> {
    v.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// The FHIR element for a registration form field.
fn element(field: &str) -> &'static str {
    match field {
        "nhs_number" => "identifier",
        "title" => "name.prefix",
        "given_name" => "name.given",
        "family_name" => "name.family",
        "date_of_birth" => "birthDate",
        "sex" => "gender",
        "address" => "address.line",
        "postcode" => "address.postalCode",
        "phone" | "email" => "telecom",
        _ => "Patient",
    }
}

/// A Patient through the registration form's checks.
pub fn patient(r: &Value, today: NaiveDate) -> Result<ValidPatient, Vec<Refusal>> {
    let ids = r["identifier"].as_array().cloned().unwrap_or_default();
    let nhs = ids
        .iter()
        .find(|i| i["system"] == NHS_NUMBER_SYSTEM)
        .and_then(|i| text(&i["value"]));
    let Some(nhs) = nhs else {
        return Err(vec![format!(
            "identifier: no NHS number (an identifier with system {NHS_NUMBER_SYSTEM})"
        )]);
    };
    let names = r["name"].as_array().cloned().unwrap_or_default();
    let name = names
        .iter()
        .find(|n| n["use"] == "official")
        .or_else(|| names.first())
        .cloned()
        .unwrap_or(Value::Null);
    let given: Vec<&str> = name["given"]
        .as_array()
        .map(|g| g.iter().filter_map(text).collect())
        .unwrap_or_default();
    let addresses = r["address"].as_array().cloned().unwrap_or_default();
    let address = addresses
        .iter()
        .find(|a| a["use"] == "home")
        .or_else(|| addresses.first())
        .cloned()
        .unwrap_or(Value::Null);
    let telecom = |system: &str| {
        r["telecom"]
            .as_array()
            .and_then(|ts| ts.iter().find(|t| t["system"] == system))
            .and_then(|t| text(&t["value"]))
            .unwrap_or_default()
            .to_string()
    };
    let Some(birth) = text(&r["birthDate"]) else {
        return Err(vec![
            "birthDate: missing (a date of birth is needed to register a patient)".into(),
        ]);
    };
    if NaiveDate::parse_from_str(birth, "%Y-%m-%d").is_err() {
        return Err(vec![
            "birthDate: not a full date (YYYY-MM-DD is needed to register a patient)".into(),
        ]);
    }
    let form = PatientForm {
        title: name["prefix"][0].as_str().unwrap_or_default().to_string(),
        given_name: given.join(" "),
        family_name: text(&name["family"]).unwrap_or_default().to_string(),
        date_of_birth: birth.to_string(),
        sex: match r["gender"].as_str() {
            Some("female") => "female",
            Some("male") => "male",
            _ => "unknown",
        }
        .to_string(),
        gender: String::new(),
        address: address["line"]
            .as_array()
            .map(|ls| ls.iter().filter_map(text).collect::<Vec<_>>().join("\n"))
            .unwrap_or_default(),
        postcode: text(&address["postalCode"]).unwrap_or_default().to_string(),
        phone: telecom("phone"),
        email: telecom("email"),
        nhs_number: nhs.to_string(),
        usual_gp: String::new(),
        registered_on: String::new(),
    };
    form.validate(today).map_err(|errors| {
        errors
            .into_iter()
            .map(|(field, why)| format!("{}: {why}", element(field)))
            .collect()
    })
}

/// A date (or the date part of a dateTime), not in the future.
fn date(v: &Value, element: &str, today: NaiveDate) -> Result<Option<NaiveDate>, Refusal> {
    let Some(s) = text(v) else { return Ok(None) };
    let day: String = s.chars().take(10).collect();
    match parse_uk_date(&day).filter(|_| day.len() == 10) {
        Some(d) if d <= today => Ok(Some(d)),
        Some(_) => Err(format!("{element}: in the future")),
        None => Err(format!("{element}: not a date (YYYY-MM-DD)")),
    }
}

/// (code, term) from a CodeableConcept: a SNOMED CT coding, or text alone.
fn concept(v: &Value, element: &str) -> Result<(Option<String>, String), Refusal> {
    let codings = v["coding"].as_array().cloned().unwrap_or_default();
    let snomed = codings.iter().find(|c| c["system"] == SNOMED);
    let (code, term) = match snomed {
        Some(c) => {
            let code = text(&c["code"]).unwrap_or_default();
            if !(6..=18).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!("{element}: not a SNOMED CT concept id"));
            }
            let term = text(&c["display"])
                .or_else(|| text(&v["text"]))
                .map(String::from)
                .or_else(|| domain::clinical::concept(code).map(|k| k.term.to_string()));
            (Some(code.to_string()), term)
        }
        None => {
            if let Some(other) = codings.iter().find_map(|c| c["system"].as_str()) {
                return Err(format!(
                    "{element}: unknown code system {:.80} (SNOMED CT, {SNOMED}, is the one taken)",
                    other
                ));
            }
            (None, text(&v["text"]).map(String::from))
        }
    };
    let Some(term) = term else {
        return Err(format!("{element}: no code and no text"));
    };
    if term.chars().count() > ITEM_TEXT_MAX {
        return Err(format!(
            "{element}: the name is longer than {ITEM_TEXT_MAX} characters"
        ));
    }
    Ok((code, term))
}

fn status_code(v: &Value) -> Option<&str> {
    v["coding"]
        .as_array()?
        .iter()
        .find_map(|c| c["code"].as_str())
}

/// A Condition, AllergyIntolerance or MedicationStatement as a record item.
pub fn item(
    r: &Value,
    kind: ItemKind,
    key: String,
    today: NaiveDate,
) -> Result<ImportedItem, Refusal> {
    let (status, code_element, start, end) = match kind {
        ItemKind::Problem => (
            status_code(&r["clinicalStatus"]),
            "code",
            &r["onsetDateTime"],
            &r["abatementDateTime"],
        ),
        ItemKind::Allergy => (
            status_code(&r["clinicalStatus"]),
            "code",
            &r["onsetDateTime"],
            &Value::Null,
        ),
        ItemKind::Medication => (
            r["status"].as_str(),
            "medicationCodeableConcept",
            &r["effectivePeriod"]["start"],
            &r["effectivePeriod"]["end"],
        ),
    };
    let active = match (kind, status) {
        (ItemKind::Medication, Some("active" | "intended" | "on-hold")) => true,
        (ItemKind::Medication, Some("completed" | "stopped" | "not-taken")) => false,
        (ItemKind::Medication, _) => {
            return Err("status: active, completed or stopped is needed".into())
        }
        (_, Some("active" | "recurrence" | "relapse")) => true,
        (_, Some("inactive" | "remission" | "resolved")) => false,
        (_, _) => return Err("clinicalStatus: active or resolved is needed".into()),
    };
    if r["verificationStatus"]["coding"][0]["code"] == "entered-in-error" {
        return Err("verificationStatus: entered in error, so not imported".into());
    }
    let (code, term) = concept(&r[code_element], code_element)?;
    let since_element = match kind {
        ItemKind::Medication => "effectivePeriod.start",
        _ => "onsetDateTime",
    };
    let since = date(start, since_element, today)?
        .or(date(&r["recordedDate"], "recordedDate", today)?)
        .or(date(&r["dateAsserted"], "dateAsserted", today)?)
        .ok_or_else(|| format!("{since_element}: missing (when it began is needed)"))?;
    let ended_on = date(end, "end date", today)?;
    let limit = |s: Option<&str>, element: &str| -> Result<Option<String>, Refusal> {
        match s.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) if s.chars().count() > ITEM_TEXT_MAX => {
                Err(format!("{element}: longer than {ITEM_TEXT_MAX} characters"))
            }
            other => Ok(other.map(String::from)),
        }
    };
    let (mut dose, mut frequency, mut note) = (None, None, None);
    match kind {
        ItemKind::Problem => note = limit(r["note"][0]["text"].as_str(), "note")?,
        ItemKind::Allergy => {
            note = limit(
                r["reaction"][0]["manifestation"][0]["text"]
                    .as_str()
                    .or(r["reaction"][0]["manifestation"][0]["coding"][0]["display"].as_str()),
                "reaction",
            )?
        }
        ItemKind::Medication => {
            let d = &r["dosage"][0];
            frequency = limit(d["timing"]["code"]["text"].as_str(), "dosage.timing")?;
            let whole = text(&d["text"]).ok_or("dosage.text: missing (the dose is needed)")?;
            let dose_only = frequency
                .as_deref()
                .and_then(|f| whole.strip_suffix(f))
                .map(|d| d.trim_end().trim_end_matches(',').trim_end())
                .filter(|d| !d.is_empty())
                .unwrap_or(whole);
            dose = limit(Some(dose_only), "dosage.text")?;
        }
    }
    Ok(ImportedItem {
        key,
        kind,
        code,
        term,
        dose,
        frequency,
        note,
        active,
        since,
        ended_on,
    })
}

fn kind_of(code: &Value) -> Result<ObservationKind, Refusal> {
    let codings = code["coding"].as_array().cloned().unwrap_or_default();
    let found = codings.iter().find_map(|c| {
        let (system, value) = (c["system"].as_str()?, c["code"].as_str()?);
        ObservationKind::RECORDED.into_iter().find(|k| {
            (system == LOINC && k.loinc() == value) || (system == SNOMED && k.snomed() == value)
        })
    });
    match found {
        Some(k) => Ok(k),
        None if codings
            .iter()
            .all(|c| c["system"] != LOINC && c["system"] != SNOMED) =>
        {
            Err("code: no LOINC or SNOMED CT coding".into())
        }
        None => Err("code: not an observation OpenPractice records (blood pressure, pulse, temperature, oxygen saturation, respiratory rate, weight, height, BMI, HbA1c)".into()),
    }
}

fn reading(v: &Value, kind: ObservationKind, element: &str) -> Result<f64, Refusal> {
    let q = &v["valueQuantity"];
    let Some(value) = q["value"].as_f64() else {
        return Err(format!("{element}valueQuantity.value: missing"));
    };
    if let Some(unit) = q["code"].as_str().filter(|u| *u != kind.ucum()) {
        return Err(format!(
            "{element}valueQuantity.code: {:.20} is not {} (UCUM)",
            unit,
            kind.ucum()
        ));
    }
    kind.read(&value.to_string())
        .map_err(|why| format!("{element}valueQuantity.value: {why}"))
}

/// An Observation as one reading, or one per component (a blood pressure
/// panel).
pub fn observations(
    r: &Value,
    key: &str,
    today: NaiveDate,
) -> Result<Vec<ImportedObservation>, Refusal> {
    match r["status"].as_str() {
        Some("final" | "amended" | "corrected") => {}
        _ => return Err("status: final, amended or corrected is needed".into()),
    }
    let at_text = text(&r["effectiveDateTime"])
        .ok_or("effectiveDateTime: missing (when it was taken is needed)")?;
    let at = match DateTime::parse_from_rfc3339(at_text) {
        Ok(t) => t.with_timezone(&Utc),
        Err(_) => date(&r["effectiveDateTime"], "effectiveDateTime", today)?
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|t| t.and_utc())
            .ok_or("effectiveDateTime: not a date or time")?,
    };
    if at.date_naive() > today {
        return Err("effectiveDateTime: in the future".into());
    }
    if let Some(components) = r["component"]
        .as_array()
        .filter(|_| r["valueQuantity"].is_null())
    {
        return components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let element = format!("component[{i}].");
                let kind = kind_of(&c["code"]).map_err(|e| format!("{element}{e}"))?;
                Ok(ImportedObservation {
                    key: format!("{key}/{i}"),
                    kind,
                    value: reading(c, kind, &element)?,
                    at,
                })
            })
            .collect();
    }
    let kind = kind_of(&r["code"])?;
    Ok(vec![ImportedObservation {
        key: key.to_string(),
        kind,
        value: reading(r, kind, "")?,
        at,
    }])
}
