//! Hot swap under load, the soak: a league poller polls 1 000 live games (a loopback
//! ESPN scoreboard rendered by the emulator's own bodies) round after round while its adapter is
//! replaced 20 times, alternating two good versions through the file watch and the upload path,
//! with a component that does not compile, one that traps at start (`info()` panics) and one that
//! fails validation thrown in. Every round accepts all 1 000 games with no error and no round is
//! skipped; the bad versions are refused with a typed error naming the cause and the current one
//! keeps serving; only good versions serve rounds; rollback restores the previous version, and
//! the last good version serves at the end.

use crate::daemon::{NY, anchor, emulator_config, league, staggered, td, upstream};
use crate::util;
use chrono::{DateTime, Utc};
use scoreline::config::{Config, UpstreamConfig};
use scoreline::fetch::Fetcher;
use scoreline::poller::{LeaguePoller, RoundReport, StatusBoard};
use scoreline::sandbox::{CallError, LoadError};
use scoreline::swap::{AdapterSlot, SwapError, SwapOutcome, Swapper};
use scoreline_core::clock::{Clock, ManualClock};
use scoreline_emulator::espn::{self, Tweaks};
use scoreline_emulator::{Emulator, Game as SlateGame, Slate, teams};
use scoreline_store::Store;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The same component with a custom section appended: identical behaviour, another content
/// hash, so the swapper sees a new version.
fn variant(bytes: &[u8], tag: &str) -> Vec<u8> {
    let name = b"scoreline-test-version";
    let mut payload = vec![name.len() as u8];
    payload.extend_from_slice(name);
    payload.extend_from_slice(tag.as_bytes());
    let mut out = bytes.to_vec();
    out.push(0); // custom section id
    out.push(payload.len() as u8); // its size (under 128: one LEB128 byte)
    out.extend_from_slice(&payload);
    out
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Write `bytes` as `dir/espn.wasm` the way a build does: a temporary file renamed into place.
fn install_file(dir: &Path, bytes: &[u8]) {
    let tmp = dir.join(".espn.wasm.tmp");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, dir.join("espn.wasm")).unwrap();
}

