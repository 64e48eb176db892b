//! The warnings an adapter has already logged, so one it repeats on every poll (an unknown status
//! name on a live game, say) reaches the log at warn level once, and at debug after that.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

/// Distinct lines remembered per adapter version before the set starts over.
const REMEMBERED: usize = 4096;

/// The (league, message) pairs one loaded adapter version has logged at warn level.
#[derive(Debug, Default)]
pub struct Repeats {
    seen: Mutex<HashSet<u64>>,
}

impl Repeats {
    /// True the first time `message` is seen for `league`. Once [`REMEMBERED`] distinct lines
    /// are held the set starts over, so memory stays bounded and a line may be logged again.
    pub fn first(&self, league: &str, message: &str) -> bool {
        let mut hasher = DefaultHasher::new();
        (league, message).hash(&mut hasher);
        let key = hasher.finish();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= REMEMBERED && !seen.contains(&key) {
            seen.clear();
        }
        seen.insert(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_first_once_per_league() {
        let r = Repeats::default();
        assert!(r.first("nba", "unknown status `X`"));
        assert!(!r.first("nba", "unknown status `X`"));
        assert!(r.first("wnba", "unknown status `X`"));
        assert!(r.first("nba", "unknown status `Y`"));
    }

    #[test]
    fn the_set_is_bounded_and_starts_over() {
        let r = Repeats::default();
        for i in 0..REMEMBERED {
            assert!(r.first("nba", &i.to_string()));
        }
        assert!(!r.first("nba", "0"));
        // One more distinct line empties the set: memory stays bounded.
        assert!(r.first("nba", "new"));
        assert!(r.first("nba", "0"));
        assert!(r.seen.lock().unwrap_or_else(|e| e.into_inner()).len() <= 2);
    }
}
