//! A remote's API calls for a user: signed with OAuth 1 token credentials (RFC 5849 §3)
//! or sent with an OAuth 2 bearer token (RFC 6750 §2.1).

use reqwest::header::{AUTHORIZATION, HeaderValue};

use super::{Remote, UserKey};
use crate::error::{Error, RemoteError};
use crate::tokens::{RemoteToken, TokenKind, TokenRef};

impl Remote {
    /// A `GET` of an API path for `user`, whose token comes from the token store
    /// (refreshed first if need be).
    pub async fn get(&self, path: &str, user: &UserKey) -> Result<reqwest::Response, Error> {
        let token: RemoteToken = self.fetch_token(user).await?;
        self.get_with(path, &token).await
    }

    /// A `GET` of an API path with `token`, already fetched with [`Remote::token`] or
    /// [`Remote::fetch_token`].
    pub async fn get_with<K: TokenKind>(
        &self,
        path: &str,
        token: &K,
    ) -> Result<reqwest::Response, Error> {
        let request = self.client.http().get(self.url(path)?).build()?;
        self.send(request, token).await
    }

    /// A form `POST` of an API path for `user`.
    pub async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        user: &UserKey,
    ) -> Result<reqwest::Response, Error> {
        let token: RemoteToken = self.fetch_token(user).await?;
        let request = self
            .client
            .http()
            .post(self.url(path)?)
            .form(form)
            .build()?;
        self.send(request, &token).await
    }

    /// Applies the compliance hook, then signs with OAuth 1 token credentials or adds
    /// `Authorization: Bearer` for an OAuth 2 token (RFC 6750 §2.1), and sends. A token
    /// passed here is used as it is; [`fetch_token`](Self::fetch_token) refreshes.
    #[tracing::instrument(
        name = "remote.api_call",
        skip_all,
        fields(remote = %self.name, method = %request.method(), host = request.url().host_str())
    )]
    pub async fn send<K: TokenKind>(
        &self,
        mut request: reqwest::Request,
        token: &K,
    ) -> Result<reqwest::Response, Error> {
        if let Some(hook) = &self.compliance {
            hook(&mut request);
        }
        match token.token_ref() {
            TokenRef::OAuth1(token) => self.client.send(request, Some(token)).await,
            TokenRef::OAuth2(token) => {
                if !token.is_bearer() {
                    return Err(Error::UnsupportedTokenType(token.token_type.clone()));
                }
                let mut value =
                    HeaderValue::from_str(&format!("Bearer {}", token.access_token.secret()))
                        .map_err(|_| Error::HeaderNotAscii)?;
                value.set_sensitive(true);
                request.headers_mut().insert(AUTHORIZATION, value);
                let response = self.client.http().execute(request).await?;
                let status = response.status();
                if status.is_success() {
                    Ok(response)
                } else {
                    let body = response.text().await.unwrap_or_default();
                    Err(RemoteError::new(status.as_u16(), body).into())
                }
            }
        }
    }
}
