//! The core relaxations (SOLVER-NOTES, point 3): a subset of the sessions placed
//! under the hard rules that the budget of agendas cheaper than the incumbent implies,
//! pricing only the terms among them. Dropping non-negative terms keeps a relaxation,
//! so each core's bound holds for the whole meeting. Bounded first by the slot
//! decomposition ([`super::lagrange`]), then by HiGHS when that stays loose.

use super::budget::{Budget, CoreBound};
use super::ilp::{self, Ilp};
use super::lagrange;
use super::policy::{
    CLOSE_ENOUGH_DIVISOR, CORE_STEPS_PER_SESSION, CROWDED_CORE_SHARE, CROWDED_PAIR_WEIGHT,
    LAGRANGE_ITERATIONS, LAGRANGE_PATIENCE, LAGRANGE_TIME_SHARE, LIGHT_PAIR_WEIGHT,
    LONGEST_CORE_SHARE, MAX_CORE_ROWS, RESTRICTED_MAX_SLOTS,
};
use super::portfolio::place_core_alone;
use super::search::{round_up, union, Search};
use super::tabu;
use super::{Phase, Progress};
use crate::problem::SlotIdx;
use std::time::Instant;

impl<'s, 'a> Search<'s, 'a> {
    /// The core relaxations (SOLVER-NOTES, point 3), under the budget of agendas
    /// cheaper than the incumbent: every session of a core is placed under the hard
    /// rules that budget implies, and only the terms among its sessions (and each
    /// one's own slot) are priced. Dropping non-negative terms keeps it a relaxation,
    /// so its bound holds for the whole meeting. Two cores: the sessions of crowded
    /// cliques ([`ilp::crowded_clique_members`]; small, solved first), then the
    /// sessions that need the longest blocks. The better bound is kept.
    pub(super) fn core_phase(&mut self, progress: &mut dyn FnMut(&Progress)) {
        let p = self.model.problem;
        let crowded = ilp::crowded_clique_members(self.model, CROWDED_PAIR_WEIGHT);
        if crowded.iter().filter(|&&c| c).count() >= 2 {
            self.solve_core(crowded.clone(), CROWDED_CORE_SHARE, false, progress);
            self.search_core = crowded;
        }
        let longest = p.slots.iter().map(|s| s.minutes).max().unwrap_or(0);
        let core: Vec<bool> = (0..p.sessions.len())
            .map(|s| p.sessions[s].schedulable && p.sessions[s].minutes >= longest)
            .collect();
        self.solve_core(core, LONGEST_CORE_SHARE, false, progress);
    }

    /// The sessions outside the proven core that its bound leaves few slots
    /// ([`Budget::few_slot_sessions`]) under the budget of agendas cheaper than the
    /// incumbent: pairs among them may be forced. None without a core bound or such
    /// sessions.
    pub(super) fn restricted(&self) -> Option<Vec<bool>> {
        let core = self.core.clone()?;
        let target = self.upper - self.granularity.min(self.upper);
        let budget = Budget::new(self.model, self.allowed, target, Some(core));
        let restricted = budget.few_slot_sessions(self.model, self.allowed, RESTRICTED_MAX_SLOTS);
        restricted.contains(&true).then_some(restricted)
    }

    /// The proven core's members plus the [`Search::restricted`] sessions: a core
    /// relaxation that prices the pairs among them.
    pub(super) fn restricted_core(&self) -> Option<Vec<bool>> {
        let core = self.core.as_ref()?;
        let restricted = self.restricted()?;
        Some(union(&core.members, &restricted))
    }

    /// Adds the [`Search::restricted`] sessions to the searches' core (when there is
    /// one): placed after the rest, they are what the repairs around a cheap core
    /// placement get wrong (docs/solver.md, Policy: `RESTRICTED_MAX_SLOTS`).
    pub(super) fn widen_search_core(&mut self) {
        if self.search_core.is_empty() {
            return;
        }
        if let Some(restricted) = self.restricted() {
            self.search_core = union(&self.search_core, &restricted);
        }
    }

