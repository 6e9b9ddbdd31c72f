//! Reading instance and agenda files, with errors that name the file, line and column.

use crate::agenda::{Agenda, AGENDA_FORMAT};
use crate::instance::{Instance, INSTANCE_FORMAT};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// Why a document could not be read. Each variant names where the problem is.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read (the OS error is part of the message, not a source,
    /// so that error chains do not print it twice).
    #[error("{path}: cannot read the file: {cause}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        cause: std::io::Error,
    },
    /// The text is not JSON of the document's shape.
    #[error("{origin}:{line}:{column}: {message}")]
    Syntax {
        /// The file, or what the text came from.
        origin: String,
        /// Line of the error (1-based).
        line: usize,
        /// Column of the error (1-based).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The document is another kind of document than the one expected.
    #[error("{origin}: \"format\" is {found:?}, expected {expected:?}; {hint}")]
    WrongFormat {
        /// The file, or what the text came from.
        origin: String,
        /// The `format` the document gives.
        found: String,
        /// The `format` expected.
        expected: &'static str,
        /// What the user may have meant.
        hint: &'static str,
    },
}

/// Reads and parses an `agenda-instance/1` file.
pub fn load_instance(path: impl AsRef<Path>) -> Result<Instance, LoadError> {
    let path = path.as_ref();
    parse_instance(&read(path)?, &path.display().to_string())
}

/// Reads and parses an `agenda/1` file.
pub fn load_agenda(path: impl AsRef<Path>) -> Result<Agenda, LoadError> {
    let path = path.as_ref();
    parse_agenda(&read(path)?, &path.display().to_string())
}

/// Parses an instance from text; `origin` names the source in errors.
pub fn parse_instance(text: &str, origin: &str) -> Result<Instance, LoadError> {
    check_format(
        text,
        origin,
        INSTANCE_FORMAT,
        "is this an agenda? `agenda check INSTANCE AGENDA` takes the instance first",
    )?;
    parse(text, origin)
}

/// Parses an agenda from text; `origin` names the source in errors.
pub fn parse_agenda(text: &str, origin: &str) -> Result<Agenda, LoadError> {
    check_format(
        text,
        origin,
        AGENDA_FORMAT,
        "is this an instance? `agenda check INSTANCE AGENDA` takes the agenda second",
    )?;
    parse(text, origin)
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|cause| LoadError::Io {
        path: path.to_path_buf(),
        cause,
    })
}

pub(crate) fn parse<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, LoadError> {
    serde_json::from_str(text).map_err(|e| LoadError::Syntax {
        origin: origin.to_string(),
        line: e.line(),
        column: e.column(),
        // serde_json appends " at line L column C"; we already say where.
        message: strip_position(&e.to_string()),
    })
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Reads only the `format` field first, so that a file of the other kind gets a useful
/// message instead of a type error deep inside it.
pub(crate) fn check_format(
    text: &str,
    origin: &str,
    expected: &'static str,
    hint: &'static str,
) -> Result<(), LoadError> {
    #[derive(serde::Deserialize)]
    struct FormatOnly {
        format: Option<String>,
    }
    let found: FormatOnly = parse(text, origin)?;
    match found.format {
        Some(f) if f == expected => Ok(()),
        found => Err(LoadError::WrongFormat {
            origin: origin.to_string(),
            found: found.unwrap_or_else(|| "(missing)".into()),
            expected,
            hint,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_line_and_column() {
        let text = "{\n  \"format\": \"agenda-instance/1\",\n  \"meeting\": {\"number\": 5,}\n}";
        let err = parse_instance(text, "x.json").unwrap_err();
        let LoadError::Syntax { line, origin, .. } = &err else {
            panic!("expected a syntax error, got {err}");
        };
        assert_eq!((origin.as_str(), *line), ("x.json", 3));
        assert!(err.to_string().starts_with("x.json:3:"), "{err}");
    }

    #[test]
    fn wrong_format_is_explained() {
        let text = r#"{"format": "agenda/1", "meeting": "106"}"#;
        let err = parse_instance(text, "a.json").unwrap_err();
        assert!(matches!(err, LoadError::WrongFormat { .. }), "{err}");
        assert!(err.to_string().contains("expected \"agenda-instance/1\""));
    }
}
