//! The compact notation of an alarm test's series and times.
//!
//! - A **metric** is `Name{Dim=Value,…}` in the code's namespace, or
//!   `Namespace:Name{Dim=Value,…}` (`AWS/Lambda:Errors{FunctionName=${processor_function}}`);
//!   `${…}` parameters are substituted as in the definitions.
//! - A **series** is one token per step, separated by spaces: a number is one sample in
//!   that step; `_` is no sample (missing data); `V*K` is K samples of V; several groups
//!   in one step are joined by commas (`100*19,400000`); `TOKENxN` repeats a step N
//!   times. `"0x30 5x10"` is thirty steps of 0, then ten of 5.
//! - A **duration** (`step`, and the times of expectations) is `90s`, `40m`, `2h`,
//!   `1h30m`, `1d`; at most [`MAX_DURATION`].
//!
//! A series holds at most [`MAX_STEPS`] steps, [`MAX_SAMPLES_PER_STEP`] samples in a
//! step and [`MAX_SAMPLES`] samples in all: a test is a few hours of minutes, and a
//! typo such as `1*99999999999999` must be refused, not allocated.

use super::samples::MetricKey;
use super::series::Millis;
use std::collections::BTreeMap;

/// One step's samples.
pub type Step = Vec<f64>;

/// The most steps a series holds (about 69 days of one-minute steps).
pub const MAX_STEPS: usize = 100_000;
/// The most samples in one step.
pub const MAX_SAMPLES_PER_STEP: usize = 100_000;
/// The most samples in a whole series.
pub const MAX_SAMPLES: usize = 1_000_000;
/// The longest duration (a year).
pub const MAX_DURATION: Millis = 366 * 86_400_000;

/// Reads a series: the samples of each step.
pub fn parse_series(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut total: usize = 0;
    for token in text.split_whitespace() {
        let (step, repeat) = match token.rsplit_once('x') {
            Some((step, repeat)) => (
                step,
                repeat.parse::<usize>().map_err(|_| {
                    format!("`{token}`: the repeat after `x` must be a whole number")
                })?,
            ),
            None => (token, 1),
        };
        let samples = parse_step(step).map_err(|e| format!("`{token}`: {e}"))?;
        if repeat > MAX_STEPS - steps.len() {
            return Err(format!(
                "`{token}`: more than {MAX_STEPS} steps in the series"
            ));
        }
        total = repeat
            .checked_mul(samples.len())
            .and_then(|more| total.checked_add(more))
            .filter(|total| *total <= MAX_SAMPLES)
            .ok_or_else(|| format!("`{token}`: more than {MAX_SAMPLES} samples in the series"))?;
        steps.extend(std::iter::repeat_n(samples, repeat));
    }
    if steps.is_empty() {
        return Err("a series needs at least one step".into());
    }
    Ok(steps)
}

fn parse_step(text: &str) -> Result<Step, String> {
    if text == "_" {
        return Ok(Vec::new());
    }
    let mut samples = Vec::new();
    for group in text.split(',') {
        let (value, count) = match group.split_once('*') {
            Some((value, count)) => (
                value,
                count.parse::<usize>().map_err(|_| {
                    format!("`{group}`: the count after `*` must be a whole number")
                })?,
            ),
            None => (group, 1),
        };
        let value = value
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("`{value}` is not a number (or `_` for no sample)"))?;
        if count > MAX_SAMPLES_PER_STEP - samples.len() {
            return Err(format!(
                "`{group}`: more than {MAX_SAMPLES_PER_STEP} samples in one step"
            ));
        }
        samples.extend(std::iter::repeat_n(value, count));
    }
    Ok(samples)
}

