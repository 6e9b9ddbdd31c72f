//! A fast start: greedy construction of the time-level schedule, hardest sessions
//! first, each where it adds least (the tabu search, [`super::tabu`], takes it from
//! there).

use super::timing::{TimeModel, TimeState};
use crate::problem::{SessionIdx, SlotIdx};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::tables::CostTables;

    #[test]
    fn a_hint_is_kept_where_it_fits_and_the_rest_is_placed() {
        let p = crate::solve::testing::generated(40, 4, 3);
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        // A draft: a searched schedule with its first five sessions taken out, as if
        // their requests had just arrived.
        let draft = crate::solve::tabu::search(
            &model,
            &greedy(&model, &[]),
            &[],
            &crate::solve::tabu::TabuOptions {
                steps: 2_000,
                seed: 1,
                deadline: None,
                stop: None,
                target: 0,
                accept: None,
                stall_limit: None,
            },
        )
        .slot_of;
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
