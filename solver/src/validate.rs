//! Validation of an instance: every error at once, each with its request and field, in
//! the session request tool's own words (FORMAT.md section 1), plus warnings about
//! sessions that cannot fit at all. A valid instance yields a [`Problem`].

use crate::instance::{Instance, SessionRequest};
use crate::penalties::{CostKind, Penalties};
use crate::problem::*;
use crate::time::{parse_local, TimeRange};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;

/// How serious a finding of validation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The instance cannot be solved until it is fixed.
    Error,
    /// Worth a look; the instance can be solved.
    Warning,
}

/// One finding of validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// Error or warning.
    pub severity: Severity,
    /// The acronym of the request concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// JSON path of the field, e.g. `requests[3].conflicts.chair[1]`.
    pub field: String,
    /// The message; for the session request tool's checks, its exact text.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}: {}", self.field)?;
        if let Some(r) = &self.request {
            write!(f, " ({r})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(h) = &self.help {
            write!(f, " — {h}")?;
        }
        Ok(())
    }
}

/// Longest `meeting.number` accepted.
pub const MAX_MEETING_NUMBER_CHARS: usize = 32;

/// `meeting.number` names the meeting in files, URLs and the service's keys: required,
/// at most [`MAX_MEETING_NUMBER_CHARS`] characters, letters, digits, `-`, `_` or `.`.
fn check_meeting_number(c: &mut Collector, number: &str) {
    let ok = !number.is_empty()
        && number.chars().count() <= MAX_MEETING_NUMBER_CHARS
        && number
            .chars()
            .all(|ch| ch.is_alphanumeric() || matches!(ch, '-' | '_' | '.'));
    if !ok {
        let shown: String = number
            .chars()
            .take(40)
            .collect::<String>()
            .escape_debug()
            .to_string();
        c.error(
            None,
            "meeting.number".to_string(),
            format!("Meeting number \"{shown}\" is empty, longer than {MAX_MEETING_NUMBER_CHARS} characters, or has characters other than letters, digits, '-', '_' and '.'"),
            "give the meeting's number, e.g. 106, or a short name such as interim-2026",
        );
    }
}

/// Longest free-text field of a request (`special_requests`, `bofs_to_avoid`), in
/// characters: the session request tool's text boxes hold far less, and a stored
/// meeting must stay small enough to list and edit quickly.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Most entries in one list of a request (a conflict class, `must_attend`, time ranges,
/// `joint_with`, `resources`): more than any meeting has groups or people.
pub const MAX_LIST_ENTRIES: usize = 1_000;

/// The size limits of one request's fields: every field over its limit is an error.
fn check_sizes(
    c: &mut Collector,
    r: &SessionRequest,
    name: Option<&str>,
    at: &dyn Fn(&str) -> String,
) {
    for (field, text) in [
        ("special_requests", &r.special_requests),
        ("bofs_to_avoid", &r.bofs_to_avoid),
    ] {
        let chars = text.as_deref().map_or(0, |t| t.chars().count());
        if chars > MAX_TEXT_CHARS {
            c.error(
                name,
                at(field),
                format!("{field} is {chars} characters long, above the limit of {MAX_TEXT_CHARS}"),
                "shorten the text, or put long material in a document and link to it",
            );
        }
    }
    for (field, len) in [
        ("conflicts.chair", r.conflicts.chair.len()),
        ("conflicts.technology", r.conflicts.technology.len()),
        (
            "conflicts.key_participant",
            r.conflicts.key_participant.len(),
        ),
        ("must_attend", r.must_attend.len()),
        ("avoid_timeranges", r.avoid_timeranges.len()),
        ("joint_with", r.joint_with.len()),
        ("resources", r.resources.len()),
    ] {
        if len > MAX_LIST_ENTRIES {
            c.error(
                name,
                at(field),
                format!("{field} has {len} entries, above the limit of {MAX_LIST_ENTRIES}"),
                "list each group, person or range once",
            );
        }
    }
}

/// Largest `requests[].priority`: with the penalties' bound, no cost can overflow.
pub const MAX_PRIORITY: u64 = 1_000;

/// Largest weight in `penalties` (100 times the largest default): a violation then
/// costs at most 10^12, and a cost (a sum over at most millions of violations) stays
/// far below `u64::MAX`; the evaluator also saturates rather than wrap.
pub const MAX_PENALTY: u64 = 1_000_000_000;

/// The outcome of validation: all issues, and the problem when there was no error.
#[derive(Debug, Clone)]
pub struct Validation {
    /// Every finding, in instance order.
    pub issues: Vec<Issue>,
    /// The validated meeting, when there was no error.
    pub problem: Option<Problem>,
}

impl Validation {
    /// The findings of severity error.
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }

    /// The findings of severity warning.
    pub fn warnings(&self) -> impl Iterator<Item = &Issue> {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Warning)
    }

    /// Whether there was no error.
    pub fn is_valid(&self) -> bool {
        self.problem.is_some()
    }
}

/// An instance that did not validate; carries every error.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the instance is invalid ({} error(s)); first: {}", .0.len(), .0.first().map(|i| i.to_string()).unwrap_or_default())]
pub struct InvalidInstance(pub Vec<Issue>);

impl Problem {
    /// Validates `instance` and returns the problem, or every error.
    pub fn from_instance(instance: &Instance) -> Result<Problem, InvalidInstance> {
        let v = validate(instance);
        match v.problem {
            Some(p) => Ok(p),
            None => Err(InvalidInstance(
                v.issues
                    .into_iter()
                    .filter(|i| i.severity == Severity::Error)
                    .collect(),
            )),
        }
    }
}

