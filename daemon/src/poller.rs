//! One league's polling: ask the cadence planner what is due, have the adapter plan the requests,
//! fetch them through the host's fetcher, parse them in the sandbox, validate every snapshot and
//! commit what passes to the store. `poll(now)` is one round and takes the time as a parameter,
//! so tests drive it with no sleeps; `run` loops it on a clock until shutdown.

use crate::blocking::{TaskFailed, blocking};
use crate::config::LeagueConfig;
use crate::fetch::{Attempt, Body, FetchOutcome, Fetcher, Freshness, HostTransition};
use crate::sandbox::{Adapter, CallContext, CallError};
use crate::swap::AdapterHandle;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use scoreline_core::cadence::{self, Cadence, Decision, GameView, Phase};
use scoreline_core::clock::Clock;
use scoreline_core::events::Event;
use scoreline_core::events::diff::{self, Snapshot};
use scoreline_core::ingest;
use scoreline_core::model::{
    Game, GameDetail, GameStatus, GamesResult, PlannedRequest, ScoringPlay,
};
use scoreline_core::model::{GameKey, ScheduledGame};
use scoreline_core::presence::{self, Presence};
use scoreline_core::upstream::phase::PhaseLearner;
use scoreline_core::validate::{self, BodyTimes, Verdict};
use scoreline_store::{StaleSource, Store, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// What went wrong in one step of a round; logged, counted, and the round goes on.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// The adapter failed or faulted.
    #[error("adapter: {0}")]
    Adapter(#[from] CallError),
    /// The upstream fetch failed.
    #[error("fetch `{url}`: {source}")]
    Fetch {
        /// The planned URL.
        url: String,
        /// The cause.
        source: crate::fetch::FetchError,
    },
    /// The store refused a write.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A blocking step did not finish.
    #[error(transparent)]
    Join(#[from] TaskFailed),
}

/// A league's state as `/health` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LeagueStatus {
    /// League key.
    pub league: String,
    /// Adapter serving it.
    pub adapter: String,
    /// Cadence phase.
    pub phase: Phase,
    /// Last round.
    pub last_poll: Option<DateTime<Utc>>,
    /// Next round.
    pub next_poll: DateTime<Utc>,
    /// Games known.
    pub games: usize,
    /// Last error, if the last round had one.
    pub last_error: Option<String>,
    /// Rounds done.
    pub rounds: u64,
    /// Snapshots rejected or discarded as glitches.
    pub rejected: u64,
}

/// Shared league status, read by the HTTP API.
pub type StatusBoard = Arc<RwLock<BTreeMap<String, LeagueStatus>>>;

/// What the poller remembers about one game between rounds.
#[derive(Debug, Clone)]
struct Tracked {
    accepted: Game,
    held: Option<Game>,
    settled: bool,
    /// (home, away, period) at the last successful detail parse.
    detail_sig: Option<(Option<u32>, Option<u32>, Option<u32>)>,
    /// Failed detail fetches in a row, and when the next try is allowed.
    detail_failures: u32,
    detail_retry_at: Option<DateTime<Utc>>,
    /// The scoring plays known (from the last game detail, or the store after a restart); none
    /// before the first detail.
    plays: Option<Vec<ScoringPlay>>,
    /// The score when this poller first saw the game (see [`Snapshot::first_seen`]).
    first_seen: (u32, u32),
    /// When upstream made the body the accepted snapshot came from, where it said.
    accepted_made: Option<DateTime<Utc>>,
    /// When upstream made the body of the last game detail used, where it said.
    detail_made: Option<DateTime<Utc>>,
    /// A stale copy of this game was logged already (once per game; the rest are counted).
    stale_logged: bool,
    /// Stale game details in a row.
    detail_stale: u32,
    /// Whether upstream's boards still list it (see [`presence`]).
    presence: Presence,
    /// The board body (URL, content hash) the held snapshot came from.
    held_from: Option<(String, u64)>,
}

impl Tracked {
    fn new(accepted: Game, settled: bool, plays: Option<Vec<ScoringPlay>>) -> Tracked {
        Tracked {
            first_seen: score_of(&accepted),
            accepted,
            held: None,
            settled,
            detail_sig: None,
            detail_failures: 0,
            detail_retry_at: None,
            plays,
            accepted_made: None,
            detail_made: None,
            stale_logged: false,
            detail_stale: 0,
            presence: Presence::default(),
            held_from: None,
        }
    }

    /// The accepted snapshot as the diff sees it.
    fn snapshot<'a>(&'a self, key: &'a GameKey) -> Snapshot<'a> {
        Snapshot {
            key,
            game: &self.accepted,
            plays: self.plays.as_deref(),
            first_seen: self.first_seen,
        }
    }

    /// Whether a game detail's plays may replace the known ones: an empty list while plays are
    /// known and the accepted score still has points is upstream dropping them (the plays' 0-0
    /// reset), not every goal overturned at once; it is ignored.
    fn plays_usable(&self, plays: &[ScoringPlay]) -> bool {
        let (h, a) = score_of(&self.accepted);
        !(plays.is_empty() && self.plays.as_ref().is_some_and(|p| !p.is_empty()) && h + a > 0)
    }
}

fn score_of(g: &Game) -> (u32, u32) {
    (g.home.score.unwrap_or(0), g.away.score.unwrap_or(0))
}

/// After a failed game detail, wait 30 s, then twice as long after each further failure, up
/// to 15 min, before asking again (a scoreboard round still runs at the normal cadence).
fn detail_backoff(failures: u32) -> Duration {
    Duration::seconds((30_i64 << failures.saturating_sub(1).min(5)).min(900))
}

/// Stale game details in a row asked for again on the next round; after these, the detail
/// failures' backoff applies (a summary lagging the scoreboard catches up within seconds).
const STALE_DETAILS_BEFORE_BACKOFF: u32 = 2;

/// A game detail fetched and parsed.
enum DetailOutcome {
    /// Newer than or level with what is known: its plays were logged and stored.
    Fresh {
        detail: Box<GameDetail>,
        /// When upstream made the body, where the response said.
        made: Option<DateTime<Utc>>,
    },
    /// An older copy than the accepted snapshot: dropped, with the reason.
    Stale(String),
}

/// One round's outcome, for tests and logs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RoundReport {
    /// Snapshots committed.
    pub accepted: usize,
    /// Snapshots held back for confirmation.
    pub held: usize,
    /// Snapshots rejected (including discarded glitches).
    pub rejected: usize,
    /// Snapshots dropped as stale copies (scoreboards and game details).
    pub stale: usize,
    /// Scoreboards whose body was the one parsed last time for their URL (not parsed again).
    pub unchanged: usize,
    /// Game details parsed.
    pub details: usize,
    /// Steps that failed.
    pub errors: usize,
}

