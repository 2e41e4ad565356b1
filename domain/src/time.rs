//! The practice's clock: Europe/London, computed from the UK rule (British
//! Summer Time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
//! last Sunday of October) so no time-zone database is needed in the WASM.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }?;
    let last = first_of_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    Some(last - Duration::days(i64::from(back)))
}

fn bst_bounds(year: i32) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = last_sunday(year, 3)?.and_hms_opt(1, 0, 0)?;
    let end = last_sunday(year, 10)?.and_hms_opt(1, 0, 0)?;
    Some((Utc.from_utc_datetime(&start), Utc.from_utc_datetime(&end)))
}

/// Minutes ahead of UTC in London at `at`: 60 in summer time, else 0.
pub fn london_offset_minutes(at: DateTime<Utc>) -> i64 {
    match bst_bounds(at.year()) {
        Some((start, end)) if at >= start && at < end => 60,
        _ => 0,
    }
}

/// The London wall-clock time at `at`.
pub fn london_local(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc() + Duration::minutes(london_offset_minutes(at))
}

/// A date written exactly as YYYY-MM-DD (ten characters), or `None`.
pub fn iso_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Today's date in London.
pub fn london_today(now: DateTime<Utc>) -> NaiveDate {
    london_local(now).date()
}

/// "14:05", London time.
pub fn london_hhmm(at: DateTime<Utc>) -> String {
    london_local(at).format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn summer_time_starts_and_ends_at_one_utc_on_the_last_sundays() {
        // 2026: BST from 29 March to 25 October.
        assert_eq!(london_offset_minutes(utc("2026-03-29T00:59:59Z")), 0);
        assert_eq!(london_offset_minutes(utc("2026-03-29T01:00:00Z")), 60);
        assert_eq!(london_offset_minutes(utc("2026-10-25T00:59:59Z")), 60);
        assert_eq!(london_offset_minutes(utc("2026-10-25T01:00:00Z")), 0);
        // 2027: 28 March to 31 October.
        assert_eq!(london_offset_minutes(utc("2027-03-28T01:00:00Z")), 60);
        assert_eq!(london_offset_minutes(utc("2027-10-31T00:30:00Z")), 60);
        assert_eq!(
            NaiveDate::from_ymd_opt(2027, 10, 31).unwrap().weekday(),
            Weekday::Sun
        );
    }

    #[test]
    fn iso_dates_are_exactly_yyyy_mm_dd() {
        assert_eq!(
            iso_date("2026-11-21").map(|d| d.to_string()).as_deref(),
            Some("2026-11-21")
        );
        for bad in [
            "2026-1-5",
            "21/11/2026",
            "2026-02-30",
            "",
            "2026-11-21T00:00",
        ] {
            assert_eq!(iso_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_london_date_differs_from_utc_just_before_midnight_in_summer() {
        let at = utc("2026-07-01T23:30:00Z");
        assert_eq!(london_today(at).to_string(), "2026-07-02");
        assert_eq!(london_hhmm(at), "00:30");
        let winter = utc("2026-12-01T23:30:00Z");
        assert_eq!(london_today(winter).to_string(), "2026-12-01");
    }
}
