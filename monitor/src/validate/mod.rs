//! Validation: everything that can be checked without an account. The checks on single
//! values live here; [`crate::render`] applies them field by field, so each problem names
//! its file and field; [`validate_dir`] is the whole of `revops monitor validate`.

mod expression;
mod metric;
mod stat;
mod values;

pub(crate) use expression::check_expression;
pub(crate) use metric::check_metric;
pub(crate) use stat::check_stat;
pub(crate) use values::{
    check_alarm_name, check_dashboard_name, check_id, check_period, check_topic_arn,
};

use crate::{Definitions, DesiredState, Params, Problem, render};
use std::path::Path;

/// What a valid directory holds.
#[derive(Debug, Clone)]
pub struct Validated {
    /// The resources, rendered with the parameters.
    pub desired: DesiredState,
    /// How many definition files were read.
    pub files: usize,
}

/// Reads, renders and checks the definitions under `dir`; every problem names its file
/// and field.
pub fn validate_dir(dir: &Path, params: &Params) -> Result<Validated, Vec<Problem>> {
    let definitions = Definitions::load(dir)?;
    let files = definitions.dashboards.len() + definitions.alarms.len();
    let desired = render::render(&definitions, params)?;
    Ok(Validated { desired, files })
}
