//! The adapter sandbox: a wasmtime engine, the adapter components it has loaded, and every call
//! into them under a memory cap, a CPU deadline, a body cap and the request allow-list.
//!
//! Each call gets a fresh `Store` instantiated from a shared pre-instantiated component, so a trap
//! can poison nothing: the store is dropped and the next call starts clean. Adapters have no
//! capability but `log`; WASI is linked with an empty context (no files, env, args or sockets)
//! only because Rust's std imports it.

mod bindings;
mod cache;
mod convert;
mod error;
mod repeats;

pub use cache::Provenance;
pub use convert::OutputLimits;
pub use error::{AdapterFailure, CallError, LoadError};

use bindings::{Plugin, PluginPre};
use chrono::{DateTime, NaiveDate, Utc};
use scoreline_core::model::{self, AdapterInfo, GameDetail, GamesResult, PlannedRequest};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wasmtime::component::{HasSelf, Linker, ResourceTable};
use wasmtime::{Engine, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// How often the epoch ticker advances; the CPU deadline is counted in these ticks.
const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Concurrent adapter calls the instance pool holds; a call beyond that fails to instantiate
/// (a typed error, retried on the next poll), so it stays well above the leagues polled at once.
const POOL_SLOTS: u32 = 64;

/// Bytes of each pooled linear memory kept resident (zeroed in place) between calls.
const KEEP_RESIDENT_BYTES: usize = 32 << 20;

/// How much of a guest's stderr (where a Rust panic message goes) is kept per call.
const GUEST_STDERR_BYTES: usize = 4096;

/// Limits applied to every adapter call.
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxConfig {
    /// Linear memory cap per call, in bytes.
    pub memory_bytes: usize,
    /// CPU deadline per call.
    pub call_timeout: Duration,
    /// Largest upstream body handed to a parse, in bytes.
    pub max_body_bytes: usize,
    /// Bounds on what a call may return.
    pub output: OutputLimits,
    /// Log lines one call may write; later lines are counted and dropped.
    pub max_log_lines: u32,
    /// Longest log line kept, in bytes; longer lines are cut.
    pub max_log_line_bytes: usize,
    /// Where compiled artifacts are cached; `None` compiles on every load.
    pub cache_dir: Option<PathBuf>,
    /// Adapter calls running at once across every adapter; more wait for a slot. Each running
    /// call holds its linear memory, so this bounds the sandbox's share of the process's memory.
    pub max_concurrent_calls: usize,
}

/// The default for [`SandboxConfig::max_concurrent_calls`]: the machine's cores (at least 2).
pub fn default_concurrent_calls() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 16))
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            // Real feeds reach ~5 MB (MLB live); the body is copied in and parsed, so leave room.
            memory_bytes: 256 << 20,
            call_timeout: Duration::from_secs(2),
            max_body_bytes: 16 << 20,
            output: OutputLimits {
                max_games: 5_000,
                max_plays: 5_000,
            },
            max_log_lines: 100,
            max_log_line_bytes: 2_048,
            cache_dir: None,
            max_concurrent_calls: default_concurrent_calls(),
        }
    }
}

/// What the host keeps for one call: WASI's empty context, the limits and the log budget.
struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    limits: StoreLimits,
    adapter: Arc<str>,
    league: String,
    logs_left: u32,
    logs_dropped: u32,
    /// The adapter version's warnings logged so far, across calls.
    repeats: Arc<repeats::Repeats>,
    logs_repeated: u32,
    max_log_line_bytes: usize,
    memory_cap_hit: bool,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl bindings::types::Host for HostState {}

