//! The state that `ignore` keeps, found without replaying every minute since the first
//! sample. An `ignore` alarm's state at a minute depends on the minutes before only
//! when its evaluation range decides nothing (no datapoint, or only breaching ones fewer
//! than M); then it is the state of the newest earlier minute whose range decided. So
//! the search walks back from the evaluation: one minute at a time while the range
//! holds samples, and straight to the newest minute whose range holds the previous
//! sample when it holds none. It stops at the first minute that decides, or before the
//! alarm's first sample (INSUFFICIENT_DATA, where every alarm starts). Each step is one
//! evaluation, so a long quiet stretch costs one step, not one per minute.

use super::alarm::{Cadence, evaluate_once};
use super::samples::MetricKey;
use super::series::Millis;
use super::source::{Fetched, SampleSource};
use super::state::{AlarmState, Rule};
use crate::render::model::{AlarmSource, MetricAlarm};

/// The state `alarm` was in just before its evaluation at `at`.
pub fn kept_state(
    alarm: &MetricAlarm,
    source: &SampleSource<'_>,
    rule: &Rule,
    cadence: Cadence,
    at: Millis,
) -> AlarmState {
    let times = sample_times(alarm, source);
    let Some(&oldest) = times.first() else {
        return AlarmState::InsufficientData;
    };
    let minute = cadence.minute;
    let mut when = at.div_euclid(minute) * minute - minute;
    loop {
        let periods = cadence.periods(rule, when);
        if periods.end() <= oldest {
            return AlarmState::InsufficientData;
        }
        let outcome = evaluate_once(
            alarm,
            source,
            rule,
            cadence,
            when,
            AlarmState::InsufficientData,
        );
        if !outcome.kept {
            return outcome.state;
        }
        let from = times.partition_point(|t| *t < periods.first);
        let holds_samples = times.get(from).is_some_and(|t| *t < periods.end());
        let earlier = when - minute;
        when = match from.checked_sub(1).map(|i| times[i]) {
            Some(previous) if !holds_samples => {
                // The newest evaluation whose range still holds `previous`.
                let span = periods.end() - periods.first;
                ((previous + span).div_euclid(minute) * minute).min(earlier)
            }
            _ => earlier,
        };
    }
}

/// The times of the samples the alarm reads, oldest first, each once.
fn sample_times(alarm: &MetricAlarm, source: &SampleSource<'_>) -> Vec<Millis> {
    let metrics: Vec<MetricKey> = match &alarm.source {
        AlarmSource::Metric { metric, .. } => vec![MetricKey::of(metric)],
        AlarmSource::Math { metrics } => metrics
            .iter()
            .filter_map(|q| q.metric_stat.as_ref())
            .map(|m| MetricKey::of(&m.metric))
            .collect(),
    };
    let mut times: Vec<Millis> = metrics
        .iter()
        .filter_map(|key| match source.fetch(key) {
            Fetched::Samples(samples, _) => Some(samples),
            Fetched::Unavailable(_) => None,
        })
        .flatten()
        .map(|(at, _)| at)
        .collect();
    times.sort_unstable();
    times.dedup();
    times
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;
    use crate::evaluate::alarm::evaluate_metric_alarm;
    use crate::evaluate::alarm::rule_of;
    use crate::evaluate::alarm::tests::alarm;
    use crate::evaluate::samples::Samples;
    use crate::evaluate::source::Options;

    /// What `ignore` meant before: every minute since the first sample, replayed.
    fn replayed(alarm: &MetricAlarm, source: &SampleSource<'_>, at: Millis) -> AlarmState {
        let rule = rule_of(alarm).unwrap();
        let cadence = Cadence {
            period: source.period_ms(alarm_period(alarm)),
            minute: source.period_ms(60),
        };
        let mut current = AlarmState::InsufficientData;
        let first = source.samples.first_time().unwrap();
        let mut when = first.div_euclid(cadence.minute) * cadence.minute + cadence.minute;
        while when < at {
            current = evaluate_once(alarm, source, &rule, cadence, when, current).state;
            when += cadence.minute;
        }
        evaluate_once(alarm, source, &rule, cadence, at, current).state
    }

    fn alarm_period(alarm: &MetricAlarm) -> i32 {
        match &alarm.source {
            AlarmSource::Metric { period, .. } => *period,
            AlarmSource::Math { .. } => 60,
        }
    }

    #[test]
    fn the_kept_state_is_the_one_a_replay_of_every_minute_reaches() {
        // Bursts of breaching, healthy and lone breaching samples with long gaps.
        let mut seed: u64 = 7;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            seed >> 33
        };
        let key = MetricKey::of(match &alarm("ignore").source {
            AlarmSource::Metric { metric, .. } => metric,
            AlarmSource::Math { .. } => unreachable!(),
        });
        let mut samples = Samples::default();
        let mut minute: i64 = 3;
        while minute < 600 {
            let value = if next() % 3 == 0 { 1.0 } else { 10.0 };
            for _ in 0..(next() % 4) {
                samples.push(key.clone(), minute * 60_000 + 5_000, value);
                minute += 1;
            }
            minute += i64::try_from(next() % 40).unwrap();
        }
        let params = Params::default();
        let source = SampleSource {
            samples: &samples,
            params: &params,
            options: Options::default(),
        };
        for (n, m, period) in [(1, 1, 60), (3, 2, 60), (3, 3, 300), (5, 3, 120)] {
            let mut alarm = alarm("ignore");
            alarm.evaluation_periods = n;
            alarm.datapoints_to_alarm = m;
            if let AlarmSource::Metric { period: p, .. } = &mut alarm.source {
                *p = period;
            }
            for at in (0..660).map(|m| m * 60_000 + 30_000) {
                assert_eq!(
                    evaluate_metric_alarm(&alarm, &source, at).state,
                    replayed(&alarm, &source, at),
                    "{m} of {n}, period {period} s, at minute {}",
                    at / 60_000
                );
            }
        }
    }
}
