//! The data directory's free space, watched once a second. Below `REVOPS_MIN_FREE_DISK`
//! (100 MiB by default; `0` turns the watch off) the intake refuses new requests with
//! `503`, `Retry-After` and the code `disk_full` before writing anything, while the
//! workers go on delivering what was accepted (their writes are small, and the floor
//! keeps room for them). One log line says so when it starts and one when it ends; each
//! refused request counts in `RequestsRejected` with the reason `disk_full`.
//!
//! The floor is headroom, not a guarantee: if the disk fills anyway (another process
//! took the rest), SQLite's `database or disk is full` fails the intake's transaction,
//! which is also answered `503`, and the workers' failed writes leave their messages to
//! be received again. Either way nothing accepted is lost.

use bytesize::ByteSize;
use revops_core::config::{ConfigError, Env};
use revops_gateway::admission::{Admission, Refusal};
use std::{path::PathBuf, time::Duration};
use tokio_util::sync::CancellationToken;

/// The free space below which new requests are refused unless `REVOPS_MIN_FREE_DISK`
/// says otherwise (`revops doctor` fails the disk below it too).
pub const DEFAULT_MIN_FREE_DISK: u64 = 100 * 1024 * 1024;
/// How often the free space is read (one `statvfs`).
pub const CHECK_EVERY: Duration = Duration::from_secs(1);
/// What a refused caller is asked to wait: freeing disk takes a person.
const RETRY_AFTER_SECONDS: u64 = 30;

/// `REVOPS_MIN_FREE_DISK` from `env`, in bytes, as `revops serve` and `revops doctor`
/// both read it.
pub fn min_free_disk<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<u64, ConfigError> {
    Ok(env
        .parse(
            "REVOPS_MIN_FREE_DISK",
            ByteSize(DEFAULT_MIN_FREE_DISK),
            "a size such as 100MiB or 2GB, or 0 to never refuse",
        )?
        .as_u64())
}

/// The free space, in bytes, of the file system holding `path` (what an unprivileged
/// process may use).
pub fn free_bytes(path: &std::path::Path) -> std::io::Result<u64> {
    let stats = rustix::fs::statvfs(path)?;
    Ok(stats.f_bavail.saturating_mul(stats.f_frsize))
}

/// The watch over one data directory, turning the intake's admission switch.
pub struct DiskWatch {
    data_dir: PathBuf,
    floor: u64,
    admission: Admission,
    refusing: bool,
    unreadable: bool,
}

impl DiskWatch {
    /// A watch refusing through `admission` while `data_dir` has less than `floor` bytes
    /// free.
    pub fn new(data_dir: PathBuf, floor: u64, admission: Admission) -> Self {
        Self {
            data_dir,
            floor,
            admission,
            refusing: false,
            unreadable: false,
        }
    }

    /// Reads the free space once and turns the switch if it crossed the floor.
    pub fn check(&mut self) {
        if self.floor == 0 {
            return;
        }
        let free = match free_bytes(&self.data_dir) {
            Ok(free) => {
                self.unreadable = false;
                free
            }
            Err(error) => {
                if !self.unreadable {
                    tracing::warn!(
                        %error,
                        data_dir = %self.data_dir.display(),
                        "cannot read the data directory's free space; requests are taken as if there were enough"
                    );
                    self.unreadable = true;
                }
                return;
            }
        };
        let short = free < self.floor;
        if short == self.refusing {
            return;
        }
        self.refusing = short;
        let (free, floor) = (
            ByteSize(free).display().iec(),
            ByteSize(self.floor).display().iec(),
        );
        if short {
            tracing::error!(
                free = %free,
                min_free_disk = %floor,
                data_dir = %self.data_dir.display(),
                "the data directory's disk is nearly full ({free} free, REVOPS_MIN_FREE_DISK is {floor}): new requests are refused with 503 until space is freed; accepted requests are still delivered"
            );
            self.admission.refuse(Refusal {
                code: "disk_full",
                message:
                    "the service is short of disk space; nothing was accepted, try again later",
                retry_after_seconds: RETRY_AFTER_SECONDS,
            });
        } else {
            tracing::warn!(
                free = %free,
                min_free_disk = %floor,
                data_dir = %self.data_dir.display(),
                "the data directory's disk has room again ({free} free): new requests are taken"
            );
            self.admission.admit();
        }
    }

    /// Checks every [`CHECK_EVERY`] until `stop`.
    pub async fn run(mut self, stop: CancellationToken) {
        if self.floor == 0 {
            return;
        }
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(CHECK_EVERY) => self.check(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_turns_at_the_floor_and_back() {
        let dir = tempfile::tempdir().unwrap();
        let free = free_bytes(dir.path()).unwrap();
        let admission = Admission::open();
        let mut above = DiskWatch::new(dir.path().to_owned(), free * 2, admission.clone());
        above.check();
        let refusal = admission.refusal().expect("refused below the floor");
        assert_eq!(refusal.code, "disk_full");
        assert_eq!(refusal.retry_after_seconds, RETRY_AFTER_SECONDS);
        above.floor = 1;
        above.check();
        assert_eq!(admission.refusal(), None, "admitted again above the floor");
    }

    #[test]
    fn a_floor_of_zero_never_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let admission = Admission::open();
        let mut off = DiskWatch::new(dir.path().to_owned(), 0, admission.clone());
        off.check();
        assert_eq!(admission.refusal(), None);
    }
}
