//! Who works at the demo practice, its teams and its rooms.

use domain::Role;

pub(super) struct StaffSpec {
    pub(super) username: &'static str,
    pub(super) name: &'static str,
    pub(super) role: Role,
    pub(super) teams: &'static [&'static str],
}

pub(super) const STAFF: &[StaffSpec] = &[
    StaffSpec {
        username: "gp",
        name: "Dr Aisha Khan",
        role: Role::Gp,
        teams: &["Clinical"],
    },
    StaffSpec {
        username: "gp2",
        name: "Dr Samuel Patel",
        role: Role::Gp,
        teams: &["Clinical"],
    },
    StaffSpec {
        username: "gp3",
        name: "Dr Joanna Morgan",
        role: Role::Gp,
        teams: &["Clinical"],
    },
    StaffSpec {
        username: "gp4",
        name: "Dr Emeka Okafor",
        role: Role::Gp,
        teams: &["Clinical"],
    },
    StaffSpec {
        username: "nurse",
        name: "Nurse Bethan Hughes",
        role: Role::Nurse,
        teams: &["Clinical"],
    },
    StaffSpec {
        username: "nurse2",
        name: "Nurse Tom Fletcher",
        role: Role::Nurse,
        teams: &["Clinical"],
    },
    StaffSpec {
        username: "reception",
        name: "Rachel Green",
        role: Role::Reception,
        teams: &["Reception"],
    },
    StaffSpec {
        username: "reception2",
        name: "Imran Ali",
        role: Role::Reception,
        teams: &["Reception", "Prescriptions"],
    },
    StaffSpec {
        username: "reception3",
        name: "Grace O'Neill",
        role: Role::Reception,
        teams: &["Reception"],
    },
    StaffSpec {
        username: "admin",
        name: "Helen Carter",
        role: Role::Admin,
        teams: &["Admin", "Prescriptions"],
    },
    StaffSpec {
        username: "admin2",
        name: "David Boateng",
        role: Role::Admin,
        teams: &["Admin", "Prescriptions"],
    },
];
pub(super) const TEAMS: [&str; 4] = ["Reception", "Prescriptions", "Admin", "Clinical"];
pub(super) const ROOMS: [&str; 6] = [
    "Room 1",
    "Room 2",
    "Room 3",
    "Room 4",
    "Treatment room",
    "Nurse room",
];
