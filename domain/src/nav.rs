//! The areas of the app and which roles may use each: the single table the
//! navigation, the pages and the server functions all consult.

use crate::Role;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Area {
    /// A clinician's own day list.
    MyDay,
    WaitingRoom,
    Appointments,
    Patients,
    Tasks,
    /// Laboratory results: clinicians' inboxes; the Unmatched list for
    /// everyone who matches reports to patients.
    Results,
    Admin,
    /// The deployment's practices (the operator's only area).
    Practices,
}

impl Area {
    pub const ALL: [Area; 8] = [
        Area::MyDay,
        Area::WaitingRoom,
        Area::Appointments,
        Area::Patients,
        Area::Tasks,
        Area::Results,
        Area::Admin,
        Area::Practices,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Area::MyDay => "My day",
            Area::WaitingRoom => "Waiting room",
            Area::Appointments => "Appointments",
            Area::Patients => "Patients",
            Area::Tasks => "Tasks",
            Area::Results => "Results",
            Area::Admin => "Admin",
            Area::Practices => "Practices",
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Area::MyDay => "/my-day",
            Area::WaitingRoom => "/waiting-room",
            Area::Appointments => "/appointments",
            Area::Patients => "/patients",
            Area::Tasks => "/tasks",
            Area::Results => "/results",
            Area::Admin => "/admin",
            Area::Practices => "/operator/practices",
        }
    }

    /// Reception and clinicians run the day (waiting room); the admin team
    /// manages the practice (admin) but does not work the front desk; the
    /// deployment's operator sees only its practices, no practice's work.
    pub fn allows(self, role: Role) -> bool {
        match self {
            Area::MyDay => role.is_clinician(),
            Area::WaitingRoom => matches!(role, Role::Reception | Role::Gp | Role::Nurse),
            Area::Appointments | Area::Patients | Area::Tasks | Area::Results => {
                role != Role::ServiceAdmin
            }
            Area::Admin => role == Role::Admin,
            Area::Practices => role == Role::ServiceAdmin,
        }
    }

    pub fn for_role(role: Role) -> Vec<Area> {
        Area::ALL.into_iter().filter(|a| a.allows(role)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_sees_admin_and_admin_does_not_work_the_desk() {
        assert_eq!(
            Area::for_role(Role::Admin),
            vec![
                Area::Appointments,
                Area::Patients,
                Area::Tasks,
                Area::Results,
                Area::Admin
            ]
        );
        for r in [Role::Reception, Role::Gp, Role::Nurse] {
            assert!(!Area::Admin.allows(r));
            assert!(Area::WaitingRoom.allows(r));
        }
        assert_eq!(Area::for_role(Role::ServiceAdmin), vec![Area::Practices]);
        for r in Role::PRACTICE {
            assert!(!Area::Practices.allows(r));
        }
    }
}
