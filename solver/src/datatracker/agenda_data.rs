//! An agenda in the shape of the datatracker's `/api/meeting/N/agenda-data` (its
//! `api_get_agenda_data` view, `ietf/meeting/views.py`): what its agenda page reads, so
//! that a draft can be previewed with the datatracker's own front end or compared with
//! a published meeting's JSON. Fields this engine does not know (notes, materials,
//! links, floor plans) are present and empty; `docs/datatracker.md` lists them.

use crate::agenda::Agenda;
use crate::instance::Instance;
use crate::time::parse_local;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The `agenda-data` document of `agenda` (of `instance`). Session and assignment ids
/// are the datatracker's when the instance was imported from it, else numbers in
/// agenda order. Errors name what the instance lacks.
pub fn agenda_data(instance: &Instance, agenda: &Agenda) -> Result<Value, String> {
    let tz: chrono_tz::Tz = instance.meeting.time_zone.parse().map_err(|_| {
        format!(
            "meeting.time_zone {:?} is not an IANA zone",
            instance.meeting.time_zone
        )
    })?;
    let keys = instance.datatracker.as_ref();
    let mut schedule = Vec::with_capacity(agenda.assignments.len());
    let mut dates = Vec::new();
    for (i, a) in agenda.assignments.iter().enumerate() {
        let slot = instance
            .slots
            .iter()
            .find(|s| s.id == a.slot)
            .ok_or_else(|| format!("assignments[{i}]: no slot {:?} in the instance", a.slot))?;
        let start =
            parse_local(&slot.start, tz).map_err(|e| format!("slots {:?}: {e}", slot.id))?;
        dates.push(start.date_naive());
        let group = instance.groups.iter().find(|g| g.acronym == a.group);
        let room = instance.rooms.iter().find(|r| r.id == a.room);
        let area = group.and_then(|g| g.area.clone()).unwrap_or_default();
        let session_id = keys
            .and_then(|k| {
                k.sessions
                    .iter()
                    .find(|s| s.group == a.group && s.session == a.session)
            })
            .map_or(json!(i + 1), |s| s.pk.clone());
        let assignment_id = keys
            .and_then(|k| {
                k.timeslots
                    .iter()
                    .find(|t| t.slot == a.slot && t.room == a.room)
            })
            .map_or(json!(i + 1), |t| t.pk.clone());
        schedule.push(json!({
            "id": assignment_id,
            "sessionId": session_id,
            "room": room.and_then(|r| r.name.clone()).unwrap_or_else(|| a.room.clone()),
            "location": {},
            "acronym": a.group,
            "duration": u64::from(slot.minutes) * 60,
            "name": "",
            "slotName": slot.name.clone().unwrap_or_else(|| slot.id.clone()),
            "startDateTime": start.to_rfc3339(),
            "status": "sched",
            "type": "regular",
            "purpose": "regular",
            "isBoF": group.and_then(|g| g.state.as_deref()) == Some("bof"),
            "filterKeywords": [a.group.clone(), area.clone()],
            "groupAcronym": a.group,
            "groupName": group.and_then(|g| g.name.clone()).unwrap_or_default(),
            "groupParent": if area.is_empty() { json!({}) } else { json!({"acronym": area}) },
            "note": "",
            "remoteInstructions": "",
            "flags": {"agenda": false, "showAgenda": false},
            "agenda": {"url": null},
            "orderInMeeting": a.session,
            "short": "",
            "sessionToken": "",
            "links": {
                "chat": "", "chatArchive": "", "recordings": [], "videoStream": "",
                "audioStream": "", "webex": "", "onsiteTool": "", "calendar": ""
            }
        }));
    }
    let first = dates.iter().min().map(|d| d.to_string());
    let last = dates.iter().max().map(|d| d.to_string());
    Ok(json!({
        "meeting": {
            "number": agenda.meeting,
            "city": "",
            "startDate": first,
            "endDate": last,
            "updated": null,
            "timezone": instance.meeting.time_zone,
            "infoNote": "",
            "warningNote": ""
        },
        "categories": categories(instance, agenda),
        "isCurrentMeeting": false,
        "usesNotes": true,
        "schedule": schedule,
        "floors": []
    }))
}

/// The agenda page's filter: one column of areas, each with its groups that meet.
fn categories(instance: &Instance, agenda: &Agenda) -> Value {
    let mut by_area: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for a in &agenda.assignments {
        let group = instance.groups.iter().find(|g| g.acronym == a.group);
        let area = group.and_then(|g| g.area.clone()).unwrap_or_default();
        let bof = group.and_then(|g| g.state.as_deref()) == Some("bof");
        let groups = by_area.entry(area).or_default();
        if !groups.iter().any(|(g, _)| *g == a.group) {
            groups.push((a.group.clone(), bof));
        }
    }
    let column: Vec<Value> = by_area
        .into_iter()
        .map(|(area, mut groups)| {
            groups.sort();
            json!({
                "label": area.to_uppercase(),
                "keyword": area,
                "is_bof": false,
                "toggled_by": [],
                "children": groups.iter().map(|(g, bof)| json!({
                    "label": g, "keyword": g, "is_bof": bof, "toggled_by": [area]
                })).collect::<Vec<_>>()
            })
        })
        .collect();
    json!([column])
}
