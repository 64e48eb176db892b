//! `scoreline monitor`: the operator's views of the store. `stats` sums the upstream call log per
//! day, host and league (errors, retries, cache hit rate, bytes, latency), shows each host's
//! circuit-breaker state and compares the calls made with what a fixed-interval poller would have
//! made; `failures` lists upstream failures, rejected snapshots and breakers that opened.
//! Aggregation and rendering are pure (rows and time in, report out); only [`stats`] and
//! [`failures`] read the store.

use chrono::{DateTime, Duration as ChronoDuration, NaiveDate, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use scoreline_core::upstream::breaker::BreakerState;
use scoreline_store::{
    BreakerTransition, CallBucket, FailureGroup, Rejection, RejectionReason, Store, StoreError,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The call log is summed in buckets of this size. Every zone's UTC offset today is a whole number
/// of quarter hours, so a local day is a whole number of buckets and days are exact.
pub const BUCKET: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// How many of the latest rejected snapshots `failures` lists.
pub const LATEST_REJECTIONS: usize = 10;

/// A monitor view could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The window reaches outside the calendar.
    #[error("a window of {hours} h before {now} is out of range")]
    Window {
        /// The window's length.
        hours: u64,
        /// Its end.
        now: DateTime<Utc>,
    },
}

/// What `monitor stats` looks at.
#[derive(Debug, Clone)]
pub struct StatsQuery {
    /// The window's end (exclusive).
    pub now: DateTime<Utc>,
    /// The window's length.
    pub hours: u32,
    /// The zone whose calendar days the rows are per.
    pub timezone: Tz,
    /// The fixed-interval poller's period, seconds (at least 1).
    pub fixed_interval_secs: u32,
    /// Leagues enabled in the configuration (the estimate covers them and every league seen).
    pub configured_leagues: Vec<String>,
    /// `[retention] upstream_calls`: calls older than this were deleted; none if kept forever.
    pub call_log_retention: Option<std::time::Duration>,
    /// Names of the configured `[[sinks]]`.
    pub sinks: Vec<String>,
}

/// Sums over a set of calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Calls logged, cache hits included.
    pub calls: u64,
    /// Calls with status >= 400 or an error.
    pub errors: u64,
    /// Retries (attempt > 1).
    pub retries: u64,
    /// Calls answered from the response cache.
    pub cache_hits: u64,
    /// `cache_hits / calls`, 0 to 1, rounded to 4 places; 0 with no calls.
    pub cache_hit_rate: f64,
    /// Calls that went upstream: `calls - cache_hits`.
    pub upstream_requests: u64,
    /// Body bytes received from upstream.
    pub bytes: u64,
    /// Mean latency of the upstream requests, ms, rounded to 2 places; none without any.
    pub mean_latency_ms: Option<f64>,
    /// Largest latency of an upstream request, ms.
    pub max_latency_ms: Option<u64>,
}

/// Calls of one host and league on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayRow {
    /// Calendar day in the report's zone.
    pub day: NaiveDate,
    /// Host.
    pub host: String,
    /// League.
    pub league: String,
    /// The sums.
    #[serde(flatten)]
    pub counts: Counts,
}

/// Calls of one host and league over the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairRow {
    /// Host.
    pub host: String,
    /// League.
    pub league: String,
    /// The sums.
    #[serde(flatten)]
    pub counts: Counts,
}

/// Calls of one host over the window, with its breaker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostRow {
    /// Host.
    pub host: String,
    /// The sums.
    #[serde(flatten)]
    pub counts: Counts,
    /// The host's latest breaker transition (its current state), whenever it was; none if its
    /// breaker never changed state (closed).
    pub breaker: Option<BreakerTransition>,
}

/// The fixed-interval poller's calls on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixedDay {
    /// Calendar day in the report's zone.
    pub day: NaiveDate,
    /// Scoreboard polls the fixed poller would have made in the window's part of that day.
    pub estimated_calls: u64,
    /// Upstream requests made that day (cache hits excluded, retries included).
    pub actual_calls: u64,
    /// `100 * (estimated - actual) / estimated`, rounded to 2 places; none when nothing was
    /// estimated. Negative when more calls were made.
    pub saved_percent: Option<f64>,
}

