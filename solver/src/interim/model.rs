//! Validation of an interim request: every error at once, each naming its request and
//! field and the fix; a valid file yields an [`InterimProblem`], the checked model the
//! calendar, the evaluator and the planner compute on.

use super::calendar::{self, Interval};
use super::request::*;
use crate::instance::{Conflicts, Instance};
use crate::validate::{Issue, Severity};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Largest number of requests (and of groups) a file may hold.
pub const MAX_REQUESTS: usize = 5_000;
/// Largest number of meetings one series may ask for.
pub const MAX_SERIES: u32 = 52;
/// Largest number of days of a multi-day meeting.
pub const MAX_DAYS: u32 = 14;
/// Longest window `earliest`..`latest`, in days.
pub const MAX_WINDOW_DAYS: i64 = 400;
/// Largest penalty: with the bounded counts above no cost sum can overflow a u64.
pub const MAX_PENALTY: u64 = 1_000_000_000_000;
/// Largest number of participant zones of one request.
pub const MAX_ZONES: usize = 64;

/// The priced kinds of ONLINE.md section 2, in the order reports list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InterimCostKind {
    /// `unplaced`: a requested meeting not placed.
    Unplaced,
    /// `chair_conflict`: a meeting overlapping one of a group declared a chair conflict.
    ChairConflict,
    /// `key_participant`: a meeting overlapping one of a group sharing key participants.
    KeyParticipant,
    /// `tech_overlap`: a meeting overlapping one of a group with overlapping technology.
    TechOverlap,
    /// `worst_zone`: the pain of a request's most burdened zone.
    WorstZone,
    /// `pain`: the pain of every zone, weighted.
    Pain,
    /// `avoided_weekday`: a meeting on a weekday its request avoids.
    AvoidedWeekday,
}

impl InterimCostKind {
    pub(crate) const ALL: [InterimCostKind; 7] = [
        InterimCostKind::Unplaced,
        InterimCostKind::ChairConflict,
        InterimCostKind::KeyParticipant,
        InterimCostKind::TechOverlap,
        InterimCostKind::WorstZone,
        InterimCostKind::Pain,
        InterimCostKind::AvoidedWeekday,
    ];

    /// The key of `rules.penalties` and of a violation's `kind`.
    pub fn key(self) -> &'static str {
        match self {
            InterimCostKind::Unplaced => "unplaced",
            InterimCostKind::ChairConflict => "chair_conflict",
            InterimCostKind::KeyParticipant => "key_participant",
            InterimCostKind::TechOverlap => "tech_overlap",
            InterimCostKind::WorstZone => "worst_zone",
            InterimCostKind::Pain => "pain",
            InterimCostKind::AvoidedWeekday => "avoided_weekday",
        }
    }

    /// ONLINE.md's default penalty.
    pub fn default_penalty(self) -> u64 {
        match self {
            InterimCostKind::Unplaced => 10_000_000,
            InterimCostKind::ChairConflict | InterimCostKind::KeyParticipant => 100_000,
            InterimCostKind::TechOverlap => 10_000,
            InterimCostKind::WorstZone => 100,
            InterimCostKind::Pain => 1,
            InterimCostKind::AvoidedWeekday => 1_000,
        }
    }
}

/// The penalty of each kind, defaults overridden by `rules.penalties`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterimPenalties(BTreeMap<InterimCostKind, u64>);

impl Default for InterimPenalties {
    fn default() -> Self {
        InterimPenalties(
            InterimCostKind::ALL
                .iter()
                .map(|&k| (k, k.default_penalty()))
                .collect(),
        )
    }
}

impl InterimPenalties {
    /// The weight of `kind`.
    pub fn get(&self, kind: InterimCostKind) -> u64 {
        self.0[&kind]
    }
}

/// The class of a declared conflict; each has its own penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConflictClass {
    /// `chair`.
    Chair,
    /// `technology`.
    Technology,
    /// `key_participant`.
    KeyParticipant,
}

impl ConflictClass {
    pub(crate) fn cost_kind(self) -> InterimCostKind {
        match self {
            ConflictClass::Chair => InterimCostKind::ChairConflict,
            ConflictClass::Technology => InterimCostKind::TechOverlap,
            ConflictClass::KeyParticipant => InterimCostKind::KeyParticipant,
        }
    }
}

/// Checked planning rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub(crate) announce_days: u32,
    pub(crate) agenda_days: u32,
    pub(crate) step_minutes: u32,
    /// At most this many interims at any instant, existing ones included.
    pub max_parallel: u32,
    pub(crate) penalties: InterimPenalties,
}

