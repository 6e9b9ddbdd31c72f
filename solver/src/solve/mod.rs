//! `agenda solve`: places every session, honours every hard rule, minimises the
//! FORMAT.md cost and says how close to optimal it is.
//!
//! Pipeline: cost tables from the evaluator ([`tables`]) → a deterministic heuristic
//! start (greedy, then annealing, [`heuristic`]) → the exact time-first integer program
//! warm-started from it ([`ilp`], HiGHS) → rooms per block ([`rooms`]) → the evaluator,
//! whose cost is the one reported. The lower bound is HiGHS's proven dual bound, rounded
//! up to the penalties' granularity; `optimal` is claimed only when the evaluated cost
//! equals it.

pub mod heuristic;
pub mod ilp;
pub mod lns;
pub mod rooms;
pub mod tables;
pub mod timing;

use crate::agenda::Agenda;
use crate::cost::{evaluate, Evaluation, Schedule};
use crate::penalties::CostKind;
use crate::problem::{Problem, SlotIdx};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tables::CostTables;
use timing::TimeModel;

/// Options of `agenda solve`.
#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Wall-clock limit for the integer program.
    pub time_limit: Duration,
    /// Stop when (cost - bound) / cost is at most this.
    pub gap: f64,
    /// Threads for the annealing restarts (the result does not depend on it).
    pub threads: u32,
    pub seed: u64,
    /// Annealing moves per session and restart (the heuristic's budget, counted, not
    /// timed, so runs are reproducible).
    pub moves_per_session: u64,
    /// Independent annealing runs (seeds derived from `seed`); the best is kept. The
    /// result does not depend on `threads`, which only runs them side by side.
    pub restarts: u32,
    /// Large-neighbourhood rounds after annealing.
    pub lns_rounds: usize,
    /// Let HiGHS print its log on standard output (for diagnosis).
    pub solver_log: bool,
    /// Set from another thread to stop early: the solve returns the best agenda so far
    /// (a client that goes away, Ctrl-C).
    pub cancel: Option<Arc<AtomicBool>>,
    /// A previous agenda's blocks, by session ([`start_from_agenda`]): kept where they
    /// still fit and competing with the annealing runs, so the result is never worse
    /// than the draft (and equal cost keeps the draft).
    pub start: Option<Vec<Option<SlotIdx>>>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: Duration::from_secs(60),
            gap: 0.0,
            threads: 1,
            seed: 1,
            moves_per_session: 40_000,
            restarts: 8,
            lns_rounds: 40,
            solver_log: false,
            cancel: None,
            start: None,
        }
    }
}

/// How the result relates to the optimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Cost equals the proven lower bound.
    Optimal,
    /// A valid agenda; the bound (if any) leaves a gap.
    Feasible,
    /// The fixed placements themselves break a hard rule.
    Infeasible,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::Feasible => "feasible",
            Status::Infeasible => "infeasible",
        }
    }
}

/// A progress report, sent after each phase.
#[derive(Debug, Clone)]
pub struct Progress {
    pub phase: &'static str,
    pub incumbent: Option<u64>,
    pub bound: Option<u64>,
    pub elapsed: Duration,
}

/// Sizes and timings of a solve.
#[derive(Debug, Clone, Default)]
pub struct SolveStats {
    pub sessions: usize,
    pub variables: usize,
    pub rows: usize,
    pub heuristic_cost: u64,
    pub time_to_first_feasible: Duration,
    pub total_time: Duration,
    /// When the ILP proved its optimum (None if it did not).
    pub time_to_optimal: Option<Duration>,
    /// A phase stopped at its time share rather than at its own end: the result may
    /// differ on a faster or slower machine (otherwise it is reproducible to the byte).
    pub cut_by_time: bool,
    /// The caller cancelled the solve; the agenda is the best found until then.
    pub cancelled: bool,
}

#[derive(Debug, Clone)]
pub struct SolveReport {
    pub schedule: Schedule,
    pub evaluation: Evaluation,
    pub status: Status,
    /// Proven lower bound (present only when HiGHS proved one).
    pub lower_bound: Option<u64>,
    /// Why some sessions cannot be placed, or why the instance is infeasible, in words.
    pub diagnosis: Vec<String>,
    pub stats: SolveStats,
}

