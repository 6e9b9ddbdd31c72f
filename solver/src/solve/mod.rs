//! `agenda solve`: places every session, honours every hard rule, minimises the
//! FORMAT.md cost and says how close to optimal it is.
//!
//! [`solve`] runs the phases below; each lives in its own module, and the numbers that
//! steer them (time shares, step budgets, model sizes) in [`policy`]. `docs/solver.md`
//! explains the method and keeps the glossary (incumbent, bound, budget, core, probe,
//! portfolio).
//!
//! 1. [`tables`]: every coefficient, computed by the evaluator's own cost functions,
//!    and the time-level model ([`timing`]).
//! 2. [`heuristic`]: a greedy start (or the draft given as [`SolveOptions::start`]).
//! 3. Scouting: a short portfolio of tabu searches ([`portfolio`], [`tabu`]) for an
//!    incumbent to budget against.
//! 4. Core relaxations ([`cores`]): the crowded cliques' sessions, then those that
//!    need the longest blocks, each bounded under the [`budget`] of agendas cheaper
//!    than the incumbent. The best bound holds for the whole meeting.
//! 5. A portfolio of tabu searches, then the restricted core.
//! 6. Until proven, within the gap, cancelled or out of time: large-neighbourhood
//!    search ([`lns`]), a probe of the whole meeting ([`probes`]), and a new portfolio
//!    when neither improved.
//! 7. Rooms per block ([`rooms`]) and the evaluator, whose cost is the one reported.
//!
//! The lower bound is proven by a core's bound or a probe's, rounded up to the costs'
//! granularity, or by a search meeting it; `optimal` is claimed only when the
//! evaluated cost equals it.

// The module map links the phases' private modules: they resolve in
// `cargo doc --document-private-items`, the engineers' view of the solver.
#![allow(rustdoc::private_intra_doc_links)]

#[cfg(test)]
mod bound_tests;
pub(crate) mod budget;
mod cores;
mod cost_then_moves;
mod diagnosis;
pub(crate) mod heuristic;
pub(crate) mod ilp;
pub(crate) mod lagrange;
pub(crate) mod lns;
mod moves;
mod policy;
mod portfolio;
mod probes;
pub(crate) mod rooms;
mod search;
pub(crate) mod tables;
pub(crate) mod tabu;
#[cfg(test)]
mod testing;
pub(crate) mod timing;

pub use diagnosis::diagnose;

use crate::agenda::Agenda;
use crate::cost::{evaluate, Evaluation, Schedule};
use crate::problem::{Problem, SlotIdx};
use policy::{
    LNS_SHARE, LNS_SHARE_AFTER_CUT, PORTFOLIO_SHARE, PROBE_SHARE, RESTRICTED_CORE_SHARE,
    SCOUT_RUNS, SCOUT_SHARE, SCOUT_STEPS_PER_SESSION, STALLED_BATCHES, WHATIF_NEAR_FLOOR_FACTOR,
    WHATIF_PROBE_MAX_SETUP_SHARE, WHATIF_SCOUT_STEPS_PER_SESSION,
};
use portfolio::{Batch, Starts};
use probes::Probe;
use search::{agenda_cost, Search};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tables::CostTables;
use timing::TimeModel;

/// What a user sets for a solve. Build it with [`SolveOptions::checked`] from what a
/// person typed (the CLI and the service both do), or from [`Default`] in code.
#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Wall-clock limit for the whole solve.
    pub time_limit: Duration,
    /// Stop when [`relative_gap`] of the cost and the bound is at most this.
    pub gap: f64,
    /// Threads for the tabu searches and the slot problems of the core bounds. The
    /// result does not depend on it (HiGHS always uses one thread, for the same reason).
    pub threads: u32,
    /// Seed of the searches and of HiGHS: another seed, another equally valid agenda.
    pub seed: u64,
    /// Let HiGHS print its log on standard output (for diagnosis).
    pub solver_log: bool,
    /// Set from another thread to stop early: the solve returns the best agenda so far
    /// (a client that goes away, Ctrl-C).
    pub cancel: Option<Arc<AtomicBool>>,
    /// A previous agenda's blocks, by session ([`start_from_agenda`]): kept where they
    /// still fit, and the search goes on from there, so the result is never worse
    /// than the draft (and equal cost keeps the draft).
    pub start: Option<Vec<Option<SlotIdx>>>,
    /// Effort knobs for experiments and benchmarks; the defaults are what was measured
    /// best (`docs/solver.md`).
    pub tuning: Tuning,
}

