//! Two providers (Chirp and Warble) and the site, all in this process on port 0, each with
//! its own database; and a cookie-keeping client that does not follow redirects, which
//! plays the browser. Chirp's app also has OAuth 2.0 on (a confidential client), which
//! the site knows as `chirp2`.

use provider::store::apps::{self, AccessLevel, NewApp};
use provider::store::oauth2::clients::{self, ClientKind, NewClient};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use provider::users;
#[allow(unused_imports)]
pub use provider_testing::browser::{browser, browser_with_jar, follow, hidden, location, submit};
use provider_testing::proxy::Proxy;
use provider_testing::{Backend, TestDb};
use reqwest::StatusCode;

pub const PASSWORD: &str = "wonderland";
/// Chirp's OAuth 2.0 client, as the site is configured with it.
pub const OAUTH2_CLIENT_ID: &str = "chirp-oauth2-client";
pub const OAUTH2_CLIENT_SECRET: &str = "chirp-oauth2-secret";

pub struct Provider {
    /// Where the site and browsers reach it: its own address, or its proxy's.
    pub url: String,
    pub state: provider::AppState,
    /// Held for its `Drop`: the provider's database goes with the value.
    _db: TestDb,
    /// In front of the provider when the test wants to make it fail.
    pub proxy: Option<Proxy>,
    /// Set, the HTTP front holds back the provider's API calls (`/1.1/...`).
    pub api_stalled: Option<Arc<AtomicBool>>,
}

/// What stands between the site (and browsers) and a provider.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Front {
    Direct,
    /// A TCP [`Proxy`]: down or stalled as a whole.
    Tcp,
    /// An HTTP forwarder that can hold back the API calls only.
    Http,
}

/// Forwards HTTP to `target` from a port of its own; while the flag is set, requests
/// for `/1.1/...` get no answer. Its address and the flag.
async fn start_api_staller(
    target: std::net::SocketAddr,
) -> (std::net::SocketAddr, Arc<AtomicBool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stalled = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stalled);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let forward = move |request: axum::extract::Request| {
        let (flag, http) = (Arc::clone(&flag), http.clone());
        async move {
            let (parts, body) = request.into_parts();
            if flag.load(Ordering::SeqCst) && parts.uri.path().starts_with("/1.1/") {
                std::future::pending::<()>().await;
            }
            let body = axum::body::to_bytes(body, 1 << 20)
                .await
                .unwrap_or_default();
            let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            let mut forwarded = http
                .request(parts.method.clone(), format!("http://{target}{path}"))
                .body(body.to_vec());
            for (name, value) in &parts.headers {
                if name != "host" {
                    forwarded = forwarded.header(name, value);
                }
            }
            let Ok(response) = forwarded.send().await else {
                return axum::http::Response::builder()
                    .status(502)
                    .body(axum::body::Body::empty())
                    .unwrap();
            };
            let mut answer = axum::http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                answer = answer.header(name, value);
            }
            let bytes = response.bytes().await.unwrap_or_default();
            answer.body(axum::body::Body::from(bytes)).unwrap()
        }
    };
    let app = axum::Router::new().fallback(forward);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, stalled)
}

pub struct Site {
    pub url: String,
    /// The variables the site was started with.
    pub vars: Vec<(String, String)>,
    pub state: app::server::state::AppState,
    /// Held for its `Drop`, as the providers are: the site's database goes with the value.
    _db: TestDb,
    pub chirp: Provider,
    _warble: Provider,
}

impl Site {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.url, path.trim_start_matches('/'))
    }

    /// A POST to the site as its own pages make one: browsers send `Origin` on every
    /// form post and fetch, and the site refuses a state-changing request without it.
    pub fn post(&self, http: &reqwest::Client, path: &str) -> reqwest::RequestBuilder {
        http.post(self.url(path))
            .header("origin", self.url.trim_end_matches('/'))
    }

    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(&format!("select count(*) as n from {table}"))
            .fetch_one(&self.state.db)
            .await
            .unwrap()
            .try_get("n")
            .unwrap()
    }
}

