//! Sign-in throttling: failures counted per account and per address in
//! the database, so it holds across several server processes.

use super::{chrono_duration, AuthConfig};
use crate::{Result, ServiceError};
use chrono::{DateTime, Utc};
use store::Store;

pub(super) struct Keys {
    account: String,
    address: String,
}

impl Keys {
    pub(super) fn new(username: &str, address: &str) -> Self {
        Self {
            account: format!("user:{}", username.trim().to_ascii_lowercase()),
            address: format!("addr:{address}"),
        }
    }
}

/// Minutes until the earliest failure in the window ages out (at least 1).
pub(super) fn minutes_left(
    earliest: Option<DateTime<Utc>>,
    window: chrono::Duration,
    now: DateTime<Utc>,
) -> i64 {
    let ends = earliest.map(|t| t + window).unwrap_or(now + window);
    ((ends - now).num_seconds() + 59).div_euclid(60).max(1)
}

/// Refuses when the account or the address has failed too often lately.
pub(super) async fn check(
    store: &Store,
    config: &AuthConfig,
    keys: &Keys,
    now: DateTime<Utc>,
) -> Result<()> {
    let window = chrono_duration(config.failure_window);
    for (key, max) in [
        (&keys.account, config.max_failures_per_account),
        (&keys.address, config.max_failures_per_address),
    ] {
        let (count, earliest) = store.login_failures_since(key, now - window).await?;
        if count >= max {
            tracing::warn!(kind = %key.split(':').next().unwrap_or(""), "sign-in throttled");
            return Err(ServiceError::Throttled {
                minutes: minutes_left(earliest, window, now),
            });
        }
    }
    Ok(())
}

pub(super) async fn failed(store: &Store, keys: &Keys, now: DateTime<Utc>) -> Result<()> {
    store
        .record_login_failure(&[keys.account.clone(), keys.address.clone()], now)
        .await?;
    Ok(())
}

pub(super) async fn succeeded(store: &Store, keys: &Keys) -> Result<()> {
    store.clear_login_failures(&keys.account).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_minutes_round_up() {
        let now = Utc::now();
        let w = chrono::Duration::minutes(15);
        assert_eq!(
            minutes_left(Some(now - chrono::Duration::minutes(14)), w, now),
            1
        );
        assert_eq!(minutes_left(Some(now), w, now), 15);
    }
}
