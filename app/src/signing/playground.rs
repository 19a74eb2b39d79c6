//! `/playground`: sign a request and see every step. Hydrated, the page signs in the
//! browser with the `oauth1` crate compiled to wasm as the person types, and sends
//! nothing; without JavaScript the form posts to the site, which renders the same page
//! with the same computation (`signing::posts`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use oauth1::explain::presets;
use serde::{Deserialize, Serialize};

use crate::components::{SecretsNote, set_status};
use crate::signing::fields::{Check, Choice, TextArea, TextField};
use crate::signing::forms::PlaygroundForm;
use crate::signing::steps::SignatureSteps;

/// What the page starts from: a posted form (no JavaScript) or a link's query. Sent to
/// the browser with the page, so hydration starts from the same values.
#[derive(Clone, Serialize, Deserialize)]
pub struct PlaygroundStart {
    pub form: PlaygroundForm,
    pub show_key: bool,
}

/// One signal per field.
#[derive(Clone, Copy)]
struct Fields {
    method: RwSignal<String>,
    url: RwSignal<String>,
    body: RwSignal<String>,
    consumer_key: RwSignal<String>,
    consumer_secret: RwSignal<String>,
    token: RwSignal<String>,
    token_secret: RwSignal<String>,
    signature_method: RwSignal<String>,
    rsa_private_key: RwSignal<String>,
    placement: RwSignal<String>,
    realm: RwSignal<String>,
    callback: RwSignal<String>,
    verifier: RwSignal<String>,
    nonce: RwSignal<String>,
    timestamp: RwSignal<String>,
    version: RwSignal<bool>,
    preset: RwSignal<String>,
}

impl Fields {
    fn new(f: PlaygroundForm) -> Self {
        Self {
            method: RwSignal::new(f.method),
            url: RwSignal::new(f.url),
            body: RwSignal::new(f.body),
            consumer_key: RwSignal::new(f.consumer_key),
            consumer_secret: RwSignal::new(f.consumer_secret),
            token: RwSignal::new(f.token),
            token_secret: RwSignal::new(f.token_secret),
            signature_method: RwSignal::new(f.signature_method),
            rsa_private_key: RwSignal::new(f.rsa_private_key),
            placement: RwSignal::new(f.placement),
            realm: RwSignal::new(f.realm),
            callback: RwSignal::new(f.callback),
            verifier: RwSignal::new(f.verifier),
            nonce: RwSignal::new(f.nonce),
            timestamp: RwSignal::new(f.timestamp),
            version: RwSignal::new(f.version),
            preset: RwSignal::new(f.preset),
        }
    }

    fn load(&self, f: PlaygroundForm) {
        self.method.set(f.method);
        self.url.set(f.url);
        self.body.set(f.body);
        self.consumer_key.set(f.consumer_key);
        self.consumer_secret.set(f.consumer_secret);
        self.token.set(f.token);
        self.token_secret.set(f.token_secret);
        self.signature_method.set(f.signature_method);
        self.rsa_private_key.set(f.rsa_private_key);
        self.placement.set(f.placement);
        self.realm.set(f.realm);
        self.callback.set(f.callback);
        self.verifier.set(f.verifier);
        self.nonce.set(f.nonce);
        self.timestamp.set(f.timestamp);
        self.version.set(f.version);
        self.preset.set(f.preset);
    }

    /// The fields now (tracked: a closure reading this reruns on every change).
    fn get(&self) -> PlaygroundForm {
        PlaygroundForm {
            method: self.method.get(),
            url: self.url.get(),
            body: self.body.get(),
            consumer_key: self.consumer_key.get(),
            consumer_secret: self.consumer_secret.get(),
            token: self.token.get(),
            token_secret: self.token_secret.get(),
            signature_method: self.signature_method.get(),
            rsa_private_key: self.rsa_private_key.get(),
            placement: self.placement.get(),
            realm: self.realm.get(),
            callback: self.callback.get(),
            verifier: self.verifier.get(),
            nonce: self.nonce.get(),
            timestamp: self.timestamp.get(),
            version: self.version.get(),
            preset: self.preset.get(),
        }
    }
}

const SIGNATURE_METHODS: &[(&str, &str)] = &[
    ("HMAC-SHA1", "HMAC-SHA1"),
    ("HMAC-SHA256", "HMAC-SHA256"),
    ("RSA-SHA1", "RSA-SHA1 (§3.4.3)"),
    ("PLAINTEXT", "PLAINTEXT"),
];
const PLACEMENTS: &[(&str, &str)] = &[
    ("header", "Authorization header (§3.5.1)"),
    ("query", "URL query (§3.5.3)"),
    ("body", "form body (§3.5.2)"),
];

