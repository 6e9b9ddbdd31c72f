//! One self-contained HTML page (inline CSS, no scripts, no external resources): the
//! grid by day, each session coloured by its worst violation with the messages on hover,
//! then the per-kind summary, the violation list and the unscheduled sessions.
//!
//! The markup lives in `templates/` (minijinja, auto-escaped); this module only builds
//! the values the templates show. The markup is well-formed XML, so tools (and tests)
//! can parse it, and a `viewport` and scrolling tables make it readable on a phone.

use super::text::group_digits;
use super::Report;
use crate::agenda::Violation;
use crate::diff::{AgendaDiff, Change};
use crate::problem::{Problem, SessionIdx, SlotIdx};
use minijinja::Environment;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The agenda as one self-contained HTML page: the grid, coloured by cost, then the
/// violations and cost by kind.
pub fn render(report: &Report) -> String {
    let p = report.problem;
    let e = &report.evaluation;
    let when = SlotTimes::new(p);
    let unscheduled: Vec<Unscheduled> = (0..p.sessions.len())
        .filter(|&s| report.schedule.get(s).is_none())
        .map(|s| Unscheduled {
            session: p.session_label(s),
            why: if p.sessions[s].schedulable {
                "not placed"
            } else {
                "awaiting AD approval"
            },
        })
        .collect();
    let kinds: Vec<KindRow> = e
        .table()
        .into_iter()
        .filter(|(_, t)| t.count > 0)
        .map(|(kind, t)| KindRow {
            key: kind.key(),
            what: kind.describe(),
            count: t.count,
            penalty: t.penalty,
        })
        .collect();
    let page = minijinja::context! {
        title => format!("IETF {} agenda", p.meeting),
        zone => p.time_zone.name(),
        cost => e.cost,
        status => report.agenda.status.as_deref().unwrap_or("unstated"),
        bound => report.agenda.lower_bound,
        placed => report.schedule.placed().count(),
        hard_errors => e.hard_errors.iter().map(|h| h.message.as_str()).collect::<Vec<_>>(),
        days => days(report, &BTreeMap::new()),
        kinds,
        violations_list => when.rows(&e.violations),
        unscheduled,
    };
    fill("agenda.html", page)
}

/// `agenda diff -f html`: the second agenda's grid with every session that changed
/// outlined and its old place under its name, then the moves, the violations added and
/// removed, and the cost by kind before and after.
pub fn render_diff(after: &Report, d: &AgendaDiff) -> String {
    let p = after.problem;
    let when = SlotTimes::new(p);
    let place = |at: &Option<(String, String)>| {
        at.as_ref()
            .map_or("not placed".to_string(), |(slot, room)| {
                format!("{} {room}", when.of(slot))
            })
    };
    let marks: BTreeMap<SessionIdx, String> = d
        .moves
        .iter()
        .filter_map(|m| {
            let s = p.session_index(&m.group, m.session)?;
            let note = match m.change {
                Change::Placed => "new here".to_string(),
                _ => format!("was {}", place(&m.from)),
            };
            Some((s, note))
        })
        .collect();
    let moves: Vec<MoveRow> = d
        .moves
        .iter()
        .map(|m| MoveRow {
            session: format!("{} #{}", m.group, m.session),
            change: match m.change {
                Change::Time => "another block",
                Change::Room => "another room",
                Change::Placed => "placed",
                Change::LeftOut => "left out",
            },
            before: place(&m.from),
            after: place(&m.to),
        })
        .collect();
    let page = minijinja::context! {
        title => format!("IETF {} agenda: what changed", p.meeting),
        zone => p.time_zone.name(),
        cost_before => d.cost_before,
        cost_after => d.cost_after,
        changed => d.moves.len(),
        moved_in_time => d.moved_in_time(),
        moved_room => d.moves.iter().filter(|m| m.change == Change::Room).count(),
        hard_errors => &d.hard_errors,
        days => days(after, &marks),
        moves,
        added => when.rows(&d.violations_added),
        removed => when.rows(&d.violations_removed),
        kinds => d.by_kind.iter().map(|k| minijinja::context! {
            kind => k.kind, before => k.before, after => k.after
        }).collect::<Vec<_>>(),
    };
    fill("diff.html", page)
}

/// The templates, parsed once.
fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // The `.html` names turn on HTML auto-escaping of every value.
        for (name, source) in [
            ("base.html", include_str!("templates/base.html")),
            ("violations.html", include_str!("templates/violations.html")),
            ("agenda.html", include_str!("templates/agenda.html")),
            ("diff.html", include_str!("templates/diff.html")),
        ] {
            // A template that does not parse is a bug the html tests catch; rendering
            // then reports it in the page instead of panicking in a server.
            let _ = env.add_template(name, source);
        }
        env.add_filter("digits", |n: u64| group_digits(n));
        env
    })
}