impl bindings::scoreline::adapter::host::Host for HostState {
    fn log(&mut self, level: bindings::types::LogLevel, message: String) {
        use bindings::types::LogLevel as L;
        if self.logs_left == 0 {
            self.logs_dropped += 1;
            return;
        }
        self.logs_left -= 1;
        let mut message = message;
        if message.len() > self.max_log_line_bytes {
            let mut cut = self.max_log_line_bytes;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        let (adapter, league) = (&*self.adapter, self.league.as_str());
        match level {
            L::Trace => tracing::trace!(adapter, league, "{message}"),
            L::Debug => tracing::debug!(adapter, league, "{message}"),
            L::Info => tracing::info!(adapter, league, "{message}"),
            // A warning this adapter version already gave for this league: debug from now on.
            L::Warn if !self.repeats.first(league, &message) => {
                self.logs_repeated += 1;
                tracing::debug!(adapter, league, repeated = true, "{message}")
            }
            L::Warn => tracing::warn!(adapter, league, "{message}"),
            L::Error => tracing::error!(adapter, league, "{message}"),
        }
    }
}

/// Records whether the memory cap refused a growth, so the trap that follows is reported as
/// out-of-memory rather than as a bare trap.
impl wasmtime::ResourceLimiter for HostState {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let r = self.limits.memory_growing(current, desired, maximum);
        if !matches!(r, Ok(true)) {
            self.memory_cap_hit = true;
        }
        r
    }
    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }
    fn instances(&self) -> usize {
        self.limits.instances()
    }
    fn tables(&self) -> usize {
        self.limits.tables()
    }
    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

/// The engine, the linker and the limits shared by every loaded adapter.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<SandboxInner>,
}

struct SandboxInner {
    engine: Engine,
    linker: Linker<HostState>,
    config: SandboxConfig,
    slots: CallSlots,
}

/// A counting semaphore for adapter calls. Calls are synchronous and run on blocking threads
/// (or the CLI's only thread), so waiting blocks; the standard library has no semaphore.
struct CallSlots {
    free: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
}

/// A held call slot; dropping it frees the slot.
struct CallSlot<'a>(&'a CallSlots);

impl CallSlots {
    fn new(n: usize) -> CallSlots {
        CallSlots {
            free: std::sync::Mutex::new(n.max(1)),
            freed: std::sync::Condvar::new(),
        }
    }

    fn acquire(&self) -> CallSlot<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        CallSlot(self)
    }
}

impl Drop for CallSlot<'_> {
    fn drop(&mut self) {
        let mut free = self.0.free.lock().unwrap_or_else(|e| e.into_inner());
        *free += 1;
        self.0.freed.notify_one();
    }
}

