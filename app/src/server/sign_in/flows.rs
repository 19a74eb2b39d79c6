//! Records each sign-in for the "how it works" page. The registry's observer hook reports
//! every request with its secrets removed; this recorder files them by the token in play
//! (the request token, then the access token), and the sign-in routes add the two browser
//! steps (the redirect to the service and the callback) and save the whole flow.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use oauth1::{Exchange, Observer, Step};
use sqlx::Row;

use crate::model::{FlowStep, StepKind};
use crate::server::plumbing::db::{self, Db};

/// Sign-ins not finished within this time are dropped.
const PENDING_FOR: Duration = Duration::from_secs(30 * 60);

/// At most this many sign-ins are recorded at once; past it the oldest is dropped (its
/// teaching page will lack the steps, the sign-in itself is not affected).
const MAX_PENDING: usize = 10_000;

#[derive(Default)]
pub struct FlowRecorder {
    pending: Mutex<Pending>,
}

/// The flows by token, and the order they began in, so that expiry looks at the oldest
/// few entries instead of scanning them all on every sign-in.
#[derive(Default)]
struct Pending {
    flows: HashMap<String, (Instant, Vec<FlowStep>)>,
    started: VecDeque<(Instant, String)>,
}

impl Pending {
    fn get_mut(&mut self, token: &str) -> Option<&mut (Instant, Vec<FlowStep>)> {
        self.flows.get_mut(token)
    }

    fn remove(&mut self, token: &str) -> Option<(Instant, Vec<FlowStep>)> {
        // Its entry in `started` goes when it reaches the front.
        self.flows.remove(token)
    }

    fn insert(&mut self, token: String, flow: (Instant, Vec<FlowStep>)) {
        let now = flow.0;
        while let Some((began, oldest)) = self.started.front() {
            let expired = now.duration_since(*began) >= PENDING_FOR;
            if !expired && self.started.len() < MAX_PENDING {
                break;
            }
            // Drop it unless the token was reused by a flow that began later.
            if self.flows.get(oldest).is_some_and(|(b, _)| b == began) {
                self.flows.remove(oldest);
            }
            self.started.pop_front();
        }
        self.started.push_back((now, token.clone()));
        self.flows.insert(token, flow);
    }

    fn len(&self) -> usize {
        self.flows.len()
    }
}

fn step(kind: StepKind, e: Exchange) -> FlowStep {
    FlowStep {
        kind,
        method: e.method,
        url: e.url,
        base_string: e.base_string,
        authorization: e.authorization,
        status: e.status,
        response: e.response,
        body: e.body,
    }
}

tokio::task_local! {
    /// The flow an OAuth 2.0 token request belongs to: it names none itself (no request
    /// token, no state), so whoever sends one sets this around the call.
    pub static FLOW: String;
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
    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a step to the flow filed under `token`, if there is one.
    pub fn push(&self, token: &str, step: FlowStep) {
        if let Some((_, steps)) = self.lock().get_mut(token) {
            steps.push(step);
        }
    }

    /// Begins recording a flow under `key` with its first step (an OAuth 2.0 sign-in,
    /// which has no request-token leg to begin it: under its `state`).
    pub fn start(&self, key: &str, first: FlowStep) {
        self.lock()
            .insert(key.to_owned(), (Instant::now(), vec![first]));
    }

    /// Begins recording steps under `key`, with none yet.
    pub fn begin(&self, key: &str) {
        self.lock()
            .insert(key.to_owned(), (Instant::now(), Vec::new()));
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

    /// How many sign-ins are being recorded.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
                    let flow = (Instant::now(), vec![step(StepKind::RequestToken, e)]);
                    self.lock().insert(token, flow);
                }
            }
            Step::CodeToken | Step::Refresh => {
                let kind = if e.step == Step::CodeToken {
                    StepKind::CodeToken
                } else {
                    StepKind::Refresh
                };
                let _ = FLOW.try_with(|key| self.push(key, step(kind, e)));
            }
            Step::AccessToken | Step::ApiCall => {
                let kind = if e.step == Step::AccessToken {
                    StepKind::AccessToken
                } else {
                    StepKind::ApiCall
                };
                if let Some(token) = signing_token(&e) {
                    self.push(&token, step(kind, e));
                }
            }
        }
    }
}

