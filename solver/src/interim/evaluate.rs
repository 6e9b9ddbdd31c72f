//! The evaluator of interim plans: the single source of truth for what a plan breaks
//! and costs (ONLINE.md section 2). `agenda interim check`, the planner's reported
//! cost and the service all call [`evaluate`]; each hard rule and each cost kind is
//! one function below with its own tests.

use super::calendar::{self, interim_name, parse_name, Interval};
use super::model::{
    ConflictClass, InterimCostKind, InterimProblem, Kind, MeetingRef, SERIES_SLACK_DAYS,
};
use super::plan::{InterimPlan, PlanViolation, INTERIM_PLAN_FORMAT};
use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Where each requested meeting is: its sessions, by position in
/// [`InterimProblem::meetings`] (`None`: unplaced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Per meeting, its sessions' intervals, or `None` when unplaced.
    pub sessions: Vec<Option<Vec<Interval>>>,
}

impl Placement {
    /// Every meeting unplaced.
    pub fn empty(problem: &InterimProblem) -> Placement {
        Placement {
            sessions: vec![None; problem.meetings.len()],
        }
    }

    fn placed(&self) -> impl Iterator<Item = (usize, &Vec<Interval>)> + '_ {
        self.sessions
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
    }
}

/// The hard rules of ONLINE.md section 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HardRule {
    /// The plan names a request or meeting that does not exist, twice, or not at all.
    Reference,
    /// A session's length is not the request's `minutes`, or a meeting has the wrong
    /// number of sessions.
    Length,
    /// A session starts before `now` plus the notice period.
    Notice,
    /// A session starts outside the request's [`earliest`, `latest`] window.
    Window,
    /// A session does not start on the `step_minutes` grid.
    Grid,
    /// A session overlaps an IESG telechat.
    Telechat,
    /// A session falls in a blacked-out week.
    Blackout,
    /// A session overlaps another meeting of the same group.
    SameGroup,
    /// More than `max_parallel` interims at one instant.
    Parallel,
    /// A multi-day meeting's days are not consecutive at the same local time.
    MultiDay,
    /// A series' meetings are not `every_days` apart, give or take 3 days.
    SeriesSpacing,
    /// A meeting's name is not the one the datatracker would give it.
    Name,
    /// The plan's `cost` or `lower_bound` disagrees with the evaluator.
    Cost,
}

/// One broken hard rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HardError {
    /// The rule broken.
    pub rule: HardRule,
    /// The meeting concerned (its name, or its request's group and position).
    pub meeting: String,
    /// What is wrong, in a sentence.
    pub message: String,
}

/// What a placement breaks and costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterimEvaluation {
    /// Broken hard rules; a plan with any is not acceptable.
    pub errors: Vec<HardError>,
    /// Priced breaches, in ONLINE.md table order.
    pub violations: Vec<PlanViolation>,
    /// Sum of the violations' penalties.
    pub cost: u64,
    /// Per penalty key.
    pub cost_by_kind: BTreeMap<String, u64>,
    /// The name each placed meeting gets (by meeting position).
    #[serde(skip)]
    pub names: Vec<Option<String>>,
}

impl InterimEvaluation {
    /// Whether no hard rule is broken.
    pub fn is_acceptable(&self) -> bool {
        self.errors.is_empty()
    }
}

struct Ctx<'a> {
    problem: &'a InterimProblem,
    placement: &'a Placement,
    names: &'a [Option<String>],
}

impl Ctx<'_> {
    fn label(&self, id: usize) -> String {
        match &self.names[id] {
            Some(n) => n.clone(),
            None => meeting_label(self.problem, self.problem.meetings[id]),
        }
    }
}

/// How a meeting without a name is called in messages: `core request 0 meeting 2`.
pub fn meeting_label(problem: &InterimProblem, m: MeetingRef) -> String {
    format!(
        "{} request {} meeting {}",
        problem.group_of(m).acronym,
        m.request,
        m.index
    )
}

/// The datatracker's names for every placed meeting: per group and year (of the first
/// session's UTC date), numbered after the highest number already used (cancelled
/// meetings included), in order of first start.
pub fn assign_names(problem: &InterimProblem, placement: &Placement) -> Vec<Option<String>> {
    let mut used: HashMap<(String, i32), u32> = HashMap::new();
    for e in &problem.existing {
        if let Some((year, acronym, nn)) = parse_name(&e.name) {
            let top = used.entry((acronym.to_string(), year)).or_default();
            *top = (*top).max(nn);
        }
    }
    let mut order: Vec<(DateTime<Utc>, usize)> =
        placement.placed().map(|(id, s)| (s[0].start, id)).collect();
    order.sort();
    let mut names = vec![None; problem.meetings.len()];
    for (start, id) in order {
        let acronym = &problem.group_of(problem.meetings[id]).acronym;
        let top = used.entry((acronym.clone(), start.year())).or_default();
        *top += 1;
        names[id] = Some(interim_name(start.year(), acronym, *top));
    }
    names
}

/// Prices a placement under the problem's rules; names are assigned as the
/// datatracker would.
pub fn evaluate(problem: &InterimProblem, placement: &Placement) -> InterimEvaluation {
    let names = assign_names(problem, placement);
    evaluate_named(problem, placement, names, Vec::new())
}

