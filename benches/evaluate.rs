//! The evaluator on IETF-sized agendas: it prices every candidate of the solver's
//! neighbourhood searches, so its speed bounds how many moves a second they can try.
//!
//! `cargo bench --bench evaluate` (also times whole solves of the small meetings)

use agenda_solver::cost::{evaluate, Schedule};
use agenda_solver::{load_instance, Problem};
use criterion::{criterion_group, criterion_main, Criterion};
use ietf_agenda::{first_fit, shared_dataset};
use std::path::PathBuf;

fn cases() -> Vec<(String, Problem, Schedule)> {
    let mut paths: Vec<(String, PathBuf)> = Vec::new();
    if let Some(p) = shared_dataset("ietf106.json") {
        paths.push(("ietf106".into(), p));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    paths.push(("ietf-125x8".into(), root.join("datasets/ietf-125x8.json")));
    paths.push((
        "ietf4x-500x32".into(),
        root.join("datasets/ietf4x-500x32.json"),
    ));
    paths
        .into_iter()
        .map(|(name, path)| {
            let p = Problem::from_instance(&load_instance(&path).expect("loads")).expect("valid");
            let s = first_fit(&p);
            (name, p, s)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate");
    for (name, problem, schedule) in cases() {
        group.bench_function(&name, |b| b.iter(|| evaluate(&problem, &schedule).cost));
    }
    group.finish();
}

/// Validation of a whole meeting (`agenda validate`, imports), and of one request
/// against the meeting's index (what the service runs on every edit): the index's check
/// of each request in turn, per request.
fn bench_validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    let mut paths: Vec<(String, PathBuf)> = Vec::new();
    if let Some(p) = shared_dataset("ietf106.json") {
        paths.push(("ietf106".into(), p));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    paths.push((
        "ietf4x-500x32".into(),
        root.join("datasets/ietf4x-500x32.json"),
    ));
    for (name, path) in paths {
        let instance = load_instance(&path).expect("loads");
        group.bench_function(&name, |b| {
            b.iter(|| agenda_solver::validate(&instance).issues.len())
        });
        let index = agenda_solver::validate::MeetingIndex::new(instance.clone());
        let requests = &instance.requests;
        let other = |g: &str| requests.iter().find(|r| r.group == g);
        let mut next = 0;
        group.bench_function(format!("{name} one request (index)"), |b| {
            b.iter(|| {
                next = (next + 1) % requests.len();
                index.check(&requests[next], next, &other).len()
            })
        });
    }
    group.finish();
}

/// Whole solves of small meetings, proved optimal well inside their limit, so the time
/// is the solver's own work.
fn bench_solve(c: &mut Criterion) {
    use agenda_solver::solve::{solve, SolveOptions};
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut group = c.benchmark_group("solve");
    group.sample_size(10);
    for (name, path) in [
        ("tiny-fixture", root.join("tests/data/tiny.json")),
        ("tiny-12x3", root.join("datasets/tiny-12x3.json")),
    ] {
        let p = Problem::from_instance(&load_instance(&path).expect("loads")).expect("valid");
        let options = SolveOptions::default();
        group.bench_function(name, |b| {
            b.iter(|| solve(&p, &options, &mut |_| {}).evaluation.cost)
        });
    }
    group.finish();
}

/// The exports of a whole agenda (the HTML page through its templates, the calendar
/// through its iCalendar writer), as `agenda export` and the service's exports run them.
fn bench_export(c: &mut Criterion) {
    use agenda_solver::export::{render, Format, Report};
    let mut group = c.benchmark_group("export");
    for (name, problem, schedule) in cases() {
        let agenda = schedule.to_agenda(&problem, &evaluate(&problem, &schedule));
        let report = Report::new(&problem, &agenda);
        for format in [Format::Html, Format::Ics] {
            group.bench_function(format!("{name}/{format}"), |b| {
                b.iter(|| render(&report, format).len())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench, bench_validate, bench_solve, bench_export);
criterion_main!(benches);
