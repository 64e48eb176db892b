//! When a board changes: upstream updates a body on its own rhythm (a feed every few seconds, a
//! CDN edge refreshing its copy every `max-age`). From the times upstream made the bodies a URL
//! served (`origin::BodyDating::made`), learn the period and the phase of those updates, and put
//! the next live poll just after the next expected change instead of at a fixed offset, keeping
//! one poll per live interval (the same number of calls). Pure: observations and times in, a
//! poll time out.
//!
//! The model: changes at `anchor + k * period + u`, `u` in `[0, spread]` (jitter). The poll goes
//! at the expected change's latest edge plus a margin (the second an HTTP date leaves out, and
//! part of the jitter). Until at least [`MIN_SAMPLES`] distinct
//! made times agree with a period, or when new ones stop fitting, the learner answers the fixed
//! cadence (and re-learns from what it sees next).

use chrono::{DateTime, Duration, Utc};
use std::collections::VecDeque;

/// Distinct made times needed before the learner trusts its estimate.
pub const MIN_SAMPLES: usize = 4;
/// Made times kept per URL.
const KEEP: usize = 16;

/// What the learner knows of one URL's update rhythm.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhaseLearner {
    /// Distinct made times, oldest first.
    made: VecDeque<DateTime<Utc>>,
}

/// A learned rhythm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rhythm {
    /// Time between updates.
    pub period: Duration,
    /// An update time (the latest observed, corrected to the rhythm's late edge).
    pub anchor: DateTime<Utc>,
    /// How late in its slot an update may come (jitter seen).
    pub spread: Duration,
}

impl PhaseLearner {
    /// Note a body's made time (from its response headers); the same time again adds nothing.
    /// A time older than the newest kept is ignored (an older copy).
    pub fn observe(&mut self, made: DateTime<Utc>) {
        match self.made.back() {
            Some(&last) if made <= last => {}
            _ => {
                self.made.push_back(made);
                while self.made.len() > KEEP {
                    self.made.pop_front();
                }
            }
        }
    }

    /// Forget everything (the URL's rhythm changed beyond recognition).
    pub fn reset(&mut self) {
        self.made.clear();
    }

    /// The rhythm, once [`MIN_SAMPLES`] made times fit one. The period is the unit the gaps
    /// between made times are whole multiples of (polls slower than upstream's updates see
    /// every other one, and lock onto those); `max-age` is not taken for it: an edge refreshes
    /// on demand, and a board may change less often than its `max-age`.
    pub fn rhythm(&self) -> Option<Rhythm> {
        if self.made.len() < MIN_SAMPLES {
            return None;
        }
        let gaps: Vec<i64> = self
            .made
            .iter()
            .zip(self.made.iter().skip(1))
            .map(|(a, b)| (*b - *a).num_milliseconds())
            .filter(|g| *g > 0)
            .collect();
        let smallest = *gaps.iter().min()?;
        // Each gap is a whole number of periods.
        let rough = median(gaps.iter().map(|g| g / multiple(*g, smallest)));
        if rough <= 0 {
            return None;
        }
        // Refined over the whole span: the jitter of two samples divided by the slots between.
        let newest = *self.made.back()?;
        let oldest = *self.made.front()?;
        let span = (newest - oldest).num_milliseconds();
        let unit = span / multiple(span, rough);
        if unit <= 0 {
            return None;
        }
        // Each made time's place in its slot, relative to the newest one.
        let offsets: Vec<i64> = self
            .made
            .iter()
            .map(|t| centred((*t - newest).num_milliseconds(), unit))
            .collect();
        let lo = *offsets.iter().min()?;
        let hi = *offsets.iter().max()?;
        let spread = hi - lo;
        // Jitter over half the period: no rhythm worth locking to.
        if spread * 2 > unit {
            return None;
        }
        Some(Rhythm {
            period: Duration::milliseconds(unit),
            anchor: newest + Duration::milliseconds(hi),
            spread: Duration::milliseconds(spread),
        })
    }

    /// When to poll next: one live `interval` after `last_poll` on the fixed cadence, moved to
    /// just after the expected update nearest that time when a rhythm is known (so the number
    /// of polls stays one per interval on average).
    pub fn next_poll(&self, last_poll: DateTime<Utc>, interval: Duration) -> DateTime<Utc> {
        let fixed = last_poll + interval;
        let Some(r) = self.rhythm() else {
            return fixed;
        };
        let period = r.period.num_milliseconds();
        // Poll a margin after the update's latest edge: a tenth of the period, or (when every
        // made time is a whole second, as HTTP dates are) the second the date leaves out; plus
        // a quarter of the spread seen, for updates later than any seen yet.
        let whole_seconds = self.made.iter().all(|t| t.timestamp_subsec_millis() == 0);
        let quantum = if whole_seconds { 1_050 } else { 50 };
        let margin = (period / 10).max(quantum) + r.spread.num_milliseconds() / 4;
        let edge = r.anchor + Duration::milliseconds(margin);
        // The aligned time nearest the fixed one (ties go later).
        let from_edge = (fixed - edge).num_milliseconds();
        let k = (from_edge as f64 / period as f64).round() as i64;
        let aligned = edge + Duration::milliseconds(k * period);
        // Never before the last poll plus half an interval (a rhythm much faster than the
        // cadence would otherwise pull polls together).
        aligned.max(last_poll + interval / 2)
    }
}

