//! Test support: small problems from JSON and placements from start times.

use super::calendar::Interval;
use super::evaluate::Placement;
use super::model::{validate, InterimProblem, MeetingRef};
use super::request::InterimRequestFile;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

pub(crate) fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// Three groups (a declares a chair conflict with b and a technology conflict with c),
/// no calendar, one single 60-minute request of `a` in January 2027 with one zone
/// (UTC), and `now` a month before.
pub(crate) fn base() -> Value {
    json!({
        "format": "interim-request/1",
        "now": "2026-12-01T00:00:00Z",
        "groups": [
            {"acronym": "a", "name": "Group A", "conflicts": {"chair": ["b"], "technology": ["c"]}},
            {"acronym": "b", "name": "Group B"},
            {"acronym": "c", "name": "Group C", "type": "rg"}
        ],
        "requests": [
            {"group": "a", "minutes": 60, "earliest": "2027-01-04", "latest": "2027-01-29",
             "participants": [{"time_zone": "UTC"}]}
        ]
    })
}

/// A request of `group` like the base one.
pub(crate) fn request(group: &str) -> Value {
    json!({"group": group, "minutes": 60, "earliest": "2027-01-04", "latest": "2027-01-29",
           "participants": [{"time_zone": "UTC"}]})
}

pub(crate) fn problem(file: Value) -> InterimProblem {
    let file: InterimRequestFile = serde_json::from_value(file).unwrap();
    let v = validate(&file, None);
    match v.problem {
        Some(p) => p,
        None => panic!("invalid test problem: {:?}", v.issues),
    }
}

/// Places meeting (request, index) at the given session starts.
pub(crate) fn place(problem: &InterimProblem, spec: &[(usize, u32, &[&str])]) -> Placement {
    let mut p = Placement::empty(problem);
    for &(request, index, starts) in spec {
        let id = problem.meeting_id(MeetingRef { request, index }).unwrap();
        let minutes = problem.requests[request].minutes;
        p.sessions[id] = Some(
            starts
                .iter()
                .map(|s| Interval::new(at(s), minutes))
                .collect(),
        );
    }
    p
}
