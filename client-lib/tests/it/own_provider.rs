//! The example app of the server half (`examples/own_provider.rs`) driven end to end:
//! with this crate's own client, then with requests-oauthlib; and the refusals a
//! provider must make (a replay, a tampered signature, a stale timestamp, a reused
//! verifier, a callback that was not registered), all made by the library.

#[path = "../../examples/own_provider.rs"]
#[allow(unused)]
mod example;

use std::process::Command;

use oauth1::{
    AccessToken, Body, Client, ClientCredentials, Nonce, Request, RequestToken, Signer, Timestamp,
    Verifier,
};
use reqwest::StatusCode;
use url::Url;

const CALLBACK: &str = "http://127.0.0.1:9/callback";

struct Running {
    base: String,
    settings: example::Settings,
}

async fn start() -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let settings = example::Settings {
        listen: String::new(),
        public_url: base.clone(),
        database_url: "sqlite::memory:".into(),
        consumer_key: "example-key".into(),
        consumer_secret: "example-secret".into(),
        callback: CALLBACK.into(),
        user: "alice".into(),
        password: "wonderland".into(),
    };
    example::start(&settings, listener).await.unwrap();
    Running { base, settings }
}

impl Running {
    fn url(&self, path: &str) -> Url {
        Url::parse(&format!("{}{path}", self.base)).unwrap()
    }

    fn client(&self) -> Client {
        Client::new(
            reqwest::Client::new(),
            ClientCredentials::new(&self.settings.consumer_key, &self.settings.consumer_secret),
        )
    }

