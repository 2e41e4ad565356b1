//! The deployment's practices, as its operator sees them: who each
//! practice is and how many staff it has, never anything about a patient.

use crate::staff::OneTimePassword;
use serde::{Deserialize, Serialize};

/// One practice of the deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeSummary {
    pub id: String,
    pub name: String,
    pub ods_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// Active staff accounts.
    pub staff: i64,
}

/// A new practice and its first admin, as the operator typed them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPracticeForm {
    pub name: String,
    pub ods_code: String,
    pub address: String,
    pub phone: String,
    pub admin_name: String,
    pub admin_username: String,
}

/// A practice just created, with its first admin's one-time password
/// (shown once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedPractice {
    pub practice: PracticeSummary,
    pub admin: OneTimePassword,
}
