//! The usual mistakes of OAuth 1 clients, each as the base string (or method, or key)
//! a client that makes it signs, so a debugger can find the one that explains a
//! rejected signature.

use std::borrow::Cow;

use url::Url;

use crate::base_string::{
    base_string_uri, join_base_string, normalize_encoded_parameters, normalize_parameters,
    signature_base_string,
};
use crate::encode::encode;
use crate::signature::{self, SignatureMethod};

/// A usual mistake in signing, with the section of RFC 5849 it goes against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mistake {
    DoubleEncoding,
    PlusForSpace,
    BodyParametersLeftOut,
    PortIncluded,
    OtherScheme,
    EmptyTokenSecret,
    WrongSignatureMethod,
}

impl Mistake {
    pub const ALL: [Mistake; 7] = [
        Mistake::DoubleEncoding,
        Mistake::PlusForSpace,
        Mistake::BodyParametersLeftOut,
        Mistake::PortIncluded,
        Mistake::OtherScheme,
        Mistake::EmptyTokenSecret,
        Mistake::WrongSignatureMethod,
    ];

    /// A few words, for a heading.
    pub fn title(self) -> &'static str {
        match self {
            Mistake::DoubleEncoding => "encoded twice",
            Mistake::PlusForSpace => "+ for a space",
            Mistake::BodyParametersLeftOut => "body parameters left out",
            Mistake::PortIncluded => "default port included",
            Mistake::OtherScheme => "another scheme",
            Mistake::EmptyTokenSecret => "empty token secret",
            Mistake::WrongSignatureMethod => "another signature method",
        }
    }

    /// The section of RFC 5849 that the mistake goes against.
    pub fn section(self) -> &'static str {
        match self {
            Mistake::DoubleEncoding => "§3.4.1.3.2",
            Mistake::PlusForSpace => "§3.6",
            Mistake::BodyParametersLeftOut => "§3.4.1.3.1",
            Mistake::PortIncluded | Mistake::OtherScheme => "§3.4.1.2",
            Mistake::EmptyTokenSecret => "§3.4.2",
            Mistake::WrongSignatureMethod => "§3.4",
        }
    }

    /// The mistake in one plain sentence.
    pub fn explanation(self) -> &'static str {
        match self {
            Mistake::DoubleEncoding => {
                "The client encoded once too often: names and values are encoded once to be \
                 normalized, and the normalized string once more in the base string, no more."
            }
            Mistake::PlusForSpace => {
                "The client wrote spaces as + (the form encoding), where the signature's \
                 encoding requires %20."
            }
            Mistake::BodyParametersLeftOut => {
                "The client did not sign the parameters of the form-encoded body, which belong \
                 in the base string with those of the query."
            }
            Mistake::PortIncluded => {
                "The client kept the default port (:80 for http, :443 for https) in the base \
                 string URI, which must leave it out."
            }
            Mistake::OtherScheme => {
                "The client signed the URL with another scheme (http for https, or the \
                 reverse) than the one the request was sent to."
            }
            Mistake::EmptyTokenSecret => {
                "The client signed with an empty token secret (a key ending in &), though the \
                 request names a token whose secret belongs after the &."
            }
            Mistake::WrongSignatureMethod => {
                "The client computed the signature with another method than the \
                 oauth_signature_method it sent."
            }
        }
    }
}

/// A signed parameter as the server reads it (decoded), and whether it came from the body.
pub(super) struct Param {
    pub name: String,
    pub value: String,
    pub from_body: bool,
}

/// The request as the server sees it.
pub(super) struct Seen<'a> {
    pub method: &'a str,
    pub url: &'a Url,
    pub params: &'a [Param],
    pub server_base_string: &'a str,
    pub signature_method: &'static dyn SignatureMethod,
    /// Whether the request names a token and a non-empty token secret was given.
    pub token_secret_given: bool,
}

/// What a client making `mistake` signs: `base_string` with `method`, and the key
/// with or without the token secret.
pub(super) struct Attempt {
    pub mistake: Mistake,
    pub detail: String,
    pub base_string: String,
    pub method: &'static dyn SignatureMethod,
    pub empty_token_secret: bool,
}

