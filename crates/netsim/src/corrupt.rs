//! Damaging one byte on its way up: the fault a checksum exists for, which
//! TCP's own checksum makes too rare to meet by chance. A test arms it with a
//! marker (a header of the request it wants damaged) and a distance past it;
//! the first connection whose upstream bytes carry the marker gets the byte
//! at that distance flipped, once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// What to damage, once.
#[derive(Debug, Clone)]
pub(crate) struct Corruption {
    pub marker: Vec<u8>,
    /// How many bytes after the marker's last byte the damaged one is.
    pub after: usize,
}

/// One lane's watch for the marker, across the chunks it reads.
#[derive(Debug, Default)]
pub(crate) struct Watch {
    /// The end of the previous chunk, so a marker split between two chunks
    /// is still seen.
    tail: Vec<u8>,
    /// Bytes still to pass before the one to damage, once the marker passed.
    countdown: Option<usize>,
}

impl Watch {
    /// Flips the armed byte if it is in `chunk`; returns whether it did.
    pub(crate) fn pass(
        &mut self,
        chunk: &mut [u8],
        armed: &Mutex<Option<Corruption>>,
        corrupted: &AtomicU64,
    ) -> bool {
        let mut start = 0;
        if self.countdown.is_none() {
            let guard = armed.lock().unwrap_or_else(PoisonError::into_inner);
            let Some(corruption) = guard.as_ref() else {
                return false;
            };
            let mut seen = std::mem::take(&mut self.tail);
            let carried = seen.len();
            seen.extend_from_slice(chunk);
            let found = seen
                .windows(corruption.marker.len())
                .position(|w| w == corruption.marker.as_slice());
            match found {
                Some(at) => {
                    let end = at + corruption.marker.len();
                    start = end.saturating_sub(carried);
                    self.countdown = Some(corruption.after);
                }
                None => {
                    let keep = corruption.marker.len().saturating_sub(1).min(seen.len());
                    self.tail = seen[seen.len() - keep..].to_vec();
                    return false;
                }
            }
        }
        let Some(countdown) = self.countdown else {
            return false;
        };
        let available = chunk.len() - start;
        if countdown >= available {
            self.countdown = Some(countdown - available);
            return false;
        }
        // Only the first lane to get here damages anything.
        if armed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .is_none()
        {
            self.countdown = None;
            return false;
        }
        chunk[start + countdown] ^= 0xFF;
        self.countdown = None;
        corrupted.fetch_add(1, Ordering::Relaxed);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_at_the_distance_past_a_split_marker_is_flipped_once() {
        let armed = Mutex::new(Some(Corruption {
            marker: b"MARK".to_vec(),
            after: 5,
        }));
        let corrupted = AtomicU64::new(0);
        let mut watch = Watch::default();
        let mut first = *b"....MA";
        let mut second = *b"RK0123456789";
        assert!(!watch.pass(&mut first, &armed, &corrupted));
        assert!(watch.pass(&mut second, &armed, &corrupted));
        assert_eq!(&second, b"RK01234\xCA6789");
        assert_eq!(corrupted.load(Ordering::Relaxed), 1);
        // Disarmed: the next marker passes untouched.
        let mut again = *b"MARK0123456789";
        assert!(!watch.pass(&mut again, &armed, &corrupted));
        assert_eq!(&again, b"MARK0123456789");
    }

    #[test]
    fn a_countdown_runs_across_chunks() {
        let armed = Mutex::new(Some(Corruption {
            marker: b"M".to_vec(),
            after: 7,
        }));
        let corrupted = AtomicU64::new(0);
        let mut watch = Watch::default();
        let mut a = *b"xM123";
        let mut b = *b"456";
        let mut c = *b"789";
        assert!(!watch.pass(&mut a, &armed, &corrupted));
        assert!(!watch.pass(&mut b, &armed, &corrupted));
        assert!(watch.pass(&mut c, &armed, &corrupted));
        assert_eq!(&c, b"7\xC79");
    }
}
