//! Command-line and environment configuration (`openpractice --help`).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "openpractice",
    version,
    about = "OpenPractice: a live clinical portal for NHS general practice.",
    long_about = "OpenPractice: a live clinical portal for NHS general practice.\n\n\
        With no command it serves the web app. By default the database is an embedded \
        SurrealKV store in --data-dir; pass --db ws://HOST:PORT to share a SurrealDB \
        server between several OpenPractice servers behind a load balancer."
)]
pub struct Cli {
    #[command(flatten)]
    pub db: DbArgs,

    #[command(flatten)]
    pub serve: ServeArgs,

    /// Log format: human-readable text or one JSON object per line.
    #[arg(long, env = "OP_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Args)]
pub struct DbArgs {
    /// Database: a directory or surrealkv://DIR (embedded), mem:// (in memory,
    /// lost at exit), or ws://HOST:PORT (a SurrealDB server). Default: embedded in --data-dir.
    #[arg(long, env = "OP_DB", global = true)]
    pub db: Option<String>,

    /// Directory for the embedded database when --db is not given.
    #[arg(long, env = "OP_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// SurrealDB namespace.
    #[arg(
        long,
        env = "OP_DB_NAMESPACE",
        default_value = "openpractice",
        global = true
    )]
    pub namespace: String,

    /// SurrealDB database.
    #[arg(
        long,
        env = "OP_DB_DATABASE",
        default_value = "openpractice",
        global = true
    )]
    pub database: String,

    /// Root user for a SurrealDB server (ws:// only).
    #[arg(long, env = "OP_DB_USER", global = true)]
    pub db_user: Option<String>,

    /// Root password for a SurrealDB server (ws:// only). Prefer the environment variable.
    #[arg(long, env = "OP_DB_PASS", hide_env_values = true, global = true)]
    pub db_pass: Option<String>,

    /// The audit trail's key file (kept outside the database; back it up
    /// with it). Default for the embedded database: DATA_DIR.audit-key
    /// beside the data directory, made on first start. Required with
    /// ws:// (every server on one database shares the file).
    #[arg(long, env = "OP_AUDIT_KEY_FILE", global = true)]
    pub audit_key_file: Option<PathBuf>,
}

