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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::testing::generated;

    /// `agenda generate --sessions 125 --rooms 8 --seed 10` has more sessions of 120
    /// minutes than (block, room) pairs that long, so trims are forced and said so;
    /// `--sessions 250 --rooms 16 --seed 5` (114 such sessions, 126 pairs) has none,
    /// so its scouts' trims are a basin, not a necessity (the trim-averse scouts).
    #[test]
    fn long_block_shortages_count_sessions_against_pairs() {
        let short = generated(125, 8, 10);
        assert_eq!(long_block_shortages(&short), vec![(73, 120, 62)]);
        assert!(diagnose(&short)
            .iter()
            .any(|m| m.starts_with("73 sessions need a 120-minute block but only 62")));
        let enough = generated(250, 16, 5);
        assert!(long_block_shortages(&enough).is_empty());
        assert!(!diagnose(&enough)
            .iter()
            .any(|m| m.contains("-minute block")));
    }
}
