//! The database failing under a running server: PostgreSQL stopped and
//! started again, a pool held by stuck statements, an SQLite file whose
//! locks another process holds. Every request is answered within two
//! seconds, 503 with `Retry-After` and nothing of the cause; the same server
//! recovers without a restart and nothing is lost.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sessions_storage::testing::{TestDb, execute};

use crate::{Operator, Reply, Server, sessions_api};

const WITHIN: Duration = Duration::from_secs(2);

/// A PostgreSQL cluster of its own in a temporary directory, on a free
/// port, made with the machine's `initdb` and `pg_ctl`.
#[derive(Debug)]
struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl Cluster {
    fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("sessions-pg-")
            .tempdir()
            .expect("a directory");
        let cluster = Self {
            bin: postgres_bin_dir(),
            port: free_port(),
            dir,
        };
        if running_as_root() {
            // PostgreSQL refuses to run as root: the cluster is postgres's.
            run(Command::new("chown")
                .args(["postgres:"])
                .arg(cluster.dir.path()));
        }
        run(cluster
            .command("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(cluster.data()));
        cluster.pg_ctl_start();
        cluster
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if running_as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        run(self
            .command("pg_ctl")
            .args(["start", "-w", "-t", "60", "-o", &options, "-l"])
            .arg(self.dir.path().join("log"))
            .arg("-D")
            .arg(self.data()));
    }

    fn pg_ctl_stop(&self, mode: &str) {
        run(self
            .command("pg_ctl")
            .args(["stop", "-w", "-m", mode, "-D"])
            .arg(self.data()));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-m", "immediate", "-D"])
            .arg(self.data())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn postgres_bin_dir() -> PathBuf {
    let output = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .expect("pg_config, from the machine's PostgreSQL");
    PathBuf::from(String::from_utf8(output.stdout).expect("UTF-8").trim())
}

fn running_as_root() -> bool {
    let output = Command::new("id").arg("-u").output().expect("id");
    String::from_utf8_lossy(&output.stdout).trim() == "0"
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("address").port()
}

fn run(command: &mut Command) {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `GET /api/v1/sessions?limit=500` with the key, timed.
fn list(server: &Server, key: &str) -> (Reply, Duration) {
    let started = Instant::now();
    let reply = server.call(
        "/api/v1/sessions?limit=500",
        &[("Authorization", &format!("Bearer {key}"))],
    );
    (reply, started.elapsed())
}

/// The 503 of an unavailable database: fast, with `Retry-After`, and
/// nothing about the database in the body.
fn assert_unavailable(server: &Server, reply: &Reply, took: Duration, secrets: &[&str]) {
    assert_eq!(
        reply.status,
        503,
        "{}\nserver log:\n{}",
        reply.body,
        server.log().join("\n")
    );
    assert!(took < WITHIN, "answered after {took:?}");
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert_eq!(reply.body["error"]["code"], "service_unavailable");
    let body = reply.body.to_string();
    for secret in secrets {
        assert!(!body.contains(secret), "{secret} in {body}");
    }
}

/// Polls until the server answers 200 again, at most `within`.
fn recovered(server: &Server, key: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let (reply, _) = list(server, key);
        if reply.status == 200 {
            return reply.body;
        }
        assert_eq!(reply.status, 503, "{}", reply.body);
        assert!(Instant::now() < deadline, "not recovered after {within:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn postgres_stopped_is_503_within_2s_and_started_again_is_200_with_nothing_lost() {
    let cluster = Cluster::start();
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::start(dir.path(), &cluster.url(), &["--demo", "--pool-size", "4"]);
    let key = server.demo_key();
    let (before, _) = list(&server, &key);
    assert_eq!(before.status, 200);
    assert_eq!(before.body["sessions"].as_array().map(Vec::len), Some(300));

    cluster.pg_ctl_stop("fast");
    let port = cluster.port.to_string();
    // More requests than the pool has connections: stale ones fail their
    // query, then new ones cannot connect.
    for _ in 0..10 {
        let (reply, took) = list(&server, &key);
        assert_unavailable(
            &server,
            &reply,
            took,
            &["127.0.0.1", &port, "postgres", "connection"],
        );
    }

    cluster.pg_ctl_start();
    let after = recovered(&server, &key, Duration::from_secs(10));
    assert_eq!(after, before.body, "nothing lost, nothing changed");
    // Every connection in the pool works again, not just one.
    for _ in 0..10 {
        assert_eq!(list(&server, &key).0.status, 200);
    }
}

#[test]
fn postgres_down_at_start_is_a_one_line_error_naming_the_server() {
    let cluster = Cluster::start();
    cluster.pg_ctl_stop("fast");
    let dir = tempfile::tempdir().expect("dir");
    let output = sessions_api(
        dir.path(),
        &cluster.url(),
        &["serve", "--bind", "127.0.0.1:0"],
    );
    let reason = output.failure();
    assert!(
        reason.starts_with(&format!(
            "error: cannot open the PostgreSQL database postgres://postgres@127.0.0.1:{}/postgres: ",
            cluster.port
        )),
        "{reason}"
    );
    assert!(!reason.contains("panicked"), "{reason}");
}

#[test]
fn postgres_statements_stuck_behind_a_lock_exhaust_the_pool_and_are_503_fast() {
    let cluster = Cluster::start();
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::start(
        dir.path(),
        &cluster.url(),
        &[
            "--demo",
            "--pool-size",
            "2",
            "--pool-timeout-ms",
            "300",
            "--statement-timeout-ms",
            "800",
        ],
    );
    let key = server.demo_key();
    assert_eq!(list(&server, &key).0.status, 200);

    // Another session holds the key table: every request's first query waits.
    let db = sessions_storage::DatabaseUrl::parse(&cluster.url()).expect("url");
    let mut locker = sessions_storage::DbConnection::open(&db).expect("connect");
    execute(
        &mut locker,
        "BEGIN; LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE",
    );
    std::thread::scope(|scope| {
        let requests: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| list(&server, &key)))
            .collect();
        for request in requests {
            let (reply, took) = request.join().expect("request");
            assert_unavailable(&server, &reply, took, &["api_keys", "lock"]);
        }
    });

    execute(&mut locker, "ROLLBACK");
    recovered(&server, &key, Duration::from_secs(5));
}

/// A process that holds the locks of an SQLite database's WAL index, as a
/// connection in exclusive locking mode does, until it is dropped. The
/// locks are POSIX record locks (what SQLite itself takes), which the
/// standard library does not offer; Python's `fcntl.lockf` does.
#[derive(Debug)]
pub struct WalIndexLocker(Child);

impl WalIndexLocker {
    pub fn hold(database: &Path) -> Self {
        let shm = format!("{}-shm", database.display());
        let mut child = Command::new("python3")
            .args([
                "-c",
                "import fcntl, sys\n\
                 shm = open(sys.argv[1], 'r+b')\n\
                 fcntl.lockf(shm, fcntl.LOCK_EX | fcntl.LOCK_NB, 8, 120, 0)\n\
                 print('locked', flush=True)\n\
                 sys.stdin.read()\n",
                &shm,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read");
        assert_eq!(line.trim(), "locked");
        Self(child)
    }
}

impl Drop for WalIndexLocker {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

#[test]
fn sqlite_another_writer_does_not_stop_reads() {
    let db = TestDb::sqlite();
    let operator = Operator::new(&db);
    let server = operator.serve(&["--demo"]);
    let key = server.demo_key();
    let (before, _) = list(&server, &key);

    // A writer in the middle of a long transaction: with WAL, readers go on.
    let mut writer = db.connect();
    execute(
        &mut writer,
        "BEGIN EXCLUSIVE; UPDATE organizations SET name = name || '!'",
    );
    for _ in 0..5 {
        let (reply, took) = list(&server, &key);
        assert_eq!((reply.status, &reply.body), (200, &before.body));
        assert!(took < WITHIN, "{took:?}");
    }
    execute(&mut writer, "ROLLBACK");
}

#[test]
fn sqlite_locked_by_another_process_is_503_within_2s_then_200() {
    let db = TestDb::sqlite();
    let operator = Operator::new(&db);
    let server = operator.serve(&["--demo", "--pool-size", "2"]);
    let key = server.demo_key();
    let (before, _) = list(&server, &key);
    assert_eq!(before.status, 200);
    let sessions_storage::DatabaseUrl::Sqlite(path) = db.url() else {
        unreachable!("an SQLite test database");
    };

    let locker = WalIndexLocker::hold(path);
    for _ in 0..4 {
        let (reply, took) = list(&server, &key);
        assert_unavailable(&server, &reply, took, &["locked", "protocol", ".db"]);
    }
    drop(locker);
    let after = recovered(&server, &key, Duration::from_secs(15));
    assert_eq!(after, before.body);
}
