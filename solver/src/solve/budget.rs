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
use crate::penalties::CostKind;
use crate::problem::{Problem, SessionIdx, SlotIdx};

/// A proven lower bound of the unary terms of every session plus the terms among
/// `members` (the core relaxation's), valid for every agenda whose whole cost is at
/// most `valid_to`. It is the core model's bound (the members' slots and the terms
/// among them) plus [`Budget::floor_outside`] of the members under the same `allowed`
/// slots: what a non-member pays for its slot above its floor is therefore outside
/// the core, like a pair that touches it.
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
    /// Groups whose sessions cannot all take their cheapest slots (they may not
    /// overlap): (sessions, what they pay together beyond their floors). Sessions
    /// disjoint across entries.
    group_extra: Vec<(Vec<SessionIdx>, u64)>,
    /// Per session: whether it is in an entry of `group_extra`.
    has_extra: Vec<bool>,
    /// Per session outside the core: its group's extra when the whole group is
    /// outside (the core bound counted it, so the session may pay it on top).
    extra_on_top: Vec<u64>,
    core: Option<CoreBound>,
    /// The most sessions an agenda within the target moves from the base
    /// ([`Budget::with_cost_floor`]); None when nothing limits them.
    implied_moves: Option<usize>,
}

/// The moves an agenda of cost at most `target` can pay for above `cost_floor` (a proven
/// bound of the cost without its move terms), with a price per move from a base.
fn implied_moves(p: &Problem, target: u64, cost_floor: u64) -> Option<usize> {
    let price = p.penalties.get(CostKind::MovedSession);
    (cost_floor > 0 && price > 0 && p.has_base()).then(|| {
        let moves = target.saturating_sub(cost_floor) / price;
        usize::try_from(moves).unwrap_or(usize::MAX)
    })
}

