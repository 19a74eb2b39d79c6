//! The playground and the debugger without JavaScript: the forms post to the site, which
//! renders the same page with the same `oauth1::explain` computation; bad input is a 400
//! page that says what is wrong; only the site's own pages may post. And the links from
//! `/how-it-works` carry a leg's request into the playground, never a secret.

use crate::support;

use app::model::{FlowStep, StepKind};
use app::signing::forms::{DebuggerForm, PlaygroundForm};
use oauth1::explain::{explain, preset};
use oauth1::{ClientCredentials, Exchange, Nonce, Request, Signer, Step, Timestamp};
use provider_testing::Backend;
use reqwest::StatusCode;
use support::{Site, browser, site};

const TWITTER_SIGNATURE: &str = "hCtSmYh+iHYCEqBWrE7C7hYmtUk=";

/// The Twitter preset's fields as the playground's form posts them.
fn twitter_form() -> Vec<(&'static str, String)> {
    let input = preset("twitter-statuses-update").unwrap().input;
    vec![
        ("method", input.method),
        ("url", input.url),
        ("body", input.body),
        ("consumer_key", input.consumer_key),
        ("consumer_secret", input.consumer_secret),
        ("token", input.token.unwrap()),
        ("token_secret", input.token_secret.unwrap()),
        ("signature_method", input.signature_method),
        ("rsa_private_key", String::new()),
        ("placement", "header".into()),
        ("realm", String::new()),
        ("callback", String::new()),
        ("verifier", String::new()),
        ("nonce", input.nonce),
        ("timestamp", input.timestamp.to_string()),
        ("version", "on".into()),
        ("loaded_preset", "twitter-statuses-update".into()),
        ("action", "sign".into()),
    ]
}

