//! The server for axum (feature `axum`): [`Signed`], an extractor for protected routes
//! that works from any application state holding an `Arc<Server>` (`FromRef`) and keeps
//! the body for the handler, and ready handlers for the request-token and access-token
//! endpoints: form-encoded, `Cache-Control: no-store`, `WWW-Authenticate` on 401.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request, State};
use axum::response::{IntoResponse, Response};

use super::{Data, Protected, Server, ServerError, ServerRequest};

/// A request signed with token credentials, verified (RFC 5849 §3). Its body was read
/// to check the signature and is kept in [`Self::body`]; form parameters are in
/// [`Protected::params`] as well.
pub struct Signed<C, U, G = ()> {
    pub protected: Protected<C, U, G>,
    pub body: Bytes,
}

impl<C, U, G> std::ops::Deref for Signed<C, U, G> {
    type Target = Protected<C, U, G>;
    fn deref(&self) -> &Self::Target {
        &self.protected
    }
}

/// A refusal as axum sends it: [`ServerError::response`] with the server's realm.
pub struct Refused {
    error: ServerError,
    realm: String,
}

impl Refused {
    pub fn error(&self) -> &ServerError {
        &self.error
    }
}

/// A storage failure's cause stays out of the response; a route that wants it logged
/// takes `Result<Signed<C, U>, Refused>` and logs [`Refused::error`].
impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let (parts, body) = self.error.response(&self.realm).into_parts();
        Response::from_parts(parts, axum::body::Body::from(body))
    }
}

/// The request as the server reads it, with the path the client addressed: a router
/// nested under a prefix sees the rest of the path in its URI, and the whole of it in
/// `OriginalUri`.
fn from_parts<'a>(parts: &'a http::request::Parts, body: &'a [u8]) -> ServerRequest<'a> {
    let mut request = ServerRequest::from_parts(parts, body);
    if let Some(original) = parts.extensions.get::<axum::extract::OriginalUri>()
        && let Some(path) = original.0.path_and_query()
    {
        request.path_and_query = path.as_str();
    }
    request
}

/// Reads the whole body (at most the server's `max_body`) and the head.
async fn read<C, U, G>(
    server: &Server<C, U, G>,
    request: Request,
) -> Result<(http::request::Parts, Bytes), Refused>
where
    C: Data,
    U: Data,
    G: Data,
{
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, server.config().max_body)
        .await
        .map_err(|_| Refused {
            error: ServerError::BadRequest(crate::verify::VerifyError::InvalidParameter {
                name: "body",
                reason: "larger than this server accepts",
            }),
            realm: server.config().realm(),
        })?;
    Ok((parts, body))
}

impl<S, C, U, G> FromRequest<S> for Signed<C, U, G>
where
    Arc<Server<C, U, G>>: FromRef<S>,
    S: Send + Sync,
    C: Data,
    U: Data,
    G: Data,
{
    type Rejection = Refused;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let server = Arc::<Server<C, U, G>>::from_ref(state);
        let (parts, body) = read(&server, request).await?;
        let protected = server
            .protect(&from_parts(&parts, &body))
            .await
            .map_err(|error| Refused {
                error,
                realm: server.config().realm(),
            })?;
        Ok(Signed { protected, body })
    }
}

fn answer<C, U, G>(
    server: &Server<C, U, G>,
    result: Result<http::Response<String>, ServerError>,
) -> Response {
    match result {
        Ok(response) => {
            let (parts, body) = response.into_parts();
            Response::from_parts(parts, axum::body::Body::from(body))
        }
        Err(error) => Refused {
            error,
            realm: server.config.realm(),
        }
        .into_response(),
    }
}

/// `POST /oauth/request_token` (§2.1), ready to route:
/// `.route("/oauth/request_token", post(request_token::<C, U>))`.
pub async fn request_token<C, U, G>(
    State(server): State<Arc<Server<C, U, G>>>,
    request: Request,
) -> Response
where
    C: Data,
    U: Data,
    G: Data + Default,
{
    let (parts, body) = match read(&server, request).await {
        Ok(read) => read,
        Err(refused) => return refused.into_response(),
    };
    let result = server
        .temporary_credentials(&from_parts(&parts, &body))
        .await;
    answer(&server, result)
}

/// `POST /oauth/access_token` (§2.3), ready to route.
pub async fn access_token<C, U, G>(
    State(server): State<Arc<Server<C, U, G>>>,
    request: Request,
) -> Response
where
    C: Data,
    U: Data,
    G: Data,
{
    let (parts, body) = match read(&server, request).await {
        Ok(read) => read,
        Err(refused) => return refused.into_response(),
    };
    let result = server.token_credentials(&from_parts(&parts, &body)).await;
    answer(&server, result)
}
