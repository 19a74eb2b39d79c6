//! A remote that cannot be reached: the site's log line names the remote's `host:port`
//! and the whole cause chain (`std::error::Error::source`), never the URL's query (which
//! may hold a signature or a verifier) nor a secret. This module captures the site's logs
//! on its test's thread (the site's tasks run there too), as the server's default text
//! format writes them.

use crate::support;

use std::sync::{Arc, Mutex};

use provider_testing::Backend;
use reqwest::StatusCode;
use support::{browser, get_text, site};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_remote_that_refuses_connections_is_logged_with_its_host_and_cause_but_no_query() {
    // A second dispatcher, held alive, keeps tracing from deciding a callsite's interest
    // by whichever thread (another test's, with no subscriber) meets it first.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("info")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // A port that was just free: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let site = site(Backend::Sqlite)
        .var(
            "CHIRP_REQUEST_TOKEN_URL",
            &format!("http://127.0.0.1:{port}/oauth/request_token?x_signed=1"),
        )
        .spawn()
        .await;

    let (status, page) = get_text(&browser(), &site.url("/login/chirp")).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{page}");

    let logs = String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned();
    let line = logs
        .lines()
        .find(|l| l.contains("sign-in step failed"))
        .unwrap_or_else(|| panic!("no line: {logs}"));
    assert!(
        line.contains(&format!("127.0.0.1:{port}")),
        "the host: {line}"
    );
    assert!(
        line.to_ascii_lowercase().contains("connection refused"),
        "the cause: {line}"
    );
    for never in [
        "?",
        "x_signed",
        "oauth_signature",
        "oauth_verifier",
        "oauth_nonce",
        "chirp-key-secret",
        "/oauth/request_token",
    ] {
        assert!(!line.contains(never), "{never:?} in {line}");
    }
}
