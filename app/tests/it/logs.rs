//! Log forging: text that came from a request, a remote or a header is logged escaped,
//! so a newline in it cannot start a line that reads like one of the site's own. This
//! test binary captures the site's logs (a global subscriber writing to a buffer), as the
//! server's default text format writes them.

use crate::support;

use std::sync::{Arc, Mutex, OnceLock};

use provider_testing::Backend;
use reqwest::StatusCode;
use support::{browser, location, sign_in_at_provider, site, start_sign_in};

/// A line as the site writes it, which the attacker wants to appear on a line of its own.
const FORGED: &str = "2026-01-01T00:00:00.000000Z  INFO forged: user_id=1 signed in as admin";

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

/// Everything logged so far by any test of this binary.
fn logs() -> String {
    static BUFFER: OnceLock<Buffer> = OnceLock::new();
    let buffer = BUFFER.get_or_init(|| {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_env_filter("info")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        buffer
    });
    String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned()
}

fn forged_lines(logs: &str) -> Vec<&str> {
    logs.lines()
        .filter(|line| line.trim_start().starts_with("2026-01-01T00:00:00"))
        .collect()
}

#[tokio::test]
async fn a_newline_in_a_callback_error_description_cannot_forge_a_log_line() {
    logs();
    let site = site(Backend::Sqlite).spawn().await;
    let http = browser();
    // An OAuth 2.0 sign-in under way in this browser, answered with an error (RFC 6749
    // §4.1.2.1) whose description carries a line of its own.
    let at_provider = start_sign_in(&http, &site, "chirp2").await;
    let state = url::Url::parse(&at_provider)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let forged = url::form_urlencoded::byte_serialize(format!("ok\n{FORGED}").as_bytes())
        .collect::<String>();
    let callback = site.url(&format!(
        "/authorize/chirp2?state={state}&error=server_error%0D%0A{forged}&error_description={forged}"
    ));
    let response = http.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);

    // A signed-in person unlinking a "remote" whose name carries a line of its own.
    let callback = sign_in_at_provider(&http, &site, "chirp", "allow").await;
    assert_eq!(
        location(&http.get(&callback).send().await.unwrap()),
        "/profile/chirp"
    );
    let response = http
        .post(site.url("/accounts/unlink"))
        .header("origin", site.url.trim_end_matches('/'))
        .form(&[("remote", format!("chirp\n{FORGED}"))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let logs = logs();
    assert!(logs.contains("forged: user_id=1"), "logged at all: {logs}");
    assert_eq!(forged_lines(&logs), Vec::<&str>::new(), "{logs}");
}
