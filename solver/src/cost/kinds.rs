//! One function per priced rule of FORMAT.md section 3, each with its own tests.
//!
//! Every function reads a [`Context`] and returns its violations, each priced at the
//! instance's weight for that kind. Pair rules walk [`Context::overlapping`], so their
//! output depends only on where sessions are, never on the order of the agenda file.

use super::Context;
use crate::agenda::Violation;
use crate::penalties::CostKind;
use crate::problem::{ConflictClass, GroupInfo, SessionIdx};

/// The violations of one kind.
pub fn violations(kind: CostKind, ctx: &Context) -> Vec<Violation> {
    match kind {
        CostKind::Unscheduled => unscheduled(ctx),
        CostKind::Timerange => timerange(ctx),
        CostKind::ChairConflict => chair_conflict(ctx),
        CostKind::KeyParticipant => key_participant(ctx),
        CostKind::TechOverlap => tech_overlap(ctx),
        CostKind::MustAttend => must_attend(ctx),
        CostKind::TooSmallRoom => too_small_room(ctx),
        CostKind::TooShortSlot => too_short_slot(ctx),
        CostKind::BofOverlappingBof => bof_overlapping_bof(ctx),
        CostKind::BofOverlappingPrg => bof_overlapping_prg(ctx),
        CostKind::BofOverlappingAreaWg => bof_overlapping_area_wg(ctx),
        CostKind::BofOverlappingAreaMeeting => bof_overlapping_area_meeting(ctx),
        CostKind::AreaMeetingOverlappingInArea => area_meeting_overlapping_in_area(ctx),
        CostKind::AreaMeetingOverlappingOtherArea => area_meeting_overlapping_other_area(ctx),
        CostKind::SessionsOutOfOrder => sessions_out_of_order(ctx),
        CostKind::TimeRelation => time_relation(ctx),
        CostKind::WgAdjacent => wg_adjacent(ctx),
        CostKind::SameAd => same_ad(ctx),
        CostKind::MovedSession => moved_session(ctx),
    }
}

/// `moved_session` (an extension, see [`CostKind::MovedSession`]): per session placed
/// in another block than the base agenda gave it. A session the base did not place, or
/// that is left out now, is not a move (leaving one out pays `unscheduled`).
pub fn moved_session(ctx: &Context) -> Vec<Violation> {
    let p = ctx.problem;
    ctx.schedule
        .placed()
        .filter_map(|(s, pl)| {
            let from = (*p.base.get(s)?)?;
            (from != pl.slot).then(|| {
                let message = format!(
                    "{} moved from {} to {}",
                    p.session_label(s),
                    p.slots[from].id,
                    p.slots[pl.slot].id
                );
                ctx.violation(CostKind::MovedSession, s, None, 1, message)
            })
        })
        .collect()
}

/// `unscheduled`: per schedulable session left out, times its request's priority (an
/// unapproved third session is not schedulable and costs nothing).
pub fn unscheduled(ctx: &Context) -> Vec<Violation> {
    let p = ctx.problem;
    p.schedulable_sessions()
        .filter(|&s| ctx.schedule.get(s).is_none())
        .map(|s| {
            let message = format!("{} is not scheduled", p.session_label(s));
            ctx.violation(
                CostKind::Unscheduled,
                s,
                None,
                p.sessions[s].priority,
                message,
            )
        })
        .collect()
}

/// `timerange`: per session placed in a time range that its group (or, for a joint
/// session, any joint group) avoids; once per session.
pub fn timerange(ctx: &Context) -> Vec<Violation> {
    let p = ctx.problem;
    ctx.schedule
        .placed()
        .filter(|&(s, pl)| p.sessions[s].avoid.contains(&p.slots[pl.slot].range))
        .map(|(s, pl)| {
            let message = format!(
                "{} is placed {}, a time range it asked to avoid",
                p.session_label(s),
                p.slots[pl.slot].range
            );
            ctx.violation(CostKind::Timerange, s, None, 1, message)
        })
        .collect()
}

