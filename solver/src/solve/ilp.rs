//! The exact time-first integer program, built with good_lp and solved by HiGHS.
//!
//! Variables and rows (s a session, b a slot, all binaries unless said):
//!
//! - `x[s,b]`: s is in b; only slots with an open room, only the fixed slot if fixed.
//! - `out[s]` in [0,1]: s is left out. Row: `sum_b x[s,b] + out[s] = 1`.
//! - Capacity: `sum_s x[s,b] <= rooms open in b`.
//! - Room sizes (exact, Hall's condition on nested sizes): for every capacity level L
//!   of b's rooms, `sum_{s: attendees > L} x[s,b] - small[b] <= rooms of b above L`,
//!   `small[b] >= 0` integer, priced `too_small_room`.
//! - Groups: the sessions of one group (joint ones included) never share a slot or two
//!   overlapping slots.
//! - Pairs: for each priced pair (s,t) of weight w and each slot b of s, `z[b] >= x[s,b] +
//!   sum_{b' overlapping b} x[t,b'] - 1`; objective `w sum_b z[b]`.
//! - Pigeonhole rows (SOLVER-NOTES, point 2): for a clique C of pairwise priced
//!   sessions and each slot b long enough for all of them, `sum_{pairs of C} z[b] >=
//!   k sum_{s in C} x[s,b] - k(k+1)/2` for k = 1, 2: m sessions in one block make
//!   m(m-1)/2 >= km - k(k+1)/2 overlapping pairs. Per slot, not summed over slots: a
//!   sum lets half-empty slots pay for crowded ones. Cliques come from petgraph's
//!   `maximal_cliques`, over all sessions and over the sessions of each length and up.
//! - Sequences (order, time relation): the cost matrix of the two slots is split into
//!   levels c1 < c2 < ...; `o[l] >= x[first,a] + sum_{b: cost[a][b] >= c_l} x[second,b] - 1`
//!   priced `c_l - c_(l-1)`; plus `o_out >= out[first], out[second]` when a relation
//!   cannot hold unplaced.
//! - Adjacency (the one rule that needs rooms): the sessions of adjacency requests get
//!   room variables `y[s,b,r]` (`sum_r y = x[s,b]`, one per room and slot);
//!   `h[a,b,r] <= sum_{ours} y[.,a,r]`, `h[a,b,r] <= sum_{theirs} y[.,b,r]` over adjacent
//!   slot pairs; `v >= 1 - sum h`, priced `wg_adjacent`.
//! - Unary costs (`timerange`, `too_short_slot`) on `x`; `out` priced `unscheduled`.
//!
//!   A session seated by `y` pays `too_small_room` through `y` when its room is too
//!   small, and in its block's Hall rows it counts as holding a room above level L when
//!   its `y` room is; the other sessions then get an exact best assignment of what is
//!   left, which the room assignment reproduces ([`super::rooms`] keeps the `y` rooms).
//!
//! Every term is the evaluator's, through [`super::tables::CostTables`], so the ILP optimum
//! is the true optimum and its dual bound a valid lower bound.

use super::timing::TimeModel;
use crate::problem::{SessionIdx, SlotIdx};
use good_lp::{variable, Expression, ProblemVariables, SolverModel, Variable};
use std::collections::BTreeMap;
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
    pub variables: usize,
    pub rows: usize,
    pub elapsed: Duration,
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

pub struct Ilp<'a> {
    model: &'a TimeModel<'a>,
    /// `x[s]`: (slot, variable, column).
    x: Vec<Vec<(SlotIdx, Variable, usize)>>,
    out: Vec<Option<(Variable, usize)>>,
    small: Vec<(Variable, usize)>,
    /// (index in `tables.pairs`, slot of its first session or None for all, variable,
    /// column).
    pair_z: Vec<(usize, Option<SlotIdx>, Variable, usize)>,
    /// Per sequence kept: (index in `tables.sequences`, its levels).
    seq_levels: Vec<(usize, Vec<Level>)>,
    /// (index in `tables.sequences`, variable, column) of the "unplaced" terms.
    seq_out: Vec<(usize, Variable, usize)>,
    /// Per adjacency: (slot of ours, slot of theirs, room, variable, column).
    adj_h: Vec<(usize, Vec<AdjacentSeat>)>,
    room_y: BTreeMap<(SessionIdx, SlotIdx, usize), (Variable, usize)>,
    adj_sessions: Vec<SessionIdx>,
    adj_v: Vec<(Variable, usize)>,
    columns: Columns,
    objective: Expression,
    rows: Vec<good_lp::Constraint>,
}