async fn spawn_provider(
    backend: Backend,
    brand: &str,
    site: &str,
    key: &str,
    front: Front,
) -> Provider {
    let db = TestDb::new(backend).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (mut proxy, mut api_stalled, mut public_addr) = (None, None, addr);
    match front {
        Front::Direct => {}
        Front::Tcp => {
            let tcp = Proxy::start(addr).await;
            public_addr = tcp.addr;
            proxy = Some(tcp);
        }
        Front::Http => {
            let (front_addr, flag) = start_api_staller(addr).await;
            public_addr = front_addr;
            api_stalled = Some(flag);
        }
    }
    let public = format!("http://{public_addr}/");
    let vars = [
        ("PROVIDER_BRAND", brand.to_owned()),
        ("PROVIDER_LISTEN", addr.to_string()),
        ("PROVIDER_PUBLIC_URL", public.clone()),
        ("DATABASE_URL", db.url.clone()),
        ("NONCE_STORE", "memory".to_owned()),
    ];
    let config = provider::Config::from_lookup(|k| {
        vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    let state = provider::AppState::connect(config).await.unwrap();
    let alice = users::create(&state.db, "alice", &format!("Alice of {brand}"), PASSWORD)
        .await
        .unwrap();
    let app = apps::create(
        &state.db,
        NewApp {
            owner_id: alice.id,
            name: "Demo site",
            callbacks: &[format!("{site}authorize/{}", brand.to_lowercase())],
            access_level: AccessLevel::Write,
            consumer_key: Some(key),
            consumer_secret: Some(&format!("{key}-secret")),
        },
    )
    .await
    .unwrap();
    if brand == "Chirp" {
        clients::enable(
            &state.db,
            app.id,
            NewClient {
                kind: ClientKind::Confidential,
                redirect_uris: &[format!("{site}authorize/chirp2")],
                client_id: Some(OAUTH2_CLIENT_ID),
                client_secret: Some(OAUTH2_CLIENT_SECRET),
            },
        )
        .await
        .unwrap();
    }
    provider::spawn(state.clone(), listener).await.unwrap();
    Provider {
        url: public,
        state,
        _db: db,
        proxy,
        api_stalled,
    }
}

/// The site with Chirp and Warble, each on its own database of `backend`:
/// `site(Backend::Sqlite).spawn().await`, or with `.chirp_behind(front)` and `.vars(..)`.
pub fn site(backend: Backend) -> SiteBuilder {
    SiteBuilder {
        backend,
        front: Front::Direct,
        vars: Vec::new(),
        api_v2: Vec::new(),
    }
}

pub struct SiteBuilder {
    backend: Backend,
    front: Front,
    vars: Vec<(String, String)>,
    api_v2: Vec<String>,
}

impl SiteBuilder {
    /// Chirp behind `front`, so the test can stall or cut it.
    pub fn chirp_behind(mut self, front: Front) -> Self {
        self.front = front;
        self
    }

    /// Sets (or replaces) a site variable.
    pub fn var(mut self, key: &str, value: &str) -> Self {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.to_owned(), value.to_owned()));
        self
    }

    /// OAuth 1.0a remote `name`'s profile and posting through the provider's API v2
    /// (`{NAME}_API_V2_URL`), as with the real X.
    pub fn api_v2(mut self, name: &str) -> Self {
        self.api_v2.push(name.to_ascii_uppercase());
        self
    }

    /// The site's session store, temporary credentials and sign-ins under way in Redis
    /// (127.0.0.1:6379) under `prefix`.
    pub fn on_redis(self, prefix: &str) -> Self {
        let url = provider_testing::redis::url();
        self.var("SESSION_STORE", "redis")
            .var("PENDING_SIGN_IN_STORE", "redis")
            .var("REDIS_URL", &url)
            .var("REDIS_PREFIX", prefix)
    }

    pub async fn spawn(self) -> Site {
        let SiteBuilder {
            backend,
            front,
            vars: extra,
            api_v2,
        } = self;
        spawn_site_full(backend, front, |vars| {
            for name in api_v2 {
                let v1 = format!("{name}_API_BASE_URL");
                let base = vars.iter().find(|(k, _)| *k == v1).map(|(_, v)| v.clone());
                if let Some(base) = base {
                    vars.push((format!("{name}_API_V2_URL"), base.replace("/1.1/", "/2/")));
                }
            }
            for (k, v) in extra {
                vars.retain(|(n, _)| *n != k);
                vars.push((k, v));
            }
        })
        .await
    }
}

