//! The `agenda` binary end to end: exit codes, human and JSON output, files written.

use std::path::PathBuf;
use std::process::{Command, Output};

fn agenda(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_agenda"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("runs")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn validate_exit_codes_and_json() {
    let ok = agenda(&["validate", "tests/data/tiny.json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("valid: meeting T1, 10 requests, 14 sessions"));

    let bad = agenda(&[
        "validate",
        "--json",
        "tests/data/broken/zero-attendees.json",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["errors"][0]["message"], "Zero Number of Attendees");
    assert_eq!(doc["errors"][0]["field"], "requests[4].attendees");
    assert_eq!(doc["errors"][0]["request"], "wg5");
    assert!(doc["errors"][0]["help"]
        .as_str()
        .unwrap()
        .contains("positive whole number"));
}

#[test]
fn unreadable_and_malformed_input_exit_2_without_panicking() {
    for args in [
        vec!["validate", "no/such/file.json"],
        vec!["validate", "tests/data/broken/syntax-error.json"],
        vec![
            "check",
            "tests/data/tiny-agenda.json",
            "tests/data/tiny.json",
        ],
        vec![
            "check",
            "tests/data/broken/unknown-person.json",
            "tests/data/tiny-agenda.json",
        ],
        vec!["graph", "tests/data/broken/invalid-time-zone.json"],
    ] {
        let out = agenda(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.is_empty(), "{args:?} says nothing");
    }
    let out = agenda(&["validate", "tests/data/broken/syntax-error.json"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("syntax-error.json:233:7"));
    let swapped = agenda(&[
        "check",
        "tests/data/tiny-agenda.json",
        "tests/data/tiny.json",
    ]);
    assert!(String::from_utf8_lossy(&swapped.stderr).contains("takes the instance first"));
}

#[test]
fn check_reports_and_exits_1_on_hard_errors() {
    let ok = agenda(&[
        "check",
        "tests/data/tiny.json",
        "tests/data/tiny-agenda.json",
    ]);
    assert_eq!(ok.status.code(), Some(0));
    let text = stdout(&ok);
    assert!(
        text.contains("total                                    22   12,072,100"),
        "{text}"
    );
    assert!(text.contains("wg3: 50 attendees in Room B (40 seats)"));

    let bad = agenda(&[
        "check",
        "--json",
        "tests/data/tiny.json",
        "tests/data/tiny-agenda-broken.json",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(doc["acceptable"], false);
    assert!(doc["hard_errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["kind"] == "room_double_booked"));
}

#[test]
fn graph_prints_cliques_and_dot() {
    let out = agenda(&["graph", "tests/data/tiny.json"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("Largest clique"));
    let dot = agenda(&["graph", "--dot", "tests/data/tiny.json"]);
    let text = stdout(&dot);
    assert!(text.starts_with("graph conflicts {") && text.trim_end().ends_with('}'));
    assert!(text.contains("\"wg1\" -- \"wg2\""));
}

/// `graph -f svg` draws with Graphviz's neato when it is installed (required under
/// `AGENDA_CI=1`, where `.ci/run` installs it), and falls back to DOT text with a note
/// when it is not; filters name what they drew, and a wrong one names the fix.
#[test]
fn graph_draws_svg_through_neato_or_falls_back_to_dot() {
    let fallback = Command::new(env!("CARGO_BIN_EXE_agenda"))
        .args(["graph", "-f", "svg", "tests/data/tiny.json"])
        .env("AGENDA_NEATO", "/nonexistent/neato")
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(fallback.status.code(), Some(0));
    assert!(stdout(&fallback).starts_with("graph conflicts {"));
    assert!(stderr(&fallback).contains("apt-get install graphviz"));
    let wrong = agenda(&[
        "graph",
        "-f",
        "svg",
        "--area",
        "xyz",
        "tests/data/tiny.json",
    ]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(stderr(&wrong).contains("--area xyz"), "{}", stderr(&wrong));
    let has_neato = std::process::Command::new("neato")
        .arg("-V")
        .output()
        .is_ok();
    if !has_neato {
        assert!(
            std::env::var("AGENDA_CI").as_deref() != Ok("1"),
            "AGENDA_CI=1 but Graphviz's neato is not installed"
        );
        eprintln!("NOTICE: neato not found; skipping the SVG half of this test");
        return;
    }
    let svg = agenda(&[
        "graph",
        "-f",
        "svg",
        "--group",
        "wg1",
        "tests/data/tiny.json",
    ]);
    assert_eq!(svg.status.code(), Some(0), "{}", stderr(&svg));
    let text = stdout(&svg);
    let doc = roxmltree::Document::parse_with_options(
        &text,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("an SVG document");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text())
        .collect();
    assert!(titles.contains(&"wg1"), "{titles:?}");
    assert!(text.contains("wg1 and its neighbours"));
}

#[test]
fn export_writes_every_format() {
    let dir = std::env::temp_dir().join(format!("agenda-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for format in ["csv", "ics", "text", "html", "json"] {
        let file = dir.join(format!("tiny.{format}"));
        let out = agenda(&[
            "export",
            "tests/data/tiny-agenda.json",
            "--instance",
            "tests/data/tiny.json",
            "--format",
            format,
            "-o",
            file.to_str().unwrap(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("wg1"), "{format}");
    }
    let bad = agenda(&[
        "export",
        "tests/data/tiny-agenda.json",
        "--instance",
        "tests/data/tiny.json",
        "--format",
        "pdf",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("use csv, ics, text, html or json"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn generate_is_deterministic_and_valid() {
    let a = agenda(&[
        "generate",
        "--sessions",
        "30",
        "--rooms",
        "4",
        "--seed",
        "3",
    ]);
    let b = agenda(&[
        "generate",
        "--sessions",
        "30",
        "--rooms",
        "4",
        "--seed",
        "3",
    ]);
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
    let path = std::env::temp_dir().join(format!("agenda-gen-{}.json", std::process::id()));
    std::fs::write(&path, &a.stdout).unwrap();
    let v = agenda(&["validate", path.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "{}", stdout(&v));
    std::fs::remove_file(&path).ok();
    let none = agenda(&["generate", "--sessions", "0", "--rooms", "4"]);
    assert_eq!(none.status.code(), Some(2));
}

#[test]
fn bundled_datasets_validate() {
    for entry in std::fs::read_dir(root().join("datasets")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && path.extension().is_some_and(|e| e == "json") {
            let out = agenda(&["validate", path.to_str().unwrap()]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}: {}",
                path.display(),
                stdout(&out)
            );
        }
    }
}

#[test]
fn solve_writes_an_agenda_that_checks_and_refuses_bad_options() {
    let path = std::env::temp_dir().join(format!("agenda-solve-{}.json", std::process::id()));
    let out = agenda(&[
        "solve",
        "tests/data/tiny.json",
        "-q",
        "--time-limit",
        "20",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = agenda(&[
        "check",
        "--json",
        "tests/data/tiny.json",
        path.to_str().unwrap(),
    ]);
    assert_eq!(check.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(
        doc["cost"], doc["claimed_cost"],
        "the solver reports the evaluator's cost"
    );
    let agenda_doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(agenda_doc["status"], "optimal");
    std::fs::remove_file(&path).ok();
    for bad in [
        ["--time-limit", "1e20"],
        ["--time-limit", "-1"],
        ["--gap", "2"],
    ] {
        let out = agenda(&["solve", "tests/data/tiny.json", "-q", bad[0], bad[1]]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {err}");
        assert!(!err.contains("panicked"), "{bad:?}: {err}");
    }
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("agenda-cli-interim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn interim_plan_then_check_agree_and_every_format_renders() {
    let plan = tmp("series-plan.json");
    let request = "tests/data/interim/series-rotation.json";
    let out = agenda(&[
        "interim",
        "plan",
        request,
        "--time-limit",
        "5",
        "-o",
        plan.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
    assert_eq!(doc["format"], "interim-plan/1");
    assert_eq!(doc["meetings"].as_array().unwrap().len(), 10);
    let check = agenda(&[
        "interim",
        "check",
        request,
        plan.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let verdict: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(verdict["cost"], doc["cost"]);
    assert_eq!(verdict["acceptable"], true);

    let text = stdout(&agenda(&[
        "interim",
        "plan",
        request,
        "--time-limit",
        "2",
        "-f",
        "text",
    ]));
    assert!(text.contains("interim-2027-core-03"), "{text}");
    assert!(text.contains("Asia/Tokyo"));
    let ics = stdout(&agenda(&[
        "interim",
        "plan",
        request,
        "--time-limit",
        "2",
        "-f",
        "ics",
    ]));
    assert_eq!(
        ics.matches("BEGIN:VEVENT").count(),
        11,
        "8 + 1 + a 2-day meeting"
    );
    assert!(ics.contains("UID:interim-2027-t2trg-01-2@"));
    let mail = stdout(&agenda(&[
        "interim",
        "plan",
        request,
        "--time-limit",
        "2",
        "-f",
        "mail",
    ]));
    assert!(
        mail.contains("Subject: Constrained RESTful Environments (core) WG Virtual Meeting: 2027-"),
        "{mail}"
    );
    assert!(mail.contains("Subject: Thing-to-Thing (t2trg) RG Virtual Meeting: "));
    assert!(mail.contains("a multi-day virtual interim meeting"));
}

#[test]
fn interim_check_exits_1_on_a_hard_error_and_2_on_bad_input() {
    let plan = tmp("broken-plan.json");
    let request = "tests/data/interim/series-rotation.json";
    let out = agenda(&[
        "interim",
        "plan",
        request,
        "--time-limit",
        "2",
        "-o",
        plan.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
    // A core meeting onto the IESG telechat of Thursday 2027-04-08 (07:00 Los Angeles =
    // 14:00 UTC). Which meeting comes first depends on the plan, which a 2 s limit may cut.
    let core = doc["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .position(|m| m["group"] == "core")
        .unwrap();
    doc["meetings"][core]["sessions"][0] =
        serde_json::json!({"start": "2027-04-08T14:00:00Z", "end": "2027-04-08T15:30:00Z"});
    std::fs::write(&plan, serde_json::to_string(&doc).unwrap()).unwrap();
    let check = agenda(&["interim", "check", request, plan.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains("Telechat"), "{}", stdout(&check));

    let bad = tmp("bad-request.json");
    std::fs::write(&bad, r#"{"format": "interim-request/1", "now": "2027-01-01T00:00:00Z",
        "groups": [{"acronym": "x"}],
        "requests": [{"group": "x", "minutes": 500, "earliest": "2027-02-01", "latest": "2027-01-01",
                      "participants": [{"time_zone": "Mars/Base"}]}]}"#).unwrap();
    let out = agenda(&["interim", "plan", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for field in [
        "requests[0].minutes",
        "requests[0].latest",
        "requests[0].participants[0].time_zone",
    ] {
        assert!(err.contains(field), "{field} missing: {err}");
    }
    let swapped = agenda(&["interim", "check", plan.to_str().unwrap(), request]);
    assert_eq!(swapped.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&swapped.stderr).contains("takes the request first"));
}

#[test]
fn virtual_plan_builds_solves_and_sends_the_rest_to_interims() {
    let Some(requests) = ["../shared/datasets/ietf106.json"]
        .into_iter()
        .find(|p| root().join(p).exists())
    else {
        eprintln!(
            "NOTICE: ../shared/datasets/ietf106.json is absent; skipping the virtual plan test"
        );
        return;
    };
    let dir = tmp("v107");
    let out = agenda(&[
        "virtual",
        "plan",
        "tests/data/online/ietf107.json",
        "--requests",
        requests,
        "-o",
        dir.to_str().unwrap(),
        "--time-limit",
        "60",
        "--interims",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(text.contains("a BoF (priority 8): 7 of 7 meet"), "{text}");
    assert!(
        text.contains("a dispatch-style group (priority 4): 3 of 3 meet"),
        "{text}"
    );
    assert!(text.contains("optimal"), "{text}");
    // The agenda passes check with its reported cost.
    let check = agenda(&[
        "check",
        "--json",
        dir.join("instance.json").to_str().unwrap(),
        dir.join("agenda.json").to_str().unwrap(),
    ]);
    assert_eq!(check.status.code(), Some(0));
    let verdict: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(verdict["cost"], verdict["claimed_cost"]);
    // Every session kept is of a BoF or dispatch group before any other fits... and the
    // other groups' interims plan without a hard error.
    let interims = agenda(&[
        "interim",
        "check",
        dir.join("interim-request.json").to_str().unwrap(),
        dir.join("interim-plan.json").to_str().unwrap(),
    ]);
    assert_eq!(interims.status.code(), Some(0), "{}", stdout(&interims));
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("interim-plan.json")).unwrap()).unwrap();
    assert_eq!(plan["unplaced"].as_array().unwrap().len(), 0);
    assert_eq!(plan["meetings"].as_array().unwrap().len(), 88);
}

#[test]
fn a_bad_virtual_meeting_names_its_fields() {
    let bad = tmp("bad-virtual.json");
    std::fs::write(
        &bad,
        r#"{"format": "virtual-meeting/1", "number": "x", "days": ["2020-13-01"],
        "window": {"blocks": [120]}, "tracks": 0}"#,
    )
    .unwrap();
    let out = agenda(&[
        "virtual",
        "plan",
        bad.to_str().unwrap(),
        "--requests",
        "tests/data/tiny.json",
        "-o",
        tmp("bad-out").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for field in ["days[0]", "tracks", "history"] {
        assert!(err.contains(field), "{field} missing: {err}");
    }
}

fn agenda_with_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_agenda"))
        .args(args)
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().expect("runs")
}

#[test]
fn a_dash_reads_standard_input_once() {
    let tiny = std::fs::read(root().join("tests/data/tiny.json")).unwrap();
    let out = agenda_with_stdin(&["validate", "-"], &tiny);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("<stdin>: valid: meeting T1"),
        "{}",
        stdout(&out)
    );
    let agenda_doc = std::fs::read(root().join("tests/data/tiny-agenda.json")).unwrap();
    let out = agenda_with_stdin(&["check", "tests/data/tiny.json", "-"], &agenda_doc);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).contains("meeting T1"));
    let both = agenda_with_stdin(&["check", "-", "-"], &tiny);
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("only one input can be `-`"));
}

#[test]
fn os_errors_are_printed_once_and_quiet_conflicts_with_verbose() {
    let out = agenda(&["validate", "no/such/file.json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
    let out = agenda(&["solve", "tests/data/tiny.json", "-q", "-v"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}

#[test]
fn completions_and_the_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = agenda(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = stdout(&out);
        assert!(text.contains("agenda") && text.contains("solve"), "{shell}");
    }
    let out = agenda(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let man = stdout(&agenda(&["man"]));
    assert!(man.contains(".TH agenda 1"), "{man}");
    assert!(man.contains("solve"));
}

#[test]
fn diff_lists_the_moves_of_a_minimal_change_re_solve() {
    let base = tmp("diff-base.json");
    let out = agenda(&[
        "solve",
        "tests/data/tiny.json",
        "-q",
        "--time-limit",
        "20",
        "-o",
        base.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    // Against itself: nothing changed.
    let same = agenda(&[
        "diff",
        "tests/data/tiny.json",
        base.to_str().unwrap(),
        base.to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(doc["moves"].as_array().unwrap().len(), 0);
    // A re-solve from the base under the same requests moves nothing and checks.
    let again = tmp("diff-again.json");
    let out = agenda(&[
        "solve",
        "tests/data/tiny.json",
        "-q",
        "--time-limit",
        "20",
        "--base",
        base.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&agenda(&[
        "diff",
        "tests/data/tiny.json",
        base.to_str().unwrap(),
        again.to_str().unwrap(),
    ]));
    assert!(text.contains("0 to another block"), "{text}");
    let check = agenda(&[
        "check",
        "--json",
        "tests/data/tiny.json",
        again.to_str().unwrap(),
        "--base",
        base.to_str().unwrap(),
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(doc["cost"], doc["claimed_cost"]);
    // --move-cost needs --base; --base and --start exclude each other.
    let out = agenda(&["solve", "tests/data/tiny.json", "--move-cost", "5"]);
    assert_eq!(out.status.code(), Some(2));
    let out = agenda(&[
        "solve",
        "tests/data/tiny.json",
        "--base",
        base.to_str().unwrap(),
        "--start",
        base.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn import_datatracker_writes_a_valid_instance_an_agenda_and_a_report() {
    let (inst, agenda_path, report) = (
        tmp("dt83.json"),
        tmp("dt83-agenda.json"),
        tmp("dt83-report.json"),
    );
    let mut args = vec!["import", "datatracker", "--meeting", "83"];
    let files = ["meeting83.json", "session83.json", "constraint83.json"]
        .map(|f| format!("tests/data/datatracker/ietf83/{f}"));
    args.extend(files.iter().map(String::as_str));
    args.extend([
        "-o",
        inst.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--schedule",
        "official",
        "--agenda-out",
        agenda_path.to_str().unwrap(),
    ]);
    let out = agenda(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("imported 21 requests from 26 sessions"),
        "{err}"
    );
    let check = agenda(&[
        "check",
        inst.to_str().unwrap(),
        agenda_path.to_str().unwrap(),
    ]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert!(doc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["subject"] == "meeting.session 2273"));
    // The draft goes back as a datatracker fixture.
    let fixture = agenda(&[
        "export",
        agenda_path.to_str().unwrap(),
        "--instance",
        inst.to_str().unwrap(),
        "-f",
        "datatracker-fixture",
    ]);
    assert_eq!(fixture.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_slice(&fixture.stdout).unwrap();
    assert_eq!(rows[0]["model"], "meeting.schedule");
    assert_eq!(rows.as_array().unwrap().len(), 1 + 23);
    // Another meeting's number: exit 2 with the meetings found.
    let mut wrong = args.clone();
    wrong[3] = "84";
    let out = agenda(&wrong);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("meetings found: 83"));
}

#[test]
fn whatif_runs_a_scenario_file_and_names_bad_lines() {
    let dir = std::env::temp_dir().join(format!("agenda-whatif-{}", std::process::id()));
    let out = dir.join("agendas");
    let ok = agenda(&[
        "whatif",
        "tests/data/whatif/small.json",
        "--base",
        "tests/data/whatif/base.json",
        "--scenarios",
        "tests/data/whatif/scenarios.txt",
        "--time-limit",
        "5",
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let table = stdout(&ok);
    assert!(table.contains("base agenda: cost 0"), "{table}");
    let row = table
        .lines()
        .find(|l| l.starts_with("new-conflict"))
        .unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(&cells[1..6], ["0", "0", "1", "0", "optimal"], "{row}");
    assert!(out.join("room-closed.json").exists());
    let stderr = String::from_utf8_lossy(&ok.stderr);
    assert!(stderr.contains("[4/4]"), "progress per scenario: {stderr}");

    let bad = dir.join("bad.txt");
    std::fs::write(&bad, "fine: cancel alpha\nbroken: close-room\n").unwrap();
    let refused = agenda(&[
        "whatif",
        "tests/data/whatif/small.json",
        "--base",
        "tests/data/whatif/base.json",
        "--scenarios",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("bad.txt: line 2: broken: `close-room`: expected `close-room ROOM [SLOT]`"),
        "{stderr}"
    );

    let generated = agenda(&[
        "whatif",
        "tests/data/whatif/small.json",
        "--base",
        "tests/data/whatif/base.json",
        "--generate",
        "5",
    ]);
    assert_eq!(generated.status.code(), Some(0));
    assert_eq!(stdout(&generated).lines().count(), 5);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--max-moves`: `check` reports an agenda that moves more sessions from the base than
/// allowed (exit 1, a `too_many_moves` hard error), `solve` keeps the cap, and the move
/// rules are one of three.
#[test]
fn max_moves_is_a_hard_rule_for_check_and_solve() {
    let base = "tests/data/whatif/base.json";
    let text = std::fs::read_to_string(root().join(base)).unwrap();
    // alpha and bravo swap blocks: two moves.
    let swapped = text
        .replacen(
            "\"mon-1000\", \"room\": \"r1\"",
            "\"X\", \"room\": \"r1\"",
            1,
        )
        .replacen(
            "\"mon-1330\", \"room\": \"r1\"",
            "\"mon-1000\", \"room\": \"r1\"",
            1,
        )
        .replacen("\"X\"", "\"mon-1330\"", 1);
    assert_ne!(swapped, text);
    let moved = tmp("max-moves-swapped.json");
    std::fs::write(&moved, swapped).unwrap();
    let moved = moved.to_str().unwrap();
    let check = |cap: &str| {
        agenda(&[
            "check",
            "tests/data/whatif/small.json",
            moved,
            "--base",
            base,
            "--max-moves",
            cap,
            "--json",
        ])
    };
    let over = check("1");
    assert_eq!(over.status.code(), Some(1), "{}", stdout(&over));
    let doc: serde_json::Value = serde_json::from_slice(&over.stdout).unwrap();
    assert!(doc.to_string().contains("too_many_moves"), "{doc}");
    assert_eq!(check("2").status.code(), Some(0));

    let out = tmp("max-moves-solved.json");
    let solved = agenda(&[
        "solve",
        "tests/data/whatif/small.json",
        "--base",
        moved,
        "--max-moves",
        "0",
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(solved.status.code(), Some(0));
    let again = std::fs::read_to_string(&out).unwrap();
    assert!(
        again
            .contains("\"group\": \"alpha\",\n      \"session\": 1,\n      \"slot\": \"mon-1330\""),
        "{again}"
    );

    let both = agenda(&[
        "solve",
        "tests/data/whatif/small.json",
        "--base",
        base,
        "--max-moves",
        "1",
        "--lexicographic",
    ]);
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("cannot be used with"));
}
