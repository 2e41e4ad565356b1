//! Sign-in throttling, counted in the database so it holds across several
//! server processes. Each attempt is counted *before* its password is
//! checked, atomically, per key: the account at that address, and the
//! address. A key may fail `limit` times freely; after that each further
//! attempt must wait a delay that doubles with every failure (30 s, 1 min,
//! 2 min … up to 15 min), and is refused uncounted until then. A key's
//! failures are forgotten an hour after its last one; a success forgets the
//! account-at-address key and takes its own attempt back from the address.
//!
//! So an attacker is slowed to a few guesses an hour per account and
//! address, while nobody elsewhere can lock a named clinician out: their own
//! address has its own count.

use super::AuthConfig;
use crate::{Result, ServiceError};
use chrono::{DateTime, Duration, Utc};
use store::auth::throttle::{Attempts, Decision};
use store::Store;

/// The first wait once a key has used its free failures.
const FIRST_DELAY_SECS: i64 = 30;
/// The longest wait between attempts.
const LONGEST_DELAY_SECS: i64 = 15 * 60;
/// A key's failures are forgotten this long after its last one.
const FORGET_AFTER_SECS: i64 = 60 * 60;

pub(super) struct Keys {
    pair: String,
    address: String,
}

impl Keys {
    pub(super) fn new(username: &str, address: &str) -> Self {
        Self {
            pair: format!("acct:{}@{address}", username.trim().to_ascii_lowercase()),
            address: format!("addr:{address}"),
        }
    }
}

/// How long a key that has failed `n` times (more than `limit`) waits.
pub(super) fn delay(n: i64, limit: i64) -> Duration {
    let doublings = (n - limit).clamp(0, 30) as u32;
    let secs = FIRST_DELAY_SECS.saturating_mul(1_i64 << doublings.min(20));
    Duration::seconds(secs.min(LONGEST_DELAY_SECS))
}

/// The rule for one attempt on a key that has `limit` free failures.
pub(super) fn decide(seen: Option<Attempts>, limit: i64, now: DateTime<Utc>) -> Decision {
    let n = match seen {
        Some(a) if now - a.last < Duration::seconds(FORGET_AFTER_SECS) => a,
        _ => return Decision::Count { n: 1 },
    };
    if n.n >= limit {
        let until = n.last + delay(n.n, limit);
        if now < until {
            return Decision::Refuse { until };
        }
    }
    Decision::Count { n: n.n + 1 }
}

/// Minutes until `until` (at least 1).
pub(super) fn minutes_left(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    ((until - now).num_seconds() + 59).div_euclid(60).max(1)
}

/// Counts this attempt on both keys, or refuses it (uncounted) while
/// either is waiting. A refusal on the address after the pair was counted
/// takes the pair's count back.
pub(super) async fn count(
    store: &Store,
    config: &AuthConfig,
    keys: &Keys,
    now: DateTime<Utc>,
) -> Result<()> {
    for (i, (key, limit)) in [
        (&keys.pair, config.max_failures_per_account),
        (&keys.address, config.max_failures_per_address),
    ]
    .into_iter()
    .enumerate()
    {
        let decision = store
            .count_attempt(key, now, |seen| decide(seen, limit, now))
            .await?;
        if let Decision::Refuse { until } = decision {
            if i == 1 {
                store.uncount_attempt(&keys.pair).await?;
            }
            tracing::warn!(kind = %key.split(':').next().unwrap_or(""), "sign-in throttled");
            return Err(ServiceError::Throttled {
                minutes: minutes_left(until, now),
            });
        }
    }
    Ok(())
}

/// A counted attempt succeeded.
pub(super) async fn succeeded(store: &Store, keys: &Keys) -> Result<()> {
    store.clear_attempts(&keys.pair).await?;
    store.uncount_attempt(&keys.address).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(n: i64, secs_ago: i64, now: DateTime<Utc>) -> Option<Attempts> {
        Some(Attempts {
            n,
            last: now - Duration::seconds(secs_ago),
        })
    }

    #[test]
    fn free_failures_then_doubling_waits_then_forgotten() {
        let now = Utc::now();
        assert_eq!(decide(None, 5, now), Decision::Count { n: 1 });
        assert_eq!(decide(at(4, 0, now), 5, now), Decision::Count { n: 5 });
        // The sixth must wait 30 s after the fifth.
        assert!(matches!(
            decide(at(5, 10, now), 5, now),
            Decision::Refuse { .. }
        ));
        assert_eq!(decide(at(5, 31, now), 5, now), Decision::Count { n: 6 });
        // Then 1 min, 2 min … at most 15 min.
        assert!(matches!(
            decide(at(6, 50, now), 5, now),
            Decision::Refuse { .. }
        ));
        assert_eq!(decide(at(6, 61, now), 5, now), Decision::Count { n: 7 });
        assert_eq!(delay(20, 5), Duration::minutes(15));
        assert!(matches!(
            decide(at(40, 14 * 60, now), 5, now),
            Decision::Refuse { .. }
        ));
        assert_eq!(
            decide(at(40, 15 * 60 + 1, now), 5, now),
            Decision::Count { n: 41 }
        );
        // An hour after the last failure, a key starts again.
        assert_eq!(decide(at(40, 3601, now), 5, now), Decision::Count { n: 1 });
    }

    #[test]
    fn lockout_minutes_round_up() {
        let now = Utc::now();
        assert_eq!(minutes_left(now + Duration::seconds(30), now), 1);
        assert_eq!(minutes_left(now + Duration::minutes(15), now), 15);
    }
}
