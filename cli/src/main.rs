//! `agenda`: the secretariat's command line over `agenda-solver`.
//!
//! Exit codes: 0 success; 1 the agenda breaks a hard rule (`check`); 2 the input is
//! unusable (unreadable, not JSON, invalid instance) or the command line is wrong.

use agenda_solver::cost::{evaluate_agenda, Evaluation};
use agenda_solver::export::{self, text::group_digits, Format, Report};
use agenda_solver::generate::{generate, GenerateOptions};
use agenda_solver::graph::{describe, ConflictEdge, ConflictGraph, Selection};
use agenda_solver::problem::MoveRule;
use agenda_solver::solve::{solve, Phase, Progress, SolveOptions, Tuning};
use agenda_solver::{validate, Problem};
use anyhow::{bail, Context, Result};
use clap::{CommandFactory, Parser, Subcommand};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod datatracker;
mod input;
mod interim;
mod online;
mod serve;
mod whatif;

#[derive(Parser)]
#[command(
    name = "agenda",
    version,
    about = "Draft, solve, check and export IETF meeting agendas",
    after_help = "An input file given as `-` is read from standard input."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate an instance: every error with its request and field (exit 2 if invalid).
    Validate {
        instance: PathBuf,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Check an agenda against its instance: hard errors, violations, cost by kind.
    Check {
        instance: PathBuf,
        agenda: PathBuf,
        #[arg(long)]
        json: bool,
        /// List at most this many violations (0: all).
        #[arg(long, default_value_t = 0)]
        limit: usize,
        /// Price (or cap) moves from this base agenda too, as `solve --base` does.
        #[arg(long, value_name = "AGENDA")]
        base: Option<PathBuf>,
        #[command(flatten)]
        moves: MoveFlags,
    },
    /// What changed between two agendas of one instance: moved sessions, violations
    /// added and removed, cost by kind before and after.
    Diff {
        instance: PathBuf,
        /// The agenda before (e.g. the published one).
        before: PathBuf,
        /// The agenda after (e.g. a re-solve with --base).
        after: PathBuf,
        #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
    },
    /// Show the conflict graph: most constrained groups, components, largest clique.
    Graph {
        instance: PathBuf,
        /// text: the most constrained groups, components and cliques; dot: the graph as
        /// Graphviz DOT; svg: the picture, drawn by Graphviz's `neato` (DOT text when
        /// it is not installed).
        #[arg(long, short = 'f', value_enum, default_value_t = GraphFormat::Text)]
        format: GraphFormat,
        /// The same as `--format dot` (kept for scripts).
        #[arg(long, hide = true, conflicts_with = "format")]
        dot: bool,
        /// Draw only the groups of this area (repeatable; dot and svg).
        #[arg(long, value_name = "AREA")]
        area: Vec<String>,
        /// Draw this group and its neighbours (repeatable; dot and svg).
        #[arg(long, value_name = "ACRONYM")]
        group: Vec<String>,
        /// How many of the most constrained groups to list.
        #[arg(long, default_value_t = 15)]
        top: usize,
    },
    /// Export an agenda as csv, ics, text, html or json.
    Export {
        agenda: PathBuf,
        #[arg(long)]
        instance: PathBuf,
        /// csv, ics, text, html, json, datatracker-json (the shape of the datatracker's
        /// /api/meeting/N/agenda-data), or datatracker-fixture (a new, unofficial
        /// schedule for the datatracker's schedule editor; needs an imported instance).
        #[arg(long, short = 'f', default_value = "text")]
        format: String,
        /// Write here instead of standard output.
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
        /// Line width of the text grid.
        #[arg(long, default_value_t = export::text::DEFAULT_WIDTH)]
        width: usize,
        /// datatracker-fixture: the new schedule's name.
        #[arg(long, default_value = "agenda-draft")]
        schedule_name: String,
        /// datatracker-fixture: the new schedule's key (unused in the datatracker).
        #[arg(long, default_value_t = 900_000)]
        schedule_pk: u64,
    },
    /// Import another tool's data as an agenda-instance/1.
    #[command(subcommand)]
    Import(datatracker::ImportCommand),
    /// Solve an instance: the agenda with the least cost, and a proven lower bound.
    Solve {
        instance: PathBuf,
        /// Write the agenda here (default: standard output).
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
        #[command(flatten)]
        flags: SolveFlags,
    },
    /// What-if runs: named edits (a room closed, a conflict added, a late BoF), each
    /// re-solved from a published agenda moving as few sessions as it can, side by side.
    Whatif(whatif::WhatifFlags),
    /// Online meetings: plan one from a virtual-meeting/1 description, or compare shapes.
    #[command(subcommand)]
    Virtual(online::VirtualCommand),
    /// Interim meetings: plan a request file, check a plan, generate a scenario.
    #[command(subcommand)]
    Interim(interim::InterimCommand),
    /// Run the gRPC service (agenda.v1): session requests, solves, agendas.
    Serve(serve::ServeFlags),
    /// Print the JSON Schema of a document the engine reads or writes (generated from
    /// the types that read it; `docs/formats.md`).
    Schema {
        #[arg(value_enum)]
        document: SchemaDocument,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff) of `agenda`; e.g. `agenda man > agenda.1`.
    Man,
    /// Generate a synthetic IETF-like instance.
    Generate {
        #[arg(long)]
        sessions: usize,
        #[arg(long)]
        rooms: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Share of the (block, room) pairs the sessions fill, 0.5 to 1 [default: IETF
        /// 106's, about 0.93].
        #[arg(long)]
        fill: Option<f64>,
        /// Conflicts declared, as a multiple of IETF 106's (0 to 4).
        #[arg(long, default_value_t = 1.0)]
        conflicts: f64,
        /// Weight of requests with a 120-minute session, as a multiple of IETF 106's (0
        /// to 5).
        #[arg(long, default_value_t = 1.0)]
        long: f64,
        /// Chance that a working group that meets is a BoF (0 to 1).
        #[arg(long, default_value_t = 0.07)]
        bofs: f64,
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
    },
}

/// The documents `agenda schema` prints.
#[derive(Clone, Copy, clap::ValueEnum)]
enum SchemaDocument {
    /// `agenda-instance/1` (FORMAT.md section 1).
    Instance,
    /// `agenda/1` (FORMAT.md section 2).
    Agenda,
    /// `interim-request/1` (ONLINE.md section 1).
    InterimRequest,
    /// `interim-plan/1` (ONLINE.md section 2).
    InterimPlan,
    /// `virtual-meeting/1` (ONLINE.md section 3).
    VirtualMeeting,
}

impl From<SchemaDocument> for agenda_solver::schema::Document {
    fn from(d: SchemaDocument) -> Self {
        use agenda_solver::schema::Document as D;
        match d {
            SchemaDocument::Instance => D::Instance,
            SchemaDocument::Agenda => D::Agenda,
            SchemaDocument::InterimRequest => D::InterimRequest,
            SchemaDocument::InterimPlan => D::InterimPlan,
            SchemaDocument::VirtualMeeting => D::VirtualMeeting,
        }
    }
}

/// An error that has already been reported and only needs an exit code.
#[derive(Debug)]
struct Exit(u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}
impl std::error::Error for Exit {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut output = String::new();
    let result = run(cli, &mut output);
    // A reader that went away (`agenda check ... | head`) is not an error.
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write to standard output: {e}");
            return ExitCode::from(2);
        }
    }
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if let Some(Exit(code)) = e.downcast_ref::<Exit>() {
                return ExitCode::from(*code);
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs a command; what it prints goes to `o`, written out by `main` even on failure.
fn run(cli: Cli, o: &mut String) -> Result<u8> {
    match cli.command {
        Command::Validate { instance, json } => cmd_validate(o, &instance, json),
        Command::Check {
            instance,
            agenda,
            json,
            limit,
            base,
            moves,
        } => cmd_check(o, &instance, &agenda, json, limit, base.as_deref(), moves),
        Command::Diff {
            instance,
            before,
            after,
            format,
        } => cmd_diff(o, &instance, &before, &after, format),
        Command::Graph {
            instance,
            format,
            dot,
            area,
            group,
            top,
        } => {
            let format = if dot { GraphFormat::Dot } else { format };
            cmd_graph(o, &instance, format, &area, &group, top)
        }
        Command::Export {
            agenda,
            instance,
            format,
            output,
            width,
            schedule_name,
            schedule_pk,
        } => {
            if format == "datatracker-fixture" || format == "datatracker-json" {
                input::one_stdin(&[&agenda, &instance])?;
                let doc = input::agenda(&agenda)?;
                let text = if format == "datatracker-json" {
                    datatracker::agenda_data(&instance, &doc)?
                } else {
                    datatracker::schedule_fixture(&instance, &doc, &schedule_name, schedule_pk)?
                };
                match output {
                    Some(path) => write_file(&path, &text)?,
                    None => o.push_str(&text),
                }
                return Ok(0);
            }
            let format: Format = format.parse().map_err(|e: String| {
                anyhow::anyhow!("--format: {e}, datatracker-json or datatracker-fixture")
            })?;
            cmd_export(o, &agenda, &instance, format, output.as_deref(), width)
        }
        Command::Import(command) => datatracker::run(o, command),
        Command::Solve {
            instance,
            output,
            flags,
        } => cmd_solve(o, &instance, output.as_deref(), flags),
        Command::Serve(flags) => serve::cmd_serve(flags),
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "agenda", &mut buf);
            o.push_str(&String::from_utf8(buf)?);
            Ok(0)
        }
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
            o.push_str(&String::from_utf8(buf)?);
            Ok(0)
        }
        Command::Interim(command) => interim::run(o, command),
        Command::Virtual(command) => online::run(o, command),
        Command::Whatif(flags) => whatif::cmd_whatif(o, flags),
        Command::Schema { document } => {
            let mut text =
                serde_json::to_string_pretty(&agenda_solver::schema::schema(document.into()))?;
            text.push('\n');
            o.push_str(&text);
            Ok(0)
        }
        Command::Generate {
            sessions,
            rooms,
            seed,
            fill,
            conflicts,
            long,
            bofs,
            output,
        } => {
            let inst = generate(&GenerateOptions {
                sessions,
                rooms,
                seed,
                shape: agenda_solver::generate::Shape {
                    fill,
                    conflicts,
                    long,
                    bofs,
                },
            })?;
            let mut text = serde_json::to_string_pretty(&inst)?;
            text.push('\n');
            match output {
                Some(path) => write_file(&path, &text)?,
                None => o.push_str(&text),
            }
            Ok(0)
        }
    }
}

