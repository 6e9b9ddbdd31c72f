//! Rooms for a time-level schedule: per block, a minimum-cost assignment (Hungarian
//! method) of the block's sessions to its open rooms. Costs: `too_small_room` when the
//! room is too small, a bonus of `wg_adjacent` for the room of an adjacency partner in
//! an adjacent earlier block, then a tie-break for the tightest fit. Fixed rooms are kept.
//! Blocks go in time order, so partners seated earlier are known; a room already taken
//! in an overlapping block is not offered.

use super::tables::CostTables;
use crate::cost::{Placement, Schedule};
use crate::problem::{Problem, RoomIdx, SessionIdx, SlotIdx};

/// `forced[s]`, when given, is a room chosen for `s` beforehand (by the ILP, for
/// adjacency); it is kept when it is open and free.
pub fn assign_rooms(
    p: &Problem,
    tables: &CostTables,
    slot_of: &[Option<SlotIdx>],
    forced: &[Option<RoomIdx>],
) -> Schedule {
    let mut schedule = Schedule::empty(p);
    let mut order: Vec<SlotIdx> = (0..p.slots.len()).collect();
    order.sort_by_key(|&b| (p.slots[b].start_utc_minute, b));
    let fixed_room = |s: SessionIdx| {
        p.fixed
            .iter()
            .find(|f| f.session == s)
            .and_then(|f| f.room)
            .or_else(|| forced.get(s).copied().flatten())
    };
    for b in order {
        let mut sessions: Vec<SessionIdx> = (0..p.sessions.len())
            .filter(|&s| slot_of[s] == Some(b))
            .collect();
        // Rooms used by sessions already seated in overlapping blocks are busy.
        let busy: Vec<RoomIdx> = schedule
            .placed()
            .filter(|(_, pl)| pl.slot != b && p.slots_overlap(pl.slot, b))
            .map(|(_, pl)| pl.room)
            .collect();
        let mut rooms: Vec<RoomIdx> = p.slots[b]
            .rooms
            .iter()
            .copied()
            .filter(|r| !busy.contains(r))
            .collect();
        sessions.retain(|&s| match fixed_room(s) {
            Some(r) if rooms.contains(&r) => {
                schedule.placement[s] = Some(Placement { slot: b, room: r });
                rooms.retain(|&x| x != r);
                false
            }
            _ => true,
        });
        if sessions.is_empty() || rooms.is_empty() {
            continue;
        }
        // More sessions than rooms cannot happen from the models; if it does, the
        // smallest-attendance extras are left out (and priced as unscheduled).
        sessions.sort_by_key(|&s| (std::cmp::Reverse(p.sessions[s].attendees), s));
        sessions.truncate(rooms.len());
        let cost: Vec<Vec<i64>> = sessions
            .iter()
            .map(|&s| {
                rooms
                    .iter()
                    .map(|&r| room_cost(p, tables, &schedule, s, b, r))
                    .collect()
            })
            .collect();
        for (i, j) in hungarian(&cost).into_iter().enumerate() {
            schedule.placement[sessions[i]] = Some(Placement {
                slot: b,
                room: rooms[j],
            });
        }
    }
    schedule
}

fn room_cost(
    p: &Problem,
    tables: &CostTables,
    seated: &Schedule,
    s: SessionIdx,
    b: SlotIdx,
    r: RoomIdx,
) -> i64 {
    let session = &p.sessions[s];
    let capacity = p.rooms[r].capacity;
    let mut primary: i64 = 0;
    if capacity.is_some_and(|c| c < session.attendees) {
        primary += tables.too_small as i64;
    }
    for a in &tables.adjacencies {
        let partners: &[SessionIdx] = if a.ours.contains(&s) {
            &a.theirs
        } else if a.theirs.contains(&s) {
            &a.ours
        } else {
            continue;
        };
        let partner_here = partners.iter().any(|&t| {
            seated
                .get(t)
                .is_some_and(|pl| pl.room == r && tables.adjacent_slots[pl.slot][b])
        });
        if partner_here {
            primary -= a.penalty as i64;
        }
    }
    let wants: usize = p.requests[session.request]
        .resources
        .iter()
        .filter(|x| !p.rooms[r].resources.contains(x))
        .count();
    let slack = capacity.map_or(1000, |c| {
        i64::from(c.saturating_sub(session.attendees)).min(1000)
    });
    if p.base_room.is_empty() {
        return primary * 4096 + (wants as i64) * 1024 + slack;
    }
    // A minimal-change re-solve: a session keeps its published room unless a cost or a
    // missing resource says otherwise (moves between rooms are free, but people look
    // for the room they were told). Penalties are at most 1e9, so this cannot overflow.
    let moved = i64::from(
        p.base_room
            .get(s)
            .copied()
            .flatten()
            .is_some_and(|x| x != r),
    );
    primary * (1 << 24) + (wants.min(255) as i64) * (1 << 16) + moved * 2048 + slack
}

/// Minimum-cost assignment of every row to a distinct column (rows <= columns); returns
/// the column of each row. O(rows^2 x columns).
pub fn hungarian(cost: &[Vec<i64>]) -> Vec<usize> {
    let n = cost.len();
    if n == 0 {
        return Vec::new();
    }
    let m = cost[0].len();
    debug_assert!(n <= m);
    const INF: i64 = i64::MAX / 4;
    // 1-based potentials and matching, as in the classic formulation.
    let mut u = vec![0i64; n + 1];
    let mut v = vec![0i64; m + 1];
    let mut way = vec![0usize; m + 1];
    let mut row_of = vec![0usize; m + 1];
    for i in 1..=n {
        row_of[0] = i;
        let mut j0 = 0;
        let mut min_to = vec![INF; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = row_of[j0];
            let mut delta = INF;
            let mut j1 = 0;
            for j in 1..=m {
                if !used[j] {
                    let cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
                    if cur < min_to[j] {
                        min_to[j] = cur;
                        way[j] = j0;
                    }
                    if min_to[j] < delta {
                        delta = min_to[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[row_of[j]] += delta;
                    v[j] -= delta;
                } else {
                    min_to[j] -= delta;
                }
            }
            j0 = j1;
            if row_of[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            row_of[j0] = row_of[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut col_of = vec![0; n];
    for j in 1..=m {
        if row_of[j] != 0 {
            col_of[row_of[j] - 1] = j - 1;
        }
    }
    col_of
}

#[cfg(test)]
mod tests {
    use super::hungarian;

    fn brute(cost: &[Vec<i64>]) -> i64 {
        fn go(cost: &[Vec<i64>], i: usize, used: &mut Vec<bool>) -> i64 {
            if i == cost.len() {
                return 0;
            }
            let mut best = i64::MAX;
            for j in 0..used.len() {
                if !used[j] {
                    used[j] = true;
                    best = best.min(cost[i][j] + go(cost, i + 1, used));
                    used[j] = false;
                }
            }
            best
        }
        go(cost, 0, &mut vec![false; cost[0].len()])
    }

    #[test]
    fn hungarian_matches_brute_force() {
        let mut rng = crate::rng::Rng(5);
        for _ in 0..200 {
            let n = 1 + rng.below(5);
            let m = n + rng.below(3);
            let cost: Vec<Vec<i64>> = (0..n)
                .map(|_| (0..m).map(|_| rng.below(20) as i64 - 5).collect())
                .collect();
            let cols = hungarian(&cost);
            let mut seen = cols.clone();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), n, "distinct columns");
            let total: i64 = cols.iter().enumerate().map(|(i, &j)| cost[i][j]).sum();
            assert_eq!(total, brute(&cost), "{cost:?}");
        }
    }
}
