//! The solver against optima known by hand, against brute force, and against the
//! evaluator on every dataset.

use agenda_solver::cost::{evaluate, Placement};
use agenda_solver::instance::Instance;
use agenda_solver::problem::MoveRule;
use agenda_solver::solve::{solve, Phase, SolveOptions, SolveReport, Status, Tuning};
use agenda_solver::{load_instance, parse_agenda, Problem};
use ietf_agenda::{data, shared_dataset};
use serde_json::{json, Value};
use std::time::Duration;

/// Small budgets: these tests check correctness, not quality.
fn options(seconds: u64) -> SolveOptions {
    SolveOptions {
        time_limit: Duration::from_secs(seconds),
        tuning: Tuning {
            steps_per_session: 100,
            runs: 2,
            lns_rounds: 4,
        },
        ..SolveOptions::default()
    }
}

fn run(p: &Problem, seconds: u64) -> SolveReport {
    solve(p, &options(seconds), &mut |_| {})
}

/// The solver's promise: a valid agenda whose evaluated cost is the reported one, and a
/// bound that is not above it.
fn assert_honest(p: &Problem, r: &SolveReport) {
    assert!(
        r.evaluation.hard_errors.is_empty(),
        "{:#?}",
        r.evaluation.hard_errors
    );
    let agenda = r.to_agenda(p);
    let text = serde_json::to_string(&agenda).unwrap();
    let again = parse_agenda(&text, "solver output").unwrap();
    let (_, e) = agenda_solver::evaluate_agenda(p, &again);
    assert!(e.hard_errors.is_empty(), "{:#?}", e.hard_errors);
    assert_eq!(
        Some(e.cost),
        agenda.cost,
        "reported cost is the evaluator's"
    );
    if let Some(b) = agenda.lower_bound {
        assert!(b <= e.cost);
    }
    assert_eq!(
        agenda.status.as_deref() == Some("optimal"),
        agenda.lower_bound == Some(e.cost)
    );
}

/// A meeting in UTC: `mon-1000` (120 min), `mon-1330` (90), `mon-1530` (60, 30 min after
/// mon-1330 ends), `wed-1000` (60); `slots` picks some of them; `rooms` (id, seats).
fn meeting(slots: &[&str], rooms: &[(&str, u32)], groups: Value, requests: Value) -> Problem {
    let all = [
        ("mon-1000", "2026-03-16T10:00", 120),
        ("mon-1330", "2026-03-16T13:30", 90),
        ("mon-1530", "2026-03-16T15:30", 60),
        ("wed-1000", "2026-03-18T10:00", 60),
    ];
    let slots: Vec<Value> = all
        .iter()
        .filter(|s| slots.contains(&s.0))
        .map(|(id, start, minutes)| json!({"id": id, "start": start, "minutes": minutes}))
        .collect();
    let rooms: Vec<Value> = rooms
        .iter()
        .map(|(id, c)| json!({"id": id, "capacity": c}))
        .collect();
    let doc = json!({
        "format": "agenda-instance/1",
        "meeting": {"number": "S", "time_zone": "UTC", "session_minutes": [60, 90, 120]},
        "rooms": rooms, "slots": slots, "groups": groups,
        "people": [{"id": "p1"}, {"id": "p2"}, {"id": "ad1"}, {"id": "ad2"}],
        "requests": requests
    });
    let inst: Instance = serde_json::from_value(doc).unwrap();
    Problem::from_instance(&inst).unwrap()
}

fn wgs(names: &[&str]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|a| json!({"acronym": a, "area": "rtg"}))
            .collect(),
    )
}

fn req(group: &str, extra: Value) -> Value {
    let mut r = json!({"group": group, "sessions": [{"minutes": 60}], "attendees": 10});
    r.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    r
}

#[test]
fn conflicting_groups_go_to_different_slots() {
    let p = meeting(
        &["mon-1000", "mon-1330"],
        &[("a", 50)],
        wgs(&["x", "y"]),
        json!([
            req("x", json!({"conflicts": {"chair": ["y"]}})),
            req("y", json!({}))
        ]),
    );
    let r = run(&p, 10);
    assert_honest(&p, &r);
    assert_eq!((r.status, r.evaluation.cost), (Status::Optimal, 0));
}

