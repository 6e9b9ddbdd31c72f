//! The exact time-first integer program, built with good_lp and solved by HiGHS.
//!
//! Variables and rows (s a session, b a slot, all binaries unless said):
//!
//! - `x[s,b]`: s is in b; only slots with an open room, only the fixed slot if fixed,
//!   and, under a [`Budget`], only slots whose unary cost fits it.
//! - `out[s]` in \[0,1\]: s is left out (absent when the budget forbids it, or for a
//!   fixed session that must be placed, [`TimeModel::must_place`]). Row:
//!   `sum_b x[s,b] + out[s] = 1`.
//! - Hard pairs: the sessions of one group (joint ones included), and, under a budget,
//!   every pair whose overlap would cost more than the budget allows. They form a
//!   graph; for each of its maximal cliques (petgraph's `maximal_cliques`) and each
//!   *time point* (the slots that contain one slot's start), `sum x <= 1`. These
//!   packing rows are what makes the budgeted model's LP tight.
//! - Capacity: `sum_s x[s,b] <= rooms open in b`.
//! - Room sizes (exact, Hall's condition on nested sizes): for every capacity level L
//!   of b's rooms, `sum_{s: attendees > L} x[s,b] - small[b] <= rooms of b above L`,
//!   `small[b] >= 0` integer, priced `too_small_room` (fixed to 0 when the budget
//!   forbids a too-small room).
//! - Soft pairs: for each other priced pair (s,t) of weight w and each slot b of s,
//!   `z[b] >= x[s,b] + sum_{b' overlapping b} x[t,b'] - 1`; objective `w sum_b z[b]`.
//! - Pigeonhole rows (SOLVER-NOTES, point 2): for a clique C of pairwise priced or hard
//!   pairs with more sessions than slots long enough for all of them, and each slot b
//!   that a session of C may take,
//!   `sum_{soft pairs of C} z[b] >= k sum_{s in C} x[s,b] - k(k+1)/2` for k = 1, 2:
//!   m sessions in one block make m(m-1)/2 >= km - k(k+1)/2 overlapping pairs, all
//!   soft since hard pairs cannot meet. Per slot, not summed over slots: a sum lets
//!   half-empty slots pay for crowded ones. Cliques are listed twice, over the pairs
//!   of at least 1,000 and over all pairs: a row is only as strong as its lightest
//!   pair.
//! - Sequences (order, time relation): the cost matrix of the two slots is split into
//!   levels c1 < c2 < ...; `o[l] >= x[first,a] + sum_{b: cost[a][b] >= c_l} x[second,b] - 1`
//!   priced `c_l - c_(l-1)`, and `o[l]` dropped (the row made hard) for levels above the
//!   budget; plus `o_out >= out[first], out[second]` when a relation cannot hold unplaced.
//! - Adjacency (the one rule that needs rooms): the sessions of adjacency requests get
//!   room variables `y[s,b,r]` (`sum_r y = x[s,b]`, one per room and slot);
//!   `h[a,b,r] <= sum_{ours} y[.,a,r]`, `h[a,b,r] <= sum_{theirs} y[.,b,r]` over adjacent
//!   slot pairs; `v >= 1 - sum h`, priced `wg_adjacent` (v dropped when over budget).
//! - Unary costs (`timerange`, `too_short_slot`) on `x`; `out` priced `unscheduled`.
//! - Under a budget with a core bound: one knapsack row, the terms outside the core
//!   (pairs, sequences and adjacencies that touch a non-member, and what a non-member
//!   pays for its slot above its floor, [`Budget::unary_is_outside`]) weigh at most
//!   [`Budget::outside_limit`] together; and HiGHS's objective cutoff
//!   (`objective_bound`) at the budget's target, so "no solution" means "no agenda that
//!   cheap".
//!
//!   A session seated by `y` pays `too_small_room` through `y` when its room is too
//!   small, and in its block's Hall rows it counts as holding a room above level L when
//!   its `y` room is; the other sessions then get an exact best assignment of what is
//!   left, which the room assignment reproduces ([`super::rooms`] keeps the `y` rooms).
//!
//! Every term is the evaluator's, through [`super::tables::CostTables`], so the ILP optimum
//! is the true optimum and its dual bound a valid lower bound (of the agendas within the
//! budget, when there is one).

use super::budget::Budget;
use super::timing::TimeModel;
use crate::problem::{SessionIdx, SlotIdx};
use good_lp::{variable, Expression, ProblemVariables, SolverModel, Variable};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// Options of one ILP solve.
#[derive(Debug, Clone)]
pub struct IlpOptions {
    /// HiGHS gets what is left of this when it starts (model building counts).
    pub deadline: Instant,
    pub gap: f64,
    pub seed: u64,
    /// HiGHS prints its log.
    pub log: bool,
    /// Stops the search loops around HiGHS (LNS) when set.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// Hooks into a running HiGHS search: progress and cancellation.
pub struct Watch<'w> {
    /// Called at most every half second with (primal bound, dual bound) of the model.
    pub progress: &'w mut dyn FnMut(Option<f64>, f64),
    /// Set from another thread to stop the search (HiGHS returns its best so far).
    pub cancel: Option<&'w std::sync::atomic::AtomicBool>,
}

struct CallbackState<'w> {
    watch: Watch<'w>,
    last_report: Instant,
    /// When HiGHS first called back: its presolve, which it cannot interrupt, was over.
    first_event: Option<Instant>,
}

/// HiGHS's C callback. Never unwinds into C: a panic in the closure is caught and
/// stops the search.
unsafe extern "C" fn on_highs_event(
    kind: std::os::raw::c_int,
    _message: *const std::os::raw::c_char,
    data_out: *const highs_sys::HighsCallbackDataOut,
    data_in: *mut highs_sys::HighsCallbackDataIn,
    user: *mut std::os::raw::c_void,
) {
    if user.is_null() || data_out.is_null() {
        return;
    }
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: `user` is the `CallbackState` that `Ilp::solve` registered and keeps
        // alive until HiGHS returns; HiGHS calls back on the solving thread only.
        let state = unsafe { &mut *(user as *mut CallbackState) };
        state.first_event.get_or_insert_with(Instant::now);
        // SAFETY: HiGHS passes a valid `HighsCallbackDataOut` for the call's duration.
        let out = unsafe { &*data_out };
        let cancelled = state
            .watch
            .cancel
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed));
        let improving =
            kind == highs_sys::kHighsCallbackMipImprovingSolution as std::os::raw::c_int;
        if improving || state.last_report.elapsed() >= Duration::from_millis(500) {
            state.last_report = Instant::now();
            let primal = out
                .mip_primal_bound
                .is_finite()
                .then_some(out.mip_primal_bound);
            (state.watch.progress)(primal, out.mip_dual_bound);
        }
        cancelled
    }));
    let stop = outcome.unwrap_or(true);
    if stop
        && !data_in.is_null()
        && kind == highs_sys::kHighsCallbackMipInterrupt as std::os::raw::c_int
    {
        // SAFETY: for interrupt callbacks HiGHS passes a valid, writable `data_in`.
        unsafe { (*data_in).user_interrupt = 1 };
    }
}

