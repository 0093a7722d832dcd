//! The metric math the alarms use, with CloudWatch's semantics
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html>):
//! numbers, query ids, `+ - * / ^`, unary minus, comparisons `== != < <= > >=`, `AND`/`&&`,
//! `OR`/`||`, parentheses, `FILL(series, number)` and `IF(condition, a[, b])`.
//!
//! - Between two series, arithmetic and comparisons take every time either has a value,
//!   a missing value counting as 0; a division by zero drops the datapoint.
//! - `FILL(m, v)` gives a value in every period the alarm looks at.
//! - `IF` follows the documented table: a true condition with the true branch missing
//!   gives 0; a false one with the false branch missing or omitted drops the datapoint; a
//!   missing condition drops it.
//!
//! Anything else (other functions, `SEARCH`, `METRICS()`, strings) is refused by
//! [`parse`], which `revops monitor validate` applies to every alarm expression, so an
//! alarm the evaluator cannot evaluate exactly is never evaluated at all.

mod eval;
mod parse;

pub use eval::evaluate;
pub use parse::parse;

use super::series::Series;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number.
    Number(f64),
    /// Another query's id.
    Id(String),
    /// `-e`.
    Negate(Box<Expr>),
    /// `a op b`.
    Binary(Op, Box<Expr>, Box<Expr>),
    /// `FILL(series, value)`.
    Fill(Box<Expr>, Box<Expr>),
    /// `IF(condition, then, else)`.
    If(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `+`
    Add,
    /// `-`
    Subtract,
    /// `*`
    Multiply,
    /// `/`
    Divide,
    /// `^`
    Power,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
    /// `AND`, `&&`
    And,
    /// `OR`, `||`
    Or,
}

impl Op {
    /// The result for two present values; `None` drops the datapoint.
    pub(super) fn apply(self, a: f64, b: f64) -> Option<f64> {
        let truth = |yes: bool| Some(if yes { 1.0 } else { 0.0 });
        let value = match self {
            Op::Add => a + b,
            Op::Subtract => a - b,
            Op::Multiply => a * b,
            Op::Divide if b == 0.0 => return None,
            Op::Divide => a / b,
            Op::Power => a.powf(b),
            Op::Equal => return truth(a == b),
            Op::NotEqual => return truth(a != b),
            Op::Less => return truth(a < b),
            Op::LessOrEqual => return truth(a <= b),
            Op::Greater => return truth(a > b),
            Op::GreaterOrEqual => return truth(a >= b),
            Op::And => return truth(a != 0.0 && b != 0.0),
            Op::Or => return truth(a != 0.0 || b != 0.0),
        };
        value.is_finite().then_some(value)
    }
}

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number.
    Scalar(f64),
    /// A time series.
    Series(Series),
}