/// The published examples, as links: a GET without JavaScript (no secrets posted),
/// loaded into the fields with it.
#[component]
fn PresetLinks(fields: Fields) -> impl IntoView {
    view! {
        <nav class="presets" aria-label="Published examples">
            <h2>"Published examples"</h2>
            <ul>
                {presets().into_iter().map(|p| {
                    let href = format!("/playground?preset={}", p.name);
                    let id = format!("preset-{}", p.name);
                    let form = PlaygroundForm::from_preset(&p);
                    view! {
                        <li>
                            <a href=href id=id on:click=move |ev| {
                                ev.prevent_default();
                                fields.load(form.clone());
                            }>{p.title}</a>
                            " " <span class="muted">"(" {p.source} ")"</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </nav>
    }
}

/// Whether the signature is the one the loaded example publishes.
#[component]
fn PublishedCheck(form: PlaygroundForm, signature: String) -> impl IntoView {
    form.published_signature().map(|(expected, source)| {
        let same = signature == expected;
        let (class, verdict) = if same {
            ("verdict match", "✓ Matches the published signature ")
        } else {
            ("verdict mismatch", "✗ Differs from the published signature ")
        };
        view! {
            <p class=class id="preset-match">
                {verdict} <code>{expected}</code> " (" {source} ")"
                {if same { ", byte for byte." } else { ": the fields were changed since the example was loaded." }}
            </p>
        }
    })
}

#[component]
pub fn Playground() -> impl IntoView {
    let query = use_query_map();
    let start = SharedValue::new(move || {
        use_context::<PlaygroundStart>().unwrap_or_else(|| PlaygroundStart {
            form: PlaygroundForm::from_query(|k| query.read_untracked().get(k)),
            show_key: false,
        })
    })
    .into_inner();
    let fields = Fields::new(start.form);
    let show_key = RwSignal::new(start.show_key);
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    let fresh = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let mut form = PlaygroundForm::default();
        form.refresh_nonce_and_timestamp();
        fields.nonce.set(form.nonce);
        fields.timestamp.set(form.timestamp);
    };
    let result = move || {
        let form = fields.get();
        match form.explain() {
            Ok(explanation) => {
                let signature = explanation.signature.value.clone();
                view! {
                    <section class="card result" id="result">
                        <h2>"Signature"</h2>
                        <p><code class="wrap big" id="result-signature">{signature.clone()}</code></p>
                        <PublishedCheck form signature/>
                    </section>
                    <SignatureSteps explanation show_key form="playground-form"/>
                }
                .into_any()
            }
            Err(message) => {
                set_status(400);
                view! {
                    <section class="card problem" role="alert" id="playground-error">
                        <h2>"This request cannot be signed"</h2>
                        <p>{message}</p>
                    </section>
                }
                .into_any()
            }
        }
    };
    let page = view! {
        <Title text="Signature playground"/>
        <section class="card">
            <h1>"Signature playground"</h1>
            <p>
                "Sign a request with OAuth 1.0a (RFC 5849) and see every step: the parameters, "
                "the base string, the key and the signature. Load a published example and "
                "change one thing at a time."
            </p>
            <SecretsNote live/>
            <PresetLinks fields/>
        </section>
        <form method="post" action="/playground" id="playground-form" class="card signing-form"
            on:submit=move |ev| ev.prevent_default()>
            <h2>"The request"</h2>
            <div class="fields">
                <TextField id="method" label="Method" value=fields.method/>
                <TextField id="url" label="URL" value=fields.url hint="with its query: query parameters are signed"/>
                <TextField id="body" label="Form body" value=fields.body hint="application/x-www-form-urlencoded, or empty"/>
                <TextField id="consumer_key" label="Consumer key" value=fields.consumer_key/>
                <TextField id="consumer_secret" label="Consumer secret" value=fields.consumer_secret/>
                <TextField id="token" label="Token" value=fields.token hint="empty for the temporary-credentials request"/>
                <TextField id="token_secret" label="Token secret" value=fields.token_secret/>
                <Choice id="signature_method" label="Signature method" value=fields.signature_method options=SIGNATURE_METHODS/>
                <Choice id="placement" label="Parameters sent in" value=fields.placement options=PLACEMENTS/>
                <TextField id="realm" label="Realm" value=fields.realm hint="header only, never signed"/>
                <TextField id="callback" label="oauth_callback" value=fields.callback hint="temporary credentials (§2.1)"/>
                <TextField id="verifier" label="oauth_verifier" value=fields.verifier hint="token credentials (§2.3)"/>
                <TextField id="nonce" label="Nonce" value=fields.nonce/>
                <TextField id="timestamp" label="Timestamp" value=fields.timestamp hint="seconds since 1970"/>
                <Check id="version" label="Send oauth_version=\"1.0\"" value=fields.version/>
                <TextArea id="rsa_private_key" label="RSA private key (PEM)" value=fields.rsa_private_key rows=4
                    hint="RSA-SHA1 only: it signs with this key, and the secrets play no part"/>
            </div>
            <input type="hidden" name="loaded_preset" value=fields.preset.get_untracked() prop:value=move || fields.preset.get()/>
            <div class="buttons">
                <button type="submit" name="action" value="sign" id="sign">"Sign"</button>
                <button type="submit" name="action" value="fresh" id="fresh" class="secondary" on:click=fresh>
                    "Fresh nonce and timestamp"
                </button>
            </div>
        </form>
        {result}
    };
    // Erased on the server only, as `App` is.
    #[cfg(feature = "ssr")]
    let page = page.into_any();
    page
}
