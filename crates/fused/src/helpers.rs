//! Helper threads for [`FusedNnCost`](super::FusedNnCost)'s groups, which spin between calls
//! instead of sleeping.
//!
//! An optimizer calls the cost back to back, with a few tens of microseconds of its own work
//! in between. A sleeping thread takes long to wake on a virtual machine, where its idle core
//! has been handed back to the host: rayon's workers, which sleep after a few microseconds
//! without work, started a call's groups 45-290 µs late on average here (2 vCPUs of an Intel
//! Xeon), up to a fifth of an f32 evaluation. A helper here spins for [`IDLE_SPIN`] after each
//! call before it parks, and starts the next call's work within 1-2 µs: alternated in one
//! process, evaluations were 6-9% faster than with rayon's scope in f64 and 5-13% in f32.
//!
//! The work is the caller's closure, borrowed: [`run`] publishes it to idle helpers and returns
//! only once every helper that took it is done with it, also when the caller's own share
//! panics, the way a scoped thread is joined. A helper's panic is caught and passed on to the
//! caller. Calls from several threads at once share the helpers: a call takes the ones that are
//! idle, and runs alone when none is.

use std::any::Any;
use std::cell::UnsafeCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// How long a helper spins after its last work before it parks: longer than the gap between
/// two evaluations of an optimizer, short enough not to keep a core busy once training ends.
const IDLE_SPIN: Duration = Duration::from_millis(1);
/// How long [`run`]'s final wait spins before it yields its core between checks: longer than
/// the wait usually is, short enough that a helper preempted on a busy machine soon gets the
/// core back.
const WAIT_SPIN: Duration = Duration::from_micros(100);
/// At most this many helpers are started: one fewer than the cost's groups, so that each
/// thread can take one.
pub(crate) const MAX_HELPERS: usize = 7;

/// A call's work, with the lifetime of its borrows erased while it is published.
type Work = dyn Fn() + Sync + 'static;

/// A helper's state, which moves `IDLE → CLAIMED → RUNNING → FINISHED → IDLE`: a caller claims
/// an idle helper and publishes its work, the helper runs it and reports it finished, and the
/// caller, having seen that, takes any panic and sets the helper idle.
const IDLE: u8 = 0;
const CLAIMED: u8 = 1;
const RUNNING: u8 = 2;
const FINISHED: u8 = 3;

struct Helper {
    state: AtomicU8,
    /// Written only by the caller that claimed this helper, before it sets `RUNNING`; read
    /// only by the helper thread while `RUNNING`.
    work: UnsafeCell<*const Work>,
    /// The panic of the last work, if it panicked: set by the helper before `FINISHED`, taken
    /// by its caller.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    /// The helper's thread, set once it has started (a helper without one is never claimed).
    thread: OnceLock<Thread>,
}

// SAFETY: `work` is accessed only under the protocol of the states above: written by the one
// caller that claimed the helper (CLAIMED), read by the helper thread only after it has seen
// RUNNING (Acquire, which the caller set with Release after the write). The work it points to
// is `Sync`, so it may be called from the helper's thread.
unsafe impl Sync for Helper {}

/// The helpers, started on first use: one fewer than the cores, at most [`MAX_HELPERS`].
fn helpers() -> &'static [Helper] {
    static HELPERS: OnceLock<&'static [Helper]> = OnceLock::new();
    HELPERS.get_or_init(|| {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        // They live as long as the process, as their threads do.
        let helpers: &'static [Helper] = Box::leak(
            (0..cores.saturating_sub(1).min(MAX_HELPERS))
                .map(|_| Helper {
                    state: AtomicU8::new(IDLE),
                    work: UnsafeCell::new(std::ptr::null::<fn()>() as *const Work),
                    panic: Mutex::new(None),
                    thread: OnceLock::new(),
                })
                .collect(),
        );
        for (number, helper) in helpers.iter().enumerate() {
            let started = thread::Builder::new().name(format!("ex4-helper-{number}")).spawn(move || {
                let _ = helper.thread.set(thread::current());
                serve(helper);
            });
            // A helper that could not start is never claimed: the calls run with fewer.
            drop(started);
        }
        helpers
    })
}

/// A helper thread's loop: run published work, spin for [`IDLE_SPIN`] after it, then park
/// until a caller unparks it.
fn serve(helper: &Helper) -> ! {
    let mut idle_since = Instant::now();
    loop {
        if helper.state.load(Ordering::Acquire) == RUNNING {
            // SAFETY: RUNNING means the claiming caller has published its work and keeps it
            // alive until it sees FINISHED (see `run`).
            let work = unsafe { &**helper.work.get() };
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(work)) {
                *helper.panic.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(payload);
            }
            helper.state.store(FINISHED, Ordering::Release);
            idle_since = Instant::now();
        } else if idle_since.elapsed() < IDLE_SPIN {
            std::hint::spin_loop();
        } else {
            // Returns at once if a caller unparked it since it last parked; may also return
            // for no reason. Either way the loop looks at the state again.
            thread::park();
        }
    }
}

