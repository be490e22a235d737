//! The committed JSON Schemas (docs/schemas/) and the event catalogue of docs/EVENTS.md are
//! what `newsroom schemas` generates from the Rust types today: change a payload type, run
//! `cargo run -p newsroom -- schemas`, commit the result.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file of a directory by name, with its text.
fn files(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

#[test]
fn the_committed_schemas_and_event_catalogue_are_what_the_types_generate() {
    // Given a fresh generation into a scratch directory, with a copy of docs/EVENTS.md
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("schemas");
    let doc = scratch.path().join("EVENTS.md");
    let committed_doc = repo().join("docs/EVENTS.md");
    std::fs::copy(&committed_doc, &doc).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_newsroom"))
        .args(["schemas", "--out"])
        .arg(&out)
        .arg("--doc")
        .arg(&doc)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // Then docs/schemas/ holds exactly the generated files, byte for byte
    let stale =
        "stale: run `cargo run -p newsroom -- schemas` and commit docs/schemas and docs/EVENTS.md";
    let generated = files(&out);
    let committed = files(&repo().join("docs/schemas"));
    assert_eq!(
        committed.keys().collect::<Vec<_>>(),
        generated.keys().collect::<Vec<_>>(),
        "docs/schemas {stale}"
    );
    for (name, text) in &generated {
        assert!(committed[name] == *text, "docs/schemas/{name} is {stale}");
    }

    // And the catalogue in docs/EVENTS.md is the generated one
    let regenerated = std::fs::read_to_string(&doc).unwrap();
    let current = std::fs::read_to_string(&committed_doc).unwrap();
    assert!(
        regenerated == current,
        "the event catalogue of docs/EVENTS.md is {stale}"
    );
}

#[test]
fn every_payload_schema_names_its_cloudevents_dataschema() {
    for (name, text) in files(&repo().join("docs/schemas")) {
        let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{name}"
        );
        if let Some(stem) = name.strip_suffix(".schema.json") {
            if let Some((event_type, version)) = stem.rsplit_once(".v") {
                assert_eq!(
                    schema["$id"],
                    format!("urn:newsroom:schema:{event_type}:v{version}"),
                    "{name}"
                );
            }
        }
    }
}
