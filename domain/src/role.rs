//! Staff roles. What each role may use is decided here and nowhere else
//! (see `nav::Area`), so the UI and the server agree.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Reception,
    Gp,
    Nurse,
    Admin,
    /// The deployment's operator: creates practices and their first
    /// admins; belongs to no practice and sees no patient data.
    ServiceAdmin,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Unknown role \"{0}\": use reception, gp, nurse, admin or service_admin")]
pub struct RoleError(pub String);

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Reception,
        Role::Gp,
        Role::Nurse,
        Role::Admin,
        Role::ServiceAdmin,
    ];

    /// The roles a practice's staff can have (a practice admin gives these;
    /// the operator role is the deployment's).
    pub const PRACTICE: [Role; 4] = [Role::Reception, Role::Gp, Role::Nurse, Role::Admin];

    /// The stored and command-line spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reception => "reception",
            Role::Gp => "gp",
            Role::Nurse => "nurse",
            Role::Admin => "admin",
            Role::ServiceAdmin => "service_admin",
        }
    }

    /// How the role is shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Reception => "Receptionist",
            Role::Gp => "GP",
            Role::Nurse => "Nurse",
            Role::Admin => "Practice admin",
            Role::ServiceAdmin => "Service operator",
        }
    }

    pub fn is_clinician(self) -> bool {
        matches!(self, Role::Gp | Role::Nurse)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = RoleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| RoleError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert_eq!(" GP ".parse::<Role>(), Ok(Role::Gp));
        assert!("doctor"
            .parse::<Role>()
            .unwrap_err()
            .to_string()
            .contains("doctor"));
    }
}
