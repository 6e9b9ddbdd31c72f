//! What-if runs: named edits of a meeting's requests (a room closed, a conflict added,
//! a BoF approved late), each re-solved from a published agenda with the
//! minimal-change objective ([`Problem::with_base`]), side by side.
//!
//! A scenario file has one scenario per line, `NAME: EDIT; EDIT; ...`; blank lines and
//! lines starting with `#` are skipped. The edits, whose words are separated by spaces:
//!
//! | edit | what it does |
//! |---|---|
//! | `close-room ROOM [SLOT]` | the room is closed in that block, or for the whole meeting |
//! | `conflict GROUP TARGET [chair\|technology\|key-participant]` | GROUP asks not to meet TARGET (class `chair` when left out) |
//! | `no-conflict GROUP TARGET` | the conflict is dropped from every class |
//! | `length GROUP N MINUTES` | session N of GROUP asks for MINUTES |
//! | `attendees GROUP N` | GROUP expects N people |
//! | `pin GROUP N SLOT [ROOM]` | session N is fixed in SLOT (and ROOM) |
//! | `unpin GROUP N` | session N is no longer fixed |
//! | `avoid GROUP DAY-PART` | GROUP cannot meet then (`monday-morning`, FORMAT.md) |
//! | `request GROUP MINUTES [ATTENDEES]` | a new one-session request (a late BoF); GROUP is added if unknown |
//! | `cancel GROUP` | GROUP's request is withdrawn |
//! | `approve-third GROUP` | GROUP's third session is approved |
//!
//! `docs/whatif.md` shows a file and the table `agenda whatif` prints.

use crate::agenda::Agenda;
use crate::diff::{diff, AgendaDiff};
use crate::instance::{FixedPlacement, Group, Instance, SessionLength, SessionRequest};
use crate::penalties::CostKind;
use crate::problem::{MoveRule, Problem};
use crate::rng::Rng;
use crate::solve::{solve, SolveOptions, Status};
use crate::validate::{validate, MAX_PENALTY};
use rayon::prelude::*;
use serde::Serialize;

/// Scenarios in one file at most: each is a solve.
pub const MAX_SCENARIOS: usize = 1_000;
/// Edits in one scenario at most.
pub const MAX_EDITS: usize = 100;

/// One named set of edits, as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// The name before the colon, which the results table shows.
    pub name: String,
    /// The scenario's line in its file (1-based).
    pub line: usize,
    /// The edits, in the order the line gives them.
    pub edits: Vec<Edit>,
}

/// One change to the requests or the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// `close-room ROOM [SLOT]`: the room is closed in that block, or for the whole
    /// meeting.
    CloseRoom {
        /// The room's id.
        room: String,
        /// The block's id; `None` closes the room for the whole meeting.
        slot: Option<String>,
    },
    /// `conflict GROUP TARGET [CLASS]`: GROUP asks not to meet TARGET.
    Conflict {
        /// The group that declares the conflict.
        group: String,
        /// The group it should not meet.
        target: String,
        /// The conflict's class (`chair` when the line leaves it out).
        class: ConflictClass,
    },
    /// `no-conflict GROUP TARGET`: the conflict is dropped from every class.
    NoConflict {
        /// The group that declared the conflict.
        group: String,
        /// The group it named.
        target: String,
    },
    /// `length GROUP N MINUTES`: session N of GROUP asks for MINUTES.
    Length {
        /// The group's acronym.
        group: String,
        /// The session number (1, 2 or 3).
        session: u32,
        /// The new length in minutes.
        minutes: u32,
    },
    /// `attendees GROUP N`: GROUP expects N people.
    Attendees {
        /// The group's acronym.
        group: String,
        /// The new number of attendees.
        attendees: u32,
    },
    /// `pin GROUP N SLOT [ROOM]`: session N is fixed in SLOT (and ROOM).
    Pin {
        /// The group's acronym.
        group: String,
        /// The session number.
        session: u32,
        /// The block's id.
        slot: String,
        /// The room's id; `None` lets the solver choose the room.
        room: Option<String>,
    },
    /// `unpin GROUP N`: session N is no longer fixed.
    Unpin {
        /// The group's acronym.
        group: String,
        /// The session number.
        session: u32,
    },
    /// `avoid GROUP DAY-PART`: GROUP cannot meet then.
    Avoid {
        /// The group's acronym.
        group: String,
        /// A time range name, `monday-morning` (FORMAT.md).
        timerange: String,
    },
    /// `request GROUP MINUTES [ATTENDEES]`: a new one-session request (a late BoF).
    Request {
        /// The group's acronym; the group is added when the meeting does not know it.
        group: String,
        /// The session's length in minutes.
        minutes: u32,
        /// Expected attendees (unknown when `None`).
        attendees: Option<u32>,
    },
    /// `cancel GROUP`: GROUP's request is withdrawn.
    Cancel {
        /// The group's acronym.
        group: String,
    },
    /// `approve-third GROUP`: GROUP's third session is approved.
    ApproveThird {
        /// The group's acronym.
        group: String,
    },
}

