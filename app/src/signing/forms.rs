//! What the playground and the debugger are filled with: the fields as typed (text, so a
//! half-typed timestamp is still a value to show), read from a link's query or a posted
//! form, and turned into the `oauth1::explain` inputs. Shared by the pages (server and
//! browser) and by the no-JavaScript form posts (`signing::posts`).
//!
//! These hold secrets as typed: no `Debug`, and nothing here logs them.

use oauth1::encode::{decode_form, encode};
use oauth1::explain::{
    DiagnoseInput, ExplainError, Preset, SigningInput, explain, preset, presets,
};
use oauth1::{Nonce, Placement};
use serde::{Deserialize, Serialize};

use crate::model::FlowStep;

/// The preset a page opens with when nothing else is asked for.
pub const DEFAULT_PRESET: &str = "twitter-statuses-update";

/// The playground's fields, as typed.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaygroundForm {
    pub method: String,
    pub url: String,
    pub body: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub token: String,
    pub token_secret: String,
    pub signature_method: String,
    /// The client's private key in PEM, for RSA-SHA1 (§3.4.3).
    pub rsa_private_key: String,
    /// `header`, `query` or `body`.
    pub placement: String,
    pub realm: String,
    pub callback: String,
    pub verifier: String,
    pub nonce: String,
    pub timestamp: String,
    /// Whether `oauth_version="1.0"` is sent.
    pub version: bool,
    /// The preset these values were loaded from, to compare with its published signature.
    pub preset: String,
}

fn placement_name(placement: Placement) -> &'static str {
    match placement {
        Placement::Header => "header",
        Placement::Query => "query",
        Placement::Body => "body",
    }
}

