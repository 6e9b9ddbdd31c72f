//! Exports open cleanly: the iCalendar parses with a real parser, the CSV has the
//! datatracker header, the HTML is well-formed and shows the grid and violations.

use agenda_solver::cost::evaluate;
use agenda_solver::export::{self, csv::HEADER, Format, Report};
use agenda_solver::{load_agenda, load_instance, validate, Agenda, Problem};
use ietf_agenda::{data, first_fit, shared_dataset};
use std::io::BufReader;

/// A valid (not optimised) agenda for IETF 106, or the tiny one when the shared datasets
/// are absent.
fn sample() -> (Problem, Agenda) {
    match shared_dataset("ietf106.json") {
        Some(path) => {
            let p = Problem::from_instance(&load_instance(path).unwrap()).unwrap();
            let schedule = first_fit(&p);
            let e = evaluate(&p, &schedule);
            assert!(e.hard_errors.is_empty(), "{:#?}", e.hard_errors);
            let agenda = schedule.to_agenda(&p, &e);
            (p, agenda)
        }
        None => {
            let p = Problem::from_instance(&load_instance(data("tiny.json")).unwrap()).unwrap();
            (p, load_agenda(data("tiny-agenda.json")).unwrap())
        }
    }
}

#[test]
fn ics_parses_with_a_real_icalendar_parser() {
    let (p, agenda) = sample();
    let report = Report::new(&p, &agenda);
    let text = export::render(&report, Format::Ics);
    assert!(
        text.lines().all(|l| l.len() <= 76),
        "a line is longer than 75 octets + CR"
    );
    let mut parser = ical::IcalParser::new(BufReader::new(text.as_bytes()));
    let calendar = parser.next().expect("one calendar").expect("parses");
    assert!(parser.next().is_none());
    assert_eq!(calendar.events.len(), agenda.assignments.len());
    assert_eq!(calendar.timezones.len(), 1);
    let tzid = calendar.timezones[0]
        .properties
        .iter()
        .find(|x| x.name == "TZID")
        .unwrap();
    assert_eq!(tzid.value.as_deref(), Some(p.time_zone.name()));
    let mut uids = std::collections::BTreeSet::new();
    for event in &calendar.events {
        let prop = |name: &str| {
            event
                .properties
                .iter()
                .find(|x| x.name == name)
                .and_then(|x| x.value.clone())
        };
        assert!(uids.insert(prop("UID").expect("UID")), "UIDs are unique");
        let start = event
            .properties
            .iter()
            .find(|x| x.name == "DTSTART")
            .unwrap();
        let params = start.params.clone().unwrap_or_default();
        assert!(params
            .iter()
            .any(|(k, v)| k == "TZID" && v == &vec![p.time_zone.name().to_string()]));
        assert!(prop("SUMMARY").is_some() && prop("LOCATION").is_some());
    }
    // Stable: the same agenda gives the same bytes.
    assert_eq!(text, export::render(&Report::new(&p, &agenda), Format::Ics));
}

#[test]
fn csv_has_the_datatracker_header_and_one_row_per_session() {
    let (p, agenda) = sample();
    let text = export::render(&Report::new(&p, &agenda), Format::Csv);
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let header = lines.next().unwrap();
    let expected: Vec<String> = HEADER.iter().map(|h| format!("\"{h}\"")).collect();
    assert_eq!(header, expected.join(","));
    assert_eq!(header, "\"Date\",\"Start\",\"End\",\"Session\",\"Room\",\"Area\",\"Acronym\",\"Type\",\"Description\",\"Session ID\",\"Agenda\",\"Slides\"");
    assert_eq!(lines.count(), agenda.assignments.len());
}

#[test]
fn html_is_well_formed_and_highlights_violations() {
    let p = Problem::from_instance(&load_instance(data("tiny.json")).unwrap()).unwrap();
    let agenda = load_agenda(data("tiny-agenda.json")).unwrap();
    let html = export::render(&Report::new(&p, &agenda), Format::Html);
    let body = html.trim_start_matches("<!DOCTYPE html>\n");
    let doc = roxmltree::Document::parse(body).expect("well-formed markup");
    let cells: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("td")).collect();
    let class = |acr: &str| {
        cells
            .iter()
            .find(|c| {
                c.descendants()
                    .any(|d| d.has_tag_name("strong") && d.text() == Some(acr))
            })
            .and_then(|c| c.attribute("class"))
    };
    assert_eq!(class("wg3"), Some("severe")); // too small room and trimmed
    assert_eq!(class("same"), None);
    assert_eq!(class("wg4#3"), Some("ok"));
    assert!(html.contains("12,072,100"));
    // A cell names the group and its attendees; the violation list gives block times.
    let instance = load_instance(data("tiny.json")).unwrap();
    let wg3 = cells
        .iter()
        .find(|c| c.descendants().any(|d| d.text() == Some("wg3")))
        .unwrap();
    let text: String = wg3.descendants().filter_map(|t| t.text()).collect();
    let group = instance.groups.iter().find(|g| g.acronym == "wg3").unwrap();
    let request = instance.requests.iter().find(|r| r.group == "wg3").unwrap();
    assert!(text.contains(group.name.as_deref().unwrap()), "{text}");
    let attendees = request.attendees.as_ref().unwrap().to_string();
    assert!(text.contains(&format!("{attendees} attending")), "{text}");
    let violations = doc
        .descendants()
        .find(|n| n.has_tag_name("h2") && n.text() == Some("Violations"))
        .and_then(|h| h.next_sibling_element())
        .unwrap();
    let when: Vec<&str> = violations
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .filter_map(|tr| tr.children().filter(|c| c.has_tag_name("td")).nth(1))
        .filter_map(|td| td.text())
        .collect();
    assert!(!when.is_empty());
    let shape = |w: &str| {
        let b = w.as_bytes();
        w.chars().count() == 15
            && b[0].is_ascii_uppercase()
            && b[6] == b':'
            && w.contains('\u{2013}')
    };
    assert!(when.iter().all(|w| shape(w)), "{when:?}");
    assert!(
        html.contains("name=\"viewport\""),
        "a phone gets the device width"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
    let (p, agenda) = sample();
    let big = export::render(&Report::new(&p, &agenda), Format::Html);
    roxmltree::Document::parse(big.trim_start_matches("<!DOCTYPE html>\n")).expect("well-formed");
}

