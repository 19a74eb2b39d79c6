//! Two provider instances behind one public URL, on one Postgres database and one Redis:
//! what one instance records (nonces, request tokens, approvals, sessions, revocations)
//! holds on the other at once. Sessions are in the database, or in Redis
//! (`SESSION_STORE=redis`) where a test says so.

use crate::support;

use oauth1::{
    AccessToken, Body, ClientCredentials, Nonce, Request, RequestToken, Signer, Timestamp,
};
use provider::store::apps::AccessLevel;
use provider_testing::redis as test_redis;
use reqwest::StatusCode;
use support::{
    Alice, Backend, TestDb, TestProvider, alice_with_a_token, approve, browser, sign_in,
    spawn_instance,
};

/// The URL clients sign for; a load balancer would send them to either instance.
const PUBLIC: &str = "http://chirp.test/";
const CALLBACK: &str = "http://127.0.0.1:3000/authorize/chirp";
const VERIFY: &str = "/1.1/account/verify_credentials.json";

struct Cluster {
    a: TestProvider,
    b: TestProvider,
    client: ClientCredentials,
    token: AccessToken,
    redis_prefix: String,
    _db: TestDb,
}

async fn cluster() -> Cluster {
    cluster_with_sessions_in("sql").await
}

/// Two instances with `SESSION_STORE` set to `sessions`.
async fn cluster_with_sessions_in(sessions: &str) -> Cluster {
    let db = TestDb::new(Backend::Postgres).await;
    let redis_prefix = test_redis::prefix("instances");
    let redis_url = test_redis::url();
    let vars = [
        ("PROVIDER_PUBLIC_URL", PUBLIC),
        ("NONCE_STORE", "redis"),
        ("REDIS_URL", redis_url.as_str()),
        ("REDIS_PREFIX", redis_prefix.as_str()),
        ("SESSION_STORE", sessions),
    ];
    let a = spawn_instance(&db.url, "Chirp", &vars).await;
    let b = spawn_instance(&db.url, "Chirp", &vars).await;
    let Alice { client, token, .. } =
        alice_with_a_token(&a.state, "Demo site", CALLBACK, AccessLevel::Write).await;
    Cluster {
        a,
        b,
        client,
        token,
        redis_prefix,
        _db: db,
    }
}

impl Cluster {
    /// This test's Redis keys matching `pattern` after its prefix.
    async fn redis_keys(&self, pattern: &str) -> Vec<String> {
        test_redis::keys(&format!("{}{pattern}", self.redis_prefix)).await
    }

    /// Removes this test's nonces and sessions from Redis.
    async fn clean_redis(&self) {
        test_redis::delete_all(&self.redis_prefix).await;
    }
}

/// The `Authorization` header of a request to `path`, signed for the public URL.
fn authorization(signer: Signer<'_>, method: &str, path: &str, nonce: &Nonce) -> String {
    let url = url::Url::parse(&format!("{PUBLIC}{}", path.trim_start_matches('/'))).unwrap();
    signer
        .authorization(
            &Request {
                method,
                url: &url,
                body: Body::Empty,
            },
            nonce,
            Timestamp::now(),
        )
        .unwrap()
}

async fn send(
    instance: &TestProvider,
    method: &str,
    path: &str,
    header: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .request(method.parse().unwrap(), instance.url(path))
        .header("authorization", header)
        .send()
        .await
        .unwrap()
}

fn form_field(body: &str, name: &str) -> String {
    oauth1::encode::decode_form(body)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("{name} in {body:?}"))
}

/// Leg 1 on `instance`: fresh temporary credentials.
async fn request_token(c: &Cluster, instance: &TestProvider) -> RequestToken {
    let signer = Signer::new(&c.client).callback(CALLBACK);
    let header = authorization(signer, "POST", "/oauth/request_token", &Nonce::generate());
    let response = send(instance, "POST", "/oauth/request_token", &header).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    RequestToken::new(
        form_field(&body, "oauth_token"),
        form_field(&body, "oauth_token_secret"),
    )
}

