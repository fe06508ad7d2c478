//! Calendar conversions for UTC unix seconds (Howard Hinnant's civil
//! algorithms) — no clock, no time zone database.

/// (year, month, day) of a unix day number.
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `2026-11-22 14:03`
pub fn fmt_minutes(secs: i64) -> String {
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", rem / 3600, (rem % 3600) / 60)
}

/// `2026-11-22T14:03:09Z`
pub fn fmt_rfc3339(secs: i64) -> String {
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, (rem % 3600) / 60, rem % 60)
}

/// `yyyy-mm-dd` → unix seconds at 00:00 UTC. Exactly that shape (what a date
/// input sends), a real day of the month, years 0001–9999; anything else is None.
pub fn day_start(date: &str) -> Option<i64> {
    let b = date.trim().as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { b[r].iter().try_fold(0i64, |acc, c| c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))) };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if y == 0 || !(1..=month_days).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

/// `yyyy-mm` → [its first second, the next month's first second), UTC.
pub fn month_range(month: &str) -> Option<(i64, i64)> {
    let m = month.trim();
    if m.len() != 7 {
        return None;
    }
    let start = day_start(&format!("{m}-01"))?;
    let (y, mo) = (m[..4].parse::<i64>().ok()?, m[5..].parse::<i64>().ok()?);
    let next = if mo == 12 { format!("{:04}-01-01", y + 1) } else { format!("{y:04}-{:02}-01", mo + 1) };
    Some((start, day_start(&next)?))
}

/// The `yyyy-mm` of a unix second (UTC).
pub fn month_of(secs: i64) -> String {
    let (y, m, _) = civil(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_dates() {
        assert_eq!(fmt_minutes(0), "1970-01-01 00:00");
        assert_eq!(fmt_minutes(1_795_000_000), "2026-11-18 11:06");
        assert_eq!(fmt_rfc3339(951_782_400 + 61), "2000-02-29T00:01:01Z");
        assert_eq!(day_start("2000-02-29"), Some(951_782_400));
        assert_eq!(day_start("2026-13-01"), None);
        assert_eq!(day_start(""), None);
        // Found by the `codes` fuzz target: a five-digit year was accepted and
        // formatted back as another date.
        assert_eq!(day_start("71212-2-2"), None);
        assert_eq!(day_start("2026-02-29"), None);
        assert_eq!(day_start("2026-04-31"), None);
        assert_eq!(day_start("2026-4-01"), None);
        assert_eq!(day_start("+026-04-01"), None);
        assert_eq!(day_start("0000-01-01"), None);
        assert_eq!(day_start("9999-12-31"), Some(253_402_214_400));
    }

    proptest! {
        #[test]
        fn day_start_inverts_formatting(days in -100_000i64..100_000) {
            let s = days * 86_400;
            let date = &fmt_minutes(s)[..10];
            prop_assert_eq!(day_start(date), Some(s));
        }
    }

    #[test]
    fn months() {
        assert_eq!(super::month_range("2026-12"), Some((day_start("2026-12-01").unwrap(), day_start("2027-01-01").unwrap())));
        assert_eq!(super::month_range("2024-02").map(|(a, b)| (b - a) / 86_400), Some(29));
        for bad in ["2026-13", "2026-1", "26-12", "2026-12-01", ""] {
            assert_eq!(super::month_range(bad), None, "{bad}");
        }
        assert_eq!(super::month_of(day_start("2026-12-31").unwrap() + 86_399), "2026-12");
    }
}
