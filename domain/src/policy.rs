//! Who may see and write which part of a patient's record: one table, used
//! by every server function that touches patient data. Anything outside a
//! role's access, or in another practice, answers as not found (the caller
//! does not learn that it exists).

use crate::Role;
use serde::{Deserialize, Serialize};

/// The kinds of patient data the policy distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// Name, date of birth, sex and gender, address, contact, NHS number,
    /// usual GP, registration.
    Demographics,
    Appointments,
    /// Allergy alerts, shown in the banner on every patient page.
    Alerts,
    Tasks,
    /// Consultations (their text), problems, medications, observations.
    ClinicalRecord,
    /// Who accessed what, when.
    AuditLog,
}

impl DataKind {
    pub const ALL: [DataKind; 6] = [
        DataKind::Demographics,
        DataKind::Appointments,
        DataKind::Alerts,
        DataKind::Tasks,
        DataKind::ClinicalRecord,
        DataKind::AuditLog,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DataKind::Demographics => "demographics",
            DataKind::Appointments => "appointments",
            DataKind::Alerts => "alerts",
            DataKind::Tasks => "tasks",
            DataKind::ClinicalRecord => "clinical_record",
            DataKind::AuditLog => "audit_log",
        }
    }
}

/// How far a role may go with a kind of data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Access {
    None,
    Read,
    Write,
}

/// The table. Reception registers and books patients and raises tasks but
/// does not see consultation text; GPs and nurses see and write the
/// clinical record; admin sees demographics, tasks and the audit log.
pub fn access(role: Role, kind: DataKind) -> Access {
    use Access::*;
    use DataKind as K;
    match (role, kind) {
        (Role::Reception, K::Demographics | K::Appointments | K::Tasks) => Write,
        (Role::Reception, K::Alerts) => Read,
        (Role::Reception, K::ClinicalRecord | K::AuditLog) => None,
        (Role::Gp | Role::Nurse, K::AuditLog) => None,
        (Role::Gp | Role::Nurse, K::Demographics) => Read,
        (Role::Gp | Role::Nurse, _) => Write,
        (Role::Admin, K::Demographics | K::Appointments) => Read,
        (Role::Admin, K::Tasks) => Write,
        (Role::Admin, K::AuditLog) => Read,
        (Role::Admin, K::Alerts | K::ClinicalRecord) => None,
        // The deployment's operator sees no patient data at all.
        (Role::ServiceAdmin, _) => None,
    }
}

/// May a member of staff (`role` in `staff_practice`) have `wanted` access
/// to `kind` of data about a patient of `patient_practice`?
pub fn allows(
    role: Role,
    staff_practice: &str,
    kind: DataKind,
    patient_practice: &str,
    wanted: Access,
) -> bool {
    !staff_practice.is_empty()
        && staff_practice == patient_practice
        && wanted != Access::None
        && access(role, kind) >= wanted
}

/// Who creates and revokes the waiting-room call screen's display links:
/// reception and the admin team.
pub fn manages_display_links(role: Role) -> bool {
    matches!(role, Role::Reception | Role::Admin)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table, spelled out: every role × every kind.
    #[test]
    fn the_table_is_what_the_practice_agreed() {
        use Access::*;
        let expected = [
            // demographics, appointments, alerts, tasks, clinical, audit
            (Role::Reception, [Write, Write, Read, Write, None, None]),
            (Role::Gp, [Read, Write, Write, Write, Write, None]),
            (Role::Nurse, [Read, Write, Write, Write, Write, None]),
            (Role::Admin, [Read, Read, None, Write, None, Read]),
            (Role::ServiceAdmin, [None, None, None, None, None, None]),
        ];
        for (role, row) in expected {
            for (kind, want) in DataKind::ALL.into_iter().zip(row) {
                assert_eq!(access(role, kind), want, "{role:?} × {kind:?}");
            }
        }
    }

    /// Every role × every kind × own or another practice × read or write.
    #[test]
    fn another_practice_gets_nothing_and_write_implies_read() {
        for role in Role::ALL {
            for kind in DataKind::ALL {
                for wanted in [Access::Read, Access::Write] {
                    assert!(
                        !allows(role, "p1", kind, "p2", wanted),
                        "{role:?} {kind:?} {wanted:?} across practices"
                    );
                    assert_eq!(
                        allows(role, "p1", kind, "p1", wanted),
                        access(role, kind) >= wanted,
                        "{role:?} {kind:?} {wanted:?}"
                    );
                }
                if allows(role, "p1", kind, "p1", Access::Write) {
                    assert!(allows(role, "p1", kind, "p1", Access::Read));
                }
                assert!(!allows(role, "p1", kind, "p1", Access::None));
                assert!(
                    !allows(role, "", kind, "", Access::Read),
                    "no practice, no access"
                );
            }
        }
    }

    #[test]
    fn reception_never_sees_consultation_text_and_only_admin_reads_the_audit() {
        assert!(!allows(
            Role::Reception,
            "p",
            DataKind::ClinicalRecord,
            "p",
            Access::Read
        ));
        for role in Role::ALL {
            assert_eq!(
                allows(role, "p", DataKind::AuditLog, "p", Access::Read),
                role == Role::Admin
            );
        }
    }
}
