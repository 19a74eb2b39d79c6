//! Cross-site threats to the provider's forms: cookie tossing from a sibling port (cookies
//! ignore ports, so a page on 127.0.0.1:<other port> can plant a CSRF cookie), and posts
//! that a browser says came from another origin of the same site.

use crate::support;

use std::sync::Arc;

use provider::store::apps::AccessLevel;
use provider::store::tokens;
use reqwest::StatusCode;
use reqwest::cookie::{CookieStore as _, Jar};
use support::{Alice, TestProvider, alice_with_a_token, csrf_of, location, page, sign_in};

const CALLBACK: &str = "http://127.0.0.1:3000/authorize/chirp";
const CSRF_COOKIE: &str = "chirp_csrf";

/// A browser whose cookie jar the test can reach, as a page on a sibling port can.
fn browser_with_jar() -> (reqwest::Client, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let http = reqwest::Client::builder()
        .cookie_provider(Arc::clone(&jar))
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(provider_testing::browser::same_origin())
        .build()
        .unwrap();
    (http, jar)
}

/// The value of cookie `name` that `jar` would send to `provider`.
fn cookie(jar: &Jar, provider: &TestProvider, name: &str) -> String {
    let url = url::Url::parse(&provider.url("/")).unwrap();
    let header = jar.cookies(&url).expect("cookies for the provider");
    let header = header.to_str().unwrap().to_owned();
    header
        .split("; ")
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .expect("the cookie")
        .to_owned()
}

async fn provider_with_alice() -> (TestProvider, Alice) {
    let provider = support::spawn_provider(support::Backend::Sqlite, "Chirp").await;
    let alice = alice_with_a_token(&provider.state, "Demo", CALLBACK, AccessLevel::Write).await;
    (provider, alice)
}

async fn request_token(provider: &TestProvider, alice: &Alice) -> String {
    let (token, _) = tokens::create_request_token(
        &provider.state.db,
        alice.app.id,
        CALLBACK,
        AccessLevel::Write,
        600,
    )
    .await
    .unwrap();
    token.as_str().to_owned()
}

