//! Portfolios of tabu searches: seeded, counted in steps, side by side on the threads,
//! each stopping as soon as it meets the bound; and the iterated search that kicks the
//! crowded cliques to a cheap placement of their own and repairs the rest around it.

use super::heuristic;
use super::policy::{
    CORE_FIRST_MIN_SAVING_DIVISOR, CORE_FREE_STEPS_PER_SESSION, CORE_HELD_STEPS_PER_SESSION,
    CORE_STEPS_PER_SESSION, INCUMBENT_STALL_LIMIT, INCUMBENT_STEPS, SCOUT_SHARE,
    TRIM_AVERSE_FACTOR,
};
use super::search::{agenda_cost, within_gap, Search};
use super::tables::CostTables;
use super::tabu;
use super::timing::TimeModel;
use super::{Phase, Progress};
use crate::penalties::CostKind;
use crate::problem::SlotIdx;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

impl Search<'_, '_> {
    /// A portfolio of tabu searches (`batch`), side by side on the threads, each of its
    /// steps or until it meets the proven bound, for at most `share` of the time left.
    /// Deterministic: each search depends on its seed only, and the first search (in
    /// seed order) that meets the bound wins; the searches after it are stopped, the
    /// ones before it finish. True when a search ran out of time before its steps.
    pub(super) fn tabu_phase(
        &mut self,
        phase: Phase,
        batch: Batch,
        share: f64,
        progress: &mut dyn FnMut(&Progress),
    ) -> bool {
        let (incumbent, fresh) = (self.best.clone(), self.greedy.clone());
        let on = On {
            model: self.model,
            incumbent: &incumbent,
            fresh: &fresh,
        };
        self.portfolio(on, phase, batch, share, progress)
    }

    /// When the scouts' agenda trims a session although every session could have a
    /// block of its length ([`super::diagnosis::long_block_shortages`] is empty), a
    /// second scouting portfolio searches with each trim weighed
    /// [`TRIM_AVERSE_FACTOR`] times its price; its agendas are priced at the real
    /// weights. At its price a trim is no dearer than one chair conflict, and the
    /// searches settle in agendas that trim sessions to make room
    /// (`docs/solver.md`, Measurements: gen-250x16-s5).
    pub(super) fn trim_averse_scout(&mut self, batch: Batch, progress: &mut dyn FnMut(&Progress)) {
        let p = self.model.problem;
        let trims = self
            .best
            .iter()
            .enumerate()
            .any(|(s, b)| b.is_some_and(|b| p.sessions[s].minutes > p.slots[b].minutes));
        if !trims || self.done() || !super::diagnosis::long_block_shortages(p).is_empty() {
            return;
        }
        let mut averse_problem = p.clone();
        let price = p.penalties.get(CostKind::TooShortSlot);
        averse_problem.penalties.set(
            CostKind::TooShortSlot,
            price.saturating_mul(TRIM_AVERSE_FACTOR),
        );
        let tables = CostTables::build(&averse_problem);
        let mut averse = TimeModel::new(&averse_problem, &tables);
        averse.must_place.clone_from(&self.model.must_place);
        // Every search from the greedy agenda at those weights: at the real ones it
        // trims sessions from the start, and so does the incumbent.
        let fresh = heuristic::greedy(&averse, self.fixed);
        let on = On {
            model: &averse,
            incumbent: &fresh,
            fresh: &fresh,
        };
        self.portfolio(on, Phase::Scout, batch, SCOUT_SHARE, progress);
    }

