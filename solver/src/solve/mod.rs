//! `agenda solve`: places every session, honours every hard rule, minimises the
//! FORMAT.md cost and says how close to optimal it is.
//!
//! Pipeline (each step is a module that documents itself):
//!
//! 1. [`tables`]: every coefficient, computed by the evaluator's own cost functions.
//! 2. [`heuristic`] and [`tabu`]: a greedy start, then short tabu searches for a first
//!    incumbent.
//! 3. The core relaxations ([`ilp`] under a [`budget`]): the sessions of crowded
//!    cliques (more mutually priced sessions than time points: the BoFs of the 4x
//!    synthetic), then the sessions that need the longest blocks, each core priced
//!    alone under the hard rules that any agenda cheaper than the incumbent must obey.
//!    Each is bounded first by the slot decomposition ([`lagrange`]), then by HiGHS
//!    when that stays more than 1 % below a placement of the core. A core too large
//!    for HiGHS leaves its light pairs out too, and is skipped when it is still too
//!    large without them. Each bound holds for the whole meeting (on IETF 106:
//!    250,000 in about a second); the best is kept.
//! 4. A portfolio of tabu searches (seeded, counted in steps, side by side on the
//!    threads), each stopping as soon as it meets the bound. When the incumbent's
//!    placement of the crowded cliques (with the sessions the bound leaves few slots)
//!    is far from their cheapest, every other search is an iterated one instead: each
//!    round moves them to a cheap placement of their own and repairs the rest around
//!    it.
//! 5. Large-neighbourhood search ([`lns`]): sub-problems solved exactly by HiGHS, each
//!    restricted to agendas cheaper than the incumbent, so most are refuted at once.
//! 6. Probes of the whole meeting under the budget (prove or improve), while time is
//!    left and the gap is open; when neither LNS nor a probe improves, a new batch of
//!    tabu searches (fresh seeds) looks for another basin, then 5 and 6 again. Once
//!    the clock cut a batch short, every later one is short searches from the
//!    incumbent instead, one batch after another (`Starts::Incumbent`).
//! 7. Rooms per block ([`rooms`]) and the evaluator, whose cost is the one reported.
//!
//! The lower bound is proven by a core's bound (the slot decomposition's or HiGHS's
//! dual bound) or a probe's, rounded up to the costs' granularity, or by a search
//! meeting it; `optimal` is claimed only when the evaluated cost equals it.

pub mod budget;
pub mod heuristic;
pub mod ilp;
pub mod lagrange;
pub mod lns;
pub mod rooms;
pub mod tables;
pub mod tabu;
#[cfg(test)]
mod testing;
pub mod timing;

use crate::agenda::Agenda;
use crate::cost::{evaluate, Evaluation, Schedule};
use crate::problem::{Problem, SlotIdx};
use budget::{Budget, CoreBound};
use ilp::{Ilp, IlpOptions, Watch};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tables::CostTables;
use timing::TimeModel;

/// Options of `agenda solve`.
#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Wall-clock limit for the whole solve.
    pub time_limit: Duration,
    /// Stop when (cost - bound) / cost is at most this.
    pub gap: f64,
    /// Threads for the tabu searches and the slot problems of [`lagrange`] (the result
    /// does not depend on it; HiGHS always uses one thread, for the same reason).
    pub threads: u32,
    pub seed: u64,
    /// Tabu steps per session in each search of the portfolio (the budget, counted,
    /// not timed, so runs are reproducible). Once the clock cut a portfolio (a large
    /// meeting), the later searches go on from the incumbent for at most 40,000 steps
    /// each.
    pub steps_per_session: u64,
    /// Tabu searches in the portfolio (seeds derived from `seed`); the best is kept.
    pub runs: u32,
    /// Large-neighbourhood rounds at most.
    pub lns_rounds: usize,
    /// Let HiGHS print its log on standard output (for diagnosis).
    pub solver_log: bool,
    /// Set from another thread to stop early: the solve returns the best agenda so far
    /// (a client that goes away, Ctrl-C).
    pub cancel: Option<Arc<AtomicBool>>,
    /// A previous agenda's blocks, by session ([`start_from_agenda`]): kept where they
    /// still fit, and the search goes on from there, so the result is never worse
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
            steps_per_session: 800,
            runs: 4,
            lns_rounds: 400,
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

/// A progress report: the phase, the best cost so far and the proven bound.
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
    /// Columns and rows of the largest model solved: a core relaxation (by HiGHS, or
    /// by the slot decomposition of [`lagrange`]: a column per session and slot it may
    /// take, a row per session and per slot) or a whole-meeting probe.
    pub variables: usize,
    pub rows: usize,
    /// The cost of the first incumbent (greedy, then the first tabu searches).
    pub heuristic_cost: u64,
    pub time_to_first_feasible: Duration,
    pub total_time: Duration,
    /// When the optimum was proven (None if it was not).
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
    /// Proven lower bound.
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

/// Solves `problem`. `progress` hears about each phase (and, during HiGHS solves,
/// about every change, at most twice a second).
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
    // A draft to start from is kept where it still fits and competes with the greedy
    // start (ties keep the draft).
    let greedy_cost = agenda_cost(&model, &greedy, &[]);
    let (start, upper) = match &options.start {
        Some(hint) => {
            let kept = heuristic::greedy_from(&model, &fixed, hint);
            let kept_cost = agenda_cost(&model, &kept, &[]);
            if kept_cost <= greedy_cost {
                (kept, kept_cost)
            } else {
                (greedy.clone(), greedy_cost)
            }
        }
        None => (greedy.clone(), greedy_cost),
    };
    let mut search = Search::new(
        &model,
        &allowed,
        &fixed,
        options,
        began,
        (start, upper),
        greedy,
    );
    search.report("greedy", progress);
    search.run(progress);

    // Rooms for the best time-level schedule, then the evaluator.
    let schedule = rooms::assign_rooms(p, &tables, &search.best, &search.best_rooms);
    let evaluation = evaluate(p, &schedule);
    let lower_bound = Some(search.lower.min(evaluation.cost));
    let mut diagnosis = diagnose(p);
    diagnosis.extend(search.notes);
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

