//! `openpractice admin …`: the operator's door, for the first admin of an
//! empty database and for checking the audit trail. Passwords are prompted
//! (never echoed) or read from stdin; never accepted as an argument, never
//! logged. The rules are the services'; this maps their refusals to the
//! flags the operator typed and an exit code.

use crate::config::{AdminCommand, CreateUserArgs, DbArgs};
use anyhow::{bail, Context};
use services::staff::{NewAccount, ValidAccount};
use services::ServiceError;
use std::io::{BufRead, IsTerminal};
use store::Store;

pub async fn run(db: &DbArgs, cmd: &AdminCommand) -> anyhow::Result<()> {
    match cmd {
        AdminCommand::CreateUser(args) => create_user(db, args).await,
        AdminCommand::CreatePractice {
            name,
            ods_code,
            address,
            phone,
            admin_username,
            admin_name,
        } => {
            let form = domain::practice::NewPracticeForm {
                name: name.clone(),
                ods_code: ods_code.clone(),
                address: address.clone(),
                phone: phone.clone(),
                admin_name: admin_name.clone(),
                admin_username: admin_username.clone(),
            };
            create_practice(db, &form).await
        }
        AdminCommand::CreateOperator { username, name } => {
            let store = open(db).await?;
            let made = services::practices::create_operator(&store, username, name)
                .await
                .map_err(refusal)?;
            print_one_time("Service operator", &made);
            Ok(())
        }
        AdminCommand::VerifyAudit { expect_head } => verify_audit(db, expect_head.as_ref()).await,
        AdminCommand::CreateAuditKey => create_audit_key(db).await,
        AdminCommand::CreateApiClient {
            practice_name,
            name,
            scopes,
        } => create_api_client(db, practice_name.as_deref(), name, scopes).await,
        AdminCommand::SeedSyntheticPatients {
            total,
            samples,
            samples_out,
            create_demo,
            histories,
        } => {
            let flags = (*create_demo, *histories);
            seed_synthetic(db, *total, *samples, samples_out.as_deref(), flags).await
        }
    }
}

async fn open(db: &DbArgs) -> anyhow::Result<Store> {
    Store::open(&db.connect_options()?)
        .await
        .context("opening the database")
}

fn print_one_time(what: &str, made: &domain::OneTimePassword) {
    println!(
        "Created {what} \"{}\" ({}). One-time password (shown only now; they choose their own at first sign-in): {}",
        made.username, made.name, made.password
    );
}

async fn create_practice(
    db: &DbArgs,
    form: &domain::practice::NewPracticeForm,
) -> anyhow::Result<()> {
    let store = open(db).await?;
    let made = services::practices::create_as_operator(&store, form)
        .await
        .map_err(refusal)?;
    println!("Created practice \"{}\".", made.practice.name);
    print_one_time("its first admin", &made.admin);
    Ok(())
}