impl Sandbox {
    /// Build the engine (epoch interruption on) and start its epoch ticker.
    pub fn new(config: SandboxConfig) -> Result<Self, LoadError> {
        let mut wasm = wasmtime::Config::new();
        wasm.epoch_interruption(true);
        wasm.wasm_component_model(true);
        wasm.cranelift_opt_level(wasmtime::OptLevel::Speed);
        // Pooled instance slots: a fresh store per call reuses a slot whose memory stays mapped
        // (and its first pages resident), instead of mapping, faulting in and unmapping fresh
        // memory on every call.
        let mut pool = wasmtime::PoolingAllocationConfig::new();
        pool.total_component_instances(POOL_SLOTS)
            .total_core_instances(POOL_SLOTS * 4)
            .total_memories(POOL_SLOTS * 2)
            .total_tables(POOL_SLOTS * 4)
            .max_memory_size(config.memory_bytes)
            .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
            .table_keep_resident(64 << 10);
        wasm.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&wasm).map_err(|e| LoadError::Engine(e.to_string()))?;
        let mut linker = Linker::<HostState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| LoadError::Engine(e.to_string()))?;
        Plugin::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)
            .map_err(|e| LoadError::Engine(e.to_string()))?;
        spawn_epoch_ticker(&engine);
        let slots = CallSlots::new(config.max_concurrent_calls);
        Ok(Sandbox {
            inner: Arc::new(SandboxInner {
                engine,
                linker,
                config,
                slots,
            }),
        })
    }

    /// The limits in force.
    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// Load one component file: compile (or read the cached artifact), pre-instantiate, call
    /// `info()` and check it.
    pub fn load_file(&self, path: &Path) -> Result<Adapter, LoadError> {
        let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
            path: path.to_owned(),
            source,
        })?;
        self.load_bytes(path, &bytes)
    }

    /// Load a component from bytes; `path` names it in messages.
    pub fn load_bytes(&self, path: &Path, bytes: &[u8]) -> Result<Adapter, LoadError> {
        let invalid = |e: wasmtime::Error| LoadError::Invalid {
            path: path.to_owned(),
            message: format!("{e:#}"),
        };
        let inner = &self.inner;
        let (component, provenance) =
            cache::load(&inner.engine, bytes, inner.config.cache_dir.as_deref())
                .map_err(invalid)?;
        let pre = inner.linker.instantiate_pre(&component).map_err(invalid)?;
        let pre = PluginPre::new(pre).map_err(invalid)?;
        let hash = hex::encode(Sha256::digest(bytes));
        let mut adapter = Adapter {
            sandbox: self.clone(),
            pre,
            info: AdapterInfo {
                name: String::new(),
                version: String::new(),
                leagues: Vec::new(),
                hosts: Vec::new(),
                cadence: model::Cadence {
                    idle_secs: 0,
                    pregame_secs: 0,
                    live_secs: 0,
                    settle_secs: 0,
                },
            },
            label: Arc::from(
                path.file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("adapter"),
            ),
            path: path.to_owned(),
            hash,
            provenance,
            stats: Arc::new(AdapterStats::default()),
            repeats: Arc::default(),
        };
        let info = adapter
            .call("info", "", |store, plugin| {
                plugin.scoreline_adapter_adapter().call_info(store).map(Ok)
            })
            .map_err(|source| LoadError::Info {
                path: path.to_owned(),
                source,
            })?;
        let info = convert::info(info);
        check_info(&info).map_err(|message| LoadError::BadInfo {
            path: path.to_owned(),
            message,
        })?;
        adapter.label = Arc::from(info.name.as_str());
        adapter.info = info;
        tracing::info!(
            adapter = %adapter.info.name,
            version = %adapter.info.version,
            path = %path.display(),
            compiled = matches!(provenance, Provenance::Compiled),
            "adapter loaded"
        );
        Ok(adapter)
    }
}

fn spawn_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    let spawned = std::thread::Builder::new()
        .name("scoreline-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        });
    if let Err(e) = spawned {
        // Without the ticker deadlines never fire; say so loudly but keep serving.
        tracing::error!(error = %e, "cannot start the epoch ticker: adapter CPU deadlines are off");
    }
}

fn check_info(info: &AdapterInfo) -> Result<(), String> {
    let name_ok = !info.name.is_empty()
        && info.name.len() <= 64
        && info
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !name_ok {
        return Err(format!(
            "name `{}` must be 1-64 characters of a-z, 0-9, `-`, `_`",
            info.name
        ));
    }
    if info.leagues.is_empty() || info.leagues.iter().any(|l| l.is_empty()) {
        return Err(format!(
            "adapter `{}` declares no league (or an empty one)",
            info.name
        ));
    }
    if info.hosts.is_empty() {
        return Err(format!("adapter `{}` declares no host", info.name));
    }
    if let Some(h) = info
        .hosts
        .iter()
        .find(|h| url::Host::parse(h).is_err() || h.contains(['/', ':', '*']))
    {
        return Err(format!(
            "adapter `{}` declares an invalid host `{h}`",
            info.name
        ));
    }
    Ok(())
}

/// Call and fault counters for one adapter.
#[derive(Debug, Default)]
pub struct AdapterStats {
    /// Calls made.
    pub calls: AtomicU64,
    /// Calls that trapped (including deadline and memory faults).
    pub traps: AtomicU64,
    /// Calls interrupted by the CPU deadline.
    pub timeouts: AtomicU64,
    /// Calls that hit the memory cap.
    pub out_of_memory: AtomicU64,
    /// Calls that returned an adapter error.
    pub errors: AtomicU64,
    /// Log lines dropped because a call exceeded its log budget.
    pub log_lines_dropped: AtomicU64,
    /// Warnings logged at debug level because this version had already given them for the
    /// league.
    pub log_lines_repeated: AtomicU64,
}

