//! The provider binary: `serve` (the default), `create-user` and `create-app`.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use provider::store::apps::{self, AccessLevel, NewApp};
use provider::store::oauth2::clients::{self, ClientKind, NewClient};
use provider::{AppState, Config, users};

/// mimalloc, not glibc's malloc: a signed API request makes some hundred small
/// allocations, and glibc's took a fifth of its CPU in a profile of the load example
/// (`provider/README.md`, "Where a request's time goes").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(version, about = "A Twitter-compatible OAuth 1.0a provider")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run migrations and serve (the default).
    Serve,
    /// Create a user; if the screen name exists, print it and change nothing.
    CreateUser {
        #[arg(long)]
        screen_name: String,
        #[arg(long, env = "PROVIDER_USER_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Register an app and print its consumer key and secret as JSON (and, with --oauth2,
    /// its OAuth 2.0 client id and secret). With --consumer-key, registering again
    /// updates the same app.
    CreateApp {
        #[arg(long)]
        owner: String,
        #[arg(long)]
        name: String,
        #[arg(long = "callback", required = true)]
        callbacks: Vec<String>,
        #[arg(long, default_value = "write", value_parser = ["read", "write"])]
        access: String,
        #[arg(long)]
        consumer_key: Option<String>,
        #[arg(long, env = "PROVIDER_CONSUMER_SECRET", hide_env_values = true)]
        consumer_secret: Option<String>,
        /// Turn OAuth 2.0 on, as a confidential client (with a secret) or a public one
        /// (PKCE only).
        #[arg(long, value_parser = ["confidential", "public"], requires = "redirect_uris")]
        oauth2: Option<String>,
        /// An OAuth 2.0 redirect URI (exact match); repeat for more.
        #[arg(long = "redirect-uri", requires = "oauth2")]
        redirect_uris: Vec<String>,
        /// A fixed OAuth 2.0 client id (else the app's, or a new one).
        #[arg(long, requires = "oauth2")]
        client_id: Option<String>,
        /// A fixed OAuth 2.0 client secret for a confidential client (else a new one).
        #[arg(long, env = "PROVIDER_CLIENT_SECRET", hide_env_values = true)]
        client_secret: Option<String>,
    },
}

fn main() -> ExitCode {
    // `provider/.env` from the workspace root, else `./.env`: before the runtime's threads
    // start, and before clap reads the variables its options take.
    let env_file = match provider::plumbing::dotenv::load("provider") {
        Ok(file) => file,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(err) = provider::plumbing::logging::init_logging() {
        eprintln!("error: {err}");
        return ExitCode::FAILURE;
    }
    if let Some(file) = env_file {
        tracing::info!(file = %file.display(), "settings read from a .env file");
    }
    let command = Cli::command().mut_subcommand("serve", |serve| {
        serve.after_help(provider::config::settings_help())
    });
    let cli = match Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => provider::serve(config).await?,
        Command::CreateUser {
            screen_name,
            password,
            name,
        } => {
            let state = AppState::connect(config).await?;
            let user = match users::by_screen_name(&state.db, &screen_name).await? {
                Some(existing) => existing,
                None => users::create(&state.db, &screen_name, &name, &password).await?,
            };
            println!("{}", serde_json::to_string(&user)?);
        }
        Command::CreateApp {
            owner,
            name,
            callbacks,
            access,
            consumer_key,
            consumer_secret,
            oauth2,
            redirect_uris,
            client_id,
            client_secret,
        } => {
            let state = AppState::connect(config).await?;
            let owner = users::by_screen_name(&state.db, &owner)
                .await?
                .ok_or_else(|| {
                    format!("no user named {owner:?}: create it first with create-user")
                })?;
            let app = apps::create(
                &state.db,
                NewApp {
                    owner_id: owner.id,
                    name: &name,
                    callbacks: &callbacks,
                    access_level: AccessLevel::parse(&access).unwrap_or(AccessLevel::Write),
                    consumer_key: consumer_key.as_deref(),
                    consumer_secret: consumer_secret.as_deref(),
                },
            )
            .await?;
            // The secrets are printed on purpose: this is how an operator receives them.
            let mut out = serde_json::json!({
                "name": app.name,
                "consumer_key": app.consumer_key.as_str(),
                "consumer_secret": app.consumer_secret.secret(),
                "access_level": app.access_level,
                "callbacks": callbacks,
            });
            if let Some(kind) = oauth2.as_deref().and_then(ClientKind::parse) {
                let enabled = clients::enable(
                    &state.db,
                    app.id,
                    NewClient {
                        kind,
                        redirect_uris: &redirect_uris,
                        client_id: client_id.as_deref(),
                        client_secret: client_secret.as_deref(),
                    },
                )
                .await?;
                out["oauth2"] = serde_json::json!({
                    "client_type": kind.as_str(),
                    "client_id": enabled.client_id,
                    "client_secret": enabled.client_secret,
                    "redirect_uris": redirect_uris,
                });
            }
            println!("{out}");
        }
    }
    Ok(())
}
