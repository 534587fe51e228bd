//! The real `highland-hub` binary as the operator runs it: started, its
//! announced address read, its log followed, stopped with a signal.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStderr, Command, Stdio};

/// Starts `cmd` (a `highland-hub serve`), reads the address it announces
/// on its first line (`listening on URL`), and hands back the process, the
/// URL and its log.
pub fn spawn_announcing(cmd: &mut Command) -> (Child, String, BufReader<ChildStderr>) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    (child, url, stderr)
}

/// Sends SIGTERM, as a service manager stops the hub.
#[cfg(unix)]
pub fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Reads the hub's log until a line containing every one of `texts`.
pub fn wait_for_log(stderr: &mut BufReader<ChildStderr>, texts: &[&str]) {
    let mut line = String::new();
    loop {
        line.clear();
        let n = stderr.read_line(&mut line).unwrap();
        assert!(n > 0, "the log ended before {texts:?}");
        if texts.iter().all(|t| line.contains(t)) {
            return;
        }
    }
}
