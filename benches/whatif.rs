//! Speed of what-if re-solves (issue 28): generated single edits of each real dataset
//! and of the IETF-sized synthetic, each re-solved from the meeting's optimal agenda
//! with the minimal-change objective. Prints per meeting how many were proven optimal
//! within the time limit, the median and 90th-percentile times, and the slowest edits.
//!
//! `cargo bench --bench whatif`: 100 edits of each meeting, 5 s each, two at a time
//! (each solve on one thread), about 15 minutes on 2 cores. `AGENDA_WHATIF_ONLY=ietf106`
//! runs the meetings whose name contains that; `AGENDA_WHATIF_EDITS=20` fewer edits;
//! `AGENDA_WHATIF_RULE=max-moves:K` or `lexicographic` another move rule (default
//! `move-cost:10000`).

use agenda_solver::solve::{solve, SolveOptions, Status};
use agenda_solver::whatif::{self, WhatIfOptions};
use agenda_solver::{load_instance, validate};
use ietf_agenda::shared_dataset;
use std::path::PathBuf;

/// Each edit's time limit, the target's "proven within".
const LIMIT_SECONDS: f64 = 5.0;
/// How long the base agenda's solve may take.
const BASE_SECONDS: f64 = 60.0;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let only = std::env::var("AGENDA_WHATIF_ONLY").unwrap_or_default();
    let edits: usize = std::env::var("AGENDA_WHATIF_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let rule = std::env::var("AGENDA_WHATIF_RULE").unwrap_or_default();
    let moves = match rule.split_once(':') {
        Some(("max-moves", k)) => whatif::checked_move_rule(None, k.parse().ok(), false),
        Some(("move-cost", c)) => whatif::checked_move_rule(c.parse().ok(), None, false),
        _ if rule == "lexicographic" => whatif::checked_move_rule(None, None, true),
        _ => whatif::checked_move_rule(None, None, false),
    }
    .expect("AGENDA_WHATIF_RULE: move-cost:N, max-moves:K or lexicographic");
    println!("move rule: {moves:?}\n");
    let meetings = [
        ("ietf106", shared_dataset("ietf106.json")),
        ("ietf106-2020", shared_dataset("ietf106-2020.json")),
        ("ietf-125x8", Some(root.join("datasets/ietf-125x8.json"))),
    ];
    println!("| meeting | edits | proven in {LIMIT_SECONDS} s | median | p90 | slowest |");
    println!("|---|---|---|---|---|---|");
    for (name, path) in meetings {
        let Some(path) = path.filter(|_| name.contains(&only)) else {
            continue;
        };
        let instance = load_instance(&path).expect("a bundled meeting loads");
        let problem = validate(&instance)
            .problem
            .expect("a bundled meeting is valid");
        let options = SolveOptions::checked(BASE_SECONDS, 0.0, 2, 1).expect("valid options");
        let report = solve(&problem, &options, &mut |_| {});
        let base = report.to_agenda(&problem);
        let scenarios = whatif::generate(&instance, &base, edits, 1);
        let options = WhatIfOptions {
            solve: SolveOptions::checked(LIMIT_SECONDS, 0.0, 1, 1).expect("valid options"),
            moves,
            jobs: 2,
        };
        let run = whatif::run(&instance, &base, &scenarios, &options, &|_| {})
            .expect("generated edits apply");
        let mut times: Vec<f64> = run.outcomes.iter().map(|o| o.seconds).collect();
        times.sort_by(f64::total_cmp);
        let proven = run
            .outcomes
            .iter()
            .filter(|o| o.status == Status::Optimal)
            .count();
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        let mut slowest: Vec<(&str, f64, String)> = run
            .outcomes
            .iter()
            .zip(&scenarios)
            .map(|(o, s)| {
                (
                    o.scenario.as_str(),
                    o.seconds,
                    whatif::to_text(std::slice::from_ref(s)),
                )
            })
            .collect();
        slowest.sort_by(|a, b| b.1.total_cmp(&a.1));
        let slowest: Vec<String> = slowest
            .iter()
            .take(3)
            .map(|(_, t, text)| {
                format!(
                    "{} ({t:.1} s)",
                    text.trim().split_once(": ").map_or("", |x| x.1)
                )
            })
            .collect();
        println!(
            "| {name} (base {} {}) | {} | {proven} ({:.0} %) | {:.2} s | {:.2} s | {} |",
            base.cost.unwrap_or(0),
            report.status.key(),
            times.len(),
            100.0 * proven as f64 / times.len().max(1) as f64,
            at(0.5),
            at(0.9),
            slowest.join("; ")
        );
    }
}
