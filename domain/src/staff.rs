//! Staff identity rules: usernames, and the signed-in person as every
//! page and door knows them.

use crate::ids::{PracticeId, StaffId};
use crate::Role;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The signed-in person, as the UI needs them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub staff_id: StaffId,
    pub display_name: String,
    pub role: Role,
    pub practice_id: PracticeId,
    pub practice_name: String,
    pub practice_is_demo: bool,
    /// Signed in with a one-time password: must choose their own first.
    #[serde(default)]
    pub must_change_password: bool,
}

/// A member of staff as the practice's admin sees them (Admin → Staff).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccount {
    pub id: StaffId,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub version: i64,
    /// Holds a one-time password: must choose their own at next sign-in.
    pub must_change_password: bool,
    /// RFC 3339, when they last signed in; `None`: never.
    pub last_sign_in: Option<String>,
    /// The names of the teams they belong to.
    pub teams: Vec<String>,
}

/// An account just made or reset: the one-time password, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneTimePassword {
    pub username: String,
    pub name: String,
    pub password: String,
}

/// One of a person's sessions, as "Where you are signed in" lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// Names the session to the browser (a prefix of its stored key).
    pub id: String,
    /// "Chrome on Windows", from the browser's own description.
    pub device: String,
    pub address: String,
    /// RFC 3339.
    pub signed_in_at: String,
    pub last_used: String,
    /// The session this page was loaded in.
    pub current: bool,
}

/// What the sign-in page shows before anyone is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInInfo {
    /// Demo sign-ins (username, role) and their shared password, in demo mode only.
    pub demo_accounts: Vec<(String, Role)>,
    pub demo_password: Option<String>,
}

/// A sign-in name: 2–32 of lower-case letters, digits, `.`, `-`, `_`.
/// Stored lower-case so "Reception" and "reception" are one account.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("A username has 2 to 32 characters")]
    Length,
    #[error("A username uses only letters, digits, dots, hyphens and underscores")]
    Characters,
}

impl Username {
    pub fn parse(input: &str) -> Result<Self, UsernameError> {
        let s = input.trim().to_ascii_lowercase();
        if !(2..=32).contains(&s.chars().count()) {
            return Err(UsernameError::Length);
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
        {
            return Err(UsernameError::Characters);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Username {
    type Error = UsernameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_lowercased_and_checked() {
        assert_eq!(Username::parse(" Dr.Khan ").unwrap().as_str(), "dr.khan");
        assert_eq!(Username::parse("a"), Err(UsernameError::Length));
        assert_eq!(Username::parse("has space"), Err(UsernameError::Characters));
        assert_eq!(
            Username::parse("robert'); drop"),
            Err(UsernameError::Characters)
        );
    }
}
