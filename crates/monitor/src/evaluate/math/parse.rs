//! Reading an expression: tokens, then a recursive-descent parser with the usual
//! precedence (OR, AND, comparisons, + -, * /, ^, unary minus). Only the forms the
//! evaluator computes are accepted; anything else is an error that names it.

use super::{Expr, Op};

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
