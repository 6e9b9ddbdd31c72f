//! What changed between two agendas of one meeting: the sessions that moved (to
//! another block, or only to another room), those placed or left out, the violations
//! added and removed, and the cost by kind before and after, both priced by the
//! evaluator under the same instance.

use crate::agenda::{Agenda, Violation};
use crate::cost::{evaluate_agenda, Evaluation};
use crate::penalties::CostKind;
use crate::problem::Problem;
use serde::Serialize;
use std::collections::BTreeMap;

/// How a session changed between the two agendas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Another block (and maybe another room).
    Time,
    /// The same block, another room.
    Room,
    /// Placed in the second agenda only.
    Placed,
    /// Placed in the first agenda only.
    LeftOut,
}

/// One session that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// The group's acronym.
    pub group: String,
    /// The session number.
    pub session: u32,
    /// Moved to another block, to another room only, placed, or left out.
    pub change: Change,
    /// Block and room in the first agenda (None: not placed there).
    pub from: Option<(String, String)>,
    /// Block and room in the second agenda (None: not placed there).
    pub to: Option<(String, String)>,
}

/// The cost of one kind in both agendas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindChange {
    /// The penalty key.
    pub kind: &'static str,
    /// Its cost in the first agenda.
    pub before: u64,
    /// Its cost in the second agenda.
    pub after: u64,
}

/// Everything that differs between agenda `a` (before) and `b` (after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgendaDiff {
    /// The first agenda's cost under the instance.
    pub cost_before: u64,
    /// The second agenda's cost under the instance.
    pub cost_after: u64,
    /// Sessions that changed, in the order of the sessions of the meeting.
    pub moves: Vec<Move>,
    /// Violations of the second agenda that the first does not have.
    pub violations_added: Vec<Violation>,
    /// Violations of the first agenda that the second does not have.
    pub violations_removed: Vec<Violation>,
    /// Kinds whose cost differs.
    pub by_kind: Vec<KindChange>,
    /// Hard errors of either agenda, in words (a diff of unusable agendas still shows).
    pub hard_errors: Vec<String>,
}

impl AgendaDiff {
    /// Sessions moved to another block.
    pub fn moved_in_time(&self) -> usize {
        self.moves
            .iter()
            .filter(|m| m.change == Change::Time)
            .count()
    }
}

/// The diff of `a` (before) and `b` (after) under `problem`.
pub fn diff(problem: &Problem, a: &Agenda, b: &Agenda) -> AgendaDiff {
    let (sa, ea) = evaluate_agenda(problem, a);
    let (sb, eb) = evaluate_agenda(problem, b);
    let at = |s: usize, schedule: &crate::cost::Schedule| {
        schedule.get(s).map(|pl| {
            (
                problem.slots[pl.slot].id.clone(),
                problem.rooms[pl.room].id.clone(),
            )
        })
    };
    let moves = (0..problem.sessions.len())
        .filter_map(|s| {
            let (from, to) = (at(s, &sa), at(s, &sb));
            let change = match (&from, &to) {
                (Some(f), Some(t)) if f.0 != t.0 => Change::Time,
                (Some(f), Some(t)) if f.1 != t.1 => Change::Room,
                (None, Some(_)) => Change::Placed,
                (Some(_), None) => Change::LeftOut,
                _ => return None,
            };
            Some(Move {
                group: problem.acronym(problem.sessions[s].group).to_string(),
                session: problem.sessions[s].number,
                change,
                from,
                to,
            })
        })
        .collect();
    let (violations_added, violations_removed) = violation_changes(&ea, &eb);
    let by_kind = CostKind::ALL
        .into_iter()
        .filter_map(|k| {
            let get = |e: &Evaluation| e.by_kind.get(k.key()).map_or(0, |t| t.penalty);
            let (before, after) = (get(&ea), get(&eb));
            (before != after).then_some(KindChange {
                kind: k.key(),
                before,
                after,
            })
        })
        .collect();
    let hard_errors = [("before", &ea), ("after", &eb)]
        .into_iter()
        .flat_map(|(which, e)| {
            e.hard_errors
                .iter()
                .map(move |h| format!("{which}: {}", h.message))
        })
        .collect();
    AgendaDiff {
        cost_before: ea.cost,
        cost_after: eb.cost,
        moves,
        violations_added,
        violations_removed,
        by_kind,
        hard_errors,
    }
}

