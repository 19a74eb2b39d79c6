//! Where password hashes (Argon2, tens of milliseconds of CPU each) are computed: on the
//! blocking pool, about one per core at once, with a short line in front. More at once
//! would only queue on the blocking pool and starve everything else; a longer line would
//! only make every sign-in slower. When the line is full the answer is 503 with
//! `Retry-After` ([`Error::Busy`]) at once, rather than a place in it.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tokio::sync::{Semaphore, TryAcquireError};

use crate::error::{Error, Result};

pub struct Hashing {
    permits: Semaphore,
    /// Requests waiting for a permit, and how many may.
    waiting: AtomicUsize,
    max_waiting: usize,
    /// Hashes started, verifications included: a measure for tests and operators.
    started: AtomicU64,
}

/// The hashing of everything outside a server's own state (the command line, tests).
static SHARED: LazyLock<Hashing> = LazyLock::new(Hashing::for_this_machine);

impl Hashing {
    /// One hash at once per core, and four per core waiting.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores, 4 * cores)
    }

    pub fn new(at_once: usize, max_waiting: usize) -> Self {
        Self {
            permits: Semaphore::new(at_once.max(1)),
            waiting: AtomicUsize::new(0),
            max_waiting,
            started: AtomicU64::new(0),
        }
    }

    pub fn shared() -> &'static Hashing {
        &SHARED
    }

    /// How many hashes this pool has started.
    pub fn started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    /// How many are waiting for a turn now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Runs `work` (an Argon2 computation) off the async workers once it has a turn;
    /// [`Error::Busy`] at once when the line for a turn is full.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let closed = |e: &dyn std::fmt::Display| Error::Internal(format!("hashing semaphore: {e}"));
        let _turn = match self.permits.try_acquire() {
            Ok(turn) => turn,
            Err(TryAcquireError::NoPermits) => {
                let _in_line = InLine::join(self).ok_or(Error::Busy("password hashing"))?;
                self.permits.acquire().await.map_err(|e| closed(&e))?
            }
            Err(e @ TryAcquireError::Closed) => return Err(closed(&e)),
        };
        self.started.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| Error::Internal(format!("hashing task: {e}")))
    }
}

/// A place in the line for a turn, given up when dropped (the turn came, or the request
/// was cancelled while waiting).
struct InLine<'a>(&'a AtomicUsize);

impl<'a> InLine<'a> {
    fn join(hashing: &'a Hashing) -> Option<Self> {
        let before = hashing.waiting.fetch_add(1, Ordering::SeqCst);
        let place = InLine(&hashing.waiting);
        (before < hashing.max_waiting).then_some(place)
    }
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_hashing_is_bounded_by_the_core_count() {
        let hashing = Arc::new(Hashing::for_this_machine());
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let guesses = (0..cores * 4).map(|_| {
            let (running, most) = (Arc::clone(&running), Arc::clone(&most));
            let hashing = Arc::clone(&hashing);
            tokio::spawn(async move {
                hashing
                    .run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
            })
        });
        for guess in guesses.collect::<Vec<_>>() {
            guess.await.unwrap().unwrap();
        }
        let most = most.load(Ordering::SeqCst);
        assert!(
            (1..=cores).contains(&most),
            "{most} at once on {cores} cores"
        );
        assert_eq!(hashing.started(), (cores * 4) as u64);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashes_beyond_the_line_get_503_with_retry_after_instead_of_a_place() {
        use axum::response::IntoResponse as _;
        let hashing = Arc::new(Hashing::new(1, 2));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Arc::new(std::sync::Mutex::new(hold));
        let mut jobs = Vec::new();
        for _ in 0..3 {
            let (hashing, hold) = (Arc::clone(&hashing), Arc::clone(&hold));
            jobs.push(tokio::spawn(async move {
                hashing
                    .run(move || {
                        let _ = hold.lock().unwrap().recv();
                    })
                    .await
            }));
        }
        // One runs, two wait: the line is full.
        while hashing.waiting() < 2 || hashing.started() < 1 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let refused = hashing.run(|| ()).await.unwrap_err();
        assert!(matches!(refused, Error::Busy(_)), "{refused}");
        let response = crate::error::PageError(refused).into_response();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "1");
        for _ in 0..3 {
            release.send(()).unwrap();
        }
        for job in jobs {
            job.await.unwrap().unwrap();
        }
        assert_eq!((hashing.waiting(), hashing.started()), (0, 3));
        assert!(hashing.run(|| ()).await.is_ok(), "room again");
    }
}
