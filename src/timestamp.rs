//! Times as files write them: RFC 3339 in UTC with milliseconds (`2026-12-03T06:40:00.123Z`),
//! what HAR's `startedDateTime` and a run file's `saved_at` hold.

/// Milliseconds since the Unix epoch as RFC 3339 UTC.
pub fn rfc3339_ms(unix_ms: u64) -> String {
    i64::try_from(unix_ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The time of day of `unix_ms` in UTC: `07:43:12 UTC`.
pub fn utc_clock(unix_ms: u64) -> String {
    i64::try_from(unix_ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .unwrap_or_default()
        .format("%H:%M:%S UTC")
        .to_string()
}

/// Now, in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn writes_utc_with_milliseconds() {
        assert_eq!(super::rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(super::utc_clock(1_796_366_400_123), "06:40:00 UTC");
        assert_eq!(
            super::rfc3339_ms(1_796_366_400_123),
            "2026-12-04T06:40:00.123Z"
        );
    }
}
