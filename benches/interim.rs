//! The interim planner's report: plan time, cost, bound and gap for 1, 10, 100 and 300
//! requests (single meetings over the weeks after a meeting), a crowded variant and the
//! rotating series; medians of 3 runs.
//!
//! `cargo bench --bench interim`; `AGENDA_BENCH_LIMIT=10` caps every time limit.
//! Rows from 1 to 100 requests come from `datasets/interim/after-106.json` (the post-
//! IETF 106 scenario); 300 from a synthetic 500-session meeting's scenario.

use agenda_solver::generate::{generate, GenerateOptions};
use agenda_solver::interim::{self, InterimRequestFile, PlanOptions};
use std::time::{Duration, Instant};

fn load(path: &str) -> InterimRequestFile {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    interim::parse_request(&text, path).unwrap()
}

fn main() {
    let cap: f64 = std::env::var("AGENDA_BENCH_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60.0);
    let after_106 = load("datasets/interim/after-106.json");
    let synthetic = generate(&GenerateOptions {
        sessions: 500,
        rooms: 32,
        seed: 3,
        shape: Default::default(),
    })
    .unwrap();
    let big = interim::after_meeting(&synthetic, &interim::AfterMeetingOptions::default()).unwrap();
    let mut cases: Vec<(String, InterimRequestFile)> = Vec::new();
    for n in [1usize, 10, 100] {
        let mut f = after_106.clone();
        f.requests.truncate(n);
        cases.push((format!("after-106, {n} requests"), f));
    }
    let mut f = big.clone();
    f.requests.truncate(300);
    cases.push(("synthetic, 300 requests".into(), f));
    // Crowded: all 105 groups in one week, at most 3 at once.
    let mut f = after_106.clone();
    for r in &mut f.requests {
        r.latest = Some("2019-12-06".into());
    }
    f.rules.max_parallel = Some(3);
    cases.push(("after-106 in one week, 3 parallel".into(), f));
    cases.push((
        "series of 8 over three continents".into(),
        load("tests/data/interim/series-rotation.json"),
    ));

    println!(
        "machine: {} cores; time limit {cap} s; medians of 3 runs",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| case | meetings | plan time | cost | lower bound | gap | status | exact rounds |");
    println!("|---|---|---|---|---|---|---|---|");
    for (name, file) in cases {
        let problem = interim::validate(&file, None).problem.expect("valid");
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..3 {
            let began = Instant::now();
            let planned = interim::plan(
                &problem,
                &PlanOptions {
                    time_limit: Duration::from_secs_f64(cap),
                    greedy_only: false,
                },
            );
            times.push(began.elapsed());
            last = Some(planned);
        }
        times.sort();
        let p = last.expect("ran");
        let cost = p.evaluation.cost;
        let gap = if cost == 0 {
            0.0
        } else {
            100.0 * (cost - p.lower_bound) as f64 / cost as f64
        };
        println!(
            "| {name} | {} | {:.2} s | {cost} | {} | {gap:.2} % | {} | {} |",
            problem.meetings.len(),
            times[1].as_secs_f64(),
            p.lower_bound,
            if p.optimal { "optimal" } else { "feasible" },
            p.rounds
        );
    }
}