    /// [`Search::tabu_phase`] with the searches `on` a model and its starts; every
    /// agenda is priced on the solve's own model.
    fn portfolio(
        &mut self,
        on: On,
        phase: Phase,
        batch: Batch,
        share: f64,
        progress: &mut dyn FnMut(&Progress),
    ) -> bool {
        if self.done() {
            return false;
        }
        let Batch {
            number: batch,
            runs,
            steps,
            starts,
        } = batch;
        let steps = match starts {
            Starts::Fresh => steps,
            Starts::Incumbent => steps.min(INCUMBENT_STEPS),
        };
        let deadline = Instant::now() + self.left().mul_f64(share);
        let priced_on = self.model;
        // A search may stop at the proven bound, or, under `--gap`, at the first cost
        // within that gap of it: (cost - bound) / cost <= gap.
        let target = within_gap(self.lower, self.options.gap);
        // The target is met by an agenda, not by a time-level cost: see
        // [`tabu::TabuOptions::accept`].
        let accept = |slot_of: &[Option<SlotIdx>]| agenda_cost(priced_on, slot_of, &[]) <= target;
        let On {
            model,
            incumbent,
            fresh,
        } = on;
        let runner = Runner {
            model,
            incumbent,
            fresh,
            search_core: &self.search_core,
            fixed_at: self.fixed,
            fixed: self.fixed.iter().map(|f| f.0).collect(),
            batch,
            steps,
            starts,
            deadline,
            target,
            accept: &accept,
            base: self.options.seed.wrapping_mul(1_000_003),
        };
        let threads = (self.options.threads.max(1) as usize).min(runs as usize);
        let winner = AtomicUsize::new(usize::MAX);
        let mut all = runner.run_all(
            runs as usize,
            threads,
            &winner,
            self.options.cancel.as_deref(),
        );
        all.sort_by_key(|(i, _)| *i);
        let winner = winner.load(Ordering::SeqCst);
        // Searches after the winner were stopped by it: their results do not count.
        all.retain(|(i, _)| *i <= winner);
        let cut = all
            .iter()
            .any(|(i, r)| r.cut_by_time && *i != winner && !self.cancelled());
        self.cut_by_time |= cut;
        // Each is priced as an agenda, in seed order (ties keep the earlier): the
        // cheapest time-level schedule can still lose an adjacency to a room, so it
        // need not be the cheapest agenda, nor the winner's.
        for (_, found) in all {
            self.offer(found.slot_of, Vec::new());
        }
        self.report(phase, progress);
        cut
    }
}

/// What a portfolio's searches run on: a model (the solve's own, or one weighed
/// otherwise over the same sessions and blocks) and where they start ([`Starts`]).
struct On<'x, 'm> {
    model: &'x TimeModel<'m>,
    incumbent: &'x [Option<SlotIdx>],
    fresh: &'x [Option<SlotIdx>],
}

/// One batch of a portfolio: what every search of it shares.
struct Runner<'m, 'a> {
    model: &'a TimeModel<'m>,
    incumbent: &'a [Option<SlotIdx>],
    fresh: &'a [Option<SlotIdx>],
    search_core: &'a [bool],
    fixed_at: &'a [(usize, SlotIdx)],
    fixed: Vec<usize>,
    batch: u64,
    steps: u64,
    starts: Starts,
    deadline: Instant,
    target: u64,
    accept: &'a (dyn Fn(&[Option<SlotIdx>]) -> bool + Sync),
    /// The seed the run numbers are added to.
    base: u64,
}

