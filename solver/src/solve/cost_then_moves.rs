//! [`MoveRule::CostThenMoves`]: the FORMAT.md cost first, then the fewest moves from
//! the base agenda, solved exactly as one objective.
//!
//! With `n` sessions placed by the base, no agenda moves more than `n` of them, so
//! `w = n + 1` times the cost plus the moves orders agendas by cost, then by moves
//! (`w * c + m < w * c'` whenever `c < c'`, since `m <= n < w`). The solve minimises that
//! combined objective with every penalty multiplied by `w` and a move costing 1; the
//! result is priced again by the evaluator under the problem's own penalties (moves at 0).
//! A proven bound `B` of the combined objective gives `ceil((B - n) / w)` for the cost.

use super::{solve_above, Progress, SolveOptions, SolveReport, Status};
use crate::cost::evaluate;
use crate::penalties::CostKind;
use crate::problem::{MoveRule, Problem};

/// Solves `problem` (whose rule is [`MoveRule::CostThenMoves`]) above the proven cost
/// bound `floor`.
pub(super) fn solve(
    problem: &Problem,
    options: &SolveOptions,
    floor: u64,
    progress: &mut dyn FnMut(&Progress),
) -> SolveReport {
    let placed_by_base = problem.base.iter().filter(|b| b.is_some()).count() as u64;
    let weight = placed_by_base + 1;
    let combined = combined_problem(problem, weight);
    let to_cost = |combined_cost: u64| combined_cost / weight;
    let to_bound = |bound: u64| bound.saturating_sub(placed_by_base).div_ceil(weight);
    let mut forward = |pr: &Progress| {
        progress(&Progress {
            incumbent: pr.incumbent.map(to_cost),
            bound: pr.bound.map(to_bound),
            ..pr.clone()
        })
    };
    let r = solve_above(
        &combined,
        options,
        floor.saturating_mul(weight),
        &mut forward,
    );
    let evaluation = evaluate(problem, &r.schedule);
    let lower_bound = r.lower_bound.map(|b| to_bound(b).min(evaluation.cost));
    let mut diagnosis = r.diagnosis;
    let status = match r.status {
        Status::Infeasible => Status::Infeasible,
        _ if !evaluation.hard_errors.is_empty() => Status::Feasible,
        Status::Optimal => Status::Optimal,
        Status::Feasible if lower_bound == Some(evaluation.cost) => {
            diagnosis.push(
                "the cost is proven optimal; an agenda of that cost with fewer moves is not ruled out"
                    .to_string(),
            );
            Status::Optimal
        }
        Status::Feasible => Status::Feasible,
    };
    SolveReport {
        schedule: r.schedule,
        evaluation,
        status,
        lower_bound,
        diagnosis,
        stats: super::SolveStats {
            heuristic_cost: to_cost(r.stats.heuristic_cost),
            ..r.stats
        },
    }
}

/// `problem` with every penalty times `weight` and a move costing 1 (saturating: the
/// penalties are at most [`crate::validate::MAX_PENALTY`] and `weight` at most the
/// number of sessions plus one, far from `u64::MAX`).
fn combined_problem(problem: &Problem, weight: u64) -> Problem {
    let mut combined = problem.clone();
    for kind in CostKind::ALL {
        let scaled = problem.penalties.get(kind).saturating_mul(weight);
        combined.penalties.set(kind, scaled);
    }
    combined.penalties.set(CostKind::MovedSession, 1);
    combined.move_rule = MoveRule::Cost(1);
    combined
}
