//! Load benchmark of a verified API request, both ways the provider takes one (a
//! benchmark, not a test): OAuth 1.0a `GET /1.1/account/verify_credentials.json`, then
//! OAuth 2.0 `GET /2/users/me` with a Bearer token, one after the other in one run, on
//! the same provider, database and users.
//!
//! Before them, the floor: a bare axum route in the same process answering the same
//! request bytes with the provider's own response body and no OAuth work at all; then the
//! same handler behind the provider's edge layers (`server::with_edge_layers`). For each
//! part it prints the process's CPU time per answered request (`/proc/self/stat`, so
//! Linux) and its ratio to the floor: what the provider's work costs on top of HTTP.
//! Pin the server and the load generator apart for steady figures:
//! `taskset -c 0 target/release/examples/load_verify_credentials` (wrk then runs on
//! CPU 1 through `taskset -c 1`, when `taskset` is there).
//!
//! `LOAD_USERS` people each hold an OAuth 1.0a access token and an OAuth 2.0 access token
//! of one app, issued by the provider's own token code (`tokens::issue_access_token`,
//! `oauth2::tokens::issue`); the requests take the tokens in turn. Every OAuth 1.0a
//! request carries its own valid signature and a fresh nonce: the requests are signed
//! beforehand (a replay would be rejected). A Bearer request needs no nonce, so each
//! token's request is sent again and again. `wrk` sends them from a second process on
//! loopback while the provider serves from this one.
//!
//! ```sh
//! cargo build --release -p provider --example load_verify_credentials
//! taskset -c 0 target/release/examples/load_verify_credentials           # SQLite + memory nonces
//! taskset -c 0 target/release/examples/load_verify_credentials postgres  # Postgres + Redis
//! ```
//! Options (environment): `LOAD_SECONDS` (per part, default 10), `LOAD_CONNECTIONS`
//! (default 64), `LOAD_REQUESTS` (signed OAuth 1.0a requests prepared, default 1000000),
//! `LOAD_USERS` (people, each with one token of each kind, default 100). Needs `wrk`
//! (Debian package `wrk`); loopback only.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use oauth1::{AccessToken, Body, ClientCredentials, Nonce, Request, Signer, Timestamp};
use provider::oauth2::scope::Scopes;
use provider::store::apps::{self, AccessLevel, NewApp};
use provider::store::oauth2::clients::{self, ClientKind, NewClient};
use provider::store::tokens;
use provider::{AppState, Config, users};

type BoxError = Box<dyn std::error::Error>;

/// The provider binary's allocator (`src/main.rs`), so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one part of the run measured, read from wrk's report, and this process's CPU.
struct Measured {
    /// Answers wrk counted ("N requests in …").
    requests: u64,
    /// This process's CPU time (user, system) while wrk ran, in microseconds.
    cpu_micros: Option<[u64; 2]>,
    requests_per_sec: String,
    p50: String,
    p99: String,
    failed: u64,
    socket_errors: String,
}

/// Writes whole HTTP requests, each ended by a NUL byte, and the wrk script that sends
/// them in order, wrapping around at the end: wrk builds no string per request (building
/// one each time made LuaJIT rehash its string table of a million headers now and then,
/// stalling wrk and inflating its latencies).
fn write_requests(
    dir: &Path,
    name: &str,
    requests: impl Iterator<Item = Result<String, BoxError>>,
) -> Result<PathBuf, BoxError> {
    let requests_path = dir.join(format!("{name}.bin"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&requests_path)?);
    for request in requests {
        out.write_all(request?.as_bytes())?;
        out.write_all(b"\0")?;
    }
    out.flush()?;
    drop(out);
    let script_path = dir.join(format!("{name}.lua"));
    std::fs::write(
        &script_path,
        format!(
            r#"-- Sends each prepared request in order, then starts again.
local requests = {{}}
local file = assert(io.open("{}", "rb"))
for request in file:read("*a"):gmatch("[^%z]+") do requests[#requests + 1] = request end
file:close()
local i = 0
request = function()
  i = i + 1
  -- A signed request sent twice is a replay: a wrap-around there shows up as non-2xx.
  if i > #requests then i = 1 end
  return requests[i]
end
"#,
            requests_path.display()
        ),
    )?;
    Ok(script_path)
}

/// This process's CPU time so far, user and system (`/proc/self/stat` fields 14 and
/// 15), in microseconds; `None` off Linux.
fn cpu_micros() -> Option<[u64; 2]> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name, field 2, is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
    Some([ticks(11)? * 10_000, ticks(12)? * 10_000])
}

