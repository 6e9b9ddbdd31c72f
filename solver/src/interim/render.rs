//! A plan for people: a text table per meeting, iCalendar events, and the
//! announcement the datatracker sends.

use super::model::InterimProblem;
use super::plan::InterimPlan;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::fmt::Write as _;

fn instant(text: &str) -> Option<DateTime<Utc>> {
    super::model::parse_instant(text)
}

/// Per meeting: the UTC sessions, then each zone's local date, time and pain.
pub fn text(plan: &InterimPlan) -> String {
    let mut o = String::new();
    let bound = match plan.lower_bound {
        Some(b) => format!("lower bound {b}"),
        None => "no bound".into(),
    };
    let _ = writeln!(
        o,
        "{} plan: cost {} ({bound}), {} meetings, {} unplaced",
        plan.status,
        plan.cost,
        plan.meetings.len(),
        plan.unplaced.len()
    );
    for m in &plan.meetings {
        let _ = writeln!(
            o,
            "\n{}  (request {}, meeting {})  announce by {}, agenda by {}, minutes due {}",
            m.name, m.request, m.index, m.announce_by, m.agenda_by, m.minutes_due
        );
        for s in &m.sessions {
            if let (Some(a), Some(b)) = (instant(&s.start), instant(&s.end)) {
                let _ = writeln!(
                    o,
                    "  {} - {} UTC",
                    a.format("%a %Y-%m-%d %H:%M"),
                    b.format("%H:%M")
                );
            }
        }
        let width = m.local.iter().map(|l| l.time_zone.len()).max().unwrap_or(0);
        for l in &m.local {
            let local = chrono::DateTime::parse_from_rfc3339(&l.start)
                .map(|t| t.format("%a %Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            let _ = writeln!(o, "    {:width$}  {local}  pain {}", l.time_zone, l.pain);
        }
        if let Some(why) = &m.why {
            let _ = writeln!(o, "  why: {why}");
        }
    }
    for u in &plan.unplaced {
        let _ = writeln!(
            o,
            "\nunplaced: {} request {} meeting {}: {}",
            u.group, u.request, u.index, u.reason
        );
    }
    for f in &plan.fairness {
        let zones: Vec<String> = f
            .zones
            .iter()
            .map(|z| {
                format!(
                    "{} {} ({} of its meetings at night)",
                    z.time_zone, z.pain, z.night_meetings
                )
            })
            .collect();
        let _ = writeln!(
            o,
            "\nfairness of {} request {}: {}",
            f.group,
            f.request,
            zones.join(", ")
        );
    }
    if !plan.violations.is_empty() {
        let _ = writeln!(o, "\ncost by kind:");
        for (k, v) in &plan.cost_by_kind {
            let _ = writeln!(o, "  {k:16} {v}");
        }
        for v in plan
            .violations
            .iter()
            .filter(|v| v.kind != "pain" && v.kind != "worst_zone")
        {
            let _ = writeln!(o, "  {} {}: {}", v.kind, v.meeting, v.message);
        }
    }
    for w in plan.warnings.iter().chain(&plan.notes) {
        let _ = writeln!(o, "note: {w}");
    }
    o
}

/// One VEVENT per session, in UTC; UIDs are stable (the meeting name and the session
/// number), so re-importing an updated plan replaces the events. Written by the
/// `icalendar` crate (escaping, folding at 75 octets); DTSTAMP is the plan's `now`, so
/// the same plan gives the same bytes.
pub fn ics(problem: &InterimProblem, plan: &InterimPlan) -> String {
    use icalendar::{Calendar, Component, EventLike};
    let mut calendar = Calendar::empty();
    for (key, value) in [
        ("VERSION", "2.0"),
        ("PRODID", "-//IETF agenda engine//interim planner//EN"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
    ] {
        calendar.append_property(icalendar::Property::new(key, value));
    }
    for m in &plan.meetings {
        let group = problem.groups.iter().find(|g| g.acronym == m.group);
        let title = match group {
            Some(g) => format!("{} ({}) interim", g.name, g.acronym),
            None => format!("{} interim", m.group),
        };
        for (k, s) in m.sessions.iter().enumerate() {
            let (Some(a), Some(b)) = (instant(&s.start), instant(&s.end)) else {
                continue;
            };
            calendar.push(
                icalendar::Event::new()
                    .uid(&format!("{}-{}@interim.ietf-agenda", m.name, k + 1))
                    .timestamp(problem.now)
                    .starts(a)
                    .ends(b)
                    .summary(&format!("{title} ({})", m.name))
                    .description(m.why.as_deref().unwrap_or(""))
                    .done(),
            );
        }
    }
    calendar.to_string()
}

/// The announcement per meeting, as the datatracker words it: subject
/// `{Name} ({acronym}) {WG|RG|BOF} Virtual Meeting: {date}`, to IETF-Announce, cc the
/// WG list, with the UTC times and the local times of the group's zones.
pub fn mail(problem: &InterimProblem, plan: &InterimPlan) -> String {
    let mut o = String::new();
    for m in &plan.meetings {
        let Some(a) = announcement(problem, m) else {
            continue;
        };
        let _ = writeln!(o, "From: IESG Secretary <iesg-secretary@ietf.org>");
        let _ = writeln!(o, "To: {}", a.to);
        let _ = writeln!(o, "Cc: {}", a.cc);
        let _ = writeln!(o, "Subject: {}\n", a.subject);
        let _ = writeln!(o, "{}", a.body);
        let _ = writeln!(o, "{}", "-".repeat(72));
    }
    o
}

/// One meeting's announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The announcement's recipient (IETF-Announce).
    pub to: String,
    /// Its copy (the group's list).
    pub cc: String,
    /// Its subject, as the datatracker writes it.
    pub subject: String,
    /// Its text.
    pub body: String,
}

/// The announcement of one planned meeting (None when it names no request of the
/// problem or has no valid start).
pub fn announcement(
    problem: &InterimProblem,
    m: &super::plan::PlannedMeeting,
) -> Option<Announcement> {
    let req = problem.requests.get(m.request)?;
    let g = &problem.groups[req.group];
    let first = m.sessions.first().and_then(|s| instant(&s.start))?;
    let kind = match g.label {
        "RG" => "Research Group",
        "BOF" => "BOF",
        _ => "Working Group",
    };
    let mut o = String::new();
    if m.sessions.len() == 1 {
        let s = &m.sessions[0];
        let end = instant(&s.end)
            .map(|e| e.format("%H:%M").to_string())
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "The {} ({}) {kind} will hold\na virtual interim meeting on {} from {} to {end} UTC.",
            g.name,
            g.acronym,
            first.format("%Y-%m-%d"),
            first.format("%H:%M")
        );
    } else {
        let _ = writeln!(
            o,
            "The {} ({}) {kind} will hold\na multi-day virtual interim meeting.\n",
            g.name, g.acronym
        );
        for (k, s) in m.sessions.iter().enumerate() {
            if let (Some(a), Some(b)) = (instant(&s.start), instant(&s.end)) {
                let _ = writeln!(
                    o,
                    "Session {}:\n{}     {} to {}  UTC",
                    k + 1,
                    a.format("%Y-%m-%d"),
                    a.format("%H:%M"),
                    b.format("%H:%M")
                );
            }
        }
    }
    let _ = writeln!(o, "\nLocal times of the first session:");
    for z in &req.zones {
        let local = first.with_timezone::<Tz>(&z.tz);
        let _ = writeln!(
            o,
            "  {:24} {}",
            z.name,
            local.format("%a %Y-%m-%d %H:%M %Z")
        );
    }
    let _ = writeln!(o, "\nAgenda:\n(No agenda submitted; due {})", m.agenda_by);
    let remote = if req.remote_instructions.trim().is_empty() {
        "Meetecho: the session link is on the group's meetings page in the datatracker".to_string()
    } else {
        req.remote_instructions.clone()
    };
    let _ = writeln!(o, "\nInformation about remote participation:\n{remote}\n");
    let _ = writeln!(o, "Meeting name: {}", m.name);
    Some(Announcement {
        to: "IETF-Announce <ietf-announce@ietf.org>".into(),
        cc: format!("{}@ietf.org", g.acronym),
        subject: format!(
            "{} ({}) {} Virtual Meeting: {}",
            g.name,
            g.acronym,
            g.label,
            first.format("%Y-%m-%d")
        ),
        body: o,
    })
}
