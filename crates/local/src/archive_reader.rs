//! Reading the local conversation archive back (`revops export`): the day files
//! ([`crate::archive::FileArchive`]'s `conversations/year=…/month=…/day=…/conversations.jsonl`)
//! oldest first, skipping days outside the export's window, each read as a stream.
//!
//! A conversation archived twice (exported again after a replay) appears twice in its
//! day's file, and the last copy is the truth. A first pass over a day's file notes the
//! line of each conversation's last copy; the second yields those lines only. Memory
//! thus grows with one day's conversation ids (about 40 bytes each), never with the
//! conversations themselves or the number of days.

use crate::archive::DAY_FILE;
use chrono::NaiveDate;
use revops_core::{TrackingId, export::ExportFilter, ports::ConversationRecord};
use serde::Deserialize;
use std::{
    collections::HashMap,
    fs::File,
    io::{self, BufRead, BufReader},
    path::{Path, PathBuf},
};

/// One day's file of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayFile {
    /// The day its conversations were queued.
    pub day: NaiveDate,
    /// The file.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
}

/// What one line of a day's file held.
#[derive(Debug)]
pub enum ArchivedLine {
    /// A conversation (its last copy in the file).
    Conversation(Box<ConversationRecord>),
    /// An earlier copy of a conversation archived again later in the day.
    Superseded,
    /// A line that does not parse (a write cut short by a crash): skipped, said.
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Its line number, from 1.
        line: usize,
        /// Why it does not parse.
        error: String,
    },
}

/// The day files below `data_dir` whose day `filter` covers, oldest first. A data
/// directory with no archive has none.
pub fn day_files(data_dir: &Path, filter: &ExportFilter) -> io::Result<Vec<DayFile>> {
    let root = data_dir.join("conversations");
    let mut days = Vec::new();
    for year in partitions(&root, "year=")? {
        for month in partitions(&year.1, "month=")? {
            for day in partitions(&month.1, "day=")? {
                let Some(date) = NaiveDate::from_ymd_opt(
                    i32::try_from(year.0).unwrap_or(i32::MAX),
                    month.0,
                    day.0,
                ) else {
                    continue;
                };
                let path = day.1.join(DAY_FILE);
                let Ok(metadata) = std::fs::metadata(&path) else {
                    continue;
                };
                if filter.covers_day(date) {
                    days.push(DayFile {
                        day: date,
                        path,
                        bytes: metadata.len(),
                    });
                }
            }
        }
    }
    days.sort_by_key(|file| file.day);
    Ok(days)
}

/// The sub-directories of `dir` named `<prefix><number>`, with their numbers.
fn partitions(dir: &Path, prefix: &str) -> io::Result<Vec<(u32, PathBuf)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let number = name
            .to_str()
            .and_then(|name| name.strip_prefix(prefix))
            .and_then(|number| number.parse::<u32>().ok());
        if let Some(number) = number {
            found.push((number, entry.path()));
        }
    }
    Ok(found)
}

/// Just the id of an archived line, for the first pass.
#[derive(Deserialize)]
struct IdOnly {
    tracking_id: TrackingId,
}

/// Reads `file`, calling `visit` with each conversation's last copy (and each line that
/// does not parse) in the order written, and the bytes of the line it came from. The
/// first error, the file's (named with its path) or `visit`'s, ends the read.
pub fn read_day<E: From<io::Error>>(
    file: &DayFile,
    mut visit: impl FnMut(ArchivedLine, u64) -> Result<(), E>,
) -> Result<(), E> {
    let mut last_copy: HashMap<TrackingId, usize> = HashMap::new();
    for_each_line(&file.path, |number, line| {
        if let Ok(IdOnly { tracking_id }) = serde_json::from_slice(line) {
            last_copy.insert(tracking_id, number);
        }
        Ok::<(), E>(())
    })?;
    for_each_line(&file.path, |number, line| {
        let bytes = line.len() as u64 + 1;
        match serde_json::from_slice::<ConversationRecord>(line) {
            Ok(conversation) => {
                let line = if last_copy.get(&conversation.tracking_id) == Some(&number) {
                    ArchivedLine::Conversation(Box::new(conversation))
                } else {
                    ArchivedLine::Superseded
                };
                visit(line, bytes)
            }
            Err(error) => visit(
                ArchivedLine::Unreadable {
                    path: file.path.clone(),
                    line: number,
                    error: error.to_string(),
                },
                bytes,
            ),
        }
    })
}

