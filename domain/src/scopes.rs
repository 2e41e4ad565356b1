//! What an API client may do: SMART on FHIR v2 system scopes, such as
//! `system/Patient.rs` (read and search patients) or
//! `system/Appointment.cruds`. A client's scopes are fixed by the practice
//! admin who registers it; a token may ask for fewer, never more.

use crate::policy::{Access, DataKind};
use std::fmt;

/// The FHIR resource types the API serves, each with the part of a
/// patient's data (or the practice's) it belongs to.
pub const RESOURCES: [(&str, Kind); 18] = [
    ("Patient", Kind::Patient(DataKind::Demographics)),
    ("Organization", Kind::Practice),
    ("Practitioner", Kind::Practice),
    ("PractitionerRole", Kind::Practice),
    ("Location", Kind::Practice),
    ("CareTeam", Kind::Practice),
    ("Schedule", Kind::Patient(DataKind::Appointments)),
    ("Slot", Kind::Patient(DataKind::Appointments)),
    ("Appointment", Kind::Patient(DataKind::Appointments)),
    ("Encounter", Kind::Patient(DataKind::ClinicalRecord)),
    ("Condition", Kind::Patient(DataKind::ClinicalRecord)),
    ("AllergyIntolerance", Kind::Patient(DataKind::Alerts)),
    (
        "MedicationStatement",
        Kind::Patient(DataKind::ClinicalRecord),
    ),
    ("Observation", Kind::Patient(DataKind::ClinicalRecord)),
    ("DiagnosticReport", Kind::Patient(DataKind::ClinicalRecord)),
    ("DocumentReference", Kind::Patient(DataKind::ClinicalRecord)),
    // A letter's PDF, read as the Binary its DocumentReference names.
    ("Binary", Kind::Patient(DataKind::ClinicalRecord)),
    ("Task", Kind::Patient(DataKind::Tasks)),
];

/// Whose data a resource type is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The practice's own description (itself, its staff, its rooms).
    Practice,
    /// A kind of patient data, as the role policy names it.
    Patient(DataKind),
}

/// The resource type's kind, if the API serves it.
pub fn kind_of(resource: &str) -> Option<Kind> {
    RESOURCES
        .iter()
        .find(|(name, _)| *name == resource)
        .map(|(_, k)| *k)
}

/// A FHIR interaction, as a SMART v2 permission letter names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interaction {
    Create,
    Read,
    Update,
    Delete,
    Search,
}

impl Interaction {
    const ORDER: [(char, Interaction); 5] = [
        ('c', Interaction::Create),
        ('r', Interaction::Read),
        ('u', Interaction::Update),
        ('d', Interaction::Delete),
        ('s', Interaction::Search),
    ];

    fn bit(self) -> u8 {
        match self {
            Interaction::Create => 1,
            Interaction::Read => 2,
            Interaction::Update => 4,
            Interaction::Delete => 8,
            Interaction::Search => 16,
        }
    }

    /// Reading or writing, as the role policy counts it.
    pub fn access(self) -> Access {
        match self {
            Interaction::Read | Interaction::Search => Access::Read,
            _ => Access::Write,
        }
    }
}

/// One scope: a resource type (or `*`) and the interactions it allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    resource: String,
    permissions: u8,
}

impl Scope {
    /// `system/Patient.rs`; SMART v1's `.read`, `.write` and `.*` too.
    pub fn parse(text: &str) -> Result<Scope, String> {
        let bad = |why: &str| {
            format!(
                "\"{}\" is not a scope this server grants: {why}.",
                short(text)
            )
        };
        let rest = text.strip_prefix("system/").ok_or_else(|| {
            bad("scopes start with system/ (patient/ and user/ scopes need a person signed in)")
        })?;
        let (resource, perms) = rest.split_once('.').ok_or_else(|| {
            bad("write it as system/Resource.permissions, e.g. system/Patient.rs")
        })?;
        if resource != "*" && kind_of(resource).is_none() {
            return Err(bad("no such resource type here"));
        }
        let permissions = match perms {
            "read" => Interaction::Read.bit() | Interaction::Search.bit(),
            "write" => {
                Interaction::Create.bit() | Interaction::Update.bit() | Interaction::Delete.bit()
            }
            "*" => 31,
            letters => permission_letters(letters)
                .ok_or_else(|| bad("permissions are letters from c, r, u, d, s in that order"))?,
        };
        Ok(Scope {
            resource: resource.to_string(),
            permissions,
        })
    }

    fn covers(&self, resource: &str) -> bool {
        self.resource == "*" || self.resource == resource
    }
}

/// "cruds", or any of its letters in that order, each at most once.
fn permission_letters(letters: &str) -> Option<u8> {
    let mut bits = 0u8;
    let mut next = 0usize;
    for c in letters.chars() {
        let at = Interaction::ORDER[next..]
            .iter()
            .position(|(l, _)| *l == c)?;
        bits |= Interaction::ORDER[next + at].1.bit();
        next += at + 1;
    }
    (bits != 0).then_some(bits)
}

