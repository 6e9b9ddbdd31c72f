//! The solve's policy numbers, in one place: how the time left is shared between the
//! phases, the step budgets of the searches (counted, so runs are reproducible), and
//! the size thresholds of the models.
//!
//! Each number was chosen by measurement; `docs/solver.md` ("Policy") gives the
//! evidence, and `BENCHMARKS.md` the runs behind it. A share is of the time left when
//! the phase starts, not of the whole limit.

use std::time::Duration;

// ---- Time shares of the phases (fractions of the time left) ----

/// The scouting searches, which give the core relaxations an incumbent to budget against.
pub(super) const SCOUT_SHARE: f64 = 0.15;
/// The core relaxation of the crowded cliques' sessions.
pub(super) const CROWDED_CORE_SHARE: f64 = 0.15;
/// The core relaxation of the sessions that need the longest blocks.
pub(super) const LONGEST_CORE_SHARE: f64 = 0.3;
/// Each portfolio of tabu searches.
pub(super) const PORTFOLIO_SHARE: f64 = 0.6;
/// The restricted core, after the first portfolio.
pub(super) const RESTRICTED_CORE_SHARE: f64 = 0.4;
/// Large-neighbourhood search, while the portfolios end on their own.
pub(super) const LNS_SHARE: f64 = 0.5;
/// Large-neighbourhood search once the clock cut a portfolio: the searches find more.
pub(super) const LNS_SHARE_AFTER_CUT: f64 = 0.1;
/// Each whole-meeting probe.
pub(super) const PROBE_SHARE: f64 = 0.5;
/// The whole-meeting probe right after the core relaxations, for an early bound.
pub(super) const EARLY_PROBE_SHARE: f64 = 0.4;
/// That probe runs only when the core bound is at most 1/this of the incumbent (half):
/// the cores missed what the meeting's cost is made of.
pub(super) const EARLY_PROBE_MAX_CORE_SHARE_DIVISOR: u64 = 2;
/// It also runs when an agenda cheaper than the incumbent may move at most this many
/// sessions from a what-if's base (the unedited meeting's bound, or the rule's cap).
pub(super) const EARLY_PROBE_MAX_MOVES: usize = 1;
/// ... and when HiGHS's presolve of it would take at most this share of its time: on
/// gen-250x16-s5 it took 15 s of 16 and raised nothing.
pub(super) const EARLY_PROBE_MAX_SETUP_SHARE: f64 = 1.0 / 3.0;
/// A later probe of a what-if (a base) starts only when its presolve, by the estimate
/// of [`PROBE_SETUP_PER_ROW`], would take at most this share of its time: on IETF 106
/// edits presolve took 2.4 to 4.2 times the estimate (two solved at once) and a probe
/// ran 1.4 s past a 5 s limit; on the IETF-sized synthetic it took a third of it.
pub(super) const WHATIF_PROBE_MAX_SETUP_SHARE: f64 = 0.25;
/// A what-if whose cheaper agendas move at most this many sessions from the base
/// lists them all ([`super::moves`]) before anything else.
pub(super) const LIST_MAX_MOVES: usize = 2;
/// ... pricing at most this many sets of moves exactly (counted: about 4 µs each on
/// IETF 106, so 0.8 s at most; two moves took 26-211 ms there).
pub(super) const LIST_MAX_PRICED: u64 = 200_000;
/// ... and assigning rooms to at most this many of the agendas it finds within the
/// target, cheapest first (the rest leave their time-level cost as the bound).
pub(super) const LIST_MAX_ROOMED: usize = 50;
/// A slot-decomposition core bound (a safety net: its iteration count ends it first).
pub(super) const LAGRANGE_TIME_SHARE: f64 = 0.2;

/// Less time than this left: the solve stops.
pub(super) const MIN_TIME_LEFT: Duration = Duration::from_millis(200);
/// The least time an ILP is given.
pub(super) const MIN_ILP_TIME: Duration = Duration::from_millis(100);

// ---- Searches ----

/// Searches in the scouting portfolio.
pub(super) const SCOUT_RUNS: u32 = 2;
/// Tabu steps per session of each scouting search.
pub(super) const SCOUT_STEPS_PER_SESSION: u64 = 120;
/// Tabu steps per session of each scouting search of a what-if, from its base: a few
/// moves repair what the edit broke.
pub(super) const WHATIF_SCOUT_STEPS_PER_SESSION: u64 = 20;
/// ... when the base (kept where it fits) costs at most this many times the unedited
/// meeting's bound; above, the scouts start fresh.
pub(super) const WHATIF_NEAR_FLOOR_FACTOR: u64 = 2;
/// A second scouting portfolio weighs each trim this many times its price, when the
/// first one's agenda trims a session that a block of its length could hold: on
/// gen-250x16-s5 the scouts reached 238,600 with two trims (200,000), the
/// trim-averse ones 58,700 with none.
pub(super) const TRIM_AVERSE_FACTOR: u64 = 10;
/// Batches of searches in a row that find nothing cheaper before the solve stops.
pub(super) const STALLED_BATCHES: u32 = 4;
/// Steps without a new best before a search from the incumbent restarts from its best.
pub(super) const INCUMBENT_STALL_LIMIT: u64 = 2_000;
/// Steps of a search from the incumbent at most: several short ones side by side find
/// more than two long ones.
pub(super) const INCUMBENT_STEPS: u64 = 40_000;
/// A core-first search needs the core's cheapest placement to save at least 1/this
/// of the incumbent's cost (5 %).
pub(super) const CORE_FIRST_MIN_SAVING_DIVISOR: u64 = 20;
/// Tabu steps per core session when the searches' core is placed alone.
pub(super) const CORE_STEPS_PER_SESSION: u64 = 100;
/// Tabu steps per session of a core-first round with the core held, then free.
pub(super) const CORE_HELD_STEPS_PER_SESSION: u64 = 10;
pub(super) const CORE_FREE_STEPS_PER_SESSION: u64 = 30;

// ---- Bounds and models ----

/// Subgradient iterations of a slot-decomposition core bound at most, and how many
/// may pass without a gain of one cost unit.
pub(super) const LAGRANGE_ITERATIONS: usize = 2_000;
pub(super) const LAGRANGE_PATIENCE: usize = 300;
/// HiGHS runs on a core only when the slot decomposition's bound stays more than
/// 1/this below a placement of the core (1 %).
pub(super) const CLOSE_ENOUGH_DIVISOR: u64 = 100;
/// A session with at most this many slots left by the core bound joins the restricted
/// core and the searches' core.
pub(super) const RESTRICTED_MAX_SLOTS: usize = 8;
/// Pairs at least this heavy form the cliques that join the core when they are crowded.
pub(super) const CROWDED_PAIR_WEIGHT: u64 = 10_000;
/// A core model above this many pair rows leaves out the pairs lighter than
/// [`LIGHT_PAIR_WEIGHT`]; still above it, the core is skipped.
pub(super) const MAX_CORE_ROWS: usize = 30_000;
/// The pairs a large core leaves out (shared ADs weigh 100; technology overlaps and
/// must-attend people, 10,000, stay).
pub(super) const LIGHT_PAIR_WEIGHT: u64 = 10_000;
/// Until a probe has measured it, the presolve of the whole-meeting model is guessed at
/// this much per row (docs/solver.md, Policy); a probe that would get less time than
/// its presolve is not started, since HiGHS's time limit does not interrupt presolve.
pub(super) const PROBE_SETUP_PER_ROW: Duration = Duration::from_micros(130);
/// Above this many rows the whole-meeting model is not built (no probes).
pub(super) const MAX_FULL_MODEL_ROWS: usize = 150_000;
