//! Durable state in one SQLite file: meetings, session requests with their history, the
//! notification outbox and the current agenda of each meeting.
//!
//! Every change runs in a savepoint of a `BEGIN IMMEDIATE` transaction ([`Store::write`])
//! with `synchronous=FULL` in WAL mode, committed in groups, so a call is acknowledged
//! only once its change is on disk, and the version check of an edit and its write
//! cannot interleave with another writer. Documents are stored as their FORMAT.md JSON.

use crate::error::{Result, ServiceError};
use agenda_solver::instance::{Instance, SessionRequest};
use agenda_solver::validate::MeetingIndex;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Where a group's request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestStatus {
    /// The request stands.
    Active,
    /// The request was withdrawn.
    Cancelled,
    /// The group said it will not meet.
    NoSession,
}

impl RequestStatus {
    pub(crate) fn key(self) -> &'static str {
        match self {
            RequestStatus::Active => "active",
            RequestStatus::Cancelled => "cancelled",
            RequestStatus::NoSession => "no-session",
        }
    }

    fn from_key(key: &str) -> Result<RequestStatus> {
        match key {
            "active" => Ok(RequestStatus::Active),
            "cancelled" => Ok(RequestStatus::Cancelled),
            "no-session" => Ok(RequestStatus::NoSession),
            other => Err(ServiceError::Internal(format!(
                "unknown request status {other:?} in the database"
            ))),
        }
    }
}

/// A meeting as stored: the instance without its requests (checked, as the index that
/// a request is validated against), and the tool's lock.
#[derive(Debug, Clone)]
pub struct MeetingRecord {
    pub(crate) index: Arc<MeetingIndex>,
    pub(crate) locked: bool,
    pub(crate) lock_message: String,
}

impl MeetingRecord {
    /// The meeting's parts; `requests` is always empty here (see [`Tx::requests`]).
    pub fn base(&self) -> &Instance {
        self.index.base()
    }
}

/// A group's request at a meeting, as stored.
#[derive(Debug, Clone)]
pub struct StoredRequest {
    pub(crate) meeting: String,
    pub(crate) group: String,
    pub(crate) status: RequestStatus,
    /// Increases with every accepted change; an edit must name the version it read.
    pub version: u64,
    pub(crate) request: SessionRequest,
    pub(crate) updated_by: String,
    pub(crate) updated_at: String,
}

/// One accepted change of a request.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    /// The version the change made.
    pub version: u64,
    pub(crate) action: String,
    pub(crate) actor: String,
    pub(crate) at: String,
    pub(crate) status: RequestStatus,
    pub(crate) request: SessionRequest,
}

/// A message of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub(crate) id: u64,
    pub(crate) meeting: String,
    pub(crate) group: String,
    /// The group's area, so that ADs see their area's messages.
    pub area: String,
    pub(crate) kind: String,
    pub(crate) to: Vec<String>,
    pub(crate) cc: Vec<String>,
    pub(crate) subject: String,
    pub(crate) body: String,
    pub(crate) created_at: String,
    /// Its mail delivery, when mail is on and it was tried.
    pub delivery: Option<Delivery>,
}

/// How the mail of one notification went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `sent`, `retrying` or `failed`.
    pub state: String,
    pub(crate) attempts: u32,
    /// The last failure, in the mail server's words.
    pub last_error: String,
    /// When to try again (Unix seconds), for `retrying`.
    pub next_attempt: i64,
}

/// An interim meeting the service planned (ONLINE.md section 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInterim {
    pub(crate) name: String,
    pub(crate) group: String,
    /// `scheduled`, `announced` or `cancelled`.
    pub status: String,
    /// Session starts, RFC 3339 UTC.
    pub starts: Vec<String>,
    pub(crate) minutes: u32,
    /// The `interim-request/1` request entry it was planned from (JSON).
    pub request: String,
    /// Its entry of the plan (JSON).
    pub detail: String,
    pub(crate) requested_by: String,
    pub(crate) created_at: String,
}

/// The meeting's current agenda: the `agenda/1` JSON and the solver's statistics.
#[derive(Debug, Clone)]
pub struct StoredAgenda {
    pub(crate) agenda_json: String,
    pub(crate) stats_json: String,
    pub(crate) created_at: String,
}

const REQUEST_COLUMNS: &str = "grp, status, body, updated_by, updated_at, version";

