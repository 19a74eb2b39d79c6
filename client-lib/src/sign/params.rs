//! The parameters a signature covers, kept on the stack: the protocol's own (§3.1), at
//! most nine, and the first few of the request's query and form body (§3.4.1.3.1).

use std::borrow::Cow;

use crate::base_string::EncodedParam;
use crate::encode::{encode, reencode_form};

/// The most protocol parameters a signer sends (§3.1 and `oauth_body_hash`), signature
/// aside.
const MAX_OAUTH_PARAMS: usize = 9;

/// The protocol parameters of one request, sorted by name: a list on the stack, since
/// there are never more than [`MAX_OAUTH_PARAMS`].
#[derive(Clone, Copy, Default)]
pub(super) struct ProtocolParams<'b> {
    pairs: [(&'static str, &'b str); MAX_OAUTH_PARAMS],
    len: usize,
}

impl<'b> ProtocolParams<'b> {
    pub(super) fn push(&mut self, name: &'static str, value: &'b str) {
        if let Some(slot) = self.pairs.get_mut(self.len) {
            *slot = (name, value);
            self.len += 1;
        }
    }

    pub(super) fn as_slice(&self) -> &[(&'static str, &'b str)] {
        self.pairs.get(..self.len).unwrap_or_default()
    }

    /// The values in the §3.6 encoding, borrowed where nothing needed escaping (and
    /// flagged plain then: no `%` to encode again in the base string).
    pub(super) fn encoded(&self) -> EncodedParams<'b> {
        let mut encoded = EncodedParams {
            pairs: std::array::from_fn(|_| (Cow::Borrowed(""), Cow::Borrowed(""), true)),
            len: 0,
        };
        for (slot, (k, v)) in encoded.pairs.iter_mut().zip(self.as_slice()) {
            let v = encode(v);
            let plain = matches!(v, Cow::Borrowed(_));
            *slot = (Cow::Borrowed(*k), v, plain);
            encoded.len += 1;
        }
        encoded
    }
}

/// [`ProtocolParams`] with their values encoded (§3.6), still sorted by name.
pub(super) struct EncodedParams<'b> {
    pairs: [EncodedParam<'b>; MAX_OAUTH_PARAMS],
    len: usize,
}

impl<'b> std::ops::Deref for EncodedParams<'b> {
    type Target = [EncodedParam<'b>];
    fn deref(&self) -> &Self::Target {
        self.pairs.get(..self.len).unwrap_or_default()
    }
}

/// How many of a request's own parameters are kept on the stack (one allocation less per
/// signature): requests carry a few; past that they all go to a `Vec`.
const INLINE: usize = 8;

/// The parameters of a request's query and form body (§3.4.1.3.1), in the §3.6
/// encoding, in order.
pub(super) struct RequestParams<'a> {
    inline: [EncodedParam<'a>; INLINE],
    len: usize,
    spilled: Vec<EncodedParam<'a>>,
}

impl<'a> RequestParams<'a> {
    pub(super) fn collect(query: &'a str, form: &'a str) -> Self {
        let mut params = Self {
            inline: std::array::from_fn(|_| (Cow::Borrowed(""), Cow::Borrowed(""), false)),
            len: 0,
            spilled: Vec::new(),
        };
        for (k, v) in reencode_form(query).chain(reencode_form(form)) {
            match params.inline.get_mut(params.len) {
                Some(slot) if params.spilled.is_empty() => {
                    *slot = (k, v, false);
                    params.len += 1;
                }
                _ => {
                    if params.spilled.is_empty() {
                        params
                            .spilled
                            .extend(params.inline.iter_mut().map(std::mem::take));
                    }
                    params.spilled.push((k, v, false));
                }
            }
        }
        params
    }

    /// All of them, for the base string to sort.
    pub(super) fn as_mut_slice(&mut self) -> &mut [EncodedParam<'a>] {
        if self.spilled.is_empty() {
            self.inline.get_mut(..self.len).unwrap_or_default()
        } else {
            &mut self.spilled
        }
    }
}
