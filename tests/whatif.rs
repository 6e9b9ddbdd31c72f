//! What-if runs ([`agenda_solver::whatif`]): scenario files, edits, and minimal-change
//! re-solves of a hand-built meeting whose answers are known.

use agenda_solver::solve::{SolveOptions, Status};
use agenda_solver::whatif::{self, Edit, WhatIfOptions};
use agenda_solver::{load_agenda, load_instance};
use ietf_agenda::data;

fn options() -> WhatIfOptions {
    WhatIfOptions {
        solve: SolveOptions::checked(10.0, 0.0, 1, 1).unwrap(),
        moves: agenda_solver::problem::MoveRule::Cost(10_000),
        jobs: 2,
    }
}

/// Runs `file` (scenario lines) on `tests/data/whatif/small.json` from its base agenda.
fn run(file: &str) -> whatif::WhatIf {
    let instance = load_instance(data("whatif/small.json")).unwrap();
    let base = load_agenda(data("whatif/base.json")).unwrap();
    let scenarios = whatif::parse_scenarios(file).unwrap();
    whatif::run(&instance, &base, &scenarios, &options(), &|_| {}).unwrap()
}

#[test]
fn an_edit_the_base_already_satisfies_moves_nothing() {
    let r = run("more-people: attendees alpha 60\nnew-bof: request delta 60 30\n");
    assert_eq!(r.base_cost, 0);
    for o in &r.outcomes {
        assert_eq!((o.moved, o.moved_room, o.cost), (0, 0, 0), "{}", o.scenario);
        assert_eq!(o.status, Status::Optimal);
        assert!(
            o.diff.moves.iter().all(|m| m.group == "delta"),
            "{:?}",
            o.diff.moves
        );
    }
}

#[test]
fn an_edit_that_forces_one_move_moves_exactly_one_session() {
    // alpha and charlie share mon-1000: a chair conflict between them moves one of
    // them to mon-1330, where a room is free; closing alpha's room moves it to r3.
    let r = run("conflict: conflict charlie alpha chair\nroom: close-room r1 mon-1000\n");
    let (conflict, room) = (&r.outcomes[0], &r.outcomes[1]);
    assert_eq!((conflict.moved, conflict.cost), (1, 0));
    assert_eq!(conflict.objective, 10_000, "one move at --move-cost");
    assert_eq!(conflict.status, Status::Optimal);
    assert_eq!((room.moved, room.moved_room, room.cost), (0, 1, 0));
    assert_eq!(room.diff.moves[0].group, "alpha");
    assert_eq!(room.diff.moves[0].to.as_ref().unwrap().1, "r3");
}

#[test]
fn a_tightening_scenario_is_proven_by_the_unedited_bound() {
    let r = run("tight: attendees alpha 60\nloose: cancel charlie\n");
    assert_eq!(r.unedited_bound, Some(0));
    assert!(r.outcomes[0].bound_from_unedited);
    assert!(!r.outcomes[1].bound_from_unedited);
}

#[test]
fn bad_scenario_lines_are_named() {
    let bad = |text: &str| whatif::parse_scenarios(text).unwrap_err().to_string();
    assert_eq!(
        bad("# a comment\n\nok: cancel alpha\nno colon here\n"),
        "line 4: expected `NAME: EDIT; EDIT ...`, e.g. `late-bof: request newbof 60 80`"
    );
    assert!(bad("a: cancel alpha\na: cancel bravo\n")
        .contains("line 2: scenario \"a\" is already named on line 1"));
    assert!(bad("x: teleport alpha\n").contains("line 1: x: unknown edit \"teleport\""));
    assert!(bad("x: length alpha one 60\n").contains("session \"one\" is not a whole number"));
    assert!(bad("x: conflict alpha bravo sometimes\n")
        .contains("use chair, technology or key-participant"));
    assert!(bad("x:\n").contains("no edit"));

    // Edits that do not apply name the scenario's line, before anything is solved.
    let instance = load_instance(data("whatif/small.json")).unwrap();
    let base = load_agenda(data("whatif/base.json")).unwrap();
    let scenarios =
        whatif::parse_scenarios("fine: cancel alpha\n\nghost: cancel zulu\nroom: close-room r9\n")
            .unwrap();
    let errors = whatif::run(&instance, &base, &scenarios, &options(), &|_| {}).unwrap_err();
    let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        [
            "line 3: ghost: no request of group \"zulu\"",
            "line 4: room: no room \"r9\""
        ]
    );
}