#[test]
fn text_grid_fits_the_terminal() {
    let (p, agenda) = sample();
    for width in [80, 100, 160] {
        let text = export::text::render(&Report::new(&p, &agenda), width);
        for line in text.lines().skip(2) {
            assert!(line.chars().count() <= width.max(40), "{width}: {line:?}");
        }
        for a in &agenda.assignments {
            assert!(
                text.contains(&a.group[..a.group.len().min(5)]),
                "{} missing",
                a.group
            );
        }
    }
}

/// A virtual meeting's exports give each block in UTC and in each region's zones.
#[test]
fn virtual_agendas_show_utc_and_regional_times() {
    use agenda_solver::online::{check, VirtualMeetingSpec};
    use agenda_solver::solve::{solve, SolveOptions};
    let text = std::fs::read_to_string(ietf_agenda::data("online/ietf107.json")).unwrap();
    let spec: VirtualMeetingSpec = serde_json::from_str(&text).unwrap();
    let vm = check(&spec).unwrap();
    let requests = agenda_solver::load_instance(ietf_agenda::data("tiny.json")).unwrap();
    let instance = vm.instance(&requests);
    let p = agenda_solver::Problem::from_instance(&instance).unwrap();
    let options = SolveOptions {
        time_limit: std::time::Duration::from_secs(20),
        ..SolveOptions::default()
    };
    let agenda = solve(&p, &options, &mut |_| {}).to_agenda(&p);
    let report = agenda_solver::export::Report::new(&p, &agenda);
    // 23 March 2020, 20:00 UTC: Los Angeles and New York on daylight time, Berlin not yet.
    let local = "Los Angeles 13:00, New York 16:00, Berlin 21:00, Tokyo 05:00 (+1 day)";
    let grid = agenda_solver::export::text::render(&report, 100);
    assert!(grid.contains(&format!("20:00 UTC: {local}")), "{grid}");
    let html = agenda_solver::export::html::render(&report);
    assert!(html.contains(local), "html lacks the local times");
    let ics = agenda_solver::export::ics::render(&report);
    assert!(
        ics.replace("\r\n ", "")
            .replace("\\,", ",")
            .contains("Local times: "),
        "{ics}"
    );
    // An in-person agenda shows none.
    let tiny = agenda_solver::load_instance(ietf_agenda::data("tiny.json")).unwrap();
    let tp = agenda_solver::Problem::from_instance(&tiny).unwrap();
    let ta = solve(&tp, &options, &mut |_| {}).to_agenda(&tp);
    assert!(!agenda_solver::export::text::render(
        &agenda_solver::export::Report::new(&tp, &ta),
        100
    )
    .contains("Los Angeles"));
}

/// `agenda diff -f html`: well-formed, the sessions that changed (and only they) are
/// outlined with their old place, and the moves and costs are listed.
#[test]
fn html_diff_outlines_exactly_the_changed_sessions() {
    let p = validate(&load_instance(data("tiny.json")).unwrap())
        .problem
        .unwrap();
    let before = load_agenda(data("tiny-agenda.json")).unwrap();
    // The first two assignments in different blocks trade places.
    let (after, a, b) = ietf_agenda::trade_two_blocks(&before);
    let d = agenda_solver::diff::diff(&p, &before, &after);
    let html = export::html::render_diff(&Report::new(&p, &after), &d);
    let doc = roxmltree::Document::parse(html.trim_start_matches("<!DOCTYPE html>\n"))
        .expect("well-formed markup");
    let outlined: Vec<String> = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("td")
                && n.attribute("class")
                    .is_some_and(|c| c.split(' ').any(|w| w == "changed"))
        })
        .map(|n| n.descendants().filter_map(|t| t.text()).collect::<String>())
        .collect();
    assert_eq!(outlined.len(), 2, "{outlined:?}");
    // The old place is the block's day and times (tiny's ids read `mon-0900`), then the room.
    let was = |x: &agenda_solver::Assignment| {
        let (day, hhmm) = x.slot.split_once('-').unwrap();
        let day = format!("{}{}", day[..1].to_uppercase(), &day[1..]);
        format!("was {day} {}:{}", &hhmm[..2], &hhmm[2..])
    };
    let room = |x: &agenda_solver::Assignment| format!(" {}", x.room);
    assert!(outlined
        .iter()
        .any(|t| t.starts_with(&a.group) && t.contains(&was(&a)) && t.ends_with(&room(&a))));
    assert!(outlined
        .iter()
        .any(|t| t.starts_with(&b.group) && t.contains(&was(&b)) && t.ends_with(&room(&b))));
    assert!(html.contains("Sessions changed"));
    assert!(html.contains(&agenda_solver::export::text::group_digits(d.cost_after)));
}
