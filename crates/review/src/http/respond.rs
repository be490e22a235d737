//! Answers: JSON bodies with `<`, `>` and `&` escaped (so no article text can ever be
//! read as markup, whatever reads the bytes), errors as [`ErrorBody`] with their status,
//! and the request body reader that turns every malformed body into a 4xx.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::input::Invalid;
use crate::review::Refusal;
use crate::views::ErrorBody;
use crate::ReviewError;

/// A JSON answer with a status.
pub struct ApiJson<T>(pub StatusCode, pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.1) {
            Ok(bytes) => json_bytes(self.0, escape_json(&bytes)),
            Err(error) => {
                tracing::error!(%error, "answer cannot be serialised");
                ApiError::internal().into_response()
            }
        }
    }
}

pub fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response()
}

/// Replaces `<`, `>`, `&`, U+2028 and U+2029 in serialised JSON by their `\uXXXX` escapes.
/// Those characters can only stand inside JSON strings, so the text still decodes to the
/// same value.
pub fn escape_json(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() + 16);
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            b'<' => out.extend_from_slice(b"\\u003c"),
            b'>' => out.extend_from_slice(b"\\u003e"),
            b'&' => out.extend_from_slice(b"\\u0026"),
            0xE2 if json.get(i + 1) == Some(&0x80)
                && matches!(json.get(i + 2), Some(0xA8 | 0xA9)) =>
            {
                let escape: &[u8] = if json[i + 2] == 0xA8 {
                    b"\\u2028"
                } else {
                    b"\\u2029"
                };
                out.extend_from_slice(escape);
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    out
}

/// An error answer: status, stable code and message.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                error: code.to_owned(),
                message: message.into(),
                field: None,
                current_version: None,
            },
        }
    }

    pub fn with_field(mut self, field: &str) -> ApiError {
        self.body.field = Some(field.to_owned());
        self
    }

    pub fn unauthenticated(message: &str) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn invalid_field(field: &str, invalid: Invalid) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", invalid.0)
            .with_field(field)
    }

    pub fn stale(expected: u64, current: u64) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::CONFLICT,
            "stale_version",
            format!(
                "the review is at version {current}, not {expected}: someone else changed it; \
                 reload and decide again"
            ),
        );
        error.body.current_version = Some(current);
        error
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the service failed; the log says why",
        )
    }

    pub fn store(error: ReviewError) -> ApiError {
        tracing::error!(%error, "the event store failed");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            "the event store cannot be read or written now; try again",
        )
    }

    pub fn refusal(refusal: Refusal) -> ApiError {
        let message = refusal.to_string();
        match refusal {
            Refusal::NotPermitted { .. } => ApiError::forbidden(message),
            Refusal::OwnOverride(_) => ApiError::new(StatusCode::FORBIDDEN, "four_eyes", message),
            Refusal::InvalidState { .. } | Refusal::AlreadyAssigned(_) | Refusal::NotChecked => {
                ApiError::new(StatusCode::CONFLICT, "invalid_state", message)
            }
            Refusal::UnknownAssignee(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_assignee",
                message,
            )
            .with_field("assignee"),
            Refusal::SameVerdict(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "same_verdict", message)
                    .with_field("verdict")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let unauthenticated = self.status == StatusCode::UNAUTHORIZED;
        let mut response = ApiJson(self.status, self.body).into_response();
        if unauthenticated {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"newsroom-review\""),
            );
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        let text = rejection.body_text();
        match rejection {
            JsonRejection::JsonSyntaxError(_) => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", text)
            }
            JsonRejection::JsonDataError(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", text)
            }
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the body must be JSON, sent with Content-Type: application/json",
            ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("the body is over {} bytes", super::MAX_BODY_BYTES),
            ),
            other => ApiError::new(StatusCode::BAD_REQUEST, "invalid_body", other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            rejection.body_text(),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_path",
            rejection.body_text(),
        )
    }
}

/// A JSON request body; any body that is not JSON of the expected shape is a 4xx
/// [`ApiError`].
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(request, state).await?;
        Ok(Body(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_markup_in_strings_when_escaped_then_the_json_decodes_to_the_same_value() {
        let value = serde_json::json!({"quote": "<script>alert('x')</script> & \u{2028}done"});
        let escaped = escape_json(&serde_json::to_vec(&value).unwrap());
        let text = String::from_utf8(escaped.clone()).unwrap();
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        assert!(text.contains("\\u003cscript\\u003e"));
        assert!(!text.contains('\u{2028}'));
        let back: serde_json::Value = serde_json::from_slice(&escaped).unwrap();
        assert_eq!(back, value);
    }
}
