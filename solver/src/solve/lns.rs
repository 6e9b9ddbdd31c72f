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
use super::ilp::{Ilp, IlpOptions, Spec};
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

/// Improves `start` over `rounds` neighbourhoods, or until `budget_time` runs out, or
/// until the cost reaches `bound` (a proven lower bound: nothing better exists). Each
/// neighbourhood's model is restricted to agendas cheaper than the current one
/// ([`Budget`], sharpened by `core` when given), so a neighbourhood without a better
/// agenda is usually refuted at once.
#[allow(clippy::too_many_arguments)]
pub fn improve(
    model: &TimeModel,
    start: Vec<Option<SlotIdx>>,
    fixed: &[(SessionIdx, SlotIdx)],
    allowed_anywhere: &[Vec<SlotIdx>],
    budget_time: Duration,
    rounds: usize,
    bound: u64,
    core: Option<CoreBound>,
    granularity: u64,
    options: &IlpOptions,
    on_improvement: &mut dyn FnMut(u64),
) -> Improved {
    let p = model.problem;
    let m = p.slots.len();
    let began = Instant::now();
    let mut rng = Rng(options.seed ^ 0x1A5);
    let mut current = start;
    let mut cost = model.cost(&current);
    let everyone = vec![true; p.sessions.len()];
    let mut cut_by_time = false;
    let mut room_of = Vec::new();
    let mut proven = None;
    if m == 0 {
        return Improved {
            slot_of: current,
            room_of,
            cut_by_time,
            bound: proven,
        };
    }
    // The neighbourhood grows while its problems are solved fast without gain, and
    // shrinks when one runs out of time: the size tracks what HiGHS can close quickly.
    let mut size = 3.min(m);
    let mut group_size = 12usize;
    let mut round = 0usize;
    let mut stall = Stall::default();
    for _ in 0..rounds {
        if stall.over() {
            break;
        }
        let left = budget_time.saturating_sub(began.elapsed());
        if cost <= bound || cancelled(options) {
            break;
        }
        if left < Duration::from_millis(200) {
            cut_by_time = true;
            break;
        }
        round += 1;
        // Every sixth round frees the sessions that need the longest blocks (the core),
        // with pigeonhole rows: they decide most of the cost and move only together.
        let by_length = round.is_multiple_of(6);
        let by_sessions = round.is_multiple_of(2) || by_length;
        let mut blocks = Vec::new();
        let mut free: Vec<bool> = vec![false; p.sessions.len()];
        if by_length {
            let longest = p.slots.iter().map(|s| s.minutes).max().unwrap_or(0);
            for s in p.schedulable_sessions() {
                free[s] = p.sessions[s].minutes >= longest;
            }
        } else if by_sessions {
            // Related sessions: one from a costly pair and its strongest ties, anywhere.
            for s in related_sessions(model, &current, group_size, &mut rng) {
                free[s] = true;
            }
        } else {
            // A few blocks: one where the agenda pays most, the others at random,
            // of the same length first.
            let first = costliest_slot(model, &current, &mut rng);
            blocks.push(first);
            let mut same: Vec<SlotIdx> = (0..m)
                .filter(|&b| b != first && p.slots[b].minutes == p.slots[first].minutes)
                .collect();
            while blocks.len() < size && !same.is_empty() {
                let i = rng.below(same.len());
                blocks.push(same.swap_remove(i));
            }
            while blocks.len() < size {
                let b = rng.below(m);
                if !blocks.contains(&b) {
                    blocks.push(b);
                }
            }
            blocks.sort_unstable();
        }
        let allowed: Vec<Vec<SlotIdx>> = (0..p.sessions.len())
            .map(|s| {
                if let Some(&(_, b)) = fixed.iter().find(|f| f.0 == s) {
                    return vec![b];
                }
                if by_sessions {
                    return match current[s] {
                        Some(b) if !free[s] => vec![b],
                        _ => allowed_anywhere[s].clone(),
                    };
                }
                match current[s] {
                    Some(b) if blocks.contains(&b) => blocks.clone(),
                    Some(b) => vec![b],
                    None => blocks.clone(),
                }
            })
            .collect();
        // The round ends by the budget's end at the latest, building included.
        // HiGHS's own log of every small model would drown the rest: one line each.
        let sub = IlpOptions {
            deadline: (Instant::now() + Duration::from_secs(5)).min(began + budget_time),
            log: false,
            ..options.clone()
        };
        let target = cost.saturating_sub(granularity);
        let budget = Budget::new(model, allowed_anywhere, target, core.clone());
        let spec = Spec {
            allowed: &allowed,
            active: &everyone,
            budget: Some(&budget),
            pigeonholes: by_length,
            min_pair_weight: 0,
        };
        let ilp = Ilp::build(model, spec);
        let outcome = ilp.solve(Some(&current), &sub, None);
        let settled = outcome.proven_optimal || outcome.infeasible;
        let easy = settled && outcome.nodes <= EASY_NODES;
        let mut improved = false;
        let before = cost;
        if let Some(candidate) = outcome.slot_of {
            let candidate_cost = model.cost(&candidate);
            if candidate_cost < cost {
                cost = candidate_cost;
                current = candidate;
                room_of = outcome.room_of;
                improved = true;
                on_improvement(cost);
            }
        }
        // A neighbourhood that frees every session everywhere is the whole meeting
        // under the budget: settled, it proves that nothing beats `cost`.
        let whole = allowed
            .iter()
            .zip(allowed_anywhere)
            .all(|(a, any)| any.iter().all(|b| a.contains(b)));
        if whole && settled {
            proven = Some(cost);
        }
        if options.log {
            let kind = if by_length {
                "core"
            } else if by_sessions {
                "related"
            } else {
                "blocks"
            };
            let free = allowed.iter().filter(|a| a.len() > 1).count();
            let end = if outcome.infeasible {
                "refuted"
            } else if outcome.proven_optimal {
                "solved"
            } else {
                "open"
            };
            println!(
                "lns round {round}: {kind} neighbourhood, {free} sessions free: {end} in {:.2?} ({} nodes, objective {:?}), cost {cost}",
                outcome.elapsed, outcome.nodes, outcome.objective
            );
        }
        stall.round(before, cost);
        let (grow, shrink) = (easy && !improved, !settled);
        cut_by_time |= shrink;
        match (
            if by_length { None } else { Some(by_sessions) },
            grow,
            shrink,
        ) {
            (Some(false), _, true) => size = (size - 1).max(2.min(m)),
            (Some(false), true, _) => size = (size + 1).min(m),
            (Some(true), _, true) => group_size = (group_size * 4 / 5).max(4),
            (Some(true), true, _) => group_size = (group_size + 4).min(p.sessions.len()),
            _ => {}
        }
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

/// A neighbourhood settled within this many branch-and-bound nodes was easy: the next
/// one of its kind may be larger.
const EASY_NODES: u64 = 5;

/// The search ends after this many neighbourhoods in a row without a worthwhile gain
/// ([`worthwhile_gain`]): two of each kind's cycle. Counted, not timed, so a run is
/// reproducible. Why: after a basin's few gains LNS only refutes neighbourhoods; on
/// IETF 106 and its 2020 variant, 31-35 neighbourhoods took 18-19 s of the 60 without
/// a gain, and on the 4x synthetic 600 s run it took 312 s for 2,500 (0.06 %), time
/// a fresh portfolio of searches puts to better use.
const STALL_ROUNDS: usize = 12;

/// The smallest gain that counts as progress at `cost`: 0.1 % of it (at least 1). On
/// IETF 106 every gain (1,000 and up, 0.4 %) counts; on the 4x synthetic LNS's gains
/// of 100-1,000 polish an agenda of 3.9M without leaving its basin.
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
