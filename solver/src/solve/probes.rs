//! Exact improvement of the incumbent: large-neighbourhood search ([`super::lns`]) and
//! probes of the whole meeting under the budget (prove the incumbent optimal, or find
//! a cheaper agenda).

use super::budget::{self, Budget};
use super::ilp::{self, Ilp};
use super::lns;
use super::moves::{Listed, Listing};
use super::policy::{
    EARLY_PROBE_MAX_CORE_SHARE_DIVISOR, EARLY_PROBE_MAX_MOVES, EARLY_PROBE_MAX_SETUP_SHARE,
    EARLY_PROBE_SHARE, LIST_MAX_MOVES, LIST_MAX_PRICED, LIST_MAX_ROOMED, MAX_FULL_MODEL_ROWS,
    PROBE_SETUP_PER_ROW,
};
use super::search::{round_up, Search};
use super::{Phase, Progress};

impl Search<'_, '_> {
    /// In a what-if where an agenda cheaper than the incumbent moves at most
    /// [`LIST_MAX_MOVES`] sessions from the base, lists those agendas
    /// ([`super::moves`]): none proves the incumbent optimal, and the cheapest (at the
    /// time level) is both the bound and the next incumbent. Whether that settled the
    /// solve.
    pub(super) fn list_moves(&mut self, progress: &mut dyn FnMut(&Progress)) -> bool {
        let p = self.model.problem;
        if !p.has_base() || self.done() {
            return false;
        }
        let target = self.upper - self.granularity;
        let Some(max_moves) =
            budget::max_moves_within(p, target, self.cost_floor).filter(|&k| k <= LIST_MAX_MOVES)
        else {
            return false;
        };
        let listing = Listing {
            model: self.model,
            allowed: self.allowed,
            fixed: self.fixed,
            max_moves,
            target,
            limit: LIST_MAX_PRICED,
        };
        let Listed::All(within) = listing.run() else {
            return false;
        };
        // Every agenda cheaper than the incumbent is listed, at its time-level cost,
        // which its rooms can only raise (an adjacency lost to another request's
        // room): price them cheapest first until the next cannot beat the incumbent.
        let mut next = None;
        for (priced, (cost, slot_of)) in within.into_iter().enumerate() {
            if cost >= self.upper {
                break;
            }
            if priced == LIST_MAX_ROOMED {
                next = Some(cost);
                break;
            }
            self.offer(slot_of, Vec::new());
        }
        self.raise_lower(next.unwrap_or(self.upper));
        self.report(Phase::Probe, progress);
        self.lower >= self.upper
    }

    /// The whole-meeting probe right after the core relaxations, when their bound is
    /// at most half the incumbent: the cores missed what the meeting's cost is made of,
    /// and the whole meeting's relaxation is the quickest bound. Cores close to the
    /// incumbent leave the time to the searches, whose cheap agendas an early probe
    /// would cost (docs/solver.md, Policy: `EARLY_PROBE_*`). None when not run.
    pub(super) fn early_probe(&mut self, progress: &mut dyn FnMut(&Progress)) -> Option<Probe> {
        let cores_missed = self
            .lower
            .saturating_mul(EARLY_PROBE_MAX_CORE_SHARE_DIVISOR)
            <= self.upper;
        let target = self.upper - self.granularity;
        // In a what-if, an agenda cheaper than the incumbent may move only a few
        // sessions from the base: the whole-meeting model is then small, and settles
        // what the searches would only hunt for (`BENCHMARKS.md`, what-if re-solves).
        let p = self.model.problem;
        let few_moves = budget::max_moves_within(p, target, self.cost_floor)
            .is_some_and(|k| k <= EARLY_PROBE_MAX_MOVES);
        if self.done() || !(cores_missed || few_moves) {
            return None;
        }
        Some(self.probe(
            target,
            EARLY_PROBE_SHARE,
            EARLY_PROBE_MAX_SETUP_SHARE,
            progress,
        ))
    }