/// The solve's state between phases: the incumbent (a time-level schedule and its
/// cost), the proven lower bound, and the core bound that sharpens the budgets.
struct Search<'s, 'a> {
    model: &'s TimeModel<'a>,
    allowed: &'s [Vec<SlotIdx>],
    fixed: &'s [(usize, SlotIdx)],
    options: &'s SolveOptions,
    began: Instant,
    granularity: u64,
    best: Vec<Option<SlotIdx>>,
    /// The greedy agenda, where fresh searches start.
    greedy: Vec<Option<SlotIdx>>,
    /// Rooms the ILP chose for adjacency sessions of `best` (empty: none chosen).
    best_rooms: Vec<Option<usize>>,
    upper: u64,
    lower: u64,
    core: Option<CoreBound>,
    /// What the iterated searches place first ([`core_first_search`]): the sessions
    /// of crowded cliques and, once a core bound leaves them few slots, the
    /// restricted sessions ([`Search::restricted`]). Empty without crowded cliques.
    search_core: Vec<bool>,
    cut_by_time: bool,
    variables: usize,
    rows: usize,
    notes: Vec<String>,
    heuristic_cost: u64,
    /// When the bound met the incumbent.
    proven_at: Option<Duration>,
}

/// Tabu steps per session of each scouting search, which gives the core relaxation an
/// incumbent to budget against (on IETF 106 it reaches about 270,000, which already
/// makes every 100,000 penalty a hard rule).
const SCOUT_STEPS_PER_SESSION: u64 = 120;

impl<'s, 'a> Search<'s, 'a> {
    /// A search of `model` that began at `began`, with `start` (an agenda and its
    /// cost) as its incumbent and `greedy` where fresh searches start.
    fn new(
        model: &'s TimeModel<'a>,
        allowed: &'s [Vec<SlotIdx>],
        fixed: &'s [(usize, SlotIdx)],
        options: &'s SolveOptions,
        began: Instant,
        start: (Vec<Option<SlotIdx>>, u64),
        greedy: Vec<Option<SlotIdx>>,
    ) -> Self {
        let (best, upper) = start;
        Search {
            model,
            allowed,
            fixed,
            options,
            began,
            granularity: cost_granularity(model),
            upper,
            best,
            greedy,
            best_rooms: Vec::new(),
            lower: {
                let budget = Budget::new(model, allowed, upper, None);
                budget.bound().max(budget.counting_floor(model))
            },
            core: None,
            search_core: Vec::new(),
            cut_by_time: false,
            variables: 0,
            rows: 0,
            notes: Vec::new(),
            heuristic_cost: upper,
            proven_at: None,
        }
    }

    fn report(&self, phase: &'static str, progress: &mut dyn FnMut(&Progress)) {
        progress(&Progress {
            phase,
            incumbent: Some(self.upper),
            bound: Some(self.lower.min(self.upper)),
            elapsed: self.began.elapsed(),
        });
    }

    fn left(&self) -> Duration {
        self.options.time_limit.saturating_sub(self.began.elapsed())
    }

