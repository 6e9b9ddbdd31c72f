//! Calendars: telechats expanded in their own zone, blackout weeks, the pain table,
//! names, and the candidate starts of each meeting on the UTC grid.

use super::model::{
    parse_date, parse_instant, time_of_day, InterimProblem, Kind, MeetingRef, Request, Zone,
    SERIES_SLACK_DAYS,
};
use chrono::offset::LocalResult;
use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde_json::Value;

/// A half-open interval of time `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    /// The first instant.
    pub start: DateTime<Utc>,
    /// The first instant after the interval.
    pub end: DateTime<Utc>,
}

impl Interval {
    /// The interval of `minutes` from `start`.
    pub fn new(start: DateTime<Utc>, minutes: u32) -> Interval {
        Interval {
            start,
            end: start + Duration::minutes(minutes as i64),
        }
    }

    /// Half-open: intervals that only touch do not overlap.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The UTC dates of its start and of its last instant.
    pub fn dates(&self) -> [NaiveDate; 2] {
        let last = self.end - Duration::seconds(1);
        [
            self.start.date_naive(),
            last.date_naive().max(self.start.date_naive()),
        ]
    }
}

/// The Monday of a date's week.
pub fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Days::new(d.weekday().num_days_from_monday() as u64)
}

/// A local wall-clock time in a zone; in a DST gap, the first instant after it; in an
/// overlap, the earlier instant.
pub fn local_instant(tz: Tz, date: NaiveDate, time: chrono::NaiveTime) -> Option<DateTime<Utc>> {
    let naive = date.and_time(time);
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, _) => Some(a.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

type FieldError = (String, String, &'static str);

/// Expands `calendar.telechats` over the local dates `first..=last`: a rule, a list of
/// `{start, minutes}`, or a list mixing rules and such entries.
pub fn telechats(
    spec: &Value,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<Interval>, Vec<FieldError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    match spec {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let at = format!("[{i}]");
                if item.get("first").is_some() {
                    expand_rule(item, &at, first, last, &mut out, &mut errors);
                } else {
                    one_telechat(item, &at, &mut out, &mut errors);
                }
            }
        }
        Value::Object(_) => expand_rule(spec, "", first, last, &mut out, &mut errors),
        _ => errors.push((
            String::new(),
            "is neither a rule nor a list".into(),
            "give {\"first\", \"time\", \"time_zone\", \"every_days\", \"minutes\"} or a list of {\"start\", \"minutes\"}",
        )),
    }
    if errors.is_empty() {
        out.sort();
        Ok(out)
    } else {
        Err(errors)
    }
}

fn minutes_of(v: Option<&Value>, at: &str, errors: &mut Vec<FieldError>) -> Option<u32> {
    match v.and_then(Value::as_u64).filter(|m| (1..=600).contains(m)) {
        Some(m) => Some(m as u32),
        None => {
            errors.push((
                format!("{at}.minutes"),
                format!(
                    "{} is not a whole number from 1 to 600",
                    v.unwrap_or(&Value::Null)
                ),
                "a formal telechat lasts 150 minutes, an informal one 90",
            ));
            None
        }
    }
}

fn one_telechat(item: &Value, at: &str, out: &mut Vec<Interval>, errors: &mut Vec<FieldError>) {
    let start = item
        .get("start")
        .and_then(Value::as_str)
        .and_then(parse_instant);
    if start.is_none() {
        errors.push((
            format!("{at}.start"),
            format!(
                "{} is not an RFC 3339 instant with an offset",
                item.get("start").unwrap_or(&Value::Null)
            ),
            "write e.g. 2027-01-07T15:00:00Z or 2027-01-07T07:00:00-08:00",
        ));
    }
    let minutes = minutes_of(item.get("minutes"), at, errors);
    if let (Some(s), Some(m)) = (start, minutes) {
        out.push(Interval::new(s, m));
    }
}

