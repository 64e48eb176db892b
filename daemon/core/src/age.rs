//! Ages in config text (`90s`, `30m`, `12h`, `14d`, `2w`): parse and format, pure. Shared by the
//! daemon's config and the `[[sinks]]` config.

use std::time::Duration;

/// Seconds in a day.
pub const DAY_SECS: u64 = 86_400;

/// Parse an age such as `90s`, `30m`, `12h`, `14d` or `2w` (a whole number and one unit); `0`
/// with or without a unit is `None`, "keep forever". Pure; the error says what is wrong.
pub fn parse_age(text: &str) -> Result<Option<Duration>, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let bad = || format!("`{text}` is not an age such as 30m, 12h, 14d or 2w (or 0 for forever)");
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let unit_secs = match unit {
        "" if n == 0 => 0,
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => DAY_SECS,
        "w" => 7 * DAY_SECS,
        _ => return Err(bad()),
    };
    match n.checked_mul(unit_secs) {
        Some(0) => Ok(None),
        Some(secs) => Ok(Some(Duration::from_secs(secs))),
        None => Err(format!("`{text}` is too long")),
    }
}

/// An age in its largest whole unit: `14d`, `90m`, `2w`.
pub fn format_age(d: Duration) -> String {
    let s = d.as_secs();
    for (unit, secs) in [
        ("w", 7 * DAY_SECS),
        ("d", DAY_SECS),
        ("h", 3_600),
        ("m", 60),
    ] {
        if s >= secs && s.is_multiple_of(secs) {
            return format!("{}{unit}", s / secs);
        }
    }
    format!("{s}s")
}