/// Loads and validates an instance; prints every error and fails with exit 2.
fn load_problem(path: &Path) -> Result<Problem> {
    let instance = input::instance(path)?;
    load_problem_of(&instance, &path.display().to_string())
}

/// Validates an instance; prints every error and fails with exit 2.
pub(crate) fn load_problem_of(instance: &agenda_solver::Instance, origin: &str) -> Result<Problem> {
    let path = Path::new(origin);
    let v = validate(instance);
    match v.problem {
        Some(p) => Ok(p),
        None => {
            eprintln!("{}: the instance is invalid:", path.display());
            for issue in v.errors() {
                eprintln!("  {issue}");
            }
            eprintln!(
                "run `agenda validate {}` for the full report",
                path.display()
            );
            Err(Exit(2).into())
        }
    }
}

fn cmd_validate(o: &mut String, path: &Path, json: bool) -> Result<u8> {
    let instance = input::instance(path)?;
    let path = if path.as_os_str() == "-" {
        Path::new("<stdin>")
    } else {
        path
    };
    let v = validate(&instance);
    let valid = v.is_valid();
    if json {
        let doc = serde_json::json!({
            "file": path.display().to_string(),
            "valid": valid,
            "errors": v.errors().collect::<Vec<_>>(),
            "warnings": v.warnings().collect::<Vec<_>>(),
        });
        writeln!(o, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        for issue in &v.issues {
            writeln!(o, "{issue}")?;
        }
        let errors = v.errors().count();
        let warnings = v.issues.len() - errors;
        match &v.problem {
            Some(p) => writeln!(o,
                "{}: valid: meeting {}, {} requests, {} sessions ({} schedulable), {} slots, {} rooms; {warnings} warning(s)",
                path.display(),
                p.meeting,
                p.requests.len(),
                p.sessions.len(),
                p.schedulable_sessions().count(),
                p.slots.len(),
                p.rooms.len()
            ),
            None => writeln!(o, "{}: invalid: {errors} error(s), {warnings} warning(s)", path.display()),
        }?;
    }
    Ok(if valid { 0 } else { 2 })
}

fn cmd_check(
    o: &mut String,
    instance: &Path,
    agenda_path: &Path,
    json: bool,
    limit: usize,
    base: Option<&Path>,
    moves: MoveFlags,
) -> Result<u8> {
    input::one_stdin(&[instance, agenda_path])?;
    let mut problem = load_problem(instance)?;
    if let Some(base) = base {
        problem = with_base(problem, base, moves)?;
    }
    let agenda = input::agenda(agenda_path)?;
    let (_, evaluation) = evaluate_agenda(&problem, &agenda);
    if json {
        let doc = serde_json::json!({
            "acceptable": evaluation.is_acceptable(),
            "cost": evaluation.cost,
            "claimed_cost": agenda.cost,
            "hard_errors": evaluation.hard_errors,
            "violations": evaluation.violations,
            "by_kind": evaluation.by_kind,
        });
        writeln!(o, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        print_check(o, &problem, &agenda, &evaluation, limit)?;
    }
    Ok(if evaluation.is_acceptable() { 0 } else { 1 })
}

fn print_check(
    o: &mut String,
    problem: &Problem,
    agenda: &agenda_solver::Agenda,
    e: &Evaluation,
    limit: usize,
) -> Result<()> {
    if !e.hard_errors.is_empty() {
        writeln!(o, "Hard errors ({}):", e.hard_errors.len())?;
        for h in &e.hard_errors {
            writeln!(o, "  {}", h.message)?;
        }
        writeln!(o)?;
    }
    let shown = if limit == 0 {
        e.violations.len()
    } else {
        limit.min(e.violations.len())
    };
    if !e.violations.is_empty() {
        writeln!(o, "Violations ({}):", e.violations.len())?;
        for v in &e.violations[..shown] {
            writeln!(o, "{}", violation_line(v))?;
        }
        if shown < e.violations.len() {
            writeln!(
                o,
                "  ... {} more (use --limit 0 for all)",
                e.violations.len() - shown
            )?;
        }
        writeln!(o)?;
    }
    writeln!(o, "{:<36} {:>6} {:>12}", "kind", "count", "penalty")?;
    for (kind, total) in e.table() {
        if total.count > 0 {
            writeln!(
                o,
                "{:<36} {:>6} {:>12}",
                kind.key(),
                total.count,
                group_digits(total.penalty)
            )?;
        }
    }
    writeln!(
        o,
        "{:<36} {:>6} {:>12}",
        "total",
        e.violations.len(),
        group_digits(e.cost)
    )?;
    if let Some(claimed) = agenda.cost {
        if claimed != e.cost {
            writeln!(
                o,
                "note: the agenda claims cost {} but the evaluator computes {}",
                group_digits(claimed),
                group_digits(e.cost)
            )?;
        }
    }
    if let Some(bound) = agenda.lower_bound {
        writeln!(
            o,
            "lower bound claimed by the agenda: {}",
            group_digits(bound)
        )?;
    }
    let verdict = if e.is_acceptable() {
        "acceptable"
    } else {
        "NOT acceptable (hard errors)"
    };
    writeln!(
        o,
        "meeting {}: {verdict}, cost {}",
        problem.meeting,
        group_digits(e.cost)
    )?;
    Ok(())
}

/// Output of `agenda graph`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum GraphFormat {
    Text,
    Dot,
    Svg,
}

fn cmd_graph(
    o: &mut String,
    path: &Path,
    format: GraphFormat,
    areas: &[String],
    groups: &[String],
    top: usize,
) -> Result<u8> {
    let p = load_problem(path)?;
    let g = ConflictGraph::build(&p);
    if format == GraphFormat::Text && !(areas.is_empty() && groups.is_empty()) {
        bail!("--area and --group choose what a drawing shows: add `--format svg` (or dot)");
    }
    let only = Selection::of(&p, &g, areas, groups)?;
    match format {
        GraphFormat::Text => {}
        GraphFormat::Dot => {
            o.push_str(&g.to_dot(&p, &only));
            return Ok(0);
        }
        GraphFormat::Svg => {
            o.push_str(&draw_svg(&g.to_dot(&p, &only))?);
            return Ok(0);
        }
    }
    writeln!(
        o,
        "Conflict graph of meeting {}: {} groups that meet, {} edges",
        p.meeting,
        g.graph.node_count(),
        g.graph.edge_count()
    )?;
    writeln!(
        o,
        "\nMost constrained groups (weighted degree = cost if each neighbour overlapped once):"
    )?;
    writeln!(
        o,
        "  {:<14} {:>12} {:>6} {:>9}",
        "group", "weight", "edges", "sessions"
    )?;
    for (grp, weight, edges) in g.most_constrained(&p).into_iter().take(top) {
        let sessions = p.group_sessions[grp].len();
        writeln!(
            o,
            "  {:<14} {:>12} {:>6} {:>9}",
            p.acronym(grp),
            group_digits(weight),
            edges,
            sessions
        )?;
    }
    let (components, isolated) = g.components(&p);
    writeln!(
        o,
        "\nComponents: {} connected, {} isolated group(s)",
        components.len(),
        isolated
    )?;
    for c in components.iter().take(5) {
        let names: Vec<&str> = c.iter().map(|&x| p.acronym(x)).collect();
        let shown = if names.len() > 12 {
            format!("{} ...", names[..12].join(" "))
        } else {
            names.join(" ")
        };
        writeln!(o, "  {} groups: {shown}", c.len())?;
    }
    let blocks = p.slots.len();
    for (title, clique) in [
        (
            "chair / key-participant conflicts or shared chairs",
            g.largest_clique(&p, ConflictEdge::is_severe),
        ),
        (
            "any conflict or shared person",
            g.largest_clique(&p, |_| true),
        ),
    ] {
        let names: Vec<&str> = clique.groups.iter().map(|&x| p.acronym(x)).collect();
        writeln!(o,
            "\nLargest clique over {title}: {} groups, {} sessions -> a conflict-free agenda needs at least {} distinct blocks (the meeting has {blocks})",
            clique.groups.len(),
            clique.sessions.len(),
            clique.sessions.len()
        )?;
        writeln!(o, "  {}", names.join(" "))?;
    }
    let heaviest = g
        .graph
        .edge_indices()
        .filter_map(|e| {
            let (a, b) = g.graph.edge_endpoints(e)?;
            Some((g.graph[e], p.acronym(g.graph[a]), p.acronym(g.graph[b])))
        })
        .max_by(|x, y| {
            x.0.weight
                .cmp(&y.0.weight)
                .then_with(|| (y.1, y.2).cmp(&(x.1, x.2)))
        });
    if let Some((e, a, b)) = heaviest {
        writeln!(
            o,
            "\nHeaviest edge: {a} -- {b} ({}; {})",
            describe(&e),
            group_digits(e.weight)
        )?;
    }
    Ok(0)
}

fn cmd_export(
    o: &mut String,
    agenda_path: &Path,
    instance: &Path,
    format: Format,
    output: Option<&Path>,
    width: usize,
) -> Result<u8> {
    input::one_stdin(&[instance, agenda_path])?;
    let problem = load_problem(instance)?;
    let agenda = input::agenda(agenda_path)?;
    let report = Report::new(&problem, &agenda);
    if !report.evaluation.is_acceptable() {
        eprintln!(
            "warning: the agenda breaks {} hard rule(s); exporting anyway (see `agenda check`)",
            report.evaluation.hard_errors.len()
        );
    }
    let text = match format {
        Format::Text => export::text::render(&report, width),
        other => export::render(&report, other),
    };
    match output {
        Some(path) => write_file(path, &text)?,
        None => o.push_str(&text),
    }
    Ok(0)
}

/// One violation as `check` and `diff` list it: penalty, kind, message.
fn violation_line(v: &agenda_solver::Violation) -> String {
    format!(
        "  {:>10}  {:<36} {}",
        group_digits(v.penalty),
        v.kind,
        v.message
    )
}

/// `dot` drawn as SVG by Graphviz's `neato` (a force layout: `dot`'s ranks make IETF
/// 106's graph 24,000 pixels wide); the DOT text itself, with a note, when Graphviz is
/// not installed.
fn draw_svg(dot: &str) -> Result<String> {
    use std::io::Write as _;
    let neato = std::env::var_os("AGENDA_NEATO").unwrap_or_else(|| "neato".into());
    let child = std::process::Command::new(&neato)
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "note: Graphviz's neato is not installed (apt-get install graphviz): wrote the DOT text instead; `neato -Tsvg` draws it"
            );
            return Ok(dot.to_string());
        }
        Err(e) => bail!("cannot run {}: {e}", neato.to_string_lossy()),
    };
    // A writer thread, so that neato's output cannot fill its pipe while we still write.
    let mut stdin = child.stdin.take().context("neato's standard input")?;
    let text = dot.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().context("neato")?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("the thread writing to neato panicked"))?
        .context("writing to neato")?;
    if !out.status.success() {
        bail!(
            "neato failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8(out.stdout).context("neato wrote something that is not UTF-8")
}

/// Output of `agenda diff`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum DiffFormat {
    Text,
    Json,
    /// The second agenda's grid with the changed sessions outlined (one page).
    Html,
}

