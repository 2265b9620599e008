//! The real binary on a real socket: start it, talk HTTP/1.1 to it, stop it
//! and keep its logs for the log check (`tests/logs.rs`).

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `kith serve`.
pub struct Server {
    child: Child,
    /// `127.0.0.1:port`.
    pub addr: String,
    stderr: Option<std::thread::JoinHandle<String>>,
    /// Lines the server printed after its address line.
    pub stdout: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `kith serve` in `dir` with these extra arguments and environment.
pub fn start(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kith"));
    command
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .current_dir(dir)
        .env_remove("KITH_DATABASE_URL")
        // The most a person can ask for: the log check reads these logs.
        .env("RUST_LOG", "trace")
        .env_remove("KITH_UNSAFE_LOG_ALL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("start kith");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    // Keep reading both pipes, so the server never blocks on a full one or
    // writes into a closed one.
    let stderr = std::thread::spawn(move || {
        let mut logs = String::new();
        let mut stderr = stderr;
        let _ = stderr.read_to_string(&mut logs);
        logs
    });
    let mut lines = BufReader::new(stdout);
    let mut line = String::new();
    lines.read_line(&mut line).expect("read the address line");
    let addr = line
        .trim()
        .strip_prefix("kith is running at http://")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    Server {
        child,
        addr,
        stderr: Some(stderr),
        stdout: receive,
    }
}

impl Server {
    /// The next line printed, waiting up to five seconds.
    pub fn next_line(&self) -> Option<String> {
        self.stdout.recv_timeout(Duration::from_secs(5)).ok()
    }
}

/// An HTTP answer.
pub struct Answer {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

impl Answer {
    /// A header's value (the first, case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends one request.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send");
    stream.write_all(body.as_bytes()).expect("send body");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (headers, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    Answer {
        status,
        headers: headers.to_owned(),
        body: decode_chunked(headers, body),
    }
}

fn decode_chunked(headers: &str, body: &str) -> String {
    if !headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_owned();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

/// `GET path`: status and body.
pub fn get(addr: &str, path: &str) -> (u16, String) {
    let answer = request(addr, "GET", path, &[], "");
    (answer.status, answer.body)
}

/// Stops the server; answers its logs, which are also kept in the log
/// directory for the log check.
pub fn stop(mut server: Server) -> String {
    let _ = server.child.kill();
    let _ = server.child.wait();
    let logs = server
        .stderr
        .take()
        .and_then(|reader| reader.join().ok())
        .unwrap_or_default();
    keep_logs("kith-serve", &logs);
    logs
}

/// The directory the log check reads: `KITH_TEST_LOG_DIR`, else the temp
/// dir's `kith-test-logs`.
pub fn log_dir() -> std::path::PathBuf {
    std::env::var_os("KITH_TEST_LOG_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("kith-test-logs"))
}

/// Writes logs to a new file in the log directory.
pub fn keep_logs(name: &str, logs: &str) {
    let dir = log_dir();
    std::fs::create_dir_all(&dir).expect("log dir");
    let file = dir.join(format!(
        "{name}-{}-{:x}.log",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::write(file, logs).expect("write logs");
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0);
    hasher.finish()
}

/// How a server stopped by SIGTERM ended.
pub struct Stopped {
    /// Its exit code, if it exited within the wait.
    pub code: Option<i32>,
    /// How long it took from the signal.
    pub took: Duration,
    /// Its logs.
    pub logs: String,
}

/// Sends SIGTERM, as systemd and container runtimes stop a service, and
/// waits up to `within` for the process to exit (killed after that).
pub fn terminate(mut server: Server, within: Duration) -> Stopped {
    let signalled = std::time::Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -TERM failed");
    let mut code = None;
    while signalled.elapsed() < within {
        if let Ok(Some(exit)) = server.child.try_wait() {
            code = exit.code();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = signalled.elapsed();
    let logs = stop(server);
    Stopped { code, took, logs }
}