/// The page from `template`; a template error (a bug: the values are plain strings and
/// numbers, auto-escaped) gives a page that says so rather than a panic.
fn fill(template: &str, page: minijinja::Value) -> String {
    let rendered = templates()
        .get_template(template)
        .and_then(|t| t.render(page));
    match rendered {
        Ok(mut html) => {
            html.push('\n');
            html
        }
        Err(e) => format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>export failed</title></head><body><p>The HTML export failed: {}. Please report it; the csv, ics and json exports still work.</p></body></html>\n",
            e.to_string().replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
        ),
    }
}

/// A day of the grid: its heading, the rooms, one row per block.
#[derive(Serialize)]
struct Day {
    heading: String,
    rooms: Vec<String>,
    rows: Vec<Row>,
}

#[derive(Serialize)]
struct Row {
    start: String,
    end: String,
    /// A virtual meeting's block in the regional zones.
    local: Option<String>,
    cells: Vec<Cell>,
}

/// One room in one block: a session (`session` set), free (`open`) or closed.
#[derive(Serialize, Default)]
struct Cell {
    session: Option<String>,
    open: bool,
    name: String,
    area: String,
    attendees: u32,
    /// `ok`, `minor`, `major` or `severe`: the worst violation's penalty band.
    class: &'static str,
    /// The session's violations, one per line (the cell's tooltip).
    tip: String,
    /// Set when the session changed (`agenda diff`): where it was.
    note: Option<String>,
}

#[derive(Serialize)]
struct KindRow {
    key: &'static str,
    what: &'static str,
    count: u64,
    penalty: u64,
}

#[derive(Serialize)]
struct ViolationRow<'a> {
    kind: &'a str,
    /// The block's day and times, not its id.
    when: String,
    message: &'a str,
    penalty: u64,
}

#[derive(Serialize)]
struct MoveRow {
    session: String,
    change: &'static str,
    before: String,
    after: String,
}

#[derive(Serialize)]
struct Unscheduled {
    session: String,
    why: &'static str,
}

/// Slot ids to what a reader recognises: `Mon 09:30-11:30`.
struct SlotTimes<'p> {
    problem: &'p Problem,
    by_id: HashMap<&'p str, SlotIdx>,
}

impl<'p> SlotTimes<'p> {
    fn new(problem: &'p Problem) -> Self {
        let by_id = problem
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        SlotTimes { problem, by_id }
    }

    /// The block's day and times; an id the meeting lacks is shown as it is.
    fn of(&self, id: &str) -> String {
        match self.by_id.get(id) {
            Some(&s) => {
                let slot = &self.problem.slots[s];
                format!(
                    "{} {}\u{2013}{}",
                    slot.start.format("%a"),
                    slot.start.format("%H:%M"),
                    slot.end().format("%H:%M")
                )
            }
            None => id.to_string(),
        }
    }

    fn rows<'v>(&self, list: &'v [Violation]) -> Vec<ViolationRow<'v>> {
        list.iter()
            .map(|v| ViolationRow {
                kind: &v.kind,
                when: v.slot.as_deref().map(|id| self.of(id)).unwrap_or_default(),
                message: &v.message,
                penalty: v.penalty,
            })
            .collect()
    }
}

/// The grid by day; a session in `marks` is outlined, its note under its name.
fn days(report: &Report, marks: &BTreeMap<SessionIdx, String>) -> Vec<Day> {
    let p = report.problem;
    let at = report.occupancy();
    let rooms: Vec<String> = p
        .rooms
        .iter()
        .map(|room| match room.capacity {
            Some(c) => format!("{} ({c})", room.name),
            None => room.name.clone(),
        })
        .collect();
    report
        .days()
        .into_iter()
        .map(|(date, slots)| Day {
            heading: date.format("%A %Y-%m-%d").to_string(),
            rooms: rooms.clone(),
            rows: slots
                .into_iter()
                .map(|slot| {
                    let info = &p.slots[slot];
                    Row {
                        start: info.start.format("%H:%M").to_string(),
                        end: info.end().format("%H:%M").to_string(),
                        local: report.regional_times(slot),
                        cells: (0..p.rooms.len())
                            .map(|r| match at.get(&(slot, r)) {
                                Some(&s) => session_cell(report, s, marks.get(&s)),
                                None => Cell {
                                    open: info.is_open(r),
                                    ..Cell::default()
                                },
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect()
}

fn session_cell(report: &Report, s: SessionIdx, note: Option<&String>) -> Cell {
    let p = report.problem;
    let vs = report.violations_of(s);
    let worst = vs.iter().map(|v| v.penalty).max().unwrap_or(0);
    let group = &p.groups[p.sessions[s].group];
    Cell {
        session: Some(p.session_label(s)),
        open: true,
        name: group.name.clone(),
        area: group.area.clone().unwrap_or_default(),
        attendees: p.sessions[s].attendees,
        class: match worst {
            0 => "ok",
            1..=9_999 => "minor",
            10_000..=99_999 => "major",
            _ => "severe",
        },
        tip: vs
            .iter()
            .map(|v| format!("{} ({})", v.message, v.penalty))
            .collect::<Vec<_>>()
            .join("\n"),
        note: note.cloned(),
    }
}
