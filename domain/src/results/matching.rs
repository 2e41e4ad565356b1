//! Matching a report to a patient: automatic only when the NHS number,
//! the date of birth and the family name all agree with exactly one
//! registered patient of the practice. Anything less goes to a person.

use crate::NhsNumber;
use serde::{Deserialize, Serialize};

/// Who a report says it is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demographics {
    /// As sent (may be missing or wrong).
    pub nhs_number: String,
    pub family: String,
    pub given: String,
    /// YYYY-MM-DD as sent.
    pub birth_date: String,
}

/// A registered patient of the practice with the report's NHS number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub practice: String,
    pub nhs_number: String,
    pub family: String,
    pub birth_date: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    Matched(String),
    /// Why not, in words for the Unmatched list.
    Unmatched(String),
}

/// Family names compared as people write them: case, spacing and the kind
/// of apostrophe do not matter; anything else does.
pub fn same_family_name(a: &str, b: &str) -> bool {
    fn fold(s: &str) -> String {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace(['’', '‘', '`'], "'")
            .to_lowercase()
    }
    let (a, b) = (fold(a), fold(b));
    !a.is_empty() && a == b
}

/// The patient of `practice` a report about `d` belongs to, from the
/// `candidates` found by its NHS number.
pub fn match_patient(d: &Demographics, practice: &str, candidates: &[Candidate]) -> Match {
    let Ok(nhs) = NhsNumber::parse(&d.nhs_number) else {
        return Match::Unmatched("The NHS number is missing or not valid.".into());
    };
    let same: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.practice == practice && c.nhs_number == nhs.digits())
        .collect();
    let c = match same.as_slice() {
        [] => {
            return Match::Unmatched("No registered patient has this NHS number.".into());
        }
        [one] => *one,
        _ => return Match::Unmatched("More than one patient has this NHS number.".into()),
    };
    if c.birth_date != d.birth_date.trim() {
        return Match::Unmatched("The date of birth differs from the registered patient's.".into());
    }
    if !same_family_name(&c.family, &d.family) {
        return Match::Unmatched("The family name differs from the registered patient's.".into());
    }
    Match::Matched(c.id.clone())
}
