//! The redirect back from an OAuth 2 authorization request (RFC 6749 §4.1.2): a code and
//! the state, or an error (§4.1.2.1). Pure, like [`Callback`](crate::Callback), its
//! OAuth 1 counterpart.

use url::Url;

use crate::callback::CallbackError;
use crate::encode::decode_form;
use crate::types::AuthorizationCode;

/// What the authorization server sent back to the redirect URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeCallback {
    /// The owner approved (§4.1.2).
    Approved {
        code: AuthorizationCode,
        state: String,
    },
    /// An error (§4.1.2.1), `access_denied` when the owner refused.
    Refused {
        error: String,
        description: Option<String>,
        state: Option<String>,
    },
}

fn query_of(url_or_query: &str) -> Vec<(String, String)> {
    let query = match Url::parse(url_or_query) {
        Ok(url) => url.query().unwrap_or("").to_owned(),
        Err(_) => url_or_query.trim_start_matches('?').to_owned(),
    };
    decode_form(&query)
}

fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

impl CodeCallback {
    /// Reads a callback from its full URL or just its query (with or without `?`).
    pub fn parse(url_or_query: &str) -> Result<CodeCallback, CallbackError> {
        let params = query_of(url_or_query);
        if let Some(error) = param(&params, "error") {
            return Ok(CodeCallback::Refused {
                error,
                description: param(&params, "error_description"),
                state: param(&params, "state"),
            });
        }
        match (param(&params, "code"), param(&params, "state")) {
            (Some(code), Some(state)) => Ok(CodeCallback::Approved {
                code: AuthorizationCode::new(code),
                state,
            }),
            (None, _) => Err(CallbackError::BadCallback("no code in the callback")),
            // This client always sends a state, so §4.1.2 requires it back.
            (_, None) => Err(CallbackError::BadCallback("no state in the callback")),
        }
    }

    /// The `state` the callback carries, which names the flow it finishes.
    pub fn state(&self) -> Option<&str> {
        match self {
            CodeCallback::Approved { state, .. } => Some(state),
            CodeCallback::Refused { state, .. } => state.as_deref(),
        }
    }

    /// Only the `state` of a callback URL or query, without reading the rest.
    pub fn state_of(url_or_query: &str) -> Option<String> {
        param(&query_of(url_or_query), "state")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_approval_carries_code_and_state() {
        let cb = CodeCallback::parse("https://site.example/cb?keep=1&code=c%2F1&state=s1").unwrap();
        assert_eq!(cb.state(), Some("s1"));
        assert!(matches!(cb, CodeCallback::Approved { ref code, .. } if code.secret() == "c/1"));
        assert!(!format!("{cb:?}").contains("c/1"), "the code is a secret");
    }

    #[test]
    fn a_refusal_is_read_and_a_missing_state_is_bad() {
        let cb = CodeCallback::parse("?error=access_denied&state=s").unwrap();
        assert!(matches!(cb, CodeCallback::Refused { ref error, .. } if error == "access_denied"));
        assert!(CodeCallback::parse("code=c").is_err());
        assert_eq!(CodeCallback::state_of("code=c&state=x"), Some("x".into()));
    }
}
