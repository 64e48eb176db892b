//! `scoreline backfill`: fetch past days of one league into the store through the same host path
//! as the poller (the adapter plans the scoreboard request, the fetcher gets it, the adapter
//! parses it in the sandbox, `validate` judges each snapshot, the store commits it), then the game
//! detail of every final game for its scoring plays. One day at a time: a day that fails is
//! logged and reported, and the next day goes on.
//!
//! A backfilled snapshot is judged against the stored one like a polled one. One the validator
//! would hold (a score going backwards, say) is not stored: no next poll will confirm it, so it is
//! counted as held and a later run stores it only if upstream still says so.

use crate::blocking::{TaskFailed, blocking};
use crate::config::{Config, LeagueConfig};
use crate::fetch::{Body, FetchError, Fetcher, Freshness};
use crate::registry::Registry;
use crate::sandbox::{Adapter, CallContext, CallError, LoadError, Sandbox};
use chrono::{DateTime, NaiveDate, Utc};
use scoreline_core::clock::Clock;
use scoreline_core::model::GameKey;
use scoreline_core::model::{Game, GameStatus, PlannedRequest};
use scoreline_core::validate::{self, BodyTimes, Verdict};
use scoreline_emulator::Emulator;
use scoreline_store::{Store, StoreError};
use std::sync::Arc;

/// The longest range one backfill takes, in days.
pub const MAX_DAYS: i64 = 366;

/// A backfill that could not start.
#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    /// The league is not an enabled league of the config.
    #[error("league `{0}` is not an enabled league of the config")]
    UnknownLeague(String),
    /// `--from` is after `--to`, or the range is too long.
    #[error("date range {from}..{to} {message}")]
    Range {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
        /// What is wrong.
        message: String,
    },
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The sandbox or the plugin directory failed.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The league's adapter is not in the plugin directory.
    #[error(
        "adapter `{adapter}` of league `{league}` is not in `{dir}` ({failed} component(s) failed to \
         load); run `scoreline plugin build` first"
    )]
    AdapterMissing {
        /// The adapter.
        adapter: String,
        /// The league.
        league: String,
        /// The plugin directory.
        dir: String,
        /// Components that failed to load.
        failed: usize,
    },
    /// The adapter does not serve the league.
    #[error("adapter `{adapter}` does not serve league `{league}`")]
    NotServed {
        /// The adapter.
        adapter: String,
        /// The league.
        league: String,
    },
    /// The emulator could not start.
    #[error("emulator: {0}")]
    Emulator(String),
    /// The upstream client could not be built.
    #[error("upstream client: {0}")]
    Fetch(#[from] FetchError),
}

