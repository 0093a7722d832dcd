//! `openapi/openapi.yaml` stays true: the bodies the running local host answers have
//! exactly the properties the spec's schemas list, the spec's status enum is the core's
//! lifecycle, and the spec's paths and methods are the ones the router serves.

mod routes;
mod spec;

use crate::support::{SEED_REQUEST, TestHost};
use revops_core::Status;
use spec::{METHODS, Spec, keys};
use std::{collections::BTreeSet, time::Duration};

#[tokio::test]
async fn the_202_body_has_exactly_the_spec_properties() {
    let spec = Spec::load();
    let host = TestHost::start(&[]).await;
    let response = host.post(SEED_REQUEST).await;
    assert_eq!(response.status(), 202);
    let body: serde_json::Value = response.json().await.unwrap();

    let schema = spec.response_schema("/webhook", "post", "202");
    assert_eq!(keys(&body), spec.properties(schema));
    assert_eq!(schema, spec.schema("AcceptedResponse"));
}

#[tokio::test]
async fn the_400_body_has_exactly_the_spec_properties() {
    let spec = Spec::load();
    let host = TestHost::start(&[]).await;
    let response = host.post(r#"{"query": " ", "source_system": "a b"}"#).await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();

    let schema = spec.response_schema("/webhook", "post", "400");
    assert_eq!(keys(&body), spec.properties(schema));
    let error_schema = &schema["properties"]["error"];
    assert_eq!(keys(&body["error"]), spec.properties(error_schema));
    let field_schema = &error_schema["properties"]["fields"]["items"];
    let fields = body["error"]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 4, "{body}");
    for field in fields {
        assert_eq!(keys(field), spec.properties(field_schema));
    }
}

#[tokio::test]
async fn the_status_document_has_exactly_the_spec_properties() {
    let spec = Spec::load();
    let host = TestHost::start(&[]).await;
    let id = host.post_seed().await;
    let document = host
        .wait_for_status(&id, "delivered", Duration::from_secs(10))
        .await;

    let schema = spec.response_schema("/webhook/{tracking_id}", "get", "200");
    assert_eq!(keys(&document), spec.properties(schema));
    let event_schema = &schema["properties"]["events"]["items"];
    for event in document["events"].as_array().unwrap() {
        assert_eq!(keys(event), spec.properties(event_schema));
    }
}

#[test]
fn the_spec_status_enum_is_the_core_lifecycle() {
    let spec = Spec::load();
    let enumerated: Vec<&str> = spec.schema("Status")["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|status| status.as_str().unwrap())
        .collect();
    let wire_names: Vec<&str> = Status::ALL.iter().map(|status| status.as_str()).collect();
    assert_eq!(enumerated, wire_names);
}

#[test]
fn the_spec_paths_are_the_paths_the_router_declares() {
    assert_eq!(Spec::load().paths(), routes::declared_paths());
}

#[tokio::test]
async fn every_spec_method_is_served_and_no_other() {
    let spec = Spec::load();
    let host = TestHost::start(&[]).await;
    let id = host.post_seed().await;
    for path in spec.paths() {
        let served = spec.methods(&path);
        assert!(!served.is_empty(), "{path} has no operation");
        let url = host.url(&path.replace("{tracking_id}", &id));
        for method in METHODS {
            let status = host
                .client
                .request(method.to_uppercase().parse().unwrap(), &url)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            if served.contains(method) {
                assert!(
                    ![404, 405].contains(&status),
                    "{method} {path} is in the spec but answers {status}"
                );
            } else {
                assert_eq!(status, 405, "{method} {path} is served but not in the spec");
            }
        }
    }
    let unlisted: BTreeSet<String> = ["/", "/webhook/", "/openapi.yaml"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    for path in unlisted {
        let status = host.client.get(host.url(&path)).send().await.unwrap();
        assert_eq!(
            status.status(),
            404,
            "GET {path} is served but not in the spec"
        );
    }
}
