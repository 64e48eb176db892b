//! Reload an adapter when its `<name>.wasm` in the plugin directory changes: `notify` events,
//! debounced per adapter (a build writes a file in several steps), each reload compiled and
//! validated on a blocking thread while the old version keeps serving.

use super::Swapper;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// How long a file must stay quiet before it is reloaded.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// The adapter a changed path names: `<name>.wasm`, not a hidden or temporary file.
pub fn adapter_of(path: &Path) -> Option<String> {
    if path.extension()? != "wasm" {
        return None;
    }
    let stem = path.file_stem()?.to_str()?;
    (!stem.starts_with('.')).then(|| stem.to_owned())
}

/// Watch `dir` until `shutdown` turns true, reloading each adapter whose file changed.
pub fn spawn(
    swapper: Swapper,
    dir: &Path,
    debounce: Duration,
    mut shutdown: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, notify::Error> {
    use notify::Watcher;
    let (tx, mut rx) = mpsc::unbounded_channel::<PathBuf>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        match event {
            Ok(e) if e.kind.is_create() || e.kind.is_modify() => {
                for path in e.paths {
                    // The receiver is gone only at shutdown.
                    let _ = tx.send(path);
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "plugin directory watch error"),
        }
    })?;
    watcher.watch(dir, notify::RecursiveMode::NonRecursive)?;
    tracing::info!(dir = %dir.display(), "watching the plugin directory for new adapter versions");
    Ok(tokio::spawn(async move {
        // Keep the watcher alive as long as the task.
        let _watcher = watcher;
        let mut due: BTreeMap<String, Instant> = BTreeMap::new();
        loop {
            let next = due.values().min().copied();
            tokio::select! {
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break;
                    }
                }
                path = rx.recv() => {
                    let Some(path) = path else { break };
                    if let Some(name) = adapter_of(&path) {
                        if swapper.slot(&name).is_ok() {
                            due.insert(name, Instant::now() + debounce);
                        } else {
                            tracing::debug!(file = %path.display(), "changed file is no loaded adapter; ignored");
                        }
                    }
                }
                _ = async { if let Some(at) = next { tokio::time::sleep_until(at).await } }, if next.is_some() => {
                    let now = Instant::now();
                    let ready: Vec<String> = due.iter().filter(|(_, at)| **at <= now).map(|(n, _)| n.clone()).collect();
                    for name in ready {
                        due.remove(&name);
                        let s = swapper.clone();
                        let n = name.clone();
                        match tokio::task::spawn_blocking(move || s.reload(&n)).await {
                            Ok(Ok(outcome)) => tracing::debug!(adapter = %name, ?outcome, "reload after a file change"),
                            // Refusals are logged by the swapper with their reason.
                            Ok(Err(_)) => {}
                            Err(e) => tracing::warn!(adapter = %name, error = %e, "reload task failed"),
                        }
                    }
                }
            }
        }
        tracing::info!("plugin directory watch stopped");
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_visible_wasm_files_name_an_adapter() {
        assert_eq!(adapter_of(Path::new("/p/espn.wasm")), Some("espn".into()));
        assert_eq!(adapter_of(Path::new("/p/.espn.wasm.tmp")), None);
        assert_eq!(adapter_of(Path::new("/p/.upload.espn.wasm")), None);
        assert_eq!(adapter_of(Path::new("/p/espn.cwasm")), None);
        assert_eq!(adapter_of(Path::new("/p/README.md")), None);
    }
}