fn evaluate_named(
    problem: &InterimProblem,
    placement: &Placement,
    names: Vec<Option<String>>,
    mut errors: Vec<HardError>,
) -> InterimEvaluation {
    let ctx = Ctx {
        problem,
        placement,
        names: &names,
    };
    for rule in [
        notice,
        window,
        grid,
        telechat,
        blackout,
        same_group,
        parallel,
        multi_day,
        series_spacing,
    ] {
        errors.extend(rule(&ctx));
    }
    let mut violations = Vec::new();
    for kind in InterimCostKind::ALL {
        violations.extend(kind_violations(kind, &ctx));
    }
    let mut cost_by_kind = BTreeMap::new();
    let mut cost = 0u64;
    for v in &violations {
        *cost_by_kind.entry(v.kind.clone()).or_insert(0u64) = cost_by_kind
            .get(&v.kind)
            .copied()
            .unwrap_or(0)
            .saturating_add(v.penalty);
        cost = cost.saturating_add(v.penalty);
    }
    InterimEvaluation {
        errors,
        violations,
        cost,
        cost_by_kind,
        names,
    }
}

/// The violations of one kind.
fn kind_violations(kind: InterimCostKind, ctx: &Ctx) -> Vec<PlanViolation> {
    match kind {
        InterimCostKind::Unplaced => unplaced(ctx),
        InterimCostKind::ChairConflict => conflicts(ctx, ConflictClass::Chair),
        InterimCostKind::KeyParticipant => conflicts(ctx, ConflictClass::KeyParticipant),
        InterimCostKind::TechOverlap => conflicts(ctx, ConflictClass::Technology),
        InterimCostKind::WorstZone => worst_zone(ctx),
        InterimCostKind::Pain => pain(ctx),
        InterimCostKind::AvoidedWeekday => avoided_weekday(ctx),
    }
}

fn violation(
    ctx: &Ctx,
    kind: InterimCostKind,
    meeting: String,
    other: Option<String>,
    units: u64,
    message: String,
) -> PlanViolation {
    PlanViolation {
        kind: kind.key().to_string(),
        meeting,
        other,
        penalty: ctx.problem.rules.penalties.get(kind).saturating_mul(units),
        message,
    }
}

fn each_session<'a>(ctx: &'a Ctx) -> impl Iterator<Item = (usize, &'a Interval)> + 'a {
    ctx.placement
        .placed()
        .flat_map(|(id, sessions)| sessions.iter().map(move |s| (id, s)))
}

fn request_of<'a>(ctx: &'a Ctx, id: usize) -> &'a super::model::Request {
    &ctx.problem.requests[ctx.problem.meetings[id].request]
}

fn hard(ctx: &Ctx, rule: HardRule, id: usize, message: String) -> HardError {
    HardError {
        rule,
        meeting: ctx.label(id),
        message,
    }
}

/// Notice: every session starts at or after `now` + `announce_days` (in-person or
/// hybrid: 56 days).
fn notice(ctx: &Ctx) -> Vec<HardError> {
    each_session(ctx)
        .filter_map(|(id, s)| {
            let r = request_of(ctx, id);
            let from = calendar::notice_from(ctx.problem, r);
            (s.start < from).then(|| {
                hard(
                    ctx,
                    HardRule::Notice,
                    id,
                    format!(
                        "starts {}, before {} ({} days' notice from {})",
                        s.start.format("%Y-%m-%d %H:%M UTC"),
                        from.format("%Y-%m-%d %H:%M UTC"),
                        r.notice_days(&ctx.problem.rules),
                        ctx.problem.now.format("%Y-%m-%d %H:%M UTC")
                    ),
                )
            })
        })
        .collect()
}

/// Window: every session's UTC start date is within `earliest`..=`latest`.
fn window(ctx: &Ctx) -> Vec<HardError> {
    each_session(ctx)
        .filter_map(|(id, s)| {
            let r = request_of(ctx, id);
            let d = s.start.date_naive();
            (d < r.earliest || d > r.latest).then(|| {
                hard(
                    ctx,
                    HardRule::Window,
                    id,
                    format!(
                        "starts on {d}, outside the requested {}..{}",
                        r.earliest, r.latest
                    ),
                )
            })
        })
        .collect()
}

/// Grid: every session starts on the `step_minutes` grid of UTC.
fn grid(ctx: &Ctx) -> Vec<HardError> {
    use chrono::Timelike;
    let step = ctx.problem.rules.step_minutes;
    each_session(ctx)
        .filter_map(|(id, s)| {
            let t = s.start;
            let on =
                t.second() == 0 && t.nanosecond() == 0 && (t.hour() * 60 + t.minute()) % step == 0;
            (!on).then(|| {
                hard(
                    ctx,
                    HardRule::Grid,
                    id,
                    format!(
                        "starts at {}, not on the {step}-minute grid of UTC",
                        t.format("%H:%M:%S UTC")
                    ),
                )
            })
        })
        .collect()
}

/// Telechat: no session overlaps an IESG telechat.
fn telechat(ctx: &Ctx) -> Vec<HardError> {
    each_session(ctx)
        .filter_map(|(id, s)| {
            calendar::overlapping(&ctx.problem.telechats, s)
                .next()
                .map(|t| {
                    hard(
                        ctx,
                        HardRule::Telechat,
                        id,
                        format!(
                            "overlaps the IESG telechat of {}",
                            t.start.format("%Y-%m-%d %H:%M UTC")
                        ),
                    )
                })
        })
        .collect()
}

/// Blackout: neither the UTC date of a session's start nor that of its last instant
/// lies in a week around an IETF meeting.
fn blackout(ctx: &Ctx) -> Vec<HardError> {
    each_session(ctx)
        .filter_map(|(id, s)| {
            s.dates()
                .iter()
                .find_map(|&d| ctx.problem.blacked_out(d))
                .map(|(mon, sun)| {
                    hard(
                        ctx,
                        HardRule::Blackout,
                        id,
                        format!("falls in the blackout week {mon}..{sun} around an IETF meeting"),
                    )
                })
        })
        .collect()
}

