//! The IETF agenda engine's pure core.
//!
//! Data flows one way:
//! parse ([`load`]) → validate ([`validate()`], giving a [`Problem`]; one request at a time
//! against a [`MeetingIndex`]) → conflict graph
//! ([`graph`]) → placement → agenda ([`Agenda`]) → report ([`cost::evaluate`]) / export
//! ([`export`]).
//!
//! Nothing here does I/O beyond reading the files it is asked to read, spawns threads,
//! or keeps global state; the CLI and the gRPC service are thin adapters over it.

#![warn(missing_docs)]

pub mod agenda;
pub mod cost;
pub mod datatracker;
pub mod diff;
pub mod export;
pub mod generate;
pub mod graph;
pub mod instance;
pub mod interim;
pub mod load;
pub mod online;
pub mod penalties;
pub mod problem;
pub mod rng;
pub mod schema;
pub mod solve;
pub mod time;
pub mod validate;
pub mod whatif;

pub use agenda::{Agenda, Assignment, Unscheduled, Violation};
pub use cost::{evaluate, evaluate_agenda, Evaluation, Placement, Schedule};
pub use instance::Instance;
pub use load::{load_agenda, load_instance, parse_agenda, parse_instance, LoadError};
pub use penalties::{CostKind, Penalties};
pub use problem::Problem;
pub use validate::{validate, InvalidInstance, Issue, MeetingIndex, Severity, Validation};
