//! The deployment's practices: its operator (`service_admin`, on the
//! Practices page or `openpractice admin create-practice`) creates a
//! practice with its first admin, who signs in with a one-time password and
//! must choose their own. The operator sees who each practice is and how
//! many staff it has, never a patient. Each practice is a tenant: every
//! other service keeps within the actor's own.

use crate::staff::admin::one_time_password;
use crate::{audit, Actor, Result, ServiceError};
use domain::practice::{CreatedPractice, NewPracticeForm, PracticeSummary};
use domain::settings::SettingsForm;
use domain::{Area, OneTimePassword, Role};
use store::audit::{AuditEntry, Outcome};
use store::practice::{CreatePracticeError, NewPractice, Practice};
use store::staff::NewAccount;
use store::{Store, StoreError};

fn summary(p: Practice, staff: i64) -> PracticeSummary {
    PracticeSummary {
        id: p.id.to_string(),
        name: p.name,
        ods_code: p.ods_code,
        address: p.address,
        phone: p.phone,
        staff,
    }
}

/// Every practice of the deployment (the operator only).
pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<PracticeSummary>> {
    actor.require(Area::Practices)?;
    let counts = store.staff_counts().await?;
    Ok(store
        .practices()
        .await?
        .into_iter()
        .map(|p| {
            let n = counts.get(p.id.as_str()).copied().unwrap_or(0);
            summary(p, n)
        })
        .collect())
}

/// Creates a practice and its first admin (the operator, on the page).
pub async fn create(
    store: &Store,
    actor: &Actor,
    form: &NewPracticeForm,
) -> Result<CreatedPractice> {
    actor.require(Area::Practices)?;
    let created = make(store, form).await?;
    let action = format!(
        "created practice \"{}\" with its first admin {}",
        created.practice.name, created.admin.username
    );
    audit::record(store, actor, &action, None, Outcome::Allowed).await?;
    Ok(created)
}

/// Creates a practice and its first admin from the command line (the
/// operator at the server), audited in the new practice's trail.
pub async fn create_as_operator(store: &Store, form: &NewPracticeForm) -> Result<CreatedPractice> {
    let created = make(store, form).await?;
    store
        .practice(&created.practice.id.as_str().into())
        .audit(&AuditEntry {
            staff_id: None,
            role: Some("operator".into()),
            action: format!(
                "created the practice with its first admin {} (command line)",
                created.admin.username
            ),
            patient_id: None,
            address: None,
            outcome: Outcome::Allowed,
        })
        .await
        .map_err(ServiceError::internal)?;
    Ok(created)
}

/// Checks every field (all refusals at once), then writes the practice
/// and its admin together, or nothing.
async fn make(store: &Store, form: &NewPracticeForm) -> Result<CreatedPractice> {
    let practice = SettingsForm {
        name: form.name.clone(),
        ods_code: form.ods_code.clone(),
        address: form.address.clone(),
        phone: form.phone.clone(),
        wait_amber_minutes: "15".into(),
        wait_red_minutes: "30".into(),
        results_overdue_days: "2".into(),
        call_chime: String::new(),
    }
    .validate(1);
    let username = form.admin_username.trim().to_ascii_lowercase();
    let password = one_time_password(&username);
    let admin = crate::staff::validate(
        &crate::staff::NewAccount {
            role: "admin".into(),
            username,
            name: form.admin_name.clone(),
        },
        &password,
    );
    let mut problems: Vec<(&'static str, String)> = practice.clone().err().unwrap_or_default();
    if let Err(ServiceError::Invalid(errors)) = &admin {
        for e in errors {
            let field = if e.field == "username" {
                "admin_username"
            } else {
                "admin_name"
            };
            problems.push((field, e.message.clone()));
        }
    }
    let (Ok(practice), Ok(admin), true) = (practice, admin, problems.is_empty()) else {
        return Err(ServiceError::fields(problems));
    };
    let hash = crate::auth::passwords::hash(&password).await?;
    let new = NewPractice {
        name: practice.name,
        ods_code: practice.ods_code,
        address: practice.address,
        phone: practice.phone,
    };
    let made = store
        .create_practice_with_admin(
            &new,
            NewAccount {
                username: &admin.username,
                display_name: &admin.name,
                role: Role::Admin,
                password_hash: hash,
                teams: &[],
            },
        )
        .await;
    match made {
        Ok(p) => Ok(CreatedPractice {
            practice: summary(p, 1),
            admin: OneTimePassword {
                username: admin.username.to_string(),
                name: admin.name,
                password,
            },
        }),
        Err(CreatePracticeError::NameTaken) => Err(ServiceError::field(
            "name",
            format!("There is already a practice called \"{}\".", new.name),
        )),
        Err(CreatePracticeError::UsernameTaken) => Err(ServiceError::field(
            "admin_username",
            format!(
                "The username \"{}\" is taken: choose another.",
                admin.username
            ),
        )),
        Err(CreatePracticeError::Store(e)) => Err(e.into()),
    }
}

/// Creates a deployment operator (`service_admin`) with a one-time
/// password, from the command line.
pub async fn create_operator(store: &Store, username: &str, name: &str) -> Result<OneTimePassword> {
    let username = username.trim().to_ascii_lowercase();
    let password = one_time_password(&username);
    let valid = crate::staff::validate(
        &crate::staff::NewAccount {
            role: "admin".into(),
            username,
            name: name.to_string(),
        },
        &password,
    )?;
    let hash = crate::auth::passwords::hash(&password).await?;
    let operators = store.operators_practice().await?;
    let made = store
        .practice(&operators)
        .create_account(NewAccount {
            username: &valid.username,
            display_name: &valid.name,
            role: Role::ServiceAdmin,
            password_hash: hash,
            teams: &[],
        })
        .await;
    match made {
        Ok(_) => Ok(OneTimePassword {
            username: valid.username.to_string(),
            name: valid.name,
            password,
        }),
        Err(StoreError::AlreadyExists) => Err(ServiceError::field(
            "username",
            format!(
                "The username \"{}\" is taken: choose another.",
                valid.username
            ),
        )),
        Err(e) => Err(e.into()),
    }
}