impl Seen<'_> {
    fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str()))
    }

    fn attempt(&self, mistake: Mistake, detail: impl Into<String>, base: String) -> Attempt {
        Attempt {
            mistake,
            detail: detail.into(),
            base_string: base,
            method: self.signature_method,
            empty_token_secret: false,
        }
    }

    /// The base string with the names and values that `twice` selects encoded before
    /// the base string encodes them (§3.4.1.3.2) again.
    fn encoded_before(&self, twice: impl Fn(&Param) -> bool) -> String {
        let pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> = self
            .params
            .iter()
            .map(|p| {
                if twice(p) {
                    (encode(&p.name), encode(&p.value))
                } else {
                    (
                        Cow::Borrowed(p.name.as_str()),
                        Cow::Borrowed(p.value.as_str()),
                    )
                }
            })
            .collect();
        signature_base_string(
            self.method,
            self.url,
            pairs.iter().map(|(k, v)| (&**k, &**v)),
        )
    }

    /// Every mistake's attempts, in the order of [`Mistake::ALL`].
    pub(super) fn attempts(&self) -> Vec<Attempt> {
        let mut out = self.double_encodings();
        out.push(self.plus_for_space());
        out.extend(self.body_parameters_left_out());
        out.extend(self.port_included());
        out.extend(self.other_scheme());
        out.extend(self.empty_token_secret());
        out.extend(self.other_methods());
        out
    }

    /// §3.4.1.3.2: the request's own parameters, every parameter, or the whole base
    /// string encoded once too often.
    fn double_encodings(&self) -> Vec<Attempt> {
        vec![
            self.attempt(
                Mistake::DoubleEncoding,
                "the request's own parameters were encoded before signing",
                self.encoded_before(|p| !p.name.starts_with("oauth_")),
            ),
            self.attempt(
                Mistake::DoubleEncoding,
                "every parameter was encoded before signing",
                self.encoded_before(|_| true),
            ),
            self.attempt(
                Mistake::DoubleEncoding,
                "the whole base string was encoded once more before signing",
                encode(self.server_base_string).into_owned(),
            ),
        ]
    }

    /// §3.6: `%20`, never `+`; a client using the form encoding writes `+`.
    fn plus_for_space(&self) -> Attempt {
        let plus = |text: &str| Cow::Owned(encode(text).replace("%20", "+"));
        let normalized = normalize_encoded_parameters(
            self.params.iter().map(|p| (plus(&p.name), plus(&p.value))),
        );
        self.attempt(
            Mistake::PlusForSpace,
            "spaces in the parameters were encoded as + instead of %20",
            join_base_string(self.method, &base_string_uri(self.url), &normalized),
        )
    }

    /// §3.4.1.3.1: the form body's parameters missing from the base string.
    fn body_parameters_left_out(&self) -> Option<Attempt> {
        if !self.params.iter().any(|p| p.from_body) {
            return None;
        }
        let without_body = self.params.iter().filter(|p| !p.from_body);
        Some(self.attempt(
            Mistake::BodyParametersLeftOut,
            "the base string has no parameter of the body",
            signature_base_string(
                self.method,
                self.url,
                without_body.map(|p| (p.name.as_str(), p.value.as_str())),
            ),
        ))
    }

    /// §3.4.1.2: the default port kept in the base string URI.
    fn port_included(&self) -> Option<Attempt> {
        if self.url.port().is_some() {
            return None;
        }
        let port = self.url.port_or_known_default()?;
        let uri = base_string_uri(self.url);
        // `scheme://host` ends where the path begins.
        let at = self.url.scheme().len() + 3 + self.url.host_str().map_or(0, str::len);
        let (head, tail) = (uri.get(..at), uri.get(at..));
        let with_port = format!("{}:{port}{}", head.unwrap_or(""), tail.unwrap_or(""));
        Some(self.attempt(
            Mistake::PortIncluded,
            format!("the base string URI kept :{port}: {with_port}"),
            join_base_string(self.method, &with_port, &normalize_parameters(self.pairs())),
        ))
    }

    /// §3.4.1.2: the URL signed as http when sent over https, or the reverse.
    fn other_scheme(&self) -> Option<Attempt> {
        let other = match self.url.scheme() {
            "https" => "http",
            "http" => "https",
            _ => return None,
        };
        let mut other_url = self.url.clone();
        other_url.set_scheme(other).ok()?;
        Some(self.attempt(
            Mistake::OtherScheme,
            format!("the URL was signed as {}", base_string_uri(&other_url)),
            signature_base_string(self.method, &other_url, self.pairs()),
        ))
    }

    /// §3.4.2: the key without the token secret of a request that names a token.
    fn empty_token_secret(&self) -> Option<Attempt> {
        self.token_secret_given.then(|| Attempt {
            empty_token_secret: true,
            ..self.attempt(
                Mistake::EmptyTokenSecret,
                "the key was the consumer secret and & alone",
                self.server_base_string.to_owned(),
            )
        })
    }

    /// The other built-in methods, over the server's base string (the header names one
    /// method, the client signed with another) and over the base string naming the
    /// method used.
    fn other_methods(&self) -> Vec<Attempt> {
        let sent = self.signature_method.name();
        let mut out = Vec::new();
        for name in ["HMAC-SHA1", "HMAC-SHA256", "PLAINTEXT"] {
            let Some(method) = signature::builtin(name).filter(|_| name != sent) else {
                continue;
            };
            let named = self.params.iter().map(|p| match p.name.as_str() {
                "oauth_signature_method" => (p.name.as_str(), name),
                _ => (p.name.as_str(), p.value.as_str()),
            });
            for (detail, base) in [
                (
                    format!("signed with {name} while oauth_signature_method says {sent}"),
                    self.server_base_string.to_owned(),
                ),
                (
                    format!("signed with {name}, named so in the base string, but sent as {sent}"),
                    signature_base_string(self.method, self.url, named),
                ),
            ] {
                out.push(Attempt {
                    method,
                    ..self.attempt(Mistake::WrongSignatureMethod, detail, base)
                });
            }
        }
        out
    }
}