    fn cancelled(&self) -> bool {
        self.options
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Nothing more to do: proven, close enough, cancelled or out of time.
    fn done(&self) -> bool {
        self.lower >= self.upper
            || self.cancelled()
            || self.left() < Duration::from_millis(200)
            || self.upper <= within_gap(self.lower, self.options.gap)
    }

    fn ilp_options(&self, time_limit: Duration) -> IlpOptions {
        IlpOptions {
            deadline: Instant::now() + time_limit.max(Duration::from_millis(100)),
            // Always exact: an "optimal" budgeted model is read as a proof that nothing
            // beats the incumbent, which a relative gap would break. The solve stops
            // at `--gap` by comparing its own bound and incumbent.
            gap: 0.0,
            seed: self.options.seed,
            log: self.options.solver_log,
            cancel: self.options.cancel.clone(),
        }
    }

    /// Takes a time-level schedule if its agenda (with rooms) is cheaper than the
    /// incumbent's.
    fn offer(&mut self, slot_of: Vec<Option<SlotIdx>>, rooms: Vec<Option<usize>>) -> bool {
        let cost = agenda_cost(self.model, &slot_of, &rooms);
        if cost < self.upper {
            self.upper = cost;
            self.best = slot_of;
            self.best_rooms = rooms;
            self.note_proof();
            true
        } else {
            false
        }
    }

    fn raise_lower(&mut self, bound: u64) {
        self.lower = self.lower.max(bound.min(self.upper));
        self.note_proof();
    }

    fn note_proof(&mut self) {
        if self.lower >= self.upper && self.proven_at.is_none() {
            self.proven_at = Some(self.began.elapsed());
        }
    }

    fn run(&mut self, progress: &mut dyn FnMut(&Progress)) {
        let n = self.model.problem.sessions.len() as u64;
        let scout = Batch {
            number: 0,
            runs: 2,
            steps: SCOUT_STEPS_PER_SESSION * n,
            starts: Starts::Fresh,
        };
        self.tabu_phase("scout", scout, 0.15, progress);
        self.heuristic_cost = self.upper;
        self.core_phase(progress);
        self.widen_search_core();
        let runs = self.options.runs.max(1);
        let steps = self.options.steps_per_session * n;
        let first = Batch {
            number: 1,
            runs,
            steps,
            starts: Starts::Fresh,
        };
        let mut searches_cut = self.tabu_phase("tabu", first, 0.6, progress);
        // The searches' incumbent leaves the core's bound less room than the scout's
        // did: more sessions may be down to a few slots.
        if let Some(restricted) = self.restricted_core() {
            self.solve_core(restricted, 0.4, true, progress);
            self.widen_search_core();
        }
        // Exact improvement and proofs while time is left. When neither improves, the
        // incumbent's basin is exhausted (measured on IETF 106: LNS and probes do not
        // leave a 260,000 basin for a 250,000 one), so a new batch of tabu searches
        // with fresh seeds looks elsewhere. Once the clock stopped searches, a batch of
        // short searches from the incumbent ([`Starts::Incumbent`]) follows every LNS
        // round instead.
        let mut probing = true;
        let mut batch = 2;
        let mut stalls = 0;
        // Once the clock stopped a portfolio (a large meeting), every later batch goes
        // on from the incumbent in short searches ([`Starts::Incumbent`]), and this is
        // the incumbent the last batch started from.
        let mut batch_from: Option<u64> = None;
        while !self.done() {
            // Searches the clock stopped had more to find (a large meeting): LNS then
            // takes a smaller share, and the searches the rest (measured on the 4x
            // synthetic: LNS never improves there, and took 17 s of 120).
            let lns_share = if searches_cut { 0.1 } else { 0.5 };
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
                match self.probe(self.upper - self.granularity, 0.5, progress) {
                    Probe::Settled => break,
                    Probe::TooLarge => probing = false,
                    Probe::Improved => better = true,
                    Probe::Open => {}
                }
            }
            if !better || searches_cut {
                if !better {
                    stalls += 1;
                }
                if stalls >= 4 || self.done() {
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
                searches_cut |= self.tabu_phase("tabu", next, 0.6, progress);
                batch += 1;
            }
        }
    }

    /// A portfolio of tabu searches (`batch`), side by side on the threads, each of its
    /// steps or until it meets the proven bound, for at most `share` of the time left.
    /// Deterministic: each search depends on its seed only, and the first search (in
    /// seed order) that meets the bound wins; the searches after it are stopped, the
    /// ones before it finish. True when a search ran out of time before its steps.
    fn tabu_phase(
        &mut self,
        phase: &'static str,
        batch: Batch,
        share: f64,
        progress: &mut dyn FnMut(&Progress),
    ) -> bool {
        if self.done() {
            return false;
        }
        let Batch {
            number: batch,
            runs,
            steps,
            starts,
        } = batch;
        let steps = match starts {
            Starts::Fresh => steps,
            Starts::Incumbent => steps.min(INCUMBENT_STEPS),
        };
        let fixed: Vec<usize> = self.fixed.iter().map(|f| f.0).collect();
        let deadline = Instant::now() + self.left().mul_f64(share);
        // A search may stop at the proven bound, or, under `--gap`, at the first cost
        // within that gap of it: (cost - bound) / cost <= gap.
        let target = within_gap(self.lower, self.options.gap);
        let base = self.options.seed.wrapping_mul(1_000_003);
        let salt = batch * 1_000;
        let winner = AtomicUsize::new(usize::MAX);
        let next = AtomicUsize::new(0);
        let threads = (self.options.threads.max(1) as usize).min(runs as usize);
        let cancel = self.options.cancel.as_deref();
        let model = self.model;
        // With fresh starts ([`Starts::Fresh`]), the first search goes on from the
        // incumbent; the others start afresh from the greedy agenda, each its own way
        // (measured on IETF 106: starts from one incumbent tend to end in the same
        // basin). With crowded cliques, every other one kicks them to a cheap
        // placement of their own, round after round, when that saves enough ([`core_first_search`]; measured on the 4x synthetic), and
        // so does the first of the first batch: the scout's incumbent is far from the
        // core's cheapest placement (4x synthetic: 3.72-3.83M that way on seeds 1-3,
        // 4.02M and 4.08M going on from it on seeds 1 and 3).
        let (incumbent, fresh) = (&self.best, &self.greedy);
        let search_core = &self.search_core;
        let fixed_at = self.fixed;
        // The target is met by an agenda, not by a time-level cost: see
        // [`tabu::TabuOptions::accept`].
        let accept = |slot_of: &[Option<SlotIdx>]| agenda_cost(model, slot_of, &[]) <= target;
        let results: Vec<Vec<(usize, tabu::Searched)>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut mine = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::SeqCst);
                            if i >= runs as usize || winner.load(Ordering::SeqCst) < i {
                                break;
                            }
                            // A search stops when an earlier one has met the bound.
                            let stop = || {
                                winner.load(Ordering::SeqCst) < i
                                    || cancel.is_some_and(|c| c.load(Ordering::Relaxed))
                            };
                            let options = tabu::TabuOptions {
                                steps,
                                seed: base.wrapping_add(salt + i as u64),
                                deadline: Some(deadline),
                                stop: Some(&stop),
                                target,
                                accept: Some(&accept),
                                stall_limit: (starts == Starts::Incumbent)
                                    .then_some(INCUMBENT_STALL_LIMIT),
                            };
                            let iterated =
                                starts == Starts::Fresh && (i % 2 == 1 || (i == 0 && batch == 1));
                            let around_core = (iterated && !search_core.is_empty())
                                .then(|| {
                                    core_first_search(
                                        model,
                                        incumbent,
                                        search_core,
                                        fixed_at,
                                        &options,
                                    )
                                })
                                .flatten();
                            let found = around_core.unwrap_or_else(|| {
                                tabu::search(
                                    model,
                                    if i == 0 || starts == Starts::Incumbent {
                                        incumbent
                                    } else {
                                        fresh
                                    },
                                    &fixed,
                                    &options,
                                )
                            });
                            if found.reached {
                                winner.fetch_min(i, Ordering::SeqCst);
                            }
                            mine.push((i, found));
                        }
                        mine
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let mut all: Vec<(usize, tabu::Searched)> = results.into_iter().flatten().collect();
        all.sort_by_key(|(i, _)| *i);
        let winner = winner.load(Ordering::SeqCst);
        // Searches after the winner were stopped by it: their results do not count.
        all.retain(|(i, _)| *i <= winner);
        let cut = all
            .iter()
            .any(|(i, r)| r.cut_by_time && *i != winner && !self.cancelled());
        self.cut_by_time |= cut;
        // Each is priced as an agenda, in seed order (ties keep the earlier): the
        // cheapest time-level schedule can still lose an adjacency to a room, so it
        // need not be the cheapest agenda, nor the winner's.
        for (_, found) in all {
            self.offer(found.slot_of, Vec::new());
        }
        self.report(phase, progress);
        cut
    }

    /// The core relaxations (SOLVER-NOTES, point 3), under the budget of agendas
    /// cheaper than the incumbent: every session of a core is placed under the hard
    /// rules that budget implies, and only the terms among its sessions (and each
    /// one's own slot) are priced. Dropping non-negative terms keeps it a relaxation,
    /// so its bound holds for the whole meeting. Two cores: the sessions of crowded
    /// cliques ([`ilp::crowded_clique_members`]; small, solved first), then the
    /// sessions that need the longest blocks. The better bound is kept.
    fn core_phase(&mut self, progress: &mut dyn FnMut(&Progress)) {
        let p = self.model.problem;
        let crowded = ilp::crowded_clique_members(self.model, CROWDED_PAIR_WEIGHT);
        if crowded.iter().filter(|&&c| c).count() >= 2 {
            self.solve_core(crowded.clone(), 0.15, false, progress);
            self.search_core = crowded;
        }
        let longest = p.slots.iter().map(|s| s.minutes).max().unwrap_or(0);
        let core: Vec<bool> = (0..p.sessions.len())
            .map(|s| p.sessions[s].schedulable && p.sessions[s].minutes >= longest)
            .collect();
        self.solve_core(core, 0.3, false, progress);
    }

    /// The sessions outside the proven core that its bound leaves few slots
    /// ([`Budget::few_slot_sessions`]) under the budget of agendas cheaper than the
    /// incumbent: pairs among them may be forced. None without a core bound or such
    /// sessions.
    fn restricted(&self) -> Option<Vec<bool>> {
        let core = self.core.clone()?;
        let target = self.upper - self.granularity.min(self.upper);
        let budget = Budget::new(self.model, self.allowed, target, Some(core));
        let restricted = budget.few_slot_sessions(self.model, self.allowed, RESTRICTED_MAX_SLOTS);
        restricted.contains(&true).then_some(restricted)
    }

    /// The proven core's members plus the [`Search::restricted`] sessions: a core
    /// relaxation that prices the pairs among them.
    fn restricted_core(&self) -> Option<Vec<bool>> {
        let core = self.core.as_ref()?;
        let restricted = self.restricted()?;
        Some(union(&core.members, &restricted))
    }

    /// Adds the [`Search::restricted`] sessions to the searches' core (when there is
    /// one): placed after the rest, they are what the repairs around a cheap core
    /// placement get wrong (4x synthetic, seeds 1-5 at 120 s: 3.66-3.74M with them,
    /// 3.69-3.84M without; median gap 6.7 % against 9.2 %).
    fn widen_search_core(&mut self) {
        if self.search_core.is_empty() {
            return;
        }
        if let Some(restricted) = self.restricted() {
            self.search_core = union(&self.search_core, &restricted);
        }
    }

    /// One core relaxation of the sessions in `core`, for at most `share` of the time
    /// left; under the budget sharpened by the core bound so far when `sharpen` (the
    /// restricted core, which that bound defines). Not the others: on IETF 106 the
    /// longest sessions' model under the crowded core's bound took HiGHS about 4 s
    /// longer to settle (seed 1 proved 250,000 in 15-16 s instead of 10-12 s).
    fn solve_core(
        &mut self,
        core: Vec<bool>,
        share: f64,
        sharpen: bool,
        progress: &mut dyn FnMut(&Progress),
    ) {
        let p = self.model.problem;
        let size = core.iter().filter(|&&c| c).count();
        if size < 2 || self.done() {
            return;
        }
        let target = self.upper - self.granularity.min(self.upper);
        let budget = Budget::new(
            self.model,
            self.allowed,
            target,
            sharpen.then(|| self.core.clone()).flatten(),
        );
        // Only the core's sessions are in the model: the others would make it a
        // whole-meeting model, which HiGHS cannot place quickly.
        let mut spec = ilp::Spec {
            allowed: self.allowed,
            active: &core,
            budget: Some(&budget),
            pigeonholes: true,
            min_pair_weight: 0,
        };
        if ilp::estimate_rows(self.model, spec) > MAX_CORE_ROWS {
            spec.min_pair_weight = LIGHT_PAIR_WEIGHT;
            // Still too large: HiGHS would not reach its root in the time given (the
            // 4x synthetic's longest sessions: 240 sessions, 39,355 pair rows, no
            // bound after 16 s), which the searches put to better use.
            let rows = ilp::estimate_rows(self.model, spec);
            if rows > MAX_CORE_ROWS {
                self.notes.push(format!(
                    "a core relaxation of {size} sessions (about {rows} rows) was too large to solve here and was skipped"
                ));
                return;
            }
        }
        let outside = budget.floor_outside(&core);
        // Not part of the core bound: the budgets measure the terms outside the core
        // (these pairs among them) from it.
        let shared_ads =
            budget.shared_ad_floor(self.model, self.allowed, &core, spec.min_pair_weight);
        let masked: Vec<Option<SlotIdx>> = (0..p.sessions.len())
            .map(|s| self.best[s].filter(|_| core[s]))
            .collect();
        // The slot decomposition first: it prices the pairs the LP spreads over slots.
        // HiGHS runs only when that stays more than 1 % below a placement of the core:
        // its root is weaker there, and its branching did not close such gaps (4x
        // synthetic: the restricted core's dual rose by 300 in 240 s). On IETF 106 the
        // decomposition proves the longest sessions' core (250,000 with the floors) in
        // about a second, where HiGHS went on for 8 s to match its own placement, so
        // the first searches start that much sooner.
        let lagrangian = self.lagrangian_core_bound(&core, &masked, &budget, spec.min_pair_weight);
        let close = lagrangian.is_some_and(|(bound, placed)| {
            let proven = round_up(bound, self.granularity);
            placed.is_some_and(|cost| proven.saturating_mul(100) >= cost.saturating_mul(99))
        });
        let mut dual = lagrangian.map(|l| l.0);
        if !close && !self.done() {
            let ilp = Ilp::build(self.model, spec);
            if ilp.rows() > self.rows {
                (self.variables, self.rows) = (ilp.variables(), ilp.rows());
            }
            let (granularity, upper, lower, began) =
                (self.granularity, self.upper, self.lower, self.began);
            let mut report = |_: Option<f64>, dual: f64| {
                let bound = dual.is_finite().then(|| {
                    (round_up(dual, granularity) + outside + shared_ads)
                        .min(upper)
                        .max(lower)
                });
                progress(&Progress {
                    phase: "core",
                    incumbent: Some(upper),
                    bound,
                    elapsed: began.elapsed(),
                })
            };
            let watch = Watch {
                progress: &mut report,
                cancel: self.options.cancel.as_deref(),
            };
            let time = self.left().mul_f64(share);
            let outcome = ilp.solve(Some(&masked), &self.ilp_options(time), Some(watch));
            self.cut_by_time |= !(outcome.proven_optimal || outcome.infeasible);
            if outcome.infeasible {
                // No core placement fits the budget: nothing beats the incumbent.
                self.raise_lower(self.upper);
                self.report("core", progress);
                return;
            }
            dual = [dual, outcome.dual_bound]
                .into_iter()
                .flatten()
                .reduce(f64::max);
        }
        if let Some(dual) = dual {
            let bound = round_up(dual, self.granularity) + outside;
            self.raise_lower(bound + shared_ads);
            if self.core.as_ref().is_none_or(|c| bound > c.bound) {
                self.core = Some(CoreBound {
                    members: core.clone(),
                    min_pair_weight: spec.min_pair_weight,
                    bound,
                    valid_to: target,
                });
            }
        }
        self.report("core", progress);
    }

    /// The [`lagrange`] bound of the core relaxation of `core` under `budget` (pairs
    /// lighter than `min_pair_weight` left out, as in the ILP), steered by a tabu
    /// search's placement of the core alone from `masked` (the incumbent's placement
    /// of it), with that placement's relaxed cost when the relaxation allows it. None
    /// when no iteration ran.
    fn lagrangian_core_bound(
        &mut self,
        core: &[bool],
        masked: &[Option<SlotIdx>],
        budget: &Budget,
        min_pair_weight: u64,
    ) -> Option<(f64, Option<u64>)> {
        if self.done() {
            return None;
        }
        let n = core.len();
        let members = core.iter().filter(|&&c| c).count() as u64;
        let held: Vec<usize> = (0..n).filter(|&s| !core[s]).collect();
        let share = self.left().mul_f64(LAGRANGE_TIME_SHARE);
        let alone = place_core_alone(
            self.model,
            masked,
            &held,
            None,
            &tabu::TabuOptions {
                steps: CORE_STEPS_PER_SESSION * members,
                seed: self.options.seed,
                deadline: Some(Instant::now() + share),
                stop: None,
                target: 0,
                accept: None,
                stall_limit: None,
            },
        );
        self.cut_by_time |= alone.cut_by_time;
        let result = lagrange::core_bound(
            self.model,
            self.allowed,
            core,
            budget,
            &alone.slot_of,
            &lagrange::LagrangeOptions {
                iterations: LAGRANGE_ITERATIONS,
                patience: LAGRANGE_PATIENCE,
                granularity: self.granularity,
                min_pair_weight,
                deadline: Instant::now() + share,
                threads: self.options.threads.max(1) as usize,
            },
        )?;
        self.cut_by_time |= result.cut_by_time;
        if result.rows > self.rows {
            (self.variables, self.rows) = (result.columns, result.rows);
        }
        (result.iterations > 0).then_some((result.bound, result.placement_cost))
    }

    /// Solves the whole meeting restricted to agendas of cost at most `target`, for at
    /// most `share` of the time left.
    fn probe(&mut self, target: u64, share: f64, progress: &mut dyn FnMut(&Progress)) -> Probe {
        let p = self.model.problem;
        let everyone = vec![true; p.sessions.len()];
        let budget = Budget::new(self.model, self.allowed, target, self.core.clone());
        let spec = ilp::Spec {
            allowed: self.allowed,
            active: &everyone,
            budget: Some(&budget),
            pigeonholes: true,
            min_pair_weight: 0,
        };
        let estimated = ilp::estimate_rows(self.model, spec);
        if estimated > MAX_FULL_MODEL_ROWS {
            self.notes.push(format!(
                "the whole-meeting model (about {estimated} rows) is too large to solve here; the bound is the core relaxation's"
            ));
            return Probe::TooLarge;
        }
        let ilp = Ilp::build(self.model, spec);
        if ilp.rows() > self.rows {
            (self.variables, self.rows) = (ilp.variables(), ilp.rows());
        }
        let (granularity, upper, lower, began) =
            (self.granularity, self.upper, self.lower, self.began);
        let mut report = |primal: Option<f64>, dual: f64| {
            let bound = dual.is_finite().then(|| {
                round_up(dual, granularity)
                    .min(target + granularity)
                    .max(lower)
                    .min(upper)
            });
            // Above the target, HiGHS's primal bound is only the cutoff.
            // (HiGHS's cutoff is target + 0.5, which it reports as the primal bound
            // until it finds a solution.)
            let incumbent = primal
                .filter(|&v| v < target as f64 + 0.25)
                .map_or(upper, |v| (v.round() as u64).min(upper));
            progress(&Progress {
                phase: "probe",
                incumbent: Some(incumbent),
                bound,
                elapsed: began.elapsed(),
            })
        };
        let watch = Watch {
            progress: &mut report,
            cancel: self.options.cancel.as_deref(),
        };
        let time = self.left().mul_f64(share);
        let outcome = ilp.solve(Some(&self.best), &self.ilp_options(time), Some(watch));
        let improved = match outcome.slot_of {
            Some(slot_of) => self.offer(slot_of, outcome.room_of),
            None => false,
        };
        let result = if outcome.proven_optimal || outcome.infeasible {
            // Every agenda of cost at most `target` is in this model: its optimum is
            // the meeting's, and none means the incumbent is optimal.
            self.raise_lower(self.upper);
            Probe::Settled
        } else {
            self.cut_by_time = true;
            if let Some(dual) = outcome.dual_bound {
                let bound = round_up(dual, self.granularity).min(target + self.granularity);
                self.raise_lower(bound);
            }
            if improved {
                Probe::Improved
            } else {
                Probe::Open
            }
        };
        self.report("probe", progress);
        result
    }

    /// Large-neighbourhood search from the incumbent for `share` of the time left (the
    /// incumbent is replaced when it finds a cheaper agenda).
    fn improve(&mut self, share: f64, progress: &mut dyn FnMut(&Progress)) {
        let budget_time = self.left().mul_f64(share);
        let (began, lower) = (self.began, self.lower);
        let mut report = |cost: u64| {
            progress(&Progress {
                phase: "lns",
                incumbent: Some(cost),
                bound: Some(lower.min(cost)),
                elapsed: began.elapsed(),
            })
        };
        let improved = lns::improve(
            self.model,
            self.best.clone(),
            self.fixed,
            self.allowed,
            budget_time,
            self.options.lns_rounds,
            self.lower,
            self.core.clone(),
            self.granularity,
            &self.ilp_options(budget_time),
            &mut report,
        );
        self.cut_by_time |= improved.cut_by_time;
        self.offer(improved.slot_of, improved.room_of);
        if let Some(bound) = improved.bound {
            // Time-level cost, which no agenda (with rooms) is below.
            self.raise_lower(bound);
        }
        self.report("lns", progress);
    }
}

