//! gzip as the server speaks it: whether a client takes it, at which level answers are
//! compressed, and compressing an answer ahead of time (the log's chunks, kept compressed).

use axum::http::{header, HeaderMap};
use std::io::Write;

/// gzip's level for answers (1 fastest … 9 smallest; 6 is the library's default). At 1M events
/// 5 answers a five-year PST 16 ms sooner than 6 (of ~80 ms spent compressing 11.6 MB) for 1.6%
/// more bytes, and the log's chunks for 0.3% more; 4 saves 27 ms but sends up to 9% more, and 1
/// (the fastest) 47–68% more (BENCHMARKS.md, "gzip's level").
pub const LEVEL: u32 = 5;

/// Whether the request's `Accept-Encoding` takes gzip (named, not refused with `q=0`).
pub fn accepted(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .is_some_and(|q| q.parse::<f32>().is_ok_and(|q| q <= 0.0))
            });
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

/// `bytes` gzipped at [`LEVEL`].
pub fn compress(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::new(LEVEL),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn gzip_is_taken_when_named_and_not_refused() {
        assert!(accepted(&with("gzip")));
        assert!(accepted(&with("gzip, deflate, br, zstd")));
        assert!(accepted(&with("br;q=1.0, GZIP;q=0.5")));
        assert!(!accepted(&with("gzip;q=0")));
        assert!(!accepted(&with("br, x-gzip-not")));
        assert!(!accepted(&HeaderMap::new()));
    }

    #[test]
    fn what_is_compressed_reads_back() {
        let bytes: Vec<u8> = (0..100_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        let gz = compress(&bytes);
        assert!(gz.len() < bytes.len() / 4);
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back).unwrap();
        assert_eq!(back, bytes);
    }
}