    /// One core relaxation of the sessions in `core`, for at most `share` of the time
    /// left; under the budget sharpened by the core bound so far when `sharpen` (the
    /// restricted core, which that bound defines). Not the others: under that bound
    /// HiGHS took longer to settle them (docs/solver.md, What was tried).
    pub(super) fn solve_core(
        &mut self,
        core: Vec<bool>,
        share: f64,
        sharpen: bool,
        progress: &mut dyn FnMut(&Progress),
    ) {
        let p = self.model.problem;
        let size = core.iter().filter(|&&c| c).count();
        if size < 2 || self.done() {
            return;
        }
        let target = self.upper - self.granularity.min(self.upper);
        let budget = Budget::new(
            self.model,
            self.allowed,
            target,
            sharpen.then(|| self.core.clone()).flatten(),
        )
        .with_cost_floor(p, self.cost_floor);
        let Some(spec) = self.core_spec(&core, &budget, size) else {
            return;
        };
        let outside = budget.floor_outside(&core);
        // Not part of the core bound: the budgets measure the terms outside the core
        // (these pairs among them) from it.
        let shared_ads =
            budget.shared_ad_floor(self.model, self.allowed, &core, spec.min_pair_weight);
        let masked: Vec<Option<SlotIdx>> = (0..p.sessions.len())
            .map(|s| self.best[s].filter(|_| core[s]))
            .collect();
        // The slot decomposition first: it prices the pairs the LP spreads over slots.
        // HiGHS runs only when that stays more than 1 % below a placement of the core:
        // its root is weaker there, and its branching did not close such gaps; where
        // the decomposition proves the core, the searches start seconds sooner
        // (docs/solver.md, Policy: `CLOSE_ENOUGH_DIVISOR`).
        let lagrangian = self.lagrangian_core_bound(&core, &masked, &budget, spec.min_pair_weight);
        let close = lagrangian.is_some_and(|(bound, placed)| {
            let proven = round_up(bound, self.granularity);
            placed.is_some_and(|cost| {
                proven.saturating_mul(CLOSE_ENOUGH_DIVISOR)
                    >= cost.saturating_mul(CLOSE_ENOUGH_DIVISOR - 1)
            })
        });
        let mut dual = lagrangian.map(|l| l.0);
        if !close && !self.done() {
            let Some(found) =
                self.ilp_core_bound(spec, &masked, share, (outside, shared_ads), progress)
            else {
                // No core placement fits the budget: nothing beats the incumbent.
                self.raise_lower(self.upper);
                self.report(Phase::Core, progress);
                return;
            };
            dual = [dual, found].into_iter().flatten().reduce(f64::max);
        }
        if let Some(dual) = dual {
            let bound = round_up(dual, self.granularity) + outside;
            self.raise_lower(bound + shared_ads);
            if self.core.as_ref().is_none_or(|c| bound > c.bound) {
                self.core = Some(CoreBound {
                    members: core.clone(),
                    min_pair_weight: spec.min_pair_weight,
                    bound,
                    valid_to: target,
                });
            }
        }
        self.report(Phase::Core, progress);
    }

