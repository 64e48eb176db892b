//! The webhook rules, pure, with time as a parameter: which subscriptions an event goes to
//! (filters, catch-up, cooldown, daily limit), what an attempt's answer means, when to retry,
//! and when an endpoint is failing badly enough to disable.

use super::subscription::Subscription;
use crate::events::{Event, EventType};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::time::Duration;

/// Retry delays after the 1st, 2nd, ... failed attempt: about 5 s, 5 min, 30 min, 2 h, 5 h and
/// 10 h (each ±20% jitter). A delivery failing its 7th attempt is given up.
pub const RETRY_SCHEDULE: [Duration; 6] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3_600),
    Duration::from_secs(5 * 3_600),
    Duration::from_secs(10 * 3_600),
];

/// The jitter applied to each delay: ±this fraction.
pub const JITTER: f64 = 0.2;

/// The longest `Retry-After` honoured; a longer one is cut to this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3_600);

/// Why an event is not sent to a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// The subscription is disabled.
    Disabled,
    /// Its type is not one the subscription wants.
    Type,
    /// Its league is not.
    League,
    /// Neither team is.
    Team,
    /// It is a catch-up event and the subscription does not take them.
    CatchUp,
    /// The same type was sent for the same game less than the cooldown ago (until then).
    Cooldown(DateTime<Utc>),
    /// The day's limit is reached.
    DailyLimit(u32),
}

/// Whether `event` passes `sub`'s filters (not the cooldown or the limit).
pub fn filter(sub: &Subscription, event: &Event) -> Result<(), Skip> {
    if !sub.enabled {
        return Err(Skip::Disabled);
    }
    if !sub.types.is_empty() && !sub.types.contains(&event.kind) {
        return Err(Skip::Type);
    }
    if !sub.leagues.is_empty() && !sub.leagues.contains(&event.league) {
        return Err(Skip::League);
    }
    if !sub.teams.is_empty()
        && !event
            .teams
            .iter()
            .any(|t| sub.teams.contains(&t.to_lowercase()))
    {
        return Err(Skip::Team);
    }
    if event.catch_up && !sub.catch_up {
        return Err(Skip::CatchUp);
    }
    Ok(())
}

/// Types that pass the daily limit when a subscription has `daily_limit_bypass`.
pub fn bypasses_daily_limit(kind: EventType) -> bool {
    matches!(kind, EventType::GameFinal | EventType::ScoringFirst)
}

/// What was sent already, for cooldowns and daily limits: per subscription, the time of the last
/// event sent per (game, type), and the count per UTC day. Times are event times, so the rules
/// hold the same whether events are sent live or from a backlog.
#[derive(Debug, Clone, Default)]
pub struct Quotas {
    last: HashMap<(String, String, EventType), DateTime<Utc>>,
    daily: HashMap<String, (NaiveDate, u32)>,
}

impl Quotas {
    /// Note that an event of `kind` for `game_id` at `at` was sent to `sub` (loading history).
    pub fn note(
        &mut self,
        sub: &str,
        game_id: &str,
        kind: EventType,
        at: DateTime<Utc>,
        counts: bool,
    ) {
        let key = (sub.to_owned(), game_id.to_owned(), kind);
        let last = self.last.entry(key).or_insert(at);
        if at > *last {
            *last = at;
        }
        if counts {
            let day = at.date_naive();
            let entry = self.daily.entry(sub.to_owned()).or_insert((day, 0));
            if entry.0 == day {
                entry.1 += 1;
            } else if day > entry.0 {
                *entry = (day, 1);
            }
        }
    }