    /// The person's part of §2.2 in a browser: sign in, then allow. The verifier.
    async fn approve(&self, temporary: &RequestToken) -> Verifier {
        // A browser: it keeps cookies and says where its posts come from.
        let origin = self.base.trim_end_matches('/').to_owned();
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(
                [(reqwest::header::ORIGIN, origin.parse().unwrap())]
                    .into_iter()
                    .collect(),
            )
            .build()
            .unwrap();
        let token = temporary.token.as_str();
        let login = browser
            .get(self.url(&format!("oauth/authorize?oauth_token={token}")))
            .send()
            .await
            .unwrap();
        assert!(login.text().await.unwrap().contains("Sign in"));
        let signed_in = browser
            .post(self.url("login"))
            .form(&[
                ("oauth_token", token),
                ("name", "alice"),
                ("password", "wonderland"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
        let consent = browser
            .get(self.url(&format!("oauth/authorize?oauth_token={token}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(consent.contains("Allow example-key"), "{consent}");
        let csrf = provider_free_hidden(&consent, "csrf");
        let answer = browser
            .post(self.url("oauth/authorize"))
            .form(&[
                ("oauth_token", token),
                ("csrf", &csrf),
                ("decision", "allow"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with(CALLBACK), "{location}");
        let callback = Url::parse(&location).unwrap();
        let verifier = callback
            .query_pairs()
            .find(|(k, _)| k == "oauth_verifier")
            .unwrap()
            .1;
        Verifier::new(verifier.into_owned())
    }

    /// A signed `GET /api/me` with `nonce` and `timestamp`.
    fn me_request(&self, token: &AccessToken, nonce: &str, timestamp: Timestamp) -> String {
        let credentials =
            ClientCredentials::new(&self.settings.consumer_key, &self.settings.consumer_secret);
        Signer::new(&credentials)
            .token(token)
            .authorization(
                &Request {
                    method: "GET",
                    url: &self.url("api/me"),
                    body: Body::Empty,
                },
                &Nonce::new(nonce),
                timestamp,
            )
            .unwrap()
    }

    async fn me(&self, authorization: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(self.url("api/me"))
            .header("authorization", authorization)
            .send()
            .await
            .unwrap()
    }
}

fn provider_free_hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap() + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn this_crates_client_signs_in_through_the_example_app_and_calls_its_api() {
    let app = start().await;
    let client = app.client();
    let temporary = client
        .request_token(&app.url("oauth/request_token"), CALLBACK)
        .await
        .unwrap();
    let verifier = app.approve(&temporary).await;
    let token = client
        .access_token(&app.url("oauth/access_token"), &temporary, &verifier)
        .await
        .unwrap();
    assert_eq!(token.extra("user_id"), Some("1"));
    let me = app
        .me(&app.me_request(&token, &Nonce::generate().into_string(), Timestamp::now()))
        .await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["name"], "alice");

    // A replayed request.
    let once = app.me_request(&token, "replayed", Timestamp::now());
    assert_eq!(app.me(&once).await.status(), StatusCode::OK);
    let replay = app.me(&once).await;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    assert!(replay.headers().contains_key("www-authenticate"));
    // A tampered signature.
    let signed = app.me_request(&token, "tampered", Timestamp::now());
    let at = signed.find("oauth_signature=\"").unwrap() + "oauth_signature=\"".len();
    let flipped = if &signed[at..=at] == "A" { "B" } else { "A" };
    let tampered = format!("{}{flipped}{}", &signed[..at], &signed[at + 1..]);
    assert_eq!(app.me(&tampered).await.status(), StatusCode::UNAUTHORIZED);
    // A stale timestamp.
    let stale = Timestamp::from_secs(Timestamp::now().as_secs() - 3600);
    assert_eq!(
        app.me(&app.me_request(&token, "stale", stale))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // The verifier again.
    let reused = client
        .access_token(&app.url("oauth/access_token"), &temporary, &verifier)
        .await;
    assert!(reused.is_err(), "{reused:?}");
    // A callback that was not registered.
    let elsewhere = client
        .request_token(&app.url("oauth/request_token"), "http://evil.example/cb")
        .await
        .unwrap_err();
    assert!(elsewhere.to_string().contains("403"), "{elsewhere}");
}

#[tokio::test]
async fn requests_oauthlib_signs_in_through_the_example_app_and_calls_its_api() {
    let app = start().await;
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let venv = Command::new("bash")
        .arg(format!("{root}/.ci/python-venv"))
        .output()
        .unwrap();
    assert!(
        venv.status.success(),
        "{}",
        String::from_utf8_lossy(&venv.stderr)
    );
    let python = String::from_utf8(venv.stdout).unwrap().trim().to_owned();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/own_provider_client.py");
    let args = [
        script.to_owned(),
        app.base.clone(),
        app.settings.consumer_key.clone(),
        app.settings.consumer_secret.clone(),
        CALLBACK.to_owned(),
        "alice".to_owned(),
        "wonderland".to_owned(),
    ];
    // The app runs on this test's runtime: wait for Python on a blocking thread.
    let output = tokio::task::spawn_blocking(move || Command::new(python).args(args).output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[0]["confirmed"], "true");
    assert_eq!(lines[1]["status"], 303);
    assert_eq!(lines[2]["user_id"], "1");
    assert_eq!(
        (&lines[3]["status"], &lines[3]["name"]),
        (&200.into(), &"alice".into())
    );
}

/// A page elsewhere cannot sign a visitor in (login CSRF) or answer the consent form
/// for them: the app's posts must come from its own pages.
#[tokio::test]
async fn the_example_apps_forms_refuse_posts_from_elsewhere() {
    let app = start().await;
    let http = reqwest::Client::new();
    for (path, form) in [
        (
            "login",
            vec![
                ("oauth_token", "t"),
                ("name", "alice"),
                ("password", "wonderland"),
            ],
        ),
        (
            "oauth/authorize",
            vec![("oauth_token", "t"), ("csrf", "x"), ("decision", "allow")],
        ),
    ] {
        for origin in [Some("http://evil.example"), None] {
            let mut request = http.post(app.url(path)).form(&form);
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            let response = request.send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{path} from {origin:?}"
            );
        }
    }
}