/// Notice for an in-person or hybrid interim (IESG statement: 8 weeks).
pub const IN_PERSON_NOTICE_DAYS: u32 = 56;
/// Minutes are due this many days after a meeting (IESG statement).
pub const MINUTES_DAYS: i64 = 10;
/// A series may start each meeting this many days earlier or later than `every_days`.
pub const SERIES_SLACK_DAYS: i64 = 3;

/// A group of the request file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The group's acronym.
    pub acronym: String,
    pub(crate) name: String,
    /// `WG`, `RG` or `BOF`, as the announcement's subject says it.
    pub label: &'static str,
    /// Declarations of this group: (class, target group index).
    pub conflicts: Vec<(ConflictClass, usize)>,
}

/// What a request asks for (ONLINE.md section 1, `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One meeting of one session.
    Single,
    /// One meeting of a session on each of consecutive days, same local start time.
    MultiDay {
        /// How many days.
        days: u32,
    },
    /// Meetings of one session each, about `every_days` apart.
    Series {
        /// How many meetings.
        count: u32,
        /// Days between meetings, give or take 3.
        every_days: u32,
    },
}

/// A participant time zone of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub(crate) name: String,
    pub(crate) tz: Tz,
    /// Participants in the zone (1 when the request gives no count).
    pub count: u64,
}

/// A checked interim request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The requesting group's index in the file's groups.
    pub group: usize,
    /// Single, multi-day or series.
    pub kind: Kind,
    /// Length of every session in minutes.
    pub minutes: u32,
    pub(crate) earliest: NaiveDate,
    pub(crate) latest: NaiveDate,
    /// Merged (a zone listed twice counts once, with the counts added); never empty.
    pub zones: Vec<Zone>,
    /// `head` weighting: a zone's pain counts once per participant.
    pub by_head: bool,
    pub(crate) avoid_weekdays: Vec<Weekday>,
    pub(crate) in_person: bool,
    pub(crate) platform: String,
    pub(crate) remote_instructions: String,
}

impl Request {
    /// How many meetings (names) the request asks for.
    pub fn meetings(&self) -> u32 {
        match self.kind {
            Kind::Single | Kind::MultiDay { .. } => 1,
            Kind::Series { count, .. } => count,
        }
    }

    /// How many sessions each meeting has.
    pub fn sessions_per_meeting(&self) -> u32 {
        match self.kind {
            Kind::MultiDay { days } => days,
            _ => 1,
        }
    }

    /// The weight of a zone's pain in the `pain` cost.
    pub fn weight(&self, zone: &Zone) -> u64 {
        if self.by_head {
            zone.count
        } else {
            1
        }
    }

    pub(crate) fn notice_days(&self, rules: &Rules) -> u32 {
        if self.in_person {
            IN_PERSON_NOTICE_DAYS
        } else {
            rules.announce_days
        }
    }
}

/// An interim already on the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub(crate) name: String,
    /// The group's acronym.
    pub group: String,
    /// The group's index when the file lists it (conflicts apply then).
    pub group_index: Option<usize>,
    pub(crate) interval: Interval,
    /// Cancelled: keeps its number, takes no time.
    pub cancelled: bool,
}

/// One requested meeting: request `request`, its `index`-th meeting (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MeetingRef {
    pub(crate) request: usize,
    pub(crate) index: u32,
}

/// A checked interim request file.
#[derive(Debug, Clone)]
pub struct InterimProblem {
    pub(crate) now: DateTime<Utc>,
    pub(crate) rules: Rules,
    pub(crate) groups: Vec<Group>,
    /// The checked requests, in file order.
    pub requests: Vec<Request>,
    /// Every requested meeting, request by request, in index order.
    pub meetings: Vec<MeetingRef>,
    pub(crate) telechats: Vec<Interval>,
    /// IETF meetings: (number, first day, last day).
    pub ietf_meetings: Vec<(String, NaiveDate, NaiveDate)>,
    /// Blacked-out Monday-Sunday weeks, as (Monday, Sunday).
    pub blackout: Vec<(NaiveDate, NaiveDate)>,
    pub(crate) existing: Vec<Existing>,
    /// Warnings of validation (series over 4, in-person interims...).
    pub warnings: Vec<String>,
}

impl InterimProblem {
    pub(crate) fn group_of(&self, m: MeetingRef) -> &Group {
        &self.groups[self.requests[m.request].group]
    }

