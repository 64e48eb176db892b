//! On-disk cache of compiled components, so a restart deserializes (about 0.2 ms) instead of
//! recompiling (tens of milliseconds).
//!
//! Format: one file per component, `<key>.cwasm`, holding wasmtime's own serialized artifact. The
//! key is the SHA-256 of the component bytes, the wasmtime version and the engine's
//! precompile-compatibility hash (which covers target, tunables and features), so a file is only
//! ever read by an engine that can run it. Files are written to a temporary name and renamed into
//! place, so a crash never leaves a torn artifact under a valid key.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

/// How a component came to be ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// Compiled now (and written to the cache when there is one).
    Compiled,
    /// Deserialized from the cache.
    Cached,
}

/// Feeds `Hash` output into SHA-256 so the engine fingerprint is stable across processes.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        0 // unused: the digest is read from the inner hasher
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

/// The cache key of `bytes` for `engine`.
pub fn key(engine: &Engine, bytes: &[u8]) -> String {
    let mut h = ShaHasher(Sha256::new());
    h.0.update(b"scoreline-cwasm-v1\0");
    h.0.update(wasmtime_version().as_bytes());
    engine.precompile_compatibility_hash().hash(&mut h);
    h.0.update(Sha256::digest(bytes));
    hex::encode(h.0.finalize())
}

fn wasmtime_version() -> &'static str {
    // The dependency is pinned in the workspace; keep this in step with it.
    "wasmtime-48.0.8"
}

/// Compile `bytes`, or load the artifact cached under `dir` for them.
pub fn load(
    engine: &Engine,
    bytes: &[u8],
    dir: Option<&Path>,
) -> wasmtime::Result<(Component, Provenance)> {
    let Some(dir) = dir else {
        return Ok((Component::new(engine, bytes)?, Provenance::Compiled));
    };
    let path = dir.join(format!("{}.cwasm", key(engine, bytes)));
    if path.is_file() {
        match deserialize(engine, &path) {
            Ok(component) => return Ok((component, Provenance::Cached)),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "discarding unusable cached artifact")
            }
        }
    }
    let component = Component::new(engine, bytes)?;
    if let Err(e) = store(&component, dir, &path) {
        // A cache we cannot write only costs a recompile next time.
        tracing::warn!(path = %path.display(), error = %e, "cannot write compiled artifact to cache");
    }
    Ok((component, Provenance::Compiled))
}

fn store(component: &Component, dir: &Path, path: &PathBuf) -> wasmtime::Result<()> {
    std::fs::create_dir_all(dir)?;
    let bytes = component.serialize()?;
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path) -> wasmtime::Result<Component> {
    // Read into memory rather than `deserialize_file`: a mapped file truncated or rewritten by
    // anyone else would fault the whole process (SIGBUS); a copy costs well under a millisecond.
    let bytes = std::fs::read(path)?;
    // SAFETY: wasmtime requires the bytes to be an artifact produced by `serialize` on a
    // compatible engine. They come from the daemon's own cache directory, written by `store`
    // above via an atomic rename under a name that hashes the engine's compatibility fingerprint
    // and the component bytes; wasmtime also checks the artifact's header against the engine
    // before using it, and a mismatch is an error, not undefined behaviour.
    unsafe { Component::deserialize(engine, &bytes) }
}
