//! Helpers shared by the integration tests: fixture paths, the shared IETF datasets
//! (skipped with a notice when `../shared/datasets` is absent), and a first-fit
//! placement used only to get a valid agenda to export, never as a solver.

use agenda_solver::cost::{Placement, Schedule};
use agenda_solver::Problem;
use std::path::PathBuf;

/// A file under `tests/data`.
pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A file of the shared IETF datasets, or `None` (with a notice) when they are absent.
pub fn shared_dataset(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/datasets")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "NOTICE: {} is absent; skipping the part of this test that needs it",
            path.display()
        );
        None
    }
}

/// Places every schedulable session in the first free (slot, room) that respects the
/// hard rules, longest sessions first, preferring slots long enough and rooms big
/// enough. Cost is ignored: this exists to produce valid agendas for export tests.
pub fn first_fit(p: &Problem) -> Schedule {
    let mut schedule = Schedule::empty(p);
    let mut order: Vec<usize> = p.schedulable_sessions().collect();
    order.sort_by_key(|&s| (std::cmp::Reverse(p.sessions[s].minutes), s));
    for s in order {
        let session = &p.sessions[s];
        let mut best: Option<(u32, Placement)> = None;
        for (slot, info) in p.slots.iter().enumerate() {
            let clash = schedule.placed().any(|(t, pl)| {
                p.slots_overlap(slot, pl.slot)
                    && p.sessions[t]
                        .members
                        .iter()
                        .any(|g| session.members.contains(g))
            });
            if clash {
                continue;
            }
            for &room in &info.rooms {
                let busy = schedule
                    .placed()
                    .any(|(_, pl)| pl.room == room && p.slots_overlap(slot, pl.slot));
                if busy {
                    continue;
                }
                let short = u32::from(info.minutes < session.minutes);
                let small = u32::from(
                    p.rooms[room]
                        .capacity
                        .is_some_and(|c| c < session.attendees),
                );
                let score = short * 2 + small;
                if best.is_none_or(|(b, _)| score < b) {
                    best = Some((score, Placement { slot, room }));
                }
            }
        }
        if let Some((_, placement)) = best {
            schedule.placement[s] = Some(placement);
        }
    }
    schedule
}

/// The generated meetings of the benchmark suite (`benches/suite.rs`) with one knob of
/// the generator turned, shared with the test that checks their bounds: (name,
/// `agenda generate` flags, shape). Each is 125 sessions in 8 rooms.
pub fn suite_shapes() -> Vec<(&'static str, &'static str, agenda_solver::generate::Shape)> {
    use agenda_solver::generate::Shape;
    let d = Shape::default();
    vec![
        (
            "fill75",
            "--fill 0.75",
            Shape {
                fill: Some(0.75),
                ..d
            },
        ),
        (
            "fill99",
            "--fill 0.99",
            Shape {
                fill: Some(0.99),
                ..d
            },
        ),
        (
            "conflicts2",
            "--conflicts 2",
            Shape {
                conflicts: 2.0,
                ..d
            },
        ),
        (
            "conflicts05",
            "--conflicts 0.5",
            Shape {
                conflicts: 0.5,
                ..d
            },
        ),
        ("long2", "--long 2", Shape { long: 2.0, ..d }),
        ("bofs30", "--bofs 0.3", Shape { bofs: 0.3, ..d }),
    ]
}

/// `agenda` with its first assignment and the first one in another block trading places
/// (their explicit times dropped), and the two as they were: a two-session change for
/// the diff tests.
pub fn trade_two_blocks(
    agenda: &agenda_solver::Agenda,
) -> (
    agenda_solver::Agenda,
    agenda_solver::Assignment,
    agenda_solver::Assignment,
) {
    let mut after = agenda.clone();
    let j = (1..after.assignments.len())
        .find(|&j| after.assignments[j].slot != after.assignments[0].slot)
        .expect("two assignments in different blocks");
    let (a, b) = (after.assignments[0].clone(), after.assignments[j].clone());
    (after.assignments[0].slot, after.assignments[0].room) = (b.slot.clone(), b.room.clone());
    (after.assignments[j].slot, after.assignments[j].room) = (a.slot.clone(), a.room.clone());
    for x in [0, j] {
        (after.assignments[x].start, after.assignments[x].end) = (None, None);
    }
    (after, a, b)
}
