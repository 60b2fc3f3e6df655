//! The panic hook of [`Bot::serve`](super::Bot::serve): a handler that panics
//! on every request must not write a backtrace per request to stderr (15 KB
//! each with `RUST_BACKTRACE=1`, and capturing it costs more than the
//! request).
//!
//! Dispatch marks the thread while it polls a handler (or runs the filters
//! and extractors); a panic there is caught by dispatch, which logs it in
//! one line. The hook only keeps its location for that line, and passes the
//! panic on to the hook installed before (the user's, or Rust's default) at
//! most [`Bot::PANIC_REPORTS_PER_MINUTE`](super::Bot::PANIC_REPORTS_PER_MINUTE)
//! times a minute. Any other panic goes to the previous hook as before.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Once, OnceLock};
use std::time::Instant;

use super::Bot;

thread_local! {
    /// Whether this thread is running a handler's code (or a filter's, or
    /// an extractor's) under dispatch's `catch_unwind`.
    static IN_HANDLER: Cell<bool> = const { Cell::new(false) };
    /// Where the last handler panic on this thread happened.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs the hook, once per process: several bots served in one process
/// share it.
pub(crate) fn install() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_HANDLER.get() {
                return previous(info);
            }
            let location = info.location().map(ToString::to_string);
            LOCATION.with(|l| *l.borrow_mut() = location);
            if report_allowed() {
                previous(info);
            }
        }));
    });
}

/// Runs `f` as handler code: a panic in it is reported by dispatch, not (or
/// rarely) by the previous hook.
pub(crate) fn in_handler<R>(f: impl FnOnce() -> R) -> R {
    /// Restores the flag, also when `f` unwinds.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            IN_HANDLER.set(self.0);
        }
    }
    let _restore = Restore(IN_HANDLER.replace(true));
    f()
}

/// Where the handler panic just caught on this thread happened, when the
/// hook saw it (only while serving).
pub(crate) fn take_location() -> Option<String> {
    LOCATION.with(|l| l.borrow_mut().take())
}

/// Whether this handler panic may reach the previous hook: at most
/// `PANIC_REPORTS_PER_MINUTE` in each minute since the first panic.
fn report_allowed() -> bool {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    static MINUTE: AtomicU64 = AtomicU64::new(0);
    static REPORTED: AtomicU32 = AtomicU32::new(0);
    let minute = EPOCH.get_or_init(Instant::now).elapsed().as_secs() / 60;
    // Two threads crossing into a new minute at once may both reset the
    // count: a report or two more, never an unbounded number.
    if MINUTE.swap(minute, Ordering::AcqRel) != minute {
        REPORTED.store(0, Ordering::Release);
    }
    REPORTED.fetch_add(1, Ordering::AcqRel) < Bot::PANIC_REPORTS_PER_MINUTE
}
