//! Long, memory-hungry work (statistics releases, reports) one job at a
//! time, off the request threads.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::AppError;

/// Heavy jobs queued behind the one running before [`AppError::Busy`].
pub const HEAVY_QUEUE: usize = 4;

/// One heavy job at a time (see [`crate::App::heavy`]).
pub(crate) struct HeavyWork {
    running: tokio::sync::Semaphore,
    waiting: AtomicUsize,
}

impl Default for HeavyWork {
    fn default() -> Self {
        HeavyWork { running: tokio::sync::Semaphore::new(1), waiting: AtomicUsize::new(0) }
    }
}

impl HeavyWork {
    pub(crate) async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= HEAVY_QUEUE {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(AppError::Busy);
        }
        let permit = self.running.acquire().await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        let _permit = permit.map_err(|_| AppError::Busy)?;
        tokio::task::spawn_blocking(f).await.map_err(AppError::internal)
    }
}
