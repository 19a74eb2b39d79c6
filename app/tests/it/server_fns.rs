//! The server functions (`/api/*`) given arguments that are missing or not arguments at
//! all: the caller made the mistake, so the answer is a 400 with a plain sentence, never
//! a 500 that reads like the site failed (and pages an operator).

use crate::support;

use provider_testing::Backend;
use reqwest::StatusCode;
use support::{browser, site};

#[tokio::test]
async fn a_server_function_posted_with_a_missing_or_garbled_argument_gets_400_never_500() {
    let site = site(Backend::Sqlite).spawn().await;
    let origin = site.url.trim_end_matches('/').to_owned();
    let http = browser();
    let send = |path: &str, content_type: &str, body: &'static [u8]| {
        http.post(site.url(path))
            .header("origin", &origin)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let form = "application/x-www-form-urlencoded";
    for (path, content_type, body) in [
        // `status` missing, then `remote`, then both.
        ("/api/post_status", form, &b"remote=chirp"[..]),
        ("/api/post_status", form, b"status=hello"),
        ("/api/post_status", form, b""),
        ("/api/load_profile", form, b""),
        // Not a form.
        (
            "/api/post_status",
            form,
            b"remote[=%%%&&status[x]]=\xff\xfe",
        ),
        ("/api/load_profile", form, b"remote[][]=%ZZ"),
        (
            "/api/post_status",
            "application/json",
            b"{\"remote\": \"chirp\"",
        ),
    ] {
        let response = send(path, content_type, body).await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body:?}: {text}");
        assert!(!text.contains("Args|"), "{path}: {text}");
        assert!(text.contains("arguments"), "a sentence: {text}");
    }
    // Functions without arguments ignore a garbled body; none answers 500.
    for path in ["/api/load_home", "/api/load_flow"] {
        let response = send(path, form, b"\xff\xfe[[[=%%").await.unwrap();
        assert!(
            !response.status().is_server_error(),
            "{path}: {}",
            response.status()
        );
    }
    // Well-formed arguments still reach the function (which says who may post).
    let response = send("/api/post_status", form, b"remote=chirp&status=hi")
        .await
        .unwrap();
    assert_ne!(response.status(), StatusCode::BAD_REQUEST);
}

/// A server function's own refusals (no one signed in, an empty or over-long status, a
/// service that is not set up) are the caller's mistakes too: 4xx with the sentence the
/// page shows, never 500.
#[tokio::test]
async fn a_server_functions_own_refusals_are_4xx_not_500() {
    let site = site(Backend::Sqlite).spawn().await;
    let origin = site.url.trim_end_matches('/').to_owned();
    let http = browser();
    for (body, status, sentence) in [
        (
            "remote=chirp&status=hi",
            StatusCode::UNAUTHORIZED,
            "Sign in first.",
        ),
        (
            "remote=nowhere&status=hi",
            StatusCode::NOT_FOUND,
            "No service called",
        ),
    ] {
        let response = http
            .post(site.url("/api/post_status"))
            .header("origin", &origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{body}");
        assert!(response.text().await.unwrap().contains(sentence), "{body}");
    }
}
