//! `/debugger`: why was my request refused? A request as sent and the secrets believed
//! right, read as the provider reads it (`oauth1::explain::diagnose`): the provider's
//! answer to malformed input, the server's base string, both signatures, and the usual
//! mistake that explains a mismatch. Computed in the browser when hydrated; posted to
//! the site without JavaScript (`signing::posts`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use oauth1::VerifyError;
use oauth1::explain::{Diagnosis, ExplainError, FoundMistake, Mistake, Verdict};

use crate::components::{SecretsNote, set_status};
use crate::signing::fields::{Choice, TextArea, TextField};
use crate::signing::forms::{DEBUGGER_EXAMPLES, DebuggerForm};
use crate::signing::steps::{BaseString, BaseStringLegend, mask};

/// One signal per field.
#[derive(Clone, Copy)]
struct Fields {
    raw: RwSignal<String>,
    scheme: RwSignal<String>,
    method: RwSignal<String>,
    url: RwSignal<String>,
    body: RwSignal<String>,
    content_type: RwSignal<String>,
    authorization: RwSignal<String>,
    consumer_secret: RwSignal<String>,
    token_secret: RwSignal<String>,
}

impl Fields {
    fn new(f: DebuggerForm) -> Self {
        Self {
            raw: RwSignal::new(f.raw),
            scheme: RwSignal::new(f.scheme),
            method: RwSignal::new(f.method),
            url: RwSignal::new(f.url),
            body: RwSignal::new(f.body),
            content_type: RwSignal::new(f.content_type),
            authorization: RwSignal::new(f.authorization),
            consumer_secret: RwSignal::new(f.consumer_secret),
            token_secret: RwSignal::new(f.token_secret),
        }
    }

    fn load(&self, f: DebuggerForm) {
        self.raw.set(f.raw);
        self.scheme.set(f.scheme);
        self.method.set(f.method);
        self.url.set(f.url);
        self.body.set(f.body);
        self.content_type.set(f.content_type);
        self.authorization.set(f.authorization);
        self.consumer_secret.set(f.consumer_secret);
        self.token_secret.set(f.token_secret);
    }

    fn get(&self) -> DebuggerForm {
        DebuggerForm {
            raw: self.raw.get(),
            scheme: self.scheme.get(),
            method: self.method.get(),
            url: self.url.get(),
            body: self.body.get(),
            content_type: self.content_type.get(),
            authorization: self.authorization.get(),
            consumer_secret: self.consumer_secret.get(),
            token_secret: self.token_secret.get(),
        }
    }
}

const SCHEMES: &[(&str, &str)] = &[("https", "https"), ("http", "http")];

/// The id of a mistake's card: `mistake-other_scheme`.
fn mistake_id(mistake: Mistake) -> &'static str {
    match mistake {
        Mistake::DoubleEncoding => "mistake-double_encoding",
        Mistake::PlusForSpace => "mistake-plus_for_space",
        Mistake::BodyParametersLeftOut => "mistake-body_parameters_left_out",
        Mistake::PortIncluded => "mistake-port_included",
        Mistake::OtherScheme => "mistake-other_scheme",
        Mistake::EmptyTokenSecret => "mistake-empty_token_secret",
        Mistake::WrongSignatureMethod => "mistake-wrong_signature_method",
    }
}