/// The three classes of groups to avoid (FORMAT.md `conflicts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictClass {
    /// `chair`: the groups share chairs.
    Chair,
    /// `technology`: the groups' subjects overlap.
    Technology,
    /// `key-participant`: the groups share key participants.
    KeyParticipant,
}

/// A scenario line that cannot be read or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ScenarioError {
    /// The line of the file (1-based).
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Reads a scenario file (see the module documentation).
pub fn parse_scenarios(text: &str) -> Result<Vec<Scenario>, ScenarioError> {
    let mut scenarios: Vec<Scenario> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let err = |message: String| ScenarioError { line, message };
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((name, body)) = trimmed.split_once(':') else {
            return Err(err(
                "expected `NAME: EDIT; EDIT ...`, e.g. `late-bof: request newbof 60 80`".into(),
            ));
        };
        let name = name.trim();
        if name.is_empty()
            || name.len() > 64
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(err(format!(
                "scenario name {name:?}: use 1 to 64 letters, digits, '-', '_' or '.'"
            )));
        }
        if let Some(first) = scenarios.iter().find(|s| s.name == name) {
            return Err(err(format!(
                "scenario {name:?} is already named on line {}; give each scenario its own name",
                first.line
            )));
        }
        let edits = body
            .split(';')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| parse_edit(e).map_err(|m| err(format!("{name}: {m}"))))
            .collect::<Result<Vec<_>, _>>()?;
        if edits.is_empty() {
            return Err(err(format!(
                "{name}: no edit; give at least one, e.g. `cancel GROUP`"
            )));
        }
        if edits.len() > MAX_EDITS {
            return Err(err(format!(
                "{name}: {} edits, more than {MAX_EDITS}",
                edits.len()
            )));
        }
        scenarios.push(Scenario {
            name: name.to_string(),
            line,
            edits,
        });
        if scenarios.len() > MAX_SCENARIOS {
            return Err(err(format!(
                "more than {MAX_SCENARIOS} scenarios; split the file"
            )));
        }
    }
    Ok(scenarios)
}

