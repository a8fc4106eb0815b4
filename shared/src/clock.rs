use std::sync::atomic::{AtomicI64, Ordering};
use time::OffsetDateTime;

/// Where "now" comes from, so tests can move time instead of waiting for it.
#[async_trait::async_trait]
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;

    fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }

    /// Today in Japan, where the birth-date rule is judged.
    fn today_in_japan(&self) -> time::Date {
        self.now().to_offset(time::macros::offset!(+9)).date()
    }

    /// Returns once `now` has reached `unix` (a wait for the next second of the mail rate).
    async fn sleep_until(&self, unix: i64);
}

/// The day a moment falls on in Japan, where the survey's days are counted.
pub fn japan_day(at: i64) -> crate::domain::Day {
    let moment = OffsetDateTime::from_unix_timestamp(at).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    crate::domain::Day::from(moment.to_offset(time::macros::offset!(+9)).date())
}

pub struct SystemClock;

#[async_trait::async_trait]
impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    async fn sleep_until(&self, unix: i64) {
        let left = self.now() - OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        if left.is_negative() {
            tokio::time::sleep(left.unsigned_abs()).await;
        }
    }
}

/// A clock that stands still until told to move.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn starting_at(unix: i64) -> Self {
        Self(AtomicI64::new(unix))
    }

    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

/// Waiting moves the clock itself: whoever waits first takes everyone to the moment.
#[async_trait::async_trait]
impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.0.load(Ordering::SeqCst)).expect("clock within range")
    }

    async fn sleep_until(&self, unix: i64) {
        self.0.fetch_max(unix, Ordering::SeqCst);
        tokio::task::yield_now().await;
    }
}

/// A point in time, in epoch seconds inside kennin and as RFC 3339 in JSON responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub i64);

impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let formatted = OffsetDateTime::from_unix_timestamp(self.0)
            .map_err(serde::ser::Error::custom)?
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&formatted)
    }
}

/// A length of time as the messages and mails write it: 「1分」「30分」「1時間」「1時間30分」.
/// Every text that states a policy's duration builds it here from the policy's own number.
pub fn japanese_duration(seconds: i64) -> String {
    let (hours, minutes, seconds) = (seconds / 3_600, seconds % 3_600 / 60, seconds % 60);
    let mut text = String::new();
    if hours > 0 {
        text.push_str(&format!("{hours}時間"));
    }
    if minutes > 0 {
        text.push_str(&format!("{minutes}分"));
    }
    if seconds > 0 || text.is_empty() {
        text.push_str(&format!("{seconds}秒"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_in_the_largest_units_that_fit() {
        for (seconds, written) in [
            (60, "1分"),
            (600, "10分"),
            (1_800, "30分"),
            (3_600, "1時間"),
            (5_400, "1時間30分"),
            (43_200, "12時間"),
            (90, "1分30秒"),
            (45, "45秒"),
            (0, "0秒"),
        ] {
            assert_eq!(japanese_duration(seconds), written, "{seconds}");
        }
    }
}