/// Polls one league.
pub struct LeaguePoller {
    league: LeagueConfig,
    /// Where the adapter's current version is read at the start of each round (hot swap).
    slot: AdapterHandle,
    /// The version this round runs on.
    adapter: Arc<Adapter>,
    fetcher: Fetcher,
    store: Store,
    cadence: Cadence,
    games: BTreeMap<String, Tracked>,
    /// Ingested schedule rows no reported game may match yet; reloaded on each idle refresh.
    ingested: Vec<ScheduledGame>,
    status: StatusBoard,
    next_at: DateTime<Utc>,
    last_idle_refresh: Option<DateTime<Utc>>,
    rounds: u64,
    rejected: u64,
    /// Per scoreboard URL: the last body parsed and its rhythm (see [`BoardMemo`]).
    boards: BTreeMap<String, BoardMemo>,
}

/// What the poller keeps of one scoreboard URL between rounds.
#[derive(Debug, Default)]
struct BoardMemo {
    /// Content hash of the last body parsed (rapidhash v3: fast, stable, 64 bits).
    hash: Option<u64>,
    /// The games that body listed, and its poll hint: what an identical body says again.
    game_ids: Vec<String>,
    hint: Option<u32>,
    /// When upstream updates it.
    rhythm: PhaseLearner,
    /// The last round that fetched it.
    round: u64,
}

/// Rounds a scoreboard URL's memo outlives its last fetch.
const BOARD_MEMO_ROUNDS: u64 = 10;

/// A scoreboard fetched, and parsed unless it is the body parsed last time.
struct Board {
    url: String,
    hash: u64,
    /// `None`: the same body as the last one parsed for this URL (not parsed again).
    result: Option<GamesResult>,
    from_cache: bool,
    made: Option<DateTime<Utc>>,
}

/// A body fetched (or served from the cache) and what its response said of it.
struct Got {
    body: Body,
    from_cache: bool,
    made: Option<DateTime<Utc>>,
}

impl LeaguePoller {
    /// A poller for `league` served by `adapter`, resuming from what `store` holds.
    pub fn new(
        league: LeagueConfig,
        adapter: impl Into<AdapterHandle>,
        fetcher: Fetcher,
        store: Store,
        status: StatusBoard,
        now: DateTime<Utc>,
    ) -> Result<LeaguePoller, StoreError> {
        let slot: AdapterHandle = adapter.into();
        let adapter = slot.current();
        let cadence = cadence_of(&league, &adapter);
        // Warm restart: validation and the diff continue from the last committed snapshot and
        // the stored scoring plays of every game, so no old fact gets a new event.
        let mut games = BTreeMap::new();
        for (key, game) in store.latest_for_league(&league.key)? {
            if key.adapter != adapter.info().name {
                continue;
            }
            let settled = game.status == GameStatus::Final;
            let plays = Some(store.scoring_plays(&key)?).filter(|p| !p.is_empty());
            games.insert(key.game_id, Tracked::new(game, settled, plays));
        }
        for u in store.unconfirmed_games()? {
            if u.key.league == league.key
                && let Some(t) = games.get_mut(&u.key.game_id)
            {
                t.presence.unconfirmed = true;
                t.presence.checked = true;
            }
        }
        let ingested = ingested_schedule(&store, &league.key, &adapter.info().name, now)?;
        Ok(LeaguePoller {
            league,
            slot,
            adapter,
            fetcher,
            store,
            cadence,
            games,
            ingested,
            status,
            next_at: now,
            last_idle_refresh: None,
            rounds: 0,
            rejected: 0,
            boards: BTreeMap::new(),
        })
    }

