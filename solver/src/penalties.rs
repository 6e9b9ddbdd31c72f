//! The priced rules of FORMAT.md section 3 and their default weights.

use std::fmt;

/// One kind of soft rule. The order is the order of the FORMAT.md table, which is also
/// the order of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CostKind {
    /// `unscheduled`: a schedulable session left out.
    Unscheduled,
    /// `timerange`: a session in a time range its group avoids.
    Timerange,
    /// `chair_conflict`: a session overlapping one of a group its chairs also chair.
    ChairConflict,
    /// `key_participant`: a session overlapping one of a group that shares key
    /// participants.
    KeyParticipant,
    /// `tech_overlap`: a session overlapping one of a group with overlapping technology.
    TechOverlap,
    /// `must_attend`: two sessions that a must-attend person both needs overlap.
    MustAttend,
    /// `too_small_room`: a session in a room with fewer seats than its attendees.
    TooSmallRoom,
    /// `too_short_slot`: a session cut short by a shorter slot, per started 30 minutes.
    TooShortSlot,
    /// `bof_overlapping_bof`: two BoF sessions overlap.
    BofOverlappingBof,
    /// `bof_overlapping_prg`: a BoF overlaps a proposed research group.
    BofOverlappingPrg,
    /// `bof_overlapping_area_wg`: a BoF overlaps a working group of its own area.
    BofOverlappingAreaWg,
    /// `bof_overlapping_area_meeting`: a BoF overlaps an area meeting.
    BofOverlappingAreaMeeting,
    /// `area_meeting_overlapping_in_area`: an area meeting overlaps a group of its area.
    AreaMeetingOverlappingInArea,
    /// `area_meeting_overlapping_other_area`: two area meetings overlap.
    AreaMeetingOverlappingOtherArea,
    /// `sessions_out_of_order`: session k+1 of a group starts before session k.
    SessionsOutOfOrder,
    /// `time_relation`: a request's time relation does not hold.
    TimeRelation,
    /// `wg_adjacent`: a request's adjacency does not hold.
    WgAdjacent,
    /// `same_ad`: sessions of groups with a shared area director overlap.
    SameAd,
    /// Not a FORMAT.md kind: a session placed in another block than the base agenda's
    /// (a minimal-change re-solve, `agenda solve --base`). Weight 0 unless asked for.
    MovedSession,
}

impl CostKind {
    /// Every kind, in the FORMAT.md table's order.
    pub const ALL: [CostKind; 19] = [
        CostKind::Unscheduled,
        CostKind::Timerange,
        CostKind::ChairConflict,
        CostKind::KeyParticipant,
        CostKind::TechOverlap,
        CostKind::MustAttend,
        CostKind::TooSmallRoom,
        CostKind::TooShortSlot,
        CostKind::BofOverlappingBof,
        CostKind::BofOverlappingPrg,
        CostKind::BofOverlappingAreaWg,
        CostKind::BofOverlappingAreaMeeting,
        CostKind::AreaMeetingOverlappingInArea,
        CostKind::AreaMeetingOverlappingOtherArea,
        CostKind::SessionsOutOfOrder,
        CostKind::TimeRelation,
        CostKind::WgAdjacent,
        CostKind::SameAd,
        CostKind::MovedSession,
    ];

