//! The practice's admin runs its staff accounts: the list (role, teams,
//! last sign-in), a new account with a one-time password (chosen again at
//! first sign-in), a change of name or role, deactivation (every session
//! ends at once and their open tabs close) and reactivation, and a
//! password reset. Every change is versioned and audited. An admin cannot
//! deactivate, demote or reset themselves, so a practice always keeps an
//! admin who can sign in.

use super::{validate, NewAccount as Typed};
use crate::{audit, Actor, Result, ServiceError};
use domain::{Area, OneTimePassword, Role, StaffAccount, StaffId};
use store::audit::Outcome;
use store::staff::{AccountChange, AccountError, AccountRow, NewAccount};
use store::{Store, StoreError};

/// A new member of staff as the admin typed them.
#[derive(Clone, Debug)]
pub struct NewMember {
    pub name: String,
    pub username: String,
    pub role: String,
    /// Team ids.
    pub teams: Vec<String>,
}

/// What the admin does to an existing account.
#[derive(Clone, Debug)]
pub enum Change {
    Details { name: String, role: String },
    Deactivate,
    Reactivate,
}

/// The practice's staff, active first, by name, with their teams.
pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<StaffAccount>> {
    actor.require(Area::Admin)?;
    let db = actor.db(store);
    let rows = db.accounts().await?;
    let teams = db.teams_with_members().await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let of: Vec<String> = teams
                .iter()
                .filter(|t| t.members.iter().any(|m| m.id == row.id))
                .map(|t| t.name.clone())
                .collect();
            view(row, of)
        })
        .collect())
}

fn view(row: AccountRow, teams: Vec<String>) -> StaffAccount {
    StaffAccount {
        id: StaffId::new(row.id),
        username: row.username,
        name: row.display_name,
        role: row.role.parse().unwrap_or(Role::Reception),
        active: row.active,
        version: row.version,
        must_change_password: row.must_change_password,
        last_sign_in: row
            .last_sign_in_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        teams,
    }
}

