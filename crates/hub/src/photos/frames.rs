//! An upload's body, as it arrives: a sequence of frames, each a 4-byte
//! big-endian length (1 to 65,536), a 4-byte big-endian CRC-32 (IEEE) of
//! the data, and the data. [`FrameReader`] is fed bytes in whatever pieces
//! the network gives and hands back each whole frame once its checksum
//! matches; it does no I/O.

use super::MAX_FRAME_BYTES;

const HEADER: usize = 8;

/// What is wrong with the body at the frame the reader stopped on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// The data does not match its CRC-32 (or the length is 0, which no
    /// device writes: the header itself was damaged).
    Corrupted,
    /// The length is over [`MAX_FRAME_BYTES`].
    TooLarge,
}

/// Reads frames from the bytes pushed into it.
#[derive(Debug, Default)]
pub struct FrameReader {
    pending: Vec<u8>,
}

impl FrameReader {
    pub fn new() -> FrameReader {
        FrameReader::default()
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// The next whole frame's data, `None` while it has not all arrived.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        if self.pending.len() < HEADER {
            return Ok(None);
        }
        let length = u32::from_be_bytes(self.pending[0..4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_be_bytes(self.pending[4..8].try_into().expect("4 bytes"));
        if length == 0 {
            return Err(FrameError::Corrupted);
        }
        if length > MAX_FRAME_BYTES {
            return Err(FrameError::TooLarge);
        }
        if self.pending.len() < HEADER + length {
            return Ok(None);
        }
        let data = self.pending[HEADER..HEADER + length].to_vec();
        if crc32fast::hash(&data) != crc {
            return Err(FrameError::Corrupted);
        }
        self.pending.drain(..HEADER + length);
        Ok(Some(data))
    }

    /// Whether bytes of an unfinished frame are waiting (at the end of a
    /// body, that frame never arrived whole).
    pub fn has_partial_frame(&self) -> bool {
        !self.pending.is_empty()
    }
}

/// One frame as a device writes it (for tests, and the reference for
/// clients).
pub fn encode_frame(data: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(HEADER + data.len());
    frame.extend_from_slice(&(data.len() as u32).to_be_bytes());
    frame.extend_from_slice(&crc32fast::hash(data).to_be_bytes());
    frame.extend_from_slice(data);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(reader: &mut FrameReader) -> Result<Vec<Vec<u8>>, FrameError> {
        let mut frames = Vec::new();
        while let Some(frame) = reader.next_frame()? {
            frames.push(frame);
        }
        Ok(frames)
    }

    #[test]
    fn frames_arrive_whole_whatever_pieces_the_network_cuts_them_into() {
        let body: Vec<u8> = [encode_frame(b"hello"), encode_frame(&[7u8; 4096])].concat();
        for piece in [1, 3, 8, 13, body.len()] {
            let mut reader = FrameReader::new();
            let mut frames = Vec::new();
            for chunk in body.chunks(piece) {
                reader.push(chunk);
                frames.extend(read_all(&mut reader).unwrap());
            }
            assert_eq!(frames, vec![b"hello".to_vec(), vec![7u8; 4096]], "{piece}");
            assert!(!reader.has_partial_frame());
        }
    }

    #[test]
    fn a_damaged_frame_stops_the_reader_after_the_good_ones() {
        let mut second = encode_frame(b"world");
        second[10] ^= 1;
        let mut reader = FrameReader::new();
        reader.push(&[encode_frame(b"hello"), second].concat());
        assert_eq!(reader.next_frame(), Ok(Some(b"hello".to_vec())));
        assert_eq!(reader.next_frame(), Err(FrameError::Corrupted));
    }

    #[test]
    fn lengths_outside_one_to_64_kib_are_refused_before_the_data_arrives() {
        let mut reader = FrameReader::new();
        reader.push(&[0, 1, 0, 1, 0, 0, 0, 0]);
        assert_eq!(reader.next_frame(), Err(FrameError::TooLarge));
        let mut reader = FrameReader::new();
        reader.push(&[0; 8]);
        assert_eq!(reader.next_frame(), Err(FrameError::Corrupted));
        let mut reader = FrameReader::new();
        reader.push(&encode_frame(&vec![1u8; MAX_FRAME_BYTES]));
        assert_eq!(reader.next_frame().unwrap().unwrap().len(), MAX_FRAME_BYTES);
    }

    #[test]
    fn a_frame_cut_short_is_partial_not_an_error() {
        let mut reader = FrameReader::new();
        reader.push(&encode_frame(b"hello")[..9]);
        assert_eq!(reader.next_frame(), Ok(None));
        assert!(reader.has_partial_frame());
    }
}
