//! The interim planner on the post-IETF-106 scenario (`datasets/interim/after-106.json`,
//! generated from `../shared/datasets/ietf106.json` by `agenda interim generate`).

use agenda_solver::interim::{self, PlanOptions};
use ietf_agenda::shared_dataset;
use std::time::Duration;

fn scenario() -> interim::InterimProblem {
    let text = std::fs::read_to_string("datasets/interim/after-106.json").unwrap();
    let file = interim::parse_request(&text, "after-106.json").unwrap();
    interim::validate(&file, None).problem.unwrap()
}

#[test]
fn the_post_106_scenario_is_proven_optimal_and_checks_clean() {
    let p = scenario();
    assert_eq!(p.requests.len(), 105);
    let doc = interim::plan_document(
        &p,
        &PlanOptions {
            time_limit: Duration::from_secs(60),
            greedy_only: false,
        },
    );
    assert_eq!(doc.status, "optimal", "{:?}", doc.notes);
    assert_eq!(doc.lower_bound, Some(doc.cost));
    assert!(doc.unplaced.is_empty());
    let e = interim::check_plan(&p, &doc);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    assert_eq!(e.cost, doc.cost);
    // No conflicting groups meet at once, and every meeting respects the notice.
    assert!(doc
        .violations
        .iter()
        .all(|v| v.kind == "pain" || v.kind == "worst_zone"));
}

#[test]
fn the_committed_scenario_is_what_the_generator_makes() {
    let Some(path) = shared_dataset("ietf106.json") else {
        return;
    };
    let instance = agenda_solver::load_instance(path).unwrap();
    let made = interim::after_meeting(&instance, &interim::AfterMeetingOptions::default()).unwrap();
    let mut text = serde_json::to_string_pretty(&made).unwrap();
    text.push('\n');
    let committed = std::fs::read_to_string("datasets/interim/after-106.json").unwrap();
    assert!(text == committed, "datasets/interim/after-106.json differs from `agenda interim generate ../shared/datasets/ietf106.json`");
}
