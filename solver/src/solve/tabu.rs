//! Tabu search over the time-level schedule: the solver's main source of agendas.
//!
//! Like TabuCol for graph colouring: at every step every move of a session that
//! currently pays something is priced, and the cheapest move that is not tabu is
//! made, even when it makes the agenda worse. Moves are relocations (to a block with a
//! free room), swaps with a session of another block, and chains (the displaced
//! session goes on to a block with a free room instead of swapping back): the blocks
//! of an IETF meeting are nearly full, and without chains a session that pays nothing
//! never moves except as a swap partner. A session that leaves a block may not return
//! to it for a few steps, which drives the search out of local minima; a move that
//! beats the best agenda so far is always allowed. After a long stall the search
//! restarts from its best agenda, shaken by a few random swaps.
//!
//! Pricing is incremental: `gamma[s][b]` holds what `s` would pay for overlapping the
//! sessions now in (or overlapping) block `b`, so a move's pair cost is a few lookups;
//! unary costs come from the tables, room sizes from each block's sorted attendances,
//! and the rare sequence and adjacency terms are priced directly. A move is priced in
//! full only when a cheap lower bound of its change could still beat the best move of
//! the step, so the pruning never changes which move is made; whole blocks and
//! displaced sessions are skipped the same way (what a displaced session can save is at
//! most what it pays above its cheapest slot), and a block's room count is recounted
//! only when a larger session enters it. A test checks the search is the same without
//! these shortcuts, which make a step 1.5-1.8x faster (docs/solver.md, Measurements).
//!
//! The search counts steps, not seconds: a seed gives the same agenda on every machine
//! (unless the optional deadline stops it first). One seed often stalls in a basin
//! above the optimum, which is why the solver runs a portfolio of seeds
//! (docs/solver.md, Measurements).

use super::timing::TimeModel;
use crate::problem::{SessionIdx, SlotIdx};
use crate::rng::Rng;
use std::time::Instant;

/// What a search found, and whether the clock stopped it early.
pub struct Searched {
    pub slot_of: Vec<Option<SlotIdx>>,
    pub cost: u64,
    pub cut_by_time: bool,
    /// Steps made.
    pub steps: u64,
    /// The search met its target: `slot_of` costs at most the target and was accepted.
    pub reached: bool,
    /// Restarts from the best agenda after a stall ([`TabuOptions::stall_limit`]).
    pub restarts: u64,
}

/// Budget and seed of one search.
pub struct TabuOptions<'c> {
    /// Steps to make (the budget, counted).
    pub steps: u64,
    pub seed: u64,
    pub deadline: Option<Instant>,
    /// Asked every 256 steps: true stops the search (another search found what was
    /// sought, or the caller cancelled).
    pub stop: Option<&'c (dyn Fn() -> bool + Sync)>,
    /// Stop as soon as the cost is at most this (a proven lower bound: nothing better
    /// exists).
    pub target: u64,
    /// Steps without a new best before the search restarts from its best agenda,
    /// shaken; None: 200 per session, at least 1,000 (the best of the limits tried
    /// on IETF 106: docs/solver.md, Measurements).
    pub stall_limit: Option<u64>,
    /// A schedule at or below `target` ends the search only if this accepts it; None
    /// accepts every one. Why: the time model prices adjacency without rooms, so a
    /// schedule that meets the bound in time can still lose an adjacency to another
    /// one's room (seen on ietf-125x8); the solver accepts only schedules whose agenda
    /// meets the target.
    pub accept: Option<Accept<'c>>,
}

/// See [`TabuOptions::accept`].
pub type Accept<'c> = &'c (dyn Fn(&[Option<SlotIdx>]) -> bool + Sync);

impl TabuOptions<'_> {
    /// Whether `slot_of`, of time-level cost `cost`, meets the target.
    pub(crate) fn meets(&self, slot_of: &[Option<SlotIdx>], cost: i64) -> bool {
        cost <= self.target as i64 && self.accept.is_none_or(|accept| accept(slot_of))
    }

    /// Whether the deadline has passed or `stop` says to end.
    fn out_of_time(&self) -> bool {
        let late = self.deadline.is_some_and(|d| Instant::now() >= d);
        let stop = self.stop.is_some_and(|f| f());
        late || stop
    }
}

/// One candidate move: `s` to block `to`, and `t` (if any, the session it displaces)
/// to block `t_to` (`s`'s block for a swap).
#[derive(Clone, Copy)]
struct Move {
    s: usize,
    to: usize,
    t: Option<usize>,
    t_to: usize,
    delta: i64,
}

struct State<'m, 'a> {
    model: &'m TimeModel<'a>,
    n: usize,
    m: usize,
    /// Block of each session; `m` is the virtual block of unplaced sessions.
    pos: Vec<usize>,
    slot_of: Vec<Option<SlotIdx>>,
    members: Vec<Vec<usize>>,
    capacity: Vec<usize>,
    /// `gamma[s * m + b]`: pair cost of `s` against the sessions overlapping block `b`.
    gamma: Vec<i64>,
    /// `clash[s * m + b]`: sessions sharing a group with `s` that overlap block `b`.
    clash: Vec<u32>,
    /// Per block: attendances of the sessions that need a room from the pool, largest
    /// first (sessions fixed to a room are priced apart).
    attendance: Vec<Vec<u32>>,
    small: Vec<u64>,
    neighbours: Vec<Vec<(usize, i64)>>,
    shares_group: Vec<Vec<usize>>,
    movable: Vec<bool>,
    /// `unary_of[s * (m + 1) + b]`: the slot cost, `b == m` being left out. Flat copies
    /// of the tables (and `overlaps` of the slots' overlap, 1 or 0, with a row and a
    /// column of zeros for `m`): the pricing loops read them hundreds of thousands of
    /// times a step on large meetings.
    unary_of: Vec<i64>,
    overlaps: Vec<i64>,
    cost: i64,
    /// With a cap on moves from the base agenda ([`crate::problem::MoveRule::AtMost`]):
    /// the cap, and how many sessions are moved now. A step may not go above the cap
    /// (it may come down towards it from a start above it).
    move_cap: Option<usize>,
    moved: usize,
    /// Skip what provably cannot change the chosen move (always, except in the test
    /// that checks that claim against a search without the shortcuts).
    prune: bool,
}