/// One edit, e.g. `close-room 101 thu-morning-1`.
fn parse_edit(text: &str) -> Result<Edit, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let usage = |form: &str| format!("`{text}`: expected `{form}`");
    let number = |word: &str, what: &str| {
        word.parse::<u32>()
            .map_err(|_| format!("`{text}`: {what} {word:?} is not a whole number"))
    };
    let s = |i: usize| words[i].to_string();
    Ok(match words.as_slice() {
        ["close-room", _] => Edit::CloseRoom { room: s(1), slot: None },
        ["close-room", _, _] => Edit::CloseRoom { room: s(1), slot: Some(s(2)) },
        ["close-room", ..] => return Err(usage("close-room ROOM [SLOT]")),
        ["conflict", _, _] => Edit::Conflict {
            group: s(1),
            target: s(2),
            class: ConflictClass::Chair,
        },
        ["conflict", _, _, class] => Edit::Conflict {
            group: s(1),
            target: s(2),
            class: match *class {
                "chair" => ConflictClass::Chair,
                "technology" => ConflictClass::Technology,
                "key-participant" => ConflictClass::KeyParticipant,
                other => {
                    return Err(format!(
                        "`{text}`: conflict class {other:?}; use chair, technology or key-participant"
                    ))
                }
            },
        },
        ["conflict", ..] => return Err(usage("conflict GROUP TARGET [chair|technology|key-participant]")),
        ["no-conflict", _, _] => Edit::NoConflict { group: s(1), target: s(2) },
        ["no-conflict", ..] => return Err(usage("no-conflict GROUP TARGET")),
        ["length", _, n, m] => Edit::Length {
            group: s(1),
            session: number(n, "session")?,
            minutes: number(m, "minutes")?,
        },
        ["length", ..] => return Err(usage("length GROUP N MINUTES")),
        ["attendees", _, n] => Edit::Attendees { group: s(1), attendees: number(n, "attendees")? },
        ["attendees", ..] => return Err(usage("attendees GROUP N")),
        ["pin", _, n, _] => Edit::Pin { group: s(1), session: number(n, "session")?, slot: s(3), room: None },
        ["pin", _, n, _, _] => Edit::Pin {
            group: s(1),
            session: number(n, "session")?,
            slot: s(3),
            room: Some(s(4)),
        },
        ["pin", ..] => return Err(usage("pin GROUP N SLOT [ROOM]")),
        ["unpin", _, n] => Edit::Unpin { group: s(1), session: number(n, "session")? },
        ["unpin", ..] => return Err(usage("unpin GROUP N")),
        ["avoid", _, _] => Edit::Avoid { group: s(1), timerange: s(2) },
        ["avoid", ..] => return Err(usage("avoid GROUP DAY-PART")),
        ["request", _, m] => Edit::Request { group: s(1), minutes: number(m, "minutes")?, attendees: None },
        ["request", _, m, a] => Edit::Request {
            group: s(1),
            minutes: number(m, "minutes")?,
            attendees: Some(number(a, "attendees")?),
        },
        ["request", ..] => return Err(usage("request GROUP MINUTES [ATTENDEES]")),
        ["cancel", _] => Edit::Cancel { group: s(1) },
        ["cancel", ..] => return Err(usage("cancel GROUP")),
        ["approve-third", _] => Edit::ApproveThird { group: s(1) },
        ["approve-third", ..] => return Err(usage("approve-third GROUP")),
        [verb, ..] => {
            return Err(format!(
                "unknown edit {verb:?}; use close-room, conflict, no-conflict, length, attendees, pin, unpin, avoid, request, cancel or approve-third"
            ))
        }
        [] => return Err("an empty edit".into()),
    })
}

impl Edit {
    /// Whether the edit can only raise the optimum: every agenda of the edited
    /// requests, less the sessions the edit adds, is an agenda of the unedited ones at
    /// no higher cost, since every cost kind is a sum of non-negative terms over single
    /// sessions and pairs (FORMAT.md). So it is when the edit adds a new conflict, a
    /// time range, a session, seats or minutes, closes a room or pins a free session;
    /// the unedited meeting's proven bound then bounds the edited one.
    pub fn tightens(&self, before: &Instance) -> bool {
        let request = |group: &str| before.requests.iter().find(|r| r.group == group);
        match self {
            Edit::CloseRoom { .. } | Edit::Avoid { .. } | Edit::Request { .. } => true,
            Edit::ApproveThird { .. } => true,
            // A target already listed in another class would change class, and weight.
            Edit::Conflict { group, target, .. } => request(group).is_some_and(|r| {
                let c = &r.conflicts;
                ![&c.chair, &c.technology, &c.key_participant]
                    .iter()
                    .any(|list| list.contains(target))
            }),
            Edit::Attendees { group, attendees } => request(group)
                .and_then(|r| r.attendees.as_ref())
                .and_then(serde_json::Value::as_u64)
                .is_some_and(|now| u64::from(*attendees) >= now),
            Edit::Length {
                group,
                session,
                minutes,
            } => request(group)
                .and_then(|r| r.sessions.get((*session as usize).wrapping_sub(1)))
                .and_then(|l| l.minutes)
                .is_some_and(|now| *minutes >= now),
            Edit::Pin { group, session, .. } => !before
                .fixed
                .iter()
                .any(|f| &f.group == group && f.session == *session),
            Edit::NoConflict { .. } | Edit::Unpin { .. } | Edit::Cancel { .. } => false,
        }
    }

