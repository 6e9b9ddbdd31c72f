//! The interim meetings of the service: a calendar kept by the secretariat, requests
//! from chairs planned against it and against every stored interim, announcements into
//! the outbox. The planning, naming and checking are `agenda_solver::interim`'s; this
//! module stores and authorizes.

use crate::auth::Caller;
use crate::error::{Result, ServiceError};
use crate::store::{Notification, Store, StoredInterim};
use agenda_solver::interim::{
    self, ExistingSpec, InterimPlan, InterimRequestFile, InterimRequestSpec, PlanOptions,
};
use std::time::Duration;

/// Longest plan a caller may ask for.
pub const MAX_TIME_LIMIT: Duration = Duration::from_secs(600);
/// How often a request is planned again, optimistically, when another one was stored
/// meanwhile; after that it plans while holding the store.
const RETRIES: usize = 3;

/// A caller's time limit: 0 means 60 s.
pub fn time_limit(seconds: f64) -> Result<Duration> {
    if seconds == 0.0 {
        return Ok(Duration::from_secs(60));
    }
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= MAX_TIME_LIMIT.as_secs_f64()) {
        return Err(ServiceError::BadArgument {
            field: "time_limit_seconds".into(),
            message: format!("{seconds} is not a number of seconds from 0 to 600"),
        });
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn parse_file(text: &str, field: &str) -> Result<InterimRequestFile> {
    interim::parse_request(text, field).map_err(|e| ServiceError::BadArgument {
        field: field.into(),
        message: e.to_string(),
    })
}

fn invalid(v: interim::InterimValidation, what: &str) -> ServiceError {
    let issues: Vec<_> = v.errors().cloned().collect();
    ServiceError::Invalid {
        message: format!("{what} is invalid: {} error(s)", issues.len()),
        issues,
    }
}

/// `Plan`: plans a whole document; stores nothing.
pub fn plan(text: &str, limit: Duration) -> Result<InterimPlan> {
    let file = parse_file(text, "request")?;
    let v = interim::validate(&file, None);
    let Some(problem) = v.problem else {
        return Err(invalid(v, "the interim request"));
    };
    Ok(interim::plan_document(&problem, &options(limit)))
}

fn options(limit: Duration) -> PlanOptions {
    PlanOptions {
        time_limit: limit,
        greedy_only: false,
    }
}

/// `SetCalendar` (secretariat): checks and stores the calendar document.
pub fn set_calendar(store: &Store, caller: &Caller, text: &str, at: &str) -> Result<String> {
    caller.require_secretariat("set the interim calendar")?;
    let mut file = parse_file(text, "calendar")?;
    if !file.requests.is_empty() || !file.calendar.existing.is_empty() {
        return Err(ServiceError::BadArgument {
            field: "calendar".into(),
            message: "has requests or existing interims; send the calendar, groups and rules only (chairs send requests, the service keeps the interims)".into(),
        });
    }
    // Validated with a placeholder instant: the service plans from the current time.
    file.now = Some(at.to_string());
    let v = interim::validate(&file, None);
    if v.problem.is_none() {
        return Err(invalid(v, "the calendar"));
    }
    file.now = None;
    let body =
        serde_json::to_string_pretty(&file).map_err(|e| ServiceError::Internal(e.to_string()))?;
    store.write(|tx| tx.put_interim_calendar(&body, &caller.name, at))?;
    Ok(body)
}

pub(crate) fn calendar(store: &Store) -> Result<String> {
    store.read(|tx| tx.interim_calendar())?.ok_or_else(|| {
        ServiceError::NotFound(
            "no interim calendar yet: the secretariat sets it with SetCalendar".into(),
        )
    })
}

/// The calendar with every stored interim as `existing` and `requests`, from `now`.
fn document(
    calendar: &str,
    stored: &[StoredInterim],
    requests: Vec<InterimRequestSpec>,
    now: &str,
) -> Result<InterimRequestFile> {
    let mut file = parse_file(calendar, "calendar")?;
    file.now = Some(now.to_string());
    file.requests = requests;
    for i in stored {
        for start in &i.starts {
            file.calendar.existing.push(ExistingSpec {
                name: i.name.clone(),
                group: i.group.clone(),
                start: start.clone(),
                minutes: i.minutes as i64,
                status: (i.status == "cancelled").then(|| "cancelled".to_string()),
            });
        }
    }
    Ok(file)
}

/// A fingerprint of the stored interims: a plan made from one snapshot is stored only
/// if nothing changed since.
fn fingerprint(stored: &[StoredInterim]) -> Vec<(String, String)> {
    stored
        .iter()
        .map(|i| (i.name.clone(), i.status.clone()))
        .collect()
}

/// `Request`: plans one group's request against the calendar and the stored interims,
/// and stores its meetings. A request stored meanwhile by someone else makes it plan
/// again, so names and the parallel limit are decided on what is stored.
pub fn request(
    store: &Store,
    caller: &Caller,
    text: &str,
    limit: Duration,
    now: &str,
) -> Result<(InterimPlan, Vec<StoredInterim>)> {
    let spec: InterimRequestSpec =
        serde_json::from_str(text).map_err(|e| ServiceError::BadArgument {
            field: "request".into(),
            message: format!("is not an interim request entry: {e}"),
        })?;
    let calendar = calendar(store)?;
    let cal_file = parse_file(&calendar, "calendar")?;
    let area = cal_file
        .groups
        .iter()
        .find(|g| g.acronym == spec.group)
        .and_then(|g| g.area.clone())
        .unwrap_or_default();
    caller.require_edit(&spec.group, &area)?;
    let request_json =
        serde_json::to_string(&spec).map_err(|e| ServiceError::Internal(e.to_string()))?;
    // Plans against what is stored, as `InterimPlan` and the rows to insert.
    let make = |stored: &[StoredInterim]| -> Result<(InterimPlan, Vec<StoredInterim>)> {
        let file = document(&calendar, stored, vec![spec.clone()], now)?;
        let v = interim::validate(&file, None);
        let Some(problem) = v.problem else {
            return Err(invalid(v, "the request"));
        };
        let plan = interim::plan_document(&problem, &options(limit));
        let made = plan
            .meetings
            .iter()
            .map(|m| StoredInterim {
                name: m.name.clone(),
                group: m.group.clone(),
                status: "scheduled".into(),
                starts: m.sessions.iter().map(|s| s.start.clone()).collect(),
                minutes: problem.requests[0].minutes,
                request: request_json.clone(),
                detail: serde_json::to_string(m).unwrap_or_default(),
                requested_by: caller.name.clone(),
                created_at: now.to_string(),
            })
            .collect();
        Ok((plan, made))
    };
    // Optimistic first: plan without holding the store, store if nothing changed.
    for _ in 0..RETRIES {
        let stored = store.read(|tx| tx.interims(None))?;
        let (plan, made) = make(&stored)?;
        let before = fingerprint(&stored);
        let saved = store.write(|tx| {
            if fingerprint(&tx.interims(None)?) != before {
                return Ok(false);
            }
            for m in &made {
                tx.insert_interim(m)?;
            }
            Ok(true)
        })?;
        if saved {
            return Ok((plan, made));
        }
    }
    // Under sustained contention: plan inside the write transaction, which always wins.
    store.write(|tx| {
        let (plan, made) = make(&tx.interims(None)?)?;
        for m in &made {
            tx.insert_interim(m)?;
        }
        Ok((plan, made))
    })
}

fn one(store: &Store, name: &str) -> Result<StoredInterim> {
    store
        .read(|tx| tx.interims(None))?
        .into_iter()
        .find(|i| i.name == name)
        .ok_or_else(|| ServiceError::NotFound(format!("no interim named {name:?}")))
}

fn group_area(store: &Store, group: &str) -> Result<String> {
    let cal = parse_file(&calendar(store)?, "calendar")?;
    Ok(cal
        .groups
        .iter()
        .find(|g| g.acronym == group)
        .and_then(|g| g.area.clone())
        .unwrap_or_default())
}

/// `Cancel`: the group's chairs or the secretariat; the name keeps its number, and the
/// cancellation goes to the outbox when the interim had been announced.
pub fn cancel(store: &Store, caller: &Caller, name: &str, at: &str) -> Result<StoredInterim> {
    let current = one(store, name)?;
    let area = group_area(store, &current.group)?;
    caller.require_edit(&current.group, &area)?;
    if current.status == "cancelled" {
        return Err(ServiceError::FailedPrecondition(format!(
            "{name} is already cancelled"
        )));
    }
    store.write(|tx| {
        tx.set_interim_status(name, "cancelled")?;
        if current.status == "announced" {
            tx.push_notification(&Notification {
                id: 0,
                meeting: name.to_string(),
                group: current.group.clone(),
                area: area.clone(),
                kind: "interim-cancel".into(),
                to: vec!["IETF-Announce <ietf-announce@ietf.org>".into()],
                cc: vec![format!("{}@ietf.org", current.group)],
                subject: format!("{name} has been cancelled"),
                body: format!(
                    "The interim meeting {name} of {} has been cancelled.\n",
                    current.group
                ),
                created_at: at.to_string(),
                delivery: None,
            })?;
        }
        Ok(())
    })?;
    one(store, name)
}

/// `Announce` (secretariat): the datatracker's announcement to IETF-Announce, cc the
/// group's list, into the outbox.
pub fn announce(store: &Store, caller: &Caller, name: &str, at: &str) -> Result<StoredInterim> {
    caller.require_secretariat("announce interims")?;
    let current = one(store, name)?;
    if current.status != "scheduled" {
        return Err(ServiceError::FailedPrecondition(format!(
            "{name} is {}; only a scheduled interim is announced",
            current.status
        )));
    }
    let spec: InterimRequestSpec = serde_json::from_str(&current.request)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let meeting: interim::PlannedMeeting =
        serde_json::from_str(&current.detail).map_err(|e| ServiceError::Internal(e.to_string()))?;
    // The problem only names the group, its zones and its remote instructions here.
    let file = document(&calendar(store)?, &[], vec![spec], at)?;
    let v = interim::validate(&file, None);
    let problem = v.problem.ok_or_else(|| {
        ServiceError::Internal("the stored request no longer validates against the calendar".into())
    })?;
    let mut m = meeting.clone();
    m.request = 0;
    let a = interim::render::announcement(&problem, &m)
        .ok_or_else(|| ServiceError::Internal(format!("{name} has no session to announce")))?;
    let area = group_area(store, &current.group)?;
    store.write(|tx| {
        tx.set_interim_status(name, "announced")?;
        tx.push_notification(&Notification {
            id: 0,
            meeting: name.to_string(),
            group: current.group.clone(),
            area: area.clone(),
            kind: "interim-announce".into(),
            to: vec![a.to.clone()],
            cc: vec![a.cc.clone()],
            subject: a.subject.clone(),
            body: a.body.clone(),
            created_at: at.to_string(),
            delivery: None,
        })?;
        Ok(())
    })?;
    one(store, name)
}
