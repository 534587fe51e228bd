//! `highland-sim`: runs the simulation for one seed (with its trace), for
//! many seeds over the cores, or for the regression list.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use highland_sim::{
    Config, Fault, Faults, Outcome, Seed, Summary, TraceMode, capture_panics, default_jobs,
    read_regressions, run, run_all,
};

/// A deterministic simulation of Highland: the real hub and devices, a
/// faulty network and wrong clocks, all from one seed.
#[derive(Debug, Parser)]
#[command(name = "highland-sim", version)]
struct Cli {
    /// Run this one seed.
    #[arg(long, conflicts_with_all = ["seeds", "regressions"])]
    seed: Option<u64>,
    /// With --seed: print every step as it happens.
    #[arg(long, requires = "seed")]
    trace: bool,
    /// With --seed: switch faults off one kind at a time, keeping off each
    /// that the failure does without, and print the replay command of the
    /// narrowest run that still fails.
    #[arg(long, requires = "seed", conflicts_with = "trace")]
    narrow: bool,
    /// Run this many seeds, from --from on, in parallel.
    #[arg(long, conflicts_with = "regressions")]
    seeds: Option<u64>,
    /// The first of --seeds.
    #[arg(long, default_value_t = 0)]
    from: u64,
    /// Run the seeds of a regression list (crates/sim/regressions.txt).
    #[arg(long)]
    regressions: Option<PathBuf>,
    /// How many runs go at once; twice the number of cores by default.
    #[arg(long)]
    jobs: Option<NonZeroUsize>,
    /// With --seed: keep the run's files (every SQLite database) to look into.
    #[arg(long, requires = "seed")]
    keep_files: bool,
    /// Run the hub on PostgreSQL: an admin URL (scripts/pg.sh start prints
    /// one), on which each run makes a database of its own.
    #[arg(long, env = "HIGHLAND_SIM_POSTGRES_URL")]
    postgres_url: Option<String>,
    #[arg(long)]
    no_request_lost: bool,
    #[arg(long)]
    no_response_lost: bool,
    #[arg(long)]
    no_body_cut: bool,
    #[arg(long)]
    no_hub_killed: bool,
    #[arg(long)]
    no_device_killed: bool,
    #[arg(long)]
    no_hub_restored: bool,
    #[arg(long)]
    no_clock_skew: bool,
    #[arg(long)]
    no_hub_clock_back: bool,
    #[arg(long)]
    no_device_offline: bool,
    #[arg(long)]
    no_mixed_versions: bool,
}

impl Cli {
    fn faults(&self) -> Faults {
        let off = [
            (self.no_request_lost, Fault::RequestLost),
            (self.no_response_lost, Fault::ResponseLost),
            (self.no_body_cut, Fault::BodyCut),
            (self.no_hub_killed, Fault::HubKilled),
            (self.no_device_killed, Fault::DeviceKilled),
            (self.no_hub_restored, Fault::HubRestored),
            (self.no_clock_skew, Fault::ClockSkew),
            (self.no_hub_clock_back, Fault::HubClockBack),
            (self.no_device_offline, Fault::DeviceOffline),
            (self.no_mixed_versions, Fault::MixedVersions),
        ];
        off.into_iter()
            .filter(|(off, _)| *off)
            .fold(Faults::all(), |faults, (_, fault)| faults.without(fault))
    }
}

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let config = Config {
        faults: cli.faults(),
        postgres_url: cli.postgres_url.clone(),
        keep_files: cli.keep_files,
    };
    capture_panics();
    if let Some(seed) = cli.seed {
        if cli.trace {
            // The parts' own error lines (the hub's, before it answers 500)
            // go to standard error beside the trace.
            tracing_subscriber::fmt()
                .with_writer(std::io::stderr)
                .with_env_filter("warn")
                .init();
        }
        if cli.narrow {
            return Ok(narrow(seed, config));
        }
        return Ok(one(seed, &config, cli.trace));
    }
    let seeds: Vec<Seed> = match (&cli.regressions, cli.seeds) {
        (Some(file), _) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            read_regressions(&text)?
        }
        (None, Some(n)) => (cli.from..cli.from.saturating_add(n))
            .map(|seed| Seed {
                seed,
                faults: config.faults.clone(),
                note: String::new(),
            })
            .collect(),
        (None, None) => anyhow::bail!("say what to run: --seed N, --seeds N or --regressions FILE"),
    };
    let jobs = cli.jobs.map_or_else(default_jobs, NonZeroUsize::get);
    let summary = run_all(&seeds, &config, jobs, &|seed, outcome| {
        eprintln!("{}", failure_report(&seed.faults, outcome));
    });
    println!("{summary}");
    Ok(exit(&summary))
}

/// Runs one seed, printing its trace as it goes when asked.
fn one(seed: u64, config: &Config, trace: bool) -> ExitCode {
    let mode = if trace {
        TraceMode::Print
    } else {
        TraceMode::Tail
    };
    let outcome = run(seed, config, mode);
    if let Some(dir) = &outcome.kept {
        println!("the run's files are kept in {}", dir.display());
    }
    match &outcome.failure {
        None => {
            let s = &outcome.stats;
            println!(
                "seed {seed} passed: {} steps, {} operations, {} sync requests, {} invariant checks, faults {:?}",
                s.steps, s.operations, s.exchanges, s.checks, s.faults
            );
            ExitCode::SUCCESS
        }
        Some(_) => {
            eprintln!("{}", failure_report(&config.faults, &outcome));
            ExitCode::FAILURE
        }
    }
}

/// Switches each kind of fault off in turn, keeping it off when the seed
/// still fails without it.
fn narrow(seed: u64, mut config: Config) -> ExitCode {
    let mut failing = run(seed, &config, TraceMode::Tail);
    if failing.failure.is_none() {
        println!("seed {seed} passes; nothing to narrow");
        return ExitCode::SUCCESS;
    }
    for fault in Fault::ALL {
        if !config.faults.on(fault) {
            continue;
        }
        let without = Config {
            faults: config.faults.clone().without(fault),
            ..config.clone()
        };
        let outcome = run(seed, &without, TraceMode::Tail);
        let same = outcome.failure.as_deref().map(kind) == failing.failure.as_deref().map(kind);
        let verdict = match &outcome.failure {
            Some(_) if same => "still fails: kept off",
            Some(_) => "fails otherwise: needed",
            None => "passes: needed",
        };
        println!("without {fault}: {verdict}");
        if same {
            config = without;
            failing = outcome;
        }
    }
    eprintln!("{}", failure_report(&config.faults, &failing));
    ExitCode::FAILURE
}

/// What kind of failure a message tells, its names and numbers left out:
/// the words of its first sentence that hold no digit, quote or bracket.
fn kind(failure: &str) -> String {
    failure
        .split(';')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .filter(|w| {
            !w.chars()
                .any(|c| c.is_ascii_digit() || "\"({[)}]".contains(c))
        })
        .take(8)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A failed seed: why, how to replay it, and its last steps.
fn failure_report(faults: &Faults, outcome: &Outcome) -> String {
    let mut report = format!(
        "seed {} FAILED: {}\n  replay: highland-sim --seed {} --trace{}",
        outcome.seed,
        outcome.failure.as_deref().unwrap_or_default(),
        outcome.seed,
        faults.flags()
    );
    if !outcome.trace.is_empty() {
        report.push_str("\n  its last steps:");
        for line in &outcome.trace {
            report.push_str("\n    ");
            report.push_str(line);
        }
    }
    report
}

fn exit(summary: &Summary) -> ExitCode {
    if summary.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