impl Runner<'_, '_> {
    /// Runs searches 0.. `runs` on `threads` workers, each taking the next number;
    /// `winner` is the first (by number) that met the target, and a worker stops taking
    /// numbers past it. The results come back in no particular order.
    fn run_all(
        &self,
        runs: usize,
        threads: usize,
        winner: &AtomicUsize,
        cancel: Option<&std::sync::atomic::AtomicBool>,
    ) -> Vec<(usize, tabu::Searched)> {
        let next = AtomicUsize::new(0);
        let results: Vec<Vec<(usize, tabu::Searched)>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut mine = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::SeqCst);
                            if i >= runs || winner.load(Ordering::SeqCst) < i {
                                break;
                            }
                            // A search stops when an earlier one has met the bound.
                            let stop = || {
                                winner.load(Ordering::SeqCst) < i
                                    || cancel.is_some_and(|c| c.load(Ordering::Relaxed))
                            };
                            let found = self.run(i, &stop);
                            if found.reached {
                                winner.fetch_min(i, Ordering::SeqCst);
                            }
                            mine.push((i, found));
                        }
                        mine
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        results.into_iter().flatten().collect()
    }

    /// Search number `i`. With fresh starts ([`Starts::Fresh`]), the first search goes
    /// on from the incumbent; the others start afresh from the greedy agenda, each its
    /// own way (starts from one incumbent tend to end in the same basin). With crowded
    /// cliques, every other one kicks them to a cheap placement of their own, round
    /// after round, when that saves enough ([`core_first_search`]), and so does the
    /// first of the first batch: the scout's incumbent is far from the core's cheapest
    /// placement (docs/solver.md, Measurements).
    fn run(&self, i: usize, stop: &(dyn Fn() -> bool + Sync)) -> tabu::Searched {
        let options = tabu::TabuOptions {
            steps: self.steps,
            seed: self.base.wrapping_add(self.batch * 1_000 + i as u64),
            deadline: Some(self.deadline),
            stop: Some(stop),
            target: self.target,
            accept: Some(self.accept),
            stall_limit: (self.starts == Starts::Incumbent).then_some(INCUMBENT_STALL_LIMIT),
        };
        let iterated = self.starts == Starts::Fresh && (i % 2 == 1 || (i == 0 && self.batch == 1));
        let around_core = (iterated && !self.search_core.is_empty())
            .then(|| {
                core_first_search(
                    self.model,
                    self.incumbent,
                    self.search_core,
                    self.fixed_at,
                    &options,
                )
            })
            .flatten();
        around_core.unwrap_or_else(|| {
            let start = if i == 0 || self.starts == Starts::Incumbent {
                self.incumbent
            } else {
                self.fresh
            };
            tabu::search(self.model, start, &self.fixed, &options)
        })
    }
}

/// An iterated tabu search that kicks the `core` sessions (crowded cliques) to their
/// cheapest placement it can find and repairs the rest around it, round after round,
/// or None when the first such placement saves less than 5 % of the incumbent's cost
/// on the core's terms. Each round, counted in steps so runs stay reproducible:
///
/// 1. The core alone: the other sessions left out (and fixed), so only the terms among
///    the core (and with the fixed placements) count; from the best agenda's placement
///    of it, with the round's own seed; after the first round, only until it is as
///    cheap as the cheapest placement found ([`place_core_alone`]).
/// 2. The best agenda rebuilt around that placement ([`heuristic::greedy_from`]: the
///    core where stage 1 put it, the rest where it was wherever it still fits), then
///    searched with the core fixed, so the others make room for it first.
/// 3. Everything free. A cheaper agenda becomes the next round's start.
///
/// Why: on the 4x synthetic every block with a BoF must be cleared of the BoF's area
/// groups, so a search that moves one BoF at a time keeps the BoFs where they are;
/// starting from another BoF placement moves them all at once. Short rounds beat one
/// long one (docs/solver.md, Policy: `CORE_HELD/FREE_STEPS_PER_SESSION`).
pub(super) fn core_first_search(
    model: &TimeModel,
    incumbent: &[Option<SlotIdx>],
    core: &[bool],
    fixed: &[(usize, SlotIdx)],
    options: &tabu::TabuOptions,
) -> Option<tabu::Searched> {
    let n = incumbent.len();
    let mut is_fixed = vec![false; n];
    for f in fixed {
        is_fixed[f.0] = true;
    }
    let held: Vec<usize> = (0..n).filter(|&s| !core[s] || is_fixed[s]).collect();
    let members = (n - held.len()) as u64;
    let mut best = incumbent.to_vec();
    let mut best_cost = model.cost(incumbent);
    let (mut steps, mut restarts, mut cut_by_time) = (0u64, 0u64, false);
    let mut reached = options.meets(incumbent, best_cost as i64);
    // The cheapest cost of the core alone so far (the other sessions left out, so
    // every round's alone cost counts the same terms plus the same unscheduled ones).
    let mut cheapest_alone: Option<u64> = None;
    for round in 0u64.. {
        if steps >= options.steps || cut_by_time || reached {
            break;
        }
        let seed = options.seed.wrapping_add(round.wrapping_mul(0x9E37_79B9));
        let masked: Vec<Option<SlotIdx>> = (0..n)
            .map(|s| best[s].filter(|_| core[s] || is_fixed[s]))
            .collect();
        let alone = place_core_alone(
            model,
            &masked,
            &held,
            cheapest_alone,
            &tabu::TabuOptions {
                steps: (CORE_STEPS_PER_SESSION * members).min(options.steps - steps),
                seed,
                ..*options
            },
        );
        cheapest_alone = Some(cheapest_alone.map_or(alone.cost, |c| c.min(alone.cost)));
        if round == 0 {
            // Worth it only when the core is what holds the incumbent back; where it
            // saves little, fresh starts find more (docs/solver.md, Policy:
            // `CORE_FIRST_MIN_SAVING_DIVISOR`).
            let saved = model.cost(&masked).saturating_sub(alone.cost);
            if saved == 0 || saved < best_cost / CORE_FIRST_MIN_SAVING_DIVISOR {
                return None;
            }
        }
        let left = options.steps.saturating_sub(steps + alone.steps);
        let (first, second) = repair_around(
            model,
            &best,
            &alone.slot_of,
            core,
            fixed,
            &tabu::TabuOptions {
                steps: left,
                seed,
                ..*options
            },
        );
        // At least one step a round, so the loop ends whatever the searches do.
        steps += (alone.steps + first.steps + second.steps).max(1);
        restarts += alone.restarts + first.restarts + second.restarts;
        cut_by_time = alone.cut_by_time || first.cut_by_time || second.cut_by_time;
        // One that met the target is taken even at a higher time-level cost: its
        // agenda meets the target, where the cheaper one's did not.
        if second.cost < best_cost || second.reached {
            best_cost = second.cost;
            best = second.slot_of;
            reached = second.reached;
        }
    }
    Some(tabu::Searched {
        slot_of: best,
        cost: best_cost,
        cut_by_time,
        steps,
        reached,
        restarts,
    })
}

