//! iCalendar (RFC 5545): one VEVENT per placed session, in the meeting's time zone.
//!
//! Times are written as local times with `TZID=<meeting zone>` and a VTIMEZONE built from
//! chrono-tz, so calendars show the meeting's wall clock. UIDs are derived from the
//! meeting, group and session number, so re-importing a new draft updates events instead
//! of duplicating them. DTSTAMP is the meeting's first slot start (UTC): a wall-clock
//! stamp would make two exports of the same agenda differ.

use super::{type_label, Report};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// The agenda as an iCalendar file: one event per placed session, with the meeting's
/// VTIMEZONE. The events are written by the `icalendar` crate (escaping, folding); the
/// VTIMEZONE by this module's own generator, since no crate makes one from the tz database.
pub fn render(report: &Report) -> String {
    use icalendar::{Calendar, CalendarDateTime, Component, EventLike};
    let p = report.problem;
    let tz = p.time_zone;
    let mut calendar = Calendar::empty();
    for (key, value) in [
        ("VERSION", "2.0".to_string()),
        ("PRODID", "-//IETF agenda engine//agenda 1//EN".into()),
        ("CALSCALE", "GREGORIAN".into()),
        ("METHOD", "PUBLISH".into()),
        ("X-WR-CALNAME", format!("IETF {} agenda", p.meeting)),
        ("X-WR-TIMEZONE", tz.name().into()),
    ] {
        calendar.append_property(icalendar::Property::new(key, value));
    }
    let first = p
        .slots
        .iter()
        .map(|s| s.start)
        .min_by_key(|t| t.timestamp());
    let last = p
        .slots
        .iter()
        .map(|s| s.start)
        .max_by_key(|t| t.timestamp());
    let dtstamp = first.map_or(DateTime::UNIX_EPOCH, |t| t.with_timezone(&Utc));
    let local = |t: chrono::DateTime<Tz>| CalendarDateTime::WithTimezone {
        date_time: t.naive_local(),
        tzid: tz.name().to_string(),
    };
    for (s, pl) in report.placed_in_order() {
        let session = &p.sessions[s];
        let group = &p.groups[session.group];
        let joint: Vec<&str> = session.members[1..].iter().map(|&g| p.acronym(g)).collect();
        let mut description = format!(
            "{} ({}), session {} of {}",
            group.name,
            type_label(p, s),
            session.number,
            p.requests[session.request].sessions.len()
        );
        if !joint.is_empty() {
            description.push_str(&format!("\nJoint with {}", joint.join(", ")));
        }
        if let Some(a) = &group.area {
            description.push_str(&format!("\nArea: {}", a.to_uppercase()));
        }
        if let Some(times) = report.regional_times(pl.slot) {
            description.push_str(&format!("\nLocal times: {times}"));
        }
        let mut event = icalendar::Event::new();
        event
            .uid(&format!(
                "ietf{}-{}-{}@agenda.ietf-engine",
                p.meeting, group.acronym, session.number
            ))
            .timestamp(dtstamp)
            .starts(local(p.slots[pl.slot].start))
            .ends(local(p.session_end(s, pl.slot)))
            .summary(&format!("{} - {}", group.acronym, group.name))
            .location(&p.rooms[pl.room].name)
            .description(&description);
        if let Some(a) = &group.area {
            // CATEGORIES is a list, which the crate leaves unescaped.
            event.add_property("CATEGORIES", escape(&a.to_uppercase()));
        }
        calendar.push(event.done());
    }
    let mut out = calendar.to_string();
    // The zone goes first, before the events that name it.
    if let (Some(first), Some(last)) = (first, last) {
        let mut zone = String::new();
        for line in vtimezone(tz, first.year(), last.year()) {
            fold(&line, &mut zone);
        }
        let at = out
            .find("BEGIN:VEVENT")
            .unwrap_or(out.len() - "END:VCALENDAR\r\n".len());
        out.insert_str(at, &zone);
    }
    out
}

