//! The command line: flags parsed by clap, then each subcommand run against the library. Results
//! go to stdout; every log line goes to stderr.

use crate::backfill::{self, BackfillError, DayReport};
use crate::config::{Config, ConfigError};
use crate::fetch::recording::Replay;
use crate::monitor::{self, MonitorError};
use crate::plugin_build::{self, BuildError};
use crate::registry::Registry;
use crate::runtime::{self, RunError, RunOptions};
use crate::sandbox::{CallContext, CallError, LoadError, Sandbox};
use crate::schedule_ingest;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use scoreline_core::clock::{Clock, ScaledClock, SystemClock};
use scoreline_core::ingest::{self, IngestError};
use scoreline_core::model::GameStatus;
use scoreline_core::upcoming::{self, LeagueUpcoming};
use scoreline_store::{GameFilter, Store, StoreError};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Scoreline: live sports data from sandboxed WebAssembly adapters.
#[derive(Debug, Parser)]
#[command(name = "scoreline", version, about)]
pub struct Cli {
    /// Configuration file (default: `config/scoreline.toml` when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log line format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Top-level subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: poll the configured leagues, store what they report, serve the HTTP API.
    Run {
        /// Stop after this many seconds (exit 0); default: run until SIGINT or SIGTERM.
        #[arg(long, value_name = "SECS")]
        duration: Option<u64>,
        /// Save every upstream response, with its request and time, into this new folder.
        #[arg(long, value_name = "DIR", conflicts_with = "replay")]
        record: Option<PathBuf>,
        /// Serve upstream responses from this recording instead of the network; the run ends
        /// when every response has been served.
        #[arg(long, value_name = "DIR")]
        replay: Option<PathBuf>,
        /// Replay speed: recorded seconds per real second.
        #[arg(long, value_name = "N", default_value_t = 1.0, requires = "replay")]
        speed: f64,
    },
    /// List games from the embedded store (works with no daemon running).
    Games {
        /// Only this league.
        #[arg(long)]
        league: Option<String>,
        /// Only this status (`live`, `final`, ...).
        #[arg(long)]
        status: Option<GameStatus>,
        /// Print `{"games":[...]}` JSON.
        #[arg(long)]
        json: bool,
    },
    /// List events from the embedded event log (works with no daemon running).
    Events(crate::events::query::EventsArgs),
    /// A game's scoring plays in order, with the first scorer flagged (from the store).
    Scorers(crate::scorers::query::ScorersArgs),
    /// A player's scoring plays across games (from the store).
    Player(crate::scorers::query::PlayerArgs),
    /// Operator views of the embedded store.
    #[command(subcommand)]
    Monitor(MonitorCommand),
    /// Load schedules into the embedded store.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// Fetch past days of one league into the embedded store, through its adapter.
    Backfill {
        /// League key (an enabled league of the config).
        #[arg(long)]
        league: String,
        /// First sports day, YYYY-MM-DD.
        #[arg(long)]
        from: NaiveDate,
        /// Last sports day, YYYY-MM-DD (inclusive).
        #[arg(long)]
        to: NaiveDate,
    },
    /// Build, list and run adapter components.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Work with upstream recordings.
    #[command(subcommand)]
    Recording(RecordingCommand),
    /// A game's timeline or a team's record, from the embedded store (the dashboards' views).
    #[command(subcommand)]
    Query(crate::query::QueryCommand),
    /// Webhook subscriptions and deliveries.
    #[command(subcommand)]
    Webhooks(crate::webhooks::commands::WebhooksCommand),
}

/// `scoreline recording ...`
#[derive(Debug, Subcommand)]
pub enum RecordingCommand {
    /// Turn a folder of snapshots named with their time (`NNNN-2026-07-07T00-07-28Z.json`) into
    /// a recording that answers URL with them, in time order.
    Import {
        /// The folder of snapshots.
        source: PathBuf,
        /// The URL they answer; without a query string it answers every query on its path.
        #[arg(long)]
        url: String,
        /// The new recording folder.
        #[arg(long)]
        out: PathBuf,
    },
}

