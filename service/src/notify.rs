//! The messages the session request tool sends on every change, modelled on the
//! datatracker's `session_request_notification.txt` and its approval variant.
//!
//! Addresses follow the IETF conventions: the secretariat's tool address, the group's
//! list (`acronym@ietf.org`), its chairs (`acronym-chairs@ietf.org`) and its area's ADs
//! (`area-ads@ietf.org`). A third session that needs approval goes *to* the ADs.

use crate::store::Notification;
use agenda_solver::instance::{Group, SessionRequest};

/// The secretariat's address for session requests.
pub const SECRETARIAT: &str = "session-request@ietf.org";

/// What happened to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A group's first request.
    New,
    /// A request changed.
    Update,
    /// A request withdrawn.
    Cancel,
    /// The group will not meet.
    NoSession,
    /// A third session approved by the AD.
    Approved,
}

fn minutes(m: Option<u32>) -> String {
    match m {
        Some(m) if m > 0 => format!("{m} minutes"),
        _ => "not selected".to_string(),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "None".to_string()
    } else {
        items.join(" ")
    }
}

/// The request in the layout of the tool's e-mail.
pub fn describe(group: &Group, request: &SessionRequest) -> String {
    let mut lengths: Vec<String> = request
        .sessions
        .iter()
        .map(|s| minutes(s.minutes))
        .collect();
    if let Some(t) = &request.third_session {
        lengths.push(format!(
            "{} (third session, {})",
            minutes(t.minutes),
            if t.approved {
                "approved"
            } else {
                "awaiting AD approval"
            }
        ));
    }
    let attendees = match &request.attendees {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "not given".to_string(),
    };
    let text = |o: &Option<String>| {
        o.clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "None".into())
    };
    let mut out = String::new();
    out.push_str("---------------------------------------------------------\n");
    out.push_str(&format!(
        "Working Group Name: {}\n",
        group.name.clone().unwrap_or_else(|| group.acronym.clone())
    ));
    out.push_str(&format!(
        "Area Name: {}\n",
        group.area.clone().unwrap_or_else(|| "None".into())
    ));
    out.push_str(&format!("\nNumber of Sessions: {}\n", lengths.len()));
    out.push_str(&format!("Length of Session(s): {}\n", lengths.join(", ")));
    out.push_str(&format!("Number of Attendees: {attendees}\n"));
    out.push_str("Conflicts to Avoid:\n");
    out.push_str(&format!(
        " Chair Conflict: {}\n",
        list(&request.conflicts.chair)
    ));
    out.push_str(&format!(
        " Technology Overlap: {}\n",
        list(&request.conflicts.technology)
    ));
    out.push_str(&format!(
        " Key Participant Conflict: {}\n",
        list(&request.conflicts.key_participant)
    ));
    out.push_str(&format!(
        "\nPeople who must be present: {}\n",
        list(&request.must_attend)
    ));
    out.push_str(&format!(
        "Times to avoid: {}\n",
        list(&request.avoid_timeranges)
    ));
    out.push_str(&format!(
        "Adjacent with WG: {}\n",
        text(&request.adjacent_with)
    ));
    out.push_str(&format!(
        "Time relation: {}\n",
        text(&request.time_relation)
    ));
    out.push_str(&format!(
        "Joint session with: {}\n",
        list(&request.joint_with)
    ));
    out.push_str(&format!(
        "Resources Requested: {}\n",
        list(&request.resources)
    ));
    out.push_str(&format!(
        "BoFs to avoid: {}\n",
        text(&request.bofs_to_avoid)
    ));
    out.push_str(&format!(
        "Special Requests: {}\n",
        text(&request.special_requests)
    ));
    out.push_str("---------------------------------------------------------\n");
    out
}