/// Conflicts of one class: per declaration, per overlapping pair (a session of the
/// declaring group, a session of the declared group). Directed: mutual declarations pay
/// twice.
fn conflicts(ctx: &Context, class: ConflictClass, kind: CostKind, noun: &str) -> Vec<Violation> {
    let p = ctx.problem;
    let mut out = Vec::new();
    for (s, t) in ctx.ordered_pairs() {
        for d in p.sessions[s]
            .declarations
            .iter()
            .filter(|d| d.class == class)
        {
            if p.sessions[t].members.contains(&d.target) {
                let by = if d.declarer == p.sessions[s].group {
                    String::new()
                } else {
                    format!(" (declared by joint group {})", p.acronym(d.declarer))
                };
                let via = if p.sessions[t].group == d.target {
                    String::new()
                } else {
                    format!(" (in joint session {})", p.session_label(t))
                };
                let message = format!(
                    "{}: {noun} with {}{via}{by}",
                    p.session_label(s),
                    p.acronym(d.target)
                );
                out.push(ctx.violation(kind, s, Some(t), 1, message));
            }
        }
    }
    out
}

/// `chair_conflict`: a chair conflict declared by the session's group is in session.
pub fn chair_conflict(ctx: &Context) -> Vec<Violation> {
    conflicts(
        ctx,
        ConflictClass::Chair,
        CostKind::ChairConflict,
        "chair conflict",
    )
}

/// `key_participant`: a key participant conflict is in session at the same time.
pub fn key_participant(ctx: &Context) -> Vec<Violation> {
    conflicts(
        ctx,
        ConflictClass::KeyParticipant,
        CostKind::KeyParticipant,
        "key participant conflict",
    )
}

/// `tech_overlap`: a technology-overlap group is in session at the same time.
pub fn tech_overlap(ctx: &Context) -> Vec<Violation> {
    conflicts(
        ctx,
        ConflictClass::Technology,
        CostKind::TechOverlap,
        "technology overlap",
    )
}

/// `must_attend`: per person, per unordered overlapping pair of sessions that both list
/// the person (a joint session lists every joint group's people).
pub fn must_attend(ctx: &Context) -> Vec<Violation> {
    let p = ctx.problem;
    let mut out = Vec::new();
    for &(s, t) in &ctx.overlapping {
        let theirs = &p.sessions[t].must_attend;
        for &person in p.sessions[s]
            .must_attend
            .iter()
            .filter(|x| theirs.contains(x))
        {
            let message = format!(
                "{} must attend both {} and {}",
                p.person_label(person),
                p.session_label(s),
                p.session_label(t)
            );
            let mut v = ctx.violation(CostKind::MustAttend, s, Some(t), 1, message);
            v.person = Some(p.people[person].0.clone());
            out.push(v);
        }
    }
    out
}

/// `too_small_room`: per session whose room has fewer seats than its attendees.
pub fn too_small_room(ctx: &Context) -> Vec<Violation> {
    let p = ctx.problem;
    let mut out = Vec::new();
    for (s, pl) in ctx.schedule.placed() {
        let room = &p.rooms[pl.room];
        let attendees = p.sessions[s].attendees;
        if let Some(seats) = room.capacity.filter(|&c| c < attendees) {
            let message = format!(
                "{}: {attendees} attendees in {} ({seats} seats)",
                p.session_label(s),
                room.name
            );
            out.push(ctx.violation(CostKind::TooSmallRoom, s, None, 1, message));
        }
    }
    out
}

/// `too_short_slot`: per started 30 minutes cut from a session placed in a shorter slot.
pub fn too_short_slot(ctx: &Context) -> Vec<Violation> {
    let p = ctx.problem;
    let mut out = Vec::new();
    for (s, pl) in ctx.schedule.placed() {
        let (want, have) = (p.sessions[s].minutes, p.slots[pl.slot].minutes);
        if want > have {
            let cut = want - have;
            let units = u64::from(cut.div_ceil(30));
            let message = format!(
                "{}: {want}-minute session in a {have}-minute slot, {cut} minutes cut",
                p.session_label(s)
            );
            out.push(ctx.violation(CostKind::TooShortSlot, s, None, units, message));
        }
    }
    out
}

fn own<'a>(ctx: &'a Context, s: SessionIdx) -> &'a GroupInfo {
    &ctx.problem.groups[ctx.problem.sessions[s].group]
}

/// A non-BoF group that is neither a proposed RG nor an area meeting: a plain WG/RG.
fn is_plain(g: &GroupInfo) -> bool {
    !g.is_bof && !g.is_prg && !g.is_area_meeting
}

