//! A statistic applied to the raw values of one period, as CloudWatch defines it
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html>):
//! `SampleCount`, `Sum`, `Average`, `Minimum`, `Maximum`, percentiles `pNN` (nearest rank,
//! as the SLA report computes them), and the trimmed statistics with absolute bounds
//! `TC(a:b)`, `TS(a:b)`, `TM(a:b)` and `PR(a:b)`, whose range takes values above `a`
//! (exclusive) up to `b` (inclusive). Percentage bounds (`TM(10%:90%)`, `tm90`, `IQM`) and
//! winsorized means are refused: the evaluator would have to guess how CloudWatch ranks
//! values at the edges.

use crate::sla::nearest_rank;

/// What to compute from a period's values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    /// How many values.
    SampleCount,
    /// Their sum.
    Sum,
    /// Sum / SampleCount.
    Average,
    /// The lowest.
    Minimum,
    /// The highest.
    Maximum,
    /// The p-th percentile (nearest rank).
    Percentile(f64),
    /// A statistic over the values in `(low, high]`.
    Trimmed {
        /// Which one.
        kind: Trimmed,
        /// Exclusive lower bound, if any.
        low: Option<f64>,
        /// Inclusive upper bound, if any.
        high: Option<f64>,
    },
}

/// The statistics over a range of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trimmed {
    /// `TC`: how many values are in the range.
    Count,
    /// `TS`: their sum.
    Sum,
    /// `TM`: their mean.
    Mean,
    /// `PR`: the percentage of all values that are in the range.
    Rank,
}

impl Statistic {
    /// Reads a statistic as alarms spell it; the error says what is supported.
    pub fn parse(text: &str) -> Result<Self, String> {
        let standard = match text {
            "SampleCount" => Some(Self::SampleCount),
            "Sum" => Some(Self::Sum),
            "Average" => Some(Self::Average),
            "Minimum" => Some(Self::Minimum),
            "Maximum" => Some(Self::Maximum),
            _ => None,
        };
        if let Some(statistic) = standard {
            return Ok(statistic);
        }
        if let Some(p) = text
            .strip_prefix('p')
            .and_then(|number| number.parse::<f64>().ok())
            .filter(|p| *p > 0.0 && *p <= 100.0)
        {
            return Ok(Self::Percentile(p));
        }
        for (prefix, kind) in [
            ("TC(", Trimmed::Count),
            ("TS(", Trimmed::Sum),
            ("TM(", Trimmed::Mean),
            ("PR(", Trimmed::Rank),
        ] {
            if let Some((low, high)) = text
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(')'))
                .and_then(|inner| inner.split_once(':'))
            {
                let bound = |text: &str| -> Result<Option<f64>, ()> {
                    if text.is_empty() {
                        Ok(None)
                    } else {
                        text.parse::<f64>().map(Some).map_err(|_| ())
                    }
                };
                if let (Ok(low), Ok(high)) = (bound(low), bound(high))
                    && (low.is_some() || high.is_some())
                {
                    return Ok(Self::Trimmed { kind, low, high });
                }
            }
        }
        Err(format!(
            "the alarm evaluator (`revops monitor test`, `evaluate`) does not support the \
             statistic `{text}`; alarms may use SampleCount, Sum, Average, Minimum, Maximum, \
             pNN, or TC/TS/TM/PR with absolute bounds such as TC(300000:)"
        ))
    }

    /// The statistic of `values` (one period's raw values); `None` when there are none,
    /// or when a trimmed mean has no value in its range.
    pub fn of(self, values: &[f64]) -> Option<f64> {
        if values.is_empty() {
            return None;
        }
        let count = values.len() as f64;
        let sum = || values.iter().sum::<f64>();
        match self {
            Self::SampleCount => Some(count),
            Self::Sum => Some(sum()),
            Self::Average => Some(sum() / count),
            Self::Minimum => values.iter().copied().reduce(f64::min),
            Self::Maximum => values.iter().copied().reduce(f64::max),
            Self::Percentile(p) => {
                let mut sorted = values.to_vec();
                sorted.sort_by(f64::total_cmp);
                nearest_rank(&sorted, p)
            }
            Self::Trimmed { kind, low, high } => {
                let inside: Vec<f64> = values
                    .iter()
                    .copied()
                    .filter(|v| {
                        low.is_none_or(|low| *v > low) && high.is_none_or(|high| *v <= high)
                    })
                    .collect();
                let in_count = inside.len() as f64;
                match kind {
                    Trimmed::Count => Some(in_count),
                    Trimmed::Sum => Some(inside.iter().sum()),
                    Trimmed::Mean => {
                        (in_count > 0.0).then(|| inside.iter().sum::<f64>() / in_count)
                    }
                    Trimmed::Rank => Some(100.0 * in_count / count),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_statistics_and_percentiles() {
        let values = [4.0, 1.0, 3.0, 2.0];
        let of = |stat: &str| Statistic::parse(stat).unwrap().of(&values).unwrap();
        assert_eq!(of("SampleCount"), 4.0);
        assert_eq!(of("Sum"), 10.0);
        assert_eq!(of("Average"), 2.5);
        assert_eq!(of("Minimum"), 1.0);
        assert_eq!(of("Maximum"), 4.0);
        assert_eq!(of("p50"), 2.0);
        assert_eq!(of("p95"), 4.0);
        assert_eq!(Statistic::Sum.of(&[]), None);
    }

    #[test]
    fn trimmed_bounds_exclude_the_low_and_include_the_high_as_documented() {
        // TC(80:500): values between 80 (exclusive) and 500 (inclusive).
        let values = [80.0, 81.0, 500.0, 501.0];
        let of = |stat: &str| Statistic::parse(stat).unwrap().of(&values);
        assert_eq!(of("TC(80:500)"), Some(2.0));
        assert_eq!(of("TC(:80)"), Some(1.0));
        assert_eq!(of("TC(500:)"), Some(1.0));
        assert_eq!(of("TS(80:500)"), Some(581.0));
        assert_eq!(of("TM(80:500)"), Some(290.5));
        assert_eq!(of("PR(:81)"), Some(50.0));
        assert_eq!(of("TM(1000:)"), None);
        assert_eq!(of("TC(1000:)"), Some(0.0));
    }

    #[test]
    fn unsupported_statistics_are_refused_by_name() {
        for text in [
            "tm90",
            "TM(10%:90%)",
            "IQM",
            "WM(1:2)",
            "TC(:)",
            "p0",
            "sum",
        ] {
            let error = Statistic::parse(text).unwrap_err();
            assert!(error.contains(&format!("`{text}`")), "{error}");
        }
    }
}