impl DbArgs {
    pub fn connect_options(&self) -> Result<store::ConnectOptions, store::StoreError> {
        let target = match &self.db {
            Some(spec) => store::DbTarget::parse(spec)?,
            None => store::DbTarget::Embedded(self.data_dir.clone()),
        };
        let audit_key = match (&target, &self.audit_key_file) {
            (store::DbTarget::Remote(_), None) => {
                return Err(store::StoreError::Config(
                    "a database server needs --audit-key-file (OP_AUDIT_KEY_FILE): the audit \
                     trail's key, shared by every server on it; make it once with \
                     `openpractice admin create-audit-key --audit-key-file PATH`"
                        .into(),
                ))
            }
            (store::DbTarget::Remote(_), Some(path)) => store::AuditKeySource::File {
                path: path.clone(),
                create: false,
            },
            (_, Some(path)) => store::AuditKeySource::File {
                path: path.clone(),
                create: true,
            },
            (store::DbTarget::Embedded(dir), None) => store::AuditKeySource::File {
                path: store::audit::key_file_beside(dir),
                create: true,
            },
            (store::DbTarget::Memory, None) => store::AuditKeySource::Generate,
        };
        Ok(store::ConnectOptions {
            target,
            namespace: self.namespace.clone(),
            database: self.database.clone(),
            username: self.db_user.clone(),
            password: self.db_pass.clone(),
            audit_key,
        })
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Port 0 picks a free port (printed at start).
    #[arg(long, env = "OP_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Seed and run the demo practice "Riverside Surgery" (synthetic data only).
    #[arg(long, env = "OP_DEMO")]
    pub demo: bool,

    /// With --demo: at the first start, load the demo patients' synthetic
    /// clinical histories through the importer (about half a minute in a
    /// debug build). `--demo-histories false` leaves their records empty
    /// (the end-to-end tests that do not read them).
    #[arg(long, env = "OP_DEMO_HISTORIES", default_value_t = true, action = clap::ArgAction::Set)]
    pub demo_histories: bool,

    /// Directory holding the built site (pkg/ with the WASM, JS and CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,

    /// The public origin browsers use, e.g. https://portal.example.nhs.uk.
    /// State-changing requests must come from it. An https origin also marks
    /// the session cookie Secure. Default: the request's own Host.
    #[arg(long, env = "OP_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,

    /// Mark the session cookie Secure even without an https --public-origin
    /// (when TLS ends at a proxy in front of OpenPractice).
    #[arg(long, env = "OP_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Minutes without activity after which a session ends.
    #[arg(long, env = "OP_IDLE_TIMEOUT_MINUTES", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=24 * 60))]
    pub idle_timeout_minutes: u64,

    /// Hours after sign-in at which a session ends, however active.
    #[arg(long, env = "OP_SESSION_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..=72))]
    pub session_hours: u64,

    /// Minutes of waiting after arrival at which the waiting room shows a
    /// wait in amber.
    #[arg(long, env = "OP_WAIT_AMBER_MINUTES", default_value_t = 15, value_parser = clap::value_parser!(i64).range(1..=600))]
    pub wait_amber_minutes: i64,

    /// Minutes of waiting after arrival at which the wait turns red (must be
    /// more than the amber threshold).
    #[arg(long, env = "OP_WAIT_RED_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(i64).range(2..=600))]
    pub wait_red_minutes: i64,

    /// Proxies (addresses or networks, e.g. 10.0.0.5 or 10.0.0.0/8) whose
    /// X-Forwarded-For header says who a request is from. Sign-in
    /// throttling counts by client address: behind a TLS proxy without
    /// this, every client would share the proxy's. Comma-separated or
    /// repeated. Never list an address a client could connect from.
    #[arg(long, env = "OP_TRUSTED_PROXY", value_delimiter = ',')]
    pub trusted_proxy: Vec<app::door::TrustedProxy>,

    /// UDP address this server relays presence ("also here") on, to other
    /// servers sharing the database. The default suits servers on one
    /// machine; across machines bind e.g. 0.0.0.0:7947 and set
    /// --presence-advertise.
    #[arg(long, env = "OP_PRESENCE_BIND", default_value = "127.0.0.1:0")]
    pub presence_bind: SocketAddr,

    /// The host:port other servers reach this one's presence relay on
    /// (default: the bound address).
    #[arg(long, env = "OP_PRESENCE_ADVERTISE")]
    pub presence_advertise: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app (the default).
    Serve,
    /// Administration from the command line.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Take a practice's records out.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Bring a practice's records in.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Patients with their Conditions, AllergyIntolerances,
    /// MedicationStatements, Observations and Encounters (past
    /// consultations, notes from the narrative) (FHIR R4) from a Bundle, an
    /// NDJSON file or a directory of them (such as an export). Each
    /// patient all or nothing; matched by NHS number, so running it twice
    /// changes nothing. Every refused entry is listed with its position
    /// and the reason, and the command then exits non-zero. Audited.
    Fhir {
        /// A .json Bundle, an .ndjson file, or a directory of them.
        source: PathBuf,
        /// The practice's name (needed when the database has several).
        #[arg(long)]
        practice_name: Option<String>,
    },
    /// Laboratory reports (FHIR R4 Bundles, each holding one
    /// DiagnosticReport with its Observations and Patient) from a .json
    /// file, an .ndjson file of Bundles, or a directory of them, as a
    /// laboratory would post them: matched to patients or left on the
    /// Unmatched list, into the clinicians' inboxes. The same report twice
    /// is one report. Every refused report is listed with its file, line
    /// and reason, and the command then exits non-zero. Audited.
    Results {
        /// A .json Bundle, an .ndjson file of Bundles, or a directory.
        source: PathBuf,
        /// The practice's name (needed when the database has several).
        #[arg(long)]
        practice_name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Every patient's record as FHIR R4 (UK Core) NDJSON, as FHIR Bulk
    /// Data writes it: one file per resource type in a new directory OUT,
    /// one resource per line. With a progress bar; audited.
    Fhir {
        /// The directory to create.
        out: PathBuf,
        /// The practice's name (needed when the database has several).
        #[arg(long)]
        practice_name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a staff account, prompting for its password. On an empty
    /// database this also creates the practice (--practice-name).
    CreateUser(CreateUserArgs),
    /// Create a practice on this deployment with its first admin, who signs
    /// in with the one-time password printed (shown only this once) and
    /// must choose their own. Usernames are unique across the deployment.
    CreatePractice {
        /// The practice's name, e.g. "Hillside Surgery".
        #[arg(long)]
        name: String,
        /// Its ODS code, e.g. A81002.
        #[arg(long, default_value = "")]
        ods_code: String,
        #[arg(long, default_value = "")]
        address: String,
        #[arg(long, default_value = "")]
        phone: String,
        /// The first admin's sign-in name.
        #[arg(long)]
        admin_username: String,
        /// The first admin's name as colleagues see it.
        #[arg(long)]
        admin_name: String,
    },
    /// Create a deployment operator (the service_admin role: the Practices
    /// page, no practice's patients) with a one-time password printed once.
    CreateOperator {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
    },
    /// Check the audit trail's keyed hash chain from the first entry to the
    /// last; exits non-zero and names the first broken entry if any row was
    /// changed, forged or removed.
    VerifyAudit {
        /// A head the server log printed earlier ("audit head" SEQ:HASH):
        /// the trail must still hold that entry with that hash, so cutting
        /// the newest entries and resetting the head is found too.
        #[arg(long, value_name = "SEQ:HASH")]
        expect_head: Option<store::audit::RecordedHead>,
    },
    /// Make the audit trail's key file for a database server (ws://), once,
    /// before the first server starts; copy it to every server. The
    /// embedded database makes its own on first start.
    CreateAuditKey,
    /// Register a system that calls the FHIR API for a practice, with the
    /// SMART scopes it may be granted (e.g. "system/Patient.rs
    /// system/Appointment.cruds"). Prints the client id and its secret,
    /// which is shown only this once.
    CreateApiClient {
        /// The practice's name (needed when the database has several).
        #[arg(long)]
        practice_name: Option<String>,
        /// What the client is, e.g. "Pathology results feed".
        #[arg(long)]
        name: String,
        /// Space-separated SMART v2 system scopes.
        #[arg(long)]
        scopes: String,
    },
    /// Benchmarks only: add synthetic patients (test-range NHS numbers,
    /// fictional postcodes) to the demo practice until it has --total, and
    /// write --samples of them as JSON to --samples-out. Refuses a
    /// database without the demo practice unless --create-demo is given
    /// and the database has no practice at all.
    #[command(hide = true)]
    SeedSyntheticPatients {
        #[arg(long)]
        total: usize,
        #[arg(long, default_value_t = 0)]
        samples: usize,
        #[arg(long)]
        samples_out: Option<String>,
        /// Create the demo practice first (an empty benchmark database only).
        #[arg(long)]
        create_demo: bool,
        /// Then load the demo's synthetic clinical histories for every
        /// patient, through the importer (benchmarks of export and import).
        #[arg(long)]
        histories: bool,
    },
}

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    /// reception, gp, nurse or admin.
    #[arg(long)]
    pub role: String,
    /// The sign-in name (letters, digits, . - _).
    #[arg(long)]
    pub username: String,
    /// The name shown to colleagues, e.g. "Dr Aisha Khan".
    #[arg(long)]
    pub name: String,
    /// The practice: created if the database has none; otherwise it must
    /// name an existing practice when there is more than one.
    #[arg(long)]
    pub practice_name: Option<String>,
    /// Read the password from standard input (one line) instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}
