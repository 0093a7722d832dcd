//! Calendar quarters (the sample company's fiscal quarters are calendar quarters).

use chrono::{Datelike, NaiveDate};
use std::fmt;

/// One calendar quarter, such as Q4 2026.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    year: i32,
    number: u8,
}

impl Quarter {
    /// Quarter `number` (1 to 4) of `year`; `None` for any other number.
    pub fn new(year: i32, number: u8) -> Option<Self> {
        (1..=4).contains(&number).then_some(Self { year, number })
    }

    /// The quarter a day falls in.
    pub fn of(day: NaiveDate) -> Self {
        // month0 is 0..=11, so the quotient is 0..=3 and fits in a u8.
        let number = u8::try_from(day.month0() / 3).unwrap_or(3) + 1;
        Self {
            year: day.year(),
            number,
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The quarter's number, 1 to 4.
    pub fn number(self) -> u8 {
        self.number
    }

    /// Whether `day` falls in this quarter.
    pub fn contains(self, day: NaiveDate) -> bool {
        Self::of(day) == self
    }

    /// The quarter after this one.
    pub fn next(self) -> Self {
        if self.number == 4 {
            Self {
                year: self.year + 1,
                number: 1,
            }
        } else {
            Self {
                year: self.year,
                number: self.number + 1,
            }
        }
    }

    /// The quarter before this one.
    pub fn previous(self) -> Self {
        if self.number == 1 {
            Self {
                year: self.year - 1,
                number: 4,
            }
        } else {
            Self {
                year: self.year,
                number: self.number - 1,
            }
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Q{} {}", self.number, self.year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn days_fall_in_calendar_quarters() {
        assert_eq!(Quarter::of(day(2026, 1, 1)), Quarter::new(2026, 1).unwrap());
        assert_eq!(
            Quarter::of(day(2026, 3, 31)),
            Quarter::new(2026, 1).unwrap()
        );
        assert_eq!(Quarter::of(day(2026, 4, 1)), Quarter::new(2026, 2).unwrap());
        assert_eq!(
            Quarter::of(day(2026, 11, 15)),
            Quarter::new(2026, 4).unwrap()
        );
        assert_eq!(
            Quarter::of(day(2026, 12, 31)),
            Quarter::new(2026, 4).unwrap()
        );
        assert!(Quarter::new(2026, 4).unwrap().contains(day(2026, 10, 1)));
        assert!(!Quarter::new(2026, 4).unwrap().contains(day(2027, 10, 1)));
    }

    #[test]
    fn next_and_previous_cross_years() {
        let q4 = Quarter::new(2026, 4).unwrap();
        assert_eq!(q4.next(), Quarter::new(2027, 1).unwrap());
        assert_eq!(q4.next().previous(), q4);
        assert_eq!(Quarter::new(2026, 2).unwrap().previous().number(), 1);
    }

    #[test]
    fn only_quarters_one_to_four_exist() {
        assert!(Quarter::new(2026, 0).is_none());
        assert!(Quarter::new(2026, 5).is_none());
    }

    #[test]
    fn displays_as_q_number_and_year() {
        assert_eq!(Quarter::new(2026, 4).unwrap().to_string(), "Q4 2026");
    }
}
