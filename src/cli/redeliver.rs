//! `revops redeliver <tracking_id>...`: failed requests (a receiver that refused them
//! with a 4xx, a category with no URL) put back on the queue once the cause is fixed.
//! The same replay as `revops dlq replay`: delivered from the stored answer, under the
//! same tracking id.

use super::replay;
use clap::Args;
use revops_core::{
    TrackingId,
    flows::{ReplayFrom, Selection},
};

/// `revops redeliver`'s flags.
#[derive(Debug, Args)]
pub struct RedeliverArgs {
    /// The failed requests to deliver again.
    #[arg(required = true, value_name = "TRACKING_ID")]
    tracking_ids: Vec<TrackingId>,
    #[command(flatten)]
    options: replay::ReplayOptions,
}

/// Runs `revops redeliver`.
pub fn run(args: RedeliverArgs) -> anyhow::Result<()> {
    args.options
        .run(ReplayFrom::Failed, Selection::Ids(args.tracking_ids))
}