/// A request row as read, before its JSON and status are decoded.
struct RequestRow {
    group: String,
    status: String,
    body: String,
    updated_by: String,
    updated_at: String,
    version: i64,
}

impl RequestRow {
    fn into_stored(self, meeting: &str, parsed: &Mutex<Parsed>) -> Result<StoredRequest> {
        let key = (meeting.to_string(), self.group.clone());
        let request = parsed_or(parsed, |p| &mut p.requests, key, &self.body, from_json)?;
        Ok(StoredRequest {
            meeting: meeting.to_string(),
            group: self.group,
            status: RequestStatus::from_key(&self.status)?,
            version: self.version as u64,
            request,
            updated_by: self.updated_by,
            updated_at: self.updated_at,
        })
    }
}

/// Documents already parsed, by key, with the exact text they were parsed from. A text
/// always parses to the same value, so an entry whose text matches the row is right
/// without any invalidation; it saves every edit from parsing the meeting and all its
/// requests again (0.9 ms of 1.8 on IETF 106, `cargo bench --bench service_load`). A
/// meeting is kept checked, as the index its requests are validated against.
#[derive(Default)]
struct Parsed {
    meetings: HashMap<String, (String, Arc<MeetingIndex>)>,
    requests: HashMap<(String, String), (String, SessionRequest)>,
}

/// The document of `text` under `key`: the cached one when its text is the same, else
/// made by `parse` and cached.
fn parsed_or<K: std::hash::Hash + Eq, T: Clone>(
    parsed: &Mutex<Parsed>,
    table: impl Fn(&mut Parsed) -> &mut HashMap<K, (String, T)>,
    key: K,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T>,
) -> Result<T> {
    if let Ok(mut p) = parsed.lock() {
        if let Some((cached, value)) = table(&mut p).get(&key) {
            if cached == text {
                return Ok(value.clone());
            }
        }
    }
    let value: T = parse(text)?;
    if let Ok(mut p) = parsed.lock() {
        table(&mut p).insert(key, (text.to_string(), value.clone()));
    }
    Ok(value)
}

/// The database. Calls block; the gRPC layer runs them on tokio's blocking pool.
///
/// Writes share one connection and are committed in groups: a write runs in a savepoint
/// of the open transaction, and the write that opened it (the leader) commits once no
/// other write is waiting to join, so concurrent writers share one fsync instead of
/// queueing for one each. Every write still returns only after its own commit, and one
/// that fails rolls back to its savepoint, leaving the others' changes (`BENCHMARKS.md`,
/// service load). Reads of a database file use their own read-only connections, which
/// see only committed data and never wait for a commit.
pub struct Store {
    writer: Mutex<Writer>,
    /// Signalled when a group commits.
    committed: Condvar,
    /// Signalled when a write joins the open group.
    joined: Condvar,
    /// Writes waiting for the writer's lock: the leader commits once none are.
    arriving: AtomicUsize,
    /// Read-only connections of a database file (None: in memory, where reads share the
    /// writer's connection and no transaction stays open between writes).
    readers: Option<Readers>,
    /// Groups committed (each one fsync), for the tests and benchmarks.
    commits: AtomicU64,
    parsed: Mutex<Parsed>,
}

/// The write connection and where its groups stand.
struct Writer {
    conn: Connection,
    /// The group whose transaction is open, if one is.
    open: Option<u64>,
    next_group: u64,
    /// Every group up to this one has committed (or failed to).
    committed_through: u64,
    /// The latest groups whose commit failed, with why (a few kept: followers read
    /// theirs as soon as they wake).
    failed: VecDeque<(u64, String)>,
    /// Leaders wait for joiners only with a file (in memory there is no fsync to share).
    group_commit: bool,
}

struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// How long a leader waits at most for writes that are about to join its group.
const MAX_GROUP_WAIT: Duration = Duration::from_millis(2);
/// Failed group commits remembered for their followers.
const FAILED_GROUPS_KEPT: usize = 64;