/// The notification for `event` on `group`'s request at `meeting` by `actor`.
pub fn compose(
    meeting: &str,
    group: &Group,
    request: &SessionRequest,
    event: Event,
    actor: &str,
    at: &str,
) -> Notification {
    let acronym = &group.acronym;
    let area = group.area.clone().unwrap_or_default();
    let group_list = format!("{acronym}@ietf.org");
    let chairs = format!("{acronym}-chairs@ietf.org");
    let ads = if area.is_empty() {
        "iesg@ietf.org".to_string()
    } else {
        format!("{area}-ads@ietf.org")
    };
    let needs_approval = matches!(event, Event::New | Event::Update)
        && request.third_session.as_ref().is_some_and(|t| !t.approved);
    let (kind, to, cc, subject, body) = if needs_approval {
        (
            "approval",
            vec![ads.clone()],
            vec![SECRETARIAT.to_string(), chairs, group_list],
            format!("{acronym} - Request for meeting session approval for IETF {meeting}"),
            format!(
                "{actor} has requested a third session for {acronym} at IETF {meeting}.\n\
                 A third session needs the approval of an Area Director of the {area} area:\n\
                 approve it with SessionRequests.ApproveThirdSession.\n\n{}",
                describe(group, request)
            ),
        )
    } else {
        let cc = vec![group_list, chairs, ads];
        match event {
            Event::New | Event::Update => {
                let (kind, header, subject) = if event == Event::New {
                    ("new", "A new", "New Meeting Session Request")
                } else {
                    (
                        "update",
                        "An update to a",
                        "Update to a Meeting Session Request",
                    )
                };
                (
                    kind,
                    vec![SECRETARIAT.to_string()],
                    cc,
                    format!("{acronym} - {subject} for IETF {meeting}"),
                    format!(
                        "{header} meeting session request has just been submitted by {actor}.\n\n{}",
                        describe(group, request)
                    ),
                )
            }
            Event::Approved => (
                "approved",
                vec![SECRETARIAT.to_string()],
                cc,
                format!("{acronym} - Third session approved for IETF {meeting}"),
                format!(
                    "{actor} has approved the third session of {acronym} at IETF {meeting}.\n\n{}",
                    describe(group, request)
                ),
            ),
            Event::Cancel => (
                "cancel",
                vec![SECRETARIAT.to_string()],
                cc,
                format!("{acronym} - Cancelling a meeting request for IETF {meeting}"),
                format!(
                    "A request to cancel a meeting session has just been submitted by {actor}.\n\
                     {acronym} will not be scheduled at IETF {meeting}.\n"
                ),
            ),
            Event::NoSession => (
                "no-session",
                vec![SECRETARIAT.to_string()],
                cc,
                format!("{acronym} - Not having a session at IETF {meeting}"),
                format!(
                    "Dear {acronym} session chair(s),\n\n{actor} has indicated that {acronym} \
                     will not have a session at IETF {meeting}.\n"
                ),
            ),
        }
    };
    Notification {
        id: 0,
        meeting: meeting.to_string(),
        group: acronym.clone(),
        area,
        kind: kind.to_string(),
        to,
        cc,
        subject,
        body,
        created_at: at.to_string(),
        delivery: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quic() -> Group {
        serde_json::from_value(serde_json::json!({
            "acronym": "quic", "name": "QUIC", "area": "tsv", "type": "wg"
        }))
        .unwrap()
    }

    fn request(third: Option<bool>) -> SessionRequest {
        let mut v = serde_json::json!({
            "group": "quic", "sessions": [{"minutes": 120}, {"minutes": 90}], "attendees": 200,
            "conflicts": {"chair": ["tls", "httpbis"]}
        });
        if let Some(approved) = third {
            v["third_session"] = serde_json::json!({"minutes": 60, "approved": approved});
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_new_request_goes_to_the_secretariat_with_the_group_in_copy() {
        let n = compose(
            "106",
            &quic(),
            &request(None),
            Event::New,
            "QUIC chairs",
            "t",
        );
        assert_eq!(n.kind, "new");
        assert_eq!(n.to, [SECRETARIAT]);
        assert_eq!(
            n.cc,
            ["quic@ietf.org", "quic-chairs@ietf.org", "tsv-ads@ietf.org"]
        );
        assert_eq!(n.subject, "quic - New Meeting Session Request for IETF 106");
        assert!(n
            .body
            .contains("Length of Session(s): 120 minutes, 90 minutes"));
        assert!(n.body.contains(" Chair Conflict: tls httpbis"));
        assert!(n.body.contains("Number of Attendees: 200"));
    }

    #[test]
    fn an_unapproved_third_session_goes_to_the_ads() {
        let n = compose(
            "106",
            &quic(),
            &request(Some(false)),
            Event::Update,
            "QUIC chairs",
            "t",
        );
        assert_eq!(n.kind, "approval");
        assert_eq!(n.to, ["tsv-ads@ietf.org"]);
        assert!(n.subject.contains("approval"));
        let n = compose(
            "106",
            &quic(),
            &request(Some(true)),
            Event::Update,
            "QUIC chairs",
            "t",
        );
        assert_eq!(n.kind, "update");
    }

    #[test]
    fn cancel_and_no_session_say_so() {
        let n = compose(
            "106",
            &quic(),
            &request(None),
            Event::Cancel,
            "QUIC chairs",
            "t",
        );
        assert_eq!(
            n.subject,
            "quic - Cancelling a meeting request for IETF 106"
        );
        let n = compose(
            "106",
            &quic(),
            &request(None),
            Event::NoSession,
            "QUIC chairs",
            "t",
        );
        assert_eq!(n.subject, "quic - Not having a session at IETF 106");
    }
}
