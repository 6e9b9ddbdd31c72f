//! The `agenda/1` document (FORMAT.md section 2): a placement of every session.

use serde::{Deserialize, Serialize};

/// The value of the `format` field of an agenda.
pub const AGENDA_FORMAT: &str = "agenda/1";

/// A placement of every session of an instance: the `agenda/1` document (FORMAT.md section
/// 2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Agenda {
    /// `"agenda/1"`: the document's format and version.
    pub format: String,
    /// The meeting number of the instance this agenda belongs to.
    pub meeting: String,
    /// `optimal`, `feasible`, `infeasible`, or anything a hand-made agenda says
    /// (`draft`, `manual`, ...); the checker does not trust it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The FORMAT.md cost of the agenda, as its maker computed it (`check` recomputes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<u64>,
    /// Present only when a solver proved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower_bound: Option<u64>,
    /// Sessions placed, one per (slot, room).
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// Sessions left out, each with its reason.
    #[serde(default)]
    pub unscheduled: Vec<Unscheduled>,
    /// Priced breaches of soft rules, as its maker computed them.
    #[serde(default)]
    pub violations: Vec<Violation>,
}

/// One session placed in a slot and a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Assignment {
    /// The group's acronym.
    pub group: String,
    /// The session number (1, 2 or 3).
    pub session: u32,
    /// The slot's id.
    pub slot: String,
    /// The room's id.
    pub room: String,
    /// RFC 3339 with the meeting zone's offset; derived, optional on input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// End, local time with offset: the start plus the session's minutes, or the slot's end
    /// when the session was trimmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

/// A session that is not placed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Unscheduled {
    /// The group's acronym.
    pub group: String,
    /// The session number.
    pub session: u32,
    /// Why it is not placed (`awaiting AD approval`, `no room large enough`, ...).
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
    /// The group of the session concerned.
    pub group: String,
    /// Its session number.
    pub session: u32,
    /// The other group of a pair breach (an overlap, an adjacency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_group: Option<String>,
    /// The other group's session number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_session: Option<u32>,
    /// The slot where the breach happens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<String>,
    /// The person concerned (must-attend violations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// What the breach costs (FORMAT.md section 3).
    pub penalty: u64,
    /// A sentence for people: `grow: technology overlap with v6ops`.
    pub message: String,
}