/// An iterated tabu search that kicks the `core` sessions (crowded cliques) to their
/// cheapest placement it can find and repairs the rest around it, round after round,
/// or None when the first such placement saves less than 5 % of the incumbent's cost
/// on the core's terms. Each round, counted in steps so runs stay reproducible:
///
/// 1. The core alone: the other sessions left out (and fixed), so only the terms among
///    the core (and with the fixed placements) count; from the best agenda's placement
///    of it, with the round's own seed; after the first round, only until it is as
///    cheap as the cheapest placement found ([`place_core_alone`]).
/// 2. The best agenda rebuilt around that placement ([`heuristic::greedy_from`]: the
///    core where stage 1 put it, the rest where it was wherever it still fits), then
///    searched with the core fixed, so the others make room for it first.
/// 3. Everything free. A cheaper agenda becomes the next round's start.
///
/// Why: on the 4x synthetic every block with a BoF must be cleared of the BoF's area
/// groups, so a search that moves one BoF at a time keeps the BoFs where they are;
/// starting from another BoF placement moves them all at once. One long round (the
/// round before) ended at 4.24-4.54M in 120 s; rounds of 10 + 30 steps per session
/// from a 4,871,400 start reached 4,002,600 in 10 rounds (67 s, one thread), against
/// 4,137,600 with 4 + 16 and 4,004,800 with 10 + 60.
fn core_first_search(
    model: &TimeModel,
    incumbent: &[Option<SlotIdx>],
    core: &[bool],
    fixed: &[(usize, SlotIdx)],
    options: &tabu::TabuOptions,
) -> Option<tabu::Searched> {
    let n = incumbent.len();
    let mut is_fixed = vec![false; n];
    for f in fixed {
        is_fixed[f.0] = true;
    }
    let held: Vec<usize> = (0..n).filter(|&s| !core[s] || is_fixed[s]).collect();
    let members = (n - held.len()) as u64;
    let free: Vec<usize> = fixed.iter().map(|f| f.0).collect();
    let mut best = incumbent.to_vec();
    let mut best_cost = model.cost(incumbent);
    let (mut steps, mut restarts, mut cut_by_time) = (0u64, 0u64, false);
    let mut reached = options.meets(incumbent, best_cost as i64);
    // The cheapest cost of the core alone so far (the other sessions left out, so
    // every round's alone cost counts the same terms plus the same unscheduled ones).
    let mut cheapest_alone: Option<u64> = None;
    for round in 0u64.. {
        if steps >= options.steps || cut_by_time || reached {
            break;
        }
        let seed = options.seed.wrapping_add(round.wrapping_mul(0x9E37_79B9));
        let masked: Vec<Option<SlotIdx>> = (0..n)
            .map(|s| best[s].filter(|_| core[s] || is_fixed[s]))
            .collect();
        let alone = place_core_alone(
            model,
            &masked,
            &held,
            cheapest_alone,
            &tabu::TabuOptions {
                steps: (CORE_STEPS_PER_SESSION * members).min(options.steps - steps),
                seed,
                ..*options
            },
        );
        cheapest_alone = Some(cheapest_alone.map_or(alone.cost, |c| c.min(alone.cost)));
        if round == 0 {
            // Worth it only when the core is what holds the incumbent back: on IETF
            // 106 the incumbent's placement of its crowded core costs about 10,000 (4
            // %) more than the core's cheapest, and fresh starts find more there
            // (measured over seeds 1-8: starting around the core proved 2 optima
            // instead of 4); on the 4x synthetic it costs 691,100 (15 %) more.
            let saved = model.cost(&masked).saturating_sub(alone.cost);
            if saved == 0 || saved < best_cost / CORE_FIRST_MIN_SAVING_DIVISOR {
                return None;
            }
        }
        let mut pinned: Vec<(usize, SlotIdx)> = fixed.to_vec();
        pinned.extend(
            (0..n)
                .filter(|&s| core[s] && !is_fixed[s])
                .filter_map(|s| alone.slot_of[s].map(|b| (s, b))),
        );
        let start = heuristic::greedy_from(model, &pinned, &best);
        let pinned: Vec<usize> = pinned.iter().map(|f| f.0).collect();
        let left = options.steps.saturating_sub(steps + alone.steps);
        let first = tabu::search(
            model,
            &start,
            &pinned,
            &tabu::TabuOptions {
                steps: (CORE_HELD_STEPS_PER_SESSION * n as u64).min(left),
                seed,
                ..*options
            },
        );
        let left = left.saturating_sub(first.steps);
        let second = tabu::search(
            model,
            &first.slot_of,
            &free,
            &tabu::TabuOptions {
                steps: (CORE_FREE_STEPS_PER_SESSION * n as u64).min(left),
                seed,
                ..*options
            },
        );
        // At least one step a round, so the loop ends whatever the searches do.
        steps += (alone.steps + first.steps + second.steps).max(1);
        restarts += alone.restarts + first.restarts + second.restarts;
        cut_by_time = alone.cut_by_time || first.cut_by_time || second.cut_by_time;
        // One that met the target is taken even at a higher time-level cost: its
        // agenda meets the target, where the cheaper one's did not.
        if second.cost < best_cost || second.reached {
            best_cost = second.cost;
            best = second.slot_of;
            reached = second.reached;
        }
    }
    Some(tabu::Searched {
        slot_of: best,
        cost: best_cost,
        cut_by_time,
        steps,
        reached,
        restarts,
    })
}