/// A VTIMEZONE with the zone's state on 1 January of `from_year` and every offset change
/// up to the end of `to_year` (no RRULE: each onset is listed).
fn vtimezone(tz: Tz, from_year: i32, to_year: i32) -> Vec<String> {
    let start = Utc.with_ymd_and_hms(from_year, 1, 1, 0, 0, 0).single();
    let end = Utc.with_ymd_and_hms(to_year + 1, 1, 1, 0, 0, 0).single();
    let (Some(start), Some(end)) = (start, end) else {
        return Vec::new();
    };
    let mut out = vec!["BEGIN:VTIMEZONE".to_string(), format!("TZID:{}", tz.name())];
    let initial = tz.offset_from_utc_datetime(&start.naive_utc());
    let base = NaiveDate::from_ymd_opt(1970, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
    let base = base
        .map(|b| b.format("%Y%m%dT%H%M%S").to_string())
        .unwrap_or_default();
    out.extend(component(&initial, &initial, &base));
    let mut t = start;
    let step = Duration::days(1);
    while t < end {
        let next = t + step;
        let (a, b) = (offset_at(tz, t), offset_at(tz, next));
        if a.fix() != b.fix() || a.dst_offset() != b.dst_offset() {
            let at = transition(tz, t, next);
            let before = offset_at(tz, at - Duration::seconds(1));
            let after = offset_at(tz, at);
            // DTSTART is the onset in the local time that was in force before it.
            let local_before =
                at.naive_utc() + Duration::seconds(i64::from(before.fix().local_minus_utc()));
            out.extend(component(
                &before,
                &after,
                &local_before.format("%Y%m%dT%H%M%S").to_string(),
            ));
        }
        t = next;
    }
    out.push("END:VTIMEZONE".into());
    out
}

fn offset_at(tz: Tz, t: DateTime<Utc>) -> chrono_tz::TzOffset {
    tz.offset_from_utc_datetime(&t.naive_utc())
}

/// The first second in (lo, hi] whose offset differs from `lo`'s.
fn transition(tz: Tz, lo: DateTime<Utc>, hi: DateTime<Utc>) -> DateTime<Utc> {
    let (mut lo, mut hi) = (lo, hi);
    let before = offset_at(tz, lo);
    while (hi - lo).num_seconds() > 1 {
        let mid = lo + Duration::seconds((hi - lo).num_seconds() / 2);
        let o = offset_at(tz, mid);
        if o.fix() == before.fix() && o.dst_offset() == before.dst_offset() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

fn component(from: &chrono_tz::TzOffset, to: &chrono_tz::TzOffset, dtstart: &str) -> Vec<String> {
    let kind = if to.dst_offset().num_seconds() != 0 {
        "DAYLIGHT"
    } else {
        "STANDARD"
    };
    let mut v = vec![
        format!("BEGIN:{kind}"),
        format!("DTSTART:{dtstart}"),
        format!("TZOFFSETFROM:{}", utc_offset(from.fix().local_minus_utc())),
        format!("TZOFFSETTO:{}", utc_offset(to.fix().local_minus_utc())),
    ];
    if let Some(name) = to.abbreviation() {
        v.push(format!("TZNAME:{}", escape(name)));
    }
    v.push(format!("END:{kind}"));
    v
}

fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    if s % 60 == 0 {
        format!("{sign}{:02}{:02}", s / 3600, (s / 60) % 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", s / 3600, (s / 60) % 60, s % 60)
    }
}

/// TEXT escaping of RFC 5545 section 3.3.11.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (never inside a UTF-8 sequence) and ends it CRLF.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_lines_within_75_octets() {
        let mut out = String::new();
        fold(&format!("DESCRIPTION:{}", "é".repeat(80)), &mut out);
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{} octets", line.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(
            unfolded.trim_end(),
            format!("DESCRIPTION:{}", "é".repeat(80))
        );
    }

    #[test]
    fn timezone_lists_dst_changes() {
        let lines = vtimezone(chrono_tz::America::Vancouver, 2026, 2026);
        let joined = lines.join("\n");
        // Second Sunday of March 2026 is 8 March; 02:00 PST becomes 03:00 PDT.
        assert!(
            joined.contains(
                "BEGIN:DAYLIGHT\nDTSTART:20260308T020000\nTZOFFSETFROM:-0800\nTZOFFSETTO:-0700"
            ),
            "{joined}"
        );
        assert!(
            joined.contains("DTSTART:20261101T020000\nTZOFFSETFROM:-0700\nTZOFFSETTO:-0800"),
            "{joined}"
        );
        let singapore = vtimezone(chrono_tz::Asia::Singapore, 2019, 2019).join("\n");
        assert_eq!(singapore.matches("BEGIN:STANDARD").count(), 1);
        assert!(singapore.contains("TZOFFSETTO:+0800"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }
}
