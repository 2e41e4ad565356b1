//! Password checks off the async workers: argon2id is deliberately slow,
//! so each check runs on the blocking pool, at most `CHECKS_AT_ONCE` at a
//! time (a burst of sign-ins waits its turn instead of taking every core
//! from the pages and sockets).

use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// Password checks run at once (the machines have 2 cores).
const CHECKS_AT_ONCE: usize = 2;

fn limit() -> &'static Semaphore {
    static LIMIT: Semaphore = Semaphore::const_new(CHECKS_AT_ONCE);
    &LIMIT
}

/// Whether `password` matches `hash`.
pub(super) async fn verify(password: &str, hash: &str) -> bool {
    let Ok(_turn) = limit().acquire().await else {
        return false;
    };
    let (password, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || store::staff::verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// The argon2id hash of a new password, made on the blocking pool under
/// the same limit as checks.
pub(crate) async fn hash(password: &str) -> crate::Result<String> {
    let Ok(_turn) = limit().acquire().await else {
        return Err(crate::ServiceError::internal("the password limit closed"));
    };
    let password = password.to_string();
    tokio::task::spawn_blocking(move || store::staff::hash_password(&password))
        .await
        .map_err(crate::ServiceError::internal)?
        .map_err(Into::into)
}

/// Costs what a real check costs, for a username that does not exist, so
/// the time taken does not tell whether it does.
pub(super) async fn verify_against_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = match DUMMY.get() {
        Some(d) => d.clone(),
        None => {
            let made = tokio::task::spawn_blocking(|| {
                store::staff::hash_password("not a real password").unwrap_or_default()
            })
            .await
            .unwrap_or_default();
            DUMMY.get_or_init(|| made).clone()
        }
    };
    let _ = verify(password, &dummy).await;
}
