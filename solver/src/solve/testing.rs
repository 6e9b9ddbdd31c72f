//! Generated meetings for the solver's unit tests.

use crate::generate::{generate, GenerateOptions};
use crate::problem::{Problem, SessionIdx};
use crate::solve::timing::TimeModel;

/// A generated meeting of about `sessions` sessions in `rooms` rooms.
pub fn generated(sessions: usize, rooms: usize, seed: u64) -> Problem {
    let inst = generate(&GenerateOptions {
        sessions,
        rooms,
        seed,
        shape: Default::default(),
    })
    .expect("valid generator options");
    Problem::from_instance(&inst).expect("a generated instance is valid")
}

/// The schedulable sessions by the summed weights of their priced pairs, heaviest first
/// (the most conflicted ones: a core for a test).
pub fn heaviest_sessions(model: &TimeModel) -> Vec<SessionIdx> {
    let mut sessions: Vec<SessionIdx> = model.problem.schedulable_sessions().collect();
    sessions.sort_by_key(|&s| {
        std::cmp::Reverse(model.tables.neighbours[s].iter().map(|w| w.1).sum::<u64>())
    });
    sessions
}
