//! The hard rules (FORMAT.md section 3): never broken by a solver's output; a checker
//! reports them as errors.

use super::{Context, Placement, Schedule};
use crate::agenda::Agenda;
use crate::problem::{Problem, SessionIdx};
use crate::time::rfc3339;
use serde::Serialize;
use std::collections::HashMap;

/// The kind of a hard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HardKind {
    /// The agenda is for another meeting.
    WrongMeeting,
    /// A group, session, slot or room the instance does not have.
    UnknownReference,
    /// A session placed twice, or both placed and listed as unscheduled.
    DuplicateSession,
    /// A session neither placed nor listed as unscheduled.
    MissingSession,
    /// A third session placed before its AD approved it.
    UnapprovedSession,
    /// `start`/`end` disagree with the slot.
    WrongTimes,
    /// The room is not open in that slot.
    RoomClosed,
    /// Two sessions in one (slot, room), or in one room in overlapping slots.
    RoomDoubleBooked,
    /// Two sessions of one group (joint ones included) overlap in time.
    GroupOverlap,
    /// A `fixed` placement was not kept.
    FixedMoved,
    /// More sessions moved from the base agenda than [`MoveRule::AtMost`] allows (an
    /// extension for minimal-change re-solves).
    ///
    /// [`MoveRule::AtMost`]: crate::problem::MoveRule::AtMost
    TooManyMoves,
}

/// One broken hard rule of an agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HardError {
    /// The rule broken.
    pub kind: HardKind,
    /// What is wrong, in a sentence.
    pub message: String,
}

fn err(kind: HardKind, message: String) -> HardError {
    HardError { kind, message }
}

pub(super) fn resolve_agenda(p: &Problem, agenda: &Agenda) -> (Schedule, Vec<HardError>) {
    let mut errors = Vec::new();
    let mut schedule = Schedule::empty(p);
    if agenda.meeting != p.meeting {
        errors.push(err(
            HardKind::WrongMeeting,
            format!(
                "the agenda is for meeting {:?} but the instance is meeting {:?}",
                agenda.meeting, p.meeting
            ),
        ));
    }
    let mut seen: HashMap<SessionIdx, &'static str> = HashMap::new();
    let session_of = |errors: &mut Vec<HardError>, at: String, group: &str, number: u32| {
        let found = p.session_index(group, number);
        if found.is_none() {
            let why = if p.group_index(group).is_none() {
                format!("{at}: unknown group {group:?}")
            } else {
                format!("{at}: {group} did not request session {number}")
            };
            errors.push(err(HardKind::UnknownReference, why));
        }
        found
    };
    for (i, a) in agenda.assignments.iter().enumerate() {
        let at = format!("assignments[{i}]");
        let session = session_of(&mut errors, at.clone(), &a.group, a.session);
        let slot = p.slot_index(&a.slot);
        let room = p.room_index(&a.room);
        if slot.is_none() {
            errors.push(err(
                HardKind::UnknownReference,
                format!("{at}: unknown slot {:?}", a.slot),
            ));
        }
        if room.is_none() {
            errors.push(err(
                HardKind::UnknownReference,
                format!("{at}: unknown room {:?}", a.room),
            ));
        }
        let (Some(s), Some(slot), Some(room)) = (session, slot, room) else {
            continue;
        };
        let label = p.session_label(s);
        if seen.insert(s, "assignments").is_some() {
            errors.push(err(
                HardKind::DuplicateSession,
                format!("{at}: {label} is placed more than once"),
            ));
            continue;
        }
        let expected_start = rfc3339(&p.slots[slot].start);
        let expected_end = rfc3339(&p.session_end(s, slot));
        for (field, given, expected) in [
            ("start", &a.start, &expected_start),
            ("end", &a.end, &expected_end),
        ] {
            if let Some(given) = given {
                if given != expected {
                    errors.push(err(
                        HardKind::WrongTimes,
                        format!(
                            "{at}: {label} {field} is {given} but slot {} gives {expected}",
                            a.slot
                        ),
                    ));
                }
            }
        }
        schedule.placement[s] = Some(Placement { slot, room });
    }
    for (i, u) in agenda.unscheduled.iter().enumerate() {
        let at = format!("unscheduled[{i}]");
        let Some(s) = session_of(&mut errors, at.clone(), &u.group, u.session) else {
            continue;
        };
        if let Some(first) = seen.insert(s, "unscheduled") {
            let label = p.session_label(s);
            let why = if first == "assignments" {
                format!("{at}: {label} is both placed and listed as unscheduled")
            } else {
                format!("{at}: {label} is listed as unscheduled twice")
            };
            errors.push(err(HardKind::DuplicateSession, why));
        }
    }
    for s in 0..p.sessions.len() {
        if !seen.contains_key(&s) {
            errors.push(err(
                HardKind::MissingSession,
                format!(
                    "{} is neither in assignments nor in unscheduled",
                    p.session_label(s)
                ),
            ));
        }
    }
    (schedule, errors)
}

