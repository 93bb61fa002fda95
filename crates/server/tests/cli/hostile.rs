//! Hostile requests, byte for byte, against the real server: each is
//! answered with the JSON error the contract gives, the server stays up and
//! nothing is written.

use serde_json::Value;
use sessions_storage::testing::TestDb;

use crate::{Operator, Reply, Server};

/// A served demo database, its key, and the page a plain request gets.
struct Target {
    server: Server,
    key: String,
    first_page: Value,
    _operator: Operator,
    _db: TestDb,
}

impl Target {
    fn new() -> Self {
        let db = TestDb::sqlite();
        let operator = Operator::new(&db);
        let server = operator.serve(&["--demo"]);
        let key = server.demo_key();
        let (status, first_page) = server.get("/api/v1/sessions?limit=500", Some(&key));
        assert_eq!(status, 200);
        Self {
            server,
            key,
            first_page,
            _operator: operator,
            _db: db,
        }
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.key)
    }

    fn get(&self, target: &str) -> Reply {
        self.server
            .call(target, &[("Authorization", &self.bearer())])
    }

    /// Still up, and the data is what it was.
    fn unharmed(&self) {
        let (status, page) = self
            .server
            .get("/api/v1/sessions?limit=500", Some(&self.key));
        assert_eq!((status, &page), (200, &self.first_page));
    }
}

fn assert_refused(reply: &Reply, status: u16, code: &str, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.body);
    assert_eq!(reply.body["error"]["code"], code, "{what}");
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{what}"
    );
}

#[test]
fn malformed_parameters_are_400() {
    let target = Target::new();
    for query in [
        "limit=%2B5",
        "limit=+5",
        "limit=05",
        "limit=0",
        "limit=501",
        "limit=99999999999999999999999",
        "limit=5&limit=5",
        "before=x&before=y",
        "before=2026-01-01T00:00:00Z&before=2026-01-01T00:00:00Z",
        "before=2026-13-01T00:00:00Z",
        "before=%FF%FE",
        "before=%zz",
        "limit=%",
        "before=2026-01-01T00:00:00Z%00",
    ] {
        let reply = target.get(&format!("/api/v1/sessions?{query}"));
        assert_refused(&reply, 400, "invalid_parameter", query);
    }
    target.unharmed();
}

#[test]
fn exotic_but_valid_cursors_are_exact_not_refused() {
    let target = Target::new();
    // RFC 3339 allows a leap second and any number of fractional digits;
    // both bound the page exactly (see docs/PAGING.md).
    for before in [
        "9999-12-31T23:59:60Z",
        "9999-12-31T23:59:59.999999999999999999999999999999Z",
    ] {
        let reply = target.get(&format!("/api/v1/sessions?limit=500&before={before}"));
        assert_eq!(
            (reply.status, &reply.body),
            (200, &target.first_page),
            "{before}"
        );
    }
    target.unharmed();
}

#[test]
fn malformed_headers_are_400_or_401() {
    let target = Target::new();
    let bearer = target.bearer();
    let forty_digits = "1".repeat(40);
    for (headers, status, code) in [
        (
            vec![
                ("Authorization", bearer.as_str()),
                ("X-Organization-Id", forty_digits.as_str()),
            ],
            400,
            "invalid_parameter",
        ),
        (
            vec![
                ("Authorization", bearer.as_str()),
                ("X-Organization-Id", "-1"),
            ],
            400,
            "invalid_parameter",
        ),
        (
            vec![
                ("Authorization", bearer.as_str()),
                ("X-Organization-Id", "1"),
                ("X-Organization-Id", "1"),
            ],
            400,
            "invalid_parameter",
        ),
        (vec![("Authorization", "Bearer")], 401, "unauthorized"),
        (
            vec![("Authorization", "Basic dXNlcjpwYXNz")],
            401,
            "unauthorized",
        ),
        (
            vec![
                ("Authorization", bearer.as_str()),
                ("Authorization", bearer.as_str()),
            ],
            401,
            "unauthorized",
        ),
    ] {
        let reply = target.server.call("/api/v1/sessions", &headers);
        assert_refused(&reply, status, code, &format!("{headers:?}"));
    }
    target.unharmed();
}

#[test]
fn a_long_bearer_token_is_401() {
    let target = Target::new();
    let token = format!("Bearer mob_{}", "A".repeat(30_000));
    let reply = target
        .server
        .call("/api/v1/sessions", &[("Authorization", &token)]);
    assert_refused(&reply, 401, "unauthorized", "a 30 kB token");
    target.unharmed();
}