/// Messages of the session request tool (FORMAT.md); tests match them exactly.
pub mod messages {
    /// `Invalid Working Group Acronym: X`, the tool's message for an unknown acronym.
    pub fn invalid_acronym(acronym: &str) -> String {
        format!("Invalid Working Group Acronym: {acronym}")
    }
    pub(crate) const UNSELECTED_SESSIONS: &str = "Unselected Number of Sessions";
    pub(crate) const UNSELECTED_LENGTH: &str = "Unselected Length of Session";
    pub(crate) const ZERO_ATTENDEES: &str = "Zero Number of Attendees";
    pub(crate) const NON_NUMERIC_ATTENDEES: &str =
        "Non-Numeric value entered for Number of Attendees";
    pub(crate) const THIRD_NEEDS_TWO: &str =
        "You must select two sessions to request third session";
}

struct Collector {
    issues: Vec<Issue>,
}

impl Collector {
    fn push(
        &mut self,
        severity: Severity,
        request: Option<&str>,
        field: String,
        message: String,
        help: Option<&str>,
    ) {
        self.issues.push(Issue {
            severity,
            request: request.map(str::to_string),
            field,
            message,
            help: help.map(str::to_string),
        });
    }
    fn error(&mut self, request: Option<&str>, field: String, message: String, help: &str) {
        let help = (!help.is_empty()).then_some(help);
        self.push(Severity::Error, request, field, message, help);
    }
    fn warn(&mut self, request: Option<&str>, field: String, message: String, help: &str) {
        let help = (!help.is_empty()).then_some(help);
        self.push(Severity::Warning, request, field, message, help);
    }
    fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }
}

/// Reports duplicates among `ids` (field path built by `field(i)`).
fn check_unique<'a>(
    c: &mut Collector,
    ids: impl Iterator<Item = &'a str>,
    what: &str,
    field: impl Fn(usize) -> String,
) -> HashMap<&'a str, usize> {
    let mut seen = HashMap::default();
    for (i, id) in ids.enumerate() {
        if id.is_empty() {
            c.error(
                None,
                field(i),
                format!("Empty {what}"),
                "give every entry an id",
            );
        } else if seen.insert(id, i).is_some() {
            c.error(
                None,
                field(i),
                format!("Duplicate {what}: {id}"),
                "ids must be unique; rename or remove one",
            );
            seen.insert(id, seen[id].min(i));
        }
    }
    seen
}

/// The attendee count, or the tool's message for what is wrong with it.
fn attendees(value: Option<&Value>) -> Result<u32, &'static str> {
    let number = match value {
        None | Some(Value::Null) => return Err(messages::ZERO_ATTENDEES),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) if s.trim().is_empty() => return Err(messages::ZERO_ATTENDEES),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match number {
        Some(0.0) => Err(messages::ZERO_ATTENDEES),
        Some(n) if n > 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => Ok(n as u32),
        _ => Err(messages::NON_NUMERIC_ATTENDEES),
    }
}

/// The meeting's parts other than its requests (time zone, rooms, blocks, people,
/// groups), checked, with the ids the checks of a request look up. Owned, so that a
/// [`MeetingIndex`] can keep them between requests.
#[derive(Debug)]
struct Parts {
    time_zone: Option<chrono_tz::Tz>,
    mode: Mode,
    room_ids: HashMap<String, RoomIdx>,
    person_ids: HashMap<String, PersonIdx>,
    group_ids: HashMap<String, GroupIdx>,
    slot_ids: HashMap<String, SlotIdx>,
    slots: Vec<SlotInfo>,
    groups: Vec<GroupInfo>,
}

impl Parts {
    fn group(&self, acronym: &str) -> Option<GroupIdx> {
        self.group_ids.get(acronym).copied()
    }
    fn person(&self, id: &str) -> Option<PersonIdx> {
        self.person_ids.get(id).copied()
    }
}

