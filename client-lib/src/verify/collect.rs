//! A request's parameters collected from where they were sent (§3.5), and the protocol
//! parameters of the one location checked for shape (§3.1): the 400s of §3.2.

use super::{IncomingRequest, Location, MAX_PARAMETERS, VerifyError};
use crate::base_string::signature_base_string;
use crate::encode::decode_form;
use crate::header;
use crate::signature::{SignatureMethod, constant_time_eq};
use crate::types::Timestamp;

fn is_form(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| {
            mime.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

fn is_protocol(name: &str) -> bool {
    name.starts_with("oauth_")
}

/// The parameters of a request, decoded, by where they were sent (§3.5).
pub(super) struct Collected {
    /// From an `Authorization` header of the OAuth scheme, `realm` dropped (it is not
    /// signed, §3.4.1.3.1).
    header: Option<Vec<(String, String)>>,
    query: Vec<(String, String)>,
    /// From a form-encoded body only.
    form: Vec<(String, String)>,
}

impl Collected {
    /// Reads the header, the query and a form body, refusing more than
    /// [`MAX_PARAMETERS`] in all before any further work.
    pub(super) fn from_request(request: &IncomingRequest<'_>) -> Result<Self, VerifyError> {
        let header = match request.authorization {
            Some(value)
                if value
                    .trim_start()
                    .get(..5)
                    .is_some_and(|s| s.eq_ignore_ascii_case("oauth")) =>
            {
                let mut params = header::parse(value)?;
                params.retain(|(k, _)| k != "realm");
                Some(params)
            }
            _ => None,
        };
        let query = request.url.query().map(decode_form).unwrap_or_default();
        let form = if is_form(request.content_type) {
            let body = std::str::from_utf8(request.body).map_err(|_| VerifyError::BodyNotUtf8)?;
            decode_form(body)
        } else {
            Vec::new()
        };
        let header_count = header.as_ref().map_or(0, Vec::len);
        if query.len() + form.len() + header_count > MAX_PARAMETERS {
            return Err(VerifyError::TooManyParameters);
        }
        Ok(Self {
            header,
            query,
            form,
        })
    }

    /// §3.5: the protocol parameters come from exactly one location.
    pub(super) fn location(&self) -> Result<Location, VerifyError> {
        let mut location = None;
        for (here, present) in [
            (
                Location::Header,
                self.header.as_ref().is_some_and(|p| !p.is_empty()),
            ),
            (
                Location::Query,
                self.query.iter().any(|(k, _)| is_protocol(k)),
            ),
            (
                Location::Body,
                self.form.iter().any(|(k, _)| is_protocol(k)),
            ),
        ] {
            if present {
                if let Some(first) = location {
                    return Err(VerifyError::MultipleLocations(first, here));
                }
                location = Some(here);
            }
        }
        location.ok_or(VerifyError::NotSigned)
    }

    /// The protocol parameters of `location` (the header's are taken, not copied).
    pub(super) fn protocol_params(
        &mut self,
        location: Location,
    ) -> Result<ProtocolParams, VerifyError> {
        let protocol = |params: &[(String, String)]| {
            params
                .iter()
                .filter(|(k, _)| is_protocol(k))
                .cloned()
                .collect()
        };
        ProtocolParams::new(match location {
            Location::Header => self.header.take().unwrap_or_default(),
            Location::Query => protocol(&self.query),
            Location::Body => protocol(&self.form),
        })
    }

    /// §3.4.1: the base string over the query, the form body and the protocol parameters
    /// (those of `location` counted once), all but `oauth_signature` (§3.4.1.3.1).
    pub(super) fn base_string(
        &self,
        request: &IncomingRequest<'_>,
        location: Location,
        oauth: &ProtocolParams,
    ) -> String {
        let signed = self
            .query
            .iter()
            .filter(|(k, _)| location != Location::Query || !is_protocol(k))
            .chain(
                self.form
                    .iter()
                    .filter(|(k, _)| location != Location::Body || !is_protocol(k)),
            )
            .chain(oauth.0.iter())
            .filter(|(k, _)| k != "oauth_signature")
            .map(|(k, v)| (k.as_str(), v.as_str()));
        signature_base_string(request.method, request.url, signed)
    }

    /// Every non-`oauth_` parameter of the query and the form body, in order.
    pub(super) fn request_params(self) -> Vec<(String, String)> {
        self.query
            .into_iter()
            .chain(self.form)
            .filter(|(k, _)| !is_protocol(k))
            .collect()
    }
}

/// The protocol parameters of one location, sorted by name, each present once.
pub(super) struct ProtocolParams(Vec<(String, String)>);

impl ProtocolParams {
    fn new(mut params: Vec<(String, String)>) -> Result<Self, VerifyError> {
        params.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if let Some(dup) = params.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(VerifyError::DuplicatedParameter(dup[0].0.clone()));
        }
        Ok(Self(params))
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .map(|i| self.0[i].1.as_str())
    }
}

/// The protocol fields every request must get right (§3.1), checked for shape.
pub(super) struct ProtocolFields<'a> {
    pub consumer_key: &'a str,
    pub signature: &'a str,
    pub method: &'static dyn SignatureMethod,
    /// Absent only with PLAINTEXT.
    pub timestamp: Option<Timestamp>,
    /// Absent only with PLAINTEXT; never empty.
    pub nonce: Option<&'a str>,
}

