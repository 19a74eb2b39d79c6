//! oauth2-rs's [`AsyncHttpClient`] over the registry's own reqwest client, so OAuth 2
//! token requests share its connection pool, timeouts and redirect policy with
//! everything else (and no second reqwest enters the build).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};

use crate::observe::{Exchange, Observer, Step};

/// Adjusts the JSON of an access-token response (RFC 6749 §5.1) before it is read, for a
/// service whose answer is not quite standard (an `expires_in` sent as a string, a
/// missing `token_type`, ...).
pub type TokenResponseCompliance = Arc<dyn Fn(&mut serde_json::Value) + Send + Sync>;

/// A reqwest error without its URL (a token request's URL is harmless, but an error's
/// text ends up in logs and the registry keeps one rule for all of them).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct HttpError(#[from] pub(crate) reqwest::Error);

/// `http::Request<Vec<u8>>` in, `http::Response<Vec<u8>>` out, through `http`.
pub(crate) struct ReqwestAdapter<'a> {
    pub http: &'a reqwest::Client,
    /// Applied to a JSON response body before oauth2-rs parses it.
    pub compliance: Option<&'a TokenResponseCompliance>,
    /// Told of each request, secrets redacted ([`Exchange::token_request`]).
    pub observe: Option<Observed<'a>>,
}

/// Who to tell of a token request, as what.
#[derive(Clone, Copy)]
pub(crate) struct Observed<'a> {
    pub observer: &'a dyn Observer,
    pub remote: &'a str,
    pub step: Step,
}

impl<'c> AsyncHttpClient<'c> for ReqwestAdapter<'_> {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let seen = self.observe.map(|o| {
                let basic = request.headers().get(http::header::AUTHORIZATION).is_some();
                (o, request.uri().to_string(), basic, request.body().clone())
            });
            let request = reqwest::Request::try_from(request).map_err(|e| e.without_url())?;
            let response = self
                .http
                .execute(request)
                .await
                .map_err(|e| e.without_url())?;
            let status = response.status();
            let mut headers = response.headers().clone();
            let mut body = response
                .bytes()
                .await
                .map_err(|e| e.without_url())?
                .to_vec();
            if let Some(hook) = self.compliance
                && let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(&body)
            {
                hook(&mut json);
                body = serde_json::to_vec(&json).unwrap_or(body);
                headers.remove(http::header::CONTENT_LENGTH);
            }
            if let Some((o, url, basic, sent)) = seen {
                o.observer.exchange(Exchange::token_request(
                    o.remote,
                    o.step,
                    &url,
                    basic,
                    &sent,
                    status.as_u16(),
                    &body,
                ));
            }
            let mut out = http::Response::new(body);
            *out.status_mut() = status;
            *out.headers_mut() = headers;
            Ok(out)
        })
    }
}
