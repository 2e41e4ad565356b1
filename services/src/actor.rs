//! Who is asking. Every door resolves its caller to an `Actor` (a member
//! of staff from a session today; an API client later) and hands it to a
//! service, which decides what the actor may do.

use crate::{Result, ServiceError};
use domain::policy::{allows, Access, DataKind};
use domain::{Area, PracticeId, Role, StaffId};
use store::{PracticeStore, Store};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub practice: PracticeId,
    pub staff: StaffId,
    /// As colleagues see them ("Dr Ann Carter").
    pub name: String,
    pub role: Role,
    /// Where the request came from, for the audit trail.
    pub address: Option<String>,
}

impl Actor {
    /// The actor's practice's data: the only way a service reaches it.
    pub fn db(&self, store: &Store) -> PracticeStore {
        store.practice(&self.practice)
    }

    /// The actor's role may use `area` (the navigation's table).
    pub fn require(&self, area: Area) -> Result<()> {
        if area.allows(self.role) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// The role × data policy for a patient of the actor's own practice.
    pub fn may(&self, kind: DataKind, wanted: Access) -> bool {
        let p = self.practice.as_str();
        allows(self.role, p, kind, p, wanted)
    }

    pub fn is(&self, staff: &str) -> bool {
        self.staff.as_str() == staff
    }
}
