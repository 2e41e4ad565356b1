//! `openpractice admin …`: account administration from the shell, for the
//! first admin of an empty database. Passwords are prompted (never echoed)
//! or read from stdin; never accepted as an argument, never logged.

use crate::config::{AdminCommand, CreateUserArgs, DbArgs};
use anyhow::{bail, Context};
use domain::{Role, Username};
use std::io::{BufRead, IsTerminal};
use store::staff::{hash_password, NewStaff};
use store::{Store, StoreError};

pub const MIN_PASSWORD_LEN: usize = 12;

pub async fn run(db: &DbArgs, cmd: &AdminCommand) -> anyhow::Result<()> {
    match cmd {
        AdminCommand::CreateUser(args) => create_user(db, args).await,
        AdminCommand::VerifyAudit => verify_audit(db).await,
        AdminCommand::SeedSyntheticPatients {
            total,
            samples,
            samples_out,
        } => seed_synthetic(db, *total, *samples, samples_out.as_deref()).await,
    }
}

async fn seed_synthetic(
    db: &DbArgs,
    total: usize,
    samples: usize,
    samples_out: Option<&str>,
) -> anyhow::Result<()> {
    let store = Store::open(&db.connect_options()?)
        .await
        .context("opening the database")?;
    store::migrations::migrate(&store).await?;
    store::demo::seed_demo(&store, &|_: u64, _: u64, _: &str| {}).await?;
    let practice = store
        .demo_practice()
        .await?
        .context("no demo practice: synthetic patients go only into the demo")?;
    let have = store.patient_count(&practice.id).await?;
    let added =
        store::demo::add_synthetic_patients(&store, &practice.id, total.saturating_sub(have), 7)
            .await?;
    if let Some(path) = samples_out {
        let hits = store.sample_patients(&practice.id, samples).await?;
        std::fs::write(path, serde_json::to_string(&hits)?).context("writing the samples")?;
    }
    store.close(std::time::Duration::from_secs(30)).await;
    println!(
        "The demo practice has {} patients ({added} added).",
        have + added
    );
    Ok(())
}

async fn verify_audit(db: &DbArgs) -> anyhow::Result<()> {
    let store = Store::open(&db.connect_options()?)
        .await
        .context("opening the database")?;
    let outcome = store.verify_audit().await;
    store.close(std::time::Duration::from_secs(10)).await;
    match outcome.context("reading the audit trail")? {
        Ok(n) => {
            println!("The audit trail is intact: {n} entries, each linked to the one before.");
            Ok(())
        }
        Err(broken) => bail!("THE AUDIT TRAIL HAS BEEN TAMPERED WITH: {broken}"),
    }
}

fn read_password(args: &CreateUserArgs) -> anyhow::Result<String> {
    if args.password_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Password: ").context("reading the password")?;
    let again = rpassword::prompt_password("Password again: ").context("reading the password")?;
    if first != again {
        bail!("the two passwords do not match; nothing was created");
    }
    Ok(first)
}

/// Checks what can be checked before touching the database.
pub fn validate(args: &CreateUserArgs, password: &str) -> anyhow::Result<(Role, Username)> {
    let role: Role = args.role.parse()?;
    let username =
        Username::parse(&args.username).map_err(|e| anyhow::anyhow!("--username: {e}"))?;
    if args.name.trim().is_empty() {
        bail!("--name must not be empty");
    }
    if password.chars().count() < MIN_PASSWORD_LEN {
        bail!("the password must have at least {MIN_PASSWORD_LEN} characters; nothing was created");
    }
    Ok((role, username))
}

async fn create_user(db: &DbArgs, args: &CreateUserArgs) -> anyhow::Result<()> {
    // Validate the arguments before prompting, so a typo costs no typing.
    validate(args, &"x".repeat(MIN_PASSWORD_LEN))?;
    let password = read_password(args)?;
    let (role, username) = validate(args, &password)?;

    let store = Store::open(&db.connect_options()?)
        .await
        .context("opening the database")?;
    let practices = store.practices().await?;
    let practice = match (&args.practice_name, practices.as_slice()) {
        (Some(name), list) => match list.iter().find(|p| p.name.eq_ignore_ascii_case(name)) {
            Some(p) => p.clone(),
            None if list.is_empty() => store.create_practice(name.trim(), false).await?,
            None => bail!("no practice is called \"{name}\""),
        },
        (None, [only]) => only.clone(),
        (None, []) => bail!("the database has no practice yet: pass --practice-name to create it"),
        (None, _) => bail!("the database has several practices: pass --practice-name"),
    };
    let created = store
        .create_staff(NewStaff {
            practice_id: &practice.id,
            username: &username,
            display_name: args.name.trim(),
            role,
            password_hash: hash_password(&password)?,
        })
        .await;
    match created {
        Ok(staff) => {
            println!(
                "Created {} \"{}\" ({}) in {}.",
                staff.role.label(),
                staff.username,
                staff.display_name,
                practice.name
            );
            Ok(())
        }
        Err(StoreError::AlreadyExists) => {
            bail!("the username \"{username}\" is taken; nothing was created")
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(role: &str, username: &str, name: &str) -> CreateUserArgs {
        CreateUserArgs {
            role: role.into(),
            username: username.into(),
            name: name.into(),
            practice_name: None,
            password_stdin: true,
        }
    }

    #[test]
    fn bad_input_is_refused_before_anything_is_written() {
        let good = "a long enough password";
        assert!(validate(&args("admin", "hcarter", "Helen Carter"), good).is_ok());
        let e = validate(&args("doctor", "x1", "Name"), good)
            .unwrap_err()
            .to_string();
        assert!(e.contains("Unknown role \"doctor\""), "{e}");
        let e = validate(&args("gp", "has space", "Name"), good)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--username"), "{e}");
        let e = validate(&args("gp", "gp1", "  "), good)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--name"), "{e}");
        let e = validate(&args("gp", "gp1", "Name"), "short")
            .unwrap_err()
            .to_string();
        assert!(e.contains("at least 12 characters"), "{e}");
    }
}
