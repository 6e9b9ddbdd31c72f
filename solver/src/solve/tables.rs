//! Cost coefficients for the time-first model, derived from the evaluator itself.
//!
//! Every coefficient is computed by running the evaluator's own kind functions
//! ([`crate::cost::kinds`]) on a schedule that places only the sessions concerned, so the
//! model cannot drift from FORMAT.md as the evaluator implements it. The decomposition:
//!
//! - *unary* kinds depend on one session's slot: `timerange`, `too_short_slot`;
//! - *pair* kinds depend only on two sessions overlapping: the three conflict classes,
//!   `must_attend`, the BoF and area rules, `same_ad`;
//! - *sequence* kinds depend on the slots of two sessions of one request:
//!   `sessions_out_of_order`, `time_relation`;
//! - `wg_adjacent` depends on two slots being adjacent and the rooms being equal;
//! - `too_small_room` depends on the room assignment of a block;
//! - `unscheduled` on a session being left out.
//!
//! `tests::tables_reproduce_the_evaluator` checks on random schedules that these parts
//! add up to the evaluator's cost.

use crate::cost::{kinds, Context, Placement, Schedule};
use crate::penalties::CostKind;
use crate::problem::{Problem, RoomIdx, SessionIdx, SlotIdx};

/// Kinds that depend only on whether two placed sessions overlap.
pub const PAIR_KINDS: [CostKind; 11] = [
    CostKind::ChairConflict,
    CostKind::KeyParticipant,
    CostKind::TechOverlap,
    CostKind::MustAttend,
    CostKind::BofOverlappingBof,
    CostKind::BofOverlappingPrg,
    CostKind::BofOverlappingAreaWg,
    CostKind::BofOverlappingAreaMeeting,
    CostKind::AreaMeetingOverlappingInArea,
    CostKind::AreaMeetingOverlappingOtherArea,
    CostKind::SameAd,
];

/// Kinds that depend only on one session's slot.
pub const UNARY_KINDS: [CostKind; 3] = [
    CostKind::Timerange,
    CostKind::TooShortSlot,
    CostKind::MovedSession,
];

/// Two consecutive sessions of one request whose relative slots are priced.
#[derive(Debug, Clone)]
pub struct Sequence {
    pub first: SessionIdx,
    pub second: SessionIdx,
    /// `cost[a][b]`: first in slot `a`, second in slot `b` (order and time relation).
    pub cost: Vec<Vec<u64>>,
    /// Paid when either session is unplaced (a time relation cannot hold).
    pub unplaced: u64,
}

/// A `wg_adjacent` request: some session of `ours` and some of `theirs` must sit in one
/// room in adjacent slots.
#[derive(Debug, Clone)]
pub struct Adjacency {
    pub ours: Vec<SessionIdx>,
    pub theirs: Vec<SessionIdx>,
    pub penalty: u64,
}

#[derive(Debug, Clone)]
pub struct CostTables {
    /// `unary[s][b]`: placing session `s` in slot `b`.
    pub unary: Vec<Vec<u64>>,
    /// `(s, t, w)` with `s < t`: what `s` and `t` cost when they overlap.
    pub pairs: Vec<(SessionIdx, SessionIdx, u64)>,
    /// For each session, its priced partners and weights.
    pub neighbours: Vec<Vec<(SessionIdx, u64)>>,
    pub sequences: Vec<Sequence>,
    pub adjacencies: Vec<Adjacency>,
    /// `adjacent_slots[a][b]`: one room used in `a` then `b` (or `b` then `a`) satisfies
    /// adjacency.
    pub adjacent_slots: Vec<Vec<bool>>,
    /// Per session: what leaving it out costs (`unscheduled` times its priority).
    pub unscheduled: Vec<u64>,
    pub too_small: u64,
}

fn micro(p: &Problem, placed: &[(SessionIdx, SlotIdx, usize)]) -> Schedule {
    let mut s = Schedule::empty(p);
    for &(session, slot, room) in placed {
        s.placement[session] = Some(Placement { slot, room });
    }
    s
}

fn price(p: &Problem, schedule: &Schedule, kinds_: &[CostKind]) -> u64 {
    let ctx = Context::new(p, schedule);
    kinds_
        .iter()
        .flat_map(|&k| kinds::violations(k, &ctx))
        .map(|v| v.penalty)
        .sum()
}

