//! The registry's OAuth 2 remotes (RFC 6749 §4.1 with PKCE, RFC 7636; refresh, §6;
//! revocation, RFC 7009) against the small authorization server of `support`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use oauth1::{
    AccessToken, AuthorizationRedirect, CallbackError, ConfigError, Error, OAuth2Token, Registry,
    Remote, RemoteConfig, RemoteToken, Timestamp, UserKey, presets,
};
use serde_json::json;

use crate::support::oauth2_server::{CLIENT_SECRET, Revoked, Tokens, config, spawn};
use crate::support::{no_env, visit};

const CALLBACK: &str = "http://127.0.0.1:3000/authorize/x?keep=1";

/// A signed-in user: the whole flow, its token saved for `user`.
async fn sign_in(remote: &Remote, user: &UserKey) -> OAuth2Token {
    let go_to = remote
        .authorize_redirect::<OAuth2Token>(CALLBACK)
        .await
        .unwrap();
    let callback = visit(&go_to.url).await;
    let token = remote
        .authorize_access_token(&go_to.pending, &callback)
        .await
        .unwrap();
    remote.save_token(user, &token).await.unwrap();
    token
}

fn registry_with(store: Arc<Tokens>) -> Registry {
    Registry::new().token_store(store)
}

/// RFC 6749 §4.1.1 with RFC 7636 §4.3: the preset's scope, an S256 challenge, the
/// redirect URI, and the state the pending sign-in is filed under.
fn the_authorization_request_asks_for_a_code_with_pkce(
    base: &str,
    go_to: &AuthorizationRedirect<RemoteToken>,
) {
    let query: HashMap<String, String> = go_to.url.query_pairs().into_owned().collect();
    assert!(
        go_to
            .url
            .as_str()
            .starts_with(&format!("{base}i/oauth2/authorize?"))
    );
    assert_eq!(query["scope"], "tweet.read users.read offline.access");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["redirect_uri"], CALLBACK);
    assert_eq!(query["state"], go_to.pending.callback_key());
    assert!(go_to.pending.is_oauth2());
    assert!(!format!("{:?}", go_to.pending).contains("binding\": \""));
}

#[tokio::test]
async fn an_oauth2_sign_in_completes_with_pkce_and_calls_the_api_with_a_bearer_token() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    assert!(remote.is_oauth2());

    let go_to = remote
        .authorize_redirect::<RemoteToken>(CALLBACK)
        .await
        .unwrap();
    the_authorization_request_asks_for_a_code_with_pkce(&base, &go_to);

    let callback = visit(&go_to.url).await;
    assert!(callback.starts_with("http://127.0.0.1:3000/authorize/x?keep=1&code="));
    // What the site files the sign-in under, read back from the callback.
    assert_eq!(
        remote.callback_key(&callback).as_deref(),
        Some(go_to.pending.callback_key())
    );
    // It survives the site's JSON storage.
    let stored = serde_json::to_string(&go_to.pending).unwrap();
    let pending: oauth1::PendingAuthorization<RemoteToken> = serde_json::from_str(&stored).unwrap();

    let token = remote
        .authorize_access_token(&pending, &callback)
        .await
        .unwrap();
    let RemoteToken::OAuth2(token) = token else {
        panic!("{token:?}")
    };
    assert!(token.is_bearer());
    assert!(token.refresh_token.is_some());
    assert_eq!(token.extra_str("user_id"), Some("7"));
    assert_eq!(
        token.scope.as_deref(),
        Some("tweet.read users.read offline.access")
    );
    let expires_at = token.expires_at.unwrap();
    let now = Timestamp::now().as_secs();
    assert!((now + 7190..=now + 7200).contains(&expires_at));
    assert_eq!(*server.client_auth.lock().unwrap(), ["client_secret_basic"]);
    let printed = format!("{token:?}");
    assert!(!printed.contains(token.access_token.secret()), "{printed}");

    // The same pending sign-in and callback again (a caller that forgot to take it out
    // of its store): the service refuses the spent code (RFC 6749 §4.1.2).
    match remote.authorize_access_token(&pending, &callback).await {
        Err(Error::OAuth2 { error, .. }) => assert_eq!(error, "invalid_grant"),
        other => panic!("a second exchange: {other:?}"),
    }

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
    assert!(matches!(
        remote.get("users/me", &UserKey::Id(2)).await,
        Err(Error::NoToken(_))
    ));
    // OAuth 1-only code asking this remote for token credentials gets a typed error.
    assert!(matches!(
        remote.token(&alice).await,
        Err(Error::WrongTokenKind(_))
    ));
    assert!(matches!(
        remote.authorize_redirect::<AccessToken>(CALLBACK).await,
        Err(Error::WrongTokenKind(_))
    ));
}