impl<'m, 'a> State<'m, 'a> {
    fn new(model: &'m TimeModel<'a>, start: &[Option<SlotIdx>], fixed: &[SessionIdx]) -> Self {
        let p = model.problem;
        let t = model.tables;
        let n = p.sessions.len();
        let m = p.slots.len();
        let neighbours = t
            .neighbours
            .iter()
            .map(|ns| ns.iter().map(|&(u, w)| (u, w as i64)).collect())
            .collect();
        let mut shares_group = model.clashes.clone();
        for c in &mut shares_group {
            c.sort_unstable();
        }
        let movable = (0..n)
            .map(|s| p.sessions[s].schedulable && !fixed.contains(&s))
            .collect();
        let mut state = State {
            model,
            n,
            m,
            pos: vec![m; n],
            slot_of: vec![None; n],
            members: vec![Vec::new(); m + 1],
            capacity: p.slots.iter().map(|s| s.rooms.len()).collect(),
            gamma: vec![0; n * m],
            clash: vec![0; n * m],
            attendance: vec![Vec::new(); m],
            small: vec![0; m],
            neighbours,
            shares_group,
            movable,
            unary_of: (0..n)
                .flat_map(|s| {
                    t.unary[s]
                        .iter()
                        .map(|&c| c as i64)
                        .chain(std::iter::once(t.unscheduled[s] as i64))
                })
                .collect(),
            overlaps: (0..=m)
                .flat_map(|a| (0..=m).map(move |b| (a, b)))
                .map(|(a, b)| i64::from(a < m && b < m && p.slots_overlap(a, b)))
                .collect(),
            cost: 0,
            move_cap: p.move_rule.max_moves(),
            moved: 0,
            prune: true,
        };
        for s in p.schedulable_sessions() {
            state.members[m].push(s);
        }
        for s in p.schedulable_sessions() {
            if let Some(b) = start[s] {
                state.relocate(s, b);
            }
        }
        state.cost = model.cost(&state.slot_of) as i64;
        state
    }

    /// Whether session `s` in block `b` (`m`: unplaced) is a move from the base.
    fn is_move(&self, s: usize, b: usize) -> bool {
        self.model.problem.is_move(s, (b < self.m).then_some(b))
    }

    /// Whether `changes` (session, from, to) keep the moves within the cap: at most the
    /// cap after them, or no more than now.
    fn within_move_cap(&self, changes: &[(usize, usize, usize)]) -> bool {
        let Some(cap) = self.move_cap else {
            return true;
        };
        let mut moved = self.moved as i64;
        for &(s, from, to) in changes {
            moved += i64::from(self.is_move(s, to)) - i64::from(self.is_move(s, from));
        }
        moved <= cap as i64 || moved <= self.moved as i64
    }

    fn clashes(&self, s: usize, u: usize) -> bool {
        self.shares_group[s].binary_search(&u).is_ok()
    }

    fn unary(&self, s: usize, b: usize) -> i64 {
        self.unary_of[s * (self.m + 1) + b]
    }

    fn gamma(&self, s: usize, b: usize) -> i64 {
        if b == self.m {
            0
        } else {
            self.gamma[s * self.m + b]
        }
    }

    fn overlap(&self, a: usize, b: usize) -> i64 {
        self.overlaps[a * (self.m + 1) + b]
    }

    fn attendees(&self, s: usize) -> Option<u32> {
        self.model.fixed_room[s]
            .is_none()
            .then(|| self.model.problem.sessions[s].attendees)
    }

    fn small_penalty(&self) -> i64 {
        self.model.tables.too_small as i64
    }

    /// Too-small count of block `b` with one attendance removed and one added: the
    /// greedy matching of the largest sessions to the largest rooms, which is exact for
    /// nested sizes ([`TimeModel::too_small_count`]).
    fn small_with(&self, b: usize, remove: Option<u32>, add: Option<u32>) -> u64 {
        if b == self.m {
            return 0;
        }
        let caps = &self.model.capacities[b];
        let list = &self.attendance[b];
        let mut removed = false;
        let mut added = add.is_none();
        let (mut i, mut room, mut unfitted) = (0usize, 0usize, 0u64);
        loop {
            // The next attendance of the changed list, largest first.
            let next = loop {
                match (list.get(i).copied(), add) {
                    (Some(x), Some(y)) if !added && y > x => {
                        added = true;
                        break Some(y);
                    }
                    (Some(x), _) => {
                        i += 1;
                        if !removed && Some(x) == remove {
                            removed = true;
                            continue;
                        }
                        break Some(x);
                    }
                    (None, Some(y)) if !added => {
                        added = true;
                        break Some(y);
                    }
                    _ => break None,
                }
            };
            let Some(a) = next else { break };
            if room < caps.len() && caps[room] >= a {
                room += 1;
            } else {
                unfitted += 1;
            }
        }
        unfitted
    }