/// One round's repair around the core's new placement `alone`: a search with the core
/// held there from `best` (kept where it fits), then one with it free again, within
/// `options.steps` in all.
fn repair_around(
    model: &TimeModel,
    best: &[Option<SlotIdx>],
    alone: &[Option<SlotIdx>],
    core: &[bool],
    fixed: &[(usize, SlotIdx)],
    options: &tabu::TabuOptions,
) -> (tabu::Searched, tabu::Searched) {
    let n = best.len();
    let mut pinned: Vec<(usize, SlotIdx)> = fixed.to_vec();
    pinned.extend(
        (0..n)
            .filter(|&s| core[s] && !fixed.iter().any(|f| f.0 == s))
            .filter_map(|s| alone[s].map(|b| (s, b))),
    );
    let start = heuristic::greedy_from(model, &pinned, best);
    let pinned: Vec<usize> = pinned.iter().map(|f| f.0).collect();
    let first = tabu::search(
        model,
        &start,
        &pinned,
        &tabu::TabuOptions {
            steps: (CORE_HELD_STEPS_PER_SESSION * n as u64).min(options.steps),
            ..*options
        },
    );
    let free: Vec<usize> = fixed.iter().map(|f| f.0).collect();
    let second = tabu::search(
        model,
        &first.slot_of,
        &free,
        &tabu::TabuOptions {
            steps: (CORE_FREE_STEPS_PER_SESSION * n as u64)
                .min(options.steps.saturating_sub(first.steps)),
            ..*options
        },
    );
    (first, second)
}

/// A round's kick ([`core_first_search`], stage 1): a tabu search of the core alone
/// (`masked` places only the core and the fixed sessions, `held` are the others), of
/// `options.steps` steps with `options.seed`. Given `cheapest`, the cheapest cost of
/// the core alone that an earlier round reached, it stops as soon as it is that cheap:
/// the rounds after the first went on to the same placement anyway (measured on the 4x
/// synthetic, see [`CORE_STEPS_PER_SESSION`]), and the steps they spent on it are
/// better spent on the repair.
pub(super) fn place_core_alone(
    model: &TimeModel,
    masked: &[Option<SlotIdx>],
    held: &[usize],
    cheapest: Option<u64>,
    options: &tabu::TabuOptions,
) -> tabu::Searched {
    tabu::search(
        model,
        masked,
        held,
        &tabu::TabuOptions {
            target: cheapest.unwrap_or(0),
            accept: None,
            ..*options
        },
    )
}

