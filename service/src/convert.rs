//! Between the `agenda.v1` messages and the FORMAT.md documents of `agenda-solver`.
//!
//! Proto3 has no "absent" for strings and lists, so an empty string or list means absent
//! (`Slot.rooms` empty = all rooms, `Room.capacity` unset = unlimited). The attendee count
//! stays free text, as in the session request form, so validation can answer with the
//! tool's own "Non-Numeric value entered for Number of Attendees".

use crate::pb;
use crate::store::{self, RequestStatus};
use agenda_solver::agenda::Agenda;
use agenda_solver::instance::{self as doc, Instance, INSTANCE_FORMAT};
use agenda_solver::{Evaluation, Issue, Severity};
use serde_json::Value;

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn text(o: &Option<String>) -> String {
    o.clone().unwrap_or_default()
}

/// The instance parts of a meeting (no requests).
pub fn meeting_to_instance(m: &pb::Meeting) -> Instance {
    Instance {
        format: INSTANCE_FORMAT.to_string(),
        meeting: doc::MeetingInfo {
            number: m.number.clone(),
            time_zone: m.time_zone.clone(),
            mode: opt(&m.mode),
            session_minutes: m.session_minutes.clone(),
        },
        rooms: m
            .rooms
            .iter()
            .map(|r| doc::Room {
                id: r.id.clone(),
                name: opt(&r.name),
                capacity: r.capacity,
                resources: r.resources.clone(),
            })
            .collect(),
        slots: m
            .slots
            .iter()
            .map(|s| doc::Slot {
                id: s.id.clone(),
                start: s.start.clone(),
                minutes: s.minutes,
                rooms: (!s.rooms.is_empty()).then(|| s.rooms.clone()),
                name: opt(&s.name),
            })
            .collect(),
        groups: m
            .groups
            .iter()
            .map(|g| doc::Group {
                acronym: g.acronym.clone(),
                name: opt(&g.name),
                area: opt(&g.area),
                group_type: opt(&g.r#type),
                state: opt(&g.state),
                meets_as_area: g.meets_as_area,
                chairs: g.chairs.clone(),
                ads: g.ads.clone(),
                new: None,
                dispatch: None,
            })
            .collect(),
        people: m
            .people
            .iter()
            .map(|p| doc::Person {
                id: p.id.clone(),
                name: opt(&p.name),
            })
            .collect(),
        requests: Vec::new(),
        fixed: m
            .fixed
            .iter()
            .map(|f| doc::FixedPlacement {
                group: f.group.clone(),
                session: if f.session == 0 { 1 } else { f.session },
                slot: f.slot.clone(),
                room: opt(&f.room),
            })
            .collect(),
        penalties: m
            .penalties
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(*v)))
            .collect(),
        datatracker: None,
    }
}

/// The meeting message of a stored meeting. Penalties that are not integers (the
/// instance format allows any JSON, validation rejects them) cannot occur here.
pub fn meeting_from_record(r: &store::MeetingRecord) -> pb::Meeting {
    let i = r.base();
    pb::Meeting {
        number: i.meeting.number.clone(),
        time_zone: i.meeting.time_zone.clone(),
        mode: text(&i.meeting.mode),
        session_minutes: i.meeting.session_minutes.clone(),
        rooms: i
            .rooms
            .iter()
            .map(|r| pb::Room {
                id: r.id.clone(),
                name: text(&r.name),
                capacity: r.capacity,
                resources: r.resources.clone(),
            })
            .collect(),
        slots: i
            .slots
            .iter()
            .map(|s| pb::Slot {
                id: s.id.clone(),
                start: s.start.clone(),
                minutes: s.minutes,
                rooms: s.rooms.clone().unwrap_or_default(),
                name: text(&s.name),
            })
            .collect(),
        groups: i
            .groups
            .iter()
            .map(|g| pb::Group {
                acronym: g.acronym.clone(),
                name: text(&g.name),
                area: text(&g.area),
                r#type: text(&g.group_type),
                state: text(&g.state),
                meets_as_area: g.meets_as_area,
                chairs: g.chairs.clone(),
                ads: g.ads.clone(),
            })
            .collect(),
        people: i
            .people
            .iter()
            .map(|p| pb::Person {
                id: p.id.clone(),
                name: text(&p.name),
            })
            .collect(),
        fixed: i
            .fixed
            .iter()
            .map(|f| pb::FixedPlacement {
                group: f.group.clone(),
                session: f.session,
                slot: f.slot.clone(),
                room: text(&f.room),
            })
            .collect(),
        penalties: i
            .penalties
            .iter()
            .filter_map(|(k, v)| v.as_i64().map(|v| (k.clone(), v)))
            .collect(),
        locked: r.locked,
        lock_message: r.lock_message.clone(),
    }
}

