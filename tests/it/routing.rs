//! Seed 000's per-category routing, end to end: with the four category URLs set and
//! `WEBHOOK_URL` unset, each of the seeds' questions to the demo agent reaches its
//! category's receiver, signed, once; the category shows in the status, the timeline and
//! the metrics.

use crate::support::{
    Receiver, SEED_WEBHOOK_KEYS, TEST_SECRET, TestHost, signature_verifies, sorted_keys,
};
use serde_json::{Value, json};
use std::time::Duration;

/// The four receivers, in the order of the categories' names.
struct CategoryReceivers {
    deal: Receiver,
    data: Receiver,
    lead: Receiver,
    general: Receiver,
}

impl CategoryReceivers {
    async fn start() -> Self {
        Self {
            deal: Receiver::always(200).await,
            data: Receiver::always(200).await,
            lead: Receiver::always(200).await,
            general: Receiver::always(200).await,
        }
    }

    async fn host(&self) -> TestHost {
        TestHost::start(&[
            ("DEAL_ANALYSIS_WEBHOOK_URL", &self.deal.url()),
            ("DATA_ANALYSIS_WEBHOOK_URL", &self.data.url()),
            ("LEAD_ANALYSIS_WEBHOOK_URL", &self.lead.url()),
            ("GENERAL_WEBHOOK_URL", &self.general.url()),
            ("WEBHOOK_SECRET", TEST_SECRET),
        ])
        .await
    }

    fn by_category(&self, category: &str) -> &Receiver {
        match category {
            "deal_analysis" => &self.deal,
            "data_analysis" => &self.data,
            "lead_analysis" => &self.lead,
            _ => &self.general,
        }
    }

    /// The tracking ids each receiver got, in the order of the categories.
    fn ids(&self) -> [Vec<String>; 4] {
        [&self.deal, &self.data, &self.lead, &self.general].map(|receiver| {
            receiver
                .hits()
                .iter()
                .map(|h| h.webhook_id().to_owned())
                .collect()
        })
    }
}

async fn ask(host: &TestHost, query: &str) -> String {
    let body = json!({
        "source_system": "external_app",
        "source_process": "routing_test",
        "timestamp": "2025-08-13T06:30:00Z",
        "query": query,
    });
    let response = host.post(&body.to_string()).await;
    assert_eq!(response.status(), 202);
    let accepted: Value = response.json().await.unwrap();
    accepted["tracking_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn each_seed_question_reaches_its_categorys_receiver_signed_once() {
    let receivers = CategoryReceivers::start().await;
    let mut host = receivers.host().await;
    let questions = [
        ("What is the deal status for IXIS?", "deal_analysis"),
        ("Show me pipeline analysis for Q4", "data_analysis"),
        ("Which leads need outreach?", "lead_analysis"),
        ("What will the weather be in Lisbon tomorrow?", "general"),
    ];
    let mut sent = Vec::new();
    for (query, category) in questions {
        sent.push((ask(&host, query).await, query, category));
    }
    for (id, query, category) in &sent {
        let document = host
            .wait_for_status(id, "delivered", Duration::from_secs(10))
            .await;
        assert_eq!(document["category"], *category, "{query}");
        let answered = document["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|event| event["status"] == "agent_completed")
            .unwrap();
        assert!(
            answered["detail"]
                .as_str()
                .unwrap()
                .ends_with(&format!("category {category}")),
            "the timeline names the category: {answered}"
        );
        let hits = receivers.by_category(category).hits();
        let hit = hits
            .iter()
            .find(|hit| hit.webhook_id() == id)
            .unwrap_or_else(|| panic!("{query} did not reach the {category} receiver"));
        let body = hit.json();
        assert_eq!(body["original_query"], *query);
        assert_eq!(
            body["webhook_metadata"]["webhook_url"],
            receivers.by_category(category).url().as_str()
        );
        assert_eq!(
            sorted_keys(&body),
            SEED_WEBHOOK_KEYS,
            "the body keeps seed 001's keys: no category in it"
        );
        assert!(signature_verifies(
            TEST_SECRET,
            id,
            hit.header("webhook-timestamp").unwrap(),
            &hit.body,
            hit.header("webhook-signature").unwrap()
        ));
    }
    let expected: [Vec<String>; 4] = [0, 1, 2, 3].map(|i| vec![sent[i].0.clone()]);
    assert_eq!(
        receivers.ids(),
        expected,
        "each receiver got its one request, once"
    );

    host.stop().await;
    let metrics = std::fs::read_to_string(host.data_dir().join("metrics.emf.jsonl")).unwrap();
    for (id, _, category) in &sent {
        let finished = metrics
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .filter(|line| line["tracking_id"] == id.as_str())
            .filter(|line| line.get("Deliveries").is_some())
            .collect::<Vec<_>>();
        assert_eq!(finished.len(), 1, "one outcome line for {id}");
        assert_eq!(finished[0]["category"], *category);
    }
}

#[tokio::test]
async fn a_term_inside_another_word_does_not_change_the_category() {
    let receivers = CategoryReceivers::start().await;
    let mut host = receivers.host().await;
    // "sql" in PostgreSQL, "lead" in misleading and leadership, "deal" in ideal: none
    // counts, so the question falls to general (the demo agent cannot answer it).
    let id = ask(
        &host,
        "Is our PostgreSQL setup misleading the leadership about an ideal backstage?",
    )
    .await;
    let document = host
        .wait_for_status(&id, "delivered", Duration::from_secs(10))
        .await;
    assert_eq!(document["category"], "general");
    assert_eq!(receivers.ids()[3], [id]);
    assert!(receivers.ids()[..3].iter().all(Vec::is_empty));
    host.stop().await;
}
