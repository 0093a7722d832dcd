//! Formatting amounts of money for answers.

/// Whole US dollars with thousands separators, e.g. `$120,000`.
pub fn usd(amount: u64) -> String {
    let digits = amount.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("${grouped}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(usd(0), "$0");
        assert_eq!(usd(999), "$999");
        assert_eq!(usd(1_000), "$1,000");
        assert_eq!(usd(120_000), "$120,000");
        assert_eq!(usd(1_234_567), "$1,234,567");
        assert_eq!(usd(12_345_678_901), "$12,345,678,901");
    }
}