impl<'a> Ilp<'a> {
    /// Builds the model. `allowed` lists the slots each session may take (a subset when
    /// the caller fixes part of the agenda, as large-neighbourhood search does).
    /// Sessions with `active[s] == false` are dropped with every term that touches them:
    /// all costs are non-negative, so that model is a relaxation and its bound is valid
    /// for the whole meeting (SOLVER-NOTES, point 3).
    /// `cliques` are the pigeonhole sets to add ([`pigeonhole_sets`]; none for small
    /// neighbourhood models).
    pub fn build(
        model: &'a TimeModel<'a>,
        allowed: &[Vec<SlotIdx>],
        active: &[bool],
        cliques: &[Clique],
    ) -> Ilp<'a> {
        let p = model.problem;
        let t = model.tables;
        let n = p.sessions.len();
        let m = p.slots.len();
        let live = |s: SessionIdx| active[s] && p.sessions[s].schedulable;
        let mut columns = Columns {
            vars: ProblemVariables::new(),
            count: 0,
        };
        let mut objective = Expression::with_capacity(n * m);
        for f in &p.fixed {
            if let (true, Some(r)) = (live(f.session), f.room) {
                if p.rooms[r]
                    .capacity
                    .is_some_and(|c| c < p.sessions[f.session].attendees)
                {
                    objective += t.too_small as f64;
                }
            }
        }
        let mut rows = Vec::new();

        let mut x = vec![Vec::new(); n];
        let mut out = vec![None; n];
        for s in (0..n).filter(|&s| live(s)) {
            for &b in &allowed[s] {
                let (v, c) = columns.add(variable().binary());
                objective.add_mul(t.unary[s][b] as f64, v);
                x[s].push((b, v, c));
            }
            let (o, c) = columns.add(variable().min(0.0).max(1.0));
            objective.add_mul(t.unscheduled as f64, o);
            out[s] = Some((o, c));
            let mut e: Expression = x[s].iter().map(|&(_, v, _)| v).sum();
            e += o;
            rows.push(e.eq(1.0));
        }
        let in_slot = |b: SlotIdx| -> Vec<(SessionIdx, Variable)> {
            (0..n)
                .filter_map(|s| x[s].iter().find(|e| e.0 == b).map(|e| (s, e.1)))
                .collect()
        };
        let slot_vars: Vec<Vec<(SessionIdx, Variable)>> = (0..m).map(in_slot).collect();