impl SolveReport {
    pub fn gap(&self) -> Option<f64> {
        let bound = self.lower_bound?;
        let cost = self.evaluation.cost;
        Some(if cost == 0 {
            0.0
        } else {
            (cost - bound.min(cost)) as f64 / cost as f64
        })
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

/// Solves `problem`. `progress` hears about each phase.
pub fn solve(
    problem: &Problem,
    options: &SolveOptions,
    progress: &mut dyn FnMut(&Progress),
) -> SolveReport {
    let began = Instant::now();
    let tables = CostTables::build(problem);
    let model = TimeModel::new(problem, &tables);
    let p = problem;

    let fixed: Vec<(usize, SlotIdx)> = p.fixed.iter().map(|f| (f.session, f.slot)).collect();
    let allowed: Vec<Vec<SlotIdx>> = (0..p.sessions.len())
        .map(|s| match fixed.iter().find(|f| f.0 == s) {
            Some(&(_, b)) => vec![b],
            None => (0..p.slots.len())
                .filter(|&b| !p.slots[b].rooms.is_empty())
                .collect(),
        })
        .collect();

    let greedy = heuristic::greedy(&model, &fixed);
    let first_feasible = began.elapsed();
    let fixed_sessions: Vec<usize> = fixed.iter().map(|f| f.0).collect();
    let moves = options.moves_per_session * p.sessions.len() as u64;
    let seeds: Vec<u64> = (0..u64::from(options.restarts.max(1)))
        .map(|i| options.seed.wrapping_mul(1_000_003).wrapping_add(i))
        .collect();
    // Annealing may use 35 % of the time limit; past that its result depends on the
    // machine's speed, which the report says.
    let deadline = began + options.time_limit.mul_f64(0.35);
    let runs = parallel_map(&seeds, options.threads.max(1) as usize, |&seed| {
        let run = heuristic::anneal(
            &model,
            greedy.clone(),
            &fixed_sessions,
            moves,
            seed,
            Some(deadline),
            options.cancel.as_deref(),
        );
        (model.cost(&run.slot_of), run.slot_of, run.cut_by_time)
    });
    let mut cut_by_time = runs.iter().any(|r| r.2);
    let mut runs = runs;
    if let Some(hint) = &options.start {
        let kept = heuristic::greedy_from(&model, &fixed, hint);
        runs.insert(0, (model.cost(&kept), kept, false));
    }
    // The cheapest run; ties go to the draft, then to the first seed, whatever the
    // thread timing.
    let (heuristic_cost, start) = runs
        .into_iter()
        .enumerate()
        .min_by_key(|(i, (cost, _, _))| (*cost, *i))
        .map(|(_, (cost, slots, _))| (cost, slots))
        .unwrap_or_else(|| (model.cost(&greedy), greedy.clone()));
    progress(&Progress {
        phase: "heuristic",
        incumbent: Some(heuristic_cost),
        bound: None,
        elapsed: began.elapsed(),
    });

    let granularity = penalty_granularity(p);
    let ilp_options = |time_limit: Duration| ilp::IlpOptions {
        deadline: Instant::now() + time_limit.max(Duration::from_millis(100)),
        gap: options.gap,
        seed: options.seed,
        log: options.solver_log,
        cancel: options.cancel.clone(),
    };

    // Core relaxation: only the sessions that need the longest slots, which fight over
    // few blocks; every term touching the others is dropped, so its bound holds for the
    // whole meeting, and it is proved much faster (SOLVER-NOTES, point 3).
    let longest = p.slots.iter().map(|s| s.minutes).max().unwrap_or(0);
    let core: Vec<bool> = (0..p.sessions.len())
        .map(|s| p.sessions[s].schedulable && p.sessions[s].minutes >= longest)
        .collect();
    let core_size = core.iter().filter(|&&c| c).count();
    let mut core_bound: Option<u64> = None;
    if core_size >= 2 && core_size < p.schedulable_sessions().count() {
        let remaining = options.time_limit.saturating_sub(began.elapsed());
        let masked: Vec<Option<SlotIdx>> = (0..p.sessions.len())
            .map(|s| start[s].filter(|_| core[s]))
            .collect();
        let cliques = ilp::pigeonhole_sets(&model, &allowed, &core);
        let mut report = |_: Option<f64>, dual: f64| {
            progress(&Progress {
                phase: "core",
                incumbent: Some(heuristic_cost),
                bound: dual.is_finite().then(|| round_up(dual, granularity)),
                elapsed: began.elapsed(),
            })
        };
        let watch = ilp::Watch {
            progress: &mut report,
            cancel: options.cancel.as_deref(),
        };
        let outcome = ilp::Ilp::build(&model, &allowed, &core, &cliques).solve(
            Some(&masked),
            &ilp_options(remaining.mul_f64(0.5)),
            Some(watch),
        );
        core_bound = outcome.dual_bound.map(|b| round_up(b, granularity));
        cut_by_time |= !outcome.proven_optimal;
        progress(&Progress {
            phase: "core",
            incumbent: Some(heuristic_cost),
            bound: core_bound,
            elapsed: began.elapsed(),
        });
    }

    // The full model, warm-started, on half of what is left: it proves small meetings
    // optimal. Skipped when too large to build in time (the bound is then the core's).
    let everyone = vec![true; p.sessions.len()];
    let estimated_rows = ilp::estimate_rows(&model, &allowed);
    let mut skipped = None;
    let mut candidates = vec![(start.clone(), vec![])];
    let (mut variables, mut rows, mut full_bound, mut proven_optimal) = (0, 0, None, false);
    if estimated_rows <= MAX_FULL_MODEL_ROWS {
        let cliques = ilp::pigeonhole_sets(&model, &allowed, &everyone);
        let ilp = ilp::Ilp::build(&model, &allowed, &everyone, &cliques);
        (variables, rows) = (ilp.variables(), ilp.rows());
        let remaining = options.time_limit.saturating_sub(began.elapsed());
        let mut report = |primal: Option<f64>, dual: f64| {
            let dual = dual.is_finite().then(|| round_up(dual, granularity));
            progress(&Progress {
                phase: "ilp",
                incumbent: primal.map(|v| v.round() as u64),
                bound: dual.max(core_bound),
                elapsed: began.elapsed(),
            })
        };
        let watch = ilp::Watch {
            progress: &mut report,
            cancel: options.cancel.as_deref(),
        };
        let outcome = ilp.solve(
            Some(&start),
            &ilp_options(remaining.mul_f64(0.5)),
            Some(watch),
        );
        full_bound = outcome.dual_bound.map(|b| round_up(b, granularity));
        proven_optimal = outcome.proven_optimal;
        progress(&Progress {
            phase: "ilp",
            incumbent: outcome.objective.map(|o| o.round() as u64),
            bound: full_bound.max(core_bound),
            elapsed: began.elapsed(),
        });
        if let Some(s) = outcome.slot_of {
            candidates.push((s, outcome.room_of));
        }
    } else {
        skipped = Some(format!(
            "the full model (about {estimated_rows} rows) is too large to solve here; the bound is the core relaxation's"
        ));
    }
    let bound = full_bound.max(core_bound);

    // Not proven: large-neighbourhood search on the rest, from the best time-level
    // schedule so far; it stops early once it meets the bound.
    if !proven_optimal {
        let best_start = candidates
            .iter()
            .map(|(slots, _)| (model.cost(slots), slots))
            .min_by_key(|(cost, _)| *cost)
            .map(|(_, slots)| slots.clone())
            .unwrap_or_else(|| start.clone());
        let remaining = options.time_limit.saturating_sub(began.elapsed());
        let mut report_lns = |cost: u64| {
            progress(&Progress {
                phase: "lns",
                incumbent: Some(cost),
                bound,
                elapsed: began.elapsed(),
            })
        };
        let improved = lns::improve(
            &model,
            best_start,
            &fixed,
            remaining,
            options.lns_rounds,
            bound.unwrap_or(0),
            &ilp_options(remaining),
            &mut report_lns,
        );
        cut_by_time |= improved.cut_by_time || full_bound.is_some();
        candidates.push((improved.slot_of, vec![]));
    }

    // The better of the time-level schedules, then rooms, then the evaluator.
    let mut best: Option<(Schedule, Evaluation)> = None;
    for (slot_of, forced) in candidates {
        let schedule = rooms::assign_rooms(p, &tables, &slot_of, &forced);
        let evaluation = evaluate(p, &schedule);
        let better = match &best {
            None => true,
            Some((_, e)) => {
                (evaluation.hard_errors.len(), evaluation.cost) < (e.hard_errors.len(), e.cost)
            }
        };
        if better {
            best = Some((schedule, evaluation));
        }
    }
    let (schedule, evaluation) = best.unwrap_or_else(|| {
        let s = Schedule::empty(p);
        let e = evaluate(p, &s);
        (s, e)
    });

    let lower_bound = bound.map(|b| b.min(evaluation.cost));
    let mut diagnosis = diagnose(p);
    diagnosis.extend(skipped);
    let fixed_errors = fixed_conflicts(p);
    let status = if !fixed_errors.is_empty() {
        diagnosis.splice(0..0, fixed_errors);
        Status::Infeasible
    } else if lower_bound == Some(evaluation.cost) {
        Status::Optimal
    } else {
        Status::Feasible
    };
    let total_time = began.elapsed();
    progress(&Progress {
        phase: "done",
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
            variables,
            rows,
            heuristic_cost,
            time_to_first_feasible: first_feasible,
            total_time,
            time_to_optimal: proven_optimal.then_some(total_time),
            cut_by_time,
            cancelled: options
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed)),
        },
    }
}

