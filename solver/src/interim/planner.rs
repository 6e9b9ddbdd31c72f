//! The interim planner: every request of a file placed together, exactly.
//!
//! Phases (see `docs/interim.md`):
//! 1. **candidates**: each meeting's starts on the UTC grid that the calendar allows;
//! 2. **own costs**: what each start costs the meeting alone (pain, weekday, conflicts
//!    with announced interims) and a per-meeting lower bound of it;
//! 3. **greedy**: the most constrained requests first, each meeting at its cheapest
//!    start given those placed before: the incumbent and the ILP's warm start;
//! 4. **exact rounds**: an ILP (good_lp + HiGHS) over the cheapest candidates of each
//!    meeting; conflict pairs, same-group pairs and the parallel limit enter as rows
//!    when a round's solution breaks them (each round is a relaxation, so its bound
//!    holds), until a round's solution breaks nothing it does not price;
//! 5. **bound**: the least of the last round's bound and what any plan using a left-out
//!    candidate must cost; `optimal` only when the plan's cost reaches it.

use super::calendar::{self, Candidate, Candidates, Interval};
use super::evaluate::{evaluate, weighted_pain, InterimEvaluation, Placement};
use super::model::{InterimCostKind, InterimProblem, Kind, MeetingRef, SERIES_SLACK_DAYS};
use good_lp::{variable, Expression, ProblemVariables, SolverModel, Variable};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// The planner's policy numbers, in one place.
pub(crate) mod policy {
    /// Candidates of each meeting the first exact round keeps (cheapest first, ties
    /// kept); later rounds widen it when the bound over left-out ones decides.
    pub const KEEP_PER_MEETING: usize = 192;
    /// How much each widening multiplies the kept count by.
    pub const WIDEN: usize = 4;
    /// Above this many candidate columns the exact model is not built.
    pub const MAX_COLUMNS: usize = 400_000;
    /// At most this many exact rounds.
    pub const MAX_ROUNDS: usize = 60;
    /// At most this many passes of the improvement phase over every meeting.
    pub const IMPROVE_PASSES: usize = 50;
}

/// What the caller sets.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Wall-clock limit of the whole plan.
    pub time_limit: Duration,
    /// Skip the exact rounds: the greedy plan with its bound.
    pub greedy_only: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            time_limit: Duration::from_secs(60),
            greedy_only: false,
        }
    }
}

/// A plan with what is proven about it.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Where each meeting is.
    pub placement: Placement,
    /// The evaluator's verdict on the placement.
    pub evaluation: InterimEvaluation,
    /// A proven lower bound on any plan's cost.
    pub lower_bound: u64,
    /// Whether the cost equals the lower bound.
    pub optimal: bool,
    /// The candidates of every meeting (for explanations).
    pub candidates: Vec<Candidates>,
    /// How the planner got here, deterministic text for the plan's `notes`.
    pub notes: Vec<String>,
    /// Exact rounds run.
    pub rounds: usize,
    /// Candidate columns of the last exact model.
    pub columns: usize,
    /// Per exact round: its size, build time and outcome, for progress displays and
    /// benchmarks.
    pub log: Vec<String>,
}

/// Plans every request of the problem together.
pub fn plan(problem: &InterimProblem, options: &PlanOptions) -> Planned {
    let deadline = Instant::now() + options.time_limit;
    let candidates: Vec<Candidates> = problem
        .meetings
        .iter()
        .map(|&m| calendar::candidates(problem, m))
        .collect();
    let costs = OwnCosts::new(problem, &candidates);
    let incumbent = greedy(problem, &candidates, &costs);
    let incumbent = improve(problem, &candidates, &costs, incumbent, deadline);
    let mut state = State {
        evaluation: evaluate(problem, &incumbent),
        placement: incumbent,
        bound: costs.base,
        log: Vec::new(),
        notes: Vec::new(),
        rounds: 0,
        columns: 0,
    };
    if !state.evaluation.errors.is_empty() {
        // The greedy plan keeps every hard rule by construction; say so if not.
        state
            .notes
            .push("the greedy plan broke a hard rule; it is not used".into());
        state.placement = Placement::empty(problem);
        state.evaluation = evaluate(problem, &state.placement);
    }
    if !options.greedy_only && state.evaluation.cost > state.bound {
        exact_rounds(problem, &candidates, &costs, deadline, &mut state);
    } else if options.greedy_only {
        state
            .notes
            .push("exact rounds skipped (greedy only)".into());
    }
    let lower_bound = state.bound.min(state.evaluation.cost);
    Planned {
        optimal: lower_bound == state.evaluation.cost,
        lower_bound,
        placement: state.placement,
        evaluation: state.evaluation,
        candidates,
        notes: state.notes,
        rounds: state.rounds,
        columns: state.columns,
        log: state.log,
    }
}

struct State {
    /// Per round: model size and outcome, with timings (not part of the plan, whose
    /// bytes must not depend on the clock).
    log: Vec<String>,
    placement: Placement,
    evaluation: InterimEvaluation,
    bound: u64,
    notes: Vec<String>,
    rounds: usize,
    columns: usize,
}

impl State {
    fn offer(&mut self, problem: &InterimProblem, placement: Placement) {
        let e = evaluate(problem, &placement);
        if e.errors.is_empty() && e.cost < self.evaluation.cost {
            self.placement = placement;
            self.evaluation = e;
        }
    }
}

/// What each candidate costs its meeting alone, and the per-meeting floors.
pub(crate) struct OwnCosts {
    /// Linear cost of meeting m at candidate c: weighted pain, avoided weekday,
    /// conflicts with announced interims, and (for a request of one meeting) its
    /// worst zone, which is then exact.
    pub own: Vec<Vec<u64>>,
    /// A lower bound of what the meeting adds to any plan at c: `own` plus, in a
    /// series, its share of the worst zone under the best convex combination of the
    /// zones found (see [`mixes`]).
    pub floor: Vec<Vec<u64>>,
    /// Per meeting: the least of its floors and the unplaced penalty.
    pub meeting_floor: Vec<u64>,
    /// Sum of `meeting_floor`: no plan costs less.
    pub base: u64,
    /// Per meeting and candidate, each zone's pain.
    pub pains: Vec<Vec<Vec<u64>>>,
}