        // Adjacency, with rooms for the sessions concerned: y[s,b,r] seats s in room r
        // of slot b; g[a,b,r] says the pair sits in room r in adjacent slots a, b.
        let adjacencies: Vec<usize> = (0..t.adjacencies.len())
            .filter(|&i| {
                let a = &t.adjacencies[i];
                a.ours.iter().chain(&a.theirs).all(|&s| live(s))
            })
            .collect();
        let mut adj_sessions: Vec<SessionIdx> = adjacencies
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
        let mut room_y: BTreeMap<(SessionIdx, SlotIdx, usize), (Variable, usize)> = BTreeMap::new();
        let fixed_taken = |b: SlotIdx, r: usize| {
            p.fixed.iter().any(|f| {
                f.slot == b
                    && f.room == Some(r)
                    && live(f.session)
                    && !adj_sessions.contains(&f.session)
            })
        };
        for &s in &adj_sessions {
            for &(b, xv, _) in &x[s] {
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
                    let (y, c) = columns.add(variable().binary());
                    let too_small = p.rooms[r]
                        .capacity
                        .is_some_and(|cap| cap < p.sessions[s].attendees);
                    if too_small && model.fixed_room[s].is_none() {
                        objective.add_mul(t.too_small as f64, y);
                    }
                    room_y.insert((s, b, r), (y, c));
                    e += y;
                }
                rows.push((e - xv).eq(0.0));
            }
        }
        let mut by_room: BTreeMap<(SlotIdx, usize), Expression> = BTreeMap::new();
        for (&(_, b, r), &(y, _)) in &room_y {
            *by_room.entry((b, r)).or_default() += y;
        }
        for (_, e) in by_room {
            rows.push(e.leq(1.0));
        }
        // Capacity and room sizes.
        let mut small = Vec::new();
        for (b, in_b) in slot_vars.iter().enumerate() {
            // Sessions fixed to a room keep it; the pool is the other rooms.
            let caps = &model.capacities[b];
            let (d, c) = columns.add(variable().integer().min(0.0));
            objective.add_mul(t.too_small as f64, d);
            small.push((d, c));
            let all: Expression = in_b.iter().map(|&(_, v)| v).sum();
            rows.push(all.leq(p.slots[b].rooms.len() as f64));
            let mut levels: Vec<u32> = caps.iter().copied().filter(|&c| c != u32::MAX).collect();
            levels.dedup();
            for level in levels {
                let above = caps.iter().filter(|&&c| c > level).count();
                // Sessions seated by y hold their room: they count when it is above L.
                let mut big: Vec<Variable> = in_b
                    .iter()
                    .filter(|&&(s, _)| {
                        model.fixed_room[s].is_none()
                            && !adj_sessions.contains(&s)
                            && p.sessions[s].attendees > level
                    })
                    .map(|&(_, v)| v)
                    .collect();
                big.extend(room_y.iter().filter_map(|(&(s, slot, r), &(y, _))| {
                    let above_level = p.rooms[r].capacity.is_none_or(|c| c > level);
                    (slot == b && model.fixed_room[s].is_none() && above_level).then_some(y)
                }));
                if big.len() > above {
                    let e: Expression = big.into_iter().sum();
                    rows.push((e - d).leq(above as f64));
                }
            }
        }

        // Groups: one session per slot, and none in two overlapping slots.
        for sessions in &p.group_sessions {
            let members: Vec<SessionIdx> = sessions.iter().copied().filter(|&s| live(s)).collect();
            if members.len() < 2 {
                continue;
            }
            for b in 0..m {
                for &b2 in &model.overlapping[b] {
                    if b2 < b {
                        continue;
                    }
                    let mut e = Expression::default();
                    let mut terms = 0;
                    for &s in &members {
                        for &(slot, v, _) in &x[s] {
                            if slot == b || slot == b2 {
                                e += v;
                                terms += 1;
                            }
                        }
                    }
                    if terms > 1 {
                        rows.push(e.leq(1.0));
                    }
                }
            }
        }

        // Pairs. A pair whose sessions cannot move is (almost) a constant: one variable,
        // one row. A pair inside a pigeonhole clique gets one overlap variable per slot of
        // its first session (the clique rows need them); any other pair one variable.
        let mut in_clique: std::collections::BTreeSet<(SessionIdx, SessionIdx)> =
            Default::default();
        for (clique, _) in cliques {
            for (i, &s) in clique.iter().enumerate() {
                for &u in &clique[i + 1..] {
                    in_clique.insert((s.min(u), s.max(u)));
                }
            }
        }
        let mut pair_z = Vec::with_capacity(t.pairs.len());
        let mut pair_index: BTreeMap<(SessionIdx, SessionIdx, SlotIdx), Variable> = BTreeMap::new();
        for (k, &(s, u, w)) in t.pairs.iter().enumerate() {
            if !live(s) || !live(u) {
                continue;
            }
            if let ([a], [b]) = (&allowed[s][..], &allowed[u][..]) {
                if p.slots_overlap(*a, *b) {
                    // Both stay where they are unless left out, which costs far more.
                    let (z, c) = columns.add(variable().min(0.0).max(1.0));
                    objective.add_mul(w as f64, z);
                    pair_z.push((k, None, z, c));
                    let (xs, xu) = (x[s][0].1, x[u][0].1);
                    rows.push((Expression::from(xs) + xu - z).leq(1.0));
                }
                continue;
            }
            let per_slot = in_clique.contains(&(s, u));
            let aggregated = (!per_slot).then(|| {
                let (z, c) = columns.add(variable().min(0.0).max(1.0));
                objective.add_mul(w as f64, z);
                pair_z.push((k, None, z, c));
                z
            });
            for &(b, xs, _) in &x[s] {
                let theirs: Vec<Variable> = x[u]
                    .iter()
                    .filter(|e| p.slots_overlap(b, e.0))
                    .map(|e| e.1)
                    .collect();
                if theirs.is_empty() {
                    continue;
                }
                let z = match aggregated {
                    Some(z) => z,
                    None => {
                        let (z, c) = columns.add(variable().min(0.0).max(1.0));
                        objective.add_mul(w as f64, z);
                        pair_z.push((k, Some(b), z, c));
                        pair_index.insert((s, u, b), z);
                        z
                    }
                };
                let e: Expression = theirs.into_iter().sum::<Expression>() + xs;
                rows.push((e - z).leq(1.0));
            }
        }

        // Pigeonhole rows over cliques of priced pairs, one per slot: m sessions of the
        // clique in one slot make m(m-1)/2 >= k m - k(k+1)/2 overlaps (k = 1, 2).
        for (clique, slots) in cliques {
            if !clique.iter().all(|&s| live(s)) {
                continue;
            }
            for &b in slots {
                let placed: Vec<Variable> = clique
                    .iter()
                    .flat_map(|&s| x[s].iter().filter(|e| e.0 == b).map(|e| e.1))
                    .collect();
                if placed.len() < 3 {
                    continue;
                }
                let mut zs = Expression::default();
                for (i, &s) in clique.iter().enumerate() {
                    for &u in &clique[i + 1..] {
                        if let Some(&z) = pair_index.get(&(s.min(u), s.max(u), b)) {
                            zs += z;
                        }
                    }
                }
                for k in [1.0, 2.0] {
                    let rhs: Expression =
                        placed.iter().map(|&v| k * v).sum::<Expression>() - k * (k + 1.0) / 2.0;
                    rows.push(zs.clone().geq(rhs));
                }
            }
        }

        // Sequences.
        let mut seq_levels = Vec::new();
        let mut seq_out = Vec::new();
        for (i, q) in t.sequences.iter().enumerate() {
            if !live(q.first) || !live(q.second) {
                continue;
            }
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
                let (o, c) = columns.add(variable().min(0.0).max(1.0));
                objective.add_mul((level - previous) as f64, o);
                previous = level;
                levels.push((level, o, c));
                for &(a, xa, _) in &x[q.first] {
                    let bad: Vec<Variable> = x[q.second]
                        .iter()
                        .filter(|e| q.cost[a][e.0] >= level)
                        .map(|e| e.1)
                        .collect();
                    if bad.is_empty() {
                        continue;
                    }
                    let e: Expression = bad.into_iter().sum::<Expression>() + xa;
                    rows.push((e - o).leq(1.0));
                }
            }
            seq_levels.push((i, levels));
            if q.unplaced > 0 {
                let (o, c) = columns.add(variable().min(0.0).max(1.0));
                objective.add_mul(q.unplaced as f64, o);
                for s in [q.first, q.second] {
                    if let Some((u, _)) = out[s] {
                        rows.push((Expression::from(u) - o).leq(0.0));
                    }
                }
                seq_out.push((i, o, c));
            }
        }

        let mut adj_h = Vec::new();
        let mut adj_v = Vec::new();
        for &i in &adjacencies {
            let a = &t.adjacencies[i];
            let mut hs = Vec::new();
            let mut any = Expression::default();
            for sa in 0..m {
                for sb in 0..m {
                    if !t.adjacent_slots[sa][sb] {
                        continue;
                    }
                    for r in 0..p.rooms.len() {
                        let ours: Vec<Variable> = a
                            .ours
                            .iter()
                            .filter_map(|&s| room_y.get(&(s, sa, r)).map(|e| e.0))
                            .collect();
                        let theirs: Vec<Variable> = a
                            .theirs
                            .iter()
                            .filter_map(|&s| room_y.get(&(s, sb, r)).map(|e| e.0))
                            .collect();
                        if ours.is_empty() || theirs.is_empty() {
                            continue;
                        }
                        let (h, c) = columns.add(variable().min(0.0).max(1.0));
                        rows.push(
                            (Expression::from(h) - ours.into_iter().sum::<Expression>()).leq(0.0),
                        );
                        rows.push(
                            (Expression::from(h) - theirs.into_iter().sum::<Expression>()).leq(0.0),
                        );
                        any += h;
                        hs.push((sa, sb, r, h, c));
                    }
                }
            }
            let (v, c) = columns.add(variable().min(0.0).max(1.0));
            objective.add_mul(a.penalty as f64, v);
            rows.push((any.clone() + v).geq(1.0));
            rows.push(any.leq(1.0));
            adj_h.push((i, hs));
            adj_v.push((v, c));
        }

        Ilp {
            model,
            x,
            out,
            small,
            pair_z,
            seq_levels,
            seq_out,
            adj_h,
            room_y,
            adj_sessions,
            adj_v,
            columns,
            objective,
            rows,
        }
    }

    pub fn variables(&self) -> usize {
        self.columns.count
    }

    pub fn rows(&self) -> usize {
        self.rows.len()
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
        for (b, &(_, c)) in self.small.iter().enumerate() {
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
            cols[c] = need as f64;
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
            cols[self.adj_v[k].1] = f64::from(u8::from(!held));
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
        let variables = self.columns.count;
        let row_count = self.rows.len();
        let x = self.x.clone();
        let room_y: Vec<((SessionIdx, SlotIdx, usize), usize)> =
            self.room_y.iter().map(|(k, v)| (*k, v.1)).collect();
        let n = self.model.problem.sessions.len();
        let mut problem = self
            .columns
            .vars
            .minimise(self.objective)
            .using(good_lp::highs);
        for row in self.rows {
            problem.add_constraint(row);
        }
        let mut highs = problem.into_inner();
        if options.log {
            highs.set_option("output_flag", true);
            highs.set_option("log_to_console", true);
        } else {
            highs.make_quiet();
        }
        let left = options.deadline.saturating_duration_since(Instant::now());
        highs.set_option("time_limit", left.as_secs_f64().max(0.01));
        highs.set_option("mip_rel_gap", options.gap.max(0.0));
        highs.set_option("random_seed", (options.seed % 2_147_483_647) as i32);
        // One thread: HiGHS's parallel search could make results depend on the count.
        highs.set_option("threads", 1);
        if let Some(cols) = &warm {
            // A start HiGHS rejects is only a lost hint, never an error.
            let _ = highs.try_set_solution(Some(cols), None, None, None);
        }
        // Keep the callback's state alive (and in place) until `solve` returns.
        let mut state = watch.map(|watch| {
            Box::new(CallbackState {
                watch,
                last_report: Instant::now(),
            })
        });
        if let Some(state) = state.as_mut() {
            let user = &mut **state as *mut CallbackState as *mut std::os::raw::c_void;
            // SAFETY: `highs` is a live HiGHS instance; `user` outlives the solve below.
            unsafe {
                highs_sys::Highs_setCallback(highs.as_mut_ptr(), Some(on_highs_event), user);
                highs_sys::Highs_startCallback(
                    highs.as_mut_ptr(),
                    highs_sys::kHighsCallbackMipInterrupt,
                );
                highs_sys::Highs_startCallback(
                    highs.as_mut_ptr(),
                    highs_sys::kHighsCallbackMipImprovingSolution,
                );
            }
        }
        let solved = highs.solve();
        drop(state);
        let status = solved.status();
        use highs::HighsModelStatus as S;
        let infeasible = matches!(status, S::Infeasible | S::UnboundedOrInfeasible);
        let has_solution = matches!(
            solved.primal_solution_status(),
            highs::HighsSolutionStatus::Feasible
        );
        let slot_of = has_solution.then(|| {
            let solution = solved.get_solution();
            let values = solution.columns();
            let mut slot_of = vec![None; n];
            for (s, xs) in x.iter().enumerate() {
                slot_of[s] = xs.iter().find(|&&(_, _, c)| values[c] > 0.5).map(|e| e.0);
            }
            slot_of
        });
        let mut room_of = vec![None; n];
        if has_solution {
            let solution = solved.get_solution();
            for &((s, _, r), c) in &room_y {
                if solution.columns()[c] > 0.5 {
                    room_of[s] = Some(r);
                }
            }
        }
        let objective = has_solution.then(|| solved.objective_value());
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
            variables,
            rows: row_count,
            elapsed: began.elapsed(),
        }
    }
}

