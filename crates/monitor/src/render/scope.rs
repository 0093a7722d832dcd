//! Where a value is being rendered: the parameters, the file, and (inside a `for_each`)
//! the function. It substitutes `${…}` and turns failed checks into problems that name
//! the file and the field.

use crate::{FunctionRole, Params, Problem, template};
use std::collections::BTreeMap;

/// The context of one definition being rendered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    /// The parameters.
    pub params: &'a Params,
    /// The file, relative to the definitions' directory.
    pub file: &'a str,
    /// The function, inside a `for_each: "function"`.
    pub role: Option<FunctionRole>,
}

impl<'a> Scope<'a> {
    /// A scope for `file`, outside any `for_each`.
    pub fn new(params: &'a Params, file: &'a str) -> Self {
        Self {
            params,
            file,
            role: None,
        }
    }

    /// The same scope for one function.
    pub fn for_function(self, role: FunctionRole) -> Self {
        Self {
            role: Some(role),
            ..self
        }
    }

    fn var(&self, name: &str) -> Option<String> {
        match (name, self.role) {
            ("function", Some(role)) => Some(self.params.function_name(role).to_owned()),
            ("function_key", Some(role)) => Some(role.key().to_owned()),
            _ => self.params.var(name),
        }
    }

    /// A problem at `field`, saying which function when inside a `for_each`.
    pub fn problem(&self, field: &str, message: impl Into<String>) -> Problem {
        let message = message.into();
        match self.role {
            Some(role) => Problem::new(
                self.file,
                field,
                format!("{message} (for function {})", role.key()),
            ),
            None => Problem::new(self.file, field, message),
        }
    }

    /// Records a failed check at `field`.
    pub fn check(&self, field: &str, result: Result<(), String>, problems: &mut Vec<Problem>) {
        if let Err(message) = result {
            problems.push(self.problem(field, message));
        }
    }

    /// `text` with its `${…}` replaced; on an unknown name, a problem and the text as is.
    pub fn text(&self, field: &str, text: &str, problems: &mut Vec<Problem>) -> String {
        let mut known: Vec<&str> = Params::NAMES.to_vec();
        if self.role.is_some() {
            known.extend(["function", "function_key"]);
        }
        match template::substitute(text, &|name| self.var(name), &known) {
            Ok(value) => value,
            Err(message) => {
                problems.push(self.problem(field, message));
                text.to_owned()
            }
        }
    }

    /// Every value of a map, substituted.
    pub fn map(
        &self,
        field: &str,
        map: &BTreeMap<String, String>,
        problems: &mut Vec<Problem>,
    ) -> BTreeMap<String, String> {
        map.iter()
            .map(|(key, value)| {
                let value = self.text(&format!("{field}.{key}"), value, problems);
                (key.clone(), value)
            })
            .collect()
    }
}