/// A round's kick ([`core_first_search`], stage 1): a tabu search of the core alone
/// (`masked` places only the core and the fixed sessions, `held` are the others), of
/// `options.steps` steps with `options.seed`. Given `cheapest`, the cheapest cost of
/// the core alone that an earlier round reached, it stops as soon as it is that cheap:
/// the rounds after the first went on to the same placement anyway (measured on the 4x
/// synthetic, see [`CORE_STEPS_PER_SESSION`]), and the steps they spent on it are
/// better spent on the repair.
fn place_core_alone(
    model: &TimeModel,
    masked: &[Option<SlotIdx>],
    held: &[usize],
    cheapest: Option<u64>,
    options: &tabu::TabuOptions,
) -> tabu::Searched {
    tabu::search(
        model,
        masked,
        held,
        &tabu::TabuOptions {
            target: cheapest.unwrap_or(0),
            accept: None,
            ..*options
        },
    )
}

/// One portfolio of tabu searches ([`Search::tabu_phase`]): its number (each
/// number seeds its searches apart), how many searches of how many steps, and where
/// they start.
struct Batch {
    number: u64,
    runs: u32,
    steps: u64,
    starts: Starts,
}

/// Where the searches of a [`Batch`] start.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Starts {
    /// The first goes on from the incumbent, the others start afresh from the greedy
    /// agenda, and every other one (and the first of the first batch) may be an
    /// iterated search around the core ([`core_first_search`]).
    Fresh,
    /// Every one goes on from the incumbent with its own seed for at most
    /// [`INCUMBENT_STEPS`], restarting from its best after [`INCUMBENT_STALL_LIMIT`]
    /// steps without a new best. For every batch after the clock stopped one (a large
    /// meeting), each batch from the best of the one before: a fresh start then cannot
    /// catch up in the time left (4x synthetic, 120 s, seeds 3 and 4: the second
    /// batch's fresh start ended at 4,077,800 and 3,927,100, the search from the
    /// incumbent at 3,708,200 and 3,658,600), and a kick around the core no longer
    /// saves enough to be tried, so it only took time.
    Incumbent,
}

