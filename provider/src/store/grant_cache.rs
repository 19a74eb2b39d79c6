//! A cache of access-token grants for a provider that is the only process serving its
//! database (SQLite).
//!
//! Every request signed with an access token needs its grant: the token secret, the
//! client's secret and the user (RFC 5849 §3.2). On SQLite that read is a hop to sqlx's
//! database thread and back, the largest cost of a verified request. With the cache, a
//! busy token is read once.
//!
//! Revocation stays immediate: the functions that delete or rotate access tokens take the
//! cache and clear it (see `tokens`), so the next request reads the database again. A
//! change made by another process on the same file (the `create-app` command resetting a
//! client secret) is seen within [`TTL`].
//!
//! The same cache holds OAuth 2.0 Bearer grants ([`BearerGrants`], keyed by the token's
//! digest), cleared by each change to OAuth 2.0 tokens (`oauth2::tokens`), and never used
//! past the token's own expiry.
//!
//! With Postgres, several instances may share the database, and a token revoked on one
//! must be refused on the others at once, so there is no cache: [`Grants::none`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use oauth1::{ConsumerKey, ConsumerSecret, Token, TokenSecret};

use crate::store::apps::AccessLevel;

/// An access token with everything a signed API request needs, read in one query
/// (`tokens::grant`).
#[derive(Clone, Debug)]
pub struct Grant {
    pub token: Token,
    pub secret: TokenSecret,
    pub app_id: i64,
    pub consumer_key: ConsumerKey,
    pub consumer_secret: ConsumerSecret,
    /// The app's RSA-SHA1 key, if it registered one.
    pub public_key: Option<oauth1::server::ClientPublicKey>,
    pub access_level: AccessLevel,
    pub user: crate::users::User,
}

/// How long a cached grant is trusted without reading the database.
pub const TTL: Duration = Duration::from_secs(1);

/// Entries kept at most; past this the cache starts over (a bound on memory, not an LRU:
/// the busy tokens come back at once).
const MAX_ENTRIES: usize = 100_000;

/// The grant cache of one provider process, or none (shared databases): OAuth 1.0a
/// access-token grants by default, OAuth 2.0 Bearer grants as [`BearerGrants`].
pub struct Grants<T = Grant> {
    cache: Option<Arc<GrantCache<T>>>,
}

/// The OAuth 2.0 access tokens' grants, by the token's SHA-256 digest.
pub type BearerGrants = Grants<crate::store::oauth2::tokens::BearerGrant>;

impl<T> Clone for Grants<T> {
    fn clone(&self) -> Self {
        Self {
            cache: self.cache.clone(),
        }
    }
}

impl<T> Default for Grants<T> {
    fn default() -> Self {
        Self { cache: None }
    }
}

struct GrantCache<T> {
    inner: Mutex<Inner<T>>,
}

impl<T> Default for GrantCache<T> {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                generation: 0,
            }),
        }
    }
}

struct Inner<T> {
    entries: HashMap<String, (Instant, Arc<T>)>,
    /// Bumped by every clear, so a read that began before a revocation cannot put its
    /// stale grant back afterwards.
    generation: u64,
}

/// What [`Grants::lookup`] found: a grant, or a ticket to store the one read from the
/// database.
pub enum Lookup<T = Grant> {
    Hit(Arc<T>),
    Miss(Ticket),
}

/// Taken before the database read; storing with it is refused if the cache was cleared
/// since.
pub struct Ticket {
    generation: u64,
}

impl<T> Grants<T> {
    /// A cache, for a provider alone on its database.
    pub fn cached() -> Self {
        Self {
            cache: Some(Arc::default()),
        }
    }

    /// No cache: every request reads its grant from the database.
    pub fn none() -> Self {
        Self { cache: None }
    }

    pub fn is_cached(&self) -> bool {
        self.cache.is_some()
    }

    pub fn lookup(&self, token: &str) -> Lookup<T> {
        let Some(cache) = &self.cache else {
            return Lookup::Miss(Ticket { generation: 0 });
        };
        let inner = cache.lock();
        match inner.entries.get(token) {
            Some((stored, grant)) if stored.elapsed() < TTL => Lookup::Hit(Arc::clone(grant)),
            _ => Lookup::Miss(Ticket {
                generation: inner.generation,
            }),
        }
    }

    /// Stores under `key` a grant read from the database after `ticket` was taken.
    pub fn store_as(&self, ticket: Ticket, key: &str, grant: Arc<T>) {
        let Some(cache) = &self.cache else { return };
        let mut inner = cache.lock();
        if inner.generation != ticket.generation {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.clear();
        }
        inner
            .entries
            .insert(key.to_owned(), (Instant::now(), grant));
    }

    /// Forgets every grant: called by each change to access tokens.
    pub fn clear(&self) {
        let Some(cache) = &self.cache else { return };
        let mut inner = cache.lock();
        inner.entries.clear();
        inner.generation += 1;
    }
}

impl Grants<Grant> {
    /// Stores an access-token grant read from the database after `ticket` was taken.
    pub fn store(&self, ticket: Ticket, grant: Arc<Grant>) {
        let key = grant.token.as_str().to_owned();
        self.store_as(ticket, &key, grant);
    }
}

impl<T> GrantCache<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<T>> {
        // The map holds no invariant a panicking holder could break half-way.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::apps::AccessLevel;
    use oauth1::{ConsumerKey, ConsumerSecret, Token, TokenSecret};

    fn grant(token: &str) -> Arc<Grant> {
        Arc::new(Grant {
            token: Token::new(token),
            secret: TokenSecret::new("s"),
            app_id: 1,
            consumer_key: ConsumerKey::new("k"),
            consumer_secret: ConsumerSecret::new("cs"),
            public_key: None,
            access_level: AccessLevel::Read,
            user: crate::users::User {
                id: 1,
                screen_name: "alice".into(),
                name: "Alice".into(),
                created_at: 0,
            },
        })
    }

    fn miss(lookup: Lookup) -> Ticket {
        match lookup {
            Lookup::Miss(ticket) => ticket,
            Lookup::Hit(_) => panic!("expected a miss"),
        }
    }

    #[test]
    fn a_stored_grant_is_found_until_the_cache_is_cleared() {
        let grants = Grants::cached();
        let ticket = miss(grants.lookup("t1"));
        grants.store(ticket, grant("t1"));
        assert!(matches!(grants.lookup("t1"), Lookup::Hit(g) if g.token.as_str() == "t1"));
        assert!(matches!(grants.lookup("t2"), Lookup::Miss(_)));
        grants.clear();
        assert!(matches!(grants.lookup("t1"), Lookup::Miss(_)));
    }

    #[test]
    fn a_read_that_began_before_a_clear_is_not_stored() {
        let grants = Grants::cached();
        let ticket = miss(grants.lookup("t1"));
        // A revocation lands while the database read is under way.
        grants.clear();
        grants.store(ticket, grant("t1"));
        assert!(matches!(grants.lookup("t1"), Lookup::Miss(_)));
    }

    #[test]
    fn without_a_cache_every_lookup_misses() {
        let grants = Grants::none();
        let ticket = miss(grants.lookup("t1"));
        grants.store(ticket, grant("t1"));
        assert!(matches!(grants.lookup("t1"), Lookup::Miss(_)));
        assert!(!grants.is_cached());
    }
}