impl OwnCosts {
    fn new(problem: &InterimProblem, candidates: &[Candidates]) -> OwnCosts {
        let pen = &problem.rules.penalties;
        let unplaced = pen.get(InterimCostKind::Unplaced);
        let wz = pen.get(InterimCostKind::WorstZone);
        let mut own = Vec::new();
        let mut pains = Vec::new();
        for (id, m) in problem.meetings.iter().enumerate() {
            let r = &problem.requests[m.request];
            let series = matches!(r.kind, Kind::Series { .. });
            let mut o = Vec::new();
            let mut p = Vec::new();
            for c in &candidates[id].list {
                let zp = calendar::zone_pains(r, &c.sessions);
                let mut cost =
                    weighted_pain(r, &c.sessions).saturating_mul(pen.get(InterimCostKind::Pain));
                let day = c.start().with_timezone(&r.zones[0].tz);
                if r.avoid_weekdays.contains(&chrono::Datelike::weekday(&day)) {
                    cost = cost.saturating_add(pen.get(InterimCostKind::AvoidedWeekday));
                }
                cost = cost.saturating_add(existing_conflicts(problem, *m, c));
                if !series {
                    // One meeting: its worst zone is exact here.
                    cost = cost
                        .saturating_add(wz.saturating_mul(zp.iter().copied().max().unwrap_or(0)));
                }
                o.push(cost);
                p.push(zp);
            }
            own.push(o);
            pains.push(p);
        }
        // A series' worst zone is at least any convex combination of its zones' totals,
        // so each meeting can carry its share under the combination that bounds best.
        let mut floor = own.clone();
        let mut by_request: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (id, m) in problem.meetings.iter().enumerate() {
            if matches!(problem.requests[m.request].kind, Kind::Series { .. }) {
                by_request.entry(m.request).or_default().push(id);
            }
        }
        for (r, ids) in by_request {
            let zones = problem.requests[r].zones.len();
            let share = |w: &[u64], d: u64, id: usize, c: usize| -> u64 {
                let mix: u64 = pains[id][c].iter().zip(w).map(|(p, k)| p * k).sum();
                wz.saturating_mul(mix) / d
            };
            let value = |w: &[u64], d: u64| -> u64 {
                ids.iter()
                    .map(|&id| {
                        (0..own[id].len())
                            .map(|c| own[id][c].saturating_add(share(w, d, id, c)))
                            .min()
                            .unwrap_or(unplaced)
                            .min(unplaced)
                    })
                    .fold(0u64, u64::saturating_add)
            };
            let mut best: (u64, Vec<u64>, u64) = (0, vec![1; zones], zones as u64);
            for (w, d) in mixes(zones) {
                let v = value(&w, d);
                if v > best.0 {
                    best = (v, w, d);
                }
            }
            let (_, w, d) = best;
            for &id in &ids {
                for c in 0..own[id].len() {
                    floor[id][c] = own[id][c].saturating_add(share(&w, d, id, c));
                }
            }
        }
        let meeting_floor: Vec<u64> = floor
            .iter()
            .map(|f| f.iter().copied().min().unwrap_or(unplaced).min(unplaced))
            .collect();
        let base = meeting_floor.iter().fold(0u64, |a, &b| a.saturating_add(b));
        OwnCosts {
            own,
            floor,
            meeting_floor,
            base,
            pains,
        }
    }
}

/// The convex combinations of `zones` zones tried for a series' floor, as integer
/// weights and their denominator: a grid of twelfths for up to four zones; otherwise
/// each zone alone and the average.
fn mixes(zones: usize) -> Vec<(Vec<u64>, u64)> {
    const D: u64 = 12;
    let mut out = Vec::new();
    if zones <= 4 {
        fn fill(at: usize, left: u64, w: &mut Vec<u64>, out: &mut Vec<(Vec<u64>, u64)>) {
            if at + 1 == w.len() {
                w[at] = left;
                out.push((w.clone(), D));
                return;
            }
            for k in 0..=left {
                w[at] = k;
                fill(at + 1, left - k, w, out);
            }
        }
        fill(0, D, &mut vec![0; zones.max(1)], &mut out);
    } else {
        for z in 0..zones {
            let mut w = vec![0; zones];
            w[z] = 1;
            out.push((w, 1));
        }
        out.push((vec![1; zones], zones as u64));
    }
    out
}

/// What a candidate pays for conflicts with announced interims (both directions).
fn existing_conflicts(problem: &InterimProblem, m: MeetingRef, c: &Candidate) -> u64 {
    let g = problem.requests[m.request].group;
    let pen = &problem.rules.penalties;
    let mut cost = 0u64;
    for e in problem.existing.iter().filter(|e| !e.cancelled) {
        let Some(eg) = e.group_index else { continue };
        let pairs = c.overlapping_pairs(std::slice::from_ref(&e.interval));
        if pairs == 0 {
            continue;
        }
        for &(class, t) in &problem.groups[g].conflicts {
            if t == eg {
                cost = cost.saturating_add(pen.get(class.cost_kind()).saturating_mul(pairs));
            }
        }
        for &(class, t) in &problem.groups[eg].conflicts {
            if t == g {
                cost = cost.saturating_add(pen.get(class.cost_kind()).saturating_mul(pairs));
            }
        }
    }
    cost
}

/// The penalty two groups' sessions pay per overlapping pair (declarations both ways).
fn pair_weight(problem: &InterimProblem, a: usize, b: usize) -> u64 {
    let pen = &problem.rules.penalties;
    let one = |x: usize, y: usize| {
        problem.groups[x]
            .conflicts
            .iter()
            .filter(|&&(_, t)| t == y)
            .map(|&(class, _)| pen.get(class.cost_kind()))
            .fold(0u64, u64::saturating_add)
    };
    one(a, b).saturating_add(one(b, a))
}

/// Placed sessions so far, sorted by start, with their group.
struct Timeline {
    items: Vec<(Interval, usize)>,
}

/// No session is longer than this (300 minutes) nor an announced interim (a day).
const LONGEST: chrono::Duration = chrono::Duration::days(1);

impl Timeline {
    fn insert(&mut self, s: Interval, group: usize) {
        let at = self.items.partition_point(|(i, _)| i.start <= s.start);
        self.items.insert(at, (s, group));
    }

    fn overlapping<'a>(
        &'a self,
        s: &'a Interval,
    ) -> impl Iterator<Item = &'a (Interval, usize)> + 'a {
        let from = self
            .items
            .partition_point(|(i, _)| i.start + LONGEST <= s.start);
        self.items[from..]
            .iter()
            .take_while(move |(i, _)| i.start < s.end)
            .filter(move |(i, _)| i.overlaps(s))
    }
}