    /// Decide whether `event` goes to `sub`; when it does, count it.
    pub fn admit(&mut self, sub: &Subscription, event: &Event) -> Result<(), Skip> {
        filter(sub, event)?;
        let at = event.time;
        let key = (sub.name.clone(), event.game_id.clone(), event.kind);
        if !sub.cooldown.is_zero()
            && let Some(last) = self.last.get(&key)
        {
            let until = *last + chrono::Duration::from_std(sub.cooldown).unwrap_or_default();
            if at < until && at >= *last {
                return Err(Skip::Cooldown(until));
            }
        }
        let bypass = sub.daily_limit_bypass && bypasses_daily_limit(event.kind);
        if let Some(limit) = sub.daily_limit
            && !bypass
        {
            let day = at.date_naive();
            if let Some((d, n)) = self.daily.get(&sub.name)
                && *d == day
                && *n >= limit
            {
                return Err(Skip::DailyLimit(limit));
            }
        }
        self.note(&sub.name, &event.game_id, event.kind, at, !bypass);
        Ok(())
    }
}

/// What an attempt's answer means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx: done.
    Delivered,
    /// 410 Gone: the endpoint is disabled, the delivery failed.
    Gone,
    /// Anything else (another status, a timeout, a network error): retry, after `retry_after`
    /// when the receiver said so.
    Retry {
        /// The receiver's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// Not sent and never will be (a refused target): the delivery failed.
    Refused,
}

/// The outcome of an answer with `status` (none: no answer) and a `Retry-After` header value.
pub fn classify(status: Option<u16>, retry_after: Option<&str>, now: DateTime<Utc>) -> Outcome {
    match status {
        Some(s) if (200..300).contains(&s) => Outcome::Delivered,
        Some(410) => Outcome::Gone,
        _ => Outcome::Retry {
            retry_after: retry_after.and_then(|v| parse_retry_after(v, now)),
        },
    }
}

/// `Retry-After` as seconds or an HTTP date, relative to `now`, at most [`MAX_RETRY_AFTER`].
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    let d = if let Ok(secs) = v.parse::<u64>() {
        Duration::from_secs(secs)
    } else {
        let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
        (at - now).to_std().unwrap_or_default()
    };
    Some(d.min(MAX_RETRY_AFTER))
}

/// When to try again after `attempts` failed attempts (1 after the first), or `None` to give
/// up. `jitter` is a number in `[0, 1)` (random in the daemon); the delay is the schedule's
/// entry scaled by `1 ± JITTER`, or the receiver's `Retry-After` when that is longer.
pub fn next_retry(
    schedule: &[Duration],
    attempts: u32,
    jitter: f64,
    retry_after: Option<Duration>,
) -> Option<Duration> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    let base = schedule.get(index)?;
    let factor = 1.0 - JITTER + 2.0 * JITTER * jitter.clamp(0.0, 1.0);
    let delay = base.mul_f64(factor);
    Some(match retry_after {
        Some(r) if r > delay => r,
        _ => delay,
    })
}

/// The failure-rate rule: an endpoint is disabled when at least 18 of its last 20 attempts
/// failed (90%) and those 20 span at least an hour, so a short outage never disables it
/// (retries span hours) but an endpoint failing all day does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureRule {
    /// Attempts looked at.
    pub window: usize,
    /// Failures among them that disable.
    pub failures: usize,
    /// Shortest span from the oldest of them to now.
    pub span: Duration,
}

impl Default for FailureRule {
    fn default() -> Self {
        FailureRule {
            window: 20,
            failures: 18,
            span: Duration::from_secs(3_600),
        }
    }
}

