//! What an agenda costing at most a target can contain: optimality-based restrictions.
//!
//! Every cost term is non-negative, and each session pays at least its cheapest option
//! (its cheapest slot, or being left out): the *floor*. So an agenda of cost at most
//! `target` cannot contain a term of weight (above its own floor) larger than
//! `target - floor`. With an incumbent of cost U and target U - 1 these terms can be
//! forbidden outright: the restricted model keeps every agenda better than U, so its
//! optimum is the true optimum when it is below U, and when it is infeasible U is
//! optimal. On IETF 106 (floor 200,000: detnet and teas are always trimmed) an incumbent
//! below 300,000 turns every 100,000 penalty (chair and key-participant conflicts,
//! BoF rules, room sizes, trims, order) and every time range into a hard rule, which the
//! LP sees as packing rows instead of weak penalty rows.
//!
//! A proven bound of a *core* relaxation ([`CoreBound`]: every session placed under the
//! same hard rules, priced only by its slot and by the terms among the core's members)
//! makes the limit far smaller for the terms the core leaves out: such a term comes on
//! top of the core's bound, so all of them together may weigh at most `target - core
//! bound`. On IETF 106 (core 250,000) an agenda of 251,000 leaves 1,000 for every pair,
//! sequence and adjacency term that touches a session outside the core.

use super::timing::TimeModel;
use crate::problem::{SessionIdx, SlotIdx};

/// A proven lower bound of the unary terms of every session plus the terms among
/// `members` (the core relaxation's), valid for every agenda whose whole cost is at
/// most `valid_to`.
#[derive(Debug, Clone)]
pub struct CoreBound {
    pub members: Vec<bool>,
    /// Priced pairs lighter than this were left out of the core (0: none was).
    pub min_pair_weight: u64,
    pub bound: u64,
    pub valid_to: u64,
}

/// The limits that every agenda of cost at most `target` obeys.
#[derive(Debug, Clone)]
pub struct Budget {
    pub target: u64,
    /// Per session: the cheapest of its options (slots it may take, or left out),
    /// plus `too_small_room` when it is fixed to a room too small for it.
    floor_of: Vec<u64>,
    /// Per session: the cheapest unary cost of its options, the base of its excess.
    base_of: Vec<u64>,
    floor: u64,
    core: Option<CoreBound>,
}

impl Budget {
    /// `allowed` lists the slots each session may take in any agenda (its fixed slot
    /// when fixed, otherwise every slot with an open room).
    pub fn new(
        model: &TimeModel,
        allowed: &[Vec<SlotIdx>],
        target: u64,
        core: Option<CoreBound>,
    ) -> Budget {
        let p = model.problem;
        let t = model.tables;
        let mut floor_of = vec![0; p.sessions.len()];
        let mut base_of = vec![0; p.sessions.len()];
        for s in p.schedulable_sessions() {
            let cheapest_slot = allowed[s].iter().map(|&b| t.unary[s][b]).min();
            let base = cheapest_slot.map_or(t.unscheduled, |c| c.min(t.unscheduled));
            base_of[s] = base;
            let room = model.fixed_room[s].map_or(0, |r| {
                let small = p.rooms[r]
                    .capacity
                    .is_some_and(|c| c < p.sessions[s].attendees);
                if small {
                    t.too_small
                } else {
                    0
                }
            });
            floor_of[s] = base + room;
        }
        let floor = floor_of.iter().sum();
        // A core bound proven for a larger target holds for this one; one proven only
        // for agendas cheaper than this target does not.
        let core = core.filter(|c| target <= c.valid_to);
        Budget {
            target,
            floor_of,
            base_of,
            floor,
            core,
        }
    }

    /// The sum of the sessions' floors: no agenda costs less.
    pub fn floor(&self) -> u64 {
        self.floor
    }

    /// The unary cost `s` pays at least (the base its slot costs are measured from).
    pub fn base(&self, s: SessionIdx) -> u64 {
        self.base_of[s]
    }

    /// Whether a term over `sessions` lies outside the core: a term over two or more
    /// sessions (pair, sequence, adjacency) that touches one the core does not price.
    /// Unary terms are never outside: the core prices every session's slot. Always
    /// false without a core bound.
    pub fn is_outside(&self, sessions: &[SessionIdx]) -> bool {
        sessions.len() >= 2
            && self
                .core
                .as_ref()
                .is_some_and(|c| sessions.iter().any(|&s| !c.members[s]))
    }