/// What a poller fetching every league's scoreboard every `interval_secs`, all day, would have
/// made over the window, against the upstream requests really made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixedEstimate {
    /// The fixed poller's period.
    pub interval_secs: u32,
    /// The leagues it polls: every league in the window's calls and every configured one.
    pub leagues: Vec<String>,
    /// Polls per league over the window: `ceil(window / interval)`.
    pub polls_per_league: u64,
    /// `polls_per_league * leagues`.
    pub estimated_calls: u64,
    /// Upstream requests made (cache hits excluded, retries included).
    pub actual_calls: u64,
    /// `100 * (estimated - actual) / estimated`, rounded to 2 places.
    pub saved_percent: Option<f64>,
    /// The same per calendar day.
    pub days: Vec<FixedDay>,
}

/// `scoreline monitor stats`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsReport {
    /// Window start (inclusive).
    pub since: DateTime<Utc>,
    /// Window end (exclusive).
    pub until: DateTime<Utc>,
    /// The zone of `day`.
    pub timezone: String,
    /// Per day, host and league, by day, host, league.
    pub days: Vec<DayRow>,
    /// Per host and league over the window.
    pub upstream: Vec<PairRow>,
    /// Per host over the window, with breaker state; hosts with a breaker state but no calls too.
    pub hosts: Vec<HostRow>,
    /// Every call in the window.
    pub totals: Counts,
    /// The fixed-interval comparison.
    pub fixed_interval: FixedEstimate,
    /// Snapshots the validator rejected in the window.
    pub rejected_snapshots: u64,
    /// Snapshots dropped as stale copies in the window (behind the accepted one).
    pub stale_snapshots: u64,
    /// What makes the numbers less than they seem (a window longer than the call log is kept).
    pub warnings: Vec<String>,
    /// Per configured sink: cursor, pending points, acknowledged, rejected, dropped.
    pub sinks: Vec<scoreline_store::SinkStat>,
}

/// `scoreline monitor failures`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailuresReport {
    /// Window start (inclusive).
    pub since: DateTime<Utc>,
    /// Window end (exclusive).
    pub until: DateTime<Utc>,
    /// Upstream calls with status >= 400 or an error.
    pub upstream: UpstreamFailures,
    /// Snapshots the validator refused.
    pub rejections: Rejections,
    /// Breaker transitions into `open`, oldest first.
    pub breakers_opened: Vec<BreakerTransition>,
    /// The scoring-play checks of the games updated in the window.
    pub scoring_quality: ScoringQuality,
    /// Games upstream stopped listing while in play that their detail did not confirm (any
    /// age: they stay until seen again), the longest unconfirmed first.
    pub unconfirmed_games: Vec<scoreline_store::UnconfirmedGame>,
}

/// What the scoring-play checks found in the games updated in a window.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScoringQuality {
    /// Games with scoring plays updated in the window.
    pub games_checked: usize,
    /// Of those, the games with at least one issue.
    pub games_with_issues: usize,
    /// Every issue, by game and sequence.
    pub issues: Vec<scoreline_core::scorers::QualityIssue>,
}

/// Upstream failures in a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpstreamFailures {
    /// How many.
    pub total: u64,
    /// By host, league, status and error; the most frequent first.
    pub groups: Vec<FailureGroup>,
}

/// Rejected snapshots in a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejections {
    /// How many.
    pub total: u64,
    /// Per reason; the most frequent first.
    pub reasons: Vec<RejectionReason>,
    /// The latest few, newest first.
    pub latest: Vec<Rejection>,
}

/// The window `[now - hours, now)`.
pub fn window(now: DateTime<Utc>, hours: u64) -> Result<DateTime<Utc>, MonitorError> {
    i64::try_from(hours)
        .ok()
        .and_then(ChronoDuration::try_hours)
        .and_then(|h| now.checked_sub_signed(h))
        .ok_or(MonitorError::Window { hours, now })
}

/// Read the store and build [`StatsReport`] for `q`.
pub fn stats(store: &Store, q: &StatsQuery) -> Result<StatsReport, MonitorError> {
    let since = window(q.now, u64::from(q.hours))?;
    let buckets = store.call_buckets(since, q.now, BUCKET)?;
    let breakers = store.breaker_states()?;
    let rejected = store.rejections_between(since, q.now)?;
    let mut report = build_stats(q, since, &buckets, &breakers, rejected);
    report.stale_snapshots = store.stale_between(since, q.now)?;
    report.sinks = store.sink_stats(&q.sinks)?;
    Ok(report)
}