fn expand_rule(
    rule: &Value,
    at: &str,
    first: NaiveDate,
    last: NaiveDate,
    out: &mut Vec<Interval>,
    errors: &mut Vec<FieldError>,
) {
    let text = |key: &str| rule.get(key).and_then(Value::as_str);
    let start = text("first").and_then(parse_date);
    if start.is_none() {
        errors.push((
            format!("{at}.first"),
            format!(
                "{} is not a date",
                rule.get("first").unwrap_or(&Value::Null)
            ),
            "write YYYY-MM-DD, a telechat Thursday",
        ));
    }
    let time = text("time").and_then(time_of_day);
    if time.is_none() {
        errors.push((
            format!("{at}.time"),
            format!("{} is not a time", rule.get("time").unwrap_or(&Value::Null)),
            "write HH:MM, e.g. 07:00",
        ));
    }
    let tz = text("time_zone").and_then(|z| z.parse::<Tz>().ok());
    if tz.is_none() {
        errors.push((
            format!("{at}.time_zone"),
            format!(
                "{} is not an IANA time zone",
                rule.get("time_zone").unwrap_or(&Value::Null)
            ),
            "telechats are at 07:00 America/Los_Angeles",
        ));
    }
    let every = rule
        .get("every_days")
        .and_then(Value::as_u64)
        .filter(|d| (1..=366).contains(d));
    if every.is_none() {
        errors.push((
            format!("{at}.every_days"),
            format!(
                "{} is not a whole number from 1 to 366",
                rule.get("every_days").unwrap_or(&Value::Null)
            ),
            "formal telechats are every 14 days",
        ));
    }
    let minutes = minutes_of(rule.get("minutes"), at, errors);
    let mut skip = Vec::new();
    if let Some(list) = rule.get("skip") {
        match list.as_array() {
            Some(items) => {
                for (i, s) in items.iter().enumerate() {
                    match s.as_str().and_then(parse_date) {
                        Some(d) => skip.push(d),
                        None => errors.push((
                            format!("{at}.skip[{i}]"),
                            format!("{s} is not a date"),
                            "write YYYY-MM-DD",
                        )),
                    }
                }
            }
            None => errors.push((
                format!("{at}.skip"),
                "is not a list".into(),
                "write [\"2027-03-11\"]",
            )),
        }
    }
    let (Some(start), Some(time), Some(tz), Some(every), Some(minutes)) =
        (start, time, tz, every, minutes)
    else {
        return;
    };
    let mut d = start;
    // Skip whole periods before the horizon without walking them.
    if d < first {
        let periods = (first - d).num_days() as u64 / every;
        d = d + Days::new(periods * every);
    }
    while d <= last {
        if d >= first && !skip.contains(&d) {
            if let Some(t) = local_instant(tz, d, time) {
                out.push(Interval::new(t, minutes));
            }
        }
        match d.checked_add_days(Days::new(every)) {
            Some(next) => d = next,
            None => break,
        }
    }
}

/// The pain of one 30-minute step by its local start hour (ONLINE.md section 2).
pub fn hour_pain(hour: u32) -> u64 {
    match hour {
        8..=17 => 0,
        7 | 18..=20 => 1,
        6 | 21 | 22 => 3,
        _ => 10,
    }
}

/// The pain of a session for one zone: its 30-minute steps' local start hours.
pub fn session_pain(start: DateTime<Utc>, minutes: u32, tz: Tz) -> u64 {
    (0..minutes.div_ceil(30))
        .map(|k| {
            let t = start + Duration::minutes(30 * k as i64);
            hour_pain(t.with_timezone(&tz).hour())
        })
        .sum()
}

/// Whether a session has a 30-minute step starting in a zone's night (23:00-06:00).
pub fn reaches_night(session: &Interval, minutes: u32, tz: Tz) -> bool {
    (0..minutes.div_ceil(30)).any(|k| {
        let t = session.start + Duration::minutes(30 * k as i64);
        hour_pain(t.with_timezone(&tz).hour()) == 10
    })
}

/// A meeting's pain for each of its request's zones, summed over its sessions.
pub fn zone_pains(request: &Request, sessions: &[Interval]) -> Vec<u64> {
    request
        .zones
        .iter()
        .map(|z: &Zone| {
            sessions
                .iter()
                .map(|s| session_pain(s.start, request.minutes, z.tz))
                .sum()
        })
        .collect()
}

