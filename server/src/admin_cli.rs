//! `openpractice admin …`: the operator's door, for the first admin of an
//! empty database and for checking the audit trail. Passwords are prompted
//! (never echoed) or read from stdin; never accepted as an argument, never
//! logged. The rules are the services'; this maps their refusals to the
//! flags the operator typed and an exit code.

use crate::config::{AdminCommand, CreateUserArgs, DbArgs};
use anyhow::{bail, Context};
use services::staff::{NewAccount, ValidAccount, MIN_PASSWORD_LEN};
use services::ServiceError;
use std::io::{BufRead, IsTerminal};
use store::Store;

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
    let db = store.practice(&practice.id);
    let have = db.patient_count().await?;
    let added = store::demo::add_synthetic_patients(&db, total.saturating_sub(have), 7).await?;
    if let Some(path) = samples_out {
        let hits = db.sample_patients(samples).await?;
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
    let outcome = services::audit::verify(&store).await;
    store.close(std::time::Duration::from_secs(10)).await;
    match outcome.map_err(|e| anyhow::anyhow!("reading the audit trail: {e}"))? {
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

/// A service's refusal as the operator should read it: the flag named.
fn refusal(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Invalid(fields) => anyhow::anyhow!(
            "{}; nothing was created",
            fields
                .iter()
                .map(|f| match f.field.as_str() {
                    "password" => f.message.trim_end_matches('.').to_string(),
                    flag => format!("--{}: {}", flag.replace('_', "-"), f.message),
                })
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

fn account(args: &CreateUserArgs) -> NewAccount {
    NewAccount {
        role: args.role.clone(),
        username: args.username.clone(),
        name: args.name.clone(),
    }
}

/// Checks what can be checked before touching the database.
pub fn validate(args: &CreateUserArgs, password: &str) -> anyhow::Result<ValidAccount> {
    services::staff::validate(&account(args), password).map_err(refusal)
}

async fn create_user(db: &DbArgs, args: &CreateUserArgs) -> anyhow::Result<()> {
    // Validate the arguments before prompting, so a typo costs no typing.
    validate(args, &"x".repeat(MIN_PASSWORD_LEN))?;
    let password = read_password(args)?;
    let valid = validate(args, &password)?;
    let store = Store::open(&db.connect_options()?)
        .await
        .context("opening the database")?;
    let practice = services::staff::practice_for_new_account(&store, args.practice_name.as_deref())
        .await
        .map_err(refusal)?;
    let staff = services::staff::create_account(&store, &practice.id, &valid, &password)
        .await
        .map_err(refusal)?;
    println!(
        "Created {} \"{}\" ({}) in {}.",
        staff.role.label(),
        staff.username,
        staff.display_name,
        practice.name
    );
    Ok(())
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
