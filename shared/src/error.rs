//! The one error type. Every failure a request can meet is a variant here, and `http` maps each
//! to a status, a stable machine code and a Japanese message in exactly one place.

use crate::blobs::BlobError;
use crate::domain::Invalid;
use crate::store::StoreError;
use crate::union_contact::ContactView;
use std::collections::BTreeMap;

/// Per-field messages, keyed by the request's field names: a JSON path for nested ones
/// (`answers.incomes[2].amount`), hence owned keys.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("malformed json")]
    MalformedJson,
    #[error("content type is not json")]
    NotJson,
    #[error("body too large")]
    TooLarge,
    #[error("cross-site request")]
    CrossSite,
    #[error("not authenticated")]
    NotAuthenticated,
    #[error("session expired")]
    SessionExpired,
    #[error("identity does not match the roster")]
    IdentityMismatch,
    #[error("user id or password wrong")]
    InvalidCredentials,
    #[error("account belongs to an earlier survey year")]
    AccountReset,
    #[error("account disabled by an operator")]
    AccountDisabled,
    #[error("this person already has an account this year")]
    AlreadyRegistered,
    #[error("user id taken")]
    UserIdTaken,
    #[error("request does not fit the flow's step")]
    WrongStep,
    #[error("flow expired or unknown")]
    FlowExpired,
    /// `lifetime_seconds`: how long the code was valid, which the answer states.
    #[error("code expired")]
    CodeExpired { lifetime_seconds: i64 },
    #[error("code void after too many tries")]
    CodeVoid,
    #[error("code does not match")]
    CodeMismatch { tries_left: i64 },
    /// The throttles' `window_seconds` is the wait the answer states.
    #[error("identity checks throttled")]
    IdentityThrottled { retry_after: i64, window_seconds: i64 },
    #[error("code sends throttled")]
    ResendThrottled { retry_after: i64 },
    #[error("code send limit reached")]
    ResendLimit,
    #[error("login locked")]
    LoginLocked { retry_after: i64 },
    #[error("login locked until a password reset")]
    LoginLockedUntilReset,
    #[error("failed logins from this address throttled")]
    LoginThrottled { retry_after: i64, window_seconds: i64 },
    #[error("not found")]
    NotFound,
    /// A staff member's role does not allow the route.
    #[error("the staff member's role does not allow this")]
    Forbidden,
    /// A staff sign-in with any part wrong: the address, the password, the code, or a member
    /// not enrolled or disabled. One answer for all, so that none is told apart.
    #[error("staff sign-in failed")]
    StaffSignInFailed,
    #[error("staff sign-in locked")]
    StaffSignInLocked { retry_after: i64 },
    /// A console invitation expired, already used, or unknown.
    #[error("invitation expired or used")]
    InvitationGone,
    #[error("an earlier step of first login is not done")]
    StepRequired { next: crate::domain::Next },
    #[error("session ended by a password change or by ending sessions")]
    SessionEnded,
    #[error("the terms changed since they were shown")]
    TermsOutdated,
    #[error("current password wrong")]
    CurrentPasswordWrong,
    #[error("reset code wrong or no reset pending")]
    ResetCodeInvalid,
    #[error("no email change pending")]
    NoEmailChange,
    #[error("recovery requests throttled")]
    RecoveryThrottled { retry_after: i64, window_seconds: i64 },
    #[error("no address for this postal code")]
    PostalCodeUnknown,
    /// The answers changed since the version the request was made from (another tab).
    #[error("answers changed meanwhile")]
    VersionConflict,
    #[error("answers already submitted")]
    AlreadySubmitted,
    #[error("survey not open yet")]
    SurveyNotOpen,
    /// Past the due day and the grace days: the union's contact is where the person turns.
    #[error("survey closed")]
    SurveyClosed { contact: Option<ContactView> },
    /// The union confirmed the target (確認完了): its documents are settled.
    #[error("documents locked by the union's confirmation")]
    DocumentsLocked,
    /// A console action the target's status does not allow (deciding on answers not
    /// submitted, sending back answers not with the union).
    #[error("the target's status does not allow this")]
    WrongStatus,
    #[error("too many documents for one target")]
    TooManyDocuments,
    #[error("documents of one target too large together")]
    DocumentsTooLarge,
    /// Completing a document whose file never arrived in the bucket.
    #[error("document file not uploaded")]
    DocumentNotUploaded,
    /// The file failed the server's check; `reason` is the person's, in Japanese.
    #[error("document rejected")]
    DocumentRejected { reason: String },
    /// The call center acted on a person who has no account this year.
    #[error("person not registered")]
    PersonNotRegistered,
    #[error("dependency unavailable: {0}")]
    Unavailable(String),
    /// A fault of ours, not of a dependency: stored data that cannot be read, a request the
    /// store refuses as malformed. Retrying does not help. The cause holds no personal value.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn field(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid(BTreeMap::from([(name.into(), message.into())]))
    }

    /// One of every kind of error (both messages of StepRequired), for the API description
    /// and its tests. The match lists every variant, so a new one does not compile until it
    /// is added here, and so declared by the description.
    pub fn one_of_each() -> Vec<Error> {
        use crate::domain::Next;
        let errors = vec![
            Error::field("userId", "ユーザーIDを入力してください。"),
            Error::MalformedJson,
            Error::NotJson,
            Error::TooLarge,
            Error::CrossSite,
            Error::NotAuthenticated,
            Error::SessionExpired,
            Error::IdentityMismatch,
            Error::InvalidCredentials,
            Error::AccountReset,
            Error::AccountDisabled,
            Error::AlreadyRegistered,
            Error::UserIdTaken,
            Error::WrongStep,
            Error::FlowExpired,
            Error::CodeExpired { lifetime_seconds: 600 },
            Error::CodeVoid,
            Error::CodeMismatch { tries_left: 3 },
            Error::IdentityThrottled {
                retry_after: 3_000,
                window_seconds: 3_600,
            },
            Error::ResendThrottled { retry_after: 40 },
            Error::ResendLimit,
            Error::LoginLocked { retry_after: 1_800 },
            Error::LoginLockedUntilReset,
            Error::LoginThrottled {
                retry_after: 3_600,
                window_seconds: 3_600,
            },
            Error::NotFound,
            Error::StepRequired { next: Next::Terms },
            Error::StepRequired { next: Next::Contact },
            Error::SessionEnded,
            Error::TermsOutdated,
            Error::CurrentPasswordWrong,
            Error::ResetCodeInvalid,
            Error::NoEmailChange,
            Error::RecoveryThrottled {
                retry_after: 3_000,
                window_seconds: 3_600,
            },
            Error::Forbidden,
            Error::StaffSignInFailed,
            Error::StaffSignInLocked { retry_after: 1_800 },
            Error::InvitationGone,
            Error::PostalCodeUnknown,
            Error::VersionConflict,
            Error::AlreadySubmitted,
            Error::SurveyNotOpen,
            Error::SurveyClosed {
                contact: Some(ContactView::default()),
            },
            Error::DocumentsLocked,
            Error::WrongStatus,
            Error::TooManyDocuments,
            Error::DocumentsTooLarge,
            Error::DocumentNotUploaded,
            Error::DocumentRejected {
                reason: "PDFにパスワードや保護がかかっているため開けません。".into(),
            },
            Error::PersonNotRegistered,
            Error::Unavailable("the table did not answer".into()),
            Error::Internal("unreadable Account item".into()),
        ];
        for error in &errors {
            match error {
                Error::Invalid(_)
                | Error::MalformedJson
                | Error::NotJson
                | Error::TooLarge
                | Error::CrossSite
                | Error::NotAuthenticated
                | Error::SessionExpired
                | Error::IdentityMismatch
                | Error::InvalidCredentials
                | Error::AccountReset
                | Error::AccountDisabled
                | Error::AlreadyRegistered
                | Error::UserIdTaken
                | Error::WrongStep
                | Error::FlowExpired
                | Error::CodeExpired { .. }
                | Error::CodeVoid
                | Error::CodeMismatch { .. }
                | Error::IdentityThrottled { .. }
                | Error::ResendThrottled { .. }
                | Error::ResendLimit
                | Error::LoginLocked { .. }
                | Error::LoginLockedUntilReset
                | Error::LoginThrottled { .. }
                | Error::NotFound
                | Error::Forbidden
                | Error::StaffSignInFailed
                | Error::StaffSignInLocked { .. }
                | Error::InvitationGone
                | Error::StepRequired { .. }
                | Error::SessionEnded
                | Error::TermsOutdated
                | Error::CurrentPasswordWrong
                | Error::ResetCodeInvalid
                | Error::NoEmailChange
                | Error::RecoveryThrottled { .. }
                | Error::PostalCodeUnknown
                | Error::VersionConflict
                | Error::AlreadySubmitted
                | Error::SurveyNotOpen
                | Error::SurveyClosed { .. }
                | Error::DocumentsLocked
                | Error::WrongStatus
                | Error::TooManyDocuments
                | Error::DocumentsTooLarge
                | Error::DocumentNotUploaded
                | Error::DocumentRejected { .. }
                | Error::PersonNotRegistered
                | Error::Unavailable(_)
                | Error::Internal(_) => {}
            }
        }
        errors
    }
}

