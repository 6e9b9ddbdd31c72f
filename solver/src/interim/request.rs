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
    pub format: String,
    /// The instant the plan is made (RFC 3339); notice periods count from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
    #[serde(default)]
    pub calendar: CalendarSpec,
    #[serde(default)]
    pub groups: Vec<InterimGroup>,
    /// An `agenda-instance/1` whose groups and conflicts apply (ONLINE.md section 1);
    /// a relative path is read from the request file's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(default)]
    pub requests: Vec<InterimRequestSpec>,
    #[serde(default)]
    pub rules: RulesSpec,
}

/// IETF meetings, blackout weeks, telechats and interims already announced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CalendarSpec {
    #[serde(default)]
    pub ietf_meetings: Vec<IetfMeetingSpec>,
    #[serde(default)]
    pub blackout_weeks: BlackoutSpec,
    /// A rule (`first`, `time`, `time_zone`, `every_days`, `minutes`, `skip`), a list of
    /// `{start, minutes}`, or (an extension) a list mixing both, e.g. the formal
    /// telechats and the informal calls of the alternate weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telechats: Option<Value>,
    #[serde(default)]
    pub existing: Vec<ExistingSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IetfMeetingSpec {
    pub number: Value,
    pub first_day: String,
    pub last_day: String,
}

/// Weeks blacked out around each IETF meeting, besides the weeks it spans.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BlackoutSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<i64>,
}

/// An interim already announced (or cancelled: `status` `cancelled` keeps its number
/// but no longer takes time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExistingSpec {
    pub name: String,
    pub group: String,
    pub start: String,
    pub minutes: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A group that requests interims or is the target of a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InterimGroup {
    pub acronym: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub group_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default)]
    pub conflicts: Conflicts,
}

/// One request of a group: a single meeting, a multi-day meeting or a series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InterimRequestSpec {
    pub group: String,
    /// `single` (default), `multi-day` or `series`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_days: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<ParticipantSpec>>,
    /// `zone` (default) or `head`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighting: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub avoid_weekdays: Vec<String>,
    #[serde(default)]
    pub in_person: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_instructions: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ParticipantSpec {
    pub time_zone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<Value>,
}

/// Planning rules; every field has the default of ONLINE.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RulesSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announce_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agenda_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_parallel: Option<i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub penalties: BTreeMap<String, Value>,
}