/// What the host passes on every call.
#[derive(Debug, Clone)]
pub struct CallContext {
    /// Plain league key.
    pub league: String,
    /// League options from config.
    pub options: Vec<(String, String)>,
    /// The host's current time.
    pub now: DateTime<Utc>,
}

impl CallContext {
    /// A context with no options.
    pub fn new(league: &str, now: DateTime<Utc>) -> Self {
        CallContext {
            league: league.to_owned(),
            options: Vec::new(),
            now,
        }
    }

    fn to_wit(&self) -> bindings::types::CallContext {
        bindings::types::CallContext {
            league: self.league.clone(),
            options: self.options.clone(),
            now: self.now.timestamp(),
        }
    }
}

/// A loaded adapter component, ready for calls. Cheap to clone; clones share the compiled code.
#[derive(Clone)]
pub struct Adapter {
    sandbox: Sandbox,
    pre: PluginPre<HostState>,
    info: AdapterInfo,
    label: Arc<str>,
    path: PathBuf,
    hash: String,
    provenance: Provenance,
    stats: Arc<AdapterStats>,
    repeats: Arc<repeats::Repeats>,
}

type Guest<T> = wasmtime::Result<Result<T, bindings::types::AdapterError>>;

impl Adapter {
    /// What the adapter said about itself at load.
    pub fn info(&self) -> &AdapterInfo {
        &self.info
    }

    /// The file it was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SHA-256 of the component bytes, hex.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// Whether the load compiled or used the artifact cache.
    pub fn provenance(&self) -> Provenance {
        self.provenance
    }

    /// Call and fault counters.
    pub fn stats(&self) -> &AdapterStats {
        &self.stats
    }

    /// The largest body this adapter's parses accept.
    pub fn max_body_bytes(&self) -> usize {
        self.sandbox.config().max_body_bytes
    }

    /// Does this adapter serve `league` (a plain key)?
    pub fn serves(&self, league: &str) -> bool {
        self.info
            .leagues
            .iter()
            .any(|p| model::league_matches(p, league))
    }

    /// Plan the scoreboard request for `day`; the URL is checked against the declared hosts.
    pub fn scoreboard_request(
        &self,
        ctx: &CallContext,
        day: NaiveDate,
    ) -> Result<PlannedRequest, CallError> {
        self.served(ctx)?;
        let r = self.call("scoreboard-request", &ctx.league, |s, p| {
            p.scoreline_adapter_adapter().call_scoreboard_request(
                s,
                &ctx.to_wit(),
                convert::date(day),
            )
        })?;
        self.check_request(convert::request(r))
    }