    /// The meeting's position in [`InterimProblem::meetings`].
    pub fn meeting_id(&self, m: MeetingRef) -> Option<usize> {
        self.meetings.binary_search(&m).ok()
    }

    /// Whether a UTC date lies in a blacked-out week.
    pub fn blacked_out(&self, date: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        self.blackout
            .iter()
            .copied()
            .find(|&(mon, sun)| mon <= date && date <= sun)
    }
}

/// The outcome of validation: all issues, and the problem when there was no error.
#[derive(Debug, Clone)]
pub struct InterimValidation {
    /// Every error and warning found, in file order.
    pub issues: Vec<Issue>,
    /// The checked problem, when there was no error.
    pub problem: Option<InterimProblem>,
}

impl InterimValidation {
    /// The issues of severity error.
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }
}

struct Issues(Vec<Issue>);

impl Issues {
    fn error(&mut self, request: Option<&str>, field: String, message: String, help: &str) {
        self.0.push(Issue {
            severity: Severity::Error,
            request: request.map(str::to_string),
            field,
            message,
            help: (!help.is_empty()).then(|| help.to_string()),
        });
    }
}

fn int_in(v: &Value, lo: i64, hi: i64) -> Option<i64> {
    v.as_i64().filter(|x| (lo..=hi).contains(x))
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn weekday(name: &str) -> Option<Weekday> {
    let n = name.to_ascii_lowercase();
    let full = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    full.iter()
        .find(|(f, _)| *f == n || (n.len() == 3 && f.starts_with(&n)))
        .map(|&(_, d)| d)
}

/// The participants assumed when a request gives none (ONLINE.md: IETF surveys 2020).
pub fn default_zones() -> Vec<Zone> {
    [
        ("America/New_York", chrono_tz::America::New_York, 47),
        ("Europe/Paris", chrono_tz::Europe::Paris, 36),
        ("Asia/Shanghai", chrono_tz::Asia::Shanghai, 17),
    ]
    .into_iter()
    .map(|(name, tz, count)| Zone {
        name: name.to_string(),
        tz,
        count,
    })
    .collect()
}

const ZONE_HELP: &str = "use an IANA zone name such as Europe/Berlin or America/Los_Angeles";

/// Validates a request file. `instance`, when the file names one, supplies groups and
/// conflicts (the file's own `groups` entries take precedence).
pub fn validate(file: &InterimRequestFile, instance: Option<&Instance>) -> InterimValidation {
    let mut issues = Issues(Vec::new());
    let mut warnings = Vec::new();
    let now = match file.now.as_deref() {
        Some(t) => instant(t).unwrap_or_else(|| {
            issues.error(
                None,
                "now".into(),
                format!("{t:?} is not an RFC 3339 instant"),
                "write it as 2027-01-04T09:00:00Z",
            );
            DateTime::<Utc>::MIN_UTC
        }),
        None => {
            issues.error(
                None,
                "now".into(),
                "is missing".into(),
                "give the planning instant, e.g. \"now\": \"2027-01-04T09:00:00Z\" (the CLI fills in the current time)",
            );
            DateTime::<Utc>::MIN_UTC
        }
    };
    let rules = validate_rules(&file.rules, &mut issues);
    let groups = validate_groups(file, instance, &mut issues);
    let index: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.acronym.as_str(), i))
        .collect();
    let ietf_meetings = validate_ietf_meetings(&file.calendar, &mut issues);
    let blackout = blackout_weeks(&file.calendar.blackout_weeks, &ietf_meetings, &mut issues);
    let mut requests = Vec::new();
    if file.requests.len() > MAX_REQUESTS {
        issues.error(
            None,
            "requests".into(),
            format!("{} requests, more than {MAX_REQUESTS}", file.requests.len()),
            "split the file",
        );
    }
    for (i, r) in file.requests.iter().enumerate().take(MAX_REQUESTS) {
        if let Some(req) = validate_request(i, r, &index, &mut issues) {
            if let Kind::Series { count, .. } = req.kind {
                if count > 4 {
                    warnings.push(format!(
                        "{}: a series of {count} (more than 4) needs a rationale on the WG list",
                        r.group
                    ));
                }
            }
            if req.in_person {
                warnings.push(format!(
                    "{}: an in-person or hybrid interim needs AD approval and 8 weeks' notice",
                    r.group
                ));
            }
            requests.push(req);
        }
    }
    let (first, last) = horizon(&requests, now);
    let telechats = match &file.calendar.telechats {
        None => Vec::new(),
        Some(v) => calendar::telechats(v, first, last).unwrap_or_else(|errs| {
            for (field, message, help) in errs {
                issues.error(None, format!("calendar.telechats{field}"), message, help);
            }
            Vec::new()
        }),
    };
    let existing = validate_existing(&file.calendar.existing, &index, &mut issues);
    if issues.0.iter().any(|i| i.severity == Severity::Error) {
        return InterimValidation {
            issues: issues.0,
            problem: None,
        };
    }
    let meetings = requests
        .iter()
        .enumerate()
        .flat_map(|(r, req)| {
            (1..=req.meetings()).map(move |index| MeetingRef { request: r, index })
        })
        .collect();
    for w in &warnings {
        issues.0.push(Issue {
            severity: Severity::Warning,
            request: None,
            field: "requests".into(),
            message: w.clone(),
            help: None,
        });
    }
    InterimValidation {
        issues: issues.0,
        problem: Some(InterimProblem {
            now,
            rules,
            groups,
            requests,
            meetings,
            telechats,
            ietf_meetings,
            blackout,
            existing,
            warnings,
        }),
    }
}