/// What HiGHS returned.
#[derive(Debug, Clone)]
pub struct IlpOutcome {
    /// The best slot of each session found (None when HiGHS found no solution).
    pub slot_of: Option<Vec<Option<SlotIdx>>>,
    /// Rooms the model chose for the sessions it seats itself (adjacency).
    pub room_of: Vec<Option<usize>>,
    /// The objective of that solution (the time-level cost).
    pub objective: Option<f64>,
    /// The proven dual bound (a lower bound of the true optimum).
    pub dual_bound: Option<f64>,
    pub proven_optimal: bool,
    pub infeasible: bool,
    /// Branch-and-bound nodes HiGHS explored (a machine-independent measure of effort).
    pub nodes: u64,
    pub elapsed: Duration,
    /// How long HiGHS took before its first callback (presolve, which the time limit
    /// does not interrupt, and the root's setup); the whole solve when it never called
    /// back.
    pub setup: Duration,
}

/// (cost level, variable, column) of a sequence.
type Level = (u64, Variable, usize);

type AdjacentSeat = (SlotIdx, SlotIdx, usize, Variable, usize);

/// Columns in creation order: good_lp hands them to HiGHS in that order.
struct Columns {
    vars: ProblemVariables,
    count: usize,
}

impl Columns {
    fn add(&mut self, def: good_lp::VariableDefinition) -> (Variable, usize) {
        let v = self.vars.add(def);
        self.count += 1;
        (v, self.count - 1)
    }
}

/// What to build: which sessions, where they may go, under which budget.
#[derive(Clone, Copy)]
pub struct Spec<'s> {
    /// The slots each session may take (a subset when the caller fixes part of the
    /// agenda, as large-neighbourhood search does).
    pub allowed: &'s [Vec<SlotIdx>],
    /// Sessions with `active[s] == false` are dropped with every term that touches
    /// them: all costs are non-negative, so that model is a relaxation and its bound is
    /// valid for the whole meeting (SOLVER-NOTES, point 3).
    pub active: &'s [bool],
    /// Restrict to agendas of cost at most the budget's target ([`super::budget`]).
    pub budget: Option<&'s Budget>,
    /// Add pigeonhole rows (worth it for whole-meeting and core models, not for the
    /// small models of large-neighbourhood search).
    pub pigeonholes: bool,
    /// Priced pairs lighter than this are dropped (0 keeps them all): again a
    /// relaxation, which large meetings need because their light pairs (shared ADs,
    /// 100 each) are a large share of the model's rows and little of its cost
    /// (docs/solver.md, Measurements).
    pub min_pair_weight: u64,
}

pub struct Ilp<'a> {
    model: &'a TimeModel<'a>,
    /// `x[s]`: (slot, variable, column).
    x: Vec<Vec<(SlotIdx, Variable, usize)>>,
    out: Vec<Option<(Variable, usize)>>,
    /// Per slot, the too-small count variable (None when the budget forbids it).
    small: Vec<Option<(Variable, usize)>>,
    /// (index in `tables.pairs`, slot of its first session or None for all, variable,
    /// column).
    pair_z: Vec<(usize, Option<SlotIdx>, Variable, usize)>,
    /// Per sequence kept: (index in `tables.sequences`, its priced levels).
    seq_levels: Vec<(usize, Vec<Level>)>,
    /// (index in `tables.sequences`, variable, column) of the "unplaced" terms.
    seq_out: Vec<(usize, Variable, usize)>,
    /// Per adjacency: (slot of ours, slot of theirs, room, variable, column).
    adj_h: Vec<(usize, Vec<AdjacentSeat>)>,
    room_y: BTreeMap<(SessionIdx, SlotIdx, usize), (Variable, usize)>,
    adj_sessions: Vec<SessionIdx>,
    /// Per adjacency kept: its penalty variable (None when the budget makes it hard).
    adj_v: Vec<Option<(Variable, usize)>>,
    /// The objective cutoff: no solution above it is wanted.
    cap: Option<u64>,
    hard_cliques: usize,
    pigeonhole_cliques: usize,
    sections: Vec<(&'static str, usize, usize)>,
    columns: Columns,
    objective: Expression,
    rows: Vec<good_lp::Constraint>,
}

/// Above this many maximal cliques the hard pairs get one row per pair and time point
/// instead (a safety net for dense graphs; IETF-sized meetings have a few hundred).
const MAX_HARD_CLIQUES: usize = 20_000;

/// Pairs lighter than this are left out of the pigeonhole graph: a row that cheap pairs
/// can satisfy bounds almost nothing, and such pairs (shared ADs) make the graph dense
/// and its cliques slow to list.
const CLIQUE_MIN_WEIGHT: u64 = 1_000;

/// Maximal cliques (each sorted, the list sorted) of the graph on `nodes` with `edges`;
/// `None` when there are more than `limit`.
fn cliques_of(
    nodes: &[SessionIdx],
    edges: &BTreeSet<(SessionIdx, SessionIdx)>,
    limit: usize,
) -> Option<Vec<Vec<SessionIdx>>> {
    let mut graph = petgraph::graph::UnGraph::<SessionIdx, ()>::default();
    let index: BTreeMap<SessionIdx, petgraph::graph::NodeIndex> =
        nodes.iter().map(|&s| (s, graph.add_node(s))).collect();
    for &(s, u) in edges {
        if let (Some(&i), Some(&j)) = (index.get(&s), index.get(&u)) {
            graph.add_edge(i, j, ());
        }
    }
    let found = petgraph::algo::maximal_cliques(&graph);
    if found.len() > limit {
        return None;
    }
    let mut cliques: Vec<Vec<SessionIdx>> = found
        .into_iter()
        .map(|c| {
            let mut c: Vec<SessionIdx> = c.into_iter().map(|n| graph[n]).collect();
            c.sort_unstable();
            c
        })
        .filter(|c| c.len() >= 2)
        .collect();
    cliques.sort();
    Some(cliques)
}

/// Sessions of a *crowded* clique: pairwise priced (each pair at least `min_weight`)
/// and more of them than there are time points, so some must overlap whatever the
/// agenda (SOLVER-NOTES, point 2). A core relaxation that holds them proves what that
/// costs (on the 4x synthetic: the 33 BoF sessions, at least 16 overlapping pairs).
pub fn crowded_clique_members(model: &TimeModel, min_weight: u64) -> Vec<bool> {
    let p = model.problem;
    let mut members = vec![false; p.sessions.len()];
    let edges: BTreeSet<(SessionIdx, SessionIdx)> = model
        .tables
        .pairs
        .iter()
        .filter(|&&(s, u, w)| {
            w >= min_weight && p.sessions[s].schedulable && p.sessions[u].schedulable
        })
        .map(|&(s, u, _)| (s, u))
        .collect();
    let mut nodes: Vec<SessionIdx> = edges.iter().flat_map(|&(s, u)| [s, u]).collect();
    nodes.sort_unstable();
    nodes.dedup();
    let points = time_points(model).len();
    for clique in cliques_of(&nodes, &edges, MAX_HARD_CLIQUES).unwrap_or_default() {
        if clique.len() > points {
            for s in clique {
                members[s] = true;
            }
        }
    }
    members
}

