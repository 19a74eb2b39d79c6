//! Resource owner authorization (RFC 5849 §2.2): the pending request shown on a consent
//! page, then the owner's answer. The application authenticates the person and shows
//! the page; the library binds the answer to them once and says where it goes.

use super::Server;
use super::error::ServerError;
use super::response::random;
use super::store::Data;
use super::store::{Approval, ClientRecord, TemporaryCredentials};
use crate::types::Verifier;

/// A request awaiting the owner's answer, with the client that asks.
#[derive(Clone, Debug)]
pub struct PendingRequest<C, U, G = ()> {
    pub temporary: TemporaryCredentials<U, G>,
    pub client: ClientRecord<C>,
}

/// Where the answer goes. Its `Debug` shows neither the verifier nor the URL holding it.
pub enum Authorized {
    /// A redirect to the stored callback, with `oauth_token` and `oauth_verifier` (or,
    /// after a denial, Twitter's `denied`) added to the callback's own query.
    Redirect(url::Url),
    /// `oob`: the person types this verifier into the client by hand (§2.2). `None`
    /// after a denial.
    Oob(Option<Verifier>),
}

impl std::fmt::Debug for Authorized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Redirect(url) => write!(
                f,
                "Redirect({}://{}/…)",
                url.scheme(),
                url.host_str().unwrap_or("")
            ),
            Self::Oob(Some(_)) => f.write_str("Oob([redacted])"),
            Self::Oob(None) => f.write_str("Oob(denied)"),
        }
    }
}

impl<C, U, G> Server<C, U, G>
where
    C: Data,
    U: Data,
    G: Data,
{
    /// The unexpired, unanswered request of `oauth_token`, for a consent page.
    pub async fn pending(&self, oauth_token: &str) -> Result<PendingRequest<C, U, G>, ServerError> {
        let temporary = self
            .temporaries
            .get(oauth_token)
            .await?
            .filter(|t| t.approval.is_none() && t.expires_at >= self.config.now())
            .ok_or(ServerError::RequestExpired)?;
        let client = self
            .clients
            .client(temporary.consumer_key.as_str())
            .await?
            .ok_or(ServerError::RequestExpired)?;
        Ok(PendingRequest { temporary, client })
    }

    /// The owner `user` approves: a verifier bound to them and to the token, once.
    pub async fn approve(&self, oauth_token: &str, user: U) -> Result<Authorized, ServerError> {
        let PendingRequest { temporary, .. } = self.pending(oauth_token).await?;
        let approval = Approval {
            user,
            verifier: Verifier::new(random(super::credentials::CREDENTIAL_LEN)),
        };
        if !self.temporaries.approve(oauth_token, &approval).await? {
            return Err(ServerError::RequestExpired);
        }
        if temporary.callback == "oob" {
            return Ok(Authorized::Oob(Some(approval.verifier)));
        }
        redirect(
            &temporary.callback,
            &[
                ("oauth_token", oauth_token),
                ("oauth_verifier", approval.verifier.secret()),
            ],
        )
    }

    /// The owner denies: the temporary credentials are void, and the client hears
    /// `denied=<token>` (Twitter's convention; RFC 5849 leaves the refusal to the
    /// server).
    pub async fn deny(&self, oauth_token: &str) -> Result<Authorized, ServerError> {
        let PendingRequest { temporary, .. } = self.pending(oauth_token).await?;
        self.temporaries.void(oauth_token).await?;
        if temporary.callback == "oob" {
            return Ok(Authorized::Oob(None));
        }
        redirect(&temporary.callback, &[("denied", oauth_token)])
    }
}

/// §2.2: the parameters join the callback's own query, which is kept.
fn redirect(callback: &str, params: &[(&str, &str)]) -> Result<Authorized, ServerError> {
    let mut url = url::Url::parse(callback).map_err(|_| ServerError::RequestExpired)?;
    url.query_pairs_mut().extend_pairs(params);
    Ok(Authorized::Redirect(url))
}