async fn exchange(
    c: &Cluster,
    instance: &TestProvider,
    temporary: &RequestToken,
    verifier: &str,
) -> reqwest::Response {
    let signer = Signer::new(&c.client).token(temporary).verifier(verifier);
    let header = authorization(signer, "POST", "/oauth/access_token", &Nonce::generate());
    send(instance, "POST", "/oauth/access_token", &header).await
}

async fn verify_credentials(
    c: &Cluster,
    instance: &TestProvider,
    token: &AccessToken,
) -> StatusCode {
    let header = authorization(
        Signer::new(&c.client).token(token),
        "GET",
        VERIFY,
        &Nonce::generate(),
    );
    send(instance, "GET", VERIFY, &header).await.status()
}

#[tokio::test]
async fn a_nonce_used_on_one_instance_is_rejected_on_the_other() {
    let c = cluster().await;
    let header = authorization(
        Signer::new(&c.client).token(&c.token),
        "GET",
        VERIFY,
        &Nonce::generate(),
    );
    assert_eq!(
        send(&c.a, "GET", VERIFY, &header).await.status(),
        StatusCode::OK
    );
    let replay = send(&c.b, "GET", VERIFY, &header).await;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    c.clean_redis().await;
}

/// The owner signs in on A; the session lives in the shared store, so B knows them.
async fn flow_across_instances(sessions: &str) {
    let c = cluster_with_sessions_in(sessions).await;
    let temporary = request_token(&c, &c.a).await;
    let http = browser();
    sign_in(&http, &c.a, "alice", "wonderland").await;
    let verifier = approve(&http, &c.b, temporary.token.as_str()).await;
    let response = exchange(&c, &c.b, &temporary, &verifier).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    assert_eq!(form_field(&body, "screen_name"), "alice");
    let token = AccessToken::new(
        form_field(&body, "oauth_token"),
        form_field(&body, "oauth_token_secret"),
    );
    assert_eq!(verify_credentials(&c, &c.a, &token).await, StatusCode::OK);
    let sessions_in_redis = c.redis_keys("session:*").await.len();
    assert_eq!(sessions_in_redis, usize::from(sessions == "redis"));
    c.clean_redis().await;
}

#[tokio::test]
async fn a_flow_begun_on_one_instance_is_authorized_and_exchanged_on_the_other() {
    flow_across_instances("sql").await;
}

#[tokio::test]
async fn with_sessions_in_redis_a_flow_crosses_instances_too() {
    flow_across_instances("redis").await;
}

#[tokio::test]
async fn a_token_revoked_on_one_instance_is_refused_on_the_other_at_once() {
    let c = cluster().await;
    assert_eq!(verify_credentials(&c, &c.b, &c.token).await, StatusCode::OK);
    let header = authorization(
        Signer::new(&c.client).token(&c.token),
        "POST",
        "/1.1/oauth/invalidate_token",
        &Nonce::generate(),
    );
    let revoked = send(&c.a, "POST", "/1.1/oauth/invalidate_token", &header).await;
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(
        verify_credentials(&c, &c.b, &c.token).await,
        StatusCode::UNAUTHORIZED
    );
    c.clean_redis().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_50_concurrent_exchanges_of_one_verifier_across_instances_exactly_one_gets_a_token() {
    let c = cluster().await;
    let temporary = request_token(&c, &c.a).await;
    let http = browser();
    sign_in(&http, &c.a, "alice", "wonderland").await;
    let verifier = approve(&http, &c.a, temporary.token.as_str()).await;
    // Every copy signed on its own (a fresh nonce), half sent to each instance.
    let http = reqwest::Client::new();
    let mut tasks = Vec::new();
    for i in 0..50 {
        let instance = if i % 2 == 0 { &c.a } else { &c.b };
        let signer = Signer::new(&c.client).token(&temporary).verifier(&verifier);
        let header = authorization(signer, "POST", "/oauth/access_token", &Nonce::generate());
        let request = http
            .post(instance.url("/oauth/access_token"))
            .header("authorization", header);
        tasks.push(tokio::spawn(async move {
            request.send().await.unwrap().status()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let granted = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(granted, 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    c.clean_redis().await;
}
