//! A file appended to that rolls over daily: when a write comes on a later UTC day than
//! the file's, the file is renamed `<name>.<YYYY-MM-DD>` (the day it holds) and a new one
//! is started under the same name. Readers of the live file (`revops monitor evaluate`,
//! `revops sla`, `tail -f`) keep one name; the retention sweep removes rolled files once
//! their last line is past the retention. A file left from an earlier day rolls on the
//! first write after a restart.

use chrono::{DateTime, NaiveDate, Utc};
use std::{
    fs::{File, OpenOptions},
    io::Write,
    path::{Path, PathBuf},
};

/// The live file and the day it holds.
#[derive(Debug)]
pub struct DailyFile {
    path: PathBuf,
    open: Option<(NaiveDate, File)>,
}

impl DailyFile {
    /// A daily file at `path`, opened on the first write.
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            open: None,
        }
    }

    /// The live file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `bytes` in one write, rolling over first if `now` is on a later day than
    /// the file's.
    pub fn append(&mut self, bytes: &[u8], now: DateTime<Utc>) -> std::io::Result<()> {
        self.file(now)?.write_all(bytes)
    }

    /// Syncs what was written to disk.
    pub fn sync_data(&mut self) -> std::io::Result<()> {
        match &self.open {
            Some((_, file)) => file.sync_data(),
            None => Ok(()),
        }
    }

    /// Forgets the open handle, so the next write reopens the file at its end.
    pub fn reopen(&mut self) {
        self.open = None;
    }

    /// The live file for a write at `now`.
    fn file(&mut self, now: DateTime<Utc>) -> std::io::Result<&mut File> {
        let today = now.date_naive();
        let day = match &self.open {
            Some((day, _)) => Some(*day),
            None => last_written_day(&self.path),
        };
        if let Some(day) = day.filter(|day| *day < today) {
            self.open = None;
            let rolled = rolled_name(&self.path, day);
            if self.path.exists() && !rolled.exists() {
                std::fs::rename(&self.path, rolled)?;
            }
        }
        if self.open.is_none() {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            self.open = Some((today, file));
        }
        match &mut self.open {
            Some((_, file)) => Ok(file),
            None => Err(std::io::Error::other("the daily file did not open")),
        }
    }
}

/// The name the file holding `day` takes when it rolls over.
pub fn rolled_name(path: &Path, day: NaiveDate) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}", day.format("%Y-%m-%d")));
    path.with_file_name(name)
}

/// The UTC day an existing file was last written.
fn last_written_day(path: &Path) -> Option<NaiveDate> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(DateTime::<Utc>::from(modified).date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_write_on_a_later_day_rolls_the_file_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.emf.jsonl");
        let mut file = DailyFile::new(&path);
        file.append(b"one\n", at("2026-12-05T23:59:59Z")).unwrap();
        file.append(b"two\n", at("2026-12-05T23:59:59Z")).unwrap();
        file.append(b"three\n", at("2026-12-06T00:00:01Z")).unwrap();
        let rolled = dir.path().join("metrics.emf.jsonl.2026-12-05");
        assert_eq!(std::fs::read_to_string(rolled).unwrap(), "one\ntwo\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "three\n");
    }

    #[test]
    fn a_file_left_from_an_earlier_day_rolls_on_the_first_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.jsonl");
        std::fs::write(&path, "old\n").unwrap();
        let written = std::fs::metadata(&path).unwrap().modified().unwrap();
        let day = DateTime::<Utc>::from(written).date_naive();
        let tomorrow = (day + chrono::Days::new(1))
            .and_hms_opt(8, 0, 0)
            .unwrap()
            .and_utc();
        DailyFile::new(&path).append(b"new\n", tomorrow).unwrap();
        assert_eq!(
            std::fs::read_to_string(rolled_name(&path, day)).unwrap(),
            "old\n"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
    }
}
