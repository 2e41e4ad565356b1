//! The `openpractice` binary: parse configuration, set up logging, run.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use clap::Parser;
use server::config::{Cli, Command, LogFormat};
use std::process::ExitCode;

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,surrealdb=warn,surrealdb_core=warn,surrealkv=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.init(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.log_format);
    let result = match &cli.command {
        None | Some(Command::Serve) => server::serve::run(&cli).await,
        Some(Command::Admin(cmd)) => server::admin_cli::run(&cli.db, cmd).await,
        Some(Command::Export(cmd)) => server::records_cli::export(&cli.db, cmd).await,
        Some(Command::Import(cmd)) => server::records_cli::import(&cli.db, cmd).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("openpractice: {e:#}");
            ExitCode::FAILURE
        }
    }
}
