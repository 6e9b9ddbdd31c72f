//! The IETF datatracker's own data in and out (`agenda import datatracker`, `agenda
//! export --format datatracker-fixture`). `docs/datatracker.md` describes the formats and
//! every reading made here.
//!
//! Import: the datatracker's records ([`records`]: Django fixtures or REST API lists) of
//! one meeting become an `agenda-instance/1`, and optionally one of its schedules an
//! `agenda/1`; a [`Report`] says what was dropped or guessed, and why. The instance
//! remembers the datatracker's keys ([`DatatrackerKeys`]) so that an agenda can go back
//! as schedule assignments the datatracker loads as a new, unofficial schedule.

mod agenda_data;
pub mod records;

pub use agenda_data::agenda_data;

use crate::agenda::{Agenda, Assignment, Unscheduled, AGENDA_FORMAT};
use crate::instance::{
    Conflicts, Group, Instance, MeetingInfo, Person, Room, SessionLength, SessionRequest, Slot,
    ThirdSession, INSTANCE_FORMAT,
};
use chrono::{DateTime, Datelike, NaiveDateTime};
use records::Record;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Why the datatracker's data could not be imported. Each names the file or record.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file that is not JSON, or not a fixture or API list.
    #[error("{origin}: {message}")]
    Malformed {
        /// The file (and line, when known).
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// No meeting record has the number asked for.
    #[error("no meeting.meeting record has number {number:?} (meetings found: {found}); give the files of that meeting, or its number with --meeting")]
    NoMeeting {
        /// The meeting number asked for.
        number: String,
        /// The meeting numbers the files hold.
        found: String,
    },
    /// A model the import needs has no records for the meeting.
    #[error("no {model} records for meeting {meeting}: {hint}")]
    MissingModel {
        /// The datatracker model (`meeting.session`, ...).
        model: &'static str,
        /// The meeting number.
        meeting: String,
        /// Which file or API list gives those records.
        hint: &'static str,
    },
    /// A record refers to another that the files do not hold.
    #[error("{origin}: {model} {pk}: {field} refers to {target}, which is not in the files; add its records (e.g. the group.group fixture)")]
    Dangling {
        /// The file.
        origin: String,
        /// The referring record's model.
        model: String,
        /// The referring record's primary key.
        pk: String,
        /// The field that refers.
        field: &'static str,
        /// The record it names.
        target: String,
    },
    /// `--schedule NAME` names no schedule of the meeting.
    #[error("meeting {meeting} has no schedule named {name:?} (schedules: {found})")]
    NoSchedule {
        /// The meeting number.
        meeting: String,
        /// The schedule name asked for.
        name: String,
        /// The schedules the meeting has.
        found: String,
    },
}

/// The datatracker's keys of what the instance holds, so an agenda can be written back
/// (an extension of `agenda-instance/1`, see `docs/datatracker.md`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DatatrackerKeys {
    /// The meeting's key (`meeting.meeting` pk).
    pub meeting: Value,
    /// Each session of each request: group, session number (1-3), `meeting.session` pk.
    pub sessions: Vec<SessionKey>,
    /// Each (slot, room) of the grid: its `meeting.timeslot` pk.
    pub timeslots: Vec<TimeslotKey>,
}

/// A session's datatracker key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SessionKey {
    /// The group's acronym.
    pub group: String,
    /// The session number.
    pub session: u32,
    /// The `meeting.session` record's primary key.
    pub pk: Value,
}

/// A (slot, room) pair's datatracker key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TimeslotKey {
    /// The slot's id.
    pub slot: String,
    /// The room's id.
    pub room: String,
    /// The `meeting.timeslot` record's primary key.
    pub pk: Value,
}

/// One thing the import dropped or guessed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Note {
    /// `dropped` or `guessed`.
    pub action: &'static str,
    /// What: `meeting.session 2272`, `group 1720`, ...
    pub subject: String,
    /// Why, in a sentence.
    pub why: String,
}

