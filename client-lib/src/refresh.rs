//! One refresh at a time per user of a remote (RFC 6749 §6): concurrent calls with an
//! expired token wait for the first one's refresh instead of each spending the refresh
//! token (a service that rotates refresh tokens would take the second use for theft and
//! revoke them all).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::tokens::UserKey;

type Lock = Arc<tokio::sync::Mutex<()>>;

/// A lock per user, made on first use and dropped when nobody holds or awaits it.
#[derive(Default)]
pub(crate) struct RefreshLocks {
    locks: Mutex<HashMap<UserKey, Lock>>,
}

/// Removes the user's lock when the last holder is done, even if its future is dropped.
struct Entry<'a> {
    locks: &'a RefreshLocks,
    user: &'a UserKey,
    lock: Lock,
}

impl Drop for Entry<'_> {
    fn drop(&mut self) {
        let mut locks = self.locks.map();
        // Under the map's lock every clone is counted: the map's and this one.
        if Arc::strong_count(&self.lock) == 2 {
            locks.remove(self.user);
        }
    }
}

impl RefreshLocks {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<UserKey, Lock>> {
        self.locks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` while holding `user`'s lock. `f` should read the token store again
    /// first: whoever held the lock before may have refreshed already.
    pub(crate) async fn one_at_a_time<T>(&self, user: &UserKey, f: impl Future<Output = T>) -> T {
        let lock = self.map().entry(user.clone()).or_default().clone();
        let entry = Entry {
            locks: self,
            user,
            lock,
        };
        let result = {
            let _held = entry.lock.lock().await;
            f.await
        };
        drop(entry);
        result
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_runs_at_a_time_and_nothing_is_left_behind() {
        let locks = Arc::new(RefreshLocks::default());
        let inside = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (locks, inside) = (locks.clone(), inside.clone());
            tasks.push(tokio::spawn(async move {
                locks
                    .one_at_a_time(&UserKey::Id(1), async {
                        use std::sync::atomic::Ordering::SeqCst;
                        assert_eq!(inside.fetch_add(1, SeqCst), 0);
                        tokio::task::yield_now().await;
                        inside.fetch_sub(1, SeqCst);
                    })
                    .await
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(locks.len(), 0);
    }
}
