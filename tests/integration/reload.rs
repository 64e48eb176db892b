//! Config reload end to end: `POST /admin/reload` on a daemon running in process (leagues added,
//! removed and re-cadenced, a webhook subscription added, bad files refused with nothing
//! changed, 401 without the token), a configured league that was not running started by a
//! reload, a poller taking a new cadence between rounds, and `SIGHUP` sent to the real binary
//! making it poll a league added to its file.

use crate::daemon::{NY, anchor, emulator_config, rig, staggered, td};
use crate::util;
use scoreline::config::Config;
use scoreline::runtime::{self, RunOptions};
use scoreline_core::clock::SystemClock;
use scoreline_store::Store;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "reload-test-token";

/// Held by every test here that reloads a config in this process: the reload counter is
/// process-wide, and one test asserts how much its own reloads moved it.
static RELOADING: std::sync::LazyLock<tokio::sync::Mutex<()>> =
    std::sync::LazyLock::new(|| tokio::sync::Mutex::new(()));

/// `scoreline_config_reloads_total{result}` in a `/metrics` text (0 when absent).
fn reloads(metrics: &str, result: &str) -> u64 {
    let prefix = format!("scoreline_config_reloads_total{{result=\"{result}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map_or(0, |v| v.trim().parse().unwrap())
}

async fn metrics_text(client: &reqwest::Client, base: &str) -> String {
    let res = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

/// A plugin directory under `tmp` with the ESPN adapter and a guest whose `info()` traps (the
/// daemon must start regardless, logging the one it could not load), sharing the suite's
/// compiled-artifact cache.
fn plugins(tmp: &Path) -> std::path::PathBuf {
    let dir = tmp.join("plugins");
    std::fs::create_dir_all(&dir).unwrap();
    for component in [util::espn(), util::trap_at_start()] {
        std::fs::copy(&component, dir.join(component.file_name().unwrap())).unwrap();
    }
    dir
}

/// A config file for a daemon on the emulator reading `plugin_dir`: `leagues` (key, adapter,
/// `live_secs`), plus whatever `extra` adds.
fn config_text(
    data: &Path,
    plugin_dir: &Path,
    leagues: &[(&str, &str, u64)],
    extra: &str,
) -> String {
    let mut text = format!(
        "data_dir = {:?}\nplugin_dir = {:?}\n\
         [sandbox]\ncache_dir = {:?}\n\
         [http]\nlisten = \"127.0.0.1:0\"\nadmin_token = \"{TOKEN}\"\n\
         [emulator]\nenabled = true\ngame_secs = 60\nstagger_secs = 2\n\
         [upstream]\ntimeout_ms = 2000\nretries = 0\nrate_per_sec = 100\n\
         [upstream.overrides]\n\"site.api.espn.com\" = \"emulator\"\n",
        data.to_str().unwrap(),
        plugin_dir.to_str().unwrap(),
        util::plugin_dir().join(".cache").to_str().unwrap(),
    );
    for (key, adapter, live) in leagues {
        text.push_str(&format!(
            "[[leagues]]\nkey = \"{key}\"\nadapter = \"{adapter}\"\ntimezone = \"America/New_York\"\n\
             [leagues.cadence]\nlive_secs = {live}\npregame_secs = 1\nidle_secs = 5\npregame_window_secs = 120\n"
        ));
    }
    text.push_str(extra);
    text
}

const HOOK: &str = "[[webhooks]]\nname = \"newsroom\"\nurl = \"http://127.0.0.1:9/hook\"\n\
    secret = \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"\ntypes = [\"game.final\"]\nallow_private = true\n";

async fn post(client: &reqwest::Client, url: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = client.post(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let code = res.status().as_u16();
    let body = res.bytes().await.unwrap();
    (code, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

async fn get(client: &reqwest::Client, url: &str) -> Value {
    let res = client.get(url).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    serde_json::from_slice(&res.bytes().await.unwrap()).unwrap()
}

/// The leagues `/health` shows a poller for.
async fn polled(client: &reqwest::Client, base: &str) -> BTreeSet<String> {
    get(client, &format!("{base}/health")).await["scheduler"]["leagues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["league"].as_str().unwrap().to_owned())
        .collect()
}

/// Wait until `/health` shows exactly `want` (a new poller publishes after its first round).
async fn until_polled(client: &reqwest::Client, base: &str, want: &[&str]) {
    let want: BTreeSet<String> = want.iter().map(|s| (*s).to_owned()).collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = polled(client, base).await;
        if now == want {
            return;
        }
        assert!(Instant::now() < deadline, "polled {now:?}, want {want:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_reload_applies_leagues_cadence_and_subscriptions_and_refuses_bad_files() {
    let _reloading = RELOADING.lock().await;
    util::espn();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let plugin_dir = plugins(tmp.path());
    let file = tmp.path().join("scoreline.toml");
    std::fs::write(
        &file,
        config_text(
            &data,
            &plugin_dir,
            &[("nfl", "espn", 1), ("nhl", "espn", 1)],
            "",
        ),
    )
    .unwrap();
    let config = Config::load(Some(&file)).unwrap();

    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let daemon = tokio::spawn(runtime::run(
        config,
        RunOptions::default(),
        Arc::new(SystemClock),
        async move {
            let _ = stop_rx.await;
        },
        move |summary| {
            let _ = ready_tx.send(summary.http);
        },
    ));
    let addr = ready_rx.await.unwrap().unwrap();
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();
    let counted = metrics_text(&client, &base).await;
    let (applied, refused) = (reloads(&counted, "applied"), reloads(&counted, "refused"));
    until_polled(&client, &base, &["nfl", "nhl"]).await;
    // The guest that traps in `info()` was refused at start; the daemon runs on the others.
    let health = get(&client, &format!("{base}/health")).await;
    let adapters: Vec<&str> = health["adapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(adapters, ["espn"], "{health}");

    // Without the token: 401, and nothing is read.
    let (code, _) = post(&client, &format!("{base}/admin/reload"), None).await;
    assert_eq!(code, 401);

    // The same file again: nothing to do.
    let (code, plan) = post(&client, &format!("{base}/admin/reload"), Some(TOKEN)).await;
    assert_eq!(code, 200, "{plan}");
    assert_eq!(plan["leagues_added"], json!([]));
    assert_eq!(plan["leagues_changed"], json!([]));

    // nfl goes, nba comes, nhl polls live every 2 s instead of 1, a subscription appears, and
    // the upstream timeout changes (a restart-only section).
    std::fs::write(
        &file,
        config_text(
            &data,
            &plugin_dir,
            &[("nhl", "espn", 2), ("nba", "espn", 1)],
            HOOK,
        )
        .replace("timeout_ms = 2000", "timeout_ms = 3000"),
    )
    .unwrap();
    let (code, plan) = post(&client, &format!("{base}/admin/reload"), Some(TOKEN)).await;
    assert_eq!(code, 200, "{plan}");
    assert_eq!(
        plan,
        json!({
            "leagues_added": ["nba"],
            "leagues_removed": ["nfl"],
            "leagues_changed": [{ "league": "nhl", "changed": ["cadence"] }],
            "subscriptions_added": ["newsroom"],
            "subscriptions_removed": [],
            "subscriptions_changed": [],
            "restart_required": ["upstream"],
        })
    );
    until_polled(&client, &base, &["nba", "nhl"]).await;
    let hooks = get(&client, &format!("{base}/admin/webhooks")).await;
    let newsroom = hooks["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "newsroom")
        .unwrap_or_else(|| panic!("newsroom not listed: {hooks}"));
    assert_eq!(newsroom["source"], "config");

    // The removed league's poller stopped: its call count stays put while nba's grows.
    let calls = |league: &'static str| -> u64 {
        let store = Store::open(&data).unwrap();
        let since = chrono::Utc::now() - chrono::TimeDelta::hours(1);
        let stats = store.call_stats(since).unwrap();
        stats
            .iter()
            .filter(|s| s.league == league)
            .map(|s| s.calls)
            .sum()
    };
    let nfl_before = calls("nfl");
    let nba_before = calls("nba");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(calls("nfl"), nfl_before, "nfl is still polled");
    assert!(calls("nba") > nba_before, "nba is not polled");

    // A file that does not parse: 400 naming the problem, and everything stays as it was.
    std::fs::write(&file, "[[leagues]\nkey = ").unwrap();
    let (code, body) = post(&client, &format!("{base}/admin/reload"), Some(TOKEN)).await;
    assert_eq!(code, 400, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("nothing changed"),
        "{body}"
    );
    // A league whose adapter is not loaded: 400 naming it; nothing changes (nba stays).
    std::fs::write(
        &file,
        config_text(
            &data,
            &plugin_dir,
            &[("nhl", "espn", 2), ("wnba", "nope", 1)],
            HOOK,
        ),
    )
    .unwrap();
    let (code, body) = post(&client, &format!("{base}/admin/reload"), Some(TOKEN)).await;
    assert_eq!(code, 400, "{body}");
    assert_eq!(
        body["error"],
        "the config file is refused, nothing changed: league `wnba`: adapter `nope` is not loaded"
    );
    assert_eq!(
        polled(&client, &base).await,
        BTreeSet::from(["nba".to_owned(), "nhl".to_owned()])
    );

    // Each outcome is counted: two applied (the same file, then the new one), two refused.
    let metrics = metrics_text(&client, &base).await;
    assert_eq!(
        (reloads(&metrics, "applied"), reloads(&metrics, "refused")),
        (applied + 2, refused + 2),
        "{metrics}"
    );

    stop_tx.send(()).unwrap();
    let summary = tokio::time::timeout(Duration::from_secs(30), daemon)
        .await
        .expect("the daemon stops")
        .unwrap()
        .unwrap();
    assert_eq!(
        summary.leagues,
        ["nfl", "nhl"],
        "the leagues it started with"
    );
}

/// A reloaded cadence applies between rounds: a shorter live interval brings the next round
/// forward, a longer one never delays a round already planned.
#[tokio::test]
async fn a_reloaded_cadence_moves_the_next_round() {
    let at = anchor();
    let store = Store::open_in_memory().unwrap();
    let mut r = rig("nhl", NY, at, emulator_config(3_600, 600), 2_000, store).await;
    let game = staggered(&r.emulator, "nhl", 0);
    assert_eq!(r.poll(at).await.errors, 0, "the schedule is learned");
    let live = game.start + td(120);
    let report = r.poll(live).await;
    assert_eq!(
        (report.errors, report.details),
        (0, 1),
        "live: its detail is fetched; {report:?}"
    );
    assert_eq!(
        r.poller.next_at(),
        live + td(10),
        "the live cadence is 10 s"
    );

    let mut faster = crate::daemon::league("nhl", NY);
    faster.cadence.live = Some(Duration::from_secs(3));
    r.poller.reconfigure(faster, live + td(1));
    assert_eq!(r.poller.next_at(), live + td(4), "now 3 s after the reload");
    assert_eq!(r.poller.cadence().live, td(3));

    let mut slower = crate::daemon::league("nhl", NY);
    slower.cadence.live = Some(Duration::from_secs(30));
    r.poller.reconfigure(slower, live + td(2));
    assert_eq!(
        r.poller.next_at(),
        live + td(4),
        "a longer cadence delays nothing planned"
    );
    let report = r.poll(live + td(4)).await;
    assert_eq!(report.errors, 0);
    assert_eq!(r.poller.next_at(), live + td(34), "then 30 s");
    r.emulator.shutdown().await;
}

/// A league in the file that is not polled (skipped at start) is started by the next reload of
/// the same file, like an added one; once it runs, the same file changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_starts_a_configured_league_that_was_not_running() {
    let _reloading = RELOADING.lock().await;
    use scoreline::poller::StatusBoard;
    use scoreline::reload::{Fleet, PollerDeps, Reloader};
    use scoreline::swap::{AdapterSlot, Swapper};
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let plugin_dir = plugins(tmp.path());
    let file = tmp.path().join("scoreline.toml");
    // Upstream goes to a closed loopback port: the pollers only need to exist.
    let text = config_text(
        &data,
        &plugin_dir,
        &[("nfl", "espn", 1), ("nhl", "espn", 1)],
        "",
    )
    .replace("\"emulator\"\n", "\"http://127.0.0.1:9\"\n");
    std::fs::write(&file, text).unwrap();
    let config = Config::load(Some(&file)).unwrap();

    let sandbox = util::sandbox(|_| {});
    let espn = AdapterSlot::new(sandbox.load_file(&plugin_dir.join("espn.wasm")).unwrap());
    let clock: Arc<dyn scoreline_core::clock::Clock> = Arc::new(SystemClock);
    let deps = PollerDeps {
        swapper: Swapper::new(sandbox, plugin_dir, [espn], Default::default()),
        fetcher: scoreline::fetch::Fetcher::new(config.upstream.clone(), None, clock.clone())
            .unwrap(),
        store: Store::open(&data).unwrap(),
        status: StatusBoard::default(),
        clock,
    };
    // As at a start where `nhl` could not be prepared: only `nfl` runs.
    let mut fleet = Fleet::new(deps.clone());
    let nfl = config.leagues[0].clone();
    fleet.launch(deps.prepare(&nfl).unwrap(), nfl);
    let reloader = Reloader::new(config, fleet, Default::default());

    let plan = reloader.reload().await.unwrap();
    assert_eq!(plan.leagues_added, ["nhl"], "{plan:?}");
    assert!(plan.leagues_removed.is_empty() && plan.leagues_changed.is_empty());
    let again = reloader.reload().await.unwrap();
    assert!(again.applies_nothing(), "{again:?}");
    reloader.shutdown(Duration::from_secs(5)).await;
}

/// `kill -HUP` makes the real daemon read its file again and poll a league added to it; one
/// sent while it is still starting does not end it.
#[test]
fn sighup_makes_the_daemon_poll_a_league_added_to_its_file() {
    util::espn();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let plugin_dir = plugins(tmp.path());
    let file = tmp.path().join("scoreline.toml");
    std::fs::write(
        &file,
        config_text(&data, &plugin_dir, &[("nfl", "espn", 1)], ""),
    )
    .unwrap();
    let log_path = tmp.path().join("daemon.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_scoreline"))
        .current_dir(util::root())
        .env("RUST_LOG", "info")
        .args(["run", "--config", file.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(&log_path).unwrap()))
        .spawn()
        .unwrap();
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let leagues_stored = || -> BTreeSet<String> {
        let db = data.join(scoreline_store::DB_FILE);
        if !db.is_file() {
            return BTreeSet::new();
        }
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        conn.prepare("SELECT DISTINCT league FROM games")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let wait_for = |what: &str, ok: &dyn Fn() -> bool, child: &mut std::process::Child| {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !ok() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("daemon exited ({status}) waiting for {what}: {}", log());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{what} did not happen within 120 s: {}", log());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    let pid = child.id().to_string();
    let hup = || {
        let sent = Command::new("kill").args(["-HUP", &pid]).status().unwrap();
        assert!(sent.success());
    };
    // A hangup while the daemon is still starting (loading its components, before any poller
    // runs) is held for the reloader; it does not end the process.
    // Looked for every millisecond: the other component and the rest of start-up follow within
    // a few hundred milliseconds, before any poller runs.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !log().contains("adapter loaded") {
        assert!(child.try_wait().unwrap().is_none(), "{}", log());
        assert!(Instant::now() < deadline, "no component loaded: {}", log());
        std::thread::sleep(Duration::from_millis(1));
    }
    hup();
    wait_for(
        "nfl games stored",
        &|| leagues_stored().contains("nfl"),
        &mut child,
    );
    assert!(!leagues_stored().contains("mlb"));

    std::fs::write(
        &file,
        config_text(
            &data,
            &plugin_dir,
            &[("nfl", "espn", 1), ("mlb", "espn", 1)],
            "",
        ),
    )
    .unwrap();
    hup();
    wait_for(
        "mlb games stored after SIGHUP",
        &|| leagues_stored().contains("mlb"),
        &mut child,
    );
    assert!(log().contains("config reloaded"), "{}", log());
    // Still running: SIGHUP reloads, it does not stop the daemon.
    assert!(child.try_wait().unwrap().is_none(), "{}", log());
    let term = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(40);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "no stop on SIGTERM: {}", log());
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status}: {}", log());
}