#[tokio::test]
async fn a_tossed_csrf_cookie_and_token_from_another_visit_cannot_approve_consent() {
    let (provider, alice) = provider_with_alice().await;
    provider::users::create(&provider.state.db, "mallory", "Mallory", "password1")
        .await
        .unwrap();
    // The attacker's pairs: from an anonymous visit, and from their own signed-in session.
    let (anonymous, jar) = browser_with_jar();
    let anonymous_token = csrf_of(&page(&anonymous, &provider, "/login").await);
    let anonymous_pair = (cookie(&jar, &provider, CSRF_COOKIE), anonymous_token);
    let (mallory, jar) = browser_with_jar();
    sign_in(&mallory, &provider, "mallory", "password1").await;
    let mallory_token = csrf_of(&page(&mallory, &provider, "/").await);
    let mallory_pair = (cookie(&jar, &provider, CSRF_COOKIE), mallory_token);

    let (victim, victim_jar) = browser_with_jar();
    let signed_in = sign_in(&victim, &provider, "alice", "wonderland").await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let url = url::Url::parse(&provider.url("/")).unwrap();
    for (value, token) in [anonymous_pair, mallory_pair] {
        // A page on another port of 127.0.0.1 sets the cookie, then posts the form.
        victim_jar.add_cookie_str(&format!("{CSRF_COOKIE}={value}; Path=/"), &url);
        let request_token = request_token(&provider, &alice).await;
        let response = victim
            .post(provider.url("/oauth/authorize"))
            .form(&[
                ("csrf", token.as_str()),
                ("oauth_token", request_token.as_str()),
                ("decision", "allow"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let pending = tokens::pending(&provider.state.db, &request_token)
            .await
            .unwrap()
            .expect("the request token is still pending");
        assert_eq!(pending.user_id, None, "no verifier issued");
    }
    // The victim's own consent page still works, tossed cookie and all.
    let request_token = request_token(&provider, &alice).await;
    let verifier = support::approve(&victim, &provider, &request_token).await;
    assert!(!verifier.is_empty());
}

#[tokio::test]
async fn posts_from_a_sibling_port_or_same_site_page_are_refused_on_every_form() {
    let (provider, alice) = provider_with_alice().await;
    let (http, _) = browser_with_jar();
    sign_in(&http, &provider, "alice", "wonderland").await;
    let token = request_token(&provider, &alice).await;
    let app_id = alice.app.id.to_string();
    let forms: [(&str, Vec<(&str, &str)>); 7] = [
        (
            "/oauth/authorize",
            vec![("oauth_token", &token), ("decision", "allow")],
        ),
        ("/statuses", vec![("status", "forged")]),
        (
            "/developer/apps",
            vec![
                ("name", "Forged"),
                ("callbacks", CALLBACK),
                ("access", "write"),
            ],
        ),
        ("/settings/apps/revoke", vec![("app_id", &app_id)]),
        ("/logout", vec![]),
        (
            "/login",
            vec![("screen_name", "alice"), ("password", "wonderland")],
        ),
        (
            "/signup",
            vec![
                ("screen_name", "eve"),
                ("name", "Eve"),
                ("password", "password1"),
            ],
        ),
    ];
    let sibling = format!("http://127.0.0.1:{}", url_port(&provider).wrapping_add(1));
    let foreign = [
        ("origin", sibling.as_str()),
        ("sec-fetch-site", "same-site"),
    ];
    for (path, fields) in &forms {
        for (name, value) in foreign {
            let csrf = csrf_of(&page(&http, &provider, "/").await);
            let mut form = vec![("csrf", csrf.as_str())];
            form.extend(fields.iter().copied());
            let response = http
                .post(provider.url(path))
                .header(name, value)
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{path} with {name}: {value}"
            );
            let body = response.text().await.unwrap();
            assert!(body.contains("sent from another site"), "{path}: {body}");
        }
    }
    // Nothing happened: no verifier, no status, no app, still signed in, still connected.
    let db = &provider.state.db;
    let pending = tokens::pending(db, &token).await.unwrap().unwrap();
    assert_eq!(pending.user_id, None);
    let home = page(&http, &provider, "/").await;
    assert!(
        home.contains("@alice") && !home.contains("forged"),
        "{home}"
    );
    assert!(
        !page(&http, &provider, "/developer/apps")
            .await
            .contains("Forged")
    );
    assert!(
        page(&http, &provider, "/settings/apps")
            .await
            .contains("Demo")
    );
    assert!(
        provider::users::by_screen_name(db, "eve")
            .await
            .unwrap()
            .is_none()
    );

    // This origin's own pages still post.
    let ours = provider.url.trim_end_matches('/').to_owned();
    for (name, value) in [("origin", ours.as_str()), ("sec-fetch-site", "same-origin")] {
        let csrf = csrf_of(&page(&http, &provider, "/").await);
        let response = http
            .post(provider.url("/statuses"))
            .header(name, value)
            .form(&[("csrf", csrf.as_str()), ("status", "from here")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}: {value}");
        assert_eq!(location(&response), "/");
    }
    // The signed endpoints answer for their signature, not for the origin check.
    let response = reqwest::Client::new()
        .post(provider.url("/oauth/request_token"))
        .header("origin", sibling.as_str())
        .send()
        .await
        .unwrap();
    assert_ne!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.status().is_client_error());
}

fn url_port(provider: &TestProvider) -> u16 {
    url::Url::parse(&provider.url).unwrap().port().unwrap()
}

/// L4: a state-changing request that says nothing of where it came from (no `Origin`,
/// no `Sec-Fetch-Site`, no `Referer`) is refused: current browsers send `Origin` on
/// every form post, so it was not made by one of the provider's pages.
#[tokio::test]
async fn a_form_post_that_names_no_origin_is_refused() {
    let (provider, _alice) = provider_with_alice().await;
    let (http, _) = browser_with_jar();
    sign_in(&http, &provider, "alice", "wonderland").await;
    let csrf = csrf_of(&page(&http, &provider, "/").await);
    let bare = reqwest::Client::builder()
        .cookie_provider(Arc::new(Jar::default()))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = bare
        .post(provider.url("/statuses"))
        .form(&[("csrf", csrf.as_str()), ("status", "no origin")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // With a Referer of this origin (an older browser), the same form gets as far as
    // its CSRF check (this client has no cookie, so it is refused there).
    let response = bare
        .post(provider.url("/statuses"))
        .header("referer", provider.url("/"))
        .form(&[("csrf", csrf.as_str()), ("status", "no origin")])
        .send()
        .await
        .unwrap();
    let body = response.text().await.unwrap();
    assert!(!body.contains("sent from another site"), "{body}");
}
