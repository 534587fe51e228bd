//! The simulation as CI runs it: 300 fixed seeds with every fault on, the
//! seeds that once failed, a replay that must match its first run line for
//! line, and a few seeds with the hub on PostgreSQL.
//!
//! `HIGHLAND_SIM_SEEDS` runs another number of fixed seeds.

use highland_sim::{
    Config, Fault, Faults, Outcome, REGRESSIONS, Seed, Summary, TraceMode, default_jobs,
    read_regressions, run, run_all,
};

const FIXED_SEEDS: u64 = 300;

fn seeds(range: std::ops::Range<u64>, faults: &Faults) -> Vec<Seed> {
    range
        .map(|seed| Seed {
            seed,
            faults: faults.clone(),
            note: String::new(),
        })
        .collect()
}

/// Runs `seeds`, printing each failure with its replay command as it comes.
fn run_seeds(seeds: &[Seed], config: &Config) -> Summary {
    let summary = run_all(
        seeds,
        config,
        default_jobs(),
        &|seed: &Seed, outcome: &Outcome| {
            eprintln!(
                "seed {} FAILED: {}\n  replay: cargo run -p highland-sim -- --seed {} --trace{}\n  {}",
                seed.seed,
                outcome.failure.as_deref().unwrap_or_default(),
                seed.seed,
                seed.faults.flags(),
                outcome.trace.join("\n  ")
            );
        },
    );
    println!("{summary}");
    summary
}

#[test]
fn fixed_seeds_keep_every_promise_under_every_fault() {
    let count = std::env::var("HIGHLAND_SIM_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(FIXED_SEEDS);
    let summary = run_seeds(&seeds(0..count, &Faults::all()), &Config::default());
    assert!(
        summary.failures.is_empty(),
        "failing seeds: {:?}",
        summary.failures
    );
    assert_eq!(summary.runs, count);
    // Every kind of fault happened, and the checks ran: a run that injects
    // nothing or checks nothing would pass too.
    for fault in Fault::ALL {
        assert!(
            summary.totals.faults.get(&fault).copied().unwrap_or(0) > 0,
            "no {fault} in {count} seeds"
        );
    }
    assert!(
        summary.totals.checks > count * 10,
        "{}",
        summary.totals.checks
    );
}

#[test]
fn every_seed_that_once_failed_passes() {
    let seeds = read_regressions(REGRESSIONS).expect("the regression list reads");
    let summary = run_seeds(&seeds, &Config::default());
    assert!(
        summary.failures.is_empty(),
        "failing seeds: {:?}",
        summary.failures
    );
}

#[test]
fn a_seed_replays_step_for_step() {
    for seed in [3, 1_000_003] {
        let first = run(seed, &Config::default(), TraceMode::Keep);
        let again = run(seed, &Config::default(), TraceMode::Keep);
        assert_eq!(first.failure, None, "seed {seed}");
        assert!(first.trace.len() > 100, "{} lines", first.trace.len());
        assert_eq!(first.trace, again.trace, "seed {seed} ran differently");
        assert_eq!(first.stats, again.stats);
    }
}

#[test]
fn faults_switched_off_are_never_injected() {
    let calm = Fault::ALL
        .into_iter()
        .fold(Faults::all(), |faults, fault| faults.without(fault));
    let summary = run_seeds(&seeds(0..4, &calm), &Config::default());
    assert!(summary.failures.is_empty(), "{:?}", summary.failures);
    assert!(
        summary.totals.faults.is_empty(),
        "{:?}",
        summary.totals.faults
    );
    assert!(summary.totals.exchanges > 0 && summary.totals.operations > 0);
}

/// The hub on PostgreSQL: the server `scripts/test.sh` starts.
#[test]
fn seeds_keep_every_promise_with_the_hub_on_postgres() {
    let admin = std::env::var("HIGHLAND_TEST_POSTGRES_URL")
        .expect("HIGHLAND_TEST_POSTGRES_URL names a PostgreSQL server: run scripts/pg.sh start");
    let config = Config {
        postgres_url: Some(admin),
        ..Config::default()
    };
    let summary = run_seeds(&seeds(0..8, &Faults::all()), &config);
    assert!(
        summary.failures.is_empty(),
        "failing seeds: {:?}",
        summary.failures
    );
}
