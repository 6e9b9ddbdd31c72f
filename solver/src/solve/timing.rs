//! The time-level view of an agenda: which slot each session is in, priced with
//! [`CostTables`] and, for room sizes, with the exact too-small count a best room
//! assignment reaches in each block (room sizes are nested, so a greedy matching of the
//! largest sessions to the largest rooms is optimal).
//!
//! Adjacency is counted as held when the two groups meet in adjacent slots; the room
//! assignment then tries to seat them in one room. So the time cost is a lower bound of
//! the evaluator's cost of the final agenda, equal to it whenever that succeeds.

use super::tables::CostTables;
use crate::problem::{Problem, SessionIdx, SlotIdx};

/// Sessions that cannot share a block (a common member group), and each session's
/// sequences and adjacencies, for fast deltas.
pub struct TimeModel<'a> {
    pub problem: &'a Problem,
    pub tables: &'a CostTables,
    /// For each session, the sessions sharing a member group with it.
    pub clashes: Vec<Vec<SessionIdx>>,
    pub sequences_of: Vec<Vec<usize>>,
    pub adjacencies_of: Vec<Vec<usize>>,
    /// Room capacities open in each slot, largest first (`u32::MAX` for unlimited).
    pub capacities: Vec<Vec<u32>>,
    /// For each slot, the slots overlapping it (itself included).
    pub overlapping: Vec<Vec<SlotIdx>>,
    /// The room of each session fixed to a room: its room is out of the block's pool,
    /// and whether it is too small is settled ([`TimeModel::fixed_room_cost`]).
    pub fixed_room: Vec<Option<crate::problem::RoomIdx>>,
    /// `too_small_room` paid by sessions fixed to rooms too small for them.
    pub fixed_room_cost: u64,
    /// Sessions no model may leave out: the fixed ones, once the greedy start has
    /// placed them all (leaving one out breaks a hard rule, `fixed_moved`, which the
    /// time-level cost does not see). False for every session until the solve sets it.
    pub must_place: Vec<bool>,
}

