//! A loopback HTTP server that gives canned, misbehaving answers: HTML instead of JSON, 5xx,
//! huge bodies, no answer at all. Stands in for a broken provider endpoint.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Clone)]
pub enum Answer {
    /// Status, Content-Type, body (with its Content-Length).
    Fixed(u16, &'static str, String),
    /// Like `Fixed`, without a Content-Length: the body comes chunked, its size unannounced.
    Unannounced(u16, &'static str, String),
    /// Waits this long before answering 200 `{}`.
    Slow(Duration),
    /// Sends the status line, the headers and the first bytes of a longer body, then goes
    /// quiet for this long (a server that hangs mid-answer).
    Stalls(Duration),
}

pub struct Canned {
    pub url: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Canned {
    pub fn start(answer: Answer) -> Canned {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::spawn({
            let stop = stop.clone();
            move || {
                while !stop.load(Ordering::Relaxed) {
                    let Ok(Some(req)) = server.recv_timeout(Duration::from_millis(50)) else {
                        continue;
                    };
                    let answer = answer.clone();
                    let stop = stop.clone();
                    std::thread::spawn(move || {
                        let (status, ct, body) = match answer {
                            Answer::Fixed(s, ct, b) => (s, ct, b),
                            Answer::Unannounced(s, ct, b) => {
                                let resp = tiny_http::Response::new(
                                    tiny_http::StatusCode(s),
                                    vec![
                                        tiny_http::Header::from_bytes("Content-Type", ct).unwrap(),
                                        tiny_http::Header::from_bytes("X-Canned", "unannounced")
                                            .unwrap(),
                                    ],
                                    std::io::Cursor::new(b.into_bytes()),
                                    None,
                                    None,
                                );
                                let _ = req.respond(resp);
                                return;
                            }
                            Answer::Stalls(d) => {
                                use std::io::Write as _;
                                let mut raw = req.into_writer();
                                let _ = raw.write_all(
                                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Canned: stalls\r\nContent-Length: 100\r\n\r\n{\"access_to",
                                );
                                let _ = raw.flush();
                                let until = std::time::Instant::now() + d;
                                while std::time::Instant::now() < until
                                    && !stop.load(Ordering::Relaxed)
                                {
                                    std::thread::sleep(Duration::from_millis(20));
                                }
                                return;
                            }
                            Answer::Slow(d) => {
                                let until = std::time::Instant::now() + d;
                                while std::time::Instant::now() < until
                                    && !stop.load(Ordering::Relaxed)
                                {
                                    std::thread::sleep(Duration::from_millis(20));
                                }
                                (200, "application/json", "{}".to_owned())
                            }
                        };
                        let resp = tiny_http::Response::from_string(body)
                            .with_status_code(status)
                            // tiny_http sends bodies over 32 KiB chunked; `Fixed` announces its length.
                            .with_chunked_threshold(usize::MAX)
                            .with_header(
                                tiny_http::Header::from_bytes("Content-Type", ct).unwrap(),
                            );
                        let _ = req.respond(resp);
                    });
                }
            }
        });
        Canned {
            url: format!("http://127.0.0.1:{port}/endpoint"),
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Canned {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
