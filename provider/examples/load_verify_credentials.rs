//! Load benchmark of `GET /1.1/account/verify_credentials.json` (a benchmark, not a test).
//!
//! Every request carries its own valid signature and a fresh nonce: the requests are
//! signed beforehand (a replay would be rejected), then `wrk` sends them from a second
//! process on loopback while the provider serves from this one.
//!
//! ```sh
//! cargo run --release -p provider --example load_verify_credentials              # SQLite + memory nonces
//! cargo run --release -p provider --example load_verify_credentials -- postgres  # Postgres + Redis
//! ```
//! Options (environment): `LOAD_SECONDS` (default 10), `LOAD_CONNECTIONS` (default 64),
//! `LOAD_REQUESTS` (signed requests prepared, default 1000000). Needs `wrk` (Debian
//! package `wrk`); loopback only.

use std::io::Write as _;
use std::process::Command;

use oauth1::{AccessToken, Body, ClientCredentials, Nonce, Request, Signer, Timestamp};
use provider::apps::{self, AccessLevel, NewApp};
use provider::{AppState, Config, tokens, users};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let postgres = std::env::args().nth(1).as_deref() == Some("postgres");
    let seconds = env_or("LOAD_SECONDS", 10);
    let connections = env_or("LOAD_CONNECTIONS", 64);
    let count = env_or("LOAD_REQUESTS", 1_000_000) as usize;
    let run = format!(
        "load_{}",
        provider::apps::random_credential(8).to_lowercase()
    );
    let dir = std::env::temp_dir().join(&run);
    std::fs::create_dir_all(&dir)?;

    let admin = "postgres://postgres@127.0.0.1:5432/postgres";
    let (database_url, nonce_store) = if postgres {
        use sqlx::Connection as _;
        let mut conn = sqlx::PgConnection::connect(admin).await?;
        sqlx::query(&format!("create database {run}"))
            .execute(&mut conn)
            .await?;
        (format!("postgres://postgres@127.0.0.1:5432/{run}"), "redis")
    } else {
        (
            format!("sqlite://{}", dir.join("bench.db").display()),
            "memory",
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let vars = [
        ("PROVIDER_LISTEN", addr.to_string()),
        ("DATABASE_URL", database_url.clone()),
        ("NONCE_STORE", nonce_store.to_owned()),
        ("REDIS_URL", "redis://127.0.0.1:6379".to_owned()),
    ];
    let config =
        Config::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))?;
    let state = AppState::connect(config).await?;

    // One user, one app, one access token.
    let db = &state.db;
    let user = users::create(db, "bench", "Bench", "benchmark-password").await?;
    let app = apps::create(
        db,
        NewApp {
            owner_id: user.id,
            name: "Load generator",
            callbacks: &["http://127.0.0.1/cb".to_owned()],
            access_level: AccessLevel::Read,
            consumer_key: None,
            consumer_secret: None,
        },
    )
    .await?;
    let (token, secret) =
        tokens::issue_access_token(db, &state.grants, app.id, user.id, AccessLevel::Read).await?;
    let client = ClientCredentials {
        key: app.consumer_key.clone(),
        secret: app.consumer_secret.clone(),
    };
    let token = AccessToken::new(token.as_str(), secret.secret());

    eprintln!("signing {count} requests, each with its own nonce...");
    let url = url::Url::parse(&format!(
        "http://{addr}/1.1/account/verify_credentials.json"
    ))?;
    // Whole HTTP requests, each ended by a NUL byte: wrk sends them as they are, so it
    // builds no string per request (building one each time made LuaJIT rehash its string
    // table of a million headers now and then, stalling wrk and inflating its latencies).
    let requests_path = dir.join("requests.bin");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&requests_path)?);
    let now = Timestamp::now();
    let signer = Signer::new(&client).token(&token);
    for _ in 0..count {
        let authorization = signer.authorization(
            &Request {
                method: "GET",
                url: &url,
                body: Body::Empty,
            },
            &Nonce::generate(),
            now,
        )?;
        write!(
            out,
            "GET {} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {authorization}\r\n\r\n\0",
            url.path()
        )?;
    }
    out.flush()?;
    drop(out);

    let script_path = dir.join("presigned.lua");
    std::fs::write(
        &script_path,
        format!(
            r#"-- Sends each pre-signed request once, in order.
local requests = {{}}
local file = assert(io.open("{}", "rb"))
for request in file:read("*a"):gmatch("[^%z]+") do requests[#requests + 1] = request end
file:close()
local i = 0
request = function()
  i = i + 1
  if i > #requests then i = 1 end -- a wrap-around would show up as non-2xx replies
  return requests[i]
end
"#,
            requests_path.display()
        ),
    )?;

    provider::spawn(state.clone(), listener).await?;
    eprintln!(
        "running wrk for {seconds}s with {connections} connections against {} ({})",
        url,
        if postgres {
            "Postgres + Redis"
        } else {
            "SQLite + memory nonce store"
        }
    );
    let output = tokio::task::spawn_blocking({
        let (script, url) = (script_path.clone(), url.to_string());
        move || {
            Command::new("wrk")
                .args([
                    "-t1",
                    &format!("-c{connections}"),
                    &format!("-d{seconds}s"),
                    "--latency",
                    "-s",
                ])
                .arg(script)
                .arg(url)
                .output()
        }
    })
    .await??;
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}");
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    }
    // wrk only mentions failed answers when there are some.
    let field = |prefix: &str| {
        report
            .lines()
            .find_map(|line| line.trim().strip_prefix(prefix))
            .map(|rest| rest.trim().to_owned())
    };
    let failed: u64 = field("Non-2xx or 3xx responses:")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let errors = field("Socket errors:").unwrap_or_else(|| "none".to_owned());
    println!(
        "summary: {} req/s, p50 {}, p99 {}, non-2xx {failed}, socket errors {errors}",
        field("Requests/sec:").unwrap_or_default(),
        field("50%").unwrap_or_default(),
        field("99%").unwrap_or_default(),
    );

    state.db.close().await;
    std::fs::remove_dir_all(&dir)?;
    if postgres {
        use sqlx::Connection as _;
        let mut conn = sqlx::PgConnection::connect(admin).await?;
        sqlx::query(&format!("drop database if exists {run} with (force)"))
            .execute(&mut conn)
            .await?;
    }
    if failed > 0 {
        return Err(format!("{failed} requests were not answered 2xx").into());
    }
    Ok(())
}
