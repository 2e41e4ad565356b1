//! A member of staff changes their own password: the current one must be
//! right (checked like a sign-in: counted first, so a stolen session cannot
//! be used to guess it), the new one must meet the rules
//! (`domain::password`) and be typed twice alike. Every other session of
//! theirs ends (a password is changed when it may be known), and the change
//! is audited; a wrong current password is audited as refused.

use super::{passwords, throttle, AuthConfig};
use crate::{audit, Actor, Result, ServiceError};
use domain::FieldError;
use store::audit::Outcome;
use store::Store;

/// The password form.
#[derive(Clone, Debug)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    pub confirm: String,
}

/// Changes `actor`'s password, keeping `session_key` (the session the
/// change came from) and ending the rest.
pub async fn change_password(
    store: &Store,
    config: &AuthConfig,
    actor: &Actor,
    session_key: &str,
    form: &PasswordChange,
) -> Result<()> {
    let db = actor.db(store);
    let Some(account) = db.account(actor.staff_id()?).await? else {
        return Err(ServiceError::Unauthenticated);
    };
    let username = account.staff.username.as_str().to_string();
    let mut problems = Vec::new();
    if form.current.is_empty() {
        problems.push(FieldError::new(
            "current_password",
            "Enter your current password.",
        ));
    }
    if let Some(p) = domain::password::problem(&username, &form.new) {
        problems.push(FieldError::new("new_password", p));
    } else if form.new == form.current {
        problems.push(FieldError::new(
            "new_password",
            "Choose a password different from your current one.",
        ));
    }
    if form.confirm != form.new {
        problems.push(FieldError::new(
            "confirm_password",
            "The two new passwords are not the same. Type it again.",
        ));
    }
    if !problems.is_empty() {
        return Err(ServiceError::Invalid(problems));
    }

    let address = actor.address.clone().unwrap_or_default();
    let keys = throttle::Keys::new(&username, &address);
    throttle::count(store, config, &keys, chrono::Utc::now()).await?;
    if !passwords::verify(&form.current, &account.password_hash).await {
        audit::record(
            store,
            actor,
            "failed to change their password",
            None,
            Outcome::Refused,
        )
        .await?;
        return Err(ServiceError::Invalid(vec![FieldError::new(
            "current_password",
            "That is not your current password.",
        )]));
    }
    throttle::succeeded(store, &keys).await?;
    let hash = passwords::hash(&form.new).await?;
    db.set_password(actor.staff_id()?, hash, session_key)
        .await?;
    audit::record(
        store,
        actor,
        "changed their password (their other sessions ended)",
        None,
        Outcome::Allowed,
    )
    .await?;
    tracing::info!(staff = %actor.staff_id()?, "password changed");
    Ok(())
}
