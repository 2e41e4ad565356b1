//! The demo practice's clinical histories, synthetic and deterministic
//! (each patient's from a generator seeded by their test-range NHS number):
//! long-term conditions at believable prevalences for age and sex, their
//! medications, allergies, years of blood pressure, weight and HbA1c
//! readings with believable trends, and past consultations with short
//! notes (`notes.rs`). Written as FHIR and loaded through the
//! importer at the first `--demo` start, so the demo looks like a practice
//! and the import path runs on every demo start.

mod notes;

use super::import::{import_entries, Entry, Report};
use super::patient;
use chrono::{Duration, NaiveDate};
use domain::clinical::ObservationKind;
use domain::patient::PatientDetails;
use domain::PracticeId;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use store::patients::PatientFilter;
use store::Store;

const SNOMED: &str = "http://snomed.info/sct";

/// A long-term condition: SNOMED CT code and term, prevalence by age band
/// (under 40, 40–59, 60–79, 80 and over) for women and men, and what is
/// prescribed for it (term, dose, frequency).
struct Condition {
    code: &'static str,
    term: &'static str,
    women: [f64; 4],
    men: [f64; 4],
    medicines: &'static [(&'static str, &'static str, &'static str)],
}

const CONDITIONS: &[Condition] = &[
    Condition {
        code: "38341003",
        term: "Hypertensive disorder",
        women: [0.03, 0.14, 0.34, 0.52],
        men: [0.04, 0.18, 0.38, 0.50],
        medicines: &[
            ("Amlodipine 5mg tablets", "5 mg", "once a day"),
            ("Ramipril 5mg capsules", "5 mg", "once a day"),
        ],
    },
    Condition {
        code: "44054006",
        term: "Diabetes mellitus type 2",
        women: [0.01, 0.05, 0.10, 0.11],
        men: [0.01, 0.07, 0.14, 0.14],
        medicines: &[("Metformin 500mg tablets", "500 mg", "twice a day")],
    },
    Condition {
        code: "195967001",
        term: "Asthma",
        women: [0.07, 0.07, 0.06, 0.05],
        men: [0.06, 0.05, 0.05, 0.04],
        medicines: &[
            (
                "Salbutamol 100micrograms/dose inhaler",
                "2 puffs",
                "when needed",
            ),
            (
                "Clenil Modulite 100micrograms/dose inhaler",
                "2 puffs",
                "twice a day",
            ),
        ],
    },
    Condition {
        code: "13645005",
        term: "Chronic obstructive lung disease",
        women: [0.0, 0.02, 0.05, 0.06],
        men: [0.0, 0.02, 0.06, 0.08],
        medicines: &[(
            "Tiotropium 2.5micrograms/dose inhaler",
            "2 puffs",
            "once a day",
        )],
    },
    Condition {
        code: "35489007",
        term: "Depressive disorder",
        women: [0.12, 0.14, 0.10, 0.08],
        men: [0.07, 0.08, 0.06, 0.05],
        medicines: &[("Sertraline 50mg tablets", "50 mg", "once a day")],
    },
    Condition {
        code: "40930008",
        term: "Hypothyroidism",
        women: [0.01, 0.05, 0.08, 0.09],
        men: [0.002, 0.01, 0.02, 0.03],
        medicines: &[(
            "Levothyroxine 75microgram tablets",
            "75 micrograms",
            "once a day",
        )],
    },
    Condition {
        code: "49436004",
        term: "Atrial fibrillation",
        women: [0.0, 0.005, 0.04, 0.10],
        men: [0.0, 0.01, 0.06, 0.12],
        medicines: &[("Apixaban 5mg tablets", "5 mg", "twice a day")],
    },
];

/// (code, term, reaction, prevalence).
const ALLERGIES: &[(&str, &str, &str, f64)] = &[
    ("91936005", "Allergy to penicillin", "Rash", 0.07),
    ("300916003", "Latex allergy", "Hives", 0.01),
];

fn band(age: i32) -> usize {
    match age {
        ..=39 => 0,
        40..=59 => 1,
        60..=79 => 2,
        _ => 3,
    }
}

fn days_ago(today: NaiveDate, days: i64) -> NaiveDate {
    today - Duration::days(days)
}

