//! Timestamps for people and for scripts: "5 min ago" or a date in tables,
//! ISO 8601 (UTC) in JSON. Times are milliseconds since the Unix epoch.

/// ISO 8601 in UTC with milliseconds: `2026-11-20T22:47:01.123Z`.
pub fn iso(ms: i64) -> String {
    let (days, ms_of_day) = (ms.div_euclid(DAY_MS), ms.rem_euclid(DAY_MS));
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, milli) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// The date alone, UTC: `2026-11-20`.
pub fn date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

/// How long ago `ms` was, seen at `now`: "just now", "5 min ago", "3 h ago",
/// "yesterday", "4 days ago", then the date. A time in the future (another
/// machine's clock) shows as its date.
pub fn ago(ms: i64, now: i64) -> String {
    let elapsed = now - ms;
    match elapsed {
        e if e < 0 => date(ms),
        e if e < MINUTE_MS => "just now".to_owned(),
        e if e < HOUR_MS => format!("{} min ago", e / MINUTE_MS),
        e if e < DAY_MS => format!("{} h ago", e / HOUR_MS),
        e if e < 2 * DAY_MS => "yesterday".to_owned(),
        e if e < 7 * DAY_MS => format!("{} days ago", e / DAY_MS),
        _ => date(ms),
    }
}

/// The current time, for [`ago`].
pub fn now() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Year, month, day of the `days`th day after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        let check = |ms: i64, expected: &str| assert_eq!(iso(ms), expected);
        check(0, "1970-01-01T00:00:00.000Z");
        check(951_782_400_000, "2000-02-29T00:00:00.000Z");
        check(1_763_678_821_123, "2025-11-20T22:47:01.123Z");
        check(-1, "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn relative_times() {
        let now = 1_763_678_821_123;
        let check = |ago_ms: i64, expected: &str| assert_eq!(ago(now - ago_ms, now), expected);
        check(5_000, "just now");
        check(5 * MINUTE_MS, "5 min ago");
        check(3 * HOUR_MS + 5, "3 h ago");
        check(DAY_MS + 1, "yesterday");
        check(4 * DAY_MS, "4 days ago");
        check(30 * DAY_MS, "2025-10-21");
        check(-HOUR_MS, "2025-11-20");
    }
}