#[test]
fn three_mutual_conflicts_in_two_slots_cost_one_overlap() {
    let p = meeting(
        &["mon-1000", "mon-1330"],
        &[("a", 50), ("b", 50)],
        wgs(&["x", "y", "z"]),
        json!([
            req("x", json!({"conflicts": {"chair": ["y", "z"]}})),
            req("y", json!({"conflicts": {"technology": ["z"]}})),
            req("z", json!({}))
        ]),
    );
    let r = run(&p, 10);
    assert_honest(&p, &r);
    // The cheapest pair to overlap is y-z (technology, 10,000).
    assert_eq!((r.status, r.evaluation.cost), (Status::Optimal, 10_000));
}

#[test]
fn adjacency_is_only_satisfiable_in_one_room() {
    // mon-1330 then mon-1530 (30 minutes apart) in two rooms: the pair must share one.
    let p = meeting(
        &["mon-1330", "mon-1530"],
        &[("a", 50), ("b", 50)],
        wgs(&["x", "y", "u", "v"]),
        json!([
            req("x", json!({"adjacent_with": "y"})),
            req("y", json!({"adjacent_with": "x"})),
            req("u", json!({})),
            req("v", json!({}))
        ]),
    );
    let r = run(&p, 10);
    assert_honest(&p, &r);
    assert_eq!((r.status, r.evaluation.cost), (Status::Optimal, 0));
    let x = p.session_index("x", 1).unwrap();
    let y = p.session_index("y", 1).unwrap();
    assert_eq!(
        r.schedule.get(x).unwrap().room,
        r.schedule.get(y).unwrap().room
    );
}

#[test]
fn joint_session_counts_for_both_groups() {
    // x's session is joint with y; y meets on its own too and cannot overlap it; z
    // declares a conflict with y, so z must avoid the joint session as well.
    let p = meeting(
        &["mon-1000", "mon-1330", "wed-1000"],
        &[("a", 50), ("b", 50)],
        wgs(&["x", "y", "z"]),
        json!([
            req("x", json!({"joint_with": ["y"]})),
            req("y", json!({})),
            req("z", json!({"conflicts": {"chair": ["y"]}}))
        ]),
    );
    let r = run(&p, 10);
    assert_honest(&p, &r);
    assert_eq!((r.status, r.evaluation.cost), (Status::Optimal, 0));
    let slot = |g: &str| r.schedule.get(p.session_index(g, 1).unwrap()).unwrap().slot;
    assert_ne!(slot("x"), slot("y"));
    assert_ne!(slot("z"), slot("x"));
    assert_ne!(slot("z"), slot("y"));
}

#[test]
fn third_session_is_placed_only_when_approved() {
    let three = |approved: bool| {
        req(
            "x",
            json!({"sessions": [{"minutes": 60}, {"minutes": 60}], "third_session": {"minutes": 60, "approved": approved}}),
        )
    };
    // Two slots, three sessions: an approved third cannot fit (10,000,000).
    let p = meeting(
        &["mon-1000", "mon-1330"],
        &[("a", 50)],
        wgs(&["x"]),
        json!([three(true)]),
    );
    let r = run(&p, 10);
    assert_honest(&p, &r);
    assert_eq!((r.status, r.evaluation.cost), (Status::Optimal, 10_000_000));
    assert!(
        r.diagnosis
            .iter()
            .any(|d| d.contains("x has 3 sessions but the meeting has 2 blocks")),
        "{:?}",
        r.diagnosis
    );
    // Unapproved, it waits and costs nothing.
    let p = meeting(
        &["mon-1000", "mon-1330"],
        &[("a", 50)],
        wgs(&["x"]),
        json!([three(false)]),
    );
    let r = run(&p, 10);
    assert_honest(&p, &r);
    assert_eq!((r.status, r.evaluation.cost), (Status::Optimal, 0));
    let agenda = r.to_agenda(&p);
    assert_eq!(agenda.unscheduled.len(), 1);
    assert_eq!(agenda.unscheduled[0].reason, "awaiting AD approval");
}

#[test]
fn too_many_sessions_are_explained_and_listed() {
    let p = meeting(
        &["mon-1000"],
        &[("a", 50), ("b", 50)],
        wgs(&["x", "y", "z"]),
        json!([
            req("x", json!({})),
            req("y", json!({})),
            req("z", json!({}))
        ]),
    );
    let r = run(&p, 10);
    assert_honest(&p, &r);
    assert_eq!((r.status, r.evaluation.cost), (Status::Optimal, 10_000_000));
    assert!(
        r.diagnosis
            .contains(&"3 sessions but only 2 (block, room) pairs".to_string()),
        "{:?}",
        r.diagnosis
    );
    let agenda = r.to_agenda(&p);
    assert_eq!(agenda.unscheduled.len(), 1);
    assert!(agenda.unscheduled[0]
        .reason
        .contains("only 2 (block, room) pairs"));
}

