//! The HTTP client: the three legs of RFC 5849 §2 over HTTP (reqwest), and signing of
//! any later request with the token credentials (§3). The equivalent of Authlib's
//! `OAuth1Session` and `OAuth1Auth`.

use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use url::Url;

use crate::encode::decode_form;
use crate::error::{Error, RemoteError};
use crate::observe::{Exchange, Observer, Step};
use crate::sign::{Body, Placement, Request, Signer};
use crate::signature::{HmacSha1, SignatureMethod};
use crate::types::{
    AccessToken, ClientCredentials, Nonce, RequestToken, Timestamp, TokenCredentials, Verifier,
};

/// One client (consumer key and secret) talking to one service.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    client: ClientCredentials,
    method: &'static dyn SignatureMethod,
    placement: Placement,
    realm: Option<String>,
    observer: Option<Arc<dyn Observer>>,
    name: Arc<str>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("name", &self.name)
            .field("client", &self.client)
            .field("method", &self.method.name())
            .field("placement", &self.placement)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// HMAC-SHA1 in the `Authorization` header, sent with `http`.
    pub fn new(http: reqwest::Client, client: ClientCredentials) -> Self {
        Self {
            http,
            client,
            method: &HmacSha1,
            placement: Placement::Header,
            realm: None,
            observer: None,
            name: Arc::from(""),
        }
    }

    pub fn signature_method(mut self, method: &'static dyn SignatureMethod) -> Self {
        self.method = method;
        self
    }

    pub fn placement(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }

    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = Some(realm.into());
        self
    }

    /// The name given to [`Exchange::remote`] (the registry sets the remote's name).
    pub fn named(mut self, name: &str) -> Self {
        self.name = Arc::from(name);
        self
    }

    /// Called after every request this client sends, with secrets already removed.
    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The observer, for the OAuth 2 token requests the registry sends past the signer.
    pub(crate) fn observer_ref(&self) -> Option<&dyn Observer> {
        self.observer.as_deref()
    }

    pub fn credentials(&self) -> &ClientCredentials {
        &self.client
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn signer<'a>(&'a self, token: Option<&'a dyn TokenCredentials>) -> Signer<'a> {
        let mut signer = Signer::new(&self.client)
            .method(self.method)
            .placement(self.placement);
        if let Some(token) = token {
            signer = signer.token(token);
        }
        if let Some(realm) = &self.realm {
            signer = signer.realm(realm);
        }
        signer
    }

    /// Leg 1 (§2.1): temporary credentials for `callback` (an absolute URL, or `oob`).
    /// `url` may carry extra parameters such as `x_auth_access_type=write` in its query.
    /// Refuses a response without `oauth_callback_confirmed=true`.
    #[tracing::instrument(
        name = "oauth1.request_token",
        skip_all,
        fields(remote = %self.name, host = url.host_str())
    )]
    pub async fn request_token(&self, url: &Url, callback: &str) -> Result<RequestToken, Error> {
        let signer = self.signer(None).callback(callback);
        let fields = self
            .post_for_credentials(Step::RequestToken, url, signer)
            .await?;
        if field(&fields, "oauth_callback_confirmed") != Some("true") {
            return Err(Error::CallbackNotConfirmed);
        }
        let (token, secret) = credentials(&fields)?;
        Ok(RequestToken::new(token, secret))
    }

    /// Leg 2 (§2.2): where to send the resource owner. Keeps the query `authorize_url`
    /// already has and adds `extra` (such as `force_login=true`).
    pub fn authorization_url(
        authorize_url: &Url,
        token: &RequestToken,
        extra: &[(String, String)],
    ) -> Url {
        let mut url = authorize_url.clone();
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("oauth_token", token.token.as_str());
            for (k, v) in extra {
                query.append_pair(k, v);
            }
        }
        url
    }

    /// Leg 3 (§2.3): exchanges the request token and verifier for token credentials,
    /// keeping the other response fields (Twitter's `user_id` and `screen_name`).
    #[tracing::instrument(
        name = "oauth1.access_token",
        skip_all,
        fields(remote = %self.name, host = url.host_str())
    )]
    pub async fn access_token(
        &self,
        url: &Url,
        request_token: &RequestToken,
        verifier: &Verifier,
    ) -> Result<AccessToken, Error> {
        let signer = self.signer(Some(request_token)).verifier(verifier.secret());
        let fields = self
            .post_for_credentials(Step::AccessToken, url, signer)
            .await?;
        let (token, secret) = credentials(&fields)?;
        let mut access = AccessToken::new(token, secret);
        access.extra = fields
            .into_iter()
            .filter(|(k, _)| k != "oauth_token" && k != "oauth_token_secret")
            .collect();
        Ok(access)
    }

    async fn post_for_credentials(
        &self,
        step: Step,
        url: &Url,
        signer: Signer<'_>,
    ) -> Result<Vec<(String, String)>, Error> {
        let signed = signer.sign(
            &Request {
                method: "POST",
                url,
                body: Body::Empty,
            },
            &Nonce::generate(),
            Timestamp::now(),
        )?;
        let mut request = self.http.post(signed.url.as_str());
        if let Some(auth) = &signed.authorization {
            request = request.header(AUTHORIZATION, auth);
        }
        if let Some(body) = &signed.body {
            request = request
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.clone());
        }
        let response = request.send().await?;
        let status = response.status();
        let body = response.text().await?;
        if let Some(observer) = &self.observer {
            observer.exchange(Exchange::new(
                &self.name,
                step,
                "POST",
                &signed,
                status.as_u16(),
                &body,
            ));
        }
        if !status.is_success() {
            return Err(RemoteError::new(status.as_u16(), body).into());
        }
        Ok(decode_form(body.trim()))
    }

    /// Signs a plain `reqwest::Request` in place, like Authlib's `OAuth1Auth`: form
    /// bodies are signed parameter by parameter, other bodies get `oauth_body_hash`.
    pub fn sign(
        &self,
        request: &mut reqwest::Request,
        token: Option<&dyn TokenCredentials>,
    ) -> Result<(), Error> {
        self.sign_in_place(request, token).map(drop)
    }

    fn sign_in_place(
        &self,
        request: &mut reqwest::Request,
        token: Option<&dyn TokenCredentials>,
    ) -> Result<crate::sign::SignedRequest, Error> {
        crate::sign_now::sign_reqwest_with(&self.signer(token), request)
    }

    /// Signs and sends `request`; a non-2xx answer becomes [`Error::Remote`].
    #[tracing::instrument(
        name = "oauth1.signed_call",
        skip_all,
        fields(remote = %self.name, method = %request.method(), host = request.url().host_str())
    )]
    pub async fn send(
        &self,
        mut request: reqwest::Request,
        token: Option<&dyn TokenCredentials>,
    ) -> Result<reqwest::Response, Error> {
        let signed = self.sign_in_place(&mut request, token)?;
        let method = request.method().as_str().to_owned();
        let response = self.http.execute(request).await?;
        let status = response.status();
        if let Some(observer) = &self.observer {
            observer.exchange(Exchange::new(
                &self.name,
                Step::ApiCall,
                &method,
                &signed,
                status.as_u16(),
                "",
            ));
        }
        if status.is_success() {
            Ok(response)
        } else {
            let body = response.text().await.unwrap_or_default();
            Err(RemoteError::new(status.as_u16(), body).into())
        }
    }
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn credentials(fields: &[(String, String)]) -> Result<(String, String), Error> {
    let token = field(fields, "oauth_token").ok_or(Error::MissingField("oauth_token"))?;
    let secret =
        field(fields, "oauth_token_secret").ok_or(Error::MissingField("oauth_token_secret"))?;
    Ok((token.to_owned(), secret.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorization_url_keeps_its_query() {
        let base = Url::parse("https://api.example.com/oauth/authenticate?lang=en").unwrap();
        let url = Client::authorization_url(
            &base,
            &RequestToken::new("a b", "s"),
            &[("force_login".into(), "true".into())],
        );
        assert_eq!(
            url.as_str(),
            "https://api.example.com/oauth/authenticate?lang=en&oauth_token=a+b&force_login=true"
        );
    }
}
