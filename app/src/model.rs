//! What the pages show, shared by the server (which fills it) and the browser (which
//! hydrates with it). No secrets in here: these values travel to the browser.

use serde::{Deserialize, Serialize};

/// A remote the site can sign in with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteInfo {
    /// The registry name, used in URLs: `/login/chirp`.
    pub name: String,
    /// The service's display name: "Chirp".
    pub brand: String,
}

/// A remote account linked to the signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedAccount {
    pub remote: String,
    pub brand: String,
    pub screen_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub display_name: String,
    pub accounts: Vec<LinkedAccount>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeData {
    pub remotes: Vec<RemoteInfo>,
    pub me: Option<Me>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tweet {
    pub id: String,
    pub text: String,
    pub screen_name: String,
    pub created_at: String,
}

/// `/profile/{name}`: the remote profile and timeline, or why they could not be shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProfileData {
    /// Nobody is signed in, or the user has no account on this remote.
    NotLinked { remote: RemoteInfo },
    Shown {
        remote: RemoteInfo,
        screen_name: String,
        name: String,
        timeline: Vec<Tweet>,
    },
    /// The remote refused or could not be reached: say so, offer to sign in again.
    Problem { remote: RemoteInfo, message: String },
}

/// One request of a sign-in, as the teaching page shows it (secrets removed): the fields
/// of `oauth1::Exchange` plus the step's kind, in the site's own type because saved
/// flows are stored in this shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowStep {
    pub kind: StepKind,
    pub method: String,
    pub url: String,
    pub base_string: String,
    pub authorization: String,
    pub status: u16,
    pub response: String,
    /// An OAuth 2.0 token request's form body, secrets redacted (empty otherwise).
    #[serde(default)]
    pub body: String,
}

/// Which leg of the flow a step is (RFC 5849 §2, then §3; or RFC 6749 §4.1 and RFC 6750
/// for an OAuth 2.0 sign-in). Stored by name in saved flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    RequestToken,
    Authorize,
    Callback,
    AccessToken,
    ApiCall,
    /// OAuth 2.0: to the authorize endpoint with `state` and the PKCE challenge.
    CodeAuthorize,
    /// OAuth 2.0: back with the code and `state`.
    CodeCallback,
    /// OAuth 2.0: an API call with the Bearer token.
    BearerCall,
    /// OAuth 2.0: the code and the PKCE verifier exchanged for tokens.
    CodeToken,
    /// OAuth 2.0: an expired access token renewed with the refresh token.
    Refresh,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::RequestToken => "request_token",
            StepKind::Authorize => "authorize",
            StepKind::Callback => "callback",
            StepKind::AccessToken => "access_token",
            StepKind::ApiCall => "api_call",
            StepKind::CodeAuthorize => "code_authorize",
            StepKind::CodeCallback => "code_callback",
            StepKind::BearerCall => "bearer_call",
            StepKind::CodeToken => "code_token",
            StepKind::Refresh => "refresh",
        }
    }
}

impl FlowStep {
    /// A step the browser takes (a redirect, the callback): no signature of its own.
    pub fn browser(kind: StepKind, method: &str, url: String, status: u16) -> Self {
        Self {
            kind,
            method: method.to_owned(),
            url,
            base_string: String::new(),
            authorization: String::new(),
            status,
            response: String::new(),
            body: String::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub brand: String,
    pub recorded_at: String,
    pub steps: Vec<FlowStep>,
}
