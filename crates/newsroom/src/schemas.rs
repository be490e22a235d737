//! The JSON Schemas of what travels on the bus, generated from the Rust types: every event
//! payload of [`newsroom_events::EVENT_TYPES`], the envelope and the check report.

use std::path::Path;

use anyhow::Context as _;
use newsroom_claims::CheckReport;
use newsroom_events::{Envelope, EVENT_TYPES};
use serde_json::Value;

/// One schema file: its name and its text (pretty JSON, final newline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaFile {
    pub name: String,
    pub text: String,
}

/// The file name of the payload schema of an event type: `claim.checked.v1.schema.json`.
pub fn payload_file_name(event_type: &str, schema_version: u32) -> String {
    format!("{event_type}.v{schema_version}.schema.json")
}

/// The envelope's schema file.
pub const ENVELOPE_FILE: &str = "envelope.schema.json";

/// The check report's schema file.
pub const CHECK_REPORT_FILE: &str = "check-report.schema.json";

/// Every schema, in a fixed order: the payloads in catalogue order, then the envelope and
/// the check report. A payload schema's `$id` is the CloudEvents `dataschema` of its events
/// (`urn:newsroom:schema:<type>:v<version>`).
pub fn generate() -> Vec<SchemaFile> {
    let mut files: Vec<SchemaFile> = EVENT_TYPES
        .iter()
        .map(|t| {
            let mut schema = (t.schema)().to_value();
            if let Value::Object(map) = &mut schema {
                map.insert(
                    "$id".into(),
                    Value::String(format!(
                        "urn:newsroom:schema:{}:v{}",
                        t.name, t.schema_version
                    )),
                );
                map.insert(
                    "description".into(),
                    Value::String(t.description.to_owned()),
                );
            }
            SchemaFile {
                name: payload_file_name(t.name, t.schema_version),
                text: pretty(&schema),
            }
        })
        .collect();
    files.push(SchemaFile {
        name: ENVELOPE_FILE.to_owned(),
        text: pretty(&schemars::schema_for!(Envelope).to_value()),
    });
    files.push(SchemaFile {
        name: CHECK_REPORT_FILE.to_owned(),
        text: pretty(&schemars::schema_for!(CheckReport).to_value()),
    });
    files
}

fn pretty(value: &Value) -> String {
    // A JSON value always serialises.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes every schema into `dir` (created if missing); the files written.
pub fn write(dir: &Path) -> anyhow::Result<Vec<SchemaFile>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = generate();
    for file in &files {
        let path = dir.join(&file.name);
        std::fs::write(&path, &file.text)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_gets_a_payload_schema_plus_the_envelope_and_the_report() {
        let files = generate();
        assert_eq!(files.len(), EVENT_TYPES.len() + 2);
        for t in EVENT_TYPES {
            let name = payload_file_name(t.name, t.schema_version);
            let file = files
                .iter()
                .find(|f| f.name == name)
                .expect("a schema per event type");
            let schema: Value = serde_json::from_str(&file.text).unwrap();
            assert_eq!(
                schema["$id"],
                format!("urn:newsroom:schema:{}:v{}", t.name, t.schema_version)
            );
        }
        assert!(files.iter().any(|f| f.name == ENVELOPE_FILE));
        assert!(files.iter().any(|f| f.name == CHECK_REPORT_FILE));
    }

    #[test]
    fn the_check_report_schema_requires_the_contract_fields() {
        let file = generate()
            .into_iter()
            .find(|f| f.name == CHECK_REPORT_FILE)
            .unwrap();
        let schema: Value = serde_json::from_str(&file.text).unwrap();
        let properties = schema["properties"].as_object().unwrap();
        for field in [
            "article",
            "claim_id",
            "quote",
            "span",
            "kind",
            "election",
            "change_from",
            "constituency_id",
            "area",
            "party",
            "candidate",
            "comparator",
            "claimed",
            "official",
            "verdict",
            "evidence",
        ] {
            assert!(properties.contains_key(field), "the schema has {field}");
        }
    }

    #[test]
    fn generating_twice_gives_the_same_text() {
        assert_eq!(generate(), generate());
    }
}