    /// Sequence and adjacency cost touching `sessions` (one or two), at the current
    /// `slot_of`; a relation of both is counted once.
    fn relation_cost(&self, sessions: &[usize]) -> i64 {
        let model = self.model;
        let mut total = 0u64;
        for (k, &s) in sessions.iter().enumerate() {
            let earlier = &sessions[..k];
            for &i in &model.sequences_of[s] {
                if !earlier.iter().any(|&e| model.sequences_of[e].contains(&i)) {
                    total += model.sequence_cost(i, &self.slot_of);
                }
            }
            for &i in &model.adjacencies_of[s] {
                if !earlier
                    .iter()
                    .any(|&e| model.adjacencies_of[e].contains(&i))
                {
                    total += model.adjacency_cost(i, &self.slot_of);
                }
            }
        }
        total as i64
    }

    fn has_relations(&self, s: usize) -> bool {
        !self.model.sequences_of[s].is_empty() || !self.model.adjacencies_of[s].is_empty()
    }

    /// The room-size and relation part of a move: `moves` are (session, from, to).
    fn rest_delta(&mut self, moves: &[(usize, usize, usize)]) -> i64 {
        let mut d = 0;
        if moves.iter().any(|&(s, _, _)| self.attendees(s).is_some()) {
            let pen = self.small_penalty();
            // Each touched block once, with what leaves and what comes.
            let mut blocks: [(usize, Option<u32>, Option<u32>); 4] = [(usize::MAX, None, None); 4];
            let mut count = 0;
            for &(s, from, to) in moves {
                let att = self.attendees(s);
                for (block, leaving) in [(from, true), (to, false)] {
                    let k = match blocks[..count].iter().position(|e| e.0 == block) {
                        Some(k) => k,
                        None => {
                            blocks[count] = (block, None, None);
                            count += 1;
                            count - 1
                        }
                    };
                    if leaving {
                        blocks[k].1 = att;
                    } else {
                        blocks[k].2 = att;
                    }
                }
            }
            for &(block, remove, add) in &blocks[..count] {
                // A block that seats everyone still does when a session leaves it or is
                // replaced by a smaller one (the count is exact, so it never rises).
                let no_larger = match (remove, add) {
                    (_, None) => true,
                    (Some(r), Some(a)) => a <= r,
                    (None, Some(_)) => false,
                };
                if self.prune && block < self.m && self.small[block] == 0 && no_larger {
                    continue;
                }
                if block < self.m && remove != add {
                    d += (self.small_with(block, remove, add) as i64 - self.small[block] as i64)
                        * pen;
                }
            }
        }
        if moves.iter().any(|&(s, _, _)| self.has_relations(s)) {
            let sessions: Vec<usize> = moves.iter().map(|e| e.0).collect();
            let before = self.relation_cost(&sessions);
            for &(s, _, to) in moves {
                self.slot_of[s] = (to < self.m).then_some(to);
            }
            let after = self.relation_cost(&sessions);
            for &(s, from, _) in moves {
                self.slot_of[s] = (from < self.m).then_some(from);
            }
            d += after - before;
        }
        d
    }

    /// How much room sizes and relations could at most save when sessions leave or
    /// enter blocks `a`, `b` (and `c`): what they cost now.
    fn rest_floor(&self, blocks: &[usize], relations: i64) -> i64 {
        let small: i64 = blocks
            .iter()
            .filter(|&&x| x < self.m)
            .map(|&x| self.small[x] as i64)
            .sum();
        -small * self.small_penalty() - relations
    }

    /// What `t` would pay (unary and pairs) in the cheapest of `free_blocks` other than
    /// its own, computed once per step (`memo` holds [`UNKNOWN`] until then).
    fn cheapest_free(&self, t: usize, free_blocks: &[usize], memo: &mut [i64]) -> i64 {
        if memo[t] == UNKNOWN {
            memo[t] = free_blocks
                .iter()
                .filter(|&&c| c != self.pos[t])
                .map(|&c| self.unary(t, c) + self.gamma[t * self.m + c])
                .min()
                .unwrap_or(i64::MAX / 4);
        }
        memo[t]
    }

    /// Whether `s` may go to block `b` when `leaving` (if any) leaves its block: no
    /// session of a shared group overlaps it.
    fn clash_free(&self, s: usize, b: usize, leaving: Option<usize>) -> bool {
        if b == self.m {
            return true;
        }
        let mut c = self.clash[s * self.m + b];
        if let Some(t) = leaving {
            if self.clashes(s, t) && self.overlap(self.pos[t], b) == 1 {
                c -= 1;
            }
        }
        c == 0
    }

    /// Moves `s` to block `b`, keeping every table in step (but not `cost`).
    fn relocate(&mut self, s: usize, b: usize) {
        let a = self.pos[s];
        if a == b {
            return;
        }
        let m = self.m;
        for (block, sign) in [(a, -1i64), (b, 1i64)] {
            if block == m {
                continue;
            }
            for &(u, w) in &self.neighbours[s] {
                for &c in &self.model.overlapping[block] {
                    self.gamma[u * m + c] += sign * w;
                }
            }
            for &u in &self.shares_group[s] {
                for &c in &self.model.overlapping[block] {
                    let v = &mut self.clash[u * m + c];
                    *v = if sign > 0 { *v + 1 } else { *v - 1 };
                }
            }
        }
        if let Some(i) = self.members[a].iter().position(|&x| x == s) {
            self.members[a].swap_remove(i);
        }
        self.members[b].push(s);
        if let Some(att) = self.attendees(s) {
            if a < m {
                let list = &mut self.attendance[a];
                if let Some(i) = list.iter().position(|&x| x == att) {
                    list.remove(i);
                }
                self.small[a] = self.small_with(a, None, None);
            }
            if b < m {
                let list = &mut self.attendance[b];
                let i = list.partition_point(|&x| x > att);
                list.insert(i, att);
                self.small[b] = self.small_with(b, None, None);
            }
        }
        if self.move_cap.is_some() {
            self.moved =
                self.moved + usize::from(self.is_move(s, b)) - usize::from(self.is_move(s, a));
        }
        self.pos[s] = b;
        self.slot_of[s] = (b < m).then_some(b);
    }