/// The dates telechats must be expanded over: every request's window, a day either side.
fn horizon(requests: &[Request], now: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    let first = requests.iter().map(|r| r.earliest).min();
    let last = requests.iter().map(|r| r.latest).max();
    let today = now.date_naive();
    let first = first.unwrap_or(today).pred_opt().unwrap_or(NaiveDate::MIN);
    let last = last.unwrap_or(today).succ_opt().unwrap_or(NaiveDate::MAX);
    (first, last.max(first))
}

fn validate_rules(spec: &RulesSpec, issues: &mut Issues) -> Rules {
    let mut field = |name: &str, v: Option<i64>, default: u32, lo: i64, hi: i64, help: &str| match v
    {
        None => default,
        Some(x) if (lo..=hi).contains(&x) => x as u32,
        Some(x) => {
            issues.error(
                None,
                format!("rules.{name}"),
                format!("{x} is outside {lo}..{hi}"),
                help,
            );
            default
        }
    };
    let announce_days = field(
        "announce_days",
        spec.announce_days,
        14,
        0,
        365,
        "the IESG asks for 14 days",
    );
    let agenda_days = field(
        "agenda_days",
        spec.agenda_days,
        7,
        0,
        365,
        "the IESG asks for 7 days",
    );
    let step_minutes = field(
        "step_minutes",
        spec.step_minutes,
        30,
        5,
        60,
        "use 15, 30 or 60",
    );
    let max_parallel = field(
        "max_parallel",
        spec.max_parallel,
        8,
        1,
        10_000,
        "how many interims may run at once, e.g. 8",
    );
    if 60 % step_minutes != 0 {
        issues.error(
            None,
            "rules.step_minutes".into(),
            format!("{step_minutes} does not divide an hour"),
            "use 5, 10, 15, 20, 30 or 60",
        );
    }
    let mut penalties = InterimPenalties::default();
    for (key, value) in &spec.penalties {
        let kind = InterimCostKind::ALL.iter().find(|k| k.key() == key);
        match (kind, value.as_u64().filter(|&v| v <= MAX_PENALTY)) {
            (Some(&k), Some(v)) => {
                penalties.0.insert(k, v);
            }
            (None, _) => issues.error(
                None,
                format!("rules.penalties.{key}"),
                "is not a cost kind".into(),
                "use unplaced, chair_conflict, key_participant, tech_overlap, worst_zone, pain or avoided_weekday",
            ),
            (Some(_), None) => issues.error(
                None,
                format!("rules.penalties.{key}"),
                format!("{value} is not a whole number from 0 to {MAX_PENALTY}"),
                "penalties are bounded so that no cost can overflow",
            ),
        }
    }
    Rules {
        announce_days,
        agenda_days,
        step_minutes,
        max_parallel,
        penalties,
    }
}

fn group_label(g: &InterimGroup) -> &'static str {
    let t = g.group_type.as_deref().unwrap_or("wg");
    if t == "bof" || g.state.as_deref() == Some("bof") {
        "BOF"
    } else if t == "rg" {
        "RG"
    } else {
        "WG"
    }
}

