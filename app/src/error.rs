//! The one wire error type of every server function. It carries only text
//! that is safe to show; internal causes are logged on the server and replaced
//! by a generic message. The server maps each variant to its real HTTP status
//! (see `status`), in one place.

use domain::FieldError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("{}", .0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" "))]
    Validation(Vec<FieldError>),
    #[error("Please log in to continue.")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    RateLimited(String),
    /// The request itself was malformed (bad JSON, wrong fields).
    #[error("The request was malformed.")]
    BadRequest,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The browser could not reach the server or read its answer.
    #[error("Could not reach the server. Check your connection and try again.")]
    Network,
}

impl ApiError {
    /// The HTTP status each variant is sent with.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Validation(_) => 422,
            ApiError::Unauthenticated => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::Conflict(_) => 409,
            ApiError::RateLimited(_) => 429,
            ApiError::BadRequest => 400,
            ApiError::Internal | ApiError::Network => 500,
        }
    }

    /// Field messages for one form field.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            ApiError::Validation(v) => {
                let m: Vec<_> = v.iter().filter(|e| e.field == name).map(|e| e.message.clone()).collect();
                (!m.is_empty()).then(|| m.join(" "))
            }
            _ => None,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_) => {
                if cfg!(feature = "ssr") {
                    ApiError::BadRequest
                } else {
                    ApiError::Network
                }
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => ApiError::Network,
            _ => ApiError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<service::ServiceError> for ApiError {
    fn from(e: service::ServiceError) -> Self {
        use service::ServiceError as S;
        match e {
            S::Validation(v) => ApiError::Validation(v),
            S::Unauthenticated => ApiError::Unauthenticated,
            S::Forbidden(m) => ApiError::Forbidden(m),
            S::NotFound(m) => ApiError::NotFound(m),
            S::Conflict(m) => ApiError::Conflict(m),
            S::RateLimited(m) => ApiError::RateLimited(m),
            S::Internal(err) => {
                tracing::error!(error = ?err, "internal error");
                ApiError::Internal
            }
        }
    }
}
