//! A block-decomposition (Lagrangian) bound of a core relaxation: much stronger than
//! the core's LP where pair costs decide the optimum.
//!
//! The core relaxation ([`super::budget::CoreBound`]) places the core's sessions under
//! the budget's hard rules and prices their slots and the pairs among them. Dualizing
//! "each session takes exactly one slot (or is left out)" with multipliers `lambda`
//! splits it into one problem per slot: choose the sessions that slot holds (at most
//! its rooms, no two that may not meet) to minimise their slot costs less their
//! multipliers plus the pairs among them. Each slot's problem is solved exactly by a
//! small branch and bound, so for every `lambda`
//!
//! `L(lambda) = sum_s lambda_s + sum_b min_{S in b} (cost(S) - lambda(S)) + sum_s min(0, out_s - lambda_s)`
//!
//! is a proven lower bound of the core (weak duality). Its maximum equals the bound of
//! the model over whole slot configurations (Dantzig-Wolfe), which prices every slot's
//! pairs exactly where the LP spreads sessions fractionally. The multipliers follow
//! deflected subgradient steps (Polyak's length towards the cost of a placement of the
//! core), a counted number of times, so a run is reproducible.
//!
//! Dropped, so the bound stays a relaxation: sequence and adjacency terms, room sizes,
//! pairs in two different slots that overlap in time, and the budget's one knapsack row
//! over the terms outside the core. On the 4x synthetic's cores it closes what the LP
//! leaves open (docs/solver.md, Measurements).

use super::budget::Budget;
use super::timing::TimeModel;
use crate::problem::{SessionIdx, SlotIdx};
use std::time::Instant;

/// Limits of one [`core_bound`] run.
#[derive(Debug, Clone)]
pub struct LagrangeOptions {
    /// Subgradient iterations at most (each solves every slot's problem).
    pub iterations: usize,
    /// Stop after this many iterations without a gain of at least `granularity`.
    pub patience: usize,
    /// Costs are multiples of this: a bound within it of a placement's cost cannot
    /// rise.
    pub granularity: u64,
    /// Pairs lighter than this are not priced (the core model left them out).
    pub min_pair_weight: u64,
    /// Safety net against slow machines; a run cut here is not reproducible.
    pub deadline: Instant,
    /// Threads for the slots' problems (the result does not depend on it).
    pub threads: usize,
}

/// What [`core_bound`] proved.
#[derive(Debug, Clone, PartialEq)]
pub struct LagrangeBound {
    /// The best `L(lambda)` found: a lower bound of the core relaxation's optimum.
    pub bound: f64,
    pub iterations: usize,
    /// The relaxed cost of the placement given, when it obeys the relaxation's rules
    /// (then the core's optimum lies between `bound` and it).
    pub placement_cost: Option<u64>,
    /// The size of the model it bounds: one column per session and slot it may take
    /// (and per session that may be left out), one row per session and per slot.
    pub columns: usize,
    pub rows: usize,
    /// The deadline, not the iteration count, ended the run.
    pub cut_by_time: bool,
}

/// Branch-and-bound nodes per slot problem; past it the problem's bound is the least
/// bound of the nodes left open (still valid, only weaker). The 4x synthetic's slot
/// problems take at most a few thousand.
const NODE_LIMIT: u64 = 200_000;

/// Multiplier steps keep this share of the previous direction (deflection; the best of
/// the shares tried: docs/solver.md, Measurements).
const DEFLECTION: f64 = 0.7;

/// After this many iterations without a new best bound the step shrinks by
/// [`STEP_SHRINK`].
const SHRINK_AFTER: usize = 60;
const STEP_SHRINK: f64 = 0.7;

/// One slot's candidates: the core sessions it may hold, their pair weights
/// (`f64::INFINITY` for pairs that may not meet) and how many it seats.
struct SlotProblem {
    slot: SlotIdx,
    /// Indexes into the core's session list.
    candidates: Vec<usize>,
    weights: Vec<Vec<f64>>,
    unary: Vec<f64>,
    seats: usize,
}

