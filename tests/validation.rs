//! Every validation message of FORMAT.md, one broken instance each (tests/data/broken).

use agenda_solver::{load_instance, validate, LoadError, Severity};
use ietf_agenda::data;

/// Validates `broken/<name>.json` and returns its errors as (field, message).
fn errors(name: &str) -> Vec<(String, String)> {
    let instance = load_instance(data(&format!("broken/{name}.json"))).expect("parses");
    let v = validate(&instance);
    assert!(!v.is_valid(), "{name} should be invalid");
    v.issues
        .into_iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| (i.field, i.message))
        .collect()
}

fn assert_only(name: &str, field: &str, message: &str) {
    let got = errors(name);
    assert_eq!(
        got,
        vec![(field.to_string(), message.to_string())],
        "{name}"
    );
}

#[test]
fn the_tiny_instance_is_valid() {
    let v = validate(&load_instance(data("tiny.json")).unwrap());
    assert!(v.is_valid(), "{:#?}", v.issues);
    // Only the third session awaiting approval is worth a warning.
    assert_eq!(v.warnings().count(), 1);
}

#[test]
fn invalid_working_group_acronym() {
    assert_only(
        "invalid-acronym",
        "requests[1].conflicts.chair[0]",
        "Invalid Working Group Acronym: nosuchwg",
    );
}

#[test]
fn unselected_number_of_sessions() {
    assert_only(
        "unselected-sessions",
        "requests[4].sessions",
        "Unselected Number of Sessions",
    );
}

#[test]
fn unselected_length_of_session() {
    assert_only(
        "unselected-length",
        "requests[4].sessions[0].minutes",
        "Unselected Length of Session",
    );
}

#[test]
fn zero_number_of_attendees() {
    assert_only(
        "zero-attendees",
        "requests[4].attendees",
        "Zero Number of Attendees",
    );
}

#[test]
fn non_numeric_attendees() {
    assert_only(
        "non-numeric-attendees",
        "requests[4].attendees",
        "Non-Numeric value entered for Number of Attendees",
    );
}

#[test]
fn third_session_needs_two() {
    assert_only(
        "third-needs-two",
        "requests[4].third_session",
        "You must select two sessions to request third session",
    );
}

#[test]
fn conflict_with_itself() {
    assert_only(
        "self-conflict",
        "requests[1].conflicts.chair[0]",
        "Cannot declare a conflict with the group itself: wg2",
    );
}

#[test]
fn acronym_listed_twice() {
    assert_only(
        "acronym-twice",
        "requests[1].conflicts.key_participant[0]",
        "Acronym listed twice in conflicts: wg3",
    );
}

#[test]
fn length_not_offered() {
    assert_only(
        "length-not-offered",
        "requests[4].sessions[0].minutes",
        "Invalid Length of Session: 45 minutes is not offered",
    );
}

#[test]
fn time_relation_with_one_session() {
    assert_only(
        "time-relation-one-session",
        "requests[4].time_relation",
        "A time relation needs two sessions: subsequent-days with 1 requested",
    );
}

#[test]
fn joint_session_not_requested() {
    assert_only(
        "joint-session-not-requested",
        "requests[4].joint_session",
        "Joint session 2 was not requested (1 session(s) requested)",
    );
}

#[test]
fn unknown_room() {
    assert_only("unknown-room", "slots[4].rooms[1]", "Unknown room: z");
}

#[test]
fn unknown_slot() {
    assert_only("unknown-slot", "fixed[0].slot", "Unknown slot: sat-0900");
}

#[test]
fn unknown_person() {
    assert_only(
        "unknown-person",
        "requests[1].must_attend[0]",
        "Unknown person: p999",
    );
}

#[test]
fn unknown_time_range() {
    assert_only(
        "unknown-time-range",
        "requests[1].avoid_timeranges[0]",
        "Unknown time range: thursday-early-afternoon",
    );
}

#[test]
fn duplicate_id() {
    assert_only("duplicate-id", "rooms[6].id", "Duplicate room id: a");
}

#[test]
fn invalid_time_zone() {
    assert_only(
        "invalid-time-zone",
        "meeting.time_zone",
        "Invalid time zone: \"Singapore/Asia\"",
    );
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let err = load_instance(data("broken/syntax-error.json")).unwrap_err();
    let LoadError::Syntax {
        origin,
        line,
        column,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert!(origin.ends_with("syntax-error.json"));
    assert_eq!((*line, *column), (233, 7), "{err}");
}

#[test]
fn every_error_is_collected_at_once() {
    // Several problems in one request are all reported, not just the first.
    let mut instance = load_instance(data("tiny.json")).unwrap();
    let wg5 = instance
        .requests
        .iter_mut()
        .find(|r| r.group == "wg5")
        .unwrap();
    wg5.sessions.clear();
    wg5.attendees = Some(serde_json::json!("many"));
    wg5.conflicts.technology = vec!["nope".into(), "wg5".into()];
    let v = validate(&instance);
    let messages: Vec<&str> = v.errors().map(|i| i.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Unselected Number of Sessions",
            "Non-Numeric value entered for Number of Attendees",
            "Invalid Working Group Acronym: nope",
            "Cannot declare a conflict with the group itself: wg5",
        ]
    );
}

