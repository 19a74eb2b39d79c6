//! The OAuth 2 authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636) and refresh
//! (RFC 6749 §6), over oauth2-rs with the registry's reqwest client plugged in
//! ([`http_client`](crate::http_client)); and revocation (RFC 7009) on that client.
//!
//! oauth2-rs builds the requests and reads the answers; this file only picks its options
//! from the remote's settings and turns its token response into an [`OAuth2Token`],
//! keeping the response's extra fields (a catch-all `ExtraTokenFields`, so nothing a
//! service sends is lost). The revocation request is built here, by hand.

use std::borrow::Cow;

use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use url::Url;

use crate::bearer::OAuth2Token;
use crate::error::{Error, RemoteError};
use crate::http_client::{HttpError, Observed, ReqwestAdapter, TokenResponseCompliance};
use crate::settings::{OAuth2Settings, TokenEndpointAuth};
use crate::types::{BearerToken, RefreshToken, Timestamp};

/// Every field of the token response that RFC 6749 §5.1 does not name.
#[derive(Clone, serde::Deserialize, serde::Serialize)]
struct Extra {
    #[serde(flatten)]
    fields: serde_json::Map<String, serde_json::Value>,
}

impl std::fmt::Debug for Extra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.fields.keys()).finish()
    }
}

impl oauth2::ExtraTokenFields for Extra {}

type Response = StandardTokenResponse<Extra, BasicTokenType>;

type CodeClient = oauth2::Client<
    BasicErrorResponse,
    Response,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What [`authorization_url`] made: the URL and the two values to keep for the callback.
pub(crate) struct Authorization {
    pub url: Url,
    pub state: String,
    pub verifier: String,
}

fn client(settings: &OAuth2Settings, token_url: &Url) -> CodeClient {
    let mut client = oauth2::Client::new(ClientId::new(settings.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(settings.common.authorize_url.clone()))
        .set_token_uri(TokenUrl::from_url(token_url.clone()))
        .set_auth_type(match settings.auth {
            TokenEndpointAuth::ClientSecretPost => AuthType::RequestBody,
            // Without a secret oauth2-rs sends `client_id` in the body (§2.3.1, §3.2.1).
            TokenEndpointAuth::ClientSecretBasic | TokenEndpointAuth::None => AuthType::BasicAuth,
        });
    if let Some(secret) = &settings.client_secret {
        client = client.set_client_secret(secret.clone());
    }
    client
}

/// The authorization request (RFC 6749 §4.1.1) with a fresh `state` (§10.12) and a
/// fresh S256 code challenge (RFC 7636 §4.1–§4.3: 32 random bytes, base64url).
pub(crate) fn authorization_url(
    settings: &OAuth2Settings,
    redirect_uri: &Url,
    extra: &[(String, String)],
) -> Authorization {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let token_url = settings.access_token_url.clone();
    let client = client(settings, &token_url);
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .set_redirect_uri(Cow::Owned(RedirectUrl::from_url(redirect_uri.clone())))
        .set_pkce_challenge(challenge)
        .add_scopes(settings.scope.iter().cloned().map(Scope::new));
    for (k, v) in settings.common.authorize_params.iter().chain(extra) {
        request = request.add_extra_param(k.clone(), v.clone());
    }
    let (url, state) = request.url();
    Authorization {
        url,
        state: state.into_secret(),
        verifier: verifier.into_secret(),
    }
}

/// The token request (RFC 6749 §4.1.3) with the code verifier (RFC 7636 §4.5).
#[tracing::instrument(
    name = "oauth2.exchange_code",
    skip_all,
    fields(host = settings.access_token_url.host_str())
)]
pub(crate) async fn exchange_code(
    http: &reqwest::Client,
    settings: &OAuth2Settings,
    compliance: Option<&TokenResponseCompliance>,
    observe: Option<Observed<'_>>,
    code: &str,
    verifier: &str,
    redirect_uri: &Url,
) -> Result<OAuth2Token, Error> {
    let client = client(settings, &settings.access_token_url);
    let mut request = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .set_redirect_uri(Cow::Owned(RedirectUrl::from_url(redirect_uri.clone())));
    for (k, v) in &settings.access_token_params {
        request = request.add_extra_param(k.clone(), v.clone());
    }
    let adapter = ReqwestAdapter {
        http,
        compliance,
        observe,
    };
    let response = request.request_async(&adapter).await.map_err(error)?;
    Ok(token(response))
}