    /// Restores `slot_of` exactly (used to restart from the best agenda).
    fn reset_to(&mut self, slot_of: &[Option<SlotIdx>]) {
        let m = self.m;
        // First every session that moves is taken out (block m: unplaced), so that the
        // blocks have room when they are put back.
        for (s, target) in slot_of.iter().enumerate().take(self.n) {
            if self.movable[s] && self.pos[s] != target.unwrap_or(m) {
                self.relocate(s, m);
            }
        }
        for (s, target) in slot_of.iter().enumerate().take(self.n) {
            if let Some(b) = *target {
                if self.pos[s] != b {
                    self.relocate(s, b);
                }
            }
        }
    }

    /// A random swap or relocation that breaks no group rule, if one is found.
    fn shake(&mut self, rng: &mut Rng) -> bool {
        let (n, m) = (self.n, self.m);
        for _ in 0..20 {
            let s = rng.below(n);
            let b = rng.below(m);
            let a = self.pos[s];
            if !self.movable[s] || a == b || a == m {
                continue;
            }
            if self.members[b].len() < self.capacity[b] {
                if self.clash_free(s, b, None) && self.within_move_cap(&[(s, a, b)]) {
                    self.relocate(s, b);
                    return true;
                }
                continue;
            }
            let t = self.members[b][rng.below(self.members[b].len())];
            if self.movable[t]
                && self.clash_free(s, b, Some(t))
                && self.clash_free(t, a, Some(s))
                && self.within_move_cap(&[(s, a, b), (t, b, a)])
            {
                self.relocate(s, b);
                self.relocate(t, a);
                return true;
            }
        }
        false
    }
}

/// Not yet computed in this step ([`State::cheapest_free`]).
const UNKNOWN: i64 = i64::MIN;

/// Keeps the cheapest move of a step, breaking ties at random (reservoir sampling, so
/// every tied move is equally likely whatever the order of pricing).
struct Choice {
    best: Option<Move>,
    ties: usize,
}

impl Choice {
    fn offer(&mut self, mv: Move, rng: &mut Rng) {
        match self.best {
            Some(c) if mv.delta > c.delta => {}
            Some(c) if mv.delta == c.delta => {
                self.ties += 1;
                if rng.below(self.ties + 1) == 0 {
                    self.best = Some(mv);
                }
            }
            _ => {
                self.ties = 0;
                self.best = Some(mv);
            }
        }
    }

    /// Whether a move whose change is at least `floor` can be skipped.
    fn beats(&self, floor: i64) -> bool {
        self.best.is_some_and(|c| floor > c.delta)
    }
}

/// Up to this many paying sessions are all priced in a step; above it, a sample of
/// this many (up to [`MAX_HEAVY_CANDIDATES`] of them heavy payers).
const MAX_CANDIDATES: usize = 32;

/// See [`MAX_CANDIDATES`]: the heavy payers' share of a sample of 32.
const MAX_HEAVY_CANDIDATES: usize = 24;

/// Above this many paying sessions (a meeting far larger than an IETF), a step prices
/// only [`SAMPLED_CANDIDATES`] of them, heavy payers first.
const MANY_PAYERS: usize = 128;

/// How many paying sessions a step prices when more than [`MANY_PAYERS`] pay: a step
/// costs about its sample's size, and a small sample of heavy payers reaches about
/// the same cost as a large one, so it buys more search rounds; not for fewer payers,
/// where it proved fewer IETF 106 optima (docs/solver.md, Measurements).
const SAMPLED_CANDIDATES: usize = 8;

/// A session paying at least this much above its cheapest block (unary) is a heavy
/// payer: a conflict of 1,000 or more, where the light ones pay shared-AD overlaps
/// (100) and the like.
const HEAVY_PAYMENT: i64 = 1_000;

/// Cuts `candidates` to a sample at random, heavy payers first: to
/// [`SAMPLED_CANDIDATES`] of them when more than [`MANY_PAYERS`] pay (light ones only
/// when too few are heavy), else to [`MAX_CANDIDATES`] with up to
/// [`MAX_HEAVY_CANDIDATES`] heavy ones. Why: in large meetings most payers pay only
/// shared-AD pairs, and a uniform draw rarely priced the few heavy ones
/// (docs/solver.md, Measurements).
fn sample_candidates(candidates: &mut Vec<usize>, heavy: impl Fn(usize) -> bool, rng: &mut Rng) {
    let (size, heavy_share) = if candidates.len() > MANY_PAYERS {
        (SAMPLED_CANDIDATES, SAMPLED_CANDIDATES)
    } else {
        (MAX_CANDIDATES, MAX_HEAVY_CANDIDATES)
    };
    let mut light: Vec<usize> = Vec::new();
    candidates.retain(|&s| {
        heavy(s) || {
            light.push(s);
            false
        }
    });
    let heavy_kept = heavy_share.max(size.saturating_sub(light.len()));
    while candidates.len() > heavy_kept {
        let i = rng.below(candidates.len());
        candidates.swap_remove(i);
    }
    while candidates.len() < size && !light.is_empty() {
        let i = rng.below(light.len());
        candidates.push(light.swap_remove(i));
    }
}

