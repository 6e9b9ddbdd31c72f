//! `agenda virtual`: fully online meetings (ONLINE.md section 3).

use crate::{load_problem_of, write_file, Exit};
use agenda_solver::interim::{self, PlanOptions};
use agenda_solver::online::{self, Class, VirtualMeeting, VirtualMeetingSpec};
use agenda_solver::solve::{solve, SolveOptions, SolveReport};
use agenda_solver::{Instance, Problem};
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(clap::Subcommand)]
pub enum VirtualCommand {
    /// Build and solve an online meeting: tracks in a UTC window (RFC 9400), a reduced
    /// agenda by priority, and interim requests for every group left out.
    Plan {
        /// A virtual-meeting/1 description.
        meeting: PathBuf,
        /// The session requests (an agenda-instance/1 of the in-person kind).
        #[arg(long)]
        requests: PathBuf,
        /// Folder for instance.json, agenda.json, interim-request.json (and
        /// interim-plan.json with --interims).
        #[arg(long, short = 'o')]
        output: PathBuf,
        /// Seconds for the meeting's solve (and as much again for the interims).
        #[arg(long, default_value_t = 60.0)]
        time_limit: f64,
        /// Also plan the left-out groups' interims.
        #[arg(long)]
        interims: bool,
    },
    /// The trade-off table: for 2-9 tracks and 4-6 hour days, how many sessions fit,
    /// what the best agenda costs, and which priority classes stay out.
    Shape {
        meeting: PathBuf,
        #[arg(long)]
        requests: PathBuf,
        /// Seconds for each shape's solve (shapes run side by side on every core).
        #[arg(long, default_value_t = 20.0)]
        time_limit: f64,
    },
}

