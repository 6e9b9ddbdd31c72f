//! Exhaustive search of the agendas a few moves away from a what-if's base.
//!
//! In a re-solve from a base agenda, an agenda cheaper than a target moves at most `K`
//! sessions (the unedited meeting's bound leaves room for `K` moves' prices, or the
//! rule caps them: [`super::budget::max_moves_within`]). When `K` is small, those
//! agendas can be listed: every other session stays in its base block. Each set of
//! moves is first bounded without building it (what its sessions pay in the base can
//! be saved at most, what they pay alone in their new blocks is paid at least), so only
//! the few sets that could beat the target are priced exactly, at the time level.
//!
//! The cheapest of them is the time-level optimum of every agenda cheaper than the
//! target, which settles what the whole-meeting model would need seconds of presolve
//! for (IETF 106 plus a closed room: `BENCHMARKS.md`, what-if re-solves).

use super::timing::{TimeModel, TimeState};
use crate::problem::{SessionIdx, SlotIdx};

/// A session and the block it goes to.
type Move = (SessionIdx, Option<SlotIdx>);

/// What listing the agendas within a few moves of the base found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Listed {
    /// Every agenda of time-level cost at most the target within the moves, cheapest
    /// first (the same cost: in the order listed); empty when there is none.
    All(Vec<(u64, Vec<Option<SlotIdx>>)>),
    /// More sets of moves than the limit would have to be priced, more agendas than
    /// [`MAX_KEPT`] are within the target, more than [`MAX_PENDING_CHOICES`] blocks
    /// for the sessions the base does not place, or an agenda within the target could
    /// leave a session out; nothing is claimed.
    TooMany,
}

/// What to list: agendas of `model` (a problem with a base) whose time-level cost is
/// at most `target`, moving at most `max_moves` sessions from the base.
pub(crate) struct Listing<'a, 'm> {
    pub model: &'m TimeModel<'a>,
    /// The slots each session may take at all.
    pub allowed: &'m [Vec<SlotIdx>],
    /// Sessions pinned to a slot.
    pub fixed: &'m [(SessionIdx, SlotIdx)],
    pub max_moves: usize,
    pub target: u64,
    /// At most this many sets of moves priced exactly (counted, so a run is
    /// reproducible); [`Listed::TooMany`] beyond.
    pub limit: u64,
}

impl Listing<'_, '_> {
    /// Lists the agendas, or says there are too many to list. Sessions the base does
    /// not place where they may go (new requests, a block closed to them) are tried in
    /// every slot they may take; at most [`MAX_PENDING_CHOICES`] combinations of them.
    pub(crate) fn run(&self) -> Listed {
        let model = self.model;
        let p = model.problem;
        let t = model.tables;
        // An agenda that leaves out a session pays at least its penalty; above the
        // target, every agenda within it places them all.
        if p.schedulable_sessions()
            .any(|s| t.unscheduled[s] <= self.target)
        {
            return Listed::TooMany;
        }
        let mut start: Vec<Option<SlotIdx>> = vec![None; p.sessions.len()];
        let mut pinned = vec![false; p.sessions.len()];
        let mut forced_moves = 0;
        for &(s, b) in self.fixed {
            start[s] = Some(b);
            pinned[s] = true;
            forced_moves += usize::from(p.is_move(s, Some(b)));
        }
        let mut pending = Vec::new();
        for s in p.schedulable_sessions().filter(|&s| !pinned[s]) {
            match p.base.get(s).copied().flatten() {
                Some(b) if self.allowed[s].contains(&b) => start[s] = Some(b),
                _ => pending.push(s),
            }
        }
        if forced_moves > self.max_moves {
            return Listed::All(Vec::new());
        }
        let choices = pending
            .iter()
            .try_fold(1u64, |n, &s| n.checked_mul(self.allowed[s].len() as u64))
            .filter(|&n| n <= MAX_PENDING_CHOICES);
        let Some(choices) = choices else {
            return Listed::TooMany;
        };
        let mut state = TimeState::new(model, start);
        let mut within = Vec::new();
        let mut priced = 0u64;
        for choice in 0..choices {
            // The pending sessions' slots, in mixed radix.
            let mut rest = choice;
            let mut placed = Vec::with_capacity(pending.len());
            let mut moves = forced_moves;
            for &s in &pending {
                let options = &self.allowed[s];
                let b = options[(rest % options.len() as u64) as usize];
                rest /= options.len() as u64;
                moves += usize::from(p.is_move(s, Some(b)));
                placed.push((s, Some(b)));
            }
            if moves > self.max_moves {
                continue;
            }
            state.apply(&placed);
            let found = self.around(
                &state,
                &pinned,
                &pending,
                self.max_moves - moves,
                &mut priced,
                &mut within,
            );
            let unplace: Vec<_> = pending.iter().map(|&s| (s, None)).collect();
            state.undo(&unplace);
            if found.is_err() {
                return Listed::TooMany;
            }
        }
        // A stable sort: agendas of one cost stay in the order they were listed.
        within.sort_by_key(|&(cost, _)| cost);
        Listed::All(within)
    }

