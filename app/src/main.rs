//! The site's server: `cargo leptos serve`, or `target/debug/app` after `cargo leptos build`.

use std::process::ExitCode;

fn main() -> ExitCode {
    // `app/.env` from the workspace root, else `./.env`: before the runtime's threads start.
    let env_file = match app::server::plumbing::dotenv::load("app") {
        Ok(file) => file,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(app::server::run(env_file)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
