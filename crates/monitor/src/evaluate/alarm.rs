//! One metric alarm at one time, as CloudWatch evaluates it: the datapoints of the
//! evaluation range, whose newest period ends at the minute of the evaluation (the
//! metric's statistic, or the metric math of the query that returns data), then the
//! state from them ([`super::state::decide`]).

use super::math::{self, Value};
use super::replay::kept_state;
use super::samples::MetricKey;
use super::series::{Millis, Periods, Series, datapoints};
use super::source::{Fetched, SampleSource};
use super::state::{AlarmState, Rule, decide};
use super::statistic::Statistic;
use crate::definitions::alarm::{Comparison, TreatMissingData};
use crate::render::model::{AlarmSource, MetricAlarm, MetricStat};
use std::collections::BTreeMap;

/// One datapoint of the evaluation range.
#[derive(Debug, Clone, PartialEq)]
pub struct Datapoint {
    /// Its period's start.
    pub at: Millis,
    /// Its value; `None` when missing.
    pub value: Option<f64>,
    /// Whether it breaches.
    pub breaching: bool,
    /// Whether it was among those that decided the state.
    pub evaluated: bool,
}

/// A metric alarm's state at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricOutcome {
    /// The state.
    pub state: AlarmState,
    /// Why, in words.
    pub why: String,
    /// The evaluation range, oldest first.
    pub datapoints: Vec<Datapoint>,
    /// Whether the state is the one it was in, kept (`ignore` with nothing to decide on).
    pub kept: bool,
}

/// The alarm's rule, from its rendered form (whose names come from the definitions'
/// enums, so an unknown one means the alarm was not rendered from a definition).
pub fn rule_of(alarm: &MetricAlarm) -> Result<Rule, String> {
    let comparison = Comparison::parse(&alarm.comparison_operator)
        .ok_or_else(|| format!("unknown comparison `{}`", alarm.comparison_operator))?;
    let treat_missing_data =
        TreatMissingData::parse(&alarm.treat_missing_data).ok_or_else(|| {
            format!(
                "unknown treatment of missing data `{}`",
                alarm.treat_missing_data
            )
        })?;
    Ok(Rule {
        comparison,
        threshold: alarm.threshold,
        evaluation_periods: usize::try_from(alarm.evaluation_periods)
            .unwrap_or(1)
            .max(1),
        datapoints_to_alarm: usize::try_from(alarm.datapoints_to_alarm)
            .unwrap_or(1)
            .max(1),
        treat_missing_data,
    })
}

/// The alarm's period in seconds.
fn period_seconds(alarm: &MetricAlarm) -> i32 {
    match &alarm.source {
        AlarmSource::Metric { period, .. } => *period,
        AlarmSource::Math { metrics } => metrics
            .iter()
            .find_map(|q| q.metric_stat.as_ref().map(|m| m.period))
            .unwrap_or(60),
    }
}

/// Evaluates `alarm` at `at`. With `ignore`, when nothing in the evaluation range
/// decides, the state is the one the alarm was in ([`super::replay::kept_state`]).
pub fn evaluate_metric_alarm(
    alarm: &MetricAlarm,
    source: &SampleSource<'_>,
    at: Millis,
) -> MetricOutcome {
    let rule = match rule_of(alarm) {
        Ok(rule) => rule,
        Err(why) => return unavailable(why),
    };
    let cadence = Cadence {
        period: source.period_ms(period_seconds(alarm)),
        minute: source.period_ms(60),
    };
    let outcome = evaluate_once(
        alarm,
        source,
        &rule,
        cadence,
        at,
        AlarmState::InsufficientData,
    );
    if !outcome.kept {
        return outcome;
    }
    let current = kept_state(alarm, source, &rule, cadence, at);
    evaluate_once(alarm, source, &rule, cadence, at, current)
}

/// An alarm's period and how often it is evaluated (a minute), under the time scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    /// The period, in milliseconds.
    pub period: Millis,
    /// The evaluation interval, in milliseconds.
    pub minute: Millis,
}

