//! What every handler and server function shares.

use std::sync::Arc;

use crate::server::plumbing::db::Db;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use oauth1::Registry;

use crate::model::RemoteInfo;
use crate::server::config::SiteConfig;
use crate::server::sign_in::flows::FlowRecorder;
use crate::server::storage::pending_sign_ins::PendingSignIns;

/// Cloned for every request by each layer and handler that takes `State`, so a clone is
/// one reference count: the fields live behind one `Arc` ([`Shared`]).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub db: Db,
    /// Sign-ins under way, each bound to the browser that began it.
    pub pending: Arc<dyn PendingSignIns>,
    pub registry: Arc<Registry>,
    pub remotes: Arc<Vec<RemoteInfo>>,
    pub flows: Arc<FlowRecorder>,
    pub config: Arc<SiteConfig>,
    /// Web sessions: who is signed in.
    pub sessions: crate::server::storage::sessions::Sessions,
    pub leptos_options: LeptosOptions,
    /// The sign-ins each client address may still start.
    pub sign_ins: Arc<crate::server::sign_in::throttle::SignInLimits>,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl Shared {
    pub fn brand(&self, name: &str) -> String {
        self.remotes
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.brand.clone())
            .unwrap_or_else(|| name.to_owned())
    }

    pub fn remote_info(&self, name: &str) -> Option<RemoteInfo> {
        self.remotes.iter().find(|r| r.name == name).cloned()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