/// `scoreline monitor ...`
#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// Upstream calls per day, host and league (errors, retries, cache hit rate, bytes, latency),
    /// each host's breaker state, and the calls a fixed-interval poller would have made.
    Stats(StatsArgs),
    /// Upstream failures, rejected snapshots and breakers that opened, in the last days.
    Failures(FailuresArgs),
    /// Games starting in the next days, per league, with the phase they will be polled in.
    Upcoming {
        /// Days ahead.
        #[arg(long, default_value_t = 2)]
        days: u32,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `scoreline monitor stats`
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print JSON (the shape is in docs/monitoring.md).
    #[arg(long)]
    pub json: bool,
    /// Window in hours, ending now.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=24 * 400))]
    pub hours: u32,
    /// IANA zone whose calendar days the rows are per.
    #[arg(long, default_value = "UTC", value_parser = parse_timezone)]
    pub timezone: chrono_tz::Tz,
    /// Period, seconds, of the fixed-interval poller the calls are compared with.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub fixed_interval: u32,
    /// The window's end (RFC 3339; default now).
    #[arg(long)]
    pub now: Option<DateTime<Utc>>,
}

/// `scoreline monitor failures`
#[derive(Debug, Args)]
pub struct FailuresArgs {
    /// Print JSON (the shape is in docs/monitoring.md).
    #[arg(long)]
    pub json: bool,
    /// Window in days, ending now.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=400))]
    pub days: u32,
    /// The window's end (RFC 3339; default now).
    #[arg(long)]
    pub now: Option<DateTime<Utc>>,
}

fn parse_timezone(s: &str) -> Result<chrono_tz::Tz, String> {
    s.parse()
        .map_err(|_| format!("`{s}` is not an IANA time zone such as America/New_York"))
}

/// `scoreline schedule ...`
#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Write the games of a CSV or JSON schedule file to the store's schedule, all or nothing.
    Ingest {
        /// The file: `.csv` with header `date,time,home_team,away_team[,venue]`, or `.json`.
        file: PathBuf,
        /// League key (an enabled league of the config).
        #[arg(long)]
        league: String,
        /// IANA zone of the file's local times (default: the league's `timezone`).
        #[arg(long, value_name = "ZONE")]
        timezone: Option<String>,
    },
}

/// `scoreline plugin ...`
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Compile every adapter crate under `plugins/` to a component in the plugin directory.
    Build(BuildArgs),
    /// List the adapters in the plugin directory.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Run one component in the sandbox on a saved upstream body and print the normalised JSON.
    Exec(ExecArgs),
    /// Write a ready adapter crate `plugins/NAME` (a worked example with golden cases).
    New {
        /// Crate, component and league name: lowercase letters, digits, dashes.
        name: String,
        /// Workspace root holding `plugins/`.
        #[arg(long, default_value = ".")]
        workspace: PathBuf,
    },
    /// Build the adapter crate in DIR and run its golden cases (`testdata/cases.toml`).
    Test {
        /// The crate's folder, e.g. `plugins/demo`.
        dir: PathBuf,
        /// Rewrite every case's expected JSON from the output instead of comparing (review the diff).
        #[arg(long)]
        bless: bool,
    },
}

/// `scoreline plugin build`
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Workspace root holding `plugins/`.
    #[arg(long, default_value = ".")]
    pub workspace: PathBuf,
    /// Output directory (default: the configured plugin directory).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Build only these packages (default: every crate under `plugins/`).
    #[arg(long = "package", short = 'p')]
    pub packages: Vec<String>,
}

/// `scoreline plugin exec`
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The component file.
    pub component: PathBuf,
    /// Which call to make.
    #[command(subcommand)]
    pub call: ExecCall,
}