/// The greedy plan: requests with the fewest candidates first, each meeting at the
/// start that adds least to the cost given what is placed, never breaking a hard rule.
fn greedy(problem: &InterimProblem, candidates: &[Candidates], costs: &OwnCosts) -> Placement {
    let mut placement = Placement::empty(problem);
    let mut timeline = Timeline { items: Vec::new() };
    let mut announced = Timeline { items: Vec::new() };
    for e in problem.existing.iter().filter(|e| !e.cancelled) {
        announced.insert(e.interval, usize::MAX);
    }
    let max = problem.rules.max_parallel as usize;
    let wz = problem.rules.penalties.get(InterimCostKind::WorstZone);
    let mut first_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (id, m) in problem.meetings.iter().enumerate() {
        first_of.entry(m.request).or_default().push(id);
    }
    let mut order: Vec<(usize, usize)> = first_of
        .iter()
        .map(|(&r, ids)| (candidates[ids[0]].list.len(), r))
        .collect();
    order.sort();
    for (_, r) in order {
        let req = &problem.requests[r];
        let g = req.group;
        let series = matches!(req.kind, Kind::Series { .. });
        let mut zone_sum = vec![0u64; req.zones.len()];
        let mut previous: Option<chrono::NaiveDate> = None;
        for &id in &first_of[&r] {
            let mut best: Option<(u64, usize)> = None;
            for (ci, c) in candidates[id].list.iter().enumerate() {
                if let (Some(prev), Kind::Series { every_days, .. }) = (previous, req.kind) {
                    let gap = (c.start().date_naive() - prev).num_days();
                    if (gap - every_days as i64).abs() > SERIES_SLACK_DAYS {
                        continue;
                    }
                }
                let mut cost = costs.own[id][ci];
                let mut ok = true;
                for s in &c.sessions {
                    let mut open: Vec<&Interval> = Vec::new();
                    for (i, og) in timeline.overlapping(s) {
                        if *og == g {
                            ok = false;
                        }
                        cost = cost.saturating_add(pair_weight(problem, g, *og));
                        open.push(i);
                    }
                    open.extend(announced.overlapping(s).map(|(i, _)| i));
                    if ok && open.len() >= max && calendar::peak_within(&open, s) >= max {
                        ok = false;
                    }
                    if !ok {
                        break;
                    }
                }
                if !ok {
                    continue;
                }
                if series {
                    let before = zone_sum.iter().copied().max().unwrap_or(0);
                    let after = zone_sum
                        .iter()
                        .zip(&costs.pains[id][ci])
                        .map(|(a, b)| a + b)
                        .max()
                        .unwrap_or(0);
                    cost = cost.saturating_add(wz.saturating_mul(after - before));
                }
                if best.is_none_or(|(b, _)| cost < b) {
                    best = Some((cost, ci));
                }
            }
            // A series stops at its first meeting that cannot be placed: the planner
            // leaves a series' last meetings unplaced, never middle ones.
            let Some((_, ci)) = best else { break };
            let c = &candidates[id].list[ci];
            for s in &c.sessions {
                timeline.insert(*s, g);
            }
            for (z, p) in costs.pains[id][ci].iter().enumerate() {
                zone_sum[z] += p;
            }
            previous = Some(c.start().date_naive());
            placement.sessions[id] = Some(c.sessions.clone());
        }
    }
    placement
}