impl Cadence {
    /// The evaluation range at `at` for `rule`.
    pub fn periods(&self, rule: &Rule, at: Millis) -> Periods {
        Periods::ending_at(at, self.period, rule.range_periods(), self.minute)
    }
}

/// The alarm evaluated once at `at`, `current` being the state it was in.
pub(super) fn evaluate_once(
    alarm: &MetricAlarm,
    source: &SampleSource<'_>,
    rule: &Rule,
    cadence: Cadence,
    at: Millis,
    current: AlarmState,
) -> MetricOutcome {
    let periods = cadence.periods(rule, at);
    let series = match watched_series(alarm, source, &periods) {
        Ok(series) => series,
        Err(why) => return unavailable(why),
    };
    let points: Vec<Option<f64>> = periods.starts().map(|t| series.get(&t).copied()).collect();
    let decision = decide(&points, rule, current);
    let datapoints = periods
        .starts()
        .zip(&points)
        .enumerate()
        .map(|(index, (at, value))| Datapoint {
            at,
            value: *value,
            breaching: value.is_some_and(|v| rule.breaches(v)),
            evaluated: decision.evaluated.contains(&index),
        })
        .collect();
    MetricOutcome {
        state: decision.state,
        why: decision.why,
        datapoints,
        kept: decision.kept,
    }
}

fn unavailable(why: String) -> MetricOutcome {
    MetricOutcome {
        state: AlarmState::InsufficientData,
        why,
        datapoints: Vec::new(),
        kept: false,
    }
}

/// The series the alarm compares with its threshold.
fn watched_series(
    alarm: &MetricAlarm,
    source: &SampleSource<'_>,
    periods: &Periods,
) -> Result<Series, String> {
    match &alarm.source {
        AlarmSource::Metric { metric, stat, .. } => {
            metric_series(&MetricKey::of(metric), stat, source, periods)
        }
        AlarmSource::Math { metrics } => {
            let unavailable: Vec<String> = metrics
                .iter()
                .filter_map(|q| q.metric_stat.as_ref())
                .filter_map(|m| match source.fetch(&MetricKey::of(&m.metric)) {
                    Fetched::Unavailable(why) => Some(why),
                    Fetched::Samples(..) => None,
                })
                .collect();
            if !unavailable.is_empty() {
                return Err(unavailable.join("; "));
            }
            let returned = metrics
                .iter()
                .find(|q| q.return_data)
                .ok_or("no query returns data")?;
            let mut cache: BTreeMap<String, Value> = BTreeMap::new();
            match query_value(&returned.id, metrics, source, periods, &mut cache, 0)? {
                Value::Series(series) => Ok(series),
                Value::Scalar(_) => Err(format!(
                    "`{}` gives a number, not a time series",
                    returned.id
                )),
            }
        }
    }
}

fn metric_series(
    metric: &MetricKey,
    stat: &str,
    source: &SampleSource<'_>,
    periods: &Periods,
) -> Result<Series, String> {
    let statistic = Statistic::parse(stat)?;
    match source.fetch(metric) {
        Fetched::Samples(samples, replacement) => Ok(datapoints(
            &samples,
            periods,
            replacement.unwrap_or(statistic),
        )),
        Fetched::Unavailable(why) => Err(why),
    }
}

