//! The clinical record's rules: observations with their units and the
//! ranges a value must fall in to be believable (a value outside is refused
//! with the range, never stored), BMI computed from weight and height, and
//! the coded-entry picker's search over the bundled SNOMED CT subset.

use serde::{Deserialize, Serialize};

/// What can be observed in a consultation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObservationKind {
    Systolic,
    Diastolic,
    Pulse,
    Temperature,
    Spo2,
    RespiratoryRate,
    Weight,
    Height,
    /// Body mass index: computed from weight and height, never typed.
    Bmi,
    /// Glycated haemoglobin, IFCC (mmol/mol): a laboratory result, never
    /// typed in a consultation; arrives with a record (an import).
    Hba1c,
}

impl ObservationKind {
    pub const ALL: [ObservationKind; 8] = [
        ObservationKind::Systolic,
        ObservationKind::Diastolic,
        ObservationKind::Pulse,
        ObservationKind::Temperature,
        ObservationKind::Spo2,
        ObservationKind::RespiratoryRate,
        ObservationKind::Weight,
        ObservationKind::Height,
    ];

    /// Every kind that is recorded: the typed ones, computed BMI, and
    /// laboratory HbA1c.
    pub const RECORDED: [ObservationKind; 10] = [
        ObservationKind::Systolic,
        ObservationKind::Diastolic,
        ObservationKind::Pulse,
        ObservationKind::Temperature,
        ObservationKind::Spo2,
        ObservationKind::RespiratoryRate,
        ObservationKind::Weight,
        ObservationKind::Height,
        ObservationKind::Bmi,
        ObservationKind::Hba1c,
    ];

    /// The form field and stored name: "systolic", "respiratory_rate".
    pub fn key(self) -> &'static str {
        match self {
            ObservationKind::Systolic => "systolic",
            ObservationKind::Diastolic => "diastolic",
            ObservationKind::Pulse => "pulse",
            ObservationKind::Temperature => "temperature",
            ObservationKind::Spo2 => "spo2",
            ObservationKind::RespiratoryRate => "respiratory_rate",
            ObservationKind::Weight => "weight",
            ObservationKind::Height => "height",
            ObservationKind::Bmi => "bmi",
            ObservationKind::Hba1c => "hba1c",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::RECORDED.into_iter().find(|k| k.key() == key)
    }

    /// The value with the kind's decimal places: "37.2", "138".
    pub fn format(self, value: f64) -> String {
        format!("{:.*}", self.places() as usize, value)
    }

