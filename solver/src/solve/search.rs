//! The solve's state between phases ([`Search`]): the incumbent, the proven lower
//! bound and the core bound that sharpens the budgets, with the small rules every
//! phase shares (when to stop, how a bound is rounded, what an agenda costs).

use super::budget::{Budget, CoreBound};
use super::ilp::{Ilp, IlpOptions, IlpOutcome, Watch};
use super::policy::{MIN_ILP_TIME, MIN_TIME_LEFT};
use super::rooms;
use super::timing::TimeModel;
use super::{Phase, Progress, SolveOptions};
use crate::cost::evaluate;
use crate::problem::SlotIdx;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// The solve's state between phases: the incumbent (a time-level schedule and its
/// cost), the proven lower bound, and the core bound that sharpens the budgets.
pub(super) struct Search<'s, 'a> {
    pub(super) model: &'s TimeModel<'a>,
    pub(super) allowed: &'s [Vec<SlotIdx>],
    pub(super) fixed: &'s [(usize, SlotIdx)],
    pub(super) options: &'s SolveOptions,
    pub(super) began: Instant,
    pub(super) granularity: u64,
    pub(super) best: Vec<Option<SlotIdx>>,
    /// The greedy agenda, where fresh searches start.
    pub(super) greedy: Vec<Option<SlotIdx>>,
    /// Rooms the ILP chose for adjacency sessions of `best` (empty: none chosen).
    pub(super) best_rooms: Vec<Option<usize>>,
    pub(super) upper: u64,
    pub(super) lower: u64,
    pub(super) core: Option<CoreBound>,
    /// What the iterated searches place first ([`super::portfolio::core_first_search`]): the sessions
    /// of crowded cliques and, once a core bound leaves them few slots, the
    /// restricted sessions ([`Search::restricted`]). Empty without crowded cliques.
    pub(super) search_core: Vec<bool>,
    pub(super) cut_by_time: bool,
    pub(super) variables: usize,
    pub(super) rows: usize,
    pub(super) notes: Vec<String>,
    pub(super) heuristic_cost: u64,
    /// When the bound met the incumbent.
    pub(super) proven_at: Option<Duration>,
    /// The longest a whole-meeting probe took before HiGHS's first callback (its
    /// presolve, which no time limit interrupts).
    pub(super) probe_setup: Option<Duration>,
    /// A proven lower bound of the cost without its move terms (a what-if's unedited
    /// meeting's bound; 0 when none), which limits the moves of a cheaper agenda
    /// ([`Budget::with_cost_floor`]).
    pub(super) cost_floor: u64,
}
impl<'s, 'a> Search<'s, 'a> {
    /// A search of `model` that began at `began`, with `start` (an agenda and its
    /// cost) as its incumbent and `greedy` where fresh searches start.
    pub(super) fn new(
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
            probe_setup: None,
            cost_floor: 0,
        }
    }

    pub(super) fn report(&self, phase: Phase, progress: &mut dyn FnMut(&Progress)) {
        progress(&Progress {
            phase,
            incumbent: Some(self.upper),
            bound: Some(self.lower.min(self.upper)),
            elapsed: self.began.elapsed(),
        });
    }

    pub(super) fn left(&self) -> Duration {
        self.options.time_limit.saturating_sub(self.began.elapsed())
    }

    pub(super) fn cancelled(&self) -> bool {
        self.options
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Nothing more to do: proven, close enough, cancelled or out of time.
    pub(super) fn done(&self) -> bool {
        self.lower >= self.upper
            || self.cancelled()
            || self.left() < MIN_TIME_LEFT
            || self.upper <= within_gap(self.lower, self.options.gap)
    }

    /// Solves `ilp` from `start` for at most `share` of the time left, telling `report`
    /// (primal, dual) as HiGHS goes and stopping when the solve is cancelled.
    pub(super) fn solve_ilp(
        &self,
        ilp: Ilp,
        start: &[Option<SlotIdx>],
        share: f64,
        report: &mut dyn FnMut(Option<f64>, f64),
    ) -> IlpOutcome {
        let watch = Watch {
            progress: report,
            cancel: self.options.cancel.as_deref(),
        };
        let time = self.left().mul_f64(share);
        ilp.solve(Some(start), &self.ilp_options(time), Some(watch))
    }

    pub(super) fn ilp_options(&self, time_limit: Duration) -> IlpOptions {
        IlpOptions {
            deadline: Instant::now() + time_limit.max(MIN_ILP_TIME),
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
    /// incumbent's and keeps any cap on moves from the base agenda.
    pub(super) fn offer(
        &mut self,
        slot_of: Vec<Option<SlotIdx>>,
        rooms: Vec<Option<usize>>,
    ) -> bool {
        let p = self.model.problem;
        if p.move_rule
            .max_moves()
            .is_some_and(|k| p.moves(&slot_of) > k)
        {
            return false;
        }
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

    pub(super) fn raise_lower(&mut self, bound: u64) {
        self.lower = self.lower.max(bound.min(self.upper));
        self.note_proof();
    }

    pub(super) fn note_proof(&mut self) {
        if self.lower >= self.upper && self.proven_at.is_none() {
            self.proven_at = Some(self.began.elapsed());
        }
    }
}
/// Members of either set.
pub(super) fn union(a: &[bool], b: &[bool]) -> Vec<bool> {
    a.iter().zip(b).map(|(&x, &y)| x || y).collect()
}

/// The evaluator's cost of the agenda a time-level schedule becomes once rooms are
/// assigned. The incumbent is kept at this cost, not the time model's: the time model
/// treats adjacency as met whenever the blocks are adjacent, but two adjacency
/// requests can compete for one room, so it can be cheaper than any agenda. (The ILP
/// models adjacency with rooms, so its bounds hold for this cost.)
pub(super) fn agenda_cost(
    model: &TimeModel,
    slot_of: &[Option<SlotIdx>],
    rooms: &[Option<usize>],
) -> u64 {
    let schedule = rooms::assign_rooms(model.problem, model.tables, slot_of, rooms);
    evaluate(model.problem, &schedule).cost
}
/// The largest cost within `gap` of `bound` ((cost - bound) / cost <= gap): `bound`
/// itself without a gap, any cost with a gap of 100 % or more. The one place the gap
/// rule lives: the solve's stop and the tabu searches' targets both use it.
pub(super) fn within_gap(bound: u64, gap: f64) -> u64 {
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
pub(super) fn cost_granularity(model: &TimeModel) -> u64 {
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
pub(super) fn round_up(bound: f64, granularity: u64) -> u64 {
    if bound <= 0.0 {
        return 0;
    }
    let g = granularity as f64;
    let tolerance = 1e-6 * bound.abs().max(1.0);
    (((bound - tolerance) / g).ceil().max(0.0) * g) as u64
}