impl Measured {
    /// Microseconds per answered request: user and system.
    fn cpu_per_request(&self) -> Option<[f64; 2]> {
        let [user, system] = self.cpu_micros?;
        let n = self.requests as f64;
        (self.requests > 0).then(|| [user as f64 / n, system as f64 / n])
    }
}

/// The floor: a bare axum route answering every request with `body`, no OAuth work;
/// with `layers`, behind the provider's own edge layers (`server::with_edge_layers`).
async fn spawn_floor(
    body: String,
    layers: Option<AppState>,
) -> Result<std::net::SocketAddr, BoxError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let answer = move || {
        let body = body.clone();
        async move { ([(http::header::CONTENT_TYPE, "application/json")], body) }
    };
    let app = match layers {
        None => axum::Router::new().fallback(answer),
        Some(state) => provider::server::with_edge_layers(
            axum::Router::new().route("/2/users/me", axum::routing::get(answer)),
            state,
        ),
    };
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

/// The body the provider answers `request` with (one raw HTTP/1.1 exchange).
async fn answer_body(addr: std::net::SocketAddr, request: &str) -> Result<String, BoxError> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let close = request.replacen("\r\n\r\n", "\r\nConnection: close\r\n\r\n", 1);
    stream.write_all(close.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or("no response body")?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!(
            "the provider answered {}",
            head.lines().next().unwrap_or("")
        )
        .into());
    }
    Ok(body.to_owned())
}