/// A proven lower bound of the core relaxation of the sessions in `core` (the objective
/// of [`super::ilp`]'s core model: their slot costs, being left out, and the pairs among
/// them) under `budget`'s hard rules. `placement`, a placement of the core (a tabu
/// search's), steers the steps, and ends the run when the bound reaches its cost; only
/// the speed depends on it. None when the core has fewer than two sessions.
pub fn core_bound(
    model: &TimeModel,
    allowed: &[Vec<SlotIdx>],
    core: &[bool],
    budget: &Budget,
    placement: &[Option<SlotIdx>],
    options: &LagrangeOptions,
) -> Option<LagrangeBound> {
    let relaxation = Relaxation::build(model, allowed, core, budget, options.min_pair_weight)?;
    let granularity = options.granularity.max(1) as f64;
    let placement_cost = relaxation
        .obeys(model, placement)
        .then(|| relaxed_cost(model, core, options.min_pair_weight, placement));
    // Without a placement the relaxation allows, the steps aim 1 % above the bound.
    let aim = |value: f64| match placement_cost {
        Some(cost) if cost as f64 > value => cost as f64,
        _ => value + (value.abs() / 100.0).max(granularity),
    };
    let mut lambda = relaxation.cheapest_options(model);
    let mut steps = Steps::new(relaxation.members.len(), granularity);
    let mut iterations = 0;
    let mut cut_by_time = false;
    let threads = options.threads.max(1).min(relaxation.slots.len().max(1));
    while iterations < options.iterations {
        if Instant::now() >= options.deadline {
            cut_by_time = true;
            break;
        }
        iterations += 1;
        let (value, subgradient) = relaxation.dual_value(&lambda, threads);
        steps.record(value);
        // Every session exactly covered: the slots' choices form a placement, whose
        // relaxed cost is `value`; nothing in this relaxation is cheaper.
        if subgradient.iter().all(|&g| g == 0.0)
            || placement_cost.is_some_and(|cost| steps.best > cost as f64 - granularity)
            || steps.since_gain >= options.patience
            || !steps.step(&mut lambda, &subgradient, aim(value) - value)
        {
            break;
        }
    }
    Some(LagrangeBound {
        bound: steps.best.max(0.0),
        iterations,
        placement_cost,
        columns: relaxation.columns(),
        rows: relaxation.members.len() + relaxation.slots.len(),
        cut_by_time,
    })
}

/// The core relaxation with "each session takes one slot" dualized: the members, what
/// each may take, and one [`SlotProblem`] per slot some member may take.
struct Relaxation {
    members: Vec<SessionIdx>,
    /// Pair weights among members (`f64::INFINITY`: may not meet).
    weights: Vec<Vec<f64>>,
    /// Per member, the slots it may take.
    slots_of: Vec<Vec<SlotIdx>>,
    /// Per member, the cost of leaving it out, when allowed.
    out_cost: Vec<Option<f64>>,
    slots: Vec<SlotProblem>,
}

impl Relaxation {
    fn build(
        model: &TimeModel,
        allowed: &[Vec<SlotIdx>],
        core: &[bool],
        budget: &Budget,
        min_pair_weight: u64,
    ) -> Option<Relaxation> {
        let p = model.problem;
        let t = model.tables;
        let members: Vec<SessionIdx> = p.schedulable_sessions().filter(|&s| core[s]).collect();
        if members.len() < 2 {
            return None;
        }
        let weights = pair_weights(model, &members, budget, min_pair_weight);
        let slots_of: Vec<Vec<SlotIdx>> = members
            .iter()
            .map(|&s| {
                allowed[s]
                    .iter()
                    .copied()
                    .filter(|&b| budget.allows_slot(model, s, b))
                    .collect()
            })
            .collect();
        let out_cost: Vec<Option<f64>> = members
            .iter()
            .map(|&s| {
                budget
                    .allows_out(model, s)
                    .then_some(t.unscheduled[s] as f64)
            })
            .collect();
        let slots = (0..p.slots.len())
            .filter_map(|b| SlotProblem::build(model, &members, &weights, &slots_of, b))
            .collect();
        Some(Relaxation {
            members,
            weights,
            slots_of,
            out_cost,
            slots,
        })
    }

