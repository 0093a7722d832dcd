//! `revops export`: after a few delivered conversations, each of the four formats has
//! exactly the fields the README documents; `metadata` holds neither question nor
//! answer; `webhook` is what the receiver got; `--from`, `--to` and `--source` select;
//! bad input exits 2 and writes nothing; the S3 archive (moto) exports the same lines.

use crate::support::{Receiver, SEED_WEBHOOK_KEYS, TEST_SECRET, TestHost, sorted_keys};
use chrono::{DateTime, Duration as Days, Utc};
use revops_aws::{AwsClients, S3Archive};
use revops_core::ports::{ConversationArchive, ConversationRecord};
use revops_testkit::{moto, unique};
use serde_json::{Value, json};
use std::{path::Path, process::Command, time::Duration};

const METADATA_KEYS: &[&str] = &[
    "agent_calls",
    "agents_used",
    "attempts",
    "category",
    "end_to_end_ms",
    "finished_at",
    "queued_at",
    "receiver",
    "source_process",
    "source_system",
    "status",
    "trace_id",
    "tracking_id",
];
const SUMMARY_KEYS: &[&str] = &[
    "answer",
    "category",
    "end_to_end_ms",
    "query",
    "queued_at",
    "source_system",
    "status",
    "tracking_id",
];
const ANALYSIS_KEYS: &[&str] = &[
    "agent_calls",
    "agent_retries",
    "agents_used",
    "answered_at",
    "attempts",
    "category",
    "delivery_attempts",
    "events",
    "finished_at",
    "last_error",
    "query",
    "queued_at",
    "receiver",
    "response",
    "response_plain",
    "session_id",
    "source_process",
    "source_system",
    "status",
    "steps",
    "trace_id",
    "tracking_id",
    "usage",
];

/// What one run of `revops export` gave.
struct Exported {
    code: i32,
    lines: Vec<Value>,
    stderr: String,
}

