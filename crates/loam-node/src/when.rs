//! WHEN: how a member names a version of a note, and the local times
//! history is shown in.
//!
//! ```text
//! WHEN = "now"                         the current version
//!      | "#" N | N                     session N of `loam history` (1 = the oldest);
//!                                      a bare number of 4+ digits may also be a
//!                                      change hash prefix: if it names both, it
//!                                      is an error that says so
//!      | HEX                           a change, by the first 4+ hex digits of its hash
//!      | DATE [("T" | " ") TIME] [OFFSET]
//!                                      the version as of the last moment named:
//!                                      a date is the end of that day, a time to
//!                                      the minute the end of that minute, ...
//! DATE = YYYY-MM-DD     TIME = HH:MM[:SS[.fff]]     OFFSET = "Z" | ("+"|"-") HH:MM
//! ```
//!
//! Dates and times without an offset are in the machine's time zone (UTC
//! when it has none set). "The version as of" a moment is every change made
//! at or before it, and what those build on.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp as Instant};
use loam_core::Timestamp;

use crate::NodeError;

/// A version of a note, as named on the command line (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// The current version.
    Now,
    /// A session number from history (1 is the oldest).
    Session(usize),
    /// A change, by a prefix of its hash (lowercase hex, at least 4 digits).
    Change(String),
    /// Digits only (4 or more): a session number or a change hash prefix,
    /// whichever the note has.
    SessionOrChange(String),
    /// The version as of this moment (milliseconds since the epoch), as
    /// typed.
    Time {
        /// The last millisecond the input names.
        at: Timestamp,
        /// What was typed.
        input: String,
    },
}

/// The fewest hex digits a change hash prefix may have.
pub const MIN_HASH_PREFIX: usize = 4;

/// The grammar in one line, for error messages and help.
pub const WHEN_FORMS: &str = "a change hash prefix (4+ hex digits), a session number from \
`loam history` (#3 or 3), a date-time (2026-11-20, 2026-11-20 14:05, RFC 3339) or `now`";

impl When {
    /// Parse `input`; dates without an offset are in the local time zone.
    pub fn parse(input: &str) -> Result<Self, NodeError> {
        Self::parse_in(input, &local_zone())
    }

    /// [`When::parse`] with dates in `tz`.
    pub(crate) fn parse_in(input: &str, tz: &TimeZone) -> Result<Self, NodeError> {
        let text = input.trim();
        let bad = |reason: String| NodeError::BadWhen {
            input: input.to_owned(),
            reason,
        };
        if text.eq_ignore_ascii_case("now") {
            return Ok(Self::Now);
        }
        if let Some(number) = text.strip_prefix('#') {
            return match number.parse::<usize>() {
                Ok(n) if n > 0 => Ok(Self::Session(n)),
                _ => Err(bad("a session number is a whole number from 1 up".into())),
            };
        }
        if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
            if text.len() >= MIN_HASH_PREFIX {
                return Ok(Self::SessionOrChange(text.to_owned()));
            }
            return match text.parse::<usize>() {
                Ok(n) if n > 0 => Ok(Self::Session(n)),
                _ => Err(bad("a session number is a whole number from 1 up".into())),
            };
        }
        if !text.is_empty() && text.chars().all(|c| c.is_ascii_hexdigit()) {
            if text.len() < MIN_HASH_PREFIX {
                return Err(bad(format!(
                    "a change hash prefix needs at least {MIN_HASH_PREFIX} hex digits"
                )));
            }
            return Ok(Self::Change(text.to_ascii_lowercase()));
        }
        match parse_moment(text, tz) {
            Some(at) => Ok(Self::Time {
                at,
                input: text.to_owned(),
            }),
            None => Err(bad(format!("expected {WHEN_FORMS}"))),
        }
    }
}

/// The machine's time zone, UTC when it has none.
pub(crate) fn local_zone() -> TimeZone {
    TimeZone::try_system().unwrap_or(TimeZone::UTC)
}

/// The name of the time zone dates are read and shown in: an IANA name
/// like `Europe/Paris`, or `UTC`.
pub fn local_zone_name() -> String {
    local_zone()
        .iana_name()
        .map_or_else(|| "UTC".to_owned(), str::to_owned)
}

/// `ms` as a local date and time to the minute: `2026-11-20 14:05`.
pub fn local_minute(ms: Timestamp) -> String {
    format_in(ms, &local_zone(), "%Y-%m-%d %H:%M")
}

/// `ms` as a local date and time to the second: `2026-11-20 14:05:09`.
pub fn local_second(ms: Timestamp) -> String {
    format_in(ms, &local_zone(), "%Y-%m-%d %H:%M:%S")
}

fn format_in(ms: Timestamp, tz: &TimeZone, format: &str) -> String {
    match Instant::from_millisecond(ms) {
        Ok(t) => t.to_zoned(tz.clone()).strftime(format).to_string(),
        Err(_) => format!("{ms} ms"),
    }
}

