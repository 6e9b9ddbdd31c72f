//! The datatracker's records, read from either of its two JSON forms into one shape:
//!
//! - Django fixtures (`manage.py dumpdata`): a list of `{"pk", "model", "fields"}`;
//! - the REST API's lists (`/api/v1/meeting/session/` saved to a file): `{"meta",
//!   "objects": [...]}`, each object with its `resource_uri` (which names the model) and
//!   its foreign keys as URIs (`"/api/v1/group/group/1223/"`), which become plain keys.

use super::ImportError;
use serde_json::{Map, Value};

/// One record: `model` as `app.model` (`meeting.session`), its key and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub(crate) model: String,
    /// The record's primary key.
    pub pk: Value,
    pub(crate) fields: Map<String, Value>,
    /// Which file it came from, for errors.
    pub origin: String,
}

/// The most records read from all files together (a whole meeting has a few thousand).
pub const MAX_RECORDS: usize = 1_000_000;

/// Every record of `files` (origin, text), in file order.
pub fn read(files: &[(String, String)]) -> Result<Vec<Record>, ImportError> {
    let mut out = Vec::new();
    for (origin, text) in files {
        let doc: Value = serde_json::from_str(text).map_err(|e| ImportError::Malformed {
            origin: origin.clone(),
            message: format!("line {}, column {}: {e}", e.line(), e.column()),
        })?;
        match doc {
            Value::Array(items) => {
                for (i, item) in items.into_iter().enumerate() {
                    out.push(fixture_record(origin, i, item)?);
                }
            }
            Value::Object(mut o) if o.contains_key("objects") => {
                let Some(Value::Array(items)) = o.remove("objects") else {
                    return Err(ImportError::Malformed {
                        origin: origin.clone(),
                        message: "\"objects\" is not a list".into(),
                    });
                };
                for (i, item) in items.into_iter().enumerate() {
                    out.push(api_record(origin, i, item)?);
                }
            }
            _ => {
                return Err(ImportError::Malformed {
                    origin: origin.clone(),
                    message: "neither a Django fixture (a list of {pk, model, fields}) nor a REST API list ({meta, objects})".into(),
                })
            }
        }
        if out.len() > MAX_RECORDS {
            return Err(ImportError::Malformed {
                origin: origin.clone(),
                message: format!("more than {MAX_RECORDS} records in all; give one meeting's data"),
            });
        }
    }
    Ok(out)
}

fn fixture_record(origin: &str, i: usize, item: Value) -> Result<Record, ImportError> {
    let bad = |message: &str| ImportError::Malformed {
        origin: origin.to_string(),
        message: format!("record {i}: {message}"),
    };
    let Value::Object(mut o) = item else {
        return Err(bad("not an object"));
    };
    let model = match o.remove("model") {
        Some(Value::String(m)) => m.to_ascii_lowercase(),
        _ => return Err(bad("no \"model\"")),
    };
    let pk = o.remove("pk").unwrap_or(Value::Null);
    let fields = match o.remove("fields") {
        Some(Value::Object(f)) => f,
        None => Map::new(),
        Some(_) => return Err(bad("\"fields\" is not an object")),
    };
    Ok(Record {
        model,
        pk,
        fields,
        origin: origin.to_string(),
    })
}

/// `/api/v1/meeting/session/2157/` → (`meeting.session`, 2157).
fn parse_uri(uri: &str) -> Option<(String, Value)> {
    let parts: Vec<&str> = uri.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["api", "v1", app, model, key] => {
            let pk = key
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(*key));
            Some((format!("{app}.{model}"), pk))
        }
        _ => None,
    }
}

fn api_record(origin: &str, i: usize, item: Value) -> Result<Record, ImportError> {
    let bad = |message: &str| ImportError::Malformed {
        origin: origin.to_string(),
        message: format!("objects[{i}]: {message}"),
    };
    let Value::Object(o) = item else {
        return Err(bad("not an object"));
    };
    let uri = o
        .get("resource_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no \"resource_uri\" (is this a REST API list?)"))?;
    let (model, pk) =
        parse_uri(uri).ok_or_else(|| bad("\"resource_uri\" is not /api/v1/APP/MODEL/KEY/"))?;
    let fields = o
        .into_iter()
        .filter(|(k, _)| k != "resource_uri" && k != "id")
        .map(|(k, v)| (k, api_value(v)))
        .collect();
    Ok(Record {
        model,
        pk,
        fields,
        origin: origin.to_string(),
    })
}

/// A foreign key as a URI becomes the key it names; lists of them likewise.
fn api_value(v: Value) -> Value {
    match v {
        Value::String(s) if s.starts_with("/api/v1/") => {
            parse_uri(&s).map_or(Value::String(s), |(_, pk)| pk)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(api_value).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_read_to_the_same_record() {
        let fixture = r#"[{"pk": 2157, "model": "meeting.Session", "fields": {"group": 1223, "meeting": 83}}]"#;
        let api = r#"{"meta": {"total_count": 1}, "objects": [{"id": 2157, "resource_uri": "/api/v1/meeting/session/2157/", "group": "/api/v1/group/group/1223/", "meeting": "/api/v1/meeting/meeting/83/"}]}"#;
        let a = read(&[("f".into(), fixture.into())]).unwrap();
        let b = read(&[("f".into(), api.into())]).unwrap();
        assert_eq!(a, b);
        assert_eq!(a[0].model, "meeting.session");
    }

    #[test]
    fn malformed_input_names_the_file_and_record() {
        for (text, needle) in [
            ("{", "line 1"),
            ("[1]", "record 0: not an object"),
            ("[{\"pk\": 1}]", "record 0: no \"model\""),
            (
                "{\"objects\": [{\"id\": 1}]}",
                "objects[0]: no \"resource_uri\"",
            ),
            ("\"x\"", "neither a Django fixture"),
        ] {
            let e = read(&[("sessions.json".into(), text.into())]).unwrap_err();
            let shown = e.to_string();
            assert!(
                shown.contains("sessions.json") && shown.contains(needle),
                "{shown}"
            );
        }
    }
}
