//! The JSON Schemas of `agenda schema` ([`agenda_solver::schema`]) against every
//! bundled document: each file the engine's types read validates against its schema,
//! and a document of the wrong shape is refused by both.

use agenda_solver::agenda::Agenda;
use agenda_solver::instance::Instance;
use agenda_solver::interim::{InterimPlan, InterimRequestFile};
use agenda_solver::online::VirtualMeetingSpec;
use agenda_solver::schema::{schema, Document};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Whether the engine's serde type of `document` reads `value`.
fn types_read(document: Document, value: &Value) -> bool {
    let v = value.clone();
    match document {
        Document::Instance => serde_json::from_value::<Instance>(v).is_ok(),
        Document::Agenda => serde_json::from_value::<Agenda>(v).is_ok(),
        Document::InterimRequest => serde_json::from_value::<InterimRequestFile>(v).is_ok(),
        Document::InterimPlan => serde_json::from_value::<InterimPlan>(v).is_ok(),
        Document::VirtualMeeting => serde_json::from_value::<VirtualMeetingSpec>(v).is_ok(),
    }
}

#[test]
fn every_bundled_document_validates_against_its_schema() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["datasets", "tests/data", "../shared/datasets"] {
        json_files(&root.join(dir), &mut files);
    }
    files.sort();
    let mut checked = std::collections::BTreeMap::<&str, usize>::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let Some(document) = value["format"].as_str().and_then(Document::of_format) else {
            continue;
        };
        if !types_read(document, &value) {
            continue;
        }
        let validator = jsonschema::validator_for(&schema(document)).expect("a valid schema");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .take(3)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        *checked.entry(document.format()).or_default() += 1;
    }
    eprintln!("validated: {checked:?}");
    for format in [
        "agenda-instance/1",
        "agenda/1",
        "interim-request/1",
        "virtual-meeting/1",
    ] {
        assert!(
            checked.get(format).copied().unwrap_or(0) >= 1,
            "no {format} file: {checked:?}"
        );
    }
}

#[test]
fn a_document_of_the_wrong_shape_is_refused_by_the_schema_and_the_types() {
    let bad = json!({
        "format": "agenda-instance/1",
        "meeting": {"number": "1", "time_zone": "UTC", "session_minutes": [60]},
        "rooms": "many",
        "slots": []
    });
    assert!(!types_read(Document::Instance, &bad));
    let validator = jsonschema::validator_for(&schema(Document::Instance)).unwrap();
    assert!(!validator.is_valid(&bad));
    let wrong_format = json!({"format": "agenda/2", "meeting": "1", "assignments": []});
    assert!(!jsonschema::validator_for(&schema(Document::Agenda))
        .unwrap()
        .is_valid(&wrong_format));
}