/// The form's attendee text as the instance's JSON value: a number when it is one.
fn attendees_value(s: &str) -> Option<Value> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    Some(match t.parse::<u64>() {
        Ok(n) => Value::from(n),
        Err(_) => Value::from(t),
    })
}

pub(crate) fn request_to_doc(r: &pb::SessionRequest) -> doc::SessionRequest {
    let conflicts = r.conflicts.clone().unwrap_or_default();
    doc::SessionRequest {
        group: r.group.clone(),
        sessions: r
            .sessions
            .iter()
            .map(|&m| doc::SessionLength {
                minutes: (m > 0).then_some(m),
            })
            .collect(),
        third_session: r.third_session.as_ref().map(|t| doc::ThirdSession {
            minutes: (t.minutes > 0).then_some(t.minutes),
            approved: t.approved,
        }),
        attendees: attendees_value(&r.attendees),
        conflicts: doc::Conflicts {
            chair: conflicts.chair,
            technology: conflicts.technology,
            key_participant: conflicts.key_participant,
        },
        must_attend: r.must_attend.clone(),
        avoid_timeranges: r.avoid_timeranges.clone(),
        adjacent_with: opt(&r.adjacent_with),
        time_relation: opt(&r.time_relation),
        joint_with: r.joint_with.clone(),
        joint_session: r.joint_session,
        resources: r.resources.clone(),
        bofs_to_avoid: opt(&r.bofs_to_avoid),
        special_requests: opt(&r.special_requests),
        priority: r.priority.filter(|&p| p != 0).map(Value::from),
    }
}

/// The proto message of a session request document.
pub fn request_from_doc(r: &doc::SessionRequest) -> pb::SessionRequest {
    pb::SessionRequest {
        group: r.group.clone(),
        sessions: r.sessions.iter().map(|s| s.minutes.unwrap_or(0)).collect(),
        third_session: r.third_session.as_ref().map(|t| pb::ThirdSession {
            minutes: t.minutes.unwrap_or(0),
            approved: t.approved,
        }),
        attendees: match &r.attendees {
            None => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        },
        conflicts: Some(pb::Conflicts {
            chair: r.conflicts.chair.clone(),
            technology: r.conflicts.technology.clone(),
            key_participant: r.conflicts.key_participant.clone(),
        }),
        must_attend: r.must_attend.clone(),
        avoid_timeranges: r.avoid_timeranges.clone(),
        adjacent_with: text(&r.adjacent_with),
        time_relation: text(&r.time_relation),
        joint_with: r.joint_with.clone(),
        joint_session: r.joint_session,
        resources: r.resources.clone(),
        bofs_to_avoid: text(&r.bofs_to_avoid),
        special_requests: text(&r.special_requests),
        // Stored requests were validated, so a priority is a whole number from 1 to 1000.
        priority: r
            .priority
            .as_ref()
            .map(|v| v.as_u64().and_then(|p| u32::try_from(p).ok()).unwrap_or(0)),
    }
}

pub(crate) fn status_to_pb(s: RequestStatus) -> pb::RequestStatus {
    match s {
        RequestStatus::Active => pb::RequestStatus::Active,
        RequestStatus::Cancelled => pb::RequestStatus::Cancelled,
        RequestStatus::NoSession => pb::RequestStatus::NoSession,
    }
}

pub(crate) fn issue_to_pb(i: &Issue) -> pb::Issue {
    pb::Issue {
        severity: match i.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
        .to_string(),
        request: text(&i.request),
        field: i.field.clone(),
        message: i.message.clone(),
        help: text(&i.help),
    }
}