/// Checks the hard rules on a resolved schedule.
pub fn check(ctx: &Context) -> Vec<HardError> {
    let p = ctx.problem;
    let mut errors = Vec::new();
    let placed: Vec<(SessionIdx, Placement)> = ctx.schedule.placed().collect();

    for &(s, pl) in &placed {
        if !p.slots[pl.slot].is_open(pl.room) {
            errors.push(err(
                HardKind::RoomClosed,
                format!(
                    "{} is in room {}, which is not open in slot {}",
                    p.session_label(s),
                    p.rooms[pl.room].id,
                    p.slots[pl.slot].id
                ),
            ));
        }
    }
    // One session per room at a time: same (slot, room), or overlapping slots.
    for &(s, t) in &ctx.overlapping {
        let (a, b) = (ctx.schedule.placement[s], ctx.schedule.placement[t]);
        let (Some(a), Some(b)) = (a, b) else { continue };
        if a.room == b.room {
            let where_ = if a.slot == b.slot {
                format!("slot {}", p.slots[a.slot].id)
            } else {
                format!(
                    "overlapping slots {} and {}",
                    p.slots[a.slot].id, p.slots[b.slot].id
                )
            };
            errors.push(err(
                HardKind::RoomDoubleBooked,
                format!(
                    "{} and {} both use room {} in {where_}",
                    p.session_label(s),
                    p.session_label(t),
                    p.rooms[a.room].id
                ),
            ));
        }
        let shared = p.sessions[s]
            .members
            .iter()
            .find(|g| p.sessions[t].members.contains(g));
        if let Some(&g) = shared {
            errors.push(err(
                HardKind::GroupOverlap,
                format!(
                    "{} and {} are both sessions of {} and overlap in time",
                    p.session_label(s),
                    p.session_label(t),
                    p.acronym(g)
                ),
            ));
        }
    }
    for f in &p.fixed {
        let label = p.session_label(f.session);
        let kept = match ctx.schedule.placement[f.session] {
            Some(pl) => pl.slot == f.slot && f.room.is_none_or(|r| r == pl.room),
            None => false,
        };
        if !kept {
            let want = match f.room {
                Some(r) => format!("slot {} in room {}", p.slots[f.slot].id, p.rooms[r].id),
                None => format!("slot {}", p.slots[f.slot].id),
            };
            errors.push(err(
                HardKind::FixedMoved,
                format!("{label} is fixed to {want} but the agenda does not keep it"),
            ));
        }
    }
    for &(s, _) in &placed {
        if !p.sessions[s].schedulable {
            errors.push(err(
                HardKind::UnapprovedSession,
                format!(
                    "{} awaits AD approval and cannot be scheduled",
                    p.session_label(s)
                ),
            ));
        }
    }
    errors.extend(too_many_moves(ctx));
    errors
}

/// `too_many_moves`: with [`MoveRule::AtMost`]`(k)`, more than `k` sessions placed in
/// another block than the base agenda gave them.
///
/// [`MoveRule::AtMost`]: crate::problem::MoveRule::AtMost
pub fn too_many_moves(ctx: &Context) -> Option<HardError> {
    let p = ctx.problem;
    let limit = p.move_rule.max_moves()?;
    let moved: Vec<String> = ctx
        .schedule
        .placed()
        .filter(|&(s, pl)| p.is_move(s, Some(pl.slot)))
        .map(|(s, _)| p.session_label(s))
        .collect();
    (moved.len() > limit).then(|| {
        err(
            HardKind::TooManyMoves,
            format!(
                "{} sessions moved from their block in the base agenda ({}), at most {limit} allowed",
                moved.len(),
                moved.join(", ")
            ),
        )
    })
}