fn owned(ids: HashMap<&str, usize>) -> HashMap<String, usize> {
    ids.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Checks everything of the meeting that comes before its requests.
fn check_parts(c: &mut Collector, instance: &Instance) -> Parts {
    // --- meeting ---
    let time_zone = match instance.meeting.time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => Some(tz),
        Err(_) => {
            c.error(
                None,
                "meeting.time_zone".into(),
                format!("Invalid time zone: {:?}", instance.meeting.time_zone),
                "use an IANA time zone name such as \"Asia/Singapore\" or \"America/Vancouver\"",
            );
            None
        }
    };
    let mode = match instance.meeting.mode.as_deref() {
        None => Mode::InPerson,
        Some(m) => Mode::parse(m).unwrap_or_else(|| {
            c.error(
                None,
                "meeting.mode".into(),
                format!("Unknown meeting mode: {m:?}"),
                "use \"in-person\", \"hybrid\" or \"virtual\"",
            );
            Mode::InPerson
        }),
    };
    let session_minutes = &instance.meeting.session_minutes;
    if session_minutes.is_empty() {
        c.error(
            None,
            "meeting.session_minutes".into(),
            "No session lengths offered".into(),
            "list the lengths groups may request, e.g. [60, 90, 120]",
        );
    }
    for (i, &m) in session_minutes.iter().enumerate() {
        if m == 0 {
            c.error(
                None,
                format!("meeting.session_minutes[{i}]"),
                "A session length of 0 minutes".into(),
                "remove it",
            );
        }
    }

    // --- rooms, people, groups: ids ---
    let room_ids = check_unique(
        c,
        instance.rooms.iter().map(|r| r.id.as_str()),
        "room id",
        |i| format!("rooms[{i}].id"),
    );
    let person_ids = check_unique(
        c,
        instance.people.iter().map(|p| p.id.as_str()),
        "person id",
        |i| format!("people[{i}].id"),
    );
    let group_ids = check_unique(
        c,
        instance.groups.iter().map(|g| g.acronym.as_str()),
        "group acronym",
        |i| format!("groups[{i}].acronym"),
    );
    if instance.rooms.is_empty() {
        c.error(
            None,
            "rooms".into(),
            "No rooms".into(),
            "list at least one room",
        );
    }
    if instance.slots.is_empty() {
        c.error(
            None,
            "slots".into(),
            "No slots".into(),
            "list at least one time block",
        );
    }
    for (i, room) in instance.rooms.iter().enumerate() {
        if room.capacity == Some(0) {
            c.warn(
                None,
                format!("rooms[{i}].capacity"),
                format!(
                    "Room {} has 0 seats: every session in it pays too_small_room",
                    room.id
                ),
                "omit capacity for an unlimited room (a virtual track)",
            );
        }
    }

    // --- slots ---
    let slot_ids = check_unique(
        c,
        instance.slots.iter().map(|s| s.id.as_str()),
        "slot id",
        |i| format!("slots[{i}].id"),
    );
    let mut slots = Vec::new();
    for (i, slot) in instance.slots.iter().enumerate() {
        if slot.minutes == 0 {
            c.error(
                None,
                format!("slots[{i}].minutes"),
                format!("Slot {} lasts 0 minutes", slot.id),
                "give the block's length in minutes",
            );
        }
        let mut open = Vec::new();
        match &slot.rooms {
            None => open.extend(0..instance.rooms.len()),
            Some(list) => {
                for (k, r) in list.iter().enumerate() {
                    match room_ids.get(r.as_str()) {
                        Some(&idx) if !open.contains(&idx) => open.push(idx),
                        Some(_) => c.error(
                            None,
                            format!("slots[{i}].rooms[{k}]"),
                            format!("Room listed twice: {r}"),
                            "list each open room once",
                        ),
                        None => c.error(
                            None,
                            format!("slots[{i}].rooms[{k}]"),
                            format!("Unknown room: {r}"),
                            "use an id from `rooms`",
                        ),
                    }
                }
            }
        }
        open.sort_unstable();
        if open.is_empty() && !instance.rooms.is_empty() {
            c.warn(
                None,
                format!("slots[{i}].rooms"),
                format!("Slot {} has no open room", slot.id),
                "",
            );
        }
        let Some(tz) = time_zone else { continue };
        match parse_local(&slot.start, tz) {
            Ok(start) => slots.push(SlotInfo {
                id: slot.id.clone(),
                name: slot.name.clone(),
                start_utc_minute: start.timestamp().div_euclid(60),
                date: start.date_naive(),
                range: TimeRange::of(start.naive_local()),
                start,
                minutes: slot.minutes,
                rooms: open,
            }),
            Err(e) => c.error(
                None,
                format!("slots[{i}].start"),
                format!("Invalid slot start: {e}"),
                "write local wall-clock time in the meeting's zone, e.g. \"2019-11-18T10:00\"",
            ),
        }
    }

    // --- groups ---
    let mut groups = Vec::new();
    for (i, g) in instance.groups.iter().enumerate() {
        let mut resolve = |list: &[String], field: &str| -> Vec<PersonIdx> {
            let mut out = Vec::new();
            for (k, p) in list.iter().enumerate() {
                match person_ids.get(p.as_str()) {
                    Some(&idx) => out.push(idx),
                    None => c.error(
                        None,
                        format!("groups[{i}].{field}[{k}]"),
                        format!("Unknown person: {p}"),
                        "add the person to `people` or fix the id",
                    ),
                }
            }
            out
        };
        let chairs = resolve(&g.chairs, "chairs");
        let ads = resolve(&g.ads, "ads");
        let group_type = g.group_type.clone().unwrap_or_else(|| "wg".into());
        let state = g.state.clone().unwrap_or_else(|| "active".into());
        groups.push(GroupInfo {
            acronym: g.acronym.clone(),
            name: g.name.clone().unwrap_or_else(|| g.acronym.clone()),
            area: g.area.clone().filter(|a| !a.is_empty()),
            is_bof: group_type == "bof" || state == "bof",
            is_prg: group_type == "rg" && state == "proposed",
            is_area_meeting: group_type == "ag"
                || group_type == "area"
                || g.meets_as_area == Some(true),
            group_type,
            state,
            chairs,
            ads,
            request: None,
        });
    }
    Parts {
        time_zone,
        mode,
        room_ids: owned(room_ids),
        person_ids: owned(person_ids),
        group_ids: owned(group_ids),
        slot_ids: owned(slot_ids),
        slots,
        groups,
    }
}

