//! The service's typed errors and their gRPC codes.

use agenda_solver::Issue;
use tonic::Code;
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

/// Why a call failed; each maps to one gRPC code ([`ServiceError::code`]).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such meeting, request or agenda (what is missing, in words).
    #[error("{0}")]
    NotFound(String),
    /// The meeting or agenda exists already.
    #[error("{0}")]
    AlreadyExists(String),
    /// Validation failed; `issues` are the errors (fields relative to the message sent).
    #[error("{message}")]
    Invalid {
        /// A summary.
        message: String,
        /// Every error found.
        issues: Vec<Issue>,
    },
    /// An argument that is not a validation finding (bad format name, bad time limit).
    #[error("{field}: {message}")]
    BadArgument {
        /// The field, as the proto names it.
        field: String,
        /// What is wrong and what to send instead.
        message: String,
    },
    /// An edit based on an older version of the request (optimistic concurrency).
    #[error("the request was changed since version {expected} was read (it is now at version {current}): get it again, reapply the change and send the new version")]
    Stale {
        /// The version the caller read.
        expected: u64,
        /// The version stored now.
        current: u64,
    },
    /// The state does not allow it: the tool is locked, the request is cancelled, ...
    #[error("{0}")]
    FailedPrecondition(String),
    /// The caller's role does not allow the call.
    #[error("{0}")]
    PermissionDenied(String),
    /// No token, or one the config does not know.
    #[error("missing or unknown bearer token: send `authorization: Bearer <token>` with a token from the server's config")]
    Unauthenticated,
    /// Too many solves at once; try again later.
    #[error("{0}")]
    Busy(String),
    /// The database failed.
    #[error("storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    /// A bug: what should not happen did.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// The gRPC code of the error.
    pub fn code(&self) -> Code {
        match self {
            ServiceError::NotFound(_) => Code::NotFound,
            ServiceError::AlreadyExists(_) => Code::AlreadyExists,
            ServiceError::Invalid { .. } | ServiceError::BadArgument { .. } => {
                Code::InvalidArgument
            }
            ServiceError::Stale { .. } => Code::Aborted,
            ServiceError::FailedPrecondition(_) => Code::FailedPrecondition,
            ServiceError::PermissionDenied(_) => Code::PermissionDenied,
            ServiceError::Unauthenticated => Code::Unauthenticated,
            ServiceError::Busy(_) => Code::ResourceExhausted,
            ServiceError::Storage(_) | ServiceError::Internal(_) => Code::Internal,
        }
    }
}

/// The most field violations a status carries: standard gRPC clients refuse response
/// metadata over 8-16 KiB (about 60 findings were too many), so the rest are counted.
pub const MAX_VIOLATIONS: usize = 20;
/// The longest message or violation description sent, in characters (they may echo input).
pub const MAX_DETAIL_CHARS: usize = 300;

/// `text` cut to [`MAX_DETAIL_CHARS`] characters, marked when cut.
fn capped(text: &str) -> String {
    if text.chars().count() <= MAX_DETAIL_CHARS {
        return text.to_string();
    }
    let mut out: String = text.chars().take(MAX_DETAIL_CHARS).collect();
    out.push_str(" [...]");
    out
}

impl From<ServiceError> for tonic::Status {
    fn from(e: ServiceError) -> tonic::Status {
        let code = e.code();
        let message = capped(&e.to_string());
        match &e {
            ServiceError::Invalid { issues, .. } => {
                // google.rpc.BadRequest: one violation per finding, the tool's wording in
                // the description and the fix after it; the first MAX_VIOLATIONS only.
                let mut violations: Vec<FieldViolation> = issues
                    .iter()
                    .take(MAX_VIOLATIONS)
                    .map(|i| {
                        let mut description = i.message.clone();
                        if let Some(h) = &i.help {
                            description.push_str(" — ");
                            description.push_str(h);
                        }
                        FieldViolation::new(capped(&i.field), capped(&description))
                    })
                    .collect();
                if issues.len() > MAX_VIOLATIONS {
                    violations.push(FieldViolation::new(
                        "",
                        format!(
                            "{} more error(s) not listed; `agenda validate` on the document lists them all",
                            issues.len() - MAX_VIOLATIONS
                        ),
                    ));
                }
                tonic::Status::with_error_details(
                    code,
                    message,
                    ErrorDetails::with_bad_request(violations),
                )
            }
            ServiceError::BadArgument { field, message: m } => tonic::Status::with_error_details(
                code,
                message,
                ErrorDetails::with_bad_request_violation(capped(field), capped(m)),
            ),
            _ => tonic::Status::new(code, message),
        }
    }
}

/// A result whose error is a [`ServiceError`].
pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
