//! The reading half of the small fake hubs some tests answer from, where a
//! real hub cannot produce the fault they need (a certificate of the test's
//! own, a revocation at a chosen request).

use tokio::io::AsyncReadExt;

/// One HTTP/1.1 request: its head in lower case, and its body as sent.
pub struct RawRequest {
    pub head: String,
    pub body: Vec<u8>,
}

/// Reads one request, or `None` when the client closed the connection.
pub async fn read_request(
    stream: &mut (impl AsyncReadExt + Unpin),
) -> std::io::Result<Option<RawRequest>> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    while raw.len() < head_end + length {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        raw.extend_from_slice(&buf[..n]);
    }
    Ok(Some(RawRequest {
        head,
        body: raw[head_end..head_end + length].to_vec(),
    }))
}
