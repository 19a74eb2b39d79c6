//! The document shell, the router and the shared pieces of every page.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, SsrMode, path};

use crate::pages::{Accounts, Home, HowItWorks, ProfileRoute};
use crate::signing::{DebuggerRoute, PlaygroundRoute};

#[cfg(feature = "ssr")]
use crate::server::http::browser_half::is_built as browser_half_built;

/// In the browser, the half that runs is there.
#[cfg(not(feature = "ssr"))]
fn browser_half_built(_: &LeptosOptions) -> bool {
    true
}

/// The HTML document around the app (server side only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // `.ci/demo` serves before the browser half is built: until then pages name no script.
    let hydrate = browser_half_built(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                // `/pkg/app.css`, or `/pkg/app.<hash>.css` with LEPTOS_HASH_FILES=true.
                <HashedStylesheet id="leptos" options=options.clone()/>
                // Under `cargo leptos watch` only: reloads the page after each rebuild.
                <AutoReload options=options.clone()/>
                {hydrate.then(|| view! { <HydrationScripts options/> })}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
    .into_any()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Async rendering: each page is sent whole, with its status code, so it reads the
    // same without JavaScript; hydration then makes the forms and links client-side.
    let app = view! {
        <Title text="Sign in with …"/>
        <Router>
            <header class="top">
                <a href="/" class="logo">"Sign in with …"</a>
                <nav>
                    <a href="/accounts">"Accounts"</a>
                    <a href="/how-it-works">"How it works"</a>
                    <a href="/playground">"Playground"</a>
                    <a href="/debugger">"Debugger"</a>
                </nav>
            </header>
            <main>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home ssr=SsrMode::Async/>
                    <Route path=path!("/profile/:name") view={Lazy::<ProfileRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/accounts") view=Accounts ssr=SsrMode::Async/>
                    <Route path=path!("/how-it-works") view=HowItWorks ssr=SsrMode::Async/>
                    // Lazy: their code is loaded only when one of them is opened (see `signing`).
                    <Route path=path!("/playground") view={Lazy::<PlaygroundRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/debugger") view={Lazy::<DebuggerRoute>::new()} ssr=SsrMode::Async/>
                </Routes>
            </main>
            <footer>
                "A reference OAuth 1.0a (RFC 5849) client on Leptos and Axum."
            </footer>
        </Router>
    };
    // On the server, erased: otherwise the whole page tree is one type, whose name is in
    // every symbol of the rendering code (megabytes each, gigabytes of debug info). Not
    // in the browser, where erasing brings in code for every way to render (+50 KB).
    #[cfg(feature = "ssr")]
    let app = app.into_any();
    app
}

/// Sets the HTTP status of the page being rendered on the server.
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = axum::http::StatusCode::from_u16(code)
    {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Not found"/>
        <section class="card" id="not-found">
            <h1>"Page not found"</h1>
            <p>"There is nothing here. " <a href="/">"Back to the start"</a></p>
        </section>
    }
}

/// A server function's error as a sentence, for pages.
#[component]
pub fn ErrorNote(message: String) -> impl IntoView {
    view! {
        <section class="card problem" role="alert">
            <p>{message}</p>
            <p><a href="/">"Back to the start"</a></p>
        </section>
    }
}

/// A "Sign in with …" button: a plain link to the server route that starts the flow
/// (`rel="external"` keeps the client-side router from taking it).
#[component]
pub fn SignInButton(name: String, brand: String) -> impl IntoView {
    let href = format!("/login/{name}");
    let id = format!("sign-in-{name}");
    view! {
        <a class="button" href=href id=id rel="external">"Sign in with " {brand}</a>
    }
}

/// Where secrets go: nowhere while the page runs in the browser; to this site without
/// JavaScript. `live` turns true once the page has hydrated.
#[component]
pub fn SecretsNote(live: RwSignal<bool>) -> impl IntoView {
    view! {
        <p class="note" id="secrets-note">
            <strong>
                {move || if live.get() {
                    "Running in your browser: nothing you type here is sent anywhere."
                } else {
                    "JavaScript is off (or still loading): the button posts the form to this site."
                }}
            </strong>
            " With JavaScript, this page computes in your browser, with the oauth1 crate \
             compiled to WebAssembly, and secrets typed here never leave it. Without \
             JavaScript, the form and its secrets are posted to this site, which computes \
             the same page on its server and keeps and logs none of it. Use test keys."
        </p>
    }
}
