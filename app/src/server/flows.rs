//! Records each sign-in for the "how it works" page. The registry's observer hook reports
//! every request with its secrets removed; this recorder files them by the token in play
//! (the request token, then the access token), and the sign-in routes add the two browser
//! steps (the redirect to the service and the callback) and save the whole flow.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use oauth1::{Exchange, Observer, Step};

use crate::model::FlowStep;

/// Sign-ins not finished within this time are dropped.
const PENDING_FOR: Duration = Duration::from_secs(30 * 60);

#[derive(Default)]
pub struct FlowRecorder {
    pending: Mutex<HashMap<String, (Instant, Vec<FlowStep>)>>,
}

fn step(kind: &str, e: Exchange) -> FlowStep {
    FlowStep {
        kind: kind.to_owned(),
        method: e.method,
        url: e.url,
        base_string: e.base_string,
        authorization: e.authorization,
        status: e.status,
        response: e.response,
    }
}

/// The `oauth_token` a request was signed with, from its header or its URL.
fn signing_token(e: &Exchange) -> Option<String> {
    let from_header = oauth1::header::parse(&e.authorization)
        .ok()
        .and_then(|params| {
            params
                .into_iter()
                .find(|(k, _)| k == "oauth_token")
                .map(|(_, v)| v)
        });
    from_header.or_else(|| {
        url::Url::parse(&e.url).ok().and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "oauth_token")
                .map(|(_, v)| v.into_owned())
        })
    })
}

impl FlowRecorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Vec<FlowStep>)>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a step to the flow filed under `token`, if there is one.
    pub fn push(&self, token: &str, step: FlowStep) {
        if let Some((_, steps)) = self.lock().get_mut(token) {
            steps.push(step);
        }
    }

    /// Files the flow under a new token (the access token, once it exists).
    pub fn rename(&self, from: &str, to: &str) {
        let mut pending = self.lock();
        if let Some(flow) = pending.remove(from) {
            pending.insert(to.to_owned(), flow);
        }
    }

    pub fn take(&self, token: &str) -> Option<Vec<FlowStep>> {
        self.lock().remove(token).map(|(_, steps)| steps)
    }
}

impl Observer for FlowRecorder {
    fn exchange(&self, e: Exchange) {
        match e.step {
            Step::RequestToken => {
                let token = oauth1::encode::decode_form(&e.response)
                    .into_iter()
                    .find(|(k, _)| k == "oauth_token")
                    .map(|(_, v)| v);
                if let Some(token) = token {
                    let now = Instant::now();
                    let mut pending = self.lock();
                    pending.retain(|_, (started, _)| now.duration_since(*started) < PENDING_FOR);
                    pending.insert(token, (now, vec![step("request_token", e)]));
                }
            }
            Step::AccessToken | Step::ApiCall => {
                let kind = if e.step == Step::AccessToken {
                    "access_token"
                } else {
                    "api_call"
                };
                if let Some(token) = signing_token(&e) {
                    self.push(&token, step(kind, e));
                }
            }
        }
    }
}

/// The callback URL as the teaching page may show it: the verifier redacted.
pub fn redact_verifier(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| oauth1::observe::redact_query(&u, &["oauth_verifier"]))
        .unwrap_or_default()
}
