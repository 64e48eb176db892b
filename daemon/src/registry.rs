//! The loaded adapters: every `*.wasm` in the plugin directory, by adapter name.

use crate::sandbox::{Adapter, LoadError, Sandbox};
use std::collections::BTreeMap;
use std::path::Path;

/// Adapters by name, as loaded from one directory.
#[derive(Clone, Default)]
pub struct Registry {
    adapters: BTreeMap<String, Adapter>,
}

impl Registry {
    /// [`load_dir`](Self::load_dir) on a blocking thread, for async callers: loading calls each
    /// component's `info()`, and a guest writing to stderr (a panic message) blocks on WASI's
    /// output, which must never happen on an async worker thread.
    pub async fn load_dir_blocking(
        sandbox: &Sandbox,
        dir: &Path,
    ) -> Result<(Registry, Vec<LoadError>), LoadError> {
        let (sandbox, dir) = (sandbox.clone(), dir.to_owned());
        tokio::task::spawn_blocking(move || Registry::load_dir(&sandbox, &dir))
            .await
            .map_err(|e| LoadError::Engine(format!("adapter loading task failed: {e}")))?
    }

    /// Load every `*.wasm` file in `dir` (sorted by file name). A file that fails to load is
    /// logged and returned in the error list; the others load regardless.
    pub fn load_dir(
        sandbox: &Sandbox,
        dir: &Path,
    ) -> Result<(Registry, Vec<LoadError>), LoadError> {
        let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Dir {
            path: dir.to_owned(),
            source,
        })?;
        let mut files: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "wasm") && p.is_file())
            .collect();
        files.sort();
        let mut registry = Registry::default();
        let mut errors = Vec::new();
        for path in files {
            match sandbox.load_file(&path).and_then(|a| registry.insert(a)) {
                Ok(()) => {}
                Err(e) => {
                    tracing::error!(error = %e, "adapter not loaded");
                    errors.push(e);
                }
            }
        }
        Ok((registry, errors))
    }

    /// Add an adapter; a second adapter with the same name is refused.
    pub fn insert(&mut self, adapter: Adapter) -> Result<(), LoadError> {
        let name = adapter.info().name.clone();
        if let Some(other) = self.adapters.get(&name) {
            return Err(LoadError::Duplicate {
                path: adapter.path().to_owned(),
                name,
                other: other.path().to_owned(),
            });
        }
        self.adapters.insert(name, adapter);
        Ok(())
    }

    /// The adapter named `name`.
    pub fn get(&self, name: &str) -> Option<&Adapter> {
        self.adapters.get(name)
    }

    /// Every adapter, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Adapter> {
        self.adapters.values()
    }

    /// How many adapters are loaded.
    pub fn len(&self) -> usize {
        self.adapters.len()
    }

    /// No adapter is loaded.
    pub fn is_empty(&self) -> bool {
        self.adapters.is_empty()
    }
}
