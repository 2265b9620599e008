//! A small, real SMTP server for tests: it listens on 127.0.0.1 (port 0),
//! speaks enough SMTP for kith's sender (EHLO/HELO, MAIL FROM, RCPT TO,
//! DATA with dot-unstuffing, RSET, NOOP, QUIT; no TLS, no AUTH) and keeps
//! every message it accepts. It can refuse the next few messages, with a
//! temporary (451) or permanent (550) answer, to test retries.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// `MAIL FROM`.
    pub from: String,
    /// Every `RCPT TO`.
    pub to: Vec<String>,
    /// The message, with CRLF line ends, dot-unstuffed.
    pub data: String,
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    /// Answers for the next `MAIL FROM`s: `451` or `550`.
    refusals: Mutex<Vec<u16>>,
    arrived: Notify,
}

/// The running server; it stops when dropped.
pub struct SmtpServer {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpServer {
    /// Binds 127.0.0.1:0 and serves until dropped.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let addr = listener.local_addr().expect("smtp address");
        let shared = Arc::new(Shared::default());
        let serving = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, serving.clone()));
            }
        });
        Self { addr, shared, task }
    }

    /// `smtp://127.0.0.1:port` (plain SMTP, for `Transport::smtp`).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Answers the next `n` messages' `MAIL FROM` with `code` (451: try
    /// again later; 550: never).
    pub fn refuse_next(&self, n: usize, code: u16) {
        let mut refusals = self.shared.refusals.lock().expect("lock");
        refusals.extend(std::iter::repeat_n(code, n));
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().expect("lock").clone()
    }

    /// Waits (up to five seconds) until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let arrived = self.shared.arrived.notified();
            let now = self.received();
            if now.len() >= n {
                return now;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return self.received();
            }
        }
    }
}

async fn session(stream: TcpStream, shared: Arc<Shared>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut send = async |text: &str| write.write_all(format!("{text}\r\n").as_bytes()).await;
    if send("220 kith-test ESMTP").await.is_err() {
        return;
    }
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" => "250-kith-test\r\n250-8BITMIME\r\n250 SMTPUTF8".to_owned(),
            "HELO" | "NOOP" => "250 ok".to_owned(),
            "RSET" => {
                from.clear();
                to.clear();
                "250 ok".to_owned()
            }
            "MAIL" => {
                let refusal = {
                    let mut refusals = shared.refusals.lock().expect("lock");
                    (!refusals.is_empty()).then(|| refusals.remove(0))
                };
                match refusal {
                    Some(451) => "451 4.3.0 please try again later".to_owned(),
                    Some(code) => format!("{code} 5.7.1 not accepted"),
                    None => {
                        from = address(&command);
                        to.clear();
                        "250 ok".to_owned()
                    }
                }
            }
            "RCPT" => {
                to.push(address(&command));
                "250 ok".to_owned()
            }
            "DATA" => {
                if send("354 end with <CRLF>.<CRLF>").await.is_err() {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let text = line.trim_end_matches(['\r', '\n']);
                    if text == "." {
                        break;
                    }
                    data.push_str(text.strip_prefix('.').unwrap_or(text));
                    data.push_str("\r\n");
                }
                shared.received.lock().expect("lock").push(Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                shared.arrived.notify_waiters();
                "250 2.0.0 queued".to_owned()
            }
            "QUIT" => {
                let _ = send("221 bye").await;
                return;
            }
            _ => "502 5.5.2 not implemented".to_owned(),
        };
        if send(&answer).await.is_err() {
            return;
        }
    }
}

/// The address between `<` and `>`.
fn address(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(a, _)| a.to_owned())
        .unwrap_or_default()
}
