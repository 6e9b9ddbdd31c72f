//! The session request lifecycle: submit, edit, cancel, "no session", copy from the
//! previous meeting, third-session approval, and meeting import, with the rules of the
//! IETF session request tool. Pure domain logic over [`Store`]; the gRPC layer only
//! authenticates, converts and calls these.
//!
//! A request is checked against the meeting's [`MeetingIndex`] (its rooms, blocks,
//! groups and people, checked once and kept) and the requests of the groups it names
//! as joint or that have fixed placements, so a request gets exactly the messages
//! `agenda validate` gives about it on the whole meeting, without validating the whole
//! meeting on every edit. Each accepted change bumps the version, writes a history
//! entry and puts the tool's message in the outbox, all in one transaction.

use crate::auth::Caller;
use crate::error::{Result, ServiceError};
use crate::notify::{self, Event};
use crate::store::{RequestStatus, Store, StoredRequest, Tx};
use agenda_solver::instance::{Group, Instance, SessionRequest};
use agenda_solver::validate::MeetingIndex;
use agenda_solver::{validate, Issue, Severity};
use std::sync::Arc;

/// A change that was accepted: the request as stored, and its warnings.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The request as stored, with its new version.
    pub stored: StoredRequest,
    pub(crate) warnings: Vec<Issue>,
}

fn group_of(base: &Instance, acronym: &str) -> Group {
    base.groups
        .iter()
        .find(|g| g.acronym == acronym)
        .cloned()
        .unwrap_or_else(|| Group {
            acronym: acronym.to_string(),
            name: None,
            area: None,
            group_type: None,
            state: None,
            meets_as_area: None,
            chairs: Vec::new(),
            ads: Vec::new(),
            new: None,
            dispatch: None,
        })
}

fn area_of(base: &Instance, acronym: &str) -> String {
    group_of(base, acronym).area.unwrap_or_default()
}

/// The meeting as an instance: its parts and its active requests (in submission order).
pub fn current_instance(tx: &Tx, meeting: &str) -> Result<Instance> {
    let mut instance = tx.existing_meeting(meeting)?.base().clone();
    instance.requests = tx
        .requests(meeting)?
        .into_iter()
        .filter(|r| r.status == RequestStatus::Active)
        .map(|r| r.request)
        .collect();
    Ok(instance)
}

/// A validation field of `requests[i].x` as a field of the message sent (`request.x`);
/// the proto has plain session lengths, so `sessions[k].minutes` becomes `sessions[k]`.
fn relative_field(field: &str, prefix: &str) -> String {
    // A finding about the meeting (a fixed placement of the group) keeps its field.
    let Some(rest) = field.strip_prefix(prefix) else {
        return field.to_string();
    };
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    let mut out = if rest.is_empty() {
        "request".to_string()
    } else {
        format!("request.{rest}")
    };
    if out.starts_with("request.sessions[") && out.ends_with("].minutes") {
        out.truncate(out.len() - ".minutes".len());
    }
    out
}

/// Validates `request` against the meeting's index and the active requests of the
/// groups the index reads for it. Returns its warnings, or INVALID_ARGUMENT with its
/// errors.
pub fn validate_request(
    tx: &Tx,
    meeting: &str,
    index: &MeetingIndex,
    request: &SessionRequest,
) -> Result<Vec<Issue>> {
    let mut related = Vec::new();
    for group in index.related_groups(request) {
        if let Some(r) = tx.request(meeting, group)? {
            if r.status == RequestStatus::Active {
                related.push(r.request);
            }
        }
    }
    let other = |group: &str| related.iter().find(|r| r.group == group);
    let prefix = "requests[0]";
    let (errors, warnings): (Vec<Issue>, Vec<Issue>) = index
        .check(request, 0, &other)
        .into_iter()
        .map(|mut i| {
            i.field = relative_field(&i.field, prefix);
            i
        })
        .partition(|i| i.severity == Severity::Error);
    if errors.is_empty() {
        Ok(warnings)
    } else {
        Err(ServiceError::Invalid {
            message: format!(
                "the session request of {} has {} error(s); first: {}",
                request.group,
                errors.len(),
                errors[0].message
            ),
            issues: errors,
        })
    }
}