async fn spawn_site_full(
    backend: Backend,
    front: Front,
    adjust: impl FnOnce(&mut Vec<(String, String)>),
) -> Site {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url = format!("http://{addr}/");
    let chirp = spawn_provider(backend, "Chirp", &url, "chirp-key", front).await;
    let warble = spawn_provider(backend, "Warble", &url, "warble-key", Front::Direct).await;
    let db = TestDb::new(backend).await;
    let mut vars: Vec<(String, String)> = vec![
        ("SITE_LISTEN".into(), addr.to_string()),
        ("SITE_PUBLIC_URL".into(), url.clone()),
        ("DATABASE_URL".into(), db.url.clone()),
        ("SITE_REMOTES".into(), "chirp,warble,chirp2".into()),
        ("CHIRP2_CLIENT_ID".into(), OAUTH2_CLIENT_ID.into()),
        ("CHIRP2_CLIENT_SECRET".into(), OAUTH2_CLIENT_SECRET.into()),
        (
            "CHIRP2_AUTHORIZE_URL".into(),
            format!("{}i/oauth2/authorize", chirp.url),
        ),
        (
            "CHIRP2_ACCESS_TOKEN_URL".into(),
            format!("{}2/oauth2/token", chirp.url),
        ),
        (
            "CHIRP2_REFRESH_TOKEN_URL".into(),
            format!("{}2/oauth2/token", chirp.url),
        ),
        ("CHIRP2_API_BASE_URL".into(), format!("{}2/", chirp.url)),
        (
            "CHIRP2_REVOKE_URL".into(),
            format!("{}2/oauth2/revoke", chirp.url),
        ),
        (
            "CHIRP2_CLIENT_KWARGS".into(),
            "scope=tweet.read tweet.write users.read offline.access".into(),
        ),
    ];
    for (name, p, key) in [
        ("CHIRP", &chirp, "chirp-key"),
        ("WARBLE", &warble, "warble-key"),
    ] {
        vars.push((format!("{name}_CLIENT_ID"), key.into()));
        vars.push((format!("{name}_CLIENT_SECRET"), format!("{key}-secret")));
        vars.push((
            format!("{name}_REQUEST_TOKEN_URL"),
            format!("{}oauth/request_token", p.url),
        ));
        vars.push((
            format!("{name}_ACCESS_TOKEN_URL"),
            format!("{}oauth/access_token", p.url),
        ));
        vars.push((
            format!("{name}_AUTHORIZE_URL"),
            format!("{}oauth/authenticate", p.url),
        ));
        vars.push((format!("{name}_API_BASE_URL"), format!("{}1.1/", p.url)));
        vars.push((
            format!("{name}_REQUEST_TOKEN_PARAMS"),
            "x_auth_access_type=write".into(),
        ));
    }
    adjust(&mut vars);
    let lookup = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let root = lookup("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_owned());
    let state = app::server::build_state(&lookup, &root).await.unwrap();
    app::server::spawn(state.clone(), listener).await;
    Site {
        url,
        vars,
        state,
        _db: db,
        chirp,
        _warble: warble,
    }
}

/// A second instance of `site` on its own port: same database, same providers, same
/// public URL (as behind a load balancer). Its base URL and state.
pub async fn spawn_twin(site: &Site) -> (String, app::server::state::AppState) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut vars = site.vars.clone();
    for (k, v) in vars.iter_mut() {
        if k == "SITE_LISTEN" {
            *v = addr.to_string();
        }
    }
    let lookup = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let root = lookup("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_owned());
    let state = app::server::build_state(&lookup, &root).await.unwrap();
    app::server::spawn(state.clone(), listener).await;
    (format!("http://{addr}/"), state)
}

/// From the site's `/login/{remote}` to the provider's answer: signs in at the provider
/// as alice if asked, then clicks `decision` ("allow" or "deny") on the consent page if
/// shown. Returns the callback URL the provider sends the browser to.
pub async fn sign_in_at_provider(
    http: &reqwest::Client,
    site: &Site,
    remote: &str,
    decision: &str,
) -> String {
    let url = start_sign_in(http, site, remote).await;
    decide_at_provider(http, site, url, decision).await
}

/// The site's `/login/{remote}`: the provider URL it sends the browser to.
pub async fn start_sign_in(http: &reqwest::Client, site: &Site, remote: &str) -> String {
    let start = site.url(&format!("/login/{remote}"));
    let response = http.get(&start).send().await.unwrap();
    if response.status() != StatusCode::SEE_OTHER {
        panic!(
            "{start}: {}: {}",
            response.status(),
            response.text().await.unwrap()
        );
    }
    follow(&start, &location(&response))
}

/// At the provider, from the URL the site sent the browser to: signs in as alice if
/// asked, then clicks `decision` on the consent page if shown. The callback URL.
pub async fn decide_at_provider(
    http: &reqwest::Client,
    site: &Site,
    mut url: String,
    decision: &str,
) -> String {
    loop {
        let response = http.get(&url).send().await.unwrap();
        if response.status().is_redirection() {
            let next = follow(&url, &location(&response));
            if next.starts_with(&site.url) {
                return next;
            }
            url = next;
            continue;
        }
        let status = response.status();
        let page = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{url}: {page}");
        if page.contains("id=\"sign-in\"") {
            // `next` holds an OAuth 2 query with `&`s, which the page writes as `&#38;`.
            let next = hidden(&page, "next")
                .replace("&#38;", "&")
                .replace("&amp;", "&");
            let fields = [
                ("screen_name", "alice"),
                ("password", PASSWORD),
                ("next", next.as_str()),
            ];
            let response = submit(http, &url, &page, "/login", &fields).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            url = follow(&url, &location(&response));
        } else {
            assert!(page.contains("id=\"allow\""), "a consent page: {page}");
            let fields = [("decision", decision)];
            // The same consent page for both protocols, posted back where it came from.
            let action = if url.contains("/i/oauth2/") {
                "/i/oauth2/authorize"
            } else {
                "/oauth/authorize"
            };
            let response = submit(http, &url, &page, action, &fields).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            let next = follow(&url, &location(&response));
            assert!(next.starts_with(&site.url), "back to the site: {next}");
            return next;
        }
    }
}

pub async fn get_text(http: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let response = http.get(url).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}
