//! The rules the server half owns (RFC 5849 §2–§3), each against in-memory stores: no
//! database, no HTTP. What an application could get wrong, the library does for it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use oauth1::server::{
    Authorized, ClientRecord, ClientStore, Clock, Server, ServerConfig, ServerError, ServerRequest,
    StoreResult, TemporaryCredentials, TokenRecord, TokenStore,
};
use oauth1::{
    AccessToken, Body, ClientCredentials, ConsumerKey, ConsumerSecret, Nonce, Plaintext, Request,
    RequestToken, Signer, Timestamp,
};

const NOW: u64 = 1_700_000_000;
const CALLBACK: &str = "https://app.example/cb?next=%2Fhome";

struct TestClock(AtomicU64);

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Clients and token credentials in maps: what an application's tables would hold.
#[derive(Clone, Default)]
struct Tables {
    tokens: Arc<Mutex<HashMap<String, TokenRecord<String>>>>,
}

fn client(key: &str) -> ClientRecord<()> {
    let record = ClientRecord {
        key: ConsumerKey::new(key),
        secret: ConsumerSecret::new(format!("{key}-secret")),
        callbacks: vec!["https://app.example/cb".into()],
        public_key: None,
        app: (),
    };
    // `rsa-app` registered oauthlib's test public key for RSA-SHA1.
    #[cfg(feature = "rsa")]
    if key == "rsa-app" {
        let pem = include_str!("../keys/oauthlib-public.pem");
        return record.with_public_key(oauth1::server::ClientPublicKey::from_pem(pem).unwrap());
    }
    record
}

#[async_trait]
impl ClientStore<()> for Tables {
    async fn client(&self, key: &str) -> StoreResult<Option<ClientRecord<()>>> {
        Ok(["app", "other", "rsa-app"]
            .contains(&key)
            .then(|| client(key)))
    }
}

#[async_trait]
impl TokenStore<(), String> for Tables {
    async fn save(
        &self,
        _: &ClientRecord<()>,
        _: &TemporaryCredentials<String>,
        token: &TokenRecord<String>,
    ) -> StoreResult<Vec<(String, String)>> {
        let mut tokens = self.tokens.lock().unwrap();
        tokens.insert(token.token.as_str().into(), token.clone());
        Ok(vec![("screen_name".into(), token.user.clone())])
    }
    async fn get(
        &self,
        token: &str,
    ) -> StoreResult<Option<(ClientRecord<()>, TokenRecord<String>)>> {
        let tokens = self.tokens.lock().unwrap();
        Ok(tokens
            .get(token)
            .map(|t| (client(t.consumer_key.as_str()), t.clone())))
    }
}

struct Fixture {
    server: Server<(), String>,
    clock: Arc<TestClock>,
}

fn fixture_at(public_url: &str) -> Fixture {
    let clock = Arc::new(TestClock(AtomicU64::new(NOW)));
    let mut config = ServerConfig::new(url::Url::parse(public_url).unwrap());
    config.clock = clock.clone();
    let tables = Tables::default();
    Fixture {
        server: Server::new(config, tables.clone(), tables),
        clock,
    }
}

fn fixture() -> Fixture {
    fixture_at("https://api.example/")
}

fn credentials(key: &str) -> ClientCredentials {
    ClientCredentials::new(key, format!("{key}-secret"))
}

/// What a client sends: method, path, and an `Authorization` header.
struct Sent {
    method: &'static str,
    path: String,
    authorization: String,
    body: String,
}

impl Sent {
    fn request(&self) -> ServerRequest<'_> {
        ServerRequest {
            method: self.method,
            path_and_query: &self.path,
            authorization: Some(&self.authorization),
            content_type: (!self.body.is_empty()).then_some("application/x-www-form-urlencoded"),
            body: self.body.as_bytes(),
        }
    }
}

struct Signing<'a> {
    client: ClientCredentials,
    token: Option<&'a dyn oauth1::TokenCredentials>,
    callback: Option<&'a str>,
    verifier: Option<&'a str>,
    nonce: &'a str,
    timestamp: u64,
    plaintext: bool,
    /// Another signature method than HMAC-SHA1 (RSA-SHA1 with a private key).
    method: Option<&'a dyn oauth1::SignatureMethod>,
}