/// What one step of a day failed on.
#[derive(Debug, thiserror::Error)]
pub enum DayError {
    /// The adapter failed or faulted.
    #[error("adapter: {0}")]
    Adapter(#[from] CallError),
    /// The upstream fetch failed.
    #[error("fetch `{url}`: {source}")]
    Fetch {
        /// The planned URL.
        url: String,
        /// The cause.
        source: FetchError,
    },
    /// The store refused a write.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A blocking step did not finish.
    #[error(transparent)]
    Join(#[from] TaskFailed),
    /// A game's detail failed.
    #[error("game `{game_id}` detail: {source}")]
    Detail {
        /// The game.
        game_id: String,
        /// The cause.
        source: Box<DayError>,
    },
}

/// One day's outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayReport {
    /// The sports day.
    pub day: NaiveDate,
    /// Games on the scoreboard.
    pub games: usize,
    /// Snapshots committed.
    pub stored: usize,
    /// Snapshots the validator held (not stored).
    pub held: usize,
    /// Snapshots behind the stored one (stale copies; not stored).
    pub stale: usize,
    /// Snapshots rejected.
    pub rejected: usize,
    /// Final games among them.
    pub finals: usize,
    /// Game details parsed.
    pub details: usize,
    /// Scoring plays recorded (new or unchanged).
    pub plays: usize,
    /// What failed, in order.
    pub errors: Vec<String>,
}

impl DayReport {
    /// Some step of the day failed.
    pub fn failed(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// Fetches past days of one league.
pub struct Backfill {
    league: LeagueConfig,
    adapter: Adapter,
    fetcher: Fetcher,
    store: Store,
    clock: Arc<dyn Clock>,
}

impl Backfill {
    /// A backfill of `league` through `adapter` and `fetcher` into `store`; `clock` stamps what
    /// is stored.
    pub fn new(
        league: LeagueConfig,
        adapter: Adapter,
        fetcher: Fetcher,
        store: Store,
        clock: Arc<dyn Clock>,
    ) -> Backfill {
        Backfill {
            league,
            adapter,
            fetcher,
            store,
            clock,
        }
    }

    fn context(&self, now: DateTime<Utc>) -> CallContext {
        self.league.call_context(now)
    }

    fn key(&self, game_id: &str) -> GameKey {
        self.league.game_key(&self.adapter.info().name, game_id)
    }

    /// Fetch, validate and store sports day `day`, then the details of its final games.
    pub async fn day(&self, day: NaiveDate) -> DayReport {
        let mut report = DayReport {
            day,
            ..DayReport::default()
        };
        let now = self.clock.now();
        let games = match self.scoreboard(now, day).await {
            Ok(games) => games,
            Err(e) => {
                tracing::warn!(league = %self.league.key, %day, error = %e, "backfill day failed");
                report.errors.push(e.to_string());
                return report;
            }
        };
        report.games = games.len();
        let adapter = self.adapter.info().name.as_str();
        if let Err(e) = self
            .store
            .record_schedule(&self.league.key, adapter, &games, adapter, now)
        {
            report.errors.push(format!("schedule: {e}"));
        }
        for game in games {
            let final_game = game.status == GameStatus::Final;
            report.finals += usize::from(final_game);
            let id = game.id.clone();
            let stored = match self.absorb(game, now, &mut report) {
                Ok(stored) => stored,
                Err(e) => {
                    tracing::warn!(league = %self.league.key, game_id = %id, error = %e, "snapshot not stored");
                    report.errors.push(format!("game `{id}`: {e}"));
                    false
                }
            };
            if final_game && stored {
                match self.detail(now, &id).await {
                    Ok(plays) => {
                        report.details += 1;
                        report.plays += plays;
                    }
                    Err(e) => {
                        let e = DayError::Detail {
                            game_id: id.clone(),
                            source: Box::new(e),
                        };
                        tracing::warn!(league = %self.league.key, game_id = %id, error = %e, "backfill detail failed");
                        report.errors.push(e.to_string());
                    }
                }
            }
        }
        tracing::info!(
            league = %self.league.key, %day, games = report.games, stored = report.stored,
            plays = report.plays, errors = report.errors.len(), "backfill day done"
        );
        report
    }

    /// Judge `game` against the stored snapshot and store it if it passes. Returns whether the
    /// store now has the game.
    fn absorb(
        &self,
        game: Game,
        now: DateTime<Utc>,
        report: &mut DayReport,
    ) -> Result<bool, StoreError> {
        let key = self.key(&game.id);
        let previous = self.store.latest(&key)?;
        match validate::judge(previous.as_ref(), None, &game, BodyTimes::default()) {
            Verdict::Accept | Verdict::Confirmed => {
                self.store.record_game(&key, &game, now)?;
                report.stored += 1;
                Ok(true)
            }
            Verdict::Hold(reason) => {
                report.held += 1;
                tracing::warn!(game = %key, %reason, "backfilled snapshot held: not stored");
                Ok(previous.is_some())
            }
            Verdict::Stale(reason) => {
                report.stale += 1;
                tracing::info!(game = %key, %reason, "backfilled snapshot older than the stored one: not stored");
                Ok(true)
            }
            Verdict::Reject(reason) => {
                report.rejected += 1;
                tracing::warn!(game = %key, %reason, "backfilled snapshot rejected");
                self.store.record_rejection(&key, &reason, &game, now)?;
                Ok(previous.is_some())
            }
        }
    }

    async fn scoreboard(&self, now: DateTime<Utc>, day: NaiveDate) -> Result<Vec<Game>, DayError> {
        let ctx = self.context(now);
        let adapter = self.adapter.clone();
        let request = blocking(move || adapter.scoreboard_request(&ctx, day)).await??;
        let body = self.fetch(&request).await?;
        let ctx = self.context(now);
        let adapter = self.adapter.clone();
        Ok(blocking(move || adapter.parse_scoreboard(&ctx, &body))
            .await??
            .games)
    }

    /// Fetch and parse `game_id`'s detail and record its scoring plays; returns how many.
    async fn detail(&self, now: DateTime<Utc>, game_id: &str) -> Result<usize, DayError> {
        let ctx = self.context(now);
        let adapter = self.adapter.clone();
        let id = game_id.to_owned();
        let request = blocking(move || adapter.game_detail_request(&ctx, &id)).await??;
        let body = self.fetch(&request).await?;
        let ctx = self.context(now);
        let adapter = self.adapter.clone();
        let id = game_id.to_owned();
        let detail = blocking(move || adapter.parse_game_detail(&ctx, &id, &body)).await??;
        self.store
            .record_scoring_plays(&self.key(game_id), &detail.scoring_plays, now)?;
        Ok(detail.scoring_plays.len())
    }

    async fn fetch(&self, request: &PlannedRequest) -> Result<Body, DayError> {
        // Past days never change under us, but a backfill is a one-off: always ask upstream.
        let outcome = self
            .fetcher
            .get(request, self.adapter.max_body_bytes(), Freshness::Settle)
            .await;
        let (adapter, league) = (&self.adapter.info().name, &self.league.key);
        for a in outcome.attempts {
            if let Err(e) = self.store.record_call(&a.into_call(adapter, league)) {
                tracing::warn!(error = %e, "upstream call not logged");
            }
        }
        for t in outcome.transitions {
            if let Err(e) = self.store.record_breaker(&t.into_row()) {
                tracing::warn!(error = %e, "breaker transition not stored");
            }
        }
        outcome
            .result
            .map(|f| f.body)
            .map_err(|source| DayError::Fetch {
                url: request.url.clone(),
                source,
            })
    }
}

/// The days `from..=to`, checked against [`MAX_DAYS`].
pub fn days(from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>, BackfillError> {
    let range = |message: String| BackfillError::Range { from, to, message };
    if from > to {
        return Err(range("ends before it starts".into()));
    }
    let n = (to - from).num_days() + 1;
    if n > MAX_DAYS {
        return Err(range(format!(
            "is {n} days; backfill at most {MAX_DAYS} at a time"
        )));
    }
    Ok(from.iter_days().take_while(|d| *d <= to).collect())
}

/// Backfill `league` of `config` for `from..=to`: open the store, load the league's adapter from
/// the plugin directory, start the emulator when the config has one, then fetch day by day,
/// handing each day's report to `on_day`.
pub async fn run(
    config: &Config,
    league: &str,
    from: NaiveDate,
    to: NaiveDate,
    clock: Arc<dyn Clock>,
    mut on_day: impl FnMut(&DayReport),
) -> Result<Vec<DayReport>, BackfillError> {
    let days = days(from, to)?;
    let league = config
        .leagues
        .iter()
        .find(|l| l.key == league)
        .cloned()
        .ok_or_else(|| BackfillError::UnknownLeague(league.to_owned()))?;
    let store = Store::open(&config.data_dir)?;
    // Backfilled points go to the sinks too (forwarded by the next `run`).
    store.enable_point_outbox(!config.sinks.is_empty());
    let sandbox = Sandbox::new(config.sandbox.clone())?;
    let (registry, load_errors) = Registry::load_dir_blocking(&sandbox, &config.plugin_dir).await?;
    let adapter =
        registry
            .get(&league.adapter)
            .cloned()
            .ok_or_else(|| BackfillError::AdapterMissing {
                adapter: league.adapter.clone(),
                league: league.key.clone(),
                dir: config.plugin_dir.display().to_string(),
                failed: load_errors.len(),
            })?;
    if !adapter.serves(&league.key) {
        return Err(BackfillError::NotServed {
            adapter: league.adapter.clone(),
            league: league.key.clone(),
        });
    }
    let emulator = match &config.emulator {
        Some(ec) => Some(
            Emulator::start(ec.clone(), clock.clone())
                .await
                .map_err(|e| BackfillError::Emulator(e.to_string()))?,
        ),
        None => None,
    };
    let fetcher = Fetcher::new(
        config.upstream.clone(),
        emulator.as_ref().map(Emulator::base_url),
        clock.clone(),
    )?;
    let backfill = Backfill::new(league, adapter, fetcher, store.clone(), clock);
    let mut reports = Vec::with_capacity(days.len());
    for day in days {
        let report = backfill.day(day).await;
        on_day(&report);
        reports.push(report);
    }
    if let Some(e) = emulator {
        e.shutdown().await;
    }
    match tokio::task::spawn_blocking(move || store.checkpoint()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "store checkpoint failed"),
        Err(e) => tracing::warn!(error = %e, "store checkpoint task failed"),
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_ranges_are_inclusive_and_bounded() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            days(d("2024-06-30"), d("2024-07-02")).unwrap(),
            vec![d("2024-06-30"), d("2024-07-01"), d("2024-07-02")]
        );
        assert_eq!(days(d("2024-07-01"), d("2024-07-01")).unwrap().len(), 1);
        assert_eq!(
            days(d("2024-07-02"), d("2024-07-01"))
                .unwrap_err()
                .to_string(),
            "date range 2024-07-02..2024-07-01 ends before it starts"
        );
        assert_eq!(days(d("2024-01-01"), d("2024-12-31")).unwrap().len(), 366);
        assert_eq!(
            days(d("2024-01-01"), d("2025-01-01"))
                .unwrap_err()
                .to_string(),
            "date range 2024-01-01..2025-01-01 is 367 days; backfill at most 366 at a time"
        );
    }
}
