//! Fully online meetings (ONLINE.md section 3): a `virtual-meeting/1` description turned
//! into an `agenda-instance/1` of tracks in a daily UTC window chosen by RFC 9400
//! ([`window`]), priorities from the groups' classes, the interim requests of the groups
//! left out, and the fairness of the window per region.

pub mod window;

use crate::instance::{Group, Instance, MeetingInfo, Room, Slot};
use crate::interim::{
    self, BlackoutSpec, CalendarSpec, IetfMeetingSpec, InterimRequestFile, InterimRequestSpec,
    RulesSpec,
};
use crate::validate::{Issue, Severity};
use chrono::{Days, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use window::{Choice, Past, Region};

/// The value of the `format` field of a virtual meeting description.
pub const VIRTUAL_MEETING_FORMAT: &str = "virtual-meeting/1";

/// The meeting to build, as written (ONLINE.md section 3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VirtualMeetingSpec {
    /// `"virtual-meeting/1"`: the document's format and version.
    pub format: String,
    /// The meeting number (text or number).
    pub number: Value,
    /// The meeting's days (`YYYY-MM-DD`).
    #[serde(default)]
    pub days: Vec<String>,
    /// The daily window: start, blocks and breaks.
    pub window: WindowSpec,
    /// Parallel tracks, 1 to 64.
    pub tracks: Value,
    /// Earlier meetings, oldest first, for RFC 9400's rotation of the window.
    #[serde(default)]
    pub history: Vec<HistorySpec>,
    /// Priority of each class of group for the reduced agenda.
    #[serde(default)]
    pub priorities: PrioritiesSpec,
    /// Interims of the groups left out start this many weeks after the meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interims_after_weeks: Option<u32>,
}

/// The daily window of a virtual meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WindowSpec {
    /// `HH:MM` UTC; absent: chosen by RFC 9400 from `history`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_utc: Option<String>,
    /// Block lengths in minutes, in order.
    pub blocks: Vec<u32>,
    /// Break between blocks in minutes (default 30).
    #[serde(default = "thirty")]
    pub break_minutes: u32,
}

fn thirty() -> u32 {
    30
}

/// An earlier IETF meeting, for RFC 9400's rotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HistorySpec {
    /// Its number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<Value>,
    /// `in-person` or `online`.
    pub kind: String,
    /// Where an in-person meeting was held (`north-america`, `europe`, `asia`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Whose night an online meeting's window was in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub night: Option<String>,
}

/// Priority of each class; ONLINE.md's example values are the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PrioritiesSpec {
    /// Priority of a BoF.
    #[serde(default = "p_bof")]
    pub bof: u64,
    /// Priority of a group meeting for the first time.
    #[serde(default = "p_new")]
    pub new: u64,
    /// Priority of a dispatch-style group.
    #[serde(default = "p_dispatch")]
    pub dispatch: u64,
    /// Priority of every other group.
    #[serde(default = "p_other")]
    pub other: u64,
}

fn p_bof() -> u64 {
    8
}
fn p_new() -> u64 {
    6
}
fn p_dispatch() -> u64 {
    4
}
fn p_other() -> u64 {
    1
}

impl Default for PrioritiesSpec {
    fn default() -> Self {
        PrioritiesSpec {
            bof: 8,
            new: 6,
            dispatch: 4,
            other: 1,
        }
    }
}

/// Why a group gets its priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// A BoF.
    Bof,
    /// A group meeting for the first time.
    New,
    /// A dispatch-style group.
    Dispatch,
    /// Any other group.
    Other,
}

impl Class {
    /// The class of group `g`.
    pub fn of(g: &Group) -> Class {
        if g.group_type.as_deref() == Some("bof") || g.state.as_deref() == Some("bof") {
            Class::Bof
        } else if g.new == Some(true) {
            Class::New
        } else if g.dispatch == Some(true) || g.acronym.ends_with("dispatch") {
            Class::Dispatch
        } else {
            Class::Other
        }
    }

