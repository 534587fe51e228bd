//! The simulated network as a device sees it: the engine's [`Link`], whose
//! requests wait on a wire until the scheduler delivers, loses or cuts
//! them, and whose pauses last until the scheduler lets time pass.
//!
//! Requests are encoded as the real client encodes them (JSON, zstd), so
//! what the hub reads, whole or cut, is what a tablet sends.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use highland_domain::wire::{SyncRequest, SyncResponse};
use highland_engine::sync::{HubError, Link, Sent, encode_body};

use crate::rng::SimRng;

/// A request on its way to the hub.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub token: String,
    /// The body as it travels: compressed JSON.
    pub body: Vec<u8>,
}

/// What the hub (or the network) made of a request.
pub type Answer = Result<(SyncResponse, Sent), HubError>;

/// The state between one device and the scheduler.
#[derive(Debug, Default)]
pub struct Wire {
    /// Sent, not yet delivered (or lost).
    pub request: Option<Outgoing>,
    /// What the device will read when it runs next.
    pub answer: Option<Answer>,
    /// How long the device waits before its next attempt, while it waits.
    pub pause: Option<Duration>,
}

pub struct SimLink {
    wire: Rc<RefCell<Wire>>,
    jitter: RefCell<SimRng>,
}

impl SimLink {
    pub fn new(wire: Rc<RefCell<Wire>>, jitter: SimRng) -> SimLink {
        SimLink {
            wire,
            jitter: RefCell::new(jitter),
        }
    }
}

impl Link for SimLink {
    fn sync(&self, token: &str, request: &SyncRequest) -> impl Future<Output = Answer> {
        let encoded = encode_body(request);
        let token = token.to_owned();
        let wire = self.wire.clone();
        async move {
            let body = encoded?;
            wire.borrow_mut().request = Some(Outgoing { token, body });
            Awaited { wire }.await
        }
    }

    fn pause(&self, wait: Duration) -> impl Future<Output = ()> {
        Paused {
            wire: self.wire.clone(),
            wait,
            armed: false,
        }
    }

    fn jitter(&self) -> f64 {
        self.jitter.borrow_mut().unit()
    }
}

/// Ready once the scheduler has put an answer on the wire.
struct Awaited {
    wire: Rc<RefCell<Wire>>,
}

impl Future for Awaited {
    type Output = Answer;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Answer> {
        match self.wire.borrow_mut().answer.take() {
            Some(answer) => Poll::Ready(answer),
            None => Poll::Pending,
        }
    }
}

/// Ready once the scheduler has taken the pause off the wire.
struct Paused {
    wire: Rc<RefCell<Wire>>,
    wait: Duration,
    armed: bool,
}

impl Future for Paused {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if !self.armed {
            self.armed = true;
            let wait = self.wait;
            self.wire.borrow_mut().pause = Some(wait);
            return Poll::Pending;
        }
        if self.wire.borrow().pause.is_some() {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}