/// For each slot, the slots containing its start (itself included): the instants at
/// which the most slots overlap. Sets contained in another are dropped.
fn time_points(model: &TimeModel) -> Vec<Vec<SlotIdx>> {
    let p = model.problem;
    let m = p.slots.len();
    let mut points: Vec<Vec<SlotIdx>> = (0..m)
        .map(|b| {
            let at = p.slots[b].start_utc_minute;
            (0..m)
                .filter(|&c| p.slots[c].start_utc_minute <= at && at < p.slots[c].end_utc_minute())
                .collect()
        })
        .collect();
    points.sort();
    points.dedup();
    let keep: Vec<bool> = points
        .iter()
        .map(|a| {
            !points
                .iter()
                .any(|b| b.len() > a.len() && a.iter().all(|x| b.contains(x)))
        })
        .collect();
    points
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(p, _)| p)
        .collect()
}

impl<'a> Ilp<'a> {
    /// Builds the model of `spec`, one row family after another (the module's doc
    /// describes each). The order is the order of HiGHS's columns and rows, which its
    /// search depends on: keep it.
    pub fn build(model: &'a TimeModel<'a>, spec: Spec) -> Ilp<'a> {
        let mut b = Builder::new(model, spec);
        b.assignment();
        b.end_section("assignment");
        b.packing();
        b.end_section("packing");
        b.room_seats();
        b.end_section("rooms");
        b.capacity();
        b.end_section("capacity");
        let pigeonholes = b.pigeonhole_cliques();
        b.pairs(&pigeonholes);
        b.end_section("pairs");
        b.pigeonhole_rows(&pigeonholes);
        b.end_section("pigeonhole");
        b.sequences();
        b.end_section("sequences");
        b.adjacency();
        b.end_section("adjacency");
        b.knapsack();
        b.end_section("knapsack");
        b.finish(pigeonholes.len())
    }

    pub fn variables(&self) -> usize {
        self.columns.count
    }

    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// Rows and columns by part of the model, for diagnosis (`--solver-log`).
    pub fn describe(&self) -> String {
        let mut previous = (0, 0);
        let mut parts = Vec::new();
        for &(name, rows, cols) in &self.sections {
            parts.push(format!(
                "{name} {} rows {} cols",
                rows - previous.0,
                cols - previous.1
            ));
            previous = (rows, cols);
        }
        format!(
            "{}; {} packing rows, {} pigeonhole cliques",
            parts.join(", "),
            self.hard_cliques,
            self.pigeonhole_cliques
        )
    }

    /// Column values of a time-level schedule, for a warm start.
    fn start_values(&self, slot_of: &[Option<SlotIdx>]) -> Vec<f64> {
        let model = self.model;
        let p = model.problem;
        let t = model.tables;
        let mut cols = vec![0.0; self.columns.count];
        for (s, xs) in self.x.iter().enumerate() {
            for &(b, _, c) in xs {
                cols[c] = f64::from(u8::from(slot_of[s] == Some(b)));
            }
            if let Some((_, c)) = self.out[s] {
                cols[c] = f64::from(u8::from(slot_of[s].is_none()));
            }
        }
        // Rooms of the adjacency sessions, as the room assignment would seat them.
        let seated = super::rooms::assign_rooms(p, t, slot_of, &[]);
        let room_of = |s: SessionIdx| seated.get(s).map(|pl| pl.room);
        for (b, d) in self.small.iter().enumerate() {
            let Some((_, c)) = d else { continue };
            let caps = &model.capacities[b];
            let mut levels: Vec<u32> = caps.iter().copied().filter(|&c| c != u32::MAX).collect();
            levels.dedup();
            let mut need = 0i64;
            for level in levels {
                let above = caps.iter().filter(|&&c| c > level).count() as i64;
                let count = (0..p.sessions.len())
                    .filter(|&s| slot_of[s] == Some(b) && model.fixed_room[s].is_none())
                    .filter(|&s| {
                        if self.adj_sessions.contains(&s) {
                            room_of(s)
                                .is_some_and(|r| p.rooms[r].capacity.is_none_or(|cap| cap > level))
                        } else {
                            p.sessions[s].attendees > level
                        }
                    })
                    .count() as i64;
                need = need.max(count - above);
            }
            cols[*c] = need as f64;
        }
        for &(k, slot, _, c) in &self.pair_z {
            let (s, u, _) = t.pairs[k];
            let overlap = match (slot_of[s], slot_of[u]) {
                (Some(a), Some(b)) => p.slots_overlap(a, b) && slot.is_none_or(|x| x == a),
                _ => false,
            };
            cols[c] = f64::from(u8::from(overlap));
        }
        for (i, levels) in &self.seq_levels {
            let q = &t.sequences[*i];
            let cost = match (slot_of[q.first], slot_of[q.second]) {
                (Some(a), Some(b)) => q.cost[a][b],
                _ => 0,
            };
            for &(level, _, c) in levels {
                cols[c] = f64::from(u8::from(cost >= level));
            }
        }
        for &(i, _, c) in &self.seq_out {
            let q = &t.sequences[i];
            cols[c] = f64::from(u8::from(
                slot_of[q.first].is_none() || slot_of[q.second].is_none(),
            ));
        }
        for (&(s, b, r), &(_, c)) in &self.room_y {
            cols[c] = f64::from(u8::from(slot_of[s] == Some(b) && room_of(s) == Some(r)));
        }
        for (k, (i, seats)) in self.adj_h.iter().enumerate() {
            let a = &t.adjacencies[*i];
            let mut held = false;
            for &(sa, sb, r, _, c) in seats {
                let seated_at = |list: &[SessionIdx], slot: SlotIdx| {
                    list.iter()
                        .any(|&s| slot_of[s] == Some(slot) && room_of(s) == Some(r))
                };
                if !held && seated_at(&a.ours, sa) && seated_at(&a.theirs, sb) {
                    cols[c] = 1.0;
                    held = true;
                }
            }
            if let Some((_, c)) = self.adj_v[k] {
                cols[c] = f64::from(u8::from(!held));
            }
        }
        cols
    }

    /// Solves with HiGHS from the warm start `start` (a time-level schedule).
    pub fn solve(
        self,
        start: Option<&[Option<SlotIdx>]>,
        options: &IlpOptions,
        watch: Option<Watch>,
    ) -> IlpOutcome {
        let began = Instant::now();
        let warm = start.map(|s| self.start_values(s));
        let x = self.x.clone();
        let room_y: Vec<((SessionIdx, SlotIdx, usize), usize)> =
            self.room_y.iter().map(|(k, v)| (*k, v.1)).collect();
        let n = self.model.problem.sessions.len();
        let cap = self.cap;
        if options.log {
            println!("model: {}", self.describe());
        }
        let mut problem = self
            .columns
            .vars
            .minimise(self.objective)
            .using(good_lp::highs);
        for row in self.rows {
            problem.add_constraint(row);
        }
        let mut highs = problem.into_inner();
        configure(&mut highs, options, cap);
        if let Some(cols) = &warm {
            // A start HiGHS rejects is only a lost hint, never an error.
            let _ = highs.try_set_solution(Some(cols), None, None, None);
        }
        // Keep the callback's state alive (and in place) until `solve` returns.
        let mut state = watch.map(|watch| {
            Box::new(CallbackState {
                watch,
                last_report: Instant::now(),
                first_event: None,
            })
        });
        if let Some(state) = state.as_mut() {
            attach_callback(&mut highs, state);
        }
        let mut solved = highs.solve();
        let nodes = node_count(&mut solved);
        let setup = state
            .as_ref()
            .and_then(|state| state.first_event)
            .map_or(began.elapsed(), |at| at.duration_since(began));
        drop(state);
        let status = solved.status();
        use highs::HighsModelStatus as S;
        let infeasible = matches!(status, S::Infeasible | S::UnboundedOrInfeasible);
        let (slot_of, room_of) = read_placement(&solved, &x, &room_y, n);
        let objective = slot_of.is_some().then(|| solved.objective_value());
        let dual_bound = solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite());
        IlpOutcome {
            slot_of,
            room_of,
            objective,
            dual_bound,
            proven_optimal: status == S::Optimal,
            infeasible,
            nodes,
            elapsed: began.elapsed(),
            setup,
        }
    }
}