/// `agenda diff`'s text: the sessions that changed, the violations added and removed,
/// the cost by kind before and after, hard errors, and the two costs.
pub fn to_text(d: &AgendaDiff) -> String {
    use crate::export::text::group_digits;
    use std::fmt::Write;
    let mut o = String::new();
    let place = |p: &Option<(String, String)>| {
        p.as_ref()
            .map_or("-".to_string(), |(slot, room)| format!("{slot} {room}"))
    };
    let _ = writeln!(
        o,
        "{} session(s) changed: {} to another block, {} to another room only",
        d.moves.len(),
        d.moved_in_time(),
        d.moves.iter().filter(|m| m.change == Change::Room).count()
    );
    for m in &d.moves {
        let _ = writeln!(
            o,
            "  {:<14} #{}  {:<24} -> {}",
            m.group,
            m.session,
            place(&m.from),
            place(&m.to)
        );
    }
    for (title, list) in [
        ("Violations added", &d.violations_added),
        ("Violations removed", &d.violations_removed),
    ] {
        if !list.is_empty() {
            let _ = writeln!(o, "\n{title} ({}):", list.len());
            for v in list {
                let _ = writeln!(
                    o,
                    "  {:>10}  {:<36} {}",
                    group_digits(v.penalty),
                    v.kind,
                    v.message
                );
            }
        }
    }
    if !d.by_kind.is_empty() {
        let _ = writeln!(o, "\n{:<36} {:>12} {:>12}", "kind", "before", "after");
        for k in &d.by_kind {
            let _ = writeln!(
                o,
                "{:<36} {:>12} {:>12}",
                k.kind,
                group_digits(k.before),
                group_digits(k.after)
            );
        }
    }
    for h in &d.hard_errors {
        let _ = writeln!(o, "hard error {h}");
    }
    let _ = writeln!(
        o,
        "\ncost {} -> {}",
        group_digits(d.cost_before),
        group_digits(d.cost_after)
    );
    o
}

/// Violations of `b` not in `a`, and of `a` not in `b`, matched as multisets by kind
/// and message (a message names the sessions, so the same breach matches itself).
fn violation_changes(a: &Evaluation, b: &Evaluation) -> (Vec<Violation>, Vec<Violation>) {
    let key = |v: &Violation| (v.kind.clone(), v.message.clone());
    let mut count: BTreeMap<(String, String), i64> = BTreeMap::new();
    for v in &a.violations {
        *count.entry(key(v)).or_default() += 1;
    }
    let mut added = Vec::new();
    for v in &b.violations {
        let c = count.entry(key(v)).or_default();
        if *c > 0 {
            *c -= 1;
        } else {
            added.push(v.clone());
        }
    }
    let mut removed = Vec::new();
    for v in a.violations.iter().rev() {
        let c = count.entry(key(v)).or_default();
        if *c > 0 {
            *c -= 1;
            removed.push(v.clone());
        }
    }
    removed.reverse();
    (added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load_agenda, load_instance, validate};

    fn tiny() -> (Problem, Agenda) {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/");
        let inst = load_instance(format!("{root}tiny.json")).unwrap();
        let agenda = load_agenda(format!("{root}tiny-agenda.json")).unwrap();
        (validate(&inst).problem.unwrap(), agenda)
    }

    #[test]
    fn an_agenda_against_itself_has_no_changes() {
        let (p, a) = tiny();
        let d = diff(&p, &a, &a);
        assert!(d.moves.is_empty() && d.by_kind.is_empty());
        assert!(d.violations_added.is_empty() && d.violations_removed.is_empty());
        assert_eq!(d.cost_before, d.cost_after);
    }

    #[test]
    fn a_swap_of_two_blocks_lists_exactly_the_two_sessions_and_the_cost_change() {
        let (p, a) = tiny();
        let mut b = a.clone();
        let (i, j) = (0..b.assignments.len())
            .flat_map(|i| (0..b.assignments.len()).map(move |j| (i, j)))
            .find(|&(i, j)| b.assignments[i].slot != b.assignments[j].slot)
            .unwrap();
        let (si, sj) = (b.assignments[i].slot.clone(), b.assignments[j].slot.clone());
        let (ri, rj) = (b.assignments[i].room.clone(), b.assignments[j].room.clone());
        (b.assignments[i].slot, b.assignments[i].room) = (sj, rj);
        (b.assignments[j].slot, b.assignments[j].room) = (si, ri);
        b.assignments[i].start = None;
        b.assignments[j].start = None;
        b.assignments[i].end = None;
        b.assignments[j].end = None;
        let d = diff(&p, &a, &b);
        assert_eq!(d.moved_in_time(), 2, "{:#?}", d.moves);
        assert_eq!(d.moves.len(), 2);
        let moved: Vec<&str> = d.moves.iter().map(|m| m.group.as_str()).collect();
        assert!(moved.contains(&b.assignments[i].group.as_str()));
        assert!(moved.contains(&b.assignments[j].group.as_str()));
        let (_, eb) = evaluate_agenda(&p, &b);
        assert_eq!(d.cost_after, eb.cost);
        let net: i128 = d
            .by_kind
            .iter()
            .map(|k| k.after as i128 - k.before as i128)
            .sum();
        assert_eq!(net, d.cost_after as i128 - d.cost_before as i128);
        let added: u64 = d.violations_added.iter().map(|v| v.penalty).sum();
        let removed: u64 = d.violations_removed.iter().map(|v| v.penalty).sum();
        assert_eq!(
            added as i128 - removed as i128,
            d.cost_after as i128 - d.cost_before as i128
        );
    }
}
