//! One call to sign a request now: a fresh nonce ([`Nonce::generate`]) and the current
//! time ([`Timestamp::now`]), HMAC-SHA1, the parameters in the `Authorization` header
//! (§3.5.1). For anything else (another method or placement, a realm, a callback or a
//! verifier, a reproducible signature) use [`Signer`] itself.

use url::Url;

use crate::sign::{Body, Request, SignError, Signer};
use crate::types::{ClientCredentials, Nonce, Timestamp, TokenCredentials};

/// The `Authorization` header value for one request, signed now with HMAC-SHA1.
///
/// `form` is the request's `application/x-www-form-urlencoded` body, whose parameters
/// are signed (§3.4.1.3.1), or `None` for a request without a body. `token` is the
/// token credentials (or temporary credentials) to sign with, if any.
///
/// ```
/// use oauth1::{AccessToken, ClientCredentials, IncomingRequest, SignedParams};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let client = ClientCredentials::new("key", "secret");
/// let token = AccessToken::new("token", "token secret");
/// let url = "https://api.example.com/1.1/statuses/update.json".parse()?;
/// let form = "status=Hello%20world";
/// let header = oauth1::authorization_header("POST", &url, Some(form), &client, Some(&token))?;
/// assert!(header.starts_with("OAuth oauth_consumer_key=\"key\""));
///
/// // What the service does with it (RFC 5849 §3.2):
/// let received = SignedParams::from_request(&IncomingRequest {
///     method: "POST",
///     url: &url,
///     authorization: Some(&header),
///     content_type: Some("application/x-www-form-urlencoded"),
///     body: form.as_bytes(),
/// })?;
/// received.verify_signature(&client.secret, Some(&token.secret))?;
/// # Ok(())
/// # }
/// ```
pub fn authorization_header(
    method: &str,
    url: &Url,
    form: Option<&str>,
    client: &ClientCredentials,
    token: Option<&dyn TokenCredentials>,
) -> Result<String, SignError> {
    let mut signer = Signer::new(client);
    if let Some(token) = token {
        signer = signer.token(token);
    }
    let body = form.map_or(Body::Empty, Body::Form);
    let request = Request { method, url, body };
    signer.authorization(&request, &Nonce::generate(), Timestamp::now())
}

/// Signs a `reqwest::Request` in place, now, with HMAC-SHA1 in the `Authorization`
/// header (feature `client`): what [`Client::sign`](crate::Client::sign) does, without
/// a `Client`. A form body (`Content-Type: application/x-www-form-urlencoded`) is signed
/// parameter by parameter, any other body gets `oauth_body_hash`; a streaming body
/// cannot be signed.
///
/// ```
/// use oauth1::{AccessToken, ClientCredentials};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let client = ClientCredentials::new("key", "secret");
/// let token = AccessToken::new("token", "token secret");
/// let url = "https://api.example.com/1.1/account/verify_credentials.json".parse()?;
/// let mut request = reqwest::Request::new(reqwest::Method::GET, url);
/// oauth1::sign_reqwest(&mut request, &client, Some(&token))?;
/// assert!(request.headers().contains_key(reqwest::header::AUTHORIZATION));
/// // then: reqwest::Client::new().execute(request).await
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "client")]
pub fn sign_reqwest(
    request: &mut reqwest::Request,
    client: &ClientCredentials,
    token: Option<&dyn TokenCredentials>,
) -> Result<(), crate::Error> {
    let mut signer = Signer::new(client);
    if let Some(token) = token {
        signer = signer.token(token);
    }
    sign_reqwest_with(&signer, request).map(drop)
}