fn short(text: &str) -> String {
    text.chars().take(60).collect()
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letters: String = Interaction::ORDER
            .iter()
            .filter(|(_, i)| self.permissions & i.bit() != 0)
            .map(|(l, _)| *l)
            .collect();
        write!(f, "system/{}.{letters}", self.resource)
    }
}

/// A client's scopes (or a token's).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// Space-separated scopes; at least one, every one valid.
    pub fn parse(text: &str) -> Result<Scopes, String> {
        let scopes = text
            .split_whitespace()
            .map(Scope::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if scopes.is_empty() {
            return Err("Give at least one scope, such as system/Patient.rs.".to_string());
        }
        Ok(Scopes(scopes))
    }

    /// May the holder do `interaction` on `resource`?
    pub fn allows(&self, resource: &str, interaction: Interaction) -> bool {
        self.0
            .iter()
            .any(|s| s.covers(resource) && s.permissions & interaction.bit() != 0)
    }

    /// Does any scope reach `kind` of patient data with `wanted` access?
    pub fn reaches(&self, kind: DataKind, wanted: Access) -> bool {
        RESOURCES.iter().any(|(name, k)| {
            *k == Kind::Patient(kind)
                && Interaction::ORDER
                    .iter()
                    .any(|(_, i)| i.access() >= wanted && self.allows(name, *i))
        })
    }

    /// Is everything `self` allows also allowed by `granted`?
    pub fn within(&self, granted: &Scopes) -> bool {
        self.0.iter().all(|s| {
            let names: Vec<&str> = if s.resource == "*" {
                RESOURCES.iter().map(|(n, _)| *n).collect()
            } else {
                vec![s.resource.as_str()]
            };
            names.into_iter().all(|n| {
                Interaction::ORDER
                    .iter()
                    .all(|(_, i)| s.permissions & i.bit() == 0 || granted.allows(n, *i))
            })
        })
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(Scope::to_string).collect();
        f.write_str(&parts.join(" "))
    }
}

/// A registered API client as the admin page lists it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApiClientInfo {
    pub id: crate::ApiClientId,
    pub name: String,
    pub scopes: String,
    pub active: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// A client's credentials, shown once: when registered, or given a new
/// secret.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApiCredentials {
    pub id: crate::ApiClientId,
    pub secret: String,
    pub scopes: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_as_smart_writes_them() {
        let s = Scopes::parse("system/Patient.rs system/Appointment.cruds").unwrap();
        assert!(s.allows("Patient", Interaction::Read));
        assert!(s.allows("Patient", Interaction::Search));
        assert!(!s.allows("Patient", Interaction::Update));
        assert!(s.allows("Appointment", Interaction::Create));
        assert!(!s.allows("Observation", Interaction::Read));
        assert_eq!(s.to_string(), "system/Patient.rs system/Appointment.cruds");
        let v1 = Scopes::parse("system/Observation.read system/*.write").unwrap();
        assert!(v1.allows("Observation", Interaction::Search));
        assert!(v1.allows("Task", Interaction::Update));
        assert!(!v1.allows("Task", Interaction::Read));
    }

    #[test]
    fn malformed_scopes_are_refused_with_the_reason() {
        for bad in [
            "",
            "patient/Patient.rs",
            "system/Patient",
            "system/Patient.sr",
            "system/Patient.rr",
            "system/Patient.x",
            "system/Banana.rs",
            "system/Patient.",
        ] {
            assert!(Scopes::parse(bad).is_err(), "{bad:?} accepted");
        }
        let e = Scopes::parse("system/Banana.rs").unwrap_err();
        assert!(e.contains("no such resource type"), "{e}");
    }

    #[test]
    fn a_token_may_ask_for_less_never_more() {
        let granted = Scopes::parse("system/Patient.rs system/Appointment.cruds").unwrap();
        assert!(Scopes::parse("system/Patient.r").unwrap().within(&granted));
        assert!(Scopes::parse("system/Appointment.cu")
            .unwrap()
            .within(&granted));
        assert!(!Scopes::parse("system/Patient.u").unwrap().within(&granted));
        assert!(!Scopes::parse("system/*.r").unwrap().within(&granted));
        let all = Scopes::parse("system/*.cruds").unwrap();
        assert!(Scopes::parse("system/*.rs").unwrap().within(&all));
    }

    #[test]
    fn scopes_reach_the_kinds_of_data_the_policy_names() {
        let s = Scopes::parse("system/Patient.rs system/Observation.c").unwrap();
        assert!(s.reaches(DataKind::Demographics, Access::Read));
        assert!(!s.reaches(DataKind::Demographics, Access::Write));
        assert!(s.reaches(DataKind::ClinicalRecord, Access::Write));
        assert!(!s.reaches(DataKind::Appointments, Access::Read));
        assert!(!s.reaches(DataKind::AuditLog, Access::Read));
    }
}
