//! Large-neighbourhood search (SOLVER-NOTES, point 5): free some sessions, keep every
//! other session where it is, and solve that small integer program exactly with HiGHS.
//! Two kinds of neighbourhood alternate: the sessions of a few blocks (they may move
//! among those blocks, blocks of the costliest block's length first, since sessions
//! trade places only between blocks that fit them), and a session of a costly pair
//! with its strongest ties (they may go anywhere). Each model is restricted to agendas
//! cheaper than the current one ([`Budget`]), so most neighbourhoods are refuted in
//! milliseconds. An improvement is kept; neighbourhoods are drawn from a seeded
//! generator and their sizes adapt to what HiGHS settles easily (counted in branch-and-
//! bound nodes, not seconds, so a run is reproducible).

use super::budget::{Budget, CoreBound};
use super::ilp::{Ilp, IlpOptions, IlpOutcome, Spec};
use super::timing::TimeModel;
use crate::problem::{SessionIdx, SlotIdx};
use crate::rng::Rng;
use std::time::{Duration, Instant};

/// What the search reached, and whether the clock decided anything.
pub struct Improved {
    pub slot_of: Vec<Option<SlotIdx>>,
    /// Rooms the last improving model chose for adjacency sessions.
    pub room_of: Vec<Option<usize>>,
    /// The budget ran out before `rounds`, or a neighbourhood was not solved to proof:
    /// the result may differ on another machine.
    pub cut_by_time: bool,
    /// A proven lower bound, when a neighbourhood that grew to the whole meeting was
    /// settled (on small meetings): nothing cheaper than `slot_of`'s time-level cost.
    pub bound: Option<u64>,
}

/// What one large-neighbourhood search works within.
pub struct Lns<'a> {
    pub model: &'a TimeModel<'a>,
    /// Sessions pinned to a slot: every neighbourhood keeps them there.
    pub fixed: &'a [(SessionIdx, SlotIdx)],
    /// The slots each session may take at all.
    pub allowed_anywhere: &'a [Vec<SlotIdx>],
    /// Wall-clock time for the whole search, model building included.
    pub time: Duration,
    /// At most this many neighbourhoods.
    pub rounds: usize,
    /// A proven lower bound: the search stops when it reaches it.
    pub bound: u64,
    /// Sharpens every neighbourhood's budget ([`Budget`]).
    pub core: Option<CoreBound>,
    /// Costs differ by multiples of this: a better agenda is at least this much cheaper.
    pub granularity: u64,
    pub options: &'a IlpOptions,
}

/// The kinds of neighbourhood, in the order a cycle of rounds visits them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The sessions that need the longest blocks, anywhere, with pigeonhole rows: they
    /// decide most of the cost and move only together.
    Core,
    /// A session of a costly pair and its strongest ties, anywhere.
    Related,
    /// Every session of a few blocks, among those blocks.
    Blocks,
}

impl Kind {
    /// Every sixth round frees the core, every other one related sessions, the rest
    /// blocks.
    fn of_round(round: usize) -> Kind {
        if round.is_multiple_of(6) {
            Kind::Core
        } else if round.is_multiple_of(2) {
            Kind::Related
        } else {
            Kind::Blocks
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Core => "core",
            Kind::Related => "related",
            Kind::Blocks => "blocks",
        }
    }
}

/// Neighbourhood sizes. They grow while their problems are solved fast without gain,
/// and shrink when one runs out of time: the size tracks what HiGHS can close quickly.
struct Sizes {
    /// Blocks freed by a [`Kind::Blocks`] neighbourhood.
    blocks: usize,
    /// Sessions freed by a [`Kind::Related`] neighbourhood.
    related: usize,
}

impl Sizes {
    fn adapt(&mut self, kind: Kind, grow: bool, shrink: bool, slots: usize, sessions: usize) {
        match (kind, grow, shrink) {
            (Kind::Blocks, _, true) => self.blocks = (self.blocks - 1).max(2.min(slots)),
            (Kind::Blocks, true, _) => self.blocks = (self.blocks + 1).min(slots),
            (Kind::Related, _, true) => self.related = (self.related * 4 / 5).max(4),
            (Kind::Related, true, _) => self.related = (self.related + 4).min(sessions),
            _ => {}
        }
    }
}

