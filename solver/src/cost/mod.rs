//! The evaluator: the single source of truth for what an agenda costs (FORMAT.md
//! section 3). The CLI's `check`, the solver's reports and the service all call
//! [`evaluate`]; nothing else computes cost.
//!
//! Flow: an [`Agenda`] is resolved against a [`Problem`] into a [`Schedule`] (one
//! optional placement per session), collecting reference errors; then the hard rules
//! ([`hard`]) and every priced kind ([`kinds`]) are checked on the schedule.

pub mod hard;
pub mod kinds;

use crate::agenda::{Agenda, Assignment, Unscheduled, Violation, AGENDA_FORMAT};
use crate::penalties::CostKind;
use crate::problem::{Problem, RoomIdx, SessionIdx, SlotIdx};
use crate::time::rfc3339;
use serde::Serialize;
use std::collections::BTreeMap;

pub use hard::{HardError, HardKind};

/// Where one session sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Placement {
    /// The slot.
    pub slot: SlotIdx,
    /// The room.
    pub room: RoomIdx,
}

/// One optional placement per session of the problem, by session index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// By session index: where it sits, or `None` when unplaced.
    pub placement: Vec<Option<Placement>>,
}

impl Schedule {
    /// Every session unplaced.
    pub fn empty(problem: &Problem) -> Schedule {
        Schedule {
            placement: vec![None; problem.sessions.len()],
        }
    }

    /// Where session `s` sits.
    pub fn get(&self, s: SessionIdx) -> Option<Placement> {
        self.placement[s]
    }

    /// Placed sessions, by session index.
    pub fn placed(&self) -> impl Iterator<Item = (SessionIdx, Placement)> + '_ {
        self.placement
            .iter()
            .enumerate()
            .filter_map(|(s, p)| p.map(|p| (s, p)))
    }

    /// Resolves an agenda's names against the problem. Reference problems (unknown
    /// groups, slots, rooms; a session placed twice; a session missing) are returned as
    /// hard errors; everything resolvable is kept, so the rest can still be priced.
    pub fn from_agenda(problem: &Problem, agenda: &Agenda) -> (Schedule, Vec<HardError>) {
        hard::resolve_agenda(problem, agenda)
    }

    /// Builds the `agenda/1` document of this schedule, with the evaluator's verdict.
    pub fn to_agenda(&self, problem: &Problem, evaluation: &Evaluation) -> Agenda {
        let mut assignments: Vec<Assignment> = self
            .placed()
            .map(|(s, p)| {
                let session = &problem.sessions[s];
                let slot = &problem.slots[p.slot];
                Assignment {
                    group: problem.acronym(session.group).to_string(),
                    session: session.number,
                    slot: slot.id.clone(),
                    room: problem.rooms[p.room].id.clone(),
                    start: Some(rfc3339(&slot.start)),
                    end: Some(rfc3339(&problem.session_end(s, p.slot))),
                }
            })
            .collect();
        assignments.sort_by_key(|a| {
            let slot = problem.slot_index(&a.slot).unwrap_or(usize::MAX);
            let room = problem.room_index(&a.room).unwrap_or(usize::MAX);
            (
                problem.slots.get(slot).map(|s| s.start_utc_minute),
                slot,
                room,
            )
        });
        let unscheduled = (0..problem.sessions.len())
            .filter(|&s| self.placement[s].is_none())
            .map(|s| {
                let session = &problem.sessions[s];
                Unscheduled {
                    group: problem.acronym(session.group).to_string(),
                    session: session.number,
                    reason: if session.schedulable {
                        "not placed".to_string()
                    } else {
                        "awaiting AD approval".to_string()
                    },
                }
            })
            .collect();
        Agenda {
            format: AGENDA_FORMAT.to_string(),
            meeting: problem.meeting.clone(),
            status: None,
            cost: Some(evaluation.cost),
            lower_bound: None,
            assignments,
            unscheduled,
            violations: evaluation.violations.clone(),
        }
    }
}

/// Count and total of one cost kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KindTotal {
    /// Violations of the kind.
    pub count: u64,
    /// Their penalties summed.
    pub penalty: u64,
}

/// The evaluator's verdict on a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// Breaches of the hard rules; an agenda with any is not acceptable.
    pub hard_errors: Vec<HardError>,
    /// Every priced violation, in FORMAT.md table order.
    pub violations: Vec<Violation>,
    /// Sum of the violations' penalties.
    pub cost: u64,
    /// Per penalty key; kinds with no violation are left out ([`Evaluation::table`]
    /// gives FORMAT.md table order).
    pub by_kind: BTreeMap<String, KindTotal>,
}

impl Evaluation {
    /// Whether no hard rule is broken.
    pub fn is_acceptable(&self) -> bool {
        self.hard_errors.is_empty()
    }