fn move_cap(p: &Problem, implied: Option<usize>) -> Option<usize> {
    match (p.move_rule.max_moves(), implied) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The most sessions an agenda of cost at most `target` may move from the base
/// ([`Budget::max_moves`] without building the budget).
pub fn max_moves_within(p: &Problem, target: u64, cost_floor: u64) -> Option<usize> {
    move_cap(p, implied_moves(p, target, cost_floor))
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
            let base = cheapest_slot.map_or(t.unscheduled[s], |c| c.min(t.unscheduled[s]));
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
        let group_extra = group_extras(model, allowed, &base_of);
        // A core bound proven for a larger target holds for this one; one proven only
        // for agendas cheaper than this target does not.
        let core = core.filter(|c| target <= c.valid_to);
        let mut has_extra = vec![false; p.sessions.len()];
        let mut extra_on_top = vec![0; p.sessions.len()];
        for (sessions, extra) in &group_extra {
            let outside = core
                .as_ref()
                .is_some_and(|c| sessions.iter().all(|&s| !c.members[s]));
            for &s in sessions {
                has_extra[s] = true;
                extra_on_top[s] = if outside { *extra } else { 0 };
            }
        }
        Budget {
            target,
            floor_of,
            base_of,
            floor,
            group_extra,
            has_extra,
            extra_on_top,
            core,
            implied_moves: None,
        }
    }

    /// Sharpens the budget with `cost_floor`, a proven lower bound of the cost without
    /// its move terms (in a what-if, the unedited meeting's bound): an agenda within the
    /// target pays at most `target - cost_floor` for its moves, so with a price per
    /// move it moves at most that divided by the price. On an edit that needs one move,
    /// a re-solve whose incumbent is the base plus that move may then move nothing.
    pub fn with_cost_floor(mut self, p: &Problem, cost_floor: u64) -> Budget {
        self.implied_moves = implied_moves(p, self.target, cost_floor);
        self
    }

    /// The most sessions an agenda within the target may move from the base: the
    /// rule's cap ([`crate::problem::MoveRule::AtMost`]) or the one the cost floor
    /// implies, whichever is smaller.
    pub fn max_moves(&self, p: &Problem) -> Option<usize> {
        move_cap(p, self.implied_moves)
    }

    /// The sum of the sessions' floors: what the limits are measured from.
    #[cfg(test)]
    pub fn floor(&self) -> u64 {
        self.floor
    }

    /// A lower bound of every agenda: the floors, plus what each group pays because its
    /// sessions may not share their cheapest slot (on the 4x synthetic, a group that
    /// avoids every block but one and has two sessions pays a time range, 1,000,000).
    /// Not a base for the limits: a term's weight above its floor may include the
    /// group's extra, which would be counted twice.
    pub fn bound(&self) -> u64 {
        self.floor + self.group_extra.iter().map(|g| g.1).sum::<u64>()
    }

    /// A counting floor: each (block, room) pair holds one session at most, so when
    /// the schedulable sessions outnumber them, at least the surplus stays out, and
    /// leaving `s` out costs `unscheduled[s] - base(s)` above its base. The floor is
    /// the sum of the bases plus the cheapest surplus of those extras. Overlapping
    /// blocks make the count generous, never wrong. Equal to the bases' sum whenever
    /// every session has a room and a block.
    pub fn counting_floor(&self, model: &TimeModel) -> u64 {
        let p = model.problem;
        let sessions: Vec<SessionIdx> = p.schedulable_sessions().collect();
        let capacity: usize = p.slots.iter().map(|b| b.rooms.len()).sum();
        let surplus = sessions.len().saturating_sub(capacity);
        let mut extra: Vec<u64> = sessions
            .iter()
            .map(|&s| model.tables.unscheduled[s].saturating_sub(self.base_of[s]))
            .collect();
        extra.sort_unstable();
        let bases = sessions
            .iter()
            .fold(0u64, |a, &s| a.saturating_add(self.base_of[s]));
        extra[..surplus]
            .iter()
            .fold(bases, |a, &e| a.saturating_add(e))
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
    /// any bound of the terms among the members. The group extras ([`Budget::bound`])
    /// count only for groups wholly outside: their slot costs are priced by no term
    /// among the members, so the two bounds add up.
    pub fn floor_outside(&self, members: &[bool]) -> u64 {
        let floors: u64 = self
            .floor_of
            .iter()
            .zip(members)
            .filter(|(_, &a)| !a)
            .map(|(f, _)| f)
            .sum();
        let extras: u64 = self
            .group_extra
            .iter()
            .filter(|(sessions, _)| sessions.iter().all(|&s| !members[s]))
            .map(|g| g.1)
            .sum();
        floors + extras
    }

    /// What sessions pay at least for sharing an AD, by pigeonhole, in pairs a core
    /// relaxation of `members` that prices their pairs from `min_pair_weight` up
    /// leaves unpriced: sessions whose groups have the same first AD pay for every
    /// two of them in one slot (at least the lightest weight among their pairs), and
    /// `k` of them in `q` slots put at least `k mod q` slots at `k / q + 1` sessions
    /// and the rest at `k / q`. Per AD it counts the non-members, and the members
    /// (in index order) whose pairs with the members counted are unpriced, unless
    /// that lowers its floor (a member's slots may widen `q`): the core prices only
    /// pairs among members, so the two bounds add up (on the 4x synthetic, whose cores
    /// leave pairs under 10,000 out, a shared-AD pair weighs 100). Counts only
    /// sessions this budget must place (leaving one out costs far more than it saves
    /// here), in the slots it leaves them. Pairs of different ADs are not counted.
    /// Sessions of one group never share a slot.
    pub fn shared_ad_floor(
        &self,
        model: &TimeModel,
        allowed: &[Vec<SlotIdx>],
        members: &[bool],
        min_pair_weight: u64,
    ) -> u64 {
        let p = model.problem;
        let mut classes: std::collections::BTreeMap<usize, Vec<SessionIdx>> = Default::default();
        for s in p.schedulable_sessions() {
            if self.allows_out(model, s) {
                continue;
            }
            if let Some(&ad) = p.groups[p.sessions[s].group].ads.first() {
                classes.entry(ad).or_default().push(s);
            }
        }
        // A pair the core prices: two members of one slot, heavy enough.
        let priced = |s: SessionIdx, u: SessionIdx| {
            !shares_group(p, s, u) && model.tables.pair_weight(s, u) >= min_pair_weight
        };
        let mut floor = 0;
        for sessions in classes.values() {
            let mut counted: Vec<SessionIdx> =
                sessions.iter().copied().filter(|&s| !members[s]).collect();
            let outside = self.pigeonhole(model, allowed, &counted);
            for &m in sessions.iter().filter(|&&s| members[s]) {
                if !counted.iter().any(|&u| members[u] && priced(m, u)) {
                    counted.push(m);
                }
            }
            // The members' slots may widen `q`: then the non-members alone count.
            let class_floor = outside.max(self.pigeonhole(model, allowed, &counted));
            floor += class_floor;
        }
        floor
    }

    /// What the pairs among `sessions` (of one AD) weigh at least when they share
    /// slots by pigeonhole, in the slots this budget leaves them.
    fn pigeonhole(
        &self,
        model: &TimeModel,
        allowed: &[Vec<SlotIdx>],
        sessions: &[SessionIdx],
    ) -> u64 {
        let p = model.problem;
        let k = sessions.len() as u64;
        let mut slots: Vec<SlotIdx> = sessions
            .iter()
            .flat_map(|&s| {
                allowed[s]
                    .iter()
                    .copied()
                    .filter(move |&b| self.allows_slot(model, s, b))
            })
            .collect();
        slots.sort_unstable();
        slots.dedup();
        let q = slots.len() as u64;
        if k < 2 || q == 0 || k <= q {
            return 0;
        }
        let lightest = sessions
            .iter()
            .enumerate()
            .flat_map(|(i, &s)| sessions[i + 1..].iter().map(move |&u| (s, u)))
            .filter(|&(s, u)| !shares_group(p, s, u))
            .map(|(s, u)| model.tables.pair_weight(s, u))
            .min()
            .unwrap_or(0);
        let (per, more) = (k / q, k % q);
        let pairs = more * (per + 1) * per / 2 + (q - more) * per * per.saturating_sub(1) / 2;
        lightest * pairs
    }

    /// The most a model of the `active` sessions may cost: the target less the floors
    /// of the sessions it leaves out (whose terms it does not count).
    pub fn cap(&self, active: &[bool]) -> u64 {
        self.target.saturating_sub(self.floor_outside(active))
    }

    /// The most `s` may pay for its slot above its base. A core member's slot is
    /// priced by the core: `target - floor`. A non-member's is not (the core bound
    /// counts only its floor), so what it pays above the floor shares
    /// [`Budget::outside_limit`] with the pairs outside the core; when its whole group
    /// is outside and has an extra, the core bound counted that extra too, and the
    /// session may pay it on top.
    pub fn unary_limit(&self, s: SessionIdx) -> u64 {
        match (&self.core, self.outside_limit()) {
            (Some(core), Some(outside)) if !core.members[s] => outside + self.extra_on_top[s],
            _ => self.inside_limit(),
        }
    }

    /// Whether what `s` pays for its slot above its base counts against
    /// [`Budget::outside_limit`] with the other outside terms (a non-member of the
    /// core whose group has no extra; one with an extra may pay that on top, which a
    /// shared row cannot say).
    pub fn unary_is_outside(&self, s: SessionIdx) -> bool {
        self.core.as_ref().is_some_and(|c| !c.members[s]) && !self.has_extra[s]
    }

    /// Whether `s` may take slot `b` at all within the budget.
    pub fn allows_slot(&self, model: &TimeModel, s: SessionIdx, b: SlotIdx) -> bool {
        model.tables.unary[s][b].saturating_sub(self.base_of[s]) <= self.unary_limit(s)
    }

    /// Whether `s` may be left out within the budget.
    pub fn allows_out(&self, model: &TimeModel, s: SessionIdx) -> bool {
        model.tables.unscheduled[s].saturating_sub(self.base_of[s]) <= self.unary_limit(s)
    }

    /// The sessions outside the core (every session without one) that this budget
    /// leaves at most `max_slots` of their `allowed` slots: a session that avoids most
    /// time ranges may take only the few blocks it does not avoid once what the core
    /// leaves of the budget is less than a time range.
    pub fn few_slot_sessions(
        &self,
        model: &TimeModel,
        allowed: &[Vec<SlotIdx>],
        max_slots: usize,
    ) -> Vec<bool> {
        let p = model.problem;
        let mut few = vec![false; p.sessions.len()];
        for s in p.schedulable_sessions() {
            if self.core.as_ref().is_some_and(|c| c.members[s]) {
                continue;
            }
            let slots = allowed[s]
                .iter()
                .filter(|&&b| self.allows_slot(model, s, b))
                .count();
            few[s] = slots <= max_slots;
        }
        few
    }
}

/// Whether two sessions share a group (a joint session's groups count): they never
/// meet at once.
fn shares_group(p: &Problem, s: SessionIdx, u: SessionIdx) -> bool {
    p.sessions[s]
        .members
        .iter()
        .any(|g| p.sessions[u].members.contains(g))
}

/// Per group of at most [`MAX_GROUP_SESSIONS`] sessions (disjoint from the groups
/// before it): the least its sessions' slot costs add up to when no two overlap (or a
/// session is left out), less the sum of their own cheapest costs, when positive.
fn group_extras(
    model: &TimeModel,
    allowed: &[Vec<SlotIdx>],
    base_of: &[u64],
) -> Vec<(Vec<SessionIdx>, u64)> {
    let p = model.problem;
    let mut used = vec![false; p.sessions.len()];
    let mut found = Vec::new();
    for sessions in &p.group_sessions {
        let sessions: Vec<SessionIdx> = sessions
            .iter()
            .copied()
            .filter(|&s| p.sessions[s].schedulable)
            .collect();
        if sessions.len() < 2
            || sessions.len() > MAX_GROUP_SESSIONS
            || sessions.iter().any(|&s| used[s])
        {
            continue;
        }
        // Depth-first over the sessions' options; `None` is "left out".
        fn best(
            k: usize,
            sessions: &[SessionIdx],
            chosen: &mut Vec<SlotIdx>,
            model: &TimeModel,
            allowed: &[Vec<SlotIdx>],
        ) -> u64 {
            let Some(&s) = sessions.get(k) else { return 0 };
            let t = model.tables;
            let mut least = t.unscheduled[s] + best(k + 1, sessions, chosen, model, allowed);
            for &b in &allowed[s] {
                let free = chosen.iter().all(|&c| !model.problem.slots_overlap(b, c));
                if !free || t.unary[s][b] >= least {
                    continue;
                }
                chosen.push(b);
                least = least.min(t.unary[s][b] + best(k + 1, sessions, chosen, model, allowed));
                chosen.pop();
            }
            least
        }
        let together = best(0, &sessions, &mut Vec::new(), model, allowed);
        let alone: u64 = sessions.iter().map(|&s| base_of[s]).sum();
        if together > alone {
            for &s in &sessions {
                used[s] = true;
            }
            found.push((sessions, together - alone));
        }
    }
    found
}

/// Larger groups (rare) are left out of [`group_extras`]: the search is exponential.
const MAX_GROUP_SESSIONS: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::tables::CostTables;

    /// Group a avoids every block but mon-1000 and has two sessions, which may not
    /// overlap: one of them pays a time range (the group's extra). Group b avoids the
    /// same with one session, which pays nothing.
    fn two_groups_avoiding_all_but_one_block() -> crate::problem::Problem {
        use crate::cost::testing::{problem, request, wgs};
        use serde_json::json;
        let avoid = json!([
            "monday-afternoon-early",
            "monday-afternoon-late",
            "wednesday-morning"
        ]);
        problem(
            wgs(&["a", "b"]),
            json!([
                request(
                    "a",
                    json!({"sessions": [{"minutes": 60}, {"minutes": 60}], "avoid_timeranges": avoid})
                ),
                request("b", json!({"avoid_timeranges": avoid}))
            ]),
        )
    }

    /// A core bound whose only member is `member`.
    fn core_of(p: &crate::problem::Problem, member: SessionIdx, bound: u64) -> CoreBound {
        let mut members = vec![false; p.sessions.len()];
        members[member] = true;
        CoreBound {
            members,
            min_pair_weight: 0,
            bound,
            valid_to: 2_000_000,
        }
    }

    fn everywhere(p: &crate::problem::Problem) -> Vec<Vec<SlotIdx>> {
        (0..p.sessions.len())
            .map(|_| (0..p.slots.len()).collect())
            .collect()
    }

    /// A floor of the cost without moves leaves a target's slack for moves: at
    /// 10,000 a move, 25,000 above a 10,000 floor pays for one. The rule's own cap
    /// wins when smaller; with no base, no price or no floor nothing is implied.
    #[test]
    fn a_cost_floor_limits_the_moves_within_the_target() {
        use crate::problem::MoveRule;
        let mut p = two_groups_avoiding_all_but_one_block();
        p.base = vec![Some(0); p.sessions.len()];
        p.penalties.set(CostKind::MovedSession, 10_000);
        p.move_rule = MoveRule::Cost(10_000);
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let allowed = everywhere(&p);
        let budget = |target: u64, floor: u64| {
            Budget::new(&model, &allowed, target, None).with_cost_floor(&p, floor)
        };
        assert_eq!(budget(25_000, 10_000).max_moves(&p), Some(1));
        assert_eq!(budget(29_999, 10_000).max_moves(&p), Some(1));
        assert_eq!(budget(30_000, 10_000).max_moves(&p), Some(2));
        assert_eq!(budget(19_999, 10_000).max_moves(&p), Some(0));
        assert_eq!(budget(5_000, 10_000).max_moves(&p), Some(0));
        assert_eq!(budget(25_000, 0).max_moves(&p), None);
        // The early probe's test of the cap, without a budget, says the same.
        for (target, floor) in [
            (25_000, 10_000),
            (19_999, 10_000),
            (30_000, 10_000),
            (25_000, 0),
        ] {
            assert_eq!(
                max_moves_within(&p, target, floor),
                budget(target, floor).max_moves(&p)
            );
        }
        let mut capped = p.clone();
        capped.move_rule = MoveRule::AtMost(3);
        let tables = CostTables::build(&capped);
        let model = TimeModel::new(&capped, &tables);
        let b = Budget::new(&model, &allowed, 25_000, None).with_cost_floor(&capped, 10_000);
        assert_eq!(b.max_moves(&capped), Some(1));
        let b = Budget::new(&model, &allowed, 90_000, None).with_cost_floor(&capped, 10_000);
        assert_eq!(b.max_moves(&capped), Some(3));
        assert_eq!(max_moves_within(&capped, 90_000, 10_000), Some(3));
        assert_eq!(max_moves_within(&capped, 90_000, 0), Some(3));
        let mut unbased = p.clone();
        unbased.base = vec![None; p.sessions.len()];
        let b = Budget::new(&model, &allowed, 25_000, None).with_cost_floor(&unbased, 10_000);
        assert_eq!(b.max_moves(&unbased), None);
    }

    #[test]
    fn a_group_that_cannot_take_its_cheapest_slot_twice_raises_the_bound() {
        let p = two_groups_avoiding_all_but_one_block();
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let allowed = everywhere(&p);
        let budget = Budget::new(&model, &allowed, 5_000_000, None);
        assert_eq!(budget.floor(), 0);
        assert_eq!(budget.bound(), 1_000_000);
        // The extra counts outside a core only when the whole group is outside it.
        let a1 = p.session_index("a", 1).unwrap();
        let none = vec![false; p.sessions.len()];
        let mut with_a1 = none.clone();
        with_a1[a1] = true;
        assert_eq!(budget.floor_outside(&none), 1_000_000);
        assert_eq!(budget.floor_outside(&with_a1), 0);
        // The limits stay measured from the floor alone: the time range is allowed.
        let a2 = p.session_index("a", 2).unwrap();
        let mon_1330 = p.slot_index("mon-1330").unwrap();
        assert!(budget.allows_slot(&model, a2, mon_1330));
    }

    #[test]
    fn a_non_member_pays_its_slot_out_of_what_the_core_leaves() {
        let p = two_groups_avoiding_all_but_one_block();
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let allowed = everywhere(&p);
        let (a1, a2) = (
            p.session_index("a", 1).unwrap(),
            p.session_index("a", 2).unwrap(),
        );
        let b = p.session_index("b", 1).unwrap();
        let mon_1330 = p.slot_index("mon-1330").unwrap();
        let core = |member: SessionIdx| Some(core_of(&p, member, 1_200_000));
        // Core {a1}: its bound counted a2's and b's floors only, so a time range
        // (1,000,000) does not fit in the 300,000 the target leaves above it.
        let budget = Budget::new(&model, &allowed, 1_500_000, core(a1));
        assert_eq!(budget.outside_limit(), Some(300_000));
        assert_eq!(budget.unary_limit(a1), 1_500_000);
        assert_eq!(budget.unary_limit(a2), 300_000);
        assert_eq!(budget.unary_limit(b), 300_000);
        assert!(!budget.allows_slot(&model, b, mon_1330));
        assert!(!budget.allows_slot(&model, a2, mon_1330));
        assert!(budget.unary_is_outside(b));
        assert!(!budget.unary_is_outside(a2));
        // Core {b}: group a is wholly outside, and the core's bound counted its extra,
        // so one of its sessions may still pay the time range.
        let budget = Budget::new(&model, &allowed, 1_500_000, core(b));
        assert_eq!(budget.unary_limit(a2), 1_300_000);
        assert!(budget.allows_slot(&model, a2, mon_1330));
        assert!(!budget.allows_out(&model, a2));
        // Without a core, every session's slot is priced against the floor.
        let plain = Budget::new(&model, &allowed, 1_500_000, None);
        assert_eq!(plain.unary_limit(b), 1_500_000);
        assert!(!plain.unary_is_outside(b));
    }

    #[test]
    fn sessions_left_few_slots_are_the_non_members_a_time_range_no_longer_fits() {
        let p = two_groups_avoiding_all_but_one_block();
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let allowed = everywhere(&p);
        let (a1, a2, b) = (
            p.session_index("a", 1).unwrap(),
            p.session_index("a", 2).unwrap(),
            p.session_index("b", 1).unwrap(),
        );
        let mon_1330 = p.slot_index("mon-1330").unwrap();
        let open = (0..p.slots.len())
            .filter(|&k| tables.unary[b][k] == 0)
            .count();
        assert!(open < p.slots.len());
        // 400,000 left outside the core: b and a2 keep only the blocks they do not
        // avoid. So would a1 (a time range is over the whole target), but it is a
        // member: the core's to place.
        let tight = Budget::new(&model, &allowed, 900_000, Some(core_of(&p, a1, 500_000)));
        assert_eq!(tight.outside_limit(), Some(400_000));
        assert!(!tight.allows_slot(&model, a1, mon_1330));
        let few = tight.few_slot_sessions(&model, &allowed, open);
        assert!(few[b] && few[a2] && !few[a1]);
        assert_eq!(few.iter().filter(|&&f| f).count(), 2);
        assert!(!tight.few_slot_sessions(&model, &allowed, open - 1)[b]);
        // Without a core, the whole target is left: a time range fits, no one is
        // down to few slots.
        let plain = Budget::new(&model, &allowed, 1_500_000, None);
        assert!(!plain
            .few_slot_sessions(&model, &allowed, open)
            .contains(&true));
    }

    #[test]
    fn sessions_sharing_an_ad_pay_their_pigeonhole() {
        use crate::cost::testing::{place, problem, request};
        use serde_json::json;
        // Seven one-session groups of AD ad1 in four blocks: at least three pairs
        // share a block (2 + 2 + 2 + 1), 300. The eighth group has AD ad2 alone.
        let names = ["g1", "g2", "g3", "g4", "g5", "g6", "g7", "z"];
        let groups: Vec<serde_json::Value> = names
            .iter()
            .map(|&g| {
                let ad = if g == "z" { "ad2" } else { "ad1" };
                json!({"acronym": g, "area": "rtg", "type": "wg", "state": "active", "ads": [ad]})
            })
            .collect();
        let requests: Vec<serde_json::Value> =
            names.iter().map(|&g| request(g, json!({}))).collect();
        let p = problem(json!(groups), json!(requests));
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let allowed = everywhere(&p);
        let budget = Budget::new(&model, &allowed, 5_000_000, None);
        let none = vec![false; p.sessions.len()];
        assert_eq!(budget.shared_ad_floor(&model, &allowed, &none, 0), 300);
        // The floor is met: two per block in three blocks, one in the fourth.
        let agenda = place(
            &p,
            &[
                ("g1", 1, "mon-1000", "big"),
                ("g2", 1, "mon-1000", "mid"),
                ("g3", 1, "mon-1330", "big"),
                ("g4", 1, "mon-1330", "mid"),
                ("g5", 1, "mon-1530", "big"),
                ("g6", 1, "mon-1530", "mid"),
                ("g7", 1, "wed-1000", "big"),
                ("z", 1, "wed-1000", "mid"),
            ],
        );
        assert_eq!(crate::cost::evaluate(&p, &agenda).cost, 300);
        // A core prices the pairs among its members, not those with the others: one
        // member still counts (seven in four blocks, 300); of two members whose pair
        // it prices, only one does (six in four blocks, 200).
        let mut with_g1 = none.clone();
        with_g1[p.session_index("g1", 1).unwrap()] = true;
        assert_eq!(budget.shared_ad_floor(&model, &allowed, &with_g1, 0), 300);
        let mut with_g1_g2 = with_g1.clone();
        with_g1_g2[p.session_index("g2", 1).unwrap()] = true;
        assert_eq!(
            budget.shared_ad_floor(&model, &allowed, &with_g1_g2, 0),
            200
        );
        // A core that leaves pairs under 1,000 out prices neither: both count.
        assert_eq!(
            budget.shared_ad_floor(&model, &allowed, &with_g1_g2, 1_000),
            300
        );
        // Sessions the budget may leave out are not counted.
        let loose = Budget::new(&model, &allowed, 20_000_000, None);
        assert_eq!(loose.shared_ad_floor(&model, &allowed, &none, 0), 0);
    }

    #[test]
    fn limits_follow_the_floor_and_the_core() {
        let p = crate::solve::testing::generated(30, 4, 2);
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let allowed = everywhere(&p);
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
        // A lone session is never an outside term; its slot is limited apart
        // (`unary_limit`).
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