    /// Applies the edit to `instance`, or says why it does not apply (an unknown
    /// group, room, slot or session).
    pub fn apply(&self, instance: &mut Instance) -> Result<(), String> {
        match self {
            Edit::CloseRoom { room, slot } => close_room(instance, room, slot.as_deref()),
            Edit::Conflict {
                group,
                target,
                class,
            } => {
                known_group(instance, target)?;
                let conflicts = &mut request_mut(instance, group)?.conflicts;
                let list = match class {
                    ConflictClass::Chair => &mut conflicts.chair,
                    ConflictClass::Technology => &mut conflicts.technology,
                    ConflictClass::KeyParticipant => &mut conflicts.key_participant,
                };
                if !list.contains(target) {
                    list.push(target.clone());
                }
                Ok(())
            }
            Edit::NoConflict { group, target } => {
                let c = &mut request_mut(instance, group)?.conflicts;
                let before = c.chair.len() + c.technology.len() + c.key_participant.len();
                for list in [&mut c.chair, &mut c.technology, &mut c.key_participant] {
                    list.retain(|t| t != target);
                }
                if before == c.chair.len() + c.technology.len() + c.key_participant.len() {
                    return Err(format!("{group} has no conflict with {target}"));
                }
                Ok(())
            }
            Edit::Length {
                group,
                session,
                minutes,
            } => {
                let request = request_mut(instance, group)?;
                let count = request.sessions.len();
                match request
                    .sessions
                    .get_mut((*session as usize).wrapping_sub(1))
                {
                    Some(length) => length.minutes = Some(*minutes),
                    None => {
                        return Err(format!(
                            "{group} requests {count} session(s), not session {session}"
                        ))
                    }
                }
                Ok(())
            }
            Edit::Attendees { group, attendees } => {
                request_mut(instance, group)?.attendees = Some((*attendees).into());
                Ok(())
            }
            Edit::Pin {
                group,
                session,
                slot,
                room,
            } => {
                request_mut(instance, group)?;
                if !instance.slots.iter().any(|s| &s.id == slot) {
                    return Err(format!("no slot {slot:?} in the grid"));
                }
                if let Some(room) = room {
                    known_room(instance, room)?;
                }
                instance
                    .fixed
                    .retain(|f| !(&f.group == group && f.session == *session));
                instance.fixed.push(FixedPlacement {
                    group: group.clone(),
                    session: *session,
                    slot: slot.clone(),
                    room: room.clone(),
                });
                Ok(())
            }
            Edit::Unpin { group, session } => {
                let before = instance.fixed.len();
                instance
                    .fixed
                    .retain(|f| !(&f.group == group && f.session == *session));
                if instance.fixed.len() == before {
                    return Err(format!("session {session} of {group} is not pinned"));
                }
                Ok(())
            }
            Edit::Avoid { group, timerange } => {
                let request = request_mut(instance, group)?;
                if !request.avoid_timeranges.contains(timerange) {
                    request.avoid_timeranges.push(timerange.clone());
                }
                Ok(())
            }
            Edit::Request {
                group,
                minutes,
                attendees,
            } => {
                if instance.requests.iter().any(|r| &r.group == group) {
                    return Err(format!("{group} already has a request; edit it instead"));
                }
                if !instance.groups.iter().any(|g| &g.acronym == group) {
                    instance.groups.push(Group {
                        acronym: group.clone(),
                        state: Some("bof".into()),
                        ..Group::default()
                    });
                }
                instance.requests.push(SessionRequest {
                    group: group.clone(),
                    sessions: vec![SessionLength {
                        minutes: Some(*minutes),
                    }],
                    attendees: attendees.map(Into::into),
                    ..SessionRequest::default()
                });
                Ok(())
            }
            Edit::Cancel { group } => {
                request_mut(instance, group)?;
                instance.requests.retain(|r| &r.group != group);
                instance.fixed.retain(|f| &f.group != group);
                Ok(())
            }
            Edit::ApproveThird { group } => {
                match &mut request_mut(instance, group)?.third_session {
                    Some(third) => {
                        third.approved = true;
                        Ok(())
                    }
                    None => Err(format!("{group} requests no third session")),
                }
            }
        }
    }
}