impl CostTables {
    pub fn build(p: &Problem) -> CostTables {
        let (pairs, neighbours) = pair_costs(p);
        CostTables {
            unary: unary_costs(p),
            pairs,
            neighbours,
            sequences: sequences(p),
            adjacencies: adjacencies(p),
            adjacent_slots: adjacent_slots(p),
            unscheduled: p
                .sessions
                .iter()
                .map(|s| {
                    p.penalties
                        .get(CostKind::Unscheduled)
                        .saturating_mul(s.priority)
                })
                .collect(),
            too_small: p.penalties.get(CostKind::TooSmallRoom),
        }
    }

    /// The weight of the pair `(s, t)` (0 when unpriced).
    pub fn pair_weight(&self, s: SessionIdx, t: SessionIdx) -> u64 {
        self.neighbours[s]
            .iter()
            .find(|&&(x, _)| x == t)
            .map_or(0, |&(_, w)| w)
    }
}

/// Two sessions and what their overlap costs.
type PricedPair = (SessionIdx, SessionIdx, u64);

/// A room of slot `b` (any: the unary and sequence kinds do not look at rooms).
fn any_room(p: &Problem, b: SlotIdx) -> RoomIdx {
    p.slots[b].rooms.first().copied().unwrap_or(0)
}

/// What each session costs alone in each slot (the [`UNARY_KINDS`]).
fn unary_costs(p: &Problem) -> Vec<Vec<u64>> {
    (0..p.sessions.len())
        .map(|s| {
            (0..p.slots.len())
                .map(|b| price(p, &micro(p, &[(s, b, any_room(p, b))]), &UNARY_KINDS))
                .collect()
        })
        .collect()
}

/// What each pair of sessions costs when they overlap (the [`PAIR_KINDS`]), priced with
/// both in the roomiest slot (only the overlap matters), and each session's priced
/// neighbours. Sessions of one group are left out: a hard rule keeps them apart.
fn pair_costs(p: &Problem) -> (Vec<PricedPair>, Vec<Vec<(SessionIdx, u64)>>) {
    let probe = (0..p.slots.len()).max_by_key(|&b| (p.slots[b].rooms.len(), std::cmp::Reverse(b)));
    let mut pairs = Vec::new();
    let mut neighbours = vec![Vec::new(); p.sessions.len()];
    let Some(b) = probe else {
        return (pairs, neighbours);
    };
    let (r1, r2) = (0, 1.min(p.rooms.len().saturating_sub(1)));
    let candidates: Vec<SessionIdx> = p.schedulable_sessions().collect();
    for (i, &s) in candidates.iter().enumerate() {
        for &t in &candidates[i + 1..] {
            let shares_group = p.sessions[s]
                .members
                .iter()
                .any(|g| p.sessions[t].members.contains(g));
            if shares_group {
                continue;
            }
            let w = price(p, &micro(p, &[(s, b, r1), (t, b, r2)]), &PAIR_KINDS);
            if w > 0 {
                pairs.push((s, t, w));
                neighbours[s].push((t, w));
                neighbours[t].push((s, w));
            }
        }
    }
    (pairs, neighbours)
}

/// Per pair of consecutive placeable sessions of a request: the order (and, for the
/// first, time-relation) cost of every two slots they may take.
fn sequences(p: &Problem) -> Vec<Sequence> {
    let m = p.slots.len();
    let mut sequences = Vec::new();
    for req in &p.requests {
        let placeable: Vec<SessionIdx> = req
            .sessions
            .iter()
            .copied()
            .filter(|&s| p.sessions[s].schedulable)
            .collect();
        for w in placeable.windows(2) {
            let (first, second) = (w[0], w[1]);
            let kinds_: &[CostKind] = if p.sessions[first].number == 1 {
                &[CostKind::SessionsOutOfOrder, CostKind::TimeRelation]
            } else {
                &[CostKind::SessionsOutOfOrder]
            };
            let cost = (0..m)
                .map(|a| {
                    (0..m)
                        .map(|b| {
                            let sched = micro(
                                p,
                                &[(first, a, any_room(p, a)), (second, b, any_room(p, b))],
                            );
                            price_request(p, &sched, kinds_, req.group)
                        })
                        .collect()
                })
                .collect();
            let unplaced = if p.sessions[first].number == 1 {
                price_request(p, &micro(p, &[]), &[CostKind::TimeRelation], req.group)
            } else {
                0
            };
            sequences.push(Sequence {
                first,
                second,
                cost,
                unplaced,
            });
        }
    }
    sequences
}

/// The adjacency requests whose other group meets, with both groups' sessions.
fn adjacencies(p: &Problem) -> Vec<Adjacency> {
    let schedulable = |g: usize| -> Vec<SessionIdx> {
        p.group_sessions[g]
            .iter()
            .copied()
            .filter(|&s| p.sessions[s].schedulable)
            .collect()
    };
    p.requests
        .iter()
        .filter_map(|req| {
            let other = req.adjacent_with?;
            (!p.group_sessions[other].is_empty()).then(|| Adjacency {
                ours: schedulable(req.group),
                theirs: schedulable(other),
                penalty: p.penalties.get(CostKind::WgAdjacent),
            })
        })
        .collect()
}