fn export(args: &[&str], env: &[(&str, &str)]) -> Exported {
    let mut command = Command::new(env!("CARGO_BIN_EXE_revops"));
    command
        .arg("export")
        .args(args)
        .env_remove("REVOPS_DATA_DIR");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    Exported {
        code: output.status.code().unwrap_or(-1),
        lines: stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn export_local(data_dir: &Path, args: &[&str]) -> Exported {
    let mut all = vec!["--data-dir", data_dir.to_str().unwrap()];
    all.extend_from_slice(args);
    let exported = export(&all, &[]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    exported
}

fn ids(lines: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = lines
        .iter()
        .map(|line| line["tracking_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// Four conversations: three delivered (two from `crm`, one from `billing`) and one the
/// receiver refused with `400`.
struct Conversations {
    host: TestHost,
    receiver: Receiver,
    /// (tracking id, source, query, queued_at), in the order posted.
    sent: Vec<(String, &'static str, &'static str, String)>,
}

const REFUSED: &str = "Which deals close in Q4? (the receiver refuses this one)";

async fn conversations() -> Conversations {
    let receiver = Receiver::start(|hit| {
        if hit.json()["original_query"] == REFUSED {
            400
        } else {
            200
        }
    })
    .await;
    let mut host = TestHost::start(&[
        ("WEBHOOK_URL", &receiver.url()),
        ("WEBHOOK_SECRET", TEST_SECRET),
    ])
    .await;
    let mut sent = Vec::new();
    for (source, query) in [
        ("crm", "What is the deal status for IXIS?"),
        ("billing", "Show me pipeline analysis for Q4"),
        ("crm", "Which leads need outreach?"),
        ("crm", REFUSED),
    ] {
        let body = json!({
            "source_system": source,
            "source_process": "export_test",
            "timestamp": "2025-08-13T06:30:00Z",
            "query": query,
        });
        let response = host.post(&body.to_string()).await;
        assert_eq!(response.status(), 202);
        let accepted: Value = response.json().await.unwrap();
        let id = accepted["tracking_id"].as_str().unwrap().to_owned();
        let queued_at = accepted["queued_at"].as_str().unwrap().to_owned();
        let end = if query == REFUSED {
            "failed"
        } else {
            "delivered"
        };
        host.wait_for_status(&id, end, Duration::from_secs(10))
            .await;
        sent.push((id, source, query, queued_at));
    }
    host.stop().await;
    Conversations {
        host,
        receiver,
        sent,
    }
}

#[tokio::test]
async fn each_format_has_exactly_its_documented_fields() {
    let run = conversations().await;
    let dir = run.host.data_dir();
    let all_ids = ids(&run
        .sent
        .iter()
        .map(|(id, ..)| json!({ "tracking_id": id }))
        .collect::<Vec<_>>());

    let webhook = export_local(dir, &["--format", "webhook"]);
    assert_eq!(
        webhook.lines.len(),
        3,
        "the refused one was never delivered"
    );
    assert!(
        webhook.stderr.contains("1 never delivered"),
        "{}",
        webhook.stderr
    );
    for line in &webhook.lines {
        assert_eq!(sorted_keys(line), SEED_WEBHOOK_KEYS);
        let id = line["tracking_id"].as_str().unwrap();
        let hit = run
            .receiver
            .hits()
            .into_iter()
            .find(|hit| hit.webhook_id() == id)
            .unwrap();
        let mut delivered = hit.json();
        let sent_at = |body: &Value| {
            DateTime::parse_from_rfc3339(body["webhook_metadata"]["delivered_at"].as_str().unwrap())
                .unwrap()
        };
        let gap = (sent_at(line) - sent_at(&delivered))
            .num_milliseconds()
            .abs();
        assert!(gap < 1_000, "delivered_at {gap} ms from the body sent");
        delivered["webhook_metadata"]["delivered_at"] =
            line["webhook_metadata"]["delivered_at"].clone();
        assert_eq!(*line, delivered, "the export is the body as delivered");
    }

    let metadata = export_local(dir, &["--format", "metadata"]);
    assert_eq!(ids(&metadata.lines), all_ids);
    for line in &metadata.lines {
        assert_eq!(sorted_keys(line), METADATA_KEYS);
        let text = line.to_string();
        for (_, _, query, _) in &run.sent {
            assert!(!text.contains(query), "metadata holds a query: {text}");
        }
        for word in [
            "IXIS",
            "Negotiate",
            "outreach",
            "pipeline",
            "Pipeline",
            "/hook",
        ] {
            assert!(
                !text.contains(word),
                "metadata holds answer text or a path: {text}"
            );
        }
        let url = run.receiver.url();
        let origin = url.split('/').take(3).collect::<Vec<_>>().join("/");
        assert_eq!(
            line["receiver"],
            origin.as_str(),
            "the origin, never the path"
        );
    }

    let summary = export_local(dir, &["--format", "summary"]);
    assert_eq!(ids(&summary.lines), all_ids);
    for line in &summary.lines {
        assert_eq!(sorted_keys(line), SUMMARY_KEYS);
        let answer = line["answer"].as_str().unwrap();
        assert!(!answer.contains("**"), "the plain answer: {answer}");
        assert!(answer.chars().count() <= 301, "cut short: {answer}");
    }

    let analysis = export_local(dir, &["--format", "analysis"]);
    assert_eq!(ids(&analysis.lines), all_ids);
    for line in &analysis.lines {
        assert_eq!(sorted_keys(line), ANALYSIS_KEYS);
        assert_eq!(
            sorted_keys(&line["steps"]),
            ["agent_ms", "delivery_ms", "end_to_end_ms", "queue_wait_ms"]
        );
        assert_eq!(line["agent_calls"], 1);
        assert_eq!(line["agent_retries"], 0);
        assert!(
            !line["agents_used"].as_array().unwrap().is_empty(),
            "{line}"
        );
        let attempts = line["delivery_attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 1, "{line}");
        if line["query"] == REFUSED {
            assert_eq!(line["status"], "failed");
            assert_eq!(attempts[0]["outcome"], "failed");
            assert!(
                attempts[0]["error"].as_str().unwrap().contains("400"),
                "{line}"
            );
            assert_eq!(line["steps"]["end_to_end_ms"], Value::Null);
        } else {
            assert_eq!(line["status"], "delivered");
            assert_eq!(attempts[0]["outcome"], "success");
            let steps = &line["steps"];
            let total = steps["end_to_end_ms"].as_i64().unwrap();
            let parts: i64 = ["queue_wait_ms", "agent_ms", "delivery_ms"]
                .iter()
                .map(|k| steps[*k].as_i64().unwrap())
                .sum();
            assert!((total - parts).abs() <= 3, "{steps}");
        }
    }
}

#[tokio::test]
async fn from_to_and_source_select_and_bad_input_changes_nothing() {
    let run = conversations().await;
    let dir = run.host.data_dir();
    let select =
        |args: &[&str]| ids(&export_local(dir, &[&["--format", "metadata"], args].concat()).lines);
    let id = |i: usize| run.sent[i].0.clone();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };

    assert_eq!(select(&["--source", "billing"]), [id(1)]);
    assert_eq!(
        select(&["--source", "crm"]),
        sorted(vec![id(0), id(2), id(3)])
    );
    assert_eq!(select(&["--source", "nobody"]), Vec::<String>::new());
    assert_eq!(select(&["--from", "-1h"]).len(), 4);
    assert!(select(&["--to", "-1h"]).is_empty());
    let second = run.sent[1].3.as_str();
    let third = run.sent[2].3.as_str();
    assert_eq!(
        select(&["--from", second]),
        sorted(vec![id(1), id(2), id(3)]),
        "--from includes its own instant"
    );
    assert_eq!(
        select(&["--to", second]),
        [id(0)],
        "--to excludes its own instant"
    );
    assert_eq!(
        select(&["--from", second, "--to", third, "--source", "billing"]),
        [id(1)]
    );

    let out = dir.join("export.jsonl");
    let written = export_local(
        dir,
        &["--format", "summary", "--out", out.to_str().unwrap()],
    );
    assert!(written.lines.is_empty(), "--out takes the lines off stdout");
    assert!(
        written.stderr.contains("4 conversation(s) as summary to"),
        "{}",
        written.stderr
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 4);

    let unwritten = dir.join("never.jsonl");
    let out_arg = unwritten.to_str().unwrap();
    let data_dir = dir.to_str().unwrap();
    for (args, says) in [
        (
            vec!["--format", "xml"],
            "use webhook, metadata, summary or analysis",
        ),
        (
            vec!["--format", "summary", "--from", "last tuesday"],
            "--from",
        ),
        (
            vec!["--format", "summary", "--from", "now", "--to", "-1h"],
            "--from must be before --to",
        ),
        (vec!["--format", "summary", "--aws"], "--bucket"),
    ] {
        let mut all = vec!["--data-dir", data_dir, "--out", out_arg];
        all.extend(args.iter().copied());
        let refused = export(&all, &[("CONVERSATION_BUCKET", "")]);
        assert_eq!(refused.code, 2, "{args:?}: {}", refused.stderr);
        assert!(
            refused.stderr.contains(says),
            "{args:?}: {}",
            refused.stderr
        );
        assert!(!unwritten.exists(), "{args:?} wrote a file");
    }
    let missing = export(
        &["--format", "summary", "--data-dir", "/nonexistent/revops"],
        &[],
    );
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("no data directory at /nonexistent/revops"),
        "{}",
        missing.stderr
    );
}

/// The local archive's conversations, as the processor archived them.
fn archived(dir: &Path) -> Vec<ConversationRecord> {
    let mut records = Vec::new();
    for day in revops_local::archive_reader::day_files(dir, &Default::default()).unwrap() {
        revops_local::archive_reader::read_day(&day, |line, _| {
            if let revops_local::archive_reader::ArchivedLine::Conversation(c) = line {
                records.push(*c);
            }
            Ok::<(), std::io::Error>(())
        })
        .unwrap();
    }
    records
}

#[tokio::test]
async fn the_s3_archive_exports_the_same_lines_and_its_days_select() {
    let run = conversations().await;
    let dir = run.host.data_dir();
    let client = AwsClients::from_sdk_config(&moto().config().await).s3;
    let bucket = unique("revops-export");
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    let archive = S3Archive::new(client, &bucket).with_prefix("exports");
    let today = archived(dir);
    assert_eq!(today.len(), 4);
    for record in &today {
        archive.export(record).await.unwrap();
    }
    // The same conversations queued two and forty days ago, under new ids.
    let mut earlier = Vec::new();
    for days in [2, 40] {
        for record in &today {
            let moved = ConversationRecord {
                tracking_id: revops_core::TrackingId::new(),
                queued_at: record.queued_at - Days::days(days),
                ..record.clone()
            };
            archive.export(&moved).await.unwrap();
            earlier.push((days, moved.tracking_id.to_string()));
        }
    }
    let env = [
        ("AWS_ENDPOINT_URL", moto().endpoint()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("CONVERSATION_BUCKET", bucket.as_str()),
    ];
    let from_s3 = |args: &[&str]| {
        let exported = export(&[&["--aws", "--prefix", "exports"], args].concat(), &env);
        assert_eq!(exported.code, 0, "{}", exported.stderr);
        exported.lines
    };
    let sort = |mut lines: Vec<Value>| {
        lines.sort_by_key(|line| line["tracking_id"].as_str().unwrap().to_owned());
        lines
    };
    for format in ["webhook", "metadata", "summary", "analysis"] {
        let local = export_local(dir, &["--format", format]).lines;
        let s3 = from_s3(&["--format", format, "--from", "-1d"]);
        assert_eq!(sort(s3), sort(local), "{format}: the same lines from S3");
    }
    let window = from_s3(&["--format", "metadata", "--from", "-3d", "--to", "-1d"]);
    let expected: Vec<String> = earlier
        .iter()
        .filter(|(days, _)| *days == 2)
        .map(|(_, id)| id.clone())
        .collect();
    assert_eq!(ids(&window), {
        let mut e = expected;
        e.sort();
        e
    });
    assert_eq!(
        from_s3(&["--format", "metadata"]).len(),
        12,
        "no window: every day"
    );
    let since = (Utc::now() - Days::days(41)).to_rfc3339();
    assert_eq!(
        from_s3(&[
            "--format", "metadata", "--from", &since, "--source", "billing"
        ])
        .len(),
        3
    );
}