/// Signs `request` in place with `signer` (any method and placement), a fresh nonce and
/// the current time; the signed request's intermediate values for an observer.
#[cfg(feature = "client")]
pub(crate) fn sign_reqwest_with(
    signer: &Signer<'_>,
    request: &mut reqwest::Request,
) -> Result<crate::sign::SignedRequest, crate::Error> {
    use crate::Error;
    use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};

    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    let bytes = match request.body() {
        None => None,
        Some(body) => Some(body.as_bytes().ok_or(Error::StreamingBody)?.to_vec()),
    };
    let body = match &bytes {
        None => Body::Empty,
        Some(b) if is_form => Body::Form(std::str::from_utf8(b).map_err(|_| Error::FormNotUtf8)?),
        Some(b) => Body::Other(b),
    };
    let method = request.method().as_str().to_owned();
    let url = request.url().clone();
    let signed = signer.sign(
        &Request {
            method: &method,
            url: &url,
            body,
        },
        &Nonce::generate(),
        Timestamp::now(),
    )?;
    *request.url_mut() = signed.url.clone();
    if let Some(auth) = &signed.authorization {
        let value = HeaderValue::from_str(auth).map_err(|_| Error::HeaderNotAscii)?;
        request.headers_mut().insert(AUTHORIZATION, value);
    }
    if let Some(new_body) = &signed.body {
        *request.body_mut() = Some(new_body.clone().into());
    }
    Ok(signed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::AccessToken;
    use crate::verify::{IncomingRequest, SignedParams, VerifyError};

    fn credentials() -> (ClientCredentials, AccessToken) {
        (
            ClientCredentials::new("dpf43f3p2l4k3l03", "kd94hf93k423kf44"),
            AccessToken::new("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00"),
        )
    }

    fn received(
        method: &str,
        url: &Url,
        authorization: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> SignedParams {
        SignedParams::from_request(&IncomingRequest {
            method,
            url,
            authorization: Some(authorization),
            content_type,
            body,
        })
        .expect("a well-formed signed request")
    }

    #[test]
    fn the_header_verifies_with_a_form_body_and_a_token() {
        let (client, token) = credentials();
        let url = Url::parse("https://photos.example.net/photos?size=original").unwrap();
        let form = "file=vacation.jpg&caption=a%20b%2Bc";
        let header = authorization_header("POST", &url, Some(form), &client, Some(&token)).unwrap();
        let form_type = Some("application/x-www-form-urlencoded");
        let params = received("POST", &url, &header, form_type, form.as_bytes());
        assert_eq!(
            params.token.as_ref().map(|t| t.as_str()),
            Some("nnch734d00sl2jdk")
        );
        params
            .verify_signature(&client.secret, Some(&token.secret))
            .unwrap();
        // Another secret does not verify it.
        let wrong = crate::types::TokenSecret::new("not it");
        let refused = params.verify_signature(&client.secret, Some(&wrong));
        assert_eq!(refused, Err(VerifyError::InvalidSignature));
    }

    #[test]
    fn the_header_verifies_without_a_body_or_a_token_and_is_fresh_each_time() {
        let (client, _) = credentials();
        let url = Url::parse("https://photos.example.net/oauth/request_token").unwrap();
        let first = authorization_header("GET", &url, None, &client, None).unwrap();
        let params = received("GET", &url, &first, None, b"");
        assert!(params.token.is_none());
        params.verify_signature(&client.secret, None).unwrap();
        let now = Timestamp::now().as_secs();
        assert!(
            params
                .timestamp
                .is_some_and(|t| t.as_secs().abs_diff(now) < 5)
        );
        let second = authorization_header("GET", &url, None, &client, None).unwrap();
        assert_ne!(first, second, "a new nonce each call");
    }

    #[cfg(feature = "client")]
    fn signed_reqwest(request: &mut reqwest::Request) -> (ClientCredentials, AccessToken) {
        let (client, token) = credentials();
        sign_reqwest(request, &client, Some(&token)).unwrap();
        (client, token)
    }

    #[cfg(feature = "client")]
    fn verify_reqwest(request: &reqwest::Request, client: &ClientCredentials, token: &AccessToken) {
        let header = |name| request.headers().get(name).and_then(|v| v.to_str().ok());
        let authorization = header(reqwest::header::AUTHORIZATION).expect("signed");
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let body = request
            .body()
            .and_then(|b| b.as_bytes())
            .unwrap_or_default();
        let params = received(
            request.method().as_str(),
            request.url(),
            authorization,
            content_type,
            body,
        );
        params
            .verify_signature(&client.secret, Some(&token.secret))
            .unwrap();
    }

    #[cfg(feature = "client")]
    #[test]
    fn a_reqwest_request_signed_in_place_verifies() {
        use reqwest::header::{CONTENT_TYPE, HeaderValue};
        let url = Url::parse("https://api.example.com/1.1/statuses/update.json?x=1").unwrap();
        let mut form = reqwest::Request::new(reqwest::Method::POST, url.clone());
        let form_type = HeaderValue::from_static("application/x-www-form-urlencoded");
        form.headers_mut().insert(CONTENT_TYPE, form_type);
        *form.body_mut() = Some("status=Hello%20Ladies%20%2B%20Gentlemen".into());
        let (client, token) = signed_reqwest(&mut form);
        verify_reqwest(&form, &client, &token);

        // Another body: covered by oauth_body_hash, which the server checks too.
        let mut json = reqwest::Request::new(reqwest::Method::POST, url);
        json.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        *json.body_mut() = Some(r#"{"text":"hi"}"#.into());
        let (client, token) = signed_reqwest(&mut json);
        let authorization = json.headers().get(reqwest::header::AUTHORIZATION).unwrap();
        assert!(authorization.to_str().unwrap().contains("oauth_body_hash="));
        verify_reqwest(&json, &client, &token);
    }
}