/// Runs wrk with `script` against `url`, prints its report and returns what it measured.
async fn run_wrk(
    script: PathBuf,
    url: String,
    seconds: u64,
    connections: u64,
) -> Result<Measured, BoxError> {
    let cpu_before = cpu_micros();
    let output = tokio::task::spawn_blocking(move || {
        // On the other CPU from the server, when the server was pinned with taskset.
        let mut wrk = if Command::new("taskset").arg("-V").output().is_ok() {
            let mut taskset = Command::new("taskset");
            taskset.args(["-c", "1", "wrk"]);
            taskset
        } else {
            Command::new("wrk")
        };
        wrk.args([
            "-t1",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(url)
        .output()
    })
    .await??;
    let cpu_after = cpu_micros();
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
    let requests = report
        .lines()
        .find_map(|line| line.trim().split_once(" requests in "))
        .and_then(|(n, _)| n.trim().parse().ok())
        .unwrap_or(0);
    Ok(Measured {
        requests,
        cpu_micros: cpu_before
            .zip(cpu_after)
            .map(|(b, a)| [a[0].saturating_sub(b[0]), a[1].saturating_sub(b[1])]),
        requests_per_sec: field("Requests/sec:").unwrap_or_default(),
        p50: field("50%").unwrap_or_default(),
        p99: field("99%").unwrap_or_default(),
        // A wrk that failed measured nothing: counted as a failure.
        failed: field("Non-2xx or 3xx responses:")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
            .max(u64::from(!output.status.success())),
        socket_errors: field("Socket errors:").unwrap_or_else(|| "none".to_owned()),
    })
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let postgres = std::env::args().nth(1).as_deref() == Some("postgres");
    let seconds = env_or("LOAD_SECONDS", 10);
    let connections = env_or("LOAD_CONNECTIONS", 64);
    let count = env_or("LOAD_REQUESTS", 1_000_000) as usize;
    let people = env_or("LOAD_USERS", 100).max(1) as usize;
    let run = format!(
        "load_{}",
        provider::store::apps::random_credential(8).to_lowercase()
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

    // One app with OAuth 2.0 on; `people` users, each with an access token of each kind.
    eprintln!("creating {people} users, each with an OAuth 1.0a and an OAuth 2.0 token...");
    let db = &state.db;
    let owner = users::create(db, "bench", "Bench", "benchmark-password").await?;
    let app = apps::create(
        db,
        NewApp {
            owner_id: owner.id,
            name: "Load generator",
            callbacks: &["http://127.0.0.1/cb".to_owned()],
            access_level: AccessLevel::Read,
            consumer_key: None,
            consumer_secret: None,
        },
    )
    .await?;
    clients::enable(
        db,
        app.id,
        NewClient {
            kind: ClientKind::Confidential,
            redirect_uris: &["http://127.0.0.1/cb".to_owned()],
            client_id: None,
            client_secret: None,
        },
    )
    .await?;
    let client = ClientCredentials {
        key: app.consumer_key.clone(),
        secret: app.consumer_secret.clone(),
    };
    let scopes = Scopes::parse("tweet.read users.read").map_err(|_| "scopes")?;
    let mut oauth1_tokens = Vec::with_capacity(people);
    let mut bearer_tokens = Vec::with_capacity(people);
    for i in 0..people {
        let user = if i == 0 {
            owner.clone()
        } else {
            users::create(db, &format!("bench{i}"), "Bench", "benchmark-password").await?
        };
        let (token, secret) =
            tokens::issue_access_token(db, &state.grants, app.id, user.id, AccessLevel::Read)
                .await?;
        oauth1_tokens.push(AccessToken::new(token.as_str(), secret.secret()));
        // A grant family of its own, as an authorization code would start.
        let family = provider::store::apps::random_credential(32);
        let issued = provider::store::oauth2::tokens::issue(
            db,
            provider::store::oauth2::tokens::NewTokens::whole(
                &family,
                app.id,
                user.id,
                scopes.clone(),
            ),
        )
        .await?;
        bearer_tokens.push(issued.access_token);
    }

    eprintln!("signing {count} requests, each with its own nonce...");
    let oauth1_url = url::Url::parse(&format!(
        "http://{addr}/1.1/account/verify_credentials.json"
    ))?;
    let now = Timestamp::now();
    let signers: Vec<Signer> = oauth1_tokens
        .iter()
        .map(|token| Signer::new(&client).token(token))
        .collect();
    let oauth1_script = write_requests(
        &dir,
        "oauth1",
        (0..count).map(|i| {
            let authorization = signers[i % signers.len()].authorization(
                &Request {
                    method: "GET",
                    url: &oauth1_url,
                    body: Body::Empty,
                },
                &Nonce::generate(),
                now,
            )?;
            Ok(format!(
                "GET {} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {authorization}\r\n\r\n",
                oauth1_url.path()
            ))
        }),
    )?;
    let bearer_url = url::Url::parse(&format!("http://{addr}/2/users/me"))?;
    let bearer_script = write_requests(
        &dir,
        "bearer",
        bearer_tokens.iter().map(|token| {
            Ok(format!(
                "GET {} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\r\n",
                bearer_url.path()
            ))
        }),
    )?;

    provider::spawn(state.clone(), listener).await?;
    let first_bearer = format!(
        "GET {} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\r\n",
        bearer_url.path(),
        bearer_tokens[0]
    );
    let body = answer_body(addr, &first_bearer).await?;
    let floor = spawn_floor(body.clone(), None).await?;
    let floor_url = url::Url::parse(&format!("http://{floor}/2/users/me"))?;
    let layered = spawn_floor(body, Some(state.clone())).await?;
    let layered_url = url::Url::parse(&format!("http://{layered}/2/users/me"))?;
    let backend = if postgres {
        "Postgres + Redis"
    } else {
        "SQLite + memory nonce store"
    };
    let mut results = Vec::new();
    for (label, script, url) in [
        // The Bearer requests' bytes, but no OAuth work: the HTTP floor.
        ("floor (bare axum)", bearer_script.clone(), &floor_url),
        // The same, behind the provider's edge layers: what they cost without OAuth.
        (
            "floor + the provider's layers",
            bearer_script.clone(),
            &layered_url,
        ),
        ("OAuth 1.0a", oauth1_script, &oauth1_url),
        ("OAuth 2.0 Bearer", bearer_script, &bearer_url),
    ] {
        eprintln!(
            "{label}: running wrk for {seconds}s with {connections} connections against {url} \
             ({backend}, {people} users)"
        );
        let measured = run_wrk(script, url.to_string(), seconds, connections).await?;
        results.push((label, url.path().to_owned(), measured));
    }
    let floor_cpu = results.first().and_then(|(_, _, m)| m.cpu_per_request());
    for (label, path, m) in &results {
        let cpu = match (m.cpu_per_request(), floor_cpu) {
            (Some([user, system]), Some([floor_user, floor_system])) => format!(
                ", server CPU {:.1} µs/request ({user:.1} user + {system:.1} system), {:.2}× the floor",
                user + system,
                (user + system) / (floor_user + floor_system)
            ),
            _ => String::new(),
        };
        println!(
            "summary {label} GET {path}: {} req/s, p50 {}, p99 {}, non-2xx {}, socket errors {}{cpu}",
            m.requests_per_sec, m.p50, m.p99, m.failed, m.socket_errors
        );
    }

    state.db.close().await;
    std::fs::remove_dir_all(&dir)?;
    if postgres {
        use sqlx::Connection as _;
        let mut conn = sqlx::PgConnection::connect(admin).await?;
        sqlx::query(&format!("drop database if exists {run} with (force)"))
            .execute(&mut conn)
            .await?;
    }
    let failed: u64 = results.iter().map(|(_, _, m)| m.failed).sum();
    if failed > 0 {
        return Err(format!("{failed} requests were not answered 2xx").into());
    }
    Ok(())
}
