use super::*;
use crate::clinical::ObservationKind;

fn day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
}

#[test]
fn a_coded_problem_takes_its_preferred_term() {
    let f = ItemForm {
        kind: "problem".into(),
        code: "38341003".into(),
        term: "hypert".into(),
        ..Default::default()
    };
    let v = f.validate(day()).unwrap();
    assert_eq!(v.term, "Hypertensive disorder, systemic arterial");
    assert_eq!(v.since, day());
    assert_eq!(v.dose, None);
}

#[test]
fn a_code_of_the_wrong_kind_or_unknown_is_refused() {
    let allergy_as_problem = ItemForm {
        kind: "problem".into(),
        code: "91936005".into(),
        ..Default::default()
    };
    let e = allergy_as_problem.validate(day()).unwrap_err();
    assert_eq!(e[0].0, "term");
    assert!(e[0].1.contains("not a problem"));
    let made_up = ItemForm {
        kind: "allergy".into(),
        code: "123".into(),
        term: "x".into(),
        ..Default::default()
    };
    assert!(made_up.validate(day()).is_err());
}

#[test]
fn a_medication_needs_name_dose_and_frequency_and_every_error_is_given() {
    let f = ItemForm {
        kind: "medication".into(),
        since: "32/13/2026".into(),
        ..Default::default()
    };
    let fields: Vec<&str> = f.validate(day()).unwrap_err().iter().map(|e| e.0).collect();
    assert_eq!(fields, ["term", "dose", "frequency", "since"]);
    let ok = ItemForm {
        kind: "medication".into(),
        term: "Amlodipine".into(),
        dose: "5 mg".into(),
        frequency: "Once a day".into(),
        since: "01/11/2026".into(),
        ..Default::default()
    };
    let v = ok.validate(day()).unwrap();
    assert_eq!(v.dose.as_deref(), Some("5 mg"));
    let future = ItemForm {
        since: "22/11/2026".into(),
        ..ok
    };
    assert_eq!(future.validate(day()).unwrap_err()[0].0, "since");
    assert!(ItemForm::default().validate(day()).is_err());
}

fn form(obs: &[(&str, &str)]) -> ConsultationForm {
    ConsultationForm {
        observations: obs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    }
}

#[test]
fn a_consultation_checks_its_readings_and_codes() {
    let mut f = form(&[("systolic", "138"), ("diastolic", "86"), ("pulse", "72")]);
    f.codes = vec!["38341003".into(), "38341003".into()];
    let v = f.validate().unwrap();
    assert_eq!(v.entries.len(), 1, "a code picked twice is one entry");
    assert_eq!(
        v.observations,
        vec![
            (ObservationKind::Systolic, 138.0),
            (ObservationKind::Diastolic, 86.0),
            (ObservationKind::Pulse, 72.0)
        ]
    );
    let bad = form(&[("systolic", "138"), ("temperature", "373")]);
    let fields: Vec<&str> = bad.validate().unwrap_err().iter().map(|e| e.0).collect();
    assert_eq!(fields, ["diastolic", "temperature"]);
    let mut unknown = form(&[]);
    unknown.codes = vec!["999".into()];
    assert_eq!(unknown.validate().unwrap_err()[0].0, "codes");
    assert_eq!(form(&[]).validate().unwrap_err()[0].0, "history");
    let mut words = form(&[("weight", " ")]);
    words.plan = "Review in 2 weeks".into();
    assert!(words.validate().unwrap().observations.is_empty());
}

#[test]
fn an_amendment_needs_a_reason() {
    assert_eq!(
        validate_amendment(" ", "a", "b", "c").unwrap_err()[0].0,
        "reason"
    );
    assert!(validate_amendment("Typo in dose", "a", "b", "c").is_ok());
}

#[test]
fn latest_observations_pick_the_newest_of_each_kind() {
    let o = |kind, value, at: &str| Observation {
        id: String::new(),
        kind,
        value,
        at: at.into(),
    };
    let all = vec![
        o(ObservationKind::Weight, 80.0, "2026-01-01T10:00:00Z"),
        o(ObservationKind::Weight, 78.5, "2026-06-01T10:00:00Z"),
        o(ObservationKind::Pulse, 70.0, "2026-03-01T10:00:00Z"),
    ];
    let latest = latest_observations(&all);
    assert_eq!(latest.len(), 2);
    assert_eq!(latest[0].kind, ObservationKind::Pulse);
    assert_eq!(latest[1].value, 78.5);
    assert_eq!(latest[1].text(), "78.5 kg");
}