/// HiGHS's options for one solve: logging, the time left, the gap, the cutoff, the seed,
/// one thread.
fn configure(highs: &mut highs::Model, options: &IlpOptions, cap: Option<u64>) {
    if options.log {
        highs.set_option("output_flag", true);
        highs.set_option("log_to_console", true);
    } else {
        highs.make_quiet();
    }
    let left = options.deadline.saturating_duration_since(Instant::now());
    highs.set_option("time_limit", left.as_secs_f64().max(0.01));
    highs.set_option("mip_rel_gap", options.gap.max(0.0));
    if let Some(cap) = cap {
        // Costs are whole numbers: half a unit of slack absorbs rounding only.
        highs.set_option("objective_bound", cap as f64 + 0.5);
    }
    highs.set_option("random_seed", (options.seed % 2_147_483_647) as i32);
    // One thread: HiGHS's parallel search could make results depend on the count.
    highs.set_option("threads", 1);
}

/// Asks HiGHS to call [`on_highs_event`] with `state` at its interrupt checks and at each
/// improving solution.
fn attach_callback(highs: &mut highs::Model, state: &mut CallbackState) {
    let user = state as *mut CallbackState as *mut std::os::raw::c_void;
    // SAFETY: `highs` is a live HiGHS instance; the caller keeps `state` alive and in
    // place until the solve returns.
    unsafe {
        highs_sys::Highs_setCallback(highs.as_mut_ptr(), Some(on_highs_event), user);
        highs_sys::Highs_startCallback(highs.as_mut_ptr(), highs_sys::kHighsCallbackMipInterrupt);
        highs_sys::Highs_startCallback(
            highs.as_mut_ptr(),
            highs_sys::kHighsCallbackMipImprovingSolution,
        );
    }
}

/// The branch-and-bound nodes HiGHS explored.
fn node_count(solved: &mut highs::SolvedModel) -> u64 {
    let mut nodes: i64 = 0;
    // SAFETY: `solved` holds a live HiGHS instance; the name is a valid C string and
    // `nodes` a valid out-pointer for an int64 info value.
    unsafe {
        highs_sys::Highs_getInt64InfoValue(
            solved.as_mut_ptr(),
            c"mip_node_count".as_ptr(),
            &mut nodes,
        );
    }
    nodes.max(0) as u64
}

/// Each session's slot and room in HiGHS's solution (None, all None, without one).
fn read_placement(
    solved: &highs::SolvedModel,
    x: &[Vec<(SlotIdx, good_lp::Variable, usize)>],
    room_y: &[((SessionIdx, SlotIdx, usize), usize)],
    n: usize,
) -> (Option<Vec<Option<SlotIdx>>>, Vec<Option<usize>>) {
    let mut room_of = vec![None; n];
    if !matches!(
        solved.primal_solution_status(),
        highs::HighsSolutionStatus::Feasible
    ) {
        return (None, room_of);
    }
    let solution = solved.get_solution();
    let values = solution.columns();
    let mut slot_of = vec![None; n];
    for (s, xs) in x.iter().enumerate() {
        slot_of[s] = xs.iter().find(|&&(_, _, c)| values[c] > 0.5).map(|e| e.0);
    }
    for &((s, _, r), c) in room_y {
        if values[c] > 0.5 {
            room_of[s] = Some(r);
        }
    }
    (Some(slot_of), room_of)
}