#[test]
fn fixed_placements_that_collide_are_infeasible() {
    let mut inst = load_instance(data("tiny.json")).unwrap();
    // wg4 session 1 fixed into the slot where its session 3 is fixed... in another room:
    // fine for rooms, but a group cannot meet twice at once.
    inst.fixed.push(agenda_solver::instance::FixedPlacement {
        group: "wg4".into(),
        session: 1,
        slot: "wed-0900".into(),
        room: Some("b".into()),
    });
    let p = Problem::from_instance(&inst).unwrap();
    let r = run(&p, 10);
    assert_eq!(r.status, Status::Infeasible);
    assert!(
        r.diagnosis[0].contains("wg4#1 and wg4#3 are both sessions of wg4"),
        "{:?}",
        r.diagnosis
    );
}

#[test]
fn the_tiny_fixture_solves_to_optimality() {
    let p = Problem::from_instance(&load_instance(data("tiny.json")).unwrap()).unwrap();
    let r = run(&p, 30);
    assert_honest(&p, &r);
    assert_eq!(r.status, Status::Optimal);
    // wg4#3 stays where it is fixed.
    let s = p.session_index("wg4", 3).unwrap();
    assert_eq!(r.schedule.get(s), Some(Placement { slot: 4, room: 0 }));
}

/// For each session, every slot with an open room (no session is fixed).

#[test]
fn same_input_and_options_give_identical_output() {
    let p = Problem::from_instance(&load_instance(data("tiny.json")).unwrap()).unwrap();
    let a = serde_json::to_string(&run(&p, 30).to_agenda(&p)).unwrap();
    let b = serde_json::to_string(&run(&p, 30).to_agenda(&p)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn every_dataset_gets_an_honest_agenda() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<std::path::PathBuf> = [
        "datasets/tiny-12x3.json",
        "datasets/ietf-125x8.json",
        "datasets/ietf4x-500x32.json",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect();
    for name in ["ietf106.json", "ietf106-2020.json"] {
        if let Some(p) = shared_dataset(name) {
            paths.push(p);
        }
    }
    for path in paths {
        let p = Problem::from_instance(&load_instance(&path).unwrap()).unwrap();
        // Short limits: the promise holds however long the solver runs.
        let r = run(&p, 5);
        assert_honest(&p, &r);
        eprintln!(
            "{}: {} cost {} bound {:?}",
            path.display(),
            r.status.key(),
            r.evaluation.cost,
            r.lower_bound
        );
    }
}

#[test]
fn best_known_ietf106_agenda_holds() {
    // Found by this solver (`agenda solve`, seed 1, 60 s): below the 260,000 of the
    // datasets README and equal to the 250,000 bound, so it is optimal.
    let Some(path) = shared_dataset("ietf106.json") else {
        return;
    };
    let p = Problem::from_instance(&load_instance(path).unwrap()).unwrap();
    let agenda = agenda_solver::load_agenda(root_dataset("agendas/ietf106-250000.json")).unwrap();
    let (_, e) = agenda_solver::evaluate_agenda(&p, &agenda);
    assert!(e.hard_errors.is_empty(), "{:#?}", e.hard_errors);
    assert_eq!(e.cost, 250_000);
    assert_eq!(agenda.cost, Some(250_000));
    assert_eq!(agenda.lower_bound, Some(250_000));
}

#[test]
fn a_warm_start_is_never_worse_than_its_draft() {
    // IETF 106 from its best agenda: even a short run keeps (at least) the draft.
    if let Some(path) = shared_dataset("ietf106.json") {
        let p = Problem::from_instance(&load_instance(path).unwrap()).unwrap();
        let draft =
            agenda_solver::load_agenda(root_dataset("agendas/ietf106-250000.json")).unwrap();
        let r = solve(
            &p,
            &SolveOptions {
                start: Some(agenda_solver::solve::start_from_agenda(&p, &draft)),
                ..options(5)
            },
            &mut |_| {},
        );
        assert_honest(&p, &r);
        assert!(r.evaluation.cost <= 250_000, "{}", r.evaluation.cost);
    }
    // The fixture, from a deliberately poor draft (every session in its first block that
    // fits, by the test helper): the result is at most the draft's cost.
    let p = Problem::from_instance(&load_instance(data("tiny.json")).unwrap()).unwrap();
    let draft = ietf_agenda::first_fit(&p);
    let draft_cost = evaluate(&p, &draft).cost;
    let hint: Vec<_> = (0..p.sessions.len())
        .map(|s| draft.get(s).map(|pl| pl.slot))
        .collect();
    let r = solve(
        &p,
        &SolveOptions {
            start: Some(hint),
            tuning: Tuning {
                steps_per_session: 0,
                runs: 1,
                lns_rounds: 0,
            },
            ..options(5)
        },
        &mut |_| {},
    );
    assert_honest(&p, &r);
    assert!(
        r.evaluation.cost <= draft_cost,
        "{} > {draft_cost}",
        r.evaluation.cost
    );
}

#[test]
fn a_cancelled_solve_returns_its_best_agenda_promptly() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    // The 4x synthetic: still searching after 3 s (the IETF-sized one is proven
    // optimal by then).
    let p = Problem::from_instance(&load_instance(root_dataset("ietf4x-500x32.json")).unwrap())
        .unwrap();
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(3));
        flag.store(true, Ordering::Relaxed);
    });
    let began = std::time::Instant::now();
    let mut phases = Vec::new();
    let r = solve(
        &p,
        &SolveOptions {
            time_limit: Duration::from_secs(120),
            cancel: Some(cancel),
            ..SolveOptions::default()
        },
        &mut |pr| phases.push(pr.phase),
    );
    stopper.join().unwrap();
    let took = began.elapsed();
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert!(r.stats.cancelled);
    assert_honest(&p, &r);
    assert!(phases.contains(&Phase::Greedy), "{phases:?}");
    assert_eq!(phases.last(), Some(&Phase::Done), "{phases:?}");
}

