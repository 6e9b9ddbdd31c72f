//! From a placement to the `interim-plan/1` document: names, deadlines, each zone's
//! local time and pain, and in words why each meeting is where it is (or nowhere).

use super::calendar::{self, Candidates, Excluded, Interval};
use super::evaluate::{
    meeting_label, request_zone_pain, weighted_pain, InterimEvaluation, Placement,
};
use super::model::{InterimCostKind, InterimProblem, Kind, MINUTES_DAYS, SERIES_SLACK_DAYS};
use super::plan::*;
use chrono::{DateTime, Datelike, Duration, Utc};
use std::collections::BTreeMap;

/// What the planner proved, for the document.
#[derive(Debug, Clone)]
pub struct Proof {
    /// The proven lower bound, when there is one.
    pub lower_bound: Option<u64>,
    /// Whether the plan is proven optimal.
    pub optimal: bool,
    /// How the planner got there, for the plan's notes.
    pub notes: Vec<String>,
}

/// Builds the plan document of a placement and its evaluation.
pub fn build_plan(
    problem: &InterimProblem,
    placement: &Placement,
    evaluation: &InterimEvaluation,
    candidates: &[Candidates],
    proof: &Proof,
) -> InterimPlan {
    let mut meetings = Vec::new();
    let mut unplaced = Vec::new();
    for (id, &m) in problem.meetings.iter().enumerate() {
        let r = &problem.requests[m.request];
        let group = problem.groups[r.group].acronym.clone();
        let Some(sessions) = &placement.sessions[id] else {
            unplaced.push(UnplacedMeeting {
                group,
                request: m.request,
                index: m.index,
                reason: unplaced_reason(problem, placement, candidates, id),
            });
            continue;
        };
        let first = sessions[0].start;
        let last = sessions[sessions.len() - 1].end;
        let mut minutes_due = last + Duration::days(MINUTES_DAYS);
        // Minutes are due 48 hours before the next meeting of a series, if sooner.
        if let Some(Some(next)) = placement.sessions.get(id + 1).filter(|_| {
            problem
                .meetings
                .get(id + 1)
                .is_some_and(|n| n.request == m.request)
        }) {
            minutes_due = minutes_due.min(next[0].start - Duration::hours(48));
        }
        let pains = calendar::zone_pains(r, sessions);
        let local = r
            .zones
            .iter()
            .zip(&pains)
            .map(|(z, &pain)| LocalTime {
                time_zone: z.name.clone(),
                start: first
                    .with_timezone(&z.tz)
                    .format("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string(),
                pain,
            })
            .collect();
        meetings.push(PlannedMeeting {
            name: evaluation.names[id].clone().unwrap_or_default(),
            group,
            request: m.request,
            index: m.index,
            sessions: sessions
                .iter()
                .map(|s| SessionTimes {
                    start: utc(s.start),
                    end: utc(s.end),
                })
                .collect(),
            announce_by: (first - Duration::days(r.notice_days(&problem.rules) as i64))
                .date_naive()
                .to_string(),
            agenda_by: (first - Duration::days(problem.rules.agenda_days as i64))
                .date_naive()
                .to_string(),
            minutes_due: minutes_due.date_naive().to_string(),
            local,
            pain: weighted_pain(r, sessions),
            why: Some(why(problem, placement, id, sessions)),
        });
    }
    meetings.sort_by(|a, b| {
        (a.sessions[0].start.as_str(), a.request, a.index).cmp(&(
            b.sessions[0].start.as_str(),
            b.request,
            b.index,
        ))
    });
    let fairness = problem
        .requests
        .iter()
        .enumerate()
        .filter(|(_, r)| r.meetings() > 1)
        .map(|(ri, r)| {
            let sums = request_zone_pain(problem, placement, ri);
            let nights = |z: usize| {
                problem
                    .meetings
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.request == ri)
                    .filter_map(|(id, _)| placement.sessions[id].as_ref())
                    .filter(|s| {
                        s.iter()
                            .any(|i| calendar::reaches_night(i, r.minutes, r.zones[z].tz))
                    })
                    .count() as u32
            };
            RequestFairness {
                request: ri,
                group: problem.groups[r.group].acronym.clone(),
                zones: r
                    .zones
                    .iter()
                    .enumerate()
                    .map(|(z, zone)| ZonePain {
                        time_zone: zone.name.clone(),
                        pain: sums[z],
                        night_meetings: nights(z),
                    })
                    .collect(),
            }
        })
        .collect();
    InterimPlan {
        format: INTERIM_PLAN_FORMAT.to_string(),
        status: if proof.optimal { "optimal" } else { "feasible" }.to_string(),
        cost: evaluation.cost,
        lower_bound: proof.lower_bound,
        meetings,
        unplaced,
        violations: evaluation.violations.clone(),
        warnings: problem.warnings.clone(),
        cost_by_kind: evaluation.cost_by_kind.clone(),
        fairness,
        notes: proof.notes.clone(),
    }
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// What a meeting at these sessions costs by itself: pain, its zones' worst, weekday.
fn alone_cost(problem: &InterimProblem, id: usize, sessions: &[Interval]) -> u64 {
    let r = &problem.requests[problem.meetings[id].request];
    let pen = &problem.rules.penalties;
    let worst = calendar::zone_pains(r, sessions)
        .into_iter()
        .max()
        .unwrap_or(0);
    let mut cost = weighted_pain(r, sessions)
        .saturating_mul(pen.get(InterimCostKind::Pain))
        .saturating_add(worst.saturating_mul(pen.get(InterimCostKind::WorstZone)));
    let day = sessions[0].start.with_timezone(&r.zones[0].tz).weekday();
    if r.avoid_weekdays.contains(&day) {
        cost = cost.saturating_add(pen.get(InterimCostKind::AvoidedWeekday));
    }
    cost
}

/// Why a start cheaper than the chosen one was not taken.
fn blocked_by(
    problem: &InterimProblem,
    placement: &Placement,
    id: usize,
    sessions: &[Interval],
) -> Option<String> {
    let m = problem.meetings[id];
    let r = &problem.requests[m.request];
    let group = r.group;
    for s in sessions {
        if let Some(e) = calendar::session_excluded(problem, r, s) {
            return Some(e.describe().to_string());
        }
    }
    let mut open = 0usize;
    for (other, os) in placement.sessions.iter().enumerate() {
        let Some(os) = os else { continue };
        if other == id || !os.iter().any(|o| sessions.iter().any(|s| s.overlaps(o))) {
            continue;
        }
        open += 1;
        let og = problem.requests[problem.meetings[other].request].group;
        if og == group {
            return Some("another meeting of the group".into());
        }
        let declared = problem.groups[group]
            .conflicts
            .iter()
            .chain(problem.groups[og].conflicts.iter())
            .any(|&(_, t)| t == og || t == group);
        if declared {
            return Some(format!("a conflict with {}", problem.groups[og].acronym));
        }
    }
    for e in problem.existing.iter().filter(|e| !e.cancelled) {
        if sessions.iter().any(|s| s.overlaps(&e.interval)) {
            open += 1;
            if let Some(eg) = e.group_index {
                if problem.groups[group]
                    .conflicts
                    .iter()
                    .chain(problem.groups[eg].conflicts.iter())
                    .any(|&(_, t)| t == eg || t == group)
                {
                    return Some(format!(
                        "a conflict with {} ({})",
                        problem.groups[eg].acronym, e.name
                    ));
                }
            }
        }
    }
    if open >= problem.rules.max_parallel as usize {
        return Some("the parallel limit".into());
    }
    if let Kind::Series { every_days, .. } = r.kind {
        let near = |other: usize| {
            placement
                .sessions
                .get(other)
                .and_then(|s| s.as_ref())
                .filter(|_| {
                    problem
                        .meetings
                        .get(other)
                        .is_some_and(|o| o.request == m.request)
                })
        };
        let d = sessions[0].start.date_naive();
        let bad = |a: chrono::NaiveDate, b: chrono::NaiveDate| {
            ((b - a).num_days() - every_days as i64).abs() > SERIES_SLACK_DAYS
        };
        if id > 0 && near(id - 1).is_some_and(|p| bad(p[0].start.date_naive(), d))
            || near(id + 1).is_some_and(|n| bad(d, n[0].start.date_naive()))
        {
            return Some("the series spacing".into());
        }
        return Some("the series' rotation across zones (the worst zone's total)".into());
    }
    None
}

/// In words: the chosen time's cost for its zones, and what ruled out cheaper ones.
fn why(problem: &InterimProblem, placement: &Placement, id: usize, chosen: &[Interval]) -> String {
    let m = problem.meetings[id];
    let r = &problem.requests[m.request];
    let mine = alone_cost(problem, id, chosen);
    let step = Duration::minutes(problem.rules.step_minutes as i64);
    let mut reasons: BTreeMap<String, (usize, DateTime<Utc>)> = BTreeMap::new();
    let mut free = 0usize;
    let (Some(from), Some(to)) = (
        r.earliest.and_hms_opt(0, 0, 0),
        r.latest.and_hms_opt(23, 59, 0),
    ) else {
        return String::new();
    };
    let mut t = from.and_utc();
    while t <= to.and_utc() {
        if let Some(sessions) = calendar::sessions_from(r, t) {
            if alone_cost(problem, id, &sessions) < mine {
                match blocked_by(problem, placement, id, &sessions) {
                    Some(reason) => {
                        reasons.entry(reason).or_insert((0, t)).0 += 1;
                    }
                    None => free += 1,
                }
            }
        }
        t += step;
    }
    let zones: Vec<String> = r
        .zones
        .iter()
        .zip(calendar::zone_pains(r, chosen))
        .map(|(z, p)| {
            format!(
                "{} {} (pain {p})",
                z.name,
                chosen[0].start.with_timezone(&z.tz).format("%a %H:%M")
            )
        })
        .collect();
    let mut text = format!("{}.", zones.join(", "));
    let total: usize = reasons.values().map(|v| v.0).sum::<usize>() + free;
    if total == 0 {
        text.push_str(" No start in the requested dates costs its zones less.");
        return text;
    }
    let mut list: Vec<(&String, &(usize, DateTime<Utc>))> = reasons.iter().collect();
    list.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let parts: Vec<String> = list
        .iter()
        .take(5)
        .map(|(reason, (n, example))| {
            format!(
                "{n} by {reason} (e.g. {})",
                example.format("%Y-%m-%d %H:%M UTC")
            )
        })
        .collect();
    text.push_str(&format!(" {total} starts would cost its zones less"));
    if !parts.is_empty() {
        text.push_str(&format!("; ruled out: {}", parts.join(", ")));
    }
    if free > 0 {
        text.push_str(&format!("; {free} were open (the plan is not proven optimal, or another meeting needs them less)"));
    }
    text.push('.');
    text
}

fn unplaced_reason(
    problem: &InterimProblem,
    placement: &Placement,
    candidates: &[Candidates],
    id: usize,
) -> String {
    let m = problem.meetings[id];
    let r = &problem.requests[m.request];
    let c = &candidates[id];
    if c.list.is_empty() {
        let mut parts: Vec<(usize, Excluded)> = c.excluded.iter().map(|(&e, &n)| (n, e)).collect();
        parts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let said: Vec<String> = parts
            .iter()
            .map(|(n, e)| format!("{n} {}", e.describe()))
            .collect();
        return format!(
            "no start in {}..{} is allowed ({} grid starts: {})",
            r.earliest,
            r.latest,
            parts.iter().map(|p| p.0).sum::<usize>(),
            said.join(", ")
        );
    }
    if m.index > 1 {
        let prev = id - 1;
        if placement.sessions[prev].is_none() {
            return format!(
                "meeting {} of the series is not placed; a series' later meetings follow it",
                m.index - 1
            );
        }
        return "no allowed start keeps the series spacing, clear of the group's other meetings and the parallel limit".into();
    }
    format!(
        "each of its {} allowed starts overlaps another meeting of {} or fills the parallel limit ({})",
        c.list.len(),
        problem.groups[r.group].acronym,
        meeting_label(problem, m)
    )
}
