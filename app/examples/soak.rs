//! Soak benchmark (a benchmark, not a test): complete sign-ins through the site and a
//! provider at a fixed rate for a fixed time, each followed by a page that makes a
//! verified API call, on loopback only.
//!
//! ```sh
//! cargo run --release -p app --example soak              # Postgres, Redis (nonces, sessions, temporary credentials)
//! cargo run --release -p app --example soak -- sqlite    # SQLite files, in-memory nonces
//! ```
//! Options (environment): `SOAK_SECONDS` (default 60), `SOAK_RATE` (sign-ins per second,
//! default 300), `SOAK_BROWSERS` (concurrent browsers, default 64), `SOAK_WARMUP` (seconds
//! at the same rate before measuring, default 40).
//!
//! The provider runs with a 30 s timestamp window, and the warm-up lasts longer than
//! that: nonces are remembered for the window, so by the time memory is first read, the
//! nonce store holds as many as it ever will at this rate, and any growth after it is a
//! leak.
//!
//! The provider and the site run as two child processes of this one (the same binary
//! started as `soak provider` and `soak site`), so the resident memory of each can be
//! read from /proc at the start and at the end. A sign-in is what a returning user does:
//! the site's `/login/chirp` (the site fetches a request token), the provider's
//! `/oauth/authenticate` (already signed in there and already approved, so it sends the
//! browser straight back), the site's callback (the site exchanges the verifier and
//! calls `verify_credentials`), then `/profile/chirp` (the site calls the API again).

use std::time::{Duration, Instant};

use provider::store::apps::{AccessLevel, NewApp};
use provider_testing::{Backend, TestDb};
use reqwest::StatusCode;

const PASSWORD: &str = "soak-password";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), Error> {
    let runtime = tokio::runtime::Runtime::new()?;
    match std::env::args().nth(1).as_deref() {
        Some("provider") => runtime.block_on(async {
            let config = provider::Config::from_env()?;
            provider::serve(config)
                .await
                .map_err(|e| -> Error { e.to_string().into() })
        }),
        Some("site") => runtime.block_on(async {
            app::server::run(None)
                .await
                .map_err(|e| -> Error { e.to_string().into() })
        }),
        mode => runtime.block_on(drive(mode == Some("sqlite"))),
    }
}

/// A free port on loopback.
fn free_port() -> Result<u16, Error> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Resident memory of a process, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_child(mode: &str, vars: &[(String, String)]) -> Result<Child, Error> {
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command.arg(mode).env("RUST_LOG", "warn");
    for (k, v) in vars {
        command.env(k, v);
    }
    Ok(Child(command.spawn()?))
}

async fn wait_until_up(url: &str) -> Result<(), Error> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if reqwest::get(url).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{url} did not come up").into())
}

