//! The real `highland-hub` binary, serving on a fresh data directory, and its admin commands.

use std::fs::File;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tempfile::TempDir;

use crate::bins::{HIGHLAND_HUB, bin};
use crate::process::{self, KillOnDrop};
use crate::views::{Listing, Sale};

/// How long the hub may take to announce its address, and an admin command to finish: only
/// there to turn a hang into a failure.
const STARTUP_LIMIT: Duration = Duration::from_secs(60);
const COMMAND_LIMIT: Duration = Duration::from_secs(60);
const STOP_LIMIT: Duration = Duration::from_secs(60);

/// `highland-hub serve --listen 127.0.0.1:0` on a fresh temporary data directory; killed when
/// dropped (use [`Hub::stop`] for a graceful SIGTERM).
#[derive(Debug)]
pub struct Hub {
    child: KillOnDrop,
    addr: SocketAddr,
    data: PathBuf,
    /// A PostgreSQL database the hub keeps its data in, instead of `data`
    /// (which then holds only its photos).
    database_url: Option<String>,
    log: PathBuf,
    // Last, so the directory is removed after the process is gone.
    _root: TempDir,
}

/// `seller add --json`: a new seller and the code for their first device.
#[derive(Debug, Clone, Deserialize)]
pub struct SellerAdded {
    pub seller_id: String,
    pub code: String,
}

#[derive(Debug, Clone, Deserialize)]
struct CodeIssued {
    code: String,
}

impl Hub {
    /// Starts the hub and waits until it prints `listening on http://ADDR`.
    pub fn start() -> anyhow::Result<Hub> {
        let root = tempfile::Builder::new().prefix("highland-hub-").tempdir()?;
        let data = root.path().join("data");
        let log = root.path().join("hub.log");
        let (child, addr) = serve(&Store::Dir(&data), &log, "127.0.0.1:0")?;
        Ok(Hub {
            child,
            addr,
            data,
            database_url: None,
            log,
            _root: root,
        })
    }

    /// [`Hub::start`], on the PostgreSQL database at `url` (an empty one).
    pub fn start_on_postgres(url: &str) -> anyhow::Result<Hub> {
        let root = tempfile::Builder::new().prefix("highland-hub-").tempdir()?;
        let data = root.path().join("data");
        let log = root.path().join("hub.log");
        let store = Store::Postgres { url, photos: &data };
        let (child, addr) = serve(&store, &log, "127.0.0.1:0")?;
        Ok(Hub {
            child,
            addr,
            data,
            database_url: Some(url.to_owned()),
            log,
            _root: root,
        })
    }

