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

/// `agenda interim plan -f ics`: a calendar a real parser reads, one event per session,
/// in UTC, with unique stable UIDs, lines folded, the same bytes for the same plan.
#[test]
fn the_plan_calendar_parses_with_one_event_per_session() {
    let p = scenario();
    let options = PlanOptions {
        time_limit: Duration::from_secs(60),
        greedy_only: true,
    };
    let doc = interim::plan_document(&p, &options);
    let text = interim::render::ics(&p, &doc);
    assert_eq!(
        text,
        interim::render::ics(&p, &interim::plan_document(&p, &options))
    );
    assert!(
        text.lines().all(|l| l.len() <= 76),
        "a line is over 75 octets"
    );
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = parser.next().expect("one calendar").expect("parses");
    let sessions: usize = doc.meetings.iter().map(|m| m.sessions.len()).sum();
    assert!(sessions > 0);
    assert_eq!(calendar.events.len(), sessions);
    let mut uids = std::collections::BTreeSet::new();
    for event in &calendar.events {
        let prop = |name: &str| {
            event
                .properties
                .iter()
                .find(|x| x.name == name)
                .and_then(|x| x.value.clone())
                .unwrap_or_else(|| panic!("{name} missing"))
        };
        assert!(uids.insert(prop("UID")));
        assert!(prop("DTSTART").ends_with('Z') && prop("DTEND").ends_with('Z'));
        assert!(
            prop("SUMMARY").contains("interim-20"),
            "{}",
            prop("SUMMARY")
        );
    }
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
