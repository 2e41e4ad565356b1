//! OpenPractice's plain domain: types that carry their own rules (an invalid
//! NHS number, role or postcode cannot exist past the boundary). No I/O, no
//! database types: this crate builds for the browser (WASM) and the server.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod appointment_status;
pub mod book;
pub mod clinical;
pub mod conflict;
pub mod error;
pub mod ids;
pub mod live;
pub mod nav;
pub mod nhs_number;
pub mod password;
pub mod patient;
pub mod policy;
pub mod postcode;
pub mod practice;
pub mod record;
pub mod results;
pub mod role;
pub mod rota;
pub mod scopes;
pub mod settings;
pub mod snomed;
pub mod staff;
pub mod task;
pub mod time;
pub mod url;

pub use conflict::Current;
pub use error::FieldError;
pub use ids::*;
pub use nav::Area;
pub use nhs_number::{NhsNumber, NhsNumberError};
pub use postcode::{Postcode, PostcodeError};
pub use role::{Role, RoleError};
pub use staff::{
    CurrentUser, OneTimePassword, SessionView, SignInInfo, StaffAccount, Username, UsernameError,
};
