//! The chaos soak (issue 18, item 7): the demo (`config/demo.toml`, its emulator on its fast
//! clock, with stale copies and glitches) plus an InfluxDB 1.x sink and a webhook subscription,
//! run for `--minutes` (default 10) while the daemon is `kill -9`ed and restarted at random, a
//! real `influxd` is stopped (SIGKILL or SIGTERM) and started again at random, and a loopback
//! receiver switches at random between answering 200, 500, slowly (past the daemon's 15 s
//! timeout), hanging, or refusing connections. Then the chaos stops, everything drains, the
//! daemon is stopped cleanly and the soak checks: store integrity, every event id once in the
//! log, every event delivered and verified, every point in InfluxDB exactly once, and no event
//! from an injected glitch or stale copy (checked against the emulator's own slates, rebuilt
//! from the anchors its log names). It prints the report and exits non-zero when a check fails.
//!
//! Run: `scripts/chaos-soak [--minutes N] [--seed S]` (or `cargo bench -p scoreline --bench
//! chaos_soak -- --minutes N --seed S`); `docs/reliability.md` has what it found.
//!
//! A daemon restart starts the in-process emulator again, which anchors a new slate at the new
//! `now`: game ids derive from the seed and the anchor, so every run of the daemon polls 12 new
//! games and the previous run's games are never listed again (those live at the kill stay live
//! in the store; issue 18 item 3). Checks therefore hold per game, whichever run it belongs to.
//! The drain runs the daemon on one last slate to its end. Webhook retries wait 5 s, then 5 min,
//! then 30 min: before the drain the soak moves every pending delivery's next attempt to now
//! (the store is closed then), the retry-schedule counterpart of the emulator's fast clock.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::{DateTime, NaiveDateTime, Utc};
use scoreline::plugin_build;
use scoreline_emulator::{Game, Slate, state_at};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::SECRET;

/// The daemon's whole-attempt webhook timeout is 15 s; a slow answer comes after this.
const SLOW_ANSWER: Duration = Duration::from_secs(18);
/// The emulator settings the soak reads back from `config/demo.toml` to rebuild slates.
const DEMO: &str = "config/demo.toml";

// ---------------------------------------------------------------------------------------------
// Arguments.

struct Args {
    minutes: f64,
    seed: u64,
    drain_secs: u64,
}

fn args() -> Args {
    let mut a = Args {
        minutes: 10.0,
        seed: 0,
        drain_secs: 300,
    };
    let mut seed = None;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().unwrap_or_else(|| panic!("{name} needs a value"));
        match arg.as_str() {
            "--minutes" => a.minutes = value("--minutes").parse().expect("--minutes N"),
            "--seed" => seed = Some(value("--seed").parse().expect("--seed S (an integer)")),
            "--drain-secs" => a.drain_secs = value("--drain-secs").parse().expect("--drain-secs N"),
            // cargo bench passes `--bench` to every bench binary.
            "--bench" => {}
            other => panic!(
                "unknown argument `{other}`: chaos_soak [--minutes N] [--seed S] [--drain-secs N]"
            ),
        }
    }
    a.seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() % 100_000)
            .unwrap_or(1)
    });
    a
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn since(start: Instant) -> String {
    format!("{:>6.1}s", start.elapsed().as_secs_f64())
}

// ---------------------------------------------------------------------------------------------
// The webhook receiver.

/// What the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
enum Mode {
    Ok = 0,
    Error = 1,
    Slow = 2,
    Hang = 3,
    Refuse = 4,
}

impl Mode {
    fn from(n: u8) -> Mode {
        match n {
            1 => Mode::Error,
            2 => Mode::Slow,
            3 => Mode::Hang,
            4 => Mode::Refuse,
            _ => Mode::Ok,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Ok => "200",
            Mode::Error => "500",
            Mode::Slow => "slow",
            Mode::Hang => "hang",
            Mode::Refuse => "refuse",
        }
    }

    /// 200 40 %, 500 20 %, slow 15 %, hang 10 %, refuse 15 %.
    fn draw(rng: &mut fastrand::Rng) -> Mode {
        match rng.u32(0..100) {
            0..40 => Mode::Ok,
            40..60 => Mode::Error,
            60..75 => Mode::Slow,
            75..85 => Mode::Hang,
            _ => Mode::Refuse,
        }
    }
}

/// What arrived: verified arrivals per `webhook-id` (every attempt), the ids answered 200, the
/// bodies' types, and the arrivals that failed verification.
#[derive(Default)]
struct Received {
    arrivals: BTreeMap<String, u32>,
    acked: BTreeSet<String>,
    types: BTreeMap<String, String>,
    bad: Vec<String>,
}

#[derive(Clone)]
struct Receiver {
    mode: Arc<AtomicU8>,
    got: Arc<Mutex<Received>>,
}

impl Receiver {
    fn mode(&self) -> Mode {
        Mode::from(self.mode.load(Ordering::SeqCst))
    }

    fn set(&self, mode: Mode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }
}

