//! The `agenda/1` document (FORMAT.md section 2): a placement of every session.

use serde::{Deserialize, Serialize};

/// The value of the `format` field of an agenda.
pub const AGENDA_FORMAT: &str = "agenda/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Agenda {
    pub format: String,
    /// The meeting number of the instance this agenda belongs to.
    pub meeting: String,
    /// `optimal`, `feasible`, `infeasible`, or anything a hand-made agenda says
    /// (`draft`, `manual`, ...); the checker does not trust it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<u64>,
    /// Present only when a solver proved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower_bound: Option<u64>,
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    #[serde(default)]
    pub unscheduled: Vec<Unscheduled>,
    #[serde(default)]
    pub violations: Vec<Violation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Assignment {
    pub group: String,
    pub session: u32,
    pub slot: String,
    pub room: String,
    /// RFC 3339 with the meeting zone's offset; derived, optional on input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Unscheduled {
    pub group: String,
    pub session: u32,
    #[serde(default)]
    pub reason: String,
}

/// One priced breach of a soft rule (FORMAT.md section 3).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Violation {
    /// The penalty key, e.g. `tech_overlap`.
    pub kind: String,
    pub group: String,
    pub session: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_session: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<String>,
    /// The person concerned (must-attend violations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    pub penalty: u64,
    pub message: String,
}
