//! A meeting's named agendas: drafts the solver stores, agendas the secretariat edits
//! by hand and uploads, and the one marked published, from which what-if runs start.
//! Every agenda is priced by the evaluator under the meeting's current requests when it
//! is shown or compared, never by the cost it had when it was made.

use crate::error::{Result, ServiceError};
use crate::pb;
use crate::store::{NamedAgenda, StoredAgenda, Tx};
use agenda_solver::{evaluate_agenda, parse_agenda, Issue, Problem, Severity};

/// Where a solve stores its result when the request names no agenda.
pub const DEFAULT_DRAFT: &str = "draft";
/// What-if agendas are stored as this prefix and the scenario's name.
pub const WHATIF_PREFIX: &str = "whatif-";

/// Refuses a name that is not 1-64 letters, digits, '-', '_' or '.'.
pub fn check_name(field: &str, name: &str) -> Result<()> {
    let fine = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if fine {
        Ok(())
    } else {
        Err(ServiceError::BadArgument {
            field: field.into(),
            message: "an agenda name is 1-64 letters, digits, '-', '_' or '.'; e.g. \"draft-2\""
                .into(),
        })
    }
}

/// `named` priced under `problem` (the current requests).
pub fn info(problem: &Problem, meeting: &str, named: &NamedAgenda) -> pb::AgendaInfo {
    let (cost, hard_errors, status) = match parse_agenda(&named.agenda.agenda_json, &named.name) {
        Ok(agenda) => {
            let (_, evaluation) = evaluate_agenda(problem, &agenda);
            (
                evaluation.cost,
                evaluation.hard_errors.len(),
                agenda.status.unwrap_or_default(),
            )
        }
        // Stored agendas were parsed before they were stored: this is corruption.
        Err(e) => (0, 1, format!("unreadable: {e}")),
    };
    pb::AgendaInfo {
        meeting: meeting.to_string(),
        name: named.name.clone(),
        cost,
        status,
        hard_errors: u32::try_from(hard_errors).unwrap_or(u32::MAX),
        made_by: named.made_by.clone(),
        made_at: named.agenda.created_at.clone(),
        published: named.published,
    }
}

/// Stores an uploaded agenda under `name`: it must parse and break no hard rule under
/// the current requests; the published agenda is replaced only with `overwrite`.
#[allow(clippy::too_many_arguments)]
pub fn save(
    tx: &Tx,
    problem: &Problem,
    meeting: &str,
    name: &str,
    agenda_json: String,
    made_by: &str,
    at: &str,
    overwrite: bool,
) -> Result<pb::AgendaInfo> {
    check_name("name", name)?;
    let agenda =
        parse_agenda(&agenda_json, "agenda_json").map_err(|e| ServiceError::BadArgument {
            field: "agenda_json".into(),
            message: format!("{e}: send an agenda/1 JSON document"),
        })?;
    let (_, evaluation) = evaluate_agenda(problem, &agenda);
    if !evaluation.hard_errors.is_empty() {
        return Err(ServiceError::Invalid {
            message: format!(
                "the agenda breaks {} hard rule(s) under the current requests; first: {}",
                evaluation.hard_errors.len(),
                evaluation.hard_errors[0].message
            ),
            issues: evaluation
                .hard_errors
                .iter()
                .map(|h| Issue {
                    severity: Severity::Error,
                    request: None,
                    field: "agenda_json".into(),
                    message: h.message.clone(),
                    help: Some("fix the placement, or check it with Scheduling.CheckAgenda".into()),
                })
                .collect(),
        });
    }
    let existing = tx.named_agenda(meeting, name)?;
    if existing.as_ref().is_some_and(|e| e.published) && !overwrite {
        return Err(ServiceError::FailedPrecondition(format!(
            "{name} is IETF {meeting}'s published agenda: send overwrite to replace it, or save under another name"
        )));
    }
    let named = NamedAgenda {
        name: name.to_string(),
        agenda: StoredAgenda {
            agenda_json,
            stats_json: "{}".into(),
            created_at: at.to_string(),
        },
        made_by: made_by.to_string(),
        published: existing.is_some_and(|e| e.published),
    };
    tx.put_named_agenda(meeting, &named)?;
    Ok(info(problem, meeting, &named))
}

/// Stores a solve's result (of cost `cost` under `problem`) under `name`, unless the
/// agenda already there is published or cheaper under the current requests (and
/// breaks no hard rule) and `overwrite` is false; says whether it stored it.
pub fn offer(
    tx: &Tx,
    problem: &Problem,
    meeting: &str,
    named: &NamedAgenda,
    cost: u64,
    overwrite: bool,
) -> Result<bool> {
    if !overwrite {
        if let Some(existing) = tx.named_agenda(meeting, &named.name)? {
            let there = info(problem, meeting, &existing);
            if existing.published || (there.hard_errors == 0 && there.cost < cost) {
                return Ok(false);
            }
        }
    }
    tx.put_named_agenda(meeting, named)?;
    Ok(true)
}

/// The named agenda a what-if run starts from: `name`, or the published one.
pub fn base(tx: &Tx, meeting: &str, name: &str) -> Result<NamedAgenda> {
    if name.is_empty() {
        return tx
            .named_agendas(meeting)?
            .into_iter()
            .find(|a| a.published)
            .ok_or_else(|| {
                ServiceError::FailedPrecondition(format!(
                    "IETF {meeting} has no published agenda: name a base, or publish one with PublishAgenda"
                ))
            });
    }
    tx.named_agenda(meeting, name)?.ok_or_else(|| {
        ServiceError::NotFound(format!(
            "IETF {meeting} has no agenda named {name:?}; ListAgendas shows them"
        ))
    })
}