fn observation(
    nhs: &str,
    patient: &str,
    kind: ObservationKind,
    n: usize,
    at: NaiveDate,
    value: f64,
) -> Value {
    json!({
        "resourceType": "Observation",
        "id": format!("demo-{nhs}-{}-{n}", kind.key()),
        "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": kind.loinc(), "display": kind.label() }] },
        "subject": { "reference": format!("Patient/{patient}") },
        "effectiveDateTime": format!("{at}T10:{:02}:00Z", n % 60),
        "valueQuantity": { "value": value, "unit": kind.unit(), "system": "http://unitsofmeasure.org", "code": kind.ucum() }
    })
}

/// One patient's history as FHIR resources (their Patient first).
pub fn history(p: &PatientDetails, today: NaiveDate) -> Vec<Value> {
    let nhs = p.nhs_number.as_str();
    let seed = nhs.parse::<u64>().unwrap_or_default();
    let mut rng = StdRng::seed_from_u64(seed ^ 0x6f70_656e_7072_6163);
    let Ok(born) = NaiveDate::parse_from_str(&p.date_of_birth, "%Y-%m-%d") else {
        return Vec::new();
    };
    let age = today.years_since(born).map_or(0, |a| a as i32);
    let id = p.id.as_str();
    let reference = json!({ "reference": format!("Patient/{id}") });
    let mut out = vec![patient::to_fhir(p)];
    let adult_days = i64::from((age - 18).max(1)) * 365;
    let has = |c: &Condition, rng: &mut StdRng| {
        let prevalence = if p.sex == "male" { c.men } else { c.women };
        rng.gen_bool(prevalence[band(age)].clamp(0.0, 1.0))
    };
    let mut diagnosed: Vec<(&str, &str, NaiveDate)> = Vec::new();
    for c in CONDITIONS {
        // Children here have asthma, if anything.
        if !has(c, &mut rng) || (age < 18 && c.code != "195967001") {
            continue;
        }
        let onset = days_ago(today, rng.gen_range(60..adult_days.max(61)).min(20 * 365));
        // In the practice's own words for the code, as the picker shows it.
        let term = domain::clinical::concept(c.code).map_or(c.term, |k| k.term);
        diagnosed.push((c.code, term, onset));
        out.push(json!({
            "resourceType": "Condition",
            "id": format!("demo-{nhs}-{}", c.code),
            "clinicalStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active" }] },
            "verificationStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed" }] },
            "code": { "coding": [{ "system": SNOMED, "code": c.code, "display": term }], "text": term },
            "subject": reference,
            "onsetDateTime": onset.to_string(),
        }));
        for (i, (term, dose, frequency)) in c.medicines.iter().enumerate() {
            if i > 0 && rng.gen_bool(0.5) {
                continue;
            }
            out.push(json!({
                "resourceType": "MedicationStatement",
                "id": format!("demo-{nhs}-{}-{i}", c.code),
                "status": "active",
                "medicationCodeableConcept": { "text": term },
                "subject": reference,
                "effectivePeriod": { "start": (onset + Duration::days(14)).min(today).to_string() },
                "dosage": [{ "text": format!("{dose}, {frequency}"), "timing": { "code": { "text": frequency } } }]
            }));
        }
    }
    for (code, term, reaction, prevalence) in ALLERGIES {
        if rng.gen_bool(*prevalence) {
            out.push(json!({
                "resourceType": "AllergyIntolerance",
                "id": format!("demo-{nhs}-{code}"),
                "clinicalStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active" }] },
                "code": { "coding": [{ "system": SNOMED, "code": code, "display": term }], "text": term },
                "patient": reference,
                "onsetDateTime": days_ago(today, rng.gen_range(365..(i64::from(age.max(2)) * 365))).to_string(),
                "reaction": [{ "manifestation": [{ "text": reaction }] }]
            }));
        }
    }
    out.extend(notes::consultations(nhs, id, age, &diagnosed, today));
    if age < 18 {
        return out;
    }
    let since = |code: &str| {
        diagnosed
            .iter()
            .find(|(c, _, _)| *c == code)
            .map(|(_, _, d)| *d)
    };
    // Height once; weight every year or two, with a slow drift.
    let watched = !diagnosed.is_empty();
    let tall: f64 = if p.sex == "male" { 176.0 } else { 162.0 } + rng.gen_range(-12.0..12.0);
    let years: i64 = rng.gen_range(2..5);
    out.push(observation(
        nhs,
        id,
        ObservationKind::Height,
        0,
        days_ago(today, years * 365),
        tall.round(),
    ));
    let mut weight = rng.gen_range(21.0..33.0) * (tall / 100.0) * (tall / 100.0);
    let drift = rng.gen_range(-1.5..1.5);
    let step = if watched { 1 } else { 2 };
    for y in (0..years).step_by(step) {
        let at = days_ago(today, (years - y) * 365 - rng.gen_range(0..60));
        out.push(observation(
            nhs,
            id,
            ObservationKind::Weight,
            y as usize,
            at,
            (weight * 10.0_f64).round() / 10.0,
        ));
        weight = (weight + drift * step as f64 + rng.gen_range(-1.0..1.0)).max(40.0);
    }
    // Blood pressure yearly from 40, twice a year with hypertension (high
    // before the diagnosis, coming down on treatment); the pulse with the
    // latest.
    let hypertension = since("38341003");
    if hypertension.is_some() || since("44054006").is_some() || age >= 40 {
        let base: f64 = rng.gen_range(112.0..134.0);
        let (every, readings) = if hypertension.is_some() {
            (182, years * 2)
        } else {
            (365, years)
        };
        for n in 0..readings as usize {
            let at = days_ago(today, (readings - n as i64) * every - rng.gen_range(0..30));
            let systolic = match hypertension {
                Some(d) if at < d + Duration::days(180) => rng.gen_range(148.0..168.0),
                Some(_) => rng.gen_range(128.0..146.0),
                None => base + rng.gen_range(-8.0..8.0),
            };
            let diastolic: f64 = systolic * 0.6 + rng.gen_range(-6.0..6.0);
            out.push(observation(
                nhs,
                id,
                ObservationKind::Systolic,
                n,
                at,
                systolic.round(),
            ));
            out.push(observation(
                nhs,
                id,
                ObservationKind::Diastolic,
                n,
                at,
                diastolic.round(),
            ));
            if n + 1 == readings as usize {
                out.push(observation(
                    nhs,
                    id,
                    ObservationKind::Pulse,
                    n,
                    at,
                    rng.gen_range(58.0_f64..92.0).round(),
                ));
            }
        }
    }
    // HbA1c every six months for people with diabetes: high at diagnosis,
    // coming down towards target.
    if let Some(d) = since("44054006") {
        let mut value: f64 = rng.gen_range(60.0..78.0);
        let mut at = d.max(days_ago(today, 4 * 365));
        let mut n = 0;
        while at <= today {
            out.push(observation(
                nhs,
                id,
                ObservationKind::Hba1c,
                n,
                at,
                value.round(),
            ));
            value = (value - rng.gen_range(-2.0..6.0)).clamp(42.0, 90.0);
            at += Duration::days(182 + rng.gen_range(0..30));
            n += 1;
        }
    }
    out
}

/// Loads every demo patient's history through the importer.
pub async fn load(
    store: &Store,
    practice: &PracticeId,
    progress: &dyn Fn(usize, usize),
) -> anyhow::Result<Report> {
    let today = domain::time::london_today(chrono::Utc::now());
    let db = store.practice(practice);
    let total = db.patient_count().await?;
    let (_, patients) = db
        .filter_patients(&PatientFilter::default(), 0, total)
        .await?;
    let mut entries = Vec::with_capacity(total * 20);
    for (n, p) in patients.iter().enumerate() {
        let resources = history(p, today);
        if resources.len() < 2 {
            continue; // Nothing recorded: no history to bring.
        }
        for (i, resource) in resources.into_iter().enumerate() {
            entries.push(Entry {
                position: format!("demo patient {} resource {}", n + 1, i + 1),
                full_url: None,
                resource,
            });
        }
    }
    import_entries(
        store,
        practice,
        "the demo's synthetic histories",
        entries,
        Report::default(),
        progress,
    )
    .await
}
