//! The proven bound is never above the best agenda ever found (issue 30): every 125 x 8
//! meeting of the benchmark suite whose best-known agenda is recorded in
//! `datasets/suite/best-known.json`, solved briefly, must report a bound at most that
//! cost. A bound above it would be a false proof.

use agenda_solver::generate::{generate, GenerateOptions, Shape};
use agenda_solver::solve::{solve, SolveOptions};
use agenda_solver::validate;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The suite's 125 x 8 meetings by their best-known-table key.
fn meetings() -> Vec<(String, GenerateOptions)> {
    let options = |seed, shape| GenerateOptions {
        sessions: 125,
        rooms: 8,
        seed,
        shape,
    };
    let mut out: Vec<(String, GenerateOptions)> = (1..=12)
        .map(|seed| {
            (
                format!("gen-125x8-s{seed}"),
                options(seed, Shape::default()),
            )
        })
        .collect();
    for (name, _, shape) in ietf_agenda::suite_shapes() {
        for seed in 1..=2 {
            out.push((format!("gen-125x8-{name}-s{seed}"), options(seed, shape)));
        }
    }
    out
}

#[test]
fn no_bound_is_above_the_best_known_agenda() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/suite/best-known.json");
    let table: BTreeMap<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let options = SolveOptions::checked(2.0, 0.0, 1, 1).unwrap();
    let mut checked = 0;
    for (key, generate_options) in meetings() {
        let Some(best) = table.get(&key).and_then(|b| b["cost"].as_u64()) else {
            continue;
        };
        let problem = validate(&generate(&generate_options).unwrap())
            .problem
            .unwrap();
        let r = solve(&problem, &options, &mut |_| {});
        let bound = r.lower_bound.expect("a bound");
        assert!(
            bound <= best,
            "{key}: bound {bound} above the best known {best}"
        );
        assert!(bound <= r.evaluation.cost, "{key}");
        checked += 1;
    }
    assert!(
        checked >= 24,
        "only {checked} meetings have a best-known agenda"
    );
}