/// Steps without a new best before a search that goes on from the incumbent
/// ([`Starts::Incumbent`]) restarts from its best, shaken. Measured on the 4x
/// synthetic, 40,000 steps from the 3,707,900 agenda (seeds 1-6, one thread, about 4
/// s each): 3,660,900-3,691,200 with 2,000; 3,671,800-3,689,800 with 1,000;
/// 3,682,100-3,692,000 with 5,000; 3,687,400-3,707,900 with 20,000; and
/// 3,699,100-3,707,900 with the default 100,000 (200 per session), which such a
/// search never reaches: it samples 8 of the 300-400 sessions that pay at each step,
/// so it drifts away from the incumbent, where a restart tries other samples of its
/// neighbourhood.
const INCUMBENT_STALL_LIMIT: u64 = 2_000;

/// Steps of a search that goes on from the incumbent ([`Starts::Incumbent`]) at
/// most: 20 stall limits, about 4 s on the 4x synthetic. Such a search finds most of
/// what it will in that (from the 3,707,900 agenda, 40,000 steps reach
/// 3,660,900-3,691,200, seeds 1-6; see [`INCUMBENT_STALL_LIMIT`]), and searches that
/// long from one incumbent end far apart, so several short ones side by side, the
/// next batch from their best, find more than two long ones. 4x synthetic, seed 3,
/// from the 3,739,900 agenda: four searches of 40,000 steps ended at
/// 3,690,800-3,730,900 in 9 s, two of about 180,000 at 3,700,700 and 3,720,400 in
/// 18 s.
const INCUMBENT_STEPS: u64 = 40_000;