/// `interim-YYYY-ACRONYM-NN` split into (year, acronym, number).
pub fn parse_name(name: &str) -> Option<(i32, &str, u32)> {
    let rest = name.strip_prefix("interim-")?;
    let (year, rest) = rest.split_once('-')?;
    let (acronym, nn) = rest.rsplit_once('-')?;
    if year.len() != 4 || nn.len() < 2 || acronym.is_empty() {
        return None;
    }
    Some((year.parse().ok()?, acronym, nn.parse().ok()?))
}

/// The datatracker's name of a group's interim.
pub fn interim_name(year: i32, acronym: &str, number: u32) -> String {
    format!("interim-{year}-{acronym}-{number:02}")
}

/// Why a start is not a candidate; the planner's explanations count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Excluded {
    /// Before `now` + the notice period.
    Notice,
    /// Outside the request's `earliest`..`latest`.
    Window,
    /// Overlaps an IESG telechat.
    Telechat,
    /// A day in a week around an IETF meeting.
    Blackout,
    /// Overlaps an interim of the same group already on the calendar.
    SameGroup,
    /// The interims already on the calendar fill the parallel limit.
    Parallel,
    /// A multi-day meeting's later day has no such local time (DST), or is off the grid.
    LocalTime,
    /// Too early for its place in the series.
    SeriesOrder,
}

impl Excluded {
    pub fn describe(self) -> &'static str {
        match self {
            Excluded::Notice => "too soon to announce",
            Excluded::Window => "outside the requested dates",
            Excluded::Telechat => "an IESG telechat",
            Excluded::Blackout => "a week around an IETF meeting",
            Excluded::SameGroup => "another interim of the group",
            Excluded::Parallel => "the parallel limit, filled by announced interims",
            Excluded::LocalTime => "no such local time on a later day",
            Excluded::SeriesOrder => "too early for its place in the series",
        }
    }
}

/// The sessions of a meeting whose first session starts at `start`.
pub fn sessions_from(request: &Request, start: DateTime<Utc>) -> Option<Vec<Interval>> {
    match request.kind {
        Kind::MultiDay { days } => {
            let tz = request.zones[0].tz;
            let local = start.with_timezone(&tz);
            let mut out = Vec::with_capacity(days as usize);
            for d in 0..days {
                let date = local.date_naive().checked_add_days(Days::new(d as u64))?;
                let t = local_instant(tz, date, local.time())?;
                // The same local time must exist; a DST gap moves it and breaks the rule.
                if t.with_timezone(&tz).time() != local.time() {
                    return None;
                }
                out.push(Interval::new(t, request.minutes));
            }
            Some(out)
        }
        _ => Some(vec![Interval::new(start, request.minutes)]),
    }
}

/// The earliest instant a request's sessions may start.
pub fn notice_from(problem: &InterimProblem, request: &Request) -> DateTime<Utc> {
    problem.now + Duration::days(request.notice_days(&problem.rules) as i64)
}

/// The first hard rule of the calendar that a session breaks (the rules that do not
/// depend on the rest of the plan).
pub fn session_excluded(
    problem: &InterimProblem,
    request: &Request,
    s: &Interval,
) -> Option<Excluded> {
    if s.start < notice_from(problem, request) {
        return Some(Excluded::Notice);
    }
    let d = s.start.date_naive();
    if d < request.earliest || d > request.latest {
        return Some(Excluded::Window);
    }
    let step = problem.rules.step_minutes as i64;
    let minute = (s.start.hour() * 60 + s.start.minute()) as i64;
    if s.start.second() != 0 || s.start.nanosecond() != 0 || minute % step != 0 {
        return Some(Excluded::LocalTime);
    }
    if s.dates().iter().any(|&d| problem.blacked_out(d).is_some()) {
        return Some(Excluded::Blackout);
    }
    if overlapping(&problem.telechats, s).next().is_some() {
        return Some(Excluded::Telechat);
    }
    let group = &problem.groups[request.group].acronym;
    let mut announced = problem.existing.iter().filter(|e| !e.cancelled);
    if announced
        .clone()
        .any(|e| &e.group == group && e.interval.overlaps(s))
    {
        return Some(Excluded::SameGroup);
    }
    let max = problem.rules.max_parallel as usize;
    let busy: Vec<&Interval> = announced
        .by_ref()
        .map(|e| &e.interval)
        .filter(|i| i.overlaps(s))
        .collect();
    if busy.len() >= max && peak_within(&busy, s) >= max {
        return Some(Excluded::Parallel);
    }
    None
}