impl Store {
    /// Opens (or creates) the database at `path`. A new file is made readable by its
    /// owner only (0600): it holds every request and the outbox; SQLite gives its WAL
    /// and shared-memory files the same mode.
    pub fn open(path: &Path) -> Result<Store> {
        #[cfg(unix)]
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| {
                    ServiceError::Internal(format!("cannot create {}: {e}", path.display()))
                })?;
        }
        let conn = Connection::open(path)?;
        let readers = Readers {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        };
        Store::init(conn, Some(readers))
    }

    /// A private in-memory database (tests, what-if servers).
    pub fn in_memory() -> Result<Store> {
        Store::init(Connection::open_in_memory()?, None)
    }

    fn init(mut conn: Connection, readers: Option<Readers>) -> Result<Store> {
        // WAL lets readers run beside the writer; FULL makes every commit durable before
        // the call returns (an acknowledged request survives a power cut).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(Duration::from_secs(10))?;
        crate::schema::migrate(&mut conn)?;
        let group_commit = readers.is_some();
        Ok(Store {
            writer: Mutex::new(Writer {
                conn,
                open: None,
                next_group: 1,
                committed_through: 0,
                failed: VecDeque::new(),
                group_commit,
            }),
            committed: Condvar::new(),
            joined: Condvar::new(),
            arriving: AtomicUsize::new(0),
            readers,
            commits: AtomicU64::new(0),
            parsed: Mutex::new(Parsed::default()),
        })
    }

    fn lock_writer(&self) -> Result<MutexGuard<'_, Writer>> {
        self.writer
            .lock()
            .map_err(|_| ServiceError::Internal("database lock poisoned".into()))
    }

    /// Runs `f` as one atomic write, committed (with the writes that joined its group)
    /// before this returns; nothing of it stays if `f` fails.
    pub fn write<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.arriving.fetch_add(1, Ordering::SeqCst);
        let locked = self.lock_writer();
        self.arriving.fetch_sub(1, Ordering::SeqCst);
        let mut w = locked?;
        let (group, leader) = match w.open {
            Some(group) => (group, false),
            None => {
                w.conn.execute_batch("BEGIN IMMEDIATE")?;
                let group = w.next_group;
                w.next_group += 1;
                w.open = Some(group);
                (group, true)
            }
        };
        let out = run_in_savepoint(&w.conn, &self.parsed, f);
        if !leader {
            self.joined.notify_all();
            // A failed write has rolled back its own savepoint: nothing of it to commit.
            let out = out?;
            while w.committed_through < group {
                w = self
                    .committed
                    .wait(w)
                    .map_err(|_| ServiceError::Internal("database lock poisoned".into()))?;
            }
            return match w.failed.iter().find(|(g, _)| *g == group) {
                Some((_, why)) => Err(ServiceError::Internal(format!("commit failed: {why}"))),
                None => Ok(out),
            };
        }
        if w.group_commit {
            // Let the writes already waiting for the lock join this group (they share its
            // fsync): wait, without the lock, until none is waiting.
            let began = Instant::now();
            while self.arriving.load(Ordering::SeqCst) > 0 {
                let Some(left) = MAX_GROUP_WAIT.checked_sub(began.elapsed()) else {
                    break;
                };
                w = self
                    .joined
                    .wait_timeout(w, left)
                    .map_err(|_| ServiceError::Internal("database lock poisoned".into()))?
                    .0;
            }
        }
        let commit = w.conn.execute_batch("COMMIT");
        self.commits.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = &commit {
            let _ = w.conn.execute_batch("ROLLBACK");
            w.failed.push_back((group, e.to_string()));
            if w.failed.len() > FAILED_GROUPS_KEPT {
                w.failed.pop_front();
            }
        }
        w.open = None;
        w.committed_through = group;
        drop(w);
        self.committed.notify_all();
        commit?;
        out
    }

    /// How many groups of writes were committed so far (one fsync each).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Runs `f` on a consistent snapshot of what is committed (a read transaction,
    /// never written).
    pub fn read<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let Some(readers) = &self.readers else {
            let mut w = self.lock_writer()?;
            let tx = w.conn.transaction()?;
            return f(&Tx {
                tx: &tx,
                parsed: &self.parsed,
            });
        };
        let conn = readers.take()?;
        let out = {
            let tx = conn.unchecked_transaction()?;
            f(&Tx {
                tx: &tx,
                parsed: &self.parsed,
            })
        };
        readers.give_back(conn);
        out
    }
}

