//! The HTTP client and the registry against a small OAuth 1.0a server on port 0 that
//! verifies every signature with this crate's `verify` (RFC 5849 §2 and §3).

use std::sync::{Arc, Mutex};

use oauth1::{
    AccessToken, CallbackError, Client, ClientCredentials, Error, Exchange, Placement, Registry,
    RemoteConfig, UserKey,
};
use url::Url;

use crate::support::oauth1_server::{KEY, SECRET, Tokens, config, spawn};
use crate::support::{no_env, visit};

#[tokio::test]
async fn the_three_legs_then_signed_calls_through_the_registry() {
    let (base, _server) = spawn(true).await;
    let seen: Arc<Mutex<Vec<Exchange>>> = Arc::default();
    let log = seen.clone();
    let store = Arc::new(Tokens(Mutex::default()));
    let mut registry = Registry::new()
        .token_store(store.clone())
        .observer(Arc::new(move |e: Exchange| log.lock().unwrap().push(e)));
    let remote = registry
        .register_from("local", config(&base), no_env)
        .unwrap();

    let go_to = remote
        .authorize_redirect::<AccessToken>("http://127.0.0.1:3000/authorize/local?keep=1")
        .await
        .unwrap();
    assert!(
        go_to
            .url
            .as_str()
            .starts_with(&format!("{base}oauth/authenticate?oauth_token=rt"))
    );
    let callback = visit(&go_to.url).await;
    assert!(callback.starts_with("http://127.0.0.1:3000/authorize/local?keep=1&oauth_token="));

    let token = remote
        .authorize_access_token(&go_to.pending, &callback)
        .await
        .unwrap();
    assert_eq!(token.extra("screen_name"), Some("alice"));
    assert_eq!(token.extra("user_id"), Some("7"));
    let (alice, nobody) = (UserKey::Id(1), UserKey::from("nobody"));
    remote.save_token(&alice, &token).await.unwrap();

    // The same pending sign-in and callback again (a caller that forgot to take it out
    // of its store): the service refuses the spent request token (RFC 5849 §2.3).
    match remote
        .authorize_access_token(&go_to.pending, &callback)
        .await
    {
        Err(Error::Remote(e)) => assert_eq!(e.status, 401),
        other => panic!("a second exchange: {other:?}"),
    }

    let echoed: Vec<(String, String)> = remote
        .get("echo.json?q=a%20b&q=%21", &alice)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        echoed,
        [("q".into(), "a b".into()), ("q".into(), "!".into())]
    );
    let posted: Vec<(String, String)> = remote
        .post("/echo.json", &[("status", "héllo wörld *!'()")], &alice)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(posted, [("status".into(), "héllo wörld *!'()".into())]);
    assert!(matches!(
        remote.get("echo.json", &nobody).await,
        Err(Error::NoToken(_))
    ));

    the_observer_saw_every_exchange_without_secrets(&seen.lock().unwrap());
}

/// Request token, access token, the refused second access token, two API calls: each
/// seen with its secrets removed.
fn the_observer_saw_every_exchange_without_secrets(exchanges: &[Exchange]) {
    assert_eq!(exchanges.len(), 5, "{exchanges:#?}");
    for e in exchanges {
        assert!(!e.authorization.contains(SECRET));
        assert!(
            !e.response.contains("as"),
            "token secrets are redacted: {}",
            e.response
        );
    }
    assert!(
        exchanges[0]
            .base_string
            .starts_with("POST&http%3A%2F%2F127.0.0.1%3A")
    );
    assert!(
        exchanges[0]
            .authorization
            .contains("oauth_signature=\"%5Bredacted%5D\"")
    );
    // The verifier of the access-token leg is hidden too.
    let leg3 = &exchanges[1];
    assert!(
        leg3.base_string.contains("oauth_verifier%3D[redacted]"),
        "{leg3:?}"
    );
    assert!(
        leg3.authorization
            .contains("oauth_verifier=\"%5Bredacted%5D\"")
    );
    assert!(!leg3.base_string.contains("v-rt") && !leg3.authorization.contains("v-rt"));
}

#[tokio::test]
async fn a_refusal_is_denied_and_forgets_nothing_else() {
    let (base, _server) = spawn(true).await;
    let mut registry = Registry::new();
    let remote = registry
        .register_from("local", config(&base), no_env)
        .unwrap();
    let go_to = remote
        .authorize_redirect::<AccessToken>("http://127.0.0.1:3000/cb")
        .await
        .unwrap();
    let mut deny = go_to.url.clone();
    deny.query_pairs_mut().append_pair("deny", "1");
    let callback = visit(&deny).await;
    assert!(matches!(
        remote
            .authorize_access_token(&go_to.pending, &callback)
            .await,
        Err(Error::Callback(CallbackError::Denied))
    ));
}

#[tokio::test]
async fn an_unconfirmed_callback_stops_the_flow() {
    let (base, _server) = spawn(false).await;
    let mut registry = Registry::new();
    let remote = registry
        .register_from("local", config(&base), no_env)
        .unwrap();
    assert!(matches!(
        remote
            .authorize_redirect::<AccessToken>("http://127.0.0.1:3000/cb")
            .await,
        Err(Error::CallbackNotConfirmed)
    ));
}

#[tokio::test]
async fn a_forged_callback_token_is_refused() {
    let (base, _server) = spawn(true).await;
    let mut registry = Registry::new();
    let remote = registry
        .register_from("local", config(&base), no_env)
        .unwrap();
    let go_to = remote
        .authorize_redirect::<AccessToken>("http://127.0.0.1:3000/cb")
        .await
        .unwrap();
    assert!(matches!(
        remote
            .authorize_access_token(
                &go_to.pending,
                "oauth_token=guessed&oauth_verifier=v-guessed"
            )
            .await,
        Err(Error::Callback(CallbackError::NotThisBrowser))
    ));
}

