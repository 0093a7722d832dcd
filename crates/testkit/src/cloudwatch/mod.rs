//! A local CloudWatch that speaks the service's current wire protocol, Smithy RPC v2
//! CBOR: `POST /service/GraniteServiceVersion20100801/operation/<Operation>` with a CBOR
//! body and `smithy-protocol: rpc-v2-cbor`; answers in CBOR, errors as `__type` and
//! `message`. It serves the operations `revops monitor` and `revops sla` use, keeps a log
//! of the calls, and lets tests reach its state directly.

pub mod alarms;
pub mod cbor;
pub mod metrics;

use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ciborium::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub use alarms::Stored;
pub use metrics::Sample;

/// What the fake account holds.
#[derive(Debug, Default)]
pub struct State {
    /// Dashboard bodies by name.
    pub dashboards: BTreeMap<String, String>,
    /// Metric and composite alarms by name.
    pub alarms: BTreeMap<String, Stored>,
    /// The raw metric values GetMetricData computes its statistics from.
    pub samples: Vec<Sample>,
    /// Every operation called, in order.
    pub calls: Vec<String>,
}

/// A CloudWatch error.
#[derive(Debug)]
pub struct Fault {
    /// The HTTP status.
    pub status: u16,
    /// The error code (`__type`).
    pub code: &'static str,
    /// What went wrong.
    pub message: String,
}

impl Fault {
    /// An `InvalidParameterValue` saying `message`.
    pub fn invalid(message: &str) -> Self {
        Self {
            status: 400,
            code: "InvalidParameterValue",
            message: message.to_owned(),
        }
    }
}

/// A running fake; stops with the test's runtime.
pub struct FakeCloudWatch {
    /// Its endpoint, as `AWS_ENDPOINT_URL_CLOUDWATCH` takes it.
    pub url: String,
    /// What it holds, for the test to seed and read.
    pub state: Arc<Mutex<State>>,
}

impl FakeCloudWatch {
    /// Starts it on 127.0.0.1, on a free port.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let app = axum::Router::new()
            .route(
                "/service/GraniteServiceVersion20100801/operation/{operation}",
                axum::routing::post(handle),
            )
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, state }
    }

    /// The SDK's client, pointed here, with test credentials.
    pub fn client(&self) -> aws_sdk_cloudwatch::Client {
        use aws_sdk_cloudwatch::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_cloudwatch::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.url)
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .build();
        aws_sdk_cloudwatch::Client::from_conf(config)
    }

    /// The operations called since the last [`FakeCloudWatch::take_calls`].
    pub fn take_calls(&self) -> Vec<String> {
        std::mem::take(&mut self.state.lock().unwrap().calls)
    }

    /// An alarm as DescribeAlarms would return it.
    pub fn alarm(&self, name: &str) -> Option<Stored> {
        self.state.lock().unwrap().alarms.get(name).cloned()
    }

    /// Every alarm's name.
    pub fn alarm_names(&self) -> Vec<String> {
        self.state.lock().unwrap().alarms.keys().cloned().collect()
    }
}

async fn handle(
    AxumState(state): AxumState<Arc<Mutex<State>>>,
    Path(operation): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result =
        if headers.get("smithy-protocol").and_then(|v| v.to_str().ok()) != Some("rpc-v2-cbor") {
            Err(Fault::invalid("missing smithy-protocol: rpc-v2-cbor"))
        } else {
            match cbor::decode(&body) {
                Err(message) => Err(Fault {
                    status: 400,
                    code: "SerializationException",
                    message,
                }),
                Ok(input) => dispatch(&mut state.lock().unwrap(), &operation, &input),
            }
        };
    let (status, value, query_error) = match result {
        Ok(value) => (StatusCode::OK, value, None),
        Err(fault) => (
            StatusCode::from_u16(fault.status).unwrap(),
            cbor::map(vec![
                (
                    "__type",
                    Value::Text(format!("com.amazonaws.cloudwatch#{}", fault.code)),
                ),
                ("message", Value::Text(fault.message)),
            ]),
            Some(format!("{};Sender", fault.code)),
        ),
    };
    let mut response = (status, cbor::encode(&value)).into_response();
    let headers = response.headers_mut();
    headers.insert("smithy-protocol", "rpc-v2-cbor".parse().unwrap());
    headers.insert("content-type", "application/cbor".parse().unwrap());
    headers.insert(
        "x-amzn-requestid",
        "00000000-0000-0000-0000-000000000000".parse().unwrap(),
    );
    if let Some(query_error) = query_error {
        headers.insert("x-amzn-query-error", query_error.parse().unwrap());
    }
    response
}

fn dispatch(state: &mut State, operation: &str, input: &Value) -> Result<Value, Fault> {
    state.calls.push(operation.to_owned());
    match operation {
        "PutDashboard" => alarms::put_dashboard(state, input),
        "GetDashboard" => alarms::get_dashboard(state, input),
        "PutMetricAlarm" => alarms::put_metric_alarm(state, input),
        "PutCompositeAlarm" => alarms::put_composite_alarm(state, input),
        "DescribeAlarms" => alarms::describe_alarms(state, input),
        "DeleteAlarms" => alarms::delete_alarms(state, input),
        "GetMetricData" => metrics::get_metric_data(state, input),
        other => Err(Fault {
            status: 400,
            code: "UnknownOperationException",
            message: format!("{other} is not served"),
        }),
    }
}
