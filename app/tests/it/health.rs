//! The site's probes and static files: `/healthz`, `/readyz`, the favicon, and `/pkg`
//! served precompressed with a year's `immutable` caching for content-hashed names, while
//! pages are `no-cache`.

use std::io::Write as _;

use provider_testing::{Backend, TestDb};

const JS: &str = "app.0123456789abcdef0123.js";

struct Site {
    url: String,
    state: app::server::state::AppState,
    _db: TestDb,
    _root: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A site root with a hashed script (plain and gzip-compressed) and the unhashed CSS.
fn site_root() -> TempDir {
    let dir = std::env::temp_dir().join(format!(
        "site-health-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join(JS), "console.log('plain');\n").unwrap();
    let gz = flate_gzip(b"console.log('compressed');\n");
    std::fs::File::create(pkg.join(format!("{JS}.gz")))
        .unwrap()
        .write_all(&gz)
        .unwrap();
    std::fs::write(pkg.join("app.css"), "body {}\n").unwrap();
    TempDir(dir)
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// The bytes ServeDir sends for a `.gz` file are the file's: any bytes do for the test.
fn flate_gzip(text: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b];
    out.extend_from_slice(text);
    out
}

async fn spawn(hash_files: bool) -> Site {
    let root = site_root();
    let db = TestDb::new(Backend::Sqlite).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url = format!("http://{addr}/");
    let vars = [
        ("SITE_LISTEN", addr.to_string()),
        ("SITE_PUBLIC_URL", url.clone()),
        ("DATABASE_URL", db.url.clone()),
        ("SITE_REMOTES", "chirp".into()),
        ("CHIRP_CLIENT_ID", "key".into()),
        ("CHIRP_CLIENT_SECRET", "secret".into()),
        ("LEPTOS_HASH_FILES", hash_files.to_string()),
    ];
    let lookup = |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    let state = app::server::build_state(&lookup, root.0.to_str().unwrap())
        .await
        .unwrap();
    app::server::spawn(state.clone(), listener).await;
    Site {
        url,
        state,
        _db: db,
        _root: root,
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn hashed_files_are_immutable_and_sent_precompressed_to_browsers_that_accept_it() {
    let site = spawn(true).await;
    let url = format!("{}pkg/{JS}", site.url);
    let gzip = http()
        .get(&url)
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.status(), 200);
    assert_eq!(header(&gzip, "content-encoding"), "gzip");
    assert_eq!(
        header(&gzip, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header(&gzip, "vary"), "accept-encoding");
    assert!(header(&gzip, "content-type").contains("javascript"));
    assert_eq!(
        &gzip.bytes().await.unwrap()[..],
        &flate_gzip(b"console.log('compressed');\n")[..]
    );

    let plain = http().get(&url).send().await.unwrap();
    assert_eq!(header(&plain, "content-encoding"), "");
    assert_eq!(
        header(&plain, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(plain.text().await.unwrap(), "console.log('plain');\n");
}

#[tokio::test]
async fn unhashed_and_missing_files_are_revalidated_not_cached_for_a_year() {
    let site = spawn(true).await;
    let css = http()
        .get(format!("{}pkg/app.css", site.url))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(header(&css, "cache-control"), "no-cache");
    let missing = http()
        .get(format!("{}pkg/app.ffffffffffffffffffff.js", site.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, "cache-control"), "no-cache");
}

#[tokio::test]
async fn without_hashed_names_nothing_is_immutable() {
    // `cargo leptos watch` serves the same names build after build.
    let site = spawn(false).await;
    let js = http()
        .get(format!("{}pkg/{JS}", site.url))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
    assert_eq!(header(&js, "cache-control"), "no-cache");
}

#[tokio::test]
async fn pages_are_no_cache_and_link_the_favicon() {
    let site = spawn(false).await;
    let page = http().get(&site.url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(header(&page, "cache-control"), "no-cache");
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"<link rel="icon" type="image/svg+xml" href="/favicon.svg">"#),
        "{html}"
    );
    assert!(html.contains(r#"href="/pkg/app.css""#), "{html}");
    let icon = http()
        .get(format!("{}favicon.svg", site.url))
        .send()
        .await
        .unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(header(&icon, "content-type"), "image/svg+xml");
    assert!(icon.text().await.unwrap().starts_with("<svg"));
    let ico = http()
        .get(format!("{}favicon.ico", site.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ico.status(), 200);
}

#[tokio::test]
async fn probes_answer_for_any_host_name_and_readyz_names_a_missing_database() {
    let site = spawn(false).await;
    // A container's health check asks for 127.0.0.1 whatever SITE_PUBLIC_URL says (pages
    // asked for under another host name are redirected there; the probes are not).
    let other_host = |path: &str| {
        http()
            .get(format!("{}{path}", site.url))
            .header("host", "elsewhere.example")
            .send()
    };
    let live = other_host("healthz").await.unwrap();
    assert_eq!(live.status(), 200);
    assert_eq!(header(&live, "cache-control"), "no-store");
    assert!(
        header(&live, "set-cookie").is_empty(),
        "no cookie on a probe"
    );
    assert_eq!(live.text().await.unwrap(), "ok\n");
    let ready = other_host("readyz").await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready\n");

    site.state.db.close().await;
    let ready = http()
        .get(format!("{}readyz", site.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    assert!(ready.text().await.unwrap().starts_with("database: "));
    let live = http()
        .get(format!("{}healthz", site.url))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
}

#[test]
fn only_names_with_a_content_hash_count_as_hashed() {
    use app::server::http::ops::is_hashed;
    assert!(is_hashed("/app.0123456789abcdef0123.js"));
    assert!(is_hashed("/pkg/app.0123456789abcdef.wasm"));
    assert!(!is_hashed("/app.css"));
    assert!(!is_hashed("/app_bg.wasm"));
    assert!(!is_hashed("/app.min.js"));
    assert!(!is_hashed("/snippets/leptos-1234/inline0.js"));
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_given_one_is_kept() {
    let site = spawn(false).await;
    let page = http().get(&site.url).send().await.unwrap();
    let id = header(&page, "x-request-id");
    assert_eq!(id.len(), 36, "a UUID: {id:?}");
    let other = http().get(&site.url).send().await.unwrap();
    assert_ne!(header(&other, "x-request-id"), id, "one per request");
    let given = http()
        .get(format!("{}healthz", site.url))
        .header("x-request-id", "from-the-proxy-42")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&given, "x-request-id"), "from-the-proxy-42");
}

#[test]
fn logged_configuration_hides_passwords_in_urls() {
    use app::server::plumbing::logging::redact_passwords;
    assert_eq!(
        redact_passwords("postgres://postgres:demo@postgres:5432/site"),
        "postgres://postgres:[redacted]@postgres:5432/site"
    );
    assert_eq!(
        redact_passwords(r#"Redis("redis://:s3cret@redis:6379/")"#),
        r#"Redis("redis://:[redacted]@redis:6379/")"#
    );
    assert_eq!(
        redact_passwords("sqlite://data/site.db and redis://redis:6379/"),
        "sqlite://data/site.db and redis://redis:6379/"
    );
}

/// Nothing is created on disk before the configuration is known to be good: a remote
/// without its client id stops the site, naming the remote, before its SQLite file (or
/// the file's folder) exists.
#[tokio::test]
async fn a_bad_remote_stops_the_site_before_it_creates_its_database() {
    let dir = std::env::temp_dir().join(format!("site-start-{}", std::process::id()));
    let file = dir.join("data").join("site.db");
    let vars = [
        ("DATABASE_URL", format!("sqlite://{}", file.display())),
        ("SITE_REMOTES", "chirp".to_owned()),
    ];
    let lookup = |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    let err = match app::server::build_state(&lookup, "target/site").await {
        Ok(_) => panic!("a remote without a client id was accepted"),
        Err(err) => err.to_string(),
    };
    assert!(err.contains("chirp"), "{err}");
    assert!(
        !dir.exists(),
        "{} was created before the settings were checked",
        dir.display()
    );
}

/// cargo-leptos' watch mode: its reload port reaches the page's `<AutoReload>`.
#[tokio::test]
async fn cargo_leptos_watch_s_reload_port_is_taken() {
    let db = TestDb::new(Backend::Sqlite).await;
    let vars = [
        ("DATABASE_URL", db.url.clone()),
        ("SITE_REMOTES", "chirp".to_owned()),
        ("CHIRP_CLIENT_ID", "key".to_owned()),
        ("CHIRP_CLIENT_SECRET", "secret".to_owned()),
        ("LEPTOS_RELOAD_PORT", "3017".to_owned()),
    ];
    let lookup = |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    let state = match app::server::build_state(&lookup, "target/site").await {
        Ok(state) => state,
        Err(err) => panic!("{err}"),
    };
    assert_eq!(state.leptos_options.reload_port, 3017);
}
