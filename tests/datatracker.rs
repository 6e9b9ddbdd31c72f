//! `agenda import datatracker` on the datatracker's own fixtures of IETF 83 (reduced, see
//! tests/data/datatracker/ietf83/README.md), on the newer vintage in the REST API's form,
//! and on bad input; and the round trip through `datatracker::schedule_fixture`.

use agenda_solver::datatracker::{import, records, schedule_fixture, ImportError};
use agenda_solver::solve::{solve, SolveOptions};
use agenda_solver::{evaluate_agenda, validate};
use ietf_agenda::data;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn ietf83_files() -> Vec<(String, String)> {
    ["meeting83.json", "session83.json", "constraint83.json"]
        .iter()
        .map(|f| {
            let path = data(&format!("datatracker/ietf83/{f}"));
            (f.to_string(), std::fs::read_to_string(path).unwrap())
        })
        .collect()
}

fn count(files: &[(String, String)], model: &str) -> usize {
    files
        .iter()
        .flat_map(|(_, t)| serde_json::from_str::<Vec<Value>>(t).unwrap())
        .filter(|r| r["model"] == model)
        .count()
}

#[test]
fn ietf83_imports_validates_and_accounts_for_every_record() {
    let files = ietf83_files();
    let recs = records::read(&files).unwrap();
    let got = import(&recs, "83", Some("official")).unwrap();
    let v = validate(&got.instance);
    assert!(v.is_valid(), "{:#?}", v.errors().collect::<Vec<_>>());
    let r = &got.report;
    let dropped = |prefix: &str| {
        r.notes
            .iter()
            .filter(|n| n.action == "dropped" && n.subject.starts_with(prefix))
            .count()
    };
    // Sessions: each is a session of a request, or dropped with a reason.
    let kept: usize = got
        .instance
        .requests
        .iter()
        .map(|q| q.sessions.len() + q.third_session.iter().count())
        .sum();
    assert_eq!(
        kept + dropped("meeting.session "),
        count(&files, "meeting.session")
    );
    assert_eq!(kept, 24);
    // Rooms and timeslots: in the grid, or dropped.
    assert_eq!(
        got.instance.rooms.len() + dropped("meeting.room "),
        count(&files, "meeting.room")
    );
    let pairs: usize = got
        .instance
        .slots
        .iter()
        .map(|s| s.rooms.as_ref().map_or(0, Vec::len))
        .sum();
    assert_eq!(
        pairs + dropped("meeting.timeslot "),
        count(&files, "meeting.timeslot")
    );
    // Constraints: every one is a conflict of a request, or dropped.
    let conflicts: usize = got
        .instance
        .requests
        .iter()
        .map(|q| {
            q.conflicts.chair.len()
                + q.conflicts.technology.len()
                + q.conflicts.key_participant.len()
        })
        .sum();
    assert_eq!(
        conflicts + dropped("meeting.constraint "),
        count(&files, "meeting.constraint")
    );
    // Vintage before 2020: conflic2 and conflic3 become technology and key participants.
    let websec = got
        .instance
        .requests
        .iter()
        .find(|q| q.group == "websec")
        .unwrap();
    assert_eq!(websec.conflicts.chair.len(), 7);
    assert_eq!(websec.conflicts.technology.len(), 2);
    assert_eq!(
        websec.conflicts.key_participant,
        vec!["group-1740".to_string()]
    );
    let ccamp = got
        .instance
        .requests
        .iter()
        .find(|q| q.group == "ccamp")
        .unwrap();
    assert_eq!(
        ccamp.sessions.iter().map(|s| s.minutes).collect::<Vec<_>>(),
        vec![Some(150), Some(120)]
    );
    // The official schedule as an agenda: it breaks no hard rule, and the session it
    // does not place (a request still waiting) is listed as unscheduled.
    let agenda = got.agenda.unwrap();
    let p = v.problem.unwrap();
    let (_, e) = evaluate_agenda(&p, &agenda);
    assert!(e.hard_errors.is_empty(), "{:#?}", e.hard_errors);
    assert_eq!(agenda.assignments.len(), 23);
    assert_eq!(agenda.unscheduled.len(), 1);
    let mon = got
        .instance
        .slots
        .iter()
        .find(|s| s.id == "mon-0900")
        .unwrap();
    assert_eq!((mon.start.as_str(), mon.minutes), ("2012-03-26T09:00", 150));
}

