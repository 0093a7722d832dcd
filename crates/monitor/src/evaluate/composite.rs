//! Composite alarm rules as CloudWatch reads them
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html>):
//! `ALARM(name)`, `OK(name)`, `INSUFFICIENT_DATA(name)` (the name quoted or not), `TRUE`,
//! `FALSE`, `NOT`, `AND`, `OR` and parentheses; NOT binds tightest, then AND, then OR. A
//! composite alarm is in ALARM when its rule is true, OK otherwise.

use super::state::AlarmState;

/// A parsed rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleExpr {
    /// `ALARM(name)`, `OK(name)`, `INSUFFICIENT_DATA(name)`: that alarm is in that state.
    Is(AlarmState, String),
    /// `TRUE` or `FALSE`.
    Constant(bool),
    /// `NOT e`.
    Not(Box<RuleExpr>),
    /// `a AND b`.
    And(Box<RuleExpr>, Box<RuleExpr>),
    /// `a OR b`.
    Or(Box<RuleExpr>, Box<RuleExpr>),
}

impl RuleExpr {
    /// Parses a rule's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parser = RuleParser { rest: text };
        let rule = parser.or().map_err(|e| format!("rule `{text}`: {e}"))?;
        if parser.rest.trim().is_empty() {
            Ok(rule)
        } else {
            Err(format!(
                "rule `{text}`: unexpected `{}`",
                parser.rest.trim()
            ))
        }
    }

    /// Whether the rule holds, given each alarm's state (`None`: unknown alarm).
    pub fn holds(&self, state_of: &dyn Fn(&str) -> Option<AlarmState>) -> bool {
        match self {
            RuleExpr::Is(state, name) => state_of(name) == Some(*state),
            RuleExpr::Constant(value) => *value,
            RuleExpr::Not(inner) => !inner.holds(state_of),
            RuleExpr::And(a, b) => a.holds(state_of) && b.holds(state_of),
            RuleExpr::Or(a, b) => a.holds(state_of) || b.holds(state_of),
        }
    }

    /// Every alarm the rule names.
    pub fn alarms(&self) -> Vec<&str> {
        match self {
            RuleExpr::Is(_, name) => vec![name.as_str()],
            RuleExpr::Constant(_) => Vec::new(),
            RuleExpr::Not(inner) => inner.alarms(),
            RuleExpr::And(a, b) | RuleExpr::Or(a, b) => {
                let mut names = a.alarms();
                names.extend(b.alarms());
                names
            }
        }
    }
}

struct RuleParser<'a> {
    rest: &'a str,
}

impl RuleParser<'_> {
    fn keyword(&mut self, word: &str) -> bool {
        let trimmed = self.rest.trim_start();
        let after = trimmed.strip_prefix(word);
        let boundary = after.is_some_and(|after| {
            !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        });
        if boundary {
            self.rest = &trimmed[word.len()..];
        }
        boundary
    }

    fn symbol(&mut self, symbol: char) -> bool {
        let trimmed = self.rest.trim_start();
        match trimmed.strip_prefix(symbol) {
            Some(after) => {
                self.rest = after;
                true
            }
            None => false,
        }
    }

    fn or(&mut self) -> Result<RuleExpr, String> {
        let mut left = self.and()?;
        while self.keyword("OR") {
            left = RuleExpr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<RuleExpr, String> {
        let mut left = self.not()?;
        while self.keyword("AND") {
            left = RuleExpr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<RuleExpr, String> {
        if self.keyword("NOT") {
            return Ok(RuleExpr::Not(Box::new(self.not()?)));
        }
        self.term()
    }

    fn term(&mut self) -> Result<RuleExpr, String> {
        if self.symbol('(') {
            let inner = self.or()?;
            if !self.symbol(')') {
                return Err("a parenthesis is left open".into());
            }
            return Ok(inner);
        }
        if self.keyword("TRUE") {
            return Ok(RuleExpr::Constant(true));
        }
        if self.keyword("FALSE") {
            return Ok(RuleExpr::Constant(false));
        }
        for (word, state) in [
            ("ALARM", AlarmState::Alarm),
            ("OK", AlarmState::Ok),
            ("INSUFFICIENT_DATA", AlarmState::InsufficientData),
        ] {
            if self.keyword(word) {
                if !self.symbol('(') {
                    return Err(format!("{word} needs an alarm name in parentheses"));
                }
                return Ok(RuleExpr::Is(state, self.name()?));
            }
        }
        Err(format!(
            "expected ALARM(…), OK(…), INSUFFICIENT_DATA(…), TRUE, FALSE, NOT or `(` at `{}`",
            self.rest.trim()
        ))
    }

    /// An alarm name, quoted or not, and its closing parenthesis.
    fn name(&mut self) -> Result<String, String> {
        let trimmed = self.rest.trim_start();
        let (name, after) = if let Some(quoted) = trimmed.strip_prefix('"') {
            let end = quoted
                .find('"')
                .ok_or("an alarm name's quote is not closed")?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = trimmed
                .find(')')
                .ok_or("an alarm name's parenthesis is not closed")?;
            (trimmed[..end].trim(), &trimmed[end..])
        };
        self.rest = after;
        if !self.symbol(')') {
            return Err(format!("expected `)` after the alarm name `{name}`"));
        }
        Ok(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_evaluate_with_precedence_and_parentheses() {
        let states = |name: &str| match name {
            "a" => Some(AlarmState::Alarm),
            "b" => Some(AlarmState::Ok),
            "c" => Some(AlarmState::InsufficientData),
            _ => None,
        };
        let holds = |text: &str| RuleExpr::parse(text).unwrap().holds(&states);
        assert!(holds(r#"ALARM("a") OR ALARM("b")"#));
        assert!(!holds(r#"ALARM("a") AND ALARM("b")"#));
        assert!(holds(r#"ALARM(a) AND (OK(b) OR ALARM(c))"#));
        assert!(holds("INSUFFICIENT_DATA(c) AND NOT ALARM(b)"));
        assert!(holds("ALARM(b) AND FALSE OR TRUE"));
        assert!(!holds("ALARM(b) AND (FALSE OR TRUE)"));
        assert!(!holds("ALARM(unknown)"));
        let rule = RuleExpr::parse(r#"ALARM("x-1") OR (OK("y") AND ALARM("z"))"#).unwrap();
        assert_eq!(rule.alarms(), ["x-1", "y", "z"]);
        for bad in [
            "ALARM(a",
            "ALARM a",
            "ALARM(a) XOR ALARM(b)",
            "(ALARM(a)",
            "",
        ] {
            assert!(RuleExpr::parse(bad).is_err(), "{bad}");
        }
    }
}