    /// Adds to `within` every feasible agenda within `moves` moves of `state` (of
    /// sessions neither pinned nor pending) whose time-level cost is at most the
    /// target.
    fn around(
        &self,
        state: &TimeState,
        pinned: &[bool],
        pending: &[SessionIdx],
        moves: usize,
        priced: &mut u64,
        within: &mut Vec<(u64, Vec<Option<SlotIdx>>)>,
    ) -> Result<(), TooMany> {
        let model = self.model;
        let p = model.problem;
        let t = model.tables;
        let cost = model.cost(&state.slot_of);
        let slack = self.target as i64 - cost as i64;
        // Sessions that overlap their own group before any move (a pending session
        // placed on one), checked with the moved ones.
        let mut watched: Vec<SessionIdx> = p
            .schedulable_sessions()
            .filter(|&s| clashes(state, s))
            .collect();
        let watched_len = watched.len();
        // Every move of session s to slot b, with what it adds at least: what s pays
        // alone in b, less everything it takes part in where it is (a term it shares
        // with another moved session is counted twice: still a lower bound).
        let mut items: Vec<(i64, SessionIdx, SlotIdx)> = Vec::new();
        for s in p.schedulable_sessions() {
            if pinned[s] || pending.contains(&s) {
                continue;
            }
            let Some(from) = state.slot_of[s] else {
                continue;
            };
            let saved = self.paid_by(state, s, from) as i64;
            for &b in &self.allowed[s] {
                if b != from {
                    items.push((t.unary[s][b] as i64 - saved, s, b));
                }
            }
        }
        items.sort_unstable();
        let mut scratch = TimeState::new(model, state.slot_of.clone());
        let mut chosen: Vec<Move> = Vec::with_capacity(moves);
        let mut visit = |chosen: &[Move]| -> Result<(), TooMany> {
            *priced += 1;
            if *priced > self.limit {
                return Err(TooMany);
            }
            let previous: Vec<_> = chosen
                .iter()
                .map(|&(s, _)| (s, scratch.slot_of[s]))
                .collect();
            let delta = scratch.apply(chosen);
            let total = (cost as i64 + delta) as u64;
            watched.truncate(watched_len);
            watched.extend(chosen.iter().map(|&(s, _)| s));
            let kept = total <= self.target && feasible(&scratch, &watched);
            if kept {
                within.push((total, scratch.slot_of.clone()));
            }
            scratch.undo(&previous);
            if within.len() > MAX_KEPT {
                return Err(TooMany);
            }
            Ok(())
        };
        visit(&chosen)?;
        extend(&items, 0, 0, slack, moves, &mut chosen, &mut visit)
    }

    /// Everything `s` takes part in at `from`: its own cost there, its overlapping
    /// pairs, its sequences and adjacencies, and one too-small room of the block
    /// when the block has one (taking one session out seats at most one more).
    fn paid_by(&self, state: &TimeState, s: SessionIdx, from: SlotIdx) -> u64 {
        let model = self.model;
        let p = model.problem;
        let t = model.tables;
        let mut paid = t.unary[s][from];
        for &(u, w) in &t.neighbours[s] {
            if state.slot_of[u].is_some_and(|c| p.slots_overlap(from, c)) {
                paid += w;
            }
        }
        paid += model.sequences_of[s]
            .iter()
            .map(|&i| model.sequence_cost(i, &state.slot_of))
            .sum::<u64>();
        paid += model.adjacencies_of[s]
            .iter()
            .map(|&i| model.adjacency_cost(i, &state.slot_of))
            .sum::<u64>();
        if model.too_small_count(from, state.in_slot[from].iter().copied()) > 0 {
            paid += t.too_small;
        }
        paid
    }
}

/// Too many sets of moves to price.
#[derive(Debug)]
pub(crate) struct TooMany;

/// At most this many agendas within the target are kept (each a block per session).
pub(crate) const MAX_KEPT: usize = 10_000;

/// At most this many combinations of slots for the sessions the base does not place.
pub(crate) const MAX_PENDING_CHOICES: u64 = 64;

/// Adds moves from `items[from..]` (sorted by what they add at least) to `chosen`, one
/// per session, and visits every set so made whose bounds sum to at most `slack`.
/// A move is taken only when it and the most the next moves could save (the ones just
/// after it, which save most) stay within the slack; once a move that adds something
/// does not, no later one can.
fn extend(
    items: &[(i64, SessionIdx, SlotIdx)],
    from: usize,
    sum: i64,
    slack: i64,
    moves: usize,
    chosen: &mut Vec<Move>,
    visit: &mut dyn FnMut(&[Move]) -> Result<(), TooMany>,
) -> Result<(), TooMany> {
    if chosen.len() == moves {
        return Ok(());
    }
    let later = moves - chosen.len() - 1;
    for (i, &(added, s, b)) in items.iter().enumerate().skip(from) {
        let saved_later: i64 = items[i + 1..]
            .iter()
            .take(later)
            .map(|&(a, _, _)| a.min(0))
            .sum();
        if sum + added + saved_later > slack {
            if added >= 0 {
                break;
            }
            continue;
        }
        if chosen.iter().any(|&(c, _)| c == s) {
            continue;
        }
        chosen.push((s, Some(b)));
        if sum + added <= slack {
            visit(chosen)?;
        }
        extend(items, i + 1, sum + added, slack, moves, chosen, visit)?;
        chosen.pop();
    }
    Ok(())
}

/// Whether every block keeps one room per session (a block the edit closed a room of
/// may start over) and none of `watched` (the moved sessions, and those that started
/// in a clash) overlaps its own group: only they can.
fn feasible(state: &TimeState, watched: &[SessionIdx]) -> bool {
    let p = state.model.problem;
    let seated = (0..p.slots.len()).all(|b| state.in_slot[b].len() <= p.slots[b].rooms.len());
    seated && !watched.iter().any(|&s| clashes(state, s))
}

/// Whether `s` overlaps a session of a group it shares.
fn clashes(state: &TimeState, s: SessionIdx) -> bool {
    let model = state.model;
    let p = model.problem;
    state.slot_of[s].is_some_and(|b| {
        model.clashes[s]
            .iter()
            .any(|&u| state.slot_of[u].is_some_and(|c| p.slots_overlap(b, c)))
    })
}