async fn drive(sqlite: bool) -> Result<(), Error> {
    let seconds = env_or("SOAK_SECONDS", 60);
    let rate = env_or("SOAK_RATE", 300);
    let browsers = env_or("SOAK_BROWSERS", 64) as usize;
    let warmup = env_or("SOAK_WARMUP", 40);
    let backend = if sqlite {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    let provider_db = TestDb::new(backend).await;
    let site_db = TestDb::new(backend).await;
    let (provider_port, site_port) = (free_port()?, free_port()?);
    let provider_url = format!("http://127.0.0.1:{provider_port}/");
    let site_url = format!("http://127.0.0.1:{site_port}/");
    let prefix = format!(
        "soak_{}:",
        provider::store::apps::random_credential(8).to_lowercase()
    );

    // The user and the site's app, before the provider starts.
    {
        let db = provider::store::connect(&provider_db.url).await?;
        let owner = provider::users::create(&db, "owner", "Owner", PASSWORD).await?;
        // One person per browser: a sign-in rotates that person's token, so browsers
        // sharing one would revoke each other's.
        for i in 0..browsers {
            let name = format!("soak{i}");
            provider::users::create(&db, &name, &format!("Soak User {i}"), PASSWORD).await?;
        }
        provider::store::apps::create(
            &db,
            NewApp {
                owner_id: owner.id,
                name: "Soak site",
                callbacks: &[format!("{site_url}authorize/chirp")],
                access_level: AccessLevel::Write,
                consumer_key: Some("soak-key"),
                consumer_secret: Some("soak-secret"),
            },
        )
        .await?;
        db.close().await;
    }
    let stores: Vec<(String, String)> = if sqlite {
        vec![("NONCE_STORE".into(), "memory".into())]
    } else {
        vec![
            ("NONCE_STORE".into(), "redis".into()),
            ("PENDING_SIGN_IN_STORE".into(), "redis".into()),
            ("SESSION_STORE".into(), "redis".into()),
            ("REDIS_URL".into(), "redis://127.0.0.1:6379".into()),
        ]
    };
    let mut provider_vars = vec![
        ("PROVIDER_BRAND".to_owned(), "Chirp".to_owned()),
        (
            "PROVIDER_LISTEN".into(),
            format!("127.0.0.1:{provider_port}"),
        ),
        ("DATABASE_URL".into(), provider_db.url.clone()),
        ("REDIS_PREFIX".into(), format!("{prefix}provider:")),
        ("TIMESTAMP_WINDOW_SECS".into(), "30".into()),
    ];
    provider_vars.extend(stores.iter().cloned());
    let mut site_vars = vec![
        ("SITE_LISTEN".to_owned(), format!("127.0.0.1:{site_port}")),
        ("DATABASE_URL".into(), site_db.url.clone()),
        ("SITE_REMOTES".into(), "chirp".into()),
        ("CHIRP_CLIENT_ID".into(), "soak-key".into()),
        ("CHIRP_CLIENT_SECRET".into(), "soak-secret".into()),
        (
            "CHIRP_REQUEST_TOKEN_URL".into(),
            format!("{provider_url}oauth/request_token"),
        ),
        (
            "CHIRP_ACCESS_TOKEN_URL".into(),
            format!("{provider_url}oauth/access_token"),
        ),
        (
            "CHIRP_AUTHORIZE_URL".into(),
            format!("{provider_url}oauth/authenticate"),
        ),
        ("CHIRP_API_BASE_URL".into(), format!("{provider_url}1.1/")),
        ("REDIS_PREFIX".into(), format!("{prefix}site:")),
        // Every simulated browser signs in from 127.0.0.1: no per-address sign-in quota.
        ("SITE_SIGN_INS_PER_ADDRESS".into(), "1000000".into()),
    ];
    site_vars.extend(stores.iter().cloned());

    let provider = spawn_child("provider", &provider_vars)?;
    let site = spawn_child("site", &site_vars)?;
    wait_until_up(&format!("{provider_url}login")).await?;
    wait_until_up(&site_url).await?;

    eprintln!("signing {browsers} browsers in at the provider...");
    let mut clients = Vec::new();
    for i in 0..browsers {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        sign_in_at_provider(&http, &provider_url, &format!("soak{i}")).await?;
        clients.push(http);
    }
    // Warm up: each browser signs in once, approving the app.
    for http in &clients {
        sign_in(http, &site_url, &provider_url).await?;
    }
    if warmup > 0 {
        eprintln!("warming up for {warmup}s at {rate} sign-ins/s...");
        let (clients_back, phase) =
            run_phase(clients, &site_url, &provider_url, rate, warmup).await?;
        clients = clients_back;
        if !phase.errors.is_empty() {
            return Err(format!(
                "warm-up: {} failures, first: {}",
                phase.errors.len(),
                phase.errors[0]
            )
            .into());
        }
    }
    let rss_start = (rss_mib(provider.0.id()), rss_mib(site.0.id()));
    eprintln!(
        "soaking for {seconds}s at {rate} sign-ins/s with {browsers} browsers ({})",
        if sqlite {
            "SQLite, in-memory nonces"
        } else {
            "Postgres + Redis"
        }
    );
    let (_, phase) = run_phase(clients, &site_url, &provider_url, rate, seconds).await?;
    let rss_end = (rss_mib(provider.0.id()), rss_mib(site.0.id()));
    let Phase {
        mut sign_ins,
        mut pages,
        errors,
        skipped,
        elapsed,
    } = phase;
    sign_ins.sort();
    pages.sort();
    let pct = |v: &[Duration], p: f64| {
        v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "sign-ins: {} in {elapsed:.1}s = {:.0}/s (asked {rate}/s; {skipped} ticks found every browser busy)",
        sign_ins.len(),
        sign_ins.len() as f64 / elapsed
    );
    println!(
        "sign-in latency: p50 {:.1} ms, p99 {:.1} ms; profile page (verified API call): p50 {:.1} ms, p99 {:.1} ms",
        pct(&sign_ins, 0.5),
        pct(&sign_ins, 0.99),
        pct(&pages, 0.5),
        pct(&pages, 0.99)
    );
    println!("errors: {}", errors.len());
    for e in errors.iter().take(5) {
        println!("  {e}");
    }
    println!(
        "resident memory: provider {:.1} -> {:.1} MiB, site {:.1} -> {:.1} MiB",
        rss_start.0, rss_end.0, rss_start.1, rss_end.1
    );
    drop(site);
    drop(provider);
    if !sqlite {
        clean_redis(&prefix).await?;
    }
    if !errors.is_empty() {
        return Err(format!("{} sign-ins or pages failed", errors.len()).into());
    }
    Ok(())
}

struct Phase {
    sign_ins: Vec<Duration>,
    pages: Vec<Duration>,
    errors: Vec<String>,
    /// Ticks of the pacer that found every browser busy: the rate was not reached.
    skipped: u64,
    elapsed: f64,
}

/// Sign-ins at `rate` per second for `seconds`, spread over the browsers; gives the
/// browsers back for the next phase.
async fn run_phase(
    clients: Vec<reqwest::Client>,
    site_url: &str,
    provider_url: &str,
    rate: u64,
    seconds: u64,
) -> Result<(Vec<reqwest::Client>, Phase), Error> {
    // Tickets from the pacer; whichever browser is free takes the next one.
    let (ticks, jobs) = tokio::sync::mpsc::channel::<()>(clients.len() * 2);
    let jobs = std::sync::Arc::new(tokio::sync::Mutex::new(jobs));
    let end = Instant::now() + Duration::from_secs(seconds);
    let pacer = tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut skipped = 0u64;
        while Instant::now() < end {
            interval.tick().await;
            if ticks.try_send(()).is_err() {
                skipped += 1;
            }
        }
        skipped
    });
    let started = Instant::now();
    let mut workers = Vec::new();
    for http in clients {
        let (jobs, site_url, provider_url) = (
            std::sync::Arc::clone(&jobs),
            site_url.to_owned(),
            provider_url.to_owned(),
        );
        workers.push(tokio::spawn(async move {
            let mut sign_ins = Vec::new();
            let mut pages = Vec::new();
            let mut errors = Vec::new();
            while jobs.lock().await.recv().await.is_some() {
                let t = Instant::now();
                match sign_in(&http, &site_url, &provider_url).await {
                    Ok(()) => sign_ins.push(t.elapsed()),
                    Err(e) => {
                        errors.push(e.to_string());
                        continue;
                    }
                }
                let t = Instant::now();
                match profile(&http, &site_url).await {
                    Ok(()) => pages.push(t.elapsed()),
                    Err(e) => errors.push(e.to_string()),
                }
            }
            (http, sign_ins, pages, errors)
        }));
    }
    let skipped = pacer.await?;
    let mut phase = Phase {
        sign_ins: Vec::new(),
        pages: Vec::new(),
        errors: Vec::new(),
        skipped,
        elapsed: 0.0,
    };
    let mut clients = Vec::new();
    for worker in workers {
        let (http, s, p, e) = worker.await?;
        clients.push(http);
        phase.sign_ins.extend(s);
        phase.pages.extend(p);
        phase.errors.extend(e);
    }
    phase.elapsed = started.elapsed().as_secs_f64();
    Ok((clients, phase))
}