/// Checks the meeting's settings that come after its requests: its number and the
/// penalties.
fn check_settings(c: &mut Collector, instance: &Instance) -> Penalties {
    check_meeting_number(c, &instance.meeting.number);
    let mut penalties = Penalties::default();
    for (key, value) in &instance.penalties {
        let field = format!("penalties.{key}");
        match (CostKind::from_key(key), value.as_u64()) {
            (Some(kind), Some(w)) if w <= MAX_PENALTY => penalties.set(kind, w),
            (Some(_), Some(w)) => c.error(
                None,
                field,
                format!("Penalty {key} is {w}, above the largest accepted, {MAX_PENALTY}"),
                "give a weight of at most 1,000,000,000 (the defaults are at most 10,000,000)",
            ),
            (None, _) => c.error(
                None,
                field,
                format!("Unknown penalty key: {key}"),
                "use a key of the FORMAT.md cost table, e.g. tech_overlap",
            ),
            (Some(_), None) => c.error(
                None,
                field,
                format!("Penalty {key} is not a non-negative integer: {value}"),
                "give a whole number such as 10000",
            ),
        }
    }
    penalties
}

/// Validates an instance: every error and warning, and the problem if valid.
pub fn validate(instance: &Instance) -> Validation {
    let mut c = Collector { issues: Vec::new() };
    let parts = check_parts(&mut c, instance);
    let session_minutes = &instance.meeting.session_minutes;

    // --- requests ---
    let mut groups = parts.groups.clone();
    let mut requests = Vec::new();
    let mut sessions = Vec::new();
    let mut requester: HashMap<GroupIdx, usize> = HashMap::default();
    for (i, r) in instance.requests.iter().enumerate() {
        let Some(g) = check_requester(&mut c, &parts, r, i) else {
            continue;
        };
        if let Some(first) = requester.insert(g, i) {
            c.error(
                Some(r.group.as_str()),
                format!("requests[{i}].group"),
                format!(
                    "Duplicate request for group {} (first at requests[{first}])",
                    r.group
                ),
                "a group has one request; merge them",
            );
            continue;
        }
        let group = |a: &str| parts.group(a);
        let person = |p: &str| parts.person(p);
        if let Some(info) = validate_request(&mut c, r, i, g, &group, &person, session_minutes) {
            let first_session = sessions.len();
            sessions.extend(info.1);
            let mut info = info.0;
            info.sessions = (first_session..sessions.len()).collect();
            groups[g].request = Some(requests.len());
            for &s in &info.sessions {
                sessions[s].request = requests.len();
            }
            requests.push(info);
        }
    }

    let penalties = check_settings(&mut c, instance);

    if c.has_errors() || parts.time_zone.is_none() {
        return Validation {
            issues: c.issues,
            problem: None,
        };
    }

    let slots = parts.slots.clone();
    let slot_overlap = slots
        .iter()
        .map(|a| {
            slots
                .iter()
                .map(|b| {
                    a.start_utc_minute < b.end_utc_minute()
                        && b.start_utc_minute < a.end_utc_minute()
                })
                .collect()
        })
        .collect();

    let mut problem = Problem {
        meeting: instance.meeting.number.clone(),
        time_zone: parts.time_zone.unwrap_or(chrono_tz::UTC),
        mode: parts.mode,
        session_minutes: session_minutes.clone(),
        rooms: instance
            .rooms
            .iter()
            .map(|r| RoomInfo {
                id: r.id.clone(),
                name: r.name.clone().unwrap_or_else(|| r.id.clone()),
                capacity: r.capacity,
                resources: r.resources.clone(),
            })
            .collect(),
        slots,
        people: instance
            .people
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect(),
        group_sessions: vec![Vec::new(); groups.len()],
        groups,
        requests,
        sessions,
        fixed: Vec::new(),
        penalties,
        base: Vec::new(),
        base_room: Vec::new(),
        move_rule: crate::problem::MoveRule::Cost(0),
        slot_overlap,
    };
    finish_sessions(&mut problem);

    // Every request is valid from here on, so each group has at most one.
    let by_group: HashMap<&str, &SessionRequest> = instance
        .requests
        .iter()
        .map(|r| (r.group.as_str(), r))
        .collect();
    let request_of = |g: &str| by_group.get(g).copied();
    for (i, r) in instance.requests.iter().enumerate() {
        warn_mutual_joint(&mut c, r, i, &request_of);
    }
    problem.fixed = resolve_fixed(&mut c, instance, &parts, &|g, number| {
        let s = problem.session_index(g, number)?;
        Some((s, problem.sessions[s].schedulable))
    });
    let fit = Fit::of(instance);
    for (ri, req) in problem.requests.iter().enumerate() {
        let sessions = req.sessions.iter().map(|&s| &problem.sessions[s]);
        warn_unfittable(&mut c, ri, problem.acronym(req.group), req, sessions, &fit);
    }
    warn_too_few_pairs(&mut c, &problem);

    let valid = !c.has_errors();
    Validation {
        issues: c.issues,
        problem: valid.then_some(problem),
    }
}

/// The requesting group's index, or the tool's error for an unknown acronym.
fn check_requester(
    c: &mut Collector,
    parts: &Parts,
    r: &SessionRequest,
    i: usize,
) -> Option<GroupIdx> {
    let g = parts.group(&r.group);
    if g.is_none() {
        c.error(
            Some(r.group.as_str()),
            format!("requests[{i}].group"),
            messages::invalid_acronym(&r.group),
            "the requesting group must be listed in `groups`",
        );
    }
    g
}

/// A meeting's parts, checked once, against which one session request at a time is
/// checked: what a service needs on every edit, without validating the whole meeting
/// again (`BENCHMARKS.md`, service load).
///
/// [`MeetingIndex::check`] gives exactly the issues that [`validate`] gives about the
/// request on the meeting with that request in it, provided the meeting's other
/// requests are valid (the service never stores an invalid one); the tests compare the
/// two on every request of the datasets and on edited ones.
#[derive(Debug)]
pub struct MeetingIndex {
    base: Instance,
    parts: Parts,
    /// The meeting's own issues (its requests aside).
    issues: Vec<Issue>,
    fit: Fit,
}