/// Where columns, objective terms and rows go, in creation order.
struct Sink {
    columns: Columns,
    objective: Expression,
    /// Terms outside the core, weighted by what they add above the floor.
    outside: Expression,
    outside_terms: usize,
    rows: Vec<good_lp::Constraint>,
    /// (section, rows and columns at its end), for [`Ilp::describe`].
    sections: Vec<(&'static str, usize, usize)>,
}

impl Sink {
    /// A column in \[0,1\] priced `weight`, counted outside the core when `outside`.
    fn priced(&mut self, weight: u64, outside: bool) -> (Variable, usize) {
        let (v, c) = self.columns.add(variable().min(0.0).max(1.0));
        self.objective.add_mul(weight as f64, v);
        if outside {
            self.outside.add_mul(weight as f64, v);
            self.outside_terms += 1;
        }
        (v, c)
    }
}

/// An [`Ilp`] under construction: one method per row family, called in order by
/// [`Ilp::build`]; each reads what the earlier ones made.
struct Builder<'a, 's> {
    model: &'a TimeModel<'a>,
    spec: Spec<'s>,
    /// Whether each session is in the model: active in the spec and schedulable.
    live: Vec<bool>,
    sink: Sink,
    x: Vec<Vec<(SlotIdx, Variable, usize)>>,
    out: Vec<Option<(Variable, usize)>>,
    /// Pairs that may not overlap (a shared group, or over the budget).
    hard: BTreeSet<(SessionIdx, SessionIdx)>,
    packing_rows: usize,
    /// Adjacency requests whose sessions are all live.
    adjacencies: Vec<usize>,
    adj_sessions: Vec<SessionIdx>,
    room_y: BTreeMap<(SessionIdx, SlotIdx, usize), (Variable, usize)>,
    /// Whether a too-small room fits the budget.
    small_allowed: bool,
    small: Vec<Option<(Variable, usize)>>,
    pair_z: Vec<(usize, Option<SlotIdx>, Variable, usize)>,
    /// The per-slot overlap variables of pairs inside pigeonhole cliques.
    pair_index: BTreeMap<(SessionIdx, SessionIdx, SlotIdx), Variable>,
    seq_levels: Vec<(usize, Vec<Level>)>,
    seq_out: Vec<(usize, Variable, usize)>,
    adj_h: Vec<(usize, Vec<AdjacentSeat>)>,
    adj_v: Vec<Option<(Variable, usize)>>,
}

impl<'a, 's> Builder<'a, 's> {
    fn new(model: &'a TimeModel<'a>, spec: Spec<'s>) -> Self {
        let p = model.problem;
        let t = model.tables;
        let n = p.sessions.len();
        let mut objective = Expression::with_capacity(n * p.slots.len());
        // A session fixed to a room too small for it pays that whatever the model does.
        for f in &p.fixed {
            let live = spec.active[f.session] && p.sessions[f.session].schedulable;
            if let (true, Some(r)) = (live, f.room) {
                if p.rooms[r]
                    .capacity
                    .is_some_and(|c| c < p.sessions[f.session].attendees)
                {
                    objective += t.too_small as f64;
                }
            }
        }
        Builder {
            model,
            spec,
            live: (0..n)
                .map(|s| spec.active[s] && p.sessions[s].schedulable)
                .collect(),
            sink: Sink {
                columns: Columns {
                    vars: ProblemVariables::new(),
                    count: 0,
                },
                objective,
                outside: Expression::default(),
                outside_terms: 0,
                rows: Vec::new(),
                sections: Vec::new(),
            },
            x: vec![Vec::new(); n],
            out: vec![None; n],
            hard: BTreeSet::new(),
            packing_rows: 0,
            adjacencies: Vec::new(),
            adj_sessions: Vec::new(),
            room_y: BTreeMap::new(),
            small_allowed: spec
                .budget
                .is_none_or(|bg| t.too_small <= bg.inside_limit()),
            small: Vec::new(),
            pair_z: Vec::with_capacity(t.pairs.len()),
            pair_index: BTreeMap::new(),
            seq_levels: Vec::new(),
            seq_out: Vec::new(),
            adj_h: Vec::new(),
            adj_v: Vec::new(),
        }
    }

    /// What the budget lets the terms of `sessions` cost (no limit without one).
    fn limit(&self, sessions: &[SessionIdx]) -> u64 {
        self.spec.budget.map_or(u64::MAX, |b| b.limit(sessions))
    }

    fn end_section(&mut self, name: &'static str) {
        let at = (name, self.sink.rows.len(), self.sink.columns.count);
        self.sink.sections.push(at);
    }

    /// `x[s,b]` and `out[s]` with `sum_b x[s,b] + out[s] = 1`, the unary costs, and the
    /// cap on moves from a base agenda.
    fn assignment(&mut self) {
        let model = self.model;
        let (p, t) = (model.problem, model.tables);
        let budget = self.spec.budget;
        for s in (0..p.sessions.len()).filter(|&s| self.live[s]) {
            for &b in &self.spec.allowed[s] {
                if budget.is_some_and(|bg| !bg.allows_slot(model, s, b)) {
                    continue;
                }
                let (v, c) = self.sink.columns.add(variable().binary());
                self.sink.objective.add_mul(t.unary[s][b] as f64, v);
                self.x[s].push((b, v, c));
            }
            let mut e: Expression = self.x[s].iter().map(|&(_, v, _)| v).sum();
            if !model.must_place[s] && budget.is_none_or(|bg| bg.allows_out(model, s)) {
                let (o, c) = self.sink.columns.add(variable().min(0.0).max(1.0));
                self.sink.objective.add_mul(t.unscheduled[s] as f64, o);
                self.out[s] = Some((o, c));
                e += o;
            }
            self.sink.rows.push(e.eq(1.0));
            // A non-member of the core pays its slot above its floor outside the core.
            if let Some(bg) = budget.filter(|bg| bg.unary_is_outside(s)) {
                let base = bg.base(s);
                let options = self.x[s].iter().map(|&(b, v, _)| (t.unary[s][b], v));
                let out = self.out[s].map(|(o, _)| (t.unscheduled[s], o));
                for (cost, v) in options.chain(out) {
                    if cost > base {
                        self.sink.outside.add_mul((cost - base) as f64, v);
                        self.sink.outside_terms += 1;
                    }
                }
            }
        }
        // A cap on moves from the base agenda (the rule's, or the one the budget
        // implies): over the live sessions only, which is the cap itself when every
        // session is live and a relaxation of it otherwise.
        let cap = budget.map_or(p.move_rule.max_moves(), |bg| bg.max_moves(p));
        if let Some(limit) = cap {
            let moved: Expression = (0..p.sessions.len())
                .flat_map(|s| self.x[s].iter().filter(move |e| p.is_move(s, Some(e.0))))
                .map(|e| e.1)
                .sum();
            self.sink.rows.push(moved.leq(limit as f64));
        }
    }

    /// Hard pairs (a shared group always; a priced pair when over budget): one packing
    /// row per maximal clique and time point.
    fn packing(&mut self) {
        let model = self.model;
        let (p, t) = (model.problem, model.tables);
        let budget = self.spec.budget;
        for sessions in &p.group_sessions {
            for (i, &s) in sessions.iter().enumerate() {
                for &u in &sessions[i + 1..] {
                    if self.live[s] && self.live[u] && s != u {
                        self.hard.insert((s.min(u), s.max(u)));
                    }
                }
            }
        }
        for &(s, u, w) in &t.pairs {
            if self.live[s]
                && self.live[u]
                && w > budget.map_or(u64::MAX, |b| b.pair_limit(s, u, w))
            {
                self.hard.insert((s, u));
            }
        }
        let hard = &self.hard;
        let x = &self.x;
        let points = time_points(model);
        let mut hard_nodes: Vec<SessionIdx> = hard.iter().flat_map(|&(s, u)| [s, u]).collect();
        hard_nodes.sort_unstable();
        hard_nodes.dedup();
        let hard_cliques = cliques_of(&hard_nodes, hard, MAX_HARD_CLIQUES)
            .unwrap_or_else(|| hard.iter().map(|&(s, u)| vec![s, u]).collect());
        let mut packing_rows: BTreeSet<Vec<usize>> = BTreeSet::new();
        for clique in &hard_cliques {
            for point in &points {
                let mut cols: Vec<usize> = clique
                    .iter()
                    .flat_map(|&s| x[s].iter().filter(|e| point.contains(&e.0)).map(|e| e.2))
                    .collect();
                // A session alone in the row is bounded by its own row already.
                let owners: BTreeSet<SessionIdx> = clique
                    .iter()
                    .copied()
                    .filter(|&s| x[s].iter().any(|e| point.contains(&e.0)))
                    .collect();
                if owners.len() < 2 {
                    continue;
                }
                cols.sort_unstable();
                packing_rows.insert(cols);
            }
        }
        let by_column: BTreeMap<usize, Variable> =
            x.iter().flatten().map(|&(_, v, c)| (c, v)).collect();
        for cols in &packing_rows {
            let e: Expression = cols.iter().map(|c| by_column[c]).sum();
            self.sink.rows.push(e.leq(1.0));
        }
        self.packing_rows = packing_rows.len();
    }