fn with(form: &[(&'static str, String)], name: &str, value: &str) -> Vec<(&'static str, String)> {
    form.iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == name {
                    value.to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

/// Posts `form` to `path` as a page of the site does (a browser sends its `Origin`).
async fn post(site: &Site, path: &str, form: &[(&str, String)]) -> (StatusCode, String) {
    let response = browser()
        .post(site.url(path))
        .header("origin", site.url.trim_end_matches('/'))
        .form(form)
        .send()
        .await
        .unwrap();
    // The page echoes the secrets that were posted: no cache may keep it.
    if response.status() == StatusCode::OK {
        assert_eq!(response.headers()["cache-control"], "no-store");
    }
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_twitter_example_posted_without_javascript_gives_the_published_signature() {
    let site = site(Backend::Sqlite).spawn().await;
    let (status, page) = post(&site, "/playground", &twitter_form()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains(&format!(
            r#"id="result-signature" class="wrap big">{TWITTER_SIGNATURE}<"#
        )),
        "{page}"
    );
    assert!(page.contains("Matches the published signature"), "{page}");
    // Every step is on the page, with its section.
    for id in [
        "parameters",
        "normalized",
        "base-uri",
        "base-string",
        "signing-key",
        "signature",
        "sent-authorization",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(page.contains("§3.4.1.3.2"));
    // The key stays masked until asked for.
    let key =
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw&amp;LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";
    assert!(!page.contains(key));
    assert!(page.contains("••••••••&amp;••••••••"));
    let (_, shown) = post(
        &site,
        "/playground",
        &with(&twitter_form(), "action", "show-key"),
    )
    .await;
    assert!(shown.contains(key), "{shown}");
}

/// RSA-SHA1 (§3.4.3) without JavaScript: the private key is posted with the form and the
/// site signs with it, giving OpenSSL's signature of the same base string.
#[tokio::test]
async fn the_rsa_sha1_example_posted_without_javascript_gives_its_signature() {
    let rsa = preset("rsa-sha1-normalization").unwrap();
    let form = PlaygroundForm::from_preset(&rsa);
    let posted = [
        ("method", form.method),
        ("url", form.url),
        ("body", form.body),
        ("consumer_key", form.consumer_key),
        ("token", form.token),
        ("signature_method", form.signature_method),
        ("rsa_private_key", form.rsa_private_key.clone()),
        ("realm", form.realm),
        ("nonce", form.nonce),
        ("timestamp", form.timestamp),
        ("loaded_preset", form.preset),
        ("action", "sign".into()),
    ];
    let site = site(Backend::Sqlite).spawn().await;
    let (status, page) = post(&site, "/playground", &posted).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains(&format!(
            r#"id="result-signature" class="wrap big">{}<"#,
            rsa.expected_signature
        )),
        "{page}"
    );
    assert!(page.contains("Matches the published signature"), "{page}");
    assert!(page.contains("§3.4.3"), "{page}");
    // The key step is masked like any other key.
    assert!(
        page.contains(r#"id="signing-key" class="wrap">••••••••<"#),
        "the private key is shown only when asked: {page}"
    );
    // Without a key, a 400 page that says what to paste.
    let (status, page) = post(
        &site,
        "/playground",
        &posted.map(|(k, v)| {
            (
                k,
                if k == "rsa_private_key" {
                    String::new()
                } else {
                    v
                },
            )
        }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("private key"), "{page}");
}

/// An RSA operation costs the cube of the key's size: a huge private key posted to the
/// playground would pin a core for minutes. The post is bounded (64 KiB) and so is the
/// key (4,096 bits, 8 KiB of PEM): each is refused at once with a 4xx.
#[tokio::test]
async fn a_huge_private_key_posted_to_the_playground_is_refused_at_once() {
    let site = site(Backend::Sqlite).spawn().await;
    let rsa = |key: String| {
        let mut form = with(&twitter_form(), "signature_method", "RSA-SHA1");
        form.retain(|(k, _)| *k != "rsa_private_key");
        form.push(("rsa_private_key", key));
        form
    };
    let pem = |body: &str| {
        format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----")
    };
    for (key, status) in [
        (pem(&"QUFB".repeat(40_000)), StatusCode::PAYLOAD_TOO_LARGE),
        (pem(&"QUFB".repeat(3_000)), StatusCode::BAD_REQUEST),
    ] {
        let started = std::time::Instant::now();
        let (got, page) = post(&site, "/playground", &rsa(key)).await;
        assert_eq!(got, status, "{page}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}

#[tokio::test]
async fn a_fresh_nonce_asked_for_without_javascript_changes_the_signature() {
    let site = site(Backend::Sqlite).spawn().await;
    let (status, page) = post(
        &site,
        "/playground",
        &with(&twitter_form(), "action", "fresh"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let old_nonce = preset("twitter-statuses-update").unwrap().input.nonce;
    assert!(!page.contains(&old_nonce), "a new nonce");
    assert!(page.contains(r#"id="result-signature""#));
    assert!(!page.contains(&format!(r#"class="wrap big">{TWITTER_SIGNATURE}<"#)));
    assert!(page.contains("Differs from the published signature"));
}

#[tokio::test]
async fn a_request_with_a_known_mistake_posted_to_the_debugger_is_diagnosed() {
    let site = site(Backend::Sqlite).spawn().await;
    // RFC 5849's photo request, signed for http and sent over https.
    let example = DebuggerForm::example("other-scheme").unwrap();
    let form = [
        ("raw", example.raw.replace("\r\n", "\n")),
        ("scheme", "https".to_owned()),
        ("consumer_secret", example.consumer_secret),
        ("token_secret", example.token_secret),
    ];
    let (status, page) = post(&site, "/debugger", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"mistake-other_scheme\""), "{page}");
    assert!(page.contains("another scheme"));
    assert!(page.contains("§3.4.1.2"));
    assert!(page.contains("Could not authenticate you."));
    // The server's base string, over https, is shown next to the client's, over http.
    assert!(page.contains("https%3A%2F%2Fphotos.example.net%2Fphotos"));
    assert!(
        page.contains(
            r#"<span class="bs-uri">http<mark>%</mark>3A%2F%2Fphotos.example.net%2Fphotos</span>"#
        ),
        "the client's base string, its first difference marked"
    );

    // The same request in parts, body left out of the signature: that mistake.
    let parts = DebuggerForm::example("body-left-out").unwrap();
    let form = [
        ("method", parts.method),
        ("url", parts.url),
        ("body", parts.body),
        ("authorization", parts.authorization),
        ("consumer_secret", parts.consumer_secret),
        ("token_secret", parts.token_secret),
    ];
    let (status, page) = post(&site, "/debugger", &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"mistake-body_parameters_left_out\""),
        "{page}"
    );
}

#[tokio::test]
async fn malformed_input_is_a_4xx_page_that_says_why_never_a_5xx() {
    let site = site(Backend::Sqlite).spawn().await;
    for (field, value, says) in [
        ("url", "api.twitter.com/1.1", "cannot be read"),
        ("timestamp", "soon", "is not a whole number"),
        ("method", "PO ST", "is not an HTTP method"),
        ("body", "status=100%", "not form-encoded"),
        ("signature_method", "RSA-SHA256", "unknown signature method"),
    ] {
        let (status, page) = post(&site, "/playground", &with(&twitter_form(), field, value)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}");
        assert!(page.contains("id=\"playground-error\""), "{field}");
        assert!(page.contains(says), "{field}: {page}");
    }
    let (status, page) = post(
        &site,
        "/debugger",
        &[
            ("raw", "GET\n\n".to_owned()),
            ("consumer_secret", "s".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("the request cannot be read"), "{page}");

    // A header the provider's strict parser refuses is the provider's 400, shown as such.
    let (status, page) = post(
        &site,
        "/debugger",
        &[
            ("method", "GET".to_owned()),
            ("url", "https://api.example.com/1.1/x.json".into()),
            (
                "authorization",
                "OAuth oauth_consumer_key=\"k\", oauth_consumer_key=\"k\"".into(),
            ),
            ("consumer_secret", "s".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"rejected\""), "{page}");
    assert!(page.contains("\"code\":215"), "{page}");

    // Not a form at all.
    let response = site
        .post(&browser(), "/playground")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
}

#[tokio::test]
async fn a_post_from_another_origin_is_refused() {
    let site = site(Backend::Sqlite).spawn().await;
    let chirp = site.chirp.url.trim_end_matches('/').to_owned();
    for path in ["/playground", "/debugger"] {
        for (name, value) in [("origin", chirp.as_str()), ("sec-fetch-site", "cross-site")] {
            let response = browser()
                .post(site.url(path))
                .header(name, value)
                .form(&twitter_form())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path} {name}");
        }
    }
}

#[tokio::test]
async fn a_link_fills_the_playground_but_never_with_a_secret() {
    let site = site(Backend::Sqlite).spawn().await;
    let http = browser();
    let url = site.url(
        "/playground?method=GET&url=https%3A%2F%2Fapi.example.com%2Fa%3Fb%3Dc&consumer_key=ck\
         &nonce=n0nce&timestamp=1700000000&consumer_secret=LEAKED&token_secret=LEAKED",
    );
    let response = http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("n0nce"));
    assert!(page.contains("oauth_consumer_key%3Dck"), "{page}");
    assert!(!page.contains("LEAKED"));
    // A preset by name, and the default one.
    let (_, rfc) = support::get_text(
        &http,
        &site.url("/playground?preset=rfc5849-protected-resource"),
    )
    .await;
    assert!(rfc.contains("MdpQcU8iPSUjWoN/UDMsK2sui9I="), "{rfc}");
    let (status, default) = support::get_text(&http, &site.url("/playground")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(default.contains(TWITTER_SIGNATURE));
    let (status, debugger) = support::get_text(&http, &site.url("/debugger")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(debugger.contains("id=\"diagnosis-waiting\""));
}

/// A leg as the registry records it for `/how-it-works`, signed by `Signer`.
fn recorded(kind: StepKind, method: &str, url: &str, signer: Signer<'_>) -> (FlowStep, String) {
    let url = url::Url::parse(url).unwrap();
    let signed = signer
        .sign(
            &Request {
                method,
                url: &url,
                body: oauth1::Body::Empty,
            },
            &Nonce::new("fixedNonce123"),
            Timestamp::from_secs(1_700_000_000),
        )
        .unwrap();
    let e = Exchange::new("chirp", Step::ApiCall, method, &signed, 200, "");
    let step = FlowStep {
        kind,
        method: e.method,
        url: e.url,
        base_string: e.base_string,
        authorization: e.authorization,
        status: e.status,
        response: e.response,
        body: e.body,
    };
    (step, signed.signature)
}

#[test]
fn a_recorded_leg_opens_in_the_playground_with_its_base_string() {
    let client = ClientCredentials::new("chirp-key", "chirp-key-secret");
    let token = oauth1::AccessToken::new("t0ken", "t0ken-secret");
    let legs = [
        recorded(
            StepKind::RequestToken,
            "POST",
            "http://127.0.0.1:8001/oauth/request_token?x_auth_access_type=write",
            Signer::new(&client).callback("http://127.0.0.1:3000/authorize/chirp"),
        ),
        recorded(
            StepKind::ApiCall,
            "GET",
            "http://127.0.0.1:8001/1.1/statuses/user_timeline.json?count=5&screen_name=a%20b",
            Signer::new(&client).token(&token),
        ),
    ];
    for (step, signature) in legs {
        let form = PlaygroundForm::from_flow_step(&step).unwrap();
        let query = form.to_query();
        assert!(!query.contains("secret"), "{query}");
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let mut opened = PlaygroundForm::from_query(get);
        assert_eq!(opened.nonce, "fixedNonce123");
        let steps = opened.explain().unwrap();
        assert_eq!(steps.base_string.value, step.base_string, "{:?}", step.kind);
        // With the secrets typed in, the signature is the one that was sent.
        opened.consumer_secret = "chirp-key-secret".into();
        if !opened.token.is_empty() {
            opened.token_secret = "t0ken-secret".into();
        }
        assert_eq!(opened.explain().unwrap().signature.value, signature);
    }
    // A browser step and an OAuth 2.0 call have no link.
    let redirect = FlowStep::browser(
        StepKind::Authorize,
        "GET",
        "http://x/oauth/a?oauth_token=t".into(),
        303,
    );
    assert!(PlaygroundForm::from_flow_step(&redirect).is_none());
    let bearer = FlowStep {
        authorization: "Bearer [redacted]".into(),
        ..FlowStep::browser(
            StepKind::BearerCall,
            "GET",
            "http://x/2/users/me".into(),
            200,
        )
    };
    assert!(PlaygroundForm::from_flow_step(&bearer).is_none());
}

#[test]
fn every_preset_loaded_into_the_form_gives_its_published_signature() {
    for p in oauth1::explain::presets() {
        let form = PlaygroundForm::from_preset(&p);
        let steps = form.explain().unwrap();
        assert_eq!(steps.signature.value, p.expected_signature, "{}", p.name);
        assert_eq!(
            form.published_signature().map(|(s, _)| s),
            Some(p.expected_signature)
        );
        // The same as the crate's own run of it.
        assert_eq!(
            explain(&p.input).unwrap().base_string.value,
            steps.base_string.value
        );
    }
}

/// Markup that closes a text area and opens an element with a script handler.
const MARKUP: &str = "</textarea><img src=x onerror=alert(1)>";
/// How the page writes it once escaped, in a text area or an attribute.
const ESCAPED: &str = "&lt;img src=x onerror=alert(1)&gt;";

/// Both signing pages, each field posted with markup in turn (the others as a valid or an
/// incomplete form would be): the page that comes back, whatever its status, shows the
/// markup as text and never as markup. A field whose value the page does not show back
/// (a drop-down, the check box, the button) must still not bring markup in.
#[tokio::test]
async fn markup_posted_into_a_signing_field_is_escaped() {
    let site = site(Backend::Sqlite).spawn().await;
    let example = DebuggerForm::example("other-scheme").unwrap();
    let debugger = vec![
        ("raw", example.raw.replace("\r\n", "\n")),
        ("scheme", "https".to_owned()),
        ("method", String::new()),
        ("url", String::new()),
        ("body", String::new()),
        ("content_type", String::new()),
        ("authorization", String::new()),
        ("consumer_secret", example.consumer_secret),
        ("token_secret", example.token_secret),
    ];
    let not_shown = [
        "signature_method",
        "placement",
        "version",
        "action",
        "scheme",
    ];
    for (path, form) in [("/playground", twitter_form()), ("/debugger", debugger)] {
        for (field, _) in &form {
            for posted in [
                with(&form, field, MARKUP),
                vec![(*field, MARKUP.to_owned())],
            ] {
                let (status, page) = post(&site, path, &posted).await;
                assert!(
                    status.is_success() || status.is_client_error(),
                    "{path} {field}: {status}"
                );
                assert!(!page.contains("<img"), "{path} {field} ({status}): {page}");
                assert!(!page.contains(MARKUP), "{path} {field} ({status}): {page}");
                if !not_shown.contains(field) {
                    assert!(page.contains(ESCAPED), "{path} {field} ({status}): {page}");
                }
            }
        }
    }
}