fn root_dataset(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("datasets")
        .join(name)
}

/// One block, one room, three one-session groups: two must stay out, and priorities
/// decide which (ONLINE.md section 3): the optimum keeps the highest priority and pays
/// `unscheduled` times the others' priorities.
#[test]
fn priority_decides_who_meets_when_not_everyone_fits() {
    for (priorities, kept, cost) in [
        ([1, 5, 2], "b", 3 * 10_000_000u64),
        ([7, 1, 1], "a", 2 * 10_000_000),
        ([2, 3, 4], "c", 5 * 10_000_000),
    ] {
        let requests: Vec<Value> = ["a", "b", "c"]
            .iter()
            .zip(priorities)
            .map(|(g, pr)| req(g, json!({"priority": pr})))
            .collect();
        let p = meeting(
            &["wed-1000"],
            &[("r1", 100)],
            wgs(&["a", "b", "c"]),
            json!(requests),
        );
        let r = run(&p, 20);
        assert_honest(&p, &r);
        let agenda = r.to_agenda(&p);
        assert_eq!(agenda.assignments.len(), 1);
        assert_eq!(
            agenda.assignments[0].group, kept,
            "priorities {priorities:?}"
        );
        assert_eq!(agenda.cost, Some(cost));
        assert_eq!(agenda.status.as_deref(), Some("optimal"));
    }
}

/// Priority 1 everywhere (or absent) gives the same agenda and bound, to the byte.
#[test]
fn priorities_of_one_change_nothing() {
    let Some(path) = shared_dataset("ietf106.json") else {
        return;
    };
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let plain: Instance = serde_json::from_value(doc.clone()).unwrap();
    for r in doc["requests"].as_array_mut().unwrap() {
        r["priority"] = json!(1);
    }
    let ones: Instance = serde_json::from_value(doc).unwrap();
    let solve_json = |inst: &Instance| {
        let p = Problem::from_instance(inst).unwrap();
        let r = solve(
            &p,
            &SolveOptions {
                time_limit: Duration::from_secs(60),
                ..SolveOptions::default()
            },
            &mut |_| {},
        );
        serde_json::to_string(&r.to_agenda(&p)).unwrap()
    };
    assert_eq!(solve_json(&plain), solve_json(&ones));
}

