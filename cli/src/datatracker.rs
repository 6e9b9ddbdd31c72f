//! `agenda import datatracker` and `agenda export --format datatracker-fixture`: thin
//! adapters over `agenda_solver::datatracker`.

use crate::input;
use agenda_solver::datatracker::{self, records, Report};
use agenda_solver::validate;
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Sources `agenda import` reads.
#[derive(clap::Subcommand)]
pub(crate) enum ImportCommand {
    /// The datatracker's own data (Django fixtures or saved REST API lists) to an
    /// agenda-instance/1, with a report of what was dropped or guessed.
    Datatracker {
        /// The meeting's number (meeting.meeting `number`), e.g. 106.
        #[arg(long)]
        meeting: String,
        /// Fixture or API files; records of every model may be spread over them.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write the instance here (default: standard output).
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
        /// Write the conversion report (JSON) here; a summary goes to standard error.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Also read this schedule of the meeting (a name, or `official`) as an agenda.
        #[arg(long)]
        schedule: Option<String>,
        /// Where to write that agenda (required with --schedule).
        #[arg(long, requires = "schedule", value_name = "AGENDA")]
        agenda_out: Option<PathBuf>,
    },
}

pub(crate) fn run(o: &mut String, command: ImportCommand) -> Result<u8> {
    let ImportCommand::Datatracker {
        meeting,
        files,
        output,
        report,
        schedule,
        agenda_out,
    } = command;
    if schedule.is_some() && agenda_out.is_none() {
        anyhow::bail!("--schedule needs --agenda-out FILE: where to write the schedule's agenda");
    }
    let texts = files
        .iter()
        .map(|p| input::read_text(p))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .map(|(text, origin)| (origin, text))
        .collect::<Vec<_>>();
    let records = records::read(&texts)?;
    let imported = datatracker::import(&records, &meeting, schedule.as_deref())?;
    let v = validate(&imported.instance);
    eprint!("{}", summary(&imported.report));
    for issue in v.errors() {
        eprintln!("  {issue}");
    }
    let mut text = serde_json::to_string_pretty(&imported.instance)?;
    text.push('\n');
    match &output {
        Some(path) => crate::write_file(path, &text)?,
        None => o.push_str(&text),
    }
    if let Some(path) = report {
        let mut doc = serde_json::to_string_pretty(&imported.report)?;
        doc.push('\n');
        crate::write_file(&path, &doc)?;
    }
    if let (Some(agenda), Some(path)) = (&imported.agenda, agenda_out) {
        let mut doc = serde_json::to_string_pretty(agenda)?;
        doc.push('\n');
        crate::write_file(&path, &doc)?;
    }
    if !v.is_valid() {
        eprintln!("the imported instance does not validate (see above); it was written so that it can be fixed by hand");
        return Ok(2);
    }
    Ok(0)
}

/// The report in a few lines: counts, then every note.
pub(crate) fn summary(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "imported {} requests from {} sessions, {} constraints; {} rooms, {} slots from {} timeslots; {} dropped, {} guessed:",
        r.requests,
        r.sessions,
        r.constraints,
        r.rooms,
        r.slots,
        r.timeslots,
        r.count("dropped"),
        r.count("guessed")
    );
    for n in &r.notes {
        let _ = writeln!(s, "  {} {}: {}", n.action, n.subject, n.why);
    }
    s
}

/// `agenda` of `instance_path` as datatracker fixture records (a new, unofficial schedule).
pub(crate) fn schedule_fixture(
    instance_path: &Path,
    agenda: &agenda_solver::Agenda,
    name: &str,
    pk: u64,
) -> Result<String> {
    let instance = input::instance(instance_path)?;
    let doc = datatracker::schedule_fixture(&instance, agenda, name, pk)
        .map_err(|e| anyhow::anyhow!("{}: {e}", instance_path.display()))
        .context("cannot write a datatracker fixture")?;
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok(text)
}

/// `agenda export -f datatracker-json`: the agenda in the shape of the datatracker's
/// `/api/meeting/N/agenda-data`.
pub(crate) fn agenda_data(instance_path: &Path, agenda: &agenda_solver::Agenda) -> Result<String> {
    let instance = input::instance(instance_path)?;
    let doc = datatracker::agenda_data(&instance, agenda)
        .map_err(|e| anyhow::anyhow!("{}: {e}", instance_path.display()))
        .context("cannot write the agenda-data JSON")?;
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok(text)
}
