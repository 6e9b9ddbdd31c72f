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
    /// `"agenda-instance/1"`: the document's format and version.
    pub format: String,
    /// The meeting's number, time zone, mode and session lengths.
    pub meeting: MeetingInfo,
    /// The rooms, with their seats and resources.
    #[serde(default)]
    pub rooms: Vec<Room>,
    /// The time blocks, each with the rooms open in it.
    #[serde(default)]
    pub slots: Vec<Slot>,
    /// Every group that may appear: requesting ones and the ones named in conflicts.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// People named by requests (must-attend lists) and groups (chairs, ADs).
    #[serde(default)]
    pub people: Vec<Person>,
    /// One session request per group.
    #[serde(default)]
    pub requests: Vec<SessionRequest>,
    /// Placements the solver must keep (pinned sessions, or a base schedule).
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

/// The meeting an instance describes (FORMAT.md section 1, `meeting`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MeetingInfo {
    /// The IETF meeting number, as text ("106").
    pub number: String,
    /// IANA time zone name; slot starts are local wall-clock times in it.
    pub time_zone: String,
    /// `in-person` (default), `hybrid` or `virtual`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// The lengths a working-group-like group may request, in minutes.
    #[serde(default)]
    pub session_minutes: Vec<u32>,
}

/// A meeting room (a parallel track in a virtual meeting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Room {
    /// Unique id, referred to by slots and fixed placements.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Seats; absent or null means unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Resources the room offers (projector, meetecho, ...), matched against requests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
}

/// One time block: a start, a length and the rooms open in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Slot {
    /// Unique id, referred to by agendas and fixed placements.
    pub id: String,
    /// Local wall-clock time in the meeting's zone, `YYYY-MM-DDTHH:MM` (no offset).
    pub start: String,
    /// Length of the block in minutes.
    pub minutes: u32,
    /// Rooms open in this block; absent means all rooms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rooms: Option<Vec<String>>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A group: a working group, research group, BoF, area meeting, team, ...
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Group {
    /// The group's acronym, its key everywhere else in the document.
    pub acronym: String,
    /// The group's full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The group's area acronym (`ops`, `rtg`, ...): BoF and area-meeting rules use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// `wg`, `rg`, `ag`, `area`, `bof`, `team`, ... (JSON key `type`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub group_type: Option<String>,
    /// `active`, `bof`, `proposed`, ...: with `type`, decides BoFs and proposed RGs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Treat the group as an area meeting whatever its type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meets_as_area: Option<bool>,
    /// People ids of the chairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chairs: Vec<String>,
    /// People ids of the responsible area directors: groups sharing one should not overlap.
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

/// A person named by a request or a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Person {
    /// Unique id (the datatracker's person id, say `p111656`).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One group's request, as submitted through the session request tool.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SessionRequest {
    /// The requesting group's acronym.
    pub group: String,
    /// Sessions 1 and 2 (1 or 2 entries). Absent or empty is "Unselected Number of Sessions".
    #[serde(default)]
    pub sessions: Vec<SessionLength>,
    /// A third session: scheduled only once `approved` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_session: Option<ThirdSession>,
    /// Any JSON value: the tool's form is free text, validation says what is wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendees: Option<Value>,
    /// Groups to avoid, in three classes.
    #[serde(default)]
    pub conflicts: Conflicts,
    /// People ids who must be able to attend every session (datatracker "bethere").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub must_attend: Vec<String>,
    /// Time ranges to avoid, as `DAY-PART` names (`monday-morning`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub avoid_timeranges: Vec<String>,
    /// A group whose session should be in the same room just before or after one of ours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjacent_with: Option<String>,
    /// `subsequent-days` or `one-day-separation` between sessions 1 and 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_relation: Option<String>,
    /// Groups holding session `joint_session` jointly with this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joint_with: Vec<String>,
    /// The session number held jointly with `joint_with` (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_session: Option<u32>,
    /// Resources the sessions need (matched against the rooms' resources).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// Free text from the request tool, kept for the secretariat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bofs_to_avoid: Option<String>,
    /// Free text from the request tool, kept for the secretariat.
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
    /// Requested length; `None` reproduces the tool's "Unselected Length of Session".
    #[serde(default)]
    pub minutes: Option<u32>,
}

/// A requested third session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ThirdSession {
    /// Requested length of the third session.
    #[serde(default)]
    pub minutes: Option<u32>,
    /// Whether the area director has approved it; until then it is reported, not scheduled.
    #[serde(default)]
    pub approved: bool,
}

/// Groups to avoid, by class. The legacy datatracker names are accepted on input.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Conflicts {
    /// Groups whose chairs overlap ours (legacy key `conflict`).
    #[serde(default, alias = "conflict")]
    pub chair: Vec<String>,
    /// Groups whose technology overlaps ours (legacy key `conflic2`).
    #[serde(default, alias = "conflic2")]
    pub technology: Vec<String>,
    /// Groups sharing key participants with ours (legacy key `conflic3`).
    #[serde(default, alias = "conflic3")]
    pub key_participant: Vec<String>,
}

/// A placement the solver must keep. `room` may be omitted to pin only the time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FixedPlacement {
    /// The group's acronym.
    pub group: String,
    /// The session number (default 1).
    #[serde(default = "one")]
    pub session: u32,
    /// The slot it must stay in.
    pub slot: String,
    /// The room it must stay in; `None` lets the solver choose the room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
}

fn one() -> u32 {
    1
}
