//! The site's server: `cargo leptos serve`, or `target/debug/app` after `cargo leptos build`.

#[tokio::main]
async fn main() {
    if let Err(err) = app::server::run().await {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}
