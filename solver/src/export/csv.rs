//! The datatracker's `agenda.csv` columns, one row per placed session in time order.

use super::{type_label, Report};

pub const HEADER: [&str; 12] = [
    "Date",
    "Start",
    "End",
    "Session",
    "Room",
    "Area",
    "Acronym",
    "Type",
    "Description",
    "Session ID",
    "Agenda",
    "Slides",
];

/// Renders the CSV. Times are local (`HHMM`, as the datatracker writes them); `Session ID`
/// is `<acronym>-<number>` (stable across runs); `Agenda` and `Slides` stay empty until
/// the datatracker has materials.
pub fn render(report: &Report) -> String {
    let p = report.problem;
    let mut out = String::new();
    push_row(&mut out, HEADER.iter().map(|s| s.to_string()));
    for (s, pl) in report.placed_in_order() {
        let session = &p.sessions[s];
        let group = &p.groups[session.group];
        let slot = &p.slots[pl.slot];
        let end = p.session_end(s, pl.slot);
        push_row(
            &mut out,
            [
                slot.date.format("%Y-%m-%d").to_string(),
                slot.start.format("%H%M").to_string(),
                end.format("%H%M").to_string(),
                slot.name.clone().unwrap_or_else(|| slot.id.clone()),
                p.rooms[pl.room].name.clone(),
                group.area.clone().unwrap_or_default().to_uppercase(),
                group.acronym.clone(),
                type_label(p, s),
                group.name.clone(),
                format!("{}-{}", group.acronym, session.number),
                String::new(),
                String::new(),
            ]
            .into_iter(),
        );
    }
    out
}

fn push_row(out: &mut String, fields: impl Iterator<Item = String>) {
    let quoted: Vec<String> = fields
        .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
        .collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}
