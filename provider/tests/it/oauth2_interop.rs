//! Interoperability of the OAuth 2.0 side: Python's requests-oauthlib `OAuth2Session`
//! (from PyPI, in the venv `.ci/python-venv` builds) completes the Authorization Code flow
//! with PKCE S256 against this provider, calls `/2/users/me`, refreshes and revokes.

use crate::oauth2_support;
use crate::support;

use std::process::Command;

use oauth2_support::{REDIRECT, TestClient};
use provider::store::apps::AccessLevel;
use provider::store::oauth2::clients::ClientKind;
use support::{Backend, spawn_provider};

async fn requests_oauthlib_completes_the_flow(kind: ClientKind) {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let alice = provider::users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    let TestClient { id, secret } =
        oauth2_support::oauth2_app(&provider, alice.id, "Python", kind, AccessLevel::Write).await;

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
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/oauth2_interop_client.py"
    );
    let url = provider.url.clone();
    let secret = secret.unwrap_or_default();
    // The provider runs on this test's runtime: wait for Python on a blocking thread.
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .args([script, &url, &id, &secret, REDIRECT, "alice", "wonderland"])
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
    assert_eq!(lines.len(), 6, "{lines:?}");
    assert_eq!(lines[0]["status"], 303, "{lines:?}");
    assert_eq!(lines[1]["status"], 303, "{lines:?}");
    assert_eq!(lines[1]["challenge_in_url"], true, "{lines:?}");
    assert_eq!(lines[2]["token_type"], "bearer", "{lines:?}");
    assert_eq!(lines[2]["expires_in"], 7200, "{lines:?}");
    assert_eq!(lines[2]["has_refresh"], true, "{lines:?}");
    assert_eq!(lines[3]["status"], 200, "{lines:?}");
    assert_eq!(lines[3]["body"]["data"]["username"], "alice", "{lines:?}");
    assert_eq!(lines[4]["changed"], true, "{lines:?}");
    assert_eq!(lines[4]["status"], 200, "{lines:?}");
    assert_eq!(lines[5]["status"], 200, "{lines:?}");
    assert_eq!(lines[5]["after"], 401, "{lines:?}");
}

#[tokio::test]
async fn requests_oauthlib_completes_the_flow_as_a_confidential_client() {
    requests_oauthlib_completes_the_flow(ClientKind::Confidential).await;
}

#[tokio::test]
async fn requests_oauthlib_completes_the_flow_as_a_public_client() {
    requests_oauthlib_completes_the_flow(ClientKind::Public).await;
}
