//! The `interim-request/1` document (ONLINE.md section 1), exactly as it stands in a
//! file.
//!
//! Lenient like [`crate::instance`]: fields a chair can leave out or get wrong are
//! optional or free JSON here, so that [`super::validate`] reports every problem of a
//! file at once, each with its request, field and fix.

use crate::instance::Conflicts;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The value of the `format` field of an interim request.
pub const INTERIM_REQUEST_FORMAT: &str = "interim-request/1";

/// Everything the interim planner needs: the calendar, the groups and their requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InterimRequestFile {
    /// `"interim-request/1"`: the document's format and version.
    pub format: String,
    /// The instant the plan is made (RFC 3339); notice periods count from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
    /// IETF meetings, blackout weeks, telechats and existing interims.
    #[serde(default)]
    pub calendar: CalendarSpec,
    /// The groups that request interims or are named in their conflicts.
    #[serde(default)]
    pub groups: Vec<InterimGroup>,
    /// An `agenda-instance/1` whose groups and conflicts apply (ONLINE.md section 1);
    /// a relative path is read from the request file's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The interim requests, one per group and kind of meeting.
    #[serde(default)]
    pub requests: Vec<InterimRequestSpec>,
    /// Notice periods, the time grid, the parallel limit and penalty overrides.
    #[serde(default)]
    pub rules: RulesSpec,
}

/// IETF meetings, blackout weeks, telechats and interims already announced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CalendarSpec {
    /// IETF meetings whose weeks (and the weeks around them) are blacked out.
    #[serde(default)]
    pub ietf_meetings: Vec<IetfMeetingSpec>,
    /// Weeks blacked out before and after each IETF meeting.
    #[serde(default)]
    pub blackout_weeks: BlackoutSpec,
    /// A rule (`first`, `time`, `time_zone`, `every_days`, `minutes`, `skip`), a list of
    /// `{start, minutes}`, or (an extension) a list mixing both, e.g. the formal
    /// telechats and the informal calls of the alternate weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telechats: Option<Value>,
    /// Interims already announced: their names count, and they occupy their time.
    #[serde(default)]
    pub existing: Vec<ExistingSpec>,
}

/// An IETF meeting on the interim calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IetfMeetingSpec {
    /// The meeting number (text or number).
    pub number: Value,
    /// First day of the meeting (`YYYY-MM-DD`).
    pub first_day: String,
    /// Last day of the meeting (`YYYY-MM-DD`).
    pub last_day: String,
}

/// Weeks blacked out around each IETF meeting, besides the weeks it spans.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BlackoutSpec {
    /// Weeks blacked out before a meeting's weeks (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
    /// Weeks blacked out after a meeting's weeks (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<i64>,
}

/// An interim already announced (or cancelled: `status` `cancelled` keeps its number
/// but no longer takes time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExistingSpec {
    /// Its datatracker name (`interim-2027-core-01`).
    pub name: String,
    /// The group's acronym.
    pub group: String,
    /// Start, RFC 3339 with an offset.
    pub start: String,
    /// Length in minutes.
    pub minutes: i64,
    /// `scheduled`, `canceled`, ...: a cancelled interim keeps its number but takes no
    /// time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A group that requests interims or is the target of a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InterimGroup {
    /// The group's acronym.
    pub acronym: String,
    /// The group's full name (used in announcements).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The group's area acronym.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// `wg`, `rg`, `bof`, ... (JSON key `type`): announcements say WG, RG or BOF.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub group_type: Option<String>,
    /// `active`, `bof`, `proposed`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Groups this one must not meet at the same time, in three classes (as FORMAT.md).
    #[serde(default)]
    pub conflicts: Conflicts,
}

/// One request of a group: a single meeting, a multi-day meeting or a series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InterimRequestSpec {
    /// The requesting group's acronym.
    pub group: String,
    /// `single` (default), `multi-day` or `series`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A series' number of meetings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<Value>,
    /// A series' spacing in days (each meeting within 3 days of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_days: Option<Value>,
    /// A multi-day meeting's number of consecutive days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<Value>,
    /// Length of every session in minutes (30 to 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<Value>,
    /// First allowed date (`YYYY-MM-DD`, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest: Option<String>,
    /// Last allowed date (`YYYY-MM-DD`, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<String>,
    /// Participant time zones with head counts; `None` takes the default regions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<ParticipantSpec>>,
    /// `zone` (default) or `head`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighting: Option<String>,
    /// Weekdays to avoid (`friday`), priced `avoided_weekday`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub avoid_weekdays: Vec<String>,
    /// In person or hybrid: 56 days' notice instead of `announce_days`.
    #[serde(default)]
    pub in_person: bool,
    /// The meeting platform (`meetecho` when not given); any other needs remote
    /// instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// How to join, when the platform is not Meetecho.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_instructions: Option<String>,
}

/// A participant time zone with its head count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ParticipantSpec {
    /// IANA time zone name.
    pub time_zone: String,
    /// How many participants are in this zone (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<Value>,
}

/// Planning rules; every field has the default of ONLINE.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RulesSpec {
    /// Days of notice for the announcement (default 14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announce_days: Option<i64>,
    /// Days before a meeting its draft agenda is due (default 7; gives `agenda_by`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agenda_days: Option<i64>,
    /// Sessions start on this grid of UTC minutes (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_minutes: Option<i64>,
    /// At most this many interims at any instant, existing ones included (default 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_parallel: Option<i64>,
    /// Overrides of the default penalties, by key (ONLINE.md section 2).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub penalties: BTreeMap<String, Value>,
}