/// Calls `each` with every non-empty line of `path` (as bytes: a line that is not UTF-8
/// is one that does not parse, not an error of the whole file) and its number, from 1,
/// reusing one buffer; the first error of `each` ends it.
fn for_each_line<E: From<io::Error>>(
    path: &Path,
    mut each: impl FnMut(usize, &[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let named =
        |error: io::Error| io::Error::new(error.kind(), format!("{}: {error}", path.display()));
    let mut reader = BufReader::with_capacity(1 << 16, File::open(path).map_err(named)?);
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(named)? == 0 {
            return Ok(());
        }
        number += 1;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if !text.is_empty() {
            each(number, text)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::FileArchive;
    use chrono::{TimeZone, Utc};
    use revops_core::{Status, ports::ConversationArchive};
    use std::io::Write;

    fn conversation(day: u32, status: Status) -> ConversationRecord {
        let queued_at = Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0).unwrap();
        revops_testkit::archive::conversation(queued_at, status)
    }

    fn read_all(file: &DayFile) -> (Vec<ConversationRecord>, usize, Vec<usize>, u64) {
        let (mut kept, mut superseded, mut unreadable, mut bytes) = (Vec::new(), 0, Vec::new(), 0);
        read_day(file, |line, size| {
            bytes += size;
            match line {
                ArchivedLine::Conversation(c) => kept.push(*c),
                ArchivedLine::Superseded => superseded += 1,
                ArchivedLine::Unreadable { line, .. } => unreadable.push(line),
            }
            Ok::<(), io::Error>(())
        })
        .unwrap();
        (kept, superseded, unreadable, bytes)
    }

    #[tokio::test]
    async fn days_come_oldest_first_and_days_outside_the_window_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let archive = FileArchive::new(dir.path());
        for day in [21, 3, 12] {
            archive
                .export(&conversation(day, Status::Delivered))
                .await
                .unwrap();
        }
        let all = day_files(dir.path(), &ExportFilter::default()).unwrap();
        let days: Vec<u32> = all.iter().map(|f| chrono::Datelike::day(&f.day)).collect();
        assert_eq!(days, [3, 12, 21]);
        let window = ExportFilter {
            from: Some(Utc.with_ymd_and_hms(2026, 11, 4, 0, 0, 0).unwrap()),
            to: Some(Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap()),
            source: None,
        };
        let picked = day_files(dir.path(), &window).unwrap();
        assert_eq!(picked.len(), 1);
        assert_eq!(chrono::Datelike::day(&picked[0].day), 12);
        assert!(
            day_files(&dir.path().join("none"), &window)
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn the_last_copy_wins_and_a_broken_line_is_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let archive = FileArchive::new(dir.path());
        let first = conversation(21, Status::DeadLettered);
        let other = conversation(21, Status::Delivered);
        let replayed = ConversationRecord {
            status: Status::Delivered,
            ..first.clone()
        };
        for record in [&first, &other, &replayed] {
            archive.export(record).await.unwrap();
        }
        let path = archive.path_of(&first);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"tracking_id\": \"cut sho\n")
            .unwrap();
        let file = &day_files(dir.path(), &ExportFilter::default()).unwrap()[0];
        let (kept, superseded, unreadable, bytes) = read_all(file);
        assert_eq!(kept, vec![other, replayed]);
        assert_eq!(superseded, 1);
        assert_eq!(unreadable, [4]);
        assert_eq!(bytes, file.bytes, "every byte is accounted for");
    }
}