/// Tabu search from `start`; `fixed` sessions never move.
pub fn search(
    model: &TimeModel,
    start: &[Option<SlotIdx>],
    fixed: &[SessionIdx],
    options: &TabuOptions,
) -> Searched {
    search_with(model, start, fixed, options, true)
}

/// [`search`], with or without the shortcuts that skip moves which cannot be chosen
/// (`prune`); the result is the same either way.
fn search_with(
    model: &TimeModel,
    start: &[Option<SlotIdx>],
    fixed: &[SessionIdx],
    options: &TabuOptions,
    prune: bool,
) -> Searched {
    let mut walk = Walk::new(model, start, fixed, options, prune);
    let mut cut_by_time = false;
    let mut steps = 0;
    let mut reached = options.meets(&walk.st.slot_of, walk.st.cost);
    for step in 1..=options.steps {
        if reached {
            break;
        }
        if step % 256 == 0 && options.out_of_time() {
            cut_by_time = true;
            break;
        }
        steps = step;
        walk.price_relations();
        if !walk.choose_candidates() {
            break;
        }
        let Some(mv) = walk.best_move(step) else {
            continue;
        };
        walk.make(mv, step);
        reached = walk.after_move(step);
    }
    Searched {
        cost: model.cost(&walk.best_slots),
        slot_of: walk.best_slots,
        cut_by_time,
        steps,
        reached,
        restarts: walk.restarts,
    }
}

/// One tabu search: the agenda it walks, the tabu list, the best agenda so far, and
/// the buffers each step reuses (allocated once: a step takes microseconds).
struct Walk<'w, 'm, 'a> {
    model: &'m TimeModel<'a>,
    options: &'w TabuOptions<'w>,
    st: State<'m, 'a>,
    rng: Rng,
    /// `tabu[s * (m + 1) + b]`: the step until which `s` may not enter block `b`.
    tabu: Vec<u64>,
    best: i64,
    best_slots: Vec<Option<SlotIdx>>,
    /// The step that last improved on `best` (or restarted).
    last_best: u64,
    /// Steps without a better agenda before a restart from the best one.
    stall_limit: u64,
    restarts: u64,
    /// Each session's cheapest slot.
    min_unary: Vec<i64>,
    /// What each session's sequences and adjacencies cost now.
    relation_cost: Vec<i64>,
    /// The sessions a step tries to move.
    candidates: Vec<usize>,
    /// The pair weights of the session being priced, by partner, and the heaviest of
    /// them by the partner's block.
    weight_row: Vec<i64>,
    heaviest_in: Vec<i64>,
    /// Per session, the cheapest free block it could be displaced to, once known in a
    /// step ([`State::cheapest_free`]).
    cheapest_free: Vec<i64>,
}

/// What a step's pricing bounds read, computed once per step.
struct StepBounds {
    /// Blocks with a free room.
    free_blocks: Vec<usize>,
    /// Per session: what it pays where it is (unary and pairs).
    here: Vec<i64>,
    /// Per block: the most a displaced session of it could save by leaving (what it
    /// pays above its cheapest slot, relations included).
    displaced_saving: Vec<i64>,
    /// The most a move into a free block could save on room sizes.
    free_small: i64,
    /// The cost before the step, and the best agenda's: a tabu move is priced only if
    /// it could beat the best (aspiration).
    current: i64,
    best: i64,
}

impl StepBounds {
    /// Whether a move that changes the cost by at least `floor` can be skipped: it
    /// cannot beat the step's choice so far, or it is tabu and cannot beat the best.
    fn skip(&self, floor: i64, is_tabu: bool, choice: &Choice) -> bool {
        (is_tabu && self.current + floor >= self.best) || choice.beats(floor)
    }
}

impl<'w, 'm, 'a> Walk<'w, 'm, 'a> {
    fn new(
        model: &'m TimeModel<'a>,
        start: &[Option<SlotIdx>],
        fixed: &[SessionIdx],
        options: &'w TabuOptions<'w>,
        prune: bool,
    ) -> Self {
        let mut st = State::new(model, start, fixed);
        st.prune = prune;
        let (n, m) = (st.n, st.m);
        Walk {
            model,
            options,
            rng: Rng(options.seed ^ 0x7AB0_5EA2),
            tabu: vec![0u64; n * (m + 1)],
            best: st.cost,
            best_slots: st.slot_of.clone(),
            last_best: 0,
            stall_limit: options
                .stall_limit
                .unwrap_or((200 * n as u64).max(1_000))
                .max(1),
            restarts: 0,
            min_unary: (0..n)
                .map(|s| model.tables.unary[s].iter().copied().min().unwrap_or(0) as i64)
                .collect(),
            relation_cost: vec![0i64; n],
            candidates: Vec::new(),
            weight_row: vec![0i64; n],
            heaviest_in: vec![0i64; m],
            cheapest_free: vec![UNKNOWN; n],
            st,
        }
    }

    /// What each session's sequences and adjacencies cost in the current agenda.
    fn price_relations(&mut self) {
        let model = self.model;
        self.relation_cost.iter_mut().for_each(|r| *r = 0);
        for (i, q) in model.tables.sequences.iter().enumerate() {
            let c = model.sequence_cost(i, &self.st.slot_of) as i64;
            self.relation_cost[q.first] += c;
            self.relation_cost[q.second] += c;
        }
        for (i, a) in model.tables.adjacencies.iter().enumerate() {
            let c = model.adjacency_cost(i, &self.st.slot_of) as i64;
            if c > 0 {
                for &s in a.ours.iter().chain(&a.theirs) {
                    self.relation_cost[s] += c;
                }
            }
        }
    }