    /// Adjacency needs rooms: `y[s,b,r]` seats a session of an adjacency request in
    /// room r of slot b, `sum_r y = x[s,b]`, at most one per room and slot.
    fn room_seats(&mut self) {
        let model = self.model;
        let (p, t) = (model.problem, model.tables);
        self.adjacencies = (0..t.adjacencies.len())
            .filter(|&i| {
                let a = &t.adjacencies[i];
                a.ours.iter().chain(&a.theirs).all(|&s| self.live[s])
            })
            .collect();
        let mut adj_sessions: Vec<SessionIdx> = self
            .adjacencies
            .iter()
            .flat_map(|&i| {
                t.adjacencies[i]
                    .ours
                    .iter()
                    .chain(&t.adjacencies[i].theirs)
                    .copied()
            })
            .collect();
        adj_sessions.sort_unstable();
        adj_sessions.dedup();
        let fixed_taken = |b: SlotIdx, r: usize| {
            p.fixed.iter().any(|f| {
                f.slot == b
                    && f.room == Some(r)
                    && self.live[f.session]
                    && !adj_sessions.contains(&f.session)
            })
        };
        let mut room_y = BTreeMap::new();
        for &s in &adj_sessions {
            for &(b, xv, _) in &self.x[s] {
                let rooms: Vec<usize> = match model.fixed_room[s] {
                    Some(r) => vec![r],
                    None => p.slots[b]
                        .rooms
                        .iter()
                        .copied()
                        .filter(|&r| !fixed_taken(b, r))
                        .collect(),
                };
                let mut e = Expression::default();
                for r in rooms {
                    let too_small = p.rooms[r]
                        .capacity
                        .is_some_and(|cap| cap < p.sessions[s].attendees)
                        && model.fixed_room[s].is_none();
                    if too_small && !self.small_allowed {
                        continue;
                    }
                    let (y, c) = self.sink.columns.add(variable().binary());
                    if too_small {
                        self.sink.objective.add_mul(t.too_small as f64, y);
                    }
                    room_y.insert((s, b, r), (y, c));
                    e += y;
                }
                self.sink.rows.push((e - xv).eq(0.0));
            }
        }
        let mut by_room: BTreeMap<(SlotIdx, usize), Expression> = BTreeMap::new();
        for (&(_, b, r), &(y, _)) in &room_y {
            *by_room.entry((b, r)).or_default() += y;
        }
        for (_, e) in by_room {
            self.sink.rows.push(e.leq(1.0));
        }
        self.adj_sessions = adj_sessions;
        self.room_y = room_y;
    }

    /// Per slot, at most as many sessions as open rooms, and Hall's rows on room sizes
    /// with the slot's too-small count `small[b]`.
    fn capacity(&mut self) {
        let model = self.model;
        let (p, t) = (model.problem, model.tables);
        let (n, m) = (p.sessions.len(), p.slots.len());
        let slot_vars: Vec<Vec<(SessionIdx, Variable)>> = (0..m)
            .map(|b| {
                (0..n)
                    .filter_map(|s| self.x[s].iter().find(|e| e.0 == b).map(|e| (s, e.1)))
                    .collect()
            })
            .collect();
        for (b, in_b) in slot_vars.iter().enumerate() {
            // Sessions fixed to a room keep it; the pool is the other rooms.
            let caps = &model.capacities[b];
            let d = self.small_allowed.then(|| {
                let (d, c) = self.sink.columns.add(variable().integer().min(0.0));
                self.sink.objective.add_mul(t.too_small as f64, d);
                (d, c)
            });
            self.small.push(d);
            if in_b.len() > p.slots[b].rooms.len() {
                let all: Expression = in_b.iter().map(|&(_, v)| v).sum();
                self.sink.rows.push(all.leq(p.slots[b].rooms.len() as f64));
            }
            let mut levels: Vec<u32> = caps.iter().copied().filter(|&c| c != u32::MAX).collect();
            levels.dedup();
            for level in levels {
                let above = caps.iter().filter(|&&c| c > level).count();
                // Sessions seated by y hold their room: they count when it is above L.
                let mut big: Vec<Variable> = in_b
                    .iter()
                    .filter(|&&(s, _)| {
                        model.fixed_room[s].is_none()
                            && !self.adj_sessions.contains(&s)
                            && p.sessions[s].attendees > level
                    })
                    .map(|&(_, v)| v)
                    .collect();
                big.extend(self.room_y.iter().filter_map(|(&(s, slot, r), &(y, _))| {
                    let above_level = p.rooms[r].capacity.is_none_or(|c| c > level);
                    (slot == b && model.fixed_room[s].is_none() && above_level).then_some(y)
                }));
                if big.len() > above {
                    let mut e: Expression = big.into_iter().sum();
                    if let Some((d, _)) = d {
                        e -= d;
                    }
                    self.sink.rows.push(e.leq(above as f64));
                }
            }
        }
    }

    /// The pigeonhole cliques: of soft pairs heavy enough to matter, and hard pairs;
    /// then again with the light pairs too. Two levels, because a clique's rows are
    /// only as strong as its lightest pairs: with the light pairs in the graph, the
    /// maximal cliques of heavy pairs (BoFs) grow into mixed ones whose rows the LP
    /// meets with cheap overlaps. The light level is what proves the shared-AD
    /// overlaps that every agenda of the IETF-sized synthetic pays.
    fn pigeonhole_cliques(&self) -> Vec<Clique> {
        if !self.spec.pigeonholes {
            return Vec::new();
        }
        let (model, spec) = (self.model, self.spec);
        let soft = |min: u64| -> BTreeSet<(SessionIdx, SessionIdx)> {
            model
                .tables
                .pairs
                .iter()
                .filter(|&&(s, u, w)| {
                    self.live[s]
                        && self.live[u]
                        && w >= min.max(spec.min_pair_weight)
                        && !self.hard.contains(&(s, u))
                })
                .map(|&(s, u, _)| (s, u))
                .collect()
        };
        let live = |s: SessionIdx| self.live[s];
        let slots = x_slots(&self.x);
        let mut sets = pigeonhole_sets(model, &slots, &live, &soft(CLIQUE_MIN_WEIGHT), &self.hard);
        if spec.min_pair_weight < CLIQUE_MIN_WEIGHT {
            for set in pigeonhole_sets(model, &slots, &live, &soft(0), &self.hard) {
                if !sets.contains(&set) {
                    sets.push(set);
                }
            }
            sets.sort();
        }
        sets
    }

