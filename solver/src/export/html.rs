//! One self-contained HTML page (inline CSS, no scripts, no external resources): the
//! grid by day, each session coloured by its worst violation with the messages on hover,
//! then the per-kind summary, the violation list and the unscheduled sessions.
//! The markup is well-formed XML, so tools (and tests) can parse it.

use super::text::group_digits;
use super::Report;
use crate::agenda::Violation;
use crate::diff::{AgendaDiff, Change};
use crate::problem::SessionIdx;
use std::collections::BTreeMap;
use std::fmt::Write;

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:1.5rem;color:#222}\
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}\
table{border-collapse:collapse;margin:.4rem 0}th,td{border:1px solid #ccc;padding:.25rem .45rem;font-size:.85rem;vertical-align:top}\
th{background:#f3f3f3;text-align:left}td.time{white-space:nowrap;color:#555}\
td.free{background:#fafafa;color:#bbb}td.closed{background:repeating-linear-gradient(45deg,#eee,#eee 4px,#fff 4px,#fff 8px)}\
td.ok{background:#e8f5e9}td.minor{background:#fff8c4}td.major{background:#ffd8a8}td.severe{background:#ffb3b3}\
.area{color:#666;font-size:.75rem}td.changed{outline:3px solid #1565c0;outline-offset:-3px}.was{color:#1565c0;font-size:.75rem}.num{text-align:right}.legend span{padding:.1rem .5rem;margin-right:.4rem;border:1px solid #ccc}";

/// The agenda as one self-contained HTML page: the grid, coloured by cost, then the
/// violations and cost by kind.
pub fn render(report: &Report) -> String {
    let e = &report.evaluation;
    let mut h = head(&format!("IETF {} agenda", report.problem.meeting));
    let status = report.agenda.status.as_deref().unwrap_or("unstated");
    let bound = report
        .agenda
        .lower_bound
        .map(|b| format!(", proven lower bound {}", group_digits(b)))
        .unwrap_or_default();
    let _ = writeln!(
        h,
        "<p>Cost <strong>{}</strong> (status {}{}); {} sessions placed; {} hard errors. Times are local ({}).</p>",
        group_digits(e.cost),
        esc(status),
        bound,
        report.schedule.placed().count(),
        e.hard_errors.len(),
        esc(report.problem.time_zone.name())
    );
    h.push_str(LEGEND);
    hard_errors(&mut h, report);
    grid(&mut h, report, &BTreeMap::new());
    cost_by_kind(&mut h, report);
    violations(&mut h, "Violations", &e.violations);
    unscheduled(&mut h, report);
    h.push_str("</body>\n</html>\n");
    h
}

/// `agenda diff -f html`: the second agenda's grid with every session that changed
/// outlined and its old place under its name, then the moves, the violations added and
/// removed, and the cost by kind before and after.
pub fn render_diff(after: &Report, d: &AgendaDiff) -> String {
    let p = after.problem;
    let mut h = head(&format!("IETF {} agenda: what changed", p.meeting));
    let _ = writeln!(
        h,
        "<p>Cost <strong>{}</strong> &#8594; <strong>{}</strong>; {} sessions changed: {} to another block, {} to another room only. Changed sessions are outlined. Times are local ({}).</p>",
        group_digits(d.cost_before),
        group_digits(d.cost_after),
        d.moves.len(),
        d.moved_in_time(),
        d.moves.iter().filter(|m| m.change == Change::Room).count(),
        esc(p.time_zone.name())
    );
    h.push_str(LEGEND);
    if !d.hard_errors.is_empty() {
        h.push_str("<h2>Hard errors</h2>\n<ul>\n");
        for err in &d.hard_errors {
            let _ = writeln!(h, "<li>{}</li>", esc(err));
        }
        h.push_str("</ul>\n");
    }
    let place = |at: &Option<(String, String)>| {
        at.as_ref()
            .map_or("not placed".to_string(), |(slot, room)| {
                format!("{slot} {room}")
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
    grid(&mut h, after, &marks);
    if !d.moves.is_empty() {
        h.push_str("<h2>Sessions changed</h2>\n<table>\n<tr><th>session</th><th>change</th><th>before</th><th>after</th></tr>\n");
        for m in &d.moves {
            let change = match m.change {
                Change::Time => "another block",
                Change::Room => "another room",
                Change::Placed => "placed",
                Change::LeftOut => "left out",
            };
            let _ = writeln!(
                h,
                "<tr><td>{} #{}</td><td>{change}</td><td>{}</td><td>{}</td></tr>",
                esc(&m.group),
                m.session,
                esc(&place(&m.from)),
                esc(&place(&m.to))
            );
        }
        h.push_str("</table>\n");
    }
    violations(&mut h, "Violations added", &d.violations_added);
    violations(&mut h, "Violations removed", &d.violations_removed);
    if !d.by_kind.is_empty() {
        h.push_str(
            "<h2>Cost by kind</h2>\n<table>\n<tr><th>kind</th><th>before</th><th>after</th></tr>\n",
        );
        for k in &d.by_kind {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                k.kind,
                group_digits(k.before),
                group_digits(k.after)
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}

const LEGEND: &str = "<p class=\"legend\"><span class=\"ok\" style=\"background:#e8f5e9\">no violation</span><span style=\"background:#fff8c4\">under 10,000</span><span style=\"background:#ffd8a8\">10,000 to 99,999</span><span style=\"background:#ffb3b3\">100,000 or more</span></p>\n";

/// The page up to the title.
fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(title),
        esc(title)
    )
}

fn hard_errors(h: &mut String, report: &Report) {
    let e = &report.evaluation;
    if !e.hard_errors.is_empty() {
        h.push_str("<h2>Hard errors</h2>\n<ul>\n");
        for err in &e.hard_errors {
            let _ = writeln!(h, "<li>{}</li>", esc(&err.message));
        }
        h.push_str("</ul>\n");
    }
}

/// The grid by day; a session in `marks` is outlined, its note under its name.
fn grid(h: &mut String, report: &Report, marks: &BTreeMap<SessionIdx, String>) {
    let p = report.problem;
    let at = report.occupancy();
    for (date, slots) in report.days() {
        let _ = writeln!(
            h,
            "<h2>{}</h2>",
            esc(&date.format("%A %Y-%m-%d").to_string())
        );
        h.push_str("<table>\n<tr><th>Time</th>");
        for room in &p.rooms {
            let seats = room.capacity.map(|c| format!(" ({c})")).unwrap_or_default();
            let _ = write!(h, "<th>{}{}</th>", esc(&room.name), esc(&seats));
        }
        h.push_str("</tr>\n");
        for &slot in &slots {
            let info = &p.slots[slot];
            let local = report
                .regional_times(slot)
                .map(|l| format!("<br><small>{}</small>", esc(&l)))
                .unwrap_or_default();
            let _ = write!(
                h,
                "<tr><td class=\"time\">{}&#8211;{}{local}</td>",
                info.start.format("%H:%M"),
                info.end().format("%H:%M")
            );
            for r in 0..p.rooms.len() {
                match at.get(&(slot, r)) {
                    Some(&s) => {
                        let vs = report.violations_of(s);
                        let worst = vs.iter().map(|v| v.penalty).max().unwrap_or(0);
                        let class = match worst {
                            0 => "ok",
                            1..=9_999 => "minor",
                            10_000..=99_999 => "major",
                            _ => "severe",
                        };
                        let tip: Vec<String> = vs
                            .iter()
                            .map(|v| format!("{} ({})", v.message, v.penalty))
                            .collect();
                        let group = &p.groups[p.sessions[s].group];
                        let (outline, note) = match marks.get(&s) {
                            Some(note) => (
                                " changed",
                                format!("<br/><span class=\"was\">{}</span>", esc(note)),
                            ),
                            None => ("", String::new()),
                        };
                        let _ = write!(
                            h,
                            "<td class=\"{class}{outline}\" title=\"{}\"><strong>{}</strong><br/><span class=\"area\">{}</span>{note}</td>",
                            esc(&tip.join("\n")),
                            esc(&p.session_label(s)),
                            esc(group.area.as_deref().unwrap_or(""))
                        );
                    }
                    None if info.is_open(r) => h.push_str("<td class=\"free\">&#183;</td>"),
                    None => h.push_str("<td class=\"closed\"></td>"),
                }
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    }
}

fn cost_by_kind(h: &mut String, report: &Report) {
    let e = &report.evaluation;
    h.push_str("<h2>Cost by kind</h2>\n<table>\n<tr><th>kind</th><th>what</th><th>count</th><th>penalty</th></tr>\n");
    for (kind, total) in e.table().into_iter().filter(|(_, t)| t.count > 0) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            kind.key(),
            esc(kind.describe()),
            total.count,
            group_digits(total.penalty)
        );
    }
    let _ = writeln!(
        h,
        "<tr><th colspan=\"3\">total</th><th class=\"num\">{}</th></tr>\n</table>",
        group_digits(e.cost)
    );
}

fn violations(h: &mut String, title: &str, list: &[Violation]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<table>\n<tr><th>kind</th><th>slot</th><th>message</th><th>penalty</th></tr>",
        esc(title)
    );
    for v in list {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            esc(&v.kind),
            esc(v.slot.as_deref().unwrap_or("")),
            esc(&v.message),
            group_digits(v.penalty)
        );
    }
    h.push_str("</table>\n");
}

fn unscheduled(h: &mut String, report: &Report) {
    let p = report.problem;
    let unscheduled: Vec<SessionIdx> = (0..p.sessions.len())
        .filter(|&s| report.schedule.get(s).is_none())
        .collect();
    if !unscheduled.is_empty() {
        h.push_str("<h2>Unscheduled</h2>\n<ul>\n");
        for s in unscheduled {
            let why = if p.sessions[s].schedulable {
                "not placed"
            } else {
                "awaiting AD approval"
            };
            let _ = writeln!(h, "<li>{} &#8212; {}</li>", esc(&p.session_label(s)), why);
        }
        h.push_str("</ul>\n");
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
    out
}