    /// The class in words, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Class::Bof => "a BoF",
            Class::New => "meeting for the first time",
            Class::Dispatch => "a dispatch-style group",
            Class::Other => "another group",
        }
    }

    /// The class's priority under `p`.
    pub fn priority(self, p: &PrioritiesSpec) -> u64 {
        match self {
            Class::Bof => p.bof,
            Class::New => p.new,
            Class::Dispatch => p.dispatch,
            Class::Other => p.other,
        }
    }
}

/// A checked virtual meeting.
#[derive(Debug, Clone)]
pub struct VirtualMeeting {
    /// The meeting number.
    pub number: String,
    /// The meeting's days.
    pub days: Vec<NaiveDate>,
    /// The first block's start, UTC.
    pub start: NaiveTime,
    /// Block lengths in minutes.
    pub blocks: Vec<u32>,
    /// Break between blocks in minutes.
    pub break_minutes: u32,
    /// Parallel tracks.
    pub tracks: u32,
    /// Priority of each class of group.
    pub priorities: PrioritiesSpec,
    /// Weeks after the meeting before the moved groups' interims.
    pub interims_after_weeks: u32,
    /// Northern summer (US daylight saving time on the first day).
    pub summer: bool,
    /// The night the window sits in, and why (None when `start_utc` was given and lies
    /// in no region's night).
    pub night: Option<Choice>,
}

fn issue(field: &str, message: String, help: &str) -> Issue {
    Issue {
        severity: Severity::Error,
        request: None,
        field: field.to_string(),
        message,
        help: Some(help.to_string()),
    }
}

