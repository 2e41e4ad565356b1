//! Signing in and out, and who a session belongs to. Sessions are
//! server-side, looked up by the SHA-256 of the cookie token; the token
//! itself is never stored. Never logs a password, a token or a username
//! that failed to sign in, and never reveals whether a username exists:
//! wrong credentials get one answer.

mod change;
pub(crate) mod passwords;
pub mod sessions;
mod throttle;
mod tokens;

pub use change::{change_password, PasswordChange};
pub use tokens::{new_token, token_key};

use crate::{Actor, Result, ServiceError};
use chrono::{DateTime, Utc};
use domain::{CurrentUser, FieldError, PracticeId, Role, SignInInfo, StaffId, Username};
use std::time::Duration;
use store::Store;

#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Mark the session cookie `Secure` (served over TLS).
    pub secure_cookies: bool,
    pub idle_timeout: Duration,
    pub absolute_lifetime: Duration,
    /// Failed attempts allowed per account, and per address, in `window`.
    pub max_failures_per_account: i64,
    pub max_failures_per_address: i64,
    pub failure_window: Duration,
    /// A session's last use is written at most this often (the idle
    /// timeout needs minute precision, not a write per request).
    pub touch_every: Duration,
    /// How often an open socket's session is re-checked (not a use: an
    /// open tab alone does not keep a session alive).
    pub socket_recheck: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            idle_timeout: Duration::from_secs(60 * 60),
            absolute_lifetime: Duration::from_secs(12 * 60 * 60),
            max_failures_per_account: 5,
            max_failures_per_address: 20,
            failure_window: Duration::from_secs(15 * 60),
            touch_every: Duration::from_secs(60),
            socket_recheck: domain::live::RECHECK_EVERY,
        }
    }
}

/// A resolved session: the actor the services see, and the person as the
/// pages show them.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub actor: Actor,
    pub user: CurrentUser,
    /// The stored key of the session (the token's hash).
    pub session_key: String,
    /// Signed in with a one-time password: until they choose their own,
    /// the doors let them do nothing else.
    pub must_change_password: bool,
}

pub(crate) fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Whose doing a session lookup is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    /// The person's own request (a page, an action): it counts as use.
    Person,
    /// A check the server makes on its own (an open socket's re-check):
    /// it never keeps an idle session alive.
    Check,
}

/// Resolves a session token to who it belongs to, ending the session if
/// it has idled out or passed its absolute lifetime, or its owner was
/// deactivated. Only the person's own activity counts as use.
pub async fn resolve_session(
    store: &Store,
    config: &AuthConfig,
    token: &str,
    now: DateTime<Utc>,
    activity: Activity,
) -> Result<Option<SignedIn>> {
    let key = token_key(token);
    let Some(record) = store.session(&key).await? else {
        return Ok(None);
    };
    let idle_deadline = record.last_seen + chrono_duration(config.idle_timeout);
    if !record.active || now >= record.expires_at || now >= idle_deadline {
        store.delete_session(&key).await?;
        return Ok(None);
    }
    let Ok(role) = record.role.parse::<Role>() else {
        return Err(ServiceError::internal(
            "session's staff has an unknown role",
        ));
    };
    if activity == Activity::Person && now - record.last_seen > chrono_duration(config.touch_every)
    {
        store.touch_session(&key, now).await?;
    }
    let user = CurrentUser {
        staff_id: StaffId::new(record.staff_id),
        display_name: record.display_name,
        role,
        practice_id: PracticeId::new(record.practice_id),
        practice_name: record.practice_name,
        practice_is_demo: record.practice_is_demo,
        must_change_password: record.must_change_password,
    };
    Ok(Some(SignedIn {
        actor: Actor::member(
            user.practice_id.clone(),
            user.staff_id.clone(),
            user.display_name.clone(),
            role,
            None,
        ),
        user,
        session_key: key,
        must_change_password: record.must_change_password,
    }))
}

/// A new session's token, to be set as the cookie.
pub struct NewSession {
    pub token: String,
}

/// An audit row about signing in, for a practice's trail (or, naming no
/// account that exists, the deployment's). Never the password; never a
/// username that matched nothing (people type passwords there).
async fn audit_sign_in(
    store: &Store,
    account: Option<&store::staff::Staff>,
    action: &str,
    address: &str,
    outcome: store::audit::Outcome,
) -> Result<()> {
    let entry = |staff: Option<&store::staff::Staff>| store::audit::AuditEntry {
        staff_id: staff.map(|s| s.id.as_str().to_string()),
        role: staff.map(|s| s.role.as_str().to_string()),
        action: action.to_string(),
        patient_id: None,
        address: Some(address.to_string()),
        outcome,
    };
    match account {
        Some(staff) => {
            store
                .practice(&staff.practice_id)
                .audit(&entry(Some(staff)))
                .await?
        }
        None => store.audit_deployment(&entry(None)).await?,
    }
    Ok(())
}

