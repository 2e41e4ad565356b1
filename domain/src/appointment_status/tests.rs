use super::*;
use proptest::prelude::*;

#[test]
fn the_usual_day_goes_booked_to_left() {
    let mut s = Status::Booked;
    for a in [
        Action::MarkArrived,
        Action::SendIn { quiet: false },
        Action::StartConsultation,
        Action::Finish,
        Action::MarkLeft,
    ] {
        s = s.apply(a).unwrap();
    }
    assert_eq!(s, Status::Left);
    assert!(s.is_final());
}

#[test]
fn impossible_moves_are_refused_with_a_clear_message() {
    let e = Status::Cancelled.apply(Action::MarkArrived).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Cannot mark as arrived: the appointment is cancelled."
    );
    let e = Status::Booked.apply(Action::Finish).unwrap_err();
    assert_eq!(e.to_string(), "Cannot finish: the appointment is booked.");
    assert!(
        Status::Finished.apply(Action::Cancel).is_err(),
        "a finished appointment cannot be cancelled"
    );
    assert!(Status::InConsultation
        .apply(Action::MarkDidNotAttend)
        .is_err());
}

#[test]
fn action_names_round_trip() {
    for a in Action::ALL {
        assert_eq!(Action::parse(a.as_str()), Some(a));
        let wire = serde_json::to_string(&a).unwrap();
        assert_eq!(wire, format!("\"{}\"", a.as_str()));
        assert_eq!(serde_json::from_str::<Action>(&wire).unwrap(), a);
    }
    assert!(serde_json::from_str::<Action>("\"explode\"").is_err());
    assert_eq!(Action::parse("delete_everything"), None);
}

#[test]
fn clinicians_act_on_their_own_list_and_admin_not_at_all() {
    for a in Action::ALL {
        assert!(!a.allowed_for(Role::Admin, true));
        assert!(a.allowed_for(Role::Gp, true) && a.allowed_for(Role::Nurse, true));
        assert!(!a.allowed_for(Role::Gp, false) && !a.allowed_for(Role::Nurse, false));
    }
    assert!(Action::MarkArrived.allowed_for(Role::Reception, false));
    assert!(!Action::StartConsultation.allowed_for(Role::Reception, false));
    assert!(!Action::Finish.allowed_for(Role::Reception, true));
}

#[test]
fn only_reception_changes_any_list_clinicians_their_own_and_admin_none() {
    for change in BookChange::ALL {
        for own in [true, false] {
            assert!(change.allowed_for(Role::Reception, own));
            assert!(!change.allowed_for(Role::Admin, own));
            assert_eq!(change.allowed_for(Role::Gp, own), own);
            assert_eq!(change.allowed_for(Role::Nurse, own), own);
        }
    }
}

#[test]
fn only_a_non_quiet_send_in_reaches_the_call_screen() {
    assert!(Action::SendIn { quiet: false }.shows_on_call_screen());
    assert!(!Action::SendIn { quiet: true }.shows_on_call_screen());
    assert!(
        Action::ALL
            .iter()
            .filter(|a| a.shows_on_call_screen())
            .count()
            == 1
    );
}

#[test]
fn stored_names_round_trip_and_fhir_codes_are_valid() {
    let fhir = super::FHIR_STATUSES;
    for s in Status::ALL {
        assert_eq!(Status::parse(s.as_str()), Some(s));
        assert!(fhir.contains(&s.fhir()), "{s:?}");
    }
    assert_eq!(Status::parse("nonsense"), None);
}

fn action() -> impl Strategy<Value = Action> {
    proptest::sample::select(Action::ALL.to_vec())
}

proptest! {
    #[test]
    fn final_statuses_accept_nothing(a in action()) {
        prop_assert!(Status::Left.apply(a).is_err());
        prop_assert!(Status::Cancelled.apply(a).is_err());
    }

    #[test]
    fn any_sequence_keeps_the_rules(actions in proptest::collection::vec(action(), 0..40)) {
        let mut s = Status::Booked;
        let mut consulted = false;
        for a in actions {
            match s.apply(a) {
                Ok(next) => {
                    // Finished only ever follows a consultation.
                    if next == Status::Finished {
                        prop_assert_eq!(s, Status::InConsultation);
                    }
                    // A cancelled appointment was never seen.
                    if next == Status::Cancelled {
                        prop_assert!(!consulted);
                    }
                    consulted |= next == Status::InConsultation;
                    s = next;
                }
                Err(e) => {
                    // A refusal changes nothing and names where we were.
                    prop_assert_eq!(e.from, s);
                }
            }
        }
        prop_assert_eq!(s.holds_slot(), s != Status::Cancelled);
    }
}