    /// Plan the schedule request for `first..=last`.
    pub fn schedule_request(
        &self,
        ctx: &CallContext,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<PlannedRequest, CallError> {
        self.served(ctx)?;
        let r = self.call("schedule-request", &ctx.league, |s, p| {
            p.scoreline_adapter_adapter().call_schedule_request(
                s,
                &ctx.to_wit(),
                convert::date(first),
                convert::date(last),
            )
        })?;
        self.check_request(convert::request(r))
    }

    /// Plan the game detail request for `game_id`.
    pub fn game_detail_request(
        &self,
        ctx: &CallContext,
        game_id: &str,
    ) -> Result<PlannedRequest, CallError> {
        self.served(ctx)?;
        let r = self.call("game-detail-request", &ctx.league, |s, p| {
            p.scoreline_adapter_adapter()
                .call_game_detail_request(s, &ctx.to_wit(), game_id)
        })?;
        self.check_request(convert::request(r))
    }

    /// Parse a scoreboard body.
    pub fn parse_scoreboard(
        &self,
        ctx: &CallContext,
        body: &[u8],
    ) -> Result<GamesResult, CallError> {
        self.served(ctx)?;
        self.check_body(body)?;
        let r = self.call("parse-scoreboard", &ctx.league, |s, p| {
            p.scoreline_adapter_adapter()
                .call_parse_scoreboard(s, &ctx.to_wit(), body)
        })?;
        self.checked(
            &ctx.league,
            "parse-scoreboard",
            convert::games(r, self.sandbox.config().output),
        )
    }

    /// Parse a schedule body.
    pub fn parse_schedule(&self, ctx: &CallContext, body: &[u8]) -> Result<GamesResult, CallError> {
        self.served(ctx)?;
        self.check_body(body)?;
        let r = self.call("parse-schedule", &ctx.league, |s, p| {
            p.scoreline_adapter_adapter()
                .call_parse_schedule(s, &ctx.to_wit(), body)
        })?;
        self.checked(
            &ctx.league,
            "parse-schedule",
            convert::games(r, self.sandbox.config().output),
        )
    }

    /// Parse a game detail body.
    pub fn parse_game_detail(
        &self,
        ctx: &CallContext,
        game_id: &str,
        body: &[u8],
    ) -> Result<GameDetail, CallError> {
        self.served(ctx)?;
        self.check_body(body)?;
        let r = self.call("parse-game-detail", &ctx.league, |s, p| {
            p.scoreline_adapter_adapter()
                .call_parse_game_detail(s, &ctx.to_wit(), game_id, body)
        })?;
        self.checked(
            &ctx.league,
            "parse-game-detail",
            convert::detail(r, self.sandbox.config().output),
        )
    }

    fn served(&self, ctx: &CallContext) -> Result<(), CallError> {
        if self.serves(&ctx.league) {
            Ok(())
        } else {
            Err(CallError::LeagueNotServed(ctx.league.clone()))
        }
    }

    fn check_body(&self, body: &[u8]) -> Result<(), CallError> {
        let limit = self.sandbox.config().max_body_bytes;
        if body.len() > limit {
            return Err(CallError::BodyTooLarge {
                size: body.len(),
                limit,
            });
        }
        Ok(())
    }

    fn checked<T>(
        &self,
        league: &str,
        call: &str,
        r: Result<T, CallError>,
    ) -> Result<T, CallError> {
        r.inspect_err(|e| {
            self.stats.traps.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(adapter = %self.label, league, call, error = %e, "adapter call failed");
        })
    }

    /// The request must be `https` to a host the adapter declared, with no `Host` override.
    fn check_request(&self, r: PlannedRequest) -> Result<PlannedRequest, CallError> {
        let refuse = |reason: String| {
            tracing::warn!(adapter = %self.label, url = %r.url, %reason, "planned request refused");
            CallError::RequestRefused {
                url: r.url.clone(),
                reason,
            }
        };
        let url = url::Url::parse(&r.url).map_err(|e| refuse(format!("not a valid URL: {e}")))?;
        if url.scheme() != "https" {
            return Err(refuse(format!("scheme `{}` is not https", url.scheme())));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse("URL carries credentials".into()));
        }
        let host = url.host_str().unwrap_or_default();
        if !self.info.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
            return Err(refuse(format!(
                "host `{host}` is not among the adapter's declared hosts"
            )));
        }
        if let Some((name, _)) = r
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        {
            return Err(refuse(format!(
                "header `{name}` may not be set by an adapter"
            )));
        }
        Ok(r)
    }

    /// Run one guest call in a fresh store under the limits, classifying every failure.
    fn call<T>(
        &self,
        call: &'static str,
        league: &str,
        f: impl FnOnce(&mut Store<HostState>, &Plugin) -> Guest<T>,
    ) -> Result<T, CallError> {
        let config = self.sandbox.config();
        // Wait for a call slot first: the store and its linear memory exist only while held.
        let _slot = self.sandbox.inner.slots.acquire();
        let started = std::time::Instant::now();
        self.stats.calls.fetch_add(1, Ordering::Relaxed);
        // The guest's stderr is kept (bounded) so a panic message reaches the trap error.
        let stderr = MemoryOutputPipe::new(GUEST_STDERR_BYTES);
        let state = HostState {
            wasi: WasiCtx::builder().stderr(stderr.clone()).build(),
            table: ResourceTable::new(),
            limits: StoreLimitsBuilder::new()
                .memory_size(config.memory_bytes)
                .instances(4)
                .trap_on_grow_failure(true)
                .build(),
            adapter: self.label.clone(),
            league: league.to_owned(),
            logs_left: config.max_log_lines,
            logs_dropped: 0,
            repeats: self.repeats.clone(),
            logs_repeated: 0,
            max_log_line_bytes: config.max_log_line_bytes,
            memory_cap_hit: false,
        };
        let mut store = Store::new(&self.sandbox.inner.engine, state);
        store.limiter(|s| s);
        let ticks = config
            .call_timeout
            .as_millis()
            .div_ceil(EPOCH_TICK.as_millis())
            + 1;
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
        store.epoch_deadline_trap();

        let outcome = match self.pre.instantiate(&mut store) {
            Ok(plugin) => f(&mut store, &plugin).map_err(|e| self.classify(&store, e, &stderr)),
            Err(e) => match self.classify(&store, e, &stderr) {
                CallError::Trap(m) => Err(CallError::Instantiate(m)),
                other => Err(other),
            },
        };
        self.stats
            .log_lines_repeated
            .fetch_add(u64::from(store.data().logs_repeated), Ordering::Relaxed);
        if store.data().logs_dropped > 0 {
            self.stats
                .log_lines_dropped
                .fetch_add(u64::from(store.data().logs_dropped), Ordering::Relaxed);
            tracing::warn!(adapter = %self.label, league, call, dropped = store.data().logs_dropped, "adapter log lines dropped");
        }
        let result = match outcome {
            Ok(Ok(value)) => {
                crate::metrics::adapter_call(&self.label, call, "ok", started.elapsed());
                return Ok(value);
            }
            Ok(Err(e)) => {
                self.stats.errors.fetch_add(1, Ordering::Relaxed);
                let e = CallError::Adapter(convert::adapter_error(e));
                tracing::info!(adapter = %self.label, league, call, error = %e, "adapter returned an error");
                e
            }
            Err(e) => {
                self.stats.traps.fetch_add(1, Ordering::Relaxed);
                match e {
                    CallError::Timeout { .. } => {
                        self.stats.timeouts.fetch_add(1, Ordering::Relaxed)
                    }
                    CallError::OutOfMemory { .. } => {
                        self.stats.out_of_memory.fetch_add(1, Ordering::Relaxed)
                    }
                    _ => 0,
                };
                tracing::warn!(adapter = %self.label, league, call, kind = e.kind(), error = %e, "adapter call faulted");
                e
            }
        };
        crate::metrics::adapter_call(&self.label, call, result.kind(), started.elapsed());
        Err(result)
    }

    fn classify(
        &self,
        store: &Store<HostState>,
        e: wasmtime::Error,
        stderr: &MemoryOutputPipe,
    ) -> CallError {
        let config = self.sandbox.config();
        if store.data().memory_cap_hit {
            return CallError::OutOfMemory {
                limit_bytes: config.memory_bytes,
            };
        }
        match e.downcast_ref::<wasmtime::Trap>() {
            Some(wasmtime::Trap::Interrupt) => CallError::Timeout {
                limit_ms: u64::try_from(config.call_timeout.as_millis()).unwrap_or(u64::MAX),
            },
            trap => {
                let what = trap
                    .map(ToString::to_string)
                    .unwrap_or_else(|| format!("{e}"));
                let said = String::from_utf8_lossy(&stderr.contents())
                    .trim()
                    .replace('\n', " | ");
                CallError::Trap(if said.is_empty() {
                    what
                } else {
                    format!("{what}; guest stderr: {said}")
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_waits_for_a_free_slot() {
        let slots = Arc::new(CallSlots::new(2));
        let first = slots.acquire();
        let second = slots.acquire();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiting = slots.clone();
        let t = std::thread::spawn(move || {
            let _third = waiting.acquire();
            tx.send(()).unwrap();
        });
        // Both slots are held: the third caller cannot have one, however far it got.
        assert!(rx.try_recv().is_err());
        drop(first);
        rx.recv().unwrap();
        t.join().unwrap();
        drop(second);
        assert_eq!(*slots.free.lock().unwrap(), 2);
    }
}
