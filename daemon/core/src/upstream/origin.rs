//! When upstream made a body, from the response's headers: `Last-Modified` where sent, else
//! `Date` minus `Age` (the time a cache copied it from the origin). Used to tell an older copy
//! from a newer one, and to learn when a board changes. Pure: header values in, a time out;
//! values that do not parse count as absent.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The response headers that date a body, as upstream sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyDating {
    /// `Date`: when the response was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `Last-Modified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// `Age`, seconds a cache has held the copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_secs: Option<u64>,
}

impl BodyDating {
    /// Whether no header was sent.
    pub fn is_empty(&self) -> bool {
        self.date.is_none() && self.last_modified.is_none() && self.age_secs.is_none()
    }

    /// When the body was made: `Last-Modified`, else `Date` − `Age` (`Age` 0 when absent).
    pub fn made(&self) -> Option<DateTime<Utc>> {
        if let Some(t) = self.last_modified.as_deref().and_then(http_date) {
            return Some(t);
        }
        let date = self.date.as_deref().and_then(http_date)?;
        let age = i64::try_from(self.age_secs.unwrap_or(0)).ok()?;
        date.checked_sub_signed(Duration::try_seconds(age)?)
    }
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110's IMF-fixdate; RFC 2822 forms too).
pub fn http_date(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(value.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `Age`: a non-negative number of seconds.
pub fn parse_age(value: &str) -> Option<u64> {
    value.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn last_modified_wins_then_date_minus_age() {
        let d = BodyDating {
            date: Some("Fri, 04 Dec 2026 20:00:30 GMT".into()),
            last_modified: Some("Fri, 04 Dec 2026 20:00:10 GMT".into()),
            age_secs: Some(12),
        };
        assert_eq!(d.made(), Some(at("2026-12-04T20:00:10Z")));
        let d = BodyDating {
            last_modified: Some("yesterday".into()),
            ..d
        };
        assert_eq!(d.made(), Some(at("2026-12-04T20:00:18Z")));
        let d = BodyDating {
            age_secs: None,
            ..d
        };
        assert_eq!(d.made(), Some(at("2026-12-04T20:00:30Z")));
        assert_eq!(BodyDating::default().made(), None);
        assert!(BodyDating::default().is_empty());
        let only_age = BodyDating {
            age_secs: Some(3),
            ..BodyDating::default()
        };
        assert_eq!(only_age.made(), None);
    }

    #[test]
    fn header_values_parse_or_are_absent() {
        assert_eq!(
            http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(at("1994-11-06T08:49:37Z"))
        );
        assert_eq!(http_date("06 Nov 1994"), None);
        assert_eq!(parse_age(" 42 "), Some(42));
        assert_eq!(parse_age("-1"), None);
        assert_eq!(parse_age("soon"), None);
    }
}