fn request_mut<'i>(
    instance: &'i mut Instance,
    group: &str,
) -> Result<&'i mut SessionRequest, String> {
    instance
        .requests
        .iter_mut()
        .find(|r| r.group == group)
        .ok_or_else(|| format!("no request of group {group:?}"))
}

fn known_group(instance: &Instance, group: &str) -> Result<(), String> {
    match instance.groups.iter().any(|g| g.acronym == group) {
        true => Ok(()),
        false => Err(format!("no group {group:?}")),
    }
}

fn known_room(instance: &Instance, room: &str) -> Result<(), String> {
    match instance.rooms.iter().any(|r| r.id == room) {
        true => Ok(()),
        false => Err(format!("no room {room:?}")),
    }
}

/// Closes `room` in the block `slot`, or in every block.
fn close_room(instance: &mut Instance, room: &str, slot: Option<&str>) -> Result<(), String> {
    known_room(instance, room)?;
    let every: Vec<String> = instance.rooms.iter().map(|r| r.id.clone()).collect();
    let mut found = false;
    for s in &mut instance.slots {
        if slot.is_some_and(|id| id != s.id) {
            continue;
        }
        found = true;
        s.rooms
            .get_or_insert_with(|| every.clone())
            .retain(|r| r != room);
    }
    match (found, slot) {
        (false, Some(id)) => Err(format!("no slot {id:?} in the grid")),
        _ => Ok(()),
    }
}

/// A scenario's edited meeting.
#[derive(Debug, Clone)]
pub struct Edited {
    /// The validated meeting after the edits, with the base agenda attached.
    pub problem: Problem,
    /// Every edit [tightens](Edit::tightens) the meeting.
    pub tightens: bool,
}

/// `instance` with the scenario's edits applied, checked to validate.
pub fn apply(instance: &Instance, scenario: &Scenario) -> Result<Edited, ScenarioError> {
    let err = |message: String| ScenarioError {
        line: scenario.line,
        message: format!("{}: {message}", scenario.name),
    };
    let mut edited = instance.clone();
    let mut tightens = true;
    for edit in &scenario.edits {
        tightens &= edit.tightens(&edited);
        edit.apply(&mut edited).map_err(err)?;
    }
    let validation = validate(&edited);
    match validation.problem {
        Some(problem) => Ok(Edited { problem, tightens }),
        None => {
            let errors: Vec<String> = validation.errors().map(|i| i.to_string()).collect();
            Err(err(format!(
                "the edited requests are invalid: {}",
                errors.join("; ")
            )))
        }
    }
}

/// How the scenarios are solved.
#[derive(Debug, Clone)]
pub struct WhatIfOptions {
    /// Each scenario's solve (its time limit, gap, seed); its thread count is the
    /// threads each scenario gets.
    pub solve: SolveOptions,
    /// How moves from the base are weighed ([`Problem::with_base`]).
    pub moves: MoveRule,
    /// Scenarios solved at once.
    pub jobs: usize,
}

