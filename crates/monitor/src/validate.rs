//! Validation: everything that can be checked without an account. [`validate_dir`] is the
//! whole of `revops monitor validate`: it reads the definitions and renders them with
//! [`crate::render`], which checks every field as it writes it and then the set as a
//! whole, so each problem names its file and field.

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