/// Checks a username and password from `address`; on success starts a
/// session (ending `previous`, the session the browser already held: a
/// sign-in always rotates the token). The attempt is counted before the
/// password is checked (`throttle`), and the check runs on the blocking
/// pool behind a small limit, so a burst of sign-ins neither outruns the
/// throttle nor stalls the pages and sockets.
pub async fn sign_in(
    store: &Store,
    config: &AuthConfig,
    username: &str,
    password: &str,
    address: &str,
    previous: Option<&str>,
) -> Result<NewSession> {
    let mut missing = vec![];
    if username.trim().is_empty() {
        missing.push(FieldError::new("username", "Enter your username"));
    }
    if password.is_empty() {
        missing.push(FieldError::new("password", "Enter your password"));
    }
    if !missing.is_empty() {
        return Err(ServiceError::Invalid(missing));
    }

    let now = Utc::now();
    let keys = throttle::Keys::new(username, address);
    throttle::count(store, config, &keys, now).await?;

    let account = match Username::parse(username) {
        Ok(u) => store.sign_in_account(&u).await?,
        Err(_) => None,
    };
    let verified = match &account {
        Some(a) => passwords::verify(password, &a.password_hash).await && a.staff.active,
        None => {
            passwords::verify_against_nothing(password).await;
            false
        }
    };
    let account = match account {
        Some(a) if verified => a,
        other => {
            let staff = other.as_ref().map(|a| &a.staff);
            let action = match staff {
                Some(_) => "failed to sign in",
                None => "failed to sign in: no such account",
            };
            audit_sign_in(
                store,
                staff,
                action,
                address,
                store::audit::Outcome::Refused,
            )
            .await?;
            tracing::info!("sign-in failed: bad credentials");
            return Err(ServiceError::BadCredentials);
        }
    };

    throttle::succeeded(store, &keys).await?;
    if let Some(old) = previous {
        store.delete_session(&token_key(old)).await?;
    }
    let token = new_token();
    store
        .practice(&account.staff.practice_id)
        .create_session(
            &token_key(&token),
            &account.staff.id,
            now,
            now + chrono_duration(config.absolute_lifetime),
        )
        .await?;
    store
        .practice(&account.staff.practice_id)
        .record_sign_in(&account.staff.id)
        .await?;
    audit_sign_in(
        store,
        Some(&account.staff),
        "signed in",
        address,
        store::audit::Outcome::Allowed,
    )
    .await?;
    tracing::info!(staff = %account.staff.id, role = %account.staff.role, "signed in");
    Ok(NewSession { token })
}

/// Ends the session on the server: the old cookie stops working. Audited
/// for the person it belonged to.
pub async fn sign_out(store: &Store, token: &str, address: &str) -> Result<()> {
    let key = token_key(token);
    if let Some(session) = store.session(&key).await? {
        let role = session.role.parse::<Role>().ok();
        let entry = store::audit::AuditEntry {
            staff_id: Some(session.staff_id.clone()),
            role: role.map(|r| r.as_str().to_string()),
            action: "signed out".to_string(),
            patient_id: None,
            address: Some(address.to_string()),
            outcome: store::audit::Outcome::Allowed,
        };
        store
            .practice(&PracticeId::new(session.practice_id))
            .audit(&entry)
            .await?;
    }
    store.delete_session(&key).await?;
    Ok(())
}

/// Whether the socket opened with `token` for `staff` may stay open.
/// `None`: the database could not be asked (keep it; the next check decides).
pub async fn still_signed_in(
    store: &Store,
    config: &AuthConfig,
    token: &str,
    staff: &StaffId,
) -> Option<bool> {
    match resolve_session(store, config, token, Utc::now(), Activity::Check).await {
        Ok(Some(s)) => Some(s.actor.is(staff.as_str())),
        Ok(None) => Some(false),
        Err(_) => None,
    }
}

/// What the sign-in page offers: the demo's sign-ins, in demo mode only.
pub fn sign_in_info(demo: bool) -> SignInInfo {
    if demo {
        SignInInfo {
            demo_accounts: store::demo::DEMO_SIGN_INS
                .iter()
                .map(|(u, r)| (u.to_string(), *r))
                .collect(),
            demo_password: Some(store::demo::DEMO_PASSWORD.to_string()),
        }
    } else {
        SignInInfo {
            demo_accounts: vec![],
            demo_password: None,
        }
    }
}
