//! Interoperability: Python's requests-oauthlib (from PyPI, in the venv `.ci/python-venv`
//! builds) as the client, against this provider.

use crate::support;

use std::process::Command;

use provider::store::apps::AccessLevel;
use support::{Backend, spawn_provider};

#[tokio::test]
async fn requests_oauthlib_signs_requests_this_provider_accepts() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let support::Alice { app, token, .. } = support::alice_with_a_token(
        &provider.state,
        "Python client",
        "http://127.0.0.1:3000/cb",
        AccessLevel::Write,
    )
    .await;

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
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop_client.py");
    let url = provider.url.clone();
    let (key, app_secret) = (
        app.consumer_key.as_str().to_owned(),
        app.consumer_secret.secret().to_owned(),
    );
    let (token, secret) = (
        token.token.as_str().to_owned(),
        token.secret.secret().to_owned(),
    );
    // The provider runs on this test's runtime: wait for Python on a blocking thread.
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .args([script, &url, &key, &app_secret, &token, &secret])
            .output()
            .unwrap()
    })
    .await
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
    for line in &lines[1..] {
        assert_eq!(line["verify_status"], 200, "{line}");
        assert_eq!(line["screen_name"], "alice", "{line}");
        assert_eq!(line["post_status"], 200, "{line}");
        assert!(
            line["text"].as_str().unwrap().ends_with("☃ & friends"),
            "{line}"
        );
    }
}
