//! Large-neighbourhood search (SOLVER-NOTES, point 5): free the sessions of a few
//! blocks (they may move among those blocks; unplaced sessions may come in), keep every
//! other session where it is, and solve that small integer program exactly with HiGHS.
//! An improvement is kept; the neighbourhoods are drawn from a seeded generator.

use super::ilp::{Ilp, IlpOptions};
use super::timing::TimeModel;
use crate::problem::{SessionIdx, SlotIdx};
use crate::rng::Rng;
use std::time::{Duration, Instant};

/// What the search reached, and whether the clock decided anything.
pub struct Improved {
    pub slot_of: Vec<Option<SlotIdx>>,
    /// The budget ran out before `rounds`, or a neighbourhood was not solved to proof:
    /// the result may differ on another machine.
    pub cut_by_time: bool,
}

/// Improves `start` over `rounds` neighbourhoods, or until `budget` runs out, or until
/// the cost reaches `bound` (a proven lower bound: nothing better exists).
#[allow(clippy::too_many_arguments)]
pub fn improve(
    model: &TimeModel,
    start: Vec<Option<SlotIdx>>,
    fixed: &[(SessionIdx, SlotIdx)],
    budget: Duration,
    rounds: usize,
    bound: u64,
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
    if m == 0 {
        return Improved {
            slot_of: current,
            cut_by_time,
        };
    }
    // The neighbourhood grows while its problems are solved fast without gain, and
    // shrinks when one runs out of time: the size tracks what HiGHS can close quickly.
    let mut size = 3.min(m);
    let mut group_size = 12usize;
    let mut round = 0usize;
    for _ in 0..rounds {
        let left = budget.saturating_sub(began.elapsed());
        if cost <= bound || cancelled(options) {
            break;
        }
        if left < Duration::from_millis(200) {
            cut_by_time = true;
            break;
        }
        round += 1;
        let by_sessions = round.is_multiple_of(2);
        let all_slots: Vec<SlotIdx> = (0..m).collect();
        let mut blocks = Vec::new();
        let mut free: Vec<bool> = vec![false; p.sessions.len()];
        if by_sessions {
            // Related sessions: one from a costly pair and its strongest ties, anywhere.
            for s in related_sessions(model, &current, group_size, &mut rng) {
                free[s] = true;
            }
        } else {
            // A few blocks: one where the agenda pays most, the others at random.
            blocks.push(costliest_slot(model, &current, &mut rng));
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
                        _ => all_slots.clone(),
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
        let sub = IlpOptions {
            deadline: (Instant::now() + Duration::from_secs(5)).min(began + budget),
            ..options.clone()
        };
        let ilp = Ilp::build(model, &allowed, &everyone, &[]);
        let outcome = ilp.solve(Some(&current), &sub, None);
        let quick = outcome.proven_optimal && outcome.elapsed < Duration::from_secs(1);
        let mut improved = false;
        if let Some(candidate) = outcome.slot_of {
            let candidate_cost = model.cost(&candidate);
            if candidate_cost < cost {
                cost = candidate_cost;
                current = candidate;
                improved = true;
                on_improvement(cost);
            }
        }
        let (grow, shrink) = (quick && !improved, !outcome.proven_optimal);
        cut_by_time |= shrink;
        match (by_sessions, grow, shrink) {
            (false, _, true) => size = (size - 1).max(2.min(m)),
            (false, true, _) => size = (size + 1).min(m),
            (true, _, true) => group_size = (group_size * 4 / 5).max(4),
            (true, true, _) => group_size = (group_size + 4).min(p.sessions.len()),
            _ => {}
        }
    }
    Improved {
        slot_of: current,
        cut_by_time,
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

/// Up to `count` sessions tied by priced pairs: a session of a costly overlapping pair,
/// then, repeatedly, the unchosen session with the heaviest ties to those chosen.
fn related_sessions(
    model: &TimeModel,
    slot_of: &[Option<SlotIdx>],
    count: usize,
    rng: &mut Rng,
) -> Vec<SessionIdx> {
    let p = model.problem;
    let t = model.tables;
    let costly: Vec<(SessionIdx, f64)> = t
        .pairs
        .iter()
        .filter(|&&(s, u, _)| matches!((slot_of[s], slot_of[u]), (Some(a), Some(b)) if p.slots_overlap(a, b)))
        .map(|&(s, _, w)| (s, w as f64))
        .collect();
    let seed = if costly.is_empty() {
        let pool: Vec<SessionIdx> = p.schedulable_sessions().collect();
        match pool.len() {
            0 => return Vec::new(),
            n => pool[rng.below(n)],
        }
    } else {
        let w: Vec<f64> = costly.iter().map(|c| c.1).collect();
        costly[rng.weighted(&w)].0
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
