//! The rules of RFC 5849 §3.2 and §4 as the provider enforces them, over HTTP.

use crate::support;

use oauth1::encode::encode_form;
use oauth1::{AccessToken, Body, ClientCredentials, Nonce, Placement, Request, Signer, Timestamp};
use provider::store::apps::AccessLevel;
use provider::store::tokens;
use provider::users;
use reqwest::StatusCode;
use support::{Backend, TestProvider, spawn_provider};
use url::Url;

const CALLBACK: &str = "http://127.0.0.1:3000/authorize/chirp";

struct Fixture {
    provider: TestProvider,
    client: ClientCredentials,
    token: AccessToken,
    http: reqwest::Client,
}

async fn fixture_with(backend: Backend, level: AccessLevel) -> Fixture {
    let provider = spawn_provider(backend, "Chirp").await;
    let alice = support::alice_with_a_token(&provider.state, "Demo site", CALLBACK, level).await;
    Fixture {
        client: alice.client,
        token: alice.token,
        http: support::browser(),
        provider,
    }
}

async fn fixture(backend: Backend) -> Fixture {
    fixture_with(backend, AccessLevel::Write).await
}

impl Fixture {
    fn url(&self, path: &str) -> Url {
        Url::parse(&self.provider.url(path)).unwrap()
    }

    /// A signed request with a fresh nonce and the current time.
    fn signed(&self, method: &str, path: &str, form: Option<&str>) -> reqwest::RequestBuilder {
        self.signed_with(method, path, form, |s| s, Timestamp::now())
    }

    fn signed_with<'a>(
        &'a self,
        method: &str,
        path: &str,
        form: Option<&str>,
        adjust: impl FnOnce(Signer<'a>) -> Signer<'a>,
        timestamp: Timestamp,
    ) -> reqwest::RequestBuilder {
        let url = self.url(path);
        let body = form.map_or(Body::Empty, Body::Form);
        let signer = adjust(Signer::new(&self.client).token(&self.token));
        let signed = signer
            .sign(
                &Request {
                    method,
                    url: &url,
                    body,
                },
                &Nonce::generate(),
                timestamp,
            )
            .unwrap();
        send(&self.http, method, signed, form)
    }
}

fn send(
    http: &reqwest::Client,
    method: &str,
    signed: oauth1::SignedRequest,
    form: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut builder = http.request(method.parse().unwrap(), signed.url.as_str());
    if let Some(auth) = &signed.authorization {
        builder = builder.header("authorization", auth);
    }
    match signed.body.or(form.map(str::to_owned)) {
        Some(body) => builder
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
        None => builder,
    }
}

async fn twitter_error(response: reqwest::Response) -> (StatusCode, u64) {
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    (status, body["errors"][0]["code"].as_u64().unwrap())
}

const VERIFY: &str = "/1.1/account/verify_credentials.json";

#[tokio::test]
async fn a_well_signed_request_is_answered() {
    let fx = fixture(Backend::Sqlite).await;
    let response = fx.signed("GET", VERIFY, None).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let me: serde_json::Value = response.json().await.unwrap();
    assert_eq!(me["screen_name"], "alice");
}

#[tokio::test]
async fn parameters_in_two_locations_are_rejected() {
    let fx = fixture(Backend::Sqlite).await;
    let response = fx
        .signed("GET", &format!("{VERIFY}?oauth_nonce=extra"), None)
        .send()
        .await
        .unwrap();
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::BAD_REQUEST, 215)
    );
}

