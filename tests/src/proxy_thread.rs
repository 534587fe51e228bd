//! A [`FaultyProxy`] on a runtime of its own, for tests that drive the real binaries with
//! blocking process calls: the link keeps its timing while the test thread waits on a child.

use std::io;
use std::net::SocketAddr;
use std::ops::Deref;

use tokio::runtime::Runtime;

use crate::proxy::{FaultyProxy, LinkProfile};

#[derive(Debug)]
pub struct ProxyThread {
    proxy: Option<FaultyProxy>,
    runtime: Runtime,
}

impl ProxyThread {
    /// [`FaultyProxy::start`] on a new one-worker runtime.
    pub fn start(upstream: SocketAddr, profile: LinkProfile, seed: u64) -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("faulty-proxy")
            .enable_all()
            .build()?;
        let proxy = runtime.block_on(FaultyProxy::start(upstream, profile, seed))?;
        Ok(ProxyThread {
            proxy: Some(proxy),
            runtime,
        })
    }
}

impl Deref for ProxyThread {
    type Target = FaultyProxy;

    fn deref(&self) -> &FaultyProxy {
        self.proxy.as_ref().expect("the proxy runs until dropped")
    }
}

impl Drop for ProxyThread {
    fn drop(&mut self) {
        if let Some(proxy) = self.proxy.take() {
            self.runtime.block_on(proxy.shutdown());
        }
    }
}