/// Checks a description: every error at once, each with its field and fix.
pub fn check(spec: &VirtualMeetingSpec) -> Result<VirtualMeeting, Vec<Issue>> {
    let mut errors = Vec::new();
    if spec.format != VIRTUAL_MEETING_FORMAT {
        errors.push(issue(
            "format",
            format!("is {:?}", spec.format),
            "write \"virtual-meeting/1\"",
        ));
    }
    let number = match &spec.number {
        Value::String(s) if !s.is_empty() && s.len() <= 32 => s.clone(),
        Value::Number(n) => n.to_string(),
        v => {
            errors.push(issue(
                "number",
                format!("{v} is not a meeting number"),
                "write e.g. \"107\"",
            ));
            String::new()
        }
    };
    let mut days = Vec::new();
    for (i, d) in spec.days.iter().enumerate() {
        match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) if days.last().is_none_or(|&l| d > l) => days.push(d),
            Ok(_) => errors.push(issue(
                &format!("days[{i}]"),
                format!("{d} is not after the day before"),
                "list the days in order, each once",
            )),
            Err(_) => errors.push(issue(
                &format!("days[{i}]"),
                format!("{d:?} is not a date"),
                "write YYYY-MM-DD",
            )),
        }
    }
    if spec.days.is_empty() || spec.days.len() > 14 {
        errors.push(issue(
            "days",
            format!("has {} days", spec.days.len()),
            "give 1 to 14 meeting days",
        ));
    }
    let tracks = match spec.tracks.as_u64().filter(|t| (1..=64).contains(t)) {
        Some(t) => t as u32,
        None => {
            errors.push(issue(
                "tracks",
                format!("{} is not a whole number from 1 to 64", spec.tracks),
                "RFC 9400: 8-9 tracks at most were used",
            ));
            1
        }
    };
    if spec.window.blocks.is_empty()
        || spec.window.blocks.len() > 12
        || spec.window.blocks.iter().any(|&b| !(30..=300).contains(&b))
    {
        errors.push(issue(
            "window.blocks",
            format!(
                "{:?} is not 1 to 12 blocks of 30 to 300 minutes",
                spec.window.blocks
            ),
            "e.g. [120, 120] (IETF 107) or [60, 120, 120] (a 6-hour day)",
        ));
    }
    if spec.window.break_minutes > 180 {
        errors.push(issue(
            "window.break_minutes",
            format!("{} minutes", spec.window.break_minutes),
            "RFC 9400 recommends 30-minute breaks",
        ));
    }
    let mut history = Vec::new();
    for (i, h) in spec.history.iter().enumerate() {
        let (key, value) = match h.kind.as_str() {
            "in-person" => ("region", &h.region),
            "online" => ("night", &h.night),
            other => {
                errors.push(issue(
                    &format!("history[{i}].kind"),
                    format!("{other:?} is not a kind"),
                    "write in-person or online",
                ));
                continue;
            }
        };
        match value.as_deref().and_then(Region::parse) {
            Some(r) => history.push(if key == "region" {
                Past::InPerson(r)
            } else {
                Past::Online(r)
            }),
            None => errors.push(issue(
                &format!("history[{i}].{key}"),
                format!("{value:?} is not a region"),
                "write north-america, europe or asia",
            )),
        }
    }
    let p = spec.priorities;
    if [p.bof, p.new, p.dispatch, p.other]
        .iter()
        .any(|&x| !(1..=crate::validate::MAX_PRIORITY).contains(&x))
    {
        errors.push(issue(
            "priorities",
            format!("{p:?}"),
            "each priority is a whole number from 1 to 1000",
        ));
    }
    let weeks = spec.interims_after_weeks.unwrap_or(6);
    if !(1..=26).contains(&weeks) {
        errors.push(issue(
            "interims_after_weeks",
            format!("{weeks}"),
            "give 1 to 26 weeks",
        ));
    }
    let summer = days.first().is_some_and(|&d| window::northern_summer(d));
    let (start, night) = match &spec.window.start_utc {
        Some(t) => match NaiveTime::parse_from_str(t, "%H:%M") {
            Ok(t) => {
                let night = Region::ALL
                    .into_iter()
                    .find(|r| r.night_hours(summer).0 == t.hour() && t.minute() == 0)
                    .map(|r| Choice {
                        night: r,
                        reason: format!(
                            "the window was given ({t} UTC), which starts the {r} night"
                        ),
                    });
                (t, night)
            }
            Err(_) => {
                errors.push(issue(
                    "window.start_utc",
                    format!("{t:?} is not a time"),
                    "write HH:MM in UTC, or leave it out to choose by RFC 9400",
                ));
                (NaiveTime::MIN, None)
            }
        },
        None => match window::select(&history) {
            Some(choice) => {
                let (h, _) = choice.night.night_hours(summer);
                (
                    NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN),
                    Some(choice),
                )
            }
            None => {
                errors.push(issue(
                    "history",
                    "is empty and window.start_utc is absent".into(),
                    "give the earlier meetings (oldest first) or the window's start",
                ));
                (NaiveTime::MIN, None)
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(VirtualMeeting {
        number,
        days,
        start,
        blocks: spec.window.blocks.clone(),
        break_minutes: spec.window.break_minutes,
        tracks,
        priorities: spec.priorities,
        interims_after_weeks: weeks,
        summer,
        night,
    })
}

impl VirtualMeeting {
    /// The window in words: where it sits and why.
    pub fn explain(&self) -> String {
        let season = if self.summer {
            "northern summer"
        } else {
            "northern winter"
        };
        let length: u32 =
            self.blocks.iter().sum::<u32>() + self.break_minutes * (self.blocks.len() as u32 - 1);
        let end = self.start + Duration::minutes(length as i64);
        match &self.night {
            Some(c) => format!(
                "{}: {} UTC to {} UTC each day ({season} hours, since {} is {}in US daylight saving time).",
                c.reason,
                self.start.format("%H:%M"),
                end.format("%H:%M"),
                self.days[0],
                if self.summer { "" } else { "not " }
            ),
            None => format!("the window was given: {} UTC to {} UTC each day.", self.start.format("%H:%M"), end.format("%H:%M")),
        }
    }

    /// Every block of every day: (id, UTC start, minutes).
    pub fn blocks(&self) -> Vec<(String, NaiveDateTime, u32)> {
        let mut out = Vec::new();
        for (d, day) in self.days.iter().enumerate() {
            let mut t = day.and_time(self.start);
            for (k, &minutes) in self.blocks.iter().enumerate() {
                out.push((format!("d{}-b{}", d + 1, k + 1), t, minutes));
                t += Duration::minutes((minutes + self.break_minutes) as i64);
            }
        }
        out
    }

    /// The `agenda-instance/1` of the meeting: tracks as rooms without capacity, the
    /// blocks as slots in UTC, every request with its class's priority.
    pub fn instance(&self, requests: &Instance) -> Instance {
        let rooms = (1..=self.tracks)
            .map(|k| Room {
                id: format!("track-{k}"),
                name: Some(format!("Track {k}")),
                capacity: None,
                resources: Vec::new(),
            })
            .collect();
        let slots = self
            .blocks()
            .into_iter()
            .map(|(id, start, minutes)| Slot {
                id,
                start: start.format("%Y-%m-%dT%H:%M").to_string(),
                minutes,
                rooms: None,
                name: None,
            })
            .collect();
        let mut reqs = requests.requests.clone();
        for r in &mut reqs {
            let class = requests
                .groups
                .iter()
                .find(|g| g.acronym == r.group)
                .map_or(Class::Other, Class::of);
            r.priority = Some(Value::from(class.priority(&self.priorities)));
        }
        Instance {
            format: crate::instance::INSTANCE_FORMAT.to_string(),
            meeting: MeetingInfo {
                number: self.number.clone(),
                time_zone: "UTC".into(),
                mode: Some("virtual".into()),
                session_minutes: requests.meeting.session_minutes.clone(),
            },
            rooms,
            slots,
            groups: requests.groups.clone(),
            people: requests.people.clone(),
            requests: reqs,
            fixed: Vec::new(),
            penalties: requests.penalties.clone(),
            datatracker: None,
        }
    }

    /// An `interim-request/1` for the groups left out: one interim each (of their first
    /// session's length) over `interims_after_weeks` weeks after the meeting, with their
    /// conflicts; planned from 14 days before the meeting (when the reduced agenda is
    /// announced), only the meeting's own week blacked out.
    pub fn interim_requests(&self, requests: &Instance, left_out: &[String]) -> InterimRequestFile {
        let first = self.days[0];
        let last = *self.days.last().unwrap_or(&first);
        let earliest = last + Days::new(1);
        let latest = last + Days::new(7 * self.interims_after_weeks as u64);
        let now = first - Days::new(14);
        let requests_out = left_out
            .iter()
            .map(|g| {
                let minutes = requests
                    .requests
                    .iter()
                    .find(|r| &r.group == g)
                    .and_then(|r| r.sessions.first())
                    .and_then(|s| s.minutes)
                    .unwrap_or(60)
                    .clamp(30, 300);
                InterimRequestSpec {
                    group: g.clone(),
                    kind: Some("single".into()),
                    minutes: Some(Value::from(minutes)),
                    earliest: Some(earliest.to_string()),
                    latest: Some(latest.to_string()),
                    ..Default::default()
                }
            })
            .collect();
        InterimRequestFile {
            format: interim::INTERIM_REQUEST_FORMAT.to_string(),
            now: Some(format!("{now}T00:00:00Z")),
            calendar: CalendarSpec {
                ietf_meetings: vec![IetfMeetingSpec {
                    number: Value::String(self.number.clone()),
                    first_day: first.to_string(),
                    last_day: last.to_string(),
                }],
                blackout_weeks: BlackoutSpec {
                    before: Some(0),
                    after: Some(0),
                },
                telechats: Some(interim::generate::telechats_after(last)),
                existing: Vec::new(),
            },
            groups: interim::generate::groups_of(requests),
            instance: None,
            requests: requests_out,
            rules: RulesSpec::default(),
        }
    }
}

/// The groups of `requests` with no session in `agenda`, in request order: the ones
/// that go to interims.
pub fn left_out(requests: &Instance, agenda: &crate::Agenda) -> Vec<String> {
    let meets: std::collections::BTreeSet<&str> = agenda
        .assignments
        .iter()
        .map(|a| a.group.as_str())
        .collect();
    requests
        .requests
        .iter()
        .map(|r| r.group.clone())
        .filter(|g| !meets.contains(g.as_str()))
        .collect()
}

/// Per region: the share of the placed sessions' minutes that fall in its night (RFC
/// 9400's windows, summer or winter by each session's date).
pub fn night_shares(sessions: &[(NaiveDateTime, u32)]) -> Vec<(Region, f64)> {
    let total: u64 = sessions.iter().map(|s| s.1 as u64).sum();
    Region::ALL
        .into_iter()
        .map(|r| {
            let mut night = 0u64;
            for &(start, minutes) in sessions {
                let summer = window::northern_summer(start.date());
                for m in 0..minutes {
                    let t = start + Duration::minutes(m as i64);
                    if r.in_night(t.hour(), summer) {
                        night += 1;
                    }
                }
            }
            (
                r,
                if total == 0 {
                    0.0
                } else {
                    night as f64 / total as f64
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(v: Value) -> VirtualMeetingSpec {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn an_ietf_107_shaped_meeting_lays_its_blocks_from_the_window() {
        let vm = check(&spec(json!({
            "format": "virtual-meeting/1", "number": "107",
            "days": ["2020-03-23", "2020-03-24", "2020-03-25", "2020-03-26", "2020-03-27"],
            "window": {"start_utc": "20:00", "blocks": [120, 120], "break_minutes": 10},
            "tracks": 2
        })))
        .unwrap();
        let blocks = vm.blocks();
        assert_eq!(blocks.len(), 10);
        assert_eq!(blocks[0].1.to_string(), "2020-03-23 20:00:00");
        assert_eq!(blocks[1].1.to_string(), "2020-03-23 22:10:00");
        assert!(
            vm.explain().contains("20:00 UTC to 00:10 UTC"),
            "{}",
            vm.explain()
        );
    }

    #[test]
    fn the_window_is_chosen_by_rfc9400_when_not_given() {
        let vm = check(&spec(json!({
            "format": "virtual-meeting/1", "number": "107",
            "days": ["2020-03-23"], "window": {"blocks": [120, 120]}, "tracks": 8,
            "history": [{"number": "106", "kind": "in-person", "region": "asia"}]
        })))
        .unwrap();
        assert_eq!(vm.night.as_ref().unwrap().night, Region::Asia);
        // 23 March 2020 is in US daylight saving time: the summer Asia night, 13:00 UTC.
        assert_eq!(vm.start.to_string(), "13:00:00");
        assert!(
            vm.explain().contains("in person in Asia"),
            "{}",
            vm.explain()
        );
    }

    #[test]
    fn bad_descriptions_name_every_field() {
        let errors = check(&spec(json!({
            "format": "virtual-meeting/1", "number": "",
            "days": ["2020-03-24", "2020-03-23"], "window": {"blocks": [10]}, "tracks": 0,
            "history": [{"kind": "hybrid"}, {"kind": "online", "night": "mars"}]
        })))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for want in [
            "number",
            "days[1]",
            "tracks",
            "window.blocks",
            "history[0].kind",
            "history[1].night",
            "history",
        ] {
            assert!(fields.contains(&want), "{want} missing: {fields:?}");
        }
    }

    #[test]
    fn night_shares_count_minutes_in_each_regions_night() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
        // Winter: 06:00-08:00 UTC is the North America night; 22:00-23:00 Europe's.
        let shares = night_shares(&[(t("2021-11-08T06:00"), 120), (t("2021-11-08T22:00"), 60)]);
        let get = |r: Region| shares.iter().find(|s| s.0 == r).unwrap().1;
        assert!((get(Region::NorthAmerica) - 2.0 / 3.0).abs() < 1e-9);
        assert!((get(Region::Europe) - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(get(Region::Asia), 0.0);
    }
}
