//! Appointments and the live day: the waiting room (reception), "My day"
//! (clinicians) and the call screen. Lists are live over `/ws` (see
//! `crate::live`); changes go through the server functions here.

mod book_fns;
mod book_page;
mod call_screen;
mod day_list;
mod display_links;
mod server_fns;
mod sessions_page;

pub use book_fns::*;
pub use book_page::AppointmentsPage;
pub use call_screen::CallScreenPage;
pub use day_list::{pretty_date, LiveStatus, MyDayPage, WaitingRoomPage};
pub use display_links::*;
pub use server_fns::*;
pub use sessions_page::*;