#[test]
fn a_solved_agenda_goes_back_as_a_schedule_and_imports_again_unchanged() {
    let files = ietf83_files();
    let got = import(&records::read(&files).unwrap(), "83", None).unwrap();
    let p = validate(&got.instance).problem.unwrap();
    let report = solve(
        &p,
        &SolveOptions {
            time_limit: std::time::Duration::from_secs(20),
            ..SolveOptions::default()
        },
        &mut |_| {},
    );
    let agenda = report.to_agenda(&p);
    let fixture = schedule_fixture(&got.instance, &agenda, "solver-draft", 900_000).unwrap();
    let mut more = files.clone();
    more.push(("draft.json".into(), fixture.to_string()));
    let again = import(&records::read(&more).unwrap(), "83", Some("solver-draft")).unwrap();
    let placed = |a: &agenda_solver::Agenda| {
        a.assignments
            .iter()
            .map(|x| (x.group.clone(), x.session, x.slot.clone(), x.room.clone()))
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(placed(&again.agenda.unwrap()), placed(&agenda));
    assert_eq!(
        again.instance, got.instance,
        "the draft changes nothing of the instance"
    );

    // The same agenda in the shape of /api/meeting/83/agenda-data: every placement,
    // with the datatracker's session ids, the local start with its offset, the room.
    let data = agenda_solver::datatracker::agenda_data(&got.instance, &agenda).unwrap();
    assert_eq!(data["meeting"]["number"], "83");
    assert_eq!(data["meeting"]["timezone"], "Europe/Paris");
    let schedule = data["schedule"].as_array().unwrap();
    assert_eq!(schedule.len(), agenda.assignments.len());
    let keys = got.instance.datatracker.as_ref().unwrap();
    for (item, a) in schedule.iter().zip(&agenda.assignments) {
        let key = keys
            .sessions
            .iter()
            .find(|k| k.group == a.group && k.session == a.session)
            .unwrap();
        assert_eq!(item["sessionId"], key.pk);
        assert_eq!(item["acronym"], a.group.as_str());
        let slot = got.instance.slots.iter().find(|s| s.id == a.slot).unwrap();
        let start = item["startDateTime"].as_str().unwrap();
        assert!(start.starts_with(&slot.start), "{start} vs {}", slot.start);
        assert!(
            start.ends_with("+02:00") || start.ends_with("+01:00"),
            "{start}"
        );
        assert_eq!(item["duration"], u64::from(slot.minutes) * 60);
    }
    let areas = data["categories"][0].as_array().unwrap();
    let listed: usize = areas
        .iter()
        .map(|a| a["children"].as_array().unwrap().len())
        .sum();
    let groups: BTreeSet<&str> = agenda
        .assignments
        .iter()
        .map(|a| a.group.as_str())
        .collect();
    assert_eq!(
        listed,
        groups.len(),
        "every group that meets is in the filter once"
    );
}

/// The datatracker since 2020, in the REST API's form: the newer constraint names,
/// bethere, time ranges, time relation, adjacency, joint sessions, durations as strings,
/// UTC times, statuses in scheduling events, groups with areas, chairs and ADs.
fn api_meeting() -> Vec<(String, String)> {
    let uri = |m: &str, pk: Value| {
        format!(
            "/api/v1/{m}/{}/",
            pk.as_str().map(str::to_string).unwrap_or(pk.to_string())
        )
    };
    let list = |objects: Vec<Value>| {
        json!({"meta": {"total_count": objects.len()}, "objects": objects}).to_string()
    };
    let meeting = json!({"id": 1, "resource_uri": uri("meeting/meeting", json!(1)), "number": "120", "time_zone": "America/Vancouver", "date": "2024-07-20"});
    let rooms = (1..=2).map(|i| json!({"id": i, "resource_uri": uri("meeting/room", json!(i)), "meeting": uri("meeting/meeting", json!(1)), "name": format!("Room {i}"), "capacity": 100 * i, "resources": if i == 2 { vec![uri("meeting/resourceassociation", json!(1))] } else { vec![] }})).collect();
    let resources = vec![
        json!({"id": 1, "resource_uri": uri("meeting/resourceassociation", json!(1)), "name": "/api/v1/name/roomresourcename/meetecho/", "icon": "meetecho.png", "desc": "Meetecho"}),
        json!({"id": 2, "resource_uri": uri("meeting/resourceassociation", json!(2)), "name": "/api/v1/name/roomresourcename/u-shape/", "icon": "u.png", "desc": "U-shape"}),
    ];
    let mut timeslots = Vec::new();
    let mut k = 100;
    for (day, hour) in [("22", "16:30"), ("22", "20:00"), ("23", "16:30")] {
        for room in 1..=2 {
            k += 1;
            timeslots.push(json!({"id": k, "resource_uri": uri("meeting/timeslot", json!(k)), "meeting": uri("meeting/meeting", json!(1)), "type": "/api/v1/name/timeslottypename/regular/", "name": "Session", "time": format!("2024-07-{day}T{hour}:00Z"), "duration": "02:00:00", "location": uri("meeting/room", json!(room))}));
        }
    }
    let groups = vec![
        json!({"id": 1, "resource_uri": uri("group/group", json!(1)), "acronym": "rtg", "name": "Routing Area", "type": "/api/v1/name/grouptypename/area/", "state": "/api/v1/name/groupstatename/active/"}),
        json!({"id": 10, "resource_uri": uri("group/group", json!(10)), "acronym": "idr", "name": "Inter-Domain Routing", "type": "/api/v1/name/grouptypename/wg/", "state": "/api/v1/name/groupstatename/active/", "parent": uri("group/group", json!(1))}),
        json!({"id": 11, "resource_uri": uri("group/group", json!(11)), "acronym": "grow", "name": "Global Routing Operations", "type": "/api/v1/name/grouptypename/wg/", "state": "/api/v1/name/groupstatename/active/", "parent": uri("group/group", json!(1))}),
        json!({"id": 12, "resource_uri": uri("group/group", json!(12)), "acronym": "newbof", "name": "A BoF", "type": "/api/v1/name/grouptypename/wg/", "state": "/api/v1/name/groupstatename/bof/", "parent": uri("group/group", json!(1))}),
    ];
    let roles = vec![
        json!({"id": 1, "resource_uri": uri("group/role", json!(1)), "name": "/api/v1/name/rolename/chair/", "group": uri("group/group", json!(10)), "person": uri("person/person", json!(500))}),
        json!({"id": 2, "resource_uri": uri("group/role", json!(2)), "name": "/api/v1/name/rolename/ad/", "group": uri("group/group", json!(1)), "person": uri("person/person", json!(501))}),
    ];
    let persons = vec![
        json!({"id": 500, "resource_uri": uri("person/person", json!(500)), "name": "A Chair"}),
        json!({"id": 501, "resource_uri": uri("person/person", json!(501)), "name": "An AD"}),
    ];
    let session = |pk: i64, g: i64, d: &str, joint: Vec<i64>| json!({"id": pk, "resource_uri": uri("meeting/session", json!(pk)), "meeting": uri("meeting/meeting", json!(1)), "group": uri("group/group", json!(g)), "type": "/api/v1/name/timeslottypename/regular/", "requested_duration": d, "attendees": 80, "joint_with_groups": joint.into_iter().map(|j| uri("group/group", json!(j))).collect::<Vec<_>>()});
    let mut with_resources = session(1, 10, "02:00:00", vec![12]);
    with_resources["resources"] = json!([
        uri("meeting/resourceassociation", json!(2)),
        uri("meeting/resourceassociation", json!(1)),
        uri("meeting/resourceassociation", json!(99))
    ]);
    let sessions = vec![
        with_resources,
        session(2, 10, "01:00:00", vec![]),
        session(3, 11, "01:30:00", vec![]),
        session(4, 12, "01:00:00", vec![]),
    ];
    let events = vec![
        json!({"id": 9, "resource_uri": uri("meeting/schedulingevent", json!(9)), "session": uri("meeting/session", json!(4)), "status": "/api/v1/name/sessionstatusname/notmeet/", "time": "2024-06-01T00:00:00Z"}),
    ];
    let constraint = |pk: i64, name: &str, extra: Value| {
        let mut c = json!({"id": pk, "resource_uri": uri("meeting/constraint", json!(pk)), "meeting": uri("meeting/meeting", json!(1)), "source": uri("group/group", json!(10)), "name": format!("/api/v1/name/constraintname/{name}/")});
        c.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        c
    };
    let constraints = vec![
        constraint(
            1,
            "chair_conflict",
            json!({"target": uri("group/group", json!(11))}),
        ),
        constraint(
            2,
            "tech_overlap",
            json!({"target": uri("group/group", json!(12))}),
        ),
        constraint(
            3,
            "bethere",
            json!({"person": uri("person/person", json!(500))}),
        ),
        constraint(
            4,
            "timerange",
            json!({"timeranges": ["/api/v1/name/timerangename/monday-morning/"]}),
        ),
        constraint(
            5,
            "time_relation",
            json!({"time_relation": "subsequent-days"}),
        ),
        constraint(
            6,
            "wg_adjacent",
            json!({"target": uri("group/group", json!(11))}),
        ),
    ];
    vec![
        ("meeting.json".into(), list(vec![meeting])),
        ("rooms.json".into(), list(rooms)),
        ("timeslots.json".into(), list(timeslots)),
        ("groups.json".into(), list(groups)),
        ("roles.json".into(), list(roles)),
        ("persons.json".into(), list(persons)),
        ("sessions.json".into(), list(sessions)),
        ("events.json".into(), list(events)),
        ("constraints.json".into(), list(constraints)),
        ("resources.json".into(), list(resources)),
    ]
}

#[test]
fn the_newer_vintage_in_the_api_form_imports_every_kind_of_constraint() {
    let got = import(&records::read(&api_meeting()).unwrap(), "120", None).unwrap();
    let v = validate(&got.instance);
    assert!(v.is_valid(), "{:#?}", v.errors().collect::<Vec<_>>());
    let i = &got.instance;
    assert_eq!(i.meeting.time_zone, "America/Vancouver");
    // 16:30 UTC is 09:30 in Vancouver (PDT).
    assert_eq!(i.slots[0].start, "2024-07-22T09:30");
    assert_eq!(i.slots[0].minutes, 120);
    let idr = i.requests.iter().find(|q| q.group == "idr").unwrap();
    assert_eq!(idr.conflicts.chair, vec!["grow"]);
    assert_eq!(idr.conflicts.technology, vec!["newbof"]);
    assert_eq!(idr.must_attend, vec!["p500"]);
    assert_eq!(idr.avoid_timeranges, vec!["monday-morning"]);
    assert_eq!(idr.time_relation.as_deref(), Some("subsequent-days"));
    assert_eq!(idr.adjacent_with.as_deref(), Some("grow"));
    assert_eq!(idr.joint_with, vec!["newbof"]);
    assert_eq!(idr.sessions.len(), 2);
    // Resources: the session's and the room's, by name; an unknown one is reported.
    assert_eq!(idr.resources, vec!["u-shape", "meetecho"]);
    let room2 = i
        .rooms
        .iter()
        .find(|r| r.name.as_deref() == Some("Room 2"))
        .unwrap();
    assert_eq!(room2.resources, vec!["meetecho"]);
    assert!(got
        .report
        .notes
        .iter()
        .any(|n| n.subject == "meeting.session 1" && n.why.contains("resource 99")));
    // newbof's only session did not meet (its scheduling event says so).
    assert!(i.requests.iter().all(|q| q.group != "newbof"));
    assert!(got
        .report
        .notes
        .iter()
        .any(|n| n.subject == "meeting.session 4" && n.why.contains("notmeet")));
    let g = i.groups.iter().find(|g| g.acronym == "idr").unwrap();
    assert_eq!(
        (g.area.as_deref(), g.chairs.clone(), g.ads.clone()),
        (
            Some("rtg"),
            vec!["p500".to_string()],
            vec!["p501".to_string()]
        )
    );
    let bof = i.groups.iter().find(|g| g.acronym == "newbof").unwrap();
    assert_eq!(bof.state.as_deref(), Some("bof"));
}

#[test]
fn bad_input_names_the_file_and_record() {
    let files = ietf83_files();
    let recs = records::read(&files).unwrap();
    // Another meeting's fixture.
    let e = import(&recs, "84", None).unwrap_err();
    assert!(
        matches!(e, ImportError::NoMeeting { .. }) && e.to_string().contains("83"),
        "{e}"
    );
    // Missing models.
    let only_meeting = records::read(&files[..1]).unwrap();
    let e = import(&only_meeting, "83", None).unwrap_err();
    assert!(e.to_string().contains("no meeting.session records"), "{e}");
    // A constraint whose target group is missing, when group records are given.
    let mut api = api_meeting();
    let groups = api.iter_mut().find(|(n, _)| n == "groups.json").unwrap();
    let mut doc: Value = serde_json::from_str(&groups.1).unwrap();
    doc["objects"]
        .as_array_mut()
        .unwrap()
        .retain(|g| g["acronym"] != "grow");
    groups.1 = doc.to_string();
    let e = import(&records::read(&api).unwrap(), "120", None).unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.contains("group 11") && shown.contains(".json"),
        "{shown}"
    );
    // Malformed JSON.
    let e = records::read(&[("broken.json".into(), "[{\"pk\": 1,".into())]).unwrap_err();
    assert!(e.to_string().starts_with("broken.json: line 1"), "{e}");
    // An unknown schedule.
    let e = import(&recs, "83", Some("nope")).unwrap_err();
    assert!(e.to_string().contains("mtg:83"), "{e}");
}