    fn store(&self) -> Store<'_> {
        match &self.database_url {
            Some(url) => Store::Postgres {
                url,
                photos: &self.data,
            },
            None => Store::Dir(&self.data),
        }
    }

    /// Kills the hub at once, as a power cut or a cut link does; its data
    /// stays for [`Hub::restart`].
    pub fn kill(&mut self) -> anyhow::Result<()> {
        self.child.0.kill()?;
        self.child.0.wait()?;
        Ok(())
    }

    /// Sends SIGTERM and waits for a graceful exit, keeping the data (and
    /// the address) for [`Hub::restart`]: as an operator stops a hub before
    /// restoring it.
    pub fn shut_down(&mut self) -> anyhow::Result<ExitStatus> {
        process::terminate(self.child.id())?;
        match process::wait_for(&mut self.child.0, STOP_LIMIT)? {
            Some(status) => Ok(status),
            None => bail!("highland-hub did not stop within {STOP_LIMIT:?} of SIGTERM"),
        }
    }

    /// Starts the hub again on its data and at its address, as when the
    /// link comes back: the devices enrolled with it find it where it was.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        let (child, addr) = serve(&self.store(), &self.log, &self.addr.to_string())?;
        self.child = child;
        self.addr = addr;
        Ok(())
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`, to reach the hub directly, not through a link.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// Everything the hub logged so far (stderr), for failure messages.
    pub fn log(&self) -> String {
        read_log(&self.log)
    }

    /// Adds a seller; returns the seller's id and the first device's code.
    pub fn add_seller(&self, name: &str, village: &str) -> anyhow::Result<SellerAdded> {
        self.admin(&["seller", "add", "--name", name, "--village", village])
    }

    /// A one-time code for another device of `seller_id`.
    pub fn device_code(&self, seller_id: &str) -> anyhow::Result<String> {
        let issued: CodeIssued = self.admin(&["device", "code", "--seller", seller_id])?;
        Ok(issued.code)
    }

    /// Every listing as merged on the hub, oldest first.
    pub fn listings(&self) -> anyhow::Result<Vec<Listing>> {
        self.admin(&["listing", "list"])
    }

    /// Every sale the hub holds, oldest first.
    pub fn sales(&self) -> anyhow::Result<Vec<Sale>> {
        self.admin(&["sale", "list"])
    }

    /// Runs `highland-hub --data-dir DIR ARGS --json` beside the server and parses its output.
    fn admin<T: DeserializeOwned>(&self, args: &[&str]) -> anyhow::Result<T> {
        operator_json_in(&self.store(), args)
    }

    /// Runs `highland-hub --data-dir DIR ARGS` beside the server, as its
    /// operator would; returns its trimmed stdout, or an error with its stderr.
    pub fn ok(&self, args: &[&str]) -> anyhow::Result<String> {
        operator_in(&self.store(), args)
    }

    /// Sends SIGTERM and waits for a graceful exit; returns its status.
    pub fn stop(mut self) -> anyhow::Result<ExitStatus> {
        process::terminate(self.child.id())?;
        match process::wait_for(&mut self.child.0, STOP_LIMIT)? {
            Some(status) => Ok(status),
            None => bail!("highland-hub did not stop within {STOP_LIMIT:?} of SIGTERM"),
        }
    }
}

/// Where a hub keeps its data.
enum Store<'a> {
    Dir(&'a Path),
    Postgres { url: &'a str, photos: &'a Path },
}

impl Store<'_> {
    /// The flags that name it, before the subcommand.
    fn add_to(&self, command: &mut Command) {
        command
            .env_remove("HIGHLAND_HUB_DATA_DIR")
            .env_remove("HIGHLAND_HUB_DATABASE_URL");
        match self {
            Store::Dir(data) => command.arg("--data-dir").arg(data),
            Store::Postgres { url, .. } => command.args(["--database-url", url]),
        };
    }
}

/// Runs `highland-hub STORE ARGS` beside a running hub, as its operator
/// would; returns its trimmed stdout, or an error with its stderr.
fn operator_in(store: &Store<'_>, args: &[&str]) -> anyhow::Result<String> {
    let mut command = Command::new(bin(HIGHLAND_HUB));
    store.add_to(&mut command);
    command.args(args);
    let out = process::run(&mut command, COMMAND_LIMIT)
        .with_context(|| format!("highland-hub {args:?}"))?;
    if !out.status.success() {
        bail!(
            "highland-hub {args:?} failed ({}): {}",
            out.status,
            out.stderr
        );
    }
    Ok(out.stdout.trim().to_owned())
}

/// As [`operator`], with `--json`, parsing what it prints.
pub(crate) fn operator_json<T: DeserializeOwned>(data: &Path, args: &[&str]) -> anyhow::Result<T> {
    operator_json_in(&Store::Dir(data), args)
}

fn operator_json_in<T: DeserializeOwned>(store: &Store<'_>, args: &[&str]) -> anyhow::Result<T> {
    let mut args = args.to_vec();
    args.push("--json");
    let out = operator_in(store, &args)?;
    serde_json::from_str(&out).with_context(|| format!("highland-hub {args:?} printed {out:?}"))
}

/// `highland-hub serve` on `data` at `listen`, logging to the end of `log`;
/// waits until it announces its address.
fn serve(store: &Store<'_>, log: &Path, listen: &str) -> anyhow::Result<(KillOnDrop, SocketAddr)> {
    let mut command = Command::new(bin(HIGHLAND_HUB));
    store.add_to(&mut command);
    command.args(["serve", "--listen", listen]);
    if let Store::Postgres { photos, .. } = store {
        command.arg("--photo-dir").arg(photos);
    }
    command
        .stdin(Stdio::null())
        // A file, not a pipe: a pipe nobody reads would block the hub once full.
        .stderr(File::options().create(true).append(true).open(log)?);
    let (child, line) = process::spawn_for_first_line(&mut command, STARTUP_LIMIT)
        .context("starting highland-hub")?;
    let Some(addr) = line.trim().strip_prefix("listening on http://") else {
        bail!(
            "highland-hub did not announce its address (first line {line:?}); its log:\n{}",
            read_log(log)
        );
    };
    let addr = addr
        .parse()
        .with_context(|| format!("address in {line:?}"))?;
    Ok((child, addr))
}

fn read_log(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = File::open(path) {
        let _ = file.read_to_string(&mut text);
    }
    text
}