/// `f` in a savepoint of the open transaction: released if it succeeds, rolled back
/// (and released) if it fails or panics, so that a failed write leaves nothing.
fn run_in_savepoint<T>(
    conn: &Connection,
    parsed: &Mutex<Parsed>,
    f: impl FnOnce(&Tx) -> Result<T>,
) -> Result<T> {
    conn.execute_batch("SAVEPOINT write")?;
    let tx = Tx { tx: conn, parsed };
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&tx)))
        .unwrap_or_else(|_| Err(ServiceError::Internal("a database write panicked".into())));
    match &out {
        Ok(_) => conn.execute_batch("RELEASE write")?,
        Err(_) => conn.execute_batch("ROLLBACK TO write; RELEASE write")?,
    }
    out
}

impl Readers {
    /// An idle read-only connection, or a new one.
    fn take(&self) -> Result<Connection> {
        if let Some(conn) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            return Ok(conn);
        }
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX
            | rusqlite::OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        Ok(conn)
    }

    /// Keeps `conn` for the next read (a few at most: one per blocking thread that
    /// reads at once).
    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
        }
    }
}

/// Read-only connections kept open between reads.
const MAX_IDLE_READERS: usize = 8;

/// Reads and writes inside one transaction (a write's savepoint, or a read snapshot).
pub struct Tx<'a> {
    tx: &'a Connection,
    parsed: &'a Mutex<Parsed>,
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| ServiceError::Internal(e.to_string()))
}

fn from_json<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|e| ServiceError::Internal(format!("corrupt document in the database: {e}")))
}