impl FailureRule {
    /// Given the endpoint's latest attempts, newest first, as `(time, succeeded)`: the reason to
    /// disable it, if the rule says so.
    pub fn check(&self, recent: &[(DateTime<Utc>, bool)], now: DateTime<Utc>) -> Option<String> {
        let window = recent.get(..self.window)?;
        let failed = window.iter().filter(|(_, ok)| !ok).count();
        let oldest = window.last()?.0;
        let span = (now - oldest).to_std().unwrap_or_default();
        (failed >= self.failures && span >= self.span).then(|| {
            format!(
                "{failed} of the last {} attempts failed over {} min",
                self.window,
                span.as_secs() / 60
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::subscription::tests::spec;
    use crate::webhooks::subscription::{Source, Subscription, SubscriptionSpec};
    use chrono::TimeZone;
    use serde_json::json;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap() + chrono::Duration::seconds(secs)
    }

    fn ev(kind: EventType, game: &str, secs: i64) -> Event {
        Event {
            id: format!("{game}-{kind}-{secs}"),
            kind,
            game_id: game.into(),
            league: "nhl".into(),
            adapter: "espn".into(),
            time: t(secs),
            catch_up: false,
            teams: vec!["1".into(), "BOS".into(), "2".into(), "NYR".into()],
            data: json!({}),
        }
    }

    fn sub(tweak: impl FnOnce(&mut SubscriptionSpec)) -> Subscription {
        let mut s = spec("s");
        tweak(&mut s);
        Subscription::from_spec(s, Source::Config).unwrap()
    }

    #[test]
    fn filters() {
        let e = ev(EventType::ScoreChanged, "g", 0);
        let cases: Vec<(Subscription, Event, Result<(), Skip>)> = vec![
            (sub(|_| {}), e.clone(), Ok(())),
            (sub(|s| s.enabled = false), e.clone(), Err(Skip::Disabled)),
            (
                sub(|s| s.types = vec!["game.final".into()]),
                e.clone(),
                Err(Skip::Type),
            ),
            (
                sub(|s| s.types = vec!["game.final".into(), "score.changed".into()]),
                e.clone(),
                Ok(()),
            ),
            (
                sub(|s| s.leagues = vec!["nfl".into()]),
                e.clone(),
                Err(Skip::League),
            ),
            (sub(|s| s.leagues = vec!["nhl".into()]), e.clone(), Ok(())),
            (
                sub(|s| s.teams = vec!["TOR".into()]),
                e.clone(),
                Err(Skip::Team),
            ),
            (sub(|s| s.teams = vec!["bos".into()]), e.clone(), Ok(())),
            (
                sub(|_| {}),
                Event {
                    catch_up: true,
                    ..e.clone()
                },
                Err(Skip::CatchUp),
            ),
            (
                sub(|s| s.catch_up = true),
                Event {
                    catch_up: true,
                    ..e.clone()
                },
                Ok(()),
            ),
        ];
        for (i, (s, e, expected)) in cases.into_iter().enumerate() {
            assert_eq!(filter(&s, &e), expected, "case {i}");
        }
    }

    #[test]
    fn cooldown_is_per_game_and_type_by_event_time() {
        let s = sub(|s| s.cooldown_secs = 60);
        let mut q = Quotas::default();
        let got: Vec<Result<(), Skip>> = [
            ev(EventType::ScoreChanged, "g1", 0),
            ev(EventType::ScoreChanged, "g1", 30),
            ev(EventType::LeadChanged, "g1", 31),
            ev(EventType::ScoreChanged, "g2", 32),
            ev(EventType::ScoreChanged, "g1", 59),
            ev(EventType::ScoreChanged, "g1", 60),
            ev(EventType::ScoreChanged, "g1", 61),
        ]
        .iter()
        .map(|e| q.admit(&s, e))
        .collect();
        assert_eq!(
            got,
            vec![
                Ok(()),
                Err(Skip::Cooldown(t(60))),
                Ok(()),
                Ok(()),
                Err(Skip::Cooldown(t(60))),
                Ok(()),
                Err(Skip::Cooldown(t(120))),
            ]
        );
    }

    #[test]
    fn daily_limit_with_and_without_the_bypass() {
        let events = [
            ev(EventType::ScoreChanged, "g1", 0),
            ev(EventType::ScoringFirst, "g1", 1),
            ev(EventType::ScoreChanged, "g1", 2),
            ev(EventType::ScoreChanged, "g1", 3),
            ev(EventType::GameFinal, "g1", 4),
            // The next UTC day starts a new count.
            ev(EventType::ScoreChanged, "g1", 12 * 3_600),
        ];
        let run = |s: &Subscription| {
            let mut q = Quotas::default();
            events.iter().map(|e| q.admit(s, e)).collect::<Vec<_>>()
        };
        assert_eq!(
            run(&sub(|s| s.daily_limit = 2)),
            vec![
                Ok(()),
                Ok(()),
                Ok(()),
                Err(Skip::DailyLimit(2)),
                Ok(()),
                Ok(())
            ]
        );
        assert_eq!(
            run(&sub(|s| {
                s.daily_limit = 2;
                s.daily_limit_bypass = false;
            })),
            vec![
                Ok(()),
                Ok(()),
                Err(Skip::DailyLimit(2)),
                Err(Skip::DailyLimit(2)),
                Err(Skip::DailyLimit(2)),
                Ok(())
            ]
        );
    }

    #[test]
    fn outcomes_and_retry_after() {
        let now = t(0);
        assert_eq!(classify(Some(200), None, now), Outcome::Delivered);
        assert_eq!(classify(Some(204), None, now), Outcome::Delivered);
        assert_eq!(classify(Some(410), None, now), Outcome::Gone);
        assert_eq!(
            classify(Some(500), None, now),
            Outcome::Retry { retry_after: None }
        );
        assert_eq!(
            classify(Some(301), None, now),
            Outcome::Retry { retry_after: None }
        );
        assert_eq!(
            classify(Some(429), Some("120"), now),
            Outcome::Retry {
                retry_after: Some(Duration::from_secs(120))
            }
        );
        assert_eq!(
            classify(None, None, now),
            Outcome::Retry { retry_after: None }
        );
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 12:10:00 GMT", now),
            Some(Duration::from_secs(600))
        );
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 11:10:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("999999", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn the_retry_schedule_with_jitter_and_retry_after() {
        let s = &RETRY_SCHEDULE;
        let secs = |d: Option<Duration>| d.map(|d| d.as_secs_f64());
        assert_eq!(next_retry(s, 0, 0.5, None), None);
        assert_eq!(secs(next_retry(s, 1, 0.5, None)), Some(5.0));
        assert_eq!(secs(next_retry(s, 1, 0.0, None)), Some(4.0));
        assert_eq!(secs(next_retry(s, 1, 1.0, None)), Some(6.0));
        assert_eq!(secs(next_retry(s, 2, 0.5, None)), Some(300.0));
        assert_eq!(secs(next_retry(s, 3, 0.5, None)), Some(1_800.0));
        assert_eq!(secs(next_retry(s, 4, 0.5, None)), Some(7_200.0));
        assert_eq!(secs(next_retry(s, 5, 0.5, None)), Some(18_000.0));
        assert_eq!(secs(next_retry(s, 6, 0.5, None)), Some(36_000.0));
        assert_eq!(next_retry(s, 7, 0.5, None), None);
        // A longer Retry-After wins; a shorter one does not shorten the schedule.
        assert_eq!(
            secs(next_retry(s, 1, 0.5, Some(Duration::from_secs(60)))),
            Some(60.0)
        );
        assert_eq!(
            secs(next_retry(s, 2, 0.5, Some(Duration::from_secs(60)))),
            Some(300.0)
        );
    }

    #[test]
    fn failure_rule_needs_ninety_percent_over_an_hour() {
        let rule = FailureRule::default();
        let now = t(7_200);
        // 20 attempts, one every 4 minutes (the oldest 76 min ago), `ok` as given, newest first.
        let attempts = |ok: &dyn Fn(usize) -> bool, step: i64| -> Vec<(DateTime<Utc>, bool)> {
            (0..20)
                .map(|i| {
                    (
                        now - chrono::Duration::seconds(step * (i as i64 + 1)),
                        ok(i),
                    )
                })
                .collect()
        };
        let all_failed = attempts(&|_| false, 240);
        assert_eq!(
            rule.check(&all_failed, now),
            Some("20 of the last 20 attempts failed over 80 min".into())
        );
        let two_ok = attempts(&|i| i == 3 || i == 9, 240);
        assert_eq!(
            rule.check(&two_ok, now),
            Some("18 of the last 20 attempts failed over 80 min".into())
        );
        let three_ok = attempts(&|i| i < 3, 240);
        assert_eq!(rule.check(&three_ok, now), None);
        // All failed, but within 20 minutes: an outage, not a dead endpoint.
        let quick = attempts(&|_| false, 60);
        assert_eq!(rule.check(&quick, now), None);
        assert_eq!(rule.check(&all_failed[..19], now), None);
    }
}
