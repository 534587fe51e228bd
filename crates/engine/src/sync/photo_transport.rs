//! The hub's photo endpoints (docs/sync-protocol.md, section 13): asking
//! how much of a file the hub holds, sending the rest in checksummed
//! frames, and downloading a file from an offset.

use std::time::Duration;

use highland_domain::Sha256;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, ETAG, HeaderMap, RANGE};
use tokio::io::AsyncWriteExt;

use super::transport::{HubClient, HubError, refusal};

/// How much of a file the hub holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub offset: u64,
    pub length: u64,
}

impl Held {
    /// The hub has the whole file, verified.
    pub fn is_complete(&self) -> bool {
        self.offset == self.length
    }
}

/// The data of one frame: small enough that a cut loses little (0.4 s of
/// the mountain uplink, where cuts come every minute or so), large enough
/// that its 8-byte header is 0.8%.
pub const FRAME_DATA: usize = 1024;

pub const FRAMES_MEDIA_TYPE: &str = "application/vnd.highland.photo-frames";

/// The length of `data_len` bytes once framed.
pub fn framed_len(data_len: usize) -> usize {
    data_len + data_len.div_ceil(FRAME_DATA) * 8
}

/// Wraps `data` in frames: each a 4-byte big-endian length, a 4-byte
/// big-endian CRC-32 of the data, then the data.
pub fn frames(data: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(framed_len(data.len()));
    for chunk in data.chunks(FRAME_DATA) {
        body.extend_from_slice(&(chunk.len() as u32).to_be_bytes());
        body.extend_from_slice(&crc32fast::hash(chunk).to_be_bytes());
        body.extend_from_slice(chunk);
    }
    body
}

impl HubClient {
    /// `HEAD /v1/photos/{sha256}/upload`.
    pub async fn photo_held(&self, token: &str, sha256: Sha256) -> Result<Held, HubError> {
        let response = self
            .http()
            .head(self.url(&format!("/v1/photos/{sha256}/upload")))
            .bearer_auth(token)
            .timeout(Duration::from_secs(40))
            .send()
            .await
            .map_err(|e| self.failed(e))?;
        let status = response.status();
        if !status.is_success() {
            // A HEAD answer has no body, so no code: a revoked device's 403
            // reads as `http_403` here and skips the file; the next request
            // with a body (a download, the next sync) says it was revoked.
            return Err(refusal(status, &[]));
        }
        held(response.headers()).ok_or_else(|| {
            HubError::BadResponse("no Upload-Offset and Upload-Length in the answer".into())
        })
    }

    /// `PATCH /v1/photos/{sha256}/upload`: sends `data`, the file's bytes
    /// from `offset` on, in frames. Returns the hub's new offset.
    pub async fn upload_photo_part(
        &self,
        token: &str,
        sha256: Sha256,
        offset: u64,
        data: &[u8],
    ) -> Result<u64, HubError> {
        let body = frames(data);
        // As for a sync request: a base, plus a second per KiB of body.
        let timeout = Duration::from_secs(40) + Duration::from_millis(body.len() as u64);
        let response = self
            .http()
            .patch(self.url(&format!("/v1/photos/{sha256}/upload")))
            .bearer_auth(token)
            .header("Upload-Offset", offset.to_string())
            .header(CONTENT_TYPE, FRAMES_MEDIA_TYPE)
            .timeout(timeout)
            .body(body)
            .send()
            .await
            .map_err(|e| self.failed(e))?;
        let status = response.status();
        let new_offset = header_u64(response.headers(), "Upload-Offset");
        if status == StatusCode::NO_CONTENT {
            return new_offset.ok_or_else(|| HubError::BadResponse("no Upload-Offset".into()));
        }
        let bytes = response.bytes().await.map_err(|e| self.failed(e))?;
        Err(refusal(status, &bytes))
    }

    /// `GET /v1/photos/{sha256}` from `from` on, appended to `file`.
    /// Returns how many bytes were appended; a cut connection keeps what
    /// arrived (written and flushed), and the caller resumes from there.
    pub async fn download_photo(
        &self,
        token: &str,
        sha256: Sha256,
        from: u64,
        file: &mut tokio::fs::File,
    ) -> Result<u64, HubError> {
        self.download(
            &format!("/v1/photos/{sha256}"),
            Some(token),
            &format!("\"{sha256}\""),
            from,
            file,
        )
        .await
    }

    /// A file named by its digest (`etag`), from byte `from` on, appended
    /// to `file`: a photo, or a release of the app.
    pub(super) async fn download(
        &self,
        path: &str,
        token: Option<&str>,
        etag: &str,
        from: u64,
        file: &mut tokio::fs::File,
    ) -> Result<u64, HubError> {
        let mut request = self
            .http()
            .get(self.url(path))
            .timeout(Duration::from_secs(600));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if from > 0 {
            request = request.header(RANGE, format!("bytes={from}-"));
        }
        let mut response = request.send().await.map_err(|e| self.failed(e))?;
        let status = response.status();
        let resumed = status == StatusCode::PARTIAL_CONTENT;
        if !(status == StatusCode::OK || resumed) {
            let bytes = response.bytes().await.map_err(|e| self.failed(e))?;
            return Err(refusal(status, &bytes));
        }
        if response.headers().get(ETAG).is_some_and(|e| e != etag) {
            return Err(HubError::BadResponse(format!(
                "the hub sent another file than {etag}"
            )));
        }
        if from > 0 && !resumed {
            // The hub sent the whole file: start the copy again.
            file.set_len(0).await.map_err(io_failed)?;
        }
        let mut written = 0;
        let outcome = loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if let Err(e) = file.write_all(&chunk).await {
                        break Err(io_failed(e));
                    }
                    written += chunk.len() as u64;
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(self.failed(e)),
            }
        };
        file.sync_data().await.map_err(io_failed)?;
        outcome.map(|()| written)
    }
}

fn io_failed(e: std::io::Error) -> HubError {
    HubError::Unreachable(format!("the download could not be written: {e}"))
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn held(headers: &HeaderMap) -> Option<Held> {
    Some(Held {
        offset: header_u64(headers, "Upload-Offset")?,
        length: header_u64(headers, "Upload-Length")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_length_and_crc_and_split_at_one_kib() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let body = frames(&data);
        let mut rest = body.as_slice();
        let mut joined = Vec::new();
        let mut lengths = Vec::new();
        while !rest.is_empty() {
            let len = u32::from_be_bytes(rest[..4].try_into().unwrap()) as usize;
            let crc = u32::from_be_bytes(rest[4..8].try_into().unwrap());
            let chunk = &rest[8..8 + len];
            assert_eq!(crc32fast::hash(chunk), crc);
            joined.extend_from_slice(chunk);
            lengths.push(len);
            rest = &rest[8 + len..];
        }
        assert_eq!(joined, data);
        assert_eq!(lengths[..9], [1024; 9]);
        assert_eq!(lengths[9], 784);
        assert!(frames(&[]).is_empty());
    }
}
