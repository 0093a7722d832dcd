//! Nearest-rank percentiles: the definition the SLA report uses, documented in
//! [`crate::sla`].

/// The `p`-th percentile (0 < p ≤ 100) of `sorted` (ascending): the value at rank
/// ⌈p/100 · n⌉, 1-based. `None` when there are no values.
pub fn nearest_rank(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as f64;
    let rank = (p / 100.0 * n).ceil().clamp(1.0, n);
    // `rank` is an integer in 1..=n, so the cast is exact.
    sorted.get(rank as usize - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_picks_an_observed_value() {
        let values: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(nearest_rank(&values, 95.0), Some(19.0));
        assert_eq!(nearest_rank(&values, 50.0), Some(10.0));
        assert_eq!(nearest_rank(&values, 100.0), Some(20.0));
        assert_eq!(nearest_rank(&values, 0.1), Some(1.0));
        assert_eq!(nearest_rank(&[7.0], 99.0), Some(7.0));
        assert_eq!(nearest_rank(&[], 95.0), None);
    }
}