/// What the import did with every record of the meeting.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Records read, by model (all meetings).
    pub records: BTreeMap<String, usize>,
    /// Rooms kept.
    pub rooms: usize,
    /// Slots (time blocks) built from the timeslots.
    pub slots: usize,
    /// Timeslots read for the meeting.
    pub timeslots: usize,
    /// Sessions kept.
    pub sessions: usize,
    /// Constraints kept.
    pub constraints: usize,
    /// Session requests built.
    pub requests: usize,
    /// Every record dropped or guessed, with the reason.
    pub notes: Vec<Note>,
}

impl Report {
    fn drop(&mut self, subject: impl Into<String>, why: impl Into<String>) {
        self.notes.push(Note {
            action: "dropped",
            subject: subject.into(),
            why: why.into(),
        });
    }
    fn guess(&mut self, subject: impl Into<String>, why: impl Into<String>) {
        self.notes.push(Note {
            action: "guessed",
            subject: subject.into(),
            why: why.into(),
        });
    }

    /// The notes with `action`.
    pub fn count(&self, action: &str) -> usize {
        self.notes.iter().filter(|n| n.action == action).count()
    }
}

/// The result of an import.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The meeting as an instance.
    pub instance: Instance,
    /// The schedule asked for, as an agenda of the instance.
    pub agenda: Option<Agenda>,
    /// What was kept, dropped and guessed.
    pub report: Report,
}

/// Session statuses of sessions that do not meet.
const NOT_MEETING: [&str; 6] = [
    "notmeet",
    "canceled",
    "canceledpa",
    "deleted",
    "disappr",
    "resched",
];
/// Timeslot types that hold working-group sessions (old and new vocabularies).
const SESSION_TIMESLOT_TYPES: [&str; 2] = ["session", "regular"];

fn key(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn field<'r>(r: &'r Record, name: &str) -> Option<&'r Value> {
    r.fields.get(name).filter(|v| !v.is_null())
}

fn text(r: &Record, name: &str) -> Option<String> {
    field(r, name).map(key).filter(|s| !s.is_empty())
}

/// Seconds from an integer or a Django duration string (`"02:00:00"`, `"1 02:00:00"`).
fn seconds(v: &Value) -> Option<u64> {
    if let Some(n) = v.as_u64() {
        return Some(n);
    }
    let s = v.as_str()?;
    let (days, hms) = match s.split_once(' ') {
        Some((d, rest)) => (d.parse::<u64>().ok()?, rest),
        None => (0, s),
    };
    let parts: Vec<u64> = hms
        .split(':')
        .map(|p| p.split('.').next().unwrap_or("0").parse().ok())
        .collect::<Option<_>>()?;
    let [h, m, sec] = parts[..] else { return None };
    Some(days * 86_400 + h * 3_600 + m * 60 + sec)
}

/// A timeslot's local start: naive times (older fixtures) are the meeting's local time;
/// times with an offset or `Z` (the datatracker since it stores UTC) are converted.
fn local_start(v: &Value, tz: chrono_tz::Tz) -> Option<NaiveDateTime> {
    let s = v.as_str()?;
    if let Ok(t) = DateTime::parse_from_rfc3339(&s.replace(' ', "T")) {
        return Some(t.with_timezone(&tz).naive_local());
    }
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.to_lowercase().chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The conflict class of a constraint name (both vintages), or None.
fn conflict_class(name: &str) -> Option<usize> {
    match name {
        "conflict" | "chair_conflict" => Some(0),
        "conflic2" | "tech_overlap" => Some(1),
        "conflic3" | "key_participant" => Some(2),
        _ => None,
    }
}

/// The resource names a record's `resources` keys stand for, each once, in order; a key
/// with no `meeting.resourceassociation` record is reported as dropped.
fn resources_of(
    r: &Record,
    names: &BTreeMap<String, String>,
    report: &mut Report,
    subject: &str,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in field(r, "resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match names.get(&key(k)) {
            Some(name) if !out.contains(name) => out.push(name.clone()),
            Some(_) => {}
            None => report.drop(
                subject.to_string(),
                format!("resource {}: no meeting.resourceassociation record", key(k)),
            ),
        }
    }
    out
}

/// The records of one model of the meeting, by key.
fn of_meeting<'r>(all: &'r [Record], model: &str, meeting: &Value) -> Vec<&'r Record> {
    all.iter()
        .filter(|r| r.model == model && field(r, "meeting").map(key) == Some(key(meeting)))
        .collect()
}

