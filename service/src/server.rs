//! The tonic services of `agenda.v1`: authentication, conversion, and a hop to the
//! blocking pool for every store or solver call. The rules live in [`crate::intake`] and
//! in `agenda-solver`; nothing here decides anything on its own.

use crate::agendas;
use crate::auth::{AccessConfig, Caller};
use crate::convert::*;
use crate::error::ServiceError;
use crate::intake::{self, Accepted};
use crate::interims;
use crate::pb::{
    self, meetings_server, notifications_server, scheduling_server, session_requests_server,
};
use crate::store::{NamedAgenda, RequestStatus, Store, StoredAgenda, StoredRequest};
use agenda_solver::export::{self, Format, Report};
use agenda_solver::solve::{self, Progress, SolveOptions};
use agenda_solver::whatif;
use agenda_solver::{evaluate_agenda, parse_agenda, parse_instance, validate, Issue, Problem};
use serde::{Deserialize, Serialize};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, watch, Semaphore};
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

type Reply<T> = Result<Response<T>, Status>;
type EventStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

/// Shared state of all four services.
pub struct State {
    store: Store,
    access: AccessConfig,
    /// The id of the newest notification; the mail worker wakes on it.
    newest_notification: watch::Sender<u64>,
    /// New notifications, handed to `Watch` streams as they are stored: each stream
    /// filters what its caller may see, so a write costs one outbox query, not one per
    /// open stream.
    fresh: broadcast::Sender<Arc<Vec<crate::store::Notification>>>,
    /// The newest notification handed out on `fresh`.
    published: Mutex<u64>,
    /// One solve at a time: a solve takes both cores.
    solving: Arc<Semaphore>,
    /// The running solve's cancel flag (set on shutdown).
    running: Mutex<Option<Arc<AtomicBool>>>,
    /// Becomes true on shutdown: `Watch` streams end so the server can stop.
    closing: watch::Sender<bool>,
    failed_logins: FailedLogins,
}

/// Failed authentications, logged at most once per [`FAILED_LOGIN_LOG_INTERVAL`] with
/// the count since the last line (a client guessing tokens cannot flood the log), and
/// never with the token.
#[derive(Default)]
struct FailedLogins {
    since_logged: Mutex<(u64, Option<std::time::Instant>)>,
}

const FAILED_LOGIN_LOG_INTERVAL: Duration = Duration::from_secs(10);

impl FailedLogins {
    fn note(&self, peer: Option<std::net::SocketAddr>) {
        let Ok(mut state) = self.since_logged.lock() else {
            return;
        };
        state.0 += 1;
        if state
            .1
            .is_none_or(|at| at.elapsed() >= FAILED_LOGIN_LOG_INTERVAL)
        {
            tracing::warn!(peer = ?peer, failures = state.0, "authentication failed: no or unknown bearer token");
            *state = (0, Some(std::time::Instant::now()));
        }
    }
}

impl crate::mail::HasStore for State {
    fn store(&self) -> &Store {
        &self.store
    }
}

impl AgendaService {
    /// Starts mail delivery of the outbox ([`crate::mail`]); it ends on shutdown.
    pub fn start_mail(&self, config: crate::mail::MailConfig) -> tokio::task::JoinHandle<()> {
        tokio::spawn(crate::mail::deliver(
            self.state.clone(),
            config,
            self.state.newest_notification.subscribe(),
            self.state.closing.subscribe(),
        ))
    }
}

/// The service (cheap to clone; one per tonic service).
#[derive(Clone)]
pub struct AgendaService {
    state: Arc<State>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl AgendaService {
    /// A change to one stored interim that may add to the outbox: `f` decides, the
    /// notification watchers wake.
    async fn interim_change(
        &self,
        rpc: &'static str,
        request: Request<pb::InterimName>,
        f: fn(&Store, &Caller, &str, &str) -> Result<crate::store::StoredInterim, ServiceError>,
    ) -> Reply<pb::StoredInterim> {
        let caller = self.caller(&request)?;
        let name = request.into_inner().name;
        let c = caller.clone();
        let out = self
            .blocking(move |s| {
                let i = f(&s.store, &c, &name, &now())?;
                Ok((i, publish_new(s)?))
            })
            .await
            .map(|(i, newest)| {
                self.wake_watchers(newest);
                Response::new(interim_to_pb(&i))
            });
        Self::logged(rpc, &caller, out)
    }

    /// The service over `store`, answering the callers of `access`.
    pub fn new(store: Store, access: AccessConfig) -> Result<AgendaService, ServiceError> {
        let newest = store.read(|tx| tx.last_notification_id())?;
        Ok(AgendaService {
            state: Arc::new(State {
                store,
                access,
                newest_notification: watch::channel(newest).0,
                fresh: broadcast::channel(FRESH_BATCHES).0,
                published: Mutex::new(newest),
                solving: Arc::new(Semaphore::new(1)),
                running: Mutex::new(None),
                closing: watch::channel(false).0,
                failed_logins: FailedLogins::default(),
            }),
        })
    }

    /// Graceful shutdown: a running solve stops now (it returns its best agenda) and
    /// notification streams end, so that in-flight calls can finish.
    pub fn begin_shutdown(&self) {
        self.state.closing.send_replace(true);
        if let Ok(guard) = self.state.running.lock() {
            if let Some(flag) = guard.as_ref() {
                flag.store(true, Ordering::Relaxed);
            }
        }
    }

    fn caller<T>(&self, request: &Request<T>) -> Result<Caller, Status> {
        let header = request
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        self.state.access.authenticate(header).map_err(|e| {
            self.state.failed_logins.note(request.remote_addr());
            e.into()
        })
    }

    /// Runs `f` on the blocking pool (SQLite and the solver block).
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&State) -> Result<T, ServiceError> + Send + 'static,
    ) -> Result<T, Status> {
        let state = self.state.clone();
        let out = tokio::task::spawn_blocking(move || f(&state))
            .await
            .map_err(|e| Status::internal(format!("worker failed: {e}")))?;
        Ok(out?)
    }

    /// Wakes the mail worker after a change that stored a notification (`Watch` streams
    /// got the rows from [`publish_new`]).
    fn wake_watchers(&self, newest: u64) {
        self.state.newest_notification.send_if_modified(|v| {
            let changed = *v < newest;
            *v = (*v).max(newest);
            changed
        });
    }

    /// Logs the outcome of a call (structured: rpc, caller, outcome).
    fn logged<T>(rpc: &str, caller: &Caller, out: Result<T, Status>) -> Result<T, Status> {
        match &out {
            Ok(_) => tracing::info!(rpc, caller = %caller.name, "ok"),
            Err(s) => {
                tracing::info!(rpc, caller = %caller.name, code = ?s.code(), message = s.message(), "refused")
            }
        }
        out
    }

    async fn change(
        &self,
        rpc: &'static str,
        caller: Caller,
        f: impl FnOnce(&Store, &Caller, &str) -> Result<Accepted, ServiceError> + Send + 'static,
    ) -> Reply<pb::StoredRequest> {
        let c = caller.clone();
        let out = self
            .blocking(move |s| {
                let accepted = f(&s.store, &c, &now())?;
                let newest = publish_new(s)?;
                Ok((accepted, newest))
            })
            .await
            .map(|(a, newest)| {
                self.wake_watchers(newest);
                Response::new(stored_to_pb(&a.stored, &a.warnings))
            });
        Self::logged(rpc, &caller, out)
    }
}