/// Reads a metric; `namespace` is the code's, used when none is written.
pub fn parse_metric(text: &str, namespace: &str) -> Result<MetricKey, String> {
    let (head, dimensions) = match text.split_once('{') {
        Some((head, rest)) => {
            let inner = rest
                .strip_suffix('}')
                .ok_or_else(|| format!("`{text}`: the dimensions must end with `}}`"))?;
            let mut dimensions = BTreeMap::new();
            for pair in inner.split(',').filter(|p| !p.trim().is_empty()) {
                let (key, value) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("`{text}`: a dimension is written Name=Value"))?;
                dimensions.insert(key.trim().to_owned(), value.trim().to_owned());
            }
            (head, dimensions)
        }
        None => (text, BTreeMap::new()),
    };
    let (namespace, name) = match head.rsplit_once(':') {
        Some((namespace, name)) => (namespace.to_owned(), name),
        None => (namespace.to_owned(), head),
    };
    if name.trim().is_empty() {
        return Err(format!("`{text}` names no metric"));
    }
    Ok(MetricKey {
        namespace,
        name: name.trim().to_owned(),
        dimensions,
    })
}

/// Reads a duration such as `1h30m`.
pub fn parse_duration(text: &str) -> Result<Millis, String> {
    let mut total: Millis = 0;
    let mut number = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit: Millis = match c {
            's' => 1_000,
            'm' => 60_000,
            'h' => 3_600_000,
            'd' => 86_400_000,
            _ => return Err(format!("`{text}` is not a duration (90s, 40m, 2h, 1h30m)")),
        };
        let amount: Millis = number
            .parse()
            .map_err(|_| format!("`{text}` is not a duration (90s, 40m, 2h, 1h30m)"))?;
        total = amount
            .checked_mul(unit)
            .and_then(|amount| total.checked_add(amount))
            .filter(|total| *total <= MAX_DURATION)
            .ok_or_else(|| format!("`{text}` is longer than a year"))?;
        number.clear();
    }
    if !number.is_empty() || text.trim().is_empty() {
        return Err(format!("`{text}` is not a duration (90s, 40m, 2h, 1h30m)"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_steps_repeats_and_groups() {
        assert_eq!(
            parse_series("0x2 5").unwrap(),
            [vec![0.0], vec![0.0], vec![5.0]]
        );
        assert_eq!(
            parse_series("_ 1*2,3").unwrap(),
            [vec![], vec![1.0, 1.0, 3.0]]
        );
        assert_eq!(parse_series("_x2").unwrap(), [Vec::<f64>::new(), vec![]]);
        assert!(parse_series("").is_err());
        assert!(parse_series("1xx").is_err());
        assert!(parse_series("one").is_err());
    }

    #[test]
    fn series_past_the_limits_are_refused_not_allocated() {
        let error = parse_series("1*99999999999999").unwrap_err();
        assert!(error.contains("samples in one step"), "{error}");
        let error = parse_series("1x99999999999999").unwrap_err();
        assert!(error.contains("steps in the series"), "{error}");
        let error = parse_series("1*100000x11").unwrap_err();
        assert!(error.contains("samples in the series"), "{error}");
        assert_eq!(parse_series("1*100000x10").unwrap().len(), 10);
        assert_eq!(parse_series("_x100000").unwrap().len(), MAX_STEPS);
    }

    #[test]
    fn metrics_with_and_without_namespace() {
        let key = parse_metric("Deliveries{Service=processor,Outcome=failed}", "NS").unwrap();
        assert_eq!(
            key.to_string(),
            "NS:Deliveries{Outcome=failed,Service=processor}"
        );
        let key = parse_metric("AWS/Lambda:Errors{FunctionName=f}", "NS").unwrap();
        assert_eq!(key.namespace, "AWS/Lambda");
        assert!(parse_metric("X{Service}", "NS").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000);
        assert_eq!(parse_duration("45s").unwrap(), 45_000);
        assert_eq!(parse_duration("0m").unwrap(), 0);
        assert!(parse_duration("40").is_err() && parse_duration("4w").is_err());
    }

    #[test]
    fn a_duration_too_long_is_refused_not_overflowed() {
        let error = parse_duration("999999999999999d").unwrap_err();
        assert!(error.contains("longer than a year"), "{error}");
        assert!(parse_duration("99999999999999999999s").is_err());
        assert!(parse_duration("366d1s").is_err());
        assert_eq!(parse_duration("366d").unwrap(), MAX_DURATION);
    }
}
