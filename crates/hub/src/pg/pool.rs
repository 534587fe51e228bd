//! A small blocking connection pool: idle connections in a stack, at most
//! `size` open at once; a caller waits for one to come back when all are out.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use postgres::{Client, Config, IsolationLevel, NoTls, Transaction};

use super::conn::{Db, Statements};
use crate::sql::OrDb;
use crate::{Error, Result};

/// How long a caller waits for a connection before giving up.
const WAIT: Duration = Duration::from_secs(30);

pub struct Pool {
    config: Config,
    size: usize,
    state: Mutex<State>,
    returned: Condvar,
}

struct State {
    /// Idle connections, each with the statements it has prepared.
    idle: Vec<(Client, Statements)>,
    open: usize,
}

impl Pool {
    /// Checks the URL and opens one connection, so a wrong URL or an
    /// unreachable server fails here rather than on the first request.
    pub fn new(url: &str, size: usize) -> Result<Pool> {
        let config: Config = url.parse().map_err(|e: postgres::Error| {
            // The URL may hold a password: say what is wrong, never the URL.
            Error::DatabaseUrl(format!("--database-url: not a PostgreSQL URL ({e})"))
        })?;
        let first = config.connect(NoTls).or_db()?;
        Ok(Pool {
            config,
            size: size.max(1),
            state: Mutex::new(State {
                idle: vec![(first, Statements::default())],
                open: 1,
            }),
            returned: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A connection, for as long as the guard lives.
    pub fn get(&self) -> Result<Pooled<'_>> {
        let mut state = self.lock();
        loop {
            while let Some((client, statements)) = state.idle.pop() {
                if client.is_closed() {
                    state.open -= 1;
                    continue;
                }
                return Ok(Pooled {
                    pool: self,
                    client: Some(client),
                    statements,
                });
            }
            if state.open < self.size {
                state.open += 1;
                drop(state);
                return match self.config.connect(NoTls) {
                    Ok(client) => Ok(Pooled {
                        pool: self,
                        client: Some(client),
                        statements: Statements::default(),
                    }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.returned.notify_one();
                        Err(Error::database(e))
                    }
                };
            }
            let (next, timeout) = self
                .returned
                .wait_timeout(state, WAIT)
                .unwrap_or_else(|e| e.into_inner());
            state = next;
            if timeout.timed_out() && state.idle.is_empty() && state.open >= self.size {
                return Err(Error::Database(
                    "no PostgreSQL connection came free in 30 s".into(),
                ));
            }
        }
    }

    /// Closes the idle connections; ones still out close when they return.
    pub fn close(self) -> Result<()> {
        let idle = std::mem::take(&mut self.lock().idle);
        off_runtime(move || {
            for (client, _) in idle {
                client.close().or_db()?;
            }
            Ok(())
        })
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.lock().idle);
        off_runtime(move || drop(idle));
    }
}

/// Runs `f`, which may block on a `postgres::Client` (closing or dropping
/// one runs a runtime of the client's own), on a thread of its own when the
/// caller is inside a tokio runtime, where that would panic.
fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::spawn(f)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    } else {
        f()
    }
}

/// A connection borrowed from the pool; it goes back when dropped.
pub struct Pooled<'p> {
    pool: &'p Pool,
    client: Option<Client>,
    statements: Statements,
}

impl Pooled<'_> {
    fn parts(&mut self) -> (&mut Client, &mut Statements) {
        let client = self
            .client
            .as_mut()
            .expect("a pooled connection until dropped");
        (client, &mut self.statements)
    }

    /// The connection outside any transaction: each statement commits alone.
    pub fn db(&mut self) -> Db<'_, Client> {
        let (client, statements) = self.parts();
        Db::new(client, statements)
    }

    /// Runs `work` in one transaction, committed when it succeeds and
    /// rolled back when it fails.
    pub fn transaction<T, E: From<Error>>(
        &mut self,
        work: impl FnOnce(&mut Db<'_, Transaction<'_>>) -> Result<T, E>,
    ) -> Result<T, E> {
        let (client, statements) = self.parts();
        let mut tx = client.transaction().or_db()?;
        let done = work(&mut Db::new(&mut tx, statements))?;
        tx.commit().or_db()?;
        Ok(done)
    }

    /// Runs `work` in a read-only transaction whose statements all see one
    /// snapshot.
    pub fn snapshot<T>(
        &mut self,
        work: impl FnOnce(&mut Db<'_, Transaction<'_>>) -> Result<T>,
    ) -> Result<T> {
        let (client, statements) = self.parts();
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .or_db()?;
        let done = work(&mut Db::new(&mut tx, statements))?;
        tx.commit().or_db()?;
        Ok(done)
    }
}

impl Deref for Pooled<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client
            .as_ref()
            .expect("a pooled connection until dropped")
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client
            .as_mut()
            .expect("a pooled connection until dropped")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let mut state = self.pool.lock();
            // A connection dropped mid-transaction (a panic) has had its
            // transaction rolled back by postgres::Transaction's Drop.
            let statements = std::mem::take(&mut self.statements);
            if client.is_closed() {
                state.open -= 1;
                off_runtime(move || drop(client));
            } else {
                state.idle.push((client, statements));
            }
            drop(state);
            self.pool.returned.notify_one();
        }
    }
}
