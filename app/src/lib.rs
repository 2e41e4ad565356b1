//! OpenPractice's UI and server functions: one crate rendered on the server
//! (feature `ssr`) and hydrated in the browser (feature `hydrate`). Database
//! and server-only code sits behind `ssr` so it never reaches the WASM.

// Leptos view types nest deeply; release builds (without the debug
// `erase_components` flag) need more than the default 128.
#![recursion_limit = "256"]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod appointments;
pub mod auth;
pub mod error;
pub mod live;
pub mod loading;
pub mod pages;
pub mod patients;
pub mod results;
pub mod shell;
pub mod tasks;

#[cfg(feature = "ssr")]
pub mod door;
#[cfg(feature = "ssr")]
pub mod state;

pub use error::AppError;
pub use shell::{shell, App};

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