    /// Take a reloaded configuration of this league (same key and adapter): its options, time
    /// zone, teams and cadence apply from the next round. A shorter cadence brings the next round
    /// forward; a longer one never delays a round already planned.
    pub fn reconfigure(&mut self, league: LeagueConfig, now: DateTime<Utc>) {
        self.league = league;
        self.cadence = cadence_of(&self.league, &self.adapter);
        self.next_at = self.next_at.min(self.decide(now).next_at);
        tracing::info!(league = %self.league.key, next_poll = %self.next_at, "league configuration reloaded");
    }

    /// The cadence in force (the config's overrides over the adapter's suggestion).
    pub fn cadence(&self) -> &Cadence {
        &self.cadence
    }

    /// The content hash of the adapter version the last round ran on.
    pub fn adapter_hash(&self) -> String {
        self.adapter.hash().to_owned()
    }

    /// When the next round is due.
    pub fn next_at(&self) -> DateTime<Utc> {
        self.next_at
    }

    /// The league key.
    pub fn league(&self) -> &str {
        &self.league.key
    }

    fn context(&self, now: DateTime<Utc>) -> CallContext {
        self.league.call_context(now)
    }

    fn key(&self, game_id: &str) -> GameKey {
        self.league.game_key(&self.adapter.info().name, game_id)
    }

    /// The games the planner sees: every reported game, plus each ingested game no reported game
    /// matches yet (so a day known only from a schedule file still steps up around its start).
    fn views(&self) -> Vec<GameView> {
        let mut views: Vec<GameView> = self
            .games
            .iter()
            // An unconfirmed game no longer holds the league in its live cadence.
            .filter(|(_, t)| !t.presence.unconfirmed)
            .map(|(id, t)| GameView {
                id: id.clone(),
                status: t.accepted.status,
                start: t.accepted.start_time,
                settled: t.settled,
            })
            .collect();
        views.extend(ingest::pending_views(
            &self.ingested,
            self.games.values().map(|t| &t.accepted),
        ));
        views
    }

    /// The decision the planner would make at `now`.
    pub fn decide(&self, now: DateTime<Utc>) -> Decision {
        cadence::plan(&self.views(), now, self.league.timezone, &self.cadence)
    }

