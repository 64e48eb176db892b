//! Typed failures of loading an adapter and of one call into it.

use std::path::PathBuf;

/// An expected failure the adapter itself reported (the WIT `adapter-error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdapterFailure {
    /// The body could not be understood.
    #[error("parse error: {0}")]
    Parse(String),
    /// The adapter does not serve this league or call.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Upstream answered with an error document.
    #[error("upstream error: {0}")]
    UpstreamMessage(String),
}

/// One call into an adapter failed. The host and every later call are unaffected.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The adapter answered with an error.
    #[error("{0}")]
    Adapter(AdapterFailure),
    /// The call ran past its CPU deadline and was interrupted.
    #[error("exceeded its CPU deadline of {limit_ms} ms")]
    Timeout {
        /// The deadline.
        limit_ms: u64,
    },
    /// The guest tried to grow its memory past the cap.
    #[error("exceeded its memory limit of {limit_bytes} bytes")]
    OutOfMemory {
        /// The cap.
        limit_bytes: usize,
    },
    /// The guest trapped (a panic, `unreachable`, an out-of-bounds access).
    #[error("trapped: {0}")]
    Trap(String),
    /// A fresh instance could not be created.
    #[error("could not be instantiated: {0}")]
    Instantiate(String),
    /// The body handed to a parse is larger than the cap.
    #[error("body of {size} bytes exceeds the cap of {limit} bytes")]
    BodyTooLarge {
        /// Body size.
        size: usize,
        /// The cap.
        limit: usize,
    },
    /// The adapter planned a request that is not allowed.
    #[error("planned request to `{url}` refused: {reason}")]
    RequestRefused {
        /// The URL it planned.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The adapter was asked about a league it does not declare.
    #[error("does not serve league `{0}`")]
    LeagueNotServed(String),
    /// The adapter returned more than the host accepts.
    #[error("returned too much: {0}")]
    OutputTooLarge(String),
    /// The adapter returned something malformed (e.g. an impossible timestamp).
    #[error("returned invalid output: {0}")]
    InvalidOutput(String),
}

impl CallError {
    /// A short stable label for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            CallError::Adapter(AdapterFailure::Parse(_)) => "parse",
            CallError::Adapter(AdapterFailure::Unsupported(_)) => "unsupported",
            CallError::Adapter(AdapterFailure::UpstreamMessage(_)) => "upstream_message",
            CallError::Timeout { .. } => "timeout",
            CallError::OutOfMemory { .. } => "out_of_memory",
            CallError::Trap(_) => "trap",
            CallError::Instantiate(_) => "instantiate",
            CallError::BodyTooLarge { .. } => "body_too_large",
            CallError::RequestRefused { .. } => "request_refused",
            CallError::LeagueNotServed(_) => "league_not_served",
            CallError::OutputTooLarge(_) => "output_too_large",
            CallError::InvalidOutput(_) => "invalid_output",
        }
    }

    /// The guest misbehaved (trap, deadline, memory) rather than reporting an expected error.
    pub fn is_fault(&self) -> bool {
        matches!(
            self,
            CallError::Timeout { .. }
                | CallError::OutOfMemory { .. }
                | CallError::Trap(_)
                | CallError::Instantiate(_)
                | CallError::OutputTooLarge(_)
                | CallError::InvalidOutput(_)
        )
    }
}

/// An adapter component could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The bytes are not a valid component or do not match the contract.
    #[error("`{path}` is not a valid scoreline:adapter@0.1.0 component: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The cause.
        message: String,
    },
    /// `info()` failed.
    #[error("`{path}`: info() failed: {source}")]
    Info {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: CallError,
    },
    /// `info()` answered something unusable.
    #[error("`{path}`: info() is not sane: {message}")]
    BadInfo {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Two components claim the same adapter name.
    #[error("`{path}`: adapter name `{name}` is already loaded from `{other}`")]
    Duplicate {
        /// The file refused.
        path: PathBuf,
        /// The name.
        name: String,
        /// The file already loaded.
        other: PathBuf,
    },
    /// The plugin directory could not be listed.
    #[error("cannot list plugin directory `{path}`: {source}")]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The engine could not be set up.
    #[error("wasm engine: {0}")]
    Engine(String),
}
