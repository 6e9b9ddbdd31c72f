//! The validated, indexed meeting: what the evaluator, the graph, the exports and the
//! solver compute on. Built only by [`crate::validate::validate`], so every index in it
//! is in range and every name resolved.

use crate::penalties::Penalties;
use crate::time::TimeRange;
use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// Index of a room in [`Problem::rooms`].
pub type RoomIdx = usize;
/// Index of a slot (time block) in [`Problem::slots`].
pub type SlotIdx = usize;
/// Index of a group.
pub type GroupIdx = usize;
/// Index of a person.
pub type PersonIdx = usize;
/// Index of a request in [`Problem::requests`].
pub type RequestIdx = usize;
/// Index of a session in [`Problem::sessions`].
pub type SessionIdx = usize;

/// How the meeting is held (FORMAT.md `meeting.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `in-person`.
    InPerson,
    /// `hybrid`.
    Hybrid,
    /// `virtual`: rooms are parallel tracks.
    Virtual,
}

impl Mode {
    pub(crate) fn parse(text: &str) -> Option<Mode> {
        match text {
            "in-person" => Some(Mode::InPerson),
            "hybrid" => Some(Mode::Hybrid),
            "virtual" => Some(Mode::Virtual),
            _ => None,
        }
    }
}

/// A room, indexed.
#[derive(Debug, Clone)]
pub struct RoomInfo {
    /// The room's id.
    pub id: String,
    pub(crate) name: String,
    /// `None`: unlimited (always so for a virtual meeting's tracks without a capacity).
    pub capacity: Option<u32>,
    pub(crate) resources: Vec<String>,
}

/// A time block, indexed.
#[derive(Debug, Clone)]
pub struct SlotInfo {
    /// The slot's id.
    pub id: String,
    pub(crate) name: Option<String>,
    pub(crate) start: DateTime<Tz>,
    /// Length in minutes.
    pub minutes: u32,
    /// Minutes since the Unix epoch (UTC), for overlap tests across DST changes.
    pub start_utc_minute: i64,
    pub(crate) date: NaiveDate,
    pub(crate) range: TimeRange,
    /// Rooms open in this block, sorted.
    pub rooms: Vec<RoomIdx>,
}

impl SlotInfo {
    pub(crate) fn end_utc_minute(&self) -> i64 {
        self.start_utc_minute + i64::from(self.minutes)
    }

    pub(crate) fn end(&self) -> DateTime<Tz> {
        self.start + chrono::Duration::minutes(i64::from(self.minutes))
    }

    pub(crate) fn is_open(&self, room: RoomIdx) -> bool {
        self.rooms.binary_search(&room).is_ok()
    }
}

/// A group, indexed.
#[derive(Debug, Clone)]
pub struct GroupInfo {
    /// The group's acronym.
    pub acronym: String,
    pub(crate) name: String,
    pub(crate) area: Option<String>,
    pub(crate) group_type: String,
    /// `active`, `bof`, `proposed`, ... (`active` when not given).
    pub state: String,
    /// `type` is `bof` or `state` is `bof`.
    pub is_bof: bool,
    /// A proposed research group: `type` `rg` and `state` `proposed`.
    pub is_prg: bool,
    /// `type` `ag` or `area`, or `meets_as_area`.
    pub is_area_meeting: bool,
    pub(crate) chairs: Vec<PersonIdx>,
    pub(crate) ads: Vec<PersonIdx>,
    /// The group's own request, if it asked for sessions.
    pub request: Option<RequestIdx>,
}

/// The three classes of groups to avoid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConflictClass {
    /// `chair`.
    Chair,
    /// `technology`.
    Technology,
    /// `key_participant`.
    KeyParticipant,
}

impl ConflictClass {
    pub(crate) const ALL: [ConflictClass; 3] = [
        ConflictClass::Chair,
        ConflictClass::Technology,
        ConflictClass::KeyParticipant,
    ];

    /// The class's key in documents (`chair`).
    pub fn key(self) -> &'static str {
        match self {
            ConflictClass::Chair => "chair",
            ConflictClass::Technology => "technology",
            ConflictClass::KeyParticipant => "key_participant",
        }
    }
}

/// A requested relation between a group's sessions 1 and 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeRelation {
    /// Sessions 1 and 2 on consecutive days.
    SubsequentDays,
    /// Dates of sessions 1 and 2 at least two days apart.
    OneDaySeparation,
}

impl TimeRelation {
    pub(crate) fn parse(text: &str) -> Option<TimeRelation> {
        match text {
            "subsequent-days" => Some(TimeRelation::SubsequentDays),
            // The datatracker's historical spelling.
            "one-day-separation" | "one-day-seperation" => Some(TimeRelation::OneDaySeparation),
            _ => None,
        }
    }

