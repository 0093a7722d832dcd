//! Retention (`REVOPS_RETENTION`): with `2s`, requests delivered and then a restart after
//! 3 s are gone (`404`) while one still waiting for a retry is kept; rolled-over files and
//! old archive days are removed, old cut trace files emptied, today's archive kept; and at a steady load, swept as it
//! goes, the database file stops growing (freed pages reused).

use crate::support::{Switchable, TestHost};
use std::{
    path::Path,
    time::{Duration, SystemTime},
};

/// How much the database file may move between halves without growing: four pages.
const SPLIT_SLACK: u64 = 4 * 4096;

/// A file last written a day ago, as a rolled-over file from yesterday would be.
fn old_file(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, "{}\n").unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() - Duration::from_secs(86_400))
        .unwrap();
}

async fn deliver(host: &TestHost, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..count {
        ids.push(host.post_seed().await);
    }
    for id in &ids {
        host.wait_for_status(id, "delivered", Duration::from_secs(30))
            .await;
    }
    ids
}

async fn status_code(host: &TestHost, id: &str) -> u16 {
    reqwest::get(host.url(&format!("/webhook/{id}")))
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The database file's size (a sweep that deleted rows checkpoints the log into it).
fn database_size(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("revops.sqlite")).unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_requests_and_old_files_are_deleted_after_the_retention_and_unfinished_ones_kept()
{
    let receiver = Switchable::start(503).await;
    let url = receiver.receiver.url();
    let env = [
        ("WEBHOOK_URL", url.as_str()),
        ("REVOPS_RETENTION", "2s"),
        // The first failure schedules a retry an hour away: that request stays unfinished.
        ("DELIVERY_RETRY_SCHEDULE", "3600"),
        ("RECEIVER_BREAKER_FAILURES", "1000"),
    ];
    let host = TestHost::start(&env).await;
    let waiting = host.post_seed().await;
    host.wait_for_status(&waiting, "retry_scheduled", Duration::from_secs(30))
        .await;
    receiver.answer(200);
    let first_half = deliver(&host, 100).await;
    let dir = host.stop_keeping_data().await;

    let rolled = dir.path().join("metrics.emf.jsonl.2026-01-01");
    let old_day = dir
        .path()
        .join("conversations/year=2026/month=01/day=01/conversations.jsonl");
    let cut_spans = dir.path().join("traces/spans.jsonl.3");
    old_file(&rolled);
    old_file(&old_day);
    old_file(&cut_spans);
    let today = chrono::Utc::now()
        .format("year=%Y/month=%m/day=%d")
        .to_string();
    let todays_archive = dir.path().join("conversations").join(today);
    assert!(
        todays_archive.exists(),
        "the run archived its conversations"
    );
    let live_metrics = dir.path().join("metrics.emf.jsonl");
    tokio::time::sleep(Duration::from_secs(3)).await;

    let host = TestHost::start_in(dir, &env).await;
    for id in &first_half {
        assert_eq!(status_code(&host, id).await, 404, "{id} past the retention");
    }
    let kept = host.status(&waiting).await;
    assert_eq!(
        kept["status"], "retry_scheduled",
        "unfinished: never deleted"
    );
    assert!(
        !rolled.exists(),
        "a rolled-over file past the retention is removed"
    );
    assert!(
        !old_day.exists(),
        "an archive day past the retention is removed"
    );
    assert!(todays_archive.exists(), "today's archive partition is kept");
    assert_eq!(
        std::fs::metadata(&cut_spans).unwrap().len(),
        0,
        "a cut trace file past the retention is emptied"
    );
    assert!(live_metrics.exists(), "the live files are never removed");

    // A steady load: halves of 100, each swept 3 s later. The first fills the file with
    // a retention's worth of pages; from then on each half reuses the pages the sweep
    // before it freed.
    let mut host = host;
    let mut sizes = Vec::new();
    for _ in 0..3 {
        let half = deliver(&host, 100).await;
        let dir = host.stop_keeping_data().await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        host = TestHost::start_in(dir, &env).await;
        for id in &half {
            assert_eq!(status_code(&host, id).await, 404);
        }
        sizes.push(database_size(host.data_dir()));
    }
    assert_eq!(host.status(&waiting).await["status"], "retry_scheduled");
    // A half without the sweep adds its 100 requests' pages (about 300 KiB); with it, the
    // file may still move by a page or two as the random keys split B-tree pages
    // differently from one half to the next.
    assert!(
        sizes.iter().all(|size| *size <= sizes[0] + SPLIT_SLACK),
        "the database file kept growing at a steady load (bytes after each half): {sizes:?}"
    );
}
