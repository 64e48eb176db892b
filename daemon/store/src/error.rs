//! Typed failures of the embedded store.

use std::path::PathBuf;

/// A store operation failed. Nothing was written: every write is one transaction.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created.
    #[error("cannot create store directory `{path}`: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The database file could not be opened or configured.
    #[error("cannot open store `{path}`: {source}")]
    Open {
        /// The database file (`:memory:` for an in-memory store).
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// The database is not in WAL mode and could not be put into it.
    #[error("store `{path}` refused WAL mode (journal mode is `{mode}`)")]
    JournalMode {
        /// The database file.
        path: PathBuf,
        /// The journal mode SQLite reported instead.
        mode: String,
    },
    /// The database was written by a newer scoreline than this one.
    #[error(
        "store `{path}` has schema version {found}, newer than the {supported} this binary \
         knows; run a newer scoreline or point it at another data dir"
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// `PRAGMA user_version` of the file.
        found: i64,
        /// The newest migration this binary has.
        supported: u32,
    },
    /// A migration failed; the database is left at the version it had before.
    #[error("store migration {version} (`{name}`) failed: {source}")]
    Migration {
        /// The migration's number.
        version: u32,
        /// Its file name.
        name: &'static str,
        /// The cause.
        source: rusqlite::Error,
    },
    /// A query or write failed.
    #[error("store {op}: {source}")]
    Sql {
        /// The operation, e.g. `record_game`.
        op: &'static str,
        /// The cause.
        source: rusqlite::Error,
    },
    /// A snapshot could not be encoded as JSON.
    #[error("cannot encode {what} for `{key}` as json: {source}")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// The game key.
        key: String,
        /// The cause.
        source: serde_json::Error,
    },
    /// A stored row could not be decoded.
    #[error("corrupt {what} at `{key}` in the store: {message}")]
    Corrupt {
        /// The column or value, e.g. `game_json`.
        what: &'static str,
        /// Where: the game key, row id or database file.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// The snapshot's id is not the key's game id.
    #[error("snapshot with game id `{found}` recorded under game key `{key}`")]
    KeyMismatch {
        /// The key given.
        key: String,
        /// The snapshot's `id`.
        found: String,
    },
    /// A snapshot older than the stored one; the stored one is kept.
    #[error(
        "snapshot of `{key}` observed at {observed_at} is older than the stored one ({stored_at})"
    )]
    OutOfOrder {
        /// The game key.
        key: String,
        /// When the refused snapshot was observed (RFC 3339).
        observed_at: String,
        /// When the stored snapshot was observed (RFC 3339).
        stored_at: String,
    },
    /// Scoring plays for a game the store has no snapshot of.
    #[error("no game `{key}` in the store: record the game before its scoring plays")]
    UnknownGame {
        /// The game key.
        key: String,
    },
    /// A game id without a league matches games of several leagues or adapters.
    #[error("game id `{game_id}` is ambiguous, it matches {}: pass a league", keys.join(", "))]
    Ambiguous {
        /// The game id asked for.
        game_id: String,
        /// The keys it matches.
        keys: Vec<String>,
    },
    /// A point for the sink outbox cannot be encoded as line protocol.
    #[error("cannot encode a point of `{key}` as line protocol: {source}")]
    Point {
        /// The game key or event id.
        key: String,
        /// The encoder's error.
        source: scoreline_core::influx::line::LineError,
    },
    /// A number does not fit SQLite's signed 64-bit integer.
    #[error("`{field}` value {value} is too large to store")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value.
        value: u64,
    },
}

/// Attach the operation's name to a SQLite error.
pub(crate) trait SqlContext<T> {
    /// `Err(e)` becomes `StoreError::Sql { op, source: e }`.
    fn op(self, op: &'static str) -> Result<T, StoreError>;
}

impl<T> SqlContext<T> for Result<T, rusqlite::Error> {
    fn op(self, op: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Sql { op, source })
    }
}
