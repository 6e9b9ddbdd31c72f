//! Small hand-made instances for the evaluator's unit tests.

use super::{Placement, Schedule};
use crate::instance::Instance;
use crate::problem::Problem;
use serde_json::{json, Value};

/// A meeting in UTC with four blocks and three rooms:
/// `mon-1000` (Mon 10:00, 120 min), `mon-1330` (Mon 13:30, 90 min),
/// `mon-1530` (Mon 15:30, 60 min, follows mon-1330 after 30 min), `wed-1000` (Wed 10:00,
/// 60 min); rooms `big` (200 seats), `mid` (50) and `small` (10).
pub fn instance(groups: Value, requests: Value) -> Instance {
    let doc = json!({
        "format": "agenda-instance/1",
        "meeting": {"number": "T", "time_zone": "UTC", "session_minutes": [60, 90, 120]},
        "rooms": [
            {"id": "big", "capacity": 200},
            {"id": "mid", "capacity": 50},
            {"id": "small", "capacity": 10}
        ],
        "slots": [
            {"id": "mon-1000", "start": "2026-03-16T10:00", "minutes": 120},
            {"id": "mon-1330", "start": "2026-03-16T13:30", "minutes": 90},
            {"id": "mon-1530", "start": "2026-03-16T15:30", "minutes": 60},
            {"id": "wed-1000", "start": "2026-03-18T10:00", "minutes": 60}
        ],
        "groups": groups,
        "people": [{"id": "p1", "name": "Pat"}, {"id": "p2", "name": "Sam"}, {"id": "ad1"}, {"id": "ad2"}],
        "requests": requests
    });
    serde_json::from_value(doc).expect("test instance parses")
}

/// Plain WGs of area `rtg` named by `acronyms`.
pub fn wgs(acronyms: &[&str]) -> Value {
    Value::Array(
        acronyms
            .iter()
            .map(|a| json!({"acronym": a, "area": "rtg", "type": "wg", "state": "active"}))
            .collect(),
    )
}

/// A one-session, 60-minute, 30-attendee request of `group`, merged with `extra`.
pub fn request(group: &str, extra: Value) -> Value {
    let mut r = json!({"group": group, "sessions": [{"minutes": 60}], "attendees": 30});
    if let (Some(base), Value::Object(more)) = (r.as_object_mut(), extra) {
        base.extend(more);
    }
    r
}

pub fn problem(groups: Value, requests: Value) -> Problem {
    match Problem::from_instance(&instance(groups, requests)) {
        Ok(p) => p,
        Err(e) => panic!("test instance is invalid: {:#?}", e.0),
    }
}

/// Places `(group, session, slot, room)`; everything else stays unplaced.
pub fn place(p: &Problem, placements: &[(&str, u32, &str, &str)]) -> Schedule {
    let mut s = Schedule::empty(p);
    for &(g, n, slot, room) in placements {
        let idx = p.session_index(g, n).expect("session exists");
        s.placement[idx] = Some(Placement {
            slot: p.slot_index(slot).expect("slot exists"),
            room: p.room_index(room).expect("room exists"),
        });
    }
    s
}