    /// The relation's key in documents (`subsequent-days`).
    pub fn key(self) -> &'static str {
        match self {
            TimeRelation::SubsequentDays => "subsequent-days",
            TimeRelation::OneDaySeparation => "one-day-separation",
        }
    }

    /// Whether two session dates satisfy the relation.
    pub fn holds(self, first: NaiveDate, second: NaiveDate) -> bool {
        let days = crate::time::days_between(first, second).abs();
        match self {
            TimeRelation::SubsequentDays => days == 1,
            TimeRelation::OneDaySeparation => days >= 2,
        }
    }
}

/// A session request, indexed.
#[derive(Debug, Clone)]
pub struct RequestInfo {
    /// The requesting group.
    pub group: GroupIdx,
    /// Expected attendees.
    pub attendees: u32,
    /// Declared conflicts in file order, each target once.
    pub conflicts: Vec<(ConflictClass, GroupIdx)>,
    pub(crate) must_attend: Vec<PersonIdx>,
    pub(crate) avoid: BTreeSet<TimeRange>,
    pub(crate) adjacent_with: Option<GroupIdx>,
    pub(crate) time_relation: Option<TimeRelation>,
    /// The session number held jointly with the request's `joint_with` groups (they are
    /// that session's `members`), if any.
    pub joint_session: Option<u32>,
    pub(crate) resources: Vec<String>,
    /// Free text for the secretariat (empty when not given).
    pub special_requests: String,
    /// This request's sessions, by number (1, 2, then 3 if requested).
    pub sessions: Vec<SessionIdx>,
}

/// A conflict that applies to a session: `declarer` (a member of the session) asked not
/// to overlap `target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Declaration {
    pub(crate) declarer: GroupIdx,
    pub(crate) class: ConflictClass,
    pub(crate) target: GroupIdx,
}

/// One session to place.
#[derive(Debug, Clone)]
pub struct Session {
    pub(crate) request: RequestIdx,
    /// The requesting group (BoF/area/AD rules, attendees and order look at it).
    pub group: GroupIdx,
    /// 1, 2 or 3.
    pub number: u32,
    /// Requested length in minutes.
    pub minutes: u32,
    /// Expected attendees.
    pub attendees: u32,
    /// The groups this session is a session of: the requester, then joint groups.
    pub members: Vec<GroupIdx>,
    /// False for a third session awaiting AD approval: never placed.
    pub schedulable: bool,
    /// Conflicts of every member group, sorted.
    pub declarations: Vec<Declaration>,
    /// Must-attend people of every member group, sorted, each once.
    pub must_attend: Vec<PersonIdx>,
    /// Time ranges any member group avoids.
    pub avoid: BTreeSet<TimeRange>,
    /// The request's priority (ONLINE.md section 3): leaving the session out costs
    /// `unscheduled` times this.
    pub priority: u64,
}

/// A session the solver must keep in its slot (and room, when given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixed {
    /// The session.
    pub session: SessionIdx,
    /// Its slot.
    pub slot: SlotIdx,
    /// Its room; `None` lets the solver choose.
    pub room: Option<RoomIdx>,
}

/// A validated meeting.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The meeting number.
    pub meeting: String,
    /// The meeting's time zone.
    pub time_zone: Tz,
    pub(crate) mode: Mode,
    /// The lengths a working-group-like group may request.
    pub session_minutes: Vec<u32>,
    /// The rooms, in file order.
    pub rooms: Vec<RoomInfo>,
    /// The slots, in file order.
    pub slots: Vec<SlotInfo>,
    pub(crate) groups: Vec<GroupInfo>,
    pub(crate) people: Vec<(String, Option<String>)>,
    /// The requests, in file order.
    pub requests: Vec<RequestInfo>,
    /// Every session, request by request.
    pub sessions: Vec<Session>,
    pub(crate) fixed: Vec<Fixed>,
    pub(crate) penalties: Penalties,
    /// For each group, the sessions it is a member of (joint ones included).
    pub group_sessions: Vec<Vec<SessionIdx>>,
    /// `slot_overlap[a][b]`: the two slots' time intervals meet (true on the diagonal).
    pub slot_overlap: Vec<Vec<bool>>,
    /// The base agenda's block of each session, for a minimal-change re-solve (empty:
    /// none); moves from it pay `moved_session` ([`Problem::with_base`]).
    pub base: Vec<Option<SlotIdx>>,
    /// The base agenda's room of each session (empty: no base): room assignment keeps
    /// it where the block and the room's fit allow.
    pub base_room: Vec<Option<RoomIdx>>,
    /// How moves from `base` are weighed ([`MoveRule`]); [`MoveRule::Cost`] of 0
    /// without a base.
    pub move_rule: MoveRule,
}

/// How a minimal-change re-solve ([`Problem::with_base`]) weighs sessions moved away
/// from their block in the base agenda (a change of room alone is not a move).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveRule {
    /// Each move costs this much (`moved_session`), added to the FORMAT.md cost.
    Cost(u64),
    /// The FORMAT.md cost, with at most this many moves: a hard rule
    /// ([`crate::cost::HardKind::TooManyMoves`]).
    AtMost(usize),
    /// The FORMAT.md cost first, then the fewest moves: among the cheapest agendas,
    /// one that moves the fewest sessions. Solved exactly as one objective,
    /// `(sessions with a base + 1) x cost + moves`.
    CostThenMoves,
}

