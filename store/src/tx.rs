//! Transactions: a change is one SurrealQL script run as a transaction,
//! retried when it lost a write-write race (SurrealDB's transactions are
//! optimistic), with our own refusals thrown as `op:…` tokens.

use crate::StoreError;
use std::time::Duration;
use surrealdb::engine::any::Any;
use surrealdb::method::Query;

/// How many times a transaction that lost a write-write race is retried.
const MAX_ATTEMPTS: u32 = 40;

/// Why a transaction did not commit.
#[derive(Debug)]
pub(crate) enum Retry {
    /// Our own `THROW 'op:…'`: the token (e.g. "op:stale").
    Thrown(String),
    /// A unique index refused the write.
    AlreadyExists,
    Db(surrealdb::Error),
    /// Still conflicting after every retry.
    Exhausted,
}

impl From<Retry> for StoreError {
    fn from(r: Retry) -> Self {
        match r {
            Retry::Thrown(t) => StoreError::Internal(format!("unexpected {t}")),
            Retry::AlreadyExists => StoreError::AlreadyExists,
            Retry::Db(e) => StoreError::Db(e),
            Retry::Exhausted => {
                StoreError::Internal("the change kept conflicting with others".into())
            }
        }
    }
}

fn thrown_token(message: &str) -> Option<String> {
    let start = message.find("op:")?;
    let token: String = message[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '_')
        .collect();
    Some(token)
}

fn is_retryable(message: &str) -> bool {
    message.contains("can be retried") || message.contains("Transaction conflict")
}

/// Whether an error is only the echo of another statement's failure.
fn is_echo(message: &str) -> bool {
    message.contains("not executed due to a failed transaction")
        || message.contains("cancelled transaction")
}

/// Runs a transaction script built by `make`, retrying when it lost a race
/// with another transaction (SurrealDB's optimistic transactions), and
/// classifies the error that stopped it.
pub(crate) async fn run_with_retry<'a, F>(make: F) -> Result<(), Retry>
where
    F: Fn() -> Query<'a, Any>,
{
    for attempt in 0..MAX_ATTEMPTS {
        let errors: Vec<surrealdb::Error> = match make().await {
            Ok(mut response) => response.take_errors().into_values().collect(),
            Err(e) => vec![e],
        };
        if errors.is_empty() {
            return Ok(());
        }
        if let Some(t) = errors.iter().find_map(|e| thrown_token(&e.to_string())) {
            return Err(Retry::Thrown(t));
        }
        if errors
            .iter()
            .any(|e| e.is_already_exists() || e.to_string().contains("already contains"))
        {
            return Err(Retry::AlreadyExists);
        }
        if errors.iter().any(|e| is_retryable(&e.to_string())) {
            let jitter = u64::from(rand::random::<u8>() % 8);
            tokio::time::sleep(Duration::from_millis(
                1 + jitter + u64::from(attempt.min(20)),
            ))
            .await;
            continue;
        }
        let mut errors = errors;
        let pick = errors
            .iter()
            .position(|e| !is_echo(&e.to_string()))
            .unwrap_or(0);
        return Err(Retry::Db(errors.swap_remove(pick)));
    }
    Err(Retry::Exhausted)
}