impl Lns<'_> {
    /// Improves `start` over `rounds` neighbourhoods, or until `time` runs out, or
    /// until the cost reaches `bound`. Each neighbourhood's model is restricted to
    /// agendas cheaper than the current one ([`Budget`], sharpened by `core` when
    /// given), so a neighbourhood without a better agenda is usually refuted at once.
    pub fn improve(
        &self,
        start: Vec<Option<SlotIdx>>,
        on_improvement: &mut dyn FnMut(u64),
    ) -> Improved {
        let model = self.model;
        let p = model.problem;
        let m = p.slots.len();
        let began = Instant::now();
        let mut rng = Rng(self.options.seed ^ 0x1A5);
        let mut current = start;
        let mut cost = model.cost(&current);
        let mut cut_by_time = false;
        let mut room_of = Vec::new();
        let mut proven = None;
        let mut sizes = Sizes {
            blocks: 3.min(m),
            related: 12,
        };
        let mut round = 0usize;
        let mut stall = Stall::default();
        // A meeting without blocks has no neighbourhood to search.
        let rounds = if m == 0 { 0 } else { self.rounds };
        for _ in 0..rounds {
            if stall.over() || cost <= self.bound || cancelled(self.options) {
                break;
            }
            if self.time.saturating_sub(began.elapsed()) < Duration::from_millis(200) {
                cut_by_time = true;
                break;
            }
            round += 1;
            let kind = Kind::of_round(round);
            let allowed = self.neighbourhood(kind, &current, &sizes, &mut rng);
            let outcome = self.solve(kind, &allowed, &current, cost, began);
            let settled = outcome.proven_optimal || outcome.infeasible;
            let easy = settled && outcome.nodes <= EASY_NODES;
            let before = cost;
            if let Some(candidate) = outcome.slot_of.clone() {
                let candidate_cost = model.cost(&candidate);
                if candidate_cost < cost {
                    cost = candidate_cost;
                    current = candidate;
                    room_of = outcome.room_of.clone();
                    on_improvement(cost);
                }
            }
            if settled && self.is_whole(&allowed) {
                // The whole meeting under the budget: nothing beats `cost`.
                proven = Some(cost);
            }
            if self.options.log {
                log_round(round, kind, &allowed, &outcome, cost);
            }
            stall.round(before, cost);
            let (grow, shrink) = (easy && cost == before, !settled);
            cut_by_time |= shrink;
            sizes.adapt(kind, grow, shrink, m, p.sessions.len());
            if proven.is_some() {
                break;
            }
        }
        Improved {
            slot_of: current,
            room_of,
            cut_by_time,
            bound: proven,
        }
    }

    /// The slots each session may take in a neighbourhood of `kind` around `current`:
    /// pinned sessions stay, freed ones go anywhere (or among the chosen blocks), the
    /// others stay where they are.
    fn neighbourhood(
        &self,
        kind: Kind,
        current: &[Option<SlotIdx>],
        sizes: &Sizes,
        rng: &mut Rng,
    ) -> Vec<Vec<SlotIdx>> {
        let model = self.model;
        let p = model.problem;
        let m = p.slots.len();
        let mut free: Vec<bool> = vec![false; p.sessions.len()];
        let mut blocks = Vec::new();
        match kind {
            Kind::Core => {
                let longest = p.slots.iter().map(|s| s.minutes).max().unwrap_or(0);
                for s in p.schedulable_sessions() {
                    free[s] = p.sessions[s].minutes >= longest;
                }
            }
            Kind::Related => {
                for s in related_sessions(model, current, sizes.related, rng) {
                    free[s] = true;
                }
            }
            Kind::Blocks => {
                // One where the agenda pays most, the others at random, of the same
                // length first.
                let first = costliest_slot(model, current, rng);
                blocks.push(first);
                let mut same: Vec<SlotIdx> = (0..m)
                    .filter(|&b| b != first && p.slots[b].minutes == p.slots[first].minutes)
                    .collect();
                while blocks.len() < sizes.blocks && !same.is_empty() {
                    let i = rng.below(same.len());
                    blocks.push(same.swap_remove(i));
                }
                while blocks.len() < sizes.blocks {
                    let b = rng.below(m);
                    if !blocks.contains(&b) {
                        blocks.push(b);
                    }
                }
                blocks.sort_unstable();
            }
        }
        (0..p.sessions.len())
            .map(|s| {
                if let Some(&(_, b)) = self.fixed.iter().find(|f| f.0 == s) {
                    return vec![b];
                }
                if kind != Kind::Blocks {
                    return match current[s] {
                        Some(b) if !free[s] => vec![b],
                        _ => self.allowed_anywhere[s].clone(),
                    };
                }
                match current[s] {
                    Some(b) if blocks.contains(&b) => blocks.clone(),
                    Some(b) => vec![b],
                    None => blocks.clone(),
                }
            })
            .collect()
    }

    /// Solves one neighbourhood exactly, restricted to agendas cheaper than `cost`.
    /// The round ends by the search's end at the latest, building included; HiGHS's own
    /// log of every small model would drown the rest, so it is off.
    fn solve(
        &self,
        kind: Kind,
        allowed: &[Vec<SlotIdx>],
        current: &[Option<SlotIdx>],
        cost: u64,
        began: Instant,
    ) -> IlpOutcome {
        let sub = IlpOptions {
            deadline: (Instant::now() + Duration::from_secs(5)).min(began + self.time),
            log: false,
            ..self.options.clone()
        };
        let target = cost.saturating_sub(self.granularity);
        let budget = Budget::new(self.model, self.allowed_anywhere, target, self.core.clone());
        let everyone = vec![true; self.model.problem.sessions.len()];
        let spec = Spec {
            allowed,
            active: &everyone,
            budget: Some(&budget),
            pigeonholes: kind == Kind::Core,
            min_pair_weight: 0,
        };
        Ilp::build(self.model, spec).solve(Some(current), &sub, None)
    }

    /// Whether a neighbourhood frees every session everywhere: the whole meeting.
    fn is_whole(&self, allowed: &[Vec<SlotIdx>]) -> bool {
        allowed
            .iter()
            .zip(self.allowed_anywhere)
            .all(|(a, any)| any.iter().all(|b| a.contains(b)))
    }
}