/// The last millisecond `text` names (`YYYY-MM-DD[( |T)HH:MM[:SS[.f]]][Z|±HH:MM]`),
/// or `None` when it is not a date.
fn parse_moment(text: &str, tz: &TimeZone) -> Option<Timestamp> {
    let (date, rest) = match text.find(['T', 't', ' ']) {
        Some(i) => (&text[..i], Some(text[i + 1..].trim_start())),
        None => (text, None),
    };
    if date.len() != 10 {
        return None;
    }
    let date: Date = date.parse().ok()?;
    let Some(rest) = rest else {
        // A day: up to the start of the next, in local time.
        let next = date.tomorrow().ok()?.to_datetime(Time::midnight());
        return Some(tz.to_timestamp(next).ok()?.as_millisecond() - 1);
    };
    // The offset, if any, follows the time.
    let offset_at = rest.find(['Z', 'z', '+', '-']);
    let (time, offset) = match offset_at {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    let colons = time.matches(':').count();
    if !(1..=2).contains(&colons) || time.len() < 5 {
        return None;
    }
    let time: Time = time.parse().ok()?;
    let unit = if text.contains('.') {
        Span::new().milliseconds(1)
    } else if colons == 2 {
        Span::new().seconds(1)
    } else {
        Span::new().minutes(1)
    };
    let start = DateTime::from_parts(date, time);
    let end = match offset {
        None => tz.to_timestamp(start.checked_add(unit).ok()?).ok()?,
        Some(offset) => {
            let offset = if offset.eq_ignore_ascii_case("z") {
                jiff::tz::Offset::UTC
            } else {
                let sign: i8 = if offset.starts_with('-') { -1 } else { 1 };
                let (h, m) = offset[1..].split_once(':')?;
                if h.len() != 2 || m.len() != 2 {
                    return None;
                }
                let seconds =
                    i32::from(h.parse::<u8>().ok()?) * 3600 + i32::from(m.parse::<u8>().ok()?) * 60;
                jiff::tz::Offset::from_seconds(i32::from(sign) * seconds).ok()?
            };
            offset.to_timestamp(start.checked_add(unit).ok()?).ok()?
        }
    };
    Some(end.as_millisecond() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs and what they parse to, with dates in Paris (UTC+1 in
    /// November, UTC+2 in summer). `T<ms>` stands for a moment in UTC
    /// written as an RFC 3339 string.
    #[test]
    fn when_parses_every_form() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let utc = |s: &str| -> Timestamp { s.parse::<Instant>().unwrap().as_millisecond() };
        let check = |input: &str, expected: Result<When, &str>| {
            let got = When::parse_in(input, &paris).map_err(|e| e.to_string());
            match expected {
                Ok(when) => assert_eq!(got, Ok(when), "{input}"),
                Err(part) => {
                    let err = got.expect_err(input);
                    assert!(err.contains(part), "{input}: {err}");
                }
            }
        };
        let time = |input: &str, at: &str| When::Time {
            at: utc(at) - 1,
            input: input.to_owned(),
        };
        check("now", Ok(When::Now));
        check(" NOW ", Ok(When::Now));
        check("#3", Ok(When::Session(3)));
        check("3", Ok(When::Session(3)));
        check("123", Ok(When::Session(123)));
        check("1234", Ok(When::SessionOrChange("1234".into())));
        check("a1b2", Ok(When::Change("a1b2".into())));
        check("A1B2C3D4E5", Ok(When::Change("a1b2c3d4e5".into())));
        check("abc", Err("at least 4 hex digits"));
        check("#0", Err("from 1 up"));
        check("0", Err("from 1 up"));
        check("#x", Err("from 1 up"));
        // A date: the end of that day, local time.
        check("2026-11-20", Ok(time("2026-11-20", "2026-11-20T23:00:00Z")));
        // To the minute: the end of that minute.
        check(
            "2026-11-20 14:05",
            Ok(time("2026-11-20 14:05", "2026-11-20T13:06:00Z")),
        );
        check(
            "2026-11-20T14:05",
            Ok(time("2026-11-20T14:05", "2026-11-20T13:06:00Z")),
        );
        check(
            "2026-11-20 14:05:09",
            Ok(time("2026-11-20 14:05:09", "2026-11-20T13:05:10Z")),
        );
        // Summer time.
        check(
            "2026-07-01 12:00",
            Ok(time("2026-07-01 12:00", "2026-07-01T10:01:00Z")),
        );
        // RFC 3339: the offset given wins over the local zone.
        check(
            "2026-11-20T14:05:09Z",
            Ok(time("2026-11-20T14:05:09Z", "2026-11-20T14:05:10Z")),
        );
        check(
            "2026-11-20T14:05:09+05:30",
            Ok(time("2026-11-20T14:05:09+05:30", "2026-11-20T08:35:10Z")),
        );
        check(
            "2026-11-20T14:05:09.250-01:00",
            Ok(time(
                "2026-11-20T14:05:09.250-01:00",
                "2026-11-20T15:05:09.251Z",
            )),
        );
        for bad in [
            "yesterday",
            "2026-13-01",
            "2026-11-31",
            "2026-11-20 25:00",
            "2026-11-20 14",
            "20-11-2026",
            "2026-11-20T14:05+1",
            "",
        ] {
            check(bad, Err("expected a change hash prefix"));
        }
    }

    #[test]
    fn local_times_are_shown_to_the_minute() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let ms = "2026-11-20T13:05:09Z"
            .parse::<Instant>()
            .unwrap()
            .as_millisecond();
        assert_eq!(format_in(ms, &paris, "%Y-%m-%d %H:%M"), "2026-11-20 14:05");
        assert_eq!(format_in(ms, &TimeZone::UTC, "%H:%M:%S"), "13:05:09");
    }
}
