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

use super::series::{Periods, Series};

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
    fn apply(self, a: f64, b: f64) -> Option<f64> {
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

/// Parses `text`; the error names the expression and what is not supported.
pub fn parse(text: &str) -> Result<Expr, String> {
    let tokens = tokenize(text).map_err(|e| format!("`{text}`: {e}"))?;
    let mut parser = Parser { tokens, next: 0 };
    let expr = parser.or().map_err(|e| format!("`{text}`: {e}"))?;
    match parser.tokens.get(parser.next) {
        None => Ok(expr),
        Some(token) => Err(format!(
            "`{text}`: unexpected {token:?} after a whole expression"
        )),
    }
}

/// Evaluates `expr` over `periods`, reading ids with `lookup`.
pub fn evaluate(
    expr: &Expr,
    periods: &Periods,
    lookup: &mut dyn FnMut(&str) -> Result<Value, String>,
) -> Result<Value, String> {
    Ok(match expr {
        Expr::Number(n) => Value::Scalar(*n),
        Expr::Id(id) => lookup(id)?,
        Expr::Negate(inner) => match evaluate(inner, periods, lookup)? {
            Value::Scalar(n) => Value::Scalar(-n),
            Value::Series(series) => {
                Value::Series(series.into_iter().map(|(t, v)| (t, -v)).collect())
            }
        },
        Expr::Binary(op, a, b) => {
            let a = evaluate(a, periods, lookup)?;
            let b = evaluate(b, periods, lookup)?;
            binary(*op, a, b)
        }
        Expr::Fill(series, filler) => {
            let Value::Series(series) = evaluate(series, periods, lookup)? else {
                return Err("FILL's first argument must be a time series".into());
            };
            let Value::Scalar(filler) = evaluate(filler, periods, lookup)? else {
                return Err("FILL's second argument must be a number here".into());
            };
            Value::Series(
                periods
                    .starts()
                    .map(|t| (t, series.get(&t).copied().unwrap_or(filler)))
                    .collect(),
            )
        }
        Expr::If(condition, then, otherwise) => {
            let condition = evaluate(condition, periods, lookup)?;
            let then = evaluate(then, periods, lookup)?;
            let otherwise = match otherwise {
                Some(e) => Some(evaluate(e, periods, lookup)?),
                None => None,
            };
            choose(condition, then, otherwise)
        }
    })
}

fn binary(op: Op, a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Scalar(a), Value::Scalar(b)) => Value::Scalar(op.apply(a, b).unwrap_or(f64::NAN)),
        (Value::Series(a), Value::Scalar(b)) => Value::Series(
            a.into_iter()
                .filter_map(|(t, v)| op.apply(v, b).map(|r| (t, r)))
                .collect(),
        ),
        (Value::Scalar(a), Value::Series(b)) => Value::Series(
            b.into_iter()
                .filter_map(|(t, v)| op.apply(a, v).map(|r| (t, r)))
                .collect(),
        ),
        (Value::Series(a), Value::Series(b)) => {
            let times: std::collections::BTreeSet<_> = a.keys().chain(b.keys()).copied().collect();
            Value::Series(
                times
                    .into_iter()
                    .filter_map(|t| {
                        let x = a.get(&t).copied().unwrap_or(0.0);
                        let y = b.get(&t).copied().unwrap_or(0.0);
                        op.apply(x, y).map(|r| (t, r))
                    })
                    .collect(),
            )
        }
    }
}

