//! `highland lesson`: the workshop's guided lesson, for a trainee at the
//! command line or a script. Steps tick themselves as the trainee works;
//! this only starts, shows and ends the lesson.

use clap::Subcommand;
use highland_engine::Store;
use highland_engine::lesson::{LessonStep, LessonView};

use super::print_json;

#[derive(Debug, Subcommand)]
pub enum LessonCommand {
    /// Start the lesson from its first step (forgets an earlier one).
    Start {
        #[arg(long)]
        json: bool,
    },
    /// Which steps are done, and what to do next.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// End the lesson; what was recorded during it stays.
    End,
}

pub fn run(store: &mut Store, command: LessonCommand) -> anyhow::Result<()> {
    match command {
        LessonCommand::Start { json } => {
            let lesson = store.start_lesson()?;
            show(&lesson, json)
        }
        LessonCommand::Show { json } => match store.lesson()? {
            Some(lesson) => show(&lesson, json),
            None if json => print_json(&serde_json::Value::Null),
            None => {
                println!("no lesson running; start one with `highland lesson start`");
                Ok(())
            }
        },
        LessonCommand::End => {
            store.end_lesson()?;
            println!("lesson ended");
            Ok(())
        }
    }
}

fn show(lesson: &LessonView, json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(lesson);
    }
    for (n, step) in lesson.steps.iter().enumerate() {
        let mark = match (step.done_at, lesson.current == Some(step.step)) {
            (Some(_), _) => "[x]",
            (None, true) => "[>]",
            (None, false) => "[ ]",
        };
        println!("{mark} {}. {}", n + 1, what_to_do(step.step));
    }
    if lesson.finished {
        println!("lesson finished");
    }
    Ok(())
}

/// The instruction for a step, as the command line says it.
fn what_to_do(step: LessonStep) -> &'static str {
    match step {
        LessonStep::ListProduct => "list a product: `highland listing add ...`",
        LessonStep::TakePhoto => "add a photo of it: `highland photo add --listing ID FILE`",
        LessonStep::SaleOffline => "with no signal, record a sale: `highland sale add ...`",
        LessonStep::Sync => "when the signal is back, sync: `highland sync`",
        LessonStep::AcceptOrder => "accept the buyer's order: `highland order accept ID`",
        LessonStep::PrintLabel => {
            "print a lot's certificate with its QR code: `highland certificate --lot ID --out slip.pdf`"
        }
    }
}