impl MoveRule {
    /// The most moves allowed, if capped.
    pub fn max_moves(self) -> Option<usize> {
        match self {
            MoveRule::AtMost(k) => Some(k),
            _ => None,
        }
    }
}

impl Problem {
    /// This problem re-solved from `base` (a published agenda), moves weighed by `rule`:
    /// with [`MoveRule::Cost`], each session placed in another block than `base` gave
    /// it pays that much (`moved_session`); the other rules price moves at 0 and list
    /// them. Sessions and slots `base` names that the problem no longer has are ignored.
    pub fn with_base(mut self, base: &crate::Agenda, rule: MoveRule) -> Problem {
        let (schedule, _) = crate::cost::Schedule::from_agenda(&self, base);
        self.base = (0..self.sessions.len())
            .map(|s| schedule.get(s).map(|pl| pl.slot))
            .collect();
        self.base_room = (0..self.sessions.len())
            .map(|s| schedule.get(s).map(|pl| pl.room))
            .collect();
        let move_cost = match rule {
            MoveRule::Cost(c) => c,
            MoveRule::AtMost(_) | MoveRule::CostThenMoves => 0,
        };
        self.penalties.set(crate::CostKind::MovedSession, move_cost);
        self.move_rule = rule;
        self
    }

    /// Whether session `s` placed in `slot` is a move from the base agenda: the base
    /// placed it, and `slot` is another block (leaving it out is not a move).
    pub fn is_move(&self, s: SessionIdx, slot: Option<SlotIdx>) -> bool {
        match (self.base.get(s).copied().flatten(), slot) {
            (Some(from), Some(to)) => from != to,
            _ => false,
        }
    }

    /// Whether this is a re-solve from a base agenda that placed some session (a
    /// what-if, or `solve --base`).
    pub fn has_base(&self) -> bool {
        self.base.iter().any(Option::is_some)
    }

    /// How many sessions `slot_of` (a block per session) moves from the base agenda.
    pub fn moves(&self, slot_of: &[Option<SlotIdx>]) -> usize {
        slot_of
            .iter()
            .enumerate()
            .filter(|&(s, &b)| self.is_move(s, b))
            .count()
    }

    /// Whether slots `a` and `b` overlap in time.
    pub fn slots_overlap(&self, a: SlotIdx, b: SlotIdx) -> bool {
        self.slot_overlap[a][b]
    }

    pub(crate) fn group_index(&self, acronym: &str) -> Option<GroupIdx> {
        self.groups.iter().position(|g| g.acronym == acronym)
    }

    pub(crate) fn slot_index(&self, id: &str) -> Option<SlotIdx> {
        self.slots.iter().position(|s| s.id == id)
    }

    pub(crate) fn room_index(&self, id: &str) -> Option<RoomIdx> {
        self.rooms.iter().position(|r| r.id == id)
    }

    /// The session `number` of `group`'s request.
    pub fn session_index(&self, group: &str, number: u32) -> Option<SessionIdx> {
        let g = self.group_index(group)?;
        let r = self.groups[g].request?;
        self.requests[r]
            .sessions
            .iter()
            .copied()
            .find(|&s| self.sessions[s].number == number)
    }

    /// `grow` or `grow#2`: how reports name a session.
    pub fn session_label(&self, s: SessionIdx) -> String {
        let session = &self.sessions[s];
        let acronym = &self.groups[session.group].acronym;
        let total = self.requests[session.request].sessions.len();
        if total > 1 {
            format!("{acronym}#{}", session.number)
        } else {
            acronym.clone()
        }
    }

    /// The acronym of group `g`.
    pub fn acronym(&self, g: GroupIdx) -> &str {
        &self.groups[g].acronym
    }

    pub(crate) fn person_label(&self, p: PersonIdx) -> String {
        match &self.people[p] {
            (id, Some(name)) => format!("{name} ({id})"),
            (id, None) => id.clone(),
        }
    }

    /// Sessions that may be placed (everything but unapproved third sessions).
    pub fn schedulable_sessions(&self) -> impl Iterator<Item = SessionIdx> + '_ {
        (0..self.sessions.len()).filter(|&s| self.sessions[s].schedulable)
    }

    /// The session's end when placed in `slot`: trimmed to the slot's end.
    pub fn session_end(&self, s: SessionIdx, slot: SlotIdx) -> DateTime<Tz> {
        let info = &self.slots[slot];
        let minutes = self.sessions[s].minutes.min(info.minutes);
        info.start + chrono::Duration::minutes(i64::from(minutes))
    }

    /// Seats of the largest room (None when some room is unlimited or there are none).
    pub fn largest_capacity(&self) -> Option<u32> {
        let mut best = Some(0);
        for room in &self.rooms {
            match (best, room.capacity) {
                (Some(b), Some(c)) => best = Some(b.max(c)),
                _ => return None,
            }
        }
        best
    }
}
