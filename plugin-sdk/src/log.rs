//! The host's log, the one capability an adapter has. Lines are tagged by the host with the adapter
//! and league; natively (tests, benchmarks) they go to standard error.

use crate::LogLevel;

/// Write `message` at `level`.
pub fn log(level: LogLevel, message: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::__private::scoreline::adapter::host::log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[{level:?}] {message}");
}

/// Log at debug level.
pub fn debug(message: &str) {
    log(LogLevel::Debug, message);
}

/// Log at info level.
pub fn info(message: &str) {
    log(LogLevel::Info, message);
}

/// Log at warn level.
pub fn warn(message: &str) {
    log(LogLevel::Warn, message);
}

/// Log at error level.
pub fn error(message: &str) {
    log(LogLevel::Error, message);
}