/// Pairs rule helper: for each ordered pair where `applies(s, t)`, one violation on `s`.
fn ordered_rule(
    ctx: &Context,
    kind: CostKind,
    applies: impl Fn(&GroupInfo, &GroupInfo) -> bool,
    what: &str,
) -> Vec<Violation> {
    let p = ctx.problem;
    ctx.ordered_pairs()
        .filter(|&(s, t)| applies(own(ctx, s), own(ctx, t)))
        .map(|(s, t)| {
            let message = format!("{} {what} {}", p.session_label(s), p.session_label(t));
            ctx.violation(kind, s, Some(t), 1, message)
        })
        .collect()
}

/// Pairs rule helper: for each unordered pair where `applies(s, t)`, one violation.
fn unordered_rule(
    ctx: &Context,
    kind: CostKind,
    applies: impl Fn(&GroupInfo, &GroupInfo) -> bool,
    what: &str,
) -> Vec<Violation> {
    let p = ctx.problem;
    ctx.overlapping
        .iter()
        .filter(|&&(s, t)| applies(own(ctx, s), own(ctx, t)))
        .map(|&(s, t)| {
            let message = format!("{} {what} {}", p.session_label(s), p.session_label(t));
            ctx.violation(kind, s, Some(t), 1, message)
        })
        .collect()
}

/// `bof_overlapping_bof`: per unordered overlapping pair of BoF sessions.
pub fn bof_overlapping_bof(ctx: &Context) -> Vec<Violation> {
    unordered_rule(
        ctx,
        CostKind::BofOverlappingBof,
        |a, b| a.is_bof && b.is_bof,
        "(BoF) overlaps BoF",
    )
}

/// `bof_overlapping_prg`: per BoF session overlapping a proposed RG session.
pub fn bof_overlapping_prg(ctx: &Context) -> Vec<Violation> {
    ordered_rule(
        ctx,
        CostKind::BofOverlappingPrg,
        |a, b| a.is_bof && b.is_prg,
        "(BoF) overlaps proposed RG",
    )
}

/// `bof_overlapping_area_wg`: per BoF session overlapping a session of another plain
/// group (not a BoF, not a proposed RG, not an area meeting) of the BoF's area.
pub fn bof_overlapping_area_wg(ctx: &Context) -> Vec<Violation> {
    ordered_rule(
        ctx,
        CostKind::BofOverlappingAreaWg,
        |a, b| a.is_bof && is_plain(b) && a.area.is_some() && a.area == b.area,
        "(BoF) overlaps a group of its area,",
    )
}

/// `bof_overlapping_area_meeting`: per BoF session overlapping an area meeting.
pub fn bof_overlapping_area_meeting(ctx: &Context) -> Vec<Violation> {
    ordered_rule(
        ctx,
        CostKind::BofOverlappingAreaMeeting,
        |a, b| a.is_bof && b.is_area_meeting,
        "(BoF) overlaps area meeting",
    )
}

/// `area_meeting_overlapping_in_area`: per area meeting overlapping a session of a
/// non-BoF group of its own area (the group's area equals the area meeting's area or
/// acronym). Two area meetings pay only `area_meeting_overlapping_other_area`.
pub fn area_meeting_overlapping_in_area(ctx: &Context) -> Vec<Violation> {
    ordered_rule(
        ctx,
        CostKind::AreaMeetingOverlappingInArea,
        |a, b| {
            a.is_area_meeting
                && !b.is_bof
                && !b.is_area_meeting
                && b.area
                    .as_ref()
                    .is_some_and(|area| a.area.as_ref() == Some(area) || *area == a.acronym)
        },
        "(area meeting) overlaps a group of its area,",
    )
}

/// `area_meeting_overlapping_other_area`: per unordered overlapping pair of area meetings.
pub fn area_meeting_overlapping_other_area(ctx: &Context) -> Vec<Violation> {
    unordered_rule(
        ctx,
        CostKind::AreaMeetingOverlappingOtherArea,
        |a, b| a.is_area_meeting && b.is_area_meeting,
        "(area meeting) overlaps area meeting",
    )
}

/// `same_ad`: per unordered overlapping pair of sessions of two groups with a shared AD.
pub fn same_ad(ctx: &Context) -> Vec<Violation> {
    unordered_rule(
        ctx,
        CostKind::SameAd,
        |a, b| a.acronym != b.acronym && a.ads.iter().any(|ad| b.ads.contains(ad)),
        "shares an AD with",
    )
}

