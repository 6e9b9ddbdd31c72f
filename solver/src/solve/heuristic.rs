//! A fast start: greedy construction, then simulated annealing over single moves and
//! swaps of the time-level schedule. Its budget is counted in moves, not seconds, so the
//! same seed gives the same result on any machine.

use super::timing::{TimeModel, TimeState};
use crate::problem::{SessionIdx, SlotIdx};
use crate::rng::Rng;

/// Sessions and where they go (None: out of the agenda).
type Moves = Vec<(SessionIdx, Option<SlotIdx>)>;

/// Places sessions one by one, hardest first, each where it adds least.
pub fn greedy(model: &TimeModel, fixed: &[(SessionIdx, SlotIdx)]) -> Vec<Option<SlotIdx>> {
    greedy_from(model, fixed, &[])
}

/// [`greedy`] that first keeps `hint`'s placements (a previous agenda) wherever they
/// still fit, in session order, and places only the rest: a what-if run after a few
/// requests changed starts from the draft instead of from nothing.
pub fn greedy_from(
    model: &TimeModel,
    fixed: &[(SessionIdx, SlotIdx)],
    hint: &[Option<SlotIdx>],
) -> Vec<Option<SlotIdx>> {
    let p = model.problem;
    let mut state = TimeState::new(model, vec![None; p.sessions.len()]);
    for &(s, b) in fixed {
        state.apply(&[(s, Some(b))]);
    }
    for (s, b) in hint.iter().enumerate() {
        let Some(b) = *b else { continue };
        let free = state.slot_of[s].is_none() && p.sessions[s].schedulable;
        if free && b < p.slots.len() && state.fits(s, b, None) {
            state.apply(&[(s, Some(b))]);
        }
    }
    let mut order: Vec<SessionIdx> = p
        .schedulable_sessions()
        .filter(|s| state.slot_of[*s].is_none())
        .collect();
    // Long sessions have few slots; heavily conflicted ones have few good ones.
    let weight =
        |s: SessionIdx| -> u64 { model.tables.neighbours[s].iter().map(|&(_, w)| w).sum() };
    order.sort_by_key(|&s| {
        (
            std::cmp::Reverse(p.sessions[s].minutes),
            std::cmp::Reverse(weight(s)),
            s,
        )
    });
    for s in order {
        let mut best: Option<(i64, SlotIdx)> = None;
        for b in 0..p.slots.len() {
            if !state.fits(s, b, None) {
                continue;
            }
            let delta = state.apply(&[(s, Some(b))]);
            state.undo(&[(s, None)]);
            if best.is_none_or(|(d, _)| delta < d) {
                best = Some((delta, b));
            }
        }
        if let Some((_, b)) = best {
            state.apply(&[(s, Some(b))]);
        }
    }
    state.slot_of
}

/// What an annealing run found, and whether the clock stopped it early.
pub struct Annealed {
    pub slot_of: Vec<Option<SlotIdx>>,
    pub cut_by_time: bool,
}

/// Simulated annealing from `start`: `moves` attempted moves (fewer if `deadline`
/// passes first, which makes the result depend on the machine); fixed sessions stay.
pub fn anneal(
    model: &TimeModel,
    start: Vec<Option<SlotIdx>>,
    fixed: &[SessionIdx],
    moves: u64,
    seed: u64,
    deadline: Option<std::time::Instant>,
    cancel: Option<&std::sync::atomic::AtomicBool>,
) -> Annealed {
    let p = model.problem;
    let m = p.slots.len();
    let movable: Vec<SessionIdx> = p
        .schedulable_sessions()
        .filter(|s| !fixed.contains(s))
        .collect();
    if movable.is_empty() || m == 0 {
        return Annealed {
            slot_of: start,
            cut_by_time: false,
        };
    }
    let mut rng = Rng(seed ^ 0xA11E_A1ED);
    let mut state = TimeState::new(model, start);
    let mut current = model.cost(&state.slot_of) as i64;
    let mut best = current;
    let mut best_slots = state.slot_of.clone();
    // Temperature from about two technology overlaps down to below the smallest penalty.
    // Measured on IETF 106 (40k moves per session, seeds 1-3): 20,000 -> 50 gave the
    // lowest mean and spread among starts of 20k/60k/200k and ends of 50/1,000.
    let (t0, t1) = (20_000.0f64, 50.0f64);
    let mut cut_by_time = false;
    for i in 0..moves {
        if i % 4096 == 0 {
            let late = deadline.is_some_and(|d| std::time::Instant::now() >= d);
            let stop = cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed));
            if late || stop {
                cut_by_time = true;
                break;
            }
        }
        let temperature = t0 * (t1 / t0).powf(i as f64 / moves as f64);
        let s = movable[rng.below(movable.len())];
        let b = rng.below(m);
        let from = state.slot_of[s];
        if from == Some(b) {
            continue;
        }
        let (forward, back): (Moves, Moves) = if state.fits(s, b, None) {
            (vec![(s, Some(b))], vec![(s, from)])
        } else {
            // Swap with a session of slot b that can take s's place.
            let Some(from_slot) = from else { continue };
            let candidates = &state.in_slot[b];
            if candidates.is_empty() {
                continue;
            }
            let t = candidates[rng.below(candidates.len())];
            if fixed.contains(&t)
                || !state.fits(s, b, Some(t))
                || !state.fits(t, from_slot, Some(s))
            {
                continue;
            }
            (
                vec![(s, Some(b)), (t, Some(from_slot))],
                vec![(s, from), (t, Some(b))],
            )
        };
        let delta = state.apply(&forward);
        if delta <= 0 || rng.unit() < (-(delta as f64) / temperature).exp() {
            current += delta;
            if current < best {
                best = current;
                best_slots.clone_from(&state.slot_of);
            }
        } else {
            state.undo(&back);
        }
    }
    Annealed {
        slot_of: best_slots,
        cut_by_time,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenerateOptions};
    use crate::problem::Problem;
    use crate::solve::tables::CostTables;

    #[test]
    fn a_hint_is_kept_where_it_fits_and_the_rest_is_placed() {
        let inst = generate(&GenerateOptions {
            sessions: 40,
            rooms: 4,
            seed: 3,
        })
        .unwrap();
        let p = Problem::from_instance(&inst).unwrap();
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        // A draft: an annealed schedule with its first five sessions taken out, as if
        // their requests had just arrived.
        let draft = anneal(&model, greedy(&model, &[]), &[], 2_000 * 40, 1, None, None).slot_of;
        let mut hint = draft.clone();
        for h in hint.iter_mut().take(5) {
            *h = None;
        }
        let kept = greedy_from(&model, &[], &hint);
        for s in 5..p.sessions.len() {
            assert_eq!(kept[s], draft[s], "session {s} moved");
        }
        for s in p.schedulable_sessions() {
            assert!(kept[s].is_some(), "session {s} not placed");
        }
        // A hint that does not fit (every session in one block) is kept only as far as
        // the block's rooms allow.
        let crowded = vec![Some(0); p.sessions.len()];
        let placed = greedy_from(&model, &[], &crowded);
        let in_block_0 = placed.iter().filter(|b| **b == Some(0)).count();
        assert!(in_block_0 <= p.slots[0].rooms.len());
    }
}
