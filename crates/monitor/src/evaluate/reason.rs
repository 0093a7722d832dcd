//! Alarm states in words: the datapoints that decided a state, with their times and
//! which breach, as the reason `revops monitor evaluate` prints and the message of a
//! failed alarm test.

use super::alarm::Datapoint;
use super::series::Millis;
use chrono::{TimeZone, Utc};

/// How to write a datapoint's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// UTC time of day (`12:35:00`).
    Utc,
    /// Time since a test's start (`+35m`).
    SinceStart(Millis),
}

impl Clock {
    /// `at` written this way.
    pub fn show(self, at: Millis) -> String {
        match self {
            Clock::Utc => Utc
                .timestamp_millis_opt(at)
                .single()
                .map_or_else(|| at.to_string(), |t| t.format("%H:%M:%S").to_string()),
            Clock::SinceStart(start) => offset(at - start),
        }
    }
}

/// A duration such as `+35m`, `+1h30m`, `+45s`, `-5m`.
pub fn offset(ms: Millis) -> String {
    let sign = if ms < 0 { "-" } else { "+" };
    let total = ms.abs();
    let (h, m, s, rest) = (
        total / 3_600_000,
        total / 60_000 % 60,
        total / 1000 % 60,
        total % 1000,
    );
    let mut text = String::from(sign);
    if h > 0 {
        text.push_str(&format!("{h}h"));
    }
    if m > 0 {
        text.push_str(&format!("{m}m"));
    }
    if s > 0 || rest > 0 {
        if rest > 0 {
            text.push_str(&format!("{}s", s as f64 + rest as f64 / 1000.0));
        } else {
            text.push_str(&format!("{s}s"));
        }
    }
    if text.len() == 1 {
        text.push_str("0m");
    }
    text
}

/// The evaluation range's datapoints, oldest first: `+25m 0.5, +30m 50 (breaching), +35m -`;
/// those that decided the state are marked with `*`.
pub fn datapoints(points: &[Datapoint], clock: Clock) -> String {
    if points.is_empty() {
        return "no datapoints".into();
    }
    let shown: Vec<String> = points
        .iter()
        .map(|point| {
            let value = point
                .value
                .map_or_else(|| "missing".to_owned(), |v| format!("{}", round(v)));
            let breach = if point.breaching { " breaching" } else { "" };
            let mark = if point.evaluated { "*" } else { "" };
            format!("{}{mark} {value}{breach}", clock.show(point.at))
        })
        .collect();
    shown.join(", ")
}

/// A value with at most four decimals.
fn round(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_naturally() {
        assert_eq!(offset(35 * 60_000), "+35m");
        assert_eq!(offset(90 * 60_000), "+1h30m");
        assert_eq!(offset(45_000), "+45s");
        assert_eq!(offset(-300_000), "-5m");
        assert_eq!(offset(0), "+0m");
        assert_eq!(offset(1_500), "+1.5s");
    }
}