/// The solver's effort knobs. Not user options: changing them changes which agenda a
/// seed finds, and the defaults were chosen on the benchmark suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// Tabu steps per session in each search of the first portfolios (counted, not
    /// timed, so runs are reproducible).
    pub steps_per_session: u64,
    /// Tabu searches per portfolio (seeds derived from the solve's seed).
    pub runs: u32,
    /// Large-neighbourhood rounds at most per improvement phase.
    pub lns_rounds: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            steps_per_session: 800,
            runs: 4,
            lns_rounds: 400,
        }
    }
}

/// The longest time limit accepted: a day.
pub const MAX_TIME_LIMIT_SECONDS: f64 = 86_400.0;
/// The most threads accepted.
pub const MAX_THREADS: u32 = 64;

/// An option out of its range; `option` is its name in [`SolveOptions`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{option}: {message}")]
pub struct OptionError {
    /// `time_limit`, `gap` or `threads`.
    pub option: &'static str,
    /// What is wrong and what to give instead.
    pub message: String,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: Duration::from_secs(60),
            gap: 0.0,
            threads: 2,
            seed: 1,
            solver_log: false,
            cancel: None,
            start: None,
            tuning: Tuning::default(),
        }
    }
}

impl SolveOptions {
    /// Options from what a user gave, each checked: a time limit in (0, 1 day]
    /// seconds, a gap in [0, 1), 1 to [`MAX_THREADS`] threads.
    pub fn checked(
        time_limit_seconds: f64,
        gap: f64,
        threads: u32,
        seed: u64,
    ) -> Result<SolveOptions, OptionError> {
        if !(time_limit_seconds.is_finite()
            && time_limit_seconds > 0.0
            && time_limit_seconds <= MAX_TIME_LIMIT_SECONDS)
        {
            return Err(OptionError {
                option: "time_limit",
                message: format!(
                    "must be a number of seconds in (0, {MAX_TIME_LIMIT_SECONDS}], got {time_limit_seconds}; give e.g. 60"
                ),
            });
        }
        if !(0.0..1.0).contains(&gap) {
            return Err(OptionError {
                option: "gap",
                message: format!("must be a fraction in [0, 1), e.g. 0.01 for 1 %, got {gap}"),
            });
        }
        if !(1..=MAX_THREADS).contains(&threads) {
            return Err(OptionError {
                option: "threads",
                message: format!("must be 1 to {MAX_THREADS}, got {threads}"),
            });
        }
        Ok(SolveOptions {
            time_limit: Duration::from_secs_f64(time_limit_seconds),
            gap,
            threads,
            seed,
            ..SolveOptions::default()
        })
    }
}

/// (cost - bound) / cost, the gap between an agenda's cost and a proven lower bound:
/// 0 when they meet (or the cost is 0). The one formula for the CLI, the service and
/// the solve's own stop ([`search::within_gap`] is its inverse).
pub fn relative_gap(cost: u64, bound: u64) -> f64 {
    if cost == 0 {
        0.0
    } else {
        (cost - bound.min(cost)) as f64 / cost as f64
    }
}

/// A phase of the solve, as progress reports name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// The greedy start (or the draft).
    Greedy,
    /// The short searches that give the core relaxations an incumbent.
    Scout,
    /// A core relaxation (slot decomposition, then HiGHS).
    Core,
    /// A portfolio of tabu searches.
    Tabu,
    /// Large-neighbourhood search.
    Lns,
    /// A whole-meeting model under the budget.
    Probe,
    /// The final agenda, priced by the evaluator.
    Done,
}