fn validate_groups(
    file: &InterimRequestFile,
    instance: Option<&Instance>,
    issues: &mut Issues,
) -> Vec<Group> {
    // The instance's groups first, with its requests' conflicts; the file's own
    // entries replace an instance group of the same acronym.
    let mut specs: Vec<(String, InterimGroup)> = Vec::new();
    if let Some(inst) = instance {
        for g in &inst.groups {
            let conflicts = inst
                .requests
                .iter()
                .find(|r| r.group == g.acronym)
                .map(|r| r.conflicts.clone())
                .unwrap_or_default();
            specs.push((
                "instance groups".into(),
                InterimGroup {
                    acronym: g.acronym.clone(),
                    name: g.name.clone(),
                    area: g.area.clone(),
                    group_type: g.group_type.clone(),
                    state: g.state.clone(),
                    conflicts,
                },
            ));
        }
    }
    if file.groups.len() > MAX_REQUESTS {
        issues.error(
            None,
            "groups".into(),
            format!("more than {MAX_REQUESTS} groups"),
            "split the file",
        );
    }
    for (i, g) in file.groups.iter().enumerate().take(MAX_REQUESTS) {
        if let Some(pos) = specs
            .iter()
            .position(|(f, s)| f.starts_with("instance") && s.acronym == g.acronym)
        {
            specs.remove(pos);
        } else if specs.iter().any(|(_, s)| s.acronym == g.acronym) {
            issues.error(
                Some(&g.acronym),
                format!("groups[{i}].acronym"),
                format!("{} is listed twice", g.acronym),
                "list each group once",
            );
            continue;
        }
        specs.push((format!("groups[{i}]"), g.clone()));
    }
    let index: HashMap<String, usize> = specs
        .iter()
        .enumerate()
        .map(|(i, (_, g))| (g.acronym.clone(), i))
        .collect();
    specs
        .iter()
        .map(|(field, g)| {
            let valid = !g.acronym.is_empty()
                && g.acronym.len() <= 32
                && g.acronym
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid {
                issues.error(
                    Some(&g.acronym),
                    format!("{field}.acronym"),
                    format!("{:?} is not a group acronym", g.acronym),
                    "acronyms are 1-32 lowercase letters, digits or hyphens",
                );
            }
            let mut conflicts = Vec::new();
            let Conflicts {
                chair,
                technology,
                key_participant,
            } = &g.conflicts;
            for (class, key, list) in [
                (ConflictClass::Chair, "chair", chair),
                (ConflictClass::Technology, "technology", technology),
                (ConflictClass::KeyParticipant, "key_participant", key_participant),
            ] {
                for (j, target) in list.iter().enumerate() {
                    match index.get(target) {
                        Some(&t) if specs[t].1.acronym == g.acronym => issues.error(
                            Some(&g.acronym),
                            format!("{field}.conflicts.{key}[{j}]"),
                            "a group cannot conflict with itself".into(),
                            "remove the entry",
                        ),
                        Some(&t) => conflicts.push((class, t)),
                        None => issues.error(
                            Some(&g.acronym),
                            format!("{field}.conflicts.{key}[{j}]"),
                            crate::validate::messages::invalid_acronym(target),
                            "add the group to \"groups\" (it may have no request) or remove the entry",
                        ),
                    }
                }
            }
            Group {
                acronym: g.acronym.clone(),
                name: g.name.clone().unwrap_or_else(|| g.acronym.clone()),
                label: group_label(g),
                conflicts,
            }
        })
        .collect()
}

