//! Interoperability with an independent OAuth 2 server: Authlib's `AuthorizationServer`
//! (from PyPI, in the venv `.ci/python-venv` makes) with the authorization code grant,
//! PKCE S256 required and rotated refresh tokens (`tests/authlib_server.py`). The
//! registry signs in, calls the API with its bearer token, and refreshes.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use oauth1::{
    Error, OAuth2Token, Registry, RemoteConfig, RemoteToken, Timestamp, TokenStore, UserKey,
    presets,
};
use url::Url;

const CLIENT_ID: &str = "authlib-client";
const CLIENT_SECRET: &str = "authlib-secret";
const REDIRECT: &str = "http://127.0.0.1:3000/authorize/py";

/// The Python server, killed when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the Authlib server on a free port and returns its base URL.
fn spawn_authlib() -> (Server, String) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let venv = Command::new("bash")
        .arg(format!("{root}/.ci/python-venv"))
        .output()
        .unwrap();
    assert!(
        venv.status.success(),
        "{}",
        String::from_utf8_lossy(&venv.stderr)
    );
    let python = String::from_utf8(venv.stdout).unwrap().trim().to_owned();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/authlib_server.py");
    let mut child = Command::new(python)
        .args([script, CLIENT_ID, CLIENT_SECRET, REDIRECT])
        // Authlib refuses plain http unless told this is a test.
        .env("AUTHLIB_INSECURE_TRANSPORT", "1")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut port = String::new();
    BufReader::new(stdout).read_line(&mut port).unwrap();
    let port: u16 = port.trim().parse().expect("the server prints its port");
    (server, format!("http://127.0.0.1:{port}/"))
}

#[derive(Default)]
struct Tokens(Mutex<Option<RemoteToken>>);

#[async_trait]
impl TokenStore<RemoteToken> for Tokens {
    async fn fetch_token(&self, _: &str, _: &UserKey) -> Result<Option<RemoteToken>, Error> {
        Ok(self.0.lock().unwrap().clone())
    }
    async fn update_token(&self, _: &str, _: &UserKey, token: &RemoteToken) -> Result<(), Error> {
        *self.0.lock().unwrap() = Some(token.clone());
        Ok(())
    }
}

#[tokio::test]
async fn the_registry_signs_in_calls_and_refreshes_against_authlib() {
    let (_server, base) = tokio::task::spawn_blocking(spawn_authlib).await.unwrap();
    let store = Arc::new(Tokens::default());
    let mut registry = Registry::new().token_store(store.clone());
    let remote = registry
        .register_from(
            "py",
            RemoteConfig {
                client_id: Some(CLIENT_ID.into()),
                client_secret: Some(CLIENT_SECRET.into()),
                ..presets::x_compatible_oauth2(&base)
            },
            |_| None,
        )
        .unwrap();

    let go_to = remote
        .authorize_redirect::<RemoteToken>(REDIRECT)
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http.get(go_to.url.as_str()).send().await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let callback = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(callback.starts_with(REDIRECT), "{callback}");
    assert_eq!(
        remote.callback_key(&callback).as_deref(),
        Some(go_to.pending.callback_key())
    );
    let token = remote
        .authorize_access_token(&go_to.pending, &callback)
        .await
        .unwrap();
    let first = token.oauth2().unwrap().clone();
    assert!(
        first.is_bearer() && first.refresh_token.is_some() && first.expires_at.is_some(),
        "{first:?}"
    );

    let alice = UserKey::Id(1);
    remote.save_token(&alice, &token).await.unwrap();
    let me: serde_json::Value = remote
        .get("users/me", &alice)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["username"], "alice");

    // Nearly expired: the next call refreshes at Authlib first (a rotated pair).
    let mut expiring = first.clone();
    expiring.expires_at = Some(Timestamp::now().as_secs() + 10);
    remote.save_token(&alice, &expiring).await.unwrap();
    let me = remote.get("users/me", &alice).await.unwrap();
    assert_eq!(me.status(), 200);
    let refreshed: OAuth2Token = remote.fetch_token(&alice).await.unwrap();
    assert_ne!(refreshed.access_token, first.access_token);
    assert_ne!(refreshed.refresh_token, first.refresh_token);

    // The old refresh token was revoked by the rotation: Authlib says invalid_grant.
    let mut stale = refreshed.clone();
    stale.refresh_token = first.refresh_token.clone();
    stale.expires_at = Some(0);
    remote.save_token(&alice, &stale).await.unwrap();
    assert!(matches!(
        remote.get("users/me", &alice).await,
        Err(Error::ReauthorizationNeeded { .. })
    ));
    let _ = Url::parse(&base).unwrap();
}
