use super::*;
use chrono::NaiveDate;
use proptest::prelude::*;

fn candidate(practice: &str) -> Candidate {
    Candidate {
        id: "p1".into(),
        practice: practice.into(),
        nhs_number: "9000000009".into(),
        family: "O'Brien".into(),
        birth_date: "1961-04-12".into(),
    }
}

fn sent() -> Demographics {
    Demographics {
        nhs_number: "900 000 0009".into(),
        family: "o’brien ".into(),
        given: "Mary".into(),
        birth_date: "1961-04-12".into(),
    }
}

#[test]
fn all_three_agreeing_matches_whatever_the_spacing_case_or_apostrophe() {
    assert_eq!(
        match_patient(&sent(), "riverside", &[candidate("riverside")]),
        Match::Matched("p1".into())
    );
}

#[test]
fn each_disagreement_is_unmatched_with_its_reason() {
    let c = [candidate("riverside")];
    let mut d = sent();
    d.birth_date = "1961-04-13".into();
    assert_eq!(
        match_patient(&d, "riverside", &c),
        Match::Unmatched("The date of birth differs from the registered patient's.".into())
    );
    let mut d = sent();
    d.family = "Brien".into();
    assert!(
        matches!(match_patient(&d, "riverside", &c), Match::Unmatched(r) if r.contains("family name"))
    );
    let mut d = sent();
    d.nhs_number = "9000000008".into();
    assert!(
        matches!(match_patient(&d, "riverside", &c), Match::Unmatched(r) if r.contains("not valid"))
    );
    let mut d = sent();
    d.nhs_number = String::new();
    assert!(matches!(
        match_patient(&d, "riverside", &c),
        Match::Unmatched(_)
    ));
}

proptest! {
    /// Any change to the NHS number, the date of birth or the family name
    /// leaves the report unmatched.
    #[test]
    fn any_mismatch_is_unmatched(
        which in 0usize..3,
        nhs in "[0-9]{10}",
        day in 1u32..=28,
        family in "[A-Za-z][A-Za-z '-]{0,20}",
    ) {
        let c = candidate("riverside");
        let mut d = sent();
        match which {
            0 => d.nhs_number = nhs.clone(),
            1 => d.birth_date = format!("1961-04-{day:02}"),
            _ => d.family = family.clone(),
        }
        let agrees = match which {
            0 => NhsNumber::parse(&nhs).map(|n| n.digits()) == Ok(c.nhs_number.clone()),
            1 => d.birth_date == c.birth_date,
            _ => same_family_name(&family, &c.family),
        };
        let got = match_patient(&d, "riverside", &[c]);
        if agrees {
            prop_assert_eq!(got, Match::Matched("p1".into()));
        } else {
            prop_assert!(matches!(got, Match::Unmatched(_)));
        }
    }

    /// Never matched to a patient of another practice, however well the
    /// demographics agree.
    #[test]
    fn never_another_practices_patient(other in "[a-z]{1,12}") {
        prop_assume!(other != "riverside");
        let got = match_patient(&sent(), "riverside", &[candidate(&other)]);
        prop_assert!(matches!(got, Match::Unmatched(_)));
    }
}

use crate::NhsNumber;

#[test]
fn flags_come_from_the_interpretation_or_the_range() {
    assert_eq!(
        Flag::from_range(Some(53.0), Some(20.0), Some(41.0)),
        Flag::High
    );
    assert_eq!(Flag::from_range(Some(3.0), Some(3.5), Some(5.3)), Flag::Low);
    assert_eq!(
        Flag::from_range(Some(41.0), Some(20.0), Some(41.0)),
        Flag::Normal
    );
    assert_eq!(Flag::from_range(None, Some(20.0), Some(41.0)), Flag::Normal);
    assert_eq!(Flag::from_interpretation("HH"), Some(Flag::High));
    assert_eq!(Flag::from_interpretation("POS"), Some(Flag::Abnormal));
    assert_eq!(Flag::from_interpretation("Z"), None);
}

#[test]
fn working_days_skip_weekends() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // Friday → Monday is one working day; Friday → next Friday five.
    assert_eq!(working_days_between(d("2026-11-27"), d("2026-11-30")), 1);
    assert_eq!(working_days_between(d("2026-11-27"), d("2026-12-04")), 5);
    assert_eq!(working_days_between(d("2026-11-30"), d("2026-11-30")), 0);
    // Received Friday, default 2 days: overdue on Wednesday, not Tuesday.
    assert!(!is_overdue(d("2026-11-27"), d("2026-12-01"), 2));
    assert!(is_overdue(d("2026-11-27"), d("2026-12-02"), 2));
}

#[test]
fn an_action_outcome_raises_a_task_and_urgent_is_urgent() {
    assert_eq!(Outcome::Normal.task("HbA1c"), None);
    assert_eq!(
        Outcome::UrgentAppointment.task("HbA1c"),
        Some(("Book an urgent appointment: HbA1c result".into(), true))
    );
    assert_eq!(Outcome::RepeatTest.task("U&E").map(|t| t.1), Some(false));
    for o in Outcome::ALL {
        assert_eq!(Outcome::parse(o.as_str()), Some(o));
    }
}

#[test]
fn ranges_and_values_read_as_a_clinician_writes_them() {
    let a = Analyte {
        code: "http://loinc.org|4548-4".into(),
        display: "HbA1c".into(),
        value: Some(53.0),
        text: None,
        unit: "mmol/mol".into(),
        low: Some(20.0),
        high: Some(41.0),
        flag: Flag::High,
    };
    assert_eq!(a.value_label(), "53 mmol/mol");
    assert_eq!(a.range_label(), "20–41");
    assert_eq!(a.problem(), None);
    let upside = Analyte {
        low: Some(50.0),
        ..a.clone()
    };
    assert!(upside.problem().unwrap().contains("upside down"));
    let empty = Analyte { value: None, ..a };
    assert!(empty.problem().unwrap().contains("no value"));
}
