//! Reading the CLI's input files, where `-` means standard input (read once).

use agenda_solver::{parse_agenda, parse_instance, Agenda, Instance};
use anyhow::{Context, Result};
use std::io::Read;
use std::path::Path;

/// The text of `path`, or of standard input when `path` is `-`, and the name to give
/// it in messages.
pub(crate) fn read_text(path: &Path) -> Result<(String, String)> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        return Ok((text, "<stdin>".to_string()));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read the file: {e}", path.display()))?;
    Ok((text, path.display().to_string()))
}

/// An `agenda-instance/1` document from `path` (`-`: standard input).
pub(crate) fn instance(path: &Path) -> Result<Instance> {
    let (text, origin) = read_text(path)?;
    Ok(parse_instance(&text, &origin)?)
}

/// An `agenda/1` document from `path` (`-`: standard input).
pub(crate) fn agenda(path: &Path) -> Result<Agenda> {
    let (text, origin) = read_text(path)?;
    Ok(parse_agenda(&text, &origin)?)
}

/// Refuses two inputs that both read standard input.
pub(crate) fn one_stdin(paths: &[&Path]) -> Result<()> {
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        anyhow::bail!("only one input can be `-` (standard input); give the others as files");
    }
    Ok(())
}
