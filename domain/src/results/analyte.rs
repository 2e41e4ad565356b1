//! One analyte of a report: its value, unit, reference range and flag.

use serde::{Deserialize, Serialize};

/// How an analyte stands against its reference range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    Normal,
    Low,
    High,
    /// Abnormal without a direction (a positive screen, a comment).
    Abnormal,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Normal => "normal",
            Flag::Low => "low",
            Flag::High => "high",
            Flag::Abnormal => "abnormal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Flag::Normal => "Normal",
            Flag::Low => "Low",
            Flag::High => "High",
            Flag::Abnormal => "Abnormal",
        }
    }

    /// The FHIR interpretation code (v3 ObservationInterpretation).
    pub fn code(self) -> &'static str {
        match self {
            Flag::Normal => "N",
            Flag::Low => "L",
            Flag::High => "H",
            Flag::Abnormal => "A",
        }
    }

    /// A flag from an ObservationInterpretation code, if it is one we know.
    pub fn from_interpretation(code: &str) -> Option<Flag> {
        match code {
            "N" => Some(Flag::Normal),
            "L" | "LL" | "LU" | "<" => Some(Flag::Low),
            "H" | "HH" | "HU" | ">" => Some(Flag::High),
            "A" | "AA" | "POS" | "DET" | "R" => Some(Flag::Abnormal),
            _ => None,
        }
    }

    /// The flag a numeric value earns against its range (normal when
    /// there is no value or no range to compare with).
    pub fn from_range(value: Option<f64>, low: Option<f64>, high: Option<f64>) -> Flag {
        match value {
            Some(v) if low.is_some_and(|l| v < l) => Flag::Low,
            Some(v) if high.is_some_and(|h| v > h) => Flag::High,
            _ => Flag::Normal,
        }
    }

    pub fn parse(s: &str) -> Option<Flag> {
        [Flag::Normal, Flag::Low, Flag::High, Flag::Abnormal]
            .into_iter()
            .find(|f| f.as_str() == s)
    }
}

/// One result within a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analyte {
    /// The test's code (LOINC or SNOMED CT as "system|code"), which links a
    /// patient's values of the same test over time.
    pub code: String,
    /// As the laboratory names it ("Haemoglobin A1c").
    pub display: String,
    pub value: Option<f64>,
    /// A result that is not a number ("Positive", "Not detected").
    pub text: Option<String>,
    pub unit: String,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub flag: Flag,
}

impl Analyte {
    /// What makes the analyte unusable, in words.
    pub fn problem(&self) -> Option<String> {
        if self.code.trim().is_empty() || self.display.trim().is_empty() {
            return Some("give the test's code with its display.".into());
        }
        if self.value.is_none() && self.text.as_deref().is_none_or(|t| t.trim().is_empty()) {
            return Some(format!(
                "{} has no value (valueQuantity or valueString).",
                self.display
            ));
        }
        if self.value.is_some_and(|v| !v.is_finite()) {
            return Some(format!(
                "{} has a value that is not a number.",
                self.display
            ));
        }
        if let (Some(l), Some(h)) = (self.low, self.high) {
            if l > h {
                return Some(format!(
                    "{}'s reference range is upside down ({l} to {h}).",
                    self.display
                ));
            }
        }
        None
    }

    /// The value as shown: "48 mmol/mol", or the text.
    pub fn value_label(&self) -> String {
        match (self.value, &self.text) {
            (Some(v), _) => format!("{} {}", number(v), self.unit).trim().to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => String::new(),
        }
    }

    /// The reference range as shown: "20–42", "< 5", "> 1", or "".
    pub fn range_label(&self) -> String {
        match (self.low, self.high) {
            (Some(l), Some(h)) => format!("{}–{}", number(l), number(h)),
            (None, Some(h)) => format!("< {}", number(h)),
            (Some(l), None) => format!("> {}", number(l)),
            (None, None) => String::new(),
        }
    }
}

/// A number without a trailing ".0".
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