impl Tx<'_> {
    pub(crate) fn meeting(&self, number: &str) -> Result<Option<MeetingRecord>> {
        let row = self
            .tx
            .query_row(
                "SELECT body, locked, lock_message FROM meetings WHERE number = ?1",
                params![number],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(body, locked, lock_message)| {
            let index = parsed_or(
                self.parsed,
                |p| &mut p.meetings,
                number.to_string(),
                &body,
                |text| Ok(Arc::new(MeetingIndex::new(from_json(text)?))),
            )?;
            Ok(MeetingRecord {
                index,
                locked,
                lock_message,
            })
        })
        .transpose()
    }

    /// The meeting, or NOT_FOUND naming it.
    pub fn existing_meeting(&self, number: &str) -> Result<MeetingRecord> {
        self.meeting(number)?.ok_or_else(|| {
            ServiceError::NotFound(format!(
                "no meeting {number:?}: create it with Meetings.CreateMeeting or ImportInstance"
            ))
        })
    }

    pub(crate) fn meeting_numbers(&self) -> Result<Vec<String>> {
        let mut stmt = self.tx.prepare("SELECT number FROM meetings")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut numbers = rows.collect::<Result<Vec<_>, _>>()?;
        numbers.sort_by(|a, b| meeting_order(a, b));
        Ok(numbers)
    }

    pub(crate) fn put_meeting(&self, base: &Instance, at: &str) -> Result<()> {
        let mut base = base.clone();
        base.requests.clear();
        self.tx.execute(
            "INSERT INTO meetings (number, body, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(number) DO UPDATE SET body = excluded.body",
            params![base.meeting.number, to_json(&base)?, at],
        )?;
        Ok(())
    }

    pub(crate) fn set_lock(&self, number: &str, locked: bool, message: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE meetings SET locked = ?2, lock_message = ?3 WHERE number = ?1",
            params![number, locked, message],
        )?;
        Ok(())
    }

    /// The columns of a request row, in the order of [`REQUEST_COLUMNS`].
    fn request_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RequestRow> {
        Ok(RequestRow {
            group: r.get(0)?,
            status: r.get(1)?,
            body: r.get(2)?,
            updated_by: r.get(3)?,
            updated_at: r.get(4)?,
            version: r.get(5)?,
        })
    }

    pub(crate) fn request(&self, meeting: &str, group: &str) -> Result<Option<StoredRequest>> {
        let row = self
            .tx
            .query_row(
                &format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE meeting = ?1 AND grp = ?2"),
                params![meeting, group],
                Tx::request_row,
            )
            .optional()?;
        row.map(|r| r.into_stored(meeting, self.parsed)).transpose()
    }

    /// Every request of the meeting (all statuses), in the order the groups first
    /// submitted them (an import keeps its document's order; an edit keeps its place).
    /// The solver's result depends on the order of the requests, so this is what makes
    /// a solve through the service the same as `agenda solve` on the same document.
    pub fn requests(&self, meeting: &str) -> Result<Vec<StoredRequest>> {
        let mut stmt = self.tx.prepare(&format!(
            "SELECT {REQUEST_COLUMNS} FROM requests WHERE meeting = ?1 ORDER BY rowid"
        ))?;
        let rows = stmt.query_map(params![meeting], Tx::request_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row?.into_stored(meeting, self.parsed)?);
        }
        Ok(out)
    }

    /// Stores `stored` (its version already bumped by the caller) and its history entry.
    pub fn put_request(&self, stored: &StoredRequest, action: &str) -> Result<()> {
        let body = to_json(&stored.request)?;
        self.tx.execute(
            "INSERT INTO requests (meeting, grp, status, version, body, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(meeting, grp) DO UPDATE SET status = excluded.status,
                version = excluded.version, body = excluded.body,
                updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            params![
                stored.meeting,
                stored.group,
                stored.status.key(),
                stored.version as i64,
                body,
                stored.updated_by,
                stored.updated_at
            ],
        )?;
        self.tx.execute(
            "INSERT INTO history (meeting, grp, version, action, actor, at, status, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                stored.meeting,
                stored.group,
                stored.version as i64,
                action,
                stored.updated_by,
                stored.updated_at,
                stored.status.key(),
                body
            ],
        )?;
        Ok(())
    }

    /// At most `limit` entries of a request's history (oldest first) after version
    /// `after`.
    pub fn history_page(
        &self,
        meeting: &str,
        group: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self.tx.prepare(
            "SELECT version, action, actor, at, status, body FROM history
             WHERE meeting = ?1 AND grp = ?2 AND version > ?3 ORDER BY version LIMIT ?4",
        )?;
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![meeting, group, after, limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (version, action, actor, at, status, body) = row?;
            out.push(HistoryEntry {
                version: version as u64,
                action,
                actor,
                at,
                status: RequestStatus::from_key(&status)?,
                request: from_json(&body)?,
            });
        }
        Ok(out)
    }

    /// Appends to the outbox; returns the new id.
    pub fn push_notification(&self, n: &Notification) -> Result<u64> {
        self.tx.execute(
            "INSERT INTO notifications (meeting, grp, area, kind, recipients, subject, body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                n.meeting,
                n.group,
                n.area,
                n.kind,
                to_json(&(&n.to, &n.cc))?,
                n.subject,
                n.body,
                n.created_at
            ],
        )?;
        Ok(self.tx.last_insert_rowid() as u64)
    }

    /// At most `limit` notifications after `after_id`, oldest first, optionally of one
    /// meeting.
    pub fn notifications(
        &self,
        meeting: Option<&str>,
        after_id: u64,
        limit: usize,
    ) -> Result<Vec<Notification>> {
        // Ids are SQLite rowids (at most i64::MAX): a larger `after_id` is after every one.
        let after = i64::try_from(after_id).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.notifications_where(
            "n.id > ?1 AND (?2 IS NULL OR n.meeting = ?2) ORDER BY n.id LIMIT ?3",
            params![after, meeting, limit],
        )
    }

    /// Notifications whose mail is due at `now` (Unix seconds): never tried, or
    /// retrying and past their time; from id `first` on, oldest first.
    pub fn due_mail(&self, first: u64, now: i64, limit: usize) -> Result<Vec<Notification>> {
        let first = i64::try_from(first).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.notifications_where(
            "n.id >= ?1 AND (d.state IS NULL OR (d.state = 'retrying' AND d.next_attempt <= ?2))
             ORDER BY n.id LIMIT ?3",
            params![first, now, limit],
        )
    }

    /// Records how the mail of notification `id` went.
    pub fn record_delivery(&self, id: u64, delivery: &Delivery, at: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO deliveries (notification, state, attempts, last_error, next_attempt, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(notification) DO UPDATE SET state = excluded.state,
                attempts = excluded.attempts, last_error = excluded.last_error,
                next_attempt = excluded.next_attempt, updated_at = excluded.updated_at",
            params![
                i64::try_from(id).unwrap_or(i64::MAX),
                delivery.state,
                delivery.attempts,
                delivery.last_error,
                delivery.next_attempt,
                at
            ],
        )?;
        Ok(())
    }

    /// The first notification mail delivers: fixed the first time mail is on, so that
    /// turning it on does not mail the whole history.
    pub fn mail_start(&self) -> Result<u64> {
        self.tx.execute(
            "INSERT OR IGNORE INTO mail_start (id, first_notification)
             SELECT 1, COALESCE(MAX(id), 0) + 1 FROM notifications",
            [],
        )?;
        let first: i64 =
            self.tx
                .query_row("SELECT first_notification FROM mail_start", [], |r| {
                    r.get(0)
                })?;
        Ok(u64::try_from(first).unwrap_or(0))
    }

    fn notifications_where(
        &self,
        condition: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Notification>> {
        let mut stmt = self.tx.prepare(&format!(
            "SELECT n.id, n.meeting, n.grp, n.area, n.kind, n.recipients, n.subject, n.body,
                    n.created_at, d.state, d.attempts, d.last_error, d.next_attempt
             FROM notifications n LEFT JOIN deliveries d ON d.notification = n.id
             WHERE {condition}"
        ))?;
        let rows = stmt.query_map(params, |r| {
            let delivery = match r.get::<_, Option<String>>(9)? {
                None => None,
                Some(state) => Some(Delivery {
                    state,
                    attempts: r.get(10)?,
                    last_error: r.get(11)?,
                    next_attempt: r.get(12)?,
                }),
            };
            Ok((
                r.get::<_, i64>(0)?,
                [
                    r.get::<_, String>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ],
                delivery,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, [meeting, group, area, kind, recipients, subject, body, created_at], delivery) =
                row?;
            let (to, cc): (Vec<String>, Vec<String>) = from_json(&recipients)?;
            out.push(Notification {
                id: id as u64,
                meeting,
                group,
                area,
                kind,
                to,
                cc,
                subject,
                body,
                created_at,
                delivery,
            });
        }
        Ok(out)
    }

    pub(crate) fn last_notification_id(&self) -> Result<u64> {
        let id: Option<i64> = self
            .tx
            .query_row("SELECT MAX(id) FROM notifications", [], |r| r.get(0))?;
        Ok(id.unwrap_or(0) as u64)
    }

    /// The interim calendar (an `interim-request/1` document without requests).
    pub fn interim_calendar(&self) -> Result<Option<String>> {
        Ok(self
            .tx
            .query_row("SELECT body FROM interim_calendar WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub(crate) fn put_interim_calendar(&self, body: &str, by: &str, at: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO interim_calendar (id, body, updated_by, updated_at) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by,
                updated_at = excluded.updated_at",
            params![body, by, at],
        )?;
        Ok(())
    }

    /// Every stored interim (of one group when given), by name.
    pub fn interims(&self, group: Option<&str>) -> Result<Vec<StoredInterim>> {
        let mut stmt = self.tx.prepare(
            "SELECT name, grp, status, starts, minutes, request, detail, requested_by, created_at
             FROM interims WHERE (?1 IS NULL OR grp = ?1) ORDER BY name",
        )?;
        let rows = stmt.query_map(params![group], |r| {
            Ok((
                [r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?],
                r.get::<_, i64>(4)?,
                [r.get::<_, String>(5)?, r.get(6)?, r.get(7)?, r.get(8)?],
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                [name, group, status, starts],
                minutes,
                [request, detail, requested_by, created_at],
            ) = row?;
            out.push(StoredInterim {
                name,
                group,
                status,
                starts: from_json(&starts)?,
                minutes: minutes.clamp(0, u32::MAX as i64) as u32,
                request,
                detail,
                requested_by,
                created_at,
            });
        }
        Ok(out)
    }

    /// Stores a new interim; a name already taken is an error (never overwritten).
    pub fn insert_interim(&self, i: &StoredInterim) -> Result<()> {
        self.tx.execute(
            "INSERT INTO interims (name, grp, status, starts, minutes, request, detail, requested_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                i.name,
                i.group,
                i.status,
                to_json(&i.starts)?,
                i.minutes,
                i.request,
                i.detail,
                i.requested_by,
                i.created_at
            ],
        )?;
        Ok(())
    }

    pub(crate) fn set_interim_status(&self, name: &str, status: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE interims SET status = ?2 WHERE name = ?1",
            params![name, status],
        )?;
        Ok(())
    }

    /// The last online-meeting plan of a meeting (the service's JSON of it).
    pub fn put_virtual_plan(&self, meeting: &str, body: &str, at: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO virtual_plans (meeting, body, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(meeting) DO UPDATE SET body = excluded.body, created_at = excluded.created_at",
            params![meeting, body, at],
        )?;
        Ok(())
    }

    pub(crate) fn virtual_plan(&self, meeting: &str) -> Result<Option<String>> {
        Ok(self
            .tx
            .query_row(
                "SELECT body FROM virtual_plans WHERE meeting = ?1",
                params![meeting],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub(crate) fn put_agenda(&self, meeting: &str, agenda: &StoredAgenda) -> Result<()> {
        self.tx.execute(
            "INSERT INTO agendas (meeting, agenda, stats, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(meeting) DO UPDATE SET agenda = excluded.agenda,
                stats = excluded.stats, created_at = excluded.created_at",
            params![
                meeting,
                agenda.agenda_json,
                agenda.stats_json,
                agenda.created_at
            ],
        )?;
        Ok(())
    }

    pub(crate) fn agenda(&self, meeting: &str) -> Result<Option<StoredAgenda>> {
        Ok(self
            .tx
            .query_row(
                "SELECT agenda, stats, created_at FROM agendas WHERE meeting = ?1",
                params![meeting],
                |r| {
                    Ok(StoredAgenda {
                        agenda_json: r.get(0)?,
                        stats_json: r.get(1)?,
                        created_at: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }
}

/// One of a meeting's named agendas (a draft, the published one, a hand-edited upload).
#[derive(Debug, Clone)]
pub struct NamedAgenda {
    pub(crate) name: String,
    pub(crate) agenda: StoredAgenda,
    pub(crate) made_by: String,
    pub(crate) published: bool,
}

impl Tx<'_> {
    /// Stores `agenda` under its name (replacing one of that name); the published mark
    /// stays where it was.
    pub fn put_named_agenda(&self, meeting: &str, agenda: &NamedAgenda) -> Result<()> {
        self.tx.execute(
            "INSERT INTO named_agendas (meeting, name, agenda, stats, made_by, made_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(meeting, name) DO UPDATE SET agenda = excluded.agenda,
                stats = excluded.stats, made_by = excluded.made_by, made_at = excluded.made_at",
            params![
                meeting,
                agenda.name,
                agenda.agenda.agenda_json,
                agenda.agenda.stats_json,
                agenda.made_by,
                agenda.agenda.created_at
            ],
        )?;
        Ok(())
    }

    /// The meeting's named agendas, by name.
    pub fn named_agendas(&self, meeting: &str) -> Result<Vec<NamedAgenda>> {
        let mut stmt = self.tx.prepare(
            "SELECT name, agenda, stats, made_by, made_at, published FROM named_agendas
             WHERE meeting = ?1 ORDER BY name",
        )?;
        let rows = stmt.query_map(params![meeting], |r| {
            Ok(NamedAgenda {
                name: r.get(0)?,
                agenda: StoredAgenda {
                    agenda_json: r.get(1)?,
                    stats_json: r.get(2)?,
                    created_at: r.get(4)?,
                },
                made_by: r.get(3)?,
                published: r.get::<_, i64>(5)? != 0,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub(crate) fn named_agenda(&self, meeting: &str, name: &str) -> Result<Option<NamedAgenda>> {
        Ok(self
            .named_agendas(meeting)?
            .into_iter()
            .find(|a| a.name == name))
    }

    /// Marks `name` the meeting's published agenda (and no other); false when there is
    /// no agenda of that name.
    pub fn publish_agenda(&self, meeting: &str, name: &str) -> Result<bool> {
        let found = self.tx.execute(
            "UPDATE named_agendas SET published = 1 WHERE meeting = ?1 AND name = ?2",
            params![meeting, name],
        )?;
        if found == 0 {
            return Ok(false);
        }
        self.tx.execute(
            "UPDATE named_agendas SET published = 0 WHERE meeting = ?1 AND name != ?2",
            params![meeting, name],
        )?;
        Ok(true)
    }
}

/// Meeting numbers compare as numbers when both are ("99" < "106"), else as text.
pub fn meeting_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(number: &str) -> Instance {
        serde_json::from_value(serde_json::json!({
            "format": "agenda-instance/1",
            "meeting": {"number": number, "time_zone": "UTC", "session_minutes": [60]},
        }))
        .unwrap()
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let store = Store::in_memory().unwrap();
        let r: Result<()> = store.write(|tx| {
            tx.put_meeting(&base("106"), "t")?;
            Err(ServiceError::Internal("boom".into()))
        });
        assert!(r.is_err());
        assert!(store.read(|tx| tx.meeting("106")).unwrap().is_none());
    }

    /// Concurrent writes to a file share commits, and each is still all or nothing:
    /// every write that succeeded is there, none of the failed ones (which fail in the
    /// middle of others' groups) left anything.
    #[test]
    fn concurrent_writes_share_commits_and_stay_atomic() {
        let dir = std::env::temp_dir().join(format!("agenda-group-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("group.db");
        let _ = std::fs::remove_file(&path);
        let store = std::sync::Arc::new(Store::open(&path).unwrap());
        let (threads, each) = (8, 40);
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for i in 0..each {
                        let number = format!("{t}-{i}");
                        let fails = (t + i) % 7 == 0;
                        let r = store.write(|tx| {
                            tx.put_meeting(&base(&number), "t")?;
                            if fails {
                                return Err(ServiceError::Internal("boom".into()));
                            }
                            Ok(())
                        });
                        assert_eq!(r.is_err(), fails, "{number}");
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let numbers = store.read(|tx| tx.meeting_numbers()).unwrap();
        let expected: Vec<String> = (0..threads)
            .flat_map(|t| (0..each).map(move |i| (t, i)))
            .filter(|(t, i)| (t + i) % 7 != 0)
            .map(|(t, i)| format!("{t}-{i}"))
            .collect();
        assert_eq!(numbers.len(), expected.len());
        assert!(expected.iter().all(|n| numbers.contains(n)));
        let writes = (threads * each) as u64;
        assert!(
            store.commits() < writes,
            "{} commits for {writes} writes",
            store.commits()
        );
        drop(store);
        let again = Store::open(&path).unwrap();
        assert_eq!(
            again.read(|tx| tx.meeting_numbers()).unwrap().len(),
            expected.len()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A file written by a newer build (a higher schema version) is refused with the
    /// fix, and its rows are still there when the right build opens it.
    #[test]
    fn a_database_from_a_newer_build_is_refused_and_kept() {
        let dir = std::env::temp_dir().join(format!("agenda-ahead-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ahead.db");
        let _ = std::fs::remove_file(&path);
        let store = Store::open(&path).unwrap();
        store.write(|tx| tx.put_meeting(&base("106"), "t")).unwrap();
        drop(store);
        let ahead = crate::schema::LATEST as i64 + 1;
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", ahead)
            .unwrap();
        let err = Store::open(&path).err().expect("refused").to_string();
        assert!(err.contains("newer than this build"), "{err}");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", crate::schema::LATEST as i64)
            .unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        assert!(store.read(|tx| tx.meeting("106")).unwrap().is_some());
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn meetings_sort_by_number() {
        let store = Store::in_memory().unwrap();
        store
            .write(|tx| {
                for n in ["99", "106", "105"] {
                    tx.put_meeting(&base(n), "t")?;
                }
                Ok(())
            })
            .unwrap();
        let numbers = store.read(|tx| tx.meeting_numbers()).unwrap();
        assert_eq!(numbers, ["99", "105", "106"]);
    }

    #[test]
    fn requests_and_history_round_trip() {
        let store = Store::in_memory().unwrap();
        let request: SessionRequest = serde_json::from_value(
            serde_json::json!({"group": "quic", "sessions": [{"minutes": 60}]}),
        )
        .unwrap();
        store
            .write(|tx| {
                tx.put_meeting(&base("106"), "t")?;
                for version in 1..=2 {
                    tx.put_request(
                        &StoredRequest {
                            meeting: "106".into(),
                            group: "quic".into(),
                            status: RequestStatus::Active,
                            version,
                            request: request.clone(),
                            updated_by: "chair".into(),
                            updated_at: format!("t{version}"),
                        },
                        "edit",
                    )?;
                }
                Ok(())
            })
            .unwrap();
        let got = store.read(|tx| tx.request("106", "quic")).unwrap().unwrap();
        assert_eq!((got.version, got.updated_at.as_str()), (2, "t2"));
        assert_eq!(got.request, request);
        let history = store
            .read(|tx| tx.history_page("106", "quic", 0, usize::MAX))
            .unwrap();
        assert_eq!(
            history.iter().map(|h| h.version).collect::<Vec<_>>(),
            [1, 2]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_new_database_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("agenda-store-mode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("agenda.db");
        let store = Store::open(&path).unwrap();
        store.write(|tx| tx.put_meeting(&base("1"), "now")).unwrap();
        for file in ["agenda.db", "agenda.db-wal"] {
            let mode = std::fs::metadata(dir.join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