/// Refuses changes by anyone but the secretariat while the tool is locked.
fn check_open(tx: &Tx, meeting: &str, caller: &Caller) -> Result<Arc<MeetingIndex>> {
    let record = tx.existing_meeting(meeting)?;
    if record.locked && !caller.is_secretariat() {
        let extra = if record.lock_message.is_empty() {
            String::new()
        } else {
            format!(" ({})", record.lock_message)
        };
        return Err(ServiceError::FailedPrecondition(format!(
            "The Session Request Tool is closed for IETF {meeting}{extra}: please contact the Secretariat (support@ietf.org) to change a request."
        )));
    }
    Ok(record.index)
}

fn check_version(current: &StoredRequest, expected: u64) -> Result<()> {
    if current.version != expected {
        return Err(ServiceError::Stale {
            expected,
            current: current.version,
        });
    }
    Ok(())
}

fn no_request(meeting: &str, group: &str) -> ServiceError {
    ServiceError::NotFound(format!(
        "{group} has no session request at IETF {meeting}: submit one first"
    ))
}

fn existing(tx: &Tx, meeting: &str, group: &str) -> Result<StoredRequest> {
    tx.request(meeting, group)?
        .ok_or_else(|| no_request(meeting, group))
}

/// Only an AD of the area (or the secretariat) approves a third session: anyone else's
/// change keeps an earlier approval only if the third session is unchanged.
fn settle_approval(
    request: &mut SessionRequest,
    previous: Option<&SessionRequest>,
    caller: &Caller,
    area: &str,
) {
    if caller.may_approve(area) {
        return;
    }
    if let Some(third) = &mut request.third_session {
        let kept = previous
            .and_then(|p| p.third_session.as_ref())
            .is_some_and(|t| t.approved && t.minutes == third.minutes);
        third.approved = kept;
    }
}

/// Validates and stores `request` as the group's active request, with its message.
#[allow(clippy::too_many_arguments)]
fn store_active(
    tx: &Tx,
    index: &MeetingIndex,
    meeting: &str,
    mut request: SessionRequest,
    previous: Option<&StoredRequest>,
    caller: &Caller,
    action: &str,
    at: &str,
) -> Result<Accepted> {
    let group = group_of(index.base(), &request.group);
    let area = group.area.clone().unwrap_or_default();
    settle_approval(
        &mut request,
        previous
            .filter(|p| p.status == RequestStatus::Active)
            .map(|p| &p.request),
        caller,
        &area,
    );
    let warnings = validate_request(tx, meeting, index, &request)?;
    let stored = StoredRequest {
        meeting: meeting.to_string(),
        group: request.group.clone(),
        status: RequestStatus::Active,
        version: previous.map_or(1, |p| p.version + 1),
        request,
        updated_by: caller.name.clone(),
        updated_at: at.to_string(),
    };
    tx.put_request(&stored, action)?;
    let event = match previous {
        Some(p) if p.status == RequestStatus::Active => Event::Update,
        _ => Event::New,
    };
    tx.push_notification(&notify::compose(
        meeting,
        &group,
        &stored.request,
        event,
        &caller.name,
        at,
    ))?;
    Ok(Accepted { stored, warnings })
}

/// A new request for a group that has no active one.
pub fn submit(
    store: &Store,
    caller: &Caller,
    meeting: &str,
    request: SessionRequest,
    at: &str,
) -> Result<Accepted> {
    store.write(|tx| {
        let index = check_open(tx, meeting, caller)?;
        let base = index.base();
        caller.require_edit(&request.group, &area_of(base, &request.group))?;
        let previous = tx.request(meeting, &request.group)?;
        if let Some(p) = previous.as_ref().filter(|p| p.status == RequestStatus::Active) {
            return Err(ServiceError::AlreadyExists(format!(
                "{} already has a session request at IETF {meeting} (version {}): change it with Edit",
                p.group, p.version
            )));
        }
        store_active(tx, &index, meeting, request, previous.as_ref(), caller, "submit", at)
    })
}

