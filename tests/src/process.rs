//! Running a child process with a time limit, so a hang fails a test instead of stalling it,
//! and children that never outlive their owner.

use std::io::{self, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// What a finished command left behind.
#[derive(Debug, Clone)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// A command that was still running when its time ran out, and was killed.
#[derive(Debug, Clone)]
pub struct Hung {
    pub limit: Duration,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Display for Hung {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "still running after {:?}, killed; stderr:\n{}",
            self.limit, self.stderr
        )
    }
}

impl std::error::Error for Hung {}

/// Runs `command` to its end with piped stdout and stderr; kills it once `limit` has passed.
///
/// `Err` is a failure to start (`io::Error`) or a [`Hung`] command, as an `anyhow::Error`.
pub fn run(command: &mut Command, limit: Duration) -> anyhow::Result<Finished> {
    let mut child = KillOnDrop::spawn(
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )?;
    let stdout = drain(child.0.stdout.take());
    let stderr = drain(child.0.stderr.take());
    let started = Instant::now();
    let mut nap = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.0.try_wait()? {
            break Some(status);
        }
        if started.elapsed() >= limit {
            break None;
        }
        thread::sleep(nap);
        nap = (nap * 2).min(Duration::from_millis(25));
    };
    let Some(status) = status else {
        let _ = child.kill_and_wait();
        return Err(Hung {
            limit,
            stdout: joined(stdout),
            stderr: joined(stderr),
        }
        .into());
    };
    Ok(Finished {
        status,
        stdout: joined(stdout),
        stderr: joined(stderr),
    })
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn joined(reader: thread::JoinHandle<String>) -> String {
    reader.join().unwrap_or_default()
}

/// A child process that is killed (SIGKILL) and reaped when dropped, so a failing test never
/// leaves one behind.
#[derive(Debug)]
pub struct KillOnDrop(pub Child);

impl KillOnDrop {
    pub fn spawn(command: &mut Command) -> io::Result<KillOnDrop> {
        command.spawn().map(KillOnDrop)
    }

    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// SIGKILL (what `Child::kill` sends on Unix), then reap. The status tells whether the
    /// kill landed (ended by signal 9) or the process had already ended on its own.
    pub fn kill_and_wait(&mut self) -> io::Result<ExitStatus> {
        // Killing a process that has exited but is not reaped yet is harmless.
        let _ = self.0.kill();
        self.0.wait()
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// Sends SIGTERM to a process by id with the system's `kill` command (this crate forbids
/// `unsafe`, so no libc).
pub fn terminate(pid: u32) -> io::Result<()> {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "kill -TERM {pid} failed: {status}"
        )))
    }
}

/// Waits for `child` to end, for at most `limit`.
pub fn wait_for(child: &mut Child, limit: Duration) -> io::Result<Option<ExitStatus>> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if started.elapsed() >= limit {
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Starts `command` with its stdout piped and returns the child with the
/// first line it printed (empty if none came within `limit`). The rest of
/// its stdout is read and dropped, so it never writes into a full or
/// closed pipe.
pub fn spawn_for_first_line(
    command: &mut Command,
    limit: Duration,
) -> anyhow::Result<(KillOnDrop, String)> {
    use std::io::BufRead;
    command.stdout(Stdio::piped());
    let mut child = KillOnDrop::spawn(command)?;
    let stdout = child
        .0
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let (first_line, printed) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let mut stdout = io::BufReader::new(stdout);
        let mut line = String::new();
        let _ = stdout.read_line(&mut line);
        let _ = first_line.send(line);
        let _ = io::copy(&mut stdout, &mut io::sink());
    });
    Ok((child, printed.recv_timeout(limit).unwrap_or_default()))
}
