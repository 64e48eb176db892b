//! Blocking work (store reads and writes, adapter calls, file reads) moved off the async
//! workers onto tokio's blocking pool, with one error for a task that did not finish.

/// A blocking task that did not finish: it panicked, or the runtime is shutting down. Module
/// errors take it with `#[from]`, so `blocking(f).await?` works in any of them.
#[derive(Debug, thiserror::Error)]
#[error("blocking task did not finish: {0}")]
pub struct TaskFailed(String);

/// Run `f` on the blocking pool and wait for its result.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TaskFailed> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| TaskFailed(e.to_string()))
}