/// Read the store and build [`FailuresReport`] for the `days` before `now`.
pub fn failures(
    store: &Store,
    now: DateTime<Utc>,
    days: u32,
) -> Result<FailuresReport, MonitorError> {
    let since = window(now, u64::from(days) * 24)?;
    let groups = store.failure_groups(since, now)?;
    let reasons = store.rejection_reasons(since, now)?;
    let latest = store.latest_rejections(since, now, LATEST_REJECTIONS)?;
    let opened = store.breaker_transitions(since, now, Some(BreakerState::Open))?;
    let quality =
        scoreline_core::scorers::quality(&store.games_with_plays_between(since, now)?, now);
    let mut report = build_failures(since, now, groups, reasons, latest, opened);
    report.scoring_quality = ScoringQuality {
        games_checked: quality.games_checked,
        games_with_issues: quality.games_with_issues,
        issues: quality.issues,
    };
    report.unconfirmed_games = store.unconfirmed_games()?;
    Ok(report)
}

/// Running sums, turned into [`Counts`] at the end.
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    calls: u64,
    errors: u64,
    retries: u64,
    cache_hits: u64,
    bytes: u64,
    latency_sum_ms: u64,
    max_latency_ms: Option<u64>,
}

impl Acc {
    fn add(&mut self, b: &CallBucket) {
        self.calls += b.calls;
        self.errors += b.errors;
        self.retries += b.retries;
        self.cache_hits += b.cache_hits;
        self.bytes += b.bytes;
        self.latency_sum_ms += b.latency_sum_ms;
        self.max_latency_ms = self.max_latency_ms.max(b.max_latency_ms);
    }

    fn upstream(&self) -> u64 {
        self.calls.saturating_sub(self.cache_hits)
    }

    fn counts(&self) -> Counts {
        let upstream = self.upstream();
        Counts {
            calls: self.calls,
            errors: self.errors,
            retries: self.retries,
            cache_hits: self.cache_hits,
            cache_hit_rate: ratio(self.cache_hits, self.calls, 4).unwrap_or(0.0),
            upstream_requests: upstream,
            bytes: self.bytes,
            mean_latency_ms: ratio(self.latency_sum_ms, upstream, 2),
            max_latency_ms: self.max_latency_ms,
        }
    }
}

/// `n / d` rounded to `places` decimals; none when `d` is 0.
fn ratio(n: u64, d: u64, places: i32) -> Option<f64> {
    (d > 0).then(|| round(n as f64 / d as f64, places))
}

fn round(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (x * scale).round() / scale
}

/// `100 * (estimated - actual) / estimated`, rounded to 2 places.
pub fn saved_percent(estimated: u64, actual: u64) -> Option<f64> {
    (estimated > 0).then(|| {
        round(
            100.0 * (estimated as f64 - actual as f64) / estimated as f64,
            2,
        )
    })
}

/// Polls a poller starting at `start` and repeating every `interval_ms` makes in `[from, to)`.
pub fn ticks_between(start: i64, interval_ms: i64, from: i64, to: i64) -> u64 {
    let interval = interval_ms.max(1);
    // Polls strictly before `x`: k >= 0 with start + k * interval < x.
    let before = |x: i64| -> i64 {
        if x <= start {
            0
        } else {
            (x - start + interval - 1) / interval
        }
    };
    u64::try_from(before(to.max(from)) - before(from)).unwrap_or(0)
}

