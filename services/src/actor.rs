//! Who is asking. Every door resolves its caller to an `Actor`: a member
//! of staff from a session, or an API client from a bearer token. Both
//! belong to one practice; a service decides what either may do, through
//! the role table for staff and the client's scopes for a client.

use crate::{Result, ServiceError};
use domain::policy::{allows, Access, DataKind};
use domain::scopes::{kind_of, Interaction, Kind, Scopes};
use domain::{ApiClientId, Area, PracticeId, Role, StaffId};
use store::{PracticeStore, Store};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub practice: PracticeId,
    pub who: Who,
    /// As colleagues see them ("Dr Ann Carter"), or the client's name.
    pub name: String,
    /// Where the request came from, for the audit trail.
    pub address: Option<String>,
}

/// A member of staff in a role, or an API client with its scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    Staff { id: StaffId, role: Role },
    Client { id: ApiClientId, scopes: Scopes },
}

impl Actor {
    /// A member of staff of `practice`.
    pub fn member(
        practice: PracticeId,
        staff: StaffId,
        name: impl Into<String>,
        role: Role,
        address: Option<String>,
    ) -> Actor {
        Actor {
            practice,
            who: Who::Staff { id: staff, role },
            name: name.into(),
            address,
        }
    }

    /// An API client of `practice` with `scopes`.
    pub fn client(
        practice: PracticeId,
        client: ApiClientId,
        name: impl Into<String>,
        scopes: Scopes,
        address: Option<String>,
    ) -> Actor {
        Actor {
            practice,
            who: Who::Client { id: client, scopes },
            name: name.into(),
            address,
        }
    }

    /// The actor's practice's data: the only way a service reaches it.
    pub fn db(&self, store: &Store) -> PracticeStore {
        store.practice(&self.practice)
    }

    /// The member of staff asking: what only a person may do (sign a
    /// consultation, own a task) is refused to an API client.
    pub fn staff_id(&self) -> Result<&StaffId> {
        match &self.who {
            Who::Staff { id, .. } => Ok(id),
            Who::Client { .. } => Err(ServiceError::Forbidden),
        }
    }

    pub fn role(&self) -> Option<Role> {
        match &self.who {
            Who::Staff { role, .. } => Some(*role),
            Who::Client { .. } => None,
        }
    }

    /// May use `area`: staff by the navigation's table; a client when its
    /// scopes reach the data the area shows (never Admin or a day list).
    pub fn require(&self, area: Area) -> Result<()> {
        let allowed = match &self.who {
            Who::Staff { role, .. } => area.allows(*role),
            Who::Client { scopes, .. } => match area {
                Area::Patients => scopes.reaches(DataKind::Demographics, Access::Read),
                Area::Appointments => scopes.reaches(DataKind::Appointments, Access::Read),
                Area::Tasks => scopes.reaches(DataKind::Tasks, Access::Read),
                Area::MyDay | Area::WaitingRoom | Area::Results | Area::Admin | Area::Practices => {
                    false
                }
            },
        };
        if allowed {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// The data policy for a patient of the actor's own practice: the
    /// role table for staff; for a client, a scope reaching that data.
    pub fn may(&self, kind: DataKind, wanted: Access) -> bool {
        match &self.who {
            Who::Staff { role, .. } => {
                let p = self.practice.as_str();
                allows(*role, p, kind, p, wanted)
            }
            Who::Client { scopes, .. } => wanted != Access::None && scopes.reaches(kind, wanted),
        }
    }

    /// May do `interaction` on FHIR `resource`: a client by its scopes;
    /// staff by the role table for the data the resource holds.
    pub fn may_do(&self, resource: &str, interaction: Interaction) -> bool {
        match &self.who {
            Who::Client { scopes, .. } => scopes.allows(resource, interaction),
            Who::Staff { .. } => match kind_of(resource) {
                Some(Kind::Patient(kind)) => self.may(kind, interaction.access()),
                Some(Kind::Practice) => interaction.access() == Access::Read,
                None => false,
            },
        }
    }

    /// Is the actor this member of staff?
    pub fn is(&self, staff: &str) -> bool {
        matches!(&self.who, Who::Staff { id, .. } if id.as_str() == staff)
    }

    /// Who the store records as making a change.
    pub fn by(&self) -> store::By {
        match &self.who {
            Who::Staff { id, .. } => store::By::Staff(id.to_string()),
            Who::Client { id, .. } => store::By::Client(id.to_string()),
        }
    }

    /// Who to name in the audit trail: (staff id, role or client).
    pub(crate) fn audit_names(&self) -> (Option<String>, String) {
        match &self.who {
            Who::Staff { id, role } => (Some(id.as_str().to_string()), role.as_str().to_string()),
            Who::Client { id, .. } => (None, format!("{CLIENT_ROLE_PREFIX}{id}")),
        }
    }
}

/// The audit trail's role for an API client's rows: `api_client:<id>`.
pub const CLIENT_ROLE_PREFIX: &str = "api_client:";
