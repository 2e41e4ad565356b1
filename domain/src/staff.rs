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