    /// Start multipliers: each session's cheapest option, which makes every slot
    /// problem empty, so L = the sum of the sessions' cheapest options.
    fn cheapest_options(&self, model: &TimeModel) -> Vec<f64> {
        let unary = &model.tables.unary;
        (0..self.members.len())
            .map(|i| {
                let slot = self.slots_of[i]
                    .iter()
                    .map(|&b| unary[self.members[i]][b] as f64)
                    .fold(f64::INFINITY, f64::min);
                let cheapest = slot.min(self.out_cost[i].unwrap_or(f64::INFINITY));
                if cheapest.is_finite() {
                    cheapest
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// `L(lambda)`, a proven lower bound, and its subgradient: 1 less how many times
    /// the slots' choices (and the left-out option) cover each session.
    fn dual_value(&self, lambda: &[f64], threads: usize) -> (f64, Vec<f64>) {
        let k = self.members.len();
        let solved = solve_slots(&self.slots, lambda, threads);
        let mut value: f64 = lambda.iter().sum();
        let mut cover = vec![0i32; k];
        for (lower, chosen) in &solved {
            value += lower;
            for &i in chosen {
                cover[i] += 1;
            }
        }
        for i in 0..k {
            if let Some(out) = self.out_cost[i] {
                if out < lambda[i] {
                    value += out - lambda[i];
                    cover[i] += 1;
                }
            }
        }
        (value, cover.iter().map(|&c| 1.0 - c as f64).collect())
    }

    /// One column per session and slot it may take, and per session that may be left out.
    fn columns(&self) -> usize {
        self.slots
            .iter()
            .map(|sp| sp.candidates.len())
            .sum::<usize>()
            + self.out_cost.iter().filter(|o| o.is_some()).count()
    }

    /// Whether `placement` obeys the relaxation: every member in a slot it may take (or
    /// left out where allowed), no slot over its seats, no two in one slot that may not
    /// meet.
    fn obeys(&self, model: &TimeModel, placement: &[Option<SlotIdx>]) -> bool {
        let slot_of: Vec<Option<SlotIdx>> = self
            .members
            .iter()
            .map(|&s| placement.get(s).copied().flatten())
            .collect();
        let mut held = vec![0usize; model.problem.slots.len()];
        for (i, &slot) in slot_of.iter().enumerate() {
            match slot {
                Some(b) if self.slots_of[i].contains(&b) => held[b] += 1,
                None if self.out_cost[i].is_some() => {}
                _ => return false,
            }
            let barred =
                |j: usize| slot.is_some() && slot == slot_of[j] && self.weights[i][j].is_infinite();
            if (i + 1..slot_of.len()).any(barred) {
                return false;
            }
        }
        // A member's slot is one of its candidates', so every slot held has a problem.
        self.slots.iter().all(|sp| held[sp.slot] <= sp.seats)
    }
}

/// The members' pair weights: a pair over the budget, or a clash, may not meet
/// (infinite); a light one the core model leaves out is free here too.
fn pair_weights(
    model: &TimeModel,
    members: &[SessionIdx],
    budget: &Budget,
    min_pair_weight: u64,
) -> Vec<Vec<f64>> {
    let k = members.len();
    let mut index = vec![usize::MAX; model.problem.sessions.len()];
    for (i, &s) in members.iter().enumerate() {
        index[s] = i;
    }
    let mut weights = vec![vec![0.0f64; k]; k];
    for &(s, u, w) in &model.tables.pairs {
        let (i, j) = (index[s], index[u]);
        if i != usize::MAX && j != usize::MAX {
            let v = if w > budget.pair_limit(s, u, w) {
                f64::INFINITY
            } else if w >= min_pair_weight {
                w as f64
            } else {
                0.0
            };
            weights[i][j] = v;
            weights[j][i] = v;
        }
    }
    for (i, &s) in members.iter().enumerate() {
        for &u in &model.clashes[s] {
            if index[u] != usize::MAX {
                weights[i][index[u]] = f64::INFINITY;
            }
        }
    }
    weights
}

impl SlotProblem {
    /// Slot `b`'s problem, or None when no member may take it.
    fn build(
        model: &TimeModel,
        members: &[SessionIdx],
        weights: &[Vec<f64>],
        slots_of: &[Vec<SlotIdx>],
        b: SlotIdx,
    ) -> Option<SlotProblem> {
        let candidates: Vec<usize> = (0..members.len())
            .filter(|&i| slots_of[i].contains(&b))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        // Sessions fixed to a room hold a room the open count leaves out.
        let fixed_here = candidates
            .iter()
            .filter(|&&i| model.fixed_room[members[i]].is_some())
            .count();
        Some(SlotProblem {
            slot: b,
            weights: candidates
                .iter()
                .map(|&i| candidates.iter().map(|&j| weights[i][j]).collect())
                .collect(),
            unary: candidates
                .iter()
                .map(|&i| model.tables.unary[members[i]][b] as f64)
                .collect(),
            candidates,
            seats: model.capacities[b].len() + fixed_here,
        })
    }
}

/// The deflected subgradient steps: the best bound so far and when it last rose.
struct Steps {
    best: f64,
    granularity: f64,
    /// The step's scale, shrunk after [`SHRINK_AFTER`] iterations without a new best.
    scale: f64,
    since_best: usize,
    /// Iterations since the best rose by a whole `granularity`.
    since_gain: usize,
    gain_base: f64,
    direction: Vec<f64>,
}

impl Steps {
    fn new(k: usize, granularity: f64) -> Steps {
        Steps {
            best: f64::NEG_INFINITY,
            granularity,
            scale: 1.0,
            since_best: 0,
            since_gain: 0,
            gain_base: f64::NEG_INFINITY,
            direction: vec![0.0f64; k],
        }
    }

    /// Takes in one iteration's `L(lambda)`.
    fn record(&mut self, value: f64) {
        if value > self.best {
            self.best = value;
            self.since_best = 0;
        } else {
            self.since_best += 1;
        }
        if self.best >= self.gain_base + self.granularity {
            self.gain_base = self.best;
            self.since_gain = 0;
        } else {
            self.since_gain += 1;
        }
    }

    /// Moves `lambda` along the deflected direction by Polyak's length towards a value
    /// `gap` above the current one; false when there is no direction left.
    fn step(&mut self, lambda: &mut [f64], subgradient: &[f64], gap: f64) -> bool {
        if self.since_best >= SHRINK_AFTER {
            self.scale *= STEP_SHRINK;
            self.since_best = 0;
        }
        for (d, g) in self.direction.iter_mut().zip(subgradient) {
            *d = g + DEFLECTION * *d;
        }
        let norm: f64 = self.direction.iter().map(|d| d * d).sum();
        if norm == 0.0 {
            return false;
        }
        let step = self.scale * gap / norm;
        for (l, d) in lambda.iter_mut().zip(&self.direction) {
            *l += step * d;
        }
        true
    }
}

/// Every slot's problem under `lambda`: (its proven minimum, the candidates of its best
/// choice), in slot order whatever the thread count.
fn solve_slots(slots: &[SlotProblem], lambda: &[f64], threads: usize) -> Vec<(f64, Vec<usize>)> {
    let one = |sp: &SlotProblem| {
        let reduced: Vec<f64> = sp
            .candidates
            .iter()
            .zip(&sp.unary)
            .map(|(&i, &u)| u - lambda[i])
            .collect();
        let (lower, chosen) = min_selection(&reduced, &sp.weights, sp.seats);
        (
            lower,
            chosen.into_iter().map(|c| sp.candidates[c]).collect(),
        )
    };
    if threads <= 1 {
        return slots.iter().map(one).collect();
    }
    let mut results: Vec<Option<(f64, Vec<usize>)>> = vec![None; slots.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|w| {
                let one = &one;
                scope.spawn(move || {
                    (w..slots.len())
                        .step_by(threads)
                        .map(|i| (i, one(&slots[i])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            // A panicking worker is a bug; its slots are solved again here.
            if let Ok(done) = h.join() {
                for (i, r) in done {
                    results[i] = Some(r);
                }
            }
        }
    });
    results
        .into_iter()
        .zip(slots)
        .map(|(r, sp)| r.unwrap_or_else(|| one(sp)))
        .collect()
}

/// The minimum of `sum_i c_i x_i + sum_{i<j} w_ij x_i x_j` over 0/1 vectors with at
/// most `seats` ones and no infinite-weight pair, with a minimising choice. Pair
/// weights are non-negative, so only candidates whose current marginal cost is
/// negative can help, and the sum of the `seats` most negative marginals bounds what
/// a node can still gain. Returns (a proven lower bound, the best choice found): equal
/// unless [`NODE_LIMIT`] cut the search.
fn min_selection(c: &[f64], w: &[Vec<f64>], seats: usize) -> (f64, Vec<usize>) {
    let mut search = Selection {
        w,
        seats,
        marginal: c.to_vec(),
        chosen: Vec::new(),
        best: 0.0,
        best_choice: Vec::new(),
        nodes: 0,
        open_bound: f64::INFINITY,
        scratch: Vec::new(),
    };
    let helpful: Vec<usize> = (0..c.len()).filter(|&i| c[i] < 0.0).collect();
    search.branch(0.0, &helpful);
    (search.best.min(search.open_bound), search.best_choice)
}

struct Selection<'w> {
    w: &'w [Vec<f64>],
    seats: usize,
    /// Per candidate: its cost plus its pairs with the chosen ones (kept current only
    /// for the candidates a node may still take).
    marginal: Vec<f64>,
    chosen: Vec<usize>,
    best: f64,
    best_choice: Vec<usize>,
    nodes: u64,
    /// The least bound of the nodes the limit left open.
    open_bound: f64,
    scratch: Vec<f64>,
}

impl Selection<'_> {
    /// Explores the choices that add to `chosen` (worth `value`) candidates from
    /// `helpful`: in index order, those not yet decided, allowed beside the chosen
    /// ones, and of negative marginal. Pair weights are non-negative, so a marginal
    /// only grows deeper down: the others can never help below this node.
    fn branch(&mut self, value: f64, helpful: &[usize]) {
        self.nodes += 1;
        if value < self.best {
            self.best = value;
            self.best_choice = self.chosen.clone();
        }
        let room = self.seats.saturating_sub(self.chosen.len());
        if room == 0 || helpful.is_empty() {
            return;
        }
        let (mut sum, mut pick, mut most) = (0.0, usize::MAX, 0.0);
        for &i in helpful {
            let m = self.marginal[i];
            sum += m;
            if m < most {
                most = m;
                pick = i;
            }
        }
        let bound = if helpful.len() <= room {
            value + sum
        } else {
            // The `room` least, summed in sorted order as a full sort would.
            self.scratch.clear();
            self.scratch
                .extend(helpful.iter().map(|&i| self.marginal[i]));
            self.scratch
                .select_nth_unstable_by(room - 1, f64::total_cmp);
            self.scratch[..room].sort_unstable_by(f64::total_cmp);
            value + self.scratch[..room].iter().sum::<f64>()
        };
        if bound >= self.best {
            return;
        }
        if self.nodes > NODE_LIMIT {
            self.open_bound = self.open_bound.min(bound);
            return;
        }
        // Take the most promising candidate, then leave it out.
        let w = &self.w[pick];
        let saved: Vec<f64> = helpful.iter().map(|&u| self.marginal[u]).collect();
        let mut taken = Vec::with_capacity(helpful.len());
        for &u in helpful {
            if u != pick && w[u].is_finite() {
                self.marginal[u] += w[u];
                if self.marginal[u] < 0.0 {
                    taken.push(u);
                }
            }
        }
        self.chosen.push(pick);
        self.branch(value + most, &taken);
        self.chosen.pop();
        for (&u, &m) in helpful.iter().zip(&saved) {
            self.marginal[u] = m;
        }
        let left: Vec<usize> = helpful.iter().copied().filter(|&u| u != pick).collect();
        self.branch(value, &left);
    }
}

/// The core relaxation's objective of a placement (slot costs and left-out sessions of
/// the core, pairs among them in one slot, pairs lighter than `min_pair_weight` left
/// out).
pub fn relaxed_cost(
    model: &TimeModel,
    core: &[bool],
    min_pair_weight: u64,
    slot_of: &[Option<SlotIdx>],
) -> u64 {
    let p = model.problem;
    let t = model.tables;
    let mut cost = 0;
    for s in p.schedulable_sessions().filter(|&s| core[s]) {
        cost += slot_of[s].map_or(t.unscheduled[s], |b| t.unary[s][b]);
    }
    for &(s, u, w) in &t.pairs {
        if w >= min_pair_weight
            && core[s]
            && core[u]
            && slot_of[s].is_some()
            && slot_of[s] == slot_of[u]
        {
            cost += w;
        }
    }
    cost
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The least `sum c x + sum w x x` over every 0/1 vector within the seats.
    fn brute(c: &[f64], w: &[Vec<f64>], seats: usize) -> f64 {
        let k = c.len();
        let mut best = 0.0f64;
        for mask in 0u32..(1 << k) {
            if mask.count_ones() as usize > seats {
                continue;
            }
            let mut v = 0.0;
            for i in (0..k).filter(|&i| mask & (1 << i) != 0) {
                v += c[i];
                for j in (i + 1..k).filter(|&j| mask & (1 << j) != 0) {
                    v += w[i][j];
                }
            }
            best = best.min(v);
        }
        best
    }

    #[test]
    #[allow(clippy::needless_range_loop)]
    fn a_slot_problem_is_solved_exactly() {
        let mut rng = Rng(20261201);
        for case in 0..300 {
            let k = 1 + rng.below(10);
            let seats = 1 + rng.below(k + 1);
            let c: Vec<f64> = (0..k).map(|_| rng.below(200) as f64 - 120.0).collect();
            let mut w = vec![vec![0.0; k]; k];
            for i in 0..k {
                for j in i + 1..k {
                    let v = match rng.below(5) {
                        0 => f64::INFINITY,
                        1 | 2 => 0.0,
                        _ => rng.below(100) as f64,
                    };
                    w[i][j] = v;
                    w[j][i] = v;
                }
            }
            let (lower, choice) = min_selection(&c, &w, seats);
            let expected = brute(&c, &w, seats);
            assert_eq!(lower, expected, "case {case}");
            // The choice is allowed and costs what is claimed.
            assert!(choice.len() <= seats, "case {case}");
            let mut v = 0.0;
            for (a, &i) in choice.iter().enumerate() {
                v += c[i];
                for &j in &choice[a + 1..] {
                    assert!(w[i][j].is_finite(), "case {case}: {i} and {j} may not meet");
                    v += w[i][j];
                }
            }
            assert_eq!(v, expected, "case {case}");
        }
    }

    #[test]
    fn a_core_bound_holds_comes_within_one_percent_and_does_not_depend_on_threads() {
        use crate::solve::ilp::{Ilp, IlpOptions, Spec};
        use crate::solve::tables::CostTables;
        use crate::solve::testing::{generated, heaviest_sessions};
        let p = generated(60, 8, 11);
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let n = p.sessions.len();
        // Three slots only, so the core's pairs must meet.
        let allowed: Vec<Vec<usize>> = (0..n)
            .map(|_| {
                (0..p.slots.len())
                    .filter(|&b| !p.slots[b].rooms.is_empty())
                    .take(3)
                    .collect()
            })
            .collect();
        // The core: the 16 sessions with the heaviest pairs.
        let by_weight = heaviest_sessions(&model);
        let mut core = vec![false; n];
        for &s in &by_weight[..16] {
            core[s] = true;
        }
        let budget = Budget::new(&model, &allowed, u64::MAX / 4, None);
        let spec = Spec {
            allowed: &allowed,
            active: &core,
            budget: Some(&budget),
            pigeonholes: true,
            min_pair_weight: 0,
        };
        let exact = Ilp::build(&model, spec).solve(
            None,
            &IlpOptions {
                deadline: Instant::now() + std::time::Duration::from_secs(30),
                gap: 0.0,
                seed: 1,
                log: false,
                cancel: None,
            },
            None,
        );
        assert!(exact.proven_optimal);
        let optimum = exact.objective.map(f64::round).unwrap_or(f64::NAN);
        let placement = exact.slot_of.clone().expect("a placement");
        let bounds: Vec<LagrangeBound> = [1, 2]
            .into_iter()
            .map(|threads| {
                let options = LagrangeOptions {
                    iterations: 1_000,
                    patience: 300,
                    granularity: 100,
                    min_pair_weight: 0,
                    deadline: Instant::now() + std::time::Duration::from_secs(60),
                    threads,
                };
                core_bound(&model, &allowed, &core, &budget, &placement, &options).expect("a core")
            })
            .collect();
        assert_eq!(bounds[0], bounds[1]);
        let bound = bounds[0].bound;
        assert!(
            bound <= optimum + 1e-6,
            "bound {bound} above the optimum {optimum}"
        );
        // 2,005,100 against 2,022,400 (of which 2,000 are terms the relaxation drops);
        // its limit, after 4,000 iterations, is 2,005,200.
        assert!(
            bound >= 0.99 * optimum,
            "bound {bound} far below the optimum {optimum}"
        );
        assert!(bounds[0].placement_cost.is_some_and(|c| c as f64 >= bound));
    }
}
