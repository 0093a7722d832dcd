//! CloudWatch statistics: the five standard ones and the extended forms (`p95`,
//! `p99.9`, `tm90`, `TM(10%:90%)`, `TC(:300000)`, `PR(:300000)`, `IQM`, …).

/// The standard statistics; any other is an extended statistic (`p95`, `TC(…)`).
pub const STANDARD_STATISTICS: &[&str] = &["SampleCount", "Average", "Sum", "Minimum", "Maximum"];

/// Checks a statistic's spelling; the error lists the accepted forms.
pub(crate) fn check_stat(stat: &str) -> Result<(), String> {
    if is_valid(stat) {
        Ok(())
    } else {
        Err(format!(
            "`{stat}` is not a CloudWatch statistic; use SampleCount, Average, Sum, Minimum, \
             Maximum, pNN (p95, p99.9), tmNN/wmNN/tcNN/tsNN, TM(a:b), WM(a:b), TC(a:b), \
             TS(a:b), PR(a:b) or IQM"
        ))
    }
}

fn is_valid(stat: &str) -> bool {
    if STANDARD_STATISTICS.contains(&stat) || stat == "IQM" {
        return true;
    }
    if let Some(number) = stat.strip_prefix('p') {
        return percent(number);
    }
    let lower = stat.to_ascii_lowercase();
    for short in ["tm", "wm", "tc", "ts"] {
        if let Some(number) = lower.strip_prefix(short)
            && !number.starts_with('(')
        {
            return percent(number);
        }
    }
    for ranged in ["tm(", "wm(", "tc(", "ts(", "pr("] {
        if let Some(inner) = lower
            .strip_prefix(ranged)
            .and_then(|rest| rest.strip_suffix(')'))
        {
            return range(inner, ranged == "pr(");
        }
    }
    false
}

/// A percentage 0..=100 with at most ten decimals.
fn percent(text: &str) -> bool {
    let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
    !text.is_empty()
        && decimals <= 10
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
        && text
            .parse::<f64>()
            .is_ok_and(|n| (0.0..=100.0).contains(&n))
}

/// `a:b` with either side optional (not both), each a number or a percentage.
fn range(inner: &str, absolute_only: bool) -> bool {
    let Some((low, high)) = inner.split_once(':') else {
        return false;
    };
    let bound = |text: &str| match text.strip_suffix('%') {
        _ if text.is_empty() => true,
        Some(number) => !absolute_only && percent(number),
        None => text.parse::<f64>().is_ok_and(f64::is_finite),
    };
    !(low.is_empty() && high.is_empty()) && bound(low) && bound(high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_cloudwatch_statistics_and_refuses_others() {
        for good in [
            "Sum",
            "SampleCount",
            "p95",
            "p99.9",
            "p0",
            "p100",
            "tm90",
            "TM(10%:90%)",
            "TC(:300000)",
            "TC(300000:)",
            "PR(:300000)",
            "IQM",
        ] {
            assert!(check_stat(good).is_ok(), "{good}");
        }
        for bad in [
            "sum", "P95", "p101", "p", "TC(:)", "PR(:5%)", "Median", "TM(1:2",
        ] {
            assert!(check_stat(bad).is_err(), "{bad}");
        }
    }
}