    /// Per-kind totals in FORMAT.md table order (all kinds, zeros included).
    pub fn table(&self) -> Vec<(CostKind, KindTotal)> {
        CostKind::ALL
            .into_iter()
            .map(|k| (k, self.by_kind.get(k.key()).copied().unwrap_or_default()))
            .collect()
    }
}

/// What every cost-kind function reads: the problem, the schedule, and the overlapping
/// pairs of placed sessions (computed once).
pub struct Context<'a> {
    /// The validated meeting.
    pub problem: &'a Problem,
    /// The schedule to price.
    pub schedule: &'a Schedule,
    /// Unordered pairs `(s, t)`, `s < t`, of placed sessions whose slots overlap.
    pub overlapping: Vec<(SessionIdx, SessionIdx)>,
}

impl<'a> Context<'a> {
    /// The context of `schedule`, with its overlapping pairs computed.
    pub fn new(problem: &'a Problem, schedule: &'a Schedule) -> Context<'a> {
        let mut by_slot: Vec<Vec<SessionIdx>> = vec![Vec::new(); problem.slots.len()];
        for (s, p) in schedule.placed() {
            by_slot[p.slot].push(s);
        }
        let mut overlapping = Vec::new();
        for a in 0..by_slot.len() {
            for b in a..by_slot.len() {
                if !problem.slots_overlap(a, b) {
                    continue;
                }
                for (i, &s) in by_slot[a].iter().enumerate() {
                    let others = if a == b {
                        &by_slot[b][i + 1..]
                    } else {
                        &by_slot[b][..]
                    };
                    for &t in others {
                        overlapping.push((s.min(t), s.max(t)));
                    }
                }
            }
        }
        overlapping.sort_unstable();
        Context {
            problem,
            schedule,
            overlapping,
        }
    }

    /// Both orders of every overlapping pair.
    pub fn ordered_pairs(&self) -> impl Iterator<Item = (SessionIdx, SessionIdx)> + '_ {
        self.overlapping.iter().flat_map(|&(s, t)| [(s, t), (t, s)])
    }

    pub(crate) fn slot_of(&self, s: SessionIdx) -> Option<SlotIdx> {
        self.schedule.get(s).map(|p| p.slot)
    }

    /// A violation about session `s` (and optionally `t`), priced at `units` times the
    /// kind's weight.
    pub fn violation(
        &self,
        kind: CostKind,
        s: SessionIdx,
        other: Option<SessionIdx>,
        units: u64,
        message: String,
    ) -> Violation {
        let p = self.problem;
        Violation {
            kind: kind.key().to_string(),
            group: p.acronym(p.sessions[s].group).to_string(),
            session: p.sessions[s].number,
            other_group: other.map(|t| p.acronym(p.sessions[t].group).to_string()),
            other_session: other.map(|t| p.sessions[t].number),
            slot: self.slot_of(s).map(|slot| p.slots[slot].id.clone()),
            person: None,
            penalty: units.saturating_mul(p.penalties.get(kind)),
            message,
        }
    }
}

/// Evaluates a schedule: hard errors, every priced violation, and the total cost.
pub fn evaluate(problem: &Problem, schedule: &Schedule) -> Evaluation {
    let ctx = Context::new(problem, schedule);
    let hard_errors = hard::check(&ctx);
    let mut violations = Vec::new();
    for kind in CostKind::ALL {
        violations.extend(kinds::violations(kind, &ctx));
    }
    finish(hard_errors, violations)
}

/// Evaluates an agenda document: reference errors from resolving it come first.
pub fn evaluate_agenda(problem: &Problem, agenda: &Agenda) -> (Schedule, Evaluation) {
    let (schedule, mut errors) = Schedule::from_agenda(problem, agenda);
    let evaluation = evaluate(problem, &schedule);
    errors.extend(evaluation.hard_errors);
    let evaluation = Evaluation {
        hard_errors: errors,
        ..evaluation
    };
    (schedule, evaluation)
}

/// The cost of a schedule, without building messages (for search loops).
pub fn cost(problem: &Problem, schedule: &Schedule) -> u64 {
    evaluate(problem, schedule).cost
}

fn finish(hard_errors: Vec<HardError>, violations: Vec<Violation>) -> Evaluation {
    let mut by_kind: BTreeMap<String, KindTotal> = BTreeMap::new();
    let mut cost: u64 = 0;
    for v in &violations {
        let entry = by_kind.entry(v.kind.clone()).or_default();
        entry.count += 1;
        entry.penalty = entry.penalty.saturating_add(v.penalty);
        cost = cost.saturating_add(v.penalty);
    }
    Evaluation {
        hard_errors,
        violations,
        cost,
        by_kind,
    }
}

#[cfg(test)]
pub(crate) mod testing;
