//! SIGTERM and SIGINT: the server stops accepting, lets the requests in
//! flight finish, closes its pool and exits 0.

use std::io::{ErrorKind, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sessions_storage::testing::TestDb;

use crate::faults::WalIndexLocker;
use crate::{Operator, read_reply};

#[test]
fn sigterm_finishes_the_requests_in_flight_and_exits_0() {
    stops_gracefully("TERM");
}

#[test]
fn sigint_is_as_graceful_as_sigterm() {
    stops_gracefully("INT");
}

/// What a client saw of one request.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Answered in full: a 200 with a page.
    Served,
    /// The connection was refused: the server had stopped accepting.
    Refused,
    /// Accepted, then cut: what must never happen.
    Cut(String),
}

fn stops_gracefully(signal: &str) {
    let db = TestDb::sqlite();
    let operator = Operator::new(&db);
    let mut server = operator.serve(&[
        "--demo",
        "--shutdown-grace-secs",
        "10",
        "--pool-size",
        "8",
        "--pool-timeout-ms",
        "5000",
        "--statement-timeout-ms",
        "5000",
    ]);
    let key = server.demo_key();
    let request = format!(
        "GET /api/v1/sessions?limit=5 HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n",
        server.address
    );
    let sessions_storage::DatabaseUrl::Sqlite(path) = db.url() else {
        unreachable!("an SQLite test database");
    };

    // Requests in flight at the signal: inside the handler, waiting for a
    // database whose locks another process holds.
    let locker = WalIndexLocker::hold(path);
    let in_flight: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut stream = TcpStream::connect(&server.address).expect("connect");
            stream
                .write_all(format!("{request}\r\n").as_bytes())
                .expect("send");
            stream
        })
        .collect();

    // A burst of complete requests from four clients, each on a fresh
    // connection, that goes on until the server stops accepting.
    let stopped = Arc::new(AtomicBool::new(false));
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (address, request) = (server.address.clone(), request.clone());
            let (stopped, outcomes) = (Arc::clone(&stopped), Arc::clone(&outcomes));
            std::thread::spawn(move || {
                loop {
                    let outcome = one_request(&address, &request);
                    let refused = outcome == Outcome::Refused;
                    outcomes.lock().expect("outcomes").push(outcome);
                    if refused && stopped.load(Ordering::SeqCst) {
                        break;
                    }
                }
            })
        })
        .collect();

    std::thread::sleep(Duration::from_millis(300));
    server.signal(signal);
    stopped.store(true, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(300));
    drop(locker);

    for mut stream in in_flight {
        let reply = read_reply(&mut stream);
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["sessions"].as_array().map(Vec::len), Some(5));
    }
    for client in clients {
        client.join().expect("client");
    }

    let exited_at = Instant::now();
    let status = server
        .exit_status(Duration::from_secs(10))
        .expect("the server exits within the grace period");
    assert!(status.success(), "{status}");
    assert!(exited_at.elapsed() < Duration::from_secs(5));

    let outcomes = outcomes.lock().expect("outcomes");
    let served = outcomes.iter().filter(|o| **o == Outcome::Served).count();
    let cut: Vec<_> = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Cut(_)))
        .collect();
    assert!(served > 0, "the burst was served before the signal");
    assert!(cut.is_empty(), "{cut:?} of {} requests", outcomes.len());
    let log = server.log().join("\n");
    assert!(log.contains(&format!("SIG{signal}: stopping")), "{log}");
}

fn one_request(address: &str, request: &str) -> Outcome {
    let mut stream = match TcpStream::connect(address) {
        Ok(stream) => stream,
        Err(error) if error.kind() == ErrorKind::ConnectionRefused => return Outcome::Refused,
        Err(error) => return Outcome::Cut(format!("connect: {error}")),
    };
    let attempt = stream
        .write_all(format!("{request}\r\n").as_bytes())
        .and_then(|()| {
            let mut response = Vec::new();
            std::io::Read::read_to_end(&mut stream, &mut response).map(|_| response)
        });
    match attempt {
        Ok(response) if response.starts_with(b"HTTP/1.1 200 OK") => Outcome::Served,
        Ok(response) => Outcome::Cut(String::from_utf8_lossy(&response).into_owned()),
        Err(error) => Outcome::Cut(error.to_string()),
    }
}
