//! The store's schema history: append-only numbered SQL migrations embedded in the binary,
//! applied in order inside one transaction and tracked with `PRAGMA user_version`.
//!
//! Adding one: write `migrations/NNNN_what.sql` with the next number, append it to [`MIGRATIONS`]
//! and pin its digest in the `migration_files_are_append_only` test. A released migration is never
//! edited; the test fails if one is.

use super::error::StoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// One schema step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    /// Its number; the database's `user_version` once it is applied. 1, 2, 3, ... in order.
    pub version: u32,
    /// The file name, for error messages.
    pub name: &'static str,
    /// The SQL, run as one batch.
    pub sql: &'static str,
}

/// Every migration this binary knows, oldest first.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_init.sql",
        sql: include_str!("migrations/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "0002_upstream_policy.sql",
        sql: include_str!("migrations/0002_upstream_policy.sql"),
    },
    Migration {
        version: 3,
        name: "0003_events.sql",
        sql: include_str!("migrations/0003_events.sql"),
    },
    Migration {
        version: 4,
        name: "0004_webhooks.sql",
        sql: include_str!("migrations/0004_webhooks.sql"),
    },
    Migration {
        version: 5,
        name: "0005_scorers.sql",
        sql: include_str!("migrations/0005_scorers.sql"),
    },
    Migration {
        version: 6,
        name: "0006_sink_points.sql",
        sql: include_str!("migrations/0006_sink_points.sql"),
    },
    Migration {
        version: 7,
        name: "0007_games_season.sql",
        sql: include_str!("migrations/0007_games_season.sql"),
    },
    Migration {
        version: 8,
        name: "0008_stale_snapshots.sql",
        sql: include_str!("migrations/0008_stale_snapshots.sql"),
    },
    Migration {
        version: 9,
        name: "0009_games_unconfirmed.sql",
        sql: include_str!("migrations/0009_games_unconfirmed.sql"),
    },
];

/// The schema version this binary writes.
pub(crate) fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// What [`migrate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Migrated {
    /// `user_version` before.
    pub from: u32,
    /// `user_version` after.
    pub to: u32,
}

/// Bring `conn` up to the last of `migrations`: refuse a database newer than that, else apply
/// every migration above its `user_version` in order, all in one `IMMEDIATE` transaction (so two
/// processes opening the same file cannot both migrate, and a failure leaves the old version).
pub(crate) fn migrate(
    conn: &mut Connection,
    path: &Path,
    migrations: &[Migration],
) -> Result<Migrated, StoreError> {
    let supported = migrations.last().map_or(0, |m| m.version);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
    let found: i64 = tx
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
    let from = match u32::try_from(found) {
        Ok(v) if v <= supported => v,
        Ok(_) => {
            return Err(StoreError::SchemaTooNew {
                path: path.to_path_buf(),
                found,
                supported,
            });
        }
        Err(_) => {
            return Err(StoreError::Corrupt {
                what: "user_version",
                key: path.display().to_string(),
                message: format!("negative schema version {found}"),
            });
        }
    };
    for m in migrations.iter().filter(|m| m.version > from) {
        tx.execute_batch(m.sql)
            .and_then(|()| tx.pragma_update(None, "user_version", m.version))
            .map_err(|source| StoreError::Migration {
                version: m.version,
                name: m.name,
                source,
            })?;
    }
    tx.commit().map_err(|source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(Migrated {
        from,
        to: supported,
    })
}
