//! A practice's settings, as its admin keeps them: who the practice is
//! (name, ODS code, address, phone: the FHIR Organization shows them) and
//! how its screens behave (when a wait turns amber then red, after how
//! many working days an unfiled result is overdue). Checked here, once, for every door.

use crate::live::WaitThresholds;
use serde::{Deserialize, Serialize};

/// The settings as stored and shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeSettings {
    pub name: String,
    /// The practice's ODS code (e.g. "A81001"), when known.
    pub ods_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub waiting: WaitThresholds,
    /// Working days after which an unfiled result is overdue.
    pub results_overdue_days: i64,
    /// Whether the call screen chimes when a patient is called.
    #[serde(default)]
    pub call_chime: bool,
    pub version: i64,
}

/// What the waiting-room call screen needs besides the calls: the
/// practice's name and whether it chimes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallScreenInfo {
    pub practice_name: String,
    pub chime: bool,
}

/// The settings form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsForm {
    pub name: String,
    pub ods_code: String,
    pub address: String,
    pub phone: String,
    pub wait_amber_minutes: String,
    pub wait_red_minutes: String,
    pub results_overdue_days: String,
    /// A ticked box ("on"): the call screen chimes.
    #[serde(default)]
    pub call_chime: String,
}

fn whole(
    field: &'static str,
    text: &str,
    low: i64,
    high: i64,
    what: &str,
) -> Result<i64, (&'static str, String)> {
    match text.trim().parse::<i64>() {
        Ok(n) if (low..=high).contains(&n) => Ok(n),
        _ => Err((
            field,
            format!("Enter {what} as a whole number from {low} to {high}."),
        )),
    }
}

fn one_line(text: &str, max: usize) -> bool {
    text.chars().count() <= max && !text.chars().any(char::is_control)
}

impl SettingsForm {
    /// The settings this form asks for (at `version`), or every field's
    /// refusal at once.
    pub fn validate(&self, version: i64) -> Result<PracticeSettings, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_string();
        if name.is_empty() || !one_line(&name, 100) {
            errors.push((
                "name",
                "Enter the practice's name, on one line (at most 100 characters).".to_string(),
            ));
        }
        let ods = self.ods_code.trim().to_ascii_uppercase();
        let ods_ok = (3..=6).contains(&ods.len()) && ods.chars().all(|c| c.is_ascii_alphanumeric());
        if !ods.is_empty() && !ods_ok {
            errors.push((
                "ods_code",
                "An ODS code is 3 to 6 letters and digits, like A81001. Leave it empty if you do not know it.".to_string(),
            ));
        }
        let address = self.address.trim().to_string();
        if address.chars().count() > 300 {
            errors.push((
                "address",
                "Keep the address under 300 characters.".to_string(),
            ));
        }
        let phone = self.phone.trim().to_string();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !phone.is_empty()
            && (!(10..=15).contains(&digits)
                || !phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-')))
        {
            errors.push((
                "phone",
                "Enter a phone number of 10 to 15 digits, like 0161 496 0000.".to_string(),
            ));
        }
        let amber = whole(
            "wait_amber_minutes",
            &self.wait_amber_minutes,
            1,
            600,
            "the minutes",
        );
        let red = whole(
            "wait_red_minutes",
            &self.wait_red_minutes,
            2,
            600,
            "the minutes",
        );
        match (&amber, &red) {
            (Ok(a), Ok(r)) if r <= a => errors.push((
                "wait_red_minutes",
                format!("A wait turns red after it has turned amber: enter more than {a} minutes."),
            )),
            _ => {}
        }
        let overdue = whole(
            "results_overdue_days",
            &self.results_overdue_days,
            1,
            30,
            "the working days",
        );
        for e in [&amber, &red, &overdue]
            .into_iter()
            .filter_map(|r| r.as_ref().err())
        {
            errors.push(e.clone());
        }
        match (amber, red, overdue) {
            (Ok(amber_minutes), Ok(red_minutes), Ok(results_overdue_days)) if errors.is_empty() => {
                Ok(PracticeSettings {
                    name,
                    ods_code: (!ods.is_empty()).then_some(ods),
                    address: (!address.is_empty()).then_some(address),
                    phone: (!phone.is_empty()).then_some(phone),
                    waiting: WaitThresholds {
                        amber_minutes,
                        red_minutes,
                    },
                    results_overdue_days,
                    call_chime: !self.call_chime.trim().is_empty(),
                    version,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SettingsForm {
        SettingsForm {
            name: " Riverside Surgery ".into(),
            ods_code: "a81001".into(),
            address: "1 River Lane, Riverside".into(),
            phone: "0161 496 0000".into(),
            wait_amber_minutes: "15".into(),
            wait_red_minutes: "30".into(),
            results_overdue_days: "2".into(),
            call_chime: String::new(),
        }
    }

    #[test]
    fn a_good_form_becomes_settings() {
        let s = form().validate(3).unwrap();
        assert_eq!(s.name, "Riverside Surgery");
        assert_eq!(s.ods_code.as_deref(), Some("A81001"));
        assert_eq!((s.waiting.amber_minutes, s.waiting.red_minutes), (15, 30));
        assert_eq!((s.results_overdue_days, s.version), (2, 3));
        assert!(!s.call_chime, "an unticked box");
        let chiming = SettingsForm {
            call_chime: "on".into(),
            ..form()
        };
        assert!(chiming.validate(3).unwrap().call_chime);
        let blank = SettingsForm {
            ods_code: " ".into(),
            phone: String::new(),
            ..form()
        };
        let s = blank.validate(1).unwrap();
        assert_eq!((s.ods_code, s.phone), (None, None));
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: Vec<(SettingsForm, &str)> = vec![
            (
                SettingsForm {
                    name: "  ".into(),
                    ..form()
                },
                "name",
            ),
            (
                SettingsForm {
                    ods_code: "A8-1001".into(),
                    ..form()
                },
                "ods_code",
            ),
            (
                SettingsForm {
                    ods_code: "A810012".into(),
                    ..form()
                },
                "ods_code",
            ),
            (
                SettingsForm {
                    phone: "999".into(),
                    ..form()
                },
                "phone",
            ),
            (
                SettingsForm {
                    phone: "0161 496 000x".into(),
                    ..form()
                },
                "phone",
            ),
            (
                SettingsForm {
                    wait_amber_minutes: "0".into(),
                    ..form()
                },
                "wait_amber_minutes",
            ),
            (
                SettingsForm {
                    wait_amber_minutes: "ten".into(),
                    ..form()
                },
                "wait_amber_minutes",
            ),
            (
                SettingsForm {
                    wait_red_minutes: "15".into(),
                    ..form()
                },
                "wait_red_minutes",
            ),
            (
                SettingsForm {
                    results_overdue_days: "31".into(),
                    ..form()
                },
                "results_overdue_days",
            ),
        ];
        for (f, field) in cases {
            let errors = f.validate(1).unwrap_err();
            assert_eq!(
                errors.iter().map(|e| e.0).collect::<Vec<_>>(),
                vec![field],
                "{f:?}"
            );
        }
    }
}
