//! `agenda whatif`: named edits re-solved from a published agenda, side by side
//! ([`agenda_solver::whatif`]).

use crate::{agenda_of_meeting, input, write_file};
use agenda_solver::export::text::group_digits;
use agenda_solver::solve::SolveOptions;
use agenda_solver::whatif::{self, Outcome, WhatIfOptions};
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(crate) struct WhatifFlags {
    instance: PathBuf,
    /// The published agenda every scenario starts from.
    #[arg(long, value_name = "AGENDA")]
    base: PathBuf,
    /// The scenario file: one `NAME: EDIT; EDIT ...` per line (see `docs/whatif.md`).
    #[arg(long, value_name = "FILE", required_unless_present = "generate")]
    scenarios: Option<PathBuf>,
    /// Instead of solving, print this many generated single-edit scenarios (a room
    /// closed, a conflict added, attendees doubled, a time range avoided, a late BoF).
    #[arg(long, value_name = "N", conflicts_with = "scenarios")]
    generate: Option<usize>,
    /// Each scenario's time limit, in seconds.
    #[arg(long, default_value_t = 10.0)]
    time_limit: f64,
    /// Stop a scenario at this relative gap.
    #[arg(long, default_value_t = 0.0)]
    gap: f64,
    /// Scenarios solved at once (default: one per core).
    #[arg(long)]
    jobs: Option<usize>,
    /// Threads of each scenario's solve.
    #[arg(long, default_value_t = 1)]
    threads: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    moves: crate::MoveFlags,
    /// Write each scenario's agenda here, as NAME.json.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    #[arg(long, short = 'f', value_enum, default_value_t = TableFormat::Text)]
    format: TableFormat,
    /// Write the table (or the generated scenarios) here instead of standard output.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum TableFormat {
    Text,
    Json,
}

pub(crate) fn cmd_whatif(o: &mut String, flags: WhatifFlags) -> Result<u8> {
    let paths = [
        Some(flags.instance.as_path()),
        Some(flags.base.as_path()),
        flags.scenarios.as_deref(),
    ];
    input::one_stdin(&paths.into_iter().flatten().collect::<Vec<_>>())?;
    let instance = input::instance(&flags.instance)?;
    let problem = crate::load_problem_of(&instance, &flags.instance.display().to_string())?;
    let base = agenda_of_meeting(&flags.base, &problem, "--base")?;
    let text = match flags.generate {
        Some(count) => whatif::to_text(&whatif::generate(&instance, &base, count, flags.seed)),
        None => {
            let path = flags
                .scenarios
                .as_deref()
                .context("give --scenarios FILE or --generate N")?;
            let run = run_file(&instance, &base, path, &flags)?;
            if let Some(dir) = &flags.out_dir {
                write_agendas(dir, &run.outcomes)?;
            }
            match flags.format {
                TableFormat::Text => table(&run),
                TableFormat::Json => {
                    let mut s = serde_json::to_string_pretty(&run)?;
                    s.push('\n');
                    s
                }
            }
        }
    };
    match &flags.output {
        Some(path) => write_file(path, &text)?,
        None => o.push_str(&text),
    }
    Ok(0)
}

/// Reads, checks and runs the scenarios at `path`; a line per scenario on standard
/// error as each ends.
fn run_file(
    instance: &agenda_solver::Instance,
    base: &agenda_solver::Agenda,
    path: &Path,
    flags: &WhatifFlags,
) -> Result<whatif::WhatIf> {
    let (text, origin) = input::read_text(path)?;
    let scenarios = whatif::parse_scenarios(&text).map_err(|e| anyhow::anyhow!("{origin}: {e}"))?;
    let solve = SolveOptions::checked(flags.time_limit, flags.gap, flags.threads, flags.seed)
        .map_err(|e| anyhow::anyhow!("--{}: {}", e.option.replace('_', "-"), e.message))?;
    let moves = flags.moves.rule()?;
    let jobs = flags
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 || jobs > 256 {
        anyhow::bail!("--jobs must be 1 to 256, got {jobs}");
    }
    let options = WhatIfOptions { solve, moves, jobs };
    let total = scenarios.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let finished = |outcome: &Outcome| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        eprintln!("[{n}/{total}] {}: {}", outcome.scenario, summary(outcome));
    };
    whatif::run(instance, base, &scenarios, &options, &finished).map_err(|errors| {
        for e in &errors {
            eprintln!("{origin}: {e}");
        }
        crate::Exit(2).into()
    })
}

fn summary(outcome: &Outcome) -> String {
    format!(
        "cost {}, {} moved, {} in {:.1}s",
        group_digits(outcome.cost),
        outcome.moved,
        proof(outcome),
        outcome.seconds
    )
}

/// `optimal`, or the gap to the proven bound.
fn proof(outcome: &Outcome) -> String {
    match (outcome.status, outcome.gap()) {
        (agenda_solver::solve::Status::Optimal, _) => "optimal".into(),
        (agenda_solver::solve::Status::Infeasible, _) => "infeasible".into(),
        (_, Some(gap)) => format!("gap {:.2} %", gap * 100.0),
        (_, None) => "no bound".into(),
    }
}

/// One row per scenario, in file order, under the base's cost.
fn table(run: &whatif::WhatIf) -> String {
    let outcomes = &run.outcomes;
    let width = outcomes
        .iter()
        .map(|o| o.scenario.len())
        .max()
        .unwrap_or(0)
        .max(8);
    let mut t = String::new();
    let _ = writeln!(
        t,
        "base agenda: cost {}; unedited meeting's bound {} (proved in {:.1}s)\n",
        group_digits(run.base_cost),
        run.unedited_bound.map_or("-".into(), group_digits),
        run.unedited_seconds
    );
    let _ = writeln!(
        t,
        "{:<width$}  {:>12}  {:>10}  {:>5}  {:>9}  {:<12}  {:>6}",
        "scenario", "cost", "change", "moved", "room only", "proof", "time"
    );
    for o in outcomes {
        let change = match o.change {
            c if c > 0 => format!("+{}", group_digits(c as u64)),
            c if c < 0 => format!("-{}", group_digits(c.unsigned_abs() as u64)),
            _ => "0".into(),
        };
        let _ = writeln!(
            t,
            "{:<width$}  {:>12}  {:>10}  {:>5}  {:>9}  {:<12}  {:>5.1}s",
            o.scenario,
            group_digits(o.cost),
            change,
            o.moved,
            o.moved_room,
            proof(o),
            o.seconds
        );
    }
    t
}

fn write_agendas(dir: &Path, outcomes: &[Outcome]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for o in outcomes {
        let mut text = serde_json::to_string_pretty(&o.agenda)?;
        text.push('\n');
        write_file(&dir.join(format!("{}.json", o.scenario)), &text)?;
    }
    Ok(())
}