/// Above this many linking rows the full model is not built: on 2 cores its
/// construction alone would take most of a minute, and the LP could not close a gap.
const MAX_FULL_MODEL_ROWS: usize = 150_000;

/// Maps `f` over `items` on up to `threads` scoped threads, keeping the input order.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if threads <= 1 || items.len() <= 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// The greatest common divisor of all penalties: every cost is a multiple of it, so a
/// bound can be rounded up to it (SOLVER-NOTES, point 4).
fn penalty_granularity(p: &Problem) -> u64 {
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    CostKind::ALL
        .into_iter()
        .map(|k| p.penalties.get(k))
        .fold(0, gcd)
        .max(1)
}

/// Rounds a floating bound up to the granularity, forgiving solver tolerances.
fn round_up(bound: f64, granularity: u64) -> u64 {
    if bound <= 0.0 {
        return 0;
    }
    let g = granularity as f64;
    let tolerance = 1e-6 * bound.abs().max(1.0);
    (((bound - tolerance) / g).ceil().max(0.0) * g) as u64
}

/// Hard-rule breaches among the fixed placements alone.
fn fixed_conflicts(p: &Problem) -> Vec<String> {
    let mut s = Schedule::empty(p);
    for f in &p.fixed {
        let room = f
            .room
            .unwrap_or_else(|| p.slots[f.slot].rooms.first().copied().unwrap_or(0));
        s.placement[f.session] = Some(crate::cost::Placement { slot: f.slot, room });
    }
    let e = evaluate(p, &s);
    e.hard_errors
        .iter()
        .filter(|h| !matches!(h.kind, crate::cost::HardKind::MissingSession))
        .map(|h| format!("fixed placements cannot all hold: {}", h.message))
        .collect()
}