fn check_limit(seconds: f64) -> Result<Duration> {
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0) {
        anyhow::bail!("--time-limit must be a number of seconds from 0 to 86400, not {seconds}");
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn load_meeting(path: &Path) -> Result<VirtualMeeting> {
    let (text, _) = crate::input::read_text(path)?;
    let spec: VirtualMeetingSpec = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a virtual-meeting/1 document", path.display()))?;
    online::check(&spec).map_err(|errors| {
        eprintln!("{}: the virtual meeting is invalid:", path.display());
        for e in errors {
            eprintln!("  {e}");
        }
        anyhow::Error::new(Exit(2))
    })
}

fn class_of(requests: &Instance, group: &str) -> Class {
    requests
        .groups
        .iter()
        .find(|g| g.acronym == group)
        .map_or(Class::Other, Class::of)
}

fn solve_meeting(
    instance: &Instance,
    origin: &str,
    limit: Duration,
    threads: u32,
) -> Result<(Problem, SolveReport)> {
    let problem = load_problem_of(instance, origin)?;
    let report = solve(
        &problem,
        &SolveOptions {
            time_limit: limit,
            threads,
            ..SolveOptions::default()
        },
        &mut |_| {},
    );
    Ok((problem, report))
}

pub fn run(o: &mut String, command: VirtualCommand) -> Result<u8> {
    match command {
        VirtualCommand::Plan {
            meeting,
            requests,
            output,
            time_limit,
            interims,
        } => {
            let limit = check_limit(time_limit)?;
            let vm = load_meeting(&meeting)?;
            let reqs = crate::input::instance(&requests)?;
            let instance = vm.instance(&reqs);
            let began = Instant::now();
            let (problem, report) = solve_meeting(&instance, "the virtual instance", limit, 2)?;
            let agenda = report.to_agenda(&problem);
            let out = online::left_out(&reqs, &agenda);
            let interim_file = vm.interim_requests(&reqs, &out);
            std::fs::create_dir_all(&output)
                .with_context(|| format!("cannot create {}", output.display()))?;
            let json = |v: &dyn erased::Json| -> Result<String> { v.pretty() };
            write_file(&output.join("instance.json"), &json(&instance)?)?;
            write_file(&output.join("agenda.json"), &json(&agenda)?)?;
            write_file(&output.join("interim-request.json"), &json(&interim_file)?)?;
            writeln!(
                o,
                "Online meeting {}: {} days, {} tracks, blocks {:?} with {}-minute breaks.",
                vm.number,
                vm.days.len(),
                vm.tracks,
                vm.blocks,
                vm.break_minutes
            )?;
            writeln!(o, "Window: {}", vm.explain())?;
            let gap = report.gap().map_or("no bound".to_string(), |g| {
                format!("gap {:.2} %", 100.0 * g)
            });
            writeln!(
                o,
                "Agenda: cost {}, {} ({}), {} sessions placed, solved in {:.1} s.",
                agenda.cost.unwrap_or(0),
                agenda.status.as_deref().unwrap_or("?"),
                gap,
                agenda.assignments.len(),
                began.elapsed().as_secs_f64()
            )?;
            // Who meets and why, class by class.
            let mut by_class: BTreeMap<Class, (Vec<String>, Vec<String>)> = BTreeMap::new();
            for r in &reqs.requests {
                let e = by_class.entry(class_of(&reqs, &r.group)).or_default();
                if out.contains(&r.group) {
                    e.1.push(r.group.clone())
                } else {
                    e.0.push(r.group.clone())
                }
            }
            writeln!(
                o,
                "\nWho meets (priority = unscheduled penalty multiplier):"
            )?;
            for (class, (meet, away)) in &by_class {
                writeln!(
                    o,
                    "  {} (priority {}): {} of {} meet{}{}",
                    class.describe(),
                    class.priority(&vm.priorities),
                    meet.len(),
                    meet.len() + away.len(),
                    if meet.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", meet.join(" "))
                    },
                    if away.is_empty() {
                        String::new()
                    } else {
                        format!("; to interims: {}", away.join(" "))
                    }
                )?;
            }
            writeln!(o, "\nFairness (share of the meeting's session minutes in each region's night, RFC 9400 windows):")?;
            let sessions: Vec<(chrono::NaiveDateTime, u32)> = agenda
                .assignments
                .iter()
                .filter_map(|a| {
                    let slot = instance.slots.iter().find(|s| s.id == a.slot)?;
                    let start =
                        chrono::NaiveDateTime::parse_from_str(&slot.start, "%Y-%m-%dT%H:%M")
                            .ok()?;
                    let minutes = problem
                        .sessions
                        .iter()
                        .find(|s| problem.acronym(s.group) == a.group && s.number == a.session)?
                        .minutes
                        .min(slot.minutes);
                    Some((start, minutes))
                })
                .collect();
            for (region, share) in online::night_shares(&sessions) {
                writeln!(o, "  {region:14} {:5.1} %", 100.0 * share)?;
            }
            writeln!(
                o,
                "\nWrote {}/instance.json, agenda.json, interim-request.json ({} groups).",
                output.display(),
                out.len()
            )?;
            if interims {
                let v = interim::validate(&interim_file, None);
                let Some(ip) = v.problem else {
                    for e in v.errors() {
                        eprintln!("  {e}");
                    }
                    anyhow::bail!("the generated interim request is invalid");
                };
                let plan = interim::plan_document(
                    &ip,
                    &PlanOptions {
                        time_limit: limit,
                        greedy_only: false,
                    },
                );
                let check = interim::check_plan(&ip, &plan);
                write_file(&output.join("interim-plan.json"), &json(&plan)?)?;
                writeln!(o, "Interims: {} plan, cost {}, {} meetings, {} unplaced, {} hard errors (interim-plan.json).", plan.status, plan.cost, plan.meetings.len(), plan.unplaced.len(), check.errors.len())?;
            }
            Ok(0)
        }
        VirtualCommand::Shape {
            meeting,
            requests,
            time_limit,
        } => {
            let limit = check_limit(time_limit)?;
            let vm = load_meeting(&meeting)?;
            let reqs = crate::input::instance(&requests)?;
            // Day lengths of 4, 5 and 6 hours in 120- and 60-minute blocks with 30-minute
            // breaks (RFC 9400): the longest blocks that fit, then a 60-minute one.
            let days: [(u32, Vec<u32>); 3] = [
                (4, vec![120, 60]),
                (5, vec![120, 120]),
                (6, vec![120, 120, 60]),
            ];
            let shapes: Vec<(u32, u32, Vec<u32>)> = (2..=9u32)
                .flat_map(|t| days.iter().map(move |(h, b)| (t, *h, b.clone())))
                .collect();
            let began = Instant::now();
            let rows: Vec<Result<String>> = shapes
                .par_iter()
                .map(|(tracks, hours, blocks)| {
                    let mut shape = vm.clone();
                    shape.tracks = *tracks;
                    shape.blocks = blocks.clone();
                    shape.break_minutes = 30;
                    let instance = shape.instance(&reqs);
                    let t0 = Instant::now();
                    let (problem, report) = solve_meeting(&instance, "a shape's instance", limit, 1)?;
                    let agenda = report.to_agenda(&problem);
                    let out = online::left_out(&reqs, &agenda);
                    let mut classes: BTreeMap<Class, usize> = BTreeMap::new();
                    for g in &out {
                        *classes.entry(class_of(&reqs, g)).or_default() += 1;
                    }
                    let conflicts: Vec<String> = report
                        .evaluation
                        .table()
                        .into_iter()
                        .filter(|(k, t)| t.count > 0 && k.key() != "unscheduled")
                        .map(|(k, t)| format!("{} {}", k.key(), t.count))
                        .collect();
                    let out_classes: Vec<String> = classes.iter().map(|(c, n)| format!("{n} {c:?}").to_lowercase()).collect();
                    Ok(format!(
                        "| {tracks} | {hours} h {blocks:?} | {} / {} | {} | {} | {} | {} | {:.1} s |",
                        agenda.assignments.len(),
                        problem.schedulable_sessions().count(),
                        agenda.cost.unwrap_or(0),
                        report.gap().map_or("-".into(), |g| format!("{:.2} %", 100.0 * g)),
                        if conflicts.is_empty() { "none".to_string() } else { conflicts.join(", ") },
                        if out_classes.is_empty() { "none".to_string() } else { out_classes.join(", ") },
                        t0.elapsed().as_secs_f64()
                    ))
                })
                .collect();
            writeln!(
                o,
                "Online meeting {}: {} days; window {}",
                vm.number,
                vm.days.len(),
                vm.explain()
            )?;
            writeln!(o, "| tracks | day | sessions placed | cost | gap | priced violations (count) | groups left out by class | time |")?;
            writeln!(o, "|---|---|---|---|---|---|---|---|")?;
            for r in rows {
                writeln!(o, "{}", r?)?;
            }
            writeln!(
                o,
                "{} shapes in {:.1} s on {} threads, {} s each at most.",
                shapes.len(),
                began.elapsed().as_secs_f64(),
                rayon::current_num_threads(),
                limit.as_secs_f64()
            )?;
            Ok(0)
        }
    }
}

/// Pretty JSON of any serializable document, with a final newline.
mod erased {
    pub trait Json {
        fn pretty(&self) -> anyhow::Result<String>;
    }
    impl<T: serde::Serialize> Json for T {
        fn pretty(&self) -> anyhow::Result<String> {
            let mut t = serde_json::to_string_pretty(self)?;
            t.push('\n');
            Ok(t)
        }
    }
}
