//! The door to password hashing: Argon2 takes 19 MiB and tens of
//! milliseconds a hash, so a burst of registrations or logins must not
//! pile up behind the cores (nor hold anything else while it waits). A few
//! hash at once, a bounded line waits, and whoever finds the line full is
//! told to come back (429 with `Retry-After`) instead of waiting until the
//! database pool gives up.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Seconds a refused caller is asked to wait: a full line clears in well
/// under that.
pub const RETRY_AFTER_SECONDS: u64 = 1;

/// How many hash at once and how many may wait.
#[derive(Debug)]
pub struct Gate {
    workers: Arc<Semaphore>,
    waiting: AtomicUsize,
    line: usize,
}

/// The line was full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

impl Gate {
    /// `workers` hashing at once (at least one), and at most `line` more
    /// waiting.
    pub fn new(workers: usize, line: usize) -> Self {
        Self {
            workers: Arc::new(Semaphore::new(workers.max(1))),
            waiting: AtomicUsize::new(0),
            line,
        }
    }

    /// One worker per core, and a line of 32 per worker.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores, cores * 32)
    }

    /// A place to hash: at once when a worker is free, after waiting in
    /// line otherwise; `Full` when the line is.
    pub async fn enter(&self) -> Result<OwnedSemaphorePermit, Full> {
        if let Ok(permit) = self.workers.clone().try_acquire_owned() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.line {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Full);
        }
        let permit = self.workers.clone().acquire_owned().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        permit.map_err(|_| Full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_line_is_refused_and_a_freed_worker_lets_the_next_in() {
        let gate = Arc::new(Gate::new(1, 1));
        let hashing = gate.enter().await.expect("a free worker");
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.enter().await.map(drop) }
        });
        // Let the second take its place in line.
        while gate.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.enter().await.map(drop), Err(Full), "the line is full");
        drop(hashing);
        assert_eq!(
            waiting.await.expect("joined"),
            Ok(()),
            "the one waiting got in"
        );
        assert!(gate.enter().await.is_ok(), "and the line is empty again");
    }

    #[tokio::test]
    async fn with_no_line_only_the_workers_hash() {
        let gate = Gate::new(2, 0);
        let (_a, _b) = (gate.enter().await, gate.enter().await);
        assert_eq!(gate.enter().await.map(drop), Err(Full));
    }
}