/// The calls `plugin exec` can make.
#[derive(Debug, Subcommand)]
pub enum ExecCall {
    /// Parse a scoreboard body: prints `{"games":[...]}`.
    Scoreboard(ExecBody),
    /// Parse a schedule body: prints `{"games":[...]}`.
    Schedule(ExecBody),
    /// Parse a game detail body: prints `{"game":{...},"scoring_plays":[...],"shootout":[...]}`.
    GameDetail {
        /// The body and league.
        #[command(flatten)]
        body: ExecBody,
        /// Upstream game id.
        #[arg(long)]
        game_id: String,
    },
}

/// The inputs every parse call takes.
#[derive(Debug, Args)]
pub struct ExecBody {
    /// League key (a plain key such as `nfl` or `eng.1`).
    #[arg(long)]
    pub league: String,
    /// The saved upstream body.
    #[arg(long)]
    pub body: PathBuf,
    /// League option passed to the adapter, `KEY=VALUE` (repeatable).
    #[arg(long = "option", value_parser = parse_option)]
    pub options: Vec<(String, String)>,
    /// The time the adapter is told it is (RFC 3339; default now).
    #[arg(long)]
    pub now: Option<DateTime<Utc>>,
}

fn parse_option(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("option `{s}` is not KEY=VALUE"))
}