/// A one-time password: 16 letters and digits that cannot be misread
/// (no 0/o, 1/l/i), in groups of four, read out or handed over once.
/// It never contains the username (the password rules refuse that).
pub(crate) fn one_time_password(username: &str) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    let mut make = || {
        (0..4)
            .map(|_| {
                (0..4)
                    .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("-")
    };
    let mut password = make();
    for _ in 0..100 {
        if domain::password::problem(username, &password).is_none() {
            break;
        }
        password = make();
    }
    password
}

/// Adds a member of staff to the admin's practice, in their teams, with a
/// one-time password (returned, shown once).
pub async fn add(store: &Store, actor: &Actor, new: &NewMember) -> Result<OneTimePassword> {
    actor.require(Area::Admin)?;
    let password = one_time_password(&new.username.trim().to_ascii_lowercase());
    let typed = Typed {
        role: new.role.clone(),
        username: new.username.clone(),
        name: new.name.clone(),
    };
    let valid = validate(&typed, &password)?;
    let hash = crate::auth::passwords::hash(&password).await?;
    let made = actor
        .db(store)
        .create_account(NewAccount {
            username: &valid.username,
            display_name: &valid.name,
            role: valid.role,
            password_hash: hash,
            teams: &new.teams,
        })
        .await;
    let id = match made {
        Ok(id) => id,
        Err(StoreError::AlreadyExists) => {
            return Err(ServiceError::field(
                "username",
                format!(
                    "The username \"{}\" is taken: choose another.",
                    valid.username
                ),
            ))
        }
        Err(StoreError::NotFound) => {
            return Err(ServiceError::field(
                "teams",
                "One of the teams chosen is not one of this practice's: reload the page and choose again.",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let action = format!(
        "added staff account {id} ({}) with a one-time password",
        valid.role.as_str()
    );
    audit::record(store, actor, &action, None, Outcome::Allowed).await?;
    tracing::info!(staff = %id, by = ?actor.staff_id().ok(), "staff account added");
    Ok(OneTimePassword {
        username: valid.username.to_string(),
        name: valid.name,
        password,
    })
}

/// Changes account `id`, last read at `version`.
pub async fn change(
    store: &Store,
    actor: &Actor,
    id: &StaffId,
    version: i64,
    what: Change,
) -> Result<StaffAccount> {
    actor.require(Area::Admin)?;
    let me = actor.staff_id()?.clone();
    let (change, action) = match what {
        Change::Details { name, role } => {
            let role = super::practice_role(&role)?;
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
                return Err(ServiceError::field(
                    "name",
                    "Give the name colleagues will see, on one line (at most 100 characters).",
                ));
            }
            if *id == me && role != Role::Admin {
                return Err(ServiceError::field(
                    "role",
                    "You cannot take away your own admin role: ask another admin.",
                ));
            }
            let action = format!(
                "changed staff account {} (name, role {})",
                sanitised(id),
                role.as_str()
            );
            (AccountChange::Details { name, role }, action)
        }
        Change::Deactivate => {
            if *id == me {
                return Err(ServiceError::conflict(
                    "You cannot deactivate your own account: ask another admin.",
                    None,
                ));
            }
            let action = format!(
                "deactivated staff account {} (their sessions ended)",
                sanitised(id)
            );
            (AccountChange::Active(false), action)
        }
        Change::Reactivate => {
            let action = format!("reactivated staff account {}", sanitised(id));
            (AccountChange::Active(true), action)
        }
    };
    let row = apply(store, actor, id, version, change).await?;
    audit::record(store, actor, &action, None, Outcome::Allowed).await?;
    let teams = teams_of(store, actor, &row.id).await?;
    Ok(view(row, teams))
}

/// Gives account `id` a new one-time password (returned, shown once): it
/// must be changed at next sign-in, and every session of theirs ends now.
pub async fn reset_password(
    store: &Store,
    actor: &Actor,
    id: &StaffId,
    version: i64,
) -> Result<OneTimePassword> {
    actor.require(Area::Admin)?;
    if id == actor.staff_id()? {
        return Err(ServiceError::conflict(
            "To change your own password, use \"Change your password\".",
            None,
        ));
    }
    let username = actor
        .db(store)
        .account_row(id.as_str())
        .await?
        .map(|r| r.username)
        .ok_or(ServiceError::NotFound)?;
    let password = one_time_password(&username);
    let hash = crate::auth::passwords::hash(&password).await?;
    let row = apply(store, actor, id, version, AccountChange::Reset { hash }).await?;
    let action = format!(
        "reset the password of staff account {} (their sessions ended)",
        sanitised(id)
    );
    audit::record(store, actor, &action, None, Outcome::Allowed).await?;
    Ok(OneTimePassword {
        username: row.username,
        name: row.display_name,
        password,
    })
}

async fn apply(
    store: &Store,
    actor: &Actor,
    id: &StaffId,
    version: i64,
    change: AccountChange,
) -> Result<AccountRow> {
    if id.as_str().is_empty() {
        return Err(ServiceError::NotFound);
    }
    let by = actor.staff_id()?;
    match actor.db(store).change_account(id.as_str(), version, change, by).await {
        Ok(row) => Ok(row),
        Err(AccountError::NotFound) => Err(ServiceError::NotFound),
        Err(AccountError::Stale { current }) => Err(ServiceError::conflict(
            format!(
                "Someone else changed {}'s account while you had it open. The list now shows it as it is: make your change again if it is still needed.",
                current.display_name
            ),
            None,
        )),
        Err(AccountError::Store(e)) => Err(e.into()),
    }
}

async fn teams_of(store: &Store, actor: &Actor, id: &str) -> Result<Vec<String>> {
    Ok(actor
        .db(store)
        .teams_with_members()
        .await?
        .into_iter()
        .filter(|t| t.members.iter().any(|m| m.id == id))
        .map(|t| t.name)
        .collect())
}

fn sanitised(id: &StaffId) -> String {
    audit::sanitised_id(id.as_str())
}
