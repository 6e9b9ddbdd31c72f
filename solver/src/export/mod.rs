//! Exports of an agenda: datatracker-style CSV, iCalendar, a terminal grid, and one
//! self-contained HTML page. All are pure functions of a [`Report`], deterministic to
//! the byte.

pub mod csv;
pub mod html;
pub mod ics;
pub mod text;

use crate::agenda::Agenda;
use crate::cost::{evaluate_agenda, Evaluation, Schedule};
use crate::problem::{Problem, SessionIdx, SlotIdx};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// An agenda resolved against its problem, with the evaluator's verdict.
pub struct Report<'a> {
    /// The validated meeting.
    pub problem: &'a Problem,
    /// The agenda to export.
    pub agenda: &'a Agenda,
    /// Where the agenda puts each session.
    pub schedule: Schedule,
    /// The evaluator's verdict on the agenda.
    pub evaluation: Evaluation,
}

/// The zones a virtual meeting's exports show beside UTC: two for North America, one
/// each for Europe and Asia (RFC 8179's regions, as RFC 9400 rotates them).
pub const REGIONAL_ZONES: [(&str, chrono_tz::Tz); 4] = [
    ("Los Angeles", chrono_tz::America::Los_Angeles),
    ("New York", chrono_tz::America::New_York),
    ("Berlin", chrono_tz::Europe::Berlin),
    ("Tokyo", chrono_tz::Asia::Tokyo),
];

impl<'a> Report<'a> {
    /// For a virtual meeting, a slot's start in each regional zone, e.g. `Los Angeles
    /// 13:00, New York 16:00, Berlin 21:00, Tokyo 05:00 (+1 day)`; the day shift is
    /// against the slot's own date. None for in-person and hybrid meetings.
    pub fn regional_times(&self, slot: SlotIdx) -> Option<String> {
        if self.problem.mode != crate::problem::Mode::Virtual {
            return None;
        }
        let start = self.problem.slots[slot].start;
        let parts: Vec<String> = REGIONAL_ZONES
            .iter()
            .map(|(name, tz)| {
                let local = start.with_timezone(tz);
                let shift = (local.date_naive() - start.date_naive()).num_days();
                let day = match shift {
                    0 => String::new(),
                    d => format!(" ({d:+} day)"),
                };
                format!("{name} {}{day}", local.format("%H:%M"))
            })
            .collect();
        Some(parts.join(", "))
    }

    /// Resolves `agenda` against `problem` and evaluates it.
    pub fn new(problem: &'a Problem, agenda: &'a Agenda) -> Report<'a> {
        let (schedule, evaluation) = evaluate_agenda(problem, agenda);
        Report {
            problem,
            agenda,
            schedule,
            evaluation,
        }
    }

    /// Placed sessions in time order (slot start, then room order, then session).
    pub fn placed_in_order(&self) -> Vec<(SessionIdx, crate::cost::Placement)> {
        let mut v: Vec<_> = self.schedule.placed().collect();
        v.sort_by_key(|&(s, pl)| {
            (
                self.problem.slots[pl.slot].start_utc_minute,
                pl.slot,
                pl.room,
                s,
            )
        });
        v
    }

    /// Which session sits in each (slot, room).
    pub fn occupancy(&self) -> HashMap<(SlotIdx, crate::problem::RoomIdx), SessionIdx> {
        self.schedule
            .placed()
            .map(|(s, pl)| ((pl.slot, pl.room), s))
            .collect()
    }

    /// The meeting's days with their slots in time order.
    pub fn days(&self) -> Vec<(NaiveDate, Vec<SlotIdx>)> {
        let p = self.problem;
        let mut slots: Vec<SlotIdx> = (0..p.slots.len()).collect();
        slots.sort_by_key(|&s| (p.slots[s].start_utc_minute, s));
        let mut days: Vec<(NaiveDate, Vec<SlotIdx>)> = Vec::new();
        for s in slots {
            let date = p.slots[s].date;
            match days.last_mut() {
                Some((d, v)) if *d == date => v.push(s),
                _ => days.push((date, vec![s])),
            }
        }
        days
    }

    /// The violations that name session `s` (as either side).
    pub fn violations_of(&self, s: SessionIdx) -> Vec<&crate::agenda::Violation> {
        let session = &self.problem.sessions[s];
        let group = self.problem.acronym(session.group);
        self.evaluation
            .violations
            .iter()
            .filter(|v| {
                (v.group == group && v.session == session.number)
                    || (v.other_group.as_deref() == Some(group)
                        && v.other_session == Some(session.number))
            })
            .collect()
    }
}

/// The export formats of `agenda export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The datatracker's `agenda.csv`.
    Csv,
    /// iCalendar.
    Ics,
    /// A text grid for the terminal.
    Text,
    /// One self-contained HTML page.
    Html,
    /// The `agenda/1` document itself.
    Json,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "csv" => Ok(Format::Csv),
            "ics" | "ical" | "icalendar" => Ok(Format::Ics),
            "text" | "txt" => Ok(Format::Text),
            "html" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            _ => Err(format!(
                "unknown format {s:?}: use csv, ics, text, html or json"
            )),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Csv => "csv",
            Format::Ics => "ics",
            Format::Text => "text",
            Format::Html => "html",
            Format::Json => "json",
        })
    }
}

/// Renders the report in `format` (`json` is the agenda itself, pretty-printed).
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Csv => csv::render(report),
        Format::Ics => ics::render(report),
        Format::Text => text::render(report, text::DEFAULT_WIDTH),
        Format::Html => html::render(report),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report.agenda).unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

/// A group's type as the datatracker shows it (`WG`, `RG`, `BOF`, `AG`, ...).
pub(crate) fn type_label(p: &Problem, s: SessionIdx) -> String {
    let g = &p.groups[p.sessions[s].group];
    if g.is_bof {
        "BOF".into()
    } else {
        g.group_type.to_uppercase()
    }
}