/// One portfolio of tabu searches ([`Search::tabu_phase`]): its number (each
/// number seeds its searches apart), how many searches of how many steps, and where
/// they start.
#[derive(Clone, Copy)]
pub(super) struct Batch {
    pub(super) number: u64,
    pub(super) runs: u32,
    pub(super) steps: u64,
    pub(super) starts: Starts,
}

/// Where the searches of a [`Batch`] start.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Starts {
    /// The first goes on from the incumbent, the others start afresh from the greedy
    /// agenda, and every other one (and the first of the first batch) may be an
    /// iterated search around the core ([`core_first_search`]).
    Fresh,
    /// Every one goes on from the incumbent with its own seed for at most
    /// [`INCUMBENT_STEPS`], restarting from its best after [`INCUMBENT_STALL_LIMIT`]
    /// steps without a new best. For every batch after the clock stopped one (a large
    /// meeting), each batch from the best of the one before: a fresh start then cannot
    /// catch up in the time left (docs/solver.md, What was tried), and a kick around
    /// the core no longer saves enough to be tried, so it only took time.
    Incumbent,
}

#[cfg(test)]
mod tests {
    use super::super::rooms;
    use super::super::tables::CostTables;
    use super::super::testing::generated;
    use super::super::SolveOptions;
    use super::{
        agenda_cost, core_first_search, heuristic, place_core_alone, tabu, within_gap, Batch,
        Search, Starts, TimeModel, INCUMBENT_STEPS,
    };
    use crate::cost::evaluate;
    use std::time::{Duration, Instant};