/// Which two distinct slots are back to back in one room's day.
fn adjacent_slots(p: &Problem) -> Vec<Vec<bool>> {
    let m = p.slots.len();
    (0..m)
        .map(|a| {
            (0..m)
                .map(|b| a != b && kinds::adjacent_slots(p, a, b))
                .collect()
        })
        .collect()
}

/// The penalties of `kinds_` that concern `group`'s request.
fn price_request(p: &Problem, schedule: &Schedule, kinds_: &[CostKind], group: usize) -> u64 {
    let ctx = Context::new(p, schedule);
    let acronym = p.acronym(group);
    kinds_
        .iter()
        .flat_map(|&k| kinds::violations(k, &ctx))
        .filter(|v| v.group == acronym)
        .map(|v| v.penalty)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::rooms::assign_rooms;
    use super::super::timing::{TimeModel, TimeState};
    use super::*;
    use crate::cost::evaluate;
    use crate::generate::{generate, GenerateOptions};
    use crate::rng::Rng;

    /// A generated 60-session meeting and its tables.
    fn meeting(seed: u64, without_adjacency: bool) -> (Problem, CostTables) {
        let mut inst = generate(&GenerateOptions {
            sessions: 60,
            rooms: 5,
            seed,
            shape: Default::default(),
        })
        .unwrap();
        if without_adjacency {
            for r in &mut inst.requests {
                r.adjacent_with = None;
            }
        }
        let p = Problem::from_instance(&inst).unwrap();
        let tables = CostTables::build(&p);
        (p, tables)
    }

    /// Random valid time-level schedules of a generated meeting.
    fn random_schedules(p: &Problem, model: &TimeModel, count: usize) -> Vec<Vec<Option<SlotIdx>>> {
        let mut rng = Rng(77);
        (0..count)
            .map(|_| {
                let mut state = TimeState::new(model, vec![None; p.sessions.len()]);
                for s in p.schedulable_sessions() {
                    for _ in 0..10 {
                        let b = rng.below(p.slots.len());
                        if state.fits(s, b, None) {
                            state.apply(&[(s, Some(b))]);
                            break;
                        }
                    }
                }
                state.slot_of
            })
            .collect()
    }

    #[test]
    fn tables_reproduce_the_evaluator() {
        // Without adjacency, rooms matter only through sizes, which the time model
        // counts exactly: the two costs must agree to the unit.
        let (p, tables) = meeting(3, true);
        let model = TimeModel::new(&p, &tables);
        for slot_of in random_schedules(&p, &model, 30) {
            let schedule = assign_rooms(&p, &tables, &slot_of, &[]);
            let e = evaluate(&p, &schedule);
            assert!(e.hard_errors.is_empty(), "{:?}", e.hard_errors);
            assert_eq!(model.cost(&slot_of), e.cost);
        }
    }

    #[test]
    fn with_adjacency_the_time_cost_is_a_lower_bound() {
        let (p, tables) = meeting(4, false);
        assert!(!tables.adjacencies.is_empty());
        let model = TimeModel::new(&p, &tables);
        for slot_of in random_schedules(&p, &model, 30) {
            let e = evaluate(&p, &assign_rooms(&p, &tables, &slot_of, &[]));
            let time_cost = model.cost(&slot_of);
            assert!(time_cost <= e.cost);
            let adjacency: u64 = tables.adjacencies.iter().map(|a| a.penalty).sum();
            assert!(
                e.cost - time_cost <= adjacency,
                "only adjacency rooms may differ"
            );
        }
    }

    #[test]
    fn moves_change_the_cost_by_their_delta() {
        let (p, tables) = meeting(5, false);
        let model = TimeModel::new(&p, &tables);
        let start = random_schedules(&p, &model, 1).remove(0);
        let mut state = TimeState::new(&model, start);
        let mut rng = Rng(9);
        let mut cost = model.cost(&state.slot_of) as i64;
        for _ in 0..500 {
            let s = rng.below(p.sessions.len());
            if !p.sessions[s].schedulable {
                continue;
            }
            let b = rng.below(p.slots.len());
            let to = if rng.chance(0.1) { None } else { Some(b) };
            if to.is_some_and(|b| !state.fits(s, b, None)) {
                continue;
            }
            cost += state.apply(&[(s, to)]);
            assert_eq!(cost, model.cost(&state.slot_of) as i64);
        }
    }
}
