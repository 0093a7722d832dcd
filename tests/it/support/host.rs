//! The local host in process, on port 0 and a fresh data directory, with its environment
//! given as a list of variables.

use super::CountingAgent;
use revops_local::{LocalConfig, LocalHost};
use serde_json::Value;
use std::{collections::HashMap, path::Path, sync::Arc};
use tempfile::TempDir;

/// The local host's configuration on port 0 and `data_dir`, the rest from `vars` (as
/// environment variables).
pub fn local_config(data_dir: &Path, vars: &[(&str, &str)]) -> LocalConfig {
    let mut map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    map.insert("REVOPS_LISTEN".into(), "127.0.0.1:0".into());
    map.insert("REVOPS_DATA_DIR".into(), data_dir.to_str().unwrap().into());
    LocalConfig::from_env(|name| map.get(name).cloned()).unwrap()
}

/// A running host, its data directory and an HTTP client for it.
pub struct TestHost {
    pub host: Option<LocalHost>,
    pub agent: CountingAgent,
    pub client: reqwest::Client,
    base: String,
    data_dir: TempDir,
}

impl TestHost {
    /// Starts a host configured by `vars` (as environment variables).
    pub async fn start(vars: &[(&str, &str)]) -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), vars).await
    }

    /// Starts a host on `data_dir` (one a stopped host left, say), configured by `vars`.
    pub async fn start_in(data_dir: TempDir, vars: &[(&str, &str)]) -> Self {
        let config = local_config(data_dir.path(), vars);
        let agent = CountingAgent::default();
        let host = LocalHost::start(config, Arc::new(agent.clone()))
            .await
            .unwrap();
        let base = format!("http://{}", host.addr());
        Self {
            host: Some(host),
            agent,
            client: reqwest::Client::new(),
            base,
            data_dir,
        }
    }

    /// The host's data directory.
    pub fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    /// A URL on the host.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `POST /webhook` with a JSON body given as text.
    pub async fn post(&self, body: &str) -> reqwest::Response {
        self.client
            .post(self.url("/webhook"))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    /// Posts the seed's request and returns its tracking id (asserting the 202).
    pub async fn post_seed(&self) -> String {
        let response = self.post(super::SEED_REQUEST).await;
        assert_eq!(response.status(), 202);
        let body: Value = response.json().await.unwrap();
        body["tracking_id"].as_str().unwrap().to_owned()
    }

    /// `GET /webhook/{id}` as JSON.
    pub async fn status(&self, id: &str) -> Value {
        let response = self
            .client
            .get(self.url(&format!("/webhook/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Waits until the request reaches `status`, and returns its status document.
    pub async fn wait_for_status(
        &self,
        id: &str,
        status: &str,
        timeout: std::time::Duration,
    ) -> Value {
        super::wait_until(timeout, &format!("{id} to be {status}"), || async {
            let document = self.status(id).await;
            (document["status"] == status).then_some(document)
        })
        .await
    }

    /// Stops the host gracefully and hands back its data directory.
    pub async fn stop_keeping_data(mut self) -> TempDir {
        self.stop().await;
        self.data_dir
    }

    /// Stops the host gracefully.
    pub async fn stop(&mut self) {
        if let Some(host) = self.host.take() {
            host.stop().await.unwrap();
        }
    }
}

/// The statuses of a status document's timeline, in order.
pub fn timeline(document: &Value) -> Vec<String> {
    document["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["status"].as_str().unwrap().to_owned())
        .collect()
}