/// The first instant of `day` in `tz`: local midnight, or the first local time after it that
/// exists where a DST change skips midnight.
pub fn day_start(tz: Tz, day: NaiveDate) -> Option<DateTime<Utc>> {
    let midnight = day.and_hms_opt(0, 0, 0)?;
    (0..=24 * 4).find_map(|quarter| {
        let local = midnight + ChronoDuration::minutes(15 * quarter);
        tz.from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// The calendar day of `t` in `tz`.
fn local_day(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// Sum the call buckets of `[since, q.now)` into a [`StatsReport`]. Pure.
pub fn build_stats(
    q: &StatsQuery,
    since: DateTime<Utc>,
    buckets: &[CallBucket],
    breakers: &[BreakerTransition],
    rejected_snapshots: u64,
) -> StatsReport {
    let tz = q.timezone;
    let mut days: BTreeMap<(NaiveDate, &str, &str), Acc> = BTreeMap::new();
    let mut pairs: BTreeMap<(&str, &str), Acc> = BTreeMap::new();
    let mut hosts: BTreeMap<&str, Acc> = BTreeMap::new();
    let mut made_per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let mut total = Acc::default();
    let mut leagues: BTreeSet<String> = q.configured_leagues.iter().cloned().collect();
    for b in buckets {
        let day = local_day(tz, b.start);
        days.entry((day, &b.host, &b.league)).or_default().add(b);
        pairs.entry((&b.host, &b.league)).or_default().add(b);
        hosts.entry(&b.host).or_default().add(b);
        total.add(b);
        let mut one = Acc::default();
        one.add(b);
        *made_per_day.entry(day).or_default() += one.upstream();
        leagues.insert(b.league.clone());
    }
    for t in breakers {
        hosts.entry(&t.host).or_default();
    }
    let breaker_of = |host: &str| breakers.iter().find(|t| t.host == host).cloned();

    // The fixed poller: one poll per league at `since`, then every interval until `now`.
    let interval_ms = i64::from(q.fixed_interval_secs.max(1)) * 1_000;
    let (start, end) = (since.timestamp_millis(), q.now.timestamp_millis());
    let league_count = leagues.len() as u64;
    let polls_per_league = ticks_between(start, interval_ms, start, end);
    let mut fixed_days = Vec::new();
    if end > start {
        let mut day = local_day(tz, since);
        let last = local_day(tz, q.now - ChronoDuration::milliseconds(1));
        while day <= last {
            let Some(next) = day.succ_opt() else { break };
            let from = day_start(tz, day).map_or(start, |t| t.timestamp_millis().max(start));
            let to = day_start(tz, next).map_or(end, |t| t.timestamp_millis().min(end));
            let estimated = ticks_between(start, interval_ms, from, to) * league_count;
            let actual = made_per_day.get(&day).copied().unwrap_or(0);
            fixed_days.push(FixedDay {
                day,
                estimated_calls: estimated,
                actual_calls: actual,
                saved_percent: saved_percent(estimated, actual),
            });
            day = next;
        }
    }
    let estimated = polls_per_league * league_count;
    let mut warnings = Vec::new();
    if let Some(kept) = q.call_log_retention
        && u64::from(q.hours) * 3_600 > kept.as_secs()
    {
        warnings.push(format!(
            "the window ({} h) is longer than the call log is kept ([retention] upstream_calls = \
             {}): older calls were deleted, so counts are low and saved % is high",
            q.hours,
            scoreline_core::age::format_age(kept)
        ));
    }
    StatsReport {
        since,
        until: q.now,
        timezone: tz.name().to_owned(),
        days: days
            .into_iter()
            .map(|((day, host, league), a)| DayRow {
                day,
                host: host.to_owned(),
                league: league.to_owned(),
                counts: a.counts(),
            })
            .collect(),
        upstream: pairs
            .into_iter()
            .map(|((host, league), a)| PairRow {
                host: host.to_owned(),
                league: league.to_owned(),
                counts: a.counts(),
            })
            .collect(),
        hosts: hosts
            .into_iter()
            .map(|(host, a)| HostRow {
                host: host.to_owned(),
                counts: a.counts(),
                breaker: breaker_of(host),
            })
            .collect(),
        totals: total.counts(),
        fixed_interval: FixedEstimate {
            interval_secs: q.fixed_interval_secs.max(1),
            leagues: leagues.into_iter().collect(),
            polls_per_league,
            estimated_calls: estimated,
            actual_calls: total.upstream(),
            saved_percent: saved_percent(estimated, total.upstream()),
            days: fixed_days,
        },
        rejected_snapshots,
        stale_snapshots: 0,
        warnings,
        sinks: Vec::new(),
    }
}

/// Put the failure queries' rows together. Pure.
pub fn build_failures(
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    groups: Vec<FailureGroup>,
    reasons: Vec<RejectionReason>,
    latest: Vec<Rejection>,
    breakers_opened: Vec<BreakerTransition>,
) -> FailuresReport {
    FailuresReport {
        since,
        until,
        upstream: UpstreamFailures {
            total: groups.iter().map(|g| g.count).sum(),
            groups,
        },
        rejections: Rejections {
            total: reasons.iter().map(|r| r.count).sum(),
            reasons,
            latest,
        },
        breakers_opened,
        scoring_quality: ScoringQuality::default(),
        unconfirmed_games: Vec::new(),
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}%"))
}

const COUNTS_HEADER: &str = "  calls errors retries cached   hit%      bytes  mean ms  max ms";

fn counts_cells(c: &Counts) -> String {
    format!(
        "{:>7} {:>6} {:>7} {:>6} {:>5.1}% {:>10} {:>8} {:>7}",
        c.calls,
        c.errors,
        c.retries,
        c.cache_hits,
        c.cache_hit_rate * 100.0,
        c.bytes,
        c.mean_latency_ms
            .map_or_else(|| "-".to_owned(), |m| format!("{m:.1}")),
        opt(c.max_latency_ms)
    )
}

/// The text form of [`StatsReport`]: one table per day, host and league, one per host with its
/// breaker, the fixed-interval comparison per day. Pure.
pub fn render_stats(r: &StatsReport) -> String {
    let mut s = String::new();
    let hours = (r.until - r.since).num_hours();
    let _ = writeln!(
        s,
        "upstream calls {} to {} ({hours} h), days in {}",
        time(r.since),
        time(r.until),
        r.timezone
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<10}  {:<22} {:<14}{COUNTS_HEADER}",
        "day", "host", "league"
    );
    for d in &r.days {
        let _ = writeln!(
            s,
            "{:<10}  {:<22} {:<14}{}",
            d.day.to_string(),
            d.host,
            d.league,
            counts_cells(&d.counts)
        );
    }
    let _ = writeln!(
        s,
        "{:<10}  {:<22} {:<14}{}",
        "total",
        "",
        "",
        counts_cells(&r.totals)
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "{:<22}{COUNTS_HEADER}  breaker", "host");
    for h in &r.hosts {
        let breaker = match &h.breaker {
            Some(b) => format!("{} since {} ({})", b.state, time(b.at), b.reason),
            None => "closed".to_owned(),
        };
        let _ = writeln!(s, "{:<22}{}  {breaker}", h.host, counts_cells(&h.counts));
    }
    let f = &r.fixed_interval;
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "fixed-interval poller: every {} s, all day, {} league(s) ({}): {} polls each",
        f.interval_secs,
        f.leagues.len(),
        f.leagues.join(", "),
        f.polls_per_league
    );
    let _ = writeln!(
        s,
        "{:<10}  {:>10} {:>10} {:>9}",
        "day", "fixed", "made", "saved"
    );
    for d in &f.days {
        let _ = writeln!(
            s,
            "{:<10}  {:>10} {:>10} {:>9}",
            d.day.to_string(),
            d.estimated_calls,
            d.actual_calls,
            percent(d.saved_percent)
        );
    }
    let _ = writeln!(
        s,
        "{:<10}  {:>10} {:>10} {:>9}",
        "total",
        f.estimated_calls,
        f.actual_calls,
        percent(f.saved_percent)
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "rejected snapshots: {}", r.rejected_snapshots);
    let _ = writeln!(s, "stale snapshots: {}", r.stale_snapshots);
    if !r.sinks.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{:<20} {:>10} {:>12} {:>10} {:>9}  oldest pending",
            "sink", "pending", "acked", "rejected", "dropped"
        );
        for k in &r.sinks {
            let _ = writeln!(
                s,
                "{:<20} {:>10} {:>12} {:>10} {:>9}  {}",
                k.sink,
                k.pending,
                k.acked,
                k.rejected,
                k.dropped,
                k.oldest_pending_at.map_or_else(|| "-".to_owned(), time)
            );
        }
    }
    for w in &r.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}

