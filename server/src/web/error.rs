//! The HTTP edge's one error type, mapped to status codes in one place. Internal failures are
//! logged and answered with a generic message; nothing internal leaks to the client.

use crate::ledger::CommandError;
use crate::people::PeopleError;
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("sign in first")]
    Unauthorized,
    #[error("your role may not do this")]
    Forbidden,
    #[error("cross-site request refused")]
    CrossSite,
    #[error("{0} not found")]
    NotFound(String),
    #[error("{message}")]
    BadRequest { status: StatusCode, message: String },
    #[error("{0}")]
    Rejected(DomainError),
    /// Input with the right shape that cannot be taken (a postal code of six digits), or a
    /// request the data's state refuses (details of a donor who asked to be erased): 422, with
    /// the message in both languages.
    #[error("{en}")]
    Invalid { en: String, ja: String },
    #[error("{0}")]
    Conflict(String),
    /// The server will not sign a checkpoint of this ledger (see `signer`).
    #[error("{0}")]
    Refused(String),
    #[error(
        "too many failed sign-ins for this name or from this address; try again in {retry_after} seconds"
    )]
    TooManyAttempts { retry_after: u64 },
    /// Over a limit the server keeps to stay up for everyone (busy, or the database is away).
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::CrossSite => (StatusCode::FORBIDDEN, "cross_site"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::BadRequest { status, .. } => (*status, "bad_request"),
            ApiError::Rejected(_) => (StatusCode::UNPROCESSABLE_ENTITY, "rule_broken"),
            ApiError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Refused(_) => (StatusCode::CONFLICT, "checkpoint_refused"),
            ApiError::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl ApiError {
    /// The message in Japanese, the users' first language.
    pub fn ja(&self) -> String {
        match self {
            ApiError::Unauthorized => "サインインしてください".into(),
            ApiError::Forbidden => "この操作を行う権限がありません".into(),
            ApiError::CrossSite => "他のサイトからの要求は受け付けません".into(),
            ApiError::NotFound(what) => format!("見つかりません: {what}"),
            ApiError::BadRequest { message, .. } => format!("要求の内容に誤りがあります: {message}"),
            ApiError::Rejected(rule) => rule.ja(),
            ApiError::Invalid { ja, .. } => ja.clone(),
            ApiError::Refused(why) => {
                format!("この台帳にはチェックポイントを署名できません（改ざんまたは置き換えの疑い）: {why}")
            }
            ApiError::Conflict(_) => {
                "同じ対象が先に他の人によって変更されました。再読み込みしてからもう一度お試しください".into()
            }
            ApiError::TooManyAttempts { retry_after } => {
                format!("この名前またはこの接続元からのサインインの失敗が続いています。{retry_after}秒後に再度お試しください")
            }
            ApiError::Unavailable(_) => {
                "サーバーが混み合っているか、データベースに接続できません。しばらくしてから再度お試しください"
                    .into()
            }
            ApiError::Internal(_) => "サーバー内部でエラーが発生しました".into(),
        }
    }
}

impl IntoResponse for ApiError {
    /// `message` is Japanese, `message_en` English: the page shows whichever the user chose.
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!("internal error: {detail}");
        }
        let (status, code) = self.status_and_code();
        let mut body =
            serde_json::json!({ "error": code, "message": self.ja(), "message_en": self.to_string() });
        // A broken rule names the form field it is about, for the browser to show it there.
        if let ApiError::Rejected(e) = &self {
            if let Some(field) = e.field() {
                body["field"] = field.into();
            }
        }
        let mut response = (status, Json(body)).into_response();
        match &self {
            ApiError::TooManyAttempts { retry_after } => {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, (*retry_after).into());
            }
            ApiError::Unavailable(_) => {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, 5u64.into());
            }
            _ => {}
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } => ApiError::Conflict(e.to_string()),
            StoreError::Database(ref db) if is_unavailable(db) => ApiError::Unavailable(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// Whether a database error means the database is away or overloaded (the request may succeed
/// later: 503) rather than that something is wrong with the request or the data (500).
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => true,
        // PostgreSQL: the server is shutting down or the connection was terminated (57P01..57P03),
        // or it refuses connections (53300 too many, 08xxx connection failures).
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("57P") || c.starts_with("08") || c == "53300" || c == "55000"),
        _ => false,
    }
}

impl From<PeopleError> for ApiError {
    fn from(e: PeopleError) -> Self {
        match e {
            PeopleError::Database(ref db) if is_unavailable(db) => ApiError::Unavailable(e.to_string()),
            PeopleError::Database(_) | PeopleError::Hash(_) => ApiError::Internal(e.to_string()),
            PeopleError::Busy(_) => ApiError::Unavailable(e.to_string()),
            PeopleError::WrongPassword => ApiError::BadRequest {
                status: StatusCode::FORBIDDEN,
                message: e.to_string(),
            },
            PeopleError::NoSuchUser(_) => ApiError::NotFound(e.to_string()),
            PeopleError::Exists(_) => ApiError::Conflict(e.to_string()),
            other => ApiError::BadRequest {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                message: other.to_string(),
            },
        }
    }
}

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Rejected(rule) => ApiError::Rejected(rule),
            CommandError::Conflict { .. } => ApiError::Conflict(e.to_string()),
            CommandError::KeyReused { .. } => ApiError::BadRequest {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                message: e.to_string(),
            },
            CommandError::Store(store) => store.into(),
        }
    }
}
