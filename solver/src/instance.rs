//! The `agenda-instance/1` document, exactly as it stands in a file.
//!
//! These types are deliberately lenient: every field that the session request tool can
//! leave empty or fill with nonsense is optional here, so that [`crate::validate()`] can
//! report *all* the problems of a file with the tool's own messages instead of stopping
//! at the first serde error. Use [`crate::Problem`] (built by validation) for anything
//! that computes.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The value of the `format` field of an instance.
pub const INSTANCE_FORMAT: &str = "agenda-instance/1";

/// One meeting: everything the solver needs (FORMAT.md section 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Instance {
    pub format: String,
    pub meeting: MeetingInfo,
    #[serde(default)]
    pub rooms: Vec<Room>,
    #[serde(default)]
    pub slots: Vec<Slot>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub people: Vec<Person>,
    #[serde(default)]
    pub requests: Vec<SessionRequest>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<FixedPlacement>,
    /// Overrides of the default penalties, by key (FORMAT.md section 3).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub penalties: BTreeMap<String, Value>,
    /// Extension: the datatracker's keys of an imported meeting, so that an agenda can
    /// be written back as a schedule (`agenda import datatracker`, `docs/datatracker.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datatracker: Option<crate::datatracker::DatatrackerKeys>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MeetingInfo {
    pub number: String,
    pub time_zone: String,
    /// `in-person` (default), `hybrid` or `virtual`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// The lengths a working-group-like group may request, in minutes.
    #[serde(default)]
    pub session_minutes: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Room {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Seats; absent or null means unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Slot {
    pub id: String,
    /// Local wall-clock time in the meeting's zone, `YYYY-MM-DDTHH:MM` (no offset).
    pub start: String,
    pub minutes: u32,
    /// Rooms open in this block; absent means all rooms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rooms: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Group {
    pub acronym: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub group_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meets_as_area: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chairs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ads: Vec<String>,
    /// ONLINE.md section 3: a group meeting for the first time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<bool>,
    /// ONLINE.md section 3: a dispatch-style group (also: an acronym ending in
    /// `dispatch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatch: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Person {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One group's request, as submitted through the session request tool.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SessionRequest {
    pub group: String,
    /// Sessions 1 and 2 (1 or 2 entries). Absent or empty is "Unselected Number of Sessions".
    #[serde(default)]
    pub sessions: Vec<SessionLength>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_session: Option<ThirdSession>,
    /// Any JSON value: the tool's form is free text, validation says what is wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendees: Option<Value>,
    #[serde(default)]
    pub conflicts: Conflicts,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub must_attend: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub avoid_timeranges: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjacent_with: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_relation: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joint_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_session: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bofs_to_avoid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_requests: Option<String>,
    /// ONLINE.md section 3: the `unscheduled` penalty of the request's sessions is
    /// multiplied by it (an integer >= 1; absent is 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Value>,
}

/// One requested session; `minutes` absent, null or 0 is "Unselected Length of Session".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SessionLength {
    #[serde(default)]
    pub minutes: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ThirdSession {
    #[serde(default)]
    pub minutes: Option<u32>,
    #[serde(default)]
    pub approved: bool,
}

/// Groups to avoid, by class. The legacy datatracker names are accepted on input.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Conflicts {
    #[serde(default, alias = "conflict")]
    pub chair: Vec<String>,
    #[serde(default, alias = "conflic2")]
    pub technology: Vec<String>,
    #[serde(default, alias = "conflic3")]
    pub key_participant: Vec<String>,
}

/// A placement the solver must keep. `room` may be omitted to pin only the time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FixedPlacement {
    pub group: String,
    #[serde(default = "one")]
    pub session: u32,
    pub slot: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
}

fn one() -> u32 {
    1
}
