//! The evaluator on IETF-sized agendas: it prices every candidate of the solver's
//! neighbourhood searches, so its speed bounds how many moves a second they can try.
//!
//! `cargo bench --bench evaluate`

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

criterion_group!(benches, bench);
criterion_main!(benches);