async fn seed_synthetic(
    db: &DbArgs,
    total: usize,
    samples: usize,
    samples_out: Option<&str>,
    (create_demo, histories): (bool, bool),
) -> anyhow::Result<()> {
    let store = Store::open(&db.connect_options()?)
        .await
        .context("opening the database")?;
    // The demo's accounts have published passwords: never added to a
    // database that holds a practice.
    if create_demo && store.demo_practice().await?.is_none() && store.practices().await?.is_empty()
    {
        store::demo::seed_demo(&store, &|_: u64, _: u64, _: &str| {}).await?;
    }
    let Some(practice) = store.demo_practice().await? else {
        store.close(std::time::Duration::from_secs(30)).await;
        bail!(
            "this database has no demo practice: synthetic patients go only into the demo, \
             and the demo (whose passwords are published) is created only in an empty database \
             (--create-demo); nothing was written"
        );
    };
    let db = store.practice(&practice.id);
    let have = db.patient_count().await?;
    let added = store::demo::add_synthetic_patients(&db, total.saturating_sub(have), 7).await?;
    if histories {
        let report = crate::fhir::demo::load(&store, &practice.id, &|_, _| {}).await?;
        if let Some(first) = report.refusals.first() {
            store.close(std::time::Duration::from_secs(30)).await;
            bail!("the importer refused a synthetic history: {first}");
        }
    }
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

/// The practice a command acts on: the one named, or the only one.
pub(crate) async fn choose_practice(
    store: &Store,
    name: Option<&str>,
) -> anyhow::Result<store::practice::Practice> {
    let practices = store.practices().await?;
    Ok(match name {
        Some(want) => practices
            .into_iter()
            .find(|p| p.name == want)
            .ok_or_else(|| anyhow::anyhow!("no practice is called \"{want}\"; nothing was done"))?,
        None if practices.len() == 1 => practices.into_iter().next().context("a practice")?,
        None if practices.is_empty() => {
            bail!("this database has no practice yet; create its first admin with create-user")
        }
        None => bail!("this database has several practices: name one with --practice-name"),
    })
}

async fn create_api_client(
    db: &DbArgs,
    practice_name: Option<&str>,
    name: &str,
    scopes: &str,
) -> anyhow::Result<()> {
    let store = Store::open(&db.connect_options()?)
        .await
        .context("opening the database")?;
    let outcome = async {
        let practice = choose_practice(&store, practice_name).await?;
        services::api_clients::register_as_operator(&store, &practice.id, name, scopes)
            .await
            .map_err(|e| match e {
                ServiceError::Invalid(fields) => anyhow::anyhow!(
                    "{}; nothing was written",
                    fields
                        .iter()
                        .map(|f| format!("--{}: {}", f.field, f.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                other => anyhow::anyhow!("{other}"),
            })
            .map(|r| (practice.name, r))
    }
    .await;
    store.close(std::time::Duration::from_secs(10)).await;
    let (practice, registered) = outcome?;
    println!("Registered API client \"{}\" for {practice}.", name.trim());
    println!("client id:     {}", registered.id);
    println!("client secret: {}", registered.secret);
    println!("scopes:        {}", registered.scopes);
    println!(
        "The secret is shown only now: give it to the system's operator over a secure channel."
    );
    Ok(())
}

async fn create_audit_key(db: &DbArgs) -> anyhow::Result<()> {
    let Some(path) = &db.audit_key_file else {
        bail!("give the file to create with --audit-key-file PATH");
    };
    if path.exists() {
        bail!(
            "{} already exists: an audit key is never replaced (the trail could no longer be verified)",
            path.display()
        );
    }
    let mut options = db.connect_options()?;
    options.audit_key = store::AuditKeySource::File {
        path: path.clone(),
        create: true,
    };
    let store = Store::open(&options)
        .await
        .context("opening the database")?;
    store.close(std::time::Duration::from_secs(10)).await;
    println!(
        "Created the audit key {}. Keep it secret, back it up with the database, and give the same file to every server.",
        path.display()
    );
    Ok(())
}

async fn verify_audit(
    db: &DbArgs,
    expect_head: Option<&store::audit::RecordedHead>,
) -> anyhow::Result<()> {
    let store = Store::open(&db.connect_options()?)
        .await
        .context("opening the database")?;
    let outcome = services::audit::verify(&store, expect_head).await;
    let head = store.audit_head().await;
    store.close(std::time::Duration::from_secs(10)).await;
    match outcome.map_err(|e| anyhow::anyhow!("reading the audit trail: {e}"))? {
        Ok(n) => {
            println!("The audit trail is intact: {n} entries, each linked to the one before.");
            if let Ok(Some(head)) = head {
                println!(
                    "Its head is {}:{} (record it; check later with --expect-head).",
                    head.seq, head.hash
                );
            }
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

/// A password that passes the rules, to check the other arguments before
/// asking for the real one.
const PLACEHOLDER_PASSWORD: &str = "a placeholder passphrase to check the rest";

/// Checks what can be checked before touching the database.
pub fn validate(args: &CreateUserArgs, password: &str) -> anyhow::Result<ValidAccount> {
    services::staff::validate(&account(args), password).map_err(refusal)
}

async fn create_user(db: &DbArgs, args: &CreateUserArgs) -> anyhow::Result<()> {
    // Validate the arguments before prompting, so a typo costs no typing.
    validate(args, PLACEHOLDER_PASSWORD)?;
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
        let e = validate(&args("gp", "gp1", "Name"), "1q2w3e4r5t6y")
            .unwrap_err()
            .to_string();
        assert!(e.contains("most commonly used"), "{e}");
        let e = validate(&args("gp", "hcarter", "Name"), "hcarter's password")
            .unwrap_err()
            .to_string();
        assert!(e.contains("username"), "{e}");
    }
}
