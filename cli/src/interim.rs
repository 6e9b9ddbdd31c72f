//! `agenda interim`: plan, check and generate interim meetings (ONLINE.md sections 1-2).

use crate::{write_file, Exit};
use agenda_solver::interim::{self, InterimProblem, InterimRequestFile, PlanOptions};
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(clap::Subcommand)]
pub enum InterimCommand {
    /// Plan every request of an interim-request/1 file together: fair to every zone,
    /// clear of telechats and blackout weeks, with a proven lower bound.
    Plan {
        request: PathBuf,
        /// Write the output here instead of standard output.
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
        /// Seconds for the whole plan.
        #[arg(long, default_value_t = 60.0)]
        time_limit: f64,
        /// What to write: the plan (json), a table per meeting (text), calendar events
        /// (ics) or the announcements (mail).
        #[arg(long, short = 'f', value_enum, default_value_t = PlanFormat::Json)]
        format: PlanFormat,
        /// The planning instant when the file has no "now" (RFC 3339; default: the
        /// current time).
        #[arg(long)]
        now: Option<String>,
    },
    /// Check an interim plan against its request: hard errors (exit 1), violations,
    /// cost by kind.
    Check {
        request: PathBuf,
        plan: PathBuf,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        now: Option<String>,
    },
    /// Generate the post-meeting scenario: every group of an instance asks one
    /// 60-120 minute interim over the weeks after the meeting.
    Generate {
        instance: PathBuf,
        #[arg(long, default_value_t = 6)]
        weeks: u32,
        #[arg(long, default_value_t = 6)]
        max_parallel: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum PlanFormat {
    Json,
    Text,
    Ics,
    Mail,
}

pub fn run(o: &mut String, command: InterimCommand) -> Result<u8> {
    match command {
        InterimCommand::Plan {
            request,
            output,
            time_limit,
            format,
            now,
        } => {
            if !(time_limit.is_finite() && time_limit > 0.0 && time_limit <= 86_400.0) {
                anyhow::bail!(
                    "--time-limit must be a number of seconds from 0 to 86400, not {time_limit}"
                );
            }
            let problem = load(&request, now)?;
            let plan = interim::plan_document(
                &problem,
                &PlanOptions {
                    time_limit: Duration::from_secs_f64(time_limit),
                    greedy_only: false,
                },
            );
            let text = match format {
                PlanFormat::Json => {
                    let mut t = serde_json::to_string_pretty(&plan)?;
                    t.push('\n');
                    t
                }
                PlanFormat::Text => interim::render::text(&plan),
                PlanFormat::Ics => interim::render::ics(&problem, &plan),
                PlanFormat::Mail => interim::render::mail(&problem, &plan),
            };
            eprintln!(
                "{}: {} plan, cost {}, lower bound {}, {} meetings, {} unplaced",
                request.display(),
                plan.status,
                plan.cost,
                plan.lower_bound.map_or("none".into(), |b| b.to_string()),
                plan.meetings.len(),
                plan.unplaced.len()
            );
            match output {
                Some(path) => write_file(&path, &text)?,
                None => o.push_str(&text),
            }
            Ok(0)
        }
        InterimCommand::Check {
            request,
            plan,
            json,
            now,
        } => {
            let problem = load(&request, now)?;
            crate::input::one_stdin(&[&request, &plan])?;
            let (text, origin) = crate::input::read_text(&plan)?;
            let doc = interim::parse_plan(&text, &origin)?;
            let e = interim::check_plan(&problem, &doc);
            if json {
                let out = serde_json::json!({
                    "acceptable": e.is_acceptable(),
                    "cost": e.cost,
                    "claimed_cost": doc.cost,
                    "hard_errors": e.errors,
                    "violations": e.violations,
                    "cost_by_kind": e.cost_by_kind,
                });
                writeln!(o, "{}", serde_json::to_string_pretty(&out)?)?;
            } else {
                if !e.errors.is_empty() {
                    writeln!(o, "Hard errors ({}):", e.errors.len())?;
                    for h in &e.errors {
                        writeln!(o, "  {:?} {}: {}", h.rule, h.meeting, h.message)?;
                    }
                    writeln!(o)?;
                }
                writeln!(o, "{:<20} {:>12}", "kind", "penalty")?;
                for (k, v) in &e.cost_by_kind {
                    writeln!(o, "{k:<20} {v:>12}")?;
                }
                writeln!(o, "{:<20} {:>12}", "total", e.cost)?;
                if doc.cost != e.cost {
                    writeln!(
                        o,
                        "note: the plan claims cost {} but the evaluator computes {}",
                        doc.cost, e.cost
                    )?;
                }
            }
            Ok(if e.is_acceptable() { 0 } else { 1 })
        }
        InterimCommand::Generate {
            instance,
            weeks,
            max_parallel,
            seed,
            output,
        } => {
            if !(1..=52).contains(&weeks) || !(1..=10_000).contains(&max_parallel) {
                anyhow::bail!("--weeks takes 1 to 52 and --max-parallel 1 to 10000");
            }
            let inst = crate::input::instance(&instance)?;
            let file = interim::after_meeting(
                &inst,
                &interim::AfterMeetingOptions {
                    weeks,
                    max_parallel,
                    seed,
                },
            )
            .with_context(|| format!("{}", instance.display()))?;
            let mut text = serde_json::to_string_pretty(&file)?;
            text.push('\n');
            match output {
                Some(path) => write_file(&path, &text)?,
                None => o.push_str(&text),
            }
            Ok(0)
        }
    }
}

/// Reads, completes (`now`, the named instance) and validates a request file; prints
/// every error and exits 2 when it is invalid.
fn load(path: &Path, now: Option<String>) -> Result<InterimProblem> {
    let (text, origin) = crate::input::read_text(path)?;
    let mut file: InterimRequestFile = interim::parse_request(&text, &origin)?;
    if let Some(now) = now {
        file.now = Some(now);
    } else if file.now.is_none() {
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:00Z").to_string();
        eprintln!(
            "note: {} has no \"now\"; planning from the current time {now}",
            path.display()
        );
        file.now = Some(now);
    }
    let instance = match &file.instance {
        None => None,
        Some(rel) => {
            let p = path.parent().unwrap_or(Path::new(".")).join(rel);
            Some(
                crate::input::instance(&p)
                    .with_context(|| format!("{}: \"instance\"", path.display()))?,
            )
        }
    };
    let v = interim::validate(&file, instance.as_ref());
    match v.problem {
        Some(p) => {
            for w in &p.warnings {
                eprintln!("warning: {w}");
            }
            Ok(p)
        }
        None => {
            eprintln!("{}: the interim request is invalid:", path.display());
            for issue in v.errors() {
                eprintln!("  {issue}");
            }
            Err(Exit(2).into())
        }
    }
}