/// Replaces the group's active request; `expected_version` is the version the caller read.
pub fn edit(
    store: &Store,
    caller: &Caller,
    meeting: &str,
    request: SessionRequest,
    mask: &[String],
    expected_version: u64,
    at: &str,
) -> Result<Accepted> {
    check_mask(mask)?;
    store.write(|tx| {
        let index = check_open(tx, meeting, caller)?;
        let base = index.base();
        caller.require_edit(&request.group, &area_of(base, &request.group))?;
        let current = existing(tx, meeting, &request.group)?;
        check_version(&current, expected_version)?;
        let request = merge(&current.request, request, mask);
        if current.status != RequestStatus::Active {
            return Err(ServiceError::FailedPrecondition(format!(
                "the request of {} is {}: submit a new one instead of editing it",
                current.group,
                current.status.key()
            )));
        }
        store_active(
            tx,
            &index,
            meeting,
            request,
            Some(&current),
            caller,
            "edit",
            at,
        )
    })
}

/// Cancel (`NoSession == false`) or "no session this time" (`true`).
fn withdraw(
    store: &Store,
    caller: &Caller,
    meeting: &str,
    group: &str,
    expected_version: u64,
    status: RequestStatus,
    at: &str,
) -> Result<Accepted> {
    store.write(|tx| {
        let index = check_open(tx, meeting, caller)?;
        let base = index.base();
        caller.require_edit(group, &area_of(base, group))?;
        let current = tx.request(meeting, group)?;
        let (request, version) = match &current {
            Some(c) => {
                check_version(c, expected_version)?;
                if c.status == status {
                    return Err(ServiceError::FailedPrecondition(format!(
                        "the request of {group} is already {}",
                        status.key()
                    )));
                }
                (c.request.clone(), c.version + 1)
            }
            None if status == RequestStatus::NoSession => {
                if !base.groups.iter().any(|g| g.acronym == group) {
                    return Err(ServiceError::Invalid {
                        message: agenda_solver::validate::messages::invalid_acronym(group),
                        issues: vec![Issue {
                            severity: Severity::Error,
                            request: Some(group.to_string()),
                            field: "group".into(),
                            message: agenda_solver::validate::messages::invalid_acronym(group),
                            help: Some("use the acronym of a group of this meeting".into()),
                        }],
                    });
                }
                let empty: SessionRequest =
                    serde_json::from_value(serde_json::json!({ "group": group }))
                        .map_err(|e| ServiceError::Internal(e.to_string()))?;
                (empty, 1)
            }
            None => return Err(no_request(meeting, group)),
        };
        let stored = StoredRequest {
            meeting: meeting.to_string(),
            group: group.to_string(),
            status,
            version,
            request,
            updated_by: caller.name.clone(),
            updated_at: at.to_string(),
        };
        let (action, event) = if status == RequestStatus::Cancelled {
            ("cancel", Event::Cancel)
        } else {
            ("no-session", Event::NoSession)
        };
        tx.put_request(&stored, action)?;
        tx.push_notification(&notify::compose(
            meeting,
            &group_of(base, group),
            &stored.request,
            event,
            &caller.name,
            at,
        ))?;
        Ok(Accepted {
            stored,
            warnings: Vec::new(),
        })
    })
}

pub(crate) fn cancel(
    store: &Store,
    caller: &Caller,
    meeting: &str,
    group: &str,
    expected_version: u64,
    at: &str,
) -> Result<Accepted> {
    withdraw(
        store,
        caller,
        meeting,
        group,
        expected_version,
        RequestStatus::Cancelled,
        at,
    )
}

pub(crate) fn no_session(
    store: &Store,
    caller: &Caller,
    meeting: &str,
    group: &str,
    expected_version: u64,
    at: &str,
) -> Result<Accepted> {
    withdraw(
        store,
        caller,
        meeting,
        group,
        expected_version,
        RequestStatus::NoSession,
        at,
    )
}