impl<'a> TimeModel<'a> {
    pub fn new(problem: &'a Problem, tables: &'a CostTables) -> TimeModel<'a> {
        let n = problem.sessions.len();
        let mut clashes = vec![Vec::new(); n];
        for sessions in &problem.group_sessions {
            for &s in sessions {
                for &t in sessions {
                    if s != t && !clashes[s].contains(&t) {
                        clashes[s].push(t);
                    }
                }
            }
        }
        let mut sequences_of = vec![Vec::new(); n];
        for (i, q) in tables.sequences.iter().enumerate() {
            sequences_of[q.first].push(i);
            sequences_of[q.second].push(i);
        }
        let mut adjacencies_of = vec![Vec::new(); n];
        for (i, a) in tables.adjacencies.iter().enumerate() {
            for &s in a.ours.iter().chain(&a.theirs) {
                if !adjacencies_of[s].contains(&i) {
                    adjacencies_of[s].push(i);
                }
            }
        }
        let mut fixed_room = vec![None; n];
        let mut fixed_room_cost = 0;
        for f in &problem.fixed {
            if let Some(r) = f.room {
                fixed_room[f.session] = Some(r);
                if problem.rooms[r]
                    .capacity
                    .is_some_and(|c| c < problem.sessions[f.session].attendees)
                {
                    fixed_room_cost += tables.too_small;
                }
            }
        }
        let capacities = problem
            .slots
            .iter()
            .enumerate()
            .map(|(b, slot)| {
                let taken: Vec<_> = problem
                    .fixed
                    .iter()
                    .filter(|f| f.slot == b)
                    .filter_map(|f| f.room)
                    .collect();
                let mut c: Vec<u32> = slot
                    .rooms
                    .iter()
                    .filter(|r| !taken.contains(r))
                    .map(|&r| problem.rooms[r].capacity.unwrap_or(u32::MAX))
                    .collect();
                c.sort_unstable_by(|a, b| b.cmp(a));
                c
            })
            .collect();
        let m = problem.slots.len();
        let overlapping = (0..m)
            .map(|a| (0..m).filter(|&b| problem.slots_overlap(a, b)).collect())
            .collect();
        TimeModel {
            problem,
            tables,
            clashes,
            sequences_of,
            adjacencies_of,
            capacities,
            overlapping,
            fixed_room,
            fixed_room_cost,
            must_place: vec![false; n],
        }
    }

    /// Sessions too large for any room a best assignment can give them in `slot`
    /// (sessions fixed to a room are priced in [`TimeModel::fixed_room_cost`]).
    pub fn too_small_count(
        &self,
        slot: SlotIdx,
        sessions: impl Iterator<Item = SessionIdx>,
    ) -> u64 {
        let mut attendees: Vec<u32> = sessions
            .filter(|&s| self.fixed_room[s].is_none())
            .map(|s| self.problem.sessions[s].attendees)
            .collect();
        attendees.sort_unstable_by(|a, b| b.cmp(a));
        let caps = &self.capacities[slot];
        let mut fitted = 0;
        let mut room = 0;
        for a in &attendees {
            if room < caps.len() && caps[room] >= *a {
                fitted += 1;
                room += 1;
            }
        }
        (attendees.len() - fitted) as u64
    }

    pub(crate) fn sequence_cost(&self, i: usize, slot_of: &[Option<SlotIdx>]) -> u64 {
        let q = &self.tables.sequences[i];
        match (slot_of[q.first], slot_of[q.second]) {
            (Some(a), Some(b)) => q.cost[a][b],
            _ => q.unplaced,
        }
    }

    pub(crate) fn adjacency_cost(&self, i: usize, slot_of: &[Option<SlotIdx>]) -> u64 {
        let a = &self.tables.adjacencies[i];
        let held = a.ours.iter().any(|&s| {
            a.theirs.iter().any(|&t| match (slot_of[s], slot_of[t]) {
                (Some(x), Some(y)) => self.tables.adjacent_slots[x][y],
                _ => false,
            })
        });
        if held {
            0
        } else {
            a.penalty
        }
    }

    /// The full time-level cost.
    pub fn cost(&self, slot_of: &[Option<SlotIdx>]) -> u64 {
        let p = self.problem;
        let t = self.tables;
        let mut total = self.fixed_room_cost;
        let mut by_slot: Vec<Vec<SessionIdx>> = vec![Vec::new(); p.slots.len()];
        for s in p.schedulable_sessions() {
            match slot_of[s] {
                Some(b) => {
                    total += t.unary[s][b];
                    by_slot[b].push(s);
                }
                None => total += t.unscheduled[s],
            }
        }
        for &(s, u, w) in &t.pairs {
            if let (Some(a), Some(b)) = (slot_of[s], slot_of[u]) {
                if p.slots_overlap(a, b) {
                    total += w;
                }
            }
        }
        total += (0..t.sequences.len())
            .map(|i| self.sequence_cost(i, slot_of))
            .sum::<u64>();
        total += (0..t.adjacencies.len())
            .map(|i| self.adjacency_cost(i, slot_of))
            .sum::<u64>();
        for (b, sessions) in by_slot.iter().enumerate() {
            total += t.too_small * self.too_small_count(b, sessions.iter().copied());
        }
        total
    }
}

/// A mutable time-level schedule with per-slot occupancy, for local search.
pub struct TimeState<'m, 'a> {
    pub model: &'m TimeModel<'a>,
    pub slot_of: Vec<Option<SlotIdx>>,
    pub in_slot: Vec<Vec<SessionIdx>>,
}

impl<'m, 'a> TimeState<'m, 'a> {
    pub fn new(model: &'m TimeModel<'a>, slot_of: Vec<Option<SlotIdx>>) -> Self {
        let mut in_slot = vec![Vec::new(); model.problem.slots.len()];
        for (s, b) in slot_of.iter().enumerate() {
            if let Some(b) = b {
                in_slot[*b].push(s);
            }
        }
        TimeState {
            model,
            slot_of,
            in_slot,
        }
    }