fn cmd_diff(
    o: &mut String,
    instance: &Path,
    before: &Path,
    after: &Path,
    format: DiffFormat,
) -> Result<u8> {
    input::one_stdin(&[instance, before, after])?;
    let problem = load_problem(instance)?;
    let a = agenda_of_meeting(before, &problem, "before")?;
    let b = agenda_of_meeting(after, &problem, "after")?;
    let d = agenda_solver::diff::diff(&problem, &a, &b);
    match format {
        DiffFormat::Text => o.push_str(&agenda_solver::diff::to_text(&d)),
        DiffFormat::Json => writeln!(o, "{}", serde_json::to_string_pretty(&d)?)?,
        DiffFormat::Html => {
            let report = Report::new(&problem, &b);
            o.push_str(&export::html::render_diff(&report, &d));
        }
    }
    Ok(0)
}

/// The options of `agenda solve`.
#[derive(clap::Args)]
struct SolveFlags {
    /// Seconds for the whole solve.
    #[arg(long, default_value_t = 60.0)]
    time_limit: f64,
    /// Stop at this relative gap between cost and bound (0.01 = 1 %).
    #[arg(long, default_value_t = 0.0)]
    gap: f64,
    /// Tabu searches, and the slot problems of the core bounds, run side by side on this
    /// many threads (the result does not depend on it; HiGHS always uses one thread,
    /// for the same reason).
    #[arg(long, default_value_t = 2)]
    threads: u32,
    /// Seed of the searches and of HiGHS; another seed, another (equally valid) agenda.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Emit this export instead of the agenda JSON.
    #[arg(long, short = 'f', default_value = "json")]
    format: Format,
    /// Print no progress, even on a terminal.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    quiet: bool,
    /// Print every phase on its own line, even when not on a terminal.
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Show HiGHS's own log (on standard output; use with -o).
    #[arg(long)]
    solver_log: bool,
    /// Tuning: tabu steps per session in each search of the first portfolios.
    #[arg(long, default_value_t = Tuning::default().steps_per_session, hide = true)]
    steps: u64,
    /// Tuning: tabu searches per portfolio.
    #[arg(long, default_value_t = Tuning::default().runs, hide = true)]
    runs: u32,
    /// Start from this agenda (a previous draft): its placements are kept where they
    /// still fit, and the result is never worse than it.
    #[arg(long, value_name = "AGENDA")]
    start: Option<PathBuf>,
    /// Minimal change: re-solve from this published agenda, moves to another block
    /// weighed by --move-cost (the default), --max-moves or --lexicographic (room
    /// changes are free); the search starts from it. The agenda's violations list
    /// every move.
    #[arg(long, value_name = "AGENDA", conflicts_with = "start")]
    base: Option<PathBuf>,
    #[command(flatten)]
    moves: MoveFlags,
}