impl<'a> Signing<'a> {
    fn new(key: &str) -> Self {
        Self {
            client: credentials(key),
            token: None,
            callback: None,
            verifier: None,
            nonce: "n0",
            timestamp: NOW,
            plaintext: false,
            method: None,
        }
    }

    fn sign(&self, method: &'static str, path: &str, body: &str) -> Sent {
        let url = url::Url::parse(&format!("https://api.example{path}")).unwrap();
        let mut signer = Signer::new(&self.client);
        if let Some(token) = self.token {
            signer = signer.token(token);
        }
        if let Some(callback) = self.callback {
            signer = signer.callback(callback);
        }
        if let Some(verifier) = self.verifier {
            signer = signer.verifier(verifier);
        }
        if self.plaintext {
            signer = signer.method(&Plaintext);
        }
        if let Some(method) = self.method {
            signer = signer.method(method);
        }
        let body_kind = if body.is_empty() {
            Body::Empty
        } else {
            Body::Form(body)
        };
        let authorization = signer
            .authorization(
                &Request {
                    method,
                    url: &url,
                    body: body_kind,
                },
                &Nonce::new(self.nonce),
                Timestamp::from_secs(self.timestamp),
            )
            .unwrap();
        Sent {
            method,
            path: path.into(),
            authorization,
            body: body.into(),
        }
    }
}

fn form_of(response: &http::Response<String>) -> HashMap<String, String> {
    url::form_urlencoded::parse(response.body().as_bytes())
        .into_owned()
        .collect()
}

impl Fixture {
    async fn temporary(&self, key: &str, nonce: &str) -> RequestToken {
        let signing = Signing {
            callback: Some(CALLBACK),
            nonce,
            ..Signing::new(key)
        };
        let response = self
            .server
            .temporary_credentials(&signing.sign("POST", "/oauth/request_token", "").request())
            .await
            .unwrap();
        let form = form_of(&response);
        RequestToken::new(&form["oauth_token"], &form["oauth_token_secret"])
    }

    /// An approved request of `app`, and its verifier.
    async fn approved(&self, nonce: &str) -> (RequestToken, String) {
        let temporary = self.temporary("app", nonce).await;
        let verifier = self.approve_as_alice(&temporary).await;
        (temporary, verifier)
    }

    /// Alice approves `temporary`: the verifier from the redirect to the callback.
    async fn approve_as_alice(&self, temporary: &RequestToken) -> String {
        let Authorized::Redirect(url) = self
            .server
            .approve(temporary.token.as_str(), "alice".into())
            .await
            .unwrap()
        else {
            panic!("a redirect")
        };
        url.query_pairs()
            .find(|(k, _)| k == "oauth_verifier")
            .unwrap()
            .1
            .into_owned()
    }

    async fn exchange(
        &self,
        key: &str,
        temporary: &RequestToken,
        verifier: &str,
        nonce: &str,
    ) -> Result<http::Response<String>, ServerError> {
        let signing = Signing {
            token: Some(temporary),
            verifier: Some(verifier),
            nonce,
            ..Signing::new(key)
        };
        self.server
            .token_credentials(&signing.sign("POST", "/oauth/access_token", "").request())
            .await
    }

    async fn access(&self) -> AccessToken {
        let (temporary, verifier) = self.approved("t1").await;
        let form = form_of(
            &self
                .exchange("app", &temporary, &verifier, "t2")
                .await
                .unwrap(),
        );
        AccessToken::new(&form["oauth_token"], &form["oauth_token_secret"])
    }
}

#[tokio::test]
async fn the_three_legs_then_a_protected_call() {
    let f = fixture();
    let temporary = f.temporary("app", "a").await;
    let pending = f.server.pending(temporary.token.as_str()).await.unwrap();
    assert_eq!(pending.temporary.callback, CALLBACK);
    let (temporary, verifier) = f.approved("b").await;
    let response = f.exchange("app", &temporary, &verifier, "c").await.unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    let form = form_of(&response);
    assert_eq!(form["screen_name"], "alice");
    let token = AccessToken::new(&form["oauth_token"], &form["oauth_token_secret"]);
    let signing = Signing {
        token: Some(&token),
        nonce: "d",
        ..Signing::new("app")
    };
    let protected = f
        .server
        .protect(
            &signing
                .sign("POST", "/1.1/statuses/update.json", "status=hi")
                .request(),
        )
        .await
        .unwrap();
    assert_eq!(protected.token.user, "alice");
    assert_eq!(protected.param("status"), Some("hi"));
}

