//! Checks at the edge of every request, before any route reads it (request ids are
//! `plumbing::request_ids`'): a body over the limit is refused (413), and text holding a
//! NUL character is refused (400), each answered in the shape of the protocol its path
//! belongs to. Postgres cannot store a NUL in text (it answered 500) and SQLite would
//! store it, so no route sees one.

use axum::body::HttpBody as _;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api_v2::problem::Problem;
use crate::error::{Error, PageError};
use crate::oauth::signed::MAX_BODY;
use crate::oauth2::error::{ErrorCode, TokenError};

/// Whose error shape a path answers in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// Twitter's `{"errors":[{"code":..}]}`: the signed OAuth 1.0a endpoints and API v1.1.
    Twitter,
    /// RFC 6749 §5.2 JSON: the OAuth 2.0 token and revocation endpoints.
    OAuth2,
    /// API v2 problem objects.
    ApiV2,
    /// An HTML page: everything a person opens.
    Page,
}

fn shape(path: &str) -> Shape {
    if path.starts_with("/2/oauth2/") {
        Shape::OAuth2
    } else if path.starts_with("/2/") {
        Shape::ApiV2
    } else if path.starts_with("/1.1/")
        || path == "/oauth/request_token"
        || path == "/oauth/access_token"
    {
        Shape::Twitter
    } else {
        Shape::Page
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    Nul,
    TooLarge,
}

fn refuse(shape: Shape, refusal: Refusal) -> Response {
    let (status, code, message, oauth2) = match refusal {
        Refusal::Nul => (
            StatusCode::BAD_REQUEST,
            215,
            "A parameter holds a NUL character, which no value here may contain.",
            "a parameter holds a NUL character",
        ),
        Refusal::TooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            413,
            "Request entity too large.",
            "the request body is too large",
        ),
    };
    let error = Error::Rejected {
        status,
        code,
        message,
    };
    match (shape, refusal) {
        (Shape::Twitter, _) => error.into_response(),
        (Shape::OAuth2, Refusal::Nul) => {
            TokenError::new(ErrorCode::InvalidRequest, oauth2).into_response()
        }
        (Shape::OAuth2, Refusal::TooLarge) => TokenError::TooLarge(oauth2).into_response(),
        (Shape::ApiV2, Refusal::Nul) => Problem::Invalid(message).into_response(),
        (Shape::ApiV2, Refusal::TooLarge) => Problem::Other(error).into_response(),
        (Shape::Page, _) => PageError(error).into_response(),
    }
}

/// The layer.
pub async fn checks(request: Request, next: Next) -> Response {
    let shape = shape(request.uri().path());
    if request.uri().query().is_some_and(form_has_nul) || authorization_has_nul(request.headers()) {
        return refuse(shape, Refusal::Nul);
    }
    // A body of any method is read: a signed GET may carry its parameters in a form body.
    if request.body().size_hint().exact() == Some(0) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(body) => body,
        Err(_) => return refuse(shape, Refusal::TooLarge),
    };
    if body_has_nul(&parts.headers, &body) {
        return refuse(shape, Refusal::Nul);
    }
    next.run(Request::from_parts(parts, Body::from(body))).await
}

/// Form-encoded text (a query or a form body): a NUL is `%00`, or a raw byte.
fn form_has_nul(text: &str) -> bool {
    text.as_bytes().contains(&0) || text.contains("%00")
}

/// OAuth 1.0a header parameters are percent-encoded (RFC 5849 §3.5.1); HTTP Basic
/// credentials are base64 of form-encoded text (RFC 6749 §2.3.1).
fn authorization_has_nul(headers: &HeaderMap) -> bool {
    headers.get_all(header::AUTHORIZATION).iter().any(|value| {
        let value = value.as_bytes();
        if value.len() > 6 && value[..6].eq_ignore_ascii_case(b"basic ") {
            let encoded = String::from_utf8_lossy(&value[6..]);
            return crate::oauth2::base64::decode_standard(encoded.trim())
                .is_some_and(|decoded| decoded.contains(&0) || contains(&decoded, b"%00"));
        }
        contains(value, b"%00")
    })
}

/// Whatever the body says it is: some handlers read any body as a form (the OAuth 2.0
/// token endpoint) or as JSON (API v2). Only a body labelled JSON may hold `%00`, which
/// no JSON parser decodes.
fn body_has_nul(headers: &HeaderMap, body: &Bytes) -> bool {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|kind| {
            kind.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    body.contains(&0) || json_has_nul(body) || (!json && contains(body, b"%00"))
}

/// `\u0000` in JSON text, not itself escaped (`\\u0000` is a backslash and `u0000`).
fn json_has_nul(body: &[u8]) -> bool {
    let needle = b"u0000";
    (1..body.len().saturating_sub(needle.len() - 1)).any(|i| {
        body[i..].starts_with(needle) && {
            let slashes = body[..i].iter().rev().take_while(|b| **b == b'\\').count();
            slashes % 2 == 1
        }
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn paths_answer_in_their_protocols_shape() {
        assert_eq!(shape("/2/oauth2/token"), Shape::OAuth2);
        assert_eq!(shape("/2/tweets"), Shape::ApiV2);
        assert_eq!(shape("/1.1/statuses/update.json"), Shape::Twitter);
        assert_eq!(shape("/oauth/request_token"), Shape::Twitter);
        assert_eq!(shape("/oauth/authorize"), Shape::Page);
        assert_eq!(shape("/i/oauth2/authorize"), Shape::Page);
        assert_eq!(shape("/login"), Shape::Page);
    }

    #[test]
    fn a_nul_is_found_however_it_is_spelled_and_only_then() {
        assert!(form_has_nul("a=1&b=x%00y"));
        assert!(!form_has_nul("a=1&b=100%2500"));
        assert!(json_has_nul(br#"{"text":"a\u0000"}"#));
        assert!(json_has_nul(br#"{"text":"a\\\u0000"}"#));
        assert!(!json_has_nul(br#"{"text":"a\\u0000"}"#));
        assert!(!json_has_nul(br#"{"text":"50%00 off"}"#));
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("OAuth oauth_consumer_key=\"k%00\""),
        );
        assert!(authorization_has_nul(&headers));
        // base64("id%00:secret")
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic aWQlMDA6c2VjcmV0"),
        );
        assert!(authorization_has_nul(&headers));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic aWQ6c2VjcmV0"),
        );
        assert!(!authorization_has_nul(&headers));
    }
}