/// An empty field is an absent value.
fn some(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

impl PlaygroundForm {
    pub fn from_preset(preset: &Preset) -> Self {
        let input = &preset.input;
        Self {
            method: input.method.clone(),
            url: input.url.clone(),
            body: input.body.clone(),
            consumer_key: input.consumer_key.clone(),
            consumer_secret: input.consumer_secret.clone(),
            token: input.token.clone().unwrap_or_default(),
            token_secret: input.token_secret.clone().unwrap_or_default(),
            signature_method: input.signature_method.clone(),
            rsa_private_key: input.rsa_private_key.clone().unwrap_or_default(),
            placement: placement_name(input.placement).to_owned(),
            realm: input.realm.clone().unwrap_or_default(),
            callback: input.callback.clone().unwrap_or_default(),
            verifier: input.verifier.clone().unwrap_or_default(),
            nonce: input.nonce.clone(),
            timestamp: input.timestamp.to_string(),
            version: input.version,
            preset: preset.name.to_owned(),
        }
    }

    /// The preset called `name`, or the default one.
    pub fn preset_or_default(name: &str) -> Self {
        preset(name)
            .or_else(|| preset(DEFAULT_PRESET))
            .or_else(|| presets().into_iter().next())
            .map(|p| Self::from_preset(&p))
            .unwrap_or_default()
    }

    /// A link's query (`/playground?method=…&url=…`, or `?preset=…`). Secrets are never
    /// read from a URL (it lands in histories and logs): a link leaves them to be typed.
    /// Without a URL in it, the default preset.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        if let Some(name) = get("preset") {
            return Self::preset_or_default(&name);
        }
        let Some(url) = get("url") else {
            return Self::preset_or_default(DEFAULT_PRESET);
        };
        let text = |name: &str| get(name).unwrap_or_default();
        Self {
            method: get("method").unwrap_or_else(|| "GET".to_owned()),
            url,
            body: text("body"),
            consumer_key: text("consumer_key"),
            token: text("token"),
            signature_method: get("signature_method").unwrap_or_else(|| "HMAC-SHA1".to_owned()),
            placement: get("placement").unwrap_or_else(|| "header".to_owned()),
            realm: text("realm"),
            callback: text("callback"),
            verifier: text("verifier"),
            nonce: text("nonce"),
            timestamp: text("timestamp"),
            version: get("version").is_none_or(|v| v != "0"),
            ..Self::default()
        }
    }

    /// An OAuth 1.0a leg of a recorded sign-in, to open in the playground: its method,
    /// URL, protocol parameters and nonce and timestamp, without secrets (the
    /// recording has none; its verifier is redacted, so left out). `None` for a step
    /// that carries no OAuth 1.0a parameters (a browser redirect, OAuth 2.0).
    pub fn from_flow_step(step: &FlowStep) -> Option<Self> {
        let (base, query) = step.url.split_once('?').unwrap_or((&step.url, ""));
        let (in_query, request_query): (Vec<_>, Vec<_>) = decode_form(query)
            .into_iter()
            .partition(|(name, _)| name.starts_with("oauth_"));
        let in_header = !step.authorization.is_empty();
        let protocol = if in_header {
            oauth1::header::parse(&step.authorization).ok()?
        } else {
            in_query
        };
        let param = |name: &str| {
            protocol
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        param("oauth_consumer_key")?;
        let query: Vec<String> = request_query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let url = if query.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", query.join("&"))
        };
        let text = |name: &str| param(name).unwrap_or_default();
        Some(Self {
            method: step.method.clone(),
            url,
            body: step.body.clone(),
            consumer_key: text("oauth_consumer_key"),
            token: text("oauth_token"),
            signature_method: param("oauth_signature_method")
                .unwrap_or_else(|| "HMAC-SHA1".to_owned()),
            placement: if in_header { "header" } else { "query" }.to_owned(),
            realm: text("realm"),
            callback: text("oauth_callback"),
            nonce: text("oauth_nonce"),
            timestamp: text("oauth_timestamp"),
            version: param("oauth_version").is_some(),
            ..Self::default()
        })
    }

    /// The fields that are not secret, as the query of a link to the playground (what
    /// [`Self::from_query`] reads).
    pub fn to_query(&self) -> String {
        let fields = [
            ("method", &self.method),
            ("url", &self.url),
            ("body", &self.body),
            ("consumer_key", &self.consumer_key),
            ("token", &self.token),
            ("signature_method", &self.signature_method),
            ("placement", &self.placement),
            ("realm", &self.realm),
            ("callback", &self.callback),
            ("verifier", &self.verifier),
            ("nonce", &self.nonce),
            ("timestamp", &self.timestamp),
        ];
        let mut pairs: Vec<String> = fields
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name}={}", encode(value)))
            .collect();
        if !self.version {
            pairs.push("version=0".to_owned());
        }
        pairs.join("&")
    }

    /// A new random nonce and the current time (§3.3).
    pub fn refresh_nonce_and_timestamp(&mut self) {
        self.nonce = Nonce::generate().as_str().to_owned();
        self.timestamp = now_secs().to_string();
    }

    /// The `oauth1::explain` input, or what is wrong with the fields.
    pub fn to_input(&self) -> Result<SigningInput, String> {
        let timestamp = self.timestamp.trim().parse::<u64>().map_err(|_| {
            format!(
                "the timestamp {:?} is not a whole number of seconds since 1970 (§3.3)",
                self.timestamp
            )
        })?;
        let placement = match self.placement.as_str() {
            "header" | "" => Placement::Header,
            "query" => Placement::Query,
            "body" => Placement::Body,
            other => {
                return Err(format!(
                    "unknown placement {other:?}: header, query or body"
                ));
            }
        };
        Ok(SigningInput {
            method: self.method.trim().to_owned(),
            url: self.url.trim().to_owned(),
            body: self.body.clone(),
            consumer_key: self.consumer_key.clone(),
            consumer_secret: self.consumer_secret.clone(),
            token: some(&self.token),
            token_secret: some(&self.token_secret),
            signature_method: self.signature_method.clone(),
            rsa_private_key: some(&self.rsa_private_key),
            placement,
            realm: some(&self.realm),
            callback: some(&self.callback),
            verifier: some(&self.verifier),
            version: self.version,
            nonce: self.nonce.clone(),
            timestamp,
        })
    }

    /// Every step of signing these fields, or why they cannot be signed.
    pub fn explain(&self) -> Result<oauth1::explain::Explanation, String> {
        let input = self.to_input()?;
        explain(&input).map_err(|e| e.to_string())
    }

    /// The published signature of the preset these fields came from, if any.
    pub fn published_signature(&self) -> Option<(&'static str, &'static str)> {
        presets()
            .into_iter()
            .find(|p| p.name == self.preset)
            .map(|p| (p.expected_signature, p.source))
    }
}