impl Phase {
    /// Every phase, in the order a solve may report them.
    pub const ALL: [Phase; 7] = [
        Phase::Greedy,
        Phase::Scout,
        Phase::Core,
        Phase::Tabu,
        Phase::Lns,
        Phase::Probe,
        Phase::Done,
    ];

    /// The phase's name in progress reports and on the wire.
    pub fn key(self) -> &'static str {
        match self {
            Phase::Greedy => "greedy",
            Phase::Scout => "scout",
            Phase::Core => "core",
            Phase::Tabu => "tabu",
            Phase::Lns => "lns",
            Phase::Probe => "probe",
            Phase::Done => "done",
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// How the result relates to the optimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Cost equals the proven lower bound.
    Optimal,
    /// A valid agenda; the bound (if any) leaves a gap.
    Feasible,
    /// The fixed placements themselves break a hard rule.
    Infeasible,
}

impl Status {
    /// The status's key in documents (`optimal`).
    pub fn key(self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::Feasible => "feasible",
            Status::Infeasible => "infeasible",
        }
    }
}

/// A progress report: the phase, the best cost so far and the proven bound.
#[derive(Debug, Clone)]
pub struct Progress {
    /// The phase that reports.
    pub phase: Phase,
    /// The best agenda's cost so far.
    pub incumbent: Option<u64>,
    /// The proven lower bound so far.
    pub bound: Option<u64>,
    /// Time since the solve started.
    pub elapsed: Duration,
}

/// Sizes and timings of a solve.
#[derive(Debug, Clone, Default)]
pub struct SolveStats {
    /// Sessions to place.
    pub sessions: usize,
    /// Columns and rows of the largest model solved: a core relaxation (by HiGHS, or
    /// by the slot decomposition of [`lagrange`]: a column per session and slot it may
    /// take, a row per session and per slot) or a whole-meeting probe.
    pub variables: usize,
    /// Rows of that model.
    pub rows: usize,
    /// The cost of the first incumbent (greedy, then the first tabu searches).
    pub heuristic_cost: u64,
    /// When the first agenda was found.
    pub time_to_first_feasible: Duration,
    /// The whole solve.
    pub total_time: Duration,
    /// When the optimum was proven (None if it was not).
    pub time_to_optimal: Option<Duration>,
    /// A phase stopped at its time share rather than at its own end: the result may
    /// differ on a faster or slower machine (otherwise it is reproducible to the byte).
    pub cut_by_time: bool,
    /// The caller cancelled the solve; the agenda is the best found until then.
    pub cancelled: bool,
}

/// What a solve returns: the agenda, its evaluation, its status and bound.
#[derive(Debug, Clone)]
pub struct SolveReport {
    /// Where each session sits.
    pub schedule: Schedule,
    /// The evaluator's verdict on `schedule` (its cost is the reported cost).
    pub evaluation: Evaluation,
    /// Optimal, feasible or infeasible.
    pub status: Status,
    /// Proven lower bound.
    pub lower_bound: Option<u64>,
    /// Why some sessions cannot be placed, or why the instance is infeasible, in words.
    pub diagnosis: Vec<String>,
    /// Sizes and timings.
    pub stats: SolveStats,
}

impl SolveReport {
    /// The [`relative_gap`] of the cost and the proven bound, when there is a bound.
    pub fn gap(&self) -> Option<f64> {
        Some(relative_gap(self.evaluation.cost, self.lower_bound?))
    }

    /// The `agenda/1` document of the result.
    pub fn to_agenda(&self, problem: &Problem) -> Agenda {
        let mut agenda = self.schedule.to_agenda(problem, &self.evaluation);
        agenda.status = Some(self.status.key().to_string());
        agenda.lower_bound = self.lower_bound;
        let reason = self.diagnosis.first().cloned();
        for u in &mut agenda.unscheduled {
            if u.reason == "not placed" {
                if let Some(r) = &reason {
                    u.reason = format!("not placed: {r}");
                }
            }
        }
        agenda
    }
}

