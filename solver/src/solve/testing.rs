//! Generated meetings for the solver's unit tests.

use crate::generate::{generate, GenerateOptions};
use crate::problem::Problem;

/// A generated meeting of about `sessions` sessions in `rooms` rooms.
pub fn generated(sessions: usize, rooms: usize, seed: u64) -> Problem {
    let inst = generate(&GenerateOptions {
        sessions,
        rooms,
        seed,
    })
    .expect("valid generator options");
    Problem::from_instance(&inst).expect("a generated instance is valid")
}