#[test]
fn shared_ietf_datasets_validate() {
    for name in ["ietf106.json", "ietf106-2020.json"] {
        let Some(path) = ietf_agenda::shared_dataset(name) else {
            continue;
        };
        let v = validate(&load_instance(&path).unwrap());
        assert!(
            v.is_valid(),
            "{name}: {:#?}",
            v.errors().collect::<Vec<_>>()
        );
        // detnet and teas ask for 150 minutes; the longest block is 120.
        let trimmed = v
            .warnings()
            .filter(|w| w.message.contains("trimmed"))
            .count();
        assert!(trimmed >= 1, "{name}");
    }
}

/// Meeting numbers are bounded and printable; penalties are bounded so costs cannot
/// overflow (issue 29).
#[test]
fn meeting_numbers_and_penalties_are_bounded() {
    let base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("tiny.json")).unwrap()).unwrap();
    for bad in ["", "10\u{0}6", &"9".repeat(1 << 20), "106\n"] {
        let mut doc = base.clone();
        doc["meeting"]["number"] = serde_json::json!(bad);
        let inst: agenda_solver::Instance = serde_json::from_value(doc).unwrap();
        let v = validate(&inst);
        assert!(
            v.errors().any(|e| e.field == "meeting.number"),
            "{:?}",
            bad.chars().take(10).collect::<String>()
        );
    }
    let mut doc = base.clone();
    doc["penalties"] = serde_json::json!({"tech_overlap": u64::MAX});
    let inst: agenda_solver::Instance = serde_json::from_value(doc).unwrap();
    let v = validate(&inst);
    let e = v
        .errors()
        .find(|e| e.field == "penalties.tech_overlap")
        .expect("refused");
    assert!(
        e.message.contains("above the largest accepted"),
        "{}",
        e.message
    );
}

/// Text fields and lists are bounded, with the field and the limit in the message.
#[test]
fn text_fields_and_lists_are_bounded() {
    let base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("tiny.json")).unwrap()).unwrap();
    let mut doc = base.clone();
    doc["requests"][0]["special_requests"] = serde_json::json!("x".repeat(10_001));
    doc["requests"][1]["must_attend"] = serde_json::json!(vec!["p1"; 1_001]);
    let inst: agenda_solver::Instance = serde_json::from_value(doc).unwrap();
    let v = validate(&inst);
    let fields: Vec<&str> = v.errors().map(|e| e.field.as_str()).collect();
    assert!(
        fields.contains(&"requests[0].special_requests"),
        "{fields:?}"
    );
    assert!(fields.contains(&"requests[1].must_attend"), "{fields:?}");
    let mut doc = base;
    doc["requests"][0]["special_requests"] = serde_json::json!("x".repeat(10_000));
    let inst: agenda_solver::Instance = serde_json::from_value(doc).unwrap();
    assert!(validate(&inst).is_valid());
}

// --- MeetingIndex: one request checked against the meeting, as `validate` would ---

use agenda_solver::instance::{
    FixedPlacement, Instance, SessionLength, SessionRequest, ThirdSession,
};
use agenda_solver::validate::MeetingIndex;
use agenda_solver::Issue;
use serde_json::json;

/// What `validate` says about `request` on the meeting with it as the last request
/// (the other groups' requests first): the service's filter of the whole meeting's
/// issues before the index existed.
fn issues_by_validate(meeting: &Instance, request: &SessionRequest) -> Vec<Issue> {
    let mut instance = meeting.clone();
    instance.requests.retain(|r| r.group != request.group);
    let position = instance.requests.len();
    instance.requests.push(request.clone());
    let prefix = format!("requests[{position}]");
    validate(&instance)
        .issues
        .into_iter()
        .filter(|i| {
            i.request.as_deref() == Some(request.group.as_str())
                || i.field == prefix
                || i.field.starts_with(&format!("{prefix}."))
        })
        .collect()
}