/// For a write whose failed condition means that what it relied on changed meanwhile: that is
/// `conflict` to the person; any other store failure stays what it is.
pub fn when_condition_failed(conflict: Error) -> impl FnOnce(StoreError) -> Error {
    move |error| {
        if error.is_condition_failed() {
            conflict
        } else {
            error.into()
        }
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unreadable { .. } | StoreError::Refused(_) => Error::Internal(error.to_string()),
            StoreError::ConditionFailed { .. } | StoreError::Unavailable(_) => Error::Unavailable(error.to_string()),
        }
    }
}

impl From<BlobError> for Error {
    fn from(error: BlobError) -> Self {
        match error {
            BlobError::Refused(_) => Error::Internal(error.to_string()),
            BlobError::Unavailable(_) => Error::Unavailable(error.to_string()),
        }
    }
}

/// Collects field errors while parsing a request, so the person sees every problem at once.
#[derive(Default)]
pub struct Fields(FieldErrors);

impl Fields {
    pub fn check<T>(&mut self, name: impl Into<String>, parsed: Result<T, Invalid>) -> Option<T> {
        parsed.map_err(|e| self.add(name, e.0)).ok()
    }

    /// Keeps the first message of a field: the one that names its most basic problem.
    pub fn add(&mut self, name: impl Into<String>, message: impl Into<String>) {
        self.0.entry(name.into()).or_insert_with(|| message.into());
    }

    pub fn finish(self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}
