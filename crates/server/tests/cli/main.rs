//! The real binary: operator commands, then `serve` on a free port and HTTP
//! requests to it, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

mod admin;
mod faults;
mod hostile;
mod import;
mod serve;
mod shutdown;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The outcome of one command.
#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// The one JSON object a successful admin command prints.
    pub fn json(&self) -> Value {
        assert_eq!(self.code, Some(0), "stderr: {}", self.stderr);
        assert_eq!(self.stdout.lines().count(), 1, "one line: {}", self.stdout);
        serde_json::from_str(&self.stdout).expect("JSON on stdout")
    }

    /// A failure: non-zero, nothing on stdout, one line on stderr.
    pub fn failure(&self) -> &str {
        assert_ne!(self.code, Some(0), "should fail: {}", self.stdout);
        assert_eq!(self.stdout, "", "nothing on stdout");
        assert_eq!(
            self.stderr.lines().count(),
            1,
            "one line: {:?}",
            self.stderr
        );
        self.stderr.trim_end()
    }
}

/// An operator's working directory and database.
#[derive(Debug)]
pub struct Operator {
    pub dir: tempfile::TempDir,
    pub url: String,
}

impl Operator {
    pub fn new(db: &sessions_storage::testing::TestDb) -> Self {
        Self {
            dir: tempfile::tempdir().expect("a working directory"),
            url: db.url().unredacted(),
        }
    }

    /// `sessions-api admin ARGS…`
    pub fn admin(&self, args: &[&str]) -> Output {
        sessions_api(self.dir.path(), &self.url, &[&["admin"], args].concat())
    }

    /// `sessions-api admin ARGS…` with `input` on its standard input.
    pub fn admin_with_input(&self, args: &[&str], input: &str) -> Output {
        run(
            self.dir.path(),
            &self.url,
            &[&["admin"], args].concat(),
            Some(input),
        )
    }

    /// `sessions-api serve --bind 127.0.0.1:0 EXTRA…`
    pub fn serve(&self, extra: &[&str]) -> Server {
        Server::start(self.dir.path(), &self.url, extra)
    }
}

/// `sessions-api` with `DATABASE_URL` set to `database`, run in `dir`.
pub fn sessions_api(dir: &Path, database: &str, args: &[&str]) -> Output {
    run(dir, database, args, None)
}

/// The binary, with `input` on its standard input (or none).
fn run(dir: &Path, database: &str, args: &[&str], input: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sessions-api"))
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", database)
        .env_remove("RUST_LOG")
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        let input = input.to_owned();
        // A writer of its own: the child may fail before reading it all.
        std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
        });
    }
    let output = child.wait_with_output().expect("the binary ends");
    Output {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// A running `sessions-api serve`, killed when dropped unless it exited.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub address: String,
    stdout_lines: Mutex<mpsc::Receiver<String>>,
    log: Arc<Mutex<Vec<String>>>,
}

/// One HTTP answer: its status, head (lower-cased) and JSON body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        let prefix = format!("{}: ", name.to_ascii_lowercase());
        self.head
            .lines()
            .find_map(|line| line.strip_prefix(prefix.as_str()))
    }
}

impl Server {
    pub fn start(dir: &Path, database: &str, extra: &[&str]) -> Self {
        Self::start_logging(dir, database, extra, "info")
    }

    /// `start`, with `RUST_LOG` at `level`.
    pub fn start_logging(dir: &Path, database: &str, extra: &[&str], level: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sessions-api"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra)
            .current_dir(dir)
            .env("DATABASE_URL", database)
            .env("RUST_LOG", level)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (found, listening) = mpsc::channel();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let _ = found.send(
                        rest.split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_owned(),
                    );
                }
                lines.lock().expect("log").push(line);
            }
        });
        let address = listening
            .recv_timeout(Duration::from_secs(30))
            .expect("the server says where it listens");
        let stdout = child.stdout.take().expect("stdout");
        let (line, stdout_lines) = mpsc::channel();
        std::thread::spawn(move || {
            for text in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = line.send(text);
            }
        });
        Self {
            child,
            address,
            stdout_lines: Mutex::new(stdout_lines),
            log,
        }
    }

    /// What the server printed on stdout (all of it comes before it
    /// listens; this waits briefly for the pipe to deliver it).
    pub fn printed(&self) -> Vec<String> {
        let lines = self.stdout_lines.lock().expect("stdout");
        std::iter::from_fn(|| lines.recv_timeout(Duration::from_millis(500)).ok()).collect()
    }

    /// The API key `--demo` printed.
    pub fn demo_key(&self) -> String {
        let printed = self.printed().join("\n");
        printed
            .split_whitespace()
            .find(|word| word.starts_with("mob_"))
            .unwrap_or_else(|| panic!("no key printed: {printed}"))
            .trim_end_matches('\'')
            .to_owned()
    }

    /// Everything the server logged on stderr so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    /// `GET path`, with a bearer key if given: the status and the JSON body.
    pub fn get(&self, path: &str, key: Option<&str>) -> (u16, Value) {
        let authorization = key.map(|k| format!("Bearer {k}"));
        let headers: Vec<(&str, &str)> = authorization
            .iter()
            .map(|value| ("Authorization", value.as_str()))
            .collect();
        let reply = self.call(path, &headers);
        (reply.status, reply.body)
    }

    /// `GET path` with these headers, on a connection of its own; every
    /// answer must be complete JSON.
    pub fn call(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\n{}Connection: close\r\n\r\n",
            self.address,
            headers
                .iter()
                .map(|(name, value)| format!("{name}: {value}\r\n"))
                .collect::<String>()
        );
        self.send(request.as_bytes())
    }

    /// Sends these bytes as they are on a new connection and reads the
    /// answer to its end.
    pub fn send(&self, request: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        stream.write_all(request).expect("send");
        read_reply(&mut stream)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal (`TERM`, `INT`, …) to the server.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args(["-s", name, &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -s {name}");
    }

    /// Waits up to `timeout` for the server to exit by itself.
    pub fn exit_status(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Reads one `Connection: close` answer: status, head and JSON body.
pub fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read");
    let response = String::from_utf8(response).expect("a UTF-8 answer");
    let (head, body) = response
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("an incomplete response: {response:?}"));
    let head = head.to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    assert!(
        head.contains("content-type: application/json"),
        "not JSON: {head}"
    );
    let body = serde_json::from_str(body)
        .unwrap_or_else(|_| panic!("status {status}: not a JSON body: {body:?}"));
    Reply { status, head, body }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