    /// Soft pairs. A pair whose sessions cannot move is (almost) a constant: one
    /// variable, one row. A pair inside a pigeonhole clique gets one overlap variable
    /// per slot of its first session (the clique rows need them); any other pair one
    /// variable.
    fn pairs(&mut self, pigeonholes: &[Clique]) {
        let p = self.model.problem;
        let mut in_clique: BTreeSet<(SessionIdx, SessionIdx)> = BTreeSet::new();
        for (clique, _) in pigeonholes {
            for (i, &s) in clique.iter().enumerate() {
                for &u in &clique[i + 1..] {
                    in_clique.insert((s.min(u), s.max(u)));
                }
            }
        }
        for (k, &(s, u, w)) in self.model.tables.pairs.iter().enumerate() {
            if !self.live[s]
                || !self.live[u]
                || self.hard.contains(&(s, u))
                || w < self.spec.min_pair_weight
            {
                continue;
            }
            let is_outside = self.spec.budget.is_some_and(|b| b.pair_is_outside(s, u, w));
            let (xs, xu) = (&self.x[s], &self.x[u]);
            if let ([a], [b]) = (&xs[..], &xu[..]) {
                if p.slots_overlap(a.0, b.0) {
                    // Both stay where they are unless left out, which costs far more.
                    let (z, c) = self.sink.priced(w, is_outside);
                    self.pair_z.push((k, None, z, c));
                    self.sink
                        .rows
                        .push((Expression::from(a.1) + b.1 - z).leq(1.0));
                }
                continue;
            }
            let per_slot = in_clique.contains(&(s, u));
            let mut aggregated = None;
            for &(b, x_sb, _) in xs {
                let theirs: Vec<Variable> = xu
                    .iter()
                    .filter(|e| p.slots_overlap(b, e.0))
                    .map(|e| e.1)
                    .collect();
                if theirs.is_empty() {
                    continue;
                }
                let z = if per_slot {
                    let (z, c) = self.sink.priced(w, is_outside);
                    self.pair_z.push((k, Some(b), z, c));
                    self.pair_index.insert((s, u, b), z);
                    z
                } else {
                    *aggregated.get_or_insert_with(|| {
                        let (z, c) = self.sink.priced(w, is_outside);
                        self.pair_z.push((k, None, z, c));
                        z
                    })
                };
                let e: Expression = theirs.into_iter().sum::<Expression>() + x_sb;
                self.sink.rows.push((e - z).leq(1.0));
            }
        }
    }

    /// Pigeonhole rows, one per clique and slot: m sessions of the clique in one slot
    /// make m(m-1)/2 >= k m - k(k+1)/2 overlaps (k = 1, 2).
    fn pigeonhole_rows(&mut self, pigeonholes: &[Clique]) {
        for (clique, slots) in pigeonholes {
            for &b in slots {
                let placed: Vec<Variable> = clique
                    .iter()
                    .flat_map(|&s| self.x[s].iter().filter(|e| e.0 == b).map(|e| e.1))
                    .collect();
                if placed.len() < 3 {
                    continue;
                }
                let mut zs = Expression::default();
                let mut any = false;
                for (i, &s) in clique.iter().enumerate() {
                    for &u in &clique[i + 1..] {
                        if let Some(&z) = self.pair_index.get(&(s.min(u), s.max(u), b)) {
                            zs += z;
                            any = true;
                        }
                    }
                }
                if !any {
                    continue;
                }
                for k in [1.0, 2.0] {
                    let rhs: Expression =
                        placed.iter().map(|&v| k * v).sum::<Expression>() - k * (k + 1.0) / 2.0;
                    self.sink.rows.push(zs.clone().geq(rhs));
                }
            }
        }
    }

    /// Sequences (order, time relation): their cost levels, each level above the
    /// budget a hard row, and the price of leaving one of the pair out.
    fn sequences(&mut self) {
        let t = self.model.tables;
        for (i, q) in t.sequences.iter().enumerate() {
            if !self.live[q.first] || !self.live[q.second] {
                continue;
            }
            let pair = [q.first, q.second];
            let is_outside = self.spec.budget.is_some_and(|b| b.is_outside(&pair));
            let allowance = self.limit(&pair);
            let mut values: Vec<u64> = q
                .cost
                .iter()
                .flatten()
                .copied()
                .filter(|&c| c > 0)
                .collect();
            values.sort_unstable();
            values.dedup();
            let mut levels = Vec::new();
            let mut previous = 0;
            for &level in &values {
                // Above the budget the combination is forbidden: the row without `o`.
                let priced = (level <= allowance).then(|| {
                    let (o, c) = self.sink.priced(level - previous, is_outside);
                    previous = level;
                    levels.push((level, o, c));
                    o
                });
                for &(a, xa, _) in &self.x[q.first] {
                    let bad: Vec<Variable> = self.x[q.second]
                        .iter()
                        .filter(|e| q.cost[a][e.0] >= level)
                        .map(|e| e.1)
                        .collect();
                    if bad.is_empty() {
                        continue;
                    }
                    let mut e: Expression = bad.into_iter().sum::<Expression>() + xa;
                    if let Some(o) = priced {
                        e -= o;
                    }
                    self.sink.rows.push(e.leq(1.0));
                }
                if priced.is_none() {
                    // Higher levels are forbidden by this row already.
                    break;
                }
            }
            self.seq_levels.push((i, levels));
            if q.unplaced > 0 {
                if q.unplaced <= allowance {
                    let (o, c) = self.sink.priced(q.unplaced, is_outside);
                    for s in pair {
                        if let Some((u, _)) = self.out[s] {
                            self.sink.rows.push((Expression::from(u) - o).leq(0.0));
                        }
                    }
                    self.seq_out.push((i, o, c));
                } else {
                    for s in pair {
                        if let Some((u, _)) = self.out[s] {
                            self.sink.rows.push(Expression::from(u).leq(0.0));
                        }
                    }
                }
            }
        }
    }

