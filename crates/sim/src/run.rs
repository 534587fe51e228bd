//! One seed, run to its end: a world set up, played, checked and torn
//! down, with whatever went wrong (an invariant, an error, a panic in a
//! part) kept as the run's failure, beside its trace.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;

use crate::config::Config;
use crate::stats::RunStats;
use crate::trace::{Trace, TraceMode};
use crate::world::World;

/// What a run came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub seed: u64,
    pub stats: RunStats,
    /// The trace's lines: all of them, or the last few (see [`TraceMode`]).
    pub trace: Vec<String>,
    /// Why the run failed, if it did.
    pub failure: Option<String>,
    /// Where its files are, when they were kept ([`Config::keep_files`]).
    pub kept: Option<PathBuf>,
}

thread_local! {
    /// The last panic on this thread, with where it happened.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Keeps panics quiet, each kept with its place for the run's failure: a
/// part that panics fails its run, with its seed, and the others go on.
pub fn capture_panics() {
    panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(info.to_string()));
    }));
}

/// Runs `seed`.
pub fn run(seed: u64, config: &Config, mode: TraceMode) -> Outcome {
    // Every id any part makes during the run comes from the seed.
    let _ids = highland_domain::ids::seed_ids(seed);
    let mut world = None;
    let played = panic::catch_unwind(AssertUnwindSafe(|| {
        let built = world.insert(World::new(seed, config, Trace::new(mode))?);
        built.play()
    }));
    let failure = match played {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(payload) => Some(panicked(payload.as_ref())),
    };
    let (stats, trace, kept) = match world {
        Some(world) => {
            let (stats, trace, kept) = world.into_parts(config.keep_files);
            (stats, trace.into_lines(), kept)
        }
        None => (RunStats::default(), Vec::new(), None),
    };
    Outcome {
        seed,
        stats,
        trace,
        failure,
        kept,
    }
}

fn panicked(payload: &(dyn std::any::Any + Send)) -> String {
    let kept = LAST_PANIC.with(|last| last.borrow_mut().take());
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic".to_owned());
    format!("a part panicked: {}", kept.unwrap_or(message))
}