    /// The penalty key used in JSON (`penalties`, `violations[].kind`).
    pub fn key(self) -> &'static str {
        match self {
            CostKind::Unscheduled => "unscheduled",
            CostKind::Timerange => "timerange",
            CostKind::ChairConflict => "chair_conflict",
            CostKind::KeyParticipant => "key_participant",
            CostKind::TechOverlap => "tech_overlap",
            CostKind::MustAttend => "must_attend",
            CostKind::TooSmallRoom => "too_small_room",
            CostKind::TooShortSlot => "too_short_slot",
            CostKind::BofOverlappingBof => "bof_overlapping_bof",
            CostKind::BofOverlappingPrg => "bof_overlapping_prg",
            CostKind::BofOverlappingAreaWg => "bof_overlapping_area_wg",
            CostKind::BofOverlappingAreaMeeting => "bof_overlapping_area_meeting",
            CostKind::AreaMeetingOverlappingInArea => "area_meeting_overlapping_in_area",
            CostKind::AreaMeetingOverlappingOtherArea => "area_meeting_overlapping_other_area",
            CostKind::SessionsOutOfOrder => "sessions_out_of_order",
            CostKind::TimeRelation => "time_relation",
            CostKind::WgAdjacent => "wg_adjacent",
            CostKind::SameAd => "same_ad",
            CostKind::MovedSession => "moved_session",
        }
    }

    /// The kind of a penalty key (`tech_overlap`), or `None` for an unknown key.
    pub fn from_key(key: &str) -> Option<CostKind> {
        CostKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The datatracker's own weight (FORMAT.md section 3).
    pub fn default_penalty(self) -> u64 {
        match self {
            CostKind::Unscheduled => 10_000_000,
            CostKind::Timerange => 1_000_000,
            CostKind::ChairConflict
            | CostKind::KeyParticipant
            | CostKind::TooSmallRoom
            | CostKind::TooShortSlot
            | CostKind::BofOverlappingBof
            | CostKind::BofOverlappingPrg
            | CostKind::BofOverlappingAreaWg
            | CostKind::AreaMeetingOverlappingOtherArea
            | CostKind::SessionsOutOfOrder => 100_000,
            CostKind::TechOverlap
            | CostKind::MustAttend
            | CostKind::BofOverlappingAreaMeeting
            | CostKind::AreaMeetingOverlappingInArea => 10_000,
            CostKind::TimeRelation | CostKind::WgAdjacent => 1_000,
            CostKind::SameAd => 100,
            CostKind::MovedSession => 0,
        }
    }

    /// What one unit of this kind is, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            CostKind::Unscheduled => "schedulable session left out",
            CostKind::Timerange => "session in a time range its group avoids",
            CostKind::ChairConflict => "chair conflict overlap",
            CostKind::KeyParticipant => "key participant conflict overlap",
            CostKind::TechOverlap => "technology overlap",
            CostKind::MustAttend => "must-attend person in two places",
            CostKind::TooSmallRoom => "room too small",
            CostKind::TooShortSlot => "30 minutes cut from a session",
            CostKind::BofOverlappingBof => "BoF overlapping a BoF",
            CostKind::BofOverlappingPrg => "BoF overlapping a proposed RG",
            CostKind::BofOverlappingAreaWg => "BoF overlapping a WG of its area",
            CostKind::BofOverlappingAreaMeeting => "BoF overlapping an area meeting",
            CostKind::AreaMeetingOverlappingInArea => "area meeting overlapping its own area",
            CostKind::AreaMeetingOverlappingOtherArea => "area meetings overlapping",
            CostKind::SessionsOutOfOrder => "sessions out of order",
            CostKind::TimeRelation => "time relation broken",
            CostKind::WgAdjacent => "adjacency not kept",
            CostKind::SameAd => "groups of one AD overlapping",
            CostKind::MovedSession => "session moved from its block in the base agenda",
        }
    }
}

impl fmt::Display for CostKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The weight of each kind for one instance: defaults overridden by `penalties`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Penalties {
    weights: [u64; 19],
}

impl Default for Penalties {
    fn default() -> Self {
        Penalties {
            weights: CostKind::ALL.map(CostKind::default_penalty),
        }
    }
}

impl Penalties {
    /// The weight of `kind`.
    pub fn get(&self, kind: CostKind) -> u64 {
        self.weights[kind as usize]
    }

    /// Sets the weight of `kind`.
    pub fn set(&mut self, kind: CostKind, weight: u64) {
        self.weights[kind as usize] = weight;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_index_in_order() {
        for (i, kind) in CostKind::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, i);
            assert_eq!(CostKind::from_key(kind.key()), Some(kind));
        }
        assert_eq!(CostKind::from_key("tech-overlap"), None);
    }

    #[test]
    fn overrides_replace_only_their_kind() {
        let mut p = Penalties::default();
        p.set(CostKind::TechOverlap, 1);
        assert_eq!(p.get(CostKind::TechOverlap), 1);
        assert_eq!(p.get(CostKind::ChairConflict), 100_000);
        assert_eq!(p.get(CostKind::Unscheduled), 10_000_000);
    }
}
