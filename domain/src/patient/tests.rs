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