    /// Solves the whole meeting restricted to agendas of cost at most `target`, for at
    /// most `share` of the time left; not started when HiGHS's presolve would take more
    /// than `setup_share` of that time.
    pub(super) fn probe(
        &mut self,
        target: u64,
        share: f64,
        setup_share: f64,
        progress: &mut dyn FnMut(&Progress),
    ) -> Probe {
        let p = self.model.problem;
        let everyone = vec![true; p.sessions.len()];
        let budget = Budget::new(self.model, self.allowed, target, self.core.clone())
            .with_cost_floor(p, self.cost_floor);
        let spec = ilp::Spec {
            allowed: self.allowed,
            active: &everyone,
            budget: Some(&budget),
            pigeonholes: true,
            min_pair_weight: 0,
        };
        let estimated = ilp::estimate_rows(self.model, spec);
        if estimated > MAX_FULL_MODEL_ROWS {
            self.notes.push(format!(
                "the whole-meeting model (about {estimated} rows) is too large to solve here; the bound is the core relaxation's"
            ));
            return Probe::TooLarge;
        }
        let setup = self.probe_setup.unwrap_or(
            PROBE_SETUP_PER_ROW.saturating_mul(estimated.try_into().unwrap_or(u32::MAX)),
        );
        if self.left().mul_f64(share * setup_share) < setup {
            // Started, HiGHS would finish its presolve past the time limit (or, with a
            // share under 1, spend most of its time there).
            return Probe::NoTime;
        }
        let ilp = Ilp::build(self.model, spec);
        if ilp.rows() > self.rows {
            (self.variables, self.rows) = (ilp.variables(), ilp.rows());
        }
        let (granularity, upper, lower, began) =
            (self.granularity, self.upper, self.lower, self.began);
        let mut report = |primal: Option<f64>, dual: f64| {
            let bound = dual.is_finite().then(|| {
                round_up(dual, granularity)
                    .min(target + granularity)
                    .max(lower)
                    .min(upper)
            });
            // Above the target, HiGHS's primal bound is only the cutoff.
            // (HiGHS's cutoff is target + 0.5, which it reports as the primal bound
            // until it finds a solution.)
            let incumbent = primal
                .filter(|&v| v < target as f64 + 0.25)
                .map_or(upper, |v| (v.round() as u64).min(upper));
            progress(&Progress {
                phase: Phase::Probe,
                incumbent: Some(incumbent),
                bound,
                elapsed: began.elapsed(),
            })
        };
        let outcome = self.solve_ilp(ilp, &self.best, share, &mut report);
        self.probe_setup = self.probe_setup.max(Some(outcome.setup));
        let improved = match outcome.slot_of {
            Some(slot_of) => self.offer(slot_of, outcome.room_of),
            None => false,
        };
        let result = if outcome.proven_optimal || outcome.infeasible {
            // Every agenda of cost at most `target` is in this model: its optimum is
            // the meeting's, and none means the incumbent is optimal.
            self.raise_lower(self.upper);
            Probe::Settled
        } else {
            self.cut_by_time = true;
            if let Some(dual) = outcome.dual_bound {
                let bound = round_up(dual, self.granularity).min(target + self.granularity);
                self.raise_lower(bound);
            }
            if improved {
                Probe::Improved
            } else {
                Probe::Open
            }
        };
        self.report(Phase::Probe, progress);
        result
    }

    /// Large-neighbourhood search from the incumbent for `share` of the time left (the
    /// incumbent is replaced when it finds a cheaper agenda).
    pub(super) fn improve(&mut self, share: f64, progress: &mut dyn FnMut(&Progress)) {
        let budget_time = self.left().mul_f64(share);
        let (began, lower) = (self.began, self.lower);
        let mut report = |cost: u64| {
            progress(&Progress {
                phase: Phase::Lns,
                incumbent: Some(cost),
                bound: Some(lower.min(cost)),
                elapsed: began.elapsed(),
            })
        };
        let ilp_options = self.ilp_options(budget_time);
        let search = lns::Lns {
            model: self.model,
            fixed: self.fixed,
            allowed_anywhere: self.allowed,
            time: budget_time,
            rounds: self.options.tuning.lns_rounds,
            bound: self.lower,
            core: self.core.clone(),
            granularity: self.granularity,
            options: &ilp_options,
        };
        let improved = search.improve(self.best.clone(), &mut report);
        self.cut_by_time |= improved.cut_by_time;
        self.offer(improved.slot_of, improved.room_of);
        if let Some(bound) = improved.bound {
            // Time-level cost, which no agenda (with rooms) is below.
            self.raise_lower(bound);
        }
        self.report(Phase::Lns, progress);
    }
}

/// How a probe ended.
pub(super) enum Probe {
    /// Proved: the incumbent is optimal.
    Settled,
    /// The whole-meeting model is too large to build here: no probe will do.
    TooLarge,
    /// Too little time is left for the probe's presolve: no later probe of the same
    /// share will do.
    NoTime,
    /// Found a cheaper agenda without closing the gap.
    Improved,
    /// Neither.
    Open,
}