/// Same group: no two meetings of one group overlap (announced interims included).
fn same_group(ctx: &Ctx) -> Vec<HardError> {
    let mut out = Vec::new();
    let placed: Vec<(usize, &Vec<Interval>)> = ctx.placement.placed().collect();
    for (i, &(a, sa)) in placed.iter().enumerate() {
        let ga = request_of(ctx, a).group;
        for &(b, sb) in &placed[i + 1..] {
            if request_of(ctx, b).group == ga && sa.iter().any(|x| sb.iter().any(|y| x.overlaps(y)))
            {
                out.push(hard(
                    ctx,
                    HardRule::SameGroup,
                    a,
                    format!("overlaps {} of the same group", ctx.label(b)),
                ));
            }
        }
        let acronym = &ctx.problem.groups[ga].acronym;
        for e in ctx
            .problem
            .existing
            .iter()
            .filter(|e| !e.cancelled && &e.group == acronym)
        {
            if sa.iter().any(|x| x.overlaps(&e.interval)) {
                out.push(hard(
                    ctx,
                    HardRule::SameGroup,
                    a,
                    format!("overlaps {} of the same group", e.name),
                ));
            }
        }
    }
    out
}

/// Parallel: at no instant do more than `max_parallel` interims (planned and
/// announced) run. One error per start instant over the limit at which a planned
/// session is open, named after the planned session that opened last.
fn parallel(ctx: &Ctx) -> Vec<HardError> {
    let max = ctx.problem.rules.max_parallel as usize;
    // (instant, +1 start / -1 end, planned meeting): ends sort before starts at one
    // instant, since intervals are half-open.
    let mut events: Vec<(DateTime<Utc>, i8, Option<usize>)> = Vec::new();
    for (id, s) in each_session(ctx) {
        events.push((s.start, 1, Some(id)));
        events.push((s.end, -1, Some(id)));
    }
    for e in ctx.problem.existing.iter().filter(|e| !e.cancelled) {
        events.push((e.interval.start, 1, None));
        events.push((e.interval.end, -1, None));
    }
    events.sort();
    let mut out = Vec::new();
    let (mut open, mut planned) = (0usize, Vec::<usize>::new());
    let mut k = 0;
    while k < events.len() {
        let at = events[k].0;
        let mut opened = false;
        while k < events.len() && events[k].0 == at {
            let (_, delta, id) = events[k];
            if delta < 0 {
                open -= 1;
                if let Some(id) = id {
                    if let Some(p) = planned.iter().position(|&x| x == id) {
                        planned.remove(p);
                    }
                }
            } else {
                open += 1;
                opened = true;
                if let Some(id) = id {
                    planned.push(id);
                }
            }
            k += 1;
        }
        if opened && open > max {
            if let Some(&id) = planned.last() {
                out.push(hard(
                    ctx,
                    HardRule::Parallel,
                    id,
                    format!(
                        "{open} interims run at {}, more than the limit of {max}",
                        at.format("%Y-%m-%d %H:%M UTC")
                    ),
                ));
            }
        }
    }
    out
}

/// Multi-day: `days` sessions on consecutive local dates at the same local time of the
/// first participant zone.
fn multi_day(ctx: &Ctx) -> Vec<HardError> {
    let mut out = Vec::new();
    for (id, sessions) in ctx.placement.placed() {
        let r = request_of(ctx, id);
        let Kind::MultiDay { .. } = r.kind else {
            continue;
        };
        let tz = r.zones[0].tz;
        let first = sessions[0].start.with_timezone(&tz);
        for (k, s) in sessions.iter().enumerate().skip(1) {
            let local = s.start.with_timezone(&tz);
            let day = first
                .date_naive()
                .checked_add_days(chrono::Days::new(k as u64));
            if Some(local.date_naive()) != day || local.time() != first.time() {
                out.push(hard(
                    ctx,
                    HardRule::MultiDay,
                    id,
                    format!(
                        "session {} starts {} in {}, not the next day at {}",
                        k + 1,
                        local.format("%Y-%m-%d %H:%M"),
                        tz.name(),
                        first.format("%H:%M")
                    ),
                ));
            }
        }
    }
    out
}

/// Series spacing: placed meetings in index order, each `every_days` +- 3 days after
/// the previous placed one (k x that when k - 1 meetings between are unplaced),
/// counted between UTC start dates.
fn series_spacing(ctx: &Ctx) -> Vec<HardError> {
    let mut out = Vec::new();
    let mut last: HashMap<usize, (u32, DateTime<Utc>)> = HashMap::new();
    for (id, m) in ctx.problem.meetings.iter().enumerate() {
        let r = &ctx.problem.requests[m.request];
        let Kind::Series { every_days, .. } = r.kind else {
            continue;
        };
        let Some(sessions) = &ctx.placement.sessions[id] else {
            continue;
        };
        let start = sessions[0].start;
        if let Some(&(index, prev)) = last.get(&m.request) {
            let k = (m.index - index) as i64;
            let gap = (start.date_naive() - prev.date_naive()).num_days();
            let (lo, hi) = (
                k * (every_days as i64 - SERIES_SLACK_DAYS),
                k * (every_days as i64 + SERIES_SLACK_DAYS),
            );
            if gap < lo || gap > hi {
                out.push(hard(
                    ctx,
                    HardRule::SeriesSpacing,
                    id,
                    format!(
                        "starts {gap} days after meeting {index} of the series, not {lo}..{hi}"
                    ),
                ));
            }
        }
        last.insert(m.request, (m.index, start));
    }
    out
}

