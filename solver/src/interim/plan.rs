//! The `interim-plan/1` document (ONLINE.md section 2).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The value of the `format` field of an interim plan.
pub const INTERIM_PLAN_FORMAT: &str = "interim-plan/1";

/// A plan: where every requested meeting goes, what it costs, and what is proven.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InterimPlan {
    /// `"interim-plan/1"`: the document's format and version.
    pub format: String,
    /// `optimal` (the cost equals a proven lower bound) or `feasible`.
    pub status: String,
    /// The plan's cost under ONLINE.md section 2.
    pub cost: u64,
    /// A proven lower bound on the cost of any plan of the request (absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower_bound: Option<u64>,
    /// The planned meetings, in order of their first session.
    #[serde(default)]
    pub meetings: Vec<PlannedMeeting>,
    /// Requested meetings that could not be placed, each with its reason.
    #[serde(default)]
    pub unplaced: Vec<UnplacedMeeting>,
    /// Priced breaches (conflicts, weekdays).
    #[serde(default)]
    pub violations: Vec<PlanViolation>,
    /// Notes for the chairs, e.g. a series of more than 4 needs a rationale.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Extension: the cost by kind (keys of ONLINE.md's table).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cost_by_kind: BTreeMap<String, u64>,
    /// Extension: per request, each zone's pain summed over its meetings (what
    /// `worst_zone` reads), so a chair sees who pays across a series.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fairness: Vec<RequestFairness>,
    /// Extension: how the planner got here (exact model size, rounds, what limited it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One planned interim meeting: its name, sessions, deadlines and pain per zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlannedMeeting {
    /// Its datatracker name, `interim-YYYY-ACRONYM-NN`.
    pub name: String,
    /// The group's acronym.
    pub group: String,
    /// The 0-based position of its request in the request file.
    pub request: usize,
    /// Its number among the request's meetings, from 1.
    pub index: u32,
    /// Its sessions (one, or one per day of a multi-day meeting).
    pub sessions: Vec<SessionTimes>,
    /// Last day to announce it on the WG list (`YYYY-MM-DD`).
    pub announce_by: String,
    /// Last day to publish its draft agenda.
    pub agenda_by: String,
    /// Last day to publish its minutes.
    pub minutes_due: String,
    /// Each participant zone's local start of the first session and the meeting's
    /// pain for that zone (all its sessions).
    #[serde(default)]
    pub local: Vec<LocalTime>,
    /// The meeting's pain: over its zones, weight x pain (the `pain` kind's share).
    #[serde(default)]
    pub pain: u64,
    /// Extension: why this time, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// One session's start and end, RFC 3339 UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SessionTimes {
    /// Start, RFC 3339 UTC.
    pub start: String,
    /// End, RFC 3339 UTC.
    pub end: String,
}

/// When a session starts in one participant zone, and how painful that is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LocalTime {
    /// IANA time zone name.
    pub time_zone: String,
    /// Local start, RFC 3339 with the zone's offset.
    pub start: String,
    /// The session's pain in this zone (ONLINE.md section 2).
    pub pain: u64,
}

/// A requested meeting that is not placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UnplacedMeeting {
    /// The group's acronym.
    pub group: String,
    /// The 0-based position of its request.
    pub request: usize,
    /// Its number among the request's meetings.
    pub index: u32,
    /// Why it could not be placed.
    pub reason: String,
}

/// One priced breach of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlanViolation {
    /// The penalty key (`tech_overlap`, `avoided_weekday`, ...).
    pub kind: String,
    /// The meeting's name (for `worst_zone`, `pain` and `unplaced`: the request's
    /// group and position when it has no name).
    pub meeting: String,
    /// The other meeting's name, for a conflict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
    /// What the breach costs.
    pub penalty: u64,
    /// A sentence for people.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// How fair one request's meetings are to its zones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RequestFairness {
    /// The 0-based position of the request.
    pub request: usize,
    /// The group's acronym.
    pub group: String,
    /// (zone, pain summed over the request's meetings), in the request's zone order.
    pub zones: Vec<ZonePain>,
}

/// One zone's pain over all of a request's meetings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ZonePain {
    /// IANA time zone name.
    pub time_zone: String,
    /// Summed, unweighted pain.
    pub pain: u64,
    /// How many of the request's meetings reach into this zone's night (a step
    /// starting 23:00-06:00 local).
    pub night_meetings: u32,
}