/// One scenario's re-solve.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The scenario's name.
    pub scenario: String,
    /// The FORMAT.md cost of the re-solved agenda under the edited requests (moves
    /// not counted).
    pub cost: u64,
    /// `cost` less the base agenda's cost under the unedited requests.
    pub change: i128,
    /// Sessions moved to another block, and to another room only.
    pub moved: usize,
    /// Sessions that kept their block but changed room.
    pub moved_room: usize,
    /// The minimal-change objective (cost plus moves) and its proven bound.
    pub objective: u64,
    /// The proven lower bound of `objective`, when there is one.
    pub lower_bound: Option<u64>,
    /// Optimal when proven, else feasible (or infeasible).
    pub status: Status,
    /// Wall-clock seconds of the re-solve.
    pub seconds: f64,
    /// The proof is the unedited meeting's bound ([`Edit::tightens`]).
    pub bound_from_unedited: bool,
    /// What moved, violations added and removed, priced under the edited requests.
    pub diff: AgendaDiff,
    /// The re-solved agenda (left out of the JSON table; `agenda whatif --out-dir` writes
    /// it).
    #[serde(skip)]
    pub agenda: Agenda,
}

impl Outcome {
    /// The gap between the objective and its bound (0 when proven).
    pub fn gap(&self) -> Option<f64> {
        self.lower_bound
            .map(|b| crate::solve::relative_gap(self.objective, b))
    }
}

/// The cost of a move when a user gives no rule: a technology overlap's weight
/// (FORMAT.md), so a session moves only to save more than that.
pub const DEFAULT_MOVE_COST: u64 = 10_000;

/// The move rule a user gave: at most one of a cost per move, a cap on moves, or cost
/// first then fewest moves ([`MoveRule`]); none gives [`DEFAULT_MOVE_COST`] per move.
/// The error names the option (`move_cost`, `max_moves`) and what to give instead.
pub fn checked_move_rule(
    move_cost: Option<u64>,
    max_moves: Option<u64>,
    cost_then_moves: bool,
) -> Result<MoveRule, (&'static str, String)> {
    match (move_cost, max_moves, cost_then_moves) {
        (None, None, false) => Ok(MoveRule::Cost(DEFAULT_MOVE_COST)),
        (Some(c), None, false) => checked_move_cost(c)
            .map(MoveRule::Cost)
            .map_err(|m| ("move_cost", m)),
        (None, Some(k), false) => Ok(MoveRule::AtMost(usize::try_from(k).unwrap_or(usize::MAX))),
        (None, None, true) => Ok(MoveRule::CostThenMoves),
        _ => Err((
            "move_cost",
            "give one of a cost per move, a most number of moves, or cost-then-moves".into(),
        )),
    }
}

/// A `--move-cost` a user gave, checked against the largest penalty.
pub fn checked_move_cost(move_cost: u64) -> Result<u64, String> {
    match move_cost <= MAX_PENALTY {
        true => Ok(move_cost),
        false => Err(format!(
            "{move_cost} is above the largest penalty accepted, {MAX_PENALTY}; give e.g. 10000"
        )),
    }
}

/// The scenarios' outcomes, and what they were measured against.
#[derive(Debug, Clone, Serialize)]
pub struct WhatIf {
    /// The base agenda's cost under the unedited requests.
    pub base_cost: u64,
    /// The unedited meeting's proven lower bound, which bounds every scenario that
    /// only [tightens](Edit::tightens) it, and how long proving it took.
    pub unedited_bound: Option<u64>,
    /// Seconds spent proving `unedited_bound`.
    pub unedited_seconds: f64,
    /// In file order.
    pub outcomes: Vec<Outcome>,
}

