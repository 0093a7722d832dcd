//! Datapoints from raw samples: the periods an alarm looks at, and one value per period
//! (the statistic of the samples whose time falls in it). The periods follow CloudWatch's
//! default sliding evaluation window
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation-window.html>):
//! an alarm is evaluated every minute and its newest period ends at the minute of the
//! evaluation, so a 1-hour period evaluated at 10:29:30 covers 09:29 to 10:29. A sample
//! at a period's start belongs to it.

use super::statistic::Statistic;
use std::collections::BTreeMap;

/// Milliseconds since the epoch.
pub type Millis = i64;

/// One value per period start; a period without a value has no entry (missing data).
pub type Series = BTreeMap<Millis, f64>;

/// Consecutive periods: `count` of them, each `period` long, from `first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    /// The start of the oldest.
    pub first: Millis,
    /// Their length.
    pub period: Millis,
    /// How many.
    pub count: usize,
}

impl Periods {
    /// The `count` periods evaluated at `at`: the newest ends at the last whole `step`
    /// (the evaluation interval, a minute) at or before `at`.
    pub fn ending_at(at: Millis, period: Millis, count: usize, step: Millis) -> Self {
        let end = at.div_euclid(step) * step;
        let span = period.saturating_mul(i64::try_from(count).unwrap_or(i64::MAX));
        Self {
            first: end.saturating_sub(span),
            period,
            count,
        }
    }

    /// Each period's start, oldest first.
    pub fn starts(&self) -> impl Iterator<Item = Millis> + '_ {
        (0..self.count).map(|index| self.first + self.period * index as i64)
    }

    /// Where the periods end (excluded).
    pub fn end(&self) -> Millis {
        self.first + self.period * self.count as i64
    }
}

/// The statistic of each period's samples; periods without samples are left out.
pub fn datapoints(samples: &[(Millis, f64)], periods: &Periods, statistic: Statistic) -> Series {
    let mut by_period: BTreeMap<Millis, Vec<f64>> = BTreeMap::new();
    for (at, value) in samples {
        if *at >= periods.first && *at < periods.end() {
            let start =
                periods.first + (at - periods.first).div_euclid(periods.period) * periods.period;
            by_period.entry(start).or_default().push(*value);
        }
    }
    by_period
        .into_iter()
        .filter_map(|(start, values)| statistic.of(&values).map(|value| (start, value)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_period_ends_at_the_minute_of_the_evaluation() {
        // 5-minute periods evaluated at 00:17:30 end at 00:17:00.
        let periods = Periods::ending_at(17 * 60_000 + 30_000, 300_000, 3, 60_000);
        let starts: Vec<Millis> = periods.starts().collect();
        assert_eq!(starts, [120_000, 420_000, 720_000]);
        assert_eq!(periods.end(), 1_020_000);
    }

    #[test]
    fn samples_are_bucketed_by_period_and_empty_periods_are_missing() {
        let periods = Periods::ending_at(300_000, 60_000, 5, 60_000);
        let samples = [
            (0, 1.0),
            (59_999, 2.0),
            (60_000, 5.0),
            (240_000, 7.0),
            (300_000, 9.0),
        ];
        let series = datapoints(&samples, &periods, Statistic::Sum);
        assert_eq!(
            series.into_iter().collect::<Vec<_>>(),
            [(0, 3.0), (60_000, 5.0), (240_000, 7.0)]
        );
        // Periods not aligned on their length bucket from their own start.
        let sliding = Periods::ending_at(420_000, 300_000, 1, 60_000);
        let series = datapoints(&samples, &sliding, Statistic::Sum);
        assert_eq!(series.into_iter().collect::<Vec<_>>(), [(120_000, 16.0)]);
    }
}