fn query_value(
    id: &str,
    queries: &[crate::render::model::Query],
    source: &SampleSource<'_>,
    periods: &Periods,
    cache: &mut BTreeMap<String, Value>,
    depth: usize,
) -> Result<Value, String> {
    if let Some(value) = cache.get(id) {
        return Ok(value.clone());
    }
    if depth > queries.len() {
        return Err(format!(
            "the queries refer to each other in a cycle at `{id}`"
        ));
    }
    let query = queries
        .iter()
        .find(|q| q.id == id)
        .ok_or_else(|| format!("no query has the id `{id}`"))?;
    let value = match (&query.metric_stat, &query.expression) {
        (Some(MetricStat { metric, stat, .. }), _) => Value::Series(metric_series(
            &MetricKey::of(metric),
            stat,
            source,
            periods,
        )?),
        (None, Some(text)) => {
            let expr = math::parse(text)?;
            math::evaluate(&expr, periods, &mut |other| {
                query_value(other, queries, source, periods, cache, depth + 1)
            })?
        }
        (None, None) => {
            return Err(format!(
                "the query `{id}` has neither metric nor expression"
            ));
        }
    };
    cache.insert(id.to_owned(), value.clone());
    Ok(value)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::Params;
    use crate::evaluate::samples::Samples;
    use crate::evaluate::source::Options;
    use crate::render::model::{Dimension, Metric};

    /// `NS:M{Service=processor}`'s Maximum above 5 in 1 of 1 one-minute periods.
    pub(in crate::evaluate) fn alarm(treat_missing_data: &str) -> MetricAlarm {
        MetricAlarm {
            alarm_name: "revops-prod-x".into(),
            alarm_description: String::new(),
            actions_enabled: true,
            alarm_actions: Vec::new(),
            ok_actions: Vec::new(),
            source: AlarmSource::Metric {
                metric: Metric {
                    namespace: "NS".into(),
                    metric_name: "M".into(),
                    dimensions: vec![Dimension {
                        name: "Service".into(),
                        value: "processor".into(),
                    }],
                },
                stat: "Maximum".into(),
                period: 60,
            },
            evaluation_periods: 1,
            datapoints_to_alarm: 1,
            threshold: 5.0,
            comparison_operator: "GreaterThanThreshold".into(),
            treat_missing_data: treat_missing_data.into(),
        }
    }

    fn outcome_at(treat: &str, minute: i64) -> MetricOutcome {
        let mut samples = Samples::default();
        let metric = MetricKey::of(match &alarm(treat).source {
            AlarmSource::Metric { metric, .. } => metric,
            AlarmSource::Math { .. } => unreachable!(),
        });
        // Minutes 0..5 breach, then the metric stops.
        for m in 0..5 {
            samples.push(metric.clone(), m * 60_000, 10.0);
        }
        let params = Params::default();
        let source = SampleSource {
            samples: &samples,
            params: &params,
            options: Options::default(),
        };
        evaluate_metric_alarm(&alarm(treat), &source, minute * 60_000)
    }

    #[test]
    fn after_the_metric_stops_each_treatment_does_what_the_guide_says() {
        // Within the evaluation range (N + 2 = 3 periods), the last datapoint still decides.
        assert_eq!(outcome_at("missing", 7).state, AlarmState::Alarm);
        // Past it: nothing is left to evaluate.
        assert_eq!(
            outcome_at("missing", 20).state,
            AlarmState::InsufficientData
        );
        assert_eq!(outcome_at("notBreaching", 20).state, AlarmState::Ok);
        assert_eq!(outcome_at("breaching", 20).state, AlarmState::Alarm);
        // `ignore` keeps the state it reached while data came.
        assert_eq!(outcome_at("ignore", 20).state, AlarmState::Alarm);
        let outcome = outcome_at("missing", 5);
        assert_eq!(outcome.datapoints.len(), 3);
        assert!(outcome.datapoints[2].evaluated && outcome.datapoints[2].breaching);
    }

    #[test]
    fn an_unknown_treatment_of_missing_data_is_refused_not_read_as_missing() {
        let mut unknown = alarm("missing");
        unknown.treat_missing_data = "sometimes".into();
        let error = rule_of(&unknown).unwrap_err();
        assert!(error.contains("`sometimes`"), "{error}");
        for treat in TreatMissingData::ALL {
            let rule = rule_of(&alarm(treat.as_str())).unwrap();
            assert_eq!(rule.treat_missing_data, treat);
        }
        unknown = alarm("missing");
        unknown.comparison_operator = "Above".into();
        assert!(rule_of(&unknown).is_err());
    }
}
