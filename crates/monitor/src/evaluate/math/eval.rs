//! Computing an expression over the periods an alarm looks at, with the metric-math
//! guide's rules for missing values, division by zero, FILL and IF.

use super::{Expr, Op, Value};
use crate::evaluate::series::{Periods, Series};

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
            // An approximation: a period present in one series only counts the other's
            // missing value as 0 (the metric-math guide does not say what CloudWatch does).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::math::parse;

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
}