    pub fn label(self) -> &'static str {
        match self {
            ObservationKind::Systolic => "Systolic blood pressure",
            ObservationKind::Diastolic => "Diastolic blood pressure",
            ObservationKind::Pulse => "Pulse",
            ObservationKind::Temperature => "Temperature",
            ObservationKind::Spo2 => "Oxygen saturation (SpO2)",
            ObservationKind::RespiratoryRate => "Respiratory rate",
            ObservationKind::Weight => "Weight",
            ObservationKind::Height => "Height",
            ObservationKind::Bmi => "Body mass index (BMI)",
            ObservationKind::Hba1c => "HbA1c (IFCC)",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            ObservationKind::Systolic | ObservationKind::Diastolic => "mmHg",
            ObservationKind::Pulse => "beats/min",
            ObservationKind::Temperature => "°C",
            ObservationKind::Spo2 => "%",
            ObservationKind::RespiratoryRate => "breaths/min",
            ObservationKind::Weight => "kg",
            ObservationKind::Height => "cm",
            ObservationKind::Bmi => "kg/m²",
            ObservationKind::Hba1c => "mmol/mol",
        }
    }

    /// The believable range, inclusive: outside it is almost certainly a
    /// typing slip (a dropped or extra digit, the wrong unit).
    pub fn range(self) -> (f64, f64) {
        match self {
            ObservationKind::Systolic => (50.0, 300.0),
            ObservationKind::Diastolic => (20.0, 200.0),
            ObservationKind::Pulse => (20.0, 250.0),
            ObservationKind::Temperature => (30.0, 45.0),
            ObservationKind::Spo2 => (50.0, 100.0),
            ObservationKind::RespiratoryRate => (4.0, 70.0),
            ObservationKind::Weight => (0.3, 400.0),
            ObservationKind::Height => (30.0, 250.0),
            ObservationKind::Bmi => (5.0, 150.0),
            ObservationKind::Hba1c => (15.0, 200.0),
        }
    }

    /// Decimal places kept.
    fn places(self) -> u32 {
        match self {
            ObservationKind::Temperature | ObservationKind::Weight | ObservationKind::Bmi => 1,
            _ => 0,
        }
    }

    /// The unit as UCUM writes it (FHIR `valueQuantity.code`).
    pub fn ucum(self) -> &'static str {
        match self {
            ObservationKind::Systolic | ObservationKind::Diastolic => "mm[Hg]",
            ObservationKind::Pulse | ObservationKind::RespiratoryRate => "/min",
            ObservationKind::Temperature => "Cel",
            ObservationKind::Spo2 => "%",
            ObservationKind::Weight => "kg",
            ObservationKind::Height => "cm",
            ObservationKind::Bmi => "kg/m2",
            ObservationKind::Hba1c => "mmol/mol",
        }
    }

    /// The SNOMED CT observable entity, beside the LOINC code.
    pub fn snomed(self) -> &'static str {
        match self {
            ObservationKind::Systolic => "271649006",
            ObservationKind::Diastolic => "271650006",
            ObservationKind::Pulse => "78564009",
            ObservationKind::Temperature => "386725007",
            ObservationKind::Spo2 => "431314004",
            ObservationKind::RespiratoryRate => "86290005",
            ObservationKind::Weight => "27113001",
            ObservationKind::Height => "50373000",
            ObservationKind::Bmi => "60621009",
            ObservationKind::Hba1c => "999791000000106",
        }
    }

    /// The LOINC code the observation maps to in FHIR.
    pub fn loinc(self) -> &'static str {
        match self {
            ObservationKind::Systolic => "8480-6",
            ObservationKind::Diastolic => "8462-4",
            ObservationKind::Pulse => "8867-4",
            ObservationKind::Temperature => "8310-5",
            ObservationKind::Spo2 => "59408-5",
            ObservationKind::RespiratoryRate => "9279-1",
            ObservationKind::Weight => "29463-7",
            ObservationKind::Height => "8302-2",
            ObservationKind::Bmi => "39156-5",
            ObservationKind::Hba1c => "59261-8",
        }
    }

    /// A vital sign (FHIR category `vital-signs`), or a laboratory result.
    pub fn is_vital_sign(self) -> bool {
        self != ObservationKind::Hba1c
    }

    /// Reads a typed value: a number within the range, rounded to the
    /// kind's precision. The error says what is believable.
    pub fn read(self, input: &str) -> Result<f64, String> {
        let t = input.trim();
        let v: f64 = t.parse().map_err(|_| {
            format!(
                "Enter the {} as a number in {}.",
                self.label().to_lowercase(),
                self.unit()
            )
        })?;
        let (lo, hi) = self.range();
        if !v.is_finite() || v < lo || v > hi {
            return Err(format!(
                "{} must be between {lo} and {hi} {}: check the reading.",
                self.label(),
                self.unit()
            ));
        }
        let scale = 10f64.powi(self.places() as i32);
        Ok((v * scale).round() / scale)
    }
}

/// Checks a blood pressure pair: both believable, diastolic below systolic.
pub fn blood_pressure(
    systolic: &str,
    diastolic: &str,
) -> Result<(f64, f64), Vec<(&'static str, String)>> {
    let s = ObservationKind::Systolic.read(systolic);
    let d = ObservationKind::Diastolic.read(diastolic);
    match (s, d) {
        (Ok(s), Ok(d)) if d < s => Ok((s, d)),
        (Ok(_), Ok(_)) => Err(vec![(
            "diastolic",
            "The diastolic pressure must be lower than the systolic: check the reading.".into(),
        )]),
        (s, d) => Err([("systolic", s.err()), ("diastolic", d.err())]
            .into_iter()
            .filter_map(|(f, e)| e.map(|e| (f, e)))
            .collect()),
    }
}

/// Body mass index from kg and cm, to one decimal place.
pub fn bmi(weight_kg: f64, height_cm: f64) -> Option<f64> {
    if weight_kg <= 0.0 || height_cm <= 0.0 {
        return None;
    }
    let m = height_cm / 100.0;
    Some(((weight_kg / (m * m)) * 10.0).round() / 10.0)
}

/// What a coded entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    Problem,
    Procedure,
    Allergy,
}

/// A SNOMED CT concept from the bundled subset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Concept {
    pub id: &'static str,
    pub term: &'static str,
    pub kind: CodeKind,
}

