//! Many seeds over the machine's cores, and the list of seeds that once
//! failed. Each run is whole on one thread, so running them side by side
//! changes nothing in any of them.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::config::{Config, Fault, Faults};
use crate::run::{Outcome, run};
use crate::stats::Summary;
use crate::trace::TraceMode;

/// A seed to run, with the faults it runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    pub seed: u64,
    pub faults: Faults,
    /// What it once found, for the regression list.
    pub note: String,
}

/// How many runs go at once by default: two for each core, since a run
/// spends part of its time waiting (on the hub's blocking pool, on its
/// files) rather than computing.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(2, |n| 2 * n.get())
}

/// Runs `seeds` on `jobs` threads; `failed` hears of each failure as it
/// happens.
pub fn run_all(
    seeds: &[Seed],
    config: &Config,
    jobs: usize,
    failed: &(dyn Fn(&Seed, &Outcome) + Sync),
) -> Summary {
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let summary = Mutex::new(Summary::default());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                while let Some(seed) = seeds.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let config = Config {
                        faults: seed.faults.clone(),
                        ..config.clone()
                    };
                    let outcome = run(seed.seed, &config, TraceMode::Tail);
                    if outcome.failure.is_some() {
                        failed(seed, &outcome);
                    }
                    let mut summary = summary.lock().unwrap_or_else(|e| e.into_inner());
                    summary.runs += 1;
                    summary.totals.add(&outcome.stats);
                    if let Some(why) = outcome.failure {
                        summary.failures.push((seed.seed, why));
                    }
                }
            });
        }
    });
    let mut summary = summary.into_inner().unwrap_or_else(|e| e.into_inner());
    summary.failures.sort();
    summary.wall = started.elapsed();
    summary
}

/// A line of the regression list that does not read.
#[derive(Debug, thiserror::Error)]
#[error("line {line} of the regression list: {why}")]
pub struct BadRegression {
    pub line: usize,
    pub why: String,
}

/// Reads the regression list: one seed a line, then the faults it runs
/// without (`--no-body-cut`), then `#` and what it found. Blank lines and
/// lines that start with `#` are skipped.
pub fn read_regressions(text: &str) -> Result<Vec<Seed>, BadRegression> {
    let mut seeds = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let (run, note) = line.split_once('#').unwrap_or((line, ""));
        let mut words = run.split_whitespace();
        let Some(seed) = words.next() else {
            continue;
        };
        let bad = |why: String| BadRegression { line: n + 1, why };
        let seed = seed
            .parse()
            .map_err(|_| bad(format!("{seed:?} is not a seed")))?;
        let mut faults = Faults::all();
        for flag in words {
            let name = flag
                .strip_prefix("--no-")
                .ok_or_else(|| bad(format!("{flag:?} is not --no-<fault>")))?;
            let fault: Fault = name.parse().map_err(|e| bad(format!("{e}")))?;
            faults = faults.without(fault);
        }
        seeds.push(Seed {
            seed,
            faults,
            note: note.trim().to_owned(),
        });
    }
    Ok(seeds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_regression_list_reads_seeds_flags_and_notes() {
        let text = "# what each found\n\n42 # a lost void\n7 --no-body-cut --no-hub-killed # x\n";
        let seeds = read_regressions(text).unwrap();
        assert_eq!(seeds.len(), 2);
        assert_eq!((seeds[0].seed, seeds[0].note.as_str()), (42, "a lost void"));
        assert_eq!(seeds[0].faults, Faults::all());
        assert!(!seeds[1].faults.on(Fault::BodyCut) && !seeds[1].faults.on(Fault::HubKilled));
        let error = read_regressions("1 --no-storms").unwrap_err();
        assert_eq!(error.line, 1);
        assert!(error.to_string().contains("storms"), "{error}");
    }
}
