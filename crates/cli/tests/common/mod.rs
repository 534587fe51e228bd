//! Runs the real `highland` binary on a fresh data directory.
#![allow(dead_code)]

pub mod hub;

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

pub struct DataDir {
    pub dir: TempDir,
}

impl DataDir {
    pub fn new() -> DataDir {
        DataDir {
            dir: TempDir::new().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("highland").unwrap();
        cmd.env_remove("HIGHLAND_DATA_DIR")
            .arg("--data-dir")
            .arg(self.path());
        cmd
    }

    /// Runs `highland ARGS` and returns its stdout, failing the test on error.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "highland {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs `highland ARGS`, expects it to fail, and returns its stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            !out.status.success(),
            "highland {args:?} should have failed"
        );
        assert!(out.stdout.is_empty(), "a failure prints nothing on stdout");
        String::from_utf8(out.stderr).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        serde_json::from_str(&self.ok(&args)).unwrap()
    }

    /// Everything a seller recorded, to compare before and after a refusal.
    pub fn snapshot(&self) -> (Value, Value, Value, Value) {
        (
            self.json(&["listing", "list"]),
            self.json(&["sale", "list"]),
            self.json(&["lot", "list"]),
            self.json(&["status"]),
        )
    }

    pub fn add_listing(&self, stock: &str) -> String {
        self.ok(&[
            "listing",
            "add",
            "--title",
            "གཡག་ཤ 牦牛肉",
            "--category",
            "yak-meat",
            "--unit",
            "kg",
            "--price",
            "68.50",
            "--stock",
            stock,
        ])
        .trim()
        .to_owned()
    }
}
