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

/// Why a London wall-clock time cannot be turned into an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LocalTimeError {
    #[error(
        "That time does not exist in the UK that day: the clocks go forward from 1:00 to 2:00."
    )]
    SkippedByClockChange,
}

/// The instant of a London wall-clock time. In the hour the clocks go back
/// (01:00–01:59 happens twice) the first, summer-time, one is meant: a
/// deadline is never later than the person setting it expects.
pub fn london_to_utc(local: NaiveDateTime) -> Result<DateTime<Utc>, LocalTimeError> {
    let summer = Utc.from_utc_datetime(&(local - Duration::minutes(60)));
    if london_offset_minutes(summer) == 60 {
        return Ok(summer);
    }
    let winter = Utc.from_utc_datetime(&local);
    if london_offset_minutes(winter) == 0 {
        return Ok(winter);
    }
    Err(LocalTimeError::SkippedByClockChange)
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

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn london_wall_clock_times_become_the_right_instants_across_clock_changes() {
        assert_eq!(
            london_to_utc(local("2026-01-15 09:00")),
            Ok(utc("2026-01-15T09:00:00Z"))
        );
        assert_eq!(
            london_to_utc(local("2026-07-15 09:00")),
            Ok(utc("2026-07-15T08:00:00Z"))
        );
        // 29 March 2026: 01:30 never happens in London.
        assert_eq!(
            london_to_utc(local("2026-03-29 01:30")),
            Err(LocalTimeError::SkippedByClockChange)
        );
        assert_eq!(
            london_to_utc(local("2026-03-29 00:59")),
            Ok(utc("2026-03-29T00:59:00Z"))
        );
        assert_eq!(
            london_to_utc(local("2026-03-29 02:00")),
            Ok(utc("2026-03-29T01:00:00Z"))
        );
        // 25 October 2026: 01:30 happens twice; the first (BST) is meant.
        assert_eq!(
            london_to_utc(local("2026-10-25 01:30")),
            Ok(utc("2026-10-25T00:30:00Z"))
        );
        assert_eq!(
            london_to_utc(local("2026-10-25 02:30")),
            Ok(utc("2026-10-25T02:30:00Z"))
        );
    }

    proptest::proptest! {
        /// Every instant's London wall-clock time maps back to an instant
        /// with the same wall-clock time.
        #[test]
        fn local_and_utc_round_trip(secs in 1_700_000_000i64..1_900_000_000i64) {
            let at = DateTime::from_timestamp(secs - secs % 60, 0).unwrap();
            let back = london_to_utc(london_local(at)).unwrap();
            proptest::prop_assert_eq!(london_local(back), london_local(at));
        }
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