/// About how many pair-linking rows the model of `allowed` has (its dominant part).
pub fn estimate_rows(model: &TimeModel, allowed: &[Vec<SlotIdx>]) -> usize {
    model
        .tables
        .pairs
        .iter()
        .map(|&(s, u, _)| allowed[s].len().min(allowed[u].len().max(1)))
        .sum()
}

/// A clique of pairwise priced sessions and the slots its pigeonhole rows use.
pub type Clique = (Vec<SessionIdx>, Vec<SlotIdx>);

/// Pairs lighter than this are left out of the clique graph: a row that cheap pairs
/// can satisfy bounds almost nothing, and such pairs (shared ADs) make the graph dense
/// and its cliques slow to list.
const CLIQUE_MIN_WEIGHT: u64 = 1_000;

/// Cliques of pairwise priced sessions with the slot sets their pigeonhole rows use.
pub fn pigeonhole_sets(
    model: &TimeModel,
    allowed: &[Vec<SlotIdx>],
    active: &[bool],
) -> Vec<Clique> {
    let p = model.problem;
    let live = |s: &SessionIdx| active[*s] && p.sessions[*s].schedulable;
    let t = model.tables;
    let mut found: Vec<(Vec<SessionIdx>, Vec<SlotIdx>)> = Vec::new();
    let longest = p.slots.iter().map(|s| s.minutes).max().unwrap_or(0);
    let mut lengths: Vec<u32> = p.sessions.iter().map(|s| s.minutes.min(longest)).collect();
    lengths.sort_unstable();
    lengths.dedup();
    // The whole graph, then the sessions of at least each length alone.
    let mut subsets: Vec<Vec<SessionIdx>> = vec![(0..p.sessions.len()).filter(live).collect()];
    for &len in lengths.iter().rev() {
        subsets.push(
            (0..p.sessions.len())
                .filter(live)
                .filter(|&s| p.sessions[s].minutes >= len)
                .collect(),
        );
    }
    for subset in subsets {
        let mut graph = petgraph::graph::UnGraph::<SessionIdx, ()>::default();
        let nodes: Vec<_> = subset.iter().map(|&s| graph.add_node(s)).collect();
        let index: BTreeMap<SessionIdx, usize> =
            subset.iter().enumerate().map(|(i, &s)| (s, i)).collect();
        for &(s, u, w) in &t.pairs {
            if w < CLIQUE_MIN_WEIGHT {
                continue;
            }
            if let (Some(&i), Some(&j)) = (index.get(&s), index.get(&u)) {
                graph.add_edge(nodes[i], nodes[j], ());
            }
        }
        for members in petgraph::algo::maximal_cliques(&graph) {
            let mut clique: Vec<SessionIdx> = members.iter().map(|&nx| graph[nx]).collect();
            clique.sort_unstable();
            if clique.len() < 3 {
                continue;
            }
            // Slots long enough for every session of the clique (as long as the longest
            // slot for the longer ones): outside them a session is trimmed, which costs
            // more than most overlaps. Avoided time ranges do not shrink the set: a
            // session avoiding some long slots still has the others.
            let need = clique
                .iter()
                .map(|&s| p.sessions[s].minutes.min(longest))
                .max()
                .unwrap_or(0);
            let free: Vec<SlotIdx> = (0..p.slots.len())
                .filter(|&b| {
                    p.slots[b].minutes >= need && clique.iter().any(|&s| allowed[s].contains(&b))
                })
                .collect();
            if clique.len() > free.len() && !found.iter().any(|(c, f)| *c == clique && *f == free) {
                found.push((clique, free));
            }
        }
    }
    found.sort();
    found
}