/// The blocks of `agenda`'s placements, by session, for [`SolveOptions::start`]. Names
/// the problem does not know (a group that withdrew, a renamed slot) are skipped.
pub fn start_from_agenda(problem: &Problem, agenda: &Agenda) -> Vec<Option<SlotIdx>> {
    let (schedule, _) = Schedule::from_agenda(problem, agenda);
    (0..problem.sessions.len())
        .map(|s| schedule.get(s).map(|pl| pl.slot))
        .collect()
}

/// Solves `problem`. `progress` hears about each phase (and, during HiGHS solves,
/// about every change, at most twice a second).
pub fn solve(
    problem: &Problem,
    options: &SolveOptions,
    progress: &mut dyn FnMut(&Progress),
) -> SolveReport {
    solve_above(problem, options, 0, progress)
}

/// [`solve`], given a proven lower bound `floor` of `problem`'s cost without its move
/// terms (from a relaxation of it that was solved before: [`crate::whatif`]); a start
/// that reaches it is optimal at once, and it limits how many sessions a cheaper agenda
/// can move.
pub(crate) fn solve_above(
    problem: &Problem,
    options: &SolveOptions,
    floor: u64,
    progress: &mut dyn FnMut(&Progress),
) -> SolveReport {
    if problem.move_rule == crate::problem::MoveRule::CostThenMoves {
        return cost_then_moves::solve(problem, options, floor, progress);
    }
    let began = Instant::now();
    let p = problem;
    let tables = CostTables::build(p);
    let fixed: Vec<(usize, SlotIdx)> = p.fixed.iter().map(|f| (f.session, f.slot)).collect();
    let allowed = allowed_slots(p, &fixed);
    let (model, greedy) = model_and_greedy_start(p, &tables, &fixed);
    let first_feasible = began.elapsed();
    let start = best_start(&model, &fixed, options.start.as_deref(), &greedy);
    let mut search = Search::new(&model, &allowed, &fixed, options, began, start, greedy);
    if floor > 0 {
        search.raise_lower(floor);
        search.cost_floor = floor;
    }
    search.report(Phase::Greedy, progress);
    let over_cap = p
        .move_rule
        .max_moves()
        .map(|k| (p.moves(&search.best), k))
        .filter(|&(moved, k)| moved > k);
    if let Some((moved, k)) = over_cap {
        // The sessions the base no longer fits have to move: a search could only look
        // for agendas the cap forbids.
        search.notes.push(format!(
            "keeping the base agenda where it still fits moves {moved} sessions, more than the {k} allowed: allow more moves"
        ));
    } else if floor == 0 || !search.done() {
        search.run(progress);
    }
    finish(p, &tables, search, options, first_feasible, progress)
}

/// The slots each session may take: its pinned one, or every slot with an open room.
fn allowed_slots(p: &Problem, fixed: &[(usize, SlotIdx)]) -> Vec<Vec<SlotIdx>> {
    (0..p.sessions.len())
        .map(|s| match fixed.iter().find(|f| f.0 == s) {
            Some(&(_, b)) => vec![b],
            None => (0..p.slots.len())
                .filter(|&b| !p.slots[b].rooms.is_empty())
                .collect(),
        })
        .collect()
}

/// The time model and the greedy agenda the search starts from.
fn model_and_greedy_start<'p>(
    p: &'p Problem,
    tables: &'p CostTables,
    fixed: &[(usize, SlotIdx)],
) -> (TimeModel<'p>, Vec<Option<SlotIdx>>) {
    let mut model = TimeModel::new(p, tables);
    // Under a cap on moves every agenda kept must respect it, so the base (kept where
    // it still fits) is where the search and its fresh restarts begin.
    let greedy = match p.move_rule.max_moves() {
        Some(_) => heuristic::greedy_from(&model, fixed, &p.base),
        None => heuristic::greedy(&model, fixed),
    };
    // Fixed sessions that the greedy start could all place stay placed in every
    // model: an agenda that leaves one out breaks a hard rule (a pinned session was
    // left out of a full meeting by an exact model before this; bound_tests).
    if fixed.iter().all(|&(s, b)| greedy[s] == Some(b)) {
        for &(s, _) in fixed {
            model.must_place[s] = true;
        }
    }
    (model, greedy)
}