fn choose(condition: Value, then: Value, otherwise: Option<Value>) -> Value {
    let condition = match condition {
        Value::Scalar(c) => {
            return if c != 0.0 {
                then
            } else {
                otherwise.unwrap_or_else(|| Value::Series(Series::new()))
            };
        }
        Value::Series(series) => series,
    };
    Value::Series(
        condition
            .into_iter()
            .filter_map(|(t, c)| {
                let value = if c != 0.0 {
                    match &then {
                        Value::Scalar(v) => Some(*v),
                        Value::Series(s) => Some(s.get(&t).copied().unwrap_or(0.0)),
                    }
                } else {
                    match &otherwise {
                        None => None,
                        Some(Value::Scalar(v)) => Some(*v),
                        Some(Value::Series(s)) => s.get(&t).copied(),
                    }
                };
                value.map(|v| (t, v))
            })
            .collect(),
    )
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Word(String),
    Symbol(&'static str),
}

const SYMBOLS: &[&str] = &[
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "^", "(", ")", ",",
];

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let c = rest.chars().next().unwrap_or(' ');
        if c.is_ascii_digit() || c == '.' {
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let number = rest[..end]
                .parse::<f64>()
                .map_err(|_| format!("`{}` is not a number", &rest[..end]))?;
            tokens.push(Token::Number(number));
            rest = &rest[end..];
        } else if c.is_ascii_alphabetic() || c == '_' {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            tokens.push(Token::Word(rest[..end].to_owned()));
            rest = &rest[end..];
        } else if let Some(symbol) = SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
            tokens.push(Token::Symbol(symbol));
            rest = &rest[symbol.len()..];
        } else {
            return Err(format!(
                "`{c}` is not supported by the alarm evaluator (no strings, SEARCH or METRICS())"
            ));
        }
        rest = rest.trim_start();
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    next: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        if matches!(self.peek(), Some(Token::Symbol(s)) if *s == symbol) {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Word(w)) if w == word) {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, symbol: &str) -> Result<(), String> {
        if self.eat_symbol(symbol) {
            Ok(())
        } else {
            Err(format!("expected `{symbol}`, found {:?}", self.peek()))
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.eat_symbol("||") || self.eat_word("OR") {
            left = Expr::Binary(Op::Or, Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.comparison()?;
        while self.eat_symbol("&&") || self.eat_word("AND") {
            left = Expr::Binary(Op::And, Box::new(left), Box::new(self.comparison()?));
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let left = self.sum()?;
        for (symbol, op) in [
            ("==", Op::Equal),
            ("!=", Op::NotEqual),
            ("<=", Op::LessOrEqual),
            (">=", Op::GreaterOrEqual),
            ("<", Op::Less),
            (">", Op::Greater),
        ] {
            if self.eat_symbol(symbol) {
                return Ok(Expr::Binary(op, Box::new(left), Box::new(self.sum()?)));
            }
        }
        Ok(left)
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut left = self.product()?;
        loop {
            let op = if self.eat_symbol("+") {
                Op::Add
            } else if self.eat_symbol("-") {
                Op::Subtract
            } else {
                return Ok(left);
            };
            left = Expr::Binary(op, Box::new(left), Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut left = self.power()?;
        loop {
            let op = if self.eat_symbol("*") {
                Op::Multiply
            } else if self.eat_symbol("/") {
                Op::Divide
            } else {
                return Ok(left);
            };
            left = Expr::Binary(op, Box::new(left), Box::new(self.power()?));
        }
    }

    fn power(&mut self) -> Result<Expr, String> {
        let base = self.unary()?;
        if self.eat_symbol("^") {
            return Ok(Expr::Binary(
                Op::Power,
                Box::new(base),
                Box::new(self.power()?),
            ));
        }
        Ok(base)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat_symbol("-") {
            return Ok(Expr::Negate(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let token = self.peek().cloned();
        self.next += 1;
        match token {
            Some(Token::Number(n)) => Ok(Expr::Number(n)),
            Some(Token::Symbol("(")) => {
                let inner = self.or()?;
                self.expect(")")?;
                Ok(inner)
            }
            Some(Token::Word(word)) if word.starts_with(|c: char| c.is_ascii_lowercase()) => {
                Ok(Expr::Id(word))
            }
            Some(Token::Word(word)) if word == "FILL" || word == "IF" => {
                self.expect("(")?;
                let mut args = vec![self.or()?];
                while self.eat_symbol(",") {
                    args.push(self.or()?);
                }
                self.expect(")")?;
                let mut args = args.into_iter().map(Box::new);
                let mut arg = || args.next();
                match (word.as_str(), arg(), arg(), arg(), arg()) {
                    ("FILL", Some(series), Some(value), None, None)
                        if matches!(*value, Expr::Number(_)) =>
                    {
                        Ok(Expr::Fill(series, value))
                    }
                    ("FILL", ..) => Err(
                        "FILL is supported with a number to fill with (FILL(m, 0)), not REPEAT, LINEAR or a series".into(),
                    ),
                    ("IF", Some(c), Some(a), b, None) => Ok(Expr::If(c, a, b)),
                    _ => Err("IF takes a condition and one or two values".into()),
                }
            }
            Some(Token::Word(word)) => Err(format!(
                "`{word}` is not supported by the alarm evaluator; alarms may use query ids, \
                 numbers, + - * / ^, comparisons, AND, OR, FILL(m, number) and IF"
            )),
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn periods() -> Periods {
        Periods {
            first: 0,
            period: 1,
            count: 5,
        }
    }

    fn series(values: &[Option<f64>]) -> Value {
        Value::Series(
            values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i as i64, v)))
                .collect(),
        )
    }

    fn run(text: &str, inputs: &[(&str, Value)]) -> Value {
        let expr = parse(text).unwrap();
        evaluate(&expr, &periods(), &mut |id| {
            inputs
                .iter()
                .find(|(name, _)| *name == id)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| format!("no {id}"))
        })
        .unwrap()
    }

    #[test]
    fn the_documented_comparison_examples() {
        // metric1 = [30, 20, 0, 0], metric2 = [20, -, 20, -].
        let m1 = series(&[Some(30.0), Some(20.0), Some(0.0), Some(0.0)]);
        let m2 = series(&[Some(20.0), None, Some(20.0), None]);
        let inputs = [("metric1", m1), ("metric2", m2)];
        let ones = |v: &[f64]| series(&v.iter().map(|v| Some(*v)).collect::<Vec<_>>());
        assert_eq!(
            run("(metric1 < metric2)", &inputs),
            ones(&[0.0, 0.0, 1.0, 0.0])
        );
        assert_eq!(run("(metric1 >= 30)", &inputs), ones(&[1.0, 0.0, 0.0, 0.0]));
        assert_eq!(
            run("(metric1 > 15 AND metric2 > 15)", &inputs),
            ones(&[1.0, 0.0, 0.0, 0.0])
        );
    }

    #[test]
    fn the_documented_if_examples() {
        let m1 = series(&[Some(1.0), Some(1.0), Some(0.0), Some(0.0), None]);
        let m2 = series(&[Some(30.0), None, Some(0.0), Some(0.0), Some(30.0)]);
        let m3 = series(&[Some(0.0), Some(0.0), Some(20.0), None, Some(20.0)]);
        let inputs = [("metric1", m1), ("metric2", m2), ("metric3", m3)];
        assert_eq!(
            run("IF(metric1, metric2, metric3)", &inputs),
            series(&[Some(30.0), Some(0.0), Some(20.0), None, None])
        );
        assert_eq!(
            run("IF(metric1, 5, metric3)", &inputs),
            series(&[Some(5.0), Some(5.0), Some(20.0), None, None])
        );
        assert_eq!(
            run("IF(metric1, metric2, 5)", &inputs),
            series(&[Some(30.0), Some(0.0), Some(5.0), Some(5.0), None])
        );
    }

    #[test]
    fn fill_covers_every_period_and_division_by_zero_drops_the_point() {
        let failed = series(&[Some(1.0), None, None, None, None]);
        let delivered = series(&[Some(1.0), None, Some(4.0), None, None]);
        let inputs = [("failed", failed), ("delivered", delivered)];
        assert_eq!(
            run(
                "100 * FILL(failed, 0) / (FILL(delivered, 0) + FILL(failed, 0))",
                &inputs
            ),
            series(&[Some(50.0), None, Some(0.0), None, None])
        );
        // Arithmetic between series counts a missing value as 0.
        assert_eq!(
            run("failed + delivered", &inputs),
            series(&[Some(2.0), None, Some(4.0), None, None])
        );
        assert_eq!(run("-2 ^ 2 * 3", &inputs), Value::Scalar(12.0));
    }

    #[test]
    fn what_is_not_supported_is_refused_by_name() {
        for (text, names) in [
            ("SUM(METRICS())", "`SUM`"),
            ("FILL(m1, REPEAT)", "FILL"),
            ("SEARCH('{A} x', 'Sum', 300)", "SEARCH"),
            ("RATE(m1)", "`RATE`"),
            ("m1 +", "unexpected"),
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.contains(text) && error.contains(names), "{error}");
        }
    }
}