async fn receive(State(rx): State<Receiver>, h: HeaderMap, body: Bytes) -> StatusCode {
    let mode = rx.mode();
    let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let (id, ts, sig) = (
        get("webhook-id"),
        get("webhook-timestamp"),
        get("webhook-signature"),
    );
    let expected = support::expected_signature(id, ts, &body);
    let fresh = ts
        .parse::<i64>()
        .is_ok_and(|t| (Utc::now().timestamp() - t).abs() <= 300);
    let parsed: Value = serde_json::from_slice(&body).unwrap_or_default();
    {
        let mut got = rx.got.lock().unwrap();
        let verified = sig.split(' ').any(|s| s == expected)
            && fresh
            && parsed["data"]["event_id"].as_str() == Some(id);
        if !verified {
            got.bad.push(format!("{id} ts={ts} sig={sig}"));
            return StatusCode::BAD_REQUEST;
        }
        *got.arrivals.entry(id.to_owned()).or_default() += 1;
        got.types.insert(
            id.to_owned(),
            parsed["type"].as_str().unwrap_or_default().to_owned(),
        );
        if mode == Mode::Ok {
            got.acked.insert(id.to_owned());
        }
    }
    match mode {
        Mode::Ok => StatusCode::NO_CONTENT,
        Mode::Error | Mode::Refuse => StatusCode::INTERNAL_SERVER_ERROR,
        Mode::Slow => {
            tokio::time::sleep(SLOW_ANSWER).await;
            StatusCode::OK
        }
        Mode::Hang => {
            // Until the daemon gives up and drops the connection (which drops this future).
            tokio::time::sleep(Duration::from_secs(3_600)).await;
            StatusCode::OK
        }
    }
}

