//! The InfluxDB sinks end to end: a real `influxd` (Debian's 1.6.7) on free loopback ports fed
//! by the real binary over the emulator (policies as configured, the store's rows in the right
//! policy row for row, an `influxd` killed mid-run and restarted), and the v2 path against a
//! loopback axum server that checks what InfluxDB 2 checks. Without an `influxd`
//! (`SCORELINE_INFLUXD`, else the PATH) the v1 tests fail with the line that installs it, or
//! record a skip with `SCORELINE_SKIP_SERVER_TESTS=1` (`scoreline-test-support`).

use crate::util;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as AxPath, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, patch, post};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A free loopback port (bound, read, released).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `influxd` with its state in a temp dir; killed on drop.
struct Influxd {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
    /// Queries log in as admin/secret.
    auth: bool,
}

impl Influxd {
    /// Start one. Without an `influxd` (`SCORELINE_INFLUXD`, else the PATH) the test fails with
    /// the line that installs it, or with `SCORELINE_SKIP_SERVER_TESTS=1` records a skip and
    /// gets `None`.
    fn start() -> Option<Influxd> {
        Influxd::start_with(false)
    }

    /// Start one with `[http] auth-enabled` as given; queries then log in as `admin`/`secret`.
    fn start_with(auth: bool) -> Option<Influxd> {
        let bin = scoreline_test_support::INFLUXD.binary()?;
        let dir = tempfile::tempdir().unwrap();
        let mut i = Influxd {
            bin,
            dir,
            port: free_port(),
            child: None,
            auth,
        };
        let rpc = free_port();
        let d = i.dir.path().to_str().unwrap().to_owned();
        std::fs::write(
            i.dir.path().join("influxdb.conf"),
            format!(
                "reporting-disabled = true\nbind-address = \"127.0.0.1:{rpc}\"\n\
                 [meta]\ndir = \"{d}/meta\"\n\
                 [data]\ndir = \"{d}/data\"\nwal-dir = \"{d}/wal\"\nquery-log-enabled = false\n\
                 [http]\nbind-address = \"127.0.0.1:{}\"\nlog-enabled = false\nauth-enabled = {auth}\n\
                 [monitor]\nstore-enabled = false\n\
                 [continuous_queries]\nenabled = false\n",
                i.port
            ),
        )
        .unwrap();
        i.spawn();
        Some(i)
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Start the process on the same state and port; wait for `/ping`.
    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("influxd.log"))
            .unwrap();
        let child = Command::new(&self.bin)
            .args([
                "-config",
                self.dir.path().join("influxdb.conf").to_str().unwrap(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while http(&format!("{}/ping", self.url()), "GET", None).0 != 204 {
            assert!(
                Instant::now() < deadline,
                "influxd did not answer /ping: {}",
                std::fs::read_to_string(self.dir.path().join("influxd.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL it.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    /// Run an InfluxQL query (epoch ms) and return the JSON answer; the query must succeed.
    fn query(&self, db: &str, q: &str) -> Value {
        let v = self.try_query(db, q);
        assert!(v["results"][0]["error"].is_null(), "{q}: {v}");
        v
    }

    /// Run an InfluxQL query (epoch ms) and return the JSON answer, error or not.
    fn try_query(&self, db: &str, q: &str) -> Value {
        let body = format!(
            "db={}&epoch=ms&q={}",
            db,
            url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        // 1.x reads u and p from the URL, not from a form body.
        let login = if self.auth { "?u=admin&p=secret" } else { "" };
        let (status, text) = http(&format!("{}/query{login}", self.url()), "POST", Some(&body));
        assert_eq!(status, 200, "{q}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// The rows of the first series of a query, as column name → value maps.
    fn rows(&self, db: &str, q: &str) -> Vec<BTreeMap<String, Value>> {
        let v = self.query(db, q);
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
        self.kill();
    }
}

/// A minimal blocking HTTP/1.1 client over std (no extra runtime in a sync test).
fn http(url: &str, method: &str, form: Option<&str>) -> (u16, String) {
    use std::io::Write;
    let u = url::Url::parse(url).unwrap();
    let addr = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
    let Ok(mut s) = std::net::TcpStream::connect(&addr) else {
        return (0, String::new());
    };
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let body = form.unwrap_or("");
    let req = format!(
        "{method} {}{} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        u.path(),
        u.query().map(|q| format!("?{q}")).unwrap_or_default(),
        body.len()
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
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    (status, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n..];
        s = s.strip_prefix("\r\n").unwrap_or(s);
    }
    out
}

/// A config running the emulator's NFL, NBA, NHL and MLB slates fast, with an influxdb_v1 sink.
fn write_config(dir: &Path, influx_url: &str, game_secs: u64, stagger_secs: u64) -> PathBuf {
    let config = dir.join("scoreline.toml");
    let mut text = format!(
        "data_dir = {:?}\nplugin_dir = {:?}\n\
         [http]\nenabled = false\n\
         [emulator]\nenabled = true\ngame_secs = {game_secs}\nstagger_secs = {stagger_secs}\n\
         [upstream]\ntimeout_ms = 2000\nretries = 1\nretry_base_ms = 50\nrate_per_sec = 100\n\
         [upstream.overrides]\n\"site.api.espn.com\" = \"emulator\"\n",
        dir.join("data").to_str().unwrap(),
        util::plugin_dir().to_str().unwrap(),
    );
    for key in ["nfl", "nba", "nhl", "mlb"] {
        text.push_str(&format!(
            "[[leagues]]\nkey = \"{key}\"\nadapter = \"espn\"\ntimezone = \"America/New_York\"\n\
             [leagues.cadence]\nlive_secs = 1\npregame_secs = 1\nidle_secs = 5\npregame_window_secs = 120\n"
        ));
    }
    text.push_str(&format!(
        "[[sinks]]\nname = \"influx\"\nkind = \"influxdb_v1\"\nurl = \"{influx_url}\"\n\
         database = \"scoreline\"\nflush_interval_ms = 200\nshutdown_timeout_secs = 20\n\
         [[sinks.retention_policies]]\nname = \"live\"\nrole = \"live\"\nduration = \"730d\"\n\
         shard_duration = \"7d\"\nreplication = 1\ndefault = true\n\
         [[sinks.retention_policies]]\nname = \"aggregates\"\nrole = \"aggregates\"\n\
         duration = \"1825d\"\nshard_duration = \"30d\"\n"
    ));
    std::fs::write(&config, text).unwrap();
    config
}

/// Timeline rows of the store as (time ms, league, game id, status, home, away).
type Row = (i64, String, String, String, Option<i64>, Option<i64>);

fn store_timeline(db: &Path) -> Vec<Row> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut rows: Vec<Row> = conn
        .prepare(
            "SELECT observed_at, league, game_id, status, home_score, away_score FROM timeline",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.sort();
    rows
}

fn store_count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

fn influx_timeline(i: &Influxd) -> Vec<Row> {
    let mut rows: Vec<Row> = i
        .rows(
            "scoreline",
            "SELECT home_score, away_score, status, league, game_id FROM \"live\".\"game_state\"",
        )
        .into_iter()
        .map(|r| {
            (
                r["time"].as_i64().unwrap(),
                r["league"].as_str().unwrap().to_owned(),
                r["game_id"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
                r["home_score"].as_i64(),
                r["away_score"].as_i64(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn count(i: &Influxd, q: &str) -> i64 {
    i.rows("scoreline", q)
        .first()
        .and_then(|r| {
            r.iter()
                .find(|(k, _)| k.starts_with("count"))
                .and_then(|(_, v)| v.as_i64())
        })
        .unwrap_or(0)
}

fn sink_pending(config: &Path) -> Value {
    let out = util::scoreline(&[
        "--config",
        config.to_str().unwrap(),
        "monitor",
        "stats",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["sinks"][0].clone()
}

#[test]
fn demo_points_land_in_the_configured_policies_row_for_row() {
    let Some(influx) = Influxd::start() else {
        return;
    };
    util::espn();
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &influx.url(), 6, 1);
    // `live` exists already with other settings: the sink must alter it, not fail.
    influx.query("scoreline", "CREATE DATABASE \"scoreline\"");
    influx.query(
        "scoreline",
        "CREATE RETENTION POLICY \"live\" ON \"scoreline\" DURATION 1d REPLICATION 1",
    );
    let out = util::scoreline(&[
        "--config",
        config.to_str().unwrap(),
        "run",
        "--duration",
        "20",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("database and retention policies ready"),
        "{stderr}"
    );

    // The policies, as configured.
    let policies = influx.rows("scoreline", "SHOW RETENTION POLICIES ON \"scoreline\"");
    let got: BTreeSet<(String, String, String, i64, bool)> = policies
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["duration"].as_str().unwrap().to_owned(),
                p["shardGroupDuration"].as_str().unwrap().to_owned(),
                p["replicaN"].as_i64().unwrap(),
                p["default"].as_bool().unwrap(),
            )
        })
        .collect();
    let want = |n: &str, d: &str, s: &str, def: bool| (n.to_owned(), d.into(), s.into(), 1, def);
    assert!(
        got.contains(&want("live", "17520h0m0s", "168h0m0s", true)),
        "{got:?}"
    );
    assert!(
        got.contains(&want("aggregates", "43800h0m0s", "720h0m0s", false)),
        "{got:?}"
    );

    // game_state in `live` is the store's timeline, row for row.
    let db = tmp.path().join("data").join(scoreline_store::DB_FILE);
    let store_rows = store_timeline(&db);
    assert!(
        store_rows.len() > 10,
        "too few rows to compare: {store_rows:?}"
    );
    assert_eq!(influx_timeline(&influx), store_rows);

    // Scoring plays and events: one point per stored row; `games` one per game.
    let plays = store_count(&db, "SELECT COUNT(*) FROM scoring_plays");
    assert!(plays > 0);
    assert_eq!(
        count(
            &influx,
            "SELECT count(points) FROM \"live\".\"scoring_plays\""
        ),
        plays
    );
    assert_eq!(
        count(&influx, "SELECT count(payload) FROM \"live\".\"events\""),
        store_count(&db, "SELECT COUNT(*) FROM events")
    );
    assert_eq!(
        count(&influx, "SELECT count(status) FROM \"live\".\"games\""),
        store_count(&db, "SELECT COUNT(*) FROM games")
    );

    // game_results: in `aggregates` only, one per final game, with the store's scores.
    let finals: BTreeSet<(String, i64, i64)> = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.prepare(
            "SELECT game_id, home_score, away_score FROM games
             WHERE status = 'final' AND home_score IS NOT NULL AND away_score IS NOT NULL",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    assert!(!finals.is_empty());
    let results: BTreeSet<(String, i64, i64)> = influx
        .rows(
            "scoreline",
            "SELECT game_id, home_score, away_score, margin FROM \"aggregates\".\"game_results\"",
        )
        .iter()
        .map(|r| {
            let (h, a) = (
                r["home_score"].as_i64().unwrap(),
                r["away_score"].as_i64().unwrap(),
            );
            assert_eq!(r["margin"].as_i64().unwrap(), (h - a).abs());
            (r["game_id"].as_str().unwrap().to_owned(), h, a)
        })
        .collect();
    assert_eq!(results, finals);
    assert_eq!(
        count(
            &influx,
            "SELECT count(home_score) FROM \"live\".\"game_results\""
        ),
        0
    );

    // Nothing pending; everything acknowledged.
    let s = sink_pending(&config);
    assert_eq!(s["pending"], 0, "{s}");
    assert_eq!(s["rejected"], 0, "{s}");
    assert!(
        s["acked"].as_u64().unwrap() as usize >= store_rows.len(),
        "{s}"
    );
}

#[test]
fn influxd_killed_mid_run_ends_with_every_point_once() {
    let Some(mut influx) = Influxd::start() else {
        return;
    };
    util::espn();
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &influx.url(), 24, 2);
    let db = tmp.path().join("data").join(scoreline_store::DB_FILE);
    let log_path = tmp.path().join("run.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_scoreline"))
        .current_dir(util::root())
        .env("RUST_LOG", "info")
        .args([
            "--config",
            config.to_str().unwrap(),
            "run",
            "--duration",
            "30",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let read_log = || std::fs::read_to_string(&log_path).unwrap_or_default();

    // Wait until the sink has written something, then kill influxd.
    let deadline = Instant::now() + Duration::from_secs(120);
    let written = |i: &Influxd| {
        let v = i.try_query(
            "scoreline",
            "SELECT count(status) FROM \"live\".\"game_state\"",
        );
        v["results"][0]["series"][0]["values"][0][1]
            .as_i64()
            .unwrap_or(0)
    };
    while written(&influx) < 5 {
        assert!(
            daemon.try_wait().unwrap().is_none(),
            "daemon exited: {}",
            read_log()
        );
        assert!(Instant::now() < deadline, "nothing written: {}", read_log());
        std::thread::sleep(Duration::from_millis(100));
    }
    influx.kill();
    let rows_at_kill = store_timeline(&db).len();
    // The daemon keeps polling while InfluxDB is down: points pile up in the outbox. Stay down
    // until new rows were committed and the sink failed to write them (bounded).
    let down_since = Instant::now();
    while store_timeline(&db).len() <= rows_at_kill
        || !read_log().contains("sink write failed; will retry")
    {
        assert!(
            daemon.try_wait().unwrap().is_none(),
            "daemon exited: {}",
            read_log()
        );
        assert!(
            down_since.elapsed() < Duration::from_secs(25),
            "no new rows or no failed write while influxd was down: {}",
            read_log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let pending = sink_pending(&config);
    assert!(pending["pending"].as_u64().unwrap() > 0, "{pending}");
    influx.spawn();
    let status = daemon.wait().unwrap();
    let text = read_log();
    assert!(status.success(), "{text}");

    let store_rows = store_timeline(&db);
    let influx_rows = influx_timeline(&influx);
    // Every timeline row present exactly once (InfluxDB keeps one point per series and time, so
    // equality of the sorted lists is "each once").
    assert_eq!(influx_rows.len(), store_rows.len());
    assert_eq!(influx_rows, store_rows);
    assert_eq!(
        count(
            &influx,
            "SELECT count(points) FROM \"live\".\"scoring_plays\""
        ),
        store_count(&db, "SELECT COUNT(*) FROM scoring_plays")
    );
    assert_eq!(
        count(&influx, "SELECT count(payload) FROM \"live\".\"events\""),
        store_count(&db, "SELECT COUNT(*) FROM events")
    );
    let s = sink_pending(&config);
    assert_eq!(s["pending"], 0, "{s}");
}

/// What the fake InfluxDB 2 saw.
#[derive(Debug, Default)]
struct Seen {
    /// Buckets created: name → retention rules.
    created: BTreeMap<String, Value>,
    /// Buckets patched: id → retention rules.
    patched: BTreeMap<String, Value>,
    /// Lines written per bucket.
    lines: BTreeMap<String, Vec<String>>,
    /// Refused requests, with why.
    refused: Vec<String>,
}

type Shared = Arc<Mutex<Seen>>;

const TOKEN: &str = "s3cr3t-token";

fn authorized(h: &HeaderMap, seen: &Shared, what: &str) -> bool {
    let ok = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Token {TOKEN}"));
    if !ok {
        seen.lock()
            .unwrap()
            .refused
            .push(format!("{what}: no token"));
    }
    ok
}

async fn orgs(
    State(seen): State<Shared>,
    h: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> (StatusCode, String) {
    if !authorized(&h, &seen, "orgs") {
        return (
            StatusCode::UNAUTHORIZED,
            json!({"code": "unauthorized", "message": "unauthorized access"}).to_string(),
        );
    }
    let orgs = if q.get("org").map(String::as_str) == Some("scoreline-org") {
        json!([{"id": "0a1b2c", "name": "scoreline-org"}])
    } else {
        json!([])
    };
    (StatusCode::OK, json!({ "orgs": orgs }).to_string())
}

async fn list_buckets(
    State(seen): State<Shared>,
    h: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> (StatusCode, String) {
    if !authorized(&h, &seen, "buckets") {
        return (StatusCode::UNAUTHORIZED, String::new());
    }
    // `aggregates` already exists (it is patched); `live` does not (it is created).
    let name = q.get("name").cloned().unwrap_or_default();
    let buckets = if name == "aggregates" && q.get("orgID").map(String::as_str) == Some("0a1b2c") {
        json!([{"id": "b-agg", "name": "aggregates"}])
    } else {
        json!([])
    };
    (StatusCode::OK, json!({ "buckets": buckets }).to_string())
}

async fn create_bucket(State(seen): State<Shared>, h: HeaderMap, body: Bytes) -> StatusCode {
    if !authorized(&h, &seen, "create") {
        return StatusCode::UNAUTHORIZED;
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut s = seen.lock().unwrap();
    if v["orgID"] != "0a1b2c" || !v["name"].is_string() {
        s.refused.push(format!("create: bad body {v}"));
        return StatusCode::BAD_REQUEST;
    }
    s.created.insert(
        v["name"].as_str().unwrap().to_owned(),
        v["retentionRules"].clone(),
    );
    StatusCode::CREATED
}

async fn patch_bucket(
    State(seen): State<Shared>,
    h: HeaderMap,
    AxPath(id): AxPath<String>,
    body: Bytes,
) -> StatusCode {
    if !authorized(&h, &seen, "patch") {
        return StatusCode::UNAUTHORIZED;
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    seen.lock()
        .unwrap()
        .patched
        .insert(id, v["retentionRules"].clone());
    StatusCode::OK
}

async fn write(
    State(seen): State<Shared>,
    h: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
    body: Bytes,
) -> (StatusCode, String) {
    if !authorized(&h, &seen, "write") {
        return (
            StatusCode::UNAUTHORIZED,
            json!({"code": "unauthorized"}).to_string(),
        );
    }
    let mut s = seen.lock().unwrap();
    let bad = |s: &mut Seen, why: String| {
        s.refused.push(why.clone());
        (
            StatusCode::BAD_REQUEST,
            json!({"code": "invalid", "message": why}).to_string(),
        )
    };
    if q.get("org").map(String::as_str) != Some("scoreline-org") {
        return bad(&mut s, format!("write: org {:?}", q.get("org")));
    }
    let Some(bucket) = q
        .get("bucket")
        .filter(|b| ["live", "aggregates"].contains(&b.as_str()))
    else {
        return bad(&mut s, format!("write: bucket {:?}", q.get("bucket")));
    };
    if q.get("precision").map(String::as_str) != Some("ns") {
        return bad(&mut s, format!("write: precision {:?}", q.get("precision")));
    }
    if h.get("content-encoding").and_then(|v| v.to_str().ok()) != Some("gzip") {
        return bad(&mut s, "write: body not gzip".into());
    }
    let mut text = String::new();
    if flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut text)
        .is_err()
    {
        return bad(&mut s, "write: gzip body does not decode".into());
    }
    for line in influxdb_line_protocol::parse_lines(&text) {
        if let Err(e) = line {
            return bad(&mut s, format!("write: line protocol: {e}"));
        }
    }
    let bucket = bucket.clone();
    s.lines
        .entry(bucket)
        .or_default()
        .extend(text.lines().map(str::to_owned));
    (StatusCode::NO_CONTENT, String::new())
}

#[test]
fn v2_sink_creates_buckets_and_writes_what_influxdb_2_accepts() {
    util::espn();
    let seen: Shared = Arc::default();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = Router::new()
        .route("/api/v2/orgs", get(orgs))
        .route("/api/v2/buckets", get(list_buckets).post(create_bucket))
        .route("/api/v2/buckets/{id}", patch(patch_bucket))
        .route("/api/v2/write", post(write))
        .with_state(seen.clone());
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move { axum::serve(listener, app).await });

    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), "http://unused", 6, 1);
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replace(
        "kind = \"influxdb_v1\"\nurl = \"http://unused\"\ndatabase = \"scoreline\"",
        &format!(
            "kind = \"influxdb_v2\"\nurl = \"http://{addr}\"\norg = \"scoreline-org\"\ntoken = \"{TOKEN}\""
        ),
    );
    std::fs::write(&config, text).unwrap();
    let out = util::scoreline(&[
        "--config",
        config.to_str().unwrap(),
        "run",
        "--duration",
        "8",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");

    let s = seen.lock().unwrap();
    assert_eq!(s.refused, Vec::<String>::new());
    assert_eq!(
        s.created.get("live"),
        Some(
            &json!([{"type": "expire", "everySeconds": 730 * 86_400, "shardGroupDurationSeconds": 7 * 86_400}])
        )
    );
    assert_eq!(
        s.patched.get("b-agg"),
        Some(
            &json!([{"type": "expire", "everySeconds": 1825 * 86_400, "shardGroupDurationSeconds": 30 * 86_400}])
        )
    );
    let db = tmp.path().join("data").join(scoreline_store::DB_FILE);
    let live = s.lines.get("live").cloned().unwrap_or_default();
    let state_lines = live.iter().filter(|l| l.starts_with("game_state,")).count();
    assert_eq!(state_lines, store_timeline(&db).len());
    let agg = s.lines.get("aggregates").cloned().unwrap_or_default();
    assert!(!agg.is_empty());
    assert!(
        agg.iter().all(|l| l.starts_with("game_results,")),
        "{agg:?}"
    );
    drop(s);
    assert_eq!(sink_pending(&config)["pending"], 0);
}

/// What the fake InfluxDB 1 saw.
#[derive(Debug, Default)]
struct V1Seen {
    writes: usize,
    throttled: usize,
    too_large: usize,
    rejected: usize,
    lines: Vec<String>,
}

async fn v1_query() -> (StatusCode, String) {
    (
        StatusCode::OK,
        json!({"results": [{"statement_id": 0}]}).to_string(),
    )
}

/// `/write`: the first request answers 429 (Retry-After: 1), a body of more than 1 000 lines
/// 413, a body with a `poison` point 400 (as 1.x answers a parse error); anything else is kept.
async fn v1_write(
    State(seen): State<Arc<Mutex<V1Seen>>>,
    Query(q): Query<BTreeMap<String, String>>,
    body: Bytes,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    let mut s = seen.lock().unwrap();
    s.writes += 1;
    assert_eq!(q.get("rp").map(String::as_str), Some("live"));
    if s.writes == 1 {
        s.throttled += 1;
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "1")],
            String::new(),
        );
    }
    let mut text = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut text)
        .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() > 1_000 {
        s.too_large += 1;
        return (StatusCode::PAYLOAD_TOO_LARGE, [("x", "")], String::new());
    }
    if text.contains("poison") {
        s.rejected += 1;
        return (
            StatusCode::BAD_REQUEST,
            [("x", "")],
            json!({"error": "unable to parse 'poison': invalid field format"}).to_string(),
        );
    }
    s.lines.extend(lines.into_iter().map(str::to_owned));
    (StatusCode::NO_CONTENT, [("x", "")], String::new())
}

#[test]
fn sink_halves_on_413_waits_on_429_and_skips_only_the_bad_point() {
    use scoreline_core::influx::line::{FieldValue, Point};
    use scoreline_core::influx::schema::Policy;
    let seen: Arc<Mutex<V1Seen>> = Arc::default();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = Router::new()
        .route("/query", post(v1_query))
        .route("/write", post(v1_write))
        .with_state(seen.clone());
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move { axum::serve(listener, app).await });

    let tmp = tempfile::tempdir().unwrap();
    let store = scoreline_store::Store::open(tmp.path()).unwrap();
    let now = chrono::Utc::now();
    let mut points = Vec::new();
    for i in 0..2_500i64 {
        if i == 1_234 {
            points.push((
                Policy::Live,
                Point::new("poison", 1).field("f", FieldValue::Int(1)),
            ));
        }
        points.push((
            Policy::Live,
            Point::new("game_state", 1_000 + i)
                .tag("game_id", "g")
                .field("n", FieldValue::Int(i)),
        ));
    }
    store.append_points(&points, now).unwrap();
    let spec = |name: &str, extra: &str| -> scoreline::influx::config::SinkConfig {
        toml::from_str::<scoreline::influx::config::SinkSpec>(&format!(
            "name = \"{name}\"\nkind = \"influxdb_v1\"\nurl = \"http://{addr}\"\ndatabase = \"d\"\n\
             shutdown_timeout_secs = 60\n{extra}\n\
             [[retention_policies]]\nname = \"live\"\nrole = \"live\"\nduration = \"730d\"\n\
             [[retention_policies]]\nname = \"aggregates\"\nrole = \"aggregates\"\nduration = \"0\"\n"
        ))
        .unwrap()
        .validate()
        .unwrap()
    };
    let names = vec!["main".to_string(), "small".to_string()];
    let run = |cfg| {
        let sink = scoreline::influx::sink::Sink::new(
            cfg,
            store.clone(),
            Arc::new(scoreline_core::clock::SystemClock),
            names.clone(),
        )
        .unwrap();
        let (_tx, rx) = tokio::sync::watch::channel(true);
        rt.block_on(sink.run(rx));
    };

    // Default batch of 5 000: throttled once, then halved to fit 1 000 lines, then the batch
    // holding the bad point bisected down to it.
    let t = Instant::now();
    run(spec("main", ""));
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "Retry-After not honoured"
    );
    {
        let s = seen.lock().unwrap();
        assert_eq!(s.throttled, 1);
        assert!(s.too_large >= 2, "{s:?}");
        assert!(s.rejected >= 1, "{s:?}");
        let mut got: Vec<i64> = s
            .lines
            .iter()
            .map(|l| {
                l.split("n=")
                    .nth(1)
                    .unwrap()
                    .split('i')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect();
        got.sort_unstable();
        assert_eq!(
            got,
            (0..2_500).collect::<Vec<_>>(),
            "every good point exactly once"
        );
    }
    let stats = store.sink_stats(&names).unwrap();
    assert_eq!(
        (
            stats[0].pending,
            stats[0].acked,
            stats[0].rejected,
            stats[0].dropped
        ),
        (0, 2_500, 1, 0)
    );

    // A sink with a backlog limit of 1 000 drops the oldest 1 501 and says so in its counts.
    seen.lock().unwrap().lines.clear();
    run(spec("small", "max_backlog_points = 1000"));
    let stats = store.sink_stats(&names).unwrap();
    assert_eq!(
        (stats[1].pending, stats[1].acked, stats[1].dropped),
        (0, 1_000, 1_501)
    );
    assert_eq!(seen.lock().unwrap().lines.len(), 1_000);
    // Both sinks are done with everything: the outbox is pruned empty.
    assert_eq!(store.sink_points_after(0, 10).unwrap(), vec![]);
}

#[test]
fn points_of_a_run_with_influxd_down_arrive_on_the_next_run() {
    let Some(mut influx) = Influxd::start() else {
        return;
    };
    util::espn();
    influx.kill();
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &influx.url(), 6, 1);
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("shutdown_timeout_secs = 20", "shutdown_timeout_secs = 2");
    std::fs::write(&config, text).unwrap();
    let db = tmp.path().join("data").join(scoreline_store::DB_FILE);
    let run = |secs: &str| {
        let t = Instant::now();
        let out = util::scoreline(&[
            "--config",
            config.to_str().unwrap(),
            "run",
            "--duration",
            secs,
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        (t.elapsed(), stderr)
    };

    // InfluxDB down for a whole run: the shutdown wait is bounded and the points stay pending.
    let (took, stderr) = run("8");
    assert!(
        took < Duration::from_secs(40),
        "shutdown not bounded: {took:?}"
    );
    assert!(
        stderr.contains("sink stopped with points pending"),
        "{stderr}"
    );
    let rows_first = store_timeline(&db).len();
    assert!(rows_first > 0);
    let pending = sink_pending(&config)["pending"].as_u64().unwrap();
    assert!(
        pending >= rows_first as u64,
        "pending {pending}, rows {rows_first}"
    );

    // Back up: the next run forwards the first run's points too, in order, each once.
    influx.spawn();
    let (_, stderr) = run("4");
    assert!(stderr.contains("sink: everything forwarded"), "{stderr}");
    let store_rows = store_timeline(&db);
    assert!(store_rows.len() >= rows_first);
    assert_eq!(influx_timeline(&influx), store_rows);
    assert_eq!(sink_pending(&config)["pending"], 0);
}

#[test]
fn v1_sink_logs_in_and_keeps_points_when_the_password_is_wrong() {
    use scoreline_core::influx::line::{FieldValue, Point};
    use scoreline_core::influx::schema::Policy;
    let Some(influx) = Influxd::start_with(true) else {
        return;
    };
    // With auth on and no user yet, 1.x lets the first admin be created without logging in.
    influx.query(
        "",
        "CREATE USER admin WITH PASSWORD 'secret' WITH ALL PRIVILEGES",
    );
    let tmp = tempfile::tempdir().unwrap();
    let store = scoreline_store::Store::open(tmp.path()).unwrap();
    let now = chrono::Utc::now();
    let t0 = now.timestamp_millis() * 1_000_000;
    let points: Vec<_> = (0..10i64)
        .map(|i| {
            (
                Policy::Live,
                Point::new("game_state", t0 + i)
                    .tag("game_id", "auth")
                    .field("status", FieldValue::Str("live".into())),
            )
        })
        .collect();
    store.append_points(&points, now).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let run = |name: &str, password: &str| {
        let cfg = toml::from_str::<scoreline::influx::config::SinkSpec>(&format!(
            "name = \"{name}\"\nkind = \"influxdb_v1\"\nurl = \"{}\"\ndatabase = \"scoreline\"\n\
             username = \"admin\"\npassword = \"{password}\"\nshutdown_timeout_secs = 2\n\
             [[retention_policies]]\nname = \"live\"\nrole = \"live\"\nduration = \"730d\"\n\
             [[retention_policies]]\nname = \"aggregates\"\nrole = \"aggregates\"\nduration = \"0\"\n",
            influx.url()
        ))
        .unwrap()
        .validate()
        .unwrap();
        let sink = scoreline::influx::sink::Sink::new(
            cfg,
            store.clone(),
            Arc::new(scoreline_core::clock::SystemClock),
            vec!["wrong".into(), "right".into()],
        )
        .unwrap();
        let (_tx, rx) = tokio::sync::watch::channel(true);
        rt.block_on(sink.run(rx));
    };
    // A wrong password: nothing written, nothing skipped; the points stay pending.
    run("wrong", "nope");
    let names = vec!["wrong".to_string(), "right".to_string()];
    let stats = store.sink_stats(&names).unwrap();
    assert_eq!(
        (stats[0].pending, stats[0].rejected, stats[0].dropped),
        (10, 0, 0)
    );
    // The right one: all ten written into `live`, queried back with the same credentials.
    run("right", "secret");
    let stats = store.sink_stats(&names).unwrap();
    assert_eq!((stats[1].pending, stats[1].acked), (0, 10));
    assert_eq!(
        count(
            &influx,
            "SELECT count(status) FROM \"live\".\"game_state\" WHERE game_id = 'auth'"
        ),
        10
    );
}
