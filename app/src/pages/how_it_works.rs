use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::load_flow;
use crate::components::ErrorNote;
use crate::model::{FlowStep, StepKind};
use crate::signing::forms::PlaygroundForm;

/// What each step is, and where RFC 5849 says so.
fn explain(kind: StepKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        StepKind::RequestToken => (
            "1. Temporary credentials",
            "RFC 5849 §2.1",
            "The site asks the service for a request token, signing with its consumer key and \
             secret only. It names the callback where the user will come back; the service must \
             answer oauth_callback_confirmed=true. The token secret stays on the site's server.",
        ),
        StepKind::Authorize => (
            "2. The user is sent to the service",
            "RFC 5849 §2.2",
            "The browser goes to the service's authorize page with the request token. The user \
             signs in there (this site never sees the password) and approves.",
        ),
        StepKind::Callback => (
            "3. Back at the callback",
            "RFC 5849 §2.2",
            "The service sends the browser back with the same oauth_token and a verifier. The site \
             checks that it issued this token and has not used it yet.",
        ),
        StepKind::AccessToken => (
            "4. Token credentials",
            "RFC 5849 §2.3",
            "The site exchanges the verifier, signing with the consumer secret and the request \
             token's secret, for an access token and secret it keeps in its database.",
        ),
        StepKind::ApiCall => (
            "5. A signed API call",
            "RFC 5849 §3",
            "Every call now carries the access token and a fresh signature over the method, URL \
             and parameters: the base string shown here, signed with HMAC-SHA1.",
        ),
        StepKind::CodeAuthorize => (
            "1. The user is sent to the service",
            "RFC 6749 §4.1.1, RFC 7636 §4.3",
            "OAuth 2.0 has no first leg: the browser goes straight to the authorize page with a \
             random state and a code_challenge, the SHA-256 of a verifier that stays on the \
             site's server. The user signs in there and approves the scopes.",
        ),
        StepKind::CodeCallback => (
            "2. Back with a code",
            "RFC 6749 §4.1.2, §10.12",
            "The service sends the browser back with a short-lived code and the same state. The \
             site only goes on if this browser began a sign-in with that state; then it sends \
             the code, the verifier and its client secret to the token endpoint (server to \
             server, over TLS in production) for an access token and a refresh token.",
        ),
        StepKind::CodeToken => (
            "3. Code for tokens",
            "RFC 6749 §4.1.3, RFC 7636 §4.5",
            "Server to server: the site sends the code, the verifier (which the service hashes \
             and compares with the challenge) and its client credentials, and receives an \
             access token, a refresh token, their lifetime and the scopes granted.",
        ),
        StepKind::Refresh => (
            "A refresh",
            "RFC 6749 §6",
            "Later, the access token had expired: the site sent the refresh token with its \
             client credentials and got a new pair (the old refresh token is now spent).",
        ),
        StepKind::BearerCall => (
            "4. An API call with the Bearer token",
            "RFC 6750 §2.1",
            "Nothing is signed: the access token itself travels in the Authorization header, \
             so whoever holds it can use it until it expires (two hours here). When it has \
             expired the site uses the refresh token for a new one (RFC 6749 §6), without \
             asking the user again.",
        ),
    }
}

/// The two protocols side by side.
#[component]
fn Comparison() -> impl IntoView {
    let rows = [
        (
            "What is signed",
            "Every request: an HMAC-SHA1 of the method, URL and parameters, with the client \
             secret and the token secret.",
            "Nothing. TLS protects the request; PKCE binds the code to the site's sign-in.",
        ),
        (
            "What travels",
            "The token and a signature; the secrets never leave either side.",
            "The access token itself (Bearer), and the client secret and refresh token to the \
             token endpoint.",
        ),
        (
            "What the server stores",
            "Token and token secret, with no expiry.",
            "Access token, refresh token, expiry and scope.",
        ),
        (
            "What a stolen token allows",
            "Nothing without its token secret and the client's secret.",
            "Every call its scopes allow until it expires; a stolen refresh token needs the \
             client secret too, and a reused one revokes its family.",
        ),
    ];
    view! {
        <section class="card">
            <h2>"OAuth 1.0a vs 2.0"</h2>
            <table id="oauth1-vs-oauth2">
                <thead><tr><th></th><th>"OAuth 1.0a"</th><th>"OAuth 2.0"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(what, one, two)| view! {
                        <tr><th scope="row">{what}</th><td>{one}</td><td>{two}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn Step(step: FlowStep) -> impl IntoView {
    let (title, section, text) = explain(step.kind);
    let id = format!("step-{}", step.kind.as_str());
    // A signed leg: its method, URL, parameters, nonce and timestamp, to sign again.
    let playground = PlaygroundForm::from_flow_step(&step).map(|form| {
        let href = format!("/playground?{}", form.to_query());
        view! {
            <p class="open-playground">
                <a href=href aria-label=format!("Open in the playground: {title}")>"Open in the playground"</a>
                <span class="muted">" (without your secrets: type them there)"</span>
            </p>
        }
    });
    view! {
        <article class="card step" id=id>
            <h2>{title} <span class="rfc">{section}</span></h2>
            <p>{text}</p>
            {playground}
            <dl>
                <dt>"Request"</dt>
                <dd><code>{step.method} " " {step.url}</code></dd>
                {(!step.body.is_empty()).then(|| view! {
                    <dt>"Request body"</dt>
                    <dd><code class="wrap">{step.body}</code></dd>
                })}
                {(!step.base_string.is_empty()).then(|| view! {
                    <dt>"Signature base string"</dt>
                    <dd><code class="wrap recorded-base-string">{step.base_string}</code></dd>
                })}
                {(!step.authorization.is_empty()).then(|| view! {
                    <dt>"Authorization header"</dt>
                    <dd><code class="wrap">{step.authorization}</code></dd>
                })}
                <dt>"Status"</dt>
                <dd>{step.status}</dd>
                {(!step.response.is_empty()).then(|| view! {
                    <dt>"Response"</dt>
                    <dd><code class="wrap">{step.response}</code></dd>
                })}
            </dl>
        </article>
    }
}

/// `/how-it-works`: the signed-in user's own last sign-in, leg by leg, secrets removed.
#[component]
pub fn HowItWorks() -> impl IntoView {
    let flow = Resource::new(|| (), |_| load_flow());
    view! {
        <Title text="How it works"/>
        <section class="card">
            <h1>"How it works"</h1>
            <p>
                "OAuth 1.0a and OAuth 2.0 let this site act on your account at a service without "
                "ever seeing your password. Below is your own last sign-in as it really went over "
                "the wire; signatures, secrets, tokens, codes and verifiers are replaced by [redacted]."
            </p>
        </section>
        <Comparison/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match flow.await {
                    Err(e) => view! { <ErrorNote message=e.to_string()/> }.into_any(),
                    Ok(None) => view! {
                        <p class="card" id="no-flow">"Sign in with one of the services first, then come back here."</p>
                    }.into_any(),
                    Ok(Some(flow)) => view! {
                        <p class="muted" id="flow-of">"Your sign-in with " {flow.brand} " at " {flow.recorded_at} "."</p>
                        {flow.steps.into_iter().map(|step| view! { <Step step/> }).collect_view()}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
