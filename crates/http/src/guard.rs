//! A guard in front of actix-http's request parser.
//!
//! actix-http answers a request head it cannot or will not parse (over
//! 128 KiB, more than 96 headers, a URI over 64 KiB, bad syntax) itself,
//! with an empty body and no hook to change it. [`HeadGuard`] wraps each
//! connection and reads every request head before actix-http does. A head
//! that is whole, within our limits and parses is handed on unchanged; any
//! other is dropped, read to its end, and replaced by a short request for
//! [`REFUSED_PATH`], which the app answers with the JSON envelope and
//! `Connection: close`. Since the replacement goes down the same pipe,
//! answers stay in order behind any pipelined request before it.
//!
//! After a head that announces a body (which the API refuses on a GET, but
//! actix-http must still read past), the rest of the connection passes
//! through unguarded.

use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_codec::{AsyncRead, AsyncWrite, ReadBuf};

/// The largest head we read: far above any real client's, well below the
/// 128 KiB at which actix-http gives up.
pub const MAX_HEAD: usize = 32 * 1024;
/// The longest request line (method, URI, version).
pub const MAX_REQUEST_LINE: usize = 16 * 1024;
/// The most header lines in a head.
pub const MAX_HEADERS: usize = 64;

/// Where a refused head is sent instead; the last segment is the status.
pub const REFUSED_PATH: &str = "/api/v1/.refused";

/// Why a head was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 414: the request line alone is over [`MAX_REQUEST_LINE`].
    UriTooLong,
    /// 431: over [`MAX_HEAD`] or [`MAX_HEADERS`].
    HeadTooLarge,
    /// 400: not an HTTP/1.x request head.
    Malformed,
}

impl Refusal {
    pub fn status(self) -> u16 {
        match self {
            Self::UriTooLong => 414,
            Self::HeadTooLarge => 431,
            Self::Malformed => 400,
        }
    }

    /// The request actix-http is given in place of the refused head.
    fn replacement(self) -> Vec<u8> {
        format!(
            "GET {REFUSED_PATH}/{} HTTP/1.1\r\nHost: refused\r\nConnection: close\r\n\r\n",
            self.status()
        )
        .into_bytes()
    }
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Reading a head; none of it is handed on until it is whole.
    Head,
    /// Reading past the end of a refused head, handing on nothing.
    Skipping { refusal: Refusal, tail: [u8; 3] },
    /// Everything passes through as it comes.
    PassThrough,
    /// A refusal was handed on: the rest of what arrives is read and
    /// dropped (so that closing the socket does not reset the answer).
    Refused,
}

/// A connection whose request heads are checked before actix-http reads
/// them. See the module documentation.
#[derive(Debug)]
pub struct HeadGuard<S> {
    inner: S,
    mode: Mode,
    /// The head being read.
    head: Vec<u8>,
    /// Bytes checked and ready for actix-http, from `ready_from` on.
    ready: Vec<u8>,
    ready_from: usize,
}

