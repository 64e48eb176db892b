//! Hot swap: every adapter lives in an [`AdapterSlot`] that its league pollers read at the start
//! of each round. A new version is compiled and validated off the hot path ([`Swapper`]), then
//! swapped in atomically; a round already running finishes on the version it started with. The
//! replaced version is kept for [`Swapper::rollback`]; a version that fails validation is refused
//! with the reason and the current one keeps serving. `watch.rs` reloads on file changes.

pub mod routes;
pub mod watch;

use crate::plugin_kit::{self, Verdict};
use crate::sandbox::{Adapter, LoadError, Sandbox};
use arc_swap::ArcSwap;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// One adapter's current version, the one it replaced, and its swap history counters.
pub struct AdapterSlot {
    name: String,
    current: ArcSwap<Adapter>,
    previous: Mutex<Option<Arc<Adapter>>>,
    enabled: AtomicBool,
    swaps: AtomicU64,
    refused: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl std::fmt::Debug for AdapterSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdapterSlot")
            .field("name", &self.name)
            .field("sha256", &self.current().hash())
            .field("enabled", &self.is_enabled())
            .finish_non_exhaustive()
    }
}

/// What pollers hold: a shared slot.
pub type AdapterHandle = Arc<AdapterSlot>;

impl AdapterSlot {
    /// A slot serving `adapter`.
    pub fn new(adapter: Adapter) -> AdapterHandle {
        Arc::new(AdapterSlot {
            name: adapter.info().name.clone(),
            current: ArcSwap::from_pointee(adapter),
            previous: Mutex::new(None),
            enabled: AtomicBool::new(true),
            swaps: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            last_error: Mutex::new(None),
        })
    }

    /// The adapter's name (never changes: a version with another name is refused).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The version serving now.
    pub fn current(&self) -> Arc<Adapter> {
        self.current.load_full()
    }

    /// Whether pollers may use it (an operator can disable an adapter).
    pub fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::Acquire)
    }

    fn install(&self, new: Arc<Adapter>) -> Arc<Adapter> {
        let old = self.current.swap(new);
        *lock(&self.previous) = Some(old.clone());
        self.swaps.fetch_add(1, Ordering::Relaxed);
        *lock(&self.last_error) = None;
        old
    }

    fn refuse(&self, reason: &str) {
        self.refused.fetch_add(1, Ordering::Relaxed);
        *lock(&self.last_error) = Some(reason.to_owned());
    }

    /// What the operator API lists.
    pub fn summary(&self) -> SlotSummary {
        let current = self.current();
        let stats = current.stats();
        SlotSummary {
            name: self.name.clone(),
            version: current.info().version.clone(),
            sha256: current.hash().to_owned(),
            leagues: current.info().leagues.clone(),
            state: if self.is_enabled() {
                "enabled"
            } else {
                "disabled"
            },
            previous: lock(&self.previous).as_ref().map(|p| PreviousVersion {
                version: p.info().version.clone(),
                sha256: p.hash().to_owned(),
            }),
            last_error: lock(&self.last_error).clone(),
            calls: stats.calls.load(Ordering::Relaxed),
            traps: stats.traps.load(Ordering::Relaxed),
            timeouts: stats.timeouts.load(Ordering::Relaxed),
            swaps: self.swaps.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
        }
    }
}

