//! A minimal HTTP/1.1 client over a plain TCP socket, for talking to the real server the way a
//! browser does (cookies, Origin, Last-Event-ID) without pulling an HTTP client crate into the
//! build.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The session cookie's `name=value`, from Set-Cookie.
    pub fn cookie(&self) -> Option<String> {
        self.header("set-cookie")
            .and_then(|c| c.split(';').next())
            .map(str::to_owned)
    }
}

pub fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect to the server");
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse(&raw)
}

fn parse(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
}

pub fn get(addr: &str, path: &str, cookie: Option<&str>) -> Response {
    match cookie {
        Some(c) => request(addr, "GET", path, &[("Cookie", c)], b""),
        None => request(addr, "GET", path, &[], b""),
    }
}

pub fn post_json(addr: &str, path: &str, cookie: Option<&str>, body: &str) -> Response {
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(c) = cookie {
        headers.push(("Cookie", c));
    }
    request(addr, "POST", path, &headers, body.as_bytes())
}

/// An open server-sent-events connection.
pub struct EventStream {
    reader: BufReader<TcpStream>,
    /// Bytes of the chunked body not yet de-chunked.
    pending: Vec<u8>,
    /// De-chunked text not yet split into events.
    text: String,
}

/// One server-sent event: its id and data.
#[derive(Debug, Clone, PartialEq)]
pub struct Sse {
    pub id: u64,
    pub data: String,
}

impl EventStream {
    pub fn open(addr: &str, cookie: &str, last_event_id: Option<u64>) -> EventStream {
        let mut stream = TcpStream::connect(addr).unwrap();
        let mut head = format!("GET /api/events/stream HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n");
        if let Some(id) = last_event_id {
            head.push_str(&format!("Last-Event-ID: {id}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        // The response head may take a while on a loaded machine or through a proxy; the
        // events after it are read in short waits.
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.contains(" 200 "), "stream refused: {status}");
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
        }
        reader
            .get_ref()
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        EventStream {
            reader,
            pending: Vec::new(),
            text: String::new(),
        }
    }

    /// Reads until the server closes the stream, for at most `timeout`: whether it closed, and
    /// whether any event (an `id:` line) arrived meanwhile.
    pub fn wait_closed(&mut self, timeout: Duration) -> (bool, bool) {
        let deadline = Instant::now() + timeout;
        let mut seen = Vec::new();
        let closed = loop {
            if Instant::now() >= deadline {
                break false;
            }
            let mut buf = [0u8; 65536];
            match self.reader.read(&mut buf) {
                Ok(0) => break true,
                Ok(k) => {
                    seen.extend_from_slice(&buf[..k]);
                    // A chunked body that ends closes with a zero-size chunk.
                    if seen.ends_with(b"0\r\n\r\n") {
                        break true;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break true,
            }
        };
        let event = seen.windows(4).any(|w| w == b"\nid:") || seen.starts_with(b"id:");
        (closed, event)
    }

    /// Reads until `n` events arrived or `timeout` passed; returns what arrived.
    pub fn next_events(&mut self, n: usize, timeout: Duration) -> Vec<Sse> {
        let deadline = Instant::now() + timeout;
        let mut events = Vec::new();
        while events.len() < n && Instant::now() < deadline {
            let mut buf = [0u8; 65536];
            match self.reader.read(&mut buf) {
                Ok(0) => break,
                Ok(k) => self.pending.extend_from_slice(&buf[..k]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("stream read failed: {e}"),
            }
            // Take whole chunks off the pending bytes.
            while let Some(end) = self.pending.windows(2).position(|w| w == b"\r\n") {
                let size =
                    usize::from_str_radix(String::from_utf8_lossy(&self.pending[..end]).trim(), 16).unwrap();
                if self.pending.len() < end + 2 + size + 2 {
                    break;
                }
                self.text
                    .push_str(&String::from_utf8_lossy(&self.pending[end + 2..end + 2 + size]));
                self.pending.drain(..end + 2 + size + 2);
            }
            while let Some(split) = self.text.find("\n\n") {
                let block: String = self.text.drain(..split + 2).collect();
                let mut id = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id: ").or_else(|| line.strip_prefix("id:")) {
                        id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("data: ").or_else(|| line.strip_prefix("data:"))
                    {
                        data.push_str(v);
                    }
                }
                if let Some(id) = id {
                    events.push(Sse { id, data });
                }
            }
        }
        events
    }
}