/// RFC 6749 §10.12 at the crate's level: an attacker's callback opened in a victim's
/// browser carries the attacker's state; the victim's flow refuses it, and the attacker's
/// verifier is not spent.
#[tokio::test]
async fn a_callback_with_another_state_is_refused_and_spends_nothing() {
    let (base, _server) = spawn().await;
    let mut registry = Registry::new();
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    let attacker = remote
        .authorize_redirect::<OAuth2Token>(CALLBACK)
        .await
        .unwrap();
    let attackers_callback = visit(&attacker.url).await;
    let victim = remote
        .authorize_redirect::<OAuth2Token>(CALLBACK)
        .await
        .unwrap();
    assert!(matches!(
        remote
            .authorize_access_token(&victim.pending, &attackers_callback)
            .await,
        Err(Error::Callback(CallbackError::NotThisBrowser))
    ));
    let without_state = attackers_callback
        .split("&state=")
        .next()
        .unwrap()
        .to_owned();
    assert!(matches!(
        remote
            .authorize_access_token(&attacker.pending, &without_state)
            .await,
        Err(Error::Callback(CallbackError::BadCallback(_)))
    ));
    remote
        .authorize_access_token(&attacker.pending, &attackers_callback)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_refusal_at_the_service_is_denied() {
    let (base, _server) = spawn().await;
    let mut registry = Registry::new();
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    let go_to = remote
        .authorize_redirect::<OAuth2Token>(CALLBACK)
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
async fn fifty_concurrent_calls_with_an_expiring_token_refresh_once() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    let alice = UserKey::Id(1);
    // Within the minute's margin: refreshed before use.
    server.behaviour.lock().unwrap().expires_in = Some(30);
    let first = sign_in(&remote, &alice).await;
    server.behaviour.lock().unwrap().expires_in = None;
    let updates_before = store.updates.load(Ordering::SeqCst);

    let calls = (0..50).map(|_| {
        let (remote, alice) = (remote.clone(), alice.clone());
        tokio::spawn(async move { remote.get("users/me", &alice).await.map(|r| r.status()) })
    });
    for call in calls.collect::<Vec<_>>() {
        assert_eq!(call.await.unwrap().unwrap(), 200);
    }
    assert_eq!(server.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(store.updates.load(Ordering::SeqCst), updates_before + 1);
    let saved: OAuth2Token = remote.fetch_token(&alice).await.unwrap();
    assert_ne!(saved.access_token, first.access_token);
    assert_ne!(saved.refresh_token, first.refresh_token, "rotated");
    assert!(!saved.needs_refresh());
}

#[tokio::test]
async fn a_refused_refresh_asks_the_user_to_sign_in_again() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    let alice = UserKey::Id(1);
    let mut token = sign_in(&remote, &alice).await;
    // Expired, and its refresh token revoked at the service.
    token.expires_at = Some(Timestamp::now().as_secs() - 1);
    server.refresh.lock().unwrap().clear();
    remote.save_token(&alice, &token).await.unwrap();
    match remote.get("users/me", &alice).await {
        Err(Error::ReauthorizationNeeded { remote, .. }) => assert_eq!(remote, "x"),
        other => panic!("{other:?}"),
    }
    // Expired with no refresh token at all: the same.
    token.refresh_token = None;
    remote.save_token(&alice, &token).await.unwrap();
    assert!(matches!(
        remote.get("users/me", &alice).await,
        Err(Error::ReauthorizationNeeded { .. })
    ));
}

#[tokio::test]
async fn the_token_response_hook_mends_a_nonstandard_answer() {
    let (base, server) = spawn().await;
    server.behaviour.lock().unwrap().nonstandard = true;
    let mut registry = Registry::new();
    let plain = registry.register_from("x", config(&base), no_env).unwrap();
    let go_to = plain
        .authorize_redirect::<OAuth2Token>(CALLBACK)
        .await
        .unwrap();
    let callback = visit(&go_to.url).await;
    match plain
        .authorize_access_token(&go_to.pending, &callback)
        .await
    {
        Err(Error::BadTokenResponse(reason)) => {
            let issued = server.access.lock().unwrap();
            assert!(
                issued.keys().all(|t| !reason.contains(t.as_str())),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }

    let mended = registry
        .register_with(
            "x2",
            config(&base),
            oauth1::Hooks {
                token_response_compliance: Some(Arc::new(|json: &mut serde_json::Value| {
                    let Some(obj) = json.as_object_mut() else {
                        return;
                    };
                    obj.entry("token_type").or_insert(json!("bearer"));
                    if let Some(s) = obj.get("expires_in").and_then(|v| v.as_str()) {
                        let n: u64 = s.parse().unwrap_or(0);
                        obj.insert("expires_in".into(), json!(n));
                    }
                })),
                ..oauth1::Hooks::default()
            },
            no_env,
        )
        .unwrap();
    let go_to = mended
        .authorize_redirect::<OAuth2Token>(CALLBACK)
        .await
        .unwrap();
    let callback = visit(&go_to.url).await;
    let token = mended
        .authorize_access_token(&go_to.pending, &callback)
        .await
        .unwrap();
    assert!(token.is_bearer() && token.expires_at.is_some());
}

#[tokio::test]
async fn each_token_endpoint_auth_method_is_used_as_configured() {
    let (base, server) = spawn().await;
    let mut registry = Registry::new();
    for (name, method) in [("post", "client_secret_post"), ("public", "none")] {
        let remote = registry
            .register_from(
                name,
                RemoteConfig {
                    client_secret: (method != "none").then(|| CLIENT_SECRET.into()),
                    client_kwargs: vec![("token_endpoint_auth_method".into(), method.into())],
                    ..config(&base)
                },
                no_env,
            )
            .unwrap();
        sign_in(&remote, &UserKey::Id(1)).await;
        assert_eq!(server.client_auth.lock().unwrap().pop(), Some(method));
    }
}

/// Unlinking at a site (RFC 7009 §2.1): the refresh token goes, with its hint and the
/// client authentication of the token endpoint, and takes the access token with it.
#[tokio::test]
async fn revoking_sends_the_refresh_token_with_the_token_endpoints_client_auth() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    for (name, method) in [
        ("basic", "client_secret_basic"),
        ("post", "client_secret_post"),
        ("public", "none"),
    ] {
        let remote = registry
            .register_from(
                name,
                RemoteConfig {
                    client_secret: (method != "none").then(|| CLIENT_SECRET.into()),
                    client_kwargs: vec![("token_endpoint_auth_method".into(), method.into())],
                    ..config(&base)
                },
                no_env,
            )
            .unwrap();
        let alice = UserKey::Id(1);
        let token = sign_in(&remote, &alice).await;
        remote.get("users/me", &alice).await.unwrap();

        // A site's handler runs it on a multi-threaded runtime: the future must be Send.
        fn send<F: std::future::Future + Send>(f: F) -> F {
            f
        }
        send(remote.revoke_token(&alice)).await.unwrap();
        let revoked = server.revoked.lock().unwrap().pop().unwrap();
        assert_eq!(
            revoked,
            Revoked {
                token: token.refresh_token.as_ref().unwrap().secret().to_owned(),
                hint: Some("refresh_token".into()),
                client_auth: method,
            },
            "{name}"
        );
        // The grant is gone at the service: its access token no longer works.
        match remote.get("users/me", &alice).await {
            Err(Error::Remote(e)) => assert_eq!(e.status, 401, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
        // §2.2: revoking again (the service no longer knows the token) is still done.
        remote.revoke_token(&alice).await.unwrap();
    }
}

/// Without a refresh token the access token itself is revoked, hinted as such.
#[tokio::test]
async fn a_token_without_a_refresh_token_is_revoked_as_an_access_token() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    let alice = UserKey::Id(1);
    let mut token = sign_in(&remote, &alice).await;
    token.refresh_token = None;
    // Expired too: it is revoked as it is, not refreshed first.
    token.expires_at = Some(Timestamp::now().as_secs() - 1);
    remote.save_token(&alice, &token).await.unwrap();
    remote.revoke_token(&alice).await.unwrap();
    assert_eq!(
        *server.revoked.lock().unwrap(),
        [Revoked {
            token: token.access_token.secret().to_owned(),
            hint: Some("access_token".into()),
            client_auth: "client_secret_basic",
        }]
    );
    assert_eq!(server.refreshes.load(Ordering::SeqCst), 0);
    assert!(matches!(
        remote.revoke_token(&UserKey::Id(2)).await,
        Err(Error::NoToken(_))
    ));
}

#[tokio::test]
async fn a_remote_without_a_revocation_url_says_which_setting_is_missing() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    let mut without = config(&base);
    without.revoke_url = None;
    let remote = registry.register_from("chirp2", without, no_env).unwrap();
    let alice = UserKey::Id(1);
    sign_in(&remote, &alice).await;
    match remote.revoke_token(&alice).await {
        Err(Error::Config(e)) => {
            assert_eq!(e, ConfigError::Missing("CHIRP2_REVOKE_URL".into()));
            assert!(e.to_string().contains("CHIRP2_REVOKE_URL"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(server.revoked.lock().unwrap().is_empty());
}

/// A refusal (RFC 7009 §2.2.1, RFC 6749 §5.2) is `Error::OAuth2`; any other failure
/// `Error::Remote`. Neither carries the token or the client secret.
#[tokio::test]
async fn a_failed_revocation_is_an_error_without_the_token() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    let alice = UserKey::Id(1);
    let token = sign_in(&remote, &alice).await;
    let refresh = token.refresh_token.as_ref().unwrap().secret().to_owned();

    let wrong = registry
        .register_from(
            "wrong",
            RemoteConfig {
                client_secret: Some("not-the-secret".into()),
                ..config(&base)
            },
            no_env,
        )
        .unwrap();
    wrong.save_token(&alice, &token).await.unwrap();
    match wrong.revoke_token(&alice).await {
        Err(Error::OAuth2 { error, description }) => {
            assert_eq!(error, "invalid_client");
            assert_eq!(description.as_deref(), Some("who are you?"));
        }
        other => panic!("{other:?}"),
    }

    server.behaviour.lock().unwrap().revoke_down = true;
    let err = remote.revoke_token(&alice).await.unwrap_err();
    match &err {
        Error::Remote(e) => assert_eq!(e.status, 503),
        other => panic!("{other:?}"),
    }
    let text = format!("{err} {err:?}");
    assert!(!text.contains(&refresh), "{text}");
    assert!(text.contains("[redacted]"), "{text}");
    assert!(server.revoked.lock().unwrap().is_empty());
}

#[test]
fn unknown_keys_and_bad_values_stop_registration_naming_them() {
    let bad = |name: &str, vars: &[(&str, &str)], base: RemoteConfig| {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        match Registry::new().register_from(name, base, |k| vars.get(k).cloned()) {
            Err(Error::Config(e)) => e,
            other => panic!("{other:?}"),
        }
    };
    let oauth2 = || config("http://127.0.0.1:9/");
    // The preset sets these in code, which wins over the environment.
    let kwargs = |k: &str| RemoteConfig {
        client_kwargs: vec![(
            k.split('=').next().unwrap().into(),
            k.split('=').nth(1).unwrap().into(),
        )],
        ..oauth2()
    };
    let oauth1 = || RemoteConfig {
        client_id: Some("k".into()),
        client_secret: Some("s".into()),
        ..presets::twitter_compatible("http://127.0.0.1:9/")
    };

    let e = bad("x", &[], kwargs("colour=red"));
    assert!(
        matches!(&e, ConfigError::Bad { key, reason } if key == "X_CLIENT_KWARGS" && reason.contains("colour")),
        "{e}"
    );
    let e = bad(
        "chirp",
        &[(
            "CHIRP_CLIENT_KWARGS",
            "signature_method=HMAC-SHA1&sig_type=query",
        )],
        oauth1(),
    );
    assert!(e.to_string().contains("CHIRP_CLIENT_KWARGS") && e.to_string().contains("sig_type"));
    let e = bad(
        "chirp",
        &[("CHIRP_REFRESH_TOKEN_URL", "http://127.0.0.1:9/r")],
        oauth1(),
    );
    assert!(
        matches!(&e, ConfigError::Bad { key, .. } if key == "CHIRP_REFRESH_TOKEN_URL"),
        "{e}"
    );
    let e = bad("x", &[], kwargs("code_challenge_method=plain"));
    assert!(e.to_string().contains("S256"), "{e}");
    let e = bad(
        "x",
        &[],
        kwargs("token_endpoint_auth_method=private_key_jwt"),
    );
    assert!(e.to_string().contains("private_key_jwt"), "{e}");
    let e = bad(
        "x",
        &[("X_REVOKE_URL", "/relative")],
        RemoteConfig {
            revoke_url: None,
            ..oauth2()
        },
    );
    assert!(
        matches!(&e, ConfigError::BadUrl { key, .. } if key == "X_REVOKE_URL"),
        "{e}"
    );
    let e = bad(
        "x",
        &[],
        RemoteConfig {
            client_secret: None,
            ..oauth2()
        },
    );
    assert_eq!(e, ConfigError::Missing("X_CLIENT_SECRET".into()));
}

#[test]
fn the_x_preset_has_x_endpoints_and_scopes() {
    let mut registry = Registry::new();
    let x = registry
        .register_from(
            "x",
            RemoteConfig {
                client_id: Some("id".into()),
                client_secret: Some("secret".into()),
                ..presets::x_oauth2()
            },
            no_env,
        )
        .unwrap();
    let oauth1::Settings::OAuth2(s) = x.settings() else {
        panic!()
    };
    assert_eq!(
        s.common.authorize_url.as_str(),
        "https://x.com/i/oauth2/authorize"
    );
    assert_eq!(
        s.access_token_url.as_str(),
        "https://api.x.com/2/oauth2/token"
    );
    assert_eq!(
        s.refresh_token_url.as_str(),
        "https://api.x.com/2/oauth2/token"
    );
    assert_eq!(
        s.revoke_url.as_ref().unwrap().as_str(),
        "https://api.x.com/2/oauth2/revoke"
    );
    assert_eq!(s.scope, ["tweet.read", "users.read", "offline.access"]);
    assert_eq!(
        x.url("users/me").unwrap().as_str(),
        "https://api.x.com/2/users/me"
    );
}

/// A token-response hook is OAuth 2's: given to an OAuth 1 remote it is refused at
/// registration, naming it, and nothing is registered.
#[test]
fn a_token_response_hook_on_an_oauth1_remote_is_refused_by_name() {
    let mut registry = Registry::new();
    let refused = registry.register_with(
        "chirp",
        RemoteConfig {
            client_id: Some("k".into()),
            client_secret: Some("s".into()),
            ..oauth1::presets::twitter_compatible("http://127.0.0.1:1/")
        },
        oauth1::Hooks {
            token_response_compliance: Some(Arc::new(|_: &mut serde_json::Value| {})),
            ..oauth1::Hooks::default()
        },
        |_| None,
    );
    let err = refused.unwrap_err().to_string();
    assert!(err.contains("chirp: token_response_compliance"), "{err}");
    assert!(registry.remote("chirp").is_err());
}