    /// One round at `now`: fetch what the cadence says is due, validate, store. Never fails as a
    /// whole: each failed step is logged and counted, and the round goes on.
    pub async fn poll(&mut self, now: DateTime<Utc>) -> RoundReport {
        // A swapped-in version serves from this round on; this round keeps the one it took.
        self.adapter = self.slot.current();
        if !self.slot.is_enabled() {
            return self.skip_disabled(now);
        }
        let decision = self.decide(now);
        let mut report = RoundReport::default();
        let mut last_error = None;
        let idle_refresh_due = self
            .last_idle_refresh
            .is_none_or(|t| now - t >= self.cadence.idle)
            && decision.phase == Phase::Idle;
        let mut hint: Option<u32> = None;

        // Scoreboards of the sports days in view (the idle refresh also looks a day ahead).
        let mut days = decision.days.clone();
        if idle_refresh_due {
            if let Some(tomorrow) = days.last().and_then(|d| d.succ_opt()) {
                days.push(tomorrow);
            }
            self.last_idle_refresh = Some(now);
            match ingested_schedule(
                &self.store,
                &self.league.key,
                &self.adapter.info().name,
                now,
            ) {
                Ok(rows) => self.ingested = rows,
                Err(e) => {
                    tracing::warn!(league = %self.league.key, error = %e, "ingested schedule not reloaded");
                }
            }
        }
        let freshness = Freshness::from(decision.phase);
        // Which games the boards listed, to tell games that vanish (all boards must answer).
        let mut listed = std::collections::BTreeSet::new();
        let mut boards_answered = !days.is_empty();
        for &day in &days {
            match self.scoreboard(now, day, freshness).await {
                Ok(board) => {
                    let (ids, board_hint) = self.take_board(now, board, &mut report);
                    hint = hint.max(board_hint);
                    listed.extend(ids);
                }
                Err(e) => {
                    boards_answered = false;
                    report.errors += 1;
                    tracing::warn!(league = %self.league.key, %day, error = %e, "scoreboard round failed");
                    last_error = Some(e.to_string());
                }
            }
        }

        if boards_answered {
            let tz = self.league.timezone;
            for (id, t) in &mut self.games {
                let expected = presence::expected(&t.accepted, &days, tz);
                t.presence.after_round(listed.contains(id), expected);
            }
        }

        // Game details: where the score or period moved since the last detail, settle fetches,
        // and games in play the boards stopped listing (checked once).
        let settle: Vec<String> = decision.settle_due.clone();
        let vanished: Vec<String> = self
            .games
            .iter()
            .filter(|(_, t)| t.presence.check_due())
            .map(|(id, _)| id.clone())
            .collect();
        let wanted: Vec<String> = self
            .games
            .iter()
            .filter(|(id, t)| {
                let sig = (
                    t.accepted.home.score,
                    t.accepted.away.score,
                    t.accepted.period,
                );
                let has_points = sig.0.unwrap_or(0) + sig.1.unwrap_or(0) > 0;
                let moved = match t.detail_sig {
                    None => has_points,
                    Some(prev) => prev != sig,
                };
                let backing_off = t.detail_retry_at.is_some_and(|at| now < at);
                ((moved && t.accepted.status != GameStatus::Scheduled) || settle.contains(id))
                    && !backing_off
                    && !t.presence.unconfirmed
                    && !vanished.contains(id)
            })
            .map(|(id, _)| id.clone())
            .chain(vanished.iter().cloned())
            .collect();
        for id in wanted {
            let freshness = if settle.contains(&id) {
                Freshness::Settle
            } else {
                Freshness::Live
            };
            let check = vanished.contains(&id);
            let outcome = self.detail(now, &id, freshness).await;
            // A game the boards stopped listing: its detail's own snapshot is judged like a
            // board's (a final or postponed there settles it).
            let settled_by_check = match &outcome {
                Ok(DetailOutcome::Fresh { detail, made }) if check => {
                    self.absorb(now, vec![detail.game.clone()], *made, None, &mut report);
                    self.games
                        .get(&id)
                        .is_some_and(|t| !presence::in_play(t.accepted.status))
                }
                _ => false,
            };
            if check {
                self.vanish_checked(&id, settled_by_check, now);
            }
            match outcome {
                Ok(DetailOutcome::Stale(reason)) => {
                    // Asked again next round (its signature is not taken); after a few stale
                    // copies in a row, with the failures' backoff.
                    if let Some(t) = self.games.get_mut(&id) {
                        t.detail_stale += 1;
                        if t.detail_stale > STALE_DETAILS_BEFORE_BACKOFF {
                            t.detail_retry_at = Some(
                                now + detail_backoff(t.detail_stale - STALE_DETAILS_BEFORE_BACKOFF),
                            );
                        }
                    }
                    self.stale(&id, StaleSource::Detail, &reason, now, &mut report);
                }
                Ok(DetailOutcome::Fresh { detail, made }) => {
                    report.details += 1;
                    hint = hint.max(detail.poll_hint_secs);
                    if let Some(t) = self.games.get_mut(&id) {
                        if t.plays_usable(&detail.scoring_plays) {
                            t.plays = Some(detail.scoring_plays);
                        }
                        t.detail_made = made.or(t.detail_made);
                        t.detail_stale = 0;
                        t.detail_failures = 0;
                        t.detail_retry_at = None;
                        t.detail_sig = Some((
                            t.accepted.home.score,
                            t.accepted.away.score,
                            t.accepted.period,
                        ));
                        if settle.contains(&id) {
                            t.settled = true;
                            tracing::info!(league = %self.league.key, game_id = %id, "settle fetch done");
                        }
                    }
                }
                Err(e) => {
                    report.errors += 1;
                    let mut retry_at = None;
                    if let Some(t) = self.games.get_mut(&id) {
                        t.detail_failures += 1;
                        let at = now + detail_backoff(t.detail_failures);
                        t.detail_retry_at = Some(at);
                        retry_at = Some(at);
                    }
                    tracing::warn!(league = %self.league.key, game_id = %id, error = %e, retry_at = ?retry_at, "game detail failed");
                    last_error = Some(e.to_string());
                }
            }
        }

        let after = self.decide(now);
        let mut next_at = after.next_at;
        if after.phase == Phase::Live
            && let Some(at) = self.phase_locked(now)
        {
            // Just after upstream's next expected update, one live interval on average.
            next_at = at;
        }
        let round = self.rounds;
        self.boards
            .retain(|_, m| m.round + BOARD_MEMO_ROUNDS >= round);
        if let Some(h) = hint.filter(|_| after.phase == Phase::Live) {
            // Upstream's own hint (MLB metaData.wait) is a floor under the live cadence.
            next_at = next_at.max(now + Duration::seconds(i64::from(h)));
        }
        self.next_at = next_at.max(now + Duration::seconds(1));
        self.rounds += 1;
        self.rejected += report.rejected as u64;
        self.publish(now, after.phase, last_error);
        report
    }

