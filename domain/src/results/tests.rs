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
fn overdue_before_marks_exactly_the_overdue_days() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // Wednesday 2 December, default 2 days: Friday's and the weekend's
    // results are overdue, Monday's are not.
    assert_eq!(overdue_before(d("2026-12-02"), 2), d("2026-11-30"));
    // Every setting the practice may choose, every day of a fortnight as
    // "today", every received day in the ten weeks before: the index's
    // question (received before the date) answers as `is_overdue` does.
    for days in 1..=30 {
        for t in 0..14 {
            let today = d("2026-12-07") + chrono::Duration::days(t);
            let first = overdue_before(today, days);
            for back in 0..70 {
                let received = today - chrono::Duration::days(back);
                assert_eq!(
                    received < first,
                    is_overdue(received, today, days),
                    "received {received}, today {today}, {days} days"
                );
            }
        }
    }
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

/// A minimal well-formed PDF's first and last bytes around `body`.
fn pdf_with(body: &[u8]) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n".to_vec();
    v.extend_from_slice(body);
    v.extend_from_slice(b"\n%%EOF\n");
    v
}

#[test]
fn a_document_is_a_pdf_by_its_content_within_the_size_limit() {
    assert!(document_problem(&pdf_with(b"1 0 obj")).is_none());
    assert!(document_problem(&[]).unwrap().contains("empty"));
    assert!(document_problem(b"GIF89a not a pdf %%EOF")
        .unwrap()
        .contains("not a PDF"));
    // Starts like a PDF but was cut short in transit.
    assert!(document_problem(b"%PDF-1.4\n1 0 obj <<").is_some());
    let mut big = pdf_with(&vec![b' '; MAX_DOCUMENT_BYTES]);
    assert!(document_problem(&big)
        .unwrap()
        .contains("the most accepted is 5 MB"));
    big.truncate(MAX_DOCUMENT_BYTES - 7);
    big.extend_from_slice(b"\n%%EOF\n");
    assert!(document_problem(&big).is_none(), "exactly at the limit");
}

fn letter() -> IncomingReport {
    IncomingReport {
        identifier: "https://hospital.example/letters|L1".into(),
        status: ReportStatus::Final,
        title: "Discharge summary".into(),
        code: None,
        issued: "2026-11-19T16:30:00Z".into(),
        laboratory: "Riverside Hospital".into(),
        requester_id: None,
        requester_name: None,
        patient: sent(),
        analytes: Vec::new(),
        conclusion: None,
        kind: InboxKind::Letter,
        document: Some(pdf_with(b"x")),
    }
}

#[test]
fn a_letter_needs_its_pdf_and_no_results_and_a_report_no_document() {
    assert!(letter().problems().is_empty());
    let mut none = letter();
    none.document = None;
    assert_eq!(none.problems()[0].0, "content");
    let mut sender = letter();
    sender.laboratory = " ".into();
    assert_eq!(sender.problems()[0].0, "author");
    let mut report = letter();
    report.kind = InboxKind::Report;
    let fields: Vec<&str> = report.problems().iter().map(|p| p.0).collect();
    assert!(
        fields.contains(&"content") && fields.contains(&"result"),
        "{fields:?}"
    );
    assert!(!letter().abnormal());
}

#[test]
fn a_letter_is_filed_with_problems_from_the_list_and_one_line() {
    let ok = LetterForm {
        codes: vec!["49436004".into(), " 49436004 ".into(), "".into()],
        summary: " Paroxysmal AF. ".into(),
    }
    .validate()
    .unwrap();
    assert_eq!(
        ok.codes,
        vec![("49436004".to_string(), "Atrial fibrillation".to_string())]
    );
    assert_eq!(ok.summary, "Paroxysmal AF.");
    let fields = |f: LetterForm| -> Vec<&'static str> {
        f.validate().unwrap_err().into_iter().map(|p| p.0).collect()
    };
    // An allergy is not a problem; an unknown id is not on the list.
    for code in ["91936005", "12345678"] {
        assert_eq!(
            fields(LetterForm {
                codes: vec![code.into()],
                summary: "AF".into()
            }),
            ["codes"]
        );
    }
    for summary in ["", "two\nlines", &"x".repeat(201)] {
        assert_eq!(
            fields(LetterForm {
                codes: vec![],
                summary: summary.into()
            }),
            ["summary"]
        );
    }
    let many: Vec<String> = crate::snomed::SUBSET
        .iter()
        .filter(|c| c.kind == crate::clinical::CodeKind::Problem)
        .take(MAX_LETTER_CODES + 1)
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(
        fields(LetterForm {
            codes: many,
            summary: "Many".into()
        }),
        ["codes"]
    );
}