fn validate_ietf_meetings(
    cal: &CalendarSpec,
    issues: &mut Issues,
) -> Vec<(String, NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    for (i, m) in cal.ietf_meetings.iter().enumerate() {
        let number = match &m.number {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        let field = |f: &str| format!("calendar.ietf_meetings[{i}].{f}");
        let first = date(&m.first_day);
        let last = date(&m.last_day);
        if first.is_none() {
            issues.error(
                None,
                field("first_day"),
                format!("{:?} is not a date", m.first_day),
                "write YYYY-MM-DD",
            );
        }
        if last.is_none() {
            issues.error(
                None,
                field("last_day"),
                format!("{:?} is not a date", m.last_day),
                "write YYYY-MM-DD",
            );
        }
        if let (Some(f), Some(l)) = (first, last) {
            if l < f {
                issues.error(
                    None,
                    field("last_day"),
                    format!("IETF {number} ends ({l}) before it begins ({f})"),
                    "swap first_day and last_day",
                );
            } else if (l - f).num_days() > 31 {
                issues.error(
                    None,
                    field("last_day"),
                    format!("IETF {number} lasts more than a month"),
                    "check the dates",
                );
            } else {
                out.push((number, f, l));
            }
        }
    }
    out
}

fn blackout_weeks(
    spec: &BlackoutSpec,
    meetings: &[(String, NaiveDate, NaiveDate)],
    issues: &mut Issues,
) -> Vec<(NaiveDate, NaiveDate)> {
    let mut weeks = |v: Option<i64>, name: &str| match v {
        None => 1,
        Some(x) if (0..=8).contains(&x) => x,
        Some(x) => {
            issues.error(
                None,
                format!("calendar.blackout_weeks.{name}"),
                format!("{x} is outside 0..8"),
                "the IESG blacks out 1 week before and 1 after",
            );
            1
        }
    };
    let before = weeks(spec.before, "before");
    let after = weeks(spec.after, "after");
    let mut out: Vec<(NaiveDate, NaiveDate)> = meetings
        .iter()
        .map(|&(_, first, last)| {
            let monday = calendar::monday_of(first) - chrono::Days::new(7 * before as u64);
            let sunday = calendar::monday_of(last) + chrono::Days::new(6 + 7 * after as u64);
            (monday, sunday)
        })
        .collect();
    out.sort();
    out
}

fn validate_request(
    i: usize,
    r: &InterimRequestSpec,
    index: &HashMap<&str, usize>,
    issues: &mut Issues,
) -> Option<Request> {
    let who = Some(r.group.as_str());
    let field = |f: &str| format!("requests[{i}].{f}");
    let before = issues.0.len();
    let group = index.get(r.group.as_str()).copied();
    if group.is_none() {
        issues.error(
            who,
            field("group"),
            crate::validate::messages::invalid_acronym(&r.group),
            "add the group to \"groups\" or name the instance that lists it",
        );
    }
    let num = |issues: &mut Issues,
               name: &str,
               v: &Option<Value>,
               lo: i64,
               hi: i64,
               help: &str|
     -> Option<u32> {
        match v {
            None => {
                issues.error(who, field(name), "is missing".into(), help);
                None
            }
            Some(v) => int_in(v, lo, hi).map(|x| x as u32).or_else(|| {
                issues.error(
                    who,
                    field(name),
                    format!("{v} is not a whole number from {lo} to {hi}"),
                    help,
                );
                None
            }),
        }
    };
    let kind = match r.kind.as_deref().unwrap_or("single") {
        "single" => Some(Kind::Single),
        "multi-day" => num(
            issues,
            "days",
            &r.days,
            2,
            MAX_DAYS as i64,
            "a multi-day meeting gives its number of consecutive days",
        )
        .map(|days| Kind::MultiDay { days }),
        "series" => {
            let count = num(
                issues,
                "count",
                &r.count,
                1,
                MAX_SERIES as i64,
                "a series gives how many meetings, e.g. \"count\": 6",
            );
            let every = num(
                issues,
                "every_days",
                &r.every_days,
                4,
                180,
                "a series gives its spacing, e.g. \"every_days\": 14",
            );
            count
                .zip(every)
                .map(|(count, every_days)| Kind::Series { count, every_days })
        }
        other => {
            issues.error(
                who,
                field("kind"),
                format!("{other:?} is not a kind"),
                "use single, multi-day or series",
            );
            None
        }
    };
    let minutes = num(
        issues,
        "minutes",
        &r.minutes,
        30,
        300,
        "the datatracker accepts 30 to 300 minutes",
    );
    let mut day = |name: &str, v: &Option<String>| match v {
        None => {
            issues.error(who, field(name), "is missing".into(), "write YYYY-MM-DD");
            None
        }
        Some(t) => date(t).or_else(|| {
            issues.error(
                who,
                field(name),
                format!("{t:?} is not a date"),
                "write YYYY-MM-DD",
            );
            None
        }),
    };
    let earliest = day("earliest", &r.earliest);
    let latest = day("latest", &r.latest);
    if let (Some(e), Some(l)) = (earliest, latest) {
        if e > l {
            issues.error(
                who,
                field("latest"),
                format!("latest ({l}) is before earliest ({e})"),
                "swap them or widen the window",
            );
        } else if (l - e).num_days() > MAX_WINDOW_DAYS {
            issues.error(
                who,
                field("latest"),
                format!("the window is longer than {MAX_WINDOW_DAYS} days"),
                "plan a year at a time",
            );
        }
    }
    let zones = match &r.participants {
        None => default_zones(),
        Some(list) if list.is_empty() => {
            issues.error(
                who,
                field("participants"),
                "is empty".into(),
                "leave it out to use the default regions, or list zones",
            );
            Vec::new()
        }
        Some(list) if list.len() > MAX_ZONES => {
            issues.error(
                who,
                field("participants"),
                format!("more than {MAX_ZONES} entries"),
                "merge zones",
            );
            Vec::new()
        }
        Some(list) => {
            let mut zones: Vec<Zone> = Vec::new();
            for (j, p) in list.iter().enumerate() {
                let tz = p.time_zone.parse::<Tz>().ok();
                if tz.is_none() {
                    issues.error(
                        who,
                        field(&format!("participants[{j}].time_zone")),
                        format!("{:?} is not an IANA time zone", p.time_zone),
                        ZONE_HELP,
                    );
                }
                let count = match &p.count {
                    None => Some(1),
                    Some(v) => int_in(v, 1, 1_000_000).map(|c| c as u64).or_else(|| {
                        issues.error(
                            who,
                            field(&format!("participants[{j}].count")),
                            format!("{v} is not a whole number from 1 to 1000000"),
                            "give the head count of the zone",
                        );
                        None
                    }),
                };
                if let (Some(tz), Some(count)) = (tz, count) {
                    match zones.iter_mut().find(|z| z.tz == tz) {
                        Some(z) => z.count += count,
                        None => zones.push(Zone {
                            name: tz.name().to_string(),
                            tz,
                            count,
                        }),
                    }
                }
            }
            zones
        }
    };
    let by_head = match r.weighting.as_deref() {
        None | Some("zone") => false,
        Some("head") => true,
        Some(other) => {
            issues.error(
                who,
                field("weighting"),
                format!("{other:?} is not a weighting"),
                "use zone (each zone once) or head (by head count)",
            );
            false
        }
    };
    let mut avoid = Vec::new();
    for (j, d) in r.avoid_weekdays.iter().enumerate() {
        match weekday(d) {
            Some(w) if !avoid.contains(&w) => avoid.push(w),
            Some(_) => {}
            None => issues.error(
                who,
                field(&format!("avoid_weekdays[{j}]")),
                format!("{d:?} is not a weekday"),
                "write monday..sunday or mon..sun",
            ),
        }
    }
    let platform = r.platform.clone().unwrap_or_else(|| "meetecho".into());
    let remote = r.remote_instructions.clone().unwrap_or_default();
    if platform != "meetecho" && remote.trim().is_empty() {
        issues.error(
            who,
            field("remote_instructions"),
            "is required unless the platform is meetecho".into(),
            "paste the conferencing link and dial-in details",
        );
    }
    if remote.len() > 4_096 {
        issues.error(
            who,
            field("remote_instructions"),
            "is longer than 4096 bytes".into(),
            "link to the details instead",
        );
    }
    if issues.0.len() > before {
        return None;
    }
    Some(Request {
        group: group?,
        kind: kind?,
        minutes: minutes?,
        earliest: earliest?,
        latest: latest?,
        zones,
        by_head,
        avoid_weekdays: avoid,
        in_person: r.in_person,
        platform,
        remote_instructions: remote,
    })
}

fn validate_existing(
    list: &[ExistingSpec],
    index: &HashMap<&str, usize>,
    issues: &mut Issues,
) -> Vec<Existing> {
    let mut out = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let field = |f: &str| format!("calendar.existing[{i}].{f}");
        let start = instant(&e.start);
        if start.is_none() {
            issues.error(
                Some(&e.group),
                field("start"),
                format!("{:?} is not an RFC 3339 instant", e.start),
                "write e.g. 2027-01-20T15:00:00Z",
            );
        }
        if !(1..=24 * 60).contains(&e.minutes) {
            issues.error(
                Some(&e.group),
                field("minutes"),
                format!("{} is outside 1..1440", e.minutes),
                "give the session's length",
            );
        }
        if calendar::parse_name(&e.name).is_none() {
            issues.error(
                Some(&e.group),
                field("name"),
                format!("{:?} is not an interim name", e.name),
                "names look like interim-2027-core-01",
            );
        }
        let cancelled = match e.status.as_deref() {
            None | Some("scheduled") | Some("announced") => false,
            Some("cancelled") | Some("canceled") => true,
            Some(other) => {
                issues.error(
                    Some(&e.group),
                    field("status"),
                    format!("{other:?} is not a status"),
                    "use scheduled or cancelled",
                );
                false
            }
        };
        if let Some(start) = start {
            out.push(Existing {
                name: e.name.clone(),
                group: e.group.clone(),
                group_index: index.get(e.group.as_str()).copied(),
                interval: Interval::new(start, e.minutes.clamp(1, 1440) as u32),
                cancelled,
            });
        }
    }
    out
}

