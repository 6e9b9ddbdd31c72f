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
pub mod rooms;
pub mod tables;
pub mod timing;

use crate::agenda::Agenda;
use crate::cost::{evaluate, Evaluation, Schedule};
use crate::penalties::CostKind;
use crate::problem::{Problem, SlotIdx};
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
    pub threads: u32,
    pub seed: u64,
    /// Annealing moves per session (the heuristic's budget, counted, not timed).
    pub moves_per_session: u64,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: Duration::from_secs(60),
            gap: 0.0,
            threads: 1,
            seed: 1,
            moves_per_session: 4_000,
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

    let start = heuristic::greedy(&model, &fixed);
    let fixed_sessions: Vec<usize> = fixed.iter().map(|f| f.0).collect();
    let moves = options.moves_per_session * p.sessions.len() as u64;
    let start = heuristic::anneal(&model, start, &fixed_sessions, moves, options.seed);
    let heuristic_cost = model.cost(&start);
    let first_feasible = began.elapsed();
    progress(&Progress {
        phase: "heuristic",
        incumbent: Some(heuristic_cost),
        bound: None,
        elapsed: first_feasible,
    });

    let ilp = ilp::Ilp::build(&model, &allowed);
    let (variables, rows) = (ilp.variables(), ilp.rows());
    let remaining = options.time_limit.saturating_sub(began.elapsed());
    let outcome = ilp.solve(
        Some(&start),
        &ilp::IlpOptions {
            time_limit: remaining.max(Duration::from_millis(100)),
            gap: options.gap,
            threads: options.threads,
            seed: options.seed,
        },
    );

    // The better of the two time-level schedules, then rooms, then the evaluator.
    let mut candidates = vec![(start, vec![])];
    if let Some(s) = outcome.slot_of.clone() {
        candidates.push((s, outcome.room_of.clone()));
    }
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

    let granularity = penalty_granularity(p);
    let lower_bound = outcome
        .dual_bound
        .map(|b| round_up(b, granularity))
        .map(|b| b.min(evaluation.cost));
    let mut diagnosis = diagnose(p);
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
            time_to_optimal: outcome.proven_optimal.then_some(total_time),
        },
    }
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