/// Serve the receiver on `127.0.0.1:port`; in `Refuse` mode the listener is closed (connection
/// refused) until the mode changes.
fn serve_receiver(rt: &tokio::runtime::Runtime, port: u16) -> Receiver {
    let rx = Receiver {
        mode: Arc::new(AtomicU8::new(Mode::Ok as u8)),
        got: Arc::default(),
    };
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(rx.clone());
    let r = rx.clone();
    rt.spawn(async move {
        loop {
            while r.mode() == Mode::Refuse {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let listener = loop {
                match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                    Ok(l) => break l,
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            };
            let stop = r.clone();
            // Graceful shutdown stops accepting at once; connections in flight (a hang, a slow
            // answer) finish on their own in the spawned task while the port refuses.
            let app = app.clone();
            tokio::spawn(async move {
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        while stop.mode() != Mode::Refuse {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    })
                    .await;
            });
            while r.mode() != Mode::Refuse {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    });
    rx
}

// ---------------------------------------------------------------------------------------------
// influxd.

struct Influxd {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Influxd {
    fn start(dir: PathBuf) -> Influxd {
        let bin = scoreline_test_support::INFLUXD
            .find()
            .unwrap_or_else(|why| panic!("{why}"));
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let rpc = free_port();
        let d = dir.to_str().unwrap();
        std::fs::write(
            dir.join("influxdb.conf"),
            format!(
                "reporting-disabled = true\nbind-address = \"127.0.0.1:{rpc}\"\n\
                 [meta]\ndir = \"{d}/meta\"\n\
                 [data]\ndir = \"{d}/data\"\nwal-dir = \"{d}/wal\"\nquery-log-enabled = false\n\
                 [http]\nbind-address = \"127.0.0.1:{port}\"\nlog-enabled = false\nmax-row-limit = 0\n\
                 [monitor]\nstore-enabled = false\n\
                 [continuous_queries]\nenabled = false\n"
            ),
        )
        .unwrap();
        let mut i = Influxd {
            bin,
            dir,
            port,
            child: None,
        };
        i.spawn();
        i
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn up(&self) -> bool {
        self.child.is_some()
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("influxd.log"))
            .unwrap();
        let child = Command::new(&self.bin)
            .args(["-config", self.dir.join("influxdb.conf").to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while http_get(&format!("{}/ping", self.url())).0 != 204 {
            assert!(Instant::now() < deadline, "influxd did not answer /ping");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL (`hard`) or SIGTERM, and wait for it to exit.
    fn stop(&mut self, hard: bool) {
        if let Some(mut c) = self.child.take() {
            if hard {
                let _ = c.kill();
            } else {
                terminate(&c);
            }
            let _ = c.wait();
        }
    }

    /// An InfluxQL query (epoch ms); the rows of every series as column → value maps.
    fn rows(&self, q: &str) -> Vec<BTreeMap<String, Value>> {
        let url = format!(
            "{}/query?db=scoreline&epoch=ms&q={}",
            self.url(),
            url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        let (status, text) = http_get(&url);
        assert_eq!(status, 200, "{q}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(v["results"][0]["error"].is_null(), "{q}: {v}");
        let mut out = Vec::new();
        for s in v["results"][0]["series"].as_array().into_iter().flatten() {
            let cols: Vec<String> = s["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            for row in s["values"].as_array().unwrap() {
                out.push(
                    cols.iter()
                        .cloned()
                        .zip(row.as_array().unwrap().iter().cloned())
                        .collect(),
                );
            }
        }
        out
    }
}

impl Drop for Influxd {
    fn drop(&mut self) {
        self.stop(true);
    }
}

/// A blocking GET over std (`Connection: close`), chunked bodies decoded.
fn http_get(url: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let u = url::Url::parse(url).unwrap();
    let addr = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
    let Ok(mut s) = std::net::TcpStream::connect(&addr) else {
        return (0, String::new());
    };
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let req = format!(
        "GET {}{} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n",
        u.path(),
        u.query().map(|q| format!("?{q}")).unwrap_or_default(),
    );
    if s.write_all(req.as_bytes()).is_err() {
        return (0, String::new());
    }
    let mut raw = Vec::new();
    if s.read_to_end(&mut raw).is_err() {
        return (0, String::new());
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return (status, body.to_owned());
    }
    let (mut rest, mut out) = (body, String::new());
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].strip_prefix("\r\n").unwrap_or(&tail[n..]);
    }
    (status, out)
}

fn terminate(child: &Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
}

// ---------------------------------------------------------------------------------------------
// The daemon.

struct Daemon {
    config: PathBuf,
    env: Vec<(String, String)>,
    logs: PathBuf,
    runs: usize,
    child: Option<Child>,
}

impl Daemon {
    fn start(&mut self) {
        self.runs += 1;
        let log =
            std::fs::File::create(self.logs.join(format!("run-{:03}.log", self.runs))).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_scoreline"));
        cmd.args([
            "--log-format",
            "json",
            "--config",
            self.config.to_str().unwrap(),
            "run",
        ])
        .env("RUST_LOG", "info,scoreline_emulator=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log));
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        self.child = Some(cmd.spawn().unwrap());
    }

    /// `Some(status)` when it exited on its own.
    fn exited(&mut self) -> Option<ExitStatus> {
        let status = self.child.as_mut()?.try_wait().unwrap()?;
        self.child = None;
        Some(status)
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait (at most `limit`, then SIGKILL): the exit status, `None` if killed.
    fn stop(&mut self, limit: Duration) -> Option<ExitStatus> {
        let mut c = self.child.take()?;
        terminate(&c);
        let deadline = Instant::now() + limit;
        loop {
            if let Some(s) = c.try_wait().unwrap() {
                return Some(s);
            }
            if Instant::now() > deadline {
                let _ = c.kill();
                let _ = c.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The demo config with the soak's seed, plus the influx sink and the webhook subscription.
/// `data_dir`, `plugin_dir` and the HTTP address come through the demo's own variables.
fn write_config(root: &Path, work: &Path, seed: u64, influx: &str, hook: &str) -> PathBuf {
    let demo = std::fs::read_to_string(root.join(DEMO)).unwrap();
    assert!(
        demo.contains("\nseed = 7\n"),
        "{DEMO} changed: no `seed = 7`"
    );
    for fault in ["glitch = true", "stale = true"] {
        assert!(demo.contains(fault), "{DEMO} has no `{fault}`");
    }
    let mut text = demo.replace("\nseed = 7\n", &format!("\nseed = {seed}\n"));
    write!(
        text,
        "\n# Added by the chaos soak.\n\
         [[webhooks]]\nname = \"chaos\"\nurl = \"{hook}\"\nsecret = \"{SECRET}\"\n\
         catch_up = true\nallow_private = true\n\n\
         [[sinks]]\nname = \"influx\"\nkind = \"influxdb_v1\"\nurl = \"{influx}\"\n\
         database = \"scoreline\"\nflush_interval_ms = 200\nshutdown_timeout_secs = 20\n\
         [[sinks.retention_policies]]\nname = \"live\"\nrole = \"live\"\nduration = \"730d\"\n\
         shard_duration = \"7d\"\nreplication = 1\ndefault = true\n\
         [[sinks.retention_policies]]\nname = \"aggregates\"\nrole = \"aggregates\"\n\
         duration = \"1825d\"\nshard_duration = \"30d\"\n"
    )
    .unwrap();
    let path = work.join("chaos.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `key = N` under `[emulator]` in the demo config.
fn demo_number(root: &Path, key: &str) -> u64 {
    let demo = std::fs::read_to_string(root.join(DEMO)).unwrap();
    demo.lines()
        .find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().parse().ok()).flatten()
        })
        .unwrap_or_else(|| panic!("{DEMO} has no `{key} = N`"))
}

// ---------------------------------------------------------------------------------------------
// What the runs logged.

/// A stale answer, as the emulator logged it.
#[derive(Debug, Clone)]
struct Stale {
    run: usize,
    route: String,
    league: String,
    game_id: String,
    copy_of: DateTime<Utc>,
    request: u64,
}

#[derive(Default)]
struct Logs {
    /// The slate anchor of each run that got that far.
    anchors: Vec<(usize, DateTime<Utc>)>,
    stale: Vec<Stale>,
    /// (run, game id) reported 0-0.
    glitched: BTreeSet<String>,
    panics: Vec<String>,
    errors: BTreeMap<String, usize>,
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s.trim_end_matches(" UTC"), "%Y-%m-%d %H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

fn read_logs(dir: &Path, runs: usize) -> Logs {
    let mut logs = Logs::default();
    for run in 1..=runs {
        let text =
            std::fs::read_to_string(dir.join(format!("run-{run:03}.log"))).unwrap_or_default();
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                if line.contains("panicked") {
                    logs.panics.push(format!("run {run}: {line}"));
                }
                continue;
            };
            let f = &v["fields"];
            let msg = f["message"].as_str().unwrap_or_default();
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            match msg {
                "emulator serving an espn-shaped slate" => {
                    if let Some(t) = parse_time(&s("anchor")) {
                        logs.anchors.push((run, t));
                    }
                }
                "emulator served a stale copy" => logs.stale.push(Stale {
                    run,
                    route: s("route"),
                    league: s("league"),
                    game_id: s("game_id"),
                    copy_of: parse_time(&s("copy_of")).expect("copy_of"),
                    request: f["request"].as_u64().unwrap_or(0),
                }),
                "emulator glitch injected" => {
                    let ids = format!("{} {}", s("zeroed"), s("game_id"));
                    for id in ids.split(|c: char| !c.is_ascii_digit()) {
                        if !id.is_empty() {
                            logs.glitched.insert(id.to_owned());
                        }
                    }
                }
                _ => {}
            }
            if v["level"] == "ERROR" {
                *logs.errors.entry(msg.to_owned()).or_default() += 1;
            }
            if line.contains("panicked") {
                logs.panics.push(format!("run {run}: {line}"));
            }
        }
    }
    logs
}

// ---------------------------------------------------------------------------------------------
// The checks.

#[derive(Default)]
struct Report {
    text: String,
    failures: Vec<String>,
}

impl Report {
    fn line(&mut self, s: impl AsRef<str>) {
        println!("{}", s.as_ref());
        self.text.push_str(s.as_ref());
        self.text.push('\n');
    }

    fn check(&mut self, name: &str, ok: bool, detail: impl AsRef<str>) {
        let mark = if ok { "ok  " } else { "FAIL" };
        self.line(format!("  [{mark}] {name}: {}", detail.as_ref()));
        if !ok {
            self.failures.push(name.to_owned());
        }
    }
}

/// One logged event.
struct Event {
    seq: i64,
    id: String,
    kind: String,
    game_id: String,
    data: Value,
}

fn score(data: &Value) -> Option<(u32, u32)> {
    Some((
        u32::try_from(data["home_score"].as_u64()?).ok()?,
        u32::try_from(data["away_score"].as_u64()?).ok()?,
    ))
}

/// The scores a game really went through: 0-0 and each scoring event's score after.
fn real_scores(game: &Game) -> BTreeSet<(u32, u32)> {
    let mut s: BTreeSet<(u32, u32)> = game
        .events
        .iter()
        .map(|e| (e.home_after, e.away_after))
        .collect();
    s.insert((0, 0));
    s
}

/// Events that no real state of the game explains: a `score.corrected` (the emulator never takes a
/// score back), a score that goes backwards from one the game already showed, or a score the game
/// never had. Each is attributed to a stale copy showing that score, a 0-0 glitch, or nothing.
fn false_events(
    events: &[Event],
    games: &BTreeMap<String, (usize, Game)>,
    logs: &Logs,
) -> (Vec<String>, BTreeMap<&'static str, usize>, usize) {
    let mut out = Vec::new();
    let mut by_cause: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut unknown_games = 0;
    let mut by_game: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    for e in events {
        by_game.entry(&e.game_id).or_default().push(e);
    }
    for (game_id, evs) in by_game {
        let Some((run, game)) = games.get(game_id) else {
            unknown_games += 1;
            continue;
        };
        let real = real_scores(game);
        // The states of this game that stale copies showed: its summaries, and its league's
        // scoreboards in the same run (a stale board shows every game as of the copy's instant).
        let stale: BTreeSet<(u32, u32)> = logs
            .stale
            .iter()
            .filter(|s| {
                s.run == *run
                    && (s.game_id == game_id
                        || (s.route == "scoreboard" && s.league == game.league.key))
            })
            .map(|s| {
                let st = state_at(game, s.copy_of);
                (st.home_score, st.away_score)
            })
            .collect();
        let glitched = logs.glitched.contains(game_id);
        let mut high = (0, 0);
        for e in evs {
            let Some(sc) = score(&e.data) else {
                if e.kind == "score.corrected" {
                    out.push(format!("seq {} {} {game_id} (no score)", e.seq, e.kind));
                    *by_cause.entry("unexplained").or_default() += 1;
                }
                continue;
            };
            // Plays can be learnt after a later score was seen; they only need to be real.
            let ordered = !matches!(e.kind.as_str(), "scoring.play" | "scoring.first");
            let backwards = ordered && (sc.0 < high.0 || sc.1 < high.1);
            let bad = e.kind == "score.corrected" || backwards || !real.contains(&sc);
            if ordered {
                high = (high.0.max(sc.0), high.1.max(sc.1));
            }
            if !bad {
                continue;
            }
            let cause = if stale.contains(&sc) {
                "stale copy"
            } else if glitched && sc == (0, 0) {
                "glitch"
            } else {
                "unexplained"
            };
            *by_cause.entry(cause).or_default() += 1;
            out.push(format!(
                "seq {} {} {}/{game_id} {}-{} (highest seen {}-{}; {cause}) id {}",
                e.seq,
                e.kind,
                game.league.key,
                sc.0,
                sc.1,
                high.0,
                high.1,
                &e.id[..12.min(e.id.len())]
            ));
        }
    }
    (out, by_cause, unknown_games)
}

fn store_rows<T>(
    db: &rusqlite::Connection,
    sql: &str,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Vec<T> {
    db.prepare(sql)
        .unwrap()
        .query_map([], f)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Compare two multisets: (missing from `got`, extra or repeated in `got`).
fn diff<T: Ord + Clone>(want: &[T], got: &[T]) -> (Vec<T>, Vec<T>) {
    let mut w: BTreeMap<&T, i64> = BTreeMap::new();
    for x in want {
        *w.entry(x).or_default() += 1;
    }
    let mut g: BTreeMap<&T, i64> = BTreeMap::new();
    for x in got {
        *g.entry(x).or_default() += 1;
    }
    let mut missing = Vec::new();
    let mut extra = Vec::new();
    for (k, n) in &w {
        for _ in 0..(n - g.get(k).copied().unwrap_or(0)).max(0) {
            missing.push((*k).clone());
        }
    }
    for (k, n) in &g {
        for _ in 0..(n - w.get(k).copied().unwrap_or(0)).max(0) {
            extra.push((*k).clone());
        }
    }
    (missing, extra)
}

fn sample<T: std::fmt::Debug>(v: &[T]) -> String {
    if v.is_empty() {
        String::new()
    } else {
        format!(" e.g. {:?}", &v[..v.len().min(3)])
    }
}

// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Chaos {
    kills: usize,
    unexpected_exits: Vec<String>,
    influx_sigkill: usize,
    influx_sigterm: usize,
    modes: BTreeMap<Mode, usize>,
}

fn main() {
    let args = args();
    let start = Instant::now();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let work = tempfile::Builder::new()
        .prefix("scoreline-chaos-")
        .tempdir()
        .unwrap()
        .keep();
    println!(
        "chaos soak: seed {} for {} min; state in {}",
        args.seed,
        args.minutes,
        work.display()
    );
    let plugins = work.join("plugins");
    plugin_build::build(&root, &["scoreline-plugin-espn".to_owned()], &plugins)
        .expect("building the espn component");
    let logs_dir = work.join("logs");
    std::fs::create_dir_all(&logs_dir).unwrap();
    let data = work.join("data");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let hook_port = free_port();
    let receiver = serve_receiver(&rt, hook_port);
    let mut influx = Influxd::start(work.join("influxd"));
    let config = write_config(
        &root,
        &work,
        args.seed,
        &influx.url(),
        &format!("http://127.0.0.1:{hook_port}/hook"),
    );
    let mut daemon = Daemon {
        config,
        env: vec![
            ("SCORELINE_DATA_DIR".into(), data.to_str().unwrap().into()),
            (
                "SCORELINE_PLUGIN_DIR".into(),
                plugins.to_str().unwrap().into(),
            ),
            (
                "SCORELINE_HTTP_LISTEN".into(),
                format!("127.0.0.1:{}", free_port()),
            ),
        ],
        logs: logs_dir.clone(),
        runs: 0,
        child: None,
    };

    // Chaos.
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let mut chaos = Chaos::default();
    let secs = |rng: &mut fastrand::Rng, lo: u64, hi: u64| {
        Duration::from_millis(rng.u64(lo * 1000..=hi * 1000))
    };
    let chaos_start = Instant::now();
    let end = chaos_start + Duration::from_secs_f64(args.minutes * 60.0);
    daemon.start();
    let mut next_kill = Instant::now() + secs(&mut rng, 8, 60);
    let mut next_influx = Instant::now() + secs(&mut rng, 15, 60);
    let mut next_mode = Instant::now() + secs(&mut rng, 3, 25);
    while Instant::now() < end {
        let now = Instant::now();
        if let Some(status) = daemon.exited() {
            let why = format!("run {} exited by itself: {status}", daemon.runs);
            println!("{} {why}", since(start));
            chaos.unexpected_exits.push(why);
            daemon.start();
        }
        if now >= next_kill {
            daemon.kill9();
            chaos.kills += 1;
            std::thread::sleep(secs(&mut rng, 0, 3));
            daemon.start();
            println!(
                "{} kill -9 #{} ; run {} started",
                since(start),
                chaos.kills,
                daemon.runs
            );
            next_kill = Instant::now() + secs(&mut rng, 8, 60);
        }
        if now >= next_influx {
            if influx.up() {
                let hard = rng.bool();
                influx.stop(hard);
                if hard {
                    chaos.influx_sigkill += 1;
                } else {
                    chaos.influx_sigterm += 1;
                }
                println!(
                    "{} influxd stopped ({})",
                    since(start),
                    if hard { "SIGKILL" } else { "SIGTERM" }
                );
                next_influx = Instant::now() + secs(&mut rng, 5, 45);
            } else {
                influx.spawn();
                println!("{} influxd started", since(start));
                next_influx = Instant::now() + secs(&mut rng, 15, 90);
            }
        }
        if now >= next_mode {
            let mode = Mode::draw(&mut rng);
            receiver.set(mode);
            *chaos.modes.entry(mode).or_default() += 1;
            println!("{} receiver answers {}", since(start), mode.name());
            next_mode = Instant::now() + secs(&mut rng, 3, 25);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let chaos_secs = chaos_start.elapsed().as_secs_f64();

    // Drain: receiver 200, influxd up, pending retries due now, one last slate to its end.
    daemon.kill9();
    chaos.kills += 1;
    receiver.set(Mode::Ok);
    if !influx.up() {
        influx.spawn();
    }
    let db_path = data.join(scoreline_store::DB_FILE);
    let forwarded = {
        let db = rusqlite::Connection::open(&db_path).unwrap();
        db.execute(
            "UPDATE webhook_deliveries SET next_attempt_at = ?1 WHERE state = 'pending'",
            [Utc::now().timestamp_millis()],
        )
        .unwrap()
    };
    println!(
        "{} chaos over; draining ({forwarded} pending deliveries due now)",
        since(start)
    );
    daemon.start();
    let drain_start = Instant::now();
    let drain_limit = Duration::from_secs(args.drain_secs);
    let mut last_seq = -1;
    let mut quiet_since = Instant::now();
    let drained = loop {
        std::thread::sleep(Duration::from_secs(2));
        let db = rusqlite::Connection::open(&db_path).unwrap();
        let q = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap_or(-1) };
        let seq = q("SELECT COALESCE(MAX(seq), 0) FROM events");
        let pending = q("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'");
        let points = q(
            "SELECT COUNT(*) FROM sink_points WHERE seq > COALESCE((SELECT seq FROM sink_cursors WHERE sink = 'influx'), 0)",
        );
        let live = q("SELECT COUNT(*) FROM games WHERE status NOT IN ('final', 'scheduled')");
        if seq != last_seq {
            last_seq = seq;
            quiet_since = Instant::now();
        }
        if let Some(status) = daemon.exited() {
            chaos
                .unexpected_exits
                .push(format!("drain run exited by itself: {status}"));
            break false;
        }
        // Quiet: no new event for 20 s (the last slate is over), nothing pending anywhere.
        if quiet_since.elapsed() > Duration::from_secs(20) && pending == 0 && points == 0 {
            println!(
                "{} drained (games left live by killed runs: {live})",
                since(start)
            );
            break true;
        }
        if drain_start.elapsed() > drain_limit {
            println!(
                "{} drain limit reached: {pending} deliveries, {points} points pending",
                since(start)
            );
            break false;
        }
    };
    let stop = daemon.stop(Duration::from_secs(60));
    let runs = daemon.runs;

    // Checks.
    let mut r = Report::default();
    let logs = read_logs(&logs_dir, runs);
    let game_secs = demo_number(&root, "game_secs");
    let stagger_secs = demo_number(&root, "stagger_secs");
    let mut games: BTreeMap<String, (usize, Game)> = BTreeMap::new();
    for (run, anchor) in &logs.anchors {
        let slate = Slate::generate(
            args.seed,
            *anchor,
            Duration::from_secs(game_secs),
            Duration::from_secs(stagger_secs),
        );
        for g in slate.games() {
            games.insert(g.id.clone(), (*run, g.clone()));
        }
    }
    let db = rusqlite::Connection::open(&db_path).unwrap();
    let events: Vec<Event> = store_rows(
        &db,
        "SELECT seq, id, type, game_id, data_json FROM events ORDER BY seq",
        |row| {
            Ok(Event {
                seq: row.get(0)?,
                id: row.get(1)?,
                kind: row.get(2)?,
                game_id: row.get(3)?,
                data: serde_json::from_str(&row.get::<_, String>(4)?).unwrap_or_default(),
            })
        },
    );
    let received = std::mem::take(&mut *receiver.got.lock().unwrap());

    r.line("");
    r.line(format!(
        "chaos soak report: seed {}, {:.1} min of chaos, {:.1} min in all (release daemon, {DEMO} with game_secs {game_secs}, stagger_secs {stagger_secs})",
        args.seed,
        chaos_secs / 60.0,
        start.elapsed().as_secs_f64() / 60.0
    ));
    r.line(format!(
        "  daemon: {runs} runs, {} kill -9 (the last one ends the chaos), clean stop at the end: {}",
        chaos.kills,
        match stop {
            Some(s) => s.to_string(),
            None => "did not stop in 60 s (killed)".into(),
        }
    ));
    r.line(format!(
        "  influxd: {} restarts ({} after SIGKILL, {} after SIGTERM)",
        chaos.influx_sigkill + chaos.influx_sigterm,
        chaos.influx_sigkill,
        chaos.influx_sigterm
    ));
    r.line(format!(
        "  receiver: {} mode switches ({})",
        chaos.modes.values().sum::<usize>(),
        chaos
            .modes
            .iter()
            .map(|(m, n)| format!("{} {n}", m.name()))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let episodes = logs.stale.iter().filter(|s| s.request == 1).count();
    let board_eps = logs
        .stale
        .iter()
        .filter(|s| s.request == 1 && s.route == "scoreboard")
        .count();
    r.line(format!(
        "  emulator: {} slates, {} games; {} stale answers in {episodes} episodes ({board_eps} scoreboard, {} summary); {} games glitched 0-0",
        logs.anchors.len(),
        games.len(),
        logs.stale.len(),
        episodes - board_eps,
        logs.glitched.len()
    ));
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &events {
        *types.entry(&e.kind).or_default() += 1;
    }
    r.line(format!(
        "  events: {} ({})",
        events.len(),
        types
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    r.line("checks:");
    r.check(
        "daemon",
        chaos.unexpected_exits.is_empty()
            && logs.panics.is_empty()
            && stop.is_some_and(|s| s.success()),
        format!(
            "{} unexpected exits, {} panics, clean stop {}{}{}",
            chaos.unexpected_exits.len(),
            logs.panics.len(),
            stop.is_some_and(|s| s.success()),
            sample(&chaos.unexpected_exits),
            sample(&logs.panics)
        ),
    );
    r.check(
        "drain",
        drained,
        format!("{:.0} s", drain_start.elapsed().as_secs_f64()),
    );

    // Store integrity.
    let integrity: Vec<String> = store_rows(&db, "PRAGMA integrity_check", |row| row.get(0));
    let fk: Vec<String> = store_rows(&db, "PRAGMA foreign_key_check", |row| row.get(0));
    r.check(
        "store integrity",
        integrity == ["ok"] && fk.is_empty(),
        format!(
            "integrity_check {integrity:?}, {} foreign key violations",
            fk.len()
        ),
    );

    // Every event id once.
    let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    let unique: BTreeSet<&String> = ids.iter().collect();
    r.check(
        "event ids once",
        unique.len() == ids.len(),
        format!("{} events, {} distinct ids", ids.len(), unique.len()),
    );

    // Webhooks.
    let log_ids: BTreeSet<String> = ids.iter().cloned().collect();
    let arrived: BTreeSet<String> = received.arrivals.keys().cloned().collect();
    let lost: Vec<&String> = log_ids.difference(&received.acked).collect();
    let unknown: Vec<&String> = arrived.difference(&log_ids).collect();
    let attempts: u32 = received.arrivals.values().sum();
    let dup_deliveries: u32 = received.arrivals.values().map(|n| n - 1).sum();
    let wrong_type = events
        .iter()
        .filter(|e| received.types.get(&e.id).is_some_and(|t| t != &e.kind))
        .count();
    let states: Vec<(String, i64)> = store_rows(
        &db,
        "SELECT state, COUNT(*) FROM webhook_deliveries WHERE subscription = 'chaos' GROUP BY state",
        |row| Ok((row.get(0)?, row.get(1)?)),
    );
    let state = |s: &str| states.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    r.line(format!(
        "  deliveries: {attempts} verified arrivals of {} events ({dup_deliveries} repeats: at-least-once), {} answered 200; outbox delivered {}, pending {}, failed {}",
        arrived.len(),
        received.acked.len(),
        state("delivered"),
        state("pending"),
        state("failed"),
    ));
    r.check(
        "webhooks: every event delivered and verified",
        lost.is_empty()
            && unknown.is_empty()
            && received.bad.is_empty()
            && wrong_type == 0
            && state("pending") == 0
            && state("failed") == 0,
        format!(
            "losses {}, unknown ids {}, bad signatures {}, wrong types {wrong_type}{}{}",
            lost.len(),
            unknown.len(),
            received.bad.len(),
            sample(&lost),
            sample(&received.bad)
        ),
    );

    // InfluxDB: each store row once, per measurement.
    type Row = (i64, String, String, Option<i64>, Option<i64>);
    let store_timeline: Vec<Row> = store_rows(
        &db,
        "SELECT observed_at, game_id, status, home_score, away_score FROM timeline",
        |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        },
    );
    let influx_timeline: Vec<Row> = influx
        .rows("SELECT home_score, away_score, status, game_id FROM \"live\".\"game_state\"")
        .into_iter()
        .map(|v| {
            (
                v["time"].as_i64().unwrap(),
                v["game_id"].as_str().unwrap_or_default().to_owned(),
                v["status"].as_str().unwrap_or_default().to_owned(),
                v["home_score"].as_i64(),
                v["away_score"].as_i64(),
            )
        })
        .collect();
    let influx_events: Vec<String> = influx
        .rows("SELECT id FROM \"live\".\"events\"")
        .into_iter()
        .map(|v| v["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let store_plays: Vec<(String, i64)> =
        store_rows(&db, "SELECT game_id, sequence FROM scoring_plays", |row| {
            Ok((row.get(0)?, row.get(1)?))
        });
    let influx_plays: Vec<(String, i64)> = influx
        .rows("SELECT sequence, game_id FROM \"live\".\"scoring_plays\"")
        .into_iter()
        .map(|v| {
            (
                v["game_id"].as_str().unwrap_or_default().to_owned(),
                v["sequence"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    let store_games: Vec<String> = store_rows(&db, "SELECT game_id FROM games", |row| row.get(0));
    let influx_games: Vec<String> = influx
        .rows("SELECT status, game_id FROM \"live\".\"games\"")
        .into_iter()
        .map(|v| v["game_id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let store_results: Vec<String> = store_rows(
        &db,
        "SELECT game_id FROM games WHERE status = 'final'",
        |row| row.get(0),
    );
    let influx_results: Vec<String> = influx
        .rows("SELECT game_id FROM \"aggregates\".\"game_results\"")
        .into_iter()
        .map(|v| v["game_id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let cursor: Vec<(i64, i64, i64, i64)> = store_rows(
        &db,
        "SELECT seq, acked, rejected, dropped FROM sink_cursors WHERE sink = 'influx'",
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
    );
    let (tl_missing, tl_extra) = diff(&store_timeline, &influx_timeline);
    let (ev_missing, ev_extra) = diff(&ids, &influx_events);
    let (pl_missing, pl_extra) = diff(&store_plays, &influx_plays);
    let (gm_missing, gm_extra) = diff(&store_games, &influx_games);
    let (rs_missing, rs_extra) = diff(&store_results, &influx_results);
    let points_store = store_timeline.len()
        + ids.len()
        + store_plays.len()
        + store_games.len()
        + store_results.len();
    let points_influx = influx_timeline.len()
        + influx_events.len()
        + influx_plays.len()
        + influx_games.len()
        + influx_results.len();
    let losses = tl_missing.len()
        + ev_missing.len()
        + pl_missing.len()
        + gm_missing.len()
        + rs_missing.len();
    let dups = tl_extra.len() + ev_extra.len() + pl_extra.len() + gm_extra.len() + rs_extra.len();
    r.line(format!(
        "  points: store {points_store}, influxdb {points_influx} (game_state {}/{}, events {}/{}, scoring_plays {}/{}, games {}/{}, game_results {}/{}); sink cursor (seq, acked, rejected, dropped) {cursor:?}",
        store_timeline.len(),
        influx_timeline.len(),
        ids.len(),
        influx_events.len(),
        store_plays.len(),
        influx_plays.len(),
        store_games.len(),
        influx_games.len(),
        store_results.len(),
        influx_results.len(),
    ));
    let rejected = cursor.first().map_or(0, |c| c.2 + c.3);
    r.check(
        "influxdb: every point exactly once",
        losses == 0 && dups == 0 && rejected == 0,
        format!(
            "losses {losses}, duplicates {dups}, rejected or dropped {rejected}{}{}{}{}",
            sample(&tl_missing),
            sample(&tl_extra),
            sample(&ev_missing),
            sample(&ev_extra)
        ),
    );

    // No event, and no stored regression, from a glitch or a stale copy.
    let (bad_events, causes, unknown_games) = false_events(&events, &games, &logs);
    r.check(
        "no event from a glitch or a stale copy",
        bad_events.is_empty() && unknown_games == 0,
        format!(
            "{} false events ({}), {unknown_games} games of no known slate{}",
            bad_events.len(),
            causes
                .iter()
                .map(|(c, n)| format!("{c} {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            sample(&bad_events)
        ),
    );
    let mut regressions = Vec::new();
    let mut prev: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut timeline = store_timeline.clone();
    timeline.sort();
    for (t, game_id, status, h, a) in &timeline {
        let sc = (h.unwrap_or(0), a.unwrap_or(0));
        if let Some(p) = prev.get(game_id.as_str())
            && (sc.0 < p.0 || sc.1 < p.1)
        {
            regressions.push(format!(
                "{game_id} at {t}: {}-{} after {}-{} ({status})",
                sc.0, sc.1, p.0, p.1
            ));
        }
        let e = prev.entry(game_id).or_insert(sc);
        *e = (e.0.max(sc.0), e.1.max(sc.1));
    }
    r.check(
        "no stored score regression",
        regressions.is_empty(),
        format!(
            "{} timeline rows going backwards{}",
            regressions.len(),
            sample(&regressions)
        ),
    );
    for e in &bad_events {
        r.line(format!("    false event: {e}"));
    }
    if !logs.errors.is_empty() {
        r.line(format!("  error log lines: {:?}", logs.errors));
    }
    r.line(format!(
        "summary: losses = {}, duplicates = {dups} (InfluxDB), false events = {}, repeated deliveries = {dup_deliveries} (allowed)",
        losses + lost.len(),
        bad_events.len()
    ));
    r.line(format!(
        "result: {}",
        if r.failures.is_empty() {
            "PASS".to_owned()
        } else {
            format!("FAIL ({})", r.failures.join(", "))
        }
    ));
    std::fs::write(work.join("report.txt"), &r.text).unwrap();
    println!("state and logs kept in {}", work.display());
    drop(influx);
    rt.shutdown_timeout(Duration::from_secs(1));
    std::process::exit(if r.failures.is_empty() { 0 } else { 1 });
}