/// Subgradient iterations of a [`lagrange`] core bound at most (4x synthetic: its
/// 103-session restricted core gets within 300 of its best placement in about 1,000,
/// 7 s with the tabu search of it on 2 cores), and how many may pass without a gain
/// of one cost unit.
const LAGRANGE_ITERATIONS: usize = 2_000;
const LAGRANGE_PATIENCE: usize = 300;

/// The share of the time left that a [`lagrange`] core bound may take (a safety net:
/// the iteration count ends it first on this machine).
const LAGRANGE_TIME_SHARE: f64 = 0.2;

/// A core-first search needs the core's cheapest placement to save at least
/// 1/this of the incumbent's cost (5 %).
const CORE_FIRST_MIN_SAVING_DIVISOR: u64 = 20;

/// A session with at most this many slots left by the crowded core's bound joins
/// the restricted core ([`Search::restricted_core`]; on the 4x synthetic, 52 sessions
/// that avoid most time ranges: the bound rose from 3,420,200 to 3,441,700) and the
/// searches' core ([`Search::widen_search_core`]).
const RESTRICTED_MAX_SLOTS: usize = 8;

/// Tabu steps per core session when the searches' core is placed alone: 10,300 for
/// the 103 sessions of the 4x synthetic, 1.4-2.2 s of a 3-4.5 s round with two
/// searches side by side (an earlier build found the same best placement of its
/// 51-session crowded core in 5,000 steps as in 20,000). Only a search's first round
/// takes them all ([`place_core_alone`]): the later ones reached that cost within
/// 10-68 steps, and their repairs ended where those after full-length kicks did (seed
/// 2, rounds 1-5 of both iterated searches: the same costs), so a round takes 20,000
/// steps instead of 30,000 and a search runs about 1.5 times as many rounds.
const CORE_STEPS_PER_SESSION: u64 = 100;

/// Tabu steps per session of a core-first round with the core held, then free (5,000
/// and 15,000 on the 4x synthetic, about 7 s a round).
const CORE_HELD_STEPS_PER_SESSION: u64 = 10;
const CORE_FREE_STEPS_PER_SESSION: u64 = 30;

/// Members of either set.
fn union(a: &[bool], b: &[bool]) -> Vec<bool> {
    a.iter().zip(b).map(|(&x, &y)| x || y).collect()
}

/// The evaluator's cost of the agenda a time-level schedule becomes once rooms are
/// assigned. The incumbent is kept at this cost, not the time model's: the time model
/// treats adjacency as met whenever the blocks are adjacent, but two adjacency
/// requests can compete for one room, so it can be cheaper than any agenda. (The ILP
/// models adjacency with rooms, so its bounds hold for this cost.)
fn agenda_cost(model: &TimeModel, slot_of: &[Option<SlotIdx>], rooms: &[Option<usize>]) -> u64 {
    let schedule = rooms::assign_rooms(model.problem, model.tables, slot_of, rooms);
    evaluate(model.problem, &schedule).cost
}

/// How a probe ended.
enum Probe {
    /// Proved: the incumbent is optimal.
    Settled,
    /// The whole-meeting model is too large to build here: no probe will do.
    TooLarge,
    /// Found a cheaper agenda without closing the gap.
    Improved,
    /// Neither.
    Open,
}

/// Above this many rows the whole-meeting model is not built: on 2 cores its
/// construction alone would take most of a minute, and the LP could not close a gap.
const MAX_FULL_MODEL_ROWS: usize = 150_000;

/// Pairs at least this heavy form the cliques that join the core when they are crowded
/// ([`ilp::crowded_clique_members`]).
const CROWDED_PAIR_WEIGHT: u64 = 10_000;

/// A core model above this many pair rows leaves out the pairs lighter than
/// [`LIGHT_PAIR_WEIGHT`]: a smaller relaxation whose root HiGHS reaches in time.
const MAX_CORE_ROWS: usize = 30_000;

/// See [`MAX_CORE_ROWS`]: below it are the shared-AD pairs (100 each), which are many
/// and weigh little; technology overlaps and must-attend people (10,000) stay.
const LIGHT_PAIR_WEIGHT: u64 = 10_000;

/// The largest cost within `gap` of `bound` ((cost - bound) / cost <= gap): `bound`
/// itself without a gap, any cost with a gap of 100 % or more. The one place the gap
/// rule lives: the solve's stop and the tabu searches' targets both use it.
fn within_gap(bound: u64, gap: f64) -> u64 {
    if gap <= 0.0 {
        return bound;
    }
    if gap >= 1.0 {
        return u64::MAX;
    }
    ((bound as f64 / (1.0 - gap)).floor() as u64).max(bound)
}