fn issues_by_index(
    index: &MeetingIndex,
    meeting: &Instance,
    request: &SessionRequest,
) -> Vec<Issue> {
    let others: Vec<&SessionRequest> = meeting
        .requests
        .iter()
        .filter(|r| r.group != request.group)
        .collect();
    let related = index.related_groups(request);
    let other = |g: &str| {
        assert!(
            related.contains(&g),
            "check read {g}, not in related_groups"
        );
        others.iter().copied().find(|r| r.group == g)
    };
    index.check(request, others.len(), &other)
}

/// One change to a request.
type Edit = Box<dyn Fn(&mut SessionRequest)>;

/// Edits of a request that break or stretch each rule a request can break, alone and
/// two at a time; `k` picks the partners (another group, a person).
fn edits(meeting: &Instance, r: &SessionRequest, k: usize) -> Vec<SessionRequest> {
    let other = &meeting.groups[k % meeting.groups.len()].acronym;
    let partner = meeting
        .requests
        .iter()
        .find(|x| x.group != r.group && x.group == *other)
        .map(|x| x.group.clone())
        .unwrap_or_else(|| other.clone());
    let person = meeting
        .people
        .get(k % meeting.people.len().max(1))
        .map(|p| p.id.clone());
    let longest = meeting.slots.iter().map(|s| s.minutes).max().unwrap_or(60);
    let naming_us: Vec<String> = meeting
        .requests
        .iter()
        .filter(|x| x.joint_with.contains(&r.group))
        .map(|x| x.group.clone())
        .collect();
    let one: Vec<Edit> = vec![
        Box::new(|_| {}),
        Box::new(|r| r.group = "no-such-group".into()),
        Box::new(|r| r.sessions.clear()),
        Box::new(|r| r.sessions = vec![SessionLength { minutes: Some(60) }; 3]),
        Box::new(|r| r.sessions = vec![SessionLength { minutes: None }]),
        Box::new(|r| r.sessions = vec![SessionLength { minutes: Some(61) }]),
        Box::new(|r| r.sessions.truncate(1)),
        Box::new(|r| {
            r.sessions = vec![SessionLength { minutes: Some(60) }; 2];
            r.third_session = Some(ThirdSession {
                minutes: Some(60),
                approved: false,
            });
        }),
        Box::new(|r| {
            r.sessions = vec![SessionLength { minutes: Some(60) }; 2];
            r.third_session = Some(ThirdSession {
                minutes: Some(60),
                approved: true,
            });
        }),
        Box::new(|r| {
            r.sessions = vec![SessionLength { minutes: Some(60) }];
            r.third_session = Some(ThirdSession {
                minutes: Some(60),
                approved: true,
            });
        }),
        Box::new(move |r| {
            r.sessions = vec![SessionLength {
                minutes: Some(longest + 30),
            }]
        }),
        Box::new(|r| r.attendees = Some(json!(0))),
        Box::new(|r| r.attendees = Some(json!("many"))),
        Box::new(|r| r.attendees = Some(json!(100_000))),
        Box::new(|r| r.conflicts.chair.push("no-such-group".into())),
        Box::new(|r| {
            let own = r.group.clone();
            r.conflicts.technology.push(own);
        }),
        Box::new(|r| {
            if let Some(c) = r.conflicts.chair.first().cloned() {
                r.conflicts.key_participant.push(c);
            }
        }),
        Box::new(|r| r.must_attend.push("no-such-person".into())),
        Box::new(move |r| {
            if let Some(p) = &person {
                r.must_attend = vec![p.clone(), p.clone()];
            }
        }),
        Box::new(|r| r.avoid_timeranges.push("someday-evening".into())),
        Box::new(|r| r.adjacent_with = Some(r.group.clone())),
        Box::new(|r| r.adjacent_with = Some("no-such-group".into())),
        Box::new(|r| r.time_relation = Some("whenever".into())),
        Box::new(|r| {
            r.sessions.truncate(1);
            r.time_relation = Some("subsequent-days".into());
        }),
        Box::new(|r| r.joint_with.push(r.group.clone())),
        Box::new(|r| r.joint_with.push("no-such-group".into())),
        Box::new({
            let p = partner.clone();
            move |r| r.joint_with = vec![p.clone(), p.clone()]
        }),
        Box::new({
            let p = partner.clone();
            move |r| r.joint_with = vec![p.clone()]
        }),
        Box::new(move |r| r.joint_with.extend(naming_us.iter().cloned())),
        Box::new(|r| r.joint_session = Some(5)),
        Box::new(|r| {
            r.joint_with.clear();
            r.joint_session = Some(1);
        }),
        Box::new(|r| r.priority = Some(json!(0))),
        Box::new(|r| r.resources.push("teleporter".into())),
        Box::new(|r| r.special_requests = Some("x".repeat(20_000))),
    ];
    let mut out = Vec::new();
    for (i, a) in one.iter().enumerate() {
        let mut e = r.clone();
        a(&mut e);
        out.push(e.clone());
        // And a second edit on top, so that errors and warnings meet.
        let b = &one[(i * 7 + k) % one.len()];
        b(&mut e);
        out.push(e);
    }
    out
}

