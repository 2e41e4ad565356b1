//! Staff accounts: the first accounts of a deployment, created by the
//! operator at the command line (`openpractice admin create-user`), and
//! (`admin`) the practice's own admins running the rest from the Admin
//! pages. The rules for an account live here, for every door.

pub mod admin;

use crate::{Result, ServiceError};
use domain::{PracticeId, Role, Username};
use store::practice::Practice;
use store::staff::{hash_password, NewStaff, Staff};
use store::{Store, StoreError};

/// A new account as the operator typed it.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub role: String,
    pub username: String,
    pub name: String,
}

/// What was checked of a new account before anything is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAccount {
    pub role: Role,
    pub username: Username,
    pub name: String,
}

/// A role a practice's member of staff may have: the operator role is the
/// deployment's, never given inside a practice.
pub(crate) fn practice_role(text: &str) -> Result<Role> {
    let role: Role = text
        .parse()
        .map_err(|e: domain::RoleError| ServiceError::field("role", e.to_string()))?;
    if role == Role::ServiceAdmin {
        return Err(ServiceError::field(
            "role",
            "A practice's staff are reception, GP, nurse or practice admin; the service operator is created with `openpractice admin create-operator`.",
        ));
    }
    Ok(role)
}

/// Checks an account's fields and password; every refusal names the field.
pub fn validate(account: &NewAccount, password: &str) -> Result<ValidAccount> {
    let role = practice_role(&account.role)?;
    let username = Username::parse(&account.username)
        .map_err(|e| ServiceError::field("username", e.to_string()))?;
    let name = account.name.trim().to_string();
    if name.is_empty() {
        return Err(ServiceError::field(
            "name",
            "Give the name colleagues will see.",
        ));
    }
    // The same rules as a password a person changes (`domain::password`).
    if let Some(problem) = domain::password::problem(username.as_str(), password) {
        return Err(ServiceError::field("password", problem));
    }
    Ok(ValidAccount {
        role,
        username,
        name,
    })
}

/// The practice a new account joins: the one named (created if the
/// database has none yet), or the only one.
pub async fn practice_for_new_account(store: &Store, name: Option<&str>) -> Result<Practice> {
    let practices = store.practices().await?;
    match (name, practices.as_slice()) {
        (Some(name), list) => match list.iter().find(|p| p.name.eq_ignore_ascii_case(name)) {
            Some(p) => Ok(p.clone()),
            None if list.is_empty() => Ok(store.create_practice(name.trim(), false).await?),
            None => Err(ServiceError::field(
                "practice_name",
                format!("No practice is called \"{name}\". A new practice is created with `openpractice admin create-practice`."),
            )),
        },
        (None, [only]) => Ok(only.clone()),
        (None, []) => Err(ServiceError::field(
            "practice_name",
            "The database has no practice yet: name it to create it.",
        )),
        (None, _) => Err(ServiceError::field(
            "practice_name",
            "The database has several practices: name one.",
        )),
    }
}

/// Creates an account in `practice`; a username taken anywhere in the
/// deployment is refused and nothing is written.
pub async fn create_account(
    store: &Store,
    practice: &PracticeId,
    account: &ValidAccount,
    password: &str,
) -> Result<Staff> {
    let created = store
        .practice(practice)
        .create_staff(NewStaff {
            username: &account.username,
            display_name: &account.name,
            role: account.role,
            password_hash: hash_password(password)?,
        })
        .await;
    match created {
        Ok(staff) => {
            // Made at the command line, by whoever runs it: the audit
            // names the account made, not a colleague.
            store
                .practice(practice)
                .audit(&store::audit::AuditEntry {
                    staff_id: Some(staff.id.as_str().to_string()),
                    role: Some(staff.role.as_str().to_string()),
                    action: "account created at the command line".into(),
                    patient_id: None,
                    address: None,
                    outcome: store::audit::Outcome::Allowed,
                })
                .await?;
            Ok(staff)
        }
        Err(StoreError::AlreadyExists) => Err(ServiceError::field(
            "username",
            format!("The username \"{}\" is taken.", account.username),
        )),
        Err(e) => Err(e.into()),
    }
}
