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