impl MeetingIndex {
    /// Checks the meeting's parts; its `requests` are left out.
    pub fn new(mut base: Instance) -> MeetingIndex {
        base.requests = Vec::new();
        let mut c = Collector { issues: Vec::new() };
        let parts = check_parts(&mut c, &base);
        check_settings(&mut c, &base);
        let fit = Fit::of(&base);
        MeetingIndex {
            base,
            parts,
            issues: c.issues,
            fit,
        }
    }

    /// The meeting it indexes, without requests.
    pub fn base(&self) -> &Instance {
        &self.base
    }

    /// The meeting's own issues (rooms, blocks, people, groups, settings).
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// The groups whose requests [`MeetingIndex::check`] reads for `request`: those it
    /// names as joint (do they name it back?) and those with a fixed placement (whose
    /// sessions the placements resolve to).
    pub fn related_groups<'a>(&'a self, request: &'a SessionRequest) -> Vec<&'a str> {
        let mut out: Vec<&str> = request.joint_with.iter().map(String::as_str).collect();
        out.extend(self.base.fixed.iter().map(|f| f.group.as_str()));
        out.retain(|g| *g != request.group);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The issues about `request` as the meeting's `position`-th request (fields are
    /// `requests[position].…`), with `other` giving the active request of another
    /// group, for the groups of [`MeetingIndex::related_groups`].
    pub fn check<'a>(
        &self,
        request: &SessionRequest,
        position: usize,
        other: &dyn Fn(&str) -> Option<&'a SessionRequest>,
    ) -> Vec<Issue> {
        let mut c = Collector { issues: Vec::new() };
        let parts = &self.parts;
        let Some(g) = check_requester(&mut c, parts, request, position) else {
            return c.issues;
        };
        let group = |a: &str| parts.group(a);
        let person = |p: &str| parts.person(p);
        let minutes = &self.base.meeting.session_minutes;
        let draft = validate_request(&mut c, request, position, g, &group, &person, minutes);
        // `validate` stops before the checks across requests when anything has an error.
        let meeting_valid = self.issues.iter().all(|i| i.severity != Severity::Error);
        let Some((info, sessions)) = draft.filter(|_| meeting_valid) else {
            return c.issues;
        };
        let request_of = |a: &str| {
            if a == request.group {
                Some(request)
            } else {
                other(a)
            }
        };
        warn_mutual_joint(&mut c, request, position, &request_of);
        // Placements are resolved in order (a room taken by an earlier one), so all are
        // resolved; only those of this group are its issues.
        let mut placements = Collector { issues: Vec::new() };
        resolve_fixed(&mut placements, &self.base, parts, &|grp, number| {
            let r = request_of(grp)?;
            let schedulable = requested_session(r, number)?;
            // Unique per session: `pinned` keys on it.
            Some((group(grp)? * 4 + number as usize, schedulable))
        });
        c.issues.extend(
            placements
                .issues
                .into_iter()
                .filter(|i| i.request.as_deref() == Some(request.group.as_str())),
        );
        warn_unfittable(
            &mut c,
            position,
            &request.group,
            &info,
            sessions.iter(),
            &self.fit,
        );
        c.issues
    }
}

/// Whether a valid request asks for session `number` and, if so, whether it can be
/// scheduled (a third session awaits its AD's approval), as [`validate_request`]
/// numbers them.
fn requested_session(r: &SessionRequest, number: u32) -> Option<bool> {
    if (1..=r.sessions.len() as u64).contains(&u64::from(number)) {
        Some(true)
    } else if number == 3 {
        r.third_session.as_ref().map(|t| t.approved)
    } else {
        None
    }
}

type SessionDraft = (RequestInfo, Vec<Session>);

