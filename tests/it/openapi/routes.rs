//! The paths the gateway's router declares, read from its source: every string literal
//! that follows `.route(` in `crates/gateway/src/**/*.rs`.

use std::{collections::BTreeSet, path::Path};

/// Every path template passed to `Router::route` in the gateway crate.
pub fn declared_paths() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/gateway/src");
    let mut paths = BTreeSet::new();
    for file in rust_files(&root) {
        let source = std::fs::read_to_string(&file).unwrap();
        paths.extend(route_literals(&source));
    }
    assert!(!paths.is_empty(), "no .route(\"…\") found under {root:?}");
    paths
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

/// The literals in `.route("/a", …)` and `.route(\n "/a", …)`.
fn route_literals(source: &str) -> Vec<String> {
    source
        .split(".route(")
        .skip(1)
        .filter_map(|rest| {
            let literal = rest.trim_start().strip_prefix('"')?;
            Some(literal[..literal.find('"')?].to_owned())
        })
        .collect()
}

#[test]
fn route_literals_are_found_on_one_line_or_split() {
    let source = "Router::new()\n .route(\"/a\", get(x))\n .route(\n  \"/b/{id}\", post(y))";
    assert_eq!(route_literals(source), ["/a", "/b/{id}"]);
}
