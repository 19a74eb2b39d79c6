//! Client authentication at the token and revocation endpoints (RFC 6749 §2.3): a
//! confidential client sends its id and secret with HTTP Basic (`client_secret_basic`,
//! §2.3.1) or in the body (`client_secret_post`); a public client sends its `client_id`
//! alone (§3.2.1) and is held to PKCE instead.

use axum::http::{HeaderMap, header};

use super::base64;
use super::error::{ErrorCode, TokenError, TokenResult};
use super::params::Params;
use crate::plumbing::db::Db;
use crate::store::oauth2::clients::{self, Client, ClientKind};

/// The credentials the request carries, before they are checked.
#[derive(Debug, PartialEq, Eq)]
struct Presented {
    client_id: String,
    secret: Option<String>,
}

fn bad_request(description: &'static str) -> TokenError {
    TokenError::new(ErrorCode::InvalidRequest, description)
}

fn invalid_client(description: &'static str) -> TokenError {
    TokenError::new(ErrorCode::InvalidClient, description)
}

/// `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))` (§2.3.1, RFC 7617).
fn basic(headers: &HeaderMap) -> TokenResult<Option<Presented>> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(bad_request("more than one Authorization header"));
    }
    let value = value
        .to_str()
        .map_err(|_| invalid_client("malformed Basic credentials"))?;
    let (scheme, encoded) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(invalid_client("client authentication is HTTP Basic"));
    }
    let decoded = base64::decode_standard(encoded.trim())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| invalid_client("malformed Basic credentials"))?;
    let (id, secret) = decoded
        .split_once(':')
        .ok_or_else(|| invalid_client("malformed Basic credentials"))?;
    // One form-encoded component: `&` and `=` stay part of it.
    let form_decode = |s: &str| -> String {
        let whole = s.replace('&', "%26").replace('=', "%3D");
        url::form_urlencoded::parse(whole.as_bytes())
            .next()
            .map(|(name, _)| name.into_owned())
            .unwrap_or_default()
    };
    let (id, secret) = (form_decode(id), form_decode(secret));
    if id.is_empty() {
        return Err(invalid_client("malformed Basic credentials"));
    }
    Ok(Some(Presented {
        client_id: id,
        secret: Some(secret).filter(|s| !s.is_empty()),
    }))
}

fn presented(headers: &HeaderMap, params: &Params) -> TokenResult<Presented> {
    let (body_id, body_secret) = (params.get("client_id"), params.get("client_secret"));
    match basic(headers)? {
        // §2.3: a client MUST NOT use more than one authentication method per request.
        Some(_) if body_secret.is_some() => Err(bad_request(
            "client credentials in both the Authorization header and the body",
        )),
        Some(from_header) => match body_id {
            Some(id) if id != from_header.client_id => Err(bad_request(
                "client_id in the body differs from the Authorization header",
            )),
            _ => Ok(from_header),
        },
        None => Ok(Presented {
            client_id: body_id
                .ok_or_else(|| invalid_client("client authentication is required"))?
                .to_owned(),
            secret: body_secret.map(str::to_owned),
        }),
    }
}

/// Authenticates the client of a token or revocation request. Every failure is
/// `invalid_client` (401), without saying whether the id or the secret was wrong.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn authenticate(db: &Db, headers: &HeaderMap, params: &Params) -> TokenResult<Client> {
    let presented = presented(headers, params)?;
    let client = clients::by_client_id(db, &presented.client_id)
        .await?
        .ok_or_else(|| invalid_client("client authentication failed"))?;
    match (client.kind(), presented.secret.as_deref()) {
        (ClientKind::Confidential, Some(secret)) if client.secret_matches(secret) => Ok(client),
        (ClientKind::Confidential, None) => Err(invalid_client(
            "a confidential client authenticates with its secret (HTTP Basic)",
        )),
        (ClientKind::Confidential, Some(_)) => Err(invalid_client("client authentication failed")),
        // A public client has no secret (§2.1); HTTP Basic with an empty password, which
        // some libraries send by default, only names it.
        (ClientKind::Public, None) => Ok(client),
        (ClientKind::Public, Some(_)) => Err(invalid_client("a public client has no secret")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        // "my%20id:s%3Acret" → id "my id", secret "s:cret" (RFC 6749 §2.3.1).
        let encoded = base64::url_no_pad(b"my%20id:s%3Acret")
            .replace('-', "+")
            .replace('_', "/");
        let padded = format!("{encoded}{}", "=".repeat((4 - encoded.len() % 4) % 4));
        let got = presented(&headers(&format!("basic {padded}")), &Params::default()).unwrap();
        assert_eq!(
            got,
            Presented {
                client_id: "my id".into(),
                secret: Some("s:cret".into())
            }
        );
    }

    #[test]
    fn two_methods_at_once_are_refused() {
        let params = Params::parse(b"client_secret=x").unwrap();
        let err = presented(&headers("Basic aWQ6c2VjcmV0"), &params).unwrap_err();
        assert!(matches!(
            err,
            TokenError::Protocol {
                code: ErrorCode::InvalidRequest,
                ..
            }
        ));
        let err = presented(&headers("Bearer abc"), &Params::default()).unwrap_err();
        assert!(matches!(
            err,
            TokenError::Protocol {
                code: ErrorCode::InvalidClient,
                ..
            }
        ));
    }
}