fn validate_request(
    c: &mut Collector,
    r: &SessionRequest,
    i: usize,
    g: GroupIdx,
    group: &dyn Fn(&str) -> Option<GroupIdx>,
    person: &dyn Fn(&str) -> Option<PersonIdx>,
    session_minutes: &[u32],
) -> Option<SessionDraft> {
    let errors_before = c.issues.len();
    let at = |field: &str| format!("requests[{i}].{field}");
    let name = Some(r.group.as_str());
    // Field paths and help texts are formatted only for an issue: validation runs on
    // every edit the service takes (`cargo bench --bench evaluate -- validate`).
    let offered = || {
        session_minutes
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let check_length =
        |c: &mut Collector, minutes: Option<u32>, field: &dyn Fn() -> String| -> u32 {
            match minutes {
                None | Some(0) => {
                    c.error(
                        name,
                        field(),
                        messages::UNSELECTED_LENGTH.into(),
                        &format!("choose one of {} minutes", offered()),
                    );
                    0
                }
                Some(m) if !session_minutes.contains(&m) => {
                    c.error(
                        name,
                        field(),
                        format!("Invalid Length of Session: {m} minutes is not offered"),
                        &format!("choose one of {} minutes", offered()),
                    );
                    m
                }
                Some(m) => m,
            }
        };

    check_sizes(c, r, name, &at);

    // Sessions.
    let mut lengths = Vec::new();
    if r.sessions.is_empty() {
        c.error(
            name,
            at("sessions"),
            messages::UNSELECTED_SESSIONS.into(),
            "request 1 or 2 sessions",
        );
    } else if r.sessions.len() > 2 {
        c.error(
            name,
            at("sessions"),
            format!("Too many sessions: {} requested", r.sessions.len()),
            "request 1 or 2 sessions; a third one goes in `third_session` and needs AD approval",
        );
    }
    for (k, s) in r.sessions.iter().enumerate() {
        lengths.push(check_length(c, s.minutes, &|| {
            at(&format!("sessions[{k}].minutes"))
        }));
    }
    let mut third = None;
    if let Some(t) = &r.third_session {
        if r.sessions.len() != 2 {
            c.error(
                name,
                at("third_session"),
                messages::THIRD_NEEDS_TWO.into(),
                "request two sessions first, or drop `third_session`",
            );
        }
        third = Some((
            check_length(c, t.minutes, &|| at("third_session.minutes")),
            t.approved,
        ));
    }

    // Attendees.
    let attendees = match attendees(r.attendees.as_ref()) {
        Ok(n) => n,
        Err(message) => {
            c.error(
                name,
                at("attendees"),
                message.into(),
                "give the expected number of attendees as a positive whole number",
            );
            0
        }
    };

    // Conflicts: known, not self, each acronym once across the three classes.
    let mut conflicts = Vec::new();
    let mut listed: HashSet<&str> = HashSet::default();
    for class in ConflictClass::ALL {
        let list = match class {
            ConflictClass::Chair => &r.conflicts.chair,
            ConflictClass::Technology => &r.conflicts.technology,
            ConflictClass::KeyParticipant => &r.conflicts.key_participant,
        };
        for (k, acronym) in list.iter().enumerate() {
            let field = || at(&format!("conflicts.{}[{k}]", class.key()));
            if acronym == &r.group {
                c.error(
                    name,
                    field(),
                    format!("Cannot declare a conflict with the group itself: {acronym}"),
                    "remove the group's own acronym from its conflicts",
                );
            } else if !listed.insert(acronym) {
                c.error(
                    name,
                    field(),
                    format!("Acronym listed twice in conflicts: {acronym}"),
                    "list each group once, in the most important class",
                );
            } else if let Some(target) = group(acronym) {
                conflicts.push((class, target));
            } else {
                c.error(
                    name,
                    field(),
                    messages::invalid_acronym(acronym),
                    "use the acronym of a group listed in `groups`",
                );
            }
        }
    }

    // People.
    let mut must_attend = Vec::new();
    for (k, p) in r.must_attend.iter().enumerate() {
        let field = || at(&format!("must_attend[{k}]"));
        match person(p) {
            Some(idx) if must_attend.contains(&idx) => c.error(
                name,
                field(),
                format!("Person listed twice: {p}"),
                "list each person once",
            ),
            Some(idx) => must_attend.push(idx),
            None => c.error(
                name,
                field(),
                format!("Unknown person: {p}"),
                "add the person to `people` or fix the id",
            ),
        }
    }

    // Time ranges.
    let mut avoid = BTreeSet::new();
    for (k, t) in r.avoid_timeranges.iter().enumerate() {
        match TimeRange::parse(t) {
            Some(range) => {
                avoid.insert(range);
            }
            None => c.error(
                name,
                at(&format!("avoid_timeranges[{k}]")),
                format!("Unknown time range: {t}"),
                "use DAY-PART: monday..sunday with morning, afternoon-early or afternoon-late",
            ),
        }
    }

    // Adjacency.
    let mut adjacent_with = None;
    if let Some(a) = &r.adjacent_with {
        if a == &r.group {
            c.error(
                name,
                at("adjacent_with"),
                format!("A group cannot be adjacent with itself: {a}"),
                "name another group, or drop `adjacent_with`",
            );
        } else if let Some(idx) = group(a) {
            adjacent_with = Some(idx);
        } else {
            c.error(
                name,
                at("adjacent_with"),
                messages::invalid_acronym(a),
                "use the acronym of a group listed in `groups`",
            );
        }
    }

    // Time relation.
    let mut time_relation = None;
    if let Some(t) = &r.time_relation {
        match TimeRelation::parse(t) {
            None => c.error(
                name,
                at("time_relation"),
                format!("Unknown time relation: {t}"),
                "use \"subsequent-days\" or \"one-day-separation\"",
            ),
            Some(_) if r.sessions.len() < 2 => c.error(
                name,
                at("time_relation"),
                format!(
                    "A time relation needs two sessions: {t} with {} requested",
                    r.sessions.len()
                ),
                "request two sessions, or drop `time_relation`",
            ),
            Some(rel) => time_relation = Some(rel),
        }
    }

    // Joint sessions.
    let mut joint_with = Vec::new();
    for (k, a) in r.joint_with.iter().enumerate() {
        let field = || at(&format!("joint_with[{k}]"));
        match group(a) {
            _ if a == &r.group => c.error(
                name,
                field(),
                format!("A group cannot hold a joint session with itself: {a}"),
                "remove it from `joint_with`",
            ),
            Some(idx) if joint_with.contains(&idx) => c.error(
                name,
                field(),
                format!("Acronym listed twice in joint_with: {a}"),
                "list each group once",
            ),
            Some(idx) => joint_with.push(idx),
            None => c.error(
                name,
                field(),
                messages::invalid_acronym(a),
                "use the acronym of a group listed in `groups`",
            ),
        }
    }
    let requested = r.sessions.len() as u32 + u32::from(r.third_session.is_some());
    if let Some(js) = r.joint_session {
        if js == 0 || js > requested {
            c.error(
                name,
                at("joint_session"),
                format!("Joint session {js} was not requested ({requested} session(s) requested)"),
                "name one of the requested sessions (1, 2 or an approved 3)",
            );
        }
        if r.joint_with.is_empty() {
            c.warn(
                name,
                at("joint_session"),
                "joint_session without joint_with: nothing is joint".into(),
                "list the other groups in `joint_with`",
            );
        }
    }

    let priority = match &r.priority {
        None => 1,
        Some(v) => v.as_u64().filter(|p| (1..=MAX_PRIORITY).contains(p)).unwrap_or_else(|| {
            c.error(
                name,
                at("priority"),
                format!("{v} is not a whole number from 1 to {MAX_PRIORITY}"),
                "the priority multiplies the unscheduled penalty of the request's sessions; leave it out for 1",
            );
            1
        }),
    };

    if c.issues[errors_before..]
        .iter()
        .any(|i| i.severity == Severity::Error)
    {
        return None;
    }

    let joint_number = (!joint_with.is_empty()).then(|| r.joint_session.unwrap_or(1));
    let mut drafts: Vec<(u32, u32, bool)> = lengths
        .iter()
        .enumerate()
        .map(|(k, &m)| (k as u32 + 1, m, true))
        .collect();
    if let Some((m, approved)) = third {
        drafts.push((3, m, approved));
    }
    let sessions = drafts
        .into_iter()
        .map(|(number, minutes, schedulable)| {
            let mut members = vec![g];
            if joint_number == Some(number) {
                members.extend(joint_with.iter().copied());
            }
            Session {
                request: usize::MAX, // set by the caller
                group: g,
                number,
                minutes,
                attendees,
                members,
                schedulable,
                declarations: Vec::new(),
                must_attend: Vec::new(),
                avoid: BTreeSet::new(),
                priority,
            }
        })
        .collect();
    let info = RequestInfo {
        group: g,
        attendees,
        conflicts,
        must_attend,
        avoid,
        adjacent_with,
        time_relation,
        joint_session: joint_number,
        resources: r.resources.clone(),
        special_requests: r.special_requests.clone().unwrap_or_default(),
        sessions: Vec::new(),
    };
    Some((info, sessions))
}

/// Gathers each session's constraints from all its member groups (joint sessions take
/// every joint group's conflicts, people and time ranges) and indexes group membership.
fn finish_sessions(p: &mut Problem) {
    for s in 0..p.sessions.len() {
        let members = p.sessions[s].members.clone();
        let mut declarations = Vec::new();
        let mut people = BTreeSet::new();
        let mut avoid = BTreeSet::new();
        for &m in &members {
            let Some(r) = p.groups[m].request else {
                continue;
            };
            let req = &p.requests[r];
            declarations.extend(req.conflicts.iter().map(|&(class, target)| Declaration {
                declarer: m,
                class,
                target,
            }));
            people.extend(req.must_attend.iter().copied());
            avoid.extend(req.avoid.iter().copied());
        }
        declarations.sort();
        let session = &mut p.sessions[s];
        session.declarations = declarations;
        session.must_attend = people.into_iter().collect();
        session.avoid = avoid;
        for &m in &members {
            p.group_sessions[m].push(s);
        }
    }
}

/// A joint session counts as a session of every joint group; if those groups also meet
/// on their own, their sessions must not overlap. Nothing to reject here, but two
/// requests that each declare the joint session with the other get a warning (on each).
fn warn_mutual_joint<'a>(
    c: &mut Collector,
    r: &SessionRequest,
    i: usize,
    request_of: &dyn Fn(&str) -> Option<&'a SessionRequest>,
) {
    for a in &r.joint_with {
        let Some(other) = request_of(a) else { continue };
        if other.joint_with.contains(&r.group) {
            c.warn(
                Some(&r.group),
                format!("requests[{i}].joint_with"),
                format!(
                    "{} and {a} both declare a joint session with each other: two separate joint sessions will be scheduled",
                    r.group
                ),
                "declare the joint session on one of the two requests only",
            );
        }
    }
}