/// `unplaced`: per requested meeting not placed.
fn unplaced(ctx: &Ctx) -> Vec<PlanViolation> {
    (0..ctx.problem.meetings.len())
        .filter(|&id| ctx.placement.sessions[id].is_none())
        .map(|id| {
            violation(
                ctx,
                InterimCostKind::Unplaced,
                ctx.label(id),
                None,
                1,
                "is not placed".into(),
            )
        })
        .collect()
}

/// Per group: (the planned meeting, if any, the session's name, its interval).
type GroupSessions<'a> = HashMap<usize, Vec<(Option<usize>, String, &'a Interval)>>;

/// The sessions of each group: planned (with their meeting) and announced.
fn sessions_by_group<'a>(ctx: &'a Ctx) -> GroupSessions<'a> {
    let mut by: GroupSessions = HashMap::new();
    for (id, s) in each_session(ctx) {
        by.entry(request_of(ctx, id).group)
            .or_default()
            .push((Some(id), ctx.label(id), s));
    }
    for e in ctx.problem.existing.iter().filter(|e| !e.cancelled) {
        if let Some(g) = e.group_index {
            by.entry(g)
                .or_default()
                .push((None, e.name.clone(), &e.interval));
        }
    }
    by
}

/// `chair_conflict`, `key_participant`, `tech_overlap`: per declaration of the class,
/// per overlapping pair of sessions (one of the declaring group, one of the declared
/// group) of which at least one is planned. Directed: mutual declarations pay twice.
fn conflicts(ctx: &Ctx, class: ConflictClass) -> Vec<PlanViolation> {
    let by = sessions_by_group(ctx);
    let mut out = Vec::new();
    let kind = class.cost_kind();
    let mut groups: Vec<&usize> = by.keys().collect();
    groups.sort();
    for &g in groups {
        for &(c, target) in &ctx.problem.groups[g].conflicts {
            if c != class {
                continue;
            }
            let (Some(ours), Some(theirs)) = (by.get(&g), by.get(&target)) else {
                continue;
            };
            for (a_id, a_name, a) in ours {
                for (b_id, b_name, b) in theirs {
                    if (a_id.is_some() || b_id.is_some()) && a.overlaps(b) {
                        let message = format!(
                            "{a_name} overlaps {b_name}, a {} conflict declared by {}",
                            kind.key().replace('_', " "),
                            ctx.problem.groups[g].acronym
                        );
                        out.push(violation(
                            ctx,
                            kind,
                            a_name.clone(),
                            Some(b_name.clone()),
                            1,
                            message,
                        ));
                    }
                }
            }
        }
    }
    out
}

/// Each zone's pain summed over the placed meetings of request `r` (unweighted).
pub fn request_zone_pain(problem: &InterimProblem, placement: &Placement, r: usize) -> Vec<u64> {
    let req = &problem.requests[r];
    let mut sums = vec![0u64; req.zones.len()];
    for (id, m) in problem.meetings.iter().enumerate() {
        if m.request != r {
            continue;
        }
        if let Some(sessions) = &placement.sessions[id] {
            for (z, p) in calendar::zone_pains(req, sessions).into_iter().enumerate() {
                sums[z] += p;
            }
        }
    }
    sums
}

/// `worst_zone`: per request, the largest over its zones of the zone's (unweighted)
/// pain summed over the request's meetings.
fn worst_zone(ctx: &Ctx) -> Vec<PlanViolation> {
    let mut out = Vec::new();
    for (r, req) in ctx.problem.requests.iter().enumerate() {
        let sums = request_zone_pain(ctx.problem, ctx.placement, r);
        let Some((z, &worst)) = sums
            .iter()
            .enumerate()
            .max_by_key(|&(z, &p)| (p, std::cmp::Reverse(z)))
        else {
            continue;
        };
        if worst > 0 {
            let who = ctx.problem.groups[req.group].acronym.clone();
            let message = format!(
                "request {r}: {} pays {worst} over the request's meetings",
                req.zones[z].name
            );
            out.push(violation(
                ctx,
                InterimCostKind::WorstZone,
                format!("{who} request {r}"),
                None,
                worst,
                message,
            ));
        }
    }
    out
}

/// `pain`: per meeting, over its request's zones, weight x pain (weight 1, or the
/// zone's head count under `head` weighting).
fn pain(ctx: &Ctx) -> Vec<PlanViolation> {
    ctx.placement
        .placed()
        .filter_map(|(id, sessions)| {
            let r = request_of(ctx, id);
            let units = weighted_pain(r, sessions);
            (units > 0).then(|| {
                violation(
                    ctx,
                    InterimCostKind::Pain,
                    ctx.label(id),
                    None,
                    units,
                    format!("weighted pain {units}"),
                )
            })
        })
        .collect()
}

/// A meeting's weighted pain over its request's zones.
pub fn weighted_pain(r: &super::model::Request, sessions: &[Interval]) -> u64 {
    calendar::zone_pains(r, sessions)
        .iter()
        .zip(&r.zones)
        .map(|(&p, z)| p.saturating_mul(r.weight(z)))
        .fold(0u64, u64::saturating_add)
}