    /// Take one fetched scoreboard: absorb its games unless it is the body parsed last time for
    /// its URL (then its games are the ones that body listed; a new answer with the same body
    /// confirms the snapshots held from it, a copy from the fetcher's own cache confirms
    /// nothing). Learns the URL's update rhythm. Returns the games it lists and its poll hint.
    fn take_board(
        &mut self,
        now: DateTime<Utc>,
        board: Board,
        report: &mut RoundReport,
    ) -> (Vec<String>, Option<u32>) {
        let round = self.rounds;
        let memo = self.boards.entry(board.url.clone()).or_default();
        memo.round = round;
        if !board.from_cache {
            // A body made at least a second before it was served is a copy with an age: its
            // made times tell upstream's rhythm. One made on demand (`Age: 0` every time) only
            // echoes this poller's own polls and is not learned from.
            if let Some(made) = board.made.filter(|m| *m + Duration::seconds(1) <= now) {
                memo.rhythm.observe(made);
            }
        }
        let Some(result) = board.result else {
            let seen = (memo.game_ids.clone(), memo.hint);
            report.unchanged += 1;
            crate::metrics::body_unchanged(&self.league.key);
            if board.from_cache {
                tracing::debug!(league = %self.league.key, url = %board.url, "scoreboard served again from the cache: nothing new");
                return seen;
            }
            let from = (board.url, board.hash);
            let held: Vec<Game> = self
                .games
                .values()
                .filter(|t| t.held_from.as_ref() == Some(&from))
                .filter_map(|t| t.held.clone())
                .collect();
            if !held.is_empty() {
                self.absorb(now, held, board.made, Some(from), report);
            }
            return seen;
        };
        let ids: Vec<String> = result.games.iter().map(|g| g.id.clone()).collect();
        memo.hash = Some(board.hash);
        memo.game_ids = ids.clone();
        memo.hint = result.poll_hint_secs;
        let hint = result.poll_hint_secs;
        self.absorb(
            now,
            result.games,
            board.made,
            Some((board.url, board.hash)),
            report,
        );
        (ids, hint)
    }

    /// The next live poll, locked to the update rhythm of the board that lists the most games
    /// in play, once one is learned (see `upstream::phase`).
    fn phase_locked(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let in_play = |m: &BoardMemo| {
            m.game_ids
                .iter()
                .filter(|id| {
                    self.games
                        .get(*id)
                        .is_some_and(|t| presence::in_play(t.accepted.status))
                })
                .count()
        };
        let memo = self
            .boards
            .values()
            .filter(|m| m.round == self.rounds && in_play(m) > 0)
            .max_by_key(|m| in_play(m))?;
        memo.rhythm.rhythm()?;
        Some(memo.rhythm.next_poll(now, self.cadence.live))
    }

    /// A round while the operator has the adapter disabled: no call, the next look after the
    /// idle cadence at most (re-enabling takes effect on it), and the reason in the status.
    fn skip_disabled(&mut self, now: DateTime<Utc>) -> RoundReport {
        let phase = self.decide(now).phase;
        self.next_at = now + self.cadence.live.min(self.cadence.idle);
        self.publish(now, phase, Some("adapter disabled by the operator".into()));
        RoundReport::default()
    }

    fn publish(&self, now: DateTime<Utc>, phase: Phase, last_error: Option<String>) {
        let status = LeagueStatus {
            league: self.league.key.clone(),
            adapter: self.adapter.info().name.clone(),
            phase,
            last_poll: Some(now),
            next_poll: self.next_at,
            games: self.games.len(),
            last_error,
            rounds: self.rounds,
            rejected: self.rejected,
        };
        let mut board = self.status.write().unwrap_or_else(|e| e.into_inner());
        board.insert(self.league.key.clone(), status);
    }