/// Submits the group's request of the previous meeting (the highest-numbered earlier
/// meeting where the group had an active request). A third session must be approved
/// again.
pub fn copy_previous(
    store: &Store,
    caller: &Caller,
    meeting: &str,
    group: &str,
    at: &str,
) -> Result<Accepted> {
    store.write(|tx| {
        let index = check_open(tx, meeting, caller)?;
        let base = index.base();
        caller.require_edit(group, &area_of(base, group))?;
        let previous = tx.request(meeting, group)?;
        if let Some(p) = previous.as_ref().filter(|p| p.status == RequestStatus::Active) {
            return Err(ServiceError::AlreadyExists(format!(
                "{group} already has a session request at IETF {meeting} (version {}): change it with Edit",
                p.version
            )));
        }
        let mut earlier = tx.meeting_numbers()?;
        earlier.retain(|m| crate::store::meeting_order(m, meeting).is_lt());
        let mut source = None;
        for m in earlier.iter().rev() {
            if let Some(r) = tx.request(m, group)? {
                if r.status == RequestStatus::Active {
                    source = Some(r);
                    break;
                }
            }
        }
        let source = source.ok_or_else(|| {
            ServiceError::NotFound(format!(
                "{group} had no session request at any meeting before IETF {meeting}: submit a new one"
            ))
        })?;
        let mut request = source.request;
        if let Some(t) = &mut request.third_session {
            t.approved = false;
        }
        store_active(tx, &index, meeting, request, previous.as_ref(), caller, "copy", at)
    })
}

/// An AD of the group's area (or the secretariat) approves the third session.
pub fn approve_third_session(
    store: &Store,
    caller: &Caller,
    meeting: &str,
    group: &str,
    expected_version: u64,
    at: &str,
) -> Result<Accepted> {
    store.write(|tx| {
        // The lock holds for approvals too: only the secretariat changes a locked tool.
        let index = check_open(tx, meeting, caller)?;
        let base = index.base();
        let area = area_of(base, group);
        if !caller.may_approve(&area) {
            return Err(ServiceError::PermissionDenied(format!(
                "only an Area Director of the {} area or the secretariat can approve a third session of {group}; {} cannot",
                if area.is_empty() { "group's" } else { &area },
                caller.name
            )));
        }
        let current = existing(tx, meeting, group)?;
        check_version(&current, expected_version)?;
        let mut request = current.request.clone();
        match &mut request.third_session {
            Some(t) if current.status == RequestStatus::Active && !t.approved => t.approved = true,
            Some(t) if t.approved => {
                return Err(ServiceError::FailedPrecondition(format!(
                    "the third session of {group} is already approved"
                )))
            }
            _ => {
                return Err(ServiceError::FailedPrecondition(format!(
                    "the active request of {group} asks for no third session; nothing to approve"
                )))
            }
        }
        let stored = StoredRequest {
            version: current.version + 1,
            request,
            updated_by: caller.name.clone(),
            updated_at: at.to_string(),
            ..current
        };
        tx.put_request(&stored, "approve")?;
        tx.push_notification(&notify::compose(
            meeting,
            &group_of(base, group),
            &stored.request,
            Event::Approved,
            &caller.name,
            at,
        ))?;
        Ok(Accepted {
            stored,
            warnings: Vec::new(),
        })
    })
}

/// Creates a meeting from its parts (no requests). Its rooms, blocks, groups and people
/// are validated as `agenda validate` would.
pub fn create_meeting(store: &Store, caller: &Caller, base: Instance, at: &str) -> Result<()> {
    caller.require_secretariat("create meetings")?;
    let validation = validate(&base);
    let errors: Vec<Issue> = validation.errors().cloned().collect();
    if !errors.is_empty() {
        return Err(ServiceError::Invalid {
            message: format!(
                "the meeting has {} error(s); first: {}",
                errors.len(),
                errors[0]
            ),
            issues: errors,
        });
    }
    store.write(|tx| {
        if tx.meeting(&base.meeting.number)?.is_some() {
            return Err(ServiceError::AlreadyExists(format!(
                "meeting {} exists already: import with replace to overwrite it",
                base.meeting.number
            )));
        }
        tx.put_meeting(&base, at)
    })
}