/// The improvement phase: each meeting in turn moves to the start that costs least
/// given every other meeting where it is (conflicts, the parallel limit, its group, its
/// series' spacing and worst zone), until a pass moves none. Deterministic.
fn improve(
    problem: &InterimProblem,
    candidates: &[Candidates],
    costs: &OwnCosts,
    mut placement: Placement,
    deadline: Instant,
) -> Placement {
    let n = problem.meetings.len();
    let mut chosen: Vec<Option<usize>> = (0..n)
        .map(|id| {
            placement.sessions[id]
                .as_ref()
                .and_then(|s| candidates[id].list.iter().position(|c| &c.sessions == s))
        })
        .collect();
    let group = |id: usize| problem.requests[problem.meetings[id].request].group;
    let mut line = Timeline { items: Vec::new() };
    for (id, c) in chosen.iter().enumerate() {
        if let Some(c) = c {
            for s in &candidates[id].list[*c].sessions {
                line.insert(*s, id);
            }
        }
    }
    let mut announced = Timeline { items: Vec::new() };
    for e in problem.existing.iter().filter(|e| !e.cancelled) {
        announced.insert(e.interval, usize::MAX);
    }
    let max = problem.rules.max_parallel as usize;
    let wz = problem.rules.penalties.get(InterimCostKind::WorstZone);
    let unplaced = problem.rules.penalties.get(InterimCostKind::Unplaced);
    // What meeting `id` costs at candidate `c` given the others (None: not allowed).
    let price = |id: usize, c: usize, chosen: &[Option<usize>], line: &Timeline| -> Option<u64> {
        let m = problem.meetings[id];
        let req = &problem.requests[m.request];
        let cand = &candidates[id].list[c];
        let mut cost = costs.own[id][c];
        for s in &cand.sessions {
            let mut open: Vec<&Interval> = Vec::new();
            for (i, other) in line.overlapping(s) {
                if *other == id {
                    continue;
                }
                if group(*other) == req.group {
                    return None;
                }
                cost = cost.saturating_add(pair_weight(problem, req.group, group(*other)));
                open.push(i);
            }
            open.extend(announced.overlapping(s).map(|(i, _)| i));
            if open.len() >= max && calendar::peak_within(&open, s) >= max {
                return None;
            }
        }
        if let Kind::Series { every_days, .. } = req.kind {
            let date = cand.start().date_naive();
            let near = |other: usize| -> Option<chrono::NaiveDate> {
                (problem.meetings.get(other)?.request == m.request)
                    .then(|| {
                        chosen[other].map(|oc| candidates[other].list[oc].start().date_naive())
                    })
                    .flatten()
            };
            let off = |a: chrono::NaiveDate, b: chrono::NaiveDate| {
                ((b - a).num_days() - every_days as i64).abs() > SERIES_SLACK_DAYS
            };
            if id > 0 && near(id - 1).is_some_and(|p| off(p, date))
                || near(id + 1).is_some_and(|q| off(date, q))
            {
                return None;
            }
            // The series' worst zone with this meeting here.
            let zones = req.zones.len();
            let mut sums = vec![0u64; zones];
            for (other, om) in problem.meetings.iter().enumerate() {
                if om.request != m.request {
                    continue;
                }
                let pick = if other == id { Some(c) } else { chosen[other] };
                if let Some(pc) = pick {
                    for (z, p) in costs.pains[other][pc].iter().enumerate() {
                        sums[z] += p;
                    }
                }
            }
            cost = cost.saturating_add(wz.saturating_mul(sums.into_iter().max().unwrap_or(0)));
        }
        Some(cost)
    };
    for _ in 0..policy::IMPROVE_PASSES {
        let mut moved = false;
        for id in 0..n {
            if Instant::now() >= deadline {
                break;
            }
            let m = problem.meetings[id];
            // A series' meeting is placed only after the one before it.
            if chosen[id].is_none() && m.index > 1 && id > 0 && chosen[id - 1].is_none() {
                continue;
            }
            let now_cost = match chosen[id] {
                Some(c) => price(id, c, &chosen, &line).unwrap_or(u64::MAX),
                None => unplaced,
            };
            let mut best: Option<(u64, usize)> = None;
            for c in 0..candidates[id].list.len() {
                if Some(c) == chosen[id] || costs.own[id][c] >= now_cost {
                    continue;
                }
                if let Some(p) = price(id, c, &chosen, &line) {
                    if p < now_cost && best.is_none_or(|(b, _)| p < b) {
                        best = Some((p, c));
                    }
                }
            }
            if let Some((_, c)) = best {
                line.items.retain(|&(_, other)| other != id);
                for s in &candidates[id].list[c].sessions {
                    line.insert(*s, id);
                }
                chosen[id] = Some(c);
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    for (id, c) in chosen.iter().enumerate() {
        placement.sessions[id] = c.map(|c| candidates[id].list[c].sessions.clone());
    }
    placement
}

/// Rows the exact model gains when a round's solution breaks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Lazy {
    /// Meetings of conflicting groups: priced per overlapping pair of sessions.
    Pair(usize, usize),
    /// Meetings of one group: must not overlap.
    SameGroup(usize, usize),
    /// The parallel limit at one instant.
    Parallel(chrono::DateTime<chrono::Utc>),
}

fn exact_rounds(
    problem: &InterimProblem,
    candidates: &[Candidates],
    costs: &OwnCosts,
    deadline: Instant,
    state: &mut State,
) {
    let mut keep = policy::KEEP_PER_MEETING;
    let mut lazy: BTreeSet<Lazy> = BTreeSet::new();
    loop {
        let kept = kept_candidates(problem, candidates, costs, keep, &state.placement);
        let excluded_floor = excluded_bound(costs, &kept);
        let columns: usize = kept.iter().map(Vec::len).sum();
        state.columns = columns;
        if columns > policy::MAX_COLUMNS {
            state.notes.push(format!(
                "too large for the exact model: {columns} candidate starts (limit {}); the plan is the greedy one",
                policy::MAX_COLUMNS
            ));
            return;
        }
        let mut restricted_bound = None;
        while state.rounds < policy::MAX_ROUNDS {
            if Instant::now() >= deadline {
                state.notes.push(format!(
                    "the time limit stopped the exact rounds after {}",
                    state.rounds
                ));
                break;
            }
            state.rounds += 1;
            let began = Instant::now();
            let model = Model::build(problem, candidates, costs, &kept, &lazy);
            let outcome = model.solve(&state.placement, deadline, began.elapsed());
            let Some(placement) = outcome.placement else {
                state.notes.push(format!(
                    "round {}: HiGHS found no solution in time",
                    state.rounds
                ));
                break;
            };
            let e = evaluate(problem, &placement);
            let added = missing_rows(problem, &placement, &mut lazy);
            state.log.push(format!(
                "round {}: {} columns, {} rows (built in {} ms); bound {}, {}; its plan costs {}, {added} rows added",
                state.rounds, outcome.columns, outcome.rows, outcome.built.as_millis(),
                outcome.bound.map_or("none".into(), |b| b.to_string()),
                if outcome.proven { "proven" } else { "cut by the clock" }, e.cost
            ));
            state.offer(problem, placement);
            if let Some(b) = outcome.bound {
                // Rounds only add rows, so a later bound is at least as strong; take the
                // larger anyway, HiGHS reports its bound with a tolerance.
                restricted_bound = Some(restricted_bound.map_or(b, |r: u64| r.max(b)));
            }
            if !outcome.proven {
                state.notes.push(format!(
                    "round {}: the time limit cut HiGHS short",
                    state.rounds
                ));
                break;
            }
            if added == 0 {
                break;
            }
        }
        let restricted = restricted_bound.unwrap_or(costs.base);
        state.bound = state
            .bound
            .max(restricted.min(excluded_floor))
            .min(state.evaluation.cost);
        let cost = state.evaluation.cost;
        if state.bound >= cost {
            state.notes.push(format!(
                "proven: {} rounds over {columns} candidate starts ({} per meeting at most)",
                state.rounds, keep
            ));
            return;
        }
        let left_out = if excluded_floor == u64::MAX {
            "none left out".to_string()
        } else {
            format!("{excluded_floor} over left-out starts")
        };
        // Nothing left out, or the kept starts' own bound is the weaker one: widening
        // cannot raise the bound.
        if excluded_floor == u64::MAX
            || restricted < excluded_floor
            || Instant::now() >= deadline
            || state.rounds >= policy::MAX_ROUNDS
        {
            state.notes.push(format!(
                "not proven: {} rounds over {columns} candidate starts; bound {} ({} from the rounds, {left_out})",
                state.rounds, state.bound, restricted
            ));
            return;
        }
        // The left-out starts decide the bound: widen and go on.
        keep = keep.saturating_mul(policy::WIDEN);
    }
}

/// Per meeting, the indices of the `keep` candidates of least floor (ties kept), plus
/// the incumbent's.
fn kept_candidates(
    problem: &InterimProblem,
    candidates: &[Candidates],
    costs: &OwnCosts,
    keep: usize,
    incumbent: &Placement,
) -> Vec<Vec<usize>> {
    (0..problem.meetings.len())
        .map(|id| {
            let f = &costs.floor[id];
            let mut order: Vec<usize> = (0..f.len()).collect();
            order.sort_by_key(|&c| (f[c], c));
            if order.len() > keep {
                let cut = f[order[keep - 1]];
                order.retain(|&c| f[c] <= cut);
            }
            if let Some(s) = &incumbent.sessions[id] {
                if let Some(c) = candidates[id].list.iter().position(|c| &c.sessions == s) {
                    if !order.contains(&c) {
                        order.push(c);
                    }
                }
            }
            order.sort();
            order
        })
        .collect()
}

/// What any plan that puts a meeting at a left-out candidate costs at least
/// (`u64::MAX` when nothing is left out).
fn excluded_bound(costs: &OwnCosts, kept: &[Vec<usize>]) -> u64 {
    let mut best = u64::MAX;
    for (id, k) in kept.iter().enumerate() {
        let kept: BTreeSet<usize> = k.iter().copied().collect();
        let least = (0..costs.floor[id].len())
            .filter(|c| !kept.contains(c))
            .map(|c| costs.floor[id][c])
            .min();
        if let Some(least) = least {
            let b = costs.base - costs.meeting_floor[id] + least.max(costs.meeting_floor[id]);
            best = best.min(b);
        }
    }
    best
}

/// Adds the rows a solution breaks without paying; returns how many were new.
fn missing_rows(
    problem: &InterimProblem,
    placement: &Placement,
    lazy: &mut BTreeSet<Lazy>,
) -> usize {
    let before = lazy.len();
    let placed: Vec<(usize, &Vec<Interval>)> = placement
        .sessions
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
        .collect();
    let group = |id: usize| problem.requests[problem.meetings[id].request].group;
    let mut timeline = Timeline { items: Vec::new() };
    for &(id, sessions) in &placed {
        for s in sessions {
            timeline.insert(*s, id);
        }
    }
    for &(a, sessions) in &placed {
        for s in sessions {
            for &(_, b) in timeline.overlapping(s) {
                if b <= a {
                    continue;
                }
                if group(a) == group(b) {
                    lazy.insert(Lazy::SameGroup(a, b));
                } else if pair_weight(problem, group(a), group(b)) > 0 {
                    lazy.insert(Lazy::Pair(a, b));
                }
            }
        }
    }
    // The parallel limit, checked at every start instant.
    let max = problem.rules.max_parallel as usize;
    let mut all: Vec<Interval> = placed.iter().flat_map(|(_, s)| s.iter().copied()).collect();
    all.extend(
        problem
            .existing
            .iter()
            .filter(|e| !e.cancelled)
            .map(|e| e.interval),
    );
    all.sort();
    for &(_, sessions) in &placed {
        for s in sessions {
            let open = all
                .iter()
                .filter(|o| o.start <= s.start && s.start < o.end)
                .count();
            if open > max {
                lazy.insert(Lazy::Parallel(s.start));
            }
        }
    }
    lazy.len() - before
}

struct Outcome {
    columns: usize,
    rows: usize,
    built: Duration,
    placement: Option<Placement>,
    bound: Option<u64>,
    proven: bool,
}

/// One round's integer program.
struct Model<'a> {
    problem: &'a InterimProblem,
    candidates: &'a [Candidates],
    vars: ProblemVariables,
    count: usize,
    /// Per meeting: (candidate index, variable, column).
    x: Vec<Vec<(usize, Variable, usize)>>,
    objective: Expression,
    rows: Vec<good_lp::Constraint>,
}

impl<'a> Model<'a> {
    fn add(&mut self, def: good_lp::VariableDefinition) -> (Variable, usize) {
        let v = self.vars.add(def);
        self.count += 1;
        (v, self.count - 1)
    }

    fn build(
        problem: &'a InterimProblem,
        candidates: &'a [Candidates],
        costs: &OwnCosts,
        kept: &[Vec<usize>],
        lazy: &BTreeSet<Lazy>,
    ) -> Model<'a> {
        let mut m = Model {
            problem,
            candidates,
            vars: ProblemVariables::new(),
            count: 0,
            x: Vec::new(),
            objective: Expression::default(),
            rows: Vec::new(),
        };
        let pen = &problem.rules.penalties;
        let unplaced = pen.get(InterimCostKind::Unplaced) as f64;
        let mut out = Vec::new();
        for (id, k) in kept.iter().enumerate() {
            let mut xs = Vec::new();
            for &c in k {
                let (v, col) = m.add(variable().binary());
                m.objective += costs.own[id][c] as f64 * v;
                xs.push((c, v, col));
            }
            let (u, _) = m.add(variable().min(0).max(1));
            m.objective += unplaced * u;
            let sum: Expression = xs.iter().map(|&(_, v, _)| v).sum();
            m.rows.push((sum + u).eq(1));
            out.push(u);
            m.x.push(xs);
        }
        m.series_rows(costs, &out);
        m.parallel_rows();
        m.conflict_rows();
        for l in lazy {
            match *l {
                Lazy::Pair(a, b) => {
                    let single = |id: usize| {
                        problem.requests[problem.meetings[id].request].sessions_per_meeting() == 1
                    };
                    if !(single(a) && single(b)) {
                        m.pair_rows(a, b);
                    }
                }
                Lazy::SameGroup(a, b) => m.same_group_rows(a, b),
                Lazy::Parallel(t) => m.parallel_row(t),
            }
        }
        m
    }

    /// A series: placed meetings form a prefix; consecutive ones are `every_days` +- 3
    /// days apart; its worst zone is `W >= sum of the zone's pain`, priced `worst_zone`.
    fn series_rows(&mut self, costs: &OwnCosts, out: &[Variable]) {
        let problem = self.problem;
        let wz = problem.rules.penalties.get(InterimCostKind::WorstZone) as f64;
        let mut by_request: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (id, mr) in problem.meetings.iter().enumerate() {
            if let Kind::Series { .. } = problem.requests[mr.request].kind {
                by_request.entry(mr.request).or_default().push(id);
            }
        }
        for (r, ids) in by_request {
            let Kind::Series { every_days, .. } = problem.requests[r].kind else {
                continue;
            };
            for w in ids.windows(2) {
                let (p, q) = (w[0], w[1]);
                self.rows.push(Expression::from(out[p]).leq(out[q]));
                let mut by_date: BTreeMap<chrono::NaiveDate, Vec<Variable>> = BTreeMap::new();
                for &(c, v, _) in &self.x[q] {
                    by_date
                        .entry(self.candidates[q].list[c].start().date_naive())
                        .or_default()
                        .push(v);
                }
                for (d, vs) in by_date {
                    let lo = d - chrono::Days::new((every_days as i64 + SERIES_SLACK_DAYS) as u64);
                    let hi = d - chrono::Days::new((every_days as i64 - SERIES_SLACK_DAYS) as u64);
                    let prev: Expression = self.x[p]
                        .iter()
                        .filter(|&&(c, _, _)| {
                            let pd = self.candidates[p].list[c].start().date_naive();
                            lo <= pd && pd <= hi
                        })
                        .map(|&(_, v, _)| v)
                        .sum();
                    let here: Expression = vs.into_iter().sum();
                    self.rows.push(here.leq(prev));
                }
            }
            let zones = problem.requests[r].zones.len();
            let (w, _) = self.add(variable().min(0));
            self.objective += wz * w;
            for z in 0..zones {
                let mut sum = Expression::default();
                for &id in &self.ids_of(r) {
                    for &(c, v, _) in &self.x[id] {
                        let p = costs.pains[id][c][z];
                        if p > 0 {
                            sum += p as f64 * v;
                        }
                    }
                }
                self.rows.push(sum.leq(w));
            }
        }
    }

    fn ids_of(&self, r: usize) -> Vec<usize> {
        (0..self.problem.meetings.len())
            .filter(|&id| self.problem.meetings[id].request == r)
            .collect()
    }

    fn group(&self, id: usize) -> usize {
        self.problem.requests[self.problem.meetings[id].request].group
    }

    /// For each candidate of `a`, the variables of `b`'s candidates and how many
    /// session pairs they overlap in.
    fn overlaps(&self, a: usize, b: usize) -> Vec<(Variable, Vec<(Variable, u64)>)> {
        let cand = |id: usize, c: usize| &self.candidates[id].list[c];
        self.x[a]
            .iter()
            .map(|&(ca, va, _)| {
                let ours = cand(a, ca);
                let theirs = self.x[b]
                    .iter()
                    .filter_map(|&(cb, vb, _)| {
                        let n = ours.overlapping_pairs(&cand(b, cb).sessions);
                        (n > 0).then_some((vb, n))
                    })
                    .collect();
                (va, theirs)
            })
            .collect()
    }

    /// Every conflict pair of one-session meetings, up front and exact: two sessions
    /// that start on the grid overlap iff one's start lies inside the other, so
    /// `o >= occ_a(t) + occ_b(t) - 1` at each start instant t of either, with
    /// `occ(t)` the meeting's candidates open at t; `o` priced at the pair's weight.
    /// Pairs with a multi-day meeting stay lazy ([`Model::pair_rows`]).
    fn conflict_rows(&mut self) {
        let n = self.problem.meetings.len();
        let single = |id: usize| {
            self.problem.requests[self.problem.meetings[id].request].sessions_per_meeting() == 1
        };
        let mut by_group: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for id in 0..n {
            by_group.entry(self.group(id)).or_default().push(id);
        }
        let mut pairs = Vec::new();
        for a in 0..n {
            for &(_, tg) in &self.problem.groups[self.group(a)].conflicts {
                for &b in by_group.get(&tg).into_iter().flatten() {
                    let (lo, hi) = (a.min(b), a.max(b));
                    if single(a) && single(b) {
                        pairs.push((lo, hi));
                    }
                }
            }
        }
        pairs.sort();
        pairs.dedup();
        for (a, b) in pairs {
            let w = pair_weight(self.problem, self.group(a), self.group(b)) as f64;
            let occ =
                |m: &Model, id: usize| -> BTreeMap<chrono::DateTime<chrono::Utc>, Vec<Variable>> {
                    let mut starts: BTreeMap<chrono::DateTime<chrono::Utc>, Vec<Variable>> =
                        BTreeMap::new();
                    for &(c, _, _) in &m.x[a] {
                        starts.entry(m.candidates[a].list[c].start()).or_default();
                    }
                    for &(c, _, _) in &m.x[b] {
                        starts.entry(m.candidates[b].list[c].start()).or_default();
                    }
                    let instants: Vec<_> = starts.keys().copied().collect();
                    for &(c, v, _) in &m.x[id] {
                        let s = m.candidates[id].list[c].sessions[0];
                        let from = instants.partition_point(|&t| t < s.start);
                        for &t in instants[from..].iter().take_while(|&&t| t < s.end) {
                            if let Some(list) = starts.get_mut(&t) {
                                list.push(v);
                            }
                        }
                    }
                    starts
                };
            let oa = occ(self, a);
            let ob = occ(self, b);
            let mut o = None;
            for (t, va) in &oa {
                let Some(vb) = ob.get(t) else { continue };
                if va.is_empty() || vb.is_empty() {
                    continue;
                }
                let o = *o.get_or_insert_with(|| {
                    let (v, _) = self.add(variable().min(0));
                    self.objective += w * v;
                    v
                });
                let sum: Expression = va.iter().chain(vb.iter()).copied().sum();
                self.rows.push((sum - 1).leq(o));
            }
        }
    }

    /// Priced pair: `o_l >= x[a,c] + sum_{c': pairs(c,c') >= l} x[b,c'] - 1`, each
    /// level priced at the pair's weight, so the sum of levels is the pair count.
    fn pair_rows(&mut self, a: usize, b: usize) {
        let w = pair_weight(self.problem, self.group(a), self.group(b)) as f64;
        let rows = self.overlaps(a, b);
        let levels = rows
            .iter()
            .flat_map(|(_, t)| t.iter().map(|&(_, n)| n))
            .max()
            .unwrap_or(0);
        for l in 1..=levels {
            let (o, _) = self.add(variable().min(0));
            self.objective += w * o;
            for (va, theirs) in &rows {
                let hit: Vec<Variable> = theirs
                    .iter()
                    .filter(|&&(_, n)| n >= l)
                    .map(|&(v, _)| v)
                    .collect();
                if hit.is_empty() {
                    continue;
                }
                let sum: Expression = hit.into_iter().sum();
                self.rows.push((Expression::from(*va) + sum - 1).leq(o));
            }
        }
    }

    /// Same group: `x[a,c] + sum_{c' overlapping c} x[b,c'] <= 1`.
    fn same_group_rows(&mut self, a: usize, b: usize) {
        for (va, theirs) in self.overlaps(a, b) {
            if theirs.is_empty() {
                continue;
            }
            let sum: Expression = theirs.into_iter().map(|(v, _)| v).sum();
            self.rows.push((Expression::from(va) + sum).leq(1));
        }
    }

    /// The parallel limit at every instant a kept candidate or an announced interim
    /// starts (where the count can rise), stated up front: one row per instant, and
    /// only where more meetings could be open than the limit leaves room for.
    fn parallel_rows(&mut self) {
        let mut open: BTreeMap<chrono::DateTime<chrono::Utc>, Vec<(usize, Variable)>> =
            BTreeMap::new();
        for e in self.problem.existing.iter().filter(|e| !e.cancelled) {
            open.entry(e.interval.start).or_default();
        }
        for (id, xs) in self.x.iter().enumerate() {
            for &(c, _, _) in xs {
                for s in &self.candidates[id].list[c].sessions {
                    open.entry(s.start).or_default();
                }
            }
        }
        let instants: Vec<_> = open.keys().copied().collect();
        for (id, xs) in self.x.iter().enumerate() {
            for &(c, v, _) in xs {
                for s in &self.candidates[id].list[c].sessions {
                    let from = instants.partition_point(|&t| t < s.start);
                    for &t in instants[from..].iter().take_while(|&&t| t < s.end) {
                        if let Some(list) = open.get_mut(&t) {
                            list.push((id, v));
                        }
                    }
                }
            }
        }
        let max = self.problem.rules.max_parallel as usize;
        for (t, list) in open {
            let announced = self
                .problem
                .existing
                .iter()
                .filter(|e| !e.cancelled && e.interval.start <= t && t < e.interval.end)
                .count();
            let mut meetings: Vec<usize> = list.iter().map(|&(id, _)| id).collect();
            meetings.dedup();
            if meetings.len() + announced <= max {
                continue;
            }
            let sum: Expression = list.into_iter().map(|(_, v)| v).sum();
            self.rows
                .push(sum.leq(max.saturating_sub(announced) as f64));
        }
    }

    /// The parallel limit at instant `t`: the candidates open then, and the announced
    /// interims open then, at most `max_parallel`.
    fn parallel_row(&mut self, t: chrono::DateTime<chrono::Utc>) {
        let announced = self
            .problem
            .existing
            .iter()
            .filter(|e| !e.cancelled && e.interval.start <= t && t < e.interval.end)
            .count() as f64;
        let mut sum = Expression::default();
        for (id, xs) in self.x.iter().enumerate() {
            for &(c, v, _) in xs {
                if self.candidates[id].list[c]
                    .sessions
                    .iter()
                    .any(|s| s.start <= t && t < s.end)
                {
                    sum += v;
                }
            }
        }
        self.rows
            .push(sum.leq(self.problem.rules.max_parallel as f64 - announced));
    }

    fn solve(self, start: &Placement, deadline: Instant, built: Duration) -> Outcome {
        let (columns, rows) = (self.count, self.rows.len());
        let mut warm = vec![0.0; self.count];
        for (id, xs) in self.x.iter().enumerate() {
            for &(c, _, col) in xs {
                if start.sessions[id].as_ref() == Some(&self.candidates[id].list[c].sessions) {
                    warm[col] = 1.0;
                }
            }
        }
        let x = self.x.clone();
        let candidates = self.candidates;
        let n = self.problem.meetings.len();
        let mut problem = self.vars.minimise(self.objective).using(good_lp::highs);
        for row in self.rows {
            problem.add_constraint(row);
        }
        let mut highs = problem.into_inner();
        highs.make_quiet();
        let left = deadline.saturating_duration_since(Instant::now());
        highs.set_option("time_limit", left.as_secs_f64().max(0.01));
        highs.set_option("mip_rel_gap", 0.0);
        // One thread and a fixed seed: the same input gives the same plan.
        highs.set_option("threads", 1);
        highs.set_option("random_seed", 1);
        // Continuous columns (unplaced, worst zone, pair levels) take the values their
        // rows force; HiGHS completes a partial start, so only the x columns are set.
        let _ = highs.try_set_solution(Some(&warm), None, None, None);
        let solved = highs.solve();
        use highs::HighsModelStatus as S;
        let status = solved.status();
        let has = matches!(
            solved.primal_solution_status(),
            highs::HighsSolutionStatus::Feasible
        );
        let placement = has.then(|| {
            let solution = solved.get_solution();
            let values = solution.columns();
            let mut p = Placement {
                sessions: vec![None; n],
            };
            for (id, xs) in x.iter().enumerate() {
                if let Some(&(c, _, _)) = xs.iter().find(|&&(_, _, col)| values[col] > 0.5) {
                    p.sessions[id] = Some(candidates[id].list[c].sessions.clone());
                }
            }
            p
        });
        let proven = status == S::Optimal;
        let bound = if proven {
            Some(solved.objective_value())
        } else {
            solved
                .double_info_value(c"mip_dual_bound")
                .ok()
                .filter(|b| b.is_finite())
        };
        // Costs are whole numbers: a bound within HiGHS's tolerance of one rounds up to it.
        let bound = bound.map(|b| (b - 1e-6 * b.abs().max(1.0)).ceil().max(0.0) as u64);
        Outcome {
            columns,
            rows,
            built,
            placement,
            bound,
            proven,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_finds_half_open_overlaps() {
        let t = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        let mut line = Timeline { items: Vec::new() };
        line.insert(Interval::new(t("2027-01-01T10:00:00Z"), 60), 1);
        line.insert(Interval::new(t("2027-01-01T08:00:00Z"), 300), 2);
        line.insert(Interval::new(t("2027-01-01T11:00:00Z"), 60), 3);
        let q = Interval::new(t("2027-01-01T10:30:00Z"), 30);
        let hits: Vec<usize> = line.overlapping(&q).map(|&(_, g)| g).collect();
        assert_eq!(hits, vec![2, 1]);
    }
}

#[cfg(test)]
mod plan_tests {
    use super::*;
    use crate::interim::testing::{at, base, problem, request};
    use crate::rng::Rng;
    use serde_json::json;

    fn options() -> PlanOptions {
        PlanOptions {
            time_limit: Duration::from_secs(60),
            greedy_only: false,
        }
    }

    /// Every combination of candidate (or none) per meeting, keeping those that break
    /// no hard rule: the least cost.
    fn brute_force(p: &InterimProblem) -> u64 {
        let cands: Vec<Vec<Option<Vec<Interval>>>> = p
            .meetings
            .iter()
            .map(|&m| {
                let mut v: Vec<Option<Vec<Interval>>> = calendar::candidates(p, m)
                    .list
                    .into_iter()
                    .map(|c| Some(c.sessions))
                    .collect();
                v.push(None);
                v
            })
            .collect();
        let mut best = u64::MAX;
        let mut pick = vec![0usize; cands.len()];
        loop {
            let pl = Placement {
                sessions: pick
                    .iter()
                    .enumerate()
                    .map(|(i, &k)| cands[i][k].clone())
                    .collect(),
            };
            let e = evaluate(p, &pl);
            if e.errors.is_empty() {
                best = best.min(e.cost);
            }
            let mut i = 0;
            loop {
                if i == pick.len() {
                    return best;
                }
                pick[i] += 1;
                if pick[i] < cands[i].len() {
                    break;
                }
                pick[i] = 0;
                i += 1;
            }
        }
    }

    #[test]
    fn plans_match_brute_force_on_small_crowded_problems() {
        let zones = [
            "UTC",
            "Asia/Tokyo",
            "America/Los_Angeles",
            "Europe/Berlin",
            "Asia/Kolkata",
        ];
        for seed in 1..=6u64 {
            let mut rng = Rng(seed);
            let mut f = base();
            f["rules"] = json!({"step_minutes": 60, "max_parallel": 1 + rng.below(2)});
            f["groups"][1]["conflicts"] = json!({"technology": ["c"]});
            let mut requests = Vec::new();
            for g in ["a", "b", "c"] {
                let mut r = request(g);
                // One day: 24 starts each, so brute force sees every plan.
                r["earliest"] = json!("2027-01-05");
                r["latest"] = json!("2027-01-05");
                r["minutes"] = json!([60, 120, 180][rng.below(3)]);
                let a = zones[rng.below(zones.len())];
                let b = zones[rng.below(zones.len())];
                r["participants"] = json!([{"time_zone": a}, {"time_zone": b}]);
                requests.push(r);
            }
            f["requests"] = json!(requests);
            f["calendar"] =
                json!({"telechats": [{"start": "2027-01-05T15:00:00Z", "minutes": 150}]});
            let p = problem(f);
            let planned = plan(&p, &options());
            let exact = brute_force(&p);
            assert!(planned.evaluation.errors.is_empty());
            assert_eq!(
                planned.evaluation.cost, exact,
                "seed {seed}: {:?}",
                planned.log
            );
            assert!(
                planned.optimal,
                "seed {seed}: not proven: {:?}",
                planned.notes
            );
            assert_eq!(planned.lower_bound, exact);
        }
    }

    #[test]
    fn the_same_input_gives_the_same_plan() {
        let mut f = base();
        f["rules"] = json!({"max_parallel": 1});
        f["requests"] = json!([request("a"), request("b"), request("c"), request("b")]);
        let p = problem(f);
        let a = crate::interim::plan_document(&p, &options());
        let b = crate::interim::plan_document(&p, &options());
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        assert_eq!(a.status, "optimal");
    }

    #[test]
    fn a_series_across_both_dst_changes_keeps_its_zones_in_daytime() {
        // Berlin and New York share 13:00-17:00 UTC in winter, 13:00-16:00 between the
        // US (14 March) and EU (28 March) changes, 12:00-16:00 after: a 3-hour series
        // stays painless only by moving in UTC as the clocks change.
        let mut f = base();
        f["requests"] = json!([{"group": "a", "kind": "series", "count": 6, "every_days": 7, "minutes": 180,
            "earliest": "2027-03-01", "latest": "2027-04-30", "avoid_weekdays": ["sat", "sun"],
            "participants": [{"time_zone": "Europe/Berlin"}, {"time_zone": "America/New_York"}]}]);
        f["now"] = json!("2027-01-01T00:00:00Z");
        let p = problem(f);
        let planned = plan(&p, &options());
        assert_eq!(
            planned.evaluation.cost, 0,
            "{:?}",
            planned.evaluation.violations
        );
        assert!(planned.optimal);
        let hours: Vec<u32> = planned
            .placement
            .sessions
            .iter()
            .map(|s| chrono::Timelike::hour(&s.as_ref().unwrap()[0].start))
            .collect();
        assert!(
            hours.contains(&13) && hours.contains(&12),
            "UTC start hours {hours:?}"
        );
    }

    #[test]
    fn a_closed_window_leaves_the_meeting_unplaced_with_the_reason() {
        let mut f = base();
        f["now"] = json!("2027-01-25T00:00:00Z");
        let p = problem(f);
        let doc = crate::interim::plan_document(&p, &options());
        assert_eq!(doc.unplaced.len(), 1);
        assert!(
            doc.unplaced[0].reason.contains("too soon to announce"),
            "{}",
            doc.unplaced[0].reason
        );
        assert_eq!(doc.cost, 10_000_000);
        assert_eq!(doc.status, "optimal");
    }

    #[test]
    fn the_series_fixture_rotates_and_checks_clean() {
        let text = std::fs::read_to_string("../tests/data/interim/series-rotation.json").unwrap();
        let file = crate::interim::parse_request(&text, "series-rotation.json").unwrap();
        let p = crate::interim::validate(&file, None).problem.unwrap();
        let doc = crate::interim::plan_document(
            &p,
            &PlanOptions {
                time_limit: Duration::from_secs(8),
                greedy_only: false,
            },
        );
        let e = crate::interim::check_plan(&p, &doc);
        assert!(e.errors.is_empty(), "{:?}", e.errors);
        assert_eq!(e.cost, doc.cost);
        assert!(doc.lower_bound.unwrap() <= doc.cost);
        assert!(doc.unplaced.is_empty());
        let core: Vec<_> = doc.meetings.iter().filter(|m| m.group == "core").collect();
        assert_eq!(core.len(), 8);
        assert_eq!(
            core[0].name, "interim-2027-core-03",
            "after core-01 and the cancelled core-02"
        );
        let fair = &doc.fairness[0];
        for z in &fair.zones {
            assert!(
                z.night_meetings < 8,
                "{} has every meeting at night",
                z.time_zone
            );
        }
        let worst = fair.zones.iter().map(|z| z.pain).max().unwrap();
        let best = fair.zones.iter().map(|z| z.pain).min().unwrap();
        assert!(
            worst <= 2 * best.max(1),
            "rotation spreads the pain: {fair:?}"
        );
        // Blackout and telechat rules hold (the check above), and so does the weekday wish.
        assert!(core.iter().all(|m| !m.sessions[0].start.is_empty()));
        assert!(!doc.violations.iter().any(|v| v.kind == "avoided_weekday"));
        let _ = at("2027-01-01T00:00:00Z");
    }
}