/// One line per neighbourhood when HiGHS's log is asked for.
fn log_round(round: usize, kind: Kind, allowed: &[Vec<SlotIdx>], outcome: &IlpOutcome, cost: u64) {
    let free = allowed.iter().filter(|a| a.len() > 1).count();
    let end = if outcome.infeasible {
        "refuted"
    } else if outcome.proven_optimal {
        "solved"
    } else {
        "open"
    };
    println!(
        "lns round {round}: {} neighbourhood, {free} sessions free: {end} in {:.2?} ({} nodes, objective {:?}), cost {cost}",
        kind.name(),
        outcome.elapsed,
        outcome.nodes,
        outcome.objective
    );
}

/// A neighbourhood settled within this many branch-and-bound nodes was easy: the next
/// one of its kind may be larger.
const EASY_NODES: u64 = 5;

/// The search ends after this many neighbourhoods in a row without a worthwhile gain
/// ([`worthwhile_gain`]): two of each kind's cycle. Counted, not timed, so a run is
/// reproducible. Why: after a basin's few gains LNS only refutes neighbourhoods, for
/// time a fresh portfolio of searches puts to better use (docs/solver.md,
/// Measurements).
const STALL_ROUNDS: usize = 12;

/// The smallest gain that counts as progress at `cost`: 0.1 % of it (at least 1), so
/// that a polish that stays in its basin does not count (docs/solver.md,
/// Measurements).
pub(crate) fn worthwhile_gain(cost: u64) -> u64 {
    (cost / 1000).max(1)
}

/// Whether going from `before` to `after` is progress ([`worthwhile_gain`]): LNS's own
/// stall count and the solve's choice of a fresh batch of searches use this one rule.
pub(crate) fn worthwhile(before: u64, after: u64) -> bool {
    before.saturating_sub(after) >= worthwhile_gain(before)
}

/// Neighbourhoods since the last worthwhile gain ([`STALL_ROUNDS`]).
#[derive(Default)]
struct Stall {
    since: usize,
}

impl Stall {
    /// One neighbourhood, which took the cost from `before` to `after`.
    fn round(&mut self, before: u64, after: u64) {
        if worthwhile(before, after) {
            self.since = 0;
        } else {
            self.since += 1;
        }
    }

    fn over(&self) -> bool {
        self.since >= STALL_ROUNDS
    }
}

fn cancelled(options: &IlpOptions) -> bool {
    options
        .cancel
        .as_ref()
        .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
}