/// `avoided_weekday`: per meeting whose first session starts, in the first participant
/// zone, on a weekday its request avoids.
fn avoided_weekday(ctx: &Ctx) -> Vec<PlanViolation> {
    ctx.placement
        .placed()
        .filter_map(|(id, sessions)| {
            let r = request_of(ctx, id);
            let day = sessions[0].start.with_timezone(&r.zones[0].tz).weekday();
            r.avoid_weekdays.contains(&day).then(|| {
                violation(
                    ctx,
                    InterimCostKind::AvoidedWeekday,
                    ctx.label(id),
                    None,
                    1,
                    format!("meets on {day}, which the request avoids"),
                )
            })
        })
        .collect()
}

/// Resolves a plan document against the problem and evaluates it: reference errors
/// (unknown requests, meetings placed twice or missing, wrong lengths, wrong names,
/// a claimed cost or bound the evaluator disagrees with) join the hard rules.
pub fn check_plan(problem: &InterimProblem, plan: &InterimPlan) -> InterimEvaluation {
    let mut errors = Vec::new();
    let mut placement = Placement::empty(problem);
    let mut seen = vec![false; problem.meetings.len()];
    let mut claimed: Vec<Option<String>> = vec![None; problem.meetings.len()];
    if plan.format != INTERIM_PLAN_FORMAT {
        errors.push(reference(
            "plan".into(),
            format!(
                "format is {:?}, expected {INTERIM_PLAN_FORMAT:?}",
                plan.format
            ),
        ));
    }
    for m in &plan.meetings {
        let Some(id) = resolve(
            problem,
            &mut seen,
            &mut errors,
            (m.request, m.index, &m.group),
            &m.name,
        ) else {
            continue;
        };
        let r = &problem.requests[m.request];
        let mut sessions = Vec::new();
        for (k, s) in m.sessions.iter().enumerate() {
            let start = super::model::parse_instant(&s.start);
            let end = super::model::parse_instant(&s.end);
            match (start, end) {
                (Some(a), Some(b))
                    if (b - a).num_minutes() == r.minutes as i64
                        && (b - a).num_seconds() % 60 == 0 =>
                {
                    sessions.push(Interval::new(a, r.minutes));
                }
                (Some(a), Some(b)) => errors.push(HardError {
                    rule: HardRule::Length,
                    meeting: m.name.clone(),
                    message: format!(
                        "session {} lasts {} minutes, the request asks for {}",
                        k + 1,
                        (b - a).num_minutes(),
                        r.minutes
                    ),
                }),
                _ => errors.push(reference(
                    m.name.clone(),
                    format!(
                        "session {} has a start or end that is not an RFC 3339 instant",
                        k + 1
                    ),
                )),
            }
        }
        if sessions.len() != m.sessions.len() {
            continue;
        }
        if sessions.len() != r.sessions_per_meeting() as usize {
            errors.push(HardError {
                rule: HardRule::Length,
                meeting: m.name.clone(),
                message: format!(
                    "has {} sessions, the request asks for {}",
                    sessions.len(),
                    r.sessions_per_meeting()
                ),
            });
            continue;
        }
        claimed[id] = Some(m.name.clone());
        placement.sessions[id] = Some(sessions);
    }
    for u in &plan.unplaced {
        resolve(
            problem,
            &mut seen,
            &mut errors,
            (u.request, u.index, &u.group),
            &format!(
                "unplaced {} request {} meeting {}",
                u.group, u.request, u.index
            ),
        );
    }
    for (id, m) in problem.meetings.iter().enumerate() {
        if !seen[id] {
            errors.push(reference(
                meeting_label(problem, *m),
                "is neither planned nor listed as unplaced".into(),
            ));
        }
    }
    let names = assign_names(problem, &placement);
    for (id, name) in names.iter().enumerate() {
        if let (Some(want), Some(have)) = (name, &claimed[id]) {
            if want != have {
                errors.push(HardError {
                    rule: HardRule::Name,
                    meeting: have.clone(),
                    message: format!("the datatracker would name it {want}"),
                });
            }
        }
    }
    let mut eval = evaluate_named(problem, &placement, names, errors);
    if plan.cost != eval.cost {
        eval.errors.push(HardError {
            rule: HardRule::Cost,
            meeting: "plan".into(),
            message: format!(
                "the plan says it costs {}, the evaluator finds {}",
                plan.cost, eval.cost
            ),
        });
    }
    if plan.lower_bound.is_some_and(|b| b > eval.cost) {
        eval.errors.push(HardError {
            rule: HardRule::Cost,
            meeting: "plan".into(),
            message: format!(
                "the plan's lower bound {} is above its cost {}",
                plan.lower_bound.unwrap_or(0),
                eval.cost
            ),
        });
    }
    if plan.status == "optimal" && plan.lower_bound != Some(eval.cost) {
        eval.errors.push(HardError {
            rule: HardRule::Cost,
            meeting: "plan".into(),
            message: "the plan says optimal but its lower bound is not its cost".into(),
        });
    }
    eval
}

fn reference(meeting: String, message: String) -> HardError {
    HardError {
        rule: HardRule::Reference,
        meeting,
        message,
    }
}

