//! Lenient parsing of the values sports feeds send in many shapes: scores, clocks, times, dates.

use crate::{Date, Timestamp};
use serde_json::Value;

/// A score or count from a JSON value: `"12"`, `12`, `12.0` or an object with `value` (as ESPN's
/// summaries send `{"value": 12.0, "displayValue": "12"}`). Negative, fractional or non-numeric
/// input gives `None`.
pub fn score(value: &Value) -> Option<u32> {
    match value {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                u32::try_from(u).ok()
            } else {
                n.as_f64().and_then(whole)
            }
        }
        Value::String(s) => score_str(s),
        Value::Object(map) => map.get("value").and_then(score),
        _ => None,
    }
}

/// A score from text: surrounding spaces allowed, `"12"` or `"12.0"`; empty or `"-"` is `None`.
pub fn score_str(text: &str) -> Option<u32> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<u32>()
        .ok()
        .or_else(|| t.parse::<f64>().ok().and_then(whole))
}

/// `f` as a whole number when it is one (finite, not negative, no fraction, fits a `u32`).
pub(crate) fn whole(f: f64) -> Option<u32> {
    (f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f <= f64::from(u32::MAX)).then_some(f as u32)
}

/// A countdown or stopwatch clock `MM:SS` (or `H:MM:SS`, or plain seconds `"42.3"`) in whole
/// seconds, rounding fractions down.
pub fn clock_seconds(text: &str) -> Option<u32> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let mut total: u32 = 0;
    let parts: Vec<&str> = t.split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let v = if last {
            let f: f64 = part.parse().ok()?;
            if !(f.is_finite() && f >= 0.0) {
                return None;
            }
            f.floor() as u32
        } else {
            part.parse::<u32>().ok()?
        };
        total = total.checked_mul(60)?.checked_add(v)?;
    }
    Some(total)
}

/// A soccer match minute such as `45'`, `90'+4'` or `120'+1'` as elapsed seconds
/// (minutes plus stoppage minutes, times 60).
pub fn minute_clock_seconds(text: &str) -> Option<u32> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let mut total = 0u32;
    for part in t.split('+') {
        let digits = part.trim().trim_end_matches('\'').trim();
        if digits.is_empty() {
            return None;
        }
        total = total.checked_add(digits.parse::<u32>().ok()?)?;
    }
    total.checked_mul(60)
}

/// An ISO 8601 / RFC 3339 instant as a [`Timestamp`]. Accepts what feeds send: with or without
/// seconds (`2022-09-11T17:00Z`), with `Z` or an offset, with fractional seconds.
pub fn timestamp(text: &str) -> Option<Timestamp> {
    use chrono::{DateTime, NaiveDateTime};
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.timestamp());
    }
    for fmt in ["%Y-%m-%dT%H:%M%#z", "%Y-%m-%dT%H:%M:%S%.f%#z"] {
        if let Ok(dt) = DateTime::parse_from_str(t, fmt) {
            return Some(dt.timestamp());
        }
    }
    let bare = t.trim_end_matches('Z');
    for fmt in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(bare, fmt) {
            return Some(dt.and_utc().timestamp());
        }
    }
    None
}

/// A date as `YYYYMMDD`, the form ESPN's `dates=` takes.
pub fn date_compact(day: Date) -> String {
    format!("{:04}{:02}{:02}", day.year, day.month, day.day)
}

/// Percent-encode a query parameter value (RFC 3986 unreserved characters pass through).
pub fn query_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scores_in_every_shape() {
        assert_eq!(score(&json!("27")), Some(27));
        assert_eq!(score(&json!(" 3 ")), Some(3));
        assert_eq!(score(&json!(4)), Some(4));
        assert_eq!(score(&json!(4.0)), Some(4));
        assert_eq!(
            score(&json!({"value": 12.0, "displayValue": "12"})),
            Some(12)
        );
        assert_eq!(score(&json!(-1)), None);
        assert_eq!(score(&json!(2.5)), None);
        assert_eq!(score(&json!("")), None);
        assert_eq!(score(&json!(null)), None);
    }

    #[test]
    fn clocks() {
        assert_eq!(clock_seconds("12:34"), Some(754));
        assert_eq!(clock_seconds("0:00"), Some(0));
        assert_eq!(clock_seconds("42.7"), Some(42));
        assert_eq!(clock_seconds("1:02:03"), Some(3723));
        assert_eq!(clock_seconds("x"), None);
        assert_eq!(minute_clock_seconds("45'"), Some(2700));
        assert_eq!(minute_clock_seconds("90'+4'"), Some(94 * 60));
        assert_eq!(minute_clock_seconds("120'+1'"), Some(121 * 60));
        assert_eq!(minute_clock_seconds("HT"), None);
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp("2022-09-11T17:00Z"), Some(1_662_915_600));
        assert_eq!(timestamp("2022-09-11T17:00:00Z"), Some(1_662_915_600));
        assert_eq!(timestamp("2022-09-11T13:00:00-04:00"), Some(1_662_915_600));
        assert_eq!(timestamp("2024-07-01T23:07:00.000Z"), Some(1_719_875_220));
        assert_eq!(timestamp("soon"), None);
    }

    #[test]
    fn dates_and_queries() {
        assert_eq!(date_compact(Date::new(2026, 7, 1)), "20260701");
        assert_eq!(Date::new(2026, 7, 1).to_string(), "2026-07-01");
        assert_eq!(query_escape("80,81 a&b"), "80%2C81%20a%26b");
    }
}