impl<S> HeadGuard<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            mode: Mode::Head,
            head: Vec::new(),
            ready: Vec::new(),
            ready_from: 0,
        }
    }

    /// Takes in bytes read from the client.
    fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            match self.mode {
                Mode::Head => {
                    if self.head.is_empty() {
                        // Empty lines before a request line are allowed.
                        let blank = bytes
                            .iter()
                            .take_while(|b| matches!(b, b'\r' | b'\n'))
                            .count();
                        self.ready.extend_from_slice(&bytes[..blank]);
                        bytes = &bytes[blank..];
                        if bytes.is_empty() {
                            return;
                        }
                    }
                    // Only the end of the head may span reads: search from
                    // three bytes before the new ones.
                    let searched_from = self.head.len().saturating_sub(3);
                    self.head.extend_from_slice(bytes);
                    bytes = &[];
                    match find_end(&self.head[searched_from..]) {
                        Some(end) => {
                            let end = searched_from + end;
                            let rest = self.head.split_off(end);
                            let head = std::mem::take(&mut self.head);
                            match check(&head) {
                                Ok(has_body) => {
                                    self.ready.extend_from_slice(&head);
                                    if has_body {
                                        self.mode = Mode::PassThrough;
                                        self.ready.extend_from_slice(&rest);
                                    } else {
                                        self.feed(&rest);
                                    }
                                }
                                Err(refusal) => self.refuse(refusal),
                            }
                            return;
                        }
                        None if self.head.len() > MAX_HEAD => {
                            let refusal = if find(&self.head, b"\n").is_none() {
                                Refusal::UriTooLong
                            } else {
                                Refusal::HeadTooLarge
                            };
                            let tail = last_three(&self.head);
                            self.head = Vec::new();
                            self.mode = Mode::Skipping { refusal, tail };
                        }
                        None => {}
                    }
                }
                Mode::Skipping { refusal, tail } => {
                    let taken = bytes.len().min(4096);
                    let mut window = tail.to_vec();
                    window.extend_from_slice(&bytes[..taken]);
                    if find_end(&window).is_some() {
                        self.refuse(refusal);
                        return;
                    }
                    let tail = last_three(&window);
                    self.mode = Mode::Skipping { refusal, tail };
                    bytes = &bytes[taken..];
                }
                Mode::PassThrough => {
                    self.ready.extend_from_slice(bytes);
                    return;
                }
                Mode::Refused => return,
            }
        }
    }

    fn refuse(&mut self, refusal: Refusal) {
        self.head = Vec::new();
        self.ready.extend_from_slice(&refusal.replacement());
        self.mode = Mode::Refused;
    }

    /// At the client's end of input: what was read of an unfinished head is
    /// handed on as it is, for actix-http to judge.
    fn finish(&mut self) {
        if matches!(self.mode, Mode::Head) {
            let head = std::mem::take(&mut self.head);
            self.ready.extend_from_slice(&head);
        }
        self.mode = Mode::PassThrough;
    }
}

/// The index just past the empty line that ends a head: CRLF CRLF, or the
/// bare LFs that HTTP/1.1 parsers also accept.
fn find_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .iter()
        .enumerate()
        .find_map(|(at, byte)| match (byte, bytes.get(at + 1..)) {
            (b'\n', Some([b'\n', ..])) => Some(at + 2),
            (b'\n', Some([b'\r', b'\n', ..])) => Some(at + 3),
            _ => None,
        })
}

fn find(bytes: &[u8], needle: &[u8]) -> Option<usize> {
    bytes.windows(needle.len()).position(|w| w == needle)
}

fn last_three(bytes: &[u8]) -> [u8; 3] {
    let mut tail = [0; 3];
    let n = bytes.len().min(3);
    tail[3 - n..].copy_from_slice(&bytes[bytes.len() - n..]);
    tail
}