/// `sessions_out_of_order`: per pair of consecutive sessions k, k+1 of a request, both
/// placed, where session k+1 starts before session k.
pub fn sessions_out_of_order(ctx: &Context) -> Vec<Violation> {
    let p = ctx.problem;
    let mut out = Vec::new();
    for req in &p.requests {
        for pair in req.sessions.windows(2) {
            let (first, next) = (pair[0], pair[1]);
            let (Some(a), Some(b)) = (ctx.slot_of(first), ctx.slot_of(next)) else {
                continue;
            };
            if p.slots[b].start_utc_minute < p.slots[a].start_utc_minute {
                let message = format!(
                    "{} ({}) starts before {} ({})",
                    p.session_label(next),
                    p.slots[b].id,
                    p.session_label(first),
                    p.slots[a].id
                );
                out.push(ctx.violation(
                    CostKind::SessionsOutOfOrder,
                    next,
                    Some(first),
                    1,
                    message,
                ));
            }
        }
    }
    out
}

/// `time_relation`: per request whose relation between sessions 1 and 2 does not hold
/// (a relation cannot hold while one of the two sessions is unplaced).
pub fn time_relation(ctx: &Context) -> Vec<Violation> {
    let p = ctx.problem;
    let mut out = Vec::new();
    for req in &p.requests {
        let Some(relation) = req.time_relation else {
            continue;
        };
        let (first, second) = (req.sessions[0], req.sessions[1]);
        let holds = match (ctx.slot_of(first), ctx.slot_of(second)) {
            (Some(a), Some(b)) => relation.holds(p.slots[a].date, p.slots[b].date),
            _ => false,
        };
        if !holds {
            let message = format!(
                "{}: sessions 1 and 2 are not {}",
                p.acronym(req.group),
                match relation {
                    crate::problem::TimeRelation::SubsequentDays => "on consecutive days",
                    crate::problem::TimeRelation::OneDaySeparation => "a full day apart",
                }
            );
            out.push(ctx.violation(CostKind::TimeRelation, first, Some(second), 1, message));
        }
    }
    out
}

/// Whether one room used in slots `a` and `b` counts as adjacent: at most 30 minutes
/// between one's end and the other's start.
pub fn adjacent_slots(p: &crate::problem::Problem, a: usize, b: usize) -> bool {
    let (sa, sb) = (&p.slots[a], &p.slots[b]);
    let gap_ab = sb.start_utc_minute - sa.end_utc_minute();
    let gap_ba = sa.start_utc_minute - sb.end_utc_minute();
    (0..=30).contains(&gap_ab) || (0..=30).contains(&gap_ba)
}

