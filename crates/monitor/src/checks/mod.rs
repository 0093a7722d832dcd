//! The checks on single values, made without an account: periods, names, ids and topic
//! ARNs (`values`), statistics (`stat`), metric math (`expression`) and which metrics a
//! definition may name (`metric`). Each answers with the problem's message alone;
//! [`crate::render`] applies them field by field, so that each problem names its file
//! and field. They use nothing of rendering: render depends on them, not the reverse.

mod expression;
mod metric;
mod stat;
mod values;

pub(crate) use expression::check_expression;
pub(crate) use metric::check_metric;
pub use stat::STANDARD_STATISTICS;
pub(crate) use stat::check_stat;
pub(crate) use values::{
    check_alarm_name, check_dashboard_name, check_id, check_period, check_topic_arn,
};