/// A whole head: whether it announces a body, or why it is refused.
fn check(head: &[u8]) -> Result<bool, Refusal> {
    let request_line = find(head, b"\n").unwrap_or(head.len());
    if request_line > MAX_REQUEST_LINE {
        return Err(Refusal::UriTooLong);
    }
    if head.len() > MAX_HEAD {
        return Err(Refusal::HeadTooLarge);
    }
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Err(httparse::Error::TooManyHeaders) => return Err(Refusal::HeadTooLarge),
        Ok(httparse::Status::Partial) | Err(_) => return Err(Refusal::Malformed),
    }
    Ok(request.headers.iter().any(|header| {
        header.name.eq_ignore_ascii_case("transfer-encoding")
            || (header.name.eq_ignore_ascii_case("content-length") && header.value != b"0")
    }))
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadGuard<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.ready_from < this.ready.len() {
                let n = buf.remaining().min(this.ready.len() - this.ready_from);
                buf.put_slice(&this.ready[this.ready_from..this.ready_from + n]);
                this.ready_from += n;
                if this.ready_from == this.ready.len() {
                    this.ready.clear();
                    this.ready_from = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if let Mode::PassThrough = this.mode {
                return Pin::new(&mut this.inner).poll_read(cx, buf);
            }
            let mut chunk = [MaybeUninit::uninit(); 8192];
            let mut read = ReadBuf::uninit(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) if read.filled().is_empty() => {
                    if let Mode::Refused = this.mode {
                        // Nothing more for actix-http, which closes the
                        // connection after its answer to the replacement.
                        return Poll::Pending;
                    }
                    this.finish();
                }
                Poll::Ready(Ok(())) => this.feed(read.filled()),
                other => return other,
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadGuard<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What actix-http would read, fed `input` in chunks of `size`.
    fn handed_on(input: &[u8], size: usize) -> Vec<u8> {
        let mut guard = HeadGuard::new(());
        for chunk in input.chunks(size) {
            guard.feed(chunk);
        }
        guard.ready
    }

    fn in_any_chunks(input: &[u8]) -> Vec<u8> {
        let whole = handed_on(input, input.len().max(1));
        for size in [1, 2, 3, 7, 100] {
            assert_eq!(handed_on(input, size), whole, "chunks of {size}");
        }
        whole
    }

    const GET: &[u8] =
        b"GET /api/v1/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n\r\n";

    #[test]
    fn heads_within_the_limits_pass_unchanged_pipelined_or_not() {
        assert_eq!(in_any_chunks(GET), GET);
        let two = [GET, GET].concat();
        assert_eq!(in_any_chunks(&two), two);
        let with_blank_lines = [b"\r\n\r\n".as_slice(), GET].concat();
        assert_eq!(in_any_chunks(&with_blank_lines), with_blank_lines);
        let bare_lf = b"GET / HTTP/1.1\nHost: x\n\nGET / HTTP/1.1\n\n";
        assert_eq!(in_any_chunks(bare_lf), bare_lf);
    }

    #[test]
    fn a_head_is_held_back_until_it_is_whole() {
        assert_eq!(handed_on(&GET[..GET.len() - 1], 5), b"");
    }

    #[test]
    fn after_a_body_everything_passes_through() {
        let post = b"POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n";
        let oversized = vec![b'a'; MAX_HEAD * 2];
        let input = [post.as_slice(), &oversized].concat();
        assert_eq!(in_any_chunks(&input), input);
    }

    #[test]
    fn oversized_and_malformed_heads_are_replaced_after_the_good_ones() {
        let long_uri = [
            b"GET /".as_slice(),
            &vec![b'a'; MAX_REQUEST_LINE + 1],
            b" HTTP/1.1\r\n\r\n",
        ]
        .concat();
        let big_header = [
            b"GET / HTTP/1.1\r\nAuthorization: Bearer ".as_slice(),
            &vec![b'k'; 1 << 20],
            b"\r\n\r\n",
        ]
        .concat();
        let many_headers = [
            b"GET / HTTP/1.1\r\n".as_slice(),
            &b"A: b\r\n".repeat(MAX_HEADERS + 1),
            b"\r\n",
        ]
        .concat();
        for (head, refusal) in [
            (long_uri, Refusal::UriTooLong),
            (big_header, Refusal::HeadTooLarge),
            (many_headers, Refusal::HeadTooLarge),
            (b"GET\x01 / HTTP/1.1\r\n\r\n".to_vec(), Refusal::Malformed),
            (
                b"GET / HTTP/1.1\r\nNo colon\r\n\r\n".to_vec(),
                Refusal::Malformed,
            ),
        ] {
            let input = [GET, &head, GET].concat();
            let expected = [GET, &refusal.replacement()].concat();
            assert_eq!(in_any_chunks(&input), expected, "{refusal:?}");
        }
    }
}
