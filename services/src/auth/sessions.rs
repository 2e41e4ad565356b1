//! "Where you are signed in": a person's own sessions (device, address,
//! last used), each of which they can end, or all but this one; and the
//! practice admin signing a colleague out everywhere (their open tabs go
//! to the sign-in page at once). A session is named to the browser by the
//! first 16 characters of its stored key (itself a hash of the cookie,
//! which is never stored), enough to tell a person's few sessions apart.

use super::SignedIn;
use crate::{audit, Actor, Result, ServiceError};
use domain::{Area, SessionView, StaffId};
use store::audit::Outcome;
use store::Store;

/// How many characters of a session's key name it to the browser.
const NAME_CHARS: usize = 16;

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A browser's user agent in a few words ("Firefox on Linux"); never the
/// raw string, which is long and identifying.
pub fn device_of(user_agent: &str) -> String {
    let ua = user_agent.to_ascii_lowercase();
    let browser = if ua.contains("edg/") {
        "Edge"
    } else if ua.contains("firefox/") {
        "Firefox"
    } else if ua.contains("chrome/") || ua.contains("chromium/") {
        "Chrome"
    } else if ua.contains("safari/") {
        "Safari"
    } else {
        "A browser"
    };
    let system = if ua.contains("ipad") {
        "iPad"
    } else if ua.contains("iphone") {
        "iPhone"
    } else if ua.contains("android") {
        "Android"
    } else if ua.contains("windows") {
        "Windows"
    } else if ua.contains("mac os") || ua.contains("macintosh") {
        "macOS"
    } else if ua.contains("cros") {
        "ChromeOS"
    } else if ua.contains("linux") {
        "Linux"
    } else {
        "an unknown system"
    };
    format!("{browser} on {system}")
}

/// Notes the device and address the session of `token` (just started)
/// was started from.
pub async fn describe(store: &Store, token: &str, user_agent: &str, address: &str) -> Result<()> {
    let key = super::token_key(token);
    let Some(session) = store.session(&key).await? else {
        return Ok(());
    };
    store
        .practice(&domain::PracticeId::new(session.practice_id))
        .describe_session(&key, &device_of(user_agent), address)
        .await?;
    Ok(())
}

/// The signed-in person's sessions, most recently used first.
pub async fn mine(store: &Store, signed_in: &SignedIn) -> Result<Vec<SessionView>> {
    let me = signed_in.actor.staff_id()?;
    let rows = signed_in.actor.db(store).sessions_of(me).await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionView {
            id: r.key.chars().take(NAME_CHARS).collect(),
            device: r.device.unwrap_or_else(|| "Not recorded".into()),
            address: r.address.unwrap_or_else(|| "Not recorded".into()),
            signed_in_at: rfc3339(r.created_at),
            last_used: rfc3339(r.last_seen),
            current: r.key == signed_in.session_key,
        })
        .collect())
}

/// Ends one of the person's own sessions (`id` as listed), or with `None`
/// every one but this. Ending this one is signing out (its own button).
pub async fn end_mine(store: &Store, signed_in: &SignedIn, id: Option<&str>) -> Result<()> {
    let actor = &signed_in.actor;
    let me = actor.staff_id()?;
    let db = actor.db(store);
    match id {
        Some(id) => {
            let keys: Vec<String> = db
                .sessions_of(me)
                .await?
                .into_iter()
                .map(|r| r.key)
                .filter(|k| id.len() == NAME_CHARS && k.starts_with(id))
                .collect();
            if keys.is_empty() {
                return Err(ServiceError::NotFound);
            }
            if keys.contains(&signed_in.session_key) {
                return Err(ServiceError::conflict(
                    "That is this session: use Sign out to end it.",
                    None,
                ));
            }
            db.end_sessions(me, Some(&keys), None, false).await?;
            audit::record(
                store,
                actor,
                "signed out one of their other sessions",
                None,
                Outcome::Allowed,
            )
            .await
        }
        None => {
            db.end_sessions(me, None, Some(&signed_in.session_key), false)
                .await?;
            audit::record(
                store,
                actor,
                "signed out of their other sessions",
                None,
                Outcome::Allowed,
            )
            .await
        }
    }
}

/// The practice admin signs a colleague out everywhere: every session
/// ends and their open tabs go to the sign-in page at once.
pub async fn sign_out_everywhere(store: &Store, actor: &Actor, staff: &StaffId) -> Result<()> {
    actor.require(Area::Admin)?;
    if staff.as_str().is_empty() || actor.db(store).account_row(staff.as_str()).await?.is_none() {
        return Err(ServiceError::NotFound);
    }
    if actor.is(staff.as_str()) {
        return Err(ServiceError::conflict(
            "To sign yourself out, use Sign out; to end your other sessions, use \"Where you are signed in\".",
            None,
        ));
    }
    actor
        .db(store)
        .end_sessions(staff, None, None, true)
        .await?;
    let action = format!(
        "signed staff account {} out everywhere",
        audit::sanitised_id(staff.as_str())
    );
    audit::record(store, actor, &action, None, Outcome::Allowed).await
}

#[cfg(test)]
mod tests {
    use super::device_of;

    #[test]
    fn a_user_agent_becomes_a_few_words() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert_eq!(device_of(chrome), "Chrome on Windows");
        let ipad = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device_of(ipad), "Safari on iPad");
        assert_eq!(
            device_of("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"),
            "Firefox on Linux"
        );
        assert_eq!(device_of(""), "A browser on an unknown system");
    }
}