/// The callback URL as the teaching page may show it: the verifier (OAuth 1) or the
/// authorization code (OAuth 2) redacted.
pub fn redact_verifier(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| oauth1::observe::redact_query(&u, &["oauth_verifier", "code"]))
        .unwrap_or_default()
}

/// Keeps `steps` (a JSON list) as the user's last sign-in, replacing the one before.
pub async fn save_flow(
    db: &Db,
    user_id: i64,
    remote: &str,
    steps: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into sign_in_flows (user_id, remote, recorded_at, steps) values ($1, $2, $3, $4) \
         on conflict (user_id) do update set remote = excluded.remote, \
         recorded_at = excluded.recorded_at, steps = excluded.steps",
    )
    .bind(user_id)
    .bind(remote)
    .bind(db::now())
    .bind(steps)
    .execute(db)
    .await?;
    Ok(())
}

/// `steps` (a refresh) added to the user's last sign-in, if it was with `remote`.
pub async fn append_steps(
    db: &Db,
    user_id: i64,
    remote: &str,
    steps: Vec<FlowStep>,
) -> Result<(), String> {
    let Some((last_remote, _, json)) = last_flow(db, user_id).await.map_err(|e| e.to_string())?
    else {
        return Ok(());
    };
    if last_remote != remote {
        return Ok(());
    }
    let mut all: Vec<FlowStep> = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    all.extend(steps);
    let json = serde_json::to_string(&all).map_err(|e| e.to_string())?;
    sqlx::query("update sign_in_flows set steps = $1 where user_id = $2 and remote = $3")
        .bind(json)
        .bind(user_id)
        .bind(remote)
        .execute(db)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// `(remote, recorded_at, steps JSON)` of the user's last sign-in.
pub async fn last_flow(
    db: &Db,
    user_id: i64,
) -> Result<Option<(String, i64, String)>, sqlx::Error> {
    sqlx::query("select remote, recorded_at, steps from sign_in_flows where user_id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .map(|r| {
            Ok((
                r.try_get("remote")?,
                r.try_get("recorded_at")?,
                r.try_get("steps")?,
            ))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn begin(recorder: &FlowRecorder, token: &str) {
        recorder.exchange(Exchange {
            remote: "chirp".into(),
            step: Step::RequestToken,
            method: "POST".into(),
            url: "http://127.0.0.1:8001/oauth/request_token".into(),
            base_string: String::new(),
            authorization: String::new(),
            status: 200,
            response: format!("oauth_token={token}&oauth_token_secret=s"),
            body: String::new(),
        });
    }

    #[test]
    fn a_flood_of_abandoned_sign_ins_keeps_a_bounded_record() {
        let recorder = FlowRecorder::default();
        for i in 0..MAX_PENDING + 500 {
            begin(&recorder, &format!("t{i}"));
        }
        assert_eq!(recorder.len(), MAX_PENDING);
        assert!(recorder.take("t0").is_none(), "the oldest went first");
        assert!(recorder.take(&format!("t{}", MAX_PENDING + 499)).is_some());
        assert_eq!(recorder.lock().started.len(), MAX_PENDING);
    }

    #[test]
    fn a_finished_flow_leaves_no_entry_behind_for_long() {
        let recorder = FlowRecorder::default();
        begin(&recorder, "a");
        assert!(recorder.take("a").is_some());
        for i in 0..MAX_PENDING {
            begin(&recorder, &format!("b{i}"));
        }
        assert_eq!(recorder.lock().started.len(), MAX_PENDING);
    }
}