/// Imports a whole instance, requests included (version 1, action "import"; no
/// notifications: nobody submitted anything). Returns the warnings.
pub fn import(
    store: &Store,
    caller: &Caller,
    instance: Instance,
    replace: bool,
    at: &str,
) -> Result<Vec<Issue>> {
    caller.require_secretariat("import meetings")?;
    let validation = validate(&instance);
    let (errors, warnings): (Vec<Issue>, Vec<Issue>) = validation
        .issues
        .into_iter()
        .partition(|i| i.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid {
            message: format!(
                "the instance has {} error(s); first: {}",
                errors.len(),
                errors[0]
            ),
            issues: errors,
        });
    }
    let number = instance.meeting.number.clone();
    store.write(|tx| {
        // Replacing keeps every request's history and raises its version, so an edit
        // that carries a version read before the replace is refused as stale; a
        // request the new instance no longer has is cancelled, not deleted.
        let before: Vec<StoredRequest> = if tx.meeting(&number)?.is_some() {
            if !replace {
                return Err(ServiceError::AlreadyExists(format!(
                    "meeting {number} exists already: set replace to overwrite it and its requests"
                )));
            }
            tx.requests(&number)?
        } else {
            Vec::new()
        };
        let version_of = |group: &str| before.iter().find(|r| r.group == group).map(|r| r.version);
        let action = if before.is_empty() {
            "import"
        } else {
            "import (replace)"
        };
        tx.put_meeting(&instance, at)?;
        for request in &instance.requests {
            tx.put_request(
                &StoredRequest {
                    meeting: number.clone(),
                    group: request.group.clone(),
                    status: RequestStatus::Active,
                    version: version_of(&request.group).map_or(1, |v| v + 1),
                    request: request.clone(),
                    updated_by: caller.name.clone(),
                    updated_at: at.to_string(),
                },
                action,
            )?;
        }
        for old in &before {
            if instance.requests.iter().all(|r| r.group != old.group)
                && old.status != RequestStatus::Cancelled
            {
                tx.put_request(
                    &StoredRequest {
                        status: RequestStatus::Cancelled,
                        version: old.version + 1,
                        updated_by: caller.name.clone(),
                        updated_at: at.to_string(),
                        ..old.clone()
                    },
                    "import (replace): not in the new instance",
                )?;
            }
        }
        Ok(warnings)
    })
}

/// The paths an edit's `update_mask` may name: SessionRequest's fields (the group
/// names the request and is not one), and the three classes of `conflicts`.
pub const MASK_PATHS: [&str; 17] = [
    "sessions",
    "third_session",
    "attendees",
    "conflicts",
    "conflicts.chair",
    "conflicts.technology",
    "conflicts.key_participant",
    "must_attend",
    "avoid_timeranges",
    "adjacent_with",
    "time_relation",
    "joint_with",
    "joint_session",
    "resources",
    "bofs_to_avoid",
    "special_requests",
    "priority",
];

/// Refuses a mask path that is not a field of the request.
fn check_mask(mask: &[String]) -> Result<()> {
    for (i, path) in mask.iter().enumerate() {
        if path != "*" && !MASK_PATHS.contains(&path.as_str()) {
            let shown: String = path.chars().take(64).collect();
            let message = format!("{shown:?} is not a field of the request");
            return Err(ServiceError::Invalid {
                message: message.clone(),
                issues: vec![Issue {
                    severity: Severity::Error,
                    request: None,
                    field: format!("update_mask.paths[{i}]"),
                    message,
                    help: Some(format!("use \"*\" or one of: {}", MASK_PATHS.join(", "))),
                }],
            });
        }
    }
    Ok(())
}

