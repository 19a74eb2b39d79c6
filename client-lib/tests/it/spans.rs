//! The spans of the client's I/O (the calls to a remote, the token store) name the remote,
//! the host and the method, and never a secret: recorded at TRACE by a layer of its own.

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use oauth1::{AccessToken, OAuth2Token, Registry, RemoteToken, UserKey};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

use crate::support::{no_env, oauth1_server, oauth2_server, visit};

/// A span opened, fields recorded on one later, or an event: its name and its fields as
/// text, as a subscriber that writes them out would see them.
#[derive(Clone, Debug)]
struct Recording {
    name: &'static str,
    fields: Vec<(&'static str, String)>,
}

impl Recording {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Everything the application's subscriber would be given.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Recording>>>);

struct Fields(Vec<(&'static str, String)>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name(), value.to_owned()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push((field.name(), format!("{value:?}")));
    }
}

impl Recorder {
    fn push(&self, name: &'static str, record: impl FnOnce(&mut Fields)) {
        let mut fields = Fields(Vec::new());
        record(&mut fields);
        self.0.lock().unwrap().push(Recording {
            name,
            fields: fields.0,
        });
    }

    fn recordings(&self) -> Vec<Recording> {
        self.0.lock().unwrap().clone()
    }
}

impl<S: Subscriber> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        self.push(attrs.metadata().name(), |f| attrs.record(f));
    }

    fn on_record(&self, _: &Id, values: &Record<'_>, _: Context<'_, S>) {
        self.push("(recorded on a span)", |f| values.record(f));
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        self.push(event.metadata().name(), |f| event.record(f));
    }
}

/// An OAuth 1.0a sign-in and a signed call, then an OAuth 2 sign-in with PKCE, a refresh
/// and a revocation, all through one registry, recorded on this test's thread only (a
/// current-thread runtime: the test servers' tasks run here too).
#[tokio::test]
async fn secrets_never_reach_a_span_or_log() {
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry()
        .with(LevelFilter::TRACE)
        .with(recorder.clone());
    let _scoped = tracing::subscriber::set_default(subscriber);

    let (oauth1_base, oauth1_server) = oauth1_server::spawn(true).await;
    let (oauth2_base, oauth2_server) = oauth2_server::spawn().await;
    let mut registry = Registry::new().token_store(Arc::new(oauth2_server::Tokens::default()));
    let chirp = registry
        .register_from("chirp", oauth1_server::config(&oauth1_base), no_env)
        .unwrap();
    let x = registry
        .register_from("x", oauth2_server::config(&oauth2_base), no_env)
        .unwrap();
    let alice = UserKey::Id(1);

    let go_to = chirp
        .authorize_redirect::<AccessToken>("http://127.0.0.1:3000/authorize/chirp")
        .await
        .unwrap();
    let callback = visit(&go_to.url).await;
    let token = chirp
        .authorize_access_token(&go_to.pending, &callback)
        .await
        .unwrap();
    chirp.save_token(&alice, &token).await.unwrap();
    chirp.get("echo.json?q=1", &alice).await.unwrap();

    // Within the minute's margin: the call below refreshes first.
    oauth2_server.behaviour.lock().unwrap().expires_in = Some(30);
    let go_to = x
        .authorize_redirect::<OAuth2Token>("http://127.0.0.1:3000/authorize/x")
        .await
        .unwrap();
    let callback = visit(&go_to.url).await;
    let signed_in = x
        .authorize_access_token(&go_to.pending, &callback)
        .await
        .unwrap();
    x.save_token(&alice, &signed_in).await.unwrap();
    x.get("users/me", &alice).await.unwrap();
    let refreshed: RemoteToken = x.fetch_token(&alice).await.unwrap();
    x.revoke_token(&alice).await.unwrap();

    let mut secrets = vec![
        oauth1_server::SECRET.to_owned(),
        oauth2_server::CLIENT_SECRET.to_owned(),
        token.secret.secret().to_owned(),
        signed_in.access_token.secret().to_owned(),
    ];
    let refreshed = refreshed.oauth2().unwrap();
    secrets.push(refreshed.access_token.secret().to_owned());
    secrets.extend(
        refreshed
            .refresh_token
            .iter()
            .map(|r| r.secret().to_owned()),
    );
    secrets.extend(oauth1_server.secrets.lock().unwrap().iter().cloned());
    secrets.extend(oauth2_server.secrets.lock().unwrap().iter().cloned());

    let recordings = recorder.recordings();
    for recording in &recordings {
        for (field, value) in &recording.fields {
            for secret in &secrets {
                assert!(
                    !value.contains(secret.as_str()),
                    "{secret:?} is in field {field} of {recording:?}"
                );
            }
        }
    }

    let span = |name: &str, remote: &str| {
        recordings
            .iter()
            .find(|r| r.name == name && r.field("remote") == Some(remote))
            .unwrap_or_else(|| panic!("no {name} span for {remote} in {recordings:#?}"))
    };
    for name in [
        "remote.authorize_redirect",
        "oauth1.request_token",
        "remote.authorize_access_token",
        "oauth1.access_token",
        "token_store.update",
        "token_store.fetch",
        "remote.api_call",
        "oauth1.signed_call",
    ] {
        span(name, "chirp");
    }
    for name in [
        "remote.authorize_redirect",
        "remote.authorize_access_token",
        "token_store.update",
        "token_store.fetch",
        "oauth2.refresh",
        "remote.api_call",
        "remote.revoke_token",
    ] {
        span(name, "x");
    }
    let call = span("oauth1.signed_call", "chirp");
    assert_eq!(call.field("method"), Some("GET"));
    assert_eq!(call.field("host"), Some("127.0.0.1"));
    assert_eq!(span("token_store.fetch", "x").field("user"), Some("1"));
    for name in ["oauth2.exchange_code", "oauth2.revoke"] {
        let found = recordings.iter().find(|r| r.name == name);
        let found = found.unwrap_or_else(|| panic!("no {name} span in {recordings:#?}"));
        assert_eq!(found.field("host"), Some("127.0.0.1"));
    }
}
