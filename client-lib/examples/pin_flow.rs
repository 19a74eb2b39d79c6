//! The three legs of RFC 5849 §2 from a terminal, with `oauth_callback=oob` (Twitter's
//! "PIN-based authorization"): no callback URL, the user types the verifier the service
//! shows. Against this workspace's demo provider, Chirp, by default:
//!
//! ```sh
//! .ci/demo --providers-only        # in another terminal: Chirp on :8001, user alice
//! cargo run -p oauth1-rfc5849 --example pin_flow
//! cargo run -p oauth1-rfc5849 --example pin_flow -- https://api.x.com/   # the real X
//! ```
//!
//! The base URL is the first argument (default `http://127.0.0.1:8001/`); the client
//! key and secret come from `PIN_CLIENT_KEY` and `PIN_CLIENT_SECRET` (default: the demo
//! app's, `chirp-demo-key` and `chirp-demo-secret`).

use std::io::{BufRead, Write};

use oauth1::{Client, ClientCredentials, Verifier};
use url::Url;

const DEFAULT_BASE: &str = "http://127.0.0.1:8001/";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| DEFAULT_BASE.into());
    if !base.ends_with('/') {
        base.push('/'); // so that the paths below are joined under it
    }
    let base = Url::parse(&base)?;
    let key = std::env::var("PIN_CLIENT_KEY").unwrap_or_else(|_| "chirp-demo-key".into());
    let secret = std::env::var("PIN_CLIENT_SECRET").unwrap_or_else(|_| "chirp-demo-secret".into());
    let client = Client::new(reqwest::Client::new(), ClientCredentials::new(key, secret));

    // Leg 1 (§2.1): temporary credentials, for no callback.
    let request_token = client
        .request_token(&base.join("oauth/request_token")?, "oob")
        .await?;

    // Leg 2 (§2.2): the user approves in a browser; the service shows a PIN.
    let authorize = Client::authorization_url(&base.join("oauth/authorize")?, &request_token, &[]);
    println!("Open this URL in a browser, sign in and allow the application:\n\n  {authorize}\n");
    print!("Then type the PIN shown: ");
    std::io::stdout().flush()?;
    let mut pin = String::new();
    std::io::stdin().lock().read_line(&mut pin)?;
    let pin = pin.trim();
    if pin.is_empty() {
        return Err("no PIN given".into());
    }

    // Leg 3 (§2.3): the PIN is the verifier.
    let access = client
        .access_token(
            &base.join("oauth/access_token")?,
            &request_token,
            &Verifier::new(pin),
        )
        .await?;

    // A protected resource (§3), signed with the token credentials.
    let url = base.join("1.1/account/verify_credentials.json")?;
    let request = client.http().get(url).build()?;
    let me: serde_json::Value = client.send(request, Some(&access)).await?.json().await?;
    let screen_name = me["screen_name"].as_str().unwrap_or("?");
    println!("Signed in as @{screen_name}");
    Ok(())
}