/// The meeting a plan entry names, once; reference errors otherwise.
fn resolve(
    problem: &InterimProblem,
    seen: &mut [bool],
    errors: &mut Vec<HardError>,
    (request, index, group): (usize, u32, &str),
    what: &str,
) -> Option<usize> {
    let id = (request < problem.requests.len())
        .then(|| problem.meeting_id(MeetingRef { request, index }))
        .flatten();
    match id {
        None => {
            errors.push(reference(
                what.into(),
                format!("request {request} has no meeting {index}"),
            ));
            None
        }
        Some(id) if problem.group_of(problem.meetings[id]).acronym != group => {
            errors.push(reference(
                what.into(),
                format!(
                    "request {request} is {}'s, not {group}'s",
                    problem.group_of(problem.meetings[id]).acronym
                ),
            ));
            None
        }
        Some(id) if seen[id] => {
            errors.push(reference(
                what.into(),
                format!("request {request} meeting {index} is listed twice"),
            ));
            None
        }
        Some(id) => {
            seen[id] = true;
            Some(id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interim::testing::{base, place, problem, request};
    use serde_json::json;

    /// Evaluates the placement that `spec` gives.
    fn at(p: &InterimProblem, spec: &[(usize, u32, &[&str])]) -> InterimEvaluation {
        evaluate(p, &place(p, spec))
    }

    fn rules(e: &InterimEvaluation) -> Vec<HardRule> {
        e.errors.iter().map(|h| h.rule).collect()
    }

    fn kind_cost(e: &InterimEvaluation, kind: &str) -> u64 {
        e.cost_by_kind.get(kind).copied().unwrap_or(0)
    }

    #[test]
    fn a_daytime_meeting_breaks_nothing_and_costs_nothing() {
        let p = problem(base());
        let e = at(&p, &[(0, 1, &["2027-01-05T10:00:00Z"])]);
        assert!(e.errors.is_empty(), "{:?}", e.errors);
        assert_eq!(e.cost, 0);
        assert_eq!(e.names[0].as_deref(), Some("interim-2027-a-01"));
    }

    #[test]
    fn notice_counts_from_now_plus_the_announce_days() {
        let mut f = base();
        f["now"] = json!("2026-12-22T10:00:00Z");
        let p = problem(f);
        // 14 days after now is 2027-01-05T10:00Z: one minute... one step earlier breaks it.
        let late = at(&p, &[(0, 1, &["2027-01-05T10:00:00Z"])]);
        assert!(late.errors.is_empty());
        let early = at(&p, &[(0, 1, &["2027-01-05T09:30:00Z"])]);
        assert_eq!(rules(&early), vec![HardRule::Notice]);
        // In person: 56 days.
        let mut f = base();
        f["requests"][0]["in_person"] = json!(true);
        let p = problem(f);
        let e = at(&p, &[(0, 1, &["2027-01-20T10:00:00Z"])]);
        assert_eq!(rules(&e), vec![HardRule::Notice]);
    }

    #[test]
    fn window_is_the_utc_start_date_inclusive() {
        let p = problem(base());
        let last = at(&p, &[(0, 1, &["2027-01-29T23:00:00Z"])]);
        assert!(!rules(&last).contains(&HardRule::Window));
        let after = at(&p, &[(0, 1, &["2027-01-30T00:00:00Z"])]);
        assert_eq!(rules(&after), vec![HardRule::Window]);
    }

    #[test]
    fn starts_must_lie_on_the_utc_grid() {
        let p = problem(base());
        let e = at(&p, &[(0, 1, &["2027-01-05T10:15:00Z"])]);
        assert_eq!(rules(&e), vec![HardRule::Grid]);
        let mut f = base();
        f["rules"] = json!({"step_minutes": 15});
        let p = problem(f);
        let e = at(&p, &[(0, 1, &["2027-01-05T10:15:00Z"])]);
        assert!(e.errors.is_empty());
    }

    #[test]
    fn telechats_are_half_open() {
        let mut f = base();
        f["calendar"] = json!({"telechats": [{"start": "2027-01-07T15:00:00Z", "minutes": 150}]});
        let p = problem(f);
        let before = at(&p, &[(0, 1, &["2027-01-07T14:00:00Z"])]);
        assert!(before.errors.is_empty());
        let inside = at(&p, &[(0, 1, &["2027-01-07T17:00:00Z"])]);
        assert_eq!(rules(&inside), vec![HardRule::Telechat]);
        let after = at(&p, &[(0, 1, &["2027-01-07T17:30:00Z"])]);
        assert!(after.errors.is_empty());
    }

    #[test]
    fn blackout_weeks_run_monday_to_sunday_around_each_meeting() {
        let mut f = base();
        // IETF on Sat 2027-01-16 .. Fri 2027-01-22: weeks of 01-11 and 01-18, plus one
        // before (01-04) and none after.
        f["calendar"] = json!({"ietf_meetings": [{"number": "999", "first_day": "2027-01-16", "last_day": "2027-01-22"}],
                               "blackout_weeks": {"before": 1, "after": 0}});
        let p = problem(f);
        for (start, blocked) in [
            ("2027-01-04T10:00:00Z", true),
            ("2027-01-24T10:00:00Z", true),
            ("2027-01-25T10:00:00Z", false),
            // Ends on Monday 01-25 but starts on Sunday: blocked by its start date.
            ("2027-01-24T23:30:00Z", true),
        ] {
            let e = at(&p, &[(0, 1, &[start])]);
            assert_eq!(rules(&e).contains(&HardRule::Blackout), blocked, "{start}");
        }
    }

    #[test]
    fn a_session_ending_in_a_blackout_week_is_blocked_by_its_last_instant() {
        let mut f = base();
        f["calendar"] = json!({"ietf_meetings": [{"number": "999", "first_day": "2027-01-18", "last_day": "2027-01-22"}],
                               "blackout_weeks": {"before": 0, "after": 0}});
        let p = problem(f);
        let e = at(&p, &[(0, 1, &["2027-01-17T23:30:00Z"])]);
        assert_eq!(rules(&e), vec![HardRule::Blackout]);
    }

    #[test]
    fn a_group_never_meets_twice_at_once_even_with_an_announced_interim() {
        let mut f = base();
        f["requests"] = json!([request("a"), request("a")]);
        let p = problem(f);
        let e = at(
            &p,
            &[
                (0, 1, &["2027-01-05T10:00:00Z"]),
                (1, 1, &["2027-01-05T10:30:00Z"]),
            ],
        );
        assert_eq!(rules(&e), vec![HardRule::SameGroup]);
        let mut f = base();
        f["calendar"] = json!({"existing": [{"name": "interim-2027-a-01", "group": "a", "start": "2027-01-05T10:30:00Z", "minutes": 60}]});
        let p = problem(f);
        let e = at(&p, &[(0, 1, &["2027-01-05T10:00:00Z"])]);
        assert_eq!(rules(&e), vec![HardRule::SameGroup]);
        assert_eq!(e.names[0].as_deref(), Some("interim-2027-a-02"));
    }

    #[test]
    fn the_parallel_limit_counts_announced_interims() {
        let mut f = base();
        f["rules"] = json!({"max_parallel": 2});
        f["requests"] = json!([request("a"), request("b")]);
        f["calendar"] = json!({"existing": [{"name": "interim-2027-c-01", "group": "c", "start": "2027-01-05T10:30:00Z", "minutes": 60}]});
        let p = problem(f);
        // Three open at 10:30 (a, b, c): one error.
        let e = at(
            &p,
            &[
                (0, 1, &["2027-01-05T10:00:00Z"]),
                (1, 1, &["2027-01-05T10:30:00Z"]),
            ],
        );
        assert_eq!(rules(&e), vec![HardRule::Parallel]);
        // b after a ends: at most two at once (touching intervals do not overlap).
        let e = at(
            &p,
            &[
                (0, 1, &["2027-01-05T09:30:00Z"]),
                (1, 1, &["2027-01-05T11:30:00Z"]),
            ],
        );
        assert!(e.errors.is_empty(), "{:?}", e.errors);
    }

    #[test]
    fn multi_day_keeps_the_local_time_across_a_dst_change() {
        let mut f = base();
        f["requests"] = json!([{"group": "a", "kind": "multi-day", "days": 2, "minutes": 60,
            "earliest": "2027-03-20", "latest": "2027-03-31",
            "participants": [{"time_zone": "Europe/Berlin"}]}]);
        let p = problem(f);
        // 10:00 Berlin on Sat 27 March (UTC+1) and Sun 28 March (UTC+2).
        let good = at(
            &p,
            &[(0, 1, &["2027-03-27T09:00:00Z", "2027-03-28T08:00:00Z"])],
        );
        assert!(good.errors.is_empty(), "{:?}", good.errors);
        let same_utc = at(
            &p,
            &[(0, 1, &["2027-03-27T09:00:00Z", "2027-03-28T09:00:00Z"])],
        );
        assert_eq!(rules(&same_utc), vec![HardRule::MultiDay]);
    }

    #[test]
    fn series_spacing_allows_three_days_either_way_and_scales_over_gaps() {
        let mut f = base();
        f["requests"] = json!([{"group": "a", "kind": "series", "count": 3, "every_days": 14, "minutes": 60,
            "earliest": "2027-01-04", "latest": "2027-03-31", "participants": [{"time_zone": "UTC"}]}]);
        let p = problem(f);
        let ok = at(
            &p,
            &[
                (0, 1, &["2027-01-04T10:00:00Z"]),
                (0, 2, &["2027-01-21T10:00:00Z"]),
                (0, 3, &["2027-02-01T10:00:00Z"]),
            ],
        );
        assert!(
            !rules(&ok).contains(&HardRule::SeriesSpacing),
            "{:?}",
            ok.errors
        );
        let far = at(
            &p,
            &[
                (0, 1, &["2027-01-04T10:00:00Z"]),
                (0, 2, &["2027-01-22T10:00:00Z"]),
            ],
        );
        assert_eq!(rules(&far), vec![HardRule::SeriesSpacing]);
        // Meeting 2 unplaced: meeting 3 is 2 x (11..17) = 22..34 days after meeting 1.
        let gap = at(
            &p,
            &[
                (0, 1, &["2027-01-04T10:00:00Z"]),
                (0, 3, &["2027-02-05T10:00:00Z"]),
            ],
        );
        assert!(!rules(&gap).contains(&HardRule::SeriesSpacing));
        assert_eq!(kind_cost(&gap, "unplaced"), 10_000_000);
    }

    #[test]
    fn conflicts_pay_per_declaration_and_overlapping_pair() {
        let mut f = base();
        f["groups"][1]["conflicts"] = json!({"key_participant": ["a"]});
        f["requests"] = json!([request("a"), request("b"), request("c")]);
        let p = problem(f);
        let e = at(
            &p,
            &[
                (0, 1, &["2027-01-05T10:00:00Z"]),
                (1, 1, &["2027-01-05T10:30:00Z"]),
                (2, 1, &["2027-01-05T10:30:00Z"]),
            ],
        );
        // a->b chair, b->a key participant (directed: both pay), a->c technology.
        assert_eq!(kind_cost(&e, "chair_conflict"), 100_000);
        assert_eq!(kind_cost(&e, "key_participant"), 100_000);
        assert_eq!(kind_cost(&e, "tech_overlap"), 10_000);
        assert_eq!(e.cost, 210_000);
    }

    #[test]
    fn a_conflict_with_an_announced_interim_pays_but_two_announced_ones_do_not() {
        let mut f = base();
        f["calendar"] = json!({"existing": [
            {"name": "interim-2027-b-01", "group": "b", "start": "2027-01-05T10:00:00Z", "minutes": 60},
            {"name": "interim-2027-c-01", "group": "c", "start": "2027-01-06T10:00:00Z", "minutes": 60}]});
        f["groups"][1]["conflicts"] = json!({"technology": ["c"]});
        let p = problem(f);
        let e = at(&p, &[(0, 1, &["2027-01-05T10:30:00Z"])]);
        assert_eq!(e.cost, 100_000);
        assert_eq!(e.violations[0].other.as_deref(), Some("interim-2027-b-01"));
    }

    #[test]
    fn worst_zone_is_the_largest_zone_total_over_a_series_and_pain_is_weighted() {
        let mut f = base();
        f["requests"] = json!([{"group": "a", "kind": "series", "count": 2, "every_days": 14, "minutes": 60,
            "earliest": "2027-01-04", "latest": "2027-03-31", "weighting": "head",
            "participants": [{"time_zone": "UTC", "count": 3}, {"time_zone": "Asia/Tokyo", "count": 1},
                             {"time_zone": "UTC", "count": 2}]}]);
        let p = problem(f);
        assert_eq!(p.requests[0].zones.len(), 2, "UTC listed twice is merged");
        // 22:00 UTC = 07:00 Tokyo: UTC 3+3, Tokyo 1+1 (07:00 and 07:30 are hour 7).
        // 12:00 UTC = 21:00 Tokyo: UTC 0, Tokyo 3+3.
        let e = at(
            &p,
            &[
                (0, 1, &["2027-01-04T22:00:00Z"]),
                (0, 2, &["2027-01-18T12:00:00Z"]),
            ],
        );
        // UTC total 6, Tokyo total 2 + 6 = 8: worst 8.
        assert_eq!(kind_cost(&e, "worst_zone"), 800);
        // Weighted: UTC (5 people) x 6 + Tokyo (1) x 8.
        assert_eq!(kind_cost(&e, "pain"), 38);
    }

    #[test]
    fn avoided_weekdays_read_the_first_zone_and_accept_short_names() {
        let mut f = base();
        f["requests"][0]["participants"] =
            json!([{"time_zone": "Asia/Tokyo"}, {"time_zone": "UTC"}]);
        f["requests"][0]["avoid_weekdays"] = json!(["Sat"]);
        let p = problem(f);
        // Friday 20:00 UTC is Saturday 05:00 in Tokyo.
        let e = at(&p, &[(0, 1, &["2027-01-08T20:00:00Z"])]);
        assert_eq!(kind_cost(&e, "avoided_weekday"), 1_000);
    }

    #[test]
    fn unplaced_meetings_cost_the_penalty_and_overrides_apply() {
        let mut f = base();
        f["rules"] = json!({"penalties": {"unplaced": 5}});
        let p = problem(f);
        let e = evaluate(&p, &Placement::empty(&p));
        assert_eq!(e.cost, 5);
    }

    #[test]
    fn names_continue_after_existing_numbers_per_year_including_cancelled() {
        let mut f = base();
        f["requests"] = json!([{"group": "a", "kind": "series", "count": 3, "every_days": 14, "minutes": 60,
            "earliest": "2026-12-01", "latest": "2027-03-31", "participants": [{"time_zone": "UTC"}]}]);
        f["now"] = json!("2026-11-01T00:00:00Z");
        f["calendar"] = json!({"existing": [
            {"name": "interim-2026-a-07", "group": "a", "start": "2026-06-01T10:00:00Z", "minutes": 60, "status": "cancelled"},
            {"name": "interim-2027-b-04", "group": "b", "start": "2027-06-01T10:00:00Z", "minutes": 60}]});
        let p = problem(f);
        let pl = place(
            &p,
            &[
                (0, 1, &["2026-12-21T10:00:00Z"]),
                (0, 2, &["2027-01-04T10:00:00Z"]),
                (0, 3, &["2027-01-18T10:00:00Z"]),
            ],
        );
        let names = assign_names(&p, &pl);
        assert_eq!(
            names,
            vec![
                Some("interim-2026-a-08".to_string()),
                Some("interim-2027-a-01".to_string()),
                Some("interim-2027-a-02".to_string()),
            ]
        );
    }

    #[test]
    fn check_rejects_wrong_names_costs_lengths_and_missing_meetings() {
        let mut f = base();
        f["requests"] = json!([request("a"), request("b")]);
        let p = problem(f);
        let pl = place(&p, &[(0, 1, &["2027-01-05T10:00:00Z"])]);
        let e = evaluate(&p, &pl);
        let doc = crate::interim::build_plan(
            &p,
            &pl,
            &e,
            &[Default::default(), Default::default()],
            &crate::interim::Proof {
                lower_bound: None,
                optimal: false,
                notes: vec![],
            },
        );
        let ok = check_plan(&p, &doc);
        assert!(ok.errors.is_empty(), "{:?}", ok.errors);
        assert_eq!(ok.cost, e.cost);
        let mut bad = doc.clone();
        bad.meetings[0].name = "interim-2027-a-05".into();
        bad.meetings[0].sessions[0].end = "2027-01-05T10:30:00Z".into();
        bad.cost += 1;
        bad.unplaced.clear();
        let r = check_plan(&p, &bad);
        let mut got = rules(&r);
        got.sort();
        assert_eq!(
            got,
            vec![HardRule::Reference, HardRule::Length, HardRule::Cost]
        );
        let mut named = doc.clone();
        named.meetings[0].name = "interim-2027-a-05".into();
        assert_eq!(rules(&check_plan(&p, &named)), vec![HardRule::Name]);
    }
}
