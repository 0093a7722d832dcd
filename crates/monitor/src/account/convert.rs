//! Between the SDK's types and the model: what DescribeAlarms returns becomes a
//! [`MetricAlarm`] or [`CompositeAlarm`] comparable with the definitions, and the model
//! fills PutMetricAlarm and PutCompositeAlarm requests.

use crate::render::model::{
    AlarmSource, CompositeAlarm, Dimension, Metric, MetricAlarm, MetricStat, Query,
    STANDARD_STATISTICS,
};
use aws_sdk_cloudwatch::operation::put_composite_alarm::builders::PutCompositeAlarmFluentBuilder;
use aws_sdk_cloudwatch::operation::put_metric_alarm::builders::PutMetricAlarmFluentBuilder;
use aws_sdk_cloudwatch::types as sdk;

/// What the account holds for a metric alarm, in the model's terms.
pub(crate) fn metric_alarm_from_sdk(alarm: &sdk::MetricAlarm) -> MetricAlarm {
    let source = if alarm.metrics().is_empty() {
        AlarmSource::Metric {
            metric: Metric {
                namespace: alarm.namespace().unwrap_or_default().to_owned(),
                metric_name: alarm.metric_name().unwrap_or_default().to_owned(),
                dimensions: dimensions_from_sdk(alarm.dimensions()),
            },
            stat: alarm
                .statistic()
                .map(|s| s.as_str().to_owned())
                .or_else(|| alarm.extended_statistic().map(str::to_owned))
                .unwrap_or_default(),
            period: alarm.period().unwrap_or_default(),
        }
    } else {
        AlarmSource::Math {
            metrics: alarm.metrics().iter().map(query_from_sdk).collect(),
        }
    };
    let evaluation_periods = alarm.evaluation_periods().unwrap_or_default();
    MetricAlarm {
        alarm_name: alarm.alarm_name().unwrap_or_default().to_owned(),
        alarm_description: alarm.alarm_description().unwrap_or_default().to_owned(),
        actions_enabled: alarm.actions_enabled().unwrap_or(true),
        alarm_actions: alarm.alarm_actions().to_vec(),
        ok_actions: alarm.ok_actions().to_vec(),
        source,
        evaluation_periods,
        datapoints_to_alarm: alarm.datapoints_to_alarm().unwrap_or(evaluation_periods),
        threshold: alarm.threshold().unwrap_or_default(),
        comparison_operator: alarm
            .comparison_operator()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        treat_missing_data: alarm.treat_missing_data().unwrap_or("missing").to_owned(),
    }
}

/// What the account holds for a composite alarm, in the model's terms.
pub(crate) fn composite_alarm_from_sdk(alarm: &sdk::CompositeAlarm) -> CompositeAlarm {
    CompositeAlarm {
        alarm_name: alarm.alarm_name().unwrap_or_default().to_owned(),
        alarm_description: alarm.alarm_description().unwrap_or_default().to_owned(),
        actions_enabled: alarm.actions_enabled().unwrap_or(true),
        alarm_actions: alarm.alarm_actions().to_vec(),
        ok_actions: alarm.ok_actions().to_vec(),
        alarm_rule: alarm.alarm_rule().unwrap_or_default().to_owned(),
    }
}

fn dimensions_from_sdk(dimensions: &[sdk::Dimension]) -> Vec<Dimension> {
    let mut out: Vec<Dimension> = dimensions
        .iter()
        .map(|d| Dimension {
            name: d.name().unwrap_or_default().to_owned(),
            value: d.value().unwrap_or_default().to_owned(),
        })
        .collect();
    out.sort();
    out
}