fn required(field: &str, value: &str) -> Result<(), Status> {
    if value.trim().is_empty() {
        return Err(ServiceError::BadArgument {
            field: field.to_string(),
            message: format!("{field} is required"),
        }
        .into());
    }
    Ok(())
}

fn request_of(
    request: Option<pb::SessionRequest>,
) -> Result<agenda_solver::instance::SessionRequest, Status> {
    let request = request.ok_or_else(|| ServiceError::BadArgument {
        field: "request".into(),
        message: "request is required: the session request to store".into(),
    })?;
    required("request.group", &request.group)?;
    Ok(request_to_doc(&request))
}

/// The problem of the meeting's current requests, or INVALID_ARGUMENT with every error.
fn current_problem(state: &State, meeting: &str) -> Result<Problem, ServiceError> {
    let instance = state
        .store
        .read(|tx| intake::current_instance(tx, meeting))?;
    let validation = validate(&instance);
    match validation.problem {
        Some(p) => Ok(p),
        None => {
            let errors: Vec<Issue> = validation.errors().cloned().collect();
            Err(ServiceError::Invalid {
                message: format!(
                    "the requests of IETF {meeting} do not validate ({} error(s)); first: {}",
                    errors.len(),
                    errors.first().map(|e| e.to_string()).unwrap_or_default()
                ),
                issues: errors,
            })
        }
    }
}

/// What `GetAgenda` tells of the solve that made the agenda.
#[derive(Debug, Serialize, Deserialize)]
struct StatsDoc {
    sessions: u64,
    variables: u64,
    rows: u64,
    total_seconds: f64,
    cancelled: bool,
    cut_by_time: bool,
    diagnosis: Vec<String>,
}

impl StatsDoc {
    fn to_pb(&self) -> pb::SolveStats {
        pb::SolveStats {
            sessions: self.sessions,
            variables: self.variables,
            rows: self.rows,
            total_seconds: self.total_seconds,
            cancelled: self.cancelled,
            cut_by_time: self.cut_by_time,
            diagnosis: self.diagnosis.clone(),
        }
    }
}

/// Prices `agenda_json` against the meeting's current requests.
fn priced(
    state: &State,
    meeting: &str,
    agenda_json: String,
    stats: Option<pb::SolveStats>,
) -> Result<(Problem, agenda_solver::Agenda, pb::AgendaReport), ServiceError> {
    let problem = current_problem(state, meeting)?;
    let agenda =
        parse_agenda(&agenda_json, "agenda_json").map_err(|e| ServiceError::BadArgument {
            field: "agenda_json".into(),
            message: format!("{e}: send an agenda/1 JSON document"),
        })?;
    let (_, evaluation) = evaluate_agenda(&problem, &agenda);
    let report = report_to_pb(meeting, &agenda, agenda_json, &evaluation, stats);
    Ok((problem, agenda, report))
}

fn stored_agenda(state: &State, meeting: &str) -> Result<StoredAgenda, ServiceError> {
    state.store.read(|tx| {
        tx.existing_meeting(meeting)?;
        tx.agenda(meeting)?.ok_or_else(|| {
            ServiceError::NotFound(format!(
                "IETF {meeting} has no agenda yet: run Scheduling.Solve first"
            ))
        })
    })
}

#[tonic::async_trait]
impl meetings_server::Meetings for AgendaService {
    async fn create_meeting(
        &self,
        request: Request<pb::CreateMeetingRequest>,
    ) -> Reply<pb::Meeting> {
        let caller = self.caller(&request)?;
        let meeting = request
            .into_inner()
            .meeting
            .ok_or_else(|| ServiceError::BadArgument {
                field: "meeting".into(),
                message: "meeting is required".into(),
            })?;
        let number = meeting.number.clone();
        let c = caller.clone();
        let out = self
            .blocking(move |s| {
                intake::create_meeting(&s.store, &c, meeting_to_instance(&meeting), &now())?;
                s.store.read(|tx| tx.existing_meeting(&number))
            })
            .await
            .map(|r| Response::new(meeting_from_record(&r)));
        Self::logged("CreateMeeting", &caller, out)
    }

    async fn import_instance(
        &self,
        request: Request<pb::ImportInstanceRequest>,
    ) -> Reply<pb::ImportInstanceResponse> {
        let caller = self.caller(&request)?;
        let pb::ImportInstanceRequest {
            instance_json,
            replace,
        } = request.into_inner();
        let c = caller.clone();
        let out = self
            .blocking(move |s| {
                c.require_secretariat("import meetings")?;
                let instance = parse_instance(&instance_json, "instance_json").map_err(|e| {
                    ServiceError::BadArgument {
                        field: "instance_json".into(),
                        message: format!("{e}: send an agenda-instance/1 JSON document"),
                    }
                })?;
                let number = instance.meeting.number.clone();
                let requests = instance.requests.len() as u32;
                let warnings = intake::import(&s.store, &c, instance, replace, &now())?;
                let record = s.store.read(|tx| tx.existing_meeting(&number))?;
                Ok(pb::ImportInstanceResponse {
                    meeting: Some(meeting_from_record(&record)),
                    requests,
                    warnings: warnings.iter().map(issue_to_pb).collect(),
                })
            })
            .await
            .map(Response::new);
        Self::logged("ImportInstance", &caller, out)
    }

    async fn get_meeting(&self, request: Request<pb::GetMeetingRequest>) -> Reply<pb::Meeting> {
        self.caller(&request)?;
        let number = request.into_inner().meeting;
        let record = self
            .blocking(move |s| s.store.read(|tx| tx.existing_meeting(&number)))
            .await?;
        Ok(Response::new(meeting_from_record(&record)))
    }