/// The most intervals of `list` (all overlapping `within`) open at one instant of it.
pub fn peak_within(list: &[&Interval], within: &Interval) -> usize {
    let mut events: Vec<(DateTime<Utc>, i32)> = Vec::new();
    for i in list {
        events.push((i.start.max(within.start), 1));
        events.push((i.end.min(within.end), -1));
    }
    // Ends before starts at the same instant: half-open intervals.
    events.sort_by_key(|&(t, d)| (t, d));
    let (mut open, mut peak) = (0i32, 0i32);
    for (_, d) in events {
        open += d;
        peak = peak.max(open);
    }
    peak.max(0) as usize
}

/// The intervals of a sorted list that overlap `s`.
pub fn overlapping<'a>(
    sorted: &'a [Interval],
    s: &'a Interval,
) -> impl Iterator<Item = &'a Interval> + 'a {
    // Intervals are at most a day long, so any overlap starts within a day before `s`.
    let from = sorted.partition_point(|i| i.start + Duration::days(1) <= s.start);
    sorted[from..]
        .iter()
        .take_while(move |i| i.start < s.end)
        .filter(move |i| i.overlaps(s))
}

/// One place a meeting can go: the starts of its sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub sessions: Vec<Interval>,
}

impl Candidate {
    pub fn start(&self) -> DateTime<Utc> {
        self.sessions[0].start
    }

    pub fn overlaps(&self, other: &Candidate) -> bool {
        self.sessions
            .iter()
            .any(|a| other.sessions.iter().any(|b| a.overlaps(b)))
    }

    /// Overlapping pairs of sessions (what a conflict declaration pays per).
    pub fn overlapping_pairs(&self, other: &[Interval]) -> u64 {
        let mut n = 0;
        for a in &self.sessions {
            for b in other {
                if a.overlaps(b) {
                    n += 1;
                }
            }
        }
        n
    }
}

/// The candidates of one meeting, and how many grid starts each rule excluded.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    pub list: Vec<Candidate>,
    pub excluded: std::collections::BTreeMap<Excluded, usize>,
}