/// How moves from `--base` are weighed: one of the three, or the default cost.
#[derive(clap::Args, Debug, Clone, Copy)]
#[group(id = "move_rule", multiple = false, requires = "base")]
pub(crate) struct MoveFlags {
    /// The cost of moving one session to another block [default: 10000, a technology
    /// overlap's weight: a session moves only to save more than that].
    #[arg(long, value_name = "COST")]
    move_cost: Option<u64>,
    /// Instead of a cost: the FORMAT.md cost with at most K sessions moved to another
    /// block (a hard rule; `check` reports an agenda that moves more).
    #[arg(long, value_name = "K")]
    max_moves: Option<u64>,
    /// Instead of a cost: the FORMAT.md cost first, then the fewest moves.
    #[arg(long)]
    lexicographic: bool,
}

impl MoveFlags {
    /// The rule, checked by the solver's one check.
    pub(crate) fn rule(self) -> Result<MoveRule> {
        agenda_solver::whatif::checked_move_rule(self.move_cost, self.max_moves, self.lexicographic)
            .map_err(|(option, m)| anyhow::anyhow!("--{}: {m}", option.replace('_', "-")))
    }
}

fn cmd_solve(
    o: &mut String,
    instance: &Path,
    output: Option<&Path>,
    flags: SolveFlags,
) -> Result<u8> {
    use std::io::IsTerminal;
    let SolveFlags {
        time_limit,
        gap,
        threads,
        seed,
        format,
        quiet,
        verbose,
        solver_log,
        steps,
        runs,
        start,
        base,
        moves,
    } = flags;
    let mut problem = load_problem(instance)?;
    let start = match base {
        Some(path) => {
            problem = with_base(problem, &path, moves)?;
            Some(path)
        }
        None => start,
    };
    let options = SolveOptions::checked(time_limit, gap, threads, seed)
        .map_err(|e| anyhow::anyhow!("--{}: {}", e.option.replace('_', "-"), e.message))?;
    let options = SolveOptions {
        solver_log,
        tuning: Tuning {
            steps_per_session: steps,
            runs,
            ..Tuning::default()
        },
        ..options
    };
    let start = match start {
        None => None,
        Some(path) => {
            let agenda = agenda_of_meeting(&path, &problem, "--start")?;
            Some(agenda_solver::solve::start_from_agenda(&problem, &agenda))
        }
    };
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    serve::cancel_on_ctrl_c(cancel.clone());
    let options = SolveOptions {
        cancel: Some(cancel),
        start,
        ..options
    };
    let show = !quiet && !verbose && std::io::stderr().is_terminal();
    // On a terminal, one line that a spinner keeps alive between reports.
    let bar = show.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let mut last: Option<(Phase, Option<u64>, Option<u64>)> = None;
    let mut progress = |pr: &Progress| {
        let fmt = |v: Option<u64>| v.map_or("-".to_string(), group_digits);
        let state = (pr.phase, pr.incumbent, pr.bound);
        let changed = last != Some(state);
        last = Some(state);
        if verbose && changed {
            eprintln!(
                "{:<10} incumbent {:>12}  bound {:>12}  {:>7.1}s",
                pr.phase,
                fmt(pr.incumbent),
                fmt(pr.bound),
                pr.elapsed.as_secs_f64()
            );
        } else if let Some(bar) = &bar {
            let line = format!(
                "{:<10} incumbent {:>12}  bound {:>12}  {:>7.1}s",
                pr.phase,
                fmt(pr.incumbent),
                fmt(pr.bound),
                pr.elapsed.as_secs_f64()
            );
            if pr.phase == Phase::Done {
                bar.finish_and_clear();
                eprintln!("{line}");
            } else {
                bar.set_message(line);
            }
        }
    };
    let report = solve(&problem, &options, &mut progress);
    let agenda = report.to_agenda(&problem);
    let text = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&agenda)?;
            s.push('\n');
            s
        }
        other => export::render(&Report::new(&problem, &agenda), other),
    };
    match output {
        Some(path) => write_file(path, &text)?,
        None => o.push_str(&text),
    }
    if !quiet {
        let gap = report.gap().map_or("no bound".to_string(), |g| {
            format!("gap {:.2} %", g * 100.0)
        });
        eprintln!(
            "{}: {} cost {} (bound {}, {gap}) in {:.1}s; {} sessions, {} variables, {} rows",
            instance.display(),
            report.status.key(),
            group_digits(report.evaluation.cost),
            report.lower_bound.map_or("-".into(), group_digits),
            report.stats.total_time.as_secs_f64(),
            report.stats.sessions,
            report.stats.variables,
            report.stats.rows
        );
        for d in &report.diagnosis {
            eprintln!("note: {d}");
        }
        if report.stats.cancelled {
            eprintln!("note: interrupted; this is the best agenda found before Ctrl-C");
        }
        if report.stats.cut_by_time && !report.stats.cancelled {
            eprintln!("note: the time limit cut a phase short; another machine may give another agenda (a longer --time-limit makes runs reproducible)");
        }
    }
    Ok(if report.evaluation.is_acceptable() {
        0
    } else {
        1
    })
}

/// `problem` re-solved or checked from the base agenda at `path` (`--base`).
fn with_base(problem: Problem, path: &Path, moves: MoveFlags) -> Result<Problem> {
    let rule = moves.rule()?;
    let agenda = agenda_of_meeting(path, &problem, "--base")?;
    Ok(problem.with_base(&agenda, rule))
}

/// Reads an agenda given with `flag` and checks that it is of `problem`'s meeting.
fn agenda_of_meeting(path: &Path, problem: &Problem, flag: &str) -> Result<agenda_solver::Agenda> {
    let agenda = input::agenda(path)?;
    if agenda.meeting != problem.meeting {
        anyhow::bail!(
            "{flag} {}: the agenda is for meeting {:?} but the instance is meeting {:?}; give an agenda of this meeting",
            path.display(),
            agenda.meeting,
            problem.meeting
        );
    }
    Ok(agenda)
}

/// Writes a file atomically (a temporary file renamed into place), so an interrupted run
/// never leaves a half-written agenda where a good one was.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp~");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
