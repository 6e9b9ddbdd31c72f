//! Diagnosis in words: why an instance cannot be fully placed, and which fixed
//! placements cannot all hold.

use crate::cost::{evaluate, Schedule};
use crate::problem::Problem;

/// Session lengths for which more sessions need a block at least that long than there
/// are (block, room) pairs that long: (sessions, minutes, pairs), longest first. Empty
/// when every session can have a block of its length.
pub(super) fn long_block_shortages(p: &Problem) -> Vec<(usize, u32, usize)> {
    let schedulable: Vec<usize> = p.schedulable_sessions().collect();
    let mut lengths: Vec<u32> = schedulable.iter().map(|&s| p.sessions[s].minutes).collect();
    lengths.sort_unstable();
    lengths.dedup();
    let mut short = Vec::new();
    for len in lengths.into_iter().rev() {
        let need = schedulable
            .iter()
            .filter(|&&s| p.sessions[s].minutes >= len)
            .count();
        let have: usize = p
            .slots
            .iter()
            .filter(|s| s.minutes >= len)
            .map(|s| s.rooms.len())
            .sum();
        if need > have {
            short.push((need, len, have));
        }
    }
    short
}

/// Hard-rule breaches among the fixed placements alone.
pub(super) fn fixed_conflicts(p: &Problem) -> Vec<String> {
    let mut s = Schedule::empty(p);
    for f in &p.fixed {
        let room = f
            .room
            .unwrap_or_else(|| p.slots[f.slot].rooms.first().copied().unwrap_or(0));
        s.placement[f.session] = Some(crate::cost::Placement { slot: f.slot, room });
    }
    let e = evaluate(p, &s);
    e.hard_errors
        .iter()
        .filter(|h| !matches!(h.kind, crate::cost::HardKind::MissingSession))
        .map(|h| format!("fixed placements cannot all hold: {}", h.message))
        .collect()
}

/// Why an instance cannot be fully placed, in words (empty when nothing forbids it).
pub fn diagnose(p: &Problem) -> Vec<String> {
    let mut out = Vec::new();
    let schedulable: Vec<usize> = p.schedulable_sessions().collect();
    let pairs: usize = p.slots.iter().map(|s| s.rooms.len()).sum();
    if schedulable.len() > pairs {
        out.push(format!(
            "{} sessions but only {pairs} (block, room) pairs",
            schedulable.len()
        ));
    }
    for (need, len, have) in long_block_shortages(p) {
        out.push(format!(
            "{need} sessions need a {len}-minute block but only {have} (block, room) pairs are that long: the rest are trimmed"
        ));
    }
    for (g, sessions) in p.group_sessions.iter().enumerate() {
        let n = sessions
            .iter()
            .filter(|&&s| p.sessions[s].schedulable)
            .count();
        if n > p.slots.len() {
            out.push(format!(
                "{} has {n} sessions but the meeting has {} blocks",
                p.acronym(g),
                p.slots.len()
            ));
        }
    }
    out
}