/// Every start on the UTC grid within the request's window that the calendar allows.
/// A series' k-th meeting starts no earlier than `earliest` + (k-1) x (every_days - 3):
/// the planner places a series' meetings in order.
pub fn candidates(problem: &InterimProblem, m: MeetingRef) -> Candidates {
    let request = &problem.requests[m.request];
    let step = Duration::minutes(problem.rules.step_minutes as i64);
    let mut out = Candidates::default();
    let Some(first_day) = request.earliest.and_hms_opt(0, 0, 0) else {
        return out;
    };
    let mut t = first_day.and_utc();
    let end = request
        .latest
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .unwrap_or(t);
    let series_floor = match request.kind {
        Kind::Series { every_days, .. } => request.earliest.checked_add_days(Days::new(
            (m.index as u64 - 1) * (every_days as u64).saturating_sub(SERIES_SLACK_DAYS as u64),
        )),
        _ => Some(request.earliest),
    };
    while t < end {
        let verdict = if series_floor.is_none_or(|f| t.date_naive() < f) {
            Err(Excluded::SeriesOrder)
        } else {
            match sessions_from(request, t) {
                None => Err(Excluded::LocalTime),
                Some(sessions) => match sessions
                    .iter()
                    .find_map(|s| session_excluded(problem, request, s))
                {
                    Some(e) => Err(e),
                    None => Ok(Candidate { sessions }),
                },
            }
        };
        match verdict {
            Ok(c) => out.list.push(c),
            Err(e) => *out.excluded.entry(e).or_default() += 1,
        }
        t += step;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn telechat_rule_follows_los_angeles_daylight_saving() {
        let rule = json!({"first": "2027-01-07", "time": "07:00", "time_zone": "America/Los_Angeles",
                          "every_days": 14, "minutes": 150});
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let list = telechats(&rule, d("2027-01-01"), d("2027-04-30")).unwrap();
        assert_eq!(list[0].start, utc("2027-01-07T15:00:00Z"));
        assert_eq!(list[0].end, utc("2027-01-07T17:30:00Z"));
        let april = list.iter().find(|i| i.start.month() == 4).unwrap();
        assert_eq!(april.start, utc("2027-04-01T14:00:00Z"));
        assert!(list
            .iter()
            .all(|i| i.start.weekday() == chrono::Weekday::Thu));
    }

    #[test]
    fn telechat_rule_skips_dates_and_mixes_with_a_list() {
        let spec = json!([
            {"first": "2027-01-07", "time": "07:00", "time_zone": "America/Los_Angeles",
             "every_days": 14, "minutes": 150, "skip": ["2027-01-21"]},
            {"start": "2027-01-14T15:00:00Z", "minutes": 90}
        ]);
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let list = telechats(&spec, d("2027-01-01"), d("2027-02-01")).unwrap();
        let starts: Vec<_> = list.iter().map(|i| i.start).collect();
        assert_eq!(
            starts,
            vec![utc("2027-01-07T15:00:00Z"), utc("2027-01-14T15:00:00Z")]
        );
    }

    #[test]
    fn malformed_telechat_rules_name_each_field() {
        let rule = json!({"first": "2027-13-07", "time": "7am", "time_zone": "Mars/Olympus",
                          "every_days": 0, "minutes": 150});
        let d = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let errors = telechats(&rule, d, d).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(fields, vec![".first", ".time", ".time_zone", ".every_days"]);
    }

    #[test]
    fn pain_table_by_local_hour() {
        let expected = [
            10, 10, 10, 10, 10, 10, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 3, 3, 10,
        ];
        for (h, &p) in expected.iter().enumerate() {
            assert_eq!(hour_pain(h as u32), p, "hour {h}");
        }
        // 90 minutes from 16:00 Berlin (15:00 UTC in winter): 16, 16:30, 17 -> 0.
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(session_pain(utc("2027-02-03T15:00:00Z"), 90, berlin), 0);
        // From 17:30 Berlin: 17:30 (0), 18:00 (1), 18:30 (1).
        assert_eq!(session_pain(utc("2027-02-03T16:30:00Z"), 90, berlin), 2);
        // 45 minutes take two steps.
        assert_eq!(session_pain(utc("2027-02-03T22:00:00Z"), 45, berlin), 20);
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(parse_name("interim-2027-core-07"), Some((2027, "core", 7)));
        assert_eq!(
            parse_name("interim-2027-6man-112"),
            Some((2027, "6man", 112))
        );
        assert_eq!(
            parse_name("interim-2027-dns-sd-01"),
            Some((2027, "dns-sd", 1))
        );
        assert_eq!(parse_name("ietf-107"), None);
        assert_eq!(interim_name(2027, "core", 8), "interim-2027-core-08");
    }

    #[test]
    fn intervals_are_half_open() {
        let a = Interval::new(utc("2027-01-01T10:00:00Z"), 60);
        let b = Interval::new(utc("2027-01-01T11:00:00Z"), 60);
        assert!(!a.overlaps(&b) && !b.overlaps(&a));
        let c = Interval::new(utc("2027-01-01T10:59:00Z"), 60);
        assert!(a.overlaps(&c));
        let night = Interval::new(utc("2027-01-03T23:30:00Z"), 60);
        assert_eq!(
            night.dates().map(|d| d.to_string()),
            ["2027-01-03".to_string(), "2027-01-04".to_string()]
        );
    }

    #[test]
    fn peak_counts_half_open_overlaps() {
        let i = |s: &str, m| Interval::new(utc(s), m);
        let a = i("2027-01-01T10:00:00Z", 60);
        let b = i("2027-01-01T11:00:00Z", 60);
        let c = i("2027-01-01T10:30:00Z", 60);
        let within = i("2027-01-01T09:00:00Z", 240);
        assert_eq!(peak_within(&[&a, &b], &within), 1);
        assert_eq!(peak_within(&[&a, &b, &c], &within), 2);
    }
}