/// A time of day `HH:MM`.
pub(crate) fn time_of_day(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M").ok()
}

pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    date(text)
}

pub(crate) fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    instant(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interim::testing::base;
    use serde_json::json;

    fn issues(file: serde_json::Value) -> Vec<(String, String)> {
        let file: InterimRequestFile = serde_json::from_value(file).unwrap();
        let v = validate(&file, None);
        assert!(v.problem.is_none() || v.errors().count() == 0);
        v.errors()
            .map(|i| (i.field.clone(), i.message.clone()))
            .collect()
    }

    #[test]
    fn every_error_is_reported_at_once_with_its_field() {
        let mut f = base();
        f["groups"][0]["conflicts"] = json!({"chair": ["nosuch"]});
        f["calendar"] = json!({
            "ietf_meetings": [{"number": "128", "first_day": "2027-03-12", "last_day": "2027-03-06"}],
            "telechats": {"first": "2027-01-07", "time": "25:00", "time_zone": "America/Los_Angeles", "every_days": 14, "minutes": 150}
        });
        f["requests"] = json!([
            {"group": "a", "minutes": 20, "earliest": "2027-02-01", "latest": "2027-01-01",
             "participants": [{"time_zone": "Europe/Berln"}]},
            {"group": "b", "kind": "series", "minutes": 60, "earliest": "2027-01-01", "latest": "2027-02-01"},
            {"group": "zz", "minutes": 60, "earliest": "2027-01-01", "latest": "2027-02-01", "platform": "zoom"}
        ]);
        let got = issues(f);
        let fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        for want in [
            "groups[0].conflicts.chair[0]",
            "calendar.ietf_meetings[0].last_day",
            "calendar.telechats.time",
            "requests[0].minutes",
            "requests[0].latest",
            "requests[0].participants[0].time_zone",
            "requests[1].count",
            "requests[1].every_days",
            "requests[2].group",
            "requests[2].remote_instructions",
        ] {
            assert!(fields.contains(&want), "{want} missing from {got:?}");
        }
        assert!(got
            .iter()
            .any(|(_, m)| m == "Invalid Working Group Acronym: nosuch"));
    }

    #[test]
    fn now_is_required_and_penalties_are_bounded() {
        let mut f = base();
        f.as_object_mut().unwrap().remove("now");
        f["rules"] = json!({"penalties": {"unplaced": 18446744073709551615u64, "nonsense": 1}, "step_minutes": 7});
        let got = issues(f);
        let fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "now",
                "rules.step_minutes",
                "rules.penalties.nonsense",
                "rules.penalties.unplaced"
            ]
        );
    }

    #[test]
    fn defaults_apply_when_a_request_gives_no_participants() {
        let mut f = base();
        f["requests"][0]
            .as_object_mut()
            .unwrap()
            .remove("participants");
        let file: InterimRequestFile = serde_json::from_value(f).unwrap();
        let p = validate(&file, None).problem.unwrap();
        let zones: Vec<(&str, u64)> = p.requests[0]
            .zones
            .iter()
            .map(|z| (z.name.as_str(), z.count))
            .collect();
        assert_eq!(
            zones,
            vec![
                ("America/New_York", 47),
                ("Europe/Paris", 36),
                ("Asia/Shanghai", 17)
            ]
        );
        assert_eq!(p.rules.announce_days, 14);
        assert_eq!(p.rules.max_parallel, 8);
    }

    #[test]
    fn an_instance_supplies_groups_and_their_conflicts() {
        let instance = crate::load_instance("../tests/data/tiny.json").unwrap();
        let with_conflict = instance
            .requests
            .iter()
            .find(|r| !r.conflicts.chair.is_empty())
            .unwrap();
        let file: InterimRequestFile = serde_json::from_value(json!({
            "format": "interim-request/1", "now": "2026-12-01T00:00:00Z",
            "requests": [{"group": with_conflict.group, "minutes": 60, "earliest": "2027-01-04", "latest": "2027-01-29"}]
        })).unwrap();
        let p = validate(&file, Some(&instance)).problem.unwrap();
        let g = &p.groups[p.requests[0].group];
        assert!(g.conflicts.iter().any(|&(c, _)| c == ConflictClass::Chair));
    }
}