/// Concepts whose preferred term contains every word typed (case-blind),
/// those starting with the first word first, at most `limit`.
pub fn find_concepts(typed: &str, kind: Option<CodeKind>, limit: usize) -> Vec<Concept> {
    let words: Vec<String> = typed
        .split_whitespace()
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<(bool, Concept)> = crate::snomed::SUBSET
        .iter()
        .filter(|c| kind.is_none_or(|k| c.kind == k))
        .filter_map(|c| {
            let term = c.term.to_lowercase();
            words
                .iter()
                .all(|w| term.contains(w.as_str()))
                .then(|| (!term.starts_with(words[0].as_str()), *c))
        })
        .collect();
    hits.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.term.cmp(b.1.term)));
    hits.into_iter().take(limit).map(|(_, c)| c).collect()
}

/// The concept with this id, if it is in the subset.
pub fn concept(id: &str) -> Option<Concept> {
    crate::snomed::SUBSET.iter().find(|c| c.id == id).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn readings_outside_believable_ranges_are_refused_with_the_range() {
        assert_eq!(ObservationKind::Pulse.read("72"), Ok(72.0));
        assert_eq!(ObservationKind::Temperature.read(" 37.26 "), Ok(37.3));
        assert_eq!(
            ObservationKind::Temperature.read("373").unwrap_err(),
            "Temperature must be between 30 and 45 °C: check the reading."
        );
        assert!(ObservationKind::Spo2.read("101").is_err());
        assert!(ObservationKind::Weight
            .read("seventy")
            .unwrap_err()
            .contains("number in kg"));
        assert!(ObservationKind::Height.read("NaN").is_err());
        assert!(ObservationKind::Height.read("inf").is_err());
    }

    #[test]
    fn blood_pressure_needs_diastolic_below_systolic() {
        assert_eq!(blood_pressure("138", "86"), Ok((138.0, 86.0)));
        assert_eq!(blood_pressure("86", "138").unwrap_err()[0].0, "diastolic");
        let both = blood_pressure("1380", "x").unwrap_err();
        assert_eq!(
            both.iter().map(|e| e.0).collect::<Vec<_>>(),
            ["systolic", "diastolic"]
        );
    }

    #[test]
    fn bmi_is_weight_over_height_squared() {
        assert_eq!(bmi(70.0, 175.0), Some(22.9));
        assert_eq!(bmi(120.0, 160.0), Some(46.9));
        assert_eq!(bmi(70.0, 0.0), None);
    }

    #[test]
    fn the_picker_finds_concepts_by_the_words_typed() {
        let hits = find_concepts("hypert", Some(CodeKind::Problem), 10);
        assert_eq!(hits[0].id, "38341003");
        assert_eq!(hits[0].term, "Hypertensive disorder, systemic arterial");
        let asthma = find_concepts("ASTHMA", None, 10);
        assert!(asthma.iter().any(|c| c.id == "195967001"));
        let pen = find_concepts("allergy penicillin", Some(CodeKind::Allergy), 5);
        assert_eq!(pen.first().map(|c| c.id), Some("91936005"));
        assert!(find_concepts("  ", None, 5).is_empty());
        assert_eq!(
            concept("44054006").map(|c| c.term),
            Some("Diabetes mellitus type 2")
        );
    }

    /// The codes the FHIR API sends beside LOINC carry SNOMED CT's check
    /// digit, and the units are UCUM's.
    #[test]
    fn every_observation_kind_has_a_valid_snomed_code_and_a_ucum_unit() {
        for k in ObservationKind::RECORDED {
            assert!(
                crate::snomed::verhoeff_ok(k.snomed()),
                "{k:?} {}",
                k.snomed()
            );
            assert!(!k.ucum().is_empty() && !k.ucum().contains(' '), "{k:?}");
        }
    }

    #[test]
    fn the_subset_has_unique_ids_with_valid_snomed_check_digits() {
        let mut seen = std::collections::HashSet::new();
        for c in crate::snomed::SUBSET {
            assert!(seen.insert(c.id), "{} appears twice", c.id);
            assert!(
                crate::snomed::verhoeff_ok(c.id),
                "{} ({}) fails its check digit",
                c.id,
                c.term
            );
        }
        assert!(crate::snomed::SUBSET.len() >= 200);
    }

    proptest! {
        #[test]
        fn any_accepted_reading_is_within_its_range(kind in 0usize..8, v in -1000.0f64..1000.0) {
            let k = ObservationKind::ALL[kind];
            if let Ok(x) = k.read(&v.to_string()) {
                let (lo, hi) = k.range();
                prop_assert!(x >= lo - 0.05 && x <= hi + 0.05);
            }
        }
    }
}
