//! Secrets in traces: the endpoints and stores carry `tracing` spans (at debug level, so
//! a default `info` filter costs nothing), and none of them records a secret. A debug log
//! of a whole sign-in must hold no password, consumer or client secret, token secret,
//! code, access token or refresh token: a log collector is not a vault.

use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

use crate::oauth2_support::{ALL_SCOPES, fixture};
use crate::support::{self, Backend};

/// Everything a subscriber at TRACE saw on a capturing thread: span names, and every
/// field of every span and event, as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<(Vec<String>, String)>>);

thread_local! {
    /// Set on the thread of the test that captures: the other tests of this binary run
    /// on threads of their own and are left out.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
}

/// The binary's one subscriber, installed on first use. Global rather than scoped to the
/// test, so that no callsite's interest was cached as "never" by another test's thread.
fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        tracing_subscriber::registry()
            .with(capture.clone())
            .with(tracing_subscriber::filter::LevelFilter::TRACE)
            .init();
        capture
    })
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

impl<S: Subscriber> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        if !CAPTURING.get() {
            return;
        }
        let mut seen = self.0.lock().unwrap();
        seen.0.push(attrs.metadata().name().to_owned());
        attrs.record(&mut Fields(&mut seen.1));
    }

    fn on_record(&self, _: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if !CAPTURING.get() {
            return;
        }
        values.record(&mut Fields(&mut self.0.lock().unwrap().1));
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if !CAPTURING.get() {
            return;
        }
        event.record(&mut Fields(&mut self.0.lock().unwrap().1));
    }
}

#[tokio::test]
async fn secrets_never_reach_a_span_or_a_log_line() {
    let capture = capture();
    // This test's runtime runs on this thread, the provider's tasks included.
    CAPTURING.set(true);

    // OAuth 2.0: password sign-in, consent, code, token, refresh, a Bearer call.
    let f = fixture(Backend::Sqlite).await;
    let code = f.code(&f.confidential, ALL_SCOPES).await;
    let tokens: serde_json::Value = f
        .exchange(&f.confidential, &code)
        .await
        .json()
        .await
        .unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(f.me(&access).await, reqwest::StatusCode::OK);
    let renewed: serde_json::Value = f
        .refresh(&f.confidential, &refresh)
        .await
        .json()
        .await
        .unwrap();
    let renewed_access = renewed["access_token"].as_str().unwrap().to_owned();

    // OAuth 1.0a: a signed API call with an access token.
    let state = &f.provider.state;
    let app = support::register_app(
        &state.db,
        f.user_id,
        "Signed app",
        "http://127.0.0.1:9/cb",
        provider::store::apps::AccessLevel::Write,
    )
    .await;
    let (token, secret) = provider::store::tokens::issue_access_token(
        &state.db,
        &state.grants,
        app.id,
        f.user_id,
        provider::store::apps::AccessLevel::Write,
    )
    .await
    .unwrap();
    let client = oauth1::ClientCredentials {
        key: app.consumer_key.clone(),
        secret: app.consumer_secret.clone(),
    };
    let signed = oauth1::AccessToken::new(token.as_str(), secret.secret());
    let base = f.provider.url("/");
    assert_eq!(
        support::verify_credentials(&base, &client, &signed).await,
        reqwest::StatusCode::OK
    );

    CAPTURING.set(false);
    let (spans, text) = capture.0.lock().unwrap().clone();
    // The spans are there: the test would see a secret if one were recorded.
    for name in [
        "token",
        "claim",
        "bearer",
        "claim_refresh",
        "signed_request",
    ] {
        assert!(
            spans.iter().any(|s| s == name),
            "no `{name}` span among {spans:?}"
        );
    }
    let secrets = [
        ("the password", "wonderland".to_owned()),
        ("the code", code),
        ("the access token", access),
        ("the refresh token", refresh),
        ("the renewed access token", renewed_access),
        (
            "the client secret",
            f.confidential.secret.clone().unwrap_or_default(),
        ),
        (
            "the consumer secret",
            app.consumer_secret.secret().to_owned(),
        ),
        ("the OAuth 1.0a token", token.as_str().to_owned()),
        ("the token secret", secret.secret().to_owned()),
    ];
    for (what, value) in secrets {
        assert!(!value.is_empty(), "{what} is known");
        assert!(!text.contains(&value), "{what} was traced");
    }
}