/// A requested session by group and number: an id unique to it, and whether it can be
/// scheduled (a third session awaits approval).
type RequestedSession<'a> = &'a dyn Fn(&str, u32) -> Option<(SessionIdx, bool)>;

/// Resolves the meeting's fixed placements, in order.
fn resolve_fixed(
    c: &mut Collector,
    instance: &Instance,
    parts: &Parts,
    session: RequestedSession<'_>,
) -> Vec<Fixed> {
    let mut out = Vec::new();
    let mut taken: HashMap<(SlotIdx, RoomIdx), usize> = HashMap::default();
    let mut pinned: HashMap<SessionIdx, usize> = HashMap::default();
    for (i, f) in instance.fixed.iter().enumerate() {
        let at = |field: &str| format!("fixed[{i}].{field}");
        let name = Some(f.group.as_str());
        let requested = session(&f.group, f.session);
        let slot = parts.slot_ids.get(f.slot.as_str()).copied();
        let room = f
            .room
            .as_ref()
            .map(|r| parts.room_ids.get(r.as_str()).copied());
        if parts.group(&f.group).is_none() {
            c.error(
                name,
                at("group"),
                messages::invalid_acronym(&f.group),
                "use an acronym from `groups`",
            );
        } else if requested.is_none() {
            c.error(
                name,
                at("session"),
                format!(
                    "Fixed session {} of {} was not requested",
                    f.session, f.group
                ),
                "name a session of the group's request",
            );
        }
        if slot.is_none() {
            c.error(
                name,
                at("slot"),
                format!("Unknown slot: {}", f.slot),
                "use an id from `slots`",
            );
        }
        if let Some(None) = room {
            let r = f.room.as_deref().unwrap_or_default();
            c.error(
                name,
                at("room"),
                format!("Unknown room: {r}"),
                "use an id from `rooms`",
            );
        }
        let (Some((s, schedulable)), Some(slot)) = (requested, slot) else {
            continue;
        };
        let room = room.flatten();
        if !schedulable {
            c.error(
                name,
                at("session"),
                format!("Fixed session 3 of {} awaits AD approval", f.group),
                "approve the third session first, or remove the placement",
            );
            continue;
        }
        if let Some(r) = room {
            let slot_info = &parts.slots[slot];
            if !slot_info.is_open(r) {
                c.error(
                    name,
                    at("room"),
                    format!(
                        "Room {} is not open in slot {}",
                        instance.rooms[r].id, slot_info.id
                    ),
                    "pick a room listed in the slot's `rooms`",
                );
                continue;
            }
            if let Some(j) = taken.insert((slot, r), i) {
                c.error(
                    name,
                    at("room"),
                    format!(
                        "fixed[{j}] already holds room {} in slot {}",
                        instance.rooms[r].id, slot_info.id
                    ),
                    "one session per (slot, room)",
                );
            }
        }
        if let Some(j) = pinned.insert(s, i) {
            c.error(
                name,
                format!("fixed[{i}]"),
                format!(
                    "Session {} of {} is already fixed by fixed[{j}]",
                    f.session, f.group
                ),
                "keep one placement per session",
            );
            continue;
        }
        out.push(Fixed {
            session: s,
            slot,
            room,
        });
    }
    out
}

