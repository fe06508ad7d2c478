use domain::FieldError;

/// What a use case can answer. `Internal` carries the cause for the log only.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("sign in required")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    RateLimited(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ServiceError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Validation(vec![FieldError::new(field, message)])
    }
}

impl From<FieldError> for ServiceError {
    fn from(e: FieldError) -> Self {
        ServiceError::Validation(vec![e])
    }
}

impl From<domain::authz::Denied> for ServiceError {
    fn from(d: domain::authz::Denied) -> Self {
        ServiceError::Forbidden(d.to_string())
    }
}

impl From<db::Error> for ServiceError {
    fn from(e: db::Error) -> Self {
        use db::Conflict as C;
        match e {
            db::Error::NotFound => ServiceError::NotFound("Not found.".into()),
            db::Error::Conflict(C::LastAdmin) => ServiceError::Conflict("The provider must keep at least one confirmed Provider admin.".into()),
            db::Error::Conflict(C::ActorNotAdmin) => ServiceError::Forbidden(domain::authz::Denied::AdminOnly.to_string()),
            db::Error::Conflict(C::EmailTaken) => ServiceError::Conflict("An account with this email already exists.".into()),
            db::Error::Conflict(C::AlreadyMember) => ServiceError::Conflict("This email is already a member.".into()),
            db::Error::Conflict(C::TokenGone) => {
                ServiceError::Conflict("This invitation is no longer valid. Ask an administrator to send you a new invitation.".into())
            }
            db::Error::Conflict(C::NoSeats) => ServiceError::Conflict("There are not enough seats for this.".into()),
            db::Error::Conflict(C::SeatsInUse) => ServiceError::Conflict("Those seats are in use.".into()),
            db::Error::Conflict(C::NameTaken) => ServiceError::field("name", "This name is already used."),
            db::Error::Conflict(C::NoOwner) => {
                ServiceError::Conflict("This organisation has no confirmed Owner to hand it to: confirm one first, or delete it.".into())
            }
            db::Error::Conflict(C::Managed) => ServiceError::Conflict("This organisation is already managed by a provider.".into()),
            db::Error::Conflict(C::Stale) => ServiceError::Conflict("A member changed meanwhile. Reload and try again.".into()),
            other => ServiceError::Internal(anyhow::Error::new(other).context("store")),
        }
    }
}