/// The slot whose sessions carry the most cost (pairs inside it and unary costs), with
/// ties and all-zero cases broken at random.
fn costliest_slot(model: &TimeModel, slot_of: &[Option<SlotIdx>], rng: &mut Rng) -> SlotIdx {
    let p = model.problem;
    let t = model.tables;
    let mut weight = vec![0u64; p.slots.len()];
    for (s, slot) in slot_of.iter().enumerate() {
        if let Some(b) = *slot {
            weight[b] += t.unary[s][b];
        }
    }
    for &(s, u, w) in &t.pairs {
        if let (Some(a), Some(b)) = (slot_of[s], slot_of[u]) {
            if p.slots_overlap(a, b) {
                weight[a] += w;
            }
        }
    }
    // Draw proportionally to weight, so the same block is not always chosen.
    let total: u64 = weight.iter().sum();
    if total == 0 {
        return rng.below(p.slots.len());
    }
    let w: Vec<f64> = weight.iter().map(|&x| x as f64).collect();
    rng.weighted(&w)
}

/// Up to `count` sessions tied by priced pairs: a session of a term the agenda pays,
/// then, repeatedly, the unchosen session with the heaviest ties to those chosen.
fn related_sessions(
    model: &TimeModel,
    slot_of: &[Option<SlotIdx>],
    count: usize,
    rng: &mut Rng,
) -> Vec<SessionIdx> {
    let p = model.problem;
    let t = model.tables;
    // Every term the agenda pays above its floor: overlapping pairs, broken sequences
    // and adjacencies, dear slots. One is drawn uniformly (the weights would make the
    // forced, heavy overlaps win every draw), then one of its sessions.
    let mut costly: Vec<Vec<SessionIdx>> = t
        .pairs
        .iter()
        .filter(|&&(s, u, _)| matches!((slot_of[s], slot_of[u]), (Some(a), Some(b)) if p.slots_overlap(a, b)))
        .map(|&(s, u, _)| vec![s, u])
        .collect();
    for (i, q) in t.sequences.iter().enumerate() {
        if model.sequence_cost(i, slot_of) > 0 {
            costly.push(vec![q.first, q.second]);
        }
    }
    for (i, a) in t.adjacencies.iter().enumerate() {
        if model.adjacency_cost(i, slot_of) > 0 {
            costly.push(a.ours.iter().chain(&a.theirs).copied().collect());
        }
    }
    for s in p.schedulable_sessions() {
        let floor = t.unary[s].iter().copied().min().unwrap_or(0);
        if slot_of[s].is_none_or(|b| t.unary[s][b] > floor) {
            costly.push(vec![s]);
        }
    }
    let seed = if costly.is_empty() {
        let pool: Vec<SessionIdx> = p.schedulable_sessions().collect();
        match pool.len() {
            0 => return Vec::new(),
            n => pool[rng.below(n)],
        }
    } else {
        let term = &costly[rng.below(costly.len())];
        term[rng.below(term.len())]
    };
    let mut chosen = vec![seed];
    let mut tie = vec![0u64; p.sessions.len()];
    while chosen.len() < count {
        let last = chosen[chosen.len() - 1];
        for &(u, w) in &t.neighbours[last] {
            tie[u] += w;
        }
        // Same-group sessions move together with the session.
        for &u in &model.clashes[last] {
            tie[u] += 1;
        }
        let next = (0..p.sessions.len())
            .filter(|s| !chosen.contains(s) && tie[*s] > 0)
            .max_by_key(|&s| (tie[s], std::cmp::Reverse(s)));
        match next {
            Some(s) => chosen.push(s),
            None => break,
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gain_counts_from_a_thousandth_of_the_cost() {
        assert_eq!(worthwhile_gain(250_000), 250);
        assert_eq!(worthwhile_gain(3_900_000), 3_900);
        assert_eq!(worthwhile_gain(500), 1);
    }

    #[test]
    fn the_search_stalls_after_rounds_without_a_worthwhile_gain() {
        let mut stall = Stall::default();
        for _ in 0..STALL_ROUNDS - 2 {
            stall.round(3_900_000, 3_900_000);
        }
        // A polish of 100 on 3.9M is not progress; 1,000 on 250,000 is.
        stall.round(3_900_000, 3_899_900);
        assert!(!stall.over());
        stall.round(250_000, 249_000);
        assert!(!stall.over(), "a worthwhile gain starts the count again");
        for _ in 0..STALL_ROUNDS - 1 {
            stall.round(249_000, 249_000);
        }
        assert!(!stall.over());
        stall.round(3_899_900, 3_899_800);
        assert!(stall.over());
    }
}
