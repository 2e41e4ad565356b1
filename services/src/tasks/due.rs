//! Due times as people type them: a UK date and a wall-clock time.

use crate::{Result, ServiceError};

/// A due time from the form's London date ("YYYY-MM-DD") and time
/// ("HH:MM", 17:00 when left blank). No date: no due time.
pub fn parse_due(
    date: Option<&str>,
    time: Option<&str>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    let date = date.map(str::trim).unwrap_or_default();
    let time = time.map(str::trim).unwrap_or_default();
    if date.is_empty() {
        if !time.is_empty() {
            return Err(ServiceError::field(
                "due_date",
                "Give a date for the due time.",
            ));
        }
        return Ok(None);
    }
    let day = domain::time::iso_date(date).ok_or_else(|| {
        ServiceError::field("due_date", "Enter the due date as a date, e.g. 2026-11-24.")
    })?;
    let time = if time.is_empty() { "17:00" } else { time };
    let bad_time = || ServiceError::field("due_time", "Enter the due time as HH:MM, e.g. 14:30.");
    let minutes = domain::book::minutes(time).ok_or_else(bad_time)?;
    let local = day
        .and_hms_opt((minutes / 60) as u32, (minutes % 60) as u32, 0)
        .ok_or_else(bad_time)?;
    domain::time::london_to_utc(local)
        .map(Some)
        .map_err(|e| ServiceError::field("due_time", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(d: &str, t: &str) -> std::result::Result<Option<String>, String> {
        parse_due(Some(d), Some(t))
            .map(|o| o.map(|d| d.to_rfc3339()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn due_times_are_uk_wall_clock_times() {
        assert_eq!(due("", ""), Ok(None));
        assert_eq!(
            due("2026-07-01", "09:30"),
            Ok(Some("2026-07-01T08:30:00+00:00".into()))
        );
        assert_eq!(
            due("2026-12-01", ""),
            Ok(Some("2026-12-01T17:00:00+00:00".into())),
            "17:00 by default"
        );
        assert!(due("2026-03-29", "01:30")
            .unwrap_err()
            .contains("clocks go forward"));
        assert!(due("01/12/2026", "").unwrap_err().contains("due date"));
        assert!(due("2026-12-01", "25:00").unwrap_err().contains("HH:MM"));
        assert!(due("", "09:00").unwrap_err().contains("Give a date"));
    }
}