pub(crate) fn stored_to_pb(s: &store::StoredRequest, warnings: &[Issue]) -> pb::StoredRequest {
    pb::StoredRequest {
        meeting: s.meeting.clone(),
        request: Some(request_from_doc(&s.request)),
        status: status_to_pb(s.status) as i32,
        version: s.version,
        updated_by: s.updated_by.clone(),
        updated_at: s.updated_at.clone(),
        warnings: warnings.iter().map(issue_to_pb).collect(),
    }
}

pub(crate) fn notification_to_pb(n: &store::Notification) -> pb::Notification {
    pb::Notification {
        id: n.id,
        meeting: n.meeting.clone(),
        group: n.group.clone(),
        kind: n.kind.clone(),
        to: n.to.clone(),
        cc: n.cc.clone(),
        subject: n.subject.clone(),
        body: n.body.clone(),
        created_at: n.created_at.clone(),
        delivery: n
            .delivery
            .as_ref()
            .map_or(String::new(), |d| d.state.clone()),
        delivery_attempts: n.delivery.as_ref().map_or(0, |d| d.attempts),
        delivery_error: n
            .delivery
            .as_ref()
            .map_or(String::new(), |d| d.last_error.clone()),
    }
}

/// The report of an agenda priced by the evaluator. `agenda_json` is the document as
/// given (solves) or as checked.
pub fn report_to_pb(
    meeting: &str,
    agenda: &Agenda,
    agenda_json: String,
    evaluation: &Evaluation,
    stats: Option<pb::SolveStats>,
) -> pb::AgendaReport {
    pb::AgendaReport {
        saved_as: String::new(),
        meeting: meeting.to_string(),
        agenda_json,
        status: text(&agenda.status),
        cost: evaluation.cost,
        lower_bound: agenda.lower_bound,
        violations: evaluation
            .violations
            .iter()
            .map(|v| pb::Violation {
                kind: v.kind.clone(),
                group: v.group.clone(),
                session: v.session,
                other_group: text(&v.other_group),
                other_session: v.other_session.unwrap_or(0),
                slot: text(&v.slot),
                person: text(&v.person),
                penalty: v.penalty,
                message: v.message.clone(),
            })
            .collect(),
        hard_errors: evaluation
            .hard_errors
            .iter()
            .map(|e| e.message.clone())
            .collect(),
        unscheduled: agenda
            .unscheduled
            .iter()
            .map(|u| pb::Unscheduled {
                group: u.group.clone(),
                session: u.session,
                reason: u.reason.clone(),
            })
            .collect(),
        totals: evaluation
            .table()
            .into_iter()
            .filter(|(_, t)| t.count > 0)
            .map(|(k, t)| pb::KindTotal {
                kind: k.key().to_string(),
                count: t.count,
                cost: t.penalty,
            })
            .collect(),
        stats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_survives_the_round_trip() {
        let original: doc::SessionRequest = serde_json::from_value(serde_json::json!({
            "group": "quic",
            "sessions": [{"minutes": 120}, {"minutes": 90}],
            "third_session": {"minutes": 60, "approved": false},
            "attendees": 200,
            "conflicts": {"chair": ["tls"], "technology": ["tcpm"], "key_participant": ["masque"]},
            "must_attend": ["p1"],
            "avoid_timeranges": ["monday-morning"],
            "adjacent_with": "masque",
            "time_relation": "subsequent-days",
            "joint_with": ["httpbis"],
            "joint_session": 2,
            "resources": ["meetecho"],
            "bofs_to_avoid": "foo",
            "special_requests": "please not Friday"
        }))
        .unwrap();
        assert_eq!(request_to_doc(&request_from_doc(&original)), original);
    }

    #[test]
    fn attendees_keep_the_forms_text_when_not_a_number() {
        let r = pb::SessionRequest {
            group: "quic".into(),
            attendees: "lots".into(),
            ..Default::default()
        };
        assert_eq!(request_to_doc(&r).attendees, Some(Value::from("lots")));
        let r = pb::SessionRequest {
            attendees: " 40 ".into(),
            ..r
        };
        assert_eq!(request_to_doc(&r).attendees, Some(Value::from(40)));
    }
}