/// `stored` with the fields `mask` names taken from `sent` (all of `sent` when the
/// mask is empty or "*").
fn merge(stored: &SessionRequest, sent: SessionRequest, mask: &[String]) -> SessionRequest {
    if mask.is_empty() || mask.iter().any(|p| p == "*") {
        return sent;
    }
    let mut merged = stored.clone();
    for path in mask {
        match path.as_str() {
            "sessions" => merged.sessions = sent.sessions.clone(),
            "third_session" => merged.third_session = sent.third_session.clone(),
            "attendees" => merged.attendees = sent.attendees.clone(),
            "conflicts" => merged.conflicts = sent.conflicts.clone(),
            "conflicts.chair" => merged.conflicts.chair = sent.conflicts.chair.clone(),
            "conflicts.technology" => {
                merged.conflicts.technology = sent.conflicts.technology.clone()
            }
            "conflicts.key_participant" => {
                merged.conflicts.key_participant = sent.conflicts.key_participant.clone()
            }
            "must_attend" => merged.must_attend = sent.must_attend.clone(),
            "avoid_timeranges" => merged.avoid_timeranges = sent.avoid_timeranges.clone(),
            "adjacent_with" => merged.adjacent_with = sent.adjacent_with.clone(),
            "time_relation" => merged.time_relation = sent.time_relation.clone(),
            "joint_with" => merged.joint_with = sent.joint_with.clone(),
            "joint_session" => merged.joint_session = sent.joint_session,
            "resources" => merged.resources = sent.resources.clone(),
            "bofs_to_avoid" => merged.bofs_to_avoid = sent.bofs_to_avoid.clone(),
            "special_requests" => merged.special_requests = sent.special_requests.clone(),
            "priority" => merged.priority = sent.priority.clone(),
            // `check_mask` refused every other path.
            _ => {}
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_relative_to_the_message() {
        assert_eq!(
            relative_field("requests[3].conflicts.chair[1]", "requests[3]"),
            "request.conflicts.chair[1]"
        );
        assert_eq!(
            relative_field("requests[3].sessions[0].minutes", "requests[3]"),
            "request.sessions[0]"
        );
        assert_eq!(
            relative_field("requests[3].third_session.minutes", "requests[3]"),
            "request.third_session.minutes"
        );
        assert_eq!(relative_field("requests[3]", "requests[3]"), "request");
        assert_eq!(
            relative_field("fixed[0].session", "requests[3]"),
            "fixed[0].session"
        );
    }

    fn tiny_meeting() -> (Store, Caller, Instance) {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/tiny.json");
        let instance = agenda_solver::load_instance(path).unwrap();
        let store = Store::in_memory().unwrap();
        let caller = Caller {
            name: "secretariat".into(),
            role: crate::auth::Role::Secretariat,
        };
        import(&store, &caller, instance.clone(), false, "t").unwrap();
        (store, caller, instance)
    }

    fn request_of<'a>(instance: &'a Instance, group: &str) -> &'a SessionRequest {
        instance.requests.iter().find(|r| r.group == group).unwrap()
    }

    /// The findings across requests: the meeting's fixed placements of the group, and
    /// a joint session declared from both sides.
    #[test]
    fn an_edit_is_checked_against_placements_and_joint_sessions() {
        let (store, caller, instance) = tiny_meeting();
        let number = &instance.meeting.number;
        // tiny fixes wg4's (approved) third session.
        let mut wg4 = request_of(&instance, "wg4").clone();
        wg4.third_session = None;
        let Err(ServiceError::Invalid { issues, .. }) =
            edit(&store, &caller, number, wg4, &[], 1, "t")
        else {
            panic!("dropping a fixed session must be refused");
        };
        let found: Vec<(&str, &str)> = issues
            .iter()
            .map(|i| (i.field.as_str(), i.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [(
                "fixed[0].session",
                "Fixed session 3 of wg4 was not requested"
            )]
        );

        // wg4 declares a joint session with wg2; wg2 declaring it back is worth a warning.
        let mut wg2 = request_of(&instance, "wg2").clone();
        wg2.joint_with = vec!["wg4".into()];
        let accepted = edit(&store, &caller, number, wg2, &[], 1, "t").unwrap();
        assert!(
            accepted
                .warnings
                .iter()
                .any(|w| w.field == "request.joint_with"
                    && w.message
                        .starts_with("wg2 and wg4 both declare a joint session")),
            "{:?}",
            accepted.warnings
        );
    }
}