    /// Validate and commit each parsed game; `made` is when upstream made the body they came
    /// from, where the response said.
    fn absorb(
        &mut self,
        now: DateTime<Utc>,
        games: Vec<Game>,
        made: Option<DateTime<Utc>>,
        from: Option<(String, u64)>,
        report: &mut RoundReport,
    ) {
        // The schedule only changes when a game appears or its start or status moves; a live
        // round would otherwise rewrite every row every few seconds.
        let schedule_changes: Vec<Game> = games
            .iter()
            .filter(|g| {
                self.games.get(&g.id).is_none_or(|t| {
                    t.accepted.start_time != g.start_time || t.accepted.status != g.status
                })
            })
            .cloned()
            .collect();
        if !schedule_changes.is_empty()
            && let Err(e) = self.store.record_schedule(
                &self.league.key,
                &self.adapter.info().name,
                &schedule_changes,
                "adapter",
                now,
            )
        {
            tracing::warn!(league = %self.league.key, error = %e, "schedule not recorded");
        }
        for game in games {
            let id = game.id.clone();
            let key = self.key(&id);
            let tracked = self.games.get(&id);
            let verdict = validate::judge(
                tracked.map(|t| &t.accepted),
                tracked.and_then(|t| t.held.as_ref()),
                &game,
                BodyTimes {
                    accepted: tracked.and_then(|t| t.accepted_made),
                    next: made,
                },
            );
            match verdict {
                Verdict::Accept | Verdict::Confirmed => {
                    if let Some(discarded) = tracked
                        .and_then(|t| t.held.clone())
                        .filter(|_| verdict == Verdict::Accept)
                    {
                        // The held snapshot was a glitch: the next poll did not repeat it.
                        self.reject(
                            &key,
                            "glitch not confirmed by the next poll",
                            &discarded,
                            now,
                            report,
                        );
                    }
                    // Events before the snapshot: a crash between the two re-derives the same
                    // events (same ids, kept once) from the old snapshot on the next poll,
                    // where the other order would lose them.
                    let events = {
                        let next = Snapshot {
                            key: &key,
                            game: &game,
                            plays: tracked.and_then(|t| t.plays.as_deref()),
                            first_seen: tracked.map_or_else(|| score_of(&game), |t| t.first_seen),
                        };
                        let previous = tracked.map(|t| t.snapshot(&key));
                        diff::diff(previous.as_ref(), &next, now)
                    };
                    if let Err(e) = self.log_events(&key, &events) {
                        report.errors += 1;
                        tracing::warn!(game = %key, error = %e, "events not logged; snapshot not stored");
                        continue;
                    }
                    match self.store.record_game(&key, &game, now) {
                        Ok(recorded) => {
                            report.accepted += 1;
                            log_change(
                                &key,
                                recorded.previous.as_ref(),
                                &game,
                                recorded.state_changed,
                            );
                            let entry = self
                                .games
                                .entry(id)
                                .or_insert_with(|| Tracked::new(game.clone(), false, None));
                            if entry.accepted.status != GameStatus::Final
                                && game.status == GameStatus::Final
                            {
                                entry.settled = false;
                            }
                            entry.accepted = game;
                            entry.accepted_made = made;
                            entry.held = None;
                            entry.held_from = None;
                        }
                        Err(e) => {
                            report.errors += 1;
                            tracing::warn!(game = %key, error = %e, "snapshot not stored");
                        }
                    }
                }
                Verdict::Hold(reason) => {
                    report.held += 1;
                    tracing::warn!(game = %key, %reason, "snapshot held until the next poll confirms it");
                    if let Some(t) = self.games.get_mut(&id) {
                        t.held = Some(game);
                        t.held_from = from.clone();
                    }
                }
                Verdict::Stale(reason) => {
                    self.stale(&id, StaleSource::Scoreboard, &reason, now, report);
                }
                Verdict::Reject(reason) => self.reject(&key, &reason, &game, now, report),
            }
        }
    }

    /// The detail check of game `id`, which the boards stopped listing, is done: unless it
    /// `settled` the game, the game is unconfirmed (stored, logged) and leaves the live views.
    fn vanish_checked(&mut self, id: &str, settled: bool, now: DateTime<Utc>) {
        let key = self.key(id);
        let Some(t) = self.games.get_mut(id) else {
            return;
        };
        if !t.presence.after_check(settled) {
            if settled {
                tracing::info!(game = %key, status = %t.accepted.status, "game no longer listed upstream; its detail settled it");
            }
            return;
        }
        if let Err(e) = self.store.mark_unconfirmed(&key, now) {
            tracing::warn!(game = %key, error = %e, "unconfirmed game not recorded");
        }
        let g = &t.accepted;
        tracing::warn!(
            game = %key,
            status = %g.status,
            score = %format!("{}-{}", g.home.score.unwrap_or(0), g.away.score.unwrap_or(0)),
            "game no longer listed upstream and its detail did not confirm it: unconfirmed, out of the live views"
        );
    }

    /// Drop a stale copy of game `id`: counted, stored for `monitor stats`, logged once per game.
    fn stale(
        &mut self,
        id: &str,
        source: StaleSource,
        reason: &str,
        now: DateTime<Utc>,
        report: &mut RoundReport,
    ) {
        let key = self.key(id);
        report.stale += 1;
        crate::metrics::snapshot_stale(&self.league.key);
        if let Err(e) = self.store.record_stale(&key, source, reason, now) {
            tracing::warn!(game = %key, error = %e, "stale snapshot not recorded");
        }
        let first = self
            .games
            .get_mut(id)
            .is_some_and(|t| !std::mem::replace(&mut t.stale_logged, true));
        if first {
            tracing::warn!(game = %key, source = source.as_str(), %reason, "stale copy dropped (logged once per game; the rest are counted in monitor stats)");
        } else {
            tracing::debug!(game = %key, source = source.as_str(), %reason, "stale copy dropped");
        }
    }