#[tokio::test]
async fn the_callback_is_checked_stored_and_always_confirmed() {
    let f = fixture();
    let mut signing = Signing {
        callback: Some("https://evil.example/cb"),
        ..Signing::new("app")
    };
    let refused = f
        .server
        .temporary_credentials(&signing.sign("POST", "/oauth/request_token", "").request())
        .await;
    assert!(
        matches!(refused, Err(ServerError::CallbackNotRegistered)),
        "{refused:?}"
    );
    signing.callback = None;
    signing.nonce = "n1";
    let missing = f
        .server
        .temporary_credentials(&signing.sign("POST", "/oauth/request_token", "").request())
        .await;
    assert!(
        matches!(missing, Err(ServerError::BadRequest(_))),
        "{missing:?}"
    );
    signing.callback = Some(CALLBACK);
    signing.nonce = "n2";
    let response = f
        .server
        .temporary_credentials(&signing.sign("POST", "/oauth/request_token", "").request())
        .await
        .unwrap();
    assert_eq!(form_of(&response)["oauth_callback_confirmed"], "true");
}

#[tokio::test]
async fn the_verifier_goes_into_the_stored_callbacks_own_query() {
    let f = fixture();
    let temporary = f.temporary("app", "a").await;
    let Authorized::Redirect(url) = f
        .server
        .approve(temporary.token.as_str(), "alice".into())
        .await
        .unwrap()
    else {
        panic!("a redirect")
    };
    assert!(
        url.as_str()
            .starts_with("https://app.example/cb?next=%2Fhome&oauth_token="),
        "{url}"
    );
    assert!(url.query_pairs().any(|(k, _)| k == "oauth_verifier"));
}