    fn options(steps: u64) -> tabu::TabuOptions<'static> {
        tabu::TabuOptions {
            steps,
            seed: 5,
            deadline: None,
            stop: None,
            target: 0,
            accept: None,
            stall_limit: None,
        }
    }

    /// The sessions by their summed pair weights, heaviest first; the core of the
    /// `size` heaviest; and a poor incumbent, the core crammed into the first block as
    /// far as it fits.
    fn crammed_core(model: &TimeModel, size: usize) -> (Vec<usize>, Vec<bool>, Vec<Option<usize>>) {
        let p = model.problem;
        let n = p.sessions.len();
        let by_weight = super::super::testing::heaviest_sessions(model);
        let mut core = vec![false; n];
        for &s in &by_weight[..size] {
            core[s] = true;
        }
        let hint: Vec<Option<usize>> = (0..n).map(|s| core[s].then_some(0)).collect();
        let poor = heuristic::greedy_from(model, &[], &hint);
        (by_weight, core, poor)
    }

    #[test]
    fn searches_from_the_incumbent_are_short_and_keep_the_cheapest_agenda() {
        let p = generated(120, 8, 1);
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        // Every session may take every slot that has rooms, as in `solve`.
        let open: Vec<usize> = (0..p.slots.len())
            .filter(|&b| !p.slots[b].rooms.is_empty())
            .collect();
        let allowed = vec![open; p.sessions.len()];
        let options = SolveOptions {
            time_limit: Duration::from_secs(30),
            ..SolveOptions::default()
        };
        let greedy = heuristic::greedy(&model, &[]);
        let start = (greedy.clone(), agenda_cost(&model, &greedy, &[]));
        let mut search = Search::new(
            &model,
            &allowed,
            &[],
            &options,
            Instant::now(),
            start,
            greedy,
        );
        // No bound to meet: the searches end at their steps or at the clock.
        search.lower = 0;
        let before = search.upper;
        let batch = Batch {
            number: 2,
            runs: 2,
            steps: u64::MAX,
            starts: Starts::Incumbent,
        };
        let cut = search.tabu_phase(super::super::Phase::Tabu, batch, 1.0, &mut |_| {});
        assert!(
            !cut,
            "searches from the incumbent ran until the clock, not {INCUMBENT_STEPS} steps"
        );
        assert!(
            search.upper < before,
            "{} is not below {before}",
            search.upper
        );
        assert_eq!(search.upper, agenda_cost(&model, &search.best, &[]));
    }

    #[test]
    fn a_core_first_search_is_valid_reproducible_and_keeps_fixed_sessions() {
        let p = generated(60, 4, 11);
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let n = p.sessions.len();
        let greedy = heuristic::greedy(&model, &[]);
        // The core: the dozen most conflicted sessions; two others held where they are.
        let (by_weight, core, poor) = crammed_core(&model, 12);
        let fixed: Vec<(usize, usize)> = by_weight[20..22]
            .iter()
            .map(|&s| (s, poor[s].unwrap()))
            .collect();
        // 60 sessions, 12 in the core: the first round is 1,200 + 600 + 1,800 steps,
        // the later ones less (their kick stops at the first one's placement cost).
        let run = || core_first_search(&model, &poor, &core, &fixed, &options(12_000));
        let found = run().expect("the crammed core has cheaper placements");
        assert!(found.cost < model.cost(&poor));
        assert!(found.steps <= 12_000, "{} steps", found.steps);
        // Later rounds only keep what beats the first, which a one-round budget makes.
        let one_round = core_first_search(&model, &poor, &core, &fixed, &options(3_600))
            .expect("the same first round");
        assert!(found.cost <= one_round.cost);
        assert_eq!(found.slot_of, run().unwrap().slot_of);
        assert_eq!(found.cost, model.cost(&found.slot_of));
        for &(s, b) in &fixed {
            assert_eq!(found.slot_of[s], Some(b));
        }
        let schedule = rooms::assign_rooms(&p, &tables, &found.slot_of, &[]);
        let e = evaluate(&p, &schedule);
        assert!(e.hard_errors.is_empty(), "{:?}", e.hard_errors);
        assert!(p.schedulable_sessions().all(|s| found.slot_of[s].is_some()));

        // A core already at its cheapest (one session in its cheapest block, nothing
        // else priced with it alone) gives nothing to start from.
        let lonely = (0..n)
            .find(|&s| {
                p.sessions[s].schedulable
                    && greedy[s].is_some_and(|b| {
                        tables.unary[s][b] == *tables.unary[s].iter().min().unwrap()
                    })
            })
            .unwrap();
        let mut alone = vec![false; n];
        alone[lonely] = true;
        assert!(core_first_search(&model, &greedy, &alone, &[], &options(3_000)).is_none());
    }

    #[test]
    fn a_later_kick_stops_at_the_cheapest_placement_found() {
        let p = generated(60, 4, 11);
        let tables = CostTables::build(&p);
        let model = TimeModel::new(&p, &tables);
        let (_, core, poor) = crammed_core(&model, 20);
        let masked: Vec<Option<usize>> = (0..poor.len())
            .map(|s| poor[s].filter(|_| core[s]))
            .collect();
        let held: Vec<usize> = (0..poor.len()).filter(|&s| !core[s]).collect();
        // The first round's kick takes all its steps (nothing is that cheap yet).
        let first = place_core_alone(&model, &masked, &held, None, &options(1_200));
        assert_eq!(first.steps, 1_200);
        assert!(first.cost < model.cost(&masked));
        // A later one, with its own seed, stops once it is as cheap.
        let later = tabu::TabuOptions {
            seed: 6,
            ..options(1_200)
        };
        let second = place_core_alone(&model, &masked, &held, Some(first.cost), &later);
        assert!(
            second.cost <= first.cost,
            "{} > {}",
            second.cost,
            first.cost
        );
        assert!(second.steps < 1_200, "{} steps", second.steps);
        assert_eq!(second.cost, model.cost(&second.slot_of));
        for &s in &held {
            assert_eq!(second.slot_of[s], None);
        }
    }

    #[test]
    fn the_gap_target_is_the_largest_cost_within_the_gap() {
        assert_eq!(within_gap(250_000, 0.0), 250_000);
        // (252,525 - 250,000) / 252,525 <= 1 %, (252,526 - 250,000) / 252,526 > 1 %.
        let t = within_gap(250_000, 0.01);
        assert_eq!(t, 252_525);
        assert!((t - 250_000) as f64 / t as f64 <= 0.01);
        assert!((t + 1 - 250_000) as f64 / (t + 1) as f64 > 0.01);
        assert_eq!(within_gap(0, 0.5), 0);
        assert_eq!(within_gap(1_000, 1.5), u64::MAX);
    }
}
