//! The solver's report, one row per dataset: sessions, model size, time to first
//! feasible agenda, time to proven optimum, cost, bound and gap.
//!
//! `cargo bench --bench solve` (all datasets, 60 s each, 120 s for the 4x instance);
//! `AGENDA_BENCH_LIMIT=10 cargo bench --bench solve` to cap every limit at 10 s.

use agenda_solver::solve::{solve, SolveOptions};
use agenda_solver::{load_agenda, load_instance, Problem};
use ietf_agenda::shared_dataset;
use std::path::PathBuf;
use std::time::Duration;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cap: Option<f64> = std::env::var("AGENDA_BENCH_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok());
    // (row name, instance, time limit, optional starting agenda)
    let mut cases: Vec<(String, PathBuf, f64, Option<PathBuf>)> = Vec::new();
    for name in ["ietf106.json", "ietf106-2020.json"] {
        if let Some(path) = shared_dataset(name) {
            cases.push((name.trim_end_matches(".json").to_string(), path, 60.0, None));
        }
    }
    // A what-if run: IETF 106 warm-started from the best agenda this solver found.
    if let Some(path) = shared_dataset("ietf106.json") {
        cases.push((
            "ietf106 (--start best agenda)".into(),
            path,
            60.0,
            Some(root.join("datasets/agendas/ietf106-250000.json")),
        ));
    }
    cases.push((
        "tiny-12x3".into(),
        root.join("datasets/tiny-12x3.json"),
        60.0,
        None,
    ));
    cases.push((
        "ietf-125x8".into(),
        root.join("datasets/ietf-125x8.json"),
        60.0,
        None,
    ));
    cases.push((
        "ietf4x-500x32".into(),
        root.join("datasets/ietf4x-500x32.json"),
        120.0,
        None,
    ));

    println!(
        "| dataset | sessions | variables | rows | first feasible | proven optimum | cost | bound | gap | limit |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (name, path, limit, start) in cases {
        let limit = cap.map_or(limit, |c| limit.min(c));
        let problem = Problem::from_instance(&load_instance(&path).expect("loads")).expect("valid");
        let start = start.map(|a| {
            agenda_solver::solve::start_from_agenda(
                &problem,
                &load_agenda(a).expect("agenda loads"),
            )
        });
        let options = SolveOptions {
            time_limit: Duration::from_secs_f64(limit),
            threads: 2,
            start,
            ..SolveOptions::default()
        };
        let r = solve(&problem, &options, &mut |_| {});
        let gap = r
            .gap()
            .map_or("-".to_string(), |g| format!("{:.2} %", g * 100.0));
        let optimum = r
            .stats
            .time_to_optimal
            .map_or("not proven".to_string(), |t| {
                format!("{:.1} s", t.as_secs_f64())
            });
        let (variables, rows) = if r.stats.variables == 0 {
            ("skipped".to_string(), "skipped".to_string())
        } else {
            (r.stats.variables.to_string(), r.stats.rows.to_string())
        };
        println!(
            "| {name} | {} | {variables} | {rows} | {:.1} s | {optimum} | {} | {} | {gap} | {limit:.0} s |",
            r.stats.sessions,
            r.stats.time_to_first_feasible.as_secs_f64(),
            r.evaluation.cost,
            r.lower_bound.map_or("-".to_string(), |b| b.to_string()),
        );
    }
}
