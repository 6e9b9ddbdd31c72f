//! The database's schema and its versions, applied by `rusqlite_migration`.
//!
//! The version lives in SQLite's `user_version`. Version 1 is the schema as it stood
//! before versions were counted, written with `IF NOT EXISTS`, so a database made then
//! (`user_version` 0, every table present) takes it as a no-op and is stamped 1. A change
//! to the schema is a new entry at the end of [`MIGRATIONS`], never an edit of an old one.

use crate::error::{Result, ServiceError};
use rusqlite::Connection;
use rusqlite_migration::{MigrationDefinitionError, Migrations, M};

/// Every schema version, oldest first; entry `i` takes the database to version `i + 1`.
const MIGRATIONS: &[M<'static>] = &[M::up(V1)];

/// Brings `conn`'s database to the newest schema in one transaction. A database written
/// by a newer build is refused untouched, with its version and the fix.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let migrations = Migrations::from_slice(MIGRATIONS);
    migrations.to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::MigrationDefinition(
            MigrationDefinitionError::DatabaseTooFarAhead,
        ) => {
            let found: i64 = conn
                .pragma_query_value(None, "user_version", |row| row.get(0))
                .unwrap_or(-1);
            ServiceError::FailedPrecondition(format!(
                "the database is at schema version {found}, newer than this build's {}: run the agenda release that wrote it, or give --db another file",
                MIGRATIONS.len()
            ))
        }
        rusqlite_migration::Error::RusqliteError { err, .. } => ServiceError::Storage(err),
        other => ServiceError::Internal(format!("schema migration failed: {other}")),
    })
}

/// The newest schema version this build writes.
#[cfg(test)]
pub(crate) const LATEST: usize = MIGRATIONS.len();

const V1: &str = "
CREATE TABLE IF NOT EXISTS meetings (
    number TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    locked INTEGER NOT NULL DEFAULT 0,
    lock_message TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    meeting TEXT NOT NULL REFERENCES meetings(number) ON DELETE CASCADE,
    grp TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (meeting, grp)
);
CREATE TABLE IF NOT EXISTS history (
    meeting TEXT NOT NULL REFERENCES meetings(number) ON DELETE CASCADE,
    grp TEXT NOT NULL,
    version INTEGER NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (meeting, grp, version)
);
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting TEXT NOT NULL,
    grp TEXT NOT NULL,
    area TEXT NOT NULL,
    kind TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    notification INTEGER PRIMARY KEY REFERENCES notifications(id),
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    next_attempt INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mail_start (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    first_notification INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS interim_calendar (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS interims (
    name TEXT PRIMARY KEY,
    grp TEXT NOT NULL,
    status TEXT NOT NULL,
    starts TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    request TEXT NOT NULL,
    detail TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS virtual_plans (
    meeting TEXT PRIMARY KEY REFERENCES meetings(number) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS agendas (
    meeting TEXT PRIMARY KEY REFERENCES meetings(number) ON DELETE CASCADE,
    agenda TEXT NOT NULL,
    stats TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS named_agendas (
    meeting TEXT NOT NULL REFERENCES meetings(number) ON DELETE CASCADE,
    name TEXT NOT NULL,
    agenda TEXT NOT NULL,
    stats TEXT NOT NULL,
    made_by TEXT NOT NULL,
    made_at TEXT NOT NULL,
    published INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (meeting, name)
);
";

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn migrations_are_valid() {
        Migrations::from_slice(MIGRATIONS).validate().unwrap();
    }

    #[test]
    fn a_new_database_gets_the_latest_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn), LATEST as i64);
        // Applying again changes nothing.
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn), LATEST as i64);
    }

    /// A database made before versions were counted keeps its rows and is stamped.
    #[test]
    fn an_unversioned_database_is_adopted_with_its_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1).unwrap();
        conn.execute(
            "INSERT INTO meetings (number, body, created_at) VALUES ('106', '{}', 'then')",
            [],
        )
        .unwrap();
        assert_eq!(version(&conn), 0);
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn), LATEST as i64);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM meetings", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn a_database_from_a_newer_build_is_refused_untouched() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let ahead = LATEST as i64 + 3;
        conn.pragma_update(None, "user_version", ahead).unwrap();
        let err = migrate(&mut conn).unwrap_err().to_string();
        assert!(err.contains(&format!("schema version {ahead}")), "{err}");
        assert!(err.contains("--db"), "{err}");
        assert_eq!(version(&conn), ahead);
    }
}