#[test]
fn scenarios_round_trip_through_their_text() {
    let text = "a: close-room r1 mon-1000; conflict alpha charlie technology\n\
                b: pin alpha 1 mon-1330 r2; unpin alpha 1; avoid bravo monday-morning\n\
                c: request delta 60 30; length bravo 1 60; attendees bravo 7; no-conflict alpha bravo\n\
                d: cancel charlie; approve-third alpha; close-room r2\n";
    let scenarios = whatif::parse_scenarios(text).unwrap();
    assert_eq!(whatif::to_text(&scenarios), text);
    assert_eq!(
        scenarios[0].edits[0],
        Edit::CloseRoom {
            room: "r1".into(),
            slot: Some("mon-1000".into())
        }
    );
}

#[test]
fn generated_edits_of_ietf_106_all_apply() {
    let Some(path) = ietf_agenda::shared_dataset("ietf106.json") else {
        return;
    };
    let instance = load_instance(&path).unwrap();
    let problem = agenda_solver::Problem::from_instance(&instance).unwrap();
    let schedule = ietf_agenda::first_fit(&problem);
    let agenda = schedule.to_agenda(&problem, &agenda_solver::evaluate(&problem, &schedule));
    let scenarios = whatif::generate(&instance, &agenda, 40, 7);
    assert_eq!(scenarios.len(), 40);
    for s in &scenarios {
        assert_eq!(s.edits.len(), 1);
        whatif::apply(&instance, s).unwrap();
    }
    // Every kind of edit the generator draws is there.
    let text = whatif::to_text(&scenarios);
    for verb in ["close-room", "conflict", "attendees", "avoid", "request"] {
        assert!(
            text.contains(&format!(": {verb} ")),
            "{verb} missing:\n{text}"
        );
    }
    assert_eq!(
        whatif::generate(&instance, &agenda, 40, 7),
        scenarios,
        "deterministic"
    );
}

/// `MoveRule::AtMost(0)` keeps every session of the base in its block and prices the
/// base under the edited requests; `AtMost(1)` lets the conflict's one move happen, at
/// no cost; `CostThenMoves` finds that agenda too (cost 0, one move).
#[test]
fn move_caps_and_cost_then_moves_on_a_forced_move() {
    use agenda_solver::problem::MoveRule;
    let run_with = |moves: MoveRule| {
        let instance = load_instance(data("whatif/small.json")).unwrap();
        let base = load_agenda(data("whatif/base.json")).unwrap();
        let scenarios = whatif::parse_scenarios("c: conflict charlie alpha chair\n").unwrap();
        let options = WhatIfOptions { moves, ..options() };
        let mut r = whatif::run(&instance, &base, &scenarios, &options, &|_| {}).unwrap();
        r.outcomes.remove(0)
    };
    // The base under the edited requests: alpha and charlie overlap, one chair conflict.
    let kept = run_with(MoveRule::AtMost(0));
    assert_eq!((kept.moved, kept.cost), (0, 100_000));
    assert_eq!(kept.status, Status::Optimal);
    assert!(kept
        .diff
        .moves
        .iter()
        .all(|m| m.change != agenda_solver::diff::Change::Time));
    let one = run_with(MoveRule::AtMost(1));
    assert_eq!((one.moved, one.cost, one.objective), (1, 0, 0));
    assert_eq!(one.status, Status::Optimal);
    let lex = run_with(MoveRule::CostThenMoves);
    assert_eq!((lex.moved, lex.cost), (1, 0));
    assert_eq!(lex.status, Status::Optimal);
}
