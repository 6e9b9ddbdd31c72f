//! The solver's report, one row per dataset: sessions, model size, time to first
//! feasible agenda, time to proven optimum, cost, bound and gap.
//!
//! `cargo bench --bench solve` (all datasets, 60 s each, 120 s for the 4x instance);
//! `AGENDA_BENCH_LIMIT=10 cargo bench --bench solve` to cap every limit at 10 s;
//! `AGENDA_BENCH_SEEDS=8` to solve IETF 106 with seeds 1-8 (one row each, then the
//! medians): the tabu searches are seeded, and a single seed says little;
//! `AGENDA_BENCH_ONLY=ietf4x` to run only the rows whose dataset name contains that.
//!
//! "to 1 % gap" is the first progress report whose incumbent is within 1 % of the
//! proven bound (both from the solver's own progress reports).

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
    let seeds: u64 = std::env::var("AGENDA_BENCH_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    // (row name, instance, time limit, optional starting agenda, seed)
    let mut cases: Vec<(String, PathBuf, f64, Option<PathBuf>, u64)> = Vec::new();
    if let Some(path) = shared_dataset("ietf106.json") {
        for seed in 1..=seeds {
            cases.push(("ietf106".into(), path.clone(), 60.0, None, seed));
        }
    }
    if let Some(path) = shared_dataset("ietf106-2020.json") {
        cases.push(("ietf106-2020".into(), path, 60.0, None, 1));
    }
    // A what-if run: IETF 106 warm-started from the best agenda this solver found.
    if let Some(path) = shared_dataset("ietf106.json") {
        cases.push((
            "ietf106 (--start best agenda)".into(),
            path,
            60.0,
            Some(root.join("datasets/agendas/ietf106-250000.json")),
            1,
        ));
    }
    cases.push((
        "tiny-12x3".into(),
        root.join("datasets/tiny-12x3.json"),
        60.0,
        None,
        1,
    ));
    cases.push((
        "ietf-125x8".into(),
        root.join("datasets/ietf-125x8.json"),
        60.0,
        None,
        1,
    ));
    cases.push((
        "ietf4x-500x32".into(),
        root.join("datasets/ietf4x-500x32.json"),
        120.0,
        None,
        1,
    ));

    if let Ok(only) = std::env::var("AGENDA_BENCH_ONLY") {
        cases.retain(|c| c.0.contains(&only));
    }
    println!(
        "| dataset | seed | sessions | variables | rows | first feasible | to 1 % gap | proven optimum | cost | bound | gap | limit |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    // IETF 106 rows, for the medians: (seconds to 1 % gap, seconds to optimum, cost).
    let mut ietf106: Vec<(Option<f64>, Option<f64>, u64)> = Vec::new();
    for (name, path, limit, start, seed) in cases {
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
            seed,
            start,
            ..SolveOptions::default()
        };
        let mut within_1 = None;
        let r = solve(&problem, &options, &mut |p| {
            if let (Some(i), Some(b), None) = (p.incumbent, p.bound, within_1) {
                if i.saturating_sub(b) as f64 <= 0.01 * i as f64 {
                    within_1 = Some(p.elapsed.as_secs_f64());
                }
            }
        });
        let seconds =
            |t: Option<f64>, none: &str| t.map_or(none.to_string(), |t| format!("{t:.1} s"));
        if name == "ietf106" {
            ietf106.push((
                within_1,
                r.stats.time_to_optimal.map(|t| t.as_secs_f64()),
                r.evaluation.cost,
            ));
        }
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
            "| {name} | {seed} | {} | {variables} | {rows} | {:.1} s | {} | {optimum} | {} | {} | {gap} | {limit:.0} s |",
            r.stats.sessions,
            r.stats.time_to_first_feasible.as_secs_f64(),
            seconds(within_1, "not reached"),
            r.evaluation.cost,
            r.lower_bound.map_or("-".to_string(), |b| b.to_string()),
        );
    }
    if ietf106.len() > 1 {
        // Medians over the seeds; a run that never got there counts as the time limit
        // (so the median is an upper bound when some runs miss).
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            let k = v.len();
            if k % 2 == 1 {
                v[k / 2]
            } else {
                (v[k / 2 - 1] + v[k / 2]) / 2.0
            }
        };
        let n = ietf106.len();
        let limit = cap.map_or(60.0, |c: f64| c.min(60.0));
        println!();
        println!(
            "ietf106 over {n} seeds: within 1 % in {}/{n} (median {:.1} s), proven optimal in {}/{n} (median {:.1} s), median cost {:.0}",
            ietf106.iter().filter(|r| r.0.is_some()).count(),
            median(ietf106.iter().map(|r| r.0.unwrap_or(limit)).collect()),
            ietf106.iter().filter(|r| r.1.is_some()).count(),
            median(ietf106.iter().map(|r| r.1.unwrap_or(limit)).collect()),
            median(ietf106.iter().map(|r| r.2 as f64).collect()),
        );
    }
}
