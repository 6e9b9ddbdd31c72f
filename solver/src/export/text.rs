//! A plain-text grid, days x blocks x rooms, that fits a terminal: when the rooms do not
//! fit in `width` columns, each day is printed in several bands of rooms.

use super::Report;
use crate::problem::{RoomIdx, SessionIdx};
use std::fmt::Write;

/// Columns of the grid when the terminal's width is unknown.
pub const DEFAULT_WIDTH: usize = 100;
const TIME_COLUMN: usize = 11; // "10:00-12:00"
const MAX_CELL: usize = 14;

/// Renders the grid. A `*` marks a session with at least one priced violation.
pub fn render(report: &Report, width: usize) -> String {
    let p = report.problem;
    let at = report.occupancy();
    let label = |s: SessionIdx| {
        let flag = if report.violations_of(s).is_empty() {
            ""
        } else {
            "*"
        };
        format!("{}{flag}", p.session_label(s))
    };
    let cell = (p
        .rooms
        .iter()
        .map(|r| r.name.chars().count())
        .chain(at.values().map(|&s| label(s).chars().count()))
        .max()
        .unwrap_or(6))
    .clamp(6, MAX_CELL);
    let per_band = ((width.saturating_sub(TIME_COLUMN + 1)) / (cell + 1)).max(1);
    let rooms: Vec<RoomIdx> = (0..p.rooms.len()).collect();

    let mut out = String::new();
    let e = &report.evaluation;
    let _ = writeln!(
        out,
        "IETF {} agenda: {} sessions placed, {} unscheduled, cost {}{}",
        p.meeting,
        report.schedule.placed().count(),
        p.sessions.len() - report.schedule.placed().count(),
        group_digits(e.cost),
        match report.agenda.lower_bound {
            Some(b) => format!(" (lower bound {})", group_digits(b)),
            None => String::new(),
        }
    );
    let _ = writeln!(
        out,
        "Times are local ({}); * marks a session with violations.",
        p.time_zone.name()
    );
    for (date, slots) in report.days() {
        for band in rooms.chunks(per_band) {
            let _ = writeln!(out);
            let _ = writeln!(out, "{}", date.format("%A %Y-%m-%d"));
            let mut header = format!("{:<TIME_COLUMN$}", "");
            for &r in band {
                let _ = write!(header, " {:<cell$}", clip(&p.rooms[r].name, cell));
            }
            let _ = writeln!(out, "{}", header.trim_end());
            let _ = writeln!(out, "{}", "-".repeat(TIME_COLUMN + band.len() * (cell + 1)));
            for &slot in &slots {
                let info = &p.slots[slot];
                let time = format!(
                    "{}-{}",
                    info.start.format("%H:%M"),
                    info.end().format("%H:%M")
                );
                let mut row = format!("{time:<TIME_COLUMN$}");
                for &r in band {
                    let text = match at.get(&(slot, r)) {
                        Some(&s) => label(s),
                        None if info.is_open(r) => ".".into(),
                        None => "#".into(),
                    };
                    let _ = write!(row, " {:<cell$}", clip(&text, cell));
                }
                let _ = writeln!(out, "{}", row.trim_end());
            }
            // A virtual meeting's participants read the blocks in their own zones.
            if band.first() == Some(&0) {
                for &slot in &slots {
                    if let Some(local) = report.regional_times(slot) {
                        let _ = writeln!(
                            out,
                            "  {} {}: {local}",
                            p.slots[slot].start.format("%H:%M"),
                            p.time_zone.name()
                        );
                    }
                }
            }
        }
    }
    let unscheduled: Vec<String> = (0..p.sessions.len())
        .filter(|&s| report.schedule.get(s).is_none())
        .map(|s| {
            let why = if p.sessions[s].schedulable {
                ""
            } else {
                " (awaiting AD approval)"
            };
            format!("{}{why}", p.session_label(s))
        })
        .collect();
    if !unscheduled.is_empty() {
        let _ = writeln!(out, "\nUnscheduled: {}", unscheduled.join(", "));
    }
    let _ = writeln!(out, "\n. free   # room closed");
    out
}

fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('~');
        t
    }
}

/// `1234567` -> `1,234,567`.
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(260_000), "260,000");
        assert_eq!(group_digits(10_000_000), "10,000,000");
    }

    #[test]
    fn clipping_marks_cut_text() {
        assert_eq!(clip("verylongacronym", 6), "veryl~");
        assert_eq!(clip("short", 6), "short");
    }
}