    fn reject(
        &self,
        key: &GameKey,
        reason: &str,
        game: &Game,
        now: DateTime<Utc>,
        report: &mut RoundReport,
    ) {
        report.rejected += 1;
        tracing::warn!(game = %key, %reason, "snapshot rejected");
        crate::metrics::snapshot_rejected(&self.league.key);
        if let Err(e) = self.store.record_rejection(key, reason, game, now) {
            tracing::warn!(game = %key, error = %e, "rejection not recorded");
        }
    }

    async fn scoreboard(
        &self,
        now: DateTime<Utc>,
        day: NaiveDate,
        freshness: Freshness,
    ) -> Result<Board, PollError> {
        let ctx = self.context(now);
        let adapter = self.adapter.clone();
        let request = blocking(move || adapter.scoreboard_request(&ctx, day)).await??;
        let got = self.fetch(&request, freshness).await?;
        let hash = rapidhash::v3::rapidhash_v3(&got.body);
        let same = self.boards.get(&request.url).and_then(|m| m.hash) == Some(hash);
        let result = if same {
            None
        } else {
            let ctx = self.context(now);
            let adapter = self.adapter.clone();
            let body = got.body;
            Some(blocking(move || adapter.parse_scoreboard(&ctx, &body)).await??)
        };
        Ok(Board {
            url: request.url,
            hash,
            result,
            from_cache: got.from_cache,
            made: got.made,
        })
    }

    /// Fetch and parse game `game_id`'s detail; unless it is a stale copy (behind the accepted
    /// snapshot, or made before the last detail used), log the events of its plays and store them.
    async fn detail(
        &self,
        now: DateTime<Utc>,
        game_id: &str,
        freshness: Freshness,
    ) -> Result<DetailOutcome, PollError> {
        let ctx = self.context(now);
        let adapter = self.adapter.clone();
        let id = game_id.to_owned();
        let request = blocking(move || adapter.game_detail_request(&ctx, &id)).await??;
        let Got { body, made, .. } = self.fetch(&request, freshness).await?;
        let ctx = self.context(now);
        let adapter = self.adapter.clone();
        let id = game_id.to_owned();
        let detail = blocking(move || adapter.parse_game_detail(&ctx, &id, &body)).await??;
        if let Some(t) = self.games.get(game_id) {
            let times = BodyTimes {
                accepted: t.detail_made,
                next: made,
            };
            if let Some(reason) = validate::stale(&t.accepted, &detail.game, times) {
                return Ok(DetailOutcome::Stale(reason));
            }
        }
        let key = self.key(game_id);
        if self.store.latest(&key)?.is_some() {
            if let Some(t) = self
                .games
                .get(game_id)
                .filter(|t| t.plays_usable(&detail.scoring_plays))
            {
                let next = Snapshot {
                    plays: Some(&detail.scoring_plays),
                    ..t.snapshot(&key)
                };
                let events = diff::diff(Some(&t.snapshot(&key)), &next, now);
                self.log_events(&key, &events)?;
            }
            self.store
                .record_scoring_plays(&key, &detail.scoring_plays, now)?;
        }
        Ok(DetailOutcome::Fresh {
            detail: Box::new(detail),
            made,
        })
    }

    /// Append `events` to the log and say which were new, one line each.
    fn log_events(&self, key: &GameKey, events: &[Event]) -> Result<(), StoreError> {
        for logged in self.store.record_events(events)? {
            let e = &logged.event;
            crate::metrics::event_logged(&e.league, e.kind.as_str());
            tracing::info!(
                game = %key,
                seq = logged.seq,
                id = %e.id.get(..12).unwrap_or(&e.id),
                catch_up = e.catch_up,
                "event {}",
                e.kind
            );
        }
        Ok(())
    }

    async fn fetch(
        &self,
        request: &PlannedRequest,
        freshness: Freshness,
    ) -> Result<Got, PollError> {
        let FetchOutcome {
            result,
            attempts,
            transitions,
        } = self
            .fetcher
            .get(request, self.adapter_max_body(), freshness)
            .await;
        for a in attempts {
            self.log_call(a);
        }
        for t in transitions {
            self.log_transition(t);
        }
        result
            .map(|f| Got {
                body: f.body,
                from_cache: f.from_cache,
                made: f.made,
            })
            .map_err(|source| PollError::Fetch {
                url: request.url.clone(),
                source,
            })
    }