/// What no agenda can exceed: the longest block, the largest room (None when a room
/// has no seat limit) and the resources some room offers.
#[derive(Debug)]
struct Fit {
    longest: u32,
    largest: Option<u32>,
    resources: BTreeSet<String>,
}

impl Fit {
    fn of(instance: &Instance) -> Fit {
        let mut largest = Some(0);
        for room in &instance.rooms {
            largest = match (largest, room.capacity) {
                (Some(b), Some(c)) => Some(b.max(c)),
                _ => None,
            };
        }
        Fit {
            longest: instance.slots.iter().map(|s| s.minutes).max().unwrap_or(0),
            largest,
            resources: instance
                .rooms
                .iter()
                .flat_map(|r| r.resources.iter().cloned())
                .collect(),
        }
    }
}

/// Warnings, not errors: what in request `ri` no agenda can satisfy.
fn warn_unfittable<'a>(
    c: &mut Collector,
    ri: usize,
    acronym: &str,
    req: &RequestInfo,
    sessions: impl Iterator<Item = &'a Session>,
    fit: &Fit,
) {
    let field = |f: &str| format!("requests[{ri}].{f}");
    let longest = fit.longest;
    for session in sessions {
        if !session.schedulable {
            c.warn(
                Some(acronym),
                field("third_session.approved"),
                format!(
                    "Session 3 of {acronym} awaits AD approval: it will be listed as unscheduled"
                ),
                "set approved: true once the AD approves",
            );
        } else if session.minutes > longest {
            c.warn(
                Some(acronym),
                field(&format!("sessions[{}].minutes", session.number - 1)),
                format!(
                    "Session {} of {acronym} asks {} minutes but the longest slot is {longest}: it will be trimmed and pay too_short_slot",
                    session.number, session.minutes
                ),
                "ask for a shorter session, or add a longer block",
            );
        }
    }
    if let Some(cap) = fit.largest {
        if req.attendees > cap {
            c.warn(
                Some(acronym),
                field("attendees"),
                format!(
                    "{} attendees but the largest room seats {cap}: too_small_room is unavoidable",
                    req.attendees
                ),
                "check the estimate, or add a larger room",
            );
        }
    }
    for res in &req.resources {
        if !fit.resources.contains(res.as_str()) {
            c.warn(
                Some(acronym),
                field("resources"),
                format!("No room offers the resource {res}"),
                "add it to a room's `resources`; it is not priced, so the request is only noted",
            );
        }
    }
}

/// A warning when the meeting has more sessions than (slot, room) pairs.
fn warn_too_few_pairs(c: &mut Collector, p: &Problem) {
    let pairs: usize = p.slots.iter().map(|s| s.rooms.len()).sum();
    let needed = p.schedulable_sessions().count();
    if needed > pairs {
        c.warn(
            None,
            "slots".into(),
            format!("{needed} sessions but only {pairs} (slot, room) pairs: at least {} will be unscheduled", needed - pairs),
            "add rooms or blocks",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attendee_values() {
        assert_eq!(attendees(Some(&json!(75))), Ok(75));
        assert_eq!(attendees(Some(&json!("75"))), Ok(75));
        assert_eq!(attendees(Some(&json!(0))), Err(messages::ZERO_ATTENDEES));
        assert_eq!(attendees(None), Err(messages::ZERO_ATTENDEES));
        assert_eq!(
            attendees(Some(&json!("lots"))),
            Err(messages::NON_NUMERIC_ATTENDEES)
        );
        assert_eq!(
            attendees(Some(&json!(-3))),
            Err(messages::NON_NUMERIC_ATTENDEES)
        );
        assert_eq!(
            attendees(Some(&json!(2.5))),
            Err(messages::NON_NUMERIC_ATTENDEES)
        );
        assert_eq!(
            attendees(Some(&json!([1]))),
            Err(messages::NON_NUMERIC_ATTENDEES)
        );
    }
}