fn location(response: &reqwest::Response) -> Result<String, Error> {
    Ok(response
        .headers()
        .get("location")
        .ok_or_else(|| format!("no Location on a {}", response.status()))?
        .to_str()?
        .to_owned())
}

fn hidden(html: &str, name: &str) -> Result<String, Error> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).ok_or("no such field")? + marker.len();
    let end = html[start..].find('"').ok_or("unterminated field")?;
    Ok(html[start..start + end].replace("&amp;", "&"))
}

async fn sign_in_at_provider(
    http: &reqwest::Client,
    provider: &str,
    screen_name: &str,
) -> Result<(), Error> {
    let page = http
        .get(format!("{provider}login"))
        .send()
        .await?
        .text()
        .await?;
    let csrf = hidden(&page, "csrf")?;
    let response = http
        .post(format!("{provider}login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("screen_name", screen_name),
            ("password", PASSWORD),
        ])
        .send()
        .await?;
    if response.status() != StatusCode::SEE_OTHER {
        return Err(format!("provider sign-in: {}", response.status()).into());
    }
    Ok(())
}

/// One complete sign-in; the first of each person shows the consent page and allows.
async fn sign_in(http: &reqwest::Client, site: &str, provider: &str) -> Result<(), Error> {
    let response = http.get(format!("{site}login/chirp")).send().await?;
    if response.status() != StatusCode::SEE_OTHER {
        return Err(format!("/login/chirp: {}", response.status()).into());
    }
    let authenticate = location(&response)?;
    let response = http.get(&authenticate).send().await?;
    let callback = if response.status() == StatusCode::OK {
        let page = response.text().await?;
        let response = http
            .post(format!("{provider}oauth/authorize"))
            .form(&[
                ("csrf", hidden(&page, "csrf")?.as_str()),
                ("oauth_token", hidden(&page, "oauth_token")?.as_str()),
                ("decision", "allow"),
            ])
            .send()
            .await?;
        location(&response)?
    } else {
        location(&response)?
    };
    let response = http.get(&callback).send().await?;
    if response.status() != StatusCode::SEE_OTHER || location(&response)? != "/profile/chirp" {
        return Err(format!("callback: {}", response.status()).into());
    }
    Ok(())
}

/// The profile page: the site calls the provider's API with the user's token.
async fn profile(http: &reqwest::Client, site: &str) -> Result<(), Error> {
    let response = http.get(format!("{site}profile/chirp")).send().await?;
    let status = response.status();
    let page = response.text().await?;
    if status != StatusCode::OK || !page.contains("Soak User") {
        return Err(format!("profile: {status}").into());
    }
    Ok(())
}

async fn clean_redis(prefix: &str) -> Result<(), Error> {
    let client = redis::Client::open("redis://127.0.0.1:6379")?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await?;
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL").arg(keys).query_async(&mut conn).await?;
    }
    Ok(())
}
