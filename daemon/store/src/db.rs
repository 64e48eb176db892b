//! The store's handle: `Store` and its one SQLite connection, opening and configuring the file
//! (pragmas, then migrations), and the column helpers the query files share.

use crate::error::{SqlContext, StoreError};
use crate::migrations;
use crate::types::StoreHealth;
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use scoreline_core::model::{self, GameKey, GameStatus};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "scoreline.db";

/// How long a call waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Prepared statements kept per connection (the store uses about twenty).
const STATEMENT_CACHE: usize = 64;

/// The WAL file is truncated back to this size after a checkpoint.
const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// The embedded store. Clone it freely: clones share one connection.
#[derive(Clone)]
pub struct Store {
    pub(crate) inner: Arc<Inner>,
}

/// What clones of a `Store` share. Crate-visible for the files that add `impl Store` blocks:
/// `events.rs` signals `events_committed`, `points.rs` flips `points`, a prune test checks the
/// lock is free between batches.
pub(crate) struct Inner {
    pub(crate) conn: Mutex<Connection>,
    /// The database file; none in memory.
    path: Option<PathBuf>,
    /// The newest event `seq` committed through this handle, so readers of the log (the webhook
    /// worker, live streams) wake on a commit instead of polling.
    pub(crate) events_committed: tokio::sync::watch::Sender<i64>,
    /// Whether `record_*` calls append points to the sink outbox (`points.rs`).
    pub(crate) points: AtomicBool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Open (creating if needed) `dir/scoreline.db`, creating `dir` too, and migrate it to this
    /// binary's schema.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path).map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        Store::setup(conn, &path, Some(path.clone()), migrations::MIGRATIONS)
    }

    /// A store that lives in memory only (tests, `--dry-run`).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        Store::setup(conn, &path, None, migrations::MIGRATIONS)
    }

    /// The schema version this binary writes (its newest migration).
    pub fn schema_version() -> u32 {
        migrations::latest_version()
    }

    /// Configure the connection, then migrate it with `migrations`.
    pub(crate) fn setup(
        mut conn: Connection,
        path: &Path,
        file: Option<PathBuf>,
        migrations: &[migrations::Migration],
    ) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        if file.is_some() {
            let mode: String = conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
                .map_err(open_err)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::JournalMode {
                    path: path.to_path_buf(),
                    mode,
                });
            }
            conn.pragma_update(None, "journal_size_limit", JOURNAL_SIZE_LIMIT)
                .map_err(open_err)?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_err)?;
        migrations::migrate(&mut conn, path, migrations)?;
        Ok(Store {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                path: file,
                events_committed: tokio::sync::watch::Sender::new(0),
                points: AtomicBool::new(false),
            }),
        })
    }

    /// The connection. A panic while it was held cannot have left a transaction half done (a
    /// dropped `Transaction` rolls back), so a poisoned lock is taken over.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.inner
            .conn
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Copy the WAL into the database file and truncate it (on shutdown, so the next start and
    /// any reader find one compact file). Committed data is durable with or without it.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        const OP: &str = "checkpoint";
        let conn = self.conn();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .op(OP)
    }

    /// File, schema version, row counts and size.
    pub fn health(&self) -> Result<StoreHealth, StoreError> {
        const OP: &str = "health";
        let conn = self.conn();
        let int = |sql: &str| -> Result<u64, StoreError> {
            let v: i64 = conn.query_row(sql, [], |r| r.get(0)).op(OP)?;
            Ok(u64::try_from(v).unwrap_or(0))
        };
        let schema_version = int("PRAGMA user_version")?;
        let pages = int("PRAGMA page_count")?;
        let page_size = int("PRAGMA page_size")?;
        let games = int("SELECT COUNT(*) FROM games")?;
        let timeline_rows = int("SELECT COUNT(*) FROM timeline")?;
        let wal_bytes = self.inner.path.as_ref().map_or(0, |p| {
            let mut wal = p.clone().into_os_string();
            wal.push("-wal");
            std::fs::metadata(wal).map_or(0, |m| m.len())
        });
        Ok(StoreHealth {
            path: self.inner.path.clone(),
            schema_version: u32::try_from(schema_version).unwrap_or(u32::MAX),
            games,
            timeline_rows,
            size_bytes: pages.saturating_mul(page_size),
            wal_bytes,
        })
    }
}

/// Serialise `value` for a JSON column.
pub(crate) fn encode<T: serde::Serialize + ?Sized>(
    what: &'static str,
    key: &GameKey,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Encode {
        what,
        key: key.to_string(),
        source,
    })
}

/// Read a JSON column.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    json: &str,
    what: &'static str,
    key: &GameKey,
) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
        what,
        key: key.to_string(),
        message: e.to_string(),
    })
}

pub(crate) fn decode_game(json: &str, key: &GameKey) -> Result<model::Game, StoreError> {
    decode(json, "games.game_json", key)
}

/// A stored millisecond time.
pub(crate) fn from_millis(
    ms: i64,
    what: &'static str,
    key: &GameKey,
) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::Corrupt {
        what,
        key: key.to_string(),
        message: format!("time {ms} ms is out of range"),
    })
}

/// A stored status name.
pub(crate) fn parse_status(
    s: &str,
    what: &'static str,
    key: &GameKey,
) -> Result<GameStatus, StoreError> {
    s.parse().map_err(|message| StoreError::Corrupt {
        what,
        key: key.to_string(),
        message,
    })
}