/// The meeting with fixed placements that exercise every rule of `fixed`: sessions
/// placed, one not requested, one awaiting approval, a (slot, room) taken twice, a
/// session fixed twice, and unknown names.
fn with_placements(meeting: &Instance) -> Instance {
    let mut m = meeting.clone();
    let slot = |i: usize| m.slots[i % m.slots.len()].id.clone();
    let room = |i: usize| Some(m.rooms[i % m.rooms.len()].id.clone());
    let mut fixed = Vec::new();
    for (i, r) in m.requests.iter().take(6).enumerate() {
        fixed.push(FixedPlacement {
            group: r.group.clone(),
            session: 1,
            slot: slot(i),
            room: room(i),
        });
        fixed.push(FixedPlacement {
            group: r.group.clone(),
            session: 2,
            slot: slot(i + 1),
            room: None,
        });
        fixed.push(FixedPlacement {
            group: r.group.clone(),
            session: 3,
            slot: slot(i + 2),
            room: None,
        });
    }
    if let Some(r) = m.requests.get(7) {
        // Its room is taken by the first placement; then the same session again.
        fixed.push(FixedPlacement {
            group: r.group.clone(),
            session: 1,
            slot: slot(0),
            room: room(0),
        });
        fixed.push(FixedPlacement {
            group: r.group.clone(),
            session: 1,
            slot: slot(3),
            room: None,
        });
    }
    if m.requests.len() > 10 {
        // A joint session that the next request may name back.
        m.requests[9].joint_with = vec![m.requests[10].group.clone()];
    }
    fixed.push(FixedPlacement {
        group: "no-such-group".into(),
        session: 1,
        slot: "no-such-slot".into(),
        room: Some("no-such-room".into()),
    });
    m.fixed = fixed;
    m
}

/// Checks every request of `meeting`, and every edit of it, both ways.
fn assert_index_agrees(name: &str, meeting: &Instance) -> usize {
    let index = MeetingIndex::new(meeting.clone());
    let mut checked = 0;
    for (k, r) in meeting.requests.iter().enumerate() {
        // Every request as it is; every third one edited (the edits cycle through their
        // partners with k, so all kinds still meet; 12 s instead of 34 in release).
        let edited = if k % 3 == 0 {
            edits(meeting, r, k)
        } else {
            Vec::new()
        };
        for edited in std::iter::once(r.clone()).chain(edited) {
            let by_validate = issues_by_validate(meeting, &edited);
            let by_index = issues_by_index(&index, meeting, &edited);
            assert_eq!(
                by_index, by_validate,
                "{name}: request of {} edited to {edited:?}",
                r.group
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn the_meeting_index_checks_a_request_as_validate_does() {
    let mut meetings = vec![
        ("tiny", load_instance(data("tiny.json")).unwrap()),
        (
            "ietf-125x8",
            load_instance(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/datasets/ietf-125x8.json"
            ))
            .unwrap(),
        ),
    ];
    for file in ["ietf106.json", "ietf106-2020.json"] {
        if let Some(path) = ietf_agenda::shared_dataset(file) {
            meetings.push((file, load_instance(path).unwrap()));
        }
    }
    let mut checked = 0;
    let mut with_warnings = 0;
    for (name, meeting) in &meetings {
        // The datasets' requests must be valid: the index assumes the others are.
        assert!(validate(meeting).is_valid(), "{name}");
        checked += assert_index_agrees(name, meeting);
        let placed = with_placements(meeting);
        checked += assert_index_agrees(&format!("{name} with placements"), &placed);
        with_warnings += placed
            .requests
            .iter()
            .filter(|r| !issues_by_validate(&placed, r).is_empty())
            .count();
    }
    // The comparison saw requests with findings, not only clean ones.
    assert!(with_warnings > 0);
    assert!(checked > 1000, "{checked}");
}

#[test]
fn the_meeting_index_stops_at_the_meetings_own_errors() {
    let mut meeting = load_instance(data("tiny.json")).unwrap();
    meeting.meeting.time_zone = "Mars/Olympus".into();
    let index = MeetingIndex::new(meeting.clone());
    assert!(index
        .issues()
        .iter()
        .any(|i| i.field == "meeting.time_zone"));
    for r in &meeting.requests {
        assert_eq!(
            issues_by_index(&index, &meeting, r),
            issues_by_validate(&meeting, r)
        );
    }
}
