//! JSON Schemas of the documents the engine reads and writes (FORMAT.md, ONLINE.md),
//! generated from the serde types that read them, so that they cannot drift from the
//! code. They describe shapes and types; the rules between fields (known groups,
//! lengths in `session_minutes`, ...) are `validate`'s.

use crate::agenda::{Agenda, AGENDA_FORMAT};
use crate::instance::{Instance, INSTANCE_FORMAT};
use crate::interim::{InterimPlan, INTERIM_PLAN_FORMAT};
use crate::interim::{InterimRequestFile, INTERIM_REQUEST_FORMAT};
use crate::online::{VirtualMeetingSpec, VIRTUAL_MEETING_FORMAT};
use serde_json::Value;

/// The documents with a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// `agenda-instance/1`.
    Instance,
    /// `agenda/1`.
    Agenda,
    /// `interim-request/1`.
    InterimRequest,
    /// `interim-plan/1`.
    InterimPlan,
    /// `virtual-meeting/1`.
    VirtualMeeting,
}

impl Document {
    pub(crate) const ALL: [Document; 5] = [
        Document::Instance,
        Document::Agenda,
        Document::InterimRequest,
        Document::InterimPlan,
        Document::VirtualMeeting,
    ];

    /// The value of the document's `format` field.
    pub fn format(self) -> &'static str {
        match self {
            Document::Instance => INSTANCE_FORMAT,
            Document::Agenda => AGENDA_FORMAT,
            Document::InterimRequest => INTERIM_REQUEST_FORMAT,
            Document::InterimPlan => INTERIM_PLAN_FORMAT,
            Document::VirtualMeeting => VIRTUAL_MEETING_FORMAT,
        }
    }

    /// The document whose `format` field is `format`.
    pub fn of_format(format: &str) -> Option<Document> {
        Document::ALL.into_iter().find(|d| d.format() == format)
    }
}

/// The JSON Schema (draft 2020-12) of `document`, its `format` field pinned to the
/// document's value.
pub fn schema(document: Document) -> Value {
    let schema = match document {
        Document::Instance => schemars::schema_for!(Instance),
        Document::Agenda => schemars::schema_for!(Agenda),
        Document::InterimRequest => schemars::schema_for!(InterimRequestFile),
        Document::InterimPlan => schemars::schema_for!(InterimPlan),
        Document::VirtualMeeting => schemars::schema_for!(VirtualMeetingSpec),
    };
    let mut value = schema.to_value();
    if let Some(format) = value
        .get_mut("properties")
        .and_then(|p| p.get_mut("format"))
    {
        *format = serde_json::json!({ "const": document.format() });
    }
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "$id".into(),
            Value::String(format!(
                "https://ietf-agenda.invalid/schema/{}.json",
                document.format().replace('/', "-")
            )),
        );
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_pins_its_format_and_names_its_fields() {
        for d in Document::ALL {
            let s = schema(d);
            assert_eq!(s["properties"]["format"]["const"], d.format(), "{d:?}");
            assert_eq!(Document::of_format(d.format()), Some(d));
        }
        let instance = schema(Document::Instance);
        let required = instance["required"].as_array().unwrap();
        for field in ["format", "meeting"] {
            assert!(
                required.iter().any(|r| r == field),
                "{field} required: {required:?}"
            );
        }
    }
}
