//! The step trace: one line for everything that happens in a run, printed
//! as it goes with `--trace`, kept whole for a test that compares two
//! replays, or only its last lines, to show beside a failure.

use std::collections::VecDeque;

/// How many lines a failure report shows.
const TAIL: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceMode {
    /// Keep the last lines only.
    Tail,
    /// Print every line to standard output as it comes.
    Print,
    /// Keep every line.
    Keep,
}

#[derive(Debug)]
pub struct Trace {
    mode: TraceMode,
    step: u64,
    lines: VecDeque<String>,
}

impl Trace {
    pub fn new(mode: TraceMode) -> Trace {
        Trace {
            mode,
            step: 0,
            lines: VecDeque::new(),
        }
    }

    /// Whether lines go out as they come (`--trace`): then the details
    /// worth their length (what each request carries) are noted too.
    pub fn prints(&self) -> bool {
        self.mode == TraceMode::Print
    }

    /// The step the next lines belong to.
    pub fn at_step(&mut self, step: u64) {
        self.step = step;
    }

    pub fn note(&mut self, what: impl AsRef<str>) {
        let line = format!("{:>5} {}", self.step, what.as_ref());
        match self.mode {
            TraceMode::Print => println!("{line}"),
            TraceMode::Tail => {
                if self.lines.len() == TAIL {
                    self.lines.pop_front();
                }
                self.lines.push_back(line);
            }
            TraceMode::Keep => self.lines.push_back(line),
        }
    }

    /// The lines kept, oldest first.
    pub fn into_lines(self) -> Vec<String> {
        self.lines.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_keeps_the_last_lines_with_their_steps() {
        let mut trace = Trace::new(TraceMode::Tail);
        for step in 0..100 {
            trace.at_step(step);
            trace.note(format!("line {step}"));
        }
        let lines = trace.into_lines();
        assert_eq!(lines.len(), TAIL);
        assert_eq!(lines.last().unwrap(), "   99 line 99");
    }
}