/// The provider's answer, as `provider/src/error.rs` gives it (Twitter's codes): status
/// line and body.
fn provider_answer(error: Option<&VerifyError>) -> (&'static str, String) {
    let (status, code, message) = match error {
        Some(VerifyError::StaleTimestamp) => ("401 Unauthorized", 135, "Timestamp out of bounds."),
        Some(e) if e.is_bad_request() => ("400 Bad Request", 215, "Bad Authentication data."),
        _ => ("401 Unauthorized", 32, "Could not authenticate you."),
    };
    (
        status,
        format!(r#"{{"errors":[{{"code":{code},"message":"{message}"}}]}}"#),
    )
}

#[component]
fn ProviderAnswer(error: Option<VerifyError>) -> impl IntoView {
    let (status, body) = provider_answer(error.as_ref());
    view! {
        <p class="label">"The provider answers"</p>
        <code class="wrap" id="provider-answer">"HTTP/1.1 " {status} "\n" {body}</code>
    }
}

/// A base string given whole, in its three coloured parts.
fn split_base_string(id: String, value: String, mark_at: Option<usize>) -> impl IntoView {
    let mut parts = value.splitn(3, '&').map(str::to_owned);
    let (method, uri, parameters) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    view! { <BaseString id method uri parameters mark_at/> }
}

#[component]
fn MistakeCard(found: FoundMistake) -> impl IntoView {
    let id = mistake_id(found.mistake);
    view! {
        <article class="step mistake" id=id>
            <h3>
                <span>{found.title}</span>
                <span class="rfc">"RFC 5849 " {found.section}</span>
            </h3>
            <p class="explanation">{found.explanation}</p>
            <p>"This request: " {found.detail} " (signed with " {found.client_signature_method} ")."</p>
            <p class="label">"The base string the client signed"
                {found.first_difference.map(|at| view! { ", first difference marked at byte " {at} })}
            </p>
            {split_base_string(format!("{id}-base-string"), found.client_base_string, found.first_difference)}
        </article>
    }
}

#[component]
fn DiagnosisView(diagnosis: Diagnosis) -> impl IntoView {
    let plaintext = diagnosis.signature_method == "PLAINTEXT";
    let expected = if plaintext {
        mask(&diagnosis.expected_signature)
    } else {
        diagnosis.expected_signature
    };
    let location = match diagnosis.location {
        oauth1::Location::Header => "the Authorization header",
        oauth1::Location::Query => "the URL's query",
        oauth1::Location::Body => "the form body",
    };
    let verdict = match diagnosis.verdict {
        Verdict::Match => view! {
            <p class="verdict match" id="verdict">
                "✓ The signature matches: with these secrets the provider accepts it "
                "(if its nonce is new and its timestamp recent, §3.3)."
            </p>
        }
        .into_any(),
        Verdict::Mistake => view! {
            <p class="verdict mismatch" id="verdict">
                "✗ The signature does not match. It matches once the usual mistake below is made: "
                "that is what the client did."
            </p>
            <ProviderAnswer error=None/>
        }
        .into_any(),
        Verdict::Unexplained => view! {
            <p class="verdict mismatch" id="verdict">
                "✗ The signature does not match, and no usual mistake explains it: the secrets "
                "given may not be the ones the client signed with, or the request was changed "
                "after it was signed."
            </p>
            <ProviderAnswer error=None/>
        }
        .into_any(),
    };
    let mistakes = diagnosis.mistakes;
    view! {
        <section class="card result" id="diagnosis" aria-live="polite">
            <h2>"Diagnosis"</h2>
            {verdict}
            <table class="signatures">
                <tbody>
                    <tr><th scope="row">"Received (" {diagnosis.signature_method} ")"</th>
                        <td><code id="received-signature">{diagnosis.received_signature}</code></td></tr>
                    <tr><th scope="row">"The server computes"</th>
                        <td><code id="expected-signature">{expected}</code></td></tr>
                </tbody>
            </table>
            <p class="muted">"Protocol parameters found in " {location} " (§3.5)."</p>
        </section>
        {(!mistakes.is_empty()).then(|| view! {
            <section class="card steps" id="mistakes">
                <h2>"What the client did"</h2>
                {mistakes.into_iter().map(|found| view! { <MistakeCard found/> }).collect_view()}
            </section>
        })}
        <section class="card steps">
            <h2>"The base string the server builds " <span class="rfc">"RFC 5849 §3.4.1"</span></h2>
            <BaseStringLegend/>
            {split_base_string("server-base-string".to_owned(), diagnosis.server_base_string, None)}
        </section>
    }
}

/// The examples, as links: a GET without JavaScript, loaded into the fields with it.
#[component]
fn ExampleLinks(fields: Fields) -> impl IntoView {
    view! {
        <nav class="presets" aria-label="Examples">
            <h2>"Examples with a mistake"</h2>
            <ul>
                {DEBUGGER_EXAMPLES.iter().map(|(name, label)| {
                    let form = DebuggerForm::example(name).unwrap_or_default();
                    view! {
                        <li>
                            <a href=format!("/debugger?example={name}") id=format!("example-{name}")
                                on:click=move |ev| {
                                    ev.prevent_default();
                                    fields.load(form.clone());
                                }>{*label}</a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </nav>
    }
}

#[component]
pub fn Debugger() -> impl IntoView {
    let query = use_query_map();
    let start = SharedValue::new(move || {
        use_context::<DebuggerForm>().unwrap_or_else(|| {
            query
                .read_untracked()
                .get("example")
                .and_then(|name| DebuggerForm::example(&name))
                .unwrap_or_else(|| DebuggerForm {
                    scheme: "https".to_owned(),
                    method: "POST".to_owned(),
                    ..DebuggerForm::default()
                })
        })
    })
    .into_inner();
    let fields = Fields::new(start);
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    let result = move || {
        let form = fields.get();
        if !form.uses_raw() && form.url.trim().is_empty() {
            return view! {
                <p class="card muted" id="diagnosis-waiting">
                    "Paste a request, or its URL and Authorization header, and the secrets."
                </p>
            }
            .into_any();
        }
        match form.diagnose() {
            Ok(diagnosis) => view! { <DiagnosisView diagnosis/> }.into_any(),
            Err(ExplainError::Rejected(error)) => view! {
                <section class="card problem" role="alert" id="rejected">
                    <h2>"The provider refuses this request before checking its signature"</h2>
                    <p>{error.to_string()} " (RFC 5849 §3.2)."</p>
                    <ProviderAnswer error=Some(error)/>
                </section>
            }
            .into_any(),
            Err(error) => {
                set_status(400);
                view! {
                    <section class="card problem" role="alert" id="debug-error">
                        <h2>"This request cannot be read"</h2>
                        <p>{error.to_string()}</p>
                    </section>
                }
                .into_any()
            }
        }
    };
    let page = view! {
        <Title text="Signature debugger"/>
        <section class="card">
            <h1>"Signature debugger"</h1>
            <p>
                "A provider said \u{201c}Could not authenticate you\u{201d}? Paste the request as it "
                "was sent and the secrets you believe are right. The page reads it as the "
                "provider does, rebuilds the base string the server signs, compares the "
                "signatures and, when they differ, finds the usual mistake that explains it."
            </p>
            <SecretsNote live/>
            <ExampleLinks fields/>
        </section>
        <form method="post" action="/debugger" id="debugger-form" class="card signing-form"
            on:submit=move |ev| ev.prevent_default()>
            <h2>"The request as sent"</h2>
            <div class="fields">
                <TextArea id="raw" label="A raw HTTP request" value=fields.raw rows=7
                    hint="request line, headers, blank line, body; when given, it replaces the parts below"/>
                <Choice id="scheme" label="Sent over" value=fields.scheme options=SCHEMES/>
            </div>
            <h3>"Or its parts"</h3>
            <div class="fields">
                <TextField id="method" label="Method" value=fields.method/>
                <TextField id="url" label="Full URL" value=fields.url hint="with its query"/>
                <TextField id="body" label="Body" value=fields.body/>
                <TextField id="content_type" label="Content-Type" value=fields.content_type hint="form-encoded when empty and there is a body"/>
                <TextArea id="authorization" label="Authorization header" value=fields.authorization rows=4
                    hint="as sent, starting with OAuth; empty when the parameters are in the query or body"/>
            </div>
            <h3>"The secrets you believe are right"</h3>
            <div class="fields">
                <TextField id="consumer_secret" label="Consumer secret" value=fields.consumer_secret/>
                <TextField id="token_secret" label="Token secret" value=fields.token_secret hint="empty without a token"/>
            </div>
            <div class="buttons">
                <button type="submit" id="diagnose">"Diagnose"</button>
            </div>
        </form>
        {result}
    };
    // Erased on the server only, as `App` is.
    #[cfg(feature = "ssr")]
    let page = page.into_any();
    page
}