    fn log_transition(&self, t: HostTransition) {
        if let Err(e) = self.store.record_breaker(&t.into_row()) {
            tracing::warn!(error = %e, "breaker transition not stored");
        }
    }

    fn adapter_max_body(&self) -> usize {
        self.adapter.max_body_bytes()
    }

    fn log_call(&self, a: Attempt) {
        let call = a.into_call(&self.adapter.info().name, &self.league.key);
        if let Err(e) = self.store.record_call(&call) {
            tracing::warn!(error = %e, "upstream call not logged");
        }
    }

    /// Poll on `clock` until `shutdown` turns true; a round in progress finishes first.
    pub async fn run(self, clock: Arc<dyn Clock>, shutdown: watch::Receiver<bool>) {
        self.run_following(clock, shutdown, None).await;
    }

    /// [`run`](Self::run), taking each configuration `updates` publishes (a config reload)
    /// between rounds; a round in progress finishes on the configuration it started with.
    pub async fn run_following(
        mut self,
        clock: Arc<dyn Clock>,
        mut shutdown: watch::Receiver<bool>,
        mut updates: Option<watch::Receiver<LeagueConfig>>,
    ) {
        loop {
            if *shutdown.borrow() {
                break;
            }
            let now = clock.now();
            if now >= self.next_at {
                self.poll(now).await;
                continue;
            }
            let wait = clock.real_wait((self.next_at - now).to_std().unwrap_or_default());
            let update = async {
                match updates.as_mut() {
                    Some(rx) => rx.changed().await.is_ok(),
                    None => std::future::pending().await,
                }
            };
            let reconfigure = tokio::select! {
                _ = tokio::time::sleep(wait) => None,
                _ = shutdown.changed() => None,
                open = update => Some(open),
            };
            match (reconfigure, updates.as_mut()) {
                (Some(true), Some(rx)) => {
                    let league = rx.borrow_and_update().clone();
                    self.reconfigure(league, clock.now());
                }
                // The sender is gone: nothing more will come.
                (Some(false), _) => updates = None,
                _ => {}
            }
        }
        tracing::info!(league = %self.league.key, "poller stopped");
    }
}

/// The cadence of `league` on `adapter`: the config's overrides, else the adapter's suggestion.
fn cadence_of(league: &LeagueConfig, adapter: &Adapter) -> Cadence {
    let suggested = adapter.info().cadence;
    let secs = |o: Option<std::time::Duration>, s: u32| {
        o.and_then(|d| Duration::from_std(d).ok())
            .unwrap_or_else(|| Duration::seconds(i64::from(s.max(1))))
    };
    let c = &league.cadence;
    Cadence {
        idle: secs(c.idle, suggested.idle_secs),
        pregame: secs(c.pregame, suggested.pregame_secs),
        live: secs(c.live, suggested.live_secs),
        settle: secs(c.settle, suggested.settle_secs),
        pregame_window: Duration::from_std(c.pregame_window).unwrap_or(Duration::minutes(30)),
    }
}

/// The ingested schedule rows of `league` under `adapter` that can matter to the cadence around
/// `now`: started at most a day ago (a late start is watched for 6 h) or starting within 8 days
/// (the idle refresh reloads them well before any reaches its pre-game window).
fn ingested_schedule(
    store: &Store,
    league: &str,
    adapter: &str,
    now: DateTime<Utc>,
) -> Result<Vec<ScheduledGame>, StoreError> {
    Ok(store
        .schedule(league, now - Duration::days(1), now + Duration::days(8))?
        .into_iter()
        .filter(|s| s.source == ingest::SOURCE && s.key.adapter == adapter)
        .collect())
}

/// The log lines a newcomer watches: a game going live, a score changing, a game finishing.
fn log_change(key: &GameKey, previous: Option<&Game>, game: &Game, changed: bool) {
    if !changed {
        return;
    }
    let score = |g: &Game| {
        format!(
            "{} {} - {} {}",
            g.home.abbreviation,
            g.home.score.unwrap_or(0),
            g.away.score.unwrap_or(0),
            g.away.abbreviation
        )
    };
    match previous {
        None => tracing::info!(game = %key, status = %game.status, "{}: new game", score(game)),
        Some(p) if p.status != game.status => {
            tracing::info!(game = %key, from = %p.status, to = %game.status, "{}: {}", score(game), game.status_detail)
        }
        Some(p) if (p.home.score, p.away.score) != (game.home.score, game.away.score) => {
            tracing::info!(game = %key, period = ?game.period, clock = ?game.clock, "score: {}", score(game))
        }
        Some(_) => tracing::debug!(game = %key, period = ?game.period, "period: {}", score(game)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_retries_back_off_from_30_s_to_15_min() {
        let secs: Vec<i64> = (1..=8).map(|n| detail_backoff(n).num_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 900, 900, 900]);
    }
}
