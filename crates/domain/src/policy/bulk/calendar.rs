//! Calendar arithmetic on day numbers (days since 1970-01-01), in plain integer
//! operations a kernel can run per row: the proleptic Gregorian conversions of
//! H. Hinnant's `chrono`-compatible algorithms, and `Duration::after` on day numbers.

use super::super::value::Duration;

/// `(year, month, day)` of a day number.
#[inline(always)]
pub fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The day number of `(year, month, day)`.
#[inline(always)]
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[inline(always)]
fn month_len(y: i64, m: i64) -> i64 {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    match m {
        2 => 28 + i64::from(leap),
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `Duration::after` on day numbers: `None` (past the calendar's end) is `i64::MAX`,
/// which sorts after every date, as `order` treats it.
#[inline(always)]
pub fn after(s: i64, months: i64, days: i64, max_day: i64) -> i64 {
    let (y, m, d) = civil(s);
    let total = y * 12 + (m - 1) + months;
    let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let nd = d.min(month_len(ny, nm));
    let r = days_from_civil(ny, nm, nd) + days;
    if r > max_day {
        i64::MAX
    } else {
        r
    }
}

pub fn after_dur(s: i64, dur: Duration, max_day: i64) -> i64 {
    after(s, i64::from(dur.months), i64::from(dur.days), max_day)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::{Datelike, NaiveDate};
    use proptest::prelude::*;

    use super::super::columns::{date_to_days, day_range, days_to_date};
    use super::*;

    proptest! {
        #[test]
        fn day_numbers_round_trip_through_the_civil_calendar(z in -100_000_000i64..100_000_000) {
            let (y, m, d) = civil(z);
            prop_assert_eq!(days_from_civil(y, m, d), z);
            if let Some(date) = days_to_date(z) {
                prop_assert_eq!((i64::from(date.year()), i64::from(date.month()), i64::from(date.day())), (y, m, d));
            }
        }

        #[test]
        fn after_on_day_numbers_is_duration_after(z in -800_000i64..800_000, months in 0u32..1300, days in 0u32..800) {
            let dur = Duration { months, days };
            let date = days_to_date(z).unwrap();
            let want = dur.after(date).map_or(i64::MAX, |d| i64::from(date_to_days(d)));
            prop_assert_eq!(after_dur(z, dur, day_range().1), want);
        }
    }

    #[test]
    fn after_clamps_to_month_end_and_overflows_past_the_calendar() {
        let max = day_range().1;
        let d = |y, m, dd| i64::from(date_to_days(NaiveDate::from_ymd_opt(y, m, dd).unwrap()));
        assert_eq!(after(d(2024, 2, 29), 12, 0, max), d(2025, 2, 28));
        assert_eq!(after(d(2025, 1, 31), 1, 0, max), d(2025, 2, 28));
        assert_eq!(after(max - 3, 0, 10, max), i64::MAX);
        assert_eq!(after(max - 3, 1, 0, max), i64::MAX);
    }
}