/// The account-takeover attack, at the crate's level: the attacker approves their own
/// account and keeps the callback URL; a victim's browser, which began a flow of its own,
/// opens it. The victim's pending flow does not match it: refused, and the attacker's
/// temporary credentials are not spent, so the attacker's own browser still finishes.
#[tokio::test]
async fn a_callback_opened_in_another_browser_is_refused() {
    let (base, _server) = spawn(true).await;
    let mut registry = Registry::new();
    let remote = registry
        .register_from("local", config(&base), no_env)
        .unwrap();
    let attacker = remote
        .authorize_redirect::<AccessToken>("http://127.0.0.1:3000/cb")
        .await
        .unwrap();
    let attackers_callback = visit(&attacker.url).await;
    let victim = remote
        .authorize_redirect::<AccessToken>("http://127.0.0.1:3000/cb")
        .await
        .unwrap();
    assert!(matches!(
        remote
            .authorize_access_token(&victim.pending, &attackers_callback)
            .await,
        Err(Error::Callback(CallbackError::NotThisBrowser))
    ));
    let token = remote
        .authorize_access_token(&attacker.pending, &attackers_callback)
        .await
        .unwrap();
    assert_eq!(token.extra("screen_name"), Some("alice"));
}

#[tokio::test]
async fn wrong_secrets_give_a_typed_remote_error() {
    let (base, _server) = spawn(true).await;
    let mut registry = Registry::new();
    let remote = registry
        .register_from(
            "local",
            RemoteConfig {
                client_secret: Some("wrong".into()),
                ..config(&base)
            },
            no_env,
        )
        .unwrap();
    match remote
        .authorize_redirect::<AccessToken>("http://127.0.0.1:3000/cb")
        .await
    {
        Err(Error::Remote(e)) => {
            assert_eq!(e.status, 401);
            assert_eq!(e.code(), Some(32));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn every_placement_and_method_is_accepted_by_the_verifier() {
    let (base, _server) = spawn(true).await;
    let base_url = Url::parse(&base).unwrap();
    let http = reqwest::Client::new();
    for method in ["HMAC-SHA1", "HMAC-SHA256", "PLAINTEXT"] {
        for placement in [Placement::Header, Placement::Query, Placement::Body] {
            let client = Client::new(http.clone(), ClientCredentials::new(KEY, SECRET))
                .signature_method(oauth1::signature::builtin(method).unwrap())
                .placement(placement);
            let legs = if placement == Placement::Body {
                // The token legs have no form body to carry the parameters (§3.5.2).
                Client::new(http.clone(), ClientCredentials::new(KEY, SECRET))
                    .signature_method(oauth1::signature::builtin(method).unwrap())
            } else {
                client.clone()
            };
            let rt = legs
                .request_token(
                    &base_url
                        .join("oauth/request_token?x_auth_access_type=write")
                        .unwrap(),
                    "oob",
                )
                .await
                .unwrap_or_else(|e| panic!("{method} {placement:?}: {e}"));
            // The test server's verifier is derived from the token.
            let verifier = oauth1::Verifier::new(format!("v-{}", rt.token.as_str()));
            let at = legs
                .access_token(
                    &base_url.join("oauth/access_token").unwrap(),
                    &rt,
                    &verifier,
                )
                .await
                .unwrap_or_else(|e| panic!("{method} {placement:?}: {e}"));
            let request = http
                .post(base_url.join("1.1/echo.json?x=%2A").unwrap())
                .form(&[("a", "1 2")])
                .build()
                .unwrap();
            let echoed: Vec<(String, String)> = client
                .send(request, Some(&at))
                .await
                .unwrap_or_else(|e| panic!("{method} {placement:?}: {e}"))
                .json()
                .await
                .unwrap();
            assert_eq!(
                echoed,
                [("x".into(), "*".into()), ("a".into(), "1 2".into())]
            );
        }
    }
}

/// With query placement the signed URL holds the signature and the verifier; a network
/// error's text (which callers log) must not.
#[tokio::test]
async fn a_network_error_does_not_log_the_signed_url() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = Url::parse(&format!("http://{}/", closed.local_addr().unwrap())).unwrap();
    drop(closed);
    let client = Client::new(reqwest::Client::new(), ClientCredentials::new(KEY, SECRET))
        .placement(Placement::Query);
    let err = client
        .access_token(
            &base.join("oauth/access_token").unwrap(),
            &oauth1::RequestToken::new("rt-1", "rt-secret"),
            &oauth1::Verifier::new("the-verifier"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Http(_)), "{err:?}");
    let text = format!("{err} / {err:?}");
    for secret in ["the-verifier", "oauth_signature", "oauth_verifier"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

/// The README's "Sign in with the real X" names the URLs the presets use: a reader who
/// checks the portal against the README checks it against the code.
#[test]
fn the_presets_urls_are_the_ones_the_readme_shows() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README beside client-lib");
    let twitter = oauth1::presets::twitter();
    let x = oauth1::presets::x_oauth2();
    let urls = [
        twitter.request_token_url,
        twitter.authorize_url,
        twitter.access_token_url,
        twitter.api_base_url,
        x.authorize_url,
        x.access_token_url,
        x.revoke_url,
        Some(oauth1::presets::X_API_V2.to_owned()),
    ];
    for url in urls.into_iter().map(Option::unwrap) {
        assert!(
            readme.contains(&format!("`{url}`")),
            "{url} is not in the README"
        );
        assert!(
            !url.contains("twitter.com"),
            "{url}: X's hosts are api.x.com and x.com"
        );
    }
}