impl From<Adapter> for AdapterHandle {
    fn from(adapter: Adapter) -> Self {
        AdapterSlot::new(adapter)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An adapter as `GET /admin/plugins` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct SlotSummary {
    /// Name.
    pub name: String,
    /// Version serving now.
    pub version: String,
    /// Content hash of the version serving now.
    pub sha256: String,
    /// League patterns it serves.
    pub leagues: Vec<String>,
    /// `enabled` or `disabled`.
    pub state: &'static str,
    /// The version a rollback would restore.
    pub previous: Option<PreviousVersion>,
    /// Why the last swap was refused (cleared by the next good one).
    pub last_error: Option<String>,
    /// Calls made to the version serving now.
    pub calls: u64,
    /// Calls that trapped.
    pub traps: u64,
    /// Calls that hit the CPU deadline.
    pub timeouts: u64,
    /// Versions swapped in since start (rollbacks included).
    pub swaps: u64,
    /// Versions refused since start.
    pub refused: u64,
}

/// A version kept for rollback.
#[derive(Debug, Clone, Serialize)]
pub struct PreviousVersion {
    /// Its version string.
    pub version: String,
    /// Its content hash.
    pub sha256: String,
}

/// A swap that did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SwapError {
    /// No adapter of that name is loaded.
    #[error("no adapter named `{0}` is loaded")]
    Unknown(String),
    /// The new version did not compile, instantiate or answer `info()`.
    #[error("adapter `{name}`: the new version does not load: {source}")]
    Load {
        /// The adapter.
        name: String,
        /// Why.
        source: LoadError,
    },
    /// The new version loads but may not replace the current one.
    #[error("adapter `{name}`: the new version is refused: {reason}")]
    Invalid {
        /// The adapter.
        name: String,
        /// Why.
        reason: String,
    },
    /// No previous version to roll back to.
    #[error("adapter `{0}` has no previous version to roll back to")]
    NoPrevious(String),
    /// Writing an uploaded component failed.
    #[error("adapter `{name}`: cannot write `{path}`: {source}")]
    Write {
        /// The adapter.
        name: String,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl SwapError {
    /// The operator's mistake (refused, 4xx) rather than a fault of the daemon.
    pub fn is_refusal(&self) -> bool {
        !matches!(self, SwapError::Write { .. })
    }
}

/// What a successful reload did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum SwapOutcome {
    /// A new version serves.
    Swapped {
        /// Hash of the version replaced.
        from: String,
        /// Hash of the version serving now.
        to: String,
        /// Its version string.
        version: String,
    },
    /// The file holds the version already serving.
    Unchanged {
        /// Its hash.
        sha256: String,
    },
}

/// Replaces adapters in a running daemon. Blocking: call from `spawn_blocking`.
#[derive(Clone)]
pub struct Swapper {
    inner: Arc<SwapperInner>,
}

impl std::fmt::Debug for Swapper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Swapper")
            .field("plugin_dir", &self.inner.plugin_dir)
            .field("slots", &self.inner.slots.values().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

struct SwapperInner {
    sandbox: Sandbox,
    plugin_dir: PathBuf,
    slots: BTreeMap<String, AdapterHandle>,
    /// The configured leagues each adapter must keep serving (a config reload replaces them).
    leagues: Mutex<BTreeMap<String, Vec<String>>>,
    /// One swap at a time, so two reloads of one file never interleave.
    busy: Mutex<()>,
}

impl Swapper {
    /// A swapper over `slots`, loading files from `plugin_dir`; `leagues` are the configured
    /// league keys of each adapter.
    pub fn new(
        sandbox: Sandbox,
        plugin_dir: PathBuf,
        slots: impl IntoIterator<Item = AdapterHandle>,
        leagues: BTreeMap<String, Vec<String>>,
    ) -> Swapper {
        Swapper {
            inner: Arc::new(SwapperInner {
                sandbox,
                plugin_dir,
                slots: slots
                    .into_iter()
                    .map(|s| (s.name().to_owned(), s))
                    .collect(),
                leagues: Mutex::new(leagues),
                busy: Mutex::new(()),
            }),
        }
    }

    /// The slot of `name`.
    pub fn slot(&self, name: &str) -> Result<&AdapterHandle, SwapError> {
        self.inner
            .slots
            .get(name)
            .ok_or_else(|| SwapError::Unknown(name.to_owned()))
    }

    /// Every adapter's summary, by name.
    pub fn list(&self) -> Vec<SlotSummary> {
        self.inner.slots.values().map(|s| s.summary()).collect()
    }

    /// Replace the configured leagues each adapter must keep serving (after a config reload).
    pub fn set_leagues(&self, leagues: BTreeMap<String, Vec<String>>) {
        *lock(&self.inner.leagues) = leagues;
    }

    /// The file `name` is loaded from: `<plugin_dir>/<name>.wasm`.
    pub fn file_of(&self, name: &str) -> PathBuf {
        self.inner.plugin_dir.join(format!("{name}.wasm"))
    }

    /// Load `<plugin_dir>/<name>.wasm` again and swap it in if it is a valid new version.
    pub fn reload(&self, name: &str) -> Result<SwapOutcome, SwapError> {
        let path = self.file_of(name);
        self.swap_from(name, &path)
    }

    /// Validate `bytes` as a new version of `name`; only then write it as `<name>.wasm` (so a
    /// restart loads it too) and swap it in.
    pub fn upload(&self, name: &str, bytes: &[u8]) -> Result<SwapOutcome, SwapError> {
        let slot = self.slot(name)?;
        let staged = self.inner.plugin_dir.join(format!(".upload.{name}.wasm"));
        let write = |path: &Path, r: std::io::Result<()>| {
            r.map_err(|source| SwapError::Write {
                name: name.to_owned(),
                path: path.to_owned(),
                source,
            })
        };
        write(&staged, std::fs::write(&staged, bytes))?;
        let _busy = lock(&self.inner.busy);
        let checked = self.load_checked(slot, &staged);
        let adapter = match checked {
            Ok(a) => a,
            Err(e) => {
                let _ = std::fs::remove_file(&staged);
                return Err(e);
            }
        };
        let dest = self.file_of(name);
        write(&dest, std::fs::rename(&staged, &dest))?;
        Ok(self.install(slot, adapter))
    }

    fn swap_from(&self, name: &str, path: &Path) -> Result<SwapOutcome, SwapError> {
        let slot = self.slot(name)?;
        let _busy = lock(&self.inner.busy);
        let adapter = self.load_checked(slot, path)?;
        Ok(self.install(slot, adapter))
    }

    fn install(&self, slot: &AdapterSlot, adapter: Adapter) -> SwapOutcome {
        let current = slot.current();
        if current.hash() == adapter.hash() {
            return SwapOutcome::Unchanged {
                sha256: current.hash().to_owned(),
            };
        }
        let version = adapter.info().version.clone();
        let to = adapter.hash().to_owned();
        let old = slot.install(Arc::new(adapter));
        crate::metrics::adapter_swap(slot.name(), "swapped");
        tracing::info!(adapter = %slot.name(), from = %short(old.hash()), to = %short(&to), %version, "adapter swapped");
        SwapOutcome::Swapped {
            from: old.hash().to_owned(),
            to,
            version,
        }
    }

    /// Compile `path` and check it may replace `slot`'s version; a refusal is counted, logged
    /// and kept as the slot's last error.
    fn load_checked(&self, slot: &AdapterSlot, path: &Path) -> Result<Adapter, SwapError> {
        let name = slot.name();
        let result = self
            .inner
            .sandbox
            .load_file(path)
            .map_err(|source| SwapError::Load {
                name: name.to_owned(),
                source,
            })
            .and_then(|adapter| {
                self.validate(name, &adapter)
                    .map(|()| adapter)
                    .map_err(|reason| SwapError::Invalid {
                        name: name.to_owned(),
                        reason,
                    })
            });
        if let Err(e) = &result {
            slot.refuse(&e.to_string());
            crate::metrics::adapter_swap(name, "refused");
            tracing::warn!(adapter = %name, path = %path.display(), error = %e, "new adapter version refused; the current one keeps serving");
        }
        result
    }

    /// The checks a new version of `name` must pass: same name, every configured league still
    /// served, and every golden case in `<plugin_dir>/<name>.cases/` passing.
    fn validate(&self, name: &str, adapter: &Adapter) -> Result<(), String> {
        let info = adapter.info();
        if info.name != name {
            return Err(format!("its info() names it `{}`, not `{name}`", info.name));
        }
        let leagues = lock(&self.inner.leagues)
            .get(name)
            .cloned()
            .unwrap_or_default();
        for league in &leagues {
            if !adapter.serves(league) {
                return Err(format!(
                    "it no longer serves the configured league `{league}`"
                ));
            }
        }
        let cases = self.inner.plugin_dir.join(format!("{name}.cases"));
        if cases.join("cases.toml").is_file() {
            let verdicts =
                plugin_kit::run_cases(adapter, &cases, false).map_err(|e| e.to_string())?;
            let failed: Vec<String> = verdicts
                .into_iter()
                .filter(|(_, v)| !matches!(v, Verdict::Pass))
                .map(|(case, _)| case)
                .collect();
            if !failed.is_empty() {
                return Err(format!("its golden cases fail: {}", failed.join(", ")));
            }
        }
        Ok(())
    }

    /// Put the previous version back (the current one becomes the previous).
    pub fn rollback(&self, name: &str) -> Result<SwapOutcome, SwapError> {
        let slot = self.slot(name)?;
        let _busy = lock(&self.inner.busy);
        let Some(previous) = lock(&slot.previous).clone() else {
            return Err(SwapError::NoPrevious(name.to_owned()));
        };
        let to = previous.hash().to_owned();
        let version = previous.info().version.clone();
        let old = slot.install(previous);
        crate::metrics::adapter_swap(name, "rollback");
        tracing::info!(adapter = %name, from = %short(old.hash()), to = %short(&to), "adapter rolled back");
        Ok(SwapOutcome::Swapped {
            from: old.hash().to_owned(),
            to,
            version,
        })
    }

    /// Stop (or resume) polling the leagues `name` serves; the version stays loaded.
    pub fn set_enabled(&self, name: &str, enabled: bool) -> Result<(), SwapError> {
        let slot = self.slot(name)?;
        slot.enabled.store(enabled, Ordering::Release);
        tracing::info!(adapter = %name, enabled, "adapter {}", if enabled { "enabled" } else { "disabled" });
        Ok(())
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}