    /// Adjacency: `h[a,b,r]` says the pair sits in room r in adjacent slots a, b;
    /// `v >= 1 - sum h`, priced `wg_adjacent` (hard when over budget).
    fn adjacency(&mut self) {
        let (p, t) = (self.model.problem, self.model.tables);
        let m = p.slots.len();
        for &i in &self.adjacencies.clone() {
            let a = &t.adjacencies[i];
            let mut hs = Vec::new();
            let mut any = Expression::default();
            for sa in 0..m {
                for sb in 0..m {
                    if !t.adjacent_slots[sa][sb] {
                        continue;
                    }
                    for r in 0..p.rooms.len() {
                        let seats = |sessions: &[SessionIdx], slot: SlotIdx| -> Vec<Variable> {
                            sessions
                                .iter()
                                .filter_map(|&s| self.room_y.get(&(s, slot, r)).map(|e| e.0))
                                .collect()
                        };
                        let (ours, theirs) = (seats(&a.ours, sa), seats(&a.theirs, sb));
                        if ours.is_empty() || theirs.is_empty() {
                            continue;
                        }
                        let (h, c) = self.sink.columns.add(variable().min(0.0).max(1.0));
                        for side in [ours, theirs] {
                            let e = Expression::from(h) - side.into_iter().sum::<Expression>();
                            self.sink.rows.push(e.leq(0.0));
                        }
                        any += h;
                        hs.push((sa, sb, r, h, c));
                    }
                }
            }
            let members: Vec<SessionIdx> = a.ours.iter().chain(&a.theirs).copied().collect();
            if a.penalty <= self.limit(&members) {
                let is_outside = self.spec.budget.is_some_and(|b| b.is_outside(&members));
                let (v, c) = self.sink.priced(a.penalty, is_outside);
                self.sink.rows.push((any.clone() + v).geq(1.0));
                self.adj_v.push(Some((v, c)));
            } else {
                self.sink.rows.push(any.clone().geq(1.0));
                self.adj_v.push(None);
            }
            self.sink.rows.push(any.leq(1.0));
            self.adj_h.push((i, hs));
        }
    }

    /// Under a core bound: the terms outside the core weigh at most what the budget
    /// leaves them.
    fn knapsack(&mut self) {
        if let Some(allowance) = self.spec.budget.and_then(|b| b.outside_limit()) {
            if self.sink.outside_terms > 0 {
                let outside = std::mem::take(&mut self.sink.outside);
                self.sink.rows.push(outside.leq(allowance as f64));
            }
        }
    }

    fn finish(self, pigeonhole_cliques: usize) -> Ilp<'a> {
        Ilp {
            model: self.model,
            x: self.x,
            out: self.out,
            small: self.small,
            pair_z: self.pair_z,
            seq_levels: self.seq_levels,
            seq_out: self.seq_out,
            adj_h: self.adj_h,
            room_y: self.room_y,
            adj_sessions: self.adj_sessions,
            adj_v: self.adj_v,
            cap: self.spec.budget.map(|b| b.cap(self.spec.active)),
            hard_cliques: self.packing_rows,
            sections: self.sink.sections,
            pigeonhole_cliques,
            columns: self.sink.columns,
            objective: self.sink.objective,
            rows: self.sink.rows,
        }
    }
}

fn x_slots(x: &[Vec<(SlotIdx, Variable, usize)>]) -> Vec<Vec<SlotIdx>> {
    x.iter()
        .map(|xs| xs.iter().map(|e| e.0).collect())
        .collect()
}

/// A clique of pairwise priced or hard sessions and the slots its pigeonhole rows use.
pub type Clique = (Vec<SessionIdx>, Vec<SlotIdx>);

/// Cliques of the graph of `soft` and `hard` pairs, with the slot sets their pigeonhole
/// rows use: over all sessions, then over the sessions of at least each length (the
/// long ones share few long slots, where the rows bite).
fn pigeonhole_sets(
    model: &TimeModel,
    slots_of: &[Vec<SlotIdx>],
    live: &dyn Fn(SessionIdx) -> bool,
    soft: &BTreeSet<(SessionIdx, SessionIdx)>,
    hard: &BTreeSet<(SessionIdx, SessionIdx)>,
) -> Vec<Clique> {
    let p = model.problem;
    let edges: BTreeSet<(SessionIdx, SessionIdx)> = soft.union(hard).copied().collect();
    let longest = p.slots.iter().map(|s| s.minutes).max().unwrap_or(0);
    let mut lengths: Vec<u32> = p.sessions.iter().map(|s| s.minutes.min(longest)).collect();
    lengths.sort_unstable();
    lengths.dedup();
    let everyone: Vec<SessionIdx> = (0..p.sessions.len()).filter(|&s| live(s)).collect();
    let mut subsets: Vec<Vec<SessionIdx>> = vec![everyone.clone()];
    for &len in lengths.iter().rev() {
        subsets.push(
            everyone
                .iter()
                .copied()
                .filter(|&s| p.sessions[s].minutes >= len)
                .collect(),
        );
    }
    let mut found: Vec<Clique> = Vec::new();
    for subset in subsets {
        let Some(cliques) = cliques_of(&subset, &edges, MAX_HARD_CLIQUES) else {
            continue;
        };
        for clique in cliques {
            if clique.len() < 3 {
                continue;
            }
            let has_soft = clique
                .iter()
                .enumerate()
                .any(|(i, &s)| clique[i + 1..].iter().any(|&u| soft.contains(&(s, u))));
            if !has_soft {
                continue;
            }
            // Slots long enough for every session of the clique (as long as the longest
            // slot for the longer ones): outside them a session is trimmed, which costs
            // more than most overlaps.
            let need = clique
                .iter()
                .map(|&s| p.sessions[s].minutes.min(longest))
                .max()
                .unwrap_or(0);
            let free: Vec<SlotIdx> = (0..p.slots.len())
                .filter(|&b| {
                    p.slots[b].minutes >= need && clique.iter().any(|&s| slots_of[s].contains(&b))
                })
                .collect();
            if clique.len() <= free.len() {
                continue;
            }
            // The rows hold in every slot (a trimmed session overlaps like any other),
            // and a clique of mixed lengths needs them in the shorter slots too: its
            // short sessions go there (on the 4x synthetic, 33 BoF sessions of 60 to
            // 120 minutes in 17 blocks).
            let rows_in: Vec<SlotIdx> = (0..p.slots.len())
                .filter(|&b| clique.iter().any(|&s| slots_of[s].contains(&b)))
                .collect();
            if !found.iter().any(|(c, f)| *c == clique && *f == rows_in) {
                found.push((clique, rows_in));
            }
        }
    }
    found.sort();
    found
}

/// About how many pair-linking rows the model of `spec` has (its dominant part): the
/// priced pairs the budget leaves soft, one row per slot of the less mobile session.
pub fn estimate_rows(model: &TimeModel, spec: Spec) -> usize {
    let slots = |s: SessionIdx| {
        spec.allowed[s]
            .iter()
            .filter(|&&b| spec.budget.is_none_or(|bg| bg.allows_slot(model, s, b)))
            .count()
    };
    model
        .tables
        .pairs
        .iter()
        .filter(|&&(s, u, w)| spec.active[s] && spec.active[u] && w >= spec.min_pair_weight)
        .filter(|&&(s, u, w)| spec.budget.is_none_or(|bg| w <= bg.pair_limit(s, u, w)))
        .map(|&(s, u, _)| slots(s).min(slots(u).max(1)))
        .sum()
}
