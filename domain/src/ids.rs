//! Typed identifiers and the record `Version`: a patient id cannot be
//! passed where a task id is wanted, and a version is not just a number.
//! On the wire each is its plain string (or integer), so forms and JSON
//! carry them as before.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }

            pub fn is_empty(&self) -> bool {
                self.0.trim().is_empty()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_string())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self(s.to_string()))
            }
        }
    };
}

id_type!(
    /// A practice: the tenant every other record belongs to.
    PracticeId
);
id_type!(PatientId);
id_type!(AppointmentId);
id_type!(TaskId);
id_type!(
    /// A member of staff.
    StaffId
);
id_type!(TeamId);
id_type!(
    /// A clinic session (a clinician in a room on a date, in slots).
    ClinicSessionId
);
id_type!(RoomId);
id_type!(
    /// A problem, allergy or medication on a patient's record.
    RecordItemId
);
id_type!(ConsultationId);
id_type!(DisplayLinkId);
id_type!(
    /// A registered API client (its public client id).
    ApiClientId
);

/// A mutable record's version: every change names the version it read,
/// and a stale one is refused rather than silently applied.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Version(pub i64);

impl Version {
    pub fn get(self) -> i64 {
        self.0
    }

    pub fn next(self) -> Version {
        Version(self.0 + 1)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<i64> for Version {
    fn from(v: i64) -> Self {
        Version(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_versions_are_plain_on_the_wire() {
        let id = TaskId::new("abc");
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""abc""#);
        assert_eq!(serde_json::from_str::<TaskId>(r#""abc""#).unwrap(), id);
        assert_eq!(serde_json::to_string(&Version(7)).unwrap(), "7");
        assert_eq!(Version(7).next(), Version(8));
        assert!(PatientId::new("  ").is_empty());
    }
}