/// Imports meeting `number` from `records`; with `schedule`, that schedule of it as an
/// agenda (`"official"`: the meeting's official schedule).
pub fn import(
    all: &[Record],
    number: &str,
    schedule: Option<&str>,
) -> Result<Imported, ImportError> {
    let mut report = Report::default();
    for r in all {
        *report.records.entry(r.model.clone()).or_default() += 1;
    }
    let meetings: Vec<&Record> = all
        .iter()
        .filter(|r| r.model == "meeting.meeting")
        .collect();
    let meeting = meetings
        .iter()
        .find(|r| text(r, "number").as_deref() == Some(number))
        .ok_or_else(|| ImportError::NoMeeting {
            number: number.to_string(),
            found: if meetings.is_empty() {
                "none: add the meeting.meeting record".to_string()
            } else {
                meetings
                    .iter()
                    .filter_map(|r| text(r, "number"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })?;
    let mpk = meeting.pk.clone();
    let tz_name = text(meeting, "time_zone").unwrap_or_else(|| {
        report.guess(
            "meeting.time_zone",
            "the meeting record has none; UTC assumed",
        );
        "UTC".to_string()
    });
    let tz: chrono_tz::Tz = tz_name.parse().map_err(|_| ImportError::Malformed {
        origin: meeting.origin.clone(),
        message: format!("meeting {number}: time_zone {tz_name:?} is not an IANA zone"),
    })?;

    // --- people and groups ---
    let persons: BTreeMap<String, &Record> = all
        .iter()
        .filter(|r| r.model == "person.person")
        .map(|r| (key(&r.pk), r))
        .collect();
    let group_records: BTreeMap<String, &Record> = all
        .iter()
        .filter(|r| r.model == "group.group")
        .map(|r| (key(&r.pk), r))
        .collect();
    let sessions = of_meeting(all, "meeting.session", &mpk);
    if sessions.is_empty() {
        return Err(ImportError::MissingModel {
            model: "meeting.session",
            meeting: number.to_string(),
            hint: "add the sessions (a dumpdata of meeting.session, or /api/v1/meeting/session/?meeting=N)",
        });
    }
    // Acronyms: from group.group; without those records at all, guessed from the
    // sessions' materials (`agenda-83-pkix`), else `group-<key>`.
    let mut acronyms: BTreeMap<String, String> = group_records
        .iter()
        .filter_map(|(k, r)| Some((k.clone(), text(r, "acronym")?)))
        .collect();
    if group_records.is_empty() {
        let prefix = format!("agenda-{number}-");
        for s in &sessions {
            let Some(g) = field(s, "group").map(key) else {
                continue;
            };
            if acronyms.contains_key(&g) {
                continue;
            }
            let guessed = field(s, "materials")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .find_map(|m| m.strip_prefix(&prefix).map(str::to_string));
            if let Some(a) = guessed {
                report.guess(
                    format!("group {g}"),
                    format!(
                        "acronym {a:?} read from the session's materials (no group.group records)"
                    ),
                );
                acronyms.insert(g, a);
            }
        }
    }
    let mut acronym_of = |g: &str,
                          report: &mut Report,
                          origin: &Record,
                          field_name: &'static str|
     -> Result<String, ImportError> {
        if let Some(a) = acronyms.get(g) {
            return Ok(a.clone());
        }
        if !group_records.is_empty() {
            return Err(ImportError::Dangling {
                origin: origin.origin.clone(),
                model: origin.model.clone(),
                pk: key(&origin.pk),
                field: field_name,
                target: format!("group {g}"),
            });
        }
        let a = format!("group-{g}");
        report.guess(
            format!("group {g}"),
            format!("no acronym known; named {a:?}"),
        );
        acronyms.insert(g.to_string(), a.clone());
        Ok(a)
    };

    // --- resources: a ResourceAssociation key stands for its name (a room resource
    // slug such as `projector` or `meetecho`) ---
    let resource_names: BTreeMap<String, String> = all
        .iter()
        .filter(|r| r.model == "meeting.resourceassociation")
        .filter_map(|r| text(r, "name").map(|n| (key(&r.pk), n)))
        .collect();

    // --- rooms and the grid ---
    let rooms_of_meeting: BTreeMap<String, &Record> = of_meeting(all, "meeting.room", &mpk)
        .into_iter()
        .map(|r| (key(&r.pk), r))
        .collect();
    let timeslots = of_meeting(all, "meeting.timeslot", &mpk);
    let mut blocks: BTreeMap<(NaiveDateTime, u32), Vec<(&Record, String)>> = BTreeMap::new();
    for t in &timeslots {
        let kind = text(t, "type").unwrap_or_default();
        let subject = format!("meeting.timeslot {}", key(&t.pk));
        if !SESSION_TIMESLOT_TYPES.contains(&kind.as_str()) {
            report.drop(
                subject,
                format!(
                    "type {kind:?} ({}) holds no working-group session",
                    text(t, "name").unwrap_or_default()
                ),
            );
            continue;
        }
        let Some(room) = field(t, "location").map(key) else {
            report.drop(subject, "no room");
            continue;
        };
        if !rooms_of_meeting.contains_key(&room) {
            return Err(ImportError::Dangling {
                origin: t.origin.clone(),
                model: t.model.clone(),
                pk: key(&t.pk),
                field: "location",
                target: format!("room {room}"),
            });
        }
        let (Some(start), Some(secs)) = (
            field(t, "time").and_then(|v| local_start(v, tz)),
            field(t, "duration").and_then(seconds),
        ) else {
            return Err(ImportError::Malformed {
                origin: t.origin.clone(),
                message: format!("{subject}: unreadable time or duration"),
            });
        };
        blocks
            .entry((start, (secs / 60) as u32))
            .or_default()
            .push((t, room));
    }
    let mut slots = Vec::new();
    let mut used_rooms = BTreeSet::new();
    let mut timeslot_keys = Vec::new();
    let mut slot_of_timeslot: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    for ((start, minutes), members) in &blocks {
        let base = format!(
            "{}-{}",
            start.weekday().to_string().to_lowercase(),
            start.format("%H%M")
        );
        let id = if ids.contains(&base) {
            format!("{base}-{minutes}")
        } else {
            base
        };
        ids.insert(id.clone());
        let mut rooms_here = Vec::new();
        for (t, room) in members {
            let room_id =
                slug(&text(rooms_of_meeting[room], "name").unwrap_or_else(|| room.clone()));
            used_rooms.insert(room.clone());
            rooms_here.push(room_id.clone());
            timeslot_keys.push(TimeslotKey {
                slot: id.clone(),
                room: room_id.clone(),
                pk: t.pk.clone(),
            });
            slot_of_timeslot.insert(key(&t.pk), (id.clone(), room_id));
        }
        rooms_here.sort();
        rooms_here.dedup();
        slots.push(Slot {
            id,
            start: start.format("%Y-%m-%dT%H:%M").to_string(),
            minutes: *minutes,
            rooms: Some(rooms_here),
            name: members.first().and_then(|(t, _)| text(t, "name")),
        });
    }
    let rooms: Vec<Room> = rooms_of_meeting
        .iter()
        .filter_map(|(k, r)| {
            let name = text(r, "name").unwrap_or_else(|| k.clone());
            if !used_rooms.contains(k) {
                report.drop(
                    format!("meeting.room {k}"),
                    format!("{name} has no session timeslot (plenary hall, reception, ...)"),
                );
                return None;
            }
            let resources = resources_of(
                r,
                &resource_names,
                &mut report,
                &format!("meeting.room {k}"),
            );
            Some(Room {
                id: slug(&name),
                name: Some(name),
                capacity: field(r, "capacity")
                    .and_then(Value::as_u64)
                    .map(|c| c as u32),
                resources,
            })
        })
        .collect();

    // --- sessions, by group ---
    let latest_status: BTreeMap<String, String> = {
        let mut events: Vec<&Record> = all
            .iter()
            .filter(|r| r.model == "meeting.schedulingevent")
            .collect();
        events.sort_by_key(|r| (text(r, "time"), key(&r.pk)));
        events
            .into_iter()
            .filter_map(|r| Some((field(r, "session").map(key)?, text(r, "status")?)))
            .collect()
    };
    let mut by_group: BTreeMap<String, Vec<&Record>> = BTreeMap::new();
    for s in &sessions {
        let subject = format!("meeting.session {}", key(&s.pk));
        let status = text(s, "status").or_else(|| latest_status.get(&key(&s.pk)).cloned());
        let secs = field(s, "requested_duration")
            .and_then(seconds)
            .unwrap_or(0);
        let kind = text(s, "type").unwrap_or_default();
        if let Some(st) = status.as_deref().filter(|st| NOT_MEETING.contains(st)) {
            report.drop(subject, format!("status {st:?}: the group does not meet"));
        } else if !kind.is_empty() && kind != "regular" {
            report.drop(
                subject,
                format!(
                    "type {kind:?} ({}) is not a working-group session",
                    text(s, "name").unwrap_or_default()
                ),
            );
        } else if secs == 0 {
            let name = text(s, "name").unwrap_or_default();
            report.drop(
                subject,
                if name.is_empty() {
                    "no requested length".to_string()
                } else {
                    format!("{name:?} (plenary, tutorial or other event) has no requested length")
                },
            );
        } else if let Some(g) = field(s, "group").map(key) {
            by_group.entry(g).or_default().push(s);
        } else {
            report.drop(subject, "no group");
        }
    }
    let mut requests = Vec::new();
    let mut session_keys = Vec::new();
    let mut session_number: BTreeMap<String, (String, u32)> = BTreeMap::new();
    let mut minutes_offered = BTreeSet::new();
    let mut requesting: BTreeMap<String, usize> = BTreeMap::new();
    for (g, mut list) in by_group {
        // Request order, then key order (numerically: 2162 before 12162).
        list.sort_by_key(|s| (text(s, "requested"), s.pk.as_i64(), key(&s.pk)));
        let acronym = acronym_of(&g, &mut report, list[0], "group")?;
        let mut request = SessionRequest {
            group: acronym.clone(),
            sessions: Vec::new(),
            third_session: None,
            attendees: None,
            conflicts: Conflicts::default(),
            must_attend: Vec::new(),
            avoid_timeranges: Vec::new(),
            adjacent_with: None,
            time_relation: None,
            joint_with: Vec::new(),
            joint_session: None,
            resources: Vec::new(),
            bofs_to_avoid: None,
            special_requests: None,
            priority: None,
        };
        let mut attendees = None;
        let mut comments = BTreeSet::new();
        for (i, s) in list.iter().enumerate() {
            for r in resources_of(
                s,
                &resource_names,
                &mut report,
                &format!("meeting.session {}", key(&s.pk)),
            ) {
                if !request.resources.contains(&r) {
                    request.resources.push(r);
                }
            }
            let minutes = (field(s, "requested_duration")
                .and_then(seconds)
                .unwrap_or(0)
                / 60) as u32;
            let n = i as u32 + 1;
            match n {
                1 | 2 => request.sessions.push(SessionLength {
                    minutes: Some(minutes),
                }),
                3 => {
                    let status =
                        text(s, "status").or_else(|| latest_status.get(&key(&s.pk)).cloned());
                    request.third_session = Some(ThirdSession {
                        minutes: Some(minutes),
                        approved: status.as_deref() != Some("apprw"),
                    })
                }
                _ => {
                    report.drop(format!("meeting.session {}", key(&s.pk)), format!("{acronym} already has three sessions; the request tool allows no fourth"));
                    continue;
                }
            }
            minutes_offered.insert(minutes);
            if let Some(a) = field(s, "attendees").and_then(Value::as_u64) {
                attendees = Some(attendees.unwrap_or(0).max(a));
            }
            if let Some(c) = text(s, "comments") {
                comments.insert(c);
            }
            for j in field(s, "joint_with_groups")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let other = acronym_of(&key(j), &mut report, s, "joint_with_groups")?;
                request.joint_with.push(other);
                request.joint_session = Some(n);
            }
            session_keys.push(SessionKey {
                group: acronym.clone(),
                session: n,
                pk: s.pk.clone(),
            });
            session_number.insert(key(&s.pk), (acronym.clone(), n));
        }
        request.attendees = Some(json!(attendees.filter(|&a| a > 0).unwrap_or_else(|| {
            report.guess(
                format!("{acronym} attendees"),
                "no session gives attendees; 50 assumed",
            );
            50
        })));
        if !comments.is_empty() {
            request.special_requests = Some(comments.into_iter().collect::<Vec<_>>().join("\n"));
        }
        requesting.insert(g.clone(), requests.len());
        requests.push(request);
    }

    // --- constraints ---
    let constraints = of_meeting(all, "meeting.constraint", &mpk);
    let mut people: BTreeMap<String, Person> = BTreeMap::new();
    let person = |pk: &str, people: &mut BTreeMap<String, Person>| -> String {
        let id = format!("p{pk}");
        people.entry(id.clone()).or_insert_with(|| Person {
            id: id.clone(),
            name: persons.get(pk).and_then(|r| text(r, "name")),
        });
        id
    };
    let mut referenced: BTreeSet<String> = BTreeSet::new();
    for c in &constraints {
        let subject = format!("meeting.constraint {}", key(&c.pk));
        let name = text(c, "name").unwrap_or_default();
        let Some(source) = field(c, "source").map(key) else {
            report.drop(subject, "no source group");
            continue;
        };
        let Some(&r) = requesting.get(&source) else {
            report.drop(
                subject,
                format!("{name} of group {source}, which has no session that meets"),
            );
            continue;
        };
        let target = field(c, "target").map(key);
        if let Some(class) = conflict_class(&name) {
            let Some(t) = target else {
                report.drop(subject, format!("{name} without a target"));
                continue;
            };
            let acronym = acronym_of(&t, &mut report, c, "target")?;
            let req = &mut requests[r];
            if acronym == req.group {
                report.drop(subject, format!("{} conflicts with itself", req.group));
                continue;
            }
            let lists = [
                &req.conflicts.chair,
                &req.conflicts.technology,
                &req.conflicts.key_participant,
            ];
            if let Some(k) = lists.iter().position(|l| l.contains(&acronym)) {
                report.drop(
                    subject,
                    format!(
                        "{} already lists {acronym} ({} class kept)",
                        req.group,
                        ["chair", "technology", "key_participant"][k]
                    ),
                );
                continue;
            }
            referenced.insert(t);
            [
                &mut req.conflicts.chair,
                &mut req.conflicts.technology,
                &mut req.conflicts.key_participant,
            ][class]
                .push(acronym);
            continue;
        }
        match name.as_str() {
            "bethere" => match field(c, "person").map(key) {
                Some(p) => {
                    let id = person(&p, &mut people);
                    if !requests[r].must_attend.contains(&id) {
                        requests[r].must_attend.push(id);
                    }
                }
                None => report.drop(subject, "bethere without a person"),
            },
            "timerange" => {
                let ranges: Vec<String> = field(c, "timeranges")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(key)
                    .collect();
                if ranges.is_empty() {
                    report.drop(subject, "timerange without ranges");
                }
                for t in ranges {
                    if !requests[r].avoid_timeranges.contains(&t) {
                        requests[r].avoid_timeranges.push(t);
                    }
                }
            }
            "time_relation" => match text(c, "time_relation") {
                Some(t) => requests[r].time_relation = Some(t),
                None => report.drop(subject, "time_relation without a relation"),
            },
            "wg_adjacent" => match target {
                Some(t) => {
                    let acronym = acronym_of(&t, &mut report, c, "target")?;
                    referenced.insert(t);
                    requests[r].adjacent_with = Some(acronym);
                }
                None => report.drop(subject, "wg_adjacent without a target"),
            },
            other => report.drop(
                subject,
                format!("constraint kind {other:?} is not part of agenda-instance/1"),
            ),
        }
    }

    // --- groups, with areas, chairs and ADs where the records give them ---
    let roles: Vec<&Record> = all.iter().filter(|r| r.model == "group.role").collect();
    let role_people = |g: &str, role: &str| -> Vec<String> {
        roles
            .iter()
            .filter(|r| {
                text(r, "name").as_deref() == Some(role)
                    && field(r, "group").map(key).as_deref() == Some(g)
            })
            .filter_map(|r| field(r, "person").map(key))
            .collect()
    };
    let mut group_keys: BTreeSet<String> = requesting.keys().cloned().collect();
    group_keys.extend(referenced);
    let mut groups = Vec::new();
    for g in &group_keys {
        let acronym = acronyms
            .get(g)
            .cloned()
            .unwrap_or_else(|| format!("group-{g}"));
        let rec = group_records.get(g);
        let parent = rec.and_then(|r| field(r, "parent")).map(key);
        let mut chairs = Vec::new();
        for p in role_people(g, "chair") {
            chairs.push(person(&p, &mut people));
        }
        let mut ads = Vec::new();
        for p in parent
            .as_deref()
            .map(|a| role_people(a, "ad"))
            .unwrap_or_default()
        {
            ads.push(person(&p, &mut people));
        }
        groups.push(Group {
            acronym,
            name: rec.and_then(|r| text(r, "name")),
            area: parent.as_ref().and_then(|p| acronyms.get(p).cloned()),
            group_type: rec.and_then(|r| text(r, "type")),
            state: rec.and_then(|r| text(r, "state")),
            meets_as_area: rec
                .and_then(|r| field(r, "meeting_seen_as_area"))
                .and_then(Value::as_bool)
                .filter(|&b| b),
            chairs,
            ads,
            new: None,
            dispatch: None,
        });
    }
    if group_records.is_empty() {
        report.guess("groups", "no group.group records: areas, types, states, chairs and ADs are unknown (add the group.group and group.role fixtures)");
    }

    report.rooms = rooms.len();
    report.slots = slots.len();
    report.timeslots = timeslots.len();
    report.sessions = sessions.len();
    report.constraints = constraints.len();
    report.requests = requests.len();
    let keys = DatatrackerKeys {
        meeting: mpk.clone(),
        sessions: session_keys,
        timeslots: timeslot_keys,
    };
    let instance = Instance {
        format: INSTANCE_FORMAT.to_string(),
        meeting: MeetingInfo {
            number: number.to_string(),
            time_zone: tz_name,
            mode: Some("in-person".to_string()),
            session_minutes: minutes_offered.into_iter().collect(),
        },
        rooms,
        slots,
        groups,
        people: people.into_values().collect(),
        requests,
        fixed: Vec::new(),
        penalties: BTreeMap::new(),
        datatracker: Some(keys),
    };

    // --- a schedule, as an agenda ---
    let agenda = match schedule {
        None => None,
        Some(name) => Some(schedule_agenda(
            all,
            meeting,
            number,
            name,
            &session_number,
            &slot_of_timeslot,
            &mut report,
        )?),
    };
    report.notes.sort();
    Ok(Imported {
        instance,
        agenda,
        report,
    })
}

/// The assignments of schedule `name` (or the official one) as an agenda.
fn schedule_agenda(
    all: &[Record],
    meeting: &Record,
    number: &str,
    name: &str,
    session_number: &BTreeMap<String, (String, u32)>,
    slot_of_timeslot: &BTreeMap<String, (String, String)>,
    report: &mut Report,
) -> Result<Agenda, ImportError> {
    let schedules = of_meeting(all, "meeting.schedule", &meeting.pk);
    let wanted = if name == "official" {
        field(meeting, "schedule")
            .or_else(|| field(meeting, "agenda"))
            .map(key)
    } else {
        schedules
            .iter()
            .find(|s| text(s, "name").as_deref() == Some(name))
            .map(|s| key(&s.pk))
    };
    let Some(wanted) = wanted else {
        return Err(ImportError::NoSchedule {
            meeting: number.to_string(),
            name: name.to_string(),
            found: schedules
                .iter()
                .filter_map(|s| text(s, "name"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let mut assignments: Vec<Assignment> = Vec::new();
    let mut placed = BTreeSet::new();
    let mut rows: Vec<&Record> = all
        .iter()
        .filter(|r| {
            matches!(
                r.model.as_str(),
                "meeting.schedtimesessassignment" | "meeting.scheduledsession"
            )
        })
        .filter(|r| field(r, "schedule").map(key).as_deref() == Some(wanted.as_str()))
        .collect();
    rows.sort_by_key(|r| key(&r.pk));
    for a in rows {
        let subject = format!("{} {}", a.model, key(&a.pk));
        let (Some(s), Some(t)) = (field(a, "session").map(key), field(a, "timeslot").map(key))
        else {
            report.drop(subject, "no session or no timeslot");
            continue;
        };
        let Some((group, n)) = session_number.get(&s) else {
            report.drop(
                subject,
                format!("session {s} is not one the instance schedules"),
            );
            continue;
        };
        let Some((slot, room)) = slot_of_timeslot.get(&t) else {
            report.drop(
                subject,
                format!("timeslot {t} is not a session timeslot of the grid"),
            );
            continue;
        };
        if !placed.insert(s.clone()) {
            report.drop(
                subject,
                format!("session {s} is already placed (a continuation into the next timeslot)"),
            );
            continue;
        }
        assignments.push(Assignment {
            group: group.clone(),
            session: *n,
            slot: slot.clone(),
            room: room.clone(),
            start: None,
            end: None,
        });
    }
    let mut unscheduled: Vec<Unscheduled> = session_number
        .iter()
        .filter(|(pk, _)| !placed.contains(*pk))
        .map(|(_, (group, n))| Unscheduled {
            group: group.clone(),
            session: *n,
            reason: format!("not in schedule {name:?}"),
        })
        .collect();
    unscheduled.sort_by(|a, b| (&a.group, a.session).cmp(&(&b.group, b.session)));
    Ok(Agenda {
        format: AGENDA_FORMAT.to_string(),
        meeting: number.to_string(),
        status: None,
        cost: None,
        lower_bound: None,
        assignments,
        unscheduled,
        violations: Vec::new(),
    })
}

/// `agenda` as datatracker fixture records that load as a new, unofficial schedule
/// `name` (key `schedule_pk`) of the meeting: one `meeting.schedule` and one
/// `meeting.schedtimesessassignment` per placed session. Needs the instance's
/// [`DatatrackerKeys`] (an instance imported from the datatracker).
pub fn schedule_fixture(
    instance: &Instance,
    agenda: &Agenda,
    name: &str,
    schedule_pk: u64,
) -> Result<Value, String> {
    let keys = instance.datatracker.as_ref().ok_or(
        "the instance has no datatracker keys: import it with `agenda import datatracker` first",
    )?;
    let mut out = vec![json!({
        "model": "meeting.schedule",
        "pk": schedule_pk,
        "fields": {"meeting": keys.meeting, "name": name, "owner": null, "visible": false, "public": false}
    })];
    for (i, a) in agenda.assignments.iter().enumerate() {
        let session = keys
            .sessions
            .iter()
            .find(|k| k.group == a.group && k.session == a.session)
            .ok_or_else(|| {
                format!(
                    "assignments[{i}]: {} session {} has no datatracker session",
                    a.group, a.session
                )
            })?;
        let timeslot = keys
            .timeslots
            .iter()
            .find(|k| k.slot == a.slot && k.room == a.room)
            .ok_or_else(|| {
                format!(
                    "assignments[{i}]: no datatracker timeslot for {} in {}",
                    a.slot, a.room
                )
            })?;
        out.push(json!({
            "model": "meeting.schedtimesessassignment",
            "pk": null,
            "fields": {"schedule": schedule_pk, "session": session.pk, "timeslot": timeslot.pk}
        }));
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_times_in_both_vintages() {
        assert_eq!(seconds(&json!(7200)), Some(7200));
        assert_eq!(seconds(&json!("02:00:00")), Some(7200));
        assert_eq!(seconds(&json!("1 00:30:00")), Some(88_200));
        assert_eq!(seconds(&json!("soon")), None);
        let tz: chrono_tz::Tz = "Europe/Paris".parse().unwrap();
        let naive = local_start(&json!("2012-03-26 09:00:00"), tz).unwrap();
        assert_eq!(naive.format("%H:%M").to_string(), "09:00");
        let utc = local_start(&json!("2012-03-26T07:00:00Z"), tz).unwrap();
        assert_eq!(utc.format("%H:%M").to_string(), "09:00");
        assert_eq!(
            slug("Salon Etoile d'Or (Concorde Hotel)"),
            "salon-etoile-d-or-concorde-hotel"
        );
        assert_eq!(
            conflict_class("conflic3"),
            conflict_class("key_participant")
        );
    }
}