/// How many `unit`s a gap holds (at least 1).
fn multiple(gap: i64, unit: i64) -> i64 {
    ((gap as f64 / unit as f64).round() as i64).max(1)
}

/// `offset` brought into `(-unit/2, unit/2]` modulo `unit`.
fn centred(offset: i64, unit: i64) -> i64 {
    let m = offset.rem_euclid(unit);
    if m > unit / 2 { m - unit } else { m }
}

fn median(values: impl Iterator<Item = i64>) -> i64 {
    let mut v: Vec<i64> = values.collect();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        "2026-12-04T20:00:00Z".parse().unwrap_or_default()
    }

    fn ms(v: i64) -> Duration {
        Duration::milliseconds(v)
    }

    /// Updates every `period` ms at `phase` ms with a deterministic jitter up to `jitter` ms.
    fn update(k: i64, period: i64, phase: i64, jitter: i64) -> DateTime<Utc> {
        let u = if jitter == 0 { 0 } else { (k * 7919) % jitter };
        t0() + ms(k * period + phase + u)
    }

    #[test]
    fn a_fixed_cadence_until_enough_made_times() {
        let mut l = PhaseLearner::default();
        assert_eq!(l.next_poll(t0(), ms(2_000)), t0() + ms(2_000));
        for k in 0..3 {
            l.observe(update(k, 2_000, 700, 0));
        }
        assert_eq!(l.rhythm(), None);
        // The same time again and an older one add nothing.
        l.observe(update(2, 2_000, 700, 0));
        l.observe(update(0, 2_000, 700, 0));
        assert_eq!(l.rhythm(), None);
        l.observe(update(3, 2_000, 700, 0));
        let r = l.rhythm().unwrap();
        assert_eq!((r.period, r.spread), (ms(2_000), ms(0)));
        assert_eq!(r.anchor, update(3, 2_000, 700, 0));
    }

    #[test]
    fn polls_land_just_after_the_update_at_one_per_interval() {
        for (period, phase, jitter) in
            [(2_000, 700, 0), (2_000, 1_900, 300), (10_000, 3_000, 1_500)]
        {
            let mut l = PhaseLearner::default();
            for k in 0..8 {
                l.observe(update(k, period, phase, jitter));
            }
            let r = l.rhythm().unwrap();
            let error = (r.period - ms(period)).num_milliseconds().abs();
            assert!(error <= jitter / 7, "{period} {phase} {jitter}: {r:?}");
            assert!(r.spread <= ms(jitter + 7 * error), "{r:?}");
            // From an arbitrary last poll, the next one follows an update by the margin past
            // the jitter, and stays about one interval away.
            let last = t0() + ms(8 * period + 123);
            let next = l.next_poll(last, ms(period));
            let gap = (next - last).num_milliseconds();
            assert!(gap >= period / 2 && gap <= period * 3 / 2, "gap {gap}");
            let after_slot = (next - t0() - ms(phase))
                .num_milliseconds()
                .rem_euclid(period);
            // Millisecond made times here: a margin of a tenth of the period (at least 50 ms)
            // and a quarter of the spread.
            assert!(
                after_slot + 2 * error >= jitter
                    && after_slot <= jitter + (period / 10).max(50) + jitter / 4 + 16 * error,
                "{period} {phase} {jitter}: {after_slot} ms into the slot"
            );
        }
    }

    #[test]
    fn slower_polls_see_every_other_update_and_still_lock() {
        // Upstream updates every second; a 2 s cadence sees made times 2 s apart.
        let mut l = PhaseLearner::default();
        for k in 0..6 {
            l.observe(update(2 * k, 1_000, 400, 0));
        }
        assert_eq!(l.rhythm().unwrap().period, ms(2_000));
        // Gaps of 2 and 4 s: the unit is still 2 s.
        let mut l = PhaseLearner::default();
        for k in [0, 2, 6, 8, 12, 14] {
            l.observe(update(k, 1_000, 400, 0));
        }
        assert_eq!(l.rhythm().unwrap().period, ms(2_000));
    }

    #[test]
    fn no_rhythm_in_noise() {
        let mut l = PhaseLearner::default();
        for gap in [1_000, 3_700, 1_300, 2_900, 1_100, 4_300] {
            let last = l.made.back().copied().unwrap_or_else(t0);
            l.observe(last + ms(gap));
        }
        assert_eq!(l.rhythm(), None);
        assert_eq!(l.next_poll(t0(), ms(2_000)), t0() + ms(2_000));
        l.reset();
        assert_eq!(l, PhaseLearner::default());
    }
}
