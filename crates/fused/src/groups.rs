//! Groups of rows and the threads that take them. The examples are cut into blocks of rows,
//! and the blocks into a fixed number of groups ([`GROUP_SHARES`]); an evaluation's groups are
//! taken in turn by the calling thread and by the threads of a pool of its own, one fewer than
//! the cores ([`run`]), each group summing its own share of the gradient. Fixed groups keep the
//! sums in the same order whatever the number of threads, so results are the same bits on one
//! core or many. What a second thread buys depends on the machine's other load: on the 2 shared
//! cores of an AMD EPYC (Zen 4) with a load average of 5-7, nothing (one thread against two,
//! alternated in one process: f64 0.65-1.13x, f32 0.93-0.99x), since each thread had about a
//! third of a core and a call ends with its slower thread. The pool's threads sleep between
//! calls (rayon's); threads that spun between calls instead made the evaluation 1.14-1.85x
//! slower in f64 and 1.5-2.4x in f32 on that machine, where a spinning thread takes a core from
//! other work and from the calling thread.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// The examples' blocks are split into groups of these shares (in twentieths), each
/// processed by one thread at a time, in order. Fixed (not set by the number of cores), so that
/// sums are taken in the same order on every run, whatever the number of cores: the same
/// parameters give the same bits (on machines with the same [`Isa`], which sets whether
/// multiply-adds are fused and how the sparse sums are interleaved). The groups shrink towards
/// the end, so that the threads finish together even when one of them runs slower than the
/// other (on a shared machine, another tenant slows one core at a time): the last groups to be
/// taken are small. Each group has its own share of the gradient to clear and to add up at the
/// end. Alternated in one process here, these eight were 1-7% faster than four equal groups,
/// and ahead of eight equal ones in every run.
pub(crate) const GROUP_SHARES: [usize; 8] = [4, 4, 3, 3, 2, 2, 1, 1];
/// The blocks of rows of `m` examples, in order (all of `rows` rows but the last), and the
/// blocks of each group, cut by [`GROUP_SHARES`] (a group may have none).
pub(crate) fn blocks(m: usize, rows: usize) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let blocks: Vec<_> = (0..m).step_by(rows).map(|start| start..(start + rows).min(m)).collect();
    let total: usize = GROUP_SHARES.iter().sum();
    let ends = GROUP_SHARES.iter().scan(0, |taken, share| {
        *taken += share;
        Some(blocks.len() * *taken / total)
    });
    let groups = std::iter::once(0).chain(ends).collect::<Vec<_>>().windows(2).map(|w| w[0]..w[1]).collect();
    (blocks, groups)
}

thread_local! {
    /// The budget [`with_thread_budget`] set on this thread, if any.
    static THREAD_BUDGET: std::cell::RefCell<Option<ThreadBudget>> = const { std::cell::RefCell::new(None) };
}

/// How many threads an evaluation may use, asked at each evaluation (see [`with_thread_budget`]).
pub type ThreadBudget = Arc<dyn Fn() -> usize + Send + Sync>;

/// Runs `f` with every [`FusedNnCost`] evaluation it makes on this thread using at most
/// `threads()` threads, this one included (asked at each evaluation), instead of as many as
/// rayon's current pool has. A sweep gives each of its workers an equal share of the cores,
/// and, as workers run out of lambdas, lets the ones still running take up the cores they
/// freed. The number of threads never changes the results.
pub fn with_thread_budget<R>(threads: ThreadBudget, f: impl FnOnce() -> R) -> R {
    /// Puts back the budget that was set before, also when `f` panics.
    struct Restore(Option<ThreadBudget>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            THREAD_BUDGET.with(|budget| *budget.borrow_mut() = previous);
        }
    }
    let _restore = Restore(THREAD_BUDGET.with(|budget| budget.borrow_mut().replace(threads)));
    f()
}

/// The budget of this thread's evaluations: [`with_thread_budget`]'s, or else as many threads
/// as rayon's current pool has.
pub(crate) fn threads() -> usize {
    THREAD_BUDGET
        .with(|budget| budget.borrow().as_ref().map(|threads| threads()))
        .unwrap_or_else(rayon::current_num_threads)
}

/// The threads that take groups besides the calling one: one fewer than the cores, at most one
/// per group but the caller's; none on one core.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = (cores - 1).min(GROUP_SHARES.len() - 1);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).thread_name(|i| format!("ex4-fused-{i}"));
        (threads > 0).then(|| pool.build().ok()).flatten()
    })
    .as_ref()
}

/// Runs `work` on this thread and on up to `helpers` threads of the pool at once, and returns
/// when every one has returned from it. `work` shares itself out (each run takes what is left
/// to do), so it is done whatever number of threads joins; a panic in any run reaches the
/// caller.
pub(crate) fn run(helpers: usize, work: &(dyn Fn() + Sync)) {
    match pool() {
        Some(pool) if helpers > 0 => pool.in_place_scope(|scope| {
            for _ in 0..helpers {
                scope.spawn(|_| work());
            }
            work();
        }),
        _ => work(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BLOCK_ROWS;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn the_groups_take_every_block_once_in_order_and_shrink_towards_the_end() {
        for m in [1, 5, 95, 96, 97, 1000, 5000] {
            let (blocks, groups) = blocks(m, BLOCK_ROWS);
            // The blocks cover 0..m in order, all of BLOCK_ROWS rows but the last.
            assert_eq!(blocks.first().map(|b| b.start), Some(0), "m {m}");
            assert_eq!(blocks.last().map(|b| b.end), Some(m), "m {m}");
            assert!(blocks.windows(2).all(|w| w[0].end == w[1].start && w[0].len() == BLOCK_ROWS), "m {m}");
            // The groups cut the blocks in order, without gaps.
            assert_eq!(groups.len(), GROUP_SHARES.len());
            assert_eq!((groups[0].start, groups[groups.len() - 1].end), (0, blocks.len()), "m {m}");
            assert!(groups.windows(2).all(|w| w[0].end == w[1].start), "m {m}");
        }
        // On ex4data1.mat's 5000 rows (53 blocks), by the shares: the last groups are the smallest.
        let (_, groups) = blocks(5000, BLOCK_ROWS);
        let sizes: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        assert_eq!(sizes, [10, 11, 8, 8, 5, 5, 3, 3]);
    }

    #[test]
    fn every_unit_of_work_is_done_once_whatever_the_threads() {
        for helpers in [0, 1, 3, 10] {
            let (next, done) = (AtomicUsize::new(0), AtomicUsize::new(0));
            run(helpers, &|| {
                while next.fetch_add(1, Ordering::Relaxed) < 1000 {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
            assert_eq!(done.into_inner(), 1000, "{helpers} helpers");
        }
    }

    #[test]
    fn a_panic_in_the_work_reaches_the_caller() {
        let result = std::panic::catch_unwind(|| run(1, &|| panic!("a share failed")));
        assert_eq!(result.expect_err("passed on").downcast_ref::<&str>(), Some(&"a share failed"));
    }
}