/// A refresh (RFC 6749 §6) at the refresh URL. A refused refresh token (`invalid_grant`,
/// §5.2) is [`Error::ReauthorizationNeeded`].
#[tracing::instrument(
    name = "oauth2.refresh",
    skip_all,
    fields(remote = %remote, host = settings.refresh_token_url.host_str())
)]
pub(crate) async fn refresh(
    http: &reqwest::Client,
    settings: &OAuth2Settings,
    compliance: Option<&TokenResponseCompliance>,
    observe: Option<Observed<'_>>,
    remote: &str,
    refresh_token: &RefreshToken,
) -> Result<OAuth2Token, Error> {
    let client = client(settings, &settings.refresh_token_url);
    let secret = oauth2::RefreshToken::new(refresh_token.secret().to_owned());
    let mut request = client.exchange_refresh_token(&secret);
    for (k, v) in &settings.refresh_token_params {
        request = request.add_extra_param(k.clone(), v.clone());
    }
    let adapter = ReqwestAdapter {
        http,
        compliance,
        observe,
    };
    match request.request_async(&adapter).await {
        Ok(response) => Ok(token(response)),
        Err(RequestTokenError::ServerResponse(e))
            if *e.error() == BasicErrorResponseType::InvalidGrant =>
        {
            Err(Error::ReauthorizationNeeded {
                remote: remote.to_owned(),
                reason: "the service refused the refresh token (invalid_grant)".into(),
            })
        }
        Err(e) => Err(error(e)),
    }
}

/// Token revocation (RFC 7009 §2.1): `token` with its `token_type_hint`, POSTed to
/// `revoke_url` with the client authentication the token endpoint uses (RFC 6749 §2.3.1:
/// HTTP Basic with the form-encoded id and secret, or both in the body, or a public
/// client's `client_id` alone). §2.2: a revoked token and one the service does not know
/// (already revoked, expired) both answer 200; any 2xx is taken as done. An error answer
/// is [`Error::OAuth2`] when it is §2.2.1 JSON, [`Error::Remote`] otherwise; neither
/// carries the token or the client secret.
#[tracing::instrument(
    name = "oauth2.revoke",
    skip_all,
    fields(host = revoke_url.host_str(), token_type_hint = %token_type_hint)
)]
pub(crate) async fn revoke(
    http: &reqwest::Client,
    settings: &OAuth2Settings,
    revoke_url: &Url,
    token: &str,
    token_type_hint: &str,
) -> Result<(), Error> {
    use base64::Engine as _;
    use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};

    let secret = settings.client_secret.as_ref().map(|s| s.secret().as_str());
    let mut form = vec![("token", token), ("token_type_hint", token_type_hint)];
    let mut basic = None;
    match (settings.auth, secret) {
        (TokenEndpointAuth::ClientSecretBasic, Some(secret)) => {
            let encode =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let pair = format!("{}:{}", encode(&settings.client_id), encode(secret));
            basic = Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            ));
        }
        (TokenEndpointAuth::ClientSecretPost, Some(secret)) => {
            form.extend([
                ("client_id", settings.client_id.as_str()),
                ("client_secret", secret),
            ]);
        }
        // A public client (§2.1) identifies itself, as at the token endpoint (§3.2.1).
        _ => form.push(("client_id", &settings.client_id)),
    }
    // By hand, not oauth2-rs's `revoke_token`: that refuses any non-https URL, and the
    // demo providers serve plain http on loopback.
    let mut request = http
        .post(revoke_url.clone())
        .header(ACCEPT, "application/json")
        .form(&form);
    if let Some(basic) = basic {
        let mut value = HeaderValue::from_str(&basic).map_err(|_| Error::HeaderNotAscii)?;
        value.set_sensitive(true);
        request = request.header(AUTHORIZATION, value);
    }
    let response = request.send().await?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let mut body = response.text().await.unwrap_or_default();
    // A service that echoes what it was sent must not put a credential in an error.
    for sent in [Some(token), secret].into_iter().flatten() {
        if !sent.is_empty() {
            body = body.replace(sent, "[redacted]");
        }
    }
    let json = serde_json::from_str::<serde_json::Value>(&body).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|j| j.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    match field("error") {
        Some(error) => Err(Error::OAuth2 {
            error,
            description: field("error_description"),
        }),
        None => Err(RemoteError::new(status.as_u16(), body).into()),
    }
}

fn token(response: Response) -> OAuth2Token {
    let token_type = match response.token_type() {
        BasicTokenType::Bearer => "Bearer".to_owned(),
        other => other.as_ref().to_owned(),
    };
    OAuth2Token {
        access_token: BearerToken::new(response.access_token().secret().clone()),
        token_type,
        refresh_token: response
            .refresh_token()
            .map(|r| RefreshToken::new(r.secret().clone())),
        expires_at: response
            .expires_in()
            .map(|d| Timestamp::now().as_secs().saturating_add(d.as_secs())),
        scope: response
            .scopes()
            .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")),
        extra: response.extra_fields().fields.clone(),
    }
}

/// oauth2-rs's error, with nothing of the response body in it (a malformed success
/// response holds the tokens).
fn error(e: RequestTokenError<HttpError, BasicErrorResponse>) -> Error {
    match e {
        RequestTokenError::ServerResponse(e) => Error::OAuth2 {
            error: e.error().as_ref().to_owned(),
            description: e.error_description().cloned(),
        },
        RequestTokenError::Request(e) => Error::Http(e.0),
        RequestTokenError::Parse(e, _body) => {
            Error::BadTokenResponse(format!("{} at {}", classify(e.inner()), e.path()))
        }
        RequestTokenError::Other(reason) => Error::BadTokenResponse(reason),
    }
}

/// serde_json's message may quote a value; only its category goes out.
fn classify(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "not JSON",
        serde_json::error::Category::Data => "a missing or mistyped field",
    }
}