/// Why an instance cannot be fully placed, in words (empty when nothing forbids it).
pub fn diagnose(p: &Problem) -> Vec<String> {
    let mut out = Vec::new();
    let schedulable: Vec<usize> = p.schedulable_sessions().collect();
    let pairs: usize = p.slots.iter().map(|s| s.rooms.len()).sum();
    if schedulable.len() > pairs {
        out.push(format!(
            "{} sessions but only {pairs} (block, room) pairs",
            schedulable.len()
        ));
    }
    let mut lengths: Vec<u32> = schedulable.iter().map(|&s| p.sessions[s].minutes).collect();
    lengths.sort_unstable();
    lengths.dedup();
    for len in lengths.into_iter().rev() {
        let need = schedulable
            .iter()
            .filter(|&&s| p.sessions[s].minutes >= len)
            .count();
        let have: usize = p
            .slots
            .iter()
            .filter(|s| s.minutes >= len)
            .map(|s| s.rooms.len())
            .sum();
        if need > have {
            out.push(format!(
                "{need} sessions need a {len}-minute block but only {have} (block, room) pairs are that long: the rest are trimmed"
            ));
        }
    }
    for (g, sessions) in p.group_sessions.iter().enumerate() {
        let n = sessions
            .iter()
            .filter(|&&s| p.sessions[s].schedulable)
            .count();
        if n > p.slots.len() {
            out.push(format!(
                "{} has {n} sessions but the meeting has {} blocks",
                p.acronym(g),
                p.slots.len()
            ));
        }
    }
    out
}
