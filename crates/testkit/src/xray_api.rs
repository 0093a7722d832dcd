//! A stand-in for X-Ray's API on loopback, speaking its REST-JSON protocol for the two
//! operations a trace's round trip needs: `PutTraceSegments` (`POST /TraceSegments`,
//! how segments reach X-Ray) and `BatchGetTraces` (`POST /Traces`, how `revops trace
//! --aws` reads them back). Point the SDK at it with `AWS_ENDPOINT_URL_XRAY`. As X-Ray
//! does, it refuses a document without the fields every segment must have (naming the
//! segment in `UnprocessedTraceSegments`), keeps one document per segment id (a later
//! one replaces an in-progress one), answers at most five trace ids per call, and lists
//! the ids it does not know as `UnprocessedTraceIds`.

use crate::loopback;
use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::{Value, json};
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};
use tokio::task::JoinHandle;

/// The fields X-Ray requires of every segment document.
const REQUIRED_FIELDS: [&str; 4] = ["name", "id", "trace_id", "start_time"];
/// The most trace ids one `BatchGetTraces` takes.
const MAX_TRACE_IDS: usize = 5;

/// Segment documents by trace id, then by segment id.
type Traces = Arc<Mutex<BTreeMap<String, BTreeMap<String, String>>>>;

/// The stand-in; stops serving when dropped.
pub struct XrayApi {
    endpoint: String,
    traces: Traces,
    task: JoinHandle<()>,
}

impl XrayApi {
    /// Starts serving on a free loopback port, holding no trace.
    pub async fn start() -> Self {
        let traces = Traces::default();
        let app = Router::new()
            .route("/TraceSegments", post(put_trace_segments))
            .route("/Traces", post(batch_get_traces))
            .with_state(traces.clone());
        let (address, task) = loopback::serve(app).await;
        Self {
            endpoint: format!("http://{address}"),
            traces,
            task,
        }
    }

    /// The endpoint, as `AWS_ENDPOINT_URL_XRAY` takes it.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// How many segments trace `xray_trace_id` holds.
    pub fn segments_of(&self, xray_trace_id: &str) -> usize {
        self.traces
            .lock()
            .unwrap()
            .get(xray_trace_id)
            .map_or(0, BTreeMap::len)
    }
}

impl Drop for XrayApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `PutTraceSegments`.
async fn put_trace_segments(State(traces): State<Traces>, Json(body): Json<Value>) -> Response {
    let Some(documents) = body["TraceSegmentDocuments"].as_array() else {
        return invalid("TraceSegmentDocuments is required");
    };
    let mut unprocessed = Vec::new();
    for document in documents {
        let parsed = document
            .as_str()
            .and_then(|text| serde_json::from_str::<Value>(text).ok());
        let missing = parsed.as_ref().map_or(Some("a JSON document"), |segment| {
            REQUIRED_FIELDS
                .into_iter()
                .find(|field| segment.get(*field).is_none_or(Value::is_null))
        });
        match (parsed, missing) {
            (Some(segment), None) => {
                let trace_id = segment["trace_id"].as_str().unwrap_or_default().to_owned();
                let id = segment["id"].as_str().unwrap_or_default().to_owned();
                traces
                    .lock()
                    .unwrap()
                    .entry(trace_id)
                    .or_default()
                    .insert(id, segment.to_string());
            }
            (segment, Some(missing)) => unprocessed.push(json!({
                "Id": segment.as_ref().and_then(|s| s["id"].as_str()),
                "ErrorCode": "InvalidSegment",
                "Message": format!("the segment lacks {missing}"),
            })),
            (None, None) => unreachable!("an unparsed document lacks a JSON document"),
        }
    }
    Json(json!({"UnprocessedTraceSegments": unprocessed})).into_response()
}

/// `BatchGetTraces`.
async fn batch_get_traces(State(traces): State<Traces>, Json(body): Json<Value>) -> Response {
    let Some(ids) = body["TraceIds"].as_array() else {
        return invalid("TraceIds is required");
    };
    if ids.len() > MAX_TRACE_IDS {
        return invalid("TraceIds takes at most 5 ids");
    }
    let traces = traces.lock().unwrap();
    let (mut found, mut unknown) = (Vec::new(), Vec::new());
    for id in ids.iter().filter_map(Value::as_str) {
        let Some(segments) = traces.get(id) else {
            unknown.push(id.to_owned());
            continue;
        };
        let times = |field: &str| {
            segments
                .values()
                .filter_map(|doc| serde_json::from_str::<Value>(doc).ok()?[field].as_f64())
                .collect::<Vec<_>>()
        };
        let start = times("start_time")
            .into_iter()
            .fold(f64::INFINITY, f64::min);
        let end = times("end_time").into_iter().fold(start, f64::max);
        found.push(json!({
            "Id": id,
            "Duration": end - start,
            "LimitExceeded": false,
            "Segments": segments
                .iter()
                .map(|(segment_id, document)| json!({"Id": segment_id, "Document": document}))
                .collect::<Vec<_>>(),
        }));
    }
    Json(json!({"Traces": found, "UnprocessedTraceIds": unknown})).into_response()
}

/// X-Ray's answer to a request it cannot take.
fn invalid(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [("x-amzn-errortype", "InvalidRequestException")],
        Json(json!({"message": message})),
    )
        .into_response()
}