#[test]
fn a_priority_below_one_is_refused_with_its_field() {
    let inst: Instance = serde_json::from_value(json!({
        "format": "agenda-instance/1",
        "meeting": {"number": "S", "time_zone": "UTC", "session_minutes": [60]},
        "rooms": [{"id": "r1"}], "slots": [{"id": "s1", "start": "2026-03-16T10:00", "minutes": 60}],
        "groups": [{"acronym": "a"}, {"acronym": "b"}],
        "requests": [{"group": "a", "sessions": [{"minutes": 60}], "attendees": 5, "priority": 0},
                     {"group": "b", "sessions": [{"minutes": 60}], "attendees": 5, "priority": "high"}]
    }))
    .unwrap();
    let v = agenda_solver::validate(&inst);
    let fields: Vec<&str> = v.errors().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, vec!["requests[0].priority", "requests[1].priority"]);
}

/// Minimal change (`Problem::with_base`): the base agenda of three groups in two blocks
/// (a and b together), then a chair conflict between a and b. Moving one of them costs
/// the move (1,000) instead of the conflict (100,000); nothing else moves.
#[test]
fn an_edit_that_forces_one_move_moves_exactly_one_session() {
    let make = |conflict: bool| {
        let a = if conflict {
            req("a", json!({"conflicts": {"chair": ["b"]}}))
        } else {
            req("a", json!({}))
        };
        meeting(
            &["mon-1330", "wed-1000"],
            &[("r1", 100), ("r2", 100)],
            wgs(&["a", "b", "c"]),
            json!([a, req("b", json!({})), req("c", json!({}))]),
        )
    };
    let base_doc = json!({"format": "agenda/1", "meeting": "S", "assignments": [
        {"group": "a", "session": 1, "slot": "mon-1330", "room": "r1"},
        {"group": "b", "session": 1, "slot": "mon-1330", "room": "r2"},
        {"group": "c", "session": 1, "slot": "wed-1000", "room": "r1"}]});
    let base = parse_agenda(&base_doc.to_string(), "base").unwrap();
    let slot_of = |p: &Problem, r: &SolveReport, g: &str| {
        let s = p.session_index(g, 1).unwrap();
        r.schedule.get(s).map(|pl| p.slots[pl.slot].id.clone())
    };
    // The base already satisfies the unedited requests: nothing moves, cost 0.
    let same = make(false).with_base(&base, MoveRule::Cost(1_000));
    let r = run(&same, 20);
    assert_honest(&same, &r);
    assert_eq!(r.evaluation.cost, 0);
    assert_eq!(r.status, Status::Optimal);
    for g in ["a", "b", "c"] {
        assert_eq!(slot_of(&same, &r, g), slot_of(&same, &r, g));
    }
    // With the conflict: exactly one move, proven optimal at the move's cost.
    let edited = make(true).with_base(&base, MoveRule::Cost(1_000));
    let r = run(&edited, 20);
    assert_honest(&edited, &r);
    assert_eq!(r.status, Status::Optimal);
    assert_eq!(r.evaluation.cost, 1_000, "{:#?}", r.evaluation.violations);
    let moved = r
        .evaluation
        .violations
        .iter()
        .filter(|v| v.kind == "moved_session")
        .count();
    assert_eq!(moved, 1);
    assert_eq!(slot_of(&edited, &r, "c").as_deref(), Some("wed-1000"));
    // The sessions that stay in their block keep their room too.
    let room_of = |p: &Problem, r: &SolveReport, g: &str| {
        let s = p.session_index(g, 1).unwrap();
        r.schedule.get(s).map(|pl| p.rooms[pl.room].id.clone())
    };
    for (g, room) in [("a", "r1"), ("b", "r2"), ("c", "r1")] {
        if slot_of(&edited, &r, g)
            == base
                .assignments
                .iter()
                .find(|x| x.group == g)
                .map(|x| x.slot.clone())
        {
            assert_eq!(room_of(&edited, &r, g).as_deref(), Some(room), "{g}");
        }
    }
    // A move dearer than the conflict: the base stays as it is and pays the conflict.
    let stay = make(true).with_base(&base, MoveRule::Cost(200_000));
    let r = run(&stay, 20);
    assert_honest(&stay, &r);
    assert_eq!(r.evaluation.cost, 100_000);
    assert_eq!(slot_of(&stay, &r, "a").as_deref(), Some("mon-1330"));
    assert_eq!(slot_of(&stay, &r, "b").as_deref(), Some("mon-1330"));
}