/// The text form of [`FailuresReport`]. Pure.
pub fn render_failures(r: &FailuresReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "failures {} to {}", time(r.since), time(r.until));
    let _ = writeln!(s);
    let _ = writeln!(s, "upstream failures: {}", r.upstream.total);
    if !r.upstream.groups.is_empty() {
        let _ = writeln!(
            s,
            "{:>6}  {:<22} {:<14} {:>6}  {:<20}  {:<20}  error",
            "count", "host", "league", "status", "first", "last"
        );
    }
    for g in &r.upstream.groups {
        let _ = writeln!(
            s,
            "{:>6}  {:<22} {:<14} {:>6}  {:<20}  {:<20}  {}",
            g.count,
            g.host,
            g.league,
            opt(g.status),
            time(g.first_at),
            time(g.last_at),
            g.error.as_deref().unwrap_or("-")
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "rejected snapshots: {}", r.rejections.total);
    if !r.rejections.reasons.is_empty() {
        let _ = writeln!(s, "{:>6}  {:<20}  {:<20}  reason", "count", "first", "last");
    }
    for g in &r.rejections.reasons {
        let _ = writeln!(
            s,
            "{:>6}  {:<20}  {:<20}  {}",
            g.count,
            time(g.first_at),
            time(g.last_at),
            g.reason
        );
    }
    if !r.rejections.latest.is_empty() {
        let _ = writeln!(s, "latest:");
    }
    for l in &r.rejections.latest {
        let _ = writeln!(s, "  {}  {}  {}", time(l.at), l.key, l.reason);
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "breakers opened: {}", r.breakers_opened.len());
    for b in &r.breakers_opened {
        let _ = writeln!(s, "  {}  {}  {}", time(b.at), b.host, b.reason);
    }
    let q = &r.scoring_quality;
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "scoring plays: {} of {} game(s) with issues",
        q.games_with_issues, q.games_checked
    );
    for i in &q.issues {
        let _ = writeln!(s, "  {}  {:<17}  {}", i.key, i.kind.as_str(), i.detail);
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "unconfirmed games: {}", r.unconfirmed_games.len());
    for u in &r.unconfirmed_games {
        let g = &u.game;
        let _ = writeln!(
            s,
            "  {}  {} {}-{} {}  {}  last seen {}  unconfirmed since {}",
            u.key,
            g.home.abbreviation,
            opt(g.home.score),
            opt(g.away.score),
            g.away.abbreviation,
            g.status,
            time(u.updated_at),
            time(u.unconfirmed_since)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn bucket(start: &str, host: &str, league: &str, sums: [u64; 6]) -> CallBucket {
        let [calls, errors, retries, cache_hits, bytes, latency_sum_ms] = sums;
        CallBucket {
            start: at(start),
            host: host.into(),
            league: league.into(),
            calls,
            errors,
            retries,
            cache_hits,
            bytes,
            latency_sum_ms,
            max_latency_ms: (calls > cache_hits).then_some(latency_sum_ms),
        }
    }

    #[test]
    fn sinks_are_rendered_when_configured() {
        let q = query("2026-11-22T00:00:00Z", 24, chrono_tz::UTC);
        let mut r = build_stats(&q, at("2026-11-21T00:00:00Z"), &[], &[], 0);
        assert!(!render_stats(&r).contains("pending"));
        r.sinks = vec![scoreline_store::SinkStat {
            sink: "influx".into(),
            cursor: 10,
            pending: 42,
            oldest_pending_at: Some(at("2026-11-21T23:00:00Z")),
            acked: 1000,
            rejected: 1,
            dropped: 0,
        }];
        let text = render_stats(&r);
        let line = text
            .lines()
            .find(|l| l.starts_with("influx"))
            .expect("a sink line");
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&cells[..5], ["influx", "42", "1000", "1", "0"]);
    }

    fn query(now: &str, hours: u32, tz: Tz) -> StatsQuery {
        StatsQuery {
            now: at(now),
            hours,
            timezone: tz,
            fixed_interval_secs: 10,
            configured_leagues: Vec::new(),
            call_log_retention: None,
            sinks: Vec::new(),
        }
    }

    #[test]
    fn ticks_count_polls_in_half_open_ranges() {
        // Polls at 0, 10, 20, ... (ms here, any unit works).
        assert_eq!(ticks_between(0, 10, 0, 100), 10);
        assert_eq!(ticks_between(0, 10, 0, 101), 11);
        assert_eq!(ticks_between(0, 10, 5, 25), 2); // 10, 20
        assert_eq!(ticks_between(0, 10, 20, 30), 1); // 20
        assert_eq!(ticks_between(0, 10, 30, 20), 0);
        assert_eq!(ticks_between(7, 10, 0, 7), 0);
        // Splitting a range never changes the total.
        let total = ticks_between(3, 7, 3, 1_000);
        let split: u64 = [(3, 250), (250, 611), (611, 1_000)]
            .iter()
            .map(|&(a, b)| ticks_between(3, 7, a, b))
            .sum();
        assert_eq!(split, total);
        assert_eq!(total, 143); // ceil(997 / 7)
    }

    #[test]
    fn day_starts_follow_the_zone() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            day_start(ny, d("2026-11-22")),
            Some(at("2026-11-22T05:00:00Z"))
        );
        assert_eq!(
            day_start(ny, d("2026-07-04")),
            Some(at("2026-07-04T04:00:00Z"))
        );
        // Santiago springs forward at midnight: 2024-09-08 starts at 01:00 local (-03).
        let scl: Tz = "America/Santiago".parse().unwrap();
        assert_eq!(
            day_start(scl, d("2024-09-08")),
            Some(at("2024-09-08T04:00:00Z"))
        );
        assert_eq!(
            day_start(Tz::UTC, d("2026-11-22")),
            Some(at("2026-11-22T00:00:00Z"))
        );
    }

    #[test]
    fn saved_percent_and_ratios_round() {
        assert_eq!(saved_percent(8_640, 6), Some(99.93));
        assert_eq!(saved_percent(100, 150), Some(-50.0));
        assert_eq!(saved_percent(0, 3), None);
        assert_eq!(ratio(1, 3, 4), Some(0.3333));
        assert_eq!(ratio(1, 0, 4), None);
    }

    #[test]
    fn buckets_sum_into_days_of_the_zone() {
        let buckets = [
            // 2026-11-21 evening in New York, already the 22nd in UTC.
            bucket(
                "2026-11-22T02:00:00Z",
                "site.api.espn.com",
                "nfl",
                [4, 1, 1, 1, 3_000, 300],
            ),
            bucket(
                "2026-11-22T02:15:00Z",
                "site.api.espn.com",
                "nfl",
                [2, 0, 0, 0, 500, 100],
            ),
            bucket(
                "2026-11-22T12:00:00Z",
                "site.api.espn.com",
                "nfl",
                [3, 0, 0, 3, 0, 0],
            ),
            bucket(
                "2026-11-22T12:00:00Z",
                "statsapi.mlb.com",
                "mlb",
                [2, 2, 1, 0, 10, 4_000],
            ),
        ];
        let breakers = [BreakerTransition {
            at: at("2026-11-22T12:05:00Z"),
            host: "statsapi.mlb.com".into(),
            state: BreakerState::Open,
            reason: "5 failures in a row".into(),
        }];
        let mut q = query("2026-11-23T00:00:00Z", 48, Tz::UTC);
        let utc = build_stats(&q, at("2026-11-21T00:00:00Z"), &buckets, &breakers, 3);
        let days: Vec<(String, &str, u64, u64)> = utc
            .days
            .iter()
            .map(|d| {
                (
                    d.day.to_string(),
                    d.league.as_str(),
                    d.counts.calls,
                    d.counts.upstream_requests,
                )
            })
            .collect();
        assert_eq!(
            days,
            [
                ("2026-11-22".to_owned(), "nfl", 9, 5),
                ("2026-11-22".to_owned(), "mlb", 2, 2)
            ]
        );
        assert_eq!(
            utc.totals,
            Counts {
                calls: 11,
                errors: 3,
                retries: 2,
                cache_hits: 4,
                cache_hit_rate: 0.3636,
                upstream_requests: 7,
                bytes: 3_510,
                mean_latency_ms: Some(628.57),
                max_latency_ms: Some(4_000),
            }
        );
        let mlb = &utc.hosts[1];
        assert_eq!(mlb.host, "statsapi.mlb.com");
        assert_eq!(
            mlb.breaker.as_ref().map(|b| b.state),
            Some(BreakerState::Open)
        );
        assert_eq!(utc.hosts[0].breaker, None);
        // Two leagues, 48 h every 10 s: 17 280 polls each.
        let f = &utc.fixed_interval;
        assert_eq!(f.leagues, ["mlb", "nfl"]);
        assert_eq!(
            (f.polls_per_league, f.estimated_calls, f.actual_calls),
            (17_280, 34_560, 7)
        );
        assert_eq!(f.saved_percent, Some(99.98));
        let per_day: Vec<(String, u64, u64)> = f
            .days
            .iter()
            .map(|d| (d.day.to_string(), d.estimated_calls, d.actual_calls))
            .collect();
        assert_eq!(
            per_day,
            [
                ("2026-11-21".to_owned(), 17_280, 0),
                ("2026-11-22".to_owned(), 17_280, 7)
            ]
        );
        assert_eq!(utc.rejected_snapshots, 3);
        assert!(utc.warnings.is_empty());

        // In New York the early calls fall on the 21st, and the window's 48 h span three
        // local days: 19:00-24:00 on the 20th, the 21st, and 00:00-19:00 on the 22nd.
        q.timezone = "America/New_York".parse().unwrap();
        q.configured_leagues = vec!["nba".into(), "nfl".into()];
        let ny = build_stats(&q, at("2026-11-21T00:00:00Z"), &buckets, &breakers, 3);
        let days: Vec<(String, &str, u64)> = ny
            .days
            .iter()
            .map(|d| (d.day.to_string(), d.league.as_str(), d.counts.calls))
            .collect();
        assert_eq!(
            days,
            [
                ("2026-11-21".to_owned(), "nfl", 6),
                ("2026-11-22".to_owned(), "nfl", 3),
                ("2026-11-22".to_owned(), "mlb", 2)
            ]
        );
        let f = &ny.fixed_interval;
        assert_eq!(f.leagues, ["mlb", "nba", "nfl"]);
        let per_day: Vec<(String, u64, u64)> = f
            .days
            .iter()
            .map(|d| (d.day.to_string(), d.estimated_calls, d.actual_calls))
            .collect();
        // 5 h, 24 h and 19 h of polls every 10 s, for 3 leagues.
        assert_eq!(
            per_day,
            [
                ("2026-11-20".to_owned(), 3 * 1_800, 0),
                ("2026-11-21".to_owned(), 3 * 8_640, 5),
                ("2026-11-22".to_owned(), 3 * 6_840, 2)
            ]
        );
        assert_eq!(f.estimated_calls, 3 * 17_280);
    }

    #[test]
    fn a_window_longer_than_the_call_log_is_flagged() {
        let mut q = query("2026-11-23T00:00:00Z", 48, Tz::UTC);
        q.call_log_retention = Some(std::time::Duration::from_secs(48 * 3_600));
        let since = at("2026-11-21T00:00:00Z");
        assert!(build_stats(&q, since, &[], &[], 0).warnings.is_empty());
        q.hours = 49;
        let r = build_stats(&q, since, &[], &[], 0);
        assert_eq!(
            r.warnings,
            [
                "the window (49 h) is longer than the call log is kept ([retention] upstream_calls \
              = 2d): older calls were deleted, so counts are low and saved % is high"
            ]
        );
        assert!(render_stats(&r).ends_with(&format!("warning: {}\n", r.warnings[0])));
    }

    #[test]
    fn an_empty_window_renders() {
        let q = query("2026-11-23T00:00:00Z", 24, Tz::UTC);
        let r = build_stats(&q, at("2026-11-22T00:00:00Z"), &[], &[], 0);
        assert_eq!(r.fixed_interval.estimated_calls, 0);
        assert_eq!(r.fixed_interval.saved_percent, None);
        assert_eq!(r.totals, Counts::default());
        let text = render_stats(&r);
        assert!(
            text.contains(
                "fixed-interval poller: every 10 s, all day, 0 league(s) (): 8640 polls each"
            ),
            "{text}"
        );
        let f = render_failures(&build_failures(
            at("2026-11-22T00:00:00Z"),
            at("2026-11-23T00:00:00Z"),
            vec![],
            vec![],
            vec![],
            vec![],
        ));
        assert_eq!(
            f,
            "failures 2026-11-22T00:00:00Z to 2026-11-23T00:00:00Z\n\nupstream failures: 0\n\n\
             rejected snapshots: 0\n\nbreakers opened: 0\n\n\
             scoring plays: 0 of 0 game(s) with issues\n\nunconfirmed games: 0\n"
        );
    }

    #[test]
    fn windows_out_of_the_calendar_are_errors() {
        assert_eq!(
            window(at("2026-11-23T00:00:00Z"), 48).unwrap(),
            at("2026-11-21T00:00:00Z")
        );
        assert!(matches!(
            window(DateTime::<Utc>::MIN_UTC, 1),
            Err(MonitorError::Window { hours: 1, .. })
        ));
    }
}