/// The agenda to start from and its cost: a draft (`--start`), kept where it still
/// fits, when it is no dearer than the greedy agenda (ties keep the draft).
fn best_start(
    model: &TimeModel,
    fixed: &[(usize, SlotIdx)],
    draft: Option<&[Option<SlotIdx>]>,
    greedy: &[Option<SlotIdx>],
) -> (Vec<Option<SlotIdx>>, u64) {
    let greedy_cost = agenda_cost(model, greedy, &[]);
    if let Some(hint) = draft {
        let kept = heuristic::greedy_from(model, fixed, hint);
        let kept_cost = agenda_cost(model, &kept, &[]);
        if kept_cost <= greedy_cost {
            return (kept, kept_cost);
        }
    }
    (greedy.to_vec(), greedy_cost)
}

/// Rooms for the search's best time-level schedule, the evaluator's verdict on it, the
/// status its bound proves, and the report.
fn finish(
    p: &Problem,
    tables: &CostTables,
    search: Search,
    options: &SolveOptions,
    first_feasible: Duration,
    progress: &mut dyn FnMut(&Progress),
) -> SolveReport {
    let schedule = rooms::assign_rooms(p, tables, &search.best, &search.best_rooms);
    let evaluation = evaluate(p, &schedule);
    let lower_bound = Some(search.lower.min(evaluation.cost));
    let mut diagnosis = diagnose(p);
    diagnosis.extend(search.notes);
    let fixed_errors = diagnosis::fixed_conflicts(p);
    let status = if !fixed_errors.is_empty() {
        diagnosis.splice(0..0, fixed_errors);
        Status::Infeasible
    } else if !evaluation.hard_errors.is_empty() {
        Status::Feasible
    } else if lower_bound == Some(evaluation.cost) {
        Status::Optimal
    } else {
        Status::Feasible
    };
    let total_time = search.began.elapsed();
    progress(&Progress {
        phase: Phase::Done,
        incumbent: Some(evaluation.cost),
        bound: lower_bound,
        elapsed: total_time,
    });
    SolveReport {
        schedule,
        evaluation,
        status,
        lower_bound,
        diagnosis,
        stats: SolveStats {
            sessions: p.schedulable_sessions().count(),
            variables: search.variables,
            rows: search.rows,
            heuristic_cost: search.heuristic_cost,
            time_to_first_feasible: first_feasible,
            total_time,
            time_to_optimal: (status == Status::Optimal)
                .then(|| search.proven_at.unwrap_or(total_time)),
            cut_by_time: search.cut_by_time,
            cancelled: options
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed)),
        },
    }
}

