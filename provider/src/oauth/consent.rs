//! The consent page both flows share: OAuth 1.0a's (RFC 5849 §2.2) and OAuth 2.0's
//! (RFC 6749 §4.1.1). It names the app, its owner and where the answer goes, lists what
//! the app will be able to do, and posts the answer back with the fields of the request.

use askama::Template;

use crate::users::User;
use crate::web::chrome::Chrome;

/// One line of "This application will be able to:".
pub struct Ability {
    pub words: &'static str,
    /// The OAuth 2.0 scope that grants it, shown next to the words.
    pub scope: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "consent.html")]
pub struct ConsentPage {
    pub chrome: Chrome,
    /// Chosen by the app's owner, so it proves nothing: the page also names the owner
    /// and where the answer goes.
    pub app_name: String,
    pub app_owner: String,
    /// The callback's host (and port, if not the default); `None` for `oob`.
    pub callback_host: Option<String>,
    pub abilities: Vec<Ability>,
    /// Where the form posts, and the hidden fields that say which request it answers.
    pub action: &'static str,
    pub fields: Vec<(&'static str, String)>,
    pub user: User,
}

/// `host[:port]` of a callback or redirect URL, as the browser will show it after the
/// redirect.
pub fn callback_host(callback: &str) -> Option<String> {
    let url = url::Url::parse(callback).ok()?;
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}