    /// Whether the priced pair `s`, `u` of weight `w` lies outside the core: it
    /// touches a session the core does not price, or the core left pairs that light
    /// out.
    pub fn pair_is_outside(&self, s: SessionIdx, u: SessionIdx, w: u64) -> bool {
        self.is_outside(&[s, u]) || self.core.as_ref().is_some_and(|c| w < c.min_pair_weight)
    }

    /// The largest weight (above the floor) a term may have: `target - floor` for terms
    /// inside the core, [`Budget::outside_limit`] for the others.
    pub fn limit(&self, sessions: &[SessionIdx]) -> u64 {
        if self.is_outside(sessions) {
            self.outside_limit().unwrap_or(0)
        } else {
            self.inside_limit()
        }
    }

    /// [`Budget::limit`] of a priced pair of weight `w`.
    pub fn pair_limit(&self, s: SessionIdx, u: SessionIdx, w: u64) -> u64 {
        if self.pair_is_outside(s, u, w) {
            self.outside_limit().unwrap_or(0)
        } else {
            self.inside_limit()
        }
    }

    pub fn inside_limit(&self) -> u64 {
        self.target.saturating_sub(self.floor)
    }

    /// What all the terms outside the core may weigh together: `target - core bound`.
    pub fn outside_limit(&self) -> Option<u64> {
        let core = self.core.as_ref()?;
        Some(self.target.saturating_sub(core.bound.max(self.floor)))
    }

    /// The floors of the sessions not in `members`: what they pay at least, on top of
    /// any bound of the terms among the members.
    pub fn floor_outside(&self, members: &[bool]) -> u64 {
        self.floor_of
            .iter()
            .zip(members)
            .filter(|(_, &a)| !a)
            .map(|(f, _)| f)
            .sum()
    }

    /// The most a model of the `active` sessions may cost: the target less the floors
    /// of the sessions it leaves out (whose terms it does not count).
    pub fn cap(&self, active: &[bool]) -> u64 {
        self.target.saturating_sub(self.floor_outside(active))
    }

    /// Whether `s` may take slot `b` at all within the budget.
    pub fn allows_slot(&self, model: &TimeModel, s: SessionIdx, b: SlotIdx) -> bool {
        model.tables.unary[s][b].saturating_sub(self.base_of[s]) <= self.limit(&[s])
    }

    /// Whether `s` may be left out within the budget.
    pub fn allows_out(&self, model: &TimeModel, s: SessionIdx) -> bool {
        model.tables.unscheduled.saturating_sub(self.base_of[s]) <= self.limit(&[s])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenerateOptions};
    use crate::problem::Problem;
    use crate::solve::tables::CostTables;

    #[test]
    fn limits_follow_the_floor_and_the_core() {
        let inst = generate(&GenerateOptions {
            sessions: 30,
            rooms: 4,
            seed: 2,
        })
        .unwrap();
        let p = Problem::from_instance(&inst).unwrap();
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let allowed: Vec<Vec<SlotIdx>> = (0..p.sessions.len())
            .map(|_| (0..p.slots.len()).collect())
            .collect();
        let plain = Budget::new(&model, &allowed, 1_000_000, None);
        let floor = plain.floor();
        assert_eq!(plain.inside_limit(), 1_000_000 - floor);
        assert_eq!(plain.limit(&[0, 1]), 1_000_000 - floor);
        assert!(plain.outside_limit().is_none());

        let mut members = vec![false; p.sessions.len()];
        members[0] = true;
        members[1] = true;
        let core = CoreBound {
            members,
            min_pair_weight: 0,
            bound: floor + 500_000,
            valid_to: 1_000_000,
        };
        let with_core = Budget::new(&model, &allowed, 900_000, Some(core.clone()));
        assert!(!with_core.is_outside(&[0, 1]));
        assert!(with_core.is_outside(&[0, 2]));
        // Unary terms are priced by the core, whatever the session.
        assert!(!with_core.is_outside(&[2]));
        assert_eq!(with_core.limit(&[2]), 900_000 - floor);
        // Outside terms share what the core's bound leaves of the target.
        assert_eq!(with_core.outside_limit(), Some(900_000 - (floor + 500_000)));
        assert_eq!(with_core.limit(&[0, 2]), 400_000);
        // A core bound proven for cheaper agendas only is not used.
        let too_high = Budget::new(&model, &allowed, 1_000_001, Some(core));
        assert!(too_high.outside_limit().is_none());
    }
}