    async fn list_meetings(
        &self,
        request: Request<pb::ListMeetingsRequest>,
    ) -> Reply<pb::ListMeetingsResponse> {
        self.caller(&request)?;
        let meetings = self
            .blocking(|s| {
                s.store.read(|tx| {
                    tx.meeting_numbers()?
                        .iter()
                        .map(|n| tx.existing_meeting(n).map(|r| meeting_from_record(&r)))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .await?;
        Ok(Response::new(pb::ListMeetingsResponse { meetings }))
    }

    async fn set_lock(&self, request: Request<pb::SetLockRequest>) -> Reply<pb::Meeting> {
        let caller = self.caller(&request)?;
        let r = request.into_inner();
        let c = caller.clone();
        let out = self
            .blocking(move |s| {
                c.require_secretariat("lock or unlock the session request tool")?;
                s.store.write(|tx| {
                    tx.existing_meeting(&r.meeting)?;
                    tx.set_lock(&r.meeting, r.locked, &r.message)?;
                    tx.existing_meeting(&r.meeting)
                })
            })
            .await
            .map(|r| Response::new(meeting_from_record(&r)));
        Self::logged("SetLock", &caller, out)
    }

    async fn export_instance(
        &self,
        request: Request<pb::GetMeetingRequest>,
    ) -> Reply<pb::Document> {
        self.caller(&request)?;
        let number = request.into_inner().meeting;
        let instance = self
            .blocking(move |s| s.store.read(|tx| intake::current_instance(tx, &number)))
            .await?;
        let mut content =
            serde_json::to_string_pretty(&instance).map_err(|e| Status::internal(e.to_string()))?;
        content.push('\n');
        Ok(Response::new(pb::Document {
            media_type: "application/json".into(),
            content,
        }))
    }
}

#[tonic::async_trait]
impl session_requests_server::SessionRequests for AgendaService {
    async fn submit(&self, request: Request<pb::SubmitRequest>) -> Reply<pb::StoredRequest> {
        let caller = self.caller(&request)?;
        let r = request.into_inner();
        let doc = request_of(r.request)?;
        self.change("Submit", caller, move |store, c, at| {
            intake::submit(store, c, &r.meeting, doc, at)
        })
        .await
    }

    async fn edit(&self, request: Request<pb::EditRequest>) -> Reply<pb::StoredRequest> {
        let caller = self.caller(&request)?;
        let r = request.into_inner();
        let doc = request_of(r.request)?;
        let mask = r.update_mask.map(|m| m.paths).unwrap_or_default();
        self.change("Edit", caller, move |store, c, at| {
            intake::edit(store, c, &r.meeting, doc, &mask, r.expected_version, at)
        })
        .await
    }

    async fn cancel(&self, request: Request<pb::ChangeStatusRequest>) -> Reply<pb::StoredRequest> {
        let caller = self.caller(&request)?;
        let r = request.into_inner();
        required("group", &r.group)?;
        self.change("Cancel", caller, move |store, c, at| {
            intake::cancel(store, c, &r.meeting, &r.group, r.expected_version, at)
        })
        .await
    }

    async fn no_session(
        &self,
        request: Request<pb::ChangeStatusRequest>,
    ) -> Reply<pb::StoredRequest> {
        let caller = self.caller(&request)?;
        let r = request.into_inner();
        required("group", &r.group)?;
        self.change("NoSession", caller, move |store, c, at| {
            intake::no_session(store, c, &r.meeting, &r.group, r.expected_version, at)
        })
        .await
    }

    async fn copy_previous(
        &self,
        request: Request<pb::CopyPreviousRequest>,
    ) -> Reply<pb::StoredRequest> {
        let caller = self.caller(&request)?;
        let r = request.into_inner();
        required("group", &r.group)?;
        self.change("CopyPrevious", caller, move |store, c, at| {
            intake::copy_previous(store, c, &r.meeting, &r.group, at)
        })
        .await
    }

    async fn approve_third_session(
        &self,
        request: Request<pb::ChangeStatusRequest>,
    ) -> Reply<pb::StoredRequest> {
        let caller = self.caller(&request)?;
        let r = request.into_inner();
        required("group", &r.group)?;
        self.change("ApproveThirdSession", caller, move |store, c, at| {
            intake::approve_third_session(store, c, &r.meeting, &r.group, r.expected_version, at)
        })
        .await
    }

    async fn get(&self, request: Request<pb::GetRequestRequest>) -> Reply<pb::StoredRequest> {
        self.caller(&request)?;
        let r = request.into_inner();
        let stored = self
            .blocking(move |s| {
                s.store.read(|tx| {
                    tx.existing_meeting(&r.meeting)?;
                    tx.request(&r.meeting, &r.group)?.ok_or_else(|| {
                        ServiceError::NotFound(format!(
                            "{} has no session request at IETF {}",
                            r.group, r.meeting
                        ))
                    })
                })
            })
            .await?;
        Ok(Response::new(stored_to_pb(&stored, &[])))
    }

    async fn list(
        &self,
        request: Request<pb::ListRequestsRequest>,
    ) -> Reply<pb::ListRequestsResponse> {
        self.caller(&request)?;
        let r = request.into_inner();
        let size = page_size(r.page_size);
        let after = page_token(&r.page_token, "g")?;
        let stored = self
            .blocking(move |s| {
                s.store.read(|tx| {
                    tx.existing_meeting(&r.meeting)?;
                    let mut all = tx.requests(&r.meeting)?;
                    all.sort_by(|a, b| a.group.cmp(&b.group));
                    Ok(all)
                })
            })
            .await?;
        let mut page: Vec<&StoredRequest> = stored
            .iter()
            .filter(|s| r.include_inactive || s.status == RequestStatus::Active)
            .filter(|s| after.as_deref().is_none_or(|a| s.group.as_str() > a))
            .take(size + 1)
            .collect();
        let more = page.len() > size;
        page.truncate(size);
        Ok(Response::new(pb::ListRequestsResponse {
            next_page_token: match (more, page.last()) {
                (true, Some(last)) => format!("g:{}", last.group),
                _ => String::new(),
            },
            requests: page.iter().map(|s| stored_to_pb(s, &[])).collect(),
        }))
    }

    async fn history(&self, request: Request<pb::HistoryRequest>) -> Reply<pb::HistoryResponse> {
        self.caller(&request)?;
        let r = request.into_inner();
        let size = page_size(r.page_size);
        let after = match page_token(&r.page_token, "v")? {
            None => 0,
            Some(v) => v.parse::<u64>().map_err(|_| bad_token())?,
        };
        let mut entries = self
            .blocking(move |s| {
                s.store.read(|tx| {
                    tx.existing_meeting(&r.meeting)?;
                    tx.history_page(&r.meeting, &r.group, after, size + 1)
                })
            })
            .await?;
        let more = entries.len() > size;
        entries.truncate(size);
        Ok(Response::new(pb::HistoryResponse {
            next_page_token: match (more, entries.last()) {
                (true, Some(last)) => format!("v:{}", last.version),
                _ => String::new(),
            },
            entries: entries
                .iter()
                .map(|h| pb::HistoryEntry {
                    version: h.version,
                    action: h.action.clone(),
                    actor: h.actor.clone(),
                    at: h.at.clone(),
                    status: status_to_pb(h.status) as i32,
                    request: Some(request_from_doc(&h.request)),
                })
                .collect(),
        }))
    }
}

/// Pages of List, History and Notifications.List (AIP-158): 0 asks for this many.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 200;
/// A larger page size is served as this many.
pub(crate) const MAX_PAGE_SIZE: usize = 1_000;

fn page_size(requested: u32) -> usize {
    match requested {
        0 => DEFAULT_PAGE_SIZE,
        n => usize::try_from(n)
            .unwrap_or(MAX_PAGE_SIZE)
            .min(MAX_PAGE_SIZE),
    }
}

/// What a page token of `kind` continues after (`None`: the first page).
fn page_token(token: &str, kind: &str) -> Result<Option<String>, Status> {
    if token.is_empty() {
        return Ok(None);
    }
    match token.split_once(':') {
        Some((k, rest)) if k == kind && !rest.is_empty() => Ok(Some(rest.to_string())),
        _ => Err(bad_token()),
    }
}

fn bad_token() -> Status {
    ServiceError::BadArgument {
        field: "page_token".into(),
        message: "not a token this call returned; send the next_page_token of the previous page, or none for the first".into(),
    }
    .into()
}

/// The notifications after `after` that `caller` may read, and the id of the last one
/// looked at (visible or not), from which to go on.
/// At most `limit` are looked at; the flag says that all `limit` were (more may follow).
fn visible(
    state: &State,
    caller: &Caller,
    meeting: &str,
    after: u64,
    limit: usize,
) -> Result<(Vec<pb::Notification>, u64, bool), ServiceError> {
    let meeting = (!meeting.is_empty()).then_some(meeting);
    let all = state
        .store
        .read(|tx| tx.notifications(meeting, after, limit))?;
    let last = all.last().map_or(after, |n| n.id);
    let full = all.len() == limit;
    let shown = all
        .iter()
        .filter(|n| caller.may_edit(&n.group, &n.area))
        .map(notification_to_pb)
        .collect();
    Ok((shown, last, full))
}

#[tonic::async_trait]
impl notifications_server::Notifications for AgendaService {
    async fn list(
        &self,
        request: Request<pb::ListNotificationsRequest>,
    ) -> Reply<pb::ListNotificationsResponse> {
        let caller = self.caller(&request)?;
        let r = request.into_inner();
        let size = page_size(r.page_size);
        let (notifications, last, full) = self
            .blocking(move |s| visible(s, &caller, &r.meeting, r.after_id, size))
            .await?;
        Ok(Response::new(pb::ListNotificationsResponse {
            notifications,
            next_after_id: if full { last } else { 0 },
        }))
    }

    type WatchStream = EventStream<pb::Notification>;

    async fn watch(
        &self,
        request: Request<pb::ListNotificationsRequest>,
    ) -> Reply<Self::WatchStream> {
        let caller = self.caller(&request)?;
        let r = request.into_inner();
        let (tx, rx) = mpsc::channel(64);
        let service = self.clone();
        // Subscribed before the first read of the outbox, so that nothing stored in
        // between is missed (what comes twice is skipped by its id).
        let mut fresh = self.state.fresh.subscribe();
        let mut closing = self.state.closing.subscribe();
        tokio::spawn(async move {
            let mut after = r.after_id;
            // Reads the outbox from `after` until it is caught up.
            let mut catch_up = true;
            loop {
                if catch_up {
                    let c = caller.clone();
                    let meeting = r.meeting.clone();
                    let batch = match service
                        .blocking(move |s| visible(s, &c, &meeting, after, MAX_PAGE_SIZE))
                        .await
                    {
                        Ok(b) => b,
                        Err(status) => {
                            let _ = tx.send(Err(status)).await;
                            return;
                        }
                    };
                    let (items, last, full) = batch;
                    for n in items {
                        if tx.send(Ok(n)).await.is_err() {
                            return;
                        }
                    }
                    after = after.max(last);
                    // A backlog: the next page before waiting for news.
                    catch_up = full;
                    continue;
                }
                if *closing.borrow() {
                    return;
                }
                tokio::select! {
                    got = fresh.recv() => match got {
                        Ok(rows) => {
                            for n in rows.iter().filter(|n| n.id > after) {
                                let wanted = (r.meeting.is_empty() || n.meeting == r.meeting)
                                    && caller.may_edit(&n.group, &n.area);
                                if wanted && tx.send(Ok(notification_to_pb(n))).await.is_err() {
                                    return;
                                }
                            }
                            after = rows.last().map_or(after, |n| after.max(n.id));
                        }
                        // Fell behind the broadcast: read the outbox again.
                        Err(broadcast::error::RecvError::Lagged(_)) => catch_up = true,
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    _ = closing.changed() => return,
                    _ = tx.closed() => return,
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

/// Batches of new notifications a `Watch` stream may fall behind by before it reads
/// the outbox again.
const FRESH_BATCHES: usize = 1_024;

/// Hands the notifications stored since the last call to the `Watch` streams, and
/// returns the newest id (for the mail worker). Called after every change that may
/// have added to the outbox.
fn publish_new(s: &State) -> Result<u64, ServiceError> {
    let mut published = s
        .published
        .lock()
        .map_err(|_| ServiceError::Internal("notification state poisoned".into()))?;
    loop {
        let after = *published;
        let rows = s
            .store
            .read(|tx| tx.notifications(None, after, MAX_PAGE_SIZE))?;
        let Some(last) = rows.last().map(|n| n.id) else {
            break;
        };
        *published = last;
        let full = rows.len() == MAX_PAGE_SIZE;
        // No stream listening is not an error.
        let _ = s.fresh.send(Arc::new(rows));
        if !full {
            break;
        }
    }
    Ok(*published)
}

/// Sets the cancel flag when the response stream is dropped (the client went away).
struct CancelOnDrop<T> {
    inner: ReceiverStream<Result<T, Status>>,
    cancel: Arc<AtomicBool>,
}

impl<T> Stream for CancelOnDrop<T> {
    type Item = Result<T, Status>;
    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        Pin::new(&mut self.inner).poll_next(cx)
    }
}

impl<T> Drop for CancelOnDrop<T> {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// A what-if run's options from the request: 10 s per scenario, the move rule it names
/// (moves at 10,000 when none), one scenario per core (each on one thread).
fn whatif_plan(r: &pb::WhatIfRequest) -> Result<whatif::WhatIfOptions, ServiceError> {
    let seconds = if r.time_limit_seconds == 0.0 {
        10.0
    } else {
        r.time_limit_seconds
    };
    let solve =
        SolveOptions::checked(seconds, 0.0, 1, 1).map_err(|e| ServiceError::BadArgument {
            field: "time_limit_seconds".into(),
            message: e.message,
        })?;
    let moves = whatif::checked_move_rule(r.move_cost, r.max_moves, r.lexicographic).map_err(
        |(field, message)| ServiceError::BadArgument {
            field: field.into(),
            message,
        },
    )?;
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    Ok(whatif::WhatIfOptions { solve, moves, jobs })
}

/// The scenarios of a what-if request, each checked to apply to `instance`.
fn whatif_scenarios(
    instance: &agenda_solver::Instance,
    text: &str,
) -> Result<Vec<whatif::Scenario>, ServiceError> {
    let scenarios = whatif::parse_scenarios(text).map_err(|e| scenario_errors(&[e]))?;
    let errors: Vec<whatif::ScenarioError> = scenarios
        .iter()
        .filter_map(|s| whatif::apply(instance, s).err())
        .collect();
    if !errors.is_empty() {
        return Err(scenario_errors(&errors));
    }
    Ok(scenarios)
}

/// Scenario lines that do not parse or apply, as INVALID_ARGUMENT on `scenarios`.
fn scenario_errors(errors: &[whatif::ScenarioError]) -> ServiceError {
    ServiceError::Invalid {
        message: format!(
            "{} scenario line(s) do not parse or apply; first: {}",
            errors.len(),
            errors.first().map(|e| e.to_string()).unwrap_or_default()
        ),
        issues: errors
            .iter()
            .map(|e| Issue {
                severity: agenda_solver::Severity::Error,
                request: None,
                field: "scenarios".into(),
                message: e.to_string(),
                help: Some("see docs/whatif.md for the edits and their words".into()),
            })
            .collect(),
    }
}

fn whatif_outcome_pb(o: &whatif::Outcome) -> pb::WhatIfOutcome {
    let place = |p: &Option<(String, String)>| {
        p.as_ref()
            .map_or("(not placed)".to_string(), |(slot, room)| {
                format!("{slot} {room}")
            })
    };
    pb::WhatIfOutcome {
        scenario: o.scenario.clone(),
        cost: o.cost,
        change: i64::try_from(o.change).unwrap_or(if o.change < 0 { i64::MIN } else { i64::MAX }),
        moved: u32::try_from(o.moved).unwrap_or(u32::MAX),
        moved_room: u32::try_from(o.moved_room).unwrap_or(u32::MAX),
        status: o.status.key().to_string(),
        objective: o.objective,
        lower_bound: o.lower_bound,
        seconds: o.seconds,
        moves: o
            .diff
            .moves
            .iter()
            .map(|m| {
                format!(
                    "{} {}: {} -> {}",
                    m.group,
                    m.session,
                    place(&m.from),
                    place(&m.to)
                )
            })
            .collect(),
        saved_as: String::new(),
    }
}

/// Stores a scenario's agenda as "whatif-NAME" unless that name is published.
fn save_whatif(
    state: &State,
    meeting: &str,
    made_by: &str,
    outcome: &whatif::Outcome,
) -> Result<Option<String>, ServiceError> {
    let name = format!("{}{}", agendas::WHATIF_PREFIX, outcome.scenario);
    let mut agenda_json = serde_json::to_string_pretty(&outcome.agenda)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    agenda_json.push('\n');
    state.store.write(|tx| {
        if tx
            .named_agenda(meeting, &name)?
            .is_some_and(|a| a.published)
        {
            return Ok(None);
        }
        tx.put_named_agenda(
            meeting,
            &NamedAgenda {
                name: name.clone(),
                agenda: StoredAgenda {
                    agenda_json,
                    stats_json: "{}".into(),
                    created_at: now(),
                },
                made_by: made_by.to_string(),
                published: false,
            },
        )?;
        Ok(Some(name))
    })
}

/// The client's deadline (`grpc-timeout`), if it sent one.
fn client_deadline<T>(request: &Request<T>) -> Option<Duration> {
    let v = request.metadata().get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = v.split_at(v.len().checked_sub(1)?);
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// The solver's options from the request, with the CLI's defaults for zeros.
fn solve_options(
    r: &pb::SolveRequest,
    deadline: Option<Duration>,
) -> Result<SolveOptions, ServiceError> {
    let bad = |field: &str, message: String| ServiceError::BadArgument {
        field: field.into(),
        message,
    };
    let seconds = if r.time_limit_seconds == 0.0 {
        60.0
    } else {
        r.time_limit_seconds
    };
    let threads = if r.threads == 0 { 2 } else { r.threads };
    let seed = if r.seed == 0 { 1 } else { r.seed };
    let mut options =
        SolveOptions::checked(seconds, r.gap, threads, seed).map_err(|e| match e.option {
            "time_limit" => bad("time_limit_seconds", e.message),
            other => bad(other, e.message),
        })?;
    if let Some(d) = deadline {
        // Leave the last tenth (at least 1 s) of the client's deadline for the answer.
        let margin = (d / 10).max(Duration::from_secs(1));
        let usable = d.saturating_sub(margin);
        if usable.is_zero() {
            return Err(bad(
                "grpc-timeout",
                format!("a deadline of {d:?} leaves no time to solve; allow a few seconds"),
            ));
        }
        options.time_limit = options.time_limit.min(usable);
    }
    Ok(options)
}

fn progress_pb(p: &Progress) -> pb::SolveProgress {
    let gap = match (p.incumbent, p.bound) {
        (Some(i), Some(b)) => Some(solve::relative_gap(i, b)),
        _ => None,
    };
    pb::SolveProgress {
        phase: p.phase.key().to_string(),
        incumbent: p.incumbent,
        bound: p.bound,
        gap,
        elapsed_seconds: p.elapsed.as_secs_f64(),
    }
}

fn progress_event(p: &Progress) -> pb::SolveEvent {
    pb::SolveEvent {
        event: Some(pb::solve_event::Event::Progress(progress_pb(p))),
    }
}

/// A stored online-meeting plan: the parts of `pb::VirtualPlan` that are not derived.
#[derive(Debug, Serialize, Deserialize)]
struct VirtualPlanDoc {
    window: String,
    instance: String,
    agenda: String,
    interim_request: String,
    left_out: Vec<String>,
    created_at: String,
}

fn virtual_plan_to_pb(
    meeting: &str,
    doc: &VirtualPlanDoc,
) -> Result<pb::VirtualPlan, ServiceError> {
    let instance = parse_instance(&doc.instance, "stored virtual instance")
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let problem = validate(&instance).problem.ok_or_else(|| {
        ServiceError::Internal("the stored virtual instance no longer validates".into())
    })?;
    let agenda = parse_agenda(&doc.agenda, "stored virtual agenda")
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let (_, evaluation) = evaluate_agenda(&problem, &agenda);
    Ok(pb::VirtualPlan {
        meeting: meeting.to_string(),
        window: doc.window.clone(),
        instance: doc.instance.clone(),
        agenda: Some(report_to_pb(
            meeting,
            &agenda,
            doc.agenda.clone(),
            &evaluation,
            None,
        )),
        interim_request: doc.interim_request.clone(),
        left_out: doc.left_out.clone(),
        created_at: doc.created_at.clone(),
    })
}

#[tonic::async_trait]
impl scheduling_server::Scheduling for AgendaService {
    type SolveStream = EventStream<pb::SolveEvent>;
    type PlanVirtualStream = EventStream<pb::PlanVirtualEvent>;

    async fn plan_virtual(
        &self,
        request: Request<pb::PlanVirtualRequest>,
    ) -> Reply<Self::PlanVirtualStream> {
        let caller = self.caller(&request)?;
        caller.require_secretariat("plan online meetings")?;
        let r = request.into_inner();
        let limit = interims::time_limit(r.time_limit_seconds)?;
        let spec: agenda_solver::online::VirtualMeetingSpec =
            serde_json::from_str(&r.virtual_meeting).map_err(|e| ServiceError::BadArgument {
                field: "virtual_meeting".into(),
                message: format!("is not a virtual-meeting/1 document: {e}"),
            })?;
        let vm = agenda_solver::online::check(&spec).map_err(|issues| ServiceError::Invalid {
            message: format!("the virtual meeting is invalid: {} error(s)", issues.len()),
            issues,
        })?;
        let permit = self.state.solving.clone().try_acquire_owned().map_err(|_| {
            ServiceError::Busy("a solve is already running (one at a time: it uses every core); try again when it ends".into())
        })?;
        let meeting = r.meeting.clone();
        let built = vm.clone();
        let (requests, instance, problem) = self
            .blocking(move |s| {
                let requests = s.store.read(|tx| intake::current_instance(tx, &meeting))?;
                let instance = built.instance(&requests);
                let v = validate(&instance);
                let Some(problem) = v.problem else {
                    let issues: Vec<Issue> = v.errors().cloned().collect();
                    return Err(ServiceError::Invalid {
                        message: format!(
                            "the online meeting's instance does not validate ({} error(s))",
                            issues.len()
                        ),
                        issues,
                    });
                };
                Ok((requests, instance, problem))
            })
            .await?;
        let cancel = Arc::new(AtomicBool::new(false));
        if let Ok(mut running) = self.state.running.lock() {
            *running = Some(cancel.clone());
        }
        let options = SolveOptions {
            time_limit: limit,
            cancel: Some(cancel),
            ..SolveOptions::default()
        };
        tracing::info!(rpc = "PlanVirtual", caller = %caller.name, meeting = %r.meeting, sessions = problem.sessions.len(), "solving");
        let (tx, rx) = mpsc::channel(256);
        let state = self.state.clone();
        let meeting = r.meeting.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut progress = |p: &Progress| {
                let _ = tx.try_send(Ok(pb::PlanVirtualEvent {
                    event: Some(pb::plan_virtual_event::Event::Progress(progress_pb(p))),
                }));
            };
            let report = solve::solve(&problem, &options, &mut progress);
            let agenda = report.to_agenda(&problem);
            let outcome = (|| -> Result<pb::PlanVirtualEvent, ServiceError> {
                let json = |v: &dyn erased_json::Json| v.pretty();
                let left_out = agenda_solver::online::left_out(&requests, &agenda);
                let interim_file = vm.interim_requests(&requests, &left_out);
                let doc = VirtualPlanDoc {
                    window: vm.explain(),
                    instance: json(&instance)?,
                    agenda: json(&agenda)?,
                    interim_request: json(&interim_file)?,
                    left_out,
                    created_at: now(),
                };
                let body = serde_json::to_string(&doc)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                if !report.stats.cancelled || !tx.is_closed() {
                    state
                        .store
                        .write(|t| t.put_virtual_plan(&meeting, &body, &doc.created_at))?;
                }
                Ok(pb::PlanVirtualEvent {
                    event: Some(pb::plan_virtual_event::Event::Result(virtual_plan_to_pb(
                        &meeting, &doc,
                    )?)),
                })
            })();
            if let Ok(mut running) = state.running.lock() {
                *running = None;
            }
            let _ = tx.blocking_send(outcome.map_err(Status::from));
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn get_virtual_plan(
        &self,
        request: Request<pb::GetVirtualPlanRequest>,
    ) -> Reply<pb::VirtualPlan> {
        self.caller(&request)?;
        let meeting = request.into_inner().meeting;
        let plan = self
            .blocking(move |s| {
                let body = s
                    .store
                    .read(|tx| tx.virtual_plan(&meeting))?
                    .ok_or_else(|| {
                        ServiceError::NotFound(format!(
                            "IETF {meeting} has no online-meeting plan: run PlanVirtual"
                        ))
                    })?;
                let doc: VirtualPlanDoc = serde_json::from_str(&body)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                virtual_plan_to_pb(&meeting, &doc)
            })
            .await?;
        Ok(Response::new(plan))
    }

    async fn solve(&self, request: Request<pb::SolveRequest>) -> Reply<Self::SolveStream> {
        let caller = self.caller(&request)?;
        caller.require_secretariat("run solves")?;
        let deadline = client_deadline(&request);
        let r = request.into_inner();
        let mut options = solve_options(&r, deadline)?;
        let save_as = match r.save_as.as_str() {
            "" => agendas::DEFAULT_DRAFT.to_string(),
            name => {
                agendas::check_name("save_as", name)?;
                name.to_string()
            }
        };
        let (overwrite, made_by) = (r.overwrite, caller.name.clone());
        let permit = self.state.solving.clone().try_acquire_owned().map_err(|_| {
            ServiceError::Busy("a solve is already running (one at a time: it uses every core); try again when it ends".into())
        })?;
        let meeting = r.meeting.clone();
        let warm_start = r.warm_start;
        let (problem, start) = self
            .blocking(move |s| {
                let problem = current_problem(s, &meeting)?;
                let start = if warm_start {
                    let stored = stored_agenda(s, &meeting).map_err(|_| {
                        ServiceError::FailedPrecondition(format!(
                            "IETF {meeting} has no agenda to start from: solve once without warm_start"
                        ))
                    })?;
                    let agenda = parse_agenda(&stored.agenda_json, "stored agenda")
                        .map_err(|e| ServiceError::Internal(e.to_string()))?;
                    Some(solve::start_from_agenda(&problem, &agenda))
                } else {
                    None
                };
                Ok((problem, start))
            })
            .await?;
        options.start = start;
        let cancel = Arc::new(AtomicBool::new(false));
        options.cancel = Some(cancel.clone());
        if let Ok(mut running) = self.state.running.lock() {
            *running = Some(cancel.clone());
        }
        tracing::info!(rpc = "Solve", caller = %caller.name, meeting = %r.meeting, sessions = problem.sessions.len(), "solving");
        let (tx, rx) = mpsc::channel(256);
        let state = self.state.clone();
        let meeting = r.meeting.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut progress = |p: &Progress| {
                // A slow reader loses progress lines, never stalls the solver.
                let _ = tx.try_send(Ok(progress_event(p)));
            };
            let report = solve::solve(&problem, &options, &mut progress);
            let agenda = report.to_agenda(&problem);
            let stats = StatsDoc {
                sessions: report.stats.sessions as u64,
                variables: report.stats.variables as u64,
                rows: report.stats.rows as u64,
                total_seconds: report.stats.total_time.as_secs_f64(),
                cancelled: report.stats.cancelled,
                cut_by_time: report.stats.cut_by_time,
                diagnosis: report.diagnosis.clone(),
            };
            let outcome = (|| -> Result<pb::SolveEvent, ServiceError> {
                let mut agenda_json = serde_json::to_string_pretty(&agenda)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                agenda_json.push('\n');
                // A solve the client abandoned does not replace the meeting's agenda.
                let mut saved = false;
                if !report.stats.cancelled || !tx.is_closed() {
                    let stored = StoredAgenda {
                        agenda_json: agenda_json.clone(),
                        stats_json: serde_json::to_string(&stats)
                            .map_err(|e| ServiceError::Internal(e.to_string()))?,
                        created_at: now(),
                    };
                    saved = state.store.write(|t| {
                        t.put_agenda(&meeting, &stored)?;
                        let named = NamedAgenda {
                            name: save_as.clone(),
                            agenda: stored.clone(),
                            made_by: made_by.clone(),
                            published: false,
                        };
                        agendas::offer(
                            t,
                            &problem,
                            &meeting,
                            &named,
                            report.evaluation.cost,
                            overwrite,
                        )
                    })?;
                }
                let mut result = report_to_pb(
                    &meeting,
                    &agenda,
                    agenda_json,
                    &report.evaluation,
                    Some(stats.to_pb()),
                );
                if saved {
                    result.saved_as = save_as.clone();
                }
                Ok(pb::SolveEvent {
                    event: Some(pb::solve_event::Event::Result(result)),
                })
            })();
            if let Ok(mut running) = state.running.lock() {
                *running = None;
            }
            tracing::info!(rpc = "Solve", meeting = %meeting, cost = report.evaluation.cost, bound = ?report.lower_bound, seconds = report.stats.total_time.as_secs_f64(), cancelled = report.stats.cancelled, "solved");
            let _ = tx.blocking_send(outcome.map_err(Status::from));
        });
        Ok(Response::new(Box::pin(CancelOnDrop {
            inner: ReceiverStream::new(rx),
            cancel,
        })))
    }

    async fn get_agenda(&self, request: Request<pb::GetAgendaRequest>) -> Reply<pb::AgendaReport> {
        self.caller(&request)?;
        let r = request.into_inner();
        let (meeting, name) = (r.meeting, r.name);
        let report = self
            .blocking(move |s| {
                let stored = match name.as_str() {
                    "" => stored_agenda(s, &meeting)?,
                    name => s.store.read(|tx| agendas::base(tx, &meeting, name))?.agenda,
                };
                let stats: Option<StatsDoc> = serde_json::from_str(&stored.stats_json).ok();
                Ok(priced(s, &meeting, stored.agenda_json, stats.map(|s| s.to_pb()))?.2)
            })
            .await?;
        Ok(Response::new(report))
    }

    async fn check_agenda(
        &self,
        request: Request<pb::CheckAgendaRequest>,
    ) -> Reply<pb::AgendaReport> {
        self.caller(&request)?;
        let r = request.into_inner();
        let report = self
            .blocking(move |s| Ok(priced(s, &r.meeting, r.agenda_json, None)?.2))
            .await?;
        Ok(Response::new(report))
    }

    async fn save_agenda(&self, request: Request<pb::SaveAgendaRequest>) -> Reply<pb::AgendaInfo> {
        let caller = self.caller(&request)?;
        caller.require_secretariat("store agendas")?;
        let r = request.into_inner();
        let info = self
            .blocking(move |s| {
                let problem = current_problem(s, &r.meeting)?;
                s.store.write(|tx| {
                    agendas::save(
                        tx,
                        &problem,
                        &r.meeting,
                        &r.name,
                        r.agenda_json,
                        &caller.name,
                        &now(),
                        r.overwrite,
                    )
                })
            })
            .await?;
        Ok(Response::new(info))
    }

    async fn list_agendas(
        &self,
        request: Request<pb::ListAgendasRequest>,
    ) -> Reply<pb::ListAgendasResponse> {
        self.caller(&request)?;
        let meeting = request.into_inner().meeting;
        let list = self
            .blocking(move |s| {
                let problem = current_problem(s, &meeting)?;
                let named = s.store.read(|tx| tx.named_agendas(&meeting))?;
                Ok(named
                    .iter()
                    .map(|a| agendas::info(&problem, &meeting, a))
                    .collect())
            })
            .await?;
        Ok(Response::new(pb::ListAgendasResponse { agendas: list }))
    }

    async fn publish_agenda(
        &self,
        request: Request<pb::PublishAgendaRequest>,
    ) -> Reply<pb::AgendaInfo> {
        let caller = self.caller(&request)?;
        caller.require_secretariat("publish agendas")?;
        let r = request.into_inner();
        let info = self
            .blocking(move |s| {
                let problem = current_problem(s, &r.meeting)?;
                let named = s.store.write(|tx| {
                    let named = agendas::base(tx, &r.meeting, &r.name)?;
                    tx.publish_agenda(&r.meeting, &r.name)?;
                    Ok(named)
                })?;
                let mut info = agendas::info(&problem, &r.meeting, &named);
                info.published = true;
                Ok(info)
            })
            .await?;
        tracing::info!(rpc = "PublishAgenda", meeting = %info.meeting, name = %info.name, cost = info.cost, "published");
        Ok(Response::new(info))
    }

    type WhatIfStream = EventStream<pb::WhatIfEvent>;

    async fn what_if(&self, request: Request<pb::WhatIfRequest>) -> Reply<Self::WhatIfStream> {
        let caller = self.caller(&request)?;
        caller.require_secretariat("run what-if scenarios")?;
        let r = request.into_inner();
        let plan = whatif_plan(&r)?;
        let permit = self.state.solving.clone().try_acquire_owned().map_err(|_| {
            ServiceError::Busy("a solve is already running (one at a time: it uses every core); try again when it ends".into())
        })?;
        let (meeting, base_name) = (r.meeting.clone(), r.base.clone());
        let (instance, base) = self
            .blocking(move |s| {
                s.store.read(|tx| {
                    let instance = intake::current_instance(tx, &meeting)?;
                    let base = agendas::base(tx, &meeting, &base_name)?;
                    Ok((instance, base))
                })
            })
            .await?;
        let base = parse_agenda(&base.agenda.agenda_json, &base.name)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let scenarios = whatif_scenarios(&instance, &r.scenarios)?;
        let cancel = Arc::new(AtomicBool::new(false));
        let mut options = plan;
        options.solve.cancel = Some(cancel.clone());
        if let Ok(mut running) = self.state.running.lock() {
            *running = Some(cancel.clone());
        }
        tracing::info!(rpc = "WhatIf", caller = %caller.name, meeting = %r.meeting, scenarios = scenarios.len(), "what-if");
        let (tx, rx) = mpsc::channel(64);
        let state = self.state.clone();
        let (meeting, save) = (r.meeting.clone(), r.save);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let finished = |outcome: &whatif::Outcome| {
                let mut event = whatif_outcome_pb(outcome);
                if save {
                    match save_whatif(&state, &meeting, &caller.name, outcome) {
                        Ok(Some(name)) => event.saved_as = name,
                        Ok(None) => {}
                        Err(e) => {
                            tracing::warn!(rpc = "WhatIf", error = %e, "scenario agenda not stored")
                        }
                    }
                }
                let _ = tx.blocking_send(Ok(pb::WhatIfEvent {
                    event: Some(pb::what_if_event::Event::Outcome(event)),
                }));
            };
            let result = whatif::run(&instance, &base, &scenarios, &options, &finished);
            if let Ok(mut running) = state.running.lock() {
                *running = None;
            }
            let last = match result {
                Ok(run) => Ok(pb::WhatIfEvent {
                    event: Some(pb::what_if_event::Event::Summary(pb::WhatIfSummary {
                        base_cost: run.base_cost,
                        unedited_bound: run.unedited_bound,
                        scenarios: u32::try_from(run.outcomes.len()).unwrap_or(u32::MAX),
                    })),
                }),
                Err(errors) => Err(Status::from(scenario_errors(&errors))),
            };
            let _ = tx.blocking_send(last);
        });
        Ok(Response::new(Box::pin(CancelOnDrop {
            inner: ReceiverStream::new(rx),
            cancel,
        })))
    }

    async fn export(&self, request: Request<pb::ExportRequest>) -> Reply<pb::Document> {
        self.caller(&request)?;
        let r = request.into_inner();
        let format: Format = r
            .format
            .parse()
            .map_err(|message| ServiceError::BadArgument {
                field: "format".into(),
                message,
            })?;
        let content = self
            .blocking(move |s| {
                let stored = stored_agenda(s, &r.meeting)?;
                let (problem, agenda, _) = priced(s, &r.meeting, stored.agenda_json, None)?;
                Ok(export::render(&Report::new(&problem, &agenda), format))
            })
            .await?;
        let media_type = match format {
            Format::Csv => "text/csv",
            Format::Ics => "text/calendar",
            Format::Text => "text/plain",
            Format::Html => "text/html",
            Format::Json => "application/json",
        };
        Ok(Response::new(pb::Document {
            media_type: media_type.into(),
            content,
        }))
    }
}

fn interim_to_pb(i: &crate::store::StoredInterim) -> pb::StoredInterim {
    pb::StoredInterim {
        name: i.name.clone(),
        group: i.group.clone(),
        status: i.status.clone(),
        session_starts: i.starts.clone(),
        minutes: i.minutes,
        requested_by: i.requested_by.clone(),
        created_at: i.created_at.clone(),
        detail: i.detail.clone(),
    }
}

fn plan_to_pb(
    plan: &agenda_solver::interim::InterimPlan,
    stored: &[crate::store::StoredInterim],
) -> Result<pb::InterimPlanResponse, Status> {
    let mut text =
        serde_json::to_string_pretty(plan).map_err(|e| Status::internal(e.to_string()))?;
    text.push('\n');
    Ok(pb::InterimPlanResponse {
        plan: text,
        status: plan.status.clone(),
        cost: plan.cost,
        lower_bound: plan.lower_bound,
        stored: stored.iter().map(interim_to_pb).collect(),
    })
}

#[tonic::async_trait]
impl pb::interims_server::Interims for AgendaService {
    async fn plan(
        &self,
        request: Request<pb::PlanInterimsRequest>,
    ) -> Reply<pb::InterimPlanResponse> {
        let caller = self.caller(&request)?;
        let r = request.into_inner();
        let limit = interims::time_limit(r.time_limit_seconds)?;
        let out = self
            .blocking(move |_| interims::plan(&r.request, limit))
            .await
            .and_then(|plan| plan_to_pb(&plan, &[]))
            .map(Response::new);
        Self::logged("Interims.Plan", &caller, out)
    }

    async fn request(
        &self,
        request: Request<pb::RequestInterimsRequest>,
    ) -> Reply<pb::InterimPlanResponse> {
        let caller = self.caller(&request)?;
        let r = request.into_inner();
        let limit = interims::time_limit(r.time_limit_seconds)?;
        let c = caller.clone();
        let out = self
            .blocking(move |s| {
                let at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:00Z").to_string();
                interims::request(&s.store, &c, &r.request, limit, &at)
            })
            .await
            .and_then(|(plan, stored)| plan_to_pb(&plan, &stored))
            .map(Response::new);
        Self::logged("Interims.Request", &caller, out)
    }

    async fn list(
        &self,
        request: Request<pb::ListInterimsRequest>,
    ) -> Reply<pb::ListInterimsResponse> {
        self.caller(&request)?;
        let group = request.into_inner().group;
        let list = self
            .blocking(move |s| {
                let g = (!group.is_empty()).then_some(group.as_str());
                s.store.read(|tx| tx.interims(g))
            })
            .await?;
        Ok(Response::new(pb::ListInterimsResponse {
            interims: list.iter().map(interim_to_pb).collect(),
        }))
    }

    async fn cancel(&self, request: Request<pb::InterimName>) -> Reply<pb::StoredInterim> {
        self.interim_change("Interims.Cancel", request, interims::cancel)
            .await
    }

    async fn announce(&self, request: Request<pb::InterimName>) -> Reply<pb::StoredInterim> {
        self.interim_change("Interims.Announce", request, interims::announce)
            .await
    }

    async fn set_calendar(&self, request: Request<pb::SetCalendarRequest>) -> Reply<pb::Document> {
        let caller = self.caller(&request)?;
        let text = request.into_inner().calendar;
        let c = caller.clone();
        let out = self
            .blocking(move |s| interims::set_calendar(&s.store, &c, &text, &now()))
            .await
            .map(|content| {
                Response::new(pb::Document {
                    media_type: "application/json".into(),
                    content,
                })
            });
        Self::logged("Interims.SetCalendar", &caller, out)
    }

    async fn get_calendar(&self, request: Request<pb::GetCalendarRequest>) -> Reply<pb::Document> {
        self.caller(&request)?;
        let content = self.blocking(|s| interims::calendar(&s.store)).await?;
        Ok(Response::new(pb::Document {
            media_type: "application/json".into(),
            content,
        }))
    }
}

/// Pretty JSON with a final newline, for any document.
mod erased_json {
    use crate::error::ServiceError;

    pub trait Json {
        fn pretty(&self) -> Result<String, ServiceError>;
    }

    impl<T: serde::Serialize> Json for T {
        fn pretty(&self) -> Result<String, ServiceError> {
            let mut t = serde_json::to_string_pretty(self)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            t.push('\n');
            Ok(t)
        }
    }
}