#[tokio::test]
async fn a_duplicated_protocol_parameter_is_rejected() {
    let fx = fixture(Backend::Sqlite).await;
    let url = fx.url(VERIFY);
    let signed = Signer::new(&fx.client)
        .token(&fx.token)
        .sign(
            &Request {
                method: "GET",
                url: &url,
                body: Body::Empty,
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let header = signed.authorization.unwrap() + ", oauth_nonce=\"again\"";
    let response = fx
        .http
        .get(url.as_str())
        .header("authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::BAD_REQUEST, 215)
    );
}

#[tokio::test]
async fn a_missing_parameter_is_rejected() {
    let fx = fixture(Backend::Sqlite).await;
    let url = fx.url(VERIFY);
    let signed = Signer::new(&fx.client)
        .token(&fx.token)
        .sign(
            &Request {
                method: "GET",
                url: &url,
                body: Body::Empty,
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let pairs: Vec<(&str, String)> = signed
        .oauth_params
        .into_iter()
        .filter(|(k, _)| *k != "oauth_nonce")
        .collect();
    let header = oauth1::header::render(None, pairs.iter().map(|(k, v)| (*k, v.as_str())));
    let response = fx
        .http
        .get(url.as_str())
        .header("authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::BAD_REQUEST, 215)
    );
}

#[tokio::test]
async fn an_unsupported_signature_method_is_rejected() {
    let fx = fixture(Backend::Sqlite).await;
    let url = fx.url(VERIFY);
    let signed = Signer::new(&fx.client)
        .token(&fx.token)
        .sign(
            &Request {
                method: "GET",
                url: &url,
                body: Body::Empty,
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let header = signed
        .authorization
        .unwrap()
        .replace("HMAC-SHA1", "RSA-SHA512");
    let response = fx
        .http
        .get(url.as_str())
        .header("authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::BAD_REQUEST, 215)
    );
}

#[tokio::test]
async fn a_version_other_than_1_0_is_rejected() {
    let fx = fixture(Backend::Sqlite).await;
    let url = fx.url(VERIFY);
    let signed = Signer::new(&fx.client)
        .token(&fx.token)
        .sign(
            &Request {
                method: "GET",
                url: &url,
                body: Body::Empty,
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let header = signed
        .authorization
        .unwrap()
        .replace("oauth_version=\"1.0\"", "oauth_version=\"2.0\"");
    let response = fx
        .http
        .get(url.as_str())
        .header("authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::BAD_REQUEST, 215)
    );
}

#[tokio::test]
async fn an_unknown_consumer_is_unauthorized() {
    let fx = fixture(Backend::Sqlite).await;
    let stranger = ClientCredentials::new("nobody", "nothing");
    let url = fx.url("/oauth/request_token");
    let signed = Signer::new(&stranger)
        .callback("oob")
        .sign(
            &Request {
                method: "POST",
                url: &url,
                body: Body::Empty,
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let response = send(&fx.http, "POST", signed, None).send().await.unwrap();
    assert!(response.headers().contains_key("www-authenticate"));
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::UNAUTHORIZED, 32)
    );
}

#[tokio::test]
async fn an_unknown_or_revoked_token_is_unauthorized() {
    let fx = fixture(Backend::Sqlite).await;
    // Used once first, so a cached grant would be there to outlive the revocation.
    let response = fx.signed("GET", VERIFY, None).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    tokens::revoke(
        &fx.provider.state.db,
        &fx.provider.state.grants,
        fx.token.token.as_str(),
    )
    .await
    .unwrap();
    let response = fx.signed("GET", VERIFY, None).send().await.unwrap();
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::UNAUTHORIZED, 89)
    );
}

#[tokio::test]
async fn a_bad_signature_is_unauthorized_with_a_challenge() {
    let mut fx = fixture(Backend::Sqlite).await;
    fx.token = AccessToken::new(fx.token.token.as_str(), "not-the-secret");
    let response = fx.signed("GET", VERIFY, None).send().await.unwrap();
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(challenge, format!("OAuth realm=\"{}\"", fx.provider.url));
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::UNAUTHORIZED, 32)
    );
}

#[tokio::test]
async fn timestamps_outside_the_window_are_unauthorized_both_ways() {
    let fx = fixture(Backend::Sqlite).await;
    let now = Timestamp::now().as_secs();
    for ts in [now - 301, now + 301] {
        let response = fx
            .signed_with("GET", VERIFY, None, |s| s, Timestamp::from_secs(ts))
            .send()
            .await
            .unwrap();
        assert_eq!(
            twitter_error(response).await,
            (StatusCode::UNAUTHORIZED, 135),
            "{ts}"
        );
    }
    for ts in [now - 290, now + 290] {
        let response = fx
            .signed_with("GET", VERIFY, None, |s| s, Timestamp::from_secs(ts))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{ts}");
    }
}

#[tokio::test]
async fn a_replayed_nonce_is_rejected() {
    let fx = fixture(Backend::Sqlite).await;
    let request = fx.signed("GET", VERIFY, None).build().unwrap();
    let replay = request.try_clone().unwrap();
    assert_eq!(
        fx.http.execute(request).await.unwrap().status(),
        StatusCode::OK
    );
    let response = fx.http.execute(replay).await.unwrap();
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::UNAUTHORIZED, 32)
    );
}

async fn of_50_concurrent_copies_exactly_one_succeeds(backend: Backend) {
    let fx = fixture(backend).await;
    let request = fx.signed("GET", VERIFY, None).build().unwrap();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (http, copy) = (fx.http.clone(), request.try_clone().unwrap());
        tasks.push(tokio::spawn(async move {
            http.execute(copy).await.unwrap().status()
        }));
    }
    let mut ok = 0;
    for task in tasks {
        let status = task.await.unwrap();
        assert!(
            status == StatusCode::OK || status == StatusCode::UNAUTHORIZED,
            "{status}"
        );
        ok += usize::from(status == StatusCode::OK);
    }
    assert_eq!(ok, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_50_concurrent_copies_of_a_request_exactly_one_succeeds_on_sqlite() {
    of_50_concurrent_copies_exactly_one_succeeds(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_50_concurrent_copies_of_a_request_exactly_one_succeeds_on_postgres() {
    of_50_concurrent_copies_exactly_one_succeeds(Backend::Postgres).await;
}

#[tokio::test]
async fn query_and_body_placements_are_accepted() {
    let fx = fixture(Backend::Sqlite).await;
    let response = fx
        .signed_with(
            "GET",
            VERIFY,
            None,
            |s| s.placement(Placement::Query),
            Timestamp::now(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let form = encode_form(&[("status", "placed in the body")]);
    let response = fx
        .signed_with(
            "POST",
            "/1.1/statuses/update.json",
            Some(&form),
            |s| s.placement(Placement::Body),
            Timestamp::now(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_base_string_uses_the_configured_public_url_not_the_host_header() {
    let fx = fixture(Backend::Sqlite).await;
    // Signed for another URL than the configured public one: refused even though the
    // Host header claims that other URL.
    let mut spoofed = fx.url(VERIFY);
    spoofed.set_host(Some("chirp.example")).unwrap();
    let signed = Signer::new(&fx.client)
        .token(&fx.token)
        .sign(
            &Request {
                method: "GET",
                url: &spoofed,
                body: Body::Empty,
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let response = fx
        .http
        .get(fx.url(VERIFY).as_str())
        .header("authorization", signed.authorization.unwrap())
        .header("host", "chirp.example")
        .header("x-forwarded-host", "chirp.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::UNAUTHORIZED, 32)
    );
}

#[tokio::test]
async fn statuses_can_be_posted_listed_and_destroyed() {
    let fx = fixture(Backend::Sqlite).await;
    let form = encode_form(&[(
        "status",
        "Hello Ladies + Gentlemen, a signed OAuth request!",
    )]);
    let response = fx
        .signed("POST", "/1.1/statuses/update.json", Some(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let posted: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        posted["text"],
        "Hello Ladies + Gentlemen, a signed OAuth request!"
    );
    assert_eq!(posted["source"], "Demo site");
    let id = posted["id_str"].as_str().unwrap().to_owned();

    let timeline: serde_json::Value = fx
        .signed(
            "GET",
            "/1.1/statuses/user_timeline.json?screen_name=alice&count=5",
            None,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(timeline[0]["id_str"], id.as_str());
    let home: serde_json::Value = fx
        .signed("GET", "/1.1/statuses/home_timeline.json", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(home.as_array().unwrap().len(), 1);

    let path = format!("/1.1/statuses/destroy/{id}.json");
    let response = fx.signed("POST", &path, None).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = fx.signed("POST", &path, None).send().await.unwrap();
    assert_eq!(twitter_error(response).await, (StatusCode::NOT_FOUND, 144));
}

#[tokio::test]
async fn a_status_over_280_characters_is_refused() {
    let fx = fixture(Backend::Sqlite).await;
    let form = encode_form(&[("status", "é".repeat(281))]);
    let response = fx
        .signed("POST", "/1.1/statuses/update.json", Some(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(twitter_error(response).await, (StatusCode::FORBIDDEN, 186));
}

#[tokio::test]
async fn a_read_only_token_cannot_post() {
    let fx = fixture_with(Backend::Sqlite, AccessLevel::Read).await;
    let form = encode_form(&[("status", "hi")]);
    let response = fx
        .signed("POST", "/1.1/statuses/update.json", Some(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(twitter_error(response).await, (StatusCode::FORBIDDEN, 261));
}

#[tokio::test]
async fn invalidate_token_revokes_the_signing_token() {
    let fx = fixture(Backend::Sqlite).await;
    let response = fx
        .signed("POST", "/1.1/oauth/invalidate_token", None)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let response = fx.signed("GET", VERIFY, None).send().await.unwrap();
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::UNAUTHORIZED, 89)
    );
}

#[tokio::test]
async fn a_rotated_token_is_refused_at_once_though_it_was_just_used() {
    let fx = fixture(Backend::Sqlite).await;
    let response = fx.signed("GET", VERIFY, None).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let state = &fx.provider.state;
    let app = provider::store::apps::by_consumer_key(&state.db, fx.client.key.as_str())
        .await
        .unwrap()
        .unwrap();
    let alice = users::by_screen_name(&state.db, "alice")
        .await
        .unwrap()
        .unwrap();
    // Signing in again rotates the token (what the access-token endpoint does).
    tokens::issue_access_token(
        &state.db,
        &state.grants,
        app.id,
        alice.id,
        AccessLevel::Write,
    )
    .await
    .unwrap();
    let response = fx.signed("GET", VERIFY, None).send().await.unwrap();
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::UNAUTHORIZED, 89)
    );
}

#[tokio::test]
async fn request_token_needs_a_registered_callback_or_oob() {
    let fx = fixture(Backend::Sqlite).await;
    let url = fx.url("/oauth/request_token");
    for (callback, expected) in [
        ("http://127.0.0.1:3000/elsewhere", StatusCode::FORBIDDEN),
        (CALLBACK, StatusCode::OK),
        ("oob", StatusCode::OK),
    ] {
        let signed = Signer::new(&fx.client)
            .callback(callback)
            .sign(
                &Request {
                    method: "POST",
                    url: &url,
                    body: Body::Empty,
                },
                &Nonce::generate(),
                Timestamp::now(),
            )
            .unwrap();
        let response = send(&fx.http, "POST", signed, None).send().await.unwrap();
        assert_eq!(response.status(), expected, "{callback}");
        if expected == StatusCode::OK {
            assert_eq!(response.headers()["cache-control"], "no-store");
            let body = oauth1::encode::decode_form(&response.text().await.unwrap());
            assert!(body.contains(&("oauth_callback_confirmed".into(), "true".into())));
        } else {
            assert_eq!(twitter_error(response).await, (StatusCode::FORBIDDEN, 415));
        }
    }
}

/// An app whose developer pasted a public key on the developer page: the three legs and
/// an API call signed with RSA-SHA1 (RFC 5849 §3.4.3), its private key in place of the
/// consumer and token secrets. Another private key, or a replay, is refused.
/// Alice registers an app on the developer page with oauthlib's test public key (after
/// a private key pasted there is refused): its consumer key.
async fn register_an_rsa_app(provider: &TestProvider, http: &reqwest::Client) -> String {
    let alice = users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    support::sign_in(http, provider, "alice", "wonderland").await;
    let csrf = support::csrf_of(&support::page(http, provider, "/developer/apps").await);
    let register = |key: &'static str| {
        http.post(provider.url("/developer/apps")).form(&[
            ("csrf", csrf.as_str()),
            ("name", "RSA site"),
            ("callbacks", CALLBACK),
            ("access", "write"),
            ("rsa_public_key", key),
        ])
    };
    // A private key pasted where the public one goes is refused, and nothing registered.
    let refused = register(include_str!(
        "../../../client-lib/tests/keys/oauthlib-private.pem"
    ))
    .send()
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("RSA-SHA1 public key was not saved")
    );
    let public = include_str!("../../../client-lib/tests/keys/oauthlib-public-spki.pem");
    let created = register(public).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    let apps = provider::store::apps::by_owner(&provider.state.db, alice.id)
        .await
        .unwrap();
    assert_eq!(apps.len(), 1);
    let listed = support::page(http, provider, "/developer/apps").await;
    assert!(listed.contains("a public key is registered"), "{listed}");

    apps[0].consumer_key.as_str().to_owned()
}

async fn an_rsa_app_signs_every_leg_with_its_private_key(backend: Backend) {
    let provider = spawn_provider(backend, "Chirp").await;
    let http = support::browser();
    let consumer_key = register_an_rsa_app(&provider, &http).await;
    let rsa = oauth1::RsaSha1::from_pem(include_str!(
        "../../../client-lib/tests/keys/oauthlib-private.pem"
    ))
    .unwrap();
    // The consumer secret is not what signs: a wrong one changes nothing.
    let client = ClientCredentials::new(consumer_key, "not-the-secret");
    let url = |path: &str| Url::parse(&provider.url(path)).unwrap();
    let sign = |signer: Signer<'_>, method: &str, url: &Url| {
        signer
            .method(&rsa)
            .sign(
                &Request {
                    method,
                    url,
                    body: Body::Empty,
                },
                &Nonce::generate(),
                Timestamp::now(),
            )
            .unwrap()
    };
    let form = |text: String| -> std::collections::HashMap<String, String> {
        url::form_urlencoded::parse(text.as_bytes())
            .into_owned()
            .collect()
    };

    let leg1 = url("/oauth/request_token");
    let signed = sign(Signer::new(&client).callback(CALLBACK), "POST", &leg1);
    let response = send(&http, "POST", signed, None).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let temporary = form(response.text().await.unwrap());
    let verifier = support::approve(&http, &provider, &temporary["oauth_token"]).await;

    let request_token = oauth1::RequestToken::new(&temporary["oauth_token"], "unused");
    let leg3 = url("/oauth/access_token");
    let signed = sign(
        Signer::new(&client)
            .token(&request_token)
            .verifier(&verifier),
        "POST",
        &leg3,
    );
    let response = send(&http, "POST", signed, None).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let access = form(response.text().await.unwrap());
    assert_eq!(access["screen_name"], "alice");

    let token = AccessToken::new(&access["oauth_token"], "unused");
    let api = url(VERIFY);
    let signed = sign(Signer::new(&client).token(&token), "GET", &api);
    let response = send(&http, "GET", signed.clone(), None)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let replayed = send(&http, "GET", signed, None).send().await.unwrap();
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED);

    let forger = oauth1::RsaSha1::from_pem(include_str!(
        "../../../client-lib/tests/keys/oauthlib-another-private.pem"
    ))
    .unwrap();
    let forged = Signer::new(&client)
        .token(&token)
        .method(&forger)
        .sign(
            &Request {
                method: "GET",
                url: &api,
                body: Body::Empty,
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let response = send(&http, "GET", forged, None).send().await.unwrap();
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::UNAUTHORIZED, 32)
    );
}

#[tokio::test]
async fn an_rsa_app_signs_every_leg_with_its_private_key_on_sqlite() {
    an_rsa_app_signs_every_leg_with_its_private_key(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_rsa_app_signs_every_leg_with_its_private_key_on_postgres() {
    an_rsa_app_signs_every_leg_with_its_private_key(Backend::Postgres).await;
}
