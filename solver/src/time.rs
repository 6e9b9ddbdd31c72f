//! Local time in the meeting's zone: slot starts, named time ranges, day differences.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use chrono_tz::Tz;
use std::fmt;

/// Part of a day, by the slot's local start time (FORMAT.md: `avoid_timeranges`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DayPart {
    /// Starts before 12:30.
    Morning,
    /// Starts before 15:30.
    AfternoonEarly,
    /// Starts at 15:30 or later.
    AfternoonLate,
}

impl DayPart {
    /// The part of the day that `time` (local) falls in.
    pub fn of(time: NaiveTime) -> DayPart {
        let minute = time.hour() * 60 + time.minute();
        if minute < 12 * 60 + 30 {
            DayPart::Morning
        } else if minute < 15 * 60 + 30 {
            DayPart::AfternoonEarly
        } else {
            DayPart::AfternoonLate
        }
    }

    fn name(self) -> &'static str {
        match self {
            DayPart::Morning => "morning",
            DayPart::AfternoonEarly => "afternoon-early",
            DayPart::AfternoonLate => "afternoon-late",
        }
    }
}

/// A named time range such as `monday-morning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeRange {
    pub(crate) day: Weekday,
    pub(crate) part: DayPart,
}

impl PartialOrd for TimeRange {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TimeRange {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.day.num_days_from_monday(), self.part)
            .cmp(&(other.day.num_days_from_monday(), other.part))
    }
}

impl TimeRange {
    /// Parses `DAY-PART`; `None` for anything else.
    pub fn parse(name: &str) -> Option<TimeRange> {
        let (day, part) = name.split_once('-')?;
        let day = match day {
            "monday" => Weekday::Mon,
            "tuesday" => Weekday::Tue,
            "wednesday" => Weekday::Wed,
            "thursday" => Weekday::Thu,
            "friday" => Weekday::Fri,
            "saturday" => Weekday::Sat,
            "sunday" => Weekday::Sun,
            _ => return None,
        };
        let part = match part {
            "morning" => DayPart::Morning,
            "afternoon-early" => DayPart::AfternoonEarly,
            "afternoon-late" => DayPart::AfternoonLate,
            _ => return None,
        };
        Some(TimeRange { day, part })
    }

    /// The range a slot starting at this local time falls in.
    pub fn of(local: NaiveDateTime) -> TimeRange {
        use chrono::Datelike;
        TimeRange {
            day: local.weekday(),
            part: DayPart::of(local.time()),
        }
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = match self.day {
            Weekday::Mon => "monday",
            Weekday::Tue => "tuesday",
            Weekday::Wed => "wednesday",
            Weekday::Thu => "thursday",
            Weekday::Fri => "friday",
            Weekday::Sat => "saturday",
            Weekday::Sun => "sunday",
        };
        write!(f, "{day}-{}", self.part.name())
    }
}

/// Why a slot's local start cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalTimeError {
    /// Not of the form `YYYY-MM-DDTHH:MM` (the text given).
    #[error("{0:?} is not a local time of the form YYYY-MM-DDTHH:MM")]
    Malformed(String),
    /// A local time that a daylight-saving change skips in the zone.
    #[error("{0} does not exist in {1} (a daylight-saving gap)")]
    Skipped(NaiveDateTime, Tz),
    /// A local time that a daylight-saving change repeats in the zone.
    #[error("{0} happens twice in {1} (a daylight-saving overlap)")]
    Ambiguous(NaiveDateTime, Tz),
}

/// Parses a slot start (`YYYY-MM-DDTHH:MM`, seconds optional) in the meeting's zone.
pub fn parse_local(text: &str, zone: Tz) -> Result<DateTime<Tz>, LocalTimeError> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| LocalTimeError::Malformed(text.to_string()))?;
    use chrono::offset::LocalResult;
    use chrono::TimeZone;
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t),
        LocalResult::None => Err(LocalTimeError::Skipped(naive, zone)),
        LocalResult::Ambiguous(..) => Err(LocalTimeError::Ambiguous(naive, zone)),
    }
}

/// RFC 3339 with the zone's offset and no fractional seconds, e.g. `2019-11-18T10:00:00+08:00`.
pub fn rfc3339(t: &DateTime<Tz>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: NaiveDate, b: NaiveDate) -> i64 {
    (b - a).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_follow_the_format_boundaries() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert_eq!(DayPart::of(t(12, 29)), DayPart::Morning);
        assert_eq!(DayPart::of(t(12, 30)), DayPart::AfternoonEarly);
        assert_eq!(DayPart::of(t(15, 29)), DayPart::AfternoonEarly);
        assert_eq!(DayPart::of(t(15, 30)), DayPart::AfternoonLate);
    }

    #[test]
    fn ranges_round_trip() {
        for name in [
            "monday-morning",
            "friday-afternoon-late",
            "sunday-afternoon-early",
        ] {
            assert_eq!(TimeRange::parse(name).unwrap().to_string(), name);
        }
        assert_eq!(TimeRange::parse("thursday-early-afternoon"), None);
        assert_eq!(TimeRange::parse("monday"), None);
    }

    #[test]
    fn local_times_carry_the_zone_offset() {
        let t = parse_local("2019-11-18T10:00", chrono_tz::Asia::Singapore).unwrap();
        assert_eq!(rfc3339(&t), "2019-11-18T10:00:00+08:00");
        let gap = parse_local("2024-03-31T02:30", chrono_tz::Europe::Berlin);
        assert!(matches!(gap, Err(LocalTimeError::Skipped(..))));
        assert!(parse_local("2019-11-18 10:00", chrono_tz::UTC).is_err());
    }
}