#[test]
fn invalid_utf8_in_a_header_is_401_or_400() {
    let target = Target::new();
    let mut request = format!(
        "GET /api/v1/sessions HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: Bearer mob_XXXX\r\n\r\n",
        target.server.address
    )
    .into_bytes();
    // Raw bytes that are not UTF-8 in place of the X's.
    let at = request
        .windows(4)
        .position(|w| w == b"mob_")
        .expect("token")
        + 4;
    request.splice(at..at + 4, [0xff, 0xfe, 0xfd, 0xfc]);
    let reply = target.server.send(&request);
    assert_refused(&reply, 401, "unauthorized", "raw bytes in the token");

    let reply = target.server.send(
        format!(
            "GET /api/v1/sessions HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: {}\r\nX-Organization-Id: \u{fffd}\r\n\r\n",
            target.server.address,
            target.bearer()
        )
        .as_bytes(),
    );
    assert_refused(&reply, 400, "invalid_parameter", "non-ASCII organization");
    target.unharmed();
}

#[test]
fn a_body_on_a_get_is_400() {
    let target = Target::new();
    for (framing, body) in [
        ("Content-Length: 13\r\n", "{\"limit\": 5}\n".to_owned()),
        (
            "Transfer-Encoding: chunked\r\n",
            "5\r\nhello\r\n0\r\n\r\n".to_owned(),
        ),
    ] {
        let reply = target.server.send(
            format!(
                "GET /api/v1/sessions HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: {}\r\n{framing}\r\n{body}",
                target.server.address,
                target.bearer()
            )
            .as_bytes(),
        );
        assert_refused(&reply, 400, "invalid_parameter", framing);
        assert_eq!(
            reply.body["error"]["message"],
            "body must be empty: a GET takes none"
        );
    }
    target.unharmed();
}

#[test]
fn unknown_paths_and_methods_are_json() {
    let target = Target::new();
    let reply = target.get("/api/v1/sessions/../../etc/passwd");
    assert_refused(&reply, 404, "not_found", "dot segments");
    let reply = target.get("/api/v1/%00");
    assert_refused(&reply, 404, "not_found", "NUL");
    // (HEAD is 405 too, without a body; the HTTP suite checks it.)
    for method in ["POST", "DELETE", "PATCH", "PUT", "OPTIONS"] {
        let reply = target.server.send(
            format!(
                "{method} /api/v1/sessions HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                target.server.address
            )
            .as_bytes(),
        );
        assert_refused(&reply, 405, "method_not_allowed", method);
    }
    target.unharmed();
}

/// Heads actix-http alone would refuse with an empty body: the guard in
/// front of it answers them with the JSON envelope.
#[test]
fn oversized_and_malformed_heads_are_json() {
    let target = Target::new();
    let host = &target.server.address;
    let megabyte_token = format!("Bearer mob_{}", "A".repeat(1 << 20));
    let many_headers: String = (0..100).map(|i| format!("X-Filler-{i}: {i}\r\n")).collect();
    let long_uri = format!("/api/v1/sessions?limit=5&pad={}", "a".repeat(100_000));
    for (request, status, code) in [
        (
            format!(
                "GET /api/v1/sessions HTTP/1.1\r\nHost: {host}\r\nAuthorization: {megabyte_token}\r\n\r\n"
            ),
            431,
            "headers_too_large",
        ),
        (
            format!("GET /api/v1/sessions HTTP/1.1\r\nHost: {host}\r\n{many_headers}\r\n"),
            431,
            "headers_too_large",
        ),
        (
            format!("GET {long_uri} HTTP/1.1\r\nHost: {host}\r\n\r\n"),
            414,
            "uri_too_long",
        ),
        (
            format!("GET /api/v1/sessions HTTP/1.1\r\nHost: {host}\r\nNo colon here\r\n\r\n"),
            400,
            "malformed_request",
        ),
        (
            format!("G(E)T /api/v1/sessions HTTP/1.1\r\nHost: {host}\r\n\r\n"),
            400,
            "malformed_request",
        ),
    ] {
        let reply = target.server.send(request.as_bytes());
        assert_refused(&reply, status, code, &request[..40]);
        assert_eq!(reply.header("connection"), Some("close"));
    }
    target.unharmed();
}

/// A refused head behind a good one on the same connection: the good one is
/// answered first, then the refusal, then the connection closes.
#[test]
fn a_refused_head_is_answered_in_order_after_pipelined_ones() {
    let target = Target::new();
    let good = format!(
        "GET /api/v1/sessions?limit=1 HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n\r\n",
        target.server.address,
        target.bearer()
    );
    let oversized = format!(
        "GET /api/v1/sessions HTTP/1.1\r\nX-Big: {}\r\n\r\n",
        "b".repeat(40_000)
    );
    let mut stream = std::net::TcpStream::connect(&target.server.address).expect("connect");
    std::io::Write::write_all(&mut stream, format!("{good}{oversized}{good}").as_bytes())
        .expect("send");
    let mut answers = Vec::new();
    std::io::Read::read_to_end(&mut stream, &mut answers).expect("read");
    let answers = String::from_utf8(answers).expect("UTF-8");
    let statuses: Vec<&str> = answers
        .match_indices("HTTP/1.1 ")
        .map(|(at, _)| &answers[at + 9..at + 12])
        .collect();
    assert_eq!(statuses, ["200", "431"], "{answers}");
    target.unharmed();
}