impl<'a> ProtocolFields<'a> {
    pub(super) fn read(
        oauth: &'a ProtocolParams,
        methods: impl Fn(&str) -> Option<&'static dyn SignatureMethod>,
    ) -> Result<Self, VerifyError> {
        let need = |name: &'static str| oauth.get(name).ok_or(VerifyError::MissingParameter(name));
        let consumer_key = need("oauth_consumer_key")?;
        let signature = need("oauth_signature")?;
        let method_name = need("oauth_signature_method")?;
        let method = methods(method_name)
            .ok_or_else(|| VerifyError::UnsupportedSignatureMethod(method_name.to_owned()))?;
        if let Some(version) = oauth.get("oauth_version")
            && version != "1.0"
        {
            return Err(VerifyError::UnsupportedVersion(version.to_owned()));
        }
        // §3.1: nonce and timestamp MAY be omitted with PLAINTEXT only.
        let plaintext = method.name() == "PLAINTEXT";
        let timestamp = match oauth.get("oauth_timestamp") {
            Some(ts) => Some(parse_timestamp(ts)?),
            None if plaintext => None,
            None => return Err(VerifyError::MissingParameter("oauth_timestamp")),
        };
        let nonce = match oauth.get("oauth_nonce") {
            Some("") => {
                return Err(VerifyError::InvalidParameter {
                    name: "oauth_nonce",
                    reason: "empty",
                });
            }
            Some(n) => Some(n),
            None if plaintext => None,
            None => return Err(VerifyError::MissingParameter("oauth_nonce")),
        };
        Ok(Self {
            consumer_key,
            signature,
            method,
            timestamp,
            nonce,
        })
    }
}

/// `oauth_body_hash` covers bodies that are not form-encoded, and only those; when sent,
/// it must be the body's digest under the request's signature method.
pub(super) fn check_body_hash(
    request: &IncomingRequest<'_>,
    method: &'static dyn SignatureMethod,
    hash: Option<&str>,
) -> Result<(), VerifyError> {
    let Some(hash) = hash else {
        return Ok(());
    };
    if is_form(request.content_type) {
        return Err(VerifyError::InvalidParameter {
            name: "oauth_body_hash",
            reason: "not allowed with a form-encoded body",
        });
    }
    let expected = method.body_hash(request.body).unwrap_or_default();
    if constant_time_eq(expected.as_bytes(), hash.as_bytes()) {
        Ok(())
    } else {
        Err(VerifyError::BodyHashMismatch)
    }
}

fn parse_timestamp(value: &str) -> Result<Timestamp, VerifyError> {
    // Digits only: `u64::from_str` alone would accept a leading `+`.
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::InvalidParameter {
            name: "oauth_timestamp",
            reason: "not a positive integer",
        });
    }
    value
        .parse()
        .map(Timestamp::from_secs)
        .map_err(|_| VerifyError::InvalidParameter {
            name: "oauth_timestamp",
            reason: "out of range",
        })
}
