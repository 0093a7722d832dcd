//! The account side of `revops monitor`: what CloudWatch holds ([`Account::read`]), the
//! [`Plan`] that would make it match the definitions, and [`Account::apply`]. The tool
//! owns alarms by name prefix (`revops-<stage>-`): it reads and prunes only those, and
//! the dashboards it defines.

mod apply;
mod client;
mod convert;
mod flatten;
mod plan;

pub use client::{Account, AccountError, ActualState};
pub(crate) use convert::metric_to_sdk;
pub use plan::{Change, FieldChange, Plan, ResourceKind};