/// The helpers a call has claimed; dropping it waits until each has finished the work, takes
/// its panic and sets it idle.
struct Claimed {
    helpers: [Option<&'static Helper>; MAX_HELPERS],
}

impl Claimed {
    /// Waits for every claimed helper, sets it idle, and returns the first panic among them.
    fn finish(&mut self) -> Option<Box<dyn Any + Send>> {
        let mut first_panic = None;
        for helper in self.helpers.iter_mut().filter_map(Option::take) {
            let start = Instant::now();
            while helper.state.load(Ordering::Acquire) != FINISHED {
                if start.elapsed() < WAIT_SPIN {
                    std::hint::spin_loop();
                } else {
                    thread::yield_now();
                }
            }
            let payload = helper.panic.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
            first_panic = first_panic.or(payload);
            helper.state.store(IDLE, Ordering::Release);
        }
        first_panic
    }
}

impl Drop for Claimed {
    /// Only reached with helpers still claimed when the caller's own share panicked: the work
    /// must outlive the helpers' use of it, so wait for them before unwinding further.
    fn drop(&mut self) {
        drop(self.finish());
    }
}

/// Runs `work` on this thread and on up to `wanted` idle helpers at once, and returns when
/// every one of them has returned from it. `work` shares itself out (each run takes what is
/// left to do), so it is done whatever number of helpers joins. A panic in `work`, on this
/// thread or on a helper, is passed on once all have returned.
pub(crate) fn run(wanted: usize, work: &(dyn Fn() + Sync)) {
    let mut claimed = Claimed { helpers: [None; MAX_HELPERS] };
    if wanted > 0 {
        // SAFETY: only the lifetime is changed. The pointer is dereferenced by helpers only
        // between RUNNING and FINISHED, and `claimed` waits for FINISHED before this function
        // returns or unwinds, while `work` is still borrowed.
        let erased = unsafe { std::mem::transmute::<*const (dyn Fn() + Sync + '_), *const Work>(work) };
        let idle = helpers().iter().filter(|helper| helper.thread.get().is_some());
        for (slot, helper) in claimed.helpers.iter_mut().zip(idle).take(wanted) {
            if helper.state.compare_exchange(IDLE, CLAIMED, Ordering::Acquire, Ordering::Relaxed).is_err() {
                continue;
            }
            // SAFETY: this call alone has claimed the helper, whose thread reads `work` only
            // once it sees RUNNING.
            unsafe { *helper.work.get() = erased };
            helper.state.store(RUNNING, Ordering::Release);
            if let Some(thread) = helper.thread.get() {
                thread.unpark();
            }
            *slot = Some(helper);
        }
    }
    work();
    if let Some(payload) = claimed.finish() {
        panic::resume_unwind(payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Shares out `items` units of work among this thread and `wanted` helpers, each unit
    /// counted once.
    fn share(items: usize, wanted: usize) -> usize {
        let (next, done) = (AtomicUsize::new(0), AtomicUsize::new(0));
        run(wanted, &|| {
            while next.fetch_add(1, Ordering::Relaxed) < items {
                std::hint::black_box((0..1000).sum::<u64>());
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
        done.into_inner()
    }

    #[test]
    fn every_unit_is_done_once_whatever_the_helpers() {
        for wanted in [0, 1, 3, 10] {
            assert_eq!(share(1000, wanted), 1000, "{wanted} helpers wanted");
        }
    }

    #[test]
    fn calls_from_several_threads_at_once_share_the_helpers() {
        thread::scope(|scope| {
            let calls: Vec<_> = (0..4).map(|_| scope.spawn(|| (0..50).map(|_| share(200, 3)).sum::<usize>())).collect();
            for call in calls {
                assert_eq!(call.join().unwrap(), 50 * 200);
            }
        });
    }

    #[test]
    fn a_panic_on_a_helper_reaches_the_caller_and_the_helper_serves_again() {
        if helpers().is_empty() {
            return; // one core: no helper to panic
        }
        let caller = thread::current().id();
        // A helper takes the work whenever one is idle when the call starts; other tests may
        // hold them for a moment, so try until one has.
        let start = Instant::now();
        let payload = loop {
            let result = panic::catch_unwind(|| {
                run(MAX_HELPERS, &|| {
                    if thread::current().id() != caller {
                        panic!("a helper's share failed");
                    }
                })
            });
            match result {
                Err(payload) => break payload,
                Ok(()) => assert!(start.elapsed() < Duration::from_secs(20), "no helper ever took the work"),
            }
        };
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"a helper's share failed"));
        assert_eq!(share(100, MAX_HELPERS), 100);
    }

    #[test]
    fn a_panic_on_the_caller_waits_for_the_helpers_first() {
        if helpers().is_empty() {
            return; // one core: no helper to wait for
        }
        let caller = thread::current().id();
        let start = Instant::now();
        loop {
            let (started, finished) = (AtomicUsize::new(0), AtomicUsize::new(0));
            let result = panic::catch_unwind(AssertUnwindSafe(|| {
                run(MAX_HELPERS, &|| {
                    if thread::current().id() == caller {
                        panic!("the caller's share failed");
                    }
                    started.fetch_add(1, Ordering::SeqCst);
                    thread::sleep(Duration::from_millis(5));
                    finished.fetch_add(1, Ordering::SeqCst);
                })
            }));
            let payload = result.expect_err("the caller's panic is passed on");
            assert_eq!(payload.downcast_ref::<&str>(), Some(&"the caller's share failed"));
            // Every helper that took the work had finished it before `run` unwound.
            assert_eq!(finished.load(Ordering::SeqCst), started.load(Ordering::SeqCst));
            if started.into_inner() > 0 {
                break;
            }
            // Other tests held the helpers: try again until one takes the work.
            assert!(start.elapsed() < Duration::from_secs(20), "no helper ever took the work");
        }
    }
}
