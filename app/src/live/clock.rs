//! Times in the browser: its clock, ticking "now", and London times.

use leptos::prelude::*;

/// Milliseconds since the epoch, from the browser's clock (0 on the server).
pub fn now_millis() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// The time now (the browser's clock in the browser: `Utc::now` is not
/// available in WASM).
pub fn clock_now() -> chrono::DateTime<chrono::Utc> {
    #[cfg(feature = "hydrate")]
    {
        chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        chrono::Utc::now()
    }
}

/// The time now, refreshed every `every_ms` in the browser (for "overdue"
/// and waiting times that change as the clock moves).
pub fn use_now(every_ms: u32) -> RwSignal<chrono::DateTime<chrono::Utc>> {
    let now = RwSignal::new(clock_now());
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || now.set(clock_now()),
            std::time::Duration::from_millis(u64::from(every_ms)),
        )
        .ok();
        let handle = send_wrapper::SendWrapper::new(handle);
        on_cleanup(move || {
            if let Some(h) = handle.take() {
                h.clear();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = every_ms;
    now
}

/// "21 Nov 2026 14:05", London time, from RFC 3339.
pub fn london_text(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            domain::time::london_local(t.with_timezone(&chrono::Utc))
                .format("%-d %b %Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// "14:05" in London for a time in epoch milliseconds.
pub fn london_hhmm_at(millis: f64) -> String {
    chrono::DateTime::from_timestamp_millis(millis as i64)
        .map(domain::time::london_hhmm)
        .unwrap_or_default()
}