/// Applies every scenario first (so that a bad one is reported before any solve), bounds
/// the unedited meeting (one solve on all `options.jobs` threads), then re-solves each
/// scenario from `base`, `options.jobs` at a time, telling `finished` of each as it
/// ends.
pub fn run(
    instance: &Instance,
    base: &Agenda,
    scenarios: &[Scenario],
    options: &WhatIfOptions,
    finished: &(dyn Fn(&Outcome) + Sync),
) -> Result<WhatIf, Vec<ScenarioError>> {
    let one = |message: String| vec![ScenarioError { line: 0, message }];
    let Some(original) = validate(instance).problem else {
        return Err(one(
            "the instance itself is invalid; run `agenda validate`".into()
        ));
    };
    let (edited, errors): (Vec<_>, Vec<_>) = scenarios
        .iter()
        .map(|s| apply(instance, s))
        .partition(Result::is_ok);
    if !errors.is_empty() {
        return Err(errors.into_iter().filter_map(Result::err).collect());
    }
    let edited: Vec<Edited> = edited.into_iter().filter_map(Result::ok).collect();
    let base_cost = crate::cost::evaluate_agenda(&original, base).1.cost;
    let jobs = options.jobs.max(1);
    let unedited = solve(
        &original,
        &SolveOptions {
            threads: u32::try_from(jobs)
                .unwrap_or(u32::MAX)
                .min(crate::solve::MAX_THREADS),
            start: Some(crate::solve::start_from_agenda(&original, base)),
            ..options.solve.clone()
        },
        &mut |_| {},
    );
    let floor = unedited.lower_bound;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| one(format!("cannot start the worker threads: {e}")))?;
    let outcomes = pool.install(|| {
        edited
            .into_par_iter()
            .zip(scenarios.par_iter())
            .map(|(edited, scenario)| {
                let floor = floor.filter(|_| edited.tightens);
                let outcome = re_solve(edited.problem, scenario, base, base_cost, floor, options);
                finished(&outcome);
                outcome
            })
            .collect()
    });
    Ok(WhatIf {
        base_cost,
        unedited_bound: floor,
        unedited_seconds: unedited.stats.total_time.as_secs_f64(),
        outcomes,
    })
}

/// One scenario's minimal-change solve from `base`, above `floor` when the scenario
/// tightens the meeting.
fn re_solve(
    problem: Problem,
    scenario: &Scenario,
    base: &Agenda,
    base_cost: u64,
    floor: Option<u64>,
    options: &WhatIfOptions,
) -> Outcome {
    let plain = problem.clone();
    let problem = problem.with_base(base, options.moves);
    let solve_options = SolveOptions {
        start: Some(crate::solve::start_from_agenda(&problem, base)),
        ..options.solve.clone()
    };
    let report =
        crate::solve::solve_above(&problem, &solve_options, floor.unwrap_or(0), &mut |_| {});
    let agenda = report.to_agenda(&problem);
    let diff = diff(&plain, base, &agenda);
    let moves = report
        .evaluation
        .by_kind
        .get(CostKind::MovedSession.key())
        .map_or(0, |k| k.penalty);
    let cost = report.evaluation.cost.saturating_sub(moves);
    Outcome {
        scenario: scenario.name.clone(),
        cost,
        change: i128::from(cost) - i128::from(base_cost),
        moved: diff.moved_in_time(),
        moved_room: diff
            .moves
            .iter()
            .filter(|m| m.change == crate::diff::Change::Room)
            .count(),
        objective: report.evaluation.cost,
        lower_bound: report.lower_bound,
        status: report.status,
        seconds: report.stats.total_time.as_secs_f64(),
        bound_from_unedited: floor.is_some_and(|f| report.lower_bound == Some(f)),
        diff,
        agenda,
    }
}