    /// Whether `s` may go to `slot` (ignoring `ignore`, a session about to leave): a room
    /// is free there and no session of a shared group overlaps it.
    pub fn fits(&self, s: SessionIdx, slot: SlotIdx, ignore: Option<SessionIdx>) -> bool {
        let m = self.model;
        let occupied = self.in_slot[slot]
            .iter()
            .filter(|&&x| Some(x) != ignore && x != s)
            .count();
        if occupied >= m.problem.slots[slot].rooms.len() {
            return false;
        }
        !m.clashes[s].iter().any(|&t| {
            Some(t) != ignore && self.slot_of[t].is_some_and(|b| m.problem.slots_overlap(b, slot))
        })
    }

    /// The cost terms touching `sessions` and `slots`, at the current state.
    fn local_cost(&self, sessions: &[SessionIdx], slots: &[SlotIdx]) -> u64 {
        let m = self.model;
        let t = m.tables;
        let mut total = 0;
        let mut seqs: Vec<usize> = Vec::new();
        let mut adjs: Vec<usize> = Vec::new();
        for (i, &s) in sessions.iter().enumerate() {
            match self.slot_of[s] {
                Some(b) => {
                    total += t.unary[s][b];
                    for &(u, w) in &t.neighbours[s] {
                        // A pair inside `sessions` is counted once, by its first member.
                        if sessions[..i].contains(&u) {
                            continue;
                        }
                        if let Some(c) = self.slot_of[u] {
                            if m.problem.slots_overlap(b, c) {
                                total += w;
                            }
                        }
                    }
                }
                None => {
                    if m.problem.sessions[s].schedulable {
                        total += t.unscheduled[s];
                    }
                }
            }
            seqs.extend(&m.sequences_of[s]);
            adjs.extend(&m.adjacencies_of[s]);
        }
        seqs.sort_unstable();
        seqs.dedup();
        adjs.sort_unstable();
        adjs.dedup();
        total += seqs
            .iter()
            .map(|&i| m.sequence_cost(i, &self.slot_of))
            .sum::<u64>();
        total += adjs
            .iter()
            .map(|&i| m.adjacency_cost(i, &self.slot_of))
            .sum::<u64>();
        let mut blocks = slots.to_vec();
        blocks.sort_unstable();
        blocks.dedup();
        for b in blocks {
            total += t.too_small * m.too_small_count(b, self.in_slot[b].iter().copied());
        }
        total
    }

    fn set(&mut self, s: SessionIdx, slot: Option<SlotIdx>) {
        if let Some(old) = self.slot_of[s] {
            self.in_slot[old].retain(|&x| x != s);
        }
        if let Some(new) = slot {
            self.in_slot[new].push(s);
        }
        self.slot_of[s] = slot;
    }

    /// Applies a set of moves and returns the cost change; `undo` restores.
    pub fn apply(&mut self, moves: &[(SessionIdx, Option<SlotIdx>)]) -> i64 {
        let sessions: Vec<SessionIdx> = moves.iter().map(|m| m.0).collect();
        let mut slots: Vec<SlotIdx> = moves
            .iter()
            .flat_map(|&(s, to)| [self.slot_of[s], to])
            .flatten()
            .collect();
        slots.sort_unstable();
        slots.dedup();
        let before = self.local_cost(&sessions, &slots) as i64;
        for &(s, to) in moves {
            self.set(s, to);
        }
        let after = self.local_cost(&sessions, &slots) as i64;
        after - before
    }

    /// Moves every session back where `previous` says.
    pub fn undo(&mut self, previous: &[(SessionIdx, Option<SlotIdx>)]) {
        for &(s, to) in previous {
            self.set(s, to);
        }
    }
}
