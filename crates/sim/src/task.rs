//! A device's sync in progress: the engine's real sync loop as a future the
//! scheduler polls by hand, on one thread. It only ever waits on its
//! [`crate::link::SimLink`], so it needs no waker: the scheduler polls it
//! again after changing the wire.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use highland_engine::Store;
use highland_engine::sync::{SyncError, SyncOptions, SyncReport, sync_operations};

use crate::link::SimLink;

pub type SyncOutcome = Result<SyncReport, SyncError>;

pub struct SyncTask(Pin<Box<dyn Future<Output = SyncOutcome>>>);

impl SyncTask {
    /// A sync as the app runs one in the background, minus the photo
    /// files: no deadline, retrying until the link lets it through.
    pub fn start(store: Arc<Mutex<Store>>, link: Rc<SimLink>) -> SyncTask {
        SyncTask(Box::pin(async move {
            let options = SyncOptions {
                deadline: None,
                fetch_photos: false,
                ..SyncOptions::default()
            };
            sync_operations(&store, link.as_ref(), &options, &mut |_| {}).await
        }))
    }

    pub fn poll(&mut self) -> Poll<SyncOutcome> {
        let mut cx = Context::from_waker(Waker::noop());
        self.0.as_mut().poll(&mut cx)
    }
}