fn query_from_sdk(query: &sdk::MetricDataQuery) -> Query {
    Query {
        id: query.id().unwrap_or_default().to_owned(),
        metric_stat: query.metric_stat().map(|stat| MetricStat {
            metric: stat
                .metric()
                .map(|m| Metric {
                    namespace: m.namespace().unwrap_or_default().to_owned(),
                    metric_name: m.metric_name().unwrap_or_default().to_owned(),
                    dimensions: dimensions_from_sdk(m.dimensions()),
                })
                .unwrap_or_else(|| Metric {
                    namespace: String::new(),
                    metric_name: String::new(),
                    dimensions: Vec::new(),
                }),
            stat: stat.stat().unwrap_or_default().to_owned(),
            period: stat.period().unwrap_or_default(),
        }),
        expression: query.expression().map(str::to_owned),
        label: query.label().map(str::to_owned),
        return_data: query.return_data().unwrap_or(true),
    }
}

/// The SDK's form of a metric.
pub(crate) fn metric_to_sdk(metric: &Metric) -> sdk::Metric {
    sdk::Metric::builder()
        .namespace(&metric.namespace)
        .metric_name(&metric.metric_name)
        .set_dimensions(Some(dimensions_to_sdk(&metric.dimensions)))
        .build()
}

fn dimensions_to_sdk(dimensions: &[Dimension]) -> Vec<sdk::Dimension> {
    dimensions
        .iter()
        .map(|d| {
            sdk::Dimension::builder()
                .name(&d.name)
                .value(&d.value)
                .build()
        })
        .collect()
}

/// Fills a PutMetricAlarm request.
pub(crate) fn put_metric_alarm(
    request: PutMetricAlarmFluentBuilder,
    alarm: &MetricAlarm,
) -> PutMetricAlarmFluentBuilder {
    let request = request
        .alarm_name(&alarm.alarm_name)
        .alarm_description(&alarm.alarm_description)
        .actions_enabled(alarm.actions_enabled)
        .set_alarm_actions(Some(alarm.alarm_actions.clone()))
        .set_ok_actions(Some(alarm.ok_actions.clone()))
        .evaluation_periods(alarm.evaluation_periods)
        .datapoints_to_alarm(alarm.datapoints_to_alarm)
        .threshold(alarm.threshold)
        .comparison_operator(sdk::ComparisonOperator::from(
            alarm.comparison_operator.as_str(),
        ))
        .treat_missing_data(&alarm.treat_missing_data);
    match &alarm.source {
        AlarmSource::Metric {
            metric,
            stat,
            period,
        } => {
            let request = request
                .namespace(&metric.namespace)
                .metric_name(&metric.metric_name)
                .set_dimensions(Some(dimensions_to_sdk(&metric.dimensions)))
                .period(*period);
            if STANDARD_STATISTICS.contains(&stat.as_str()) {
                request.statistic(sdk::Statistic::from(stat.as_str()))
            } else {
                request.extended_statistic(stat)
            }
        }
        AlarmSource::Math { metrics } => {
            request.set_metrics(Some(metrics.iter().map(query_to_sdk).collect()))
        }
    }
}

fn query_to_sdk(query: &Query) -> sdk::MetricDataQuery {
    sdk::MetricDataQuery::builder()
        .id(&query.id)
        .set_metric_stat(query.metric_stat.as_ref().map(|stat| {
            sdk::MetricStat::builder()
                .metric(metric_to_sdk(&stat.metric))
                .stat(&stat.stat)
                .period(stat.period)
                .build()
        }))
        .set_expression(query.expression.clone())
        .set_label(query.label.clone())
        .return_data(query.return_data)
        .build()
}

/// Fills a PutCompositeAlarm request.
pub(crate) fn put_composite_alarm(
    request: PutCompositeAlarmFluentBuilder,
    alarm: &CompositeAlarm,
) -> PutCompositeAlarmFluentBuilder {
    request
        .alarm_name(&alarm.alarm_name)
        .alarm_description(&alarm.alarm_description)
        .actions_enabled(alarm.actions_enabled)
        .set_alarm_actions(Some(alarm.alarm_actions.clone()))
        .set_ok_actions(Some(alarm.ok_actions.clone()))
        .alarm_rule(&alarm.alarm_rule)
}