    /// The sessions that pay: only they move (with the sessions they displace). On
    /// large meetings hundreds pay, and a sample of them keeps a step cheap
    /// (IETF-sized meetings have a dozen, and are priced in full). False when none
    /// pays: the agenda costs its floor.
    fn choose_candidates(&mut self) -> bool {
        let st = &self.st;
        let m = st.m;
        let (min_unary, relation_cost) = (&self.min_unary, &self.relation_cost);
        self.candidates.clear();
        self.candidates.extend((0..st.n).filter(|&s| {
            st.movable[s] && {
                let b = st.pos[s];
                b == m
                    || st.gamma(s, b) > 0
                    || st.unary(s, b) > min_unary[s]
                    || (st.small[b] > 0 && st.attendees(s).is_some())
                    || relation_cost[s] > 0
            }
        }));
        if self.candidates.is_empty() {
            return false;
        }
        if self.candidates.len() > MAX_CANDIDATES {
            let pays = |s: usize| {
                let b = st.pos[s];
                b == m
                    || st.gamma(s, b) + st.unary(s, b) - min_unary[s] + relation_cost[s]
                        >= HEAVY_PAYMENT
            };
            sample_candidates(&mut self.candidates, pays, &mut self.rng);
        }
        true
    }

    /// The bounds this step's pricing reads. The cheapest free block a displaced
    /// session could go to is found only when first needed ([`Walk::cheapest_free`]):
    /// a weaker bound (its cheapest slot anywhere) already rules out most chains.
    fn step_bounds(&mut self) -> StepBounds {
        let st = &self.st;
        let (n, m) = (st.n, st.m);
        let free_blocks: Vec<usize> = (0..m)
            .filter(|&b| st.members[b].len() < st.capacity[b])
            .collect();
        let here: Vec<i64> = (0..n)
            .map(|t| st.unary(t, st.pos[t]) + st.gamma(t, st.pos[t]))
            .collect();
        self.cheapest_free.fill(UNKNOWN);
        let displaced_saving: Vec<i64> = st.members[..m]
            .iter()
            .map(|members| {
                members
                    .iter()
                    .filter(|&&t| st.movable[t])
                    .map(|&t| here[t] - self.min_unary[t] + self.relation_cost[t])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let free_small: i64 = free_blocks
            .iter()
            .map(|&c| st.small[c] as i64)
            .max()
            .unwrap_or(0)
            * st.small_penalty();
        StepBounds {
            free_blocks,
            here,
            displaced_saving,
            free_small,
            current: st.cost,
            best: self.best,
        }
    }

    /// The best move of this step over every candidate (ties broken at random), or
    /// None when every move is tabu and none beats the best agenda.
    fn best_move(&mut self, step: u64) -> Option<Move> {
        let bounds = self.step_bounds();
        let mut choice = Choice {
            best: None,
            ties: 0,
        };
        for i in 0..self.candidates.len() {
            let s = self.candidates[i];
            let m = self.st.m;
            for &(u, w) in &self.st.neighbours[s] {
                self.weight_row[u] = w;
                let block = self.st.pos[u];
                if block < m {
                    self.heaviest_in[block] = self.heaviest_in[block].max(w);
                }
            }
            for b in 0..m {
                if b != self.st.pos[s] {
                    self.price_moves_into(s, b, step, &bounds, &mut choice);
                }
            }
            for &(u, _) in &self.st.neighbours[s] {
                self.weight_row[u] = 0;
                if self.st.pos[u] < m {
                    self.heaviest_in[self.st.pos[u]] = 0;
                }
            }
        }
        choice.best
    }

    /// Offers `choice` every move of `s` into block `b`: into a free room, or swapping
    /// with a session `t` of `b`, which goes to `s`'s block or (a chain) a free block.
    /// Inlined: it is the search's inner loop, and as a call it made steps about a
    /// fifth slower (docs/solver.md, Measurements).
    #[inline(always)]
    fn price_moves_into(
        &mut self,
        s: usize,
        b: usize,
        step: u64,
        bounds: &StepBounds,
        choice: &mut Choice,
    ) {
        let st = &mut self.st;
        let m = st.m;
        let a = st.pos[s];
        let relation_s = self.relation_cost[s];
        let s_part = st.unary(s, b) - st.unary(s, a) + st.gamma(s, b) - st.gamma(s, a);
        let tabu_s = self.tabu[s * (m + 1) + b] > step;
        // No move of s into b can change the cost by less than this: the displaced
        // session saves at most what it pays above its cheapest slot, and meets s again
        // (2w) at most; room sizes and relations save at most what they cost now.
        // Skipping the block skips only moves that could not be chosen, so the search
        // is the same, only faster.
        let block_floor = s_part + st.rest_floor(&[a, b], relation_s)
            - bounds.free_small
            - bounds.displaced_saving[b]
            - 2 * self.heaviest_in[b];
        if st.prune && bounds.skip(block_floor, tabu_s, choice) {
            return;
        }
        // Relocation into a free room.
        if st.members[b].len() < st.capacity[b]
            && st.clash_free(s, b, None)
            && st.within_move_cap(&[(s, a, b)])
        {
            let floor = s_part + st.rest_floor(&[a, b], relation_s);
            if !bounds.skip(floor, tabu_s, choice) {
                let delta = s_part + st.rest_delta(&[(s, a, b)]);
                if !(tabu_s && bounds.current + delta >= bounds.best) {
                    let mv = Move {
                        s,
                        to: b,
                        t: None,
                        t_to: b,
                        delta,
                    };
                    choice.offer(mv, &mut self.rng);
                }
            }
        }
        for i in 0..st.members[b].len() {
            let t = st.members[b][i];
            if !st.movable[t] {
                continue;
            }
            let w = self.weight_row[t];
            let rest = st.rest_floor(&[a, b], relation_s + self.relation_cost[t]);
            // A move that displaces t changes the cost by at least this, given what t
            // would pay where it goes: at least its cheapest slot (every move with t),
            // or its cheapest free block (chains).
            let floor_with = |cheapest: i64| {
                s_part + cheapest - bounds.here[t] - 2 * w + rest - bounds.free_small
            };
            if st.prune && bounds.skip(floor_with(self.min_unary[t]), tabu_s, choice) {
                continue;
            }
            // Chains only from a placed session, and only when t's cheapest free block
            // could make one worth pricing.
            let chains = a != m
                && !bounds.skip(
                    floor_with(st.cheapest_free(t, &bounds.free_blocks, &mut self.cheapest_free)),
                    false,
                    choice,
                );
            for &c in std::iter::once(&a).chain(if chains { &bounds.free_blocks[..] } else { &[] })
            {
                if c == b || (c != a && c == m) {
                    continue;
                }
                // gamma(s, b) counted t where it was, gamma(t, c) counted s where it
                // was; the pair meets again where their new blocks overlap.
                let cheap = s_part + st.unary(t, c) + st.gamma(t, c)
                    - bounds.here[t]
                    - w * (st.overlap(b, b) + st.overlap(a, c)
                        - st.overlap(b, c)
                        - st.overlap(a, b));
                let is_tabu = tabu_s || self.tabu[t * (m + 1) + c] > step;
                let extra_small = if c != a {
                    -(st.small.get(c).copied().unwrap_or(0) as i64) * st.small_penalty()
                } else {
                    0
                };
                if bounds.skip(cheap + rest + extra_small, is_tabu, choice) {
                    continue;
                }
                if !st.clash_free(s, b, Some(t))
                    || !st.clash_free(t, c, Some(s))
                    || !st.within_move_cap(&[(s, a, b), (t, b, c)])
                {
                    continue;
                }
                let delta = cheap + st.rest_delta(&[(t, b, c), (s, a, b)]);
                if is_tabu && bounds.current + delta >= bounds.best {
                    continue;
                }
                let mv = Move {
                    s,
                    to: b,
                    t: Some(t),
                    t_to: c,
                    delta,
                };
                choice.offer(mv, &mut self.rng);
            }
        }
    }

    /// Makes `mv`, and forbids its sessions to go back for a while. Tenure: 1 to 20
    /// steps at random (measured on IETF 106: a tenure growing with the number of
    /// paying sessions, as TabuCol has it, did worse).
    fn make(&mut self, mv: Move, step: u64) {
        let m = self.st.m;
        let a = self.st.pos[mv.s];
        let tenure = 1 + self.rng.below(20) as u64;
        self.tabu[mv.s * (m + 1) + a] = step + tenure;
        if let Some(t) = mv.t {
            self.tabu[t * (m + 1) + mv.to] = step + tenure;
            self.st.relocate(t, mv.t_to);
        }
        self.st.relocate(mv.s, mv.to);
        self.st.cost += mv.delta;
        debug_assert_eq!(
            self.st.cost,
            self.model.cost(&self.st.slot_of) as i64,
            "step {step}"
        );
    }

    /// Keeps a better agenda, or restarts from the best one (shaken) after a stall.
    /// True when the agenda meets the options' target.
    fn after_move(&mut self, step: u64) -> bool {
        let st = &mut self.st;
        if self.options.meets(&st.slot_of, st.cost) {
            self.best = st.cost;
            self.best_slots.clone_from(&st.slot_of);
            return true;
        }
        if st.cost < self.best {
            self.best = st.cost;
            self.best_slots.clone_from(&st.slot_of);
            self.last_best = step;
        } else if step - self.last_best > self.stall_limit {
            st.reset_to(&self.best_slots);
            let shakes = 2 + self.rng.below(4);
            for _ in 0..shakes {
                st.shake(&mut self.rng);
            }
            st.cost = self.model.cost(&st.slot_of) as i64;
            self.tabu.iter_mut().for_each(|x| *x = 0);
            self.last_best = step;
            self.restarts += 1;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Problem;
    use crate::solve::heuristic::greedy;
    use crate::solve::tables::CostTables;

    fn meeting(seed: u64) -> Problem {
        crate::solve::testing::generated(50, 4, seed)
    }

    /// Runs `check` on the time model of generated meeting `seed` and its greedy start.
    fn with_meeting(seed: u64, check: impl FnOnce(&TimeModel, Vec<Option<SlotIdx>>)) {
        let p = meeting(seed);
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let start = greedy(&model, &[]);
        check(&model, start);
    }

    fn options(steps: u64, seed: u64) -> TabuOptions<'static> {
        TabuOptions {
            steps,
            seed,
            deadline: None,
            stop: None,
            target: 0,
            accept: None,
            stall_limit: None,
        }
    }

    #[test]
    fn incremental_costs_match_the_model() {
        // Every step checks its running cost against a full recount (debug builds,
        // which the tests are).
        for seed in 1..=3 {
            with_meeting(seed, |model, start| {
                let found = search(model, &start, &[], &options(3_000, seed));
                assert_eq!(found.cost, model.cost(&found.slot_of));
                assert!(found.cost <= model.cost(&start));
            });
        }
    }

    #[test]
    fn the_shortcuts_never_change_the_search() {
        // Skipping blocks, displaced sessions and room counts that cannot matter must
        // leave every step's choice as it was: same moves, same random draws.
        for seed in 1..=4 {
            let p = crate::solve::testing::generated(120, 8, seed);
            let tables = CostTables::build(&p);
            let model = TimeModel::new(&p, &tables);
            let start = greedy(&model, &[]);
            let run = |prune| search_with(&model, &start, &[], &options(4_000, seed), prune);
            let (fast, full) = (run(true), run(false));
            assert_eq!(fast.slot_of, full.slot_of, "meeting {seed}");
            assert_eq!((fast.cost, fast.steps), (full.cost, full.steps));
        }
    }

    #[test]
    fn a_stall_restarts_the_search_from_its_best() {
        // The default limit (200 steps per session: 24,000 here) never stalls a search
        // of 3,000 steps; a limit of 100 restarts it at most every 101 steps, and it
        // still returns the best agenda it met.
        let p = crate::solve::testing::generated(120, 8, 1);
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let start = greedy(&model, &[]);
        let default = search(&model, &start, &[], &options(3_000, 2));
        assert_eq!(default.steps, 3_000, "the search ran out of moves");
        assert_eq!(default.restarts, 0);
        let opts = TabuOptions {
            stall_limit: Some(100),
            ..options(3_000, 2)
        };
        let short = search(&model, &start, &[], &opts);
        assert!(short.restarts >= 1, "no restart in {} steps", short.steps);
        assert!(short.restarts <= short.steps / 101);
        assert_eq!(short.cost, model.cost(&short.slot_of));
        assert!(short.cost <= model.cost(&start));
    }

    #[test]
    fn same_seed_same_agenda() {
        with_meeting(7, |model, start| {
            let run = |seed| search(model, &start, &[], &options(2_000, seed)).slot_of;
            assert_eq!(run(5), run(5));
        });
    }

    #[test]
    fn fixed_sessions_stay_and_the_target_stops_the_search() {
        with_meeting(9, |model, start| {
            let fixed: Vec<usize> = (0..5).collect();
            let found = search(model, &start, &fixed, &options(2_000, 1));
            for &s in &fixed {
                assert_eq!(found.slot_of[s], start[s]);
            }
            // A target at the start's own cost is met before the first step.
            let opts = TabuOptions {
                target: model.cost(&start),
                ..options(2_000, 1)
            };
            let stopped = search(model, &start, &[], &opts);
            assert_eq!(stopped.steps, 0);
            assert_eq!(stopped.slot_of, start);
            assert!(stopped.reached);
        });
    }

    #[test]
    fn a_rejected_schedule_at_the_target_does_not_stop_the_search() {
        with_meeting(9, |model, start| {
            let start_cost = model.cost(&start);
            // Every schedule is within the target, but only one at most 1 below the
            // start's cost is accepted: the search goes on until it finds one.
            let accept = |slot_of: &[Option<SlotIdx>]| model.cost(slot_of) < start_cost;
            let opts = TabuOptions {
                target: u64::MAX / 4,
                accept: Some(&accept),
                ..options(2_000, 1)
            };
            let found = search(model, &start, &[], &opts);
            assert!(found.reached);
            assert!(found.steps > 0);
            assert!(found.cost < start_cost);
            // Nothing accepted: the search goes on (until no session pays or its steps
            // are spent) and says it did not reach the target.
            let never = |_: &[Option<SlotIdx>]| false;
            let opts = TabuOptions {
                target: u64::MAX / 4,
                accept: Some(&never),
                ..options(500, 1)
            };
            let found = search(model, &start, &[], &opts);
            assert!(!found.reached);
            assert!(found.steps > 0);
            assert!(found.cost <= start_cost);
        });
    }

    #[test]
    fn the_sample_holds_heavy_payers_first() {
        let heavy = |s: usize| s < 40;
        let mut rng = Rng(7);
        let distinct = |c: &[usize]| {
            let mut d = c.to_vec();
            d.sort_unstable();
            d.dedup();
            d.len()
        };
        // Many payers (200), 40 heavy: a small sample of heavy ones only.
        let mut candidates: Vec<usize> = (0..200).collect();
        sample_candidates(&mut candidates, heavy, &mut rng);
        assert_eq!(candidates.len(), SAMPLED_CANDIDATES);
        assert!(candidates.iter().all(|&s| heavy(s)));
        assert_eq!(distinct(&candidates), SAMPLED_CANDIDATES);
        // Many payers, 3 heavy: all of them, and light ones to fill the sample.
        let mut candidates: Vec<usize> = (37..200).rev().collect();
        sample_candidates(&mut candidates, heavy, &mut rng);
        assert_eq!(candidates.len(), SAMPLED_CANDIDATES);
        assert!((37..40).all(|s| candidates.contains(&s)));
        assert_eq!(distinct(&candidates), SAMPLED_CANDIDATES);
        // Fewer payers (120), 40 heavy: 24 heavy and 8 light.
        let mut candidates: Vec<usize> = (0..120).collect();
        sample_candidates(&mut candidates, heavy, &mut rng);
        assert_eq!(candidates.len(), MAX_CANDIDATES);
        assert_eq!(
            candidates.iter().filter(|&&s| heavy(s)).count(),
            MAX_HEAVY_CANDIDATES
        );
        assert_eq!(distinct(&candidates), MAX_CANDIDATES);
        // Fewer payers, 3 light: the other 29 heavy.
        let mut candidates: Vec<usize> = (0..43).collect();
        sample_candidates(&mut candidates, heavy, &mut rng);
        assert_eq!(candidates.iter().filter(|&&s| heavy(s)).count(), 29);
        // The sample is random.
        let draw = |rng: &mut Rng| {
            let mut c: Vec<usize> = (0..200).collect();
            sample_candidates(&mut c, heavy, rng);
            c
        };
        let first = draw(&mut rng);
        assert!((0..10).any(|_| draw(&mut rng) != first));
    }
}
