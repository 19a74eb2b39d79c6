//! One request signed step by step, as `oauth1::explain` computed it: each step with
//! its RFC 5849 section. The playground shows a whole [`Explanation`]; the debugger
//! shows base strings with [`BaseString`].

use leptos::prelude::*;
use oauth1::Placement;
use oauth1::explain::{Dropped, Explanation, LowerCased, Parameter, Source, UriPart};

/// A secret, masked: its `&` (the one between the two secrets of a key) kept, so the
/// shape of the key still shows, as with an empty token secret (`••••••••&`).
pub fn mask(secret: &str) -> String {
    secret
        .split('&')
        .map(|part| {
            if part.is_empty() {
                ""
            } else {
                "••••••••"
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A step's heading with its section.
#[component]
fn StepTitle(number: u8, title: &'static str, section: String) -> impl IntoView {
    view! {
        <h3>
            <span>{number} ". " {title}</span>
            <span class="rfc">"RFC 5849 " {section}</span>
        </h3>
    }
}

/// The base string's three parts (§3.4.1.1), each in its own colour, joined by `&`.
#[component]
pub fn BaseString(
    #[prop(into)] id: String,
    method: String,
    uri: String,
    parameters: String,
    /// A byte offset to mark: where this base string first differs from another.
    #[prop(default = None)]
    mark_at: Option<usize>,
) -> impl IntoView {
    // The mark goes into whichever part holds the offset.
    let parts = [
        ("bs-method", method),
        ("bs-uri", uri),
        ("bs-params", parameters),
    ];
    let mut start = 0;
    let spans = parts
        .into_iter()
        .enumerate()
        .map(|(i, (class, text))| {
            let local = mark_at
                .and_then(|at| at.checked_sub(start))
                .filter(|at| *at < text.len() && text.is_char_boundary(*at));
            start += text.len() + 1;
            let body = match local {
                Some(at) => {
                    let (head, tail) = text.split_at(at);
                    let mut chars = tail.chars();
                    let first = chars.next().map(String::from).unwrap_or_default();
                    let rest = chars.as_str().to_owned();
                    view! { {head.to_owned()} <mark>{first}</mark> {rest} }.into_any()
                }
                None => text.into_any(),
            };
            view! {
                {(i > 0).then_some("&")}
                <span class=class>{body}</span>
            }
        })
        .collect_view();
    view! { <code class="wrap base-string" id=id>{spans}</code> }
}

/// Which part is which colour.
#[component]
pub fn BaseStringLegend() -> impl IntoView {
    view! {
        <p class="legend">
            <span class="bs-method">"method"</span> " & "
            <span class="bs-uri">"base string URI, encoded"</span> " & "
            <span class="bs-params">"normalized parameters, encoded again"</span>
        </p>
    }
}

fn source_name(source: Source) -> &'static str {
    match source {
        Source::Query => "query",
        Source::Body => "body",
        Source::Protocol => "protocol",
    }
}

#[component]
fn Parameters(parameters: Vec<Parameter>) -> impl IntoView {
    view! {
        <table class="parameters" id="parameters">
            <thead>
                <tr><th scope="col">"from"</th><th scope="col">"name = value"</th><th scope="col">"encoded (§3.6)"</th></tr>
            </thead>
            <tbody>
                {parameters.into_iter().map(|p| view! {
                    <tr>
                        <td>{source_name(p.source)}</td>
                        <td><code>{p.name} "=" {p.value}</code></td>
                        <td><code>{p.encoded_name} "=" {p.encoded_value}</code></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn part_name(part: UriPart) -> &'static str {
    match part {
        UriPart::Scheme => "scheme",
        UriPart::Host => "host",
        UriPart::Port => "port",
        UriPart::Query => "query",
        UriPart::Fragment => "fragment",
    }
}

/// What becoming the base string URI did to the URL, one note each.
#[component]
fn UriNotes(dropped: Vec<Dropped>, lower_cased: Vec<LowerCased>) -> impl IntoView {
    let notes = dropped
        .into_iter()
        .map(|d| {
            let why = match d.part {
                UriPart::Port => "the scheme's default port is left out",
                UriPart::Query => "its parameters are signed as parameters (step 1) instead",
                UriPart::Fragment => "a fragment is never sent",
                _ => "not part of the base string URI",
            };
            view! { <li><code>{d.text}</code> " dropped: " {why}</li> }.into_any()
        })
        .chain(lower_cased.into_iter().map(|l| {
            view! {
                <li>"the " {part_name(l.part)} " " <code>{l.from}</code> " lower-cased to " <code>{l.to}</code></li>
            }
            .into_any()
        }))
        .collect::<Vec<_>>();
    let none = notes.is_empty();
    view! {
        <ul class="notes" id="uri-notes">
            {none.then(|| view! { <li>"Nothing to drop or lower-case: the URL was already in its base form."</li> })}
            {notes}
        </ul>
    }
}

/// Every step of signing one request. The key (and, with PLAINTEXT, the signature and
/// what is sent, which are the key) stays masked until `show_key`; the button that
/// toggles it submits `form` without JavaScript.
#[component]
pub fn SignatureSteps(
    explanation: Explanation,
    show_key: RwSignal<bool>,
    form: &'static str,
) -> impl IntoView {
    let Explanation {
        parameters,
        normalized,
        uri,
        base_string,
        signing_key,
        signature,
        output,
    } = explanation;
    let plaintext = signature.method == "PLAINTEXT";
    let rsa = signature.method == "RSA-SHA1";
    let shown = move |text: &str| {
        if plaintext && !show_key.get() {
            mask(text)
        } else {
            text.to_owned()
        }
    };
    let key = signing_key.value;
    let (sig_value, sig_encoded) = (signature.value, signature.encoded);
    let (authorization, sent_url, sent_body) = (output.authorization, output.url, output.body);
    // With PLAINTEXT what is sent carries the key: masked with it.
    let signature_kept = StoredValue::new(sig_value.clone());
    let hidden = move |text: &str| {
        signature_kept.with_value(|s| hide_in(text, s, plaintext && !show_key.get()))
    };
    let what_is_sent = match output.placement {
        Placement::Header => "the Authorization header",
        Placement::Query => "the URL, with the parameters in its query",
        Placement::Body => "the form body, with the parameters in it",
    };
    view! {
        <section class="card steps" id="steps" aria-live="polite">
            <h2>"Every step"</h2>
            <article class="step">
                <StepTitle number=1 title="Parameters" section=format!("{} and {}", parameters.section, parameters.encoding_section)/>
                <p>"From the query, the form body and the protocol (realm and the signature aside), each name and value encoded."</p>
                <Parameters parameters=parameters.parameters/>
            </article>
            <article class="step">
                <StepTitle number=2 title="Normalized parameters" section=normalized.section.to_owned()/>
                <p>"The encoded pairs sorted by name, then value, joined with = and &."</p>
                <code class="wrap" id="normalized">{normalized.value}</code>
            </article>
            <article class="step">
                <StepTitle number=3 title="Base string URI" section=uri.section.to_owned()/>
                <code class="wrap" id="base-uri">{uri.value}</code>
                <UriNotes dropped=uri.dropped lower_cased=uri.lower_cased/>
            </article>
            <article class="step">
                <StepTitle number=4 title="Signature base string" section=base_string.section.to_owned()/>
                <BaseStringLegend/>
                <BaseString id="base-string" method=base_string.method uri=base_string.uri parameters=base_string.parameters/>
            </article>
            <article class="step">
                <StepTitle number=5 title="Signing key" section=signing_key.section.to_owned()/>
                <p>{if rsa {
                    "RSA-SHA1: the client's RSA private key. The consumer and token secrets play no part; the server checks the signature with the public key the client registered."
                } else {
                    "The consumer secret and the token secret, each encoded, joined by & (the & stays when there is no token secret)."
                }}</p>
                <code class="wrap" id="signing-key">{move || if show_key.get() { key.clone() } else { mask(&key) }}</code>
                <button
                    type="submit"
                    class="secondary"
                    id="show-key"
                    form=form
                    name="action"
                    value=move || if show_key.get() { "hide-key" } else { "show-key" }
                    on:click=move |ev| {
                        ev.prevent_default();
                        show_key.update(|s| *s = !*s);
                    }
                >
                    {move || if show_key.get() { "Hide the key" } else { "Show the key" }}
                </button>
            </article>
            <article class="step">
                <StepTitle number=6 title="Signature" section=signature.section.to_owned()/>
                <p>{signature.method} {if plaintext { ": the key itself, so masked with it" } else if rsa { ": RSASSA-PKCS1-v1_5 over SHA-1 of the base string with the private key, in base64" } else { " of the base string with the key, in base64" }}</p>
                <code class="wrap" id="signature">{let v = sig_value.clone(); move || shown(&v)}</code>
                <p>"Encoded for the header or a form (§3.6):"</p>
                <code class="wrap" id="signature-encoded">{move || shown(&sig_encoded)}</code>
            </article>
            <article class="step">
                <StepTitle number=7 title="What is sent" section=output.section.to_owned()/>
                <p>"The parameters and the signature travel in " {what_is_sent} "."</p>
                {authorization.map(|header| view! {
                    <p class="label">"Authorization header"</p>
                    <code class="wrap" id="sent-authorization">{move || hidden(&header)}</code>
                })}
                <p class="label">"URL"</p>
                <code class="wrap" id="sent-url">{move || hidden(&sent_url)}</code>
                {sent_body.map(|body| view! {
                    <p class="label">"Body"</p>
                    <code class="wrap" id="sent-body">{move || hidden(&body)}</code>
                })}
            </article>
        </section>
    }
}

/// `text` with the PLAINTEXT signature (the key) in it masked, when `hide`.
fn hide_in(text: &str, signature: &str, hide: bool) -> String {
    if !hide || signature.is_empty() {
        return text.to_owned();
    }
    let encoded = oauth1::encode::encode(signature);
    text.replace(encoded.as_ref(), &mask(signature))
        .replace(signature, &mask(signature))
}
