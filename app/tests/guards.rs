//! The router's guards against requests no page of the site makes: a state-changing
//! request that says nothing of where it comes from.

mod support;

use provider_testing::Backend;
use reqwest::StatusCode;
use support::{browser, get_text, location, sign_in_at_provider, site};

/// Every current browser sends `Origin` on a form post and a fetch; a request with none
/// of `Origin`, `Sec-Fetch-Site` and `Referer` is a script's, which may still carry a
/// cookie it was handed (or an old browser's, which can reload the page and try again).
#[tokio::test]
async fn a_state_changing_request_that_names_no_origin_is_refused() {
    let site = site(Backend::Sqlite).spawn().await;
    let http = browser();
    let callback = sign_in_at_provider(&http, &site, "chirp", "allow").await;
    assert_eq!(
        location(&http.get(&callback).send().await.unwrap()),
        "/profile/chirp"
    );
    for (path, form) in [
        (
            "/api/post_status",
            vec![("remote", "chirp"), ("status", "from nowhere")],
        ),
        ("/accounts/unlink", vec![("remote", "chirp")]),
        ("/playground", vec![("method", "GET")]),
        ("/debugger", vec![("raw", "GET / HTTP/1.1")]),
        ("/logout", vec![]),
    ] {
        let response = http.post(site.url(path)).form(&form).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("id=\"cross-origin\"")
        );
    }
    let (_, accounts) = get_text(&http, &site.url("/accounts")).await;
    assert!(
        accounts.contains("unlink-chirp"),
        "still linked and signed in"
    );
    let (_, profile) = get_text(&http, &site.url("/profile/chirp")).await;
    assert!(!profile.contains("from nowhere"), "nothing posted");
    // With the site's `Origin`, the same request goes through.
    let response = http
        .post(site.url("/logout"))
        .header("origin", site.url.trim_end_matches('/'))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}