/// `count` single-edit scenarios of `instance`, drawn with `seed` (the edit kinds in
/// turn: a room closed in a block the base uses, a chair conflict between two groups,
/// attendees doubled, a time range avoided where the group meets, a late BoF), for
/// measuring re-solve speed. Every scenario applies and validates.
pub fn generate(instance: &Instance, base: &Agenda, count: usize, seed: u64) -> Vec<Scenario> {
    let mut rng = Rng(seed);
    let mut scenarios = Vec::with_capacity(count);
    let requests = &instance.requests;
    let placed: Vec<&crate::agenda::Assignment> = base.assignments.iter().collect();
    let mut attempts = 0;
    while scenarios.len() < count && attempts < count * 20 && !requests.is_empty() {
        attempts += 1;
        let n = scenarios.len();
        let kind = attempts % 5;
        let pick = |rng: &mut Rng, len: usize| rng.below(len);
        let edit = match kind {
            0 if !placed.is_empty() => {
                let a = placed[pick(&mut rng, placed.len())];
                Edit::CloseRoom {
                    room: a.room.clone(),
                    slot: Some(a.slot.clone()),
                }
            }
            1 => {
                let g = &requests[pick(&mut rng, requests.len())].group;
                let t = &requests[pick(&mut rng, requests.len())].group;
                if g == t {
                    continue;
                }
                Edit::Conflict {
                    group: g.clone(),
                    target: t.clone(),
                    class: ConflictClass::Chair,
                }
            }
            2 => {
                let r = &requests[pick(&mut rng, requests.len())];
                let now = r.attendees.as_ref().and_then(|v| v.as_u64()).unwrap_or(50);
                Edit::Attendees {
                    group: r.group.clone(),
                    attendees: u32::try_from(now.saturating_mul(2).max(20)).unwrap_or(u32::MAX),
                }
            }
            3 if !placed.is_empty() => {
                let a = placed[pick(&mut rng, placed.len())];
                let Some(part) = day_part(instance, &a.slot) else {
                    continue;
                };
                Edit::Avoid {
                    group: a.group.clone(),
                    timerange: part,
                }
            }
            _ => Edit::Request {
                group: format!("whatifbof{n}"),
                minutes: 60,
                attendees: Some(100),
            },
        };
        let scenario = Scenario {
            name: format!("edit-{:03}", n + 1),
            line: n + 1,
            edits: vec![edit],
        };
        if apply(instance, &scenario).is_ok() {
            scenarios.push(scenario);
        }
    }
    scenarios
}

/// The FORMAT.md time range (`monday-morning`) a slot starts in.
fn day_part(instance: &Instance, slot: &str) -> Option<String> {
    let slot = instance.slots.iter().find(|s| s.id == slot)?;
    let start = chrono::NaiveDateTime::parse_from_str(&slot.start, "%Y-%m-%dT%H:%M").ok()?;
    let day = start.format("%A").to_string().to_lowercase();
    let minutes = chrono::Timelike::hour(&start) * 60 + chrono::Timelike::minute(&start);
    let part = match minutes {
        m if m < 12 * 60 + 30 => "morning",
        m if m < 15 * 60 + 30 => "afternoon-early",
        _ => "afternoon-late",
    };
    Some(format!("{day}-{part}"))
}

/// Scenarios written back in the file format ([`parse_scenarios`] reads them).
pub fn to_text(scenarios: &[Scenario]) -> String {
    let mut out = String::new();
    for s in scenarios {
        let edits: Vec<String> = s.edits.iter().map(Edit::to_string).collect();
        out.push_str(&format!("{}: {}\n", s.name, edits.join("; ")));
    }
    out
}

impl std::fmt::Display for Edit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let opt = |o: &Option<String>| o.as_ref().map_or(String::new(), |v| format!(" {v}"));
        match self {
            Edit::CloseRoom { room, slot } => write!(f, "close-room {room}{}", opt(slot)),
            Edit::Conflict {
                group,
                target,
                class,
            } => {
                let class = match class {
                    ConflictClass::Chair => "chair",
                    ConflictClass::Technology => "technology",
                    ConflictClass::KeyParticipant => "key-participant",
                };
                write!(f, "conflict {group} {target} {class}")
            }
            Edit::NoConflict { group, target } => write!(f, "no-conflict {group} {target}"),
            Edit::Length {
                group,
                session,
                minutes,
            } => write!(f, "length {group} {session} {minutes}"),
            Edit::Attendees { group, attendees } => write!(f, "attendees {group} {attendees}"),
            Edit::Pin {
                group,
                session,
                slot,
                room,
            } => write!(f, "pin {group} {session} {slot}{}", opt(room)),
            Edit::Unpin { group, session } => write!(f, "unpin {group} {session}"),
            Edit::Avoid { group, timerange } => write!(f, "avoid {group} {timerange}"),
            Edit::Request {
                group,
                minutes,
                attendees,
            } => {
                write!(f, "request {group} {minutes}")?;
                match attendees {
                    Some(a) => write!(f, " {a}"),
                    None => Ok(()),
                }
            }
            Edit::Cancel { group } => write!(f, "cancel {group}"),
            Edit::ApproveThird { group } => write!(f, "approve-third {group}"),
        }
    }
}