/// The greatest common divisor of every cost the tables can charge: every agenda's
/// cost is a multiple of it, so a bound can be rounded up to it (SOLVER-NOTES, point 4).
/// Only weights that occur count: on IETF 106 no pair shares an AD, so costs are whole
/// thousands, and a bound of 250,001 is one of 251,000.
fn cost_granularity(model: &TimeModel) -> u64 {
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let t = model.tables;
    let mut g = t.unscheduled.iter().fold(t.too_small, |g, &u| gcd(g, u));
    g = gcd(g, model.fixed_room_cost);
    for row in &t.unary {
        g = row.iter().fold(g, |g, &c| gcd(g, c));
    }
    g = t.pairs.iter().fold(g, |g, &(_, _, w)| gcd(g, w));
    for q in &t.sequences {
        g = q.cost.iter().flatten().fold(g, |g, &c| gcd(g, c));
        g = gcd(g, q.unplaced);
    }
    g = t.adjacencies.iter().fold(g, |g, a| gcd(g, a.penalty));
    g.max(1)
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

#[cfg(test)]
mod tests {
    use super::testing::generated;
    use super::{
        agenda_cost, core_first_search, heuristic, place_core_alone, rooms, tabu, within_gap,
        Batch, CostTables, Search, SolveOptions, Starts, TimeModel, INCUMBENT_STEPS,
    };
    use crate::cost::evaluate;
    use std::time::{Duration, Instant};

    fn options(steps: u64) -> tabu::TabuOptions<'static> {
        tabu::TabuOptions {
            steps,
            seed: 5,
            deadline: None,
            stop: None,
            target: 0,
            accept: None,
            stall_limit: None,
        }
    }

    /// The sessions by their summed pair weights, heaviest first; the core of the
    /// `size` heaviest; and a poor incumbent, the core crammed into the first block as
    /// far as it fits.
    fn crammed_core(model: &TimeModel, size: usize) -> (Vec<usize>, Vec<bool>, Vec<Option<usize>>) {
        let p = model.problem;
        let n = p.sessions.len();
        let by_weight = super::testing::heaviest_sessions(model);
        let mut core = vec![false; n];
        for &s in &by_weight[..size] {
            core[s] = true;
        }
        let hint: Vec<Option<usize>> = (0..n).map(|s| core[s].then_some(0)).collect();
        let poor = heuristic::greedy_from(model, &[], &hint);
        (by_weight, core, poor)
    }

    #[test]
    fn searches_from_the_incumbent_are_short_and_keep_the_cheapest_agenda() {
        let p = generated(120, 8, 1);
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        // Every session may take every slot that has rooms, as in `solve`.
        let open: Vec<usize> = (0..p.slots.len())
            .filter(|&b| !p.slots[b].rooms.is_empty())
            .collect();
        let allowed = vec![open; p.sessions.len()];
        let options = SolveOptions {
            time_limit: Duration::from_secs(30),
            ..SolveOptions::default()
        };
        let greedy = heuristic::greedy(&model, &[]);
        let start = (greedy.clone(), agenda_cost(&model, &greedy, &[]));
        let mut search = Search::new(
            &model,
            &allowed,
            &[],
            &options,
            Instant::now(),
            start,
            greedy,
        );
        // No bound to meet: the searches end at their steps or at the clock.
        search.lower = 0;
        let before = search.upper;
        let batch = Batch {
            number: 2,
            runs: 2,
            steps: u64::MAX,
            starts: Starts::Incumbent,
        };
        let cut = search.tabu_phase("tabu", batch, 1.0, &mut |_| {});
        assert!(
            !cut,
            "searches from the incumbent ran until the clock, not {INCUMBENT_STEPS} steps"
        );
        assert!(
            search.upper < before,
            "{} is not below {before}",
            search.upper
        );
        assert_eq!(search.upper, agenda_cost(&model, &search.best, &[]));
    }

    #[test]
    fn a_core_first_search_is_valid_reproducible_and_keeps_fixed_sessions() {
        let p = generated(60, 4, 11);
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let n = p.sessions.len();
        let greedy = heuristic::greedy(&model, &[]);
        // The core: the dozen most conflicted sessions; two others held where they are.
        let (by_weight, core, poor) = crammed_core(&model, 12);
        let fixed: Vec<(usize, usize)> = by_weight[20..22]
            .iter()
            .map(|&s| (s, poor[s].unwrap()))
            .collect();
        // 60 sessions, 12 in the core: the first round is 1,200 + 600 + 1,800 steps,
        // the later ones less (their kick stops at the first one's placement cost).
        let run = || core_first_search(&model, &poor, &core, &fixed, &options(12_000));
        let found = run().expect("the crammed core has cheaper placements");
        assert!(found.cost < model.cost(&poor));
        assert!(found.steps <= 12_000, "{} steps", found.steps);
        // Later rounds only keep what beats the first, which a one-round budget makes.
        let one_round = core_first_search(&model, &poor, &core, &fixed, &options(3_600))
            .expect("the same first round");
        assert!(found.cost <= one_round.cost);
        assert_eq!(found.slot_of, run().unwrap().slot_of);
        assert_eq!(found.cost, model.cost(&found.slot_of));
        for &(s, b) in &fixed {
            assert_eq!(found.slot_of[s], Some(b));
        }
        let schedule = rooms::assign_rooms(&p, &tables, &found.slot_of, &[]);
        let e = evaluate(&p, &schedule);
        assert!(e.hard_errors.is_empty(), "{:?}", e.hard_errors);
        assert!(p.schedulable_sessions().all(|s| found.slot_of[s].is_some()));

        // A core already at its cheapest (one session in its cheapest block, nothing
        // else priced with it alone) gives nothing to start from.
        let lonely = (0..n)
            .find(|&s| {
                p.sessions[s].schedulable
                    && greedy[s].is_some_and(|b| {
                        tables.unary[s][b] == *tables.unary[s].iter().min().unwrap()
                    })
            })
            .unwrap();
        let mut alone = vec![false; n];
        alone[lonely] = true;
        assert!(core_first_search(&model, &greedy, &alone, &[], &options(3_000)).is_none());
    }

    #[test]
    fn a_later_kick_stops_at_the_cheapest_placement_found() {
        let p = generated(60, 4, 11);
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let (_, core, poor) = crammed_core(&model, 20);
        let masked: Vec<Option<usize>> = (0..poor.len())
            .map(|s| poor[s].filter(|_| core[s]))
            .collect();
        let held: Vec<usize> = (0..poor.len()).filter(|&s| !core[s]).collect();
        // The first round's kick takes all its steps (nothing is that cheap yet).
        let first = place_core_alone(&model, &masked, &held, None, &options(1_200));
        assert_eq!(first.steps, 1_200);
        assert!(first.cost < model.cost(&masked));
        // A later one, with its own seed, stops once it is as cheap.
        let later = tabu::TabuOptions {
            seed: 6,
            ..options(1_200)
        };
        let second = place_core_alone(&model, &masked, &held, Some(first.cost), &later);
        assert!(
            second.cost <= first.cost,
            "{} > {}",
            second.cost,
            first.cost
        );
        assert!(second.steps < 1_200, "{} steps", second.steps);
        assert_eq!(second.cost, model.cost(&second.slot_of));
        for &s in &held {
            assert_eq!(second.slot_of[s], None);
        }
    }

    #[test]
    fn the_gap_target_is_the_largest_cost_within_the_gap() {
        assert_eq!(within_gap(250_000, 0.0), 250_000);
        // (252,525 - 250,000) / 252,525 <= 1 %, (252,526 - 250,000) / 252,526 > 1 %.
        let t = within_gap(250_000, 0.01);
        assert_eq!(t, 252_525);
        assert!((t - 250_000) as f64 / t as f64 <= 0.01);
        assert!((t + 1 - 250_000) as f64 / (t + 1) as f64 > 0.01);
        assert_eq!(within_gap(0, 0.5), 0);
        assert_eq!(within_gap(1_000, 1.5), u64::MAX);
    }
}
