//! The `interim-plan/1` document (ONLINE.md section 2).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The value of the `format` field of an interim plan.
pub const INTERIM_PLAN_FORMAT: &str = "interim-plan/1";

/// A plan: where every requested meeting goes, what it costs, and what is proven.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InterimPlan {
    pub format: String,
    /// `optimal` (the cost equals a proven lower bound) or `feasible`.
    pub status: String,
    pub cost: u64,
    /// A proven lower bound on the cost of any plan of the request (absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower_bound: Option<u64>,
    #[serde(default)]
    pub meetings: Vec<PlannedMeeting>,
    #[serde(default)]
    pub unplaced: Vec<UnplacedMeeting>,
    #[serde(default)]
    pub violations: Vec<PlanViolation>,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlannedMeeting {
    pub name: String,
    pub group: String,
    pub request: usize,
    pub index: u32,
    pub sessions: Vec<SessionTimes>,
    pub announce_by: String,
    pub agenda_by: String,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SessionTimes {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LocalTime {
    pub time_zone: String,
    pub start: String,
    pub pain: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UnplacedMeeting {
    pub group: String,
    pub request: usize,
    pub index: u32,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlanViolation {
    pub kind: String,
    /// The meeting's name (for `worst_zone`, `pain` and `unplaced`: the request's
    /// group and position when it has no name).
    pub meeting: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
    pub penalty: u64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RequestFairness {
    pub request: usize,
    pub group: String,
    /// (zone, pain summed over the request's meetings), in the request's zone order.
    pub zones: Vec<ZonePain>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ZonePain {
    pub time_zone: String,
    pub pain: u64,
    /// How many of the request's meetings reach into this zone's night (a step
    /// starting 23:00-06:00 local).
    pub night_meetings: u32,
}
