//! The datatracker's `agenda.csv` columns, one row per placed session in time order.

use super::{type_label, Report};

/// The columns of the datatracker's `agenda.csv`.
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
/// the datatracker has materials. Every field is quoted and rows end in CRLF, as the
/// datatracker's own file.
pub fn render(report: &Report) -> String {
    let p = report.problem;
    let mut out = ::csv::WriterBuilder::new()
        .quote_style(::csv::QuoteStyle::Always)
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail; a failure would drop only the rows after it.
    let _ = out.write_record(HEADER);
    for (s, pl) in report.placed_in_order() {
        let session = &p.sessions[s];
        let group = &p.groups[session.group];
        let slot = &p.slots[pl.slot];
        let end = p.session_end(s, pl.slot);
        let _ = out.write_record([
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
        ]);
    }
    let bytes = out.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