#[tokio::test]
async fn a_shape_error_is_a_400_before_any_secret_or_store_is_read() {
    let f = fixture();
    let sent = Signing::new("nobody").sign("POST", "/oauth/request_token", "");
    // The same parameter twice: the request is malformed whoever the client is.
    let twice = Sent {
        authorization: format!("{}, oauth_nonce=\"again\"", sent.authorization),
        ..sent
    };
    let refused = f.server.temporary_credentials(&twice.request()).await;
    assert!(
        matches!(&refused, Err(e) if e.status() == 400),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_timestamp_is_checked_both_ways_before_the_signature() {
    let f = fixture();
    for timestamp in [NOW - 301, NOW + 301] {
        let mut signing = Signing {
            callback: Some(CALLBACK),
            timestamp,
            ..Signing::new("app")
        };
        // A wrong secret too: the timestamp is what is reported.
        signing.client = ClientCredentials::new("app", "wrong");
        let refused = f
            .server
            .temporary_credentials(&signing.sign("POST", "/oauth/request_token", "").request())
            .await;
        assert!(
            matches!(refused, Err(ServerError::StaleTimestamp)),
            "{refused:?}"
        );
    }
}

#[tokio::test]
async fn a_nonce_is_recorded_only_after_the_signature_is_valid() {
    let f = fixture();
    let mut forged = Signing {
        callback: Some(CALLBACK),
        nonce: "n",
        ..Signing::new("app")
    };
    forged.client = ClientCredentials::new("app", "wrong");
    let refused = f
        .server
        .temporary_credentials(&forged.sign("POST", "/oauth/request_token", "").request())
        .await;
    assert!(
        matches!(refused, Err(ServerError::InvalidSignature)),
        "{refused:?}"
    );
    // The real client's request with that nonce still passes, once.
    let real = Signing {
        callback: Some(CALLBACK),
        nonce: "n",
        ..Signing::new("app")
    };
    let sent = real.sign("POST", "/oauth/request_token", "");
    assert!(
        f.server
            .temporary_credentials(&sent.request())
            .await
            .is_ok()
    );
    let replay = f.server.temporary_credentials(&sent.request()).await;
    assert!(
        matches!(replay, Err(ServerError::NonceReused)),
        "{replay:?}"
    );
}

#[tokio::test]
async fn a_nonce_is_unique_per_client_token_and_timestamp() {
    let f = fixture();
    let token = f.access().await;
    let with_token = |timestamp| Signing {
        token: Some(&token),
        nonce: "same",
        timestamp,
        ..Signing::new("app")
    };
    let path = "/1.1/account/verify_credentials.json";
    let first = with_token(NOW).sign("GET", path, "");
    assert!(f.server.protect(&first.request()).await.is_ok());
    // Another timestamp: another nonce.
    let later = with_token(NOW + 1).sign("GET", path, "");
    assert!(f.server.protect(&later.request()).await.is_ok());
    // Same client, token, timestamp and nonce: a replay.
    let replay = f.server.protect(&first.request()).await;
    assert!(
        matches!(replay, Err(ServerError::NonceReused)),
        "{replay:?}"
    );
    // The same nonce and timestamp without a token (two-legged) is another key.
    let bare = Signing {
        nonce: "same",
        ..Signing::new("app")
    }
    .sign("GET", "/1.1/help.json", "");
    assert!(f.server.verify_client(&bare.request()).await.is_ok());
    let again = f.server.verify_client(&bare.request()).await;
    assert!(matches!(again, Err(ServerError::NonceReused)), "{again:?}");
}

#[tokio::test]
async fn a_nonce_is_forgotten_once_its_timestamp_is_refused_anyway() {
    let f = fixture();
    let token = f.access().await;
    let signing = Signing {
        token: Some(&token),
        nonce: "late",
        ..Signing::new("app")
    };
    let sent = signing.sign("GET", "/1.1/account/verify_credentials.json", "");
    assert!(f.server.protect(&sent.request()).await.is_ok());
    f.clock.0.store(NOW + 302, Ordering::Relaxed);
    let later = f.server.protect(&sent.request()).await;
    assert!(
        matches!(later, Err(ServerError::StaleTimestamp)),
        "{later:?}"
    );
}

#[tokio::test]
async fn temporary_credentials_belong_to_the_client_they_were_issued_to() {
    let f = fixture();
    let (temporary, verifier) = f.approved("a").await;
    // Another registered client, signing correctly with its own secret.
    let stolen = f.exchange("other", &temporary, &verifier, "b").await;
    assert!(
        matches!(stolen, Err(ServerError::InvalidToken)),
        "{stolen:?}"
    );
    assert!(f.exchange("app", &temporary, &verifier, "c").await.is_ok());
}

#[tokio::test]
async fn approval_happens_once_and_the_exchange_is_single_use() {
    let f = fixture();
    let (temporary, verifier) = f.approved("a").await;
    let again = f
        .server
        .approve(temporary.token.as_str(), "mallory".into())
        .await;
    assert!(
        matches!(again, Err(ServerError::RequestExpired)),
        "{again:?}"
    );
    assert!(f.exchange("app", &temporary, &verifier, "b").await.is_ok());
    let twice = f.exchange("app", &temporary, &verifier, "c").await;
    assert!(matches!(twice, Err(ServerError::InvalidToken)), "{twice:?}");
}

#[tokio::test]
async fn a_wrong_verifier_voids_the_request_only_once_the_signature_is_valid() {
    let f = fixture();
    let (temporary, verifier) = f.approved("a").await;
    // Someone who saw oauth_token in a URL, without the token secret: refused, and the
    // person's sign-in goes on.
    let forged = RequestToken::new(temporary.token.as_str(), "guessed-secret");
    let refused = f.exchange("app", &forged, "guess", "b").await;
    assert!(
        matches!(refused, Err(ServerError::InvalidSignature)),
        "{refused:?}"
    );
    assert!(f.exchange("app", &temporary, &verifier, "c").await.is_ok());

    // The client itself with a wrong verifier: void at once, the right one is too late.
    let (temporary, verifier) = f.approved("d").await;
    let wrong = f
        .exchange("app", &temporary, &format!("{verifier}x"), "e")
        .await;
    assert!(
        matches!(wrong, Err(ServerError::InvalidVerifier)),
        "{wrong:?}"
    );
    let late = f.exchange("app", &temporary, &verifier, "f").await;
    assert!(matches!(late, Err(ServerError::InvalidToken)), "{late:?}");
}

#[tokio::test]
async fn temporary_credentials_expire() {
    let f = fixture();
    let (temporary, verifier) = f.approved("a").await;
    f.clock.0.store(NOW + 901, Ordering::Relaxed);
    let signing = Signing {
        token: Some(&temporary),
        verifier: Some(&verifier),
        timestamp: NOW + 901,
        nonce: "b",
        ..Signing::new("app")
    };
    let late = f
        .server
        .token_credentials(&signing.sign("POST", "/oauth/access_token", "").request())
        .await;
    assert!(matches!(late, Err(ServerError::InvalidToken)), "{late:?}");
}

#[tokio::test]
async fn a_denial_voids_the_request_and_tells_the_client() {
    let f = fixture();
    let temporary = f.temporary("app", "a").await;
    let Authorized::Redirect(url) = f.server.deny(temporary.token.as_str()).await.unwrap() else {
        panic!("a redirect")
    };
    assert!(
        url.query_pairs()
            .any(|(k, v)| k == "denied" && v == temporary.token.as_str())
    );
    assert!(matches!(
        f.server.pending(temporary.token.as_str()).await,
        Err(ServerError::RequestExpired)
    ));
}

#[tokio::test]
async fn a_token_of_another_client_protects_nothing() {
    let f = fixture();
    let token = f.access().await;
    let signing = Signing {
        token: Some(&token),
        nonce: "x",
        ..Signing::new("other")
    };
    let refused = f
        .server
        .protect(
            &signing
                .sign("GET", "/1.1/account/verify_credentials.json", "")
                .request(),
        )
        .await;
    assert!(
        matches!(refused, Err(ServerError::InvalidToken)),
        "{refused:?}"
    );
}

#[tokio::test]
async fn plaintext_is_refused_over_plain_http_and_taken_over_https() {
    for (url, accepted) in [
        ("http://api.example/", false),
        ("https://api.example/", true),
    ] {
        let f = fixture_at(url);
        let signing = Signing {
            callback: Some(CALLBACK),
            plaintext: true,
            ..Signing::new("app")
        };
        let result = f
            .server
            .temporary_credentials(&signing.sign("POST", "/oauth/request_token", "").request())
            .await;
        // Over http the base string differs too, but PLAINTEXT signs no base string.
        assert_eq!(result.is_ok(), accepted, "{url}: {result:?}");
        if !accepted {
            assert!(matches!(result, Err(ServerError::PlaintextOverHttp)));
        }
    }
}

#[tokio::test]
async fn refusals_carry_their_status_and_a_challenge() {
    let f = fixture();
    let sent = Signing::new("nobody").sign("GET", "/1.1/help.json", "");
    let error = f.server.verify_client(&sent.request()).await.unwrap_err();
    assert!(matches!(error, ServerError::UnknownClient));
    let response = error.response("https://api.example/");
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["www-authenticate"],
        "OAuth realm=\"https://api.example/\""
    );
    assert_eq!(response.body(), "oauth_problem=consumer_key_unknown");
}

#[tokio::test]
async fn one_client_cannot_crowd_out_the_others_in_memory() {
    let f = fixture();
    let first = f.temporary("app", "first").await;
    for i in 0..oauth1::server::store::MAX_PENDING_PER_CLIENT {
        f.temporary("app", &format!("n{i}")).await;
    }
    // The client's oldest went to make room; other clients are untouched.
    assert!(matches!(
        f.server.pending(first.token.as_str()).await,
        Err(ServerError::RequestExpired)
    ));
    let other = f.temporary("other", "o").await;
    assert!(f.server.pending(other.token.as_str()).await.is_ok());
}

#[tokio::test]
async fn debug_output_holds_no_secret() {
    let f = fixture();
    let signing = Signing {
        plaintext: true,
        callback: Some(CALLBACK),
        ..Signing::new("app")
    };
    let sent = signing.sign("POST", "/oauth/request_token", "");
    let shown = format!("{:?}", sent.request());
    assert!(!shown.contains("app-secret"), "{shown}");
    let temporary = f.temporary("app", "a").await;
    let answer = f
        .server
        .approve(temporary.token.as_str(), "alice".into())
        .await
        .unwrap();
    let Authorized::Redirect(url) = &answer else {
        panic!("a redirect")
    };
    let verifier = url
        .query_pairs()
        .find(|(k, _)| k == "oauth_verifier")
        .unwrap()
        .1
        .into_owned();
    assert!(!format!("{answer:?}").contains(&verifier));
}

/// RSA-SHA1 (§3.4.3): a client that registered a public key signs every leg with its
/// private key; the secrets play no part, and no other key passes.
#[cfg(feature = "rsa")]
mod rsa_sha1 {
    use super::*;
    use oauth1::RsaSha1;

    fn key(name: &str) -> RsaSha1 {
        let pem = match name {
            "oauthlib" => include_str!("../keys/oauthlib-private.pem"),
            _ => include_str!("../keys/oauthlib-another-private.pem"),
        };
        RsaSha1::from_pem(pem).unwrap()
    }

    #[tokio::test]
    async fn an_rsa_client_signs_the_three_legs_with_its_private_key() {
        let f = fixture();
        let rsa = key("oauthlib");
        let signing = Signing {
            callback: Some(CALLBACK),
            method: Some(&rsa),
            nonce: "r1",
            ..Signing::new("rsa-app")
        };
        let sent = signing.sign("POST", "/oauth/request_token", "");
        assert!(sent.authorization.contains("RSA-SHA1"));
        let form = form_of(
            &f.server
                .temporary_credentials(&sent.request())
                .await
                .unwrap(),
        );
        let temporary = RequestToken::new(&form["oauth_token"], &form["oauth_token_secret"]);
        let verifier = f.approve_as_alice(&temporary).await;
        let signing = Signing {
            token: Some(&temporary),
            verifier: Some(&verifier),
            method: Some(&rsa),
            nonce: "r2",
            ..Signing::new("rsa-app")
        };
        let sent = signing.sign("POST", "/oauth/access_token", "");
        let form = form_of(&f.server.token_credentials(&sent.request()).await.unwrap());
        let token = AccessToken::new(&form["oauth_token"], &form["oauth_token_secret"]);
        let signing = Signing {
            token: Some(&token),
            method: Some(&rsa),
            nonce: "r3",
            ..Signing::new("rsa-app")
        };
        let sent = signing.sign("POST", "/1.1/statuses/update.json", "status=hi");
        let protected = f.server.protect(&sent.request()).await.unwrap();
        assert_eq!(protected.token.user, "alice");
        // The same request again is a replay.
        let again = f.server.protect(&sent.request()).await;
        assert!(matches!(again, Err(ServerError::NonceReused)), "{again:?}");
    }

    #[tokio::test]
    async fn rsa_sha1_signed_with_another_private_key_is_refused() {
        let f = fixture();
        let forger = key("another");
        let signing = Signing {
            callback: Some(CALLBACK),
            method: Some(&forger),
            ..Signing::new("rsa-app")
        };
        let sent = signing.sign("POST", "/oauth/request_token", "");
        let refused = f.server.temporary_credentials(&sent.request()).await;
        assert!(
            matches!(refused, Err(ServerError::InvalidSignature)),
            "{refused:?}"
        );
        // The nonce of a refused request is not spent: the real client can still use it.
        let rsa = key("oauthlib");
        let signing = Signing {
            method: Some(&rsa),
            ..signing
        };
        let sent = signing.sign("POST", "/oauth/request_token", "");
        assert!(
            f.server
                .temporary_credentials(&sent.request())
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn rsa_sha1_from_a_client_without_a_public_key_is_refused() {
        let f = fixture();
        let rsa = key("oauthlib");
        let signing = Signing {
            callback: Some(CALLBACK),
            method: Some(&rsa),
            ..Signing::new("app")
        };
        let sent = signing.sign("POST", "/oauth/request_token", "");
        let refused = f.server.temporary_credentials(&sent.request()).await;
        assert!(
            matches!(
                &refused,
                Err(ServerError::BadRequest(oauth1::VerifyError::UnsupportedSignatureMethod(m))) if m == "RSA-SHA1"
            ),
            "{refused:?}"
        );
    }

    /// The server holds the client's shared secret too (it issued it): once a public key
    /// is registered, a signature made with that secret is refused, so whoever reads the
    /// server's tables still cannot sign as the client.
    #[tokio::test]
    async fn a_client_with_a_public_key_signs_with_its_private_key_only() {
        let f = fixture();
        for plaintext in [false, true] {
            let signing = Signing {
                callback: Some(CALLBACK),
                plaintext,
                ..Signing::new("rsa-app")
            };
            let sent = signing.sign("POST", "/oauth/request_token", "");
            let refused = f.server.temporary_credentials(&sent.request()).await;
            assert!(
                matches!(
                    &refused,
                    Err(ServerError::BadRequest(
                        oauth1::VerifyError::UnsupportedSignatureMethod(_)
                    ))
                ),
                "{refused:?}"
            );
        }
    }
}
