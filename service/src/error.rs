//! The service's typed errors and their gRPC codes.

use agenda_solver::Issue;
use tonic::Code;
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    /// Validation failed; `issues` are the errors (fields relative to the message sent).
    #[error("{message}")]
    Invalid { message: String, issues: Vec<Issue> },
    /// An argument that is not a validation finding (bad format name, bad time limit).
    #[error("{field}: {message}")]
    BadArgument { field: String, message: String },
    #[error("the request was changed since version {expected} was read (it is now at version {current}): get it again, reapply the change and send the new version")]
    Stale { expected: u64, current: u64 },
    /// The state does not allow it: the tool is locked, the request is cancelled, ...
    #[error("{0}")]
    FailedPrecondition(String),
    #[error("{0}")]
    PermissionDenied(String),
    #[error("missing or unknown bearer token: send `authorization: Bearer <token>` with a token from the server's config")]
    Unauthenticated,
    #[error("{0}")]
    Busy(String),
    #[error("storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
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

impl From<ServiceError> for tonic::Status {
    fn from(e: ServiceError) -> tonic::Status {
        let code = e.code();
        match &e {
            ServiceError::Invalid { issues, .. } => {
                // google.rpc.BadRequest: one violation per finding, the tool's wording in
                // the description and the fix after it.
                let violations: Vec<FieldViolation> = issues
                    .iter()
                    .map(|i| {
                        let mut description = i.message.clone();
                        if let Some(h) = &i.help {
                            description.push_str(" — ");
                            description.push_str(h);
                        }
                        FieldViolation::new(i.field.clone(), description)
                    })
                    .collect();
                tonic::Status::with_error_details(
                    code,
                    e.to_string(),
                    ErrorDetails::with_bad_request(violations),
                )
            }
            ServiceError::BadArgument { field, message } => tonic::Status::with_error_details(
                code,
                e.to_string(),
                ErrorDetails::with_bad_request_violation(field.clone(), message.clone()),
            ),
            _ => tonic::Status::new(code, e.to_string()),
        }
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