impl Search<'_, '_> {
    /// The phases after the greedy start, in order (see the module documentation).
    fn run(&mut self, progress: &mut dyn FnMut(&Progress)) {
        let p = self.model.problem;
        let n = p.sessions.len() as u64;
        // A what-if whose start (its published agenda, kept where it fits) costs at
        // most twice the unedited meeting's bound is near its optimum: the scouts
        // repair it instead of searching from scratch. An edit that broke more (a time
        // range of 1,000,000 now met) gets the fresh scouts, which found cheaper basins
        // there (`BENCHMARKS.md`, what-if re-solves).
        let near_floor = self.cost_floor > 0
            && self.upper <= self.cost_floor.saturating_mul(WHATIF_NEAR_FLOOR_FACTOR);
        let scout = if near_floor {
            Batch {
                number: 0,
                runs: SCOUT_RUNS,
                steps: WHATIF_SCOUT_STEPS_PER_SESSION * n,
                starts: Starts::Incumbent,
            }
        } else {
            Batch {
                number: 0,
                runs: SCOUT_RUNS,
                steps: SCOUT_STEPS_PER_SESSION * n,
                starts: Starts::Fresh,
            }
        };
        self.tabu_phase(Phase::Scout, scout, SCOUT_SHARE, progress);
        self.trim_averse_scout(scout, progress);
        self.heuristic_cost = self.upper;
        if self.list_moves(progress) {
            return;
        }
        self.core_phase(progress);
        self.widen_search_core();
        let mut probing = true;
        match self.early_probe(progress) {
            Some(Probe::Settled) => return,
            Some(Probe::TooLarge) => probing = false,
            _ => {}
        }
        let runs = self.options.tuning.runs.max(1);
        let steps = self.options.tuning.steps_per_session * n;
        let first = Batch {
            number: 1,
            runs,
            steps,
            starts: Starts::Fresh,
        };
        let mut searches_cut = self.tabu_phase(Phase::Tabu, first, PORTFOLIO_SHARE, progress);
        // The searches' incumbent leaves the core's bound less room than the scout's
        // did: more sessions may be down to a few slots.
        if let Some(restricted) = self.restricted_core() {
            self.solve_core(restricted, RESTRICTED_CORE_SHARE, true, progress);
            self.widen_search_core();
        }
        // Exact improvement and proofs while time is left. When neither improves, the
        // incumbent's basin is exhausted (LNS and probes do not leave a basin), so a
        // new batch of tabu searches with fresh seeds looks elsewhere. Once the clock stopped searches, a batch of
        // short searches from the incumbent ([`Starts::Incumbent`]) follows every LNS
        // round instead.
        let mut batch = 2;
        let mut stalls = 0;
        // Once the clock stopped a portfolio (a large meeting), every later batch goes
        // on from the incumbent in short searches ([`Starts::Incumbent`]), and this is
        // the incumbent the last batch started from.
        let mut batch_from: Option<u64> = None;
        // A what-if's model presolves slower than the estimate (policy.rs).
        let probe_setup_share = if p.has_base() {
            WHATIF_PROBE_MAX_SETUP_SHARE
        } else {
            1.0
        };
        while !self.done() {
            // Searches the clock stopped had more to find (a large meeting): LNS then
            // takes a smaller share, and the searches the rest (docs/solver.md, Policy:
            // `LNS_SHARE_AFTER_CUT`).
            let lns_share = if searches_cut {
                LNS_SHARE_AFTER_CUT
            } else {
                LNS_SHARE
            };
            let before = self.upper;
            self.improve(lns_share, progress);
            // A polish too small to count ([`lns::worthwhile`]) leaves the
            // incumbent in its basin: the next batch of searches looks elsewhere.
            let mut better = lns::worthwhile(before, self.upper);
            if self.done() {
                break;
            }
            // Searches from the incumbent are the search itself, continued: the next
            // batch follows whatever LNS did, and a cheaper agenda since the last batch
            // began (by it or by LNS) is progress, however small.
            if searches_cut && batch_from.is_some_and(|from| self.upper < from) {
                stalls = 0;
            }
            if probing {
                let target = self.upper - self.granularity;
                match self.probe(target, PROBE_SHARE, probe_setup_share, progress) {
                    Probe::Settled => break,
                    Probe::TooLarge | Probe::NoTime => probing = false,
                    Probe::Improved => better = true,
                    Probe::Open => {}
                }
            }
            if !better || searches_cut {
                if !better {
                    stalls += 1;
                }
                if stalls >= STALLED_BATCHES || self.done() {
                    break;
                }
                let next = Batch {
                    number: batch,
                    runs,
                    steps,
                    starts: if searches_cut {
                        Starts::Incumbent
                    } else {
                        Starts::Fresh
                    },
                };
                batch_from = Some(self.upper);
                // Short searches from the incumbent usually end before the clock: the
                // meeting is still a large one.
                searches_cut |= self.tabu_phase(Phase::Tabu, next, PORTFOLIO_SHARE, progress);
                batch += 1;
            }
        }
    }
}
