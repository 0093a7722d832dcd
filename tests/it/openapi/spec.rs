//! `openapi/openapi.yaml`, loaded as JSON values, with the few look-ups the tests need:
//! a schema by name (local `$ref`s followed), its property names, its paths and methods.

use serde_json::Value;
use std::collections::BTreeSet;

/// The methods an OpenAPI path item may hold that the tests probe.
pub const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The loaded document.
pub struct Spec(Value);

impl Spec {
    /// Loads the repository's OpenAPI file.
    pub fn load() -> Self {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.yaml");
        let text = std::fs::read_to_string(path).unwrap();
        let document: Value = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(document["openapi"], "3.1.0", "an OpenAPI 3.1 document");
        Self(document)
    }

    /// Follows `value`'s local `$ref` (`#/components/...`), if it has one, to the end.
    pub fn resolve<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("only local references: {reference}"));
            value = self
                .0
                .pointer(pointer)
                .unwrap_or_else(|| panic!("dangling reference {reference}"));
        }
        value
    }

    /// The schema `components.schemas.<name>`.
    pub fn schema(&self, name: &str) -> &Value {
        let schema = &self.0["components"]["schemas"][name];
        assert!(schema.is_object(), "no schema {name}");
        self.resolve(schema)
    }

    /// The JSON schema of a response, by path, method and status code.
    pub fn response_schema(&self, path: &str, method: &str, status: &str) -> &Value {
        let response = self.resolve(&self.0["paths"][path][method]["responses"][status]);
        let schema = &response["content"]["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "no JSON schema for {method} {path} {status}"
        );
        self.resolve(schema)
    }

    /// The property names a schema lists (after following its `$ref`).
    pub fn properties(&self, schema: &Value) -> BTreeSet<String> {
        self.resolve(schema)["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("a schema without properties: {schema}"))
            .keys()
            .cloned()
            .collect()
    }

    /// Every path template, such as `/webhook/{tracking_id}`.
    pub fn paths(&self) -> BTreeSet<String> {
        self.0["paths"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    /// The methods (lower case) the spec defines on `path`.
    pub fn methods(&self, path: &str) -> BTreeSet<String> {
        self.0["paths"][path]
            .as_object()
            .unwrap()
            .keys()
            .filter(|key| METHODS.contains(&key.as_str()))
            .cloned()
            .collect()
    }
}

/// The keys of a JSON object.
pub fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}