async fn until_serving(slot: &AdapterSlot, hash: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while slot.current().hash() != hash {
        assert!(Instant::now() < deadline, "version {hash} never served");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Live games the soak polls every round.
const GAMES: usize = 1_000;
/// Kick-off times among them: games sharing one are in the same state, so a round renders this
/// many events and copies each under its games' ids (rendering 1 000 would dominate the test).
const KICKOFFS: usize = 50;

/// What the loopback board serves from: the games, by id, on the test's clock.
struct BoardState {
    /// One game per kick-off, its id a placeholder.
    kickoffs: Vec<SlateGame>,
    /// Every game: game `i` is kick-off `i % KICKOFFS` under its own id.
    games: Vec<SlateGame>,
    by_id: HashMap<String, usize>,
    clock: Arc<ManualClock>,
    /// Each scoreboard served, in order: the clock's time and the sports days asked for.
    boards: Mutex<Vec<(DateTime<Utc>, String)>>,
    /// Each kick-off's summary at the time it was last rendered, split where its id goes: the
    /// 20 games of a kick-off score together and ask for their details in the same round.
    summaries: Mutex<HashMap<usize, Rendered>>,
}

/// A body rendered at a clock time, split where a game's id goes.
type Rendered = (DateTime<Utc>, Vec<String>);

/// A loopback ESPN site API on `127.0.0.1:0` carrying [`GAMES`] live NHL games: copies of one
/// emulated game under their own ids, rendered at the clock's time by the emulator's own
/// scoreboard and summary bodies. The [`KICKOFFS`] groups are 2 s apart and all scoreless at
/// the start, so a group (20 games) scores its first goal every other round: every round
/// after the first few fetches game details, and no round fetches a thousand.
struct LiveBoard {
    url: url::Url,
    state: Arc<BoardState>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl LiveBoard {
    async fn start(clock: Arc<ManualClock>) -> LiveBoard {
        let t0 = clock.now();
        let slate = Slate::generate(
            7,
            t0,
            Duration::from_secs(3_600),
            Duration::from_secs(3_600),
        );
        // The NHL game whose first goal comes latest.
        let template = slate
            .games()
            .iter()
            .filter(|g| g.league.key == "nhl")
            .max_by_key(|g| g.events.first().map(|e| e.at))
            .unwrap()
            .clone();
        let first_goal = template.events.first().unwrap().at.as_secs() as i64;
        assert!(first_goal > 2 * KICKOFFS as i64 + 10, "{first_goal} s");
        let kickoffs: Vec<SlateGame> = (0..KICKOFFS)
            .map(|k| {
                let mut g = template.clone();
                g.id = ID.to_owned();
                // Group k is 2(k + 1) s short of its first goal at `t0`.
                g.start = t0 - td(first_goal - 2 * (1 + k as i64));
                g
            })
            .collect();
        let games: Vec<SlateGame> = (0..GAMES)
            .map(|i| {
                let mut g = kickoffs[i % KICKOFFS].clone();
                g.id = (600_000_000 + i).to_string();
                g
            })
            .collect();
        let by_id = games
            .iter()
            .enumerate()
            .map(|(i, g)| (g.id.clone(), i))
            .collect();
        let state = Arc::new(BoardState {
            kickoffs,
            games,
            by_id,
            clock,
            boards: Mutex::new(Vec::new()),
            summaries: Mutex::default(),
        });
        let app = axum::Router::new()
            .route(
                "/apis/site/v2/sports/hockey/nhl/scoreboard",
                axum::routing::get(serve_board),
            )
            .route(
                "/apis/site/v2/sports/hockey/nhl/summary",
                axum::routing::get(serve_summary),
            )
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = url::Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        LiveBoard {
            url,
            state,
            stop,
            task,
        }
    }

    /// Each scoreboard served so far: the clock's time and the `dates` asked for.
    fn boards(&self) -> Vec<(DateTime<Utc>, String)> {
        self.state.boards.lock().unwrap().clone()
    }

    async fn shutdown(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap();
    }
}

type Answer = (
    axum::http::StatusCode,
    [(axum::http::HeaderName, &'static str); 1],
    Vec<u8>,
);

fn json(body: Vec<u8>) -> Answer {
    (
        axum::http::StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
}

async fn serve_board(
    axum::extract::State(s): axum::extract::State<Arc<BoardState>>,
    axum::extract::Query(q): axum::extract::Query<BTreeMap<String, String>>,
) -> Answer {
    let now = s.clock.now();
    let dates = q["dates"].clone();
    let range = espn::parse_dates(&dates).unwrap();
    s.boards.lock().unwrap().push((now, dates));
    let on_day = |g: &&SlateGame| (range.0..=range.1).contains(&espn::sports_day(g.start));
    // Each kick-off's event once, split where its id goes.
    let events: Vec<Vec<String>> = s
        .kickoffs
        .iter()
        .map(|g| {
            let board = espn::scoreboard(None, &[g], range, now, &Tweaks::default());
            let event = serde_json::to_string(&board["events"][0]).unwrap();
            event.split(ID).map(str::to_owned).collect()
        })
        .collect();
    let list: Vec<String> = s
        .games
        .iter()
        .enumerate()
        .filter(|(_, g)| on_day(g))
        .map(|(i, g)| events[i % KICKOFFS].join(&g.id))
        .collect();
    let kickoffs: Vec<&SlateGame> = s.kickoffs.iter().filter(on_day).collect();
    let mut board = espn::scoreboard(Some(&teams::NHL), &kickoffs, range, now, &Tweaks::default());
    board["events"] = ID.into();
    let body = serde_json::to_string(&board)
        .unwrap()
        .replace(&format!("\"{ID}\""), &format!("[{}]", list.join(",")));
    json(body.into_bytes())
}

/// Where a kick-off's event carries its id.
const ID: &str = "@ID@";

async fn serve_summary(
    axum::extract::State(s): axum::extract::State<Arc<BoardState>>,
    axum::extract::Query(q): axum::extract::Query<BTreeMap<String, String>>,
) -> Answer {
    let now = s.clock.now();
    let id = &q["event"];
    let k = s.by_id[id] % KICKOFFS;
    let mut cache = s.summaries.lock().unwrap();
    let (at, pieces) = cache.entry(k).or_insert_with(|| (now, Vec::new()));
    if *at != now || pieces.is_empty() {
        let summary = espn::summary(&s.kickoffs[k], now, &Tweaks::default());
        let text = serde_json::to_string(&summary).unwrap();
        *at = now;
        *pieces = text.split(ID).map(str::to_owned).collect();
    }
    json(pieces.join(id).into_bytes())
}

/// The upstream policy for the loopback board: ESPN's host goes to it, no retries, no cache (every
/// round fetches its own board), no rate limit in the way, and a timeout of the live cadence.
fn board_upstream(url: &url::Url) -> UpstreamConfig {
    let text = format!(
        "[upstream]\ntimeout_ms = 10000\nretries = 0\nrate_per_sec = 100000\n\
         [upstream.cache]\nlive_secs = 0\n\
         [upstream.overrides]\n\"site.api.espn.com\" = \"{url}\"\n"
    );
    Config::parse(Path::new("soak.toml"), &text, |_| None)
        .unwrap()
        .upstream
}

/// One round of the soak's poller.
#[derive(Debug)]
struct Round {
    at: DateTime<Utc>,
    report: RoundReport,
    /// The adapter version the round ran on.
    hash: String,
    took: Duration,
}

type Rounds = Arc<Mutex<Vec<Round>>>;

/// Wait until a round after the first `after` ran on `hash`.
async fn until_a_round_on(rounds: &Rounds, after: usize, hash: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if rounds.lock().unwrap()[after..]
            .iter()
            .any(|r| r.hash == hash)
        {
            return;
        }
        assert!(Instant::now() < deadline, "no round ran on {hash}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Wait until the slot has counted `n` refusals.
async fn until_refused(slot: &AdapterSlot, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while slot.summary().refused < n {
        assert!(Instant::now() < deadline, "refusal {n} never counted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_swaps_while_polling_lose_no_round() {
    let good = std::fs::read(util::espn()).unwrap();
    let trap = std::fs::read(util::trap_at_start()).unwrap();
    let hostile = std::fs::read(util::hostile()).unwrap();
    let versions = [variant(&good, "a"), variant(&good, "b")];
    let hashes = [sha256(&versions[0]), sha256(&versions[1])];
    let plugins = tempfile::tempdir().unwrap();
    install_file(plugins.path(), &versions[0]);

    // The compiled-artifact cache, as the daemon runs: each version compiles once.
    let cache = plugins.path().join(".cache");
    let sandbox = util::sandbox(|c| c.cache_dir = Some(cache));
    let first = sandbox
        .load_file(&plugins.path().join("espn.wasm"))
        .unwrap();
    assert_eq!(first.hash(), hashes[0], "the hash is the file's sha256");
    let slot = AdapterSlot::new(first);
    let served = BTreeMap::from([("espn".to_owned(), vec!["nhl".to_owned()])]);
    let swapper = Swapper::new(sandbox, plugins.path().to_owned(), [slot.clone()], served);
    let (stop, stopped) = watch::channel(false);
    let watching = scoreline::swap::watch::spawn(
        swapper.clone(),
        plugins.path(),
        Duration::from_millis(50),
        stopped,
    )
    .unwrap();

    // 1 000 live NHL games, polled round after round while the swaps happen.
    let t0 = anchor();
    let clock = Arc::new(ManualClock::new(t0));
    let board = LiveBoard::start(clock.clone()).await;
    let fetcher = Fetcher::new(board_upstream(&board.url), None, clock.clone()).unwrap();
    let store = Store::open_in_memory().unwrap();
    let mut poller = LeaguePoller::new(
        league("nhl", NY),
        slot.clone(),
        fetcher,
        store.clone(),
        StatusBoard::default(),
        t0,
    )
    .unwrap();
    let rounds: Rounds = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let polling = {
        let (done, clock, rounds) = (done.clone(), clock.clone(), rounds.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !done.load(Ordering::Acquire) {
                // One emulated second per round keeps every game live for the whole test.
                let at = t0 + td(n);
                clock.set(at);
                let began = Instant::now();
                let report = poller.poll(at).await;
                rounds.lock().unwrap().push(Round {
                    at,
                    report,
                    hash: poller.adapter_hash(),
                    took: began.elapsed(),
                });
                n += 1;
            }
        })
    };
    // The first round sees every game new (and fetches the detail of each scored one).
    until_a_round_on(&rounds, 0, &hashes[0]).await;

    let swap = |bytes: Vec<u8>| {
        let s = swapper.clone();
        tokio::task::spawn_blocking(move || s.upload("espn", &bytes))
    };
    let (mut swaps, mut refused) = (0, 0);
    for i in 0..20 {
        let next = (i + 1) % 2;
        let before = rounds.lock().unwrap().len();
        if i % 2 == 0 {
            // Through the file watch, as `scoreline plugin build` replaces the file.
            install_file(plugins.path(), &versions[next]);
            until_serving(&slot, &hashes[next]).await;
        } else {
            // Through the admin API's upload path.
            let outcome = swap(versions[next].clone()).await.unwrap().unwrap();
            assert!(matches!(outcome, SwapOutcome::Swapped { ref to, .. } if *to == hashes[next]));
        }
        swaps += 1;
        // The new version serves rounds, and a good swap clears the last refusal's reason.
        until_a_round_on(&rounds, before, &hashes[next]).await;
        assert_eq!(slot.summary().last_error, None, "after swap {i}");
        if i == 6 {
            // Half a component: it does not compile. Refused, and the current one stays.
            let broken = versions[0][..versions[0].len() / 2].to_vec();
            let err = swap(broken).await.unwrap().unwrap_err();
            assert!(
                matches!(
                    err,
                    SwapError::Load {
                        source: LoadError::Invalid { .. },
                        ..
                    }
                ),
                "{err}"
            );
            refused += 1;
            assert_eq!(slot.current().hash(), hashes[next]);
        }
        if i == 9 {
            // A version that traps at start: its info() panics while it loads. Refused through
            // the upload with the trap named...
            let err = swap(trap.clone()).await.unwrap().unwrap_err();
            assert!(
                matches!(
                    err,
                    SwapError::Load {
                        source: LoadError::Info {
                            source: CallError::Trap(_),
                            ..
                        },
                        ..
                    }
                ),
                "{err}"
            );
            assert!(err.to_string().contains("info() failed: trapped"), "{err}");
            refused += 1;
            assert_eq!(slot.current().hash(), hashes[next]);
            // ...and through the file watch: counted, its reason kept, the current one serving.
            install_file(plugins.path(), &trap);
            refused += 1;
            until_refused(&slot, refused).await;
            let reason = slot.summary().last_error.unwrap();
            assert!(reason.contains("info() failed: trapped"), "{reason}");
            assert_eq!(slot.current().hash(), hashes[next]);
        }
        if i == 12 {
            // A component that loads but names itself otherwise: it fails validation.
            let err = swap(hostile.clone()).await.unwrap().unwrap_err();
            assert!(matches!(err, SwapError::Invalid { .. }), "{err}");
            assert!(err.to_string().contains("names it `hostile`"), "{err}");
            refused += 1;
            assert_eq!(slot.current().hash(), hashes[next]);
        }
        if matches!(i, 6 | 9 | 12) {
            assert_eq!(slot.summary().refused, refused);
            assert!(slot.summary().last_error.is_some());
        }
    }
    // After 20 swaps the first version serves again; the file holds it too.
    assert_eq!(slot.current().hash(), hashes[0]);
    assert_eq!(
        sha256(&std::fs::read(plugins.path().join("espn.wasm")).unwrap()),
        hashes[0]
    );

    // The watch stops here, so a reload it still has pending cannot race the rollbacks below.
    stop.send(true).unwrap();
    watching.await.unwrap();

    // Rollback puts the previous version back (rounds run on it), and rolling back again undoes it.
    let s = swapper.clone();
    let before = rounds.lock().unwrap().len();
    tokio::task::spawn_blocking(move || s.rollback("espn"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(slot.current().hash(), hashes[1]);
    until_a_round_on(&rounds, before, &hashes[1]).await;
    let s = swapper.clone();
    let before = rounds.lock().unwrap().len();
    tokio::task::spawn_blocking(move || s.rollback("espn"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(slot.current().hash(), hashes[0]);
    // Loading the unchanged file again is no swap.
    let s = swapper.clone();
    let again = tokio::task::spawn_blocking(move || s.reload("espn"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        again,
        SwapOutcome::Unchanged {
            sha256: hashes[0].clone()
        }
    );
    // The last good version serves the last rounds.
    until_a_round_on(&rounds, before, &hashes[0]).await;
    done.store(true, Ordering::Release);
    polling.await.unwrap();
    let boards = board.boards();
    board.shutdown().await;

    let rounds = std::mem::take(&mut *rounds.lock().unwrap());
    let failed: Vec<(usize, &RoundReport)> = rounds
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            let RoundReport {
                accepted,
                held,
                rejected,
                errors,
                ..
            } = r.report;
            (accepted, held, rejected, errors) != (GAMES, 0, 0, 0)
        })
        .map(|(i, r)| (i, &r.report))
        .collect();
    assert!(
        failed.is_empty(),
        "every round accepts all {GAMES} games with no error; of {} rounds these did not: {failed:?}",
        rounds.len()
    );
    // No round was skipped: each fetched today's board once, at its own time, in order. The
    // only other board is tomorrow's, which the first round (no game known yet: idle) looks at.
    let today = espn::sports_day(t0).format("%Y%m%d").to_string();
    let (todays, others): (Vec<_>, Vec<_>) = boards.into_iter().partition(|(_, d)| *d == today);
    assert_eq!(
        todays.iter().map(|(at, _)| *at).collect::<Vec<_>>(),
        rounds.iter().map(|r| r.at).collect::<Vec<_>>(),
        "one scoreboard of today per round"
    );
    assert!(others.iter().all(|(at, _)| *at == t0), "{others:?}");
    // No round during the swaps outlasted the live cadence (10 s), so none delayed the next
    // poll. The first, before any swap, is a cold start: every game new.
    let slowest = rounds[1..].iter().map(|r| r.took).max().unwrap();
    assert!(
        slowest < Duration::from_secs(10),
        "a round took {slowest:?}"
    );
    assert!(rounds.len() >= 20, "{} rounds", rounds.len());
    assert_eq!(store.latest_for_league("nhl").unwrap().len(), GAMES);
    // Both good versions served rounds; nothing else ever did.
    let seen: BTreeSet<&str> = rounds.iter().map(|r| r.hash.as_str()).collect();
    assert_eq!(seen, hashes.iter().map(String::as_str).collect());
    let summary = slot.summary();
    assert_eq!((summary.swaps, summary.refused), (swaps + 2, refused));
    assert_eq!(refused, 4);
    assert_eq!(summary.sha256, hashes[0]);
    assert_eq!(summary.previous.unwrap().sha256, hashes[1]);
    // A refusal's reason stays until the next good swap clears it.
    assert_eq!(summary.last_error, None);
    let details: usize = rounds.iter().map(|r| r.report.details).sum();
    let total: Duration = rounds[1..].iter().map(|r| r.took).sum();
    eprintln!(
        "soak: {} rounds of {GAMES} live games, {details} game details, {swaps} swaps, {refused} \
         refusals; the cold first round took {:?}, the others {:?} on average, {slowest:?} at most",
        rounds.len(),
        rounds[0].took,
        total / (rounds.len() - 1) as u32,
    );
}

/// A version must pass the golden cases shipped beside it (`<plugin_dir>/<name>.cases/`);
/// otherwise it is refused, counted, and the file is left alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn golden_cases_gate_a_swap() {
    let good = std::fs::read(util::espn()).unwrap();
    let plugins = tempfile::tempdir().unwrap();
    install_file(plugins.path(), &good);
    let cache = plugins.path().join(".cache");
    let sandbox = util::sandbox(|c| c.cache_dir = Some(cache));
    let current = sandbox
        .load_file(&plugins.path().join("espn.wasm"))
        .unwrap();

    // One golden case: the ESPN crate's own quirky scoreboard, expected as the current version
    // parses it.
    let cases = plugins.path().join("espn.cases");
    std::fs::create_dir_all(&cases).unwrap();
    let body = util::root().join("plugins/espn/testdata/scoreboard-quirks.json");
    std::fs::copy(&body, cases.join("board.json")).unwrap();
    std::fs::write(
        cases.join("cases.toml"),
        "[[case]]\nname = \"quirks\"\ncall = \"scoreboard\"\nleague = \"nfl\"\n\
         body = \"board.json\"\nexpected = \"board.expected.json\"\n",
    )
    .unwrap();
    scoreline::plugin_kit::run_cases(&current, &cases, true).unwrap();

    let slot = AdapterSlot::new(current);
    let served = BTreeMap::from([("espn".to_owned(), vec!["nfl".to_owned(), "nhl".to_owned()])]);
    let swapper = Swapper::new(sandbox, plugins.path().to_owned(), [slot.clone()], served);
    let upload = |bytes: Vec<u8>| {
        let s = swapper.clone();
        tokio::task::spawn_blocking(move || s.upload("espn", &bytes))
    };

    // The cases pass: the new version serves.
    let v2 = variant(&good, "2");
    upload(v2.clone()).await.unwrap().unwrap();
    assert_eq!(slot.current().hash(), sha256(&v2));

    // A golden that no longer matches: refused, named, and the file is left as it was.
    let expected = cases.join("board.expected.json");
    let text = std::fs::read_to_string(&expected).unwrap();
    std::fs::write(&expected, text.replacen("\"nfl\"", "\"xfl\"", 1)).unwrap();
    let err = upload(variant(&good, "3")).await.unwrap().unwrap_err();
    assert!(
        err.to_string().contains("golden cases fail: quirks"),
        "{err}"
    );
    assert_eq!(slot.current().hash(), sha256(&v2));
    assert_eq!(
        sha256(&std::fs::read(plugins.path().join("espn.wasm")).unwrap()),
        sha256(&v2)
    );
    assert_eq!(slot.summary().refused, 1);
    assert!(slot.summary().last_error.unwrap().contains("quirks"));
}

async fn admin(
    app: &axum::Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Vec<u8>,
) -> (axum::http::StatusCode, serde_json::Value) {
    util::request(app, method, uri, token, None, body).await
}

/// The operator's routes: list, upload, rollback, reload, disable and enable, all behind the
/// token; a disabled adapter's league is not polled until it is enabled again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_plugin_routes_swap_roll_back_and_disable() {
    const TOKEN: &str = "swap-test-token";
    let good = std::fs::read(util::espn()).unwrap();
    let plugins = tempfile::tempdir().unwrap();
    install_file(plugins.path(), &good);
    let cache = plugins.path().join(".cache");
    let sandbox = util::sandbox(|c| c.cache_dir = Some(cache));
    let slot = AdapterSlot::new(
        sandbox
            .load_file(&plugins.path().join("espn.wasm"))
            .unwrap(),
    );
    let served = BTreeMap::from([("espn".to_owned(), vec!["nhl".to_owned()])]);
    let swapper = Swapper::new(sandbox, plugins.path().to_owned(), [slot.clone()], served);
    let app = scoreline::http::app(scoreline::http::state::AppState {
        admin_token: Some(Arc::from(TOKEN)),
        plugins: Some(swapper),
        ..scoreline::http::state::AppState::new(Store::open_in_memory().unwrap())
    });
    let t = Some(TOKEN);

    let (code, list) = admin(&app, "GET", "/admin/plugins", t, vec![]).await;
    assert_eq!(code, 200);
    assert_eq!(list["plugins"][0]["name"], "espn");
    assert_eq!(list["plugins"][0]["sha256"], sha256(&good));
    assert_eq!(list["plugins"][0]["state"], "enabled");
    assert_eq!(list["plugins"][0]["previous"], serde_json::Value::Null);

    let v2 = variant(&good, "api");
    let (code, up) = admin(&app, "POST", "/admin/plugins?name=espn", t, v2.clone()).await;
    assert_eq!(code, 200, "{up}");
    assert_eq!(up["outcome"]["result"], "swapped");
    assert_eq!(up["outcome"]["to"], sha256(&v2));
    // `/health` lists the version serving now, not the one loaded at start.
    let (code, health) = admin(&app, "GET", "/health", None, vec![]).await;
    assert_eq!(code, 200, "{health}");
    assert_eq!(health["adapters"].as_array().map(Vec::len), Some(1));
    assert_eq!(health["adapters"][0]["name"], "espn");
    assert_eq!(health["adapters"][0]["sha256"], sha256(&v2));
    let (code, bad) = admin(
        &app,
        "POST",
        "/admin/plugins?name=espn",
        t,
        b"not wasm".to_vec(),
    )
    .await;
    assert_eq!(code, 400);
    assert!(
        bad["error"].as_str().unwrap().contains("does not load"),
        "{bad}"
    );
    let (code, _) = admin(&app, "POST", "/admin/plugins?name=nope", t, v2.clone()).await;
    assert_eq!(code, 404);

    let (code, back) = admin(&app, "POST", "/admin/plugins/espn/rollback", t, vec![]).await;
    assert_eq!(code, 200);
    assert_eq!(back["outcome"]["to"], sha256(&good));
    let (_, health) = admin(&app, "GET", "/health", None, vec![]).await;
    assert_eq!(health["adapters"][0]["sha256"], sha256(&good));
    // The file holds the uploaded version: reloading it swaps it back in.
    let (code, re) = admin(&app, "POST", "/admin/plugins/espn/reload", t, vec![]).await;
    assert_eq!(code, 200);
    assert_eq!(re["outcome"]["to"], sha256(&v2));

    // Disable: a poller on this slot makes no call and says why; enable resumes it.
    let (code, _) = admin(&app, "POST", "/admin/plugins/espn/disable", t, vec![]).await;
    assert_eq!(code, 204);
    let t0 = anchor();
    let clock = Arc::new(ManualClock::new(t0));
    let emulator = Emulator::start(emulator_config(3_600, 3_600), clock.clone())
        .await
        .unwrap();
    let game = staggered(&emulator, "nhl", 0);
    let fetcher = Fetcher::new(upstream(2_000), Some(emulator.base_url()), clock.clone()).unwrap();
    let status = StatusBoard::default();
    let mut poller = LeaguePoller::new(
        league("nhl", NY),
        slot.clone(),
        fetcher,
        Store::open_in_memory().unwrap(),
        status.clone(),
        t0,
    )
    .unwrap();
    let at = game.start + td(60);
    clock.set(at);
    let r = poller.poll(at).await;
    assert_eq!((r.accepted, r.errors), (0, 0));
    assert_eq!(emulator.requests(), 0, "no upstream call while disabled");
    assert_eq!(
        status.read().unwrap()["nhl"].last_error.as_deref(),
        Some("adapter disabled by the operator")
    );
    let (code, _) = admin(&app, "POST", "/admin/plugins/espn/enable", t, vec![]).await;
    assert_eq!(code, 204);
    let r = poller.poll(at + td(10)).await;
    assert_eq!((r.accepted, r.errors), (2, 0));
    emulator.shutdown().await;

    // Every route wants the token.
    for (method, uri) in [
        ("GET", "/admin/plugins"),
        ("POST", "/admin/plugins?name=espn"),
        ("POST", "/admin/plugins/espn/reload"),
        ("POST", "/admin/plugins/espn/rollback"),
        ("POST", "/admin/plugins/espn/disable"),
        ("POST", "/admin/plugins/espn/enable"),
    ] {
        let (code, _) = admin(&app, method, uri, None, vec![]).await;
        assert_eq!(code, 401, "{method} {uri}");
    }
}