/// Seconds since the Unix epoch: the browser's clock in the browser (std's clock panics
/// on wasm32-unknown-unknown), the system's on the server.
pub fn now_secs() -> u64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as u64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        oauth1::Timestamp::now().as_secs()
    }
}

/// The debugger's fields, as typed: a raw request, or its parts; and the secrets. Also
/// what a posted form reads into (a field left out is empty).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DebuggerForm {
    /// A raw HTTP request; when given, it replaces the parts below.
    pub raw: String,
    /// For a raw request whose target is a path: `https` or `http`.
    pub scheme: String,
    pub method: String,
    pub url: String,
    pub body: String,
    pub content_type: String,
    pub authorization: String,
    pub consumer_secret: String,
    pub token_secret: String,
}

impl DebuggerForm {
    /// Whether the raw request is used (it is, once something is pasted into it).
    pub fn uses_raw(&self) -> bool {
        !self.raw.trim().is_empty()
    }

    pub fn to_input(&self) -> Result<DiagnoseInput, ExplainError> {
        let token_secret = some(&self.token_secret);
        if self.uses_raw() {
            let scheme = if self.scheme == "http" {
                "http"
            } else {
                "https"
            };
            return DiagnoseInput::from_raw_request(
                &self.raw,
                scheme,
                &self.consumer_secret,
                token_secret.as_deref(),
            );
        }
        Ok(DiagnoseInput {
            method: self.method.trim().to_owned(),
            url: self.url.trim().to_owned(),
            body: self.body.clone(),
            content_type: some(self.content_type.trim()),
            authorization: some(self.authorization.trim()),
            consumer_secret: self.consumer_secret.clone(),
            token_secret,
        })
    }

    pub fn diagnose(&self) -> Result<oauth1::explain::Diagnosis, ExplainError> {
        oauth1::explain::diagnose(&self.to_input()?)
    }

    /// An example with a known mistake, by name (see [`DEBUGGER_EXAMPLES`]).
    pub fn example(name: &str) -> Option<Self> {
        match name {
            "other-scheme" => other_scheme_example(),
            "body-left-out" => body_left_out_example(),
            _ => None,
        }
    }
}

/// The debugger's examples: name and label.
pub const DEBUGGER_EXAMPLES: [(&str, &str); 2] = [
    (
        "other-scheme",
        "RFC 5849's photo request, signed for http, sent over https",
    ),
    (
        "body-left-out",
        "Twitter's status update, signed without its body",
    ),
];

/// RFC 5849 §1.2's protected resource, whose published signature is over the http URL,
/// pasted as a raw request sent to https.
fn other_scheme_example() -> Option<DebuggerForm> {
    let preset = preset("rfc5849-protected-resource")?;
    let steps = explain(&preset.input).ok()?;
    let raw = format!(
        "GET /photos?file=vacation.jpg&size=original HTTP/1.1\r\nHost: photos.example.net\r\nAuthorization: {}\r\n\r\n",
        steps.output.authorization?
    );
    Some(DebuggerForm {
        raw,
        scheme: "https".to_owned(),
        consumer_secret: preset.input.consumer_secret,
        token_secret: preset.input.token_secret.unwrap_or_default(),
        ..DebuggerForm::default()
    })
}

/// Twitter's example signed as if it had no body, then sent with it.
fn body_left_out_example() -> Option<DebuggerForm> {
    let preset = preset("twitter-statuses-update")?;
    let without_body = SigningInput {
        body: String::new(),
        ..preset.input.clone()
    };
    let steps = explain(&without_body).ok()?;
    let input = preset.input;
    Some(DebuggerForm {
        scheme: "https".to_owned(),
        method: input.method,
        url: input.url,
        body: input.body,
        authorization: steps.output.authorization?,
        consumer_secret: input.consumer_secret,
        token_secret: input.token_secret.unwrap_or_default(),
        ..DebuggerForm::default()
    })
}

/// A textarea holding only white space counts as empty: a server-rendered textarea
/// without text holds one space.
pub fn blank_is_empty(text: String) -> String {
    if text.trim().is_empty() {
        String::new()
    } else {
        text
    }
}
