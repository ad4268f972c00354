//! The clock: the one place the service reads the time.

use loam_core::Timestamp;

/// Now, in milliseconds since the Unix epoch.
pub(crate) fn now() -> Timestamp {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}