    /// The core model's specification: only the core's sessions are in it (the others
    /// would make it a whole-meeting model, which HiGHS cannot place quickly), light
    /// pairs left out when it is large; None, with a note, when it is still too large.
    fn core_spec<'c>(
        &mut self,
        core: &'c [bool],
        budget: &'c Budget,
        size: usize,
    ) -> Option<ilp::Spec<'c>>
    where
        's: 'c,
    {
        let mut spec = ilp::Spec {
            allowed: self.allowed,
            active: core,
            budget: Some(budget),
            pigeonholes: true,
            min_pair_weight: 0,
        };
        if ilp::estimate_rows(self.model, spec) > MAX_CORE_ROWS {
            spec.min_pair_weight = LIGHT_PAIR_WEIGHT;
            // Still too large: HiGHS would not reach its root in the time given, which
            // the searches put to better use (docs/solver.md, Policy: `MAX_CORE_ROWS`).
            let rows = ilp::estimate_rows(self.model, spec);
            if rows > MAX_CORE_ROWS {
                self.notes.push(format!(
                    "a core relaxation of {size} sessions (about {rows} rows) was too large to solve here and was skipped"
                ));
                return None;
            }
        }
        Some(spec)
    }

    /// HiGHS's dual bound of the core model (`Some(None)` when it found none), warm
    /// started from `masked`, reporting the meeting bound it implies with `added` (the
    /// floor outside the core, the shared ADs' floor) as it goes; None when no core
    /// placement fits the budget.
    fn ilp_core_bound(
        &mut self,
        spec: ilp::Spec,
        masked: &[Option<SlotIdx>],
        share: f64,
        (outside, shared_ads): (u64, u64),
        progress: &mut dyn FnMut(&Progress),
    ) -> Option<Option<f64>> {
        let ilp = Ilp::build(self.model, spec);
        if ilp.rows() > self.rows {
            (self.variables, self.rows) = (ilp.variables(), ilp.rows());
        }
        let (granularity, upper, lower, began) =
            (self.granularity, self.upper, self.lower, self.began);
        let mut report = |_: Option<f64>, dual: f64| {
            let bound = dual.is_finite().then(|| {
                (round_up(dual, granularity) + outside + shared_ads)
                    .min(upper)
                    .max(lower)
            });
            progress(&Progress {
                phase: Phase::Core,
                incumbent: Some(upper),
                bound,
                elapsed: began.elapsed(),
            })
        };
        let outcome = self.solve_ilp(ilp, masked, share, &mut report);
        self.cut_by_time |= !(outcome.proven_optimal || outcome.infeasible);
        (!outcome.infeasible).then_some(outcome.dual_bound)
    }

    /// The [`lagrange`] bound of the core relaxation of `core` under `budget` (pairs
    /// lighter than `min_pair_weight` left out, as in the ILP), steered by a tabu
    /// search's placement of the core alone from `masked` (the incumbent's placement
    /// of it), with that placement's relaxed cost when the relaxation allows it. None
    /// when no iteration ran.
    fn lagrangian_core_bound(
        &mut self,
        core: &[bool],
        masked: &[Option<SlotIdx>],
        budget: &Budget,
        min_pair_weight: u64,
    ) -> Option<(f64, Option<u64>)> {
        if self.done() {
            return None;
        }
        let n = core.len();
        let members = core.iter().filter(|&&c| c).count() as u64;
        let held: Vec<usize> = (0..n).filter(|&s| !core[s]).collect();
        let share = self.left().mul_f64(LAGRANGE_TIME_SHARE);
        let alone = place_core_alone(
            self.model,
            masked,
            &held,
            None,
            &tabu::TabuOptions {
                steps: CORE_STEPS_PER_SESSION * members,
                seed: self.options.seed,
                deadline: Some(Instant::now() + share),
                stop: None,
                target: 0,
                accept: None,
                stall_limit: None,
            },
        );
        self.cut_by_time |= alone.cut_by_time;
        let result = lagrange::core_bound(
            self.model,
            self.allowed,
            core,
            budget,
            &alone.slot_of,
            &lagrange::LagrangeOptions {
                iterations: LAGRANGE_ITERATIONS,
                patience: LAGRANGE_PATIENCE,
                granularity: self.granularity,
                min_pair_weight,
                deadline: Instant::now() + share,
                threads: self.options.threads.max(1) as usize,
            },
        )?;
        self.cut_by_time |= result.cut_by_time;
        if result.rows > self.rows {
            (self.variables, self.rows) = (result.columns, result.rows);
        }
        (result.iterations > 0).then_some((result.bound, result.placement_cost))
    }
}