/// `wg_adjacent`: per request whose adjacency does not hold: no session of the group and
/// session of the other group share a room with at most 30 minutes between one's slot
/// end and the other's slot start. A group that does not meet at all costs nothing.
pub fn wg_adjacent(ctx: &Context) -> Vec<Violation> {
    let p = ctx.problem;
    let mut out = Vec::new();
    for req in &p.requests {
        let Some(other) = req.adjacent_with else {
            continue;
        };
        if p.group_sessions[other].is_empty() {
            continue;
        }
        let ours = &p.group_sessions[req.group];
        let theirs = &p.group_sessions[other];
        let adjacent = ours.iter().any(|&s| {
            theirs.iter().any(|&t| {
                let (Some(a), Some(b)) = (ctx.schedule.get(s), ctx.schedule.get(t)) else {
                    return false;
                };
                a.room == b.room && adjacent_slots(p, a.slot, b.slot)
            })
        });
        if !adjacent {
            let s = req.sessions[0];
            let message = format!(
                "{} does not sit next to {} (same room, at most 30 minutes apart)",
                p.acronym(req.group),
                p.acronym(other)
            );
            let mut v = ctx.violation(CostKind::WgAdjacent, s, None, 1, message);
            v.other_group = Some(p.acronym(other).to_string());
            out.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::testing::{place, problem, request, wgs};
    use crate::cost::{evaluate, Context, Schedule};
    use crate::problem::Problem;
    use serde_json::json;

    /// (number of violations, total penalty) of one kind.
    fn run(kind: CostKind, p: &Problem, s: &Schedule) -> (usize, u64) {
        let v = violations(kind, &Context::new(p, s));
        (v.len(), v.iter().map(|v| v.penalty).sum())
    }

    #[test]
    fn unscheduled_counts_schedulable_sessions_only() {
        let p = problem(
            wgs(&["a"]),
            json!([request(
                "a",
                json!({
                    "sessions": [{"minutes": 60}, {"minutes": 60}],
                    "third_session": {"minutes": 60, "approved": false}
                })
            )]),
        );
        let s = place(&p, &[("a", 1, "mon-1000", "big")]);
        // Session 2 is missing (10,000,000); session 3 awaits approval (free).
        assert_eq!(run(CostKind::Unscheduled, &p, &s), (1, 10_000_000));
    }

    #[test]
    fn timerange_once_per_session_even_when_joint_groups_share_it() {
        let p = problem(
            wgs(&["a", "b"]),
            json!([
                request(
                    "a",
                    json!({"avoid_timeranges": ["monday-morning"], "joint_with": ["b"]})
                ),
                request(
                    "b",
                    json!({"avoid_timeranges": ["monday-morning", "wednesday-morning"]})
                )
            ]),
        );
        // a#1 (joint with b) on Monday morning: avoided by both, paid once.
        // b#1 on Wednesday morning: avoided by b.
        let s = place(
            &p,
            &[("a", 1, "mon-1000", "big"), ("b", 1, "wed-1000", "big")],
        );
        assert_eq!(run(CostKind::Timerange, &p, &s), (2, 2_000_000));
        let s = place(
            &p,
            &[("a", 1, "mon-1330", "big"), ("b", 1, "mon-1530", "big")],
        );
        assert_eq!(run(CostKind::Timerange, &p, &s), (0, 0));
    }

    #[test]
    fn chair_conflict_is_directed_and_per_declaration() {
        let p = problem(
            wgs(&["a", "b", "c"]),
            json!([
                request("a", json!({"conflicts": {"chair": ["b", "c"]}})),
                request("b", json!({"conflicts": {"chair": ["a"]}})),
                request("c", json!({}))
            ]),
        );
        // All three together: a->b, a->c, b->a = 3 declarations in session.
        let s = place(
            &p,
            &[
                ("a", 1, "mon-1000", "big"),
                ("b", 1, "mon-1000", "mid"),
                ("c", 1, "mon-1000", "small"),
            ],
        );
        assert_eq!(run(CostKind::ChairConflict, &p, &s), (3, 300_000));
        // c apart: a->b and b->a remain.
        let s = place(
            &p,
            &[
                ("a", 1, "mon-1000", "big"),
                ("b", 1, "mon-1000", "mid"),
                ("c", 1, "wed-1000", "big"),
            ],
        );
        assert_eq!(run(CostKind::ChairConflict, &p, &s), (2, 200_000));
    }

    #[test]
    fn key_participant_counts_each_overlapping_session_pair() {
        let p = problem(
            wgs(&["a", "b"]),
            json!([
                request("a", json!({"conflicts": {"key_participant": ["b"]}})),
                request("b", json!({"sessions": [{"minutes": 60}, {"minutes": 60}]}))
            ]),
        );
        let s = place(
            &p,
            &[
                ("a", 1, "mon-1000", "big"),
                ("b", 1, "mon-1000", "mid"),
                ("b", 2, "wed-1000", "big"),
            ],
        );
        assert_eq!(run(CostKind::KeyParticipant, &p, &s), (1, 100_000));
    }

    #[test]
    fn tech_overlap_applies_joint_groups_conflicts_and_targets() {
        // x is joint with y; y declares a technology overlap with z; z overlaps x's
        // joint session. Also w declares y, and w meets alongside the joint session.
        let p = problem(
            wgs(&["x", "y", "z", "w"]),
            json!([
                request("x", json!({"joint_with": ["y"]})),
                request(
                    "y",
                    json!({"conflicts": {"technology": ["z"]}, "sessions": [{"minutes": 60}]})
                ),
                request("z", json!({})),
                request("w", json!({"conflicts": {"technology": ["y"]}}))
            ]),
        );
        let s = place(
            &p,
            &[
                ("x", 1, "mon-1000", "big"),
                ("z", 1, "mon-1000", "mid"),
                ("w", 1, "mon-1000", "small"),
                ("y", 1, "wed-1000", "big"),
            ],
        );
        // y (via x's joint session) -> z, and w -> y (via x's joint session).
        assert_eq!(run(CostKind::TechOverlap, &p, &s), (2, 20_000));
    }

    #[test]
    fn conflicts_with_groups_that_do_not_meet_cost_nothing() {
        let p = problem(
            wgs(&["a", "ghost"]),
            json!([request("a", json!({"conflicts": {"chair": ["ghost"]}}))]),
        );
        let s = place(&p, &[("a", 1, "mon-1000", "big")]);
        assert_eq!(run(CostKind::ChairConflict, &p, &s), (0, 0));
    }

    #[test]
    fn must_attend_per_person_per_pair() {
        let p = problem(
            wgs(&["a", "b", "c"]),
            json!([
                request("a", json!({"must_attend": ["p1", "p2"]})),
                request("b", json!({"must_attend": ["p1", "p2"]})),
                request("c", json!({"must_attend": ["p1"]}))
            ]),
        );
        // a,b,c together: pairs (a,b): p1,p2; (a,c): p1; (b,c): p1 -> 4.
        let s = place(
            &p,
            &[
                ("a", 1, "mon-1000", "big"),
                ("b", 1, "mon-1000", "mid"),
                ("c", 1, "mon-1000", "small"),
            ],
        );
        assert_eq!(run(CostKind::MustAttend, &p, &s), (4, 40_000));
        let s = place(
            &p,
            &[
                ("a", 1, "mon-1000", "big"),
                ("b", 1, "mon-1330", "mid"),
                ("c", 1, "mon-1530", "small"),
            ],
        );
        assert_eq!(run(CostKind::MustAttend, &p, &s), (0, 0));
    }

    #[test]
    fn too_small_room_compares_seats_with_attendees() {
        let p = problem(
            wgs(&["a", "b"]),
            json!([
                request("a", json!({"attendees": 50})),
                request("b", json!({"attendees": 51}))
            ]),
        );
        let s = place(
            &p,
            &[("a", 1, "mon-1000", "mid"), ("b", 1, "mon-1330", "mid")],
        );
        assert_eq!(run(CostKind::TooSmallRoom, &p, &s), (1, 100_000));
    }

    #[test]
    fn too_short_slot_per_started_half_hour() {
        let p = problem(
            wgs(&["a", "b", "c"]),
            json!([
                request("a", json!({"sessions": [{"minutes": 120}]})),
                request("b", json!({"sessions": [{"minutes": 90}]})),
                request("c", json!({"sessions": [{"minutes": 120}]}))
            ]),
        );
        // a: 120 in 60 -> 2 half-hours; b: 90 in 60 -> 1; c: 120 in 120 -> 0.
        let s = place(
            &p,
            &[
                ("a", 1, "wed-1000", "big"),
                ("b", 1, "mon-1530", "big"),
                ("c", 1, "mon-1000", "big"),
            ],
        );
        assert_eq!(run(CostKind::TooShortSlot, &p, &s), (2, 300_000));
        // The agenda's end is the slot's end.
        assert_eq!(
            crate::time::rfc3339(&p.session_end(0, 3)),
            "2026-03-18T11:00:00+00:00"
        );
    }

    fn special_groups() -> serde_json::Value {
        json!([
            {"acronym": "bof1", "area": "sec", "type": "wg", "state": "bof"},
            {"acronym": "bof2", "area": "art", "type": "bof"},
            {"acronym": "prg", "area": "irtf", "type": "rg", "state": "proposed"},
            {"acronym": "secwg", "area": "sec", "type": "wg", "state": "active"},
            {"acronym": "saag", "area": "sec", "type": "ag", "state": "active"},
            {"acronym": "artarea", "area": "art", "type": "ag"},
            {"acronym": "dispatch", "area": "art", "type": "wg", "meets_as_area": true},
            {"acronym": "artwg", "area": "art", "type": "wg"}
        ])
    }

    fn special_requests() -> serde_json::Value {
        json!(
            ["bof1", "bof2", "prg", "secwg", "saag", "artarea", "dispatch", "artwg"]
                .iter()
                .map(|g| request(g, json!({})))
                .collect::<Vec<_>>()
        )
    }

    #[test]
    fn bof_rules() {
        let p = problem(special_groups(), special_requests());
        // bof1, bof2, prg, secwg together.
        let s = place(
            &p,
            &[
                ("bof1", 1, "mon-1000", "big"),
                ("bof2", 1, "mon-1000", "mid"),
                ("prg", 1, "mon-1000", "small"),
                ("secwg", 1, "mon-1330", "big"),
            ],
        );
        assert_eq!(run(CostKind::BofOverlappingBof, &p, &s), (1, 100_000));
        assert_eq!(run(CostKind::BofOverlappingPrg, &p, &s), (2, 200_000));
        assert_eq!(run(CostKind::BofOverlappingAreaWg, &p, &s), (0, 0));
        // bof1 with secwg (same area) and saag (area meeting of its area).
        let s = place(
            &p,
            &[
                ("bof1", 1, "mon-1330", "big"),
                ("secwg", 1, "mon-1330", "mid"),
                ("saag", 1, "mon-1330", "small"),
            ],
        );
        assert_eq!(run(CostKind::BofOverlappingAreaWg, &p, &s), (1, 100_000));
        assert_eq!(
            run(CostKind::BofOverlappingAreaMeeting, &p, &s),
            (1, 10_000)
        );
        // An area meeting of another area also counts for bof_overlapping_area_meeting.
        let s = place(
            &p,
            &[
                ("bof1", 1, "mon-1330", "big"),
                ("artarea", 1, "mon-1330", "mid"),
            ],
        );
        assert_eq!(
            run(CostKind::BofOverlappingAreaMeeting, &p, &s),
            (1, 10_000)
        );
        assert_eq!(run(CostKind::BofOverlappingAreaWg, &p, &s), (0, 0));
    }

    #[test]
    fn area_meeting_rules() {
        let p = problem(special_groups(), special_requests());
        // artarea + dispatch (both area meetings) + artwg + bof2 (a BoF of art).
        let s = place(
            &p,
            &[
                ("artarea", 1, "mon-1000", "big"),
                ("dispatch", 1, "mon-1000", "mid"),
                ("artwg", 1, "mon-1000", "small"),
                ("bof2", 1, "wed-1000", "big"),
            ],
        );
        // Two area meetings pay other_area only; each pays in-area for artwg.
        assert_eq!(
            run(CostKind::AreaMeetingOverlappingOtherArea, &p, &s),
            (1, 100_000)
        );
        assert_eq!(
            run(CostKind::AreaMeetingOverlappingInArea, &p, &s),
            (2, 20_000)
        );
        // A BoF of the area does not pay the in-area penalty.
        let s = place(
            &p,
            &[
                ("artarea", 1, "mon-1000", "big"),
                ("bof2", 1, "mon-1000", "mid"),
            ],
        );
        assert_eq!(run(CostKind::AreaMeetingOverlappingInArea, &p, &s), (0, 0));
    }

    #[test]
    fn area_meeting_in_area_matches_the_area_meetings_acronym() {
        let p = problem(
            json!([
                {"acronym": "opsarea", "type": "ag"},
                {"acronym": "opswg", "area": "opsarea", "type": "wg"}
            ]),
            json!([request("opsarea", json!({})), request("opswg", json!({}))]),
        );
        let s = place(
            &p,
            &[
                ("opsarea", 1, "mon-1000", "big"),
                ("opswg", 1, "mon-1000", "mid"),
            ],
        );
        assert_eq!(
            run(CostKind::AreaMeetingOverlappingInArea, &p, &s),
            (1, 10_000)
        );
    }

    #[test]
    fn same_ad_per_unordered_pair() {
        let p = problem(
            json!([
                {"acronym": "a", "ads": ["ad1"]},
                {"acronym": "b", "ads": ["ad1", "ad2"]},
                {"acronym": "c", "ads": ["ad2"]}
            ]),
            json!([
                request("a", json!({})),
                request("b", json!({})),
                request("c", json!({}))
            ]),
        );
        let s = place(
            &p,
            &[
                ("a", 1, "mon-1000", "big"),
                ("b", 1, "mon-1000", "mid"),
                ("c", 1, "mon-1000", "small"),
            ],
        );
        // (a,b) share ad1, (b,c) share ad2, (a,c) nothing.
        assert_eq!(run(CostKind::SameAd, &p, &s), (2, 200));
    }

    #[test]
    fn sessions_out_of_order_compares_starts() {
        let p = problem(
            wgs(&["a"]),
            json!([request(
                "a",
                json!({
                    "sessions": [{"minutes": 60}, {"minutes": 60}],
                    "third_session": {"minutes": 60, "approved": true}
                })
            )]),
        );
        // 2 before 1, 3 after 2.
        let s = place(
            &p,
            &[
                ("a", 1, "mon-1330", "big"),
                ("a", 2, "mon-1000", "big"),
                ("a", 3, "wed-1000", "big"),
            ],
        );
        assert_eq!(run(CostKind::SessionsOutOfOrder, &p, &s), (1, 100_000));
        let s = place(
            &p,
            &[
                ("a", 1, "mon-1000", "big"),
                ("a", 2, "mon-1330", "big"),
                ("a", 3, "wed-1000", "big"),
            ],
        );
        assert_eq!(run(CostKind::SessionsOutOfOrder, &p, &s), (0, 0));
    }

    #[test]
    fn time_relations() {
        let two = |rel: &str| json!({"sessions": [{"minutes": 60}, {"minutes": 60}], "time_relation": rel});
        let p = problem(
            wgs(&["a", "b"]),
            json!([
                request("a", two("subsequent-days")),
                request("b", two("one-day-seperation"))
            ]),
        );
        // Monday and Wednesday: not consecutive (a pays); two days apart (b is fine).
        let s = place(
            &p,
            &[
                ("a", 1, "mon-1000", "big"),
                ("a", 2, "wed-1000", "big"),
                ("b", 1, "mon-1000", "mid"),
                ("b", 2, "wed-1000", "mid"),
            ],
        );
        assert_eq!(run(CostKind::TimeRelation, &p, &s), (1, 1_000));
        // Same day: b pays (one-day separation), a pays (not consecutive).
        let s = place(
            &p,
            &[
                ("a", 1, "mon-1000", "big"),
                ("a", 2, "mon-1330", "big"),
                ("b", 1, "mon-1000", "mid"),
                ("b", 2, "mon-1330", "mid"),
            ],
        );
        assert_eq!(run(CostKind::TimeRelation, &p, &s), (2, 2_000));
    }

    #[test]
    fn adjacency_needs_same_room_and_a_short_gap() {
        let p = problem(
            wgs(&["a", "b"]),
            json!([
                request("a", json!({"adjacent_with": "b"})),
                request("b", json!({"adjacent_with": "a"}))
            ]),
        );
        // mon-1330 ends 15:00, mon-1530 starts 15:30: 30 minutes, same room: both hold.
        let s = place(
            &p,
            &[("a", 1, "mon-1330", "big"), ("b", 1, "mon-1530", "big")],
        );
        assert_eq!(run(CostKind::WgAdjacent, &p, &s), (0, 0));
        // Different rooms: both requests pay.
        let s = place(
            &p,
            &[("a", 1, "mon-1330", "big"), ("b", 1, "mon-1530", "mid")],
        );
        assert_eq!(run(CostKind::WgAdjacent, &p, &s), (2, 2_000));
        // mon-1000 ends 12:00, mon-1330 starts 13:30: 90 minutes.
        let s = place(
            &p,
            &[("a", 1, "mon-1000", "big"), ("b", 1, "mon-1330", "big")],
        );
        assert_eq!(run(CostKind::WgAdjacent, &p, &s), (2, 2_000));
    }

    #[test]
    fn penalty_overrides_apply() {
        let mut inst = crate::cost::testing::instance(
            wgs(&["a", "b"]),
            json!([
                request("a", json!({"conflicts": {"technology": ["b"]}})),
                request("b", json!({}))
            ]),
        );
        inst.penalties.insert("tech_overlap".into(), json!(7));
        let p = Problem::from_instance(&inst).unwrap();
        let s = place(
            &p,
            &[("a", 1, "mon-1000", "big"), ("b", 1, "mon-1000", "mid")],
        );
        assert_eq!(evaluate(&p, &s).cost, 7);
    }

    #[test]
    fn total_is_the_sum_of_kinds() {
        let p = problem(
            wgs(&["a", "b"]),
            json!([
                request(
                    "a",
                    json!({"conflicts": {"chair": ["b"], }, "must_attend": ["p1"], "attendees": 20})
                ),
                request(
                    "b",
                    json!({"must_attend": ["p1"], "sessions": [{"minutes": 120}]})
                )
            ]),
        );
        // Together in mon-1330 (90 min): chair 100,000 + must-attend 10,000 +
        // a in small room (20 > 10) 100,000 + b trimmed 30 min 100,000.
        let s = place(
            &p,
            &[("a", 1, "mon-1330", "small"), ("b", 1, "mon-1330", "big")],
        );
        let e = evaluate(&p, &s);
        assert!(e.hard_errors.is_empty(), "{:?}", e.hard_errors);
        assert_eq!(e.cost, 310_000);
        assert_eq!(e.by_kind["chair_conflict"].count, 1);
        assert_eq!(e.table().len(), CostKind::ALL.len());
    }
}