/// A failed command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An adapter could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// An adapter call failed.
    #[error("adapter `{adapter}`: {source}")]
    Call {
        /// The adapter.
        adapter: String,
        /// The failure.
        source: CallError,
    },
    /// A plugin build failed.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// `plugin new` or `plugin test` could not run.
    #[error(transparent)]
    Kit(#[from] crate::plugin_kit::KitError),
    /// `plugin test` ran and cases failed.
    #[error("{failed} of {total} golden cases failed")]
    CasesFailed {
        /// Cases that did not pass.
        failed: usize,
        /// All cases.
        total: usize,
    },
    /// A file could not be read or stdout written.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Output could not be encoded.
    #[error("cannot encode output: {0}")]
    Encode(#[from] serde_json::Error),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The daemon failed to start.
    #[error(transparent)]
    Run(#[from] RunError),
    /// A recording could not be read or written.
    #[error(transparent)]
    Recording(#[from] crate::fetch::recording::RecordingError),
    /// A flag value is out of range.
    #[error("{0}")]
    Usage(String),
    /// A monitor view failed.
    #[error(transparent)]
    Monitor(#[from] MonitorError),
    /// `scoreline events` failed.
    #[error(transparent)]
    Events(#[from] crate::events::query::EventsError),
    /// `scoreline query` failed.
    #[error(transparent)]
    Query(#[from] crate::query::QueryError),
    /// `scoreline scorers` or `scoreline player` failed.
    #[error(transparent)]
    Scorers(#[from] crate::scorers::query::ScorersError),
    /// A webhooks command failed.
    #[error(transparent)]
    Webhooks(#[from] crate::webhooks::WebhookError),
    /// A schedule file was refused; nothing was written.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// A schedule was not written (unknown league or zone, bad rows, the store).
    #[error(transparent)]
    Schedule(#[from] crate::schedule_ingest::ScheduleError),
    /// A backfill could not start.
    #[error(transparent)]
    Backfill(#[from] BackfillError),
    /// Some backfill days failed (the others were stored).
    #[error("backfill: {} of {total} day(s) failed: {}", .failed.len(), join_days(.failed))]
    BackfillDays {
        /// The failed days.
        failed: Vec<NaiveDate>,
        /// Days attempted.
        total: usize,
    },
}

fn join_days(days: &[NaiveDate]) -> String {
    days.iter()
        .map(NaiveDate::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Run {
            duration,
            record,
            replay,
            speed,
        } => run_daemon(config, duration, record, replay, speed),
        Command::Recording(RecordingCommand::Import { source, url, out }) => {
            let n = crate::fetch::recording::import(&source, &url, &out)?;
            writeln!(
                std::io::stdout().lock(),
                "imported {n} snapshot(s) into {}",
                out.display()
            )
            .map_err(|source| io("write stdout", source))?;
            Ok(())
        }
        Command::Games {
            league,
            status,
            json,
        } => games(&config, league, status, json),
        Command::Events(args) => {
            write_stdout(&crate::events::query::run(&open_store(&config)?, &args)?)
        }
        Command::Scorers(args) => write_stdout(&crate::scorers::query::run_scorers(
            &open_store(&config)?,
            &args,
        )?),
        Command::Player(args) => write_stdout(&crate::scorers::query::run_player(
            &open_store(&config)?,
            &args,
        )?),
        Command::Monitor(cmd) => monitor(&config, cmd),
        Command::Query(cmd) => write_stdout(&crate::query::run(&open_store(&config)?, &cmd)?),
        Command::Schedule(ScheduleCommand::Ingest {
            file,
            league,
            timezone,
        }) => ingest(&config, &file, &league, timezone.as_deref()),
        Command::Backfill { league, from, to } => backfill(&config, &league, from, to),
        Command::Plugin(PluginCommand::Build(args)) => build(&config, args),
        Command::Plugin(PluginCommand::List { json }) => list(&config, json),
        Command::Plugin(PluginCommand::Exec(args)) => exec(&config, args),
        Command::Plugin(PluginCommand::New { name, workspace }) => {
            let dir = crate::plugin_kit::new_plugin(&workspace, &name)?;
            let mut stdout = std::io::stdout().lock();
            writeln!(
                stdout,
                "created {}\nnext: scoreline plugin test {}",
                dir.display(),
                dir.display()
            )
            .map_err(|source| io("write stdout", source))
        }
        Command::Plugin(PluginCommand::Test { dir, bless }) => plugin_test(&config, &dir, bless),
        Command::Webhooks(cmd) => write_stdout(&crate::webhooks::commands::run(&config, cmd)?),
    }
}

fn build(config: &Config, args: BuildArgs) -> Result<(), CliError> {
    let packages = if args.packages.is_empty() {
        plugin_build::adapter_packages(&args.workspace)?
    } else {
        args.packages
    };
    let out = args.out.unwrap_or_else(|| config.plugin_dir.clone());
    let built = plugin_build::build(&args.workspace, &packages, &out)?;
    let mut stdout = std::io::stdout().lock();
    for b in built {
        writeln!(stdout, "{}", b.path.display()).map_err(|source| io("write stdout", source))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct ListedAdapter<'a> {
    name: &'a str,
    version: &'a str,
    leagues: &'a [String],
    hosts: &'a [String],
    path: String,
    sha256: &'a str,
}

fn list(config: &Config, json: bool) -> Result<(), CliError> {
    let sandbox = Sandbox::new(config.sandbox.clone())?;
    let (registry, errors) = Registry::load_dir(&sandbox, &config.plugin_dir)?;
    let rows: Vec<ListedAdapter> = registry
        .iter()
        .map(|a| ListedAdapter {
            name: &a.info().name,
            version: &a.info().version,
            leagues: &a.info().leagues,
            hosts: &a.info().hosts,
            path: a.path().display().to_string(),
            sha256: a.hash(),
        })
        .collect();
    let mut stdout = std::io::stdout().lock();
    let out = if json {
        serde_json::to_string_pretty(&serde_json::json!({ "adapters": rows }))? + "\n"
    } else {
        let mut s = String::new();
        for r in &rows {
            s.push_str(&format!(
                "{:<12} {:<8} {:<12} leagues: {}  hosts: {}\n",
                r.name,
                r.version,
                r.sha256.get(..12).unwrap_or(r.sha256),
                r.leagues.join(","),
                r.hosts.join(",")
            ));
        }
        s
    };
    stdout
        .write_all(out.as_bytes())
        .map_err(|source| io("write stdout", source))?;
    // Each failure was logged already; a partial listing still exits non-zero.
    if let Some(first) = errors.into_iter().next() {
        return Err(CliError::Load(first));
    }
    Ok(())
}

fn plugin_test(config: &Config, dir: &Path, bless: bool) -> Result<(), CliError> {
    use crate::plugin_kit::Verdict;
    let report = crate::plugin_kit::test_plugin(dir, config.sandbox.clone(), bless)?;
    let mut out = String::new();
    for (name, verdict) in &report.cases {
        match verdict {
            Verdict::Pass => out.push_str(&format!("ok       {name}\n")),
            Verdict::Blessed => out.push_str(&format!("blessed  {name}\n")),
            Verdict::Failed(why) => out.push_str(&format!("FAILED   {name}: {why}\n")),
            Verdict::Mismatch(diff) => out.push_str(&format!("MISMATCH {name}\n{diff}")),
        }
    }
    let failed = report
        .cases
        .iter()
        .filter(|(_, v)| !matches!(v, Verdict::Pass | Verdict::Blessed))
        .count();
    out.push_str(&format!(
        "{}: {} cases, {} passed, {failed} failed ({})\n",
        report.package,
        report.cases.len(),
        report.cases.len() - failed,
        report.component.display()
    ));
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .map_err(|source| io("write stdout", source))?;
    if failed > 0 {
        return Err(CliError::CasesFailed {
            failed,
            total: report.cases.len(),
        });
    }
    Ok(())
}

fn exec(config: &Config, args: ExecArgs) -> Result<(), CliError> {
    let sandbox = Sandbox::new(config.sandbox.clone())?;
    let adapter = sandbox.load_file(&args.component)?;
    let call_err = |source| CliError::Call {
        adapter: adapter.info().name.clone(),
        source,
    };
    let value = match &args.call {
        ExecCall::Scoreboard(b) => serde_json::to_value(
            adapter
                .parse_scoreboard(&b.context(), &read(&b.body)?)
                .map_err(call_err)?,
        )?,
        ExecCall::Schedule(b) => serde_json::to_value(
            adapter
                .parse_schedule(&b.context(), &read(&b.body)?)
                .map_err(call_err)?,
        )?,
        ExecCall::GameDetail { body: b, game_id } => serde_json::to_value(
            adapter
                .parse_game_detail(&b.context(), game_id, &read(&b.body)?)
                .map_err(call_err)?,
        )?,
    };
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &value)?;
    writeln!(stdout).map_err(|source| io("write stdout", source))
}

impl ExecBody {
    fn context(&self) -> CallContext {
        CallContext {
            league: self.league.clone(),
            options: self.options.clone(),
            now: self.now.unwrap_or_else(Utc::now),
        }
    }
}

fn run_daemon(
    config: Config,
    duration: Option<u64>,
    record: Option<PathBuf>,
    replay: Option<PathBuf>,
    speed: f64,
) -> Result<(), CliError> {
    if !(speed.is_finite() && speed > 0.0) {
        return Err(CliError::Usage(format!(
            "--speed must be a positive number, not {speed}"
        )));
    }
    let replay = match replay {
        Some(dir) => Some(Arc::new(Replay::open(&dir)?)),
        None => None,
    };
    let clock: Arc<dyn Clock> = match &replay {
        Some(r) => Arc::new(ScaledClock::new(r.start(), speed)),
        None => Arc::new(SystemClock),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| io("start the async runtime", source))?;
    let options = RunOptions {
        record,
        replay: replay.clone(),
    };
    let replay_clock = clock.clone();
    runtime.block_on(async move {
        let replay_done = async move {
            match replay {
                Some(r) => loop {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    if r.finished(replay_clock.now()) {
                        let unserved = r.pending();
                        if unserved > 0 {
                            tracing::warn!(
                                unserved,
                                "replay complete; some recorded responses were never asked for"
                            );
                        } else {
                            tracing::info!(responses = r.len(), "replay complete");
                        }
                        break;
                    }
                },
                None => std::future::pending::<()>().await,
            }
        };
        let stop = async move {
            let limit = async {
                match duration {
                    Some(secs) => {
                        tokio::time::sleep(std::time::Duration::from_secs(secs)).await;
                        tracing::info!(secs, "run duration reached");
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = limit => {}
                _ = replay_done => {}
                _ = runtime::signal() => {}
            }
        };
        runtime::run(config, options, clock, stop, |s| {
            tracing::info!(leagues = ?s.leagues, http = ?s.http, "scoreline running");
        })
        .await?;
        Ok(())
    })
}

/// The store, with the point outbox on when the config has `[[sinks]]`, so what a command
/// writes (`backfill`) is forwarded by the next `run` like what the daemon polls.
fn open_store(config: &Config) -> Result<Store, CliError> {
    let store = Store::open(&config.data_dir)?;
    store.enable_point_outbox(!config.sinks.is_empty());
    Ok(store)
}

fn games(
    config: &Config,
    league: Option<String>,
    status: Option<GameStatus>,
    json: bool,
) -> Result<(), CliError> {
    let store = open_store(config)?;
    let rows = store.games(&GameFilter {
        league,
        status,
        limit: None,
    })?;
    let mut out = String::new();
    if json {
        let games: Vec<_> = rows.iter().map(|r| &r.game).collect();
        out = serde_json::to_string_pretty(&serde_json::json!({ "games": games }))? + "\n";
    } else {
        for r in &rows {
            let g = &r.game;
            let score = |s: Option<u32>| s.map_or("-".to_owned(), |v| v.to_string());
            out.push_str(&format!(
                "{:<10} {:<12} {:<12} {:>4} {:<3} - {:<3} {:<4} {:<12} {}\n",
                g.league,
                g.id,
                g.status.as_str(),
                g.home.abbreviation,
                score(g.home.score),
                score(g.away.score),
                g.away.abbreviation,
                g.status_detail,
                g.start_time.map(|t| t.to_rfc3339()).unwrap_or_default()
            ));
        }
    }
    write_stdout(&out)
}

fn monitor(config: &Config, cmd: MonitorCommand) -> Result<(), CliError> {
    let store = open_store(config)?;
    let out = match cmd {
        MonitorCommand::Stats(a) => {
            let query = monitor::StatsQuery {
                now: a.now.unwrap_or_else(Utc::now),
                hours: a.hours,
                timezone: a.timezone,
                fixed_interval_secs: a.fixed_interval,
                configured_leagues: config.leagues.iter().map(|l| l.key.clone()).collect(),
                call_log_retention: config.retention.upstream_calls,
                sinks: config.sinks.iter().map(|s| s.name.clone()).collect(),
            };
            let report = monitor::stats(&store, &query)?;
            if a.json {
                serde_json::to_string_pretty(&report)? + "\n"
            } else {
                monitor::render_stats(&report)
            }
        }
        MonitorCommand::Failures(a) => {
            let report = monitor::failures(&store, a.now.unwrap_or_else(Utc::now), a.days)?;
            if a.json {
                serde_json::to_string_pretty(&report)? + "\n"
            } else {
                monitor::render_failures(&report)
            }
        }
        MonitorCommand::Upcoming { days, json } => return upcoming(config, days, json),
    };
    write_stdout(&out)
}

/// `schedule ingest`: read the file, map it against the league's catalogue, write it in one
/// transaction or not at all (the path `POST /admin/schedule` shares).
fn ingest(
    config: &Config,
    file: &Path,
    league_key: &str,
    timezone: Option<&str>,
) -> Result<(), CliError> {
    let (league, zone) = schedule_ingest::resolve(&config.leagues, league_key, timezone)?;
    let format = ingest::Format::from_path(file)?;
    let parsed = ingest::parse(format, &read(file)?)?;
    let store = open_store(config)?;
    let games = schedule_ingest::write(&store, league, zone, parsed, Utc::now())?;
    let mut out = String::new();
    for g in &games {
        out.push_str(&format!(
            "{:<32} {}  {} @ {}{}\n",
            g.id,
            g.start.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z"),
            g.away.abbreviation,
            g.home.abbreviation,
            g.venue
                .as_deref()
                .map(|v| format!("  ({v})"))
                .unwrap_or_default()
        ));
    }
    out.push_str(&format!(
        "ingested {} game(s) into league `{}` (adapter `{}`, times in {})\n",
        games.len(),
        league.key,
        league.adapter,
        zone.name()
    ));
    write_stdout(&out)
}

/// `backfill`: one line per day on stdout as it finishes; non-zero exit if any day failed.
fn backfill(config: &Config, league: &str, from: NaiveDate, to: NaiveDate) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| io("start the async runtime", source))?;
    let mut write_error = None;
    let reports = runtime.block_on(backfill::run(
        config,
        league,
        from,
        to,
        Arc::new(SystemClock),
        |r| {
            if let Err(e) = write_stdout(&day_line(r))
                && write_error.is_none()
            {
                write_error = Some(e);
            }
        },
    ))?;
    if let Some(e) = write_error {
        return Err(e);
    }
    let failed: Vec<NaiveDate> = reports
        .iter()
        .filter(|r| r.failed())
        .map(|r| r.day)
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::BackfillDays {
            failed,
            total: reports.len(),
        })
    }
}

fn day_line(r: &DayReport) -> String {
    let mut line = format!(
        "{}  games {}  stored {}  held {}  stale {}  rejected {}  finals {}  details {}  plays {}",
        r.day, r.games, r.stored, r.held, r.stale, r.rejected, r.finals, r.details, r.plays
    );
    if r.errors.is_empty() {
        line.push_str("  ok\n");
    } else {
        line.push_str(&format!("  FAILED: {}\n", r.errors.join("; ")));
    }
    line
}

/// `monitor upcoming`: read-only, from the store alone.
fn upcoming(config: &Config, days: u32, json: bool) -> Result<(), CliError> {
    let store = open_store(config)?;
    let now = Utc::now();
    let until = now + chrono::Duration::days(i64::from(days));
    let mut leagues: Vec<LeagueUpcoming> = Vec::new();
    for l in &config.leagues {
        let window = chrono::Duration::from_std(l.cadence.pregame_window)
            .unwrap_or(chrono::Duration::minutes(30));
        let snapshots = store.latest_for_league(&l.key)?;
        // A day either side, so an ingested game just inside the window still meets the
        // reported game it matches just outside it.
        let schedule = store.schedule(
            &l.key,
            now - chrono::Duration::days(1),
            until + chrono::Duration::days(1),
        )?;
        let view = upcoming::LeagueView {
            league: &l.key,
            timezone: l.timezone,
            pregame_window: window,
        };
        leagues.push(upcoming::league_upcoming(
            view, &snapshots, &schedule, now, until,
        ));
    }
    let out = if json {
        serde_json::to_string_pretty(&serde_json::json!({
            "now": now,
            "until": until,
            "leagues": leagues,
        }))? + "\n"
    } else {
        let mut s = format!(
            "games starting between {} and {}\n",
            now.format("%Y-%m-%d %H:%M:%S UTC"),
            until.format("%Y-%m-%d %H:%M:%S UTC")
        );
        for l in &leagues {
            s.push_str(&format!(
                "\n{} ({}; polling steps up {} min before a start): {} game(s)\n",
                l.league,
                l.timezone,
                l.pregame_window_secs / 60,
                l.games.len()
            ));
            let tz: chrono_tz::Tz = l.timezone.parse().unwrap_or(chrono_tz::UTC);
            for g in &l.games {
                let steps = g.steps_up_at.map_or_else(
                    || "-".to_owned(),
                    |t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
                );
                s.push_str(&format!(
                    "  {:<20} {:>5} @ {:<5} {:<10} {:<8} {:<8} steps up {:<20} {}\n",
                    g.local_start,
                    g.away.abbreviation,
                    g.home.abbreviation,
                    g.status.as_str(),
                    g.source,
                    serde_json::to_value(g.phase)?.as_str().unwrap_or_default(),
                    steps,
                    g.game_id
                ));
            }
        }
        s
    };
    write_stdout(&out)
}

fn write_stdout(text: &str) -> Result<(), CliError> {
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|source| io("write stdout", source))
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|source| io(&format!("read `{}`", path.display()), source))
}

fn io(what: &str, source: std::io::Error) -> CliError {
    CliError::Io {
        what: what.to_owned(),
        source,
    }
}
