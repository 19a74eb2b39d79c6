//! The headers every response of the site carries, whichever route answers it (pages,
//! the sign-in routes, server functions, and the probes, the favicon and `/pkg` outside
//! the page guards): no framing, no type sniffing, no URL of ours in another site's
//! `Referer`; on pages, scripts only from the site and with this response's nonce; and a
//! request id that is ours to log.

use crate::support;

use provider_testing::Backend;
use reqwest::StatusCode;
use support::{Site, browser, site};

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The site, serving `/pkg/app.css` from a folder of its own.
async fn spawn() -> (Site, TempDir) {
    use std::hash::{BuildHasher, RandomState};
    let suffix = RandomState::new().hash_one(std::time::SystemTime::now());
    let root = std::env::temp_dir().join(format!("site-headers-{}-{suffix}", std::process::id()));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/app.css"), "body {}\n").unwrap();
    let site = site(Backend::Sqlite)
        .var("LEPTOS_SITE_ROOT", root.to_str().unwrap())
        .spawn()
        .await;
    (site, TempDir(root))
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn no_response_of_the_site_can_be_framed_sniffed_or_leak_its_url_as_a_referrer() {
    let (site, _root) = spawn().await;
    let http = browser();
    let origin = site.url.trim_end_matches('/').to_owned();
    let port = url::Url::parse(&site.url).unwrap().port().unwrap();
    let requests = [
        ("GET", "/", None),
        ("GET", "/playground", None),
        ("GET", "/nowhere", None),
        ("GET", "/login/nope", None),
        ("GET", "/pkg/app.css", None),
        ("GET", "/pkg/missing.js", None),
        ("GET", "/healthz", None),
        ("GET", "/readyz", None),
        ("GET", "/favicon.svg", None),
        ("GET", "/favicon.ico", None),
        // The redirect to the public host name, and a server function.
        ("GET", "/accounts", Some(format!("localhost:{port}"))),
        ("POST", "/api/load_home", None),
    ];
    for (method, path, host) in requests {
        let mut request = match method {
            "POST" => http.post(site.url(path)).header("origin", &origin),
            _ => http.get(site.url(path)),
        };
        if let Some(host) = host {
            request = request.header("host", host);
        }
        let response = request.send().await.unwrap();
        let what = format!("{method} {path}: {}", response.status());
        assert_eq!(header(&response, "x-frame-options"), "DENY", "{what}");
        assert!(
            header(&response, "content-security-policy").contains("frame-ancestors 'none'"),
            "{what}"
        );
        assert_eq!(
            header(&response, "x-content-type-options"),
            "nosniff",
            "{what}"
        );
        assert_eq!(
            header(&response, "referrer-policy"),
            "same-origin",
            "{what}"
        );
    }
}

/// The nonce a page's `script-src` names, checked against the policy's other parts.
fn script_nonce(policy: &str) -> String {
    let directive = |name: &str| {
        policy
            .split(';')
            .map(str::trim)
            .find(|d| d.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} in {policy:?}"))
            .to_owned()
    };
    let scripts = directive("script-src");
    let sources: Vec<&str> = scripts.split_whitespace().skip(1).collect();
    assert!(sources.contains(&"'self'"), "{policy}");
    assert!(sources.contains(&"'wasm-unsafe-eval'"), "{policy}");
    assert!(
        !sources.contains(&"'unsafe-inline'") && !sources.contains(&"'unsafe-eval'"),
        "{policy}"
    );
    assert_eq!(directive("object-src"), "object-src 'none'");
    assert_eq!(directive("base-uri"), "base-uri 'none'");
    assert_eq!(directive("frame-ancestors"), "frame-ancestors 'none'");
    let nonces: Vec<&str> = sources
        .iter()
        .filter_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\''))
        .collect();
    assert_eq!(nonces.len(), 1, "{policy}");
    assert!(nonces[0].len() >= 22, "128 bits at least: {policy}");
    nonces[0].to_owned()
}

/// Every `<script` of `html` carries `nonce="{nonce}"`; how many there are.
fn scripts_carry(html: &str, nonce: &str) -> usize {
    let tags: Vec<&str> = html
        .split("<script")
        .skip(1)
        .map(|rest| &rest[..rest.find('>').unwrap_or(rest.len())])
        .collect();
    for tag in &tags {
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "<script{tag}> in {html}"
        );
    }
    tags.len()
}

/// Defence in depth for markup that gets into a page: an injected `<script>` or event
/// handler does not run, since only the site's files and the inline scripts bearing this
/// response's nonce may (Leptos' hydration scripts, `leptos::nonce`).
#[tokio::test]
async fn a_page_runs_only_the_sites_own_scripts_and_those_with_this_responses_nonce() {
    let (site, _root) = spawn().await;
    let http = browser();
    let mut seen = Vec::new();
    for path in [
        "/",
        "/",
        "/playground",
        "/debugger?example=other-scheme",
        "/how-it-works",
        "/nowhere",
    ] {
        let response = http.get(site.url(path)).send().await.unwrap();
        let nonce = script_nonce(&header(&response, "content-security-policy"));
        let html = response.text().await.unwrap();
        assert!(
            scripts_carry(&html, &nonce) >= 1,
            "{path}: the hydration script"
        );
        assert!(
            !seen.contains(&nonce),
            "a new nonce for each response: {path}"
        );
        seen.push(nonce);
    }
    // A page rendered from a form post, and a page outside Leptos.
    let response = http
        .post(site.url("/playground"))
        .header("origin", site.url.trim_end_matches('/'))
        .form(&[("method", "GET"), ("url", "https://api.example.com/a")])
        .send()
        .await
        .unwrap();
    let nonce = script_nonce(&header(&response, "content-security-policy"));
    assert!(scripts_carry(&response.text().await.unwrap(), &nonce) >= 1);
    let response = http.get(site.url("/login/nope")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    script_nonce(&header(&response, "content-security-policy"));
}

/// `X-Request-Id` is copied into every log line of the request and onto the response:
/// one from outside is kept only if it is short and plain, else the site makes its own.
#[tokio::test]
async fn a_long_or_strange_request_id_is_replaced_by_one_of_the_sites_own() {
    let (site, _root) = spawn().await;
    let http = browser();
    let id_for = |given: String| {
        let request = http.get(site.url("/healthz")).header("x-request-id", given);
        async move { header(&request.send().await.unwrap(), "x-request-id") }
    };
    for kept in ["from-the-proxy-42", "A.b_c-9", &"x".repeat(64)] {
        assert_eq!(id_for(kept.to_owned()).await, kept);
    }
    let long = "x".repeat(60 * 1024);
    for refused in [
        long.as_str(),
        &"x".repeat(65),
        "two words",
        "a\"b",
        "é",
        "a/b",
        "<b>",
    ] {
        let id = id_for(refused.to_owned()).await;
        assert_eq!(id.len(), 36, "a UUID instead of {refused:?}: {id:?}");
    }
}
